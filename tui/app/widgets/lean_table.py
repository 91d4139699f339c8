"""A DataTable whose costs follow the rows on screen, not the rows it holds, for tables of thousands of rows.

Textual's DataTable pays per row of the whole table in places a large account feels: it measures every
new row's cells on idle (2.6 s for 5,000 rows on a loaded machine), lists every line of the table to find
which row a screen line shows after each change, re-indexes every row on each ``remove_row`` and takes
~100 µs per ``add_row``. Here every row is one line high and every column has a fixed width, so a line's
row is its index, the table's size is known without measuring, and rows can be added, removed and
reordered in one pass over the table's own maps.

Drawing follows the rows that changed: DataTable keys every cache of drawn lines and cells on one update
count that any change anywhere bumps, so one cell rewritten redraws every cell on screen (a frame of
~100 ms at 30 rows on this machine). Here each row has its own version, a line is kept while its row,
its place, its version and whether the cursor is on it are the same, and a rewritten cell repaints its
row's region only, a few rows a frame when a screen of them changes at once (``ROWS_PER_FRAME``). A cell
of one line of ``Text`` is drawn without Rich's layers of padding, styling and line splitting (the same
segments, in a tenth of the time): ``lean_cells.py``.

These override or write private parts of Textual's DataTable (``_row_locations``, ``_data``, ``rows``,
``_update_count``), as its own ``sort`` does; Textual is pinned exactly for the tests, and the snapshot
tests draw through every one of them.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from itertools import count
from typing import Any

from rich.style import Style
from textual._two_way_dict import TwoWayDict
from textual.cache import LRUCache
from textual.coordinate import Coordinate
from textual.geometry import Offset, Region, Size, Spacing
from textual.strip import Strip
from textual.widget import Widget
from textual.widgets._data_table import Row
from textual.widgets.data_table import CellDoesNotExist, CellKey, ColumnKey, RowKey

from tui.app.widgets.laid_out import LaidOutScrollbars
from tui.app.widgets.lean_cells import LINES_KEPT, CellType, LeanCells

#: Row versions for every table: a row removed and added again never meets a line drawn before.
_VERSIONS = count(1)
#: Rows on screen repainted in one frame when many change at once (a first load's details, prices coming
#: in): each costs the table ~0.4 ms and the compositor about as much on a slow machine, so a screen of them
#: held the loop ~17 ms. The rest follow, this many a frame: the screen is a frame or two behind, never held.
ROWS_PER_FRAME = 6


class LeanTable(LaidOutScrollbars, LeanCells[CellType]):
    """A DataTable of one-line rows in fixed-width columns, with bulk ``append_rows``, ``remove_rows``, ``reorder``."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # Before DataTable's own set-up: its watchers may clear the caches while it runs.
        self._row_versions: dict[RowKey, int] = {}
        self._lines: LRUCache[tuple[object, ...], Strip] = LRUCache(LINES_KEPT)
        self._look = 0
        #: Rows asked to repaint before the next frame, and rows waiting for a frame after it.
        self._repainted: set[RowKey] = set()
        self._repaint_later: dict[RowKey, None] = {}
        #: The base style, width and scroll of the lines being drawn (render_lines), None between passes.
        self._pass: tuple[Style, int, Offset] | None = None
        super().__init__(*args, **kwargs)

    # Reading

    def order(self) -> list[str]:
        """Every row's key, top to bottom (one pass over the index, no Row objects built)."""
        reverse = self._row_locations._reverse
        return [reverse[index].value or "" for index in range(len(reverse))]

    # Writing in bulk

    def append_rows(self, rows: Iterable[tuple[str, Sequence[CellType]]]) -> int:
        """Add rows below the others, in this order: what ``add_row`` does, without its per-row bookkeeping."""
        column_keys = [column.key for column in self.ordered_columns]
        was_empty = not self.rows
        index = len(self.rows)
        added = 0
        for key, cells in rows:
            row_key = RowKey(key)
            self._row_locations[row_key] = index
            self._data[row_key] = dict(zip(column_keys, cells, strict=False))
            self.rows[row_key] = Row(row_key, 1)
            self._row_versions[row_key] = next(_VERSIONS)
            self._new_rows.add(row_key)
            index += 1
            added += 1
        if not added:
            return 0
        self._require_update_dimensions = True
        self._update_count += 1
        self.cursor_coordinate = self.cursor_coordinate
        if was_empty and self.columns and self.show_cursor and self.cursor_type != "none":
            # add_row's RowHighlighted for the first row: the pane shows its details.
            self._highlight_cursor()
        self.check_idle()
        self.refresh()
        return added

    def remove_rows(self, keys: Collection[str]) -> None:
        """Remove these rows and close the gaps once (``remove_row`` re-indexes the table per row)."""
        gone = {RowKey(key) for key in keys}
        gone &= self.rows.keys()
        if not gone:
            return
        kept = [key for key in self._ordered_row_keys() if key not in gone]
        for row_key in gone:
            for column_key in self._data[row_key]:
                self._updated_cells.discard(CellKey(row_key, column_key))
            del self.rows[row_key]
            del self._data[row_key]
            self._row_versions.pop(row_key, None)
            for column_key in self.columns:
                self._laid_out.discard((row_key, column_key))
            self._new_rows.discard(row_key)
        self._row_locations = TwoWayDict({row_key: index for index, row_key in enumerate(kept)})
        self._require_update_dimensions = True
        self.cursor_coordinate = self.cursor_coordinate
        self.hover_coordinate = self.hover_coordinate
        self._update_count += 1
        self.check_idle()
        self.refresh(layout=True)

    def reorder(self, keys: Sequence[str]) -> bool:
        """Show the rows in this order (every row's key once); False when it is the order already."""
        if list(keys) == self.order():
            return False
        by_value = {row_key.value: row_key for row_key in self.rows}
        self._row_locations = TwoWayDict({by_value[key]: index for index, key in enumerate(keys)})
        self._update_count += 1
        self.refresh()
        return True

    def touch(self) -> None:
        """Draw every line again (a header label changed)."""
        self._update_count += 1
        self._look += 1
        self.refresh()

    # One row at a time

    def update_cell(self, row_key: RowKey | str, column_key: ColumnKey | str, value: CellType, *,
                    update_width: bool = False) -> None:
        """DataTable's, but the row's version moves instead of every line's, and only its line repaints."""
        if update_width:
            self._look += 1
            super().update_cell(row_key, column_key, value, update_width=True)
            return
        row_key = RowKey(row_key) if isinstance(row_key, str) else row_key
        column_key = ColumnKey(column_key) if isinstance(column_key, str) else column_key
        index = self._row_locations.get(row_key)
        if index is None or column_key not in self._column_locations:
            raise CellDoesNotExist(f"No cell exists for row_key={row_key!r}, column_key={column_key!r}.")
        self._data[row_key][column_key] = value
        # DataTable's own caches still key on the count: a line drawn anew must not meet its old cells.
        self._update_count += 1
        self._row_versions[row_key] = next(_VERSIONS)
        # A row off screen has nothing to repaint (news of thousands of details lands mostly there). The
        # outer size: ``size`` asks the screen for the widget's region, dear at thousands of cells a batch.
        top = int(self.scroll_y)
        if top <= index < top + self.outer_size.height:
            self._repaint(row_key, index)

    def _repaint(self, row_key: RowKey, index: int) -> None:
        """Repaint a row on screen, up to ``ROWS_PER_FRAME`` a frame; the rest once that frame is drawn."""
        if row_key in self._repainted:
            return
        if len(self._repainted) >= ROWS_PER_FRAME:
            self._repaint_later[row_key] = None
            return
        self._repainted.add(row_key)
        self.refresh_row(index)

    def _frame_drawn(self) -> None:
        """The compositor drew the table: the rows asked so far are on screen, the next few may be asked."""
        if not self._repainted:
            return
        self._repainted.clear()
        if self._repaint_later:
            # A message, handled after this frame: the next rows are drawn by the next frame, not this one.
            self.call_later(self._repaint_waiting)

    def _repaint_waiting(self) -> None:
        later, self._repaint_later = self._repaint_later, {}
        top, height = int(self.scroll_y), self.outer_size.height
        for row_key in later:
            index = self._row_locations.get(row_key)
            if index is not None and top <= index < top + height:  # scrolled away meanwhile: drawn when seen
                self._repaint(row_key, index)

    def add_row(self, *cells: CellType, height: int | None = 1, key: str | None = None,
                label: Any = None) -> RowKey:
        row_key = super().add_row(*cells, height=height, key=key, label=label)
        self._row_versions[row_key] = next(_VERSIONS)
        return row_key

    def add_column(self, *args: Any, **kwargs: Any) -> ColumnKey:
        self._look += 1
        return super().add_column(*args, **kwargs)

    def clear(self, columns: bool = False) -> LeanTable[CellType]:
        self._row_versions.clear()
        super().clear(columns)
        return self

    def _clear_caches(self) -> None:
        # Cursor shown or not, zebra, header, padding: every line looks different.
        super()._clear_caches()
        self._lines.clear()
        self._look += 1

    def notify_style_update(self) -> None:
        self._lines.clear()
        self._look += 1
        super().notify_style_update()

    def render_lines(self, crop: Region) -> list[Strip]:
        # One base style, width and scroll per pass: DataTable's render_line asks ``rich_style`` (a walk over
        # every ancestor's styles), ``size`` (the screen's map) and the scroll for each line, cached or not.
        self._pass = (self.rich_style, self.size.width, self.scroll_offset)
        try:
            return super().render_lines(crop)
        finally:
            self._pass = None
            self._frame_drawn()

    def render_line(self, y: int) -> Strip:
        """DataTable's: the line ``y`` of the widget, header and fixed rows unscrolled (rows are one line)."""
        base_style, width, (scroll_x, scroll_y) = self._pass or (self.rich_style, self.size.width, self.scroll_offset)
        fixed_height = min(self.fixed_rows, len(self.rows)) + (self.header_height if self.show_header else 0)
        if y >= fixed_height:
            y += scroll_y
        return self._render_line(y, scroll_x, scroll_x + width, base_style)

    def _render_line(self, y: int, x1: int, x2: int, base_style: Style) -> Strip:
        """DataTable's line, kept until its own row changes (not until any row does)."""
        width = self._pass[1] if self._pass is not None else self.size.width
        try:
            row_key, _ = self._get_offsets(y)
        except LookupError:
            return Strip.blank(width, base_style)
        index = -1 if row_key is self._header_row_key else self._row_locations.get(row_key)
        cursor, hover = self.cursor_coordinate, self.hover_coordinate
        # A row cursor changes a line only where it is (a cell or column cursor: anywhere, so all of it).
        highlight = ((cursor.row == index, hover.row == index) if self.cursor_type == "row"
                     else (cursor, hover))
        key = (row_key, self._row_versions.get(row_key, 0), y, x1, x2, width, highlight, base_style,
               self.cursor_type, self.show_cursor, self._show_hover_cursor, self._look, self._pseudo_class_state)
        strip = self._lines.get(key)
        if strip is None:
            strip = super()._render_line(y, x1, x2, base_style)
            self._lines.set(key, strip)
        return strip

    def _ordered_row_keys(self) -> list[RowKey]:
        reverse = self._row_locations._reverse
        return [reverse[index] for index in range(len(reverse))]

    # DataTable's per-row walks, for one-line rows

    @property
    def _total_row_height(self) -> int:
        return len(self.rows)

    def _get_offsets(self, y: int) -> tuple[RowKey, int]:
        if self.show_header:
            if y < self.header_height:
                return self._header_row_key, y
            y -= self.header_height
        row_key = self._row_locations.get_key(y) if y >= 0 else None
        if row_key is None:
            raise LookupError(f"Y coord {y!r} is greater than total height")
        return row_key, 0

    def _get_row_region(self, row_index: int) -> Region:
        if not self.is_valid_row_index(row_index):
            return Region(0, 0, 0, 0)
        row_width = sum(column.get_render_width(self) for column in self.columns.values())
        y = row_index + (self.header_height if self.show_header else 0)
        return Region(0, y, max(self.size.width, row_width + self._row_label_column_width), 1)

    def _get_cell_region(self, coordinate: Coordinate) -> Region:
        if not self.is_valid_coordinate(coordinate):
            return Region(0, 0, 0, 0)
        row_index, column_index = coordinate
        columns = self.ordered_columns
        x = sum(column.get_render_width(self) for column in columns[:column_index]) + self._row_label_column_width
        y = row_index + (self.header_height if self.show_header else 0)
        return Region(x, y, columns[column_index].get_render_width(self), 1)

    def _get_fixed_offset(self) -> Spacing:
        # DataTable lists every row (``ordered_rows``, rebuilt after each change) to add up the fixed ones.
        top = (self.header_height if self.show_header else 0) + min(self.fixed_rows, len(self.rows))
        left = sum(column.get_render_width(self) for column in self.ordered_columns[: self.fixed_columns])
        return Spacing(top, 0, 0, left + self._row_label_column_width)

    def _update_dimensions(self, new_rows: Iterable[RowKey]) -> None:
        if any(column.auto_width for column in self.columns.values()):
            super()._update_dimensions(new_rows)
            return
        width = sum(column.get_render_width(self) for column in self.columns.values())
        header = self.header_height if self.show_header else 0
        size = Size(width + self._row_label_column_width, len(self.rows) + header)
        if size == self.virtual_size:
            return
        height_rule, width_rule = self.styles.height, self.styles.width
        if (height_rule is None or height_rule.is_auto) or (width_rule is not None and width_rule.is_auto):
            self.virtual_size = size  # the table's own size follows its rows: the screen is laid out again
            return
        # Rows came or went in a table of a set size: the scroll range follows without a layout of the screen
        # (``virtual_size`` is a layout reactive; a first fill of 1,000 rows in batches laid the screen out
        # after each, ~9 ms a time). Showing or hiding a scrollbar still lays it out (``_scroll_update``).
        self.set_reactive(Widget.virtual_size, size)
        self._scroll_update(size)
        self.refresh()

