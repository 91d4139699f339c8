"""The conversation's one-line widgets: each is laid out once per screen layout, never twice.

Textual's ``virtual_size`` asks for a layout whenever the compositor sets it, which for a widget that does
not scroll changes nothing (see ``laid_out_size``); the chat mounts a dozen of these per turn.
"""

from __future__ import annotations

from textual.containers import Horizontal
from textual.content import Content
from textual.widgets import Static

from tui.app.widgets.laid_out import laid_out_size


class Line(Static):
    """A Static of the conversation: its first size (or a new one) asks for no second layout of the screen.

    Textual's ``virtual_size`` asks for a layout whenever the compositor sets it, which for a widget that
    does not scroll changes nothing: each turn mounted a dozen of these, and every one asked for a
    layout of its own after the one that placed it (see ``laid_out_size``).
    """

    virtual_size = laid_out_size()

    def __init__(self, content: Content | str = "", *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(content, id=id, classes=classes)
        self._shown = content if isinstance(content, Content) else Content(content)

    def show(self, content: Content, *, layout: bool | None = None) -> None:
        """Show ``content``: nothing if it is what is shown; a layout only if ``layout`` or (when None) if
        its width changed (for the lines that are as wide as their text)."""
        if content.is_same(self._shown):
            return
        if layout is None:
            layout = content.cell_length != self._shown.cell_length
        self._shown = content
        self.update(content, layout=layout)


class Row(Horizontal):
    """A Horizontal of the conversation, laid out once per screen layout (as ``Line``)."""

    virtual_size = laid_out_size()


__all__ = ["Line", "Row"]
