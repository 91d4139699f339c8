"""Which pane shows, and building the Hardware and Chat panes on first use: a mixin of ``TogetherApp``.

Only the Endpoints pane is built at start (the first frame is its table); the others, and their modules,
come through ``pane(name)``: a key, a tab click, the palette, a message from another pane.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import events
from textual.widget import AwaitMount
from textual.widgets import ContentSwitcher

from tui.app.panes.endpoints import EndpointsPane
from tui.app.widgets.pane_tabs import PaneTabs

if TYPE_CHECKING:
    from textual.app import App

    from tui.app.context import AppContext
    from tui.app.panes.chat import ChatPane
    from tui.app.panes.hardware import HardwarePane

    Pane = EndpointsPane | HardwarePane | ChatPane
    _AppBase = App[None]
else:
    _AppBase = object

PANES = ("endpoints", "hardware", "chat")
TAB_LABELS = {"endpoints": "1 Endpoints", "hardware": "2 Hardware", "chat": "3 Chat"}


class PaneSwitching(_AppBase):
    if TYPE_CHECKING:
        context: AppContext
    #: The panes built so far (the Endpoints pane at compose, the others on first use) and their mounts.
    _panes: dict[str, Pane]
    _mounting: dict[str, AwaitMount]
    _stand_ins: dict[str, Pane]

    def pane(self, name: str) -> Pane:
        """The pane called ``name``, built and mounted into the pane switcher on first use. Its children are composed
        a moment later: ``await ensure_pane(name)`` before reaching into them."""
        pane = self._panes.get(name)
        if pane is None:
            pane = self._panes[name] = self._new_pane(name)
            pane.id = name
            switcher = self.query_one("#panes", ContentSwitcher)
            pane.display = switcher.current == name  # the switcher shows only its current child
            self._mounting[name] = switcher.mount(pane)
        return pane

    def _new_pane(self, name: str) -> Pane:
        if name == "hardware":
            from tui.app.panes.hardware import HardwarePane

            return HardwarePane(self.context)
        if name == "chat":
            from tui.app.panes.chat import ChatPane

            return ChatPane(self.context)
        raise KeyError(name)

    def _stand_in(self, name: str) -> Pane:
        """A pane not built yet, asked as it would be once built: a fresh one, never mounted, made once (the
        palette asks on every keystroke); it reads the context live, so its answers follow the account."""
        pane = self._stand_ins.get(name)
        if pane is None:
            pane = self._stand_ins[name] = self._new_pane(name)
        return pane

    async def ensure_pane(self, name: str) -> Pane:
        """The pane, built and composed (its widgets can be queried)."""
        pane = self.pane(name)
        mounting = self._mounting.get(name)
        if mounting is not None:
            await mounting
        return pane

    def built_pane(self, name: str) -> Pane | None:
        """The pane if it was built, without building it (what is not built holds nothing to ask about)."""
        return self._panes.get(name)

    @property
    def endpoints_pane(self) -> EndpointsPane:
        return self.query_one(EndpointsPane)

    @property
    def hardware_pane(self) -> HardwarePane:
        return self.pane("hardware")  # type: ignore[return-value]

    @property
    def chat_pane(self) -> ChatPane:
        return self.pane("chat")  # type: ignore[return-value]

    @property
    def panes(self) -> dict[str, Pane]:
        """Every pane, each built if it was not yet."""
        return {name: self.pane(name) for name in PANES}

    @property
    def active_pane(self) -> str:
        return self.query_one("#panes", ContentSwitcher).current or ""

    def action_show_pane(self, pane: str) -> None:
        if pane not in PANES:
            return
        self._leave_focus_behind(pane)
        self._switch_to(pane)
        self.call_after_refresh(self._focus_pane, pane)

    def _switch_to(self, pane: str) -> None:
        """Show ``pane`` (built on first use) and light its tab."""
        self.pane(pane)
        self.query_one("#panes", ContentSwitcher).current = pane
        self.query_one("#pane-tabs", PaneTabs).active = pane

    def _leave_focus_behind(self, pane: str) -> None:
        """Drop the focus held in another pane before switching: once its pane is hidden, the focused
        widget hears Hide (later, on a busy machine), Textual moves the focus to a sibling in the same
        hidden pane."""
        focused = self.screen.focused
        if focused is not None and self.pane(pane) not in focused.ancestors:
            self.screen.set_focus(None)

    def action_cycle_pane(self, step: int) -> None:
        index = PANES.index(self.active_pane) if self.active_pane in PANES else 0
        self.action_show_pane(PANES[(index + step) % len(PANES)])

    async def _focus_pane(self, pane: str) -> None:
        widget = await self.ensure_pane(pane)
        # A focus request queued by an earlier switch can land late: never into a hidden pane.
        if self.active_pane != pane:
            return
        widget.focus_default()

    def on_pane_tabs_chosen(self, event: PaneTabs.Chosen) -> None:
        # A handler by name, not @on: a mixin's decorated handlers are not collected (tui.app.panes.endpoint_sorting).
        if event.pane != self.active_pane:  # the pane on screen keeps its focus where it is
            self.action_show_pane(event.pane)

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        """Focus that lands in a hidden pane goes back to the pane on screen: keys must act on what is shown.
        (A modal's answer focusing its pane's table after the palette switched panes under it; Textual moving
        a hidden widget's focus to its sibling.)"""
        shown = self.active_pane
        for name, pane in self._panes.items():
            if name != shown and pane in event.widget.ancestors_with_self:
                self.call_after_refresh(self._focus_pane, shown)
                return

