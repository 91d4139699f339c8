"""Screens laid out once when sizes change, not twice: Textual's ``virtual_size`` asks for a second layout of
the screen after the one that sized its widgets (``size_without_second_layout``), and a scrollbar made during
a layout asks for one more (``LaidOutScrollbars``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Self

from textual._time import get_time
from textual.events import Mount
from textual.geometry import Region
from textual.scrollbar import ScrollBar
from textual.widget import Widget

from tui.app.widgets.strip_scrollbar import StripScrollBar


class LaidOutScrollBar(StripScrollBar):
    """A scrollbar that says when it asked for a layout: its request reaches the screen in a message sent
    later, once the scrollbar is idle, and the screen's layout may have placed it meanwhile
    (``MainScreen._on_layout`` reads this). Drawn without Rich (``StripScrollBar``)."""

    #: When it last asked for a layout (Textual's message clock); None before it ever asked.
    layout_asked_at: float | None = None

    def refresh(self, *regions: Region, repaint: bool = True, layout: bool = False,
                recompose: bool = False) -> Self:
        if layout:
            self.layout_asked_at = get_time()
        return super().refresh(*regions, repaint=repaint, layout=layout, recompose=recompose)


# A mixin, not a Widget: a Widget base would bring its DEFAULT_CSS (overflow hidden) ahead of the widget's.
if TYPE_CHECKING:
    _Base = Widget
else:
    _Base = object


class LaidOutScrollbars(_Base):
    """A widget whose vertical scrollbar is a ``LaidOutScrollBar`` (a mixin, before the widget's class).

    UNVERIFIED past Textual 8.2.8: this is ``Widget.vertical_scrollbar`` with another class, on its private
    ``_vertical_scrollbar`` and ``App._start_widget`` (the tests pin Textual and check the scrollbar)."""

    def _on_mount(self, event: Mount) -> None:
        # A scrollbar that is always shown (``overflow-y: scroll``) is there before the first layout: made in
        # it, it was shown, then styled, each asking for a second layout of the screen after the first frame.
        if self.styles.overflow_y == "scroll":
            self.set_reactive(Widget.show_vertical_scrollbar, True)
            self.vertical_scrollbar.display = True

    @property
    def vertical_scrollbar(self) -> ScrollBar:
        if self._vertical_scrollbar is None:
            self._vertical_scrollbar = bar = LaidOutScrollBar(
                vertical=True, name="vertical", thickness=self.scrollbar_size_vertical
            )
            bar.display = False
            self.app._start_widget(self, bar)
        return self._vertical_scrollbar


def size_without_second_layout() -> None:
    """The compositor sets every widget's virtual size as it lays the screen out; Textual's reactive then asks
    for another layout of the screen, for each widget whose size changed. That second layout places every
    widget where the first put it (nothing reads a virtual size but the scroll range, which ``_scroll_update``
    follows at once, and a scrollbar coming or going asks for its own layout), yet it laid out and repainted
    the whole screen right after the first frame (~20 ms at 120x36, as the first details came in) and after
    each new screen. Textual's own scroll reflow passes ``layout=False``; this makes it the default.

    UNVERIFIED past Textual 8.2.8: ``Widget._size_updated``'s last argument; a ScrollView has its own.
    """
    if Widget._size_updated.__defaults__ == (True,):
        Widget._size_updated.__defaults__ = (False,)
