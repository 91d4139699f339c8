"""The details panel's two layouts, drawn as Rich's grids draw them without what makes those slow.

A Rich ``Table`` measures every cell to size its columns, then draws each cell through a padding wrapper;
nested in another grid, it is measured again. The panel redraws on every cursor move, so the field list
(a dim label that never wraps beside a value that folds) and the two columns side by side are drawn here
directly: the same cells, the same styles, a third of the time. ``FieldGrid.rich_table()`` is the Rich
table it stands for (also drawn instead when a label would not fit); the tests hold the two to the same
output, cell by cell and style by style.
"""

from __future__ import annotations

from rich._ratio import ratio_distribute
from rich.cells import cell_len
from rich.console import Console, ConsoleOptions, RenderableType, RenderResult
from rich.measure import Measurement
from rich.segment import Segment
from rich.style import Style
from rich.table import Table
from rich.text import Text

LABEL_STYLE = Style(dim=True)


def _widest_line(text: Text) -> int:
    # As Text measures itself (splitlines: not only "\n" ends a line).
    return max((cell_len(line) for line in text.plain.splitlines()), default=0)


class FieldGrid:
    """``Table.grid(padding=(0, 1))`` with a dim, no-wrap label column and a value column that folds."""

    def __init__(self) -> None:
        self.rows: list[tuple[Text, Text]] = []

    def add_row(self, label: Text, value: Text) -> None:
        self.rows.append((label, value))

    def rich_table(self) -> Table:
        grid = Table.grid(padding=(0, 1))
        grid.add_column(style="dim", no_wrap=True)
        grid.add_column(overflow="fold")
        for label, value in self.rows:
            grid.add_row(label, value)
        return grid

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        return Measurement.get(console, options, self.rich_table())

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        width = options.max_width
        if not self.rows:
            return
        labels = [label for label, _ in self.rows]
        # The label column: its widest label and the one cell of padding to its right.
        label_width = max(_widest_line(label) for label in labels) + 1
        if label_width >= width or any(len(label.plain.splitlines()) > 1 for label in labels):
            yield self.rich_table()
            return
        # The value column: its widest line (the table is not expanded), or what is left, where it folds.
        value_width = max(max(_widest_line(value) for _, value in self.rows), 1)
        value_width = min(value_width, width - label_width)
        base = options.update(justify="left", height=None, highlight=False)
        label_options = base.update(width=label_width - 1, no_wrap=True, overflow="ellipsis")
        value_options = base.update(width=value_width, no_wrap=False, overflow="fold")
        pad, new_line = Segment(" ", LABEL_STYLE), Segment.line()
        blank_label = [Segment(" " * label_width, LABEL_STYLE)]
        blank_value = [Segment(" " * value_width)]
        for label, value in self.rows:
            label_lines = console.render_lines(label, label_options, style=LABEL_STYLE, pad=True)
            value_lines = console.render_lines(value, value_options, pad=True)
            for index in range(max(len(label_lines), len(value_lines))):
                if index < len(label_lines):
                    yield from label_lines[index]
                    yield pad
                else:
                    yield from blank_label
                yield from value_lines[index] if index < len(value_lines) else blank_value
                yield new_line


class SideBySide:
    """Two renderables in columns of 3:2 of the width, two cells apart: what ``Table.grid(expand=True,
    padding=(0, 2))`` with two ratio columns draws, without measuring both (ratio columns' widths do not
    depend on what they hold)."""

    GAP = 2

    def __init__(self, left: RenderableType, right: RenderableType) -> None:
        self.left, self.right = left, right

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        gap = self.GAP
        left_width, right_width = ratio_distribute(options.max_width, [3, 2], [1 + gap, 1])
        left_width -= gap
        # A grid's cells get its columns' defaults (left, ellipsis), which Text without its own take.
        cell = options.update(justify="left", no_wrap=False, overflow="ellipsis", height=None, highlight=False)
        left = console.render_lines(self.left, cell.update_width(left_width), pad=True)
        right = console.render_lines(self.right, cell.update_width(right_width), pad=True)
        height = max(len(left), len(right))
        left = Segment.set_shape(left, left_width, height)
        right = Segment.set_shape(right, right_width, height)
        between, new_line = Segment(" " * gap), Segment.line()
        for left_line, right_line in zip(left, right, strict=True):
            yield from left_line
            yield between
            yield from right_line
            yield new_line
