"""The application shell: header, three panes (Endpoints, Hardware, Chat), key bar, palette, help.

The App owns what the panes share: one endpoint store (one poll loop for the whole session), one catalogue
(one hardware request for every pane and form) and the ``AppContext`` that hands both down. Panes never
import the App; they ask for other screens with the messages in ``tui.app.messages``, handled here.

Only the Endpoints pane is built at start (the first frame is its table): the Hardware and Chat panes, and
their modules, come on first use through ``pane(name)`` (a key, a tab click, the palette, a message). The
store's first poll starts before composing, so the list is on its way while the widgets are built; from
the CLI it starts sooner still, before this module loads (``tui.core.account``).
"""

from __future__ import annotations

import asyncio
import signal
import time
from collections.abc import Iterable
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from textual import work
from textual.app import App, ComposeResult, SystemCommand
from textual.binding import Binding, BindingType
from textual.css.query import NoMatches
from textual.screen import Screen
from textual.theme import Theme
from textual.widgets import ContentSwitcher

from tui.app.bindings import bindings, first_key
from tui.app.context import AppContext
from tui.app.crash import SecretSafeCrashReports
from tui.app.main_screen import MainScreen
from tui.app.pane_switching import PANES, TAB_LABELS, PaneSwitching
from tui.app.panes.endpoints import EndpointsPane
from tui.app.requests import CrossPaneRequests
from tui.app.widgets.key_bar import KeyBar
from tui.app.widgets.pane_tabs import PaneTabs
from tui.app.widgets.status_header import StatusHeader
from tui.collector import FreezeAfterFullPasses, collector_paused, freeze_loaded, resume_collector
from tui.core import keymap
from tui.core.account import Account
from tui.core.app_config import AppConfig
from tui.core.store import Announcement, StoreEvent

if TYPE_CHECKING:
    from tui.api import Provider
    from tui.app.panes.chat import ChatPane
    from tui.app.panes.hardware import HardwarePane

    Pane = EndpointsPane | HardwarePane | ChatPane

STYLES = Path(__file__).parent / "styles"
#: The store's poll loop runs as this worker group for the app's lifetime (tests' settle() skips it).
STORE_WORKER_GROUP = "endpoint-store"
#: Seconds after mounting by which the garbage collector runs again even if no list came (tui.collector).
START_UP_DEADLINE = 5.0
#: Seconds between looks at a first fill still drawing, before the collector runs again (tui.collector).
FILL_CHECK = 0.02
#: Seconds between freezes of what the first load built so far, while it runs (tui.collector).
LOAD_FROZEN_EVERY = 1.0
#: Seconds after which a first load still running is frozen no more.
LOAD_FROZEN_FOR = 120.0


class TogetherApp(SecretSafeCrashReports, PaneSwitching, CrossPaneRequests, App[None]):
    TITLE = "together-tui"
    CSS_PATH: ClassVar = [
        STYLES / "app.tcss",
        STYLES / "endpoints.tcss",
        STYLES / "hardware.tcss",
        STYLES / "chat.tcss",
        STYLES / "forms.tcss",
    ]
    BINDINGS: ClassVar[list[BindingType]] = list(bindings("app"))
    #: Below 20 rows the screen is "-short": the details panel gives its minimum height to the table's rows.
    VERTICAL_BREAKPOINTS = [(0, "-short"), (20, "-tall")]

    def __init__(self, provider: Provider, config: AppConfig | None = None, *, account: Account | None = None) -> None:
        """``account``: one opened (and perhaps begun) on ``provider`` before the app was built (the CLI's)."""
        super().__init__()
        self.provider = provider
        self.config = config or AppConfig()
        self.read_only = self.config.read_only
        if account is None:
            account = Account.open(provider, self.config)
        self.context = AppContext(provider, account.store, account.catalog, self.config, self.announce)
        self._panes, self._mounting, self._stand_ins = {}, {}, {}
        self._first_load_freezes: FreezeAfterFullPasses | None = None
        if self.config.keymap:
            self.set_keymap(self.config.keymap)

    def get_default_screen(self) -> Screen:
        # The breakpoint class the first Resize would add, set before the first style pass: added after it,
        # it restyles every widget once more before the first frame.
        screen = MainScreen(id="_default")
        screen.add_class(*screen._get_breakpoint_classes(self.size.height, self.VERTICAL_BREAKPOINTS))
        return screen

    def now(self) -> datetime:
        return self.config.clock()

    def compose(self) -> ComposeResult:
        endpoints = EndpointsPane(self.context)
        endpoints.id = "endpoints"
        self._panes, self._mounting, self._stand_ins = {"endpoints": endpoints}, {}, {}
        yield StatusHeader(self.context)
        # Every pane's tab from the start; the other panes are built on first use (pane()).
        yield PaneTabs(TAB_LABELS, active="endpoints", id="pane-tabs")
        with ContentSwitcher(initial="endpoints", id="panes"):
            yield endpoints
        yield KeyBar()

    def on_load(self) -> None:
        # Before compose: the first list is requested while the widgets are built, not after.
        self._start_store()

    def _start_store(self) -> None:
        self._unsubscribe_store = self.context.store.subscribe(self._store_event)
        self.run_worker(self.context.store.run(), group=STORE_WORKER_GROUP, exit_on_error=False)

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
        # Whatever becomes of the first list (an outage, a key refused), start-up ends by then.
        self.set_timer(START_UP_DEADLINE, partial(self._start_up_over, deadline=True))
        store = self.context.store
        # Begun by the CLI: the details wait for the first frame, which the list may be in already.
        self.call_after_refresh(store.release_details)
        if store.loaded or store.scheduler.last_error is not None:
            # The first list came before the app listened: drawn in the first frame.
            self.call_after_refresh(self._start_up_over)

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

    def _start_up_over(self, *, deadline: bool = False) -> None:
        """The collector back (tui.collector) and, once the first load is over, the account as loaded left out
        of its full passes; only when this process's start-up paused it (the CLI's): an app run inside
        another program (tests, a host) leaves that program's collector as it is. At the ``deadline``
        whatever is still drawing."""
        if not collector_paused():
            return
        endpoints = self._panes.get("endpoints")
        if isinstance(endpoints, EndpointsPane) and endpoints.drawing and not deadline:
            # A large first fill draws its rows in slices after its first frame: collecting meanwhile, the
            # first full pass walked those rows (10 ms at 1,000 endpoints of 3 deployments) just as they
            # came; frozen with start-up once drawn, no pass walks them.
            self.set_timer(FILL_CHECK, self._start_up_over)
            return
        resume_collector()
        loading = FreezeAfterFullPasses(asyncio.get_running_loop().call_soon_threadsafe)
        loading.install()

        began = time.monotonic()

        def each_second_of_the_first_load() -> None:
            # What the load built so far is left out of the full passes to come (tui.collector says why).
            freeze_loaded()
            store = self.context.store
            # A load that never ends (details failing again and again) is not frozen for ever: what is in
            # flight at each freeze and dies later in a cycle is never freed.
            if (store.loaded and store.idle) or time.monotonic() - began > LOAD_FROZEN_FOR:
                check.stop()
                loading.remove()

        check = self.set_interval(LOAD_FROZEN_EVERY, each_second_of_the_first_load)
        self._first_load_freezes = loading

    async def on_unmount(self) -> None:
        resume_collector()
        if self._first_load_freezes is not None:
            self._first_load_freezes.remove()
        self._forget_signal_handlers()
        self.workers.cancel_group(self, STORE_WORKER_GROUP)
        await self.context.store.aclose()
        await self.provider.aclose()

    def action_switch_profile(self) -> None:
        from tui.app.profile_switch import open_switcher

        open_switcher(self)

    async def use_provider(self, provider: Provider, config: AppConfig) -> None:
        """Another account in this window (tui.app.profile_switch): a new store, catalogue and context, the
        panes composed afresh on them, and the old account's polling and connections closed."""
        old = self.context
        self.workers.cancel_group(self, STORE_WORKER_GROUP)
        self._unsubscribe_store()
        self.provider, self.config = provider, config
        account = Account.open(provider, config)
        self.context = AppContext(provider, account.store, account.catalog, config, self.announce)
        await self.recompose()
        self._start_store()
        await old.store.aclose()
        await old.provider.aclose()

    def _store_event(self, event: StoreEvent) -> None:
        if not isinstance(event, Announcement):
            store = self.context.store
            if collector_paused() and (store.loaded or store.scheduler.last_error is not None):
                # The first list (or the first failure) is in: drawn on the next refresh, start-up is over.
                self.call_after_refresh(self._start_up_over)
            return
        if event.ring:
            # A watched endpoint arrived, failed or stopped: the user asked to hear that (and the bell).
            self.announce(event.message, title=event.title, severity=event.severity)
        else:
            # An action that failed, or a delete carried out: always said, errors long enough to read.
            timeout = 12 if event.severity == "error" else None
            self.notify(event.message, title=event.title, severity=event.severity,  # type: ignore[arg-type]
                        timeout=timeout, markup=False)

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

    def action_quit_or_ask(self) -> None:
        """``q``: quits at once, unless what the user sent would go unwatched (then it asks first).

        Decided after the focus changes already queued: "/q" typed fast reaches this binding before the
        filter box has the focus (``focus()`` is deferred), and then the q was meant as text."""
        self.call_later(self._quit_or_ask_unless_typing)

    def _quit_or_ask_unless_typing(self) -> None:
        from tui.app.screens.confirm_quit import ConfirmQuitScreen, work_in_flight

        focused = self.screen.focused
        if focused is not None and focused.check_consume_key("q", "q"):
            return
        chat = self.built_pane("chat")
        streaming = chat is not None and chat.is_mounted and chat.conversation.busy  # type: ignore[union-attr]
        in_flight = work_in_flight(self.context.store, streaming=streaming)
        if not in_flight:
            self.exit()
            return
        self.push_screen(ConfirmQuitScreen(in_flight), callback=lambda quit_now: self.exit() if quit_now else None)

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        """Textual's own commands, then every action of every pane (not only the focused one's):
        choosing one from another pane switches to that pane first."""
        yield from super().get_system_commands(screen)
        for name in PANES:
            yield SystemCommand(f"Show {name} pane", f"Switch to the {name} pane",
                                partial(self.action_show_pane, name))
        # Always here, even where "?" is a character typed into a prompt.
        yield SystemCommand("Help", "Every key in force, with what it does (?)", self.action_help)
        if screen is self.screen_stack[0]:
            yield SystemCommand("Switch profile", "Another profile's account (Together or Nebius), without restarting",
                                self.action_switch_profile)
        # Only the main screen has panes; a modal's commands are its own bindings below.
        panes: dict[str, Pane] = {}
        if screen is self.screen_stack[0]:
            panes = {name: self.built_pane(name) or self._stand_in(name) for name in PANES}
        seen: set[tuple[str, str]] = set()
        for name, pane in panes.items():
            # The binding table, not the widgets' bindings: every action of every pane, not only the focused one's.
            for key in keymap.scope(name):
                if not key.description or (name, key.action) in seen:
                    continue
                seen.add((name, key.action))
                # Hidden (False) means not possible here, e.g. read-only; dimmed (None) may change.
                try:
                    possible = pane.check_action(key.action, ())
                except NoMatches:
                    possible = None  # a pane built a moment ago, its widgets not composed yet
                if possible is False:
                    continue
                shown = self.get_key_display(Binding(first_key(key, self.config.keymap), key.action))
                yield SystemCommand(
                    f"{name.capitalize()}: {key.description}",
                    f"{key.tooltip or key.description} (key {shown} in the {name} pane)",
                    partial(self._run_pane_action, name, key.action),
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
        self._leave_focus_behind(pane)
        widget = await self.ensure_pane(pane)
        self._switch_to(pane)
        # Move the focus now: left in the old pane, it would switch the tabs back once a modal closes.
        widget.focus_default()
        await self.run_action(action, widget)
