"""The app's own screen, the one every pane lives on."""

from __future__ import annotations

from typing import ClassVar

from textual import messages
from textual._time import get_time
from textual.geometry import Size
from textual.screen import Screen
from textual.widgets._toast import ToastRack

from tui.app.widgets.key_bar import follow_now


class MainScreen(Screen[None]):
    """The app's own screen. The table has the focus from the first frame (not the first focusable
    widget Textual would pick): the footer shows the Endpoints keys at once, dimmed until a row is selected, rather
    than mounting them as the first rows come in (a screen layout while the first details stream in)."""

    AUTO_FOCUS: ClassVar[str | None] = "#endpoints-table"
    #: When the last full layout of the screen began (Textual's message clock).
    _laid_out_at: float = float("-inf")

    async def on_mount(self) -> None:
        # Resuming comes after the first frames: focused now, the table's keys are in the first frame.
        self._update_auto_focus()  # Textual's own rule, which its resume applies again (a no-op by then)
        follow_now(self)
        # Hidden before the first frame: Textual's resume hides it after (no notification to show yet), and
        # that hiding laid out and repainted the whole screen (the rack covers it) as the first details came.
        for rack in self.query_children(ToastRack):
            rack.display = False

    def on_screen_resume(self) -> None:
        # Handled before Screen's own resume, which focuses: after it, and from then on, the app's own rule.
        # Later (a modal closed while no widget had the focus, another pane showing) it would focus the
        # table in its hidden pane.
        self.call_next(self._focused_once)

    def _focused_once(self) -> None:
        self.AUTO_FOCUS = None  # type: ignore[misc]  # a ClassVar of Textual's, set on this screen alone

    def _screen_resized(self, size: Size) -> None:
        """A Resize to the size the screen is laid out at lays nothing out.

        Textual lays the whole screen out for every Resize it gets, and two come at the start with the size
        it has just been laid out at: the terminal's first size (sent before the first layout, read after
        it), and the one the screen's first layout sends the screen itself (as after each real resize). At
        120x36 each was 10-20 ms of layout and a full frame, in the second the first details stream in. A
        widget whose size must change asks for its own layout; a real resize has a new size.
        UNVERIFIED past Textual 8.2.8: the compositor's ``size`` is the size it last laid the screen out at.
        """
        if self.is_attached and self._compositor.size == size and self._compositor.root is self:
            return
        super()._screen_resized(size)

    def _refresh_layout(self, size: Size | None = None, scroll: bool = False) -> None:
        """A full layout also answers the requests made before it began: the screen's own flag, which only the
        update timer's layout cleared (the first frame's, run by the screen's resume, left it set, and the
        timer laid the screen out again), and the widgets' messages still on their way (``_on_layout``)."""
        started, full = get_time(), not scroll or bool(self._layout_widgets)
        asked, requests = self._layout_required, self._layout_updates
        super()._refresh_layout(size, scroll)
        if full:
            self._laid_out_at = started
            if asked and self._layout_updates == requests:
                self._layout_required = False  # asked before, not again while laying out

    async def _on_layout(self, message: messages.Layout) -> None:
        """A widget's request for a layout reaches the screen as a message; one sent before the screen's last
        full layout began is what that layout placed already, and lays nothing out again (the requests of the
        first frame's mounting and styling, read after it, laid the screen out once more: ~20 ms at 120x36).
        UNVERIFIED past Textual 8.2.8: a handler here that prevents the default skips the Screen's own."""
        # A scrollbar says when it asked; any other widget's message is sent in the turn it asks.
        asked = getattr(message.widget, "layout_asked_at", None) or message.time
        if asked <= self._laid_out_at:
            message.stop()
            message.prevent_default()
