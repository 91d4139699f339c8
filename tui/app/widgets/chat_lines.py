"""The conversation's one-line widgets: an update lays the screen out only when the line's width changes."""

from __future__ import annotations

from textual.content import Content
from textual.widgets import Static


class Line(Static):
    """A Static of the conversation that repaints in place when its text keeps its width."""

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


__all__ = ["Line"]
