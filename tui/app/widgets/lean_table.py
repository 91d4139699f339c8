"""A DataTable whose costs follow the rows on screen, not the rows it holds, for tables of thousands of rows.

Textual's DataTable pays per row of the whole table in places a large account feels: it measures every
new row's cells on idle (2.6 s for 5,000 rows on a loaded machine), lists every line of the table to find
which row a screen line shows after each change, re-indexes every row on each ``remove_row`` and takes
~100 µs per ``add_row``. Here every row is one line high and every column has a fixed width, so a line's
row is its index, the table's size is known without measuring, and rows can be added, removed and
reordered in one pass over the table's own maps.

These override or write private parts of Textual's DataTable (``_row_locations``, ``_data``, ``rows``,
``_update_count``), as its own ``sort`` does; Textual is pinned exactly for the tests, and the snapshot
tests draw through every one of them.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from typing import TypeVar

from textual._two_way_dict import TwoWayDict
from textual.geometry import Region, Size
from textual.widgets import DataTable
from textual.widgets._data_table import Row
from textual.widgets.data_table import CellKey, RowKey

CellType = TypeVar("CellType")


class LeanTable(DataTable[CellType]):
    """A DataTable of one-line rows in fixed-width columns, with bulk ``append_rows``, ``remove_rows``, ``reorder``."""

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
        """Draw every line again (a header label changed): the line caches are keyed on the update count."""
        self._update_count += 1
        self.refresh()

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

    def _update_dimensions(self, new_rows: Iterable[RowKey]) -> None:
        if any(column.auto_width for column in self.columns.values()):
            super()._update_dimensions(new_rows)
            return
        width = sum(column.get_render_width(self) for column in self.columns.values())
        header = self.header_height if self.show_header else 0
        self.virtual_size = Size(width + self._row_label_column_width, len(self.rows) + header)

