"""First run with no key: take the key masked, check it with one request, store it, or start the demo.

A small app of its own that runs before the main one, so the main app always starts with a provider and
never has to be rebuilt around a key that arrives later.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import App, ComposeResult
from textual.binding import BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.content import Content
from textual.widgets import Button, Checkbox, Input, Label, Static

from tui.app.bindings import bindings
from tui.app.crash import SecretSafeCrashReports
from tui.app.widgets.key_bar import KeyBar
from tui.keys.secret import ApiKey, InvalidApiKeyError
from tui.keys.store import FileStoreError, KeyringUnavailableError, KeyStore, display_path

if TYPE_CHECKING:
    import httpx

    from tui.keys.verify import VerifyResult

STYLES = Path(__file__).parent / "styles"


@dataclass(frozen=True)
class FirstRunResult:
    """What the user chose: a key (and where it now lives), or the demo."""

    key: ApiKey | None = None
    stored_in: str = ""
    demo: bool = False


class FirstRunApp(SecretSafeCrashReports, App[FirstRunResult | None]):
    TITLE = "together-tui: first run"
    CSS_PATH: ClassVar = [STYLES / "first_run.tcss"]
    BINDINGS: ClassVar[list[BindingType]] = list(bindings("first_run"))
    # The three buttons fit one line from 60 columns; narrower, they take two (first_run.tcss).
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (60, "-wide")]

    def __init__(
        self,
        *,
        base_url: str,
        profile: str,
        store: KeyStore,
        env_name: str = "TOGETHER_API_KEY",
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        super().__init__()
        self.base_url = base_url
        self.profile = profile
        self.store = store
        self.env_name = env_name
        self.transport = transport
        self.keyring_reason: str | None = None

    def compose(self) -> ComposeResult:
        # Scrolls when the terminal is too short (a scrollbar then says there is more); the buttons come
        # right after the key, so at 80x24 they show whatever the keyring says below them.
        with VerticalScroll(id="first-run") as body:
            body.border_title = "Welcome to together-tui"
            # The profile, the URL and every reason below come from outside: Text, never markup.
            yield Static(
                Text.assemble(
                    "No API key is configured for profile ", (self.profile, "bold"),
                    ". Paste your Together API key (from https://api.together.ai/settings/api-keys). "
                    f"It is checked with one request to {self.base_url} and stored in your OS keyring "
                    "(service ", ("together-tui", "bold"), "); it is never shown again.",
                ),
                id="first-run-intro",
            )
            yield Input(placeholder="API key", password=True, id="key")
            yield Label("", id="key-message")
            with Horizontal(id="first-run-buttons"):
                yield Button("Check and save", variant="primary", id="save", compact=True)
                yield Button("Start the demo", id="demo", compact=True)
                yield Button("Quit", id="quit", compact=True)
            yield Static("", id="keyring-warning")
            yield Checkbox(
                Content(f"Store it in the plain-text file {display_path(self.store.file.path)} (mode 0600)"),
                id="file-store", compact=True,
            )
        yield KeyBar()

    def on_mount(self) -> None:
        self.query_one("#file-store").display = False
        self.query_one("#keyring-warning").display = False
        self.query_one("#key", Input).focus()
        # Short terminals scroll the intro off first: the key and every button below it stay in view.
        self.call_after_refresh(self.query_one("#first-run-buttons").scroll_visible, animate=False)
        self.check_keyring()

    @work(thread=True, exit_on_error=False, group="keyring")
    def check_keyring(self) -> None:
        # Keyring calls may hang on a broken D-Bus: never on the UI loop.
        status = self.store.keyring.status()
        if not status.available:
            self.call_from_thread(self._show_no_keyring, status.reason or "unknown reason")

    def _show_no_keyring(self, reason: str) -> None:
        self.keyring_reason = reason
        warning = self.query_one("#keyring-warning", Static)
        warning.update(
            Text.assemble(
                ("No working OS keyring:", "bold"), f" {reason}.\n"
                f"Safest on this host: set {self.env_name} in your shell instead (it is read before any "
                "stored key). Or tick the box below, then Check and save, to keep the key in a plain-text "
                "file readable only by you. Otherwise the key is used for this session only.",
            )
        )
        warning.display = True
        self.query_one("#file-store").display = True

    @on(Input.Submitted, "#key")
    @on(Button.Pressed, "#save")
    def submit(self) -> None:
        message = self.query_one("#key-message", Label)
        try:
            key = ApiKey.parse(self.query_one("#key", Input).value)
        except InvalidApiKeyError as exc:
            message.update(Text(str(exc), style="red"))
            return
        message.update("Checking the key…")
        self.query_one("#save", Button).disabled = True
        self.verify_and_store(key, to_file=self.query_one("#file-store", Checkbox).value)

    @work(thread=True, exit_on_error=False, exclusive=True, group="verify")
    def verify_and_store(self, key: ApiKey, to_file: bool) -> None:
        from tui.keys.verify import verify_key

        result = verify_key(key, self.base_url, transport=self.transport)
        if result.outcome == "refused":
            self.call_from_thread(self._refused, result)
            return
        try:
            stored_in = self._store(key, to_file)
        except (KeyringUnavailableError, FileStoreError, OSError) as exc:
            self.call_from_thread(self._failed, f"Could not store the key: {exc}")
            return
        note = "" if result.ok else f" (not checked: {result.detail})"
        self.call_from_thread(self.exit, FirstRunResult(key=key, stored_in=stored_in + note))

    def _store(self, key: ApiKey, to_file: bool) -> str:
        if to_file:
            self.store.file.set(self.profile, key)
            return self.store.file.describe()
        if self.keyring_reason is not None:
            return "this session only"
        self.store.keyring.set(self.profile, key)
        return self.store.keyring.describe(self.profile)

    def _refused(self, result: VerifyResult) -> None:
        self._failed(f"The API refused this key ({result.detail}). Check it and paste it again.")
        key_input = self.query_one("#key", Input)
        key_input.value = ""
        key_input.focus()

    def _failed(self, text: str) -> None:
        # ``text`` carries the server's reason phrase: shown as typed, never read as markup.
        self.query_one("#key-message", Label).update(Text(text, style="red"))
        self.query_one("#save", Button).disabled = False

    @on(Button.Pressed, "#demo")
    def action_demo(self) -> None:
        self.exit(FirstRunResult(demo=True))

    @on(Button.Pressed, "#quit")
    async def quit_pressed(self) -> None:
        await self.action_quit()
