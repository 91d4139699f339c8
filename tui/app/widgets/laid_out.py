"""Widgets whose height follows a streaming answer, without the second layout Textual asks for."""

from __future__ import annotations

from textual.geometry import Size
from textual.reactive import Reactive


def laid_out_size() -> Reactive[Size]:
    """A ``virtual_size`` that asks for no layout and no repaint when it changes.

    The compositor sets a widget's virtual size while it lays the screen out, and Textual's own
    reactive then asks for another layout and repaint: for every widget that an append makes taller
    (the part, its document, the answer, the conversation), a second full layout after each append.
    What that size changes is laid out already (a scrollbar coming or going asks for its own layout).
    """
    return Reactive(Size(0, 0), layout=False, repaint=False)
