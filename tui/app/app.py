"""The application shell: header, three panes (Endpoints, Hardware, Chat), footer, palette, help."""

from __future__ import annotations

import asyncio
import signal
from collections.abc import Iterable
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from textual import work
from textual.app import App, ComposeResult, SystemCommand
from textual.binding import Binding, BindingType
from textual.reactive import reactive
from textual.screen import Screen
from textual.theme import Theme
from textual.widgets import Footer, TabbedContent, TabPane

from tui.app.config import AppConfig
from tui.app.crash import SecretSafeCrashReports
from tui.app.panes.chat import ChatPane
from tui.app.panes.endpoints import EndpointsPane
from tui.app.panes.hardware import HardwarePane
from tui.app.widgets.status_header import StatusHeader
from tui.core.costs import Burn

if TYPE_CHECKING:
    from tui.api import Endpoint, Provider

STYLES = Path(__file__).parent / "styles"
PANES = ("endpoints", "hardware", "chat")
Pane = EndpointsPane | HardwarePane | ChatPane


class TogetherApp(SecretSafeCrashReports, App[None]):
    TITLE = "together-tui"
    CSS_PATH: ClassVar = [
        STYLES / "app.tcss",
        STYLES / "endpoints.tcss",
        STYLES / "hardware.tcss",
        STYLES / "chat.tcss",
        STYLES / "forms.tcss",
    ]
    BINDINGS: ClassVar[list[BindingType]] = [
        # Not in the footer: the tab bar already shows "1 Endpoints 2 Hardware 3 Chat".
        Binding("1", "show_pane('endpoints')", "Endpoints", id="app.pane.endpoints", show=False),
        Binding("2", "show_pane('hardware')", "Hardware", id="app.pane.hardware", show=False),
        Binding("3", "show_pane('chat')", "Chat", id="app.pane.chat", show=False),
        # tab keeps Textual's meaning (move the focus), which the forms and the chat prompt rely on;
        # [ and ] cycle panes as in lazydocker.
        Binding("left_square_bracket", "cycle_pane(-1)", "Previous pane", id="app.pane.previous", show=False),
        Binding("right_square_bracket", "cycle_pane(1)", "Next pane", id="app.pane.next", show=False),
        Binding("question_mark", "help", "Help", id="app.help"),
        Binding("ctrl+q", "quit", "Quit", id="app.quit", priority=True),
    ]

    #: Set by the Endpoints pane after each poll; shown in the header.
    connection_status: reactive[str] = reactive("connecting…")
    connection_ok: reactive[bool] = reactive(True)
    #: The account's spend per hour; None until the first list of endpoints arrives.
    burn: reactive[Burn | None] = reactive(None)

    def __init__(self, provider: Provider, config: AppConfig | None = None) -> None:
        super().__init__()
        self.provider = provider
        self.config = config or AppConfig()
        self.read_only = self.config.read_only
        if self.config.keymap:
            self.set_keymap(self.config.keymap)

    def now(self) -> datetime:
        return self.config.clock()

    def compose(self) -> ComposeResult:
        yield StatusHeader()
        with TabbedContent(initial="endpoints", id="panes"):
            with TabPane("1 Endpoints", id="endpoints"):
                yield EndpointsPane()
            with TabPane("2 Hardware", id="hardware"):
                yield HardwarePane()
            with TabPane("3 Chat", id="chat"):
                yield ChatPane()
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.theme = self.config.theme if self.config.theme in self.available_themes else "textual-dark"
        self._saved_theme = self.theme
        self.theme_changed_signal.subscribe(self, self._remember_theme)
        # Settings problems quote the user's file, which may hold a "[": never read them as markup.
        for problem in self.config.settings_problems:
            self.notify(problem, title="Settings", severity="warning", timeout=10, markup=False)
        for notice in self.config.notices:
            self.notify(notice, timeout=8, markup=False)
        self._end_on_hangup_and_terminate()

    def _end_on_hangup_and_terminate(self) -> None:
        """SIGTERM (kill, systemd) and SIGHUP (the SSH connection dropped) end the app as ctrl+q does,
        so the driver restores the terminal: Textual's own driver handles neither, and Python's default
        kills the process with the alternate screen, mouse tracking and hidden cursor left on."""
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGTERM, signal.SIGHUP):
            try:
                # 128 + N: the exit status a shell reports for a process ended by signal N.
                loop.add_signal_handler(signum, partial(self.exit, return_code=128 + signum))
            except (NotImplementedError, RuntimeError, ValueError):
                return  # not the main thread, or a platform without these signals (Windows)

    def _forget_signal_handlers(self) -> None:
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGTERM, signal.SIGHUP):
            try:
                loop.remove_signal_handler(signum)
            except (NotImplementedError, RuntimeError, ValueError):
                return

    def _remember_theme(self, theme: Theme) -> None:
        if theme.name != self._saved_theme and self.config.remember_theme:
            self._saved_theme = theme.name
            self._save_theme(theme.name)

    @work(thread=True, exit_on_error=False, group="settings")
    def _save_theme(self, name: str) -> None:
        from tui.settings import SettingsError, save_setting

        try:
            save_setting("theme", name)
        except (SettingsError, OSError) as exc:
            self.call_from_thread(self.notify, f"Could not remember the theme: {exc}", severity="warning",
                                  markup=False)

    async def on_unmount(self) -> None:
        self._forget_signal_handlers()
        await self.provider.aclose()

    # Panes

    @property
    def endpoints_pane(self) -> EndpointsPane:
        return self.query_one(EndpointsPane)

    @property
    def hardware_pane(self) -> HardwarePane:
        return self.query_one(HardwarePane)

    @property
    def chat_pane(self) -> ChatPane:
        return self.query_one(ChatPane)

    @property
    def panes(self) -> dict[str, Pane]:
        return {"endpoints": self.endpoints_pane, "hardware": self.hardware_pane, "chat": self.chat_pane}

    @property
    def active_pane(self) -> str:
        return self.query_one("#panes", TabbedContent).active

    def action_show_pane(self, pane: str) -> None:
        if pane not in PANES:
            return
        self.query_one("#panes", TabbedContent).active = pane
        self.call_after_refresh(self._focus_pane, pane)

    def action_cycle_pane(self, step: int) -> None:
        index = PANES.index(self.active_pane) if self.active_pane in PANES else 0
        self.action_show_pane(PANES[(index + step) % len(PANES)])

    def _focus_pane(self, pane: str) -> None:
        # A focus request queued by an earlier switch can land late; focusing inside another
        # TabPane would make that pane active again.
        if self.active_pane != pane:
            return
        self.panes[pane].focus_default()

    def on_tabbed_content_tab_activated(self, event: TabbedContent.TabActivated) -> None:
        if event.pane.id in PANES:
            self.call_after_refresh(self._focus_pane, event.pane.id)

    # Cross-pane requests: one place that knows how panes and screens connect.

    def endpoint(self, endpoint_id: str) -> Endpoint | None:
        """The latest known state of an endpoint, as the Endpoints pane last saw it."""
        return self.endpoints_pane.endpoint(endpoint_id)

    def open_chat(self, endpoint: Endpoint | None = None) -> None:
        self.action_show_pane("chat")
        if endpoint is not None:
            self.chat_pane.set_endpoint_target(endpoint)

    def open_create_form(
        self, *, model: str | None = None, hardware_id: str | None = None, clone_of: Endpoint | None = None
    ) -> None:
        if self.read_only:
            self.notify_read_only()
            return
        from tui.app.screens.endpoint_form import CreateEndpointScreen

        self.push_screen(
            CreateEndpointScreen(model=model, hardware_id=hardware_id, clone_of=clone_of),
            callback=self._endpoint_created,
        )

    def _endpoint_created(self, endpoint: Endpoint | None) -> None:
        if endpoint is not None:
            self.action_show_pane("endpoints")
            self.endpoints_pane.track_created(endpoint)

    def open_update_form(self, endpoint: Endpoint) -> None:
        if self.read_only:
            self.notify_read_only()
            return
        from tui.app.screens.endpoint_form import UpdateEndpointScreen

        self.push_screen(UpdateEndpointScreen(endpoint), callback=self._endpoint_updated)

    def _endpoint_updated(self, endpoint: Endpoint | None) -> None:
        if endpoint is not None:
            self.endpoints_pane.track_updated(endpoint)

    def notify_read_only(self) -> None:
        self.notify("Read-only mode: changes are disabled (--read-only or the read_only setting).",
                    severity="warning")

    def announce(self, message: str, *, title: str = "", severity: str = "information") -> None:
        """A notification that matters whichever pane is open (an endpoint the user acted on changed)."""
        if self.config.notifications:
            # Endpoint names are user text: a "[" in one must not be read as markup.
            self.notify(message, title=title, severity=severity, markup=False)  # type: ignore[arg-type]
        if self.config.bell:
            self.bell()

    # Help and palette

    def action_help(self) -> None:
        from tui.app.screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        """Textual's own commands, then every action of every pane (not only the focused one's):
        choosing one from another pane switches to that pane first."""
        yield from super().get_system_commands(screen)
        for name in PANES:
            yield SystemCommand(f"Show {name} pane", f"Switch to the {name} pane",
                                partial(self.action_show_pane, name))
        # Always here, even where "?" is a character typed into a prompt.
        yield SystemCommand("Help", "Every key in force, with what it does (?)", self.action_help)
        # Only the main screen has panes; a modal's commands are its own bindings below.
        panes: dict[str, Pane] = self.panes if screen is self.screen_stack[0] else {}
        seen: set[tuple[str, str]] = set()
        for name, pane in panes.items():
            for bindings in pane._bindings.key_to_bindings.values():
                for binding in bindings:
                    if not binding.description or (name, binding.action) in seen:
                        continue
                    seen.add((name, binding.action))
                    # Hidden (False) means not possible here, e.g. read-only; dimmed (None) may change.
                    if pane.check_action(binding.action, ()) is False:
                        continue
                    key = self.get_key_display(binding)
                    yield SystemCommand(
                        f"{name.capitalize()}: {binding.description}",
                        f"{binding.tooltip or binding.description} (key {key} in the {name} pane)",
                        partial(self._run_pane_action, name, binding.action),
                    )
        for active in screen.active_bindings.values():
            binding = active.binding
            if active.node in panes.values() or not binding.description or not binding.show:
                continue
            if binding.action in ("quit", "command_palette", "help") or binding.action.startswith("show_pane"):
                continue
            if (screen.id or "", binding.action) in seen:
                continue
            seen.add((screen.id or "", binding.action))
            help_text = binding.tooltip or f"{binding.description} ({self.get_key_display(binding)})"
            yield SystemCommand(binding.description, help_text,
                                partial(self.run_action, binding.action, active.node))

    async def _run_pane_action(self, pane: str, action: str) -> None:
        self.query_one("#panes", TabbedContent).active = pane
        widget = self.panes[pane]
        # Move the focus now: left in the old pane, it would switch the tabs back once a modal closes.
        widget.focus_default()
        await self.run_action(action, widget)
