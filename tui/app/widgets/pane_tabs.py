"""The pane tabs: the labels, and the bar beneath them lit under the pane on screen, as one widget.

It draws what Textual's ``TabbedContent`` draws above its panes (the same padding, colours and bar), but
where that is eleven widgets (tabs, their containers, the underline, a pane for each tab), this is one:
the first frame styled, laid out and rendered eleven fewer (~25 ms of the start's CPU on this machine,
``docs/benchmarks.md``, session 14). Keys switch panes (the app's bindings), not a focus on the tabs: it
never takes the focus. A click on a label asks for its pane; the label under the pointer lights up.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

from rich.console import Group, RenderableType
from rich.style import Style
from rich.text import Text
from textual import events
from textual.message import Message
from textual.reactive import reactive
from textual.renderables.bar import Bar
from textual.widget import Widget

#: Cells each side of a label, as Textual's Tab pads it.
PADDING = 1


class PaneTabs(Widget):
    DEFAULT_CSS = """
    PaneTabs {
        height: 2;
        width: 1fr;
        pointer: pointer;
        & > .pane-tabs--tab { color: $foreground 50%; }
        & > .pane-tabs--active { color: $foreground; }
        & > .pane-tabs--hover { color: $foreground; }
        & > .pane-tabs--bar {
            color: $block-cursor-background;
            background: $foreground 10%;
        }
        &:ansi {
            & > .pane-tabs--tab { text-style: dim; }
            & > .pane-tabs--active { text-style: not dim bold; }
            & > .pane-tabs--bar { background: $border-blurred; }
        }
    }
    """
    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "pane-tabs--tab", "pane-tabs--active", "pane-tabs--hover", "pane-tabs--bar",
    }
    ALLOW_SELECT = False

    #: The pane on screen (its tab lit, the bar beneath it).
    active: reactive[str] = reactive("")
    #: The pane whose label is under the pointer, if any.
    hovered: reactive[str | None] = reactive(None)

    class Chosen(Message):
        """A label was clicked: its pane should show."""

        def __init__(self, pane: str) -> None:
            self.pane = pane
            super().__init__()

    def __init__(self, labels: Mapping[str, str], *, active: str, id: str | None = None) -> None:
        super().__init__(id=id)
        self.labels = dict(labels)
        self.set_reactive(PaneTabs.active, active)

    def spans(self) -> dict[str, tuple[int, int]]:
        """Each pane's label: the cells it takes, padding included (start, end)."""
        spans: dict[str, tuple[int, int]] = {}
        x = 0
        for pane, label in self.labels.items():
            width = len(label) + 2 * PADDING
            spans[pane] = (x, x + width)
            x += width
        return spans

    def scrolled(self) -> int:
        """Cells the labels are scrolled by: in a terminal narrower than them, the active one stays in view."""
        start, end = self.spans().get(self.active, (0, 0))
        width = self.size.width
        return max(0, min(start, end - width)) if width else 0

    def pane_at(self, x: int) -> str | None:
        x += self.scrolled()
        return next((pane for pane, (start, end) in self.spans().items() if start <= x < end), None)

    def render(self) -> RenderableType:
        labels = Text(no_wrap=True, overflow="crop")
        for pane, label in self.labels.items():
            role = "active" if pane == self.active else "hover" if pane == self.hovered else "tab"
            style: Style = self.get_component_rich_style("pane-tabs--tab")
            if role != "tab":
                style += self.get_component_rich_style(f"pane-tabs--{role}")
            labels.append(f"{' ' * PADDING}{label}{' ' * PADDING}", style)
        bar_style = self.get_component_rich_style("pane-tabs--bar")
        start, end = self.spans().get(self.active, (0, 0))
        scrolled = self.scrolled()
        if scrolled:
            labels = labels[scrolled:]
            start, end = start - scrolled, end - scrolled
        # The bar is lit under the label alone, not its padding (Textual's Tabs: the tab's region less its gutter).
        lit = (start + PADDING, end - PADDING) if end else (0, 0)
        bar = Bar(highlight_range=lit, highlight_style=Style.from_color(bar_style.color),
                  background_style=Style.from_color(bar_style.bgcolor))
        return Group(labels, bar)

    def on_click(self, event: events.Click) -> None:
        pane = self.pane_at(event.x)
        if pane is not None:
            event.stop()
            self.post_message(self.Chosen(pane))

    def on_mouse_move(self, event: events.MouseMove) -> None:
        self.hovered = self.pane_at(event.x) if event.y == 0 else None

    def on_leave(self, event: events.Leave) -> None:
        self.hovered = None
