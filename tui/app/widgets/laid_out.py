"""Widgets laid out once when their size changes, not twice: Textual's ``virtual_size`` asks for a second
layout of the screen after the one that sized them."""

from __future__ import annotations

from typing import TYPE_CHECKING, Self

from textual._time import get_time
from textual.events import Mount
from textual.geometry import Region, Size
from textual.reactive import Reactive
from textual.scrollbar import ScrollBar
from textual.widget import Widget


def laid_out_size() -> Reactive[Size]:
    """A ``virtual_size`` that asks for no layout and no repaint when it changes.

    The compositor sets a widget's virtual size while it lays the screen out, and Textual's own
    reactive then asks for another layout and repaint: for every widget that an append makes taller
    (the part, its document, the answer, the conversation), a second full layout after each append.
    What that size changes is laid out already (a scrollbar coming or going asks for its own layout).
    """
    return Reactive(Size(0, 0), layout=False, repaint=False)


class LaidOutScrollBar(ScrollBar):
    """A scrollbar placed without a second layout of the screen: the compositor gives it a size when it
    places it, and Textual's ``virtual_size`` then asks for another layout, for a widget that draws by its
    own size and the window it is told (10-20 ms at 120x36, each time a panel's scrollbar first shows)."""

    virtual_size = laid_out_size()
    #: When it last asked for a layout (Textual's message clock): its request reaches the screen in a
    #: message sent later, once the scrollbar is idle (``MainScreen._on_layout`` reads this).
    layout_asked_at: float = float("-inf")

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
