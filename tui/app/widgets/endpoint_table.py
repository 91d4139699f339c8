"""The endpoints table: rows keyed by endpoint id, updated cell by cell, never cleared on a poll.

``sync()`` takes the rows as they should look now and touches only what differs: new rows are
added, vanished ones removed, changed cells rewritten; ``update_rows()`` does the same for a few rows
(details arrived) without looking at the others; ``sync_sliced()`` is ``sync()`` for thousands of rows,
yielding to the event loop between slices (a first load adds the top rows first, in order). The cursor
stays on the same endpoint and that endpoint stays at the same height on screen, whatever moved above it.

Rows do not jump while details stream in: a row whose first details change its sort key (the display
name replacing the listed name) keeps its place while ``hold`` is asked (the pane asks it while any row
still waits for its details); once nothing is held back, or when the user sorts, every row takes its
place.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import replace
from typing import Any

from rich.text import Text
from textual.coordinate import Coordinate
from textual.widgets.data_table import CellDoesNotExist, ColumnKey, RowDoesNotExist

from tui.api.pacing import Pacer
from tui.app.widgets.endpoint_cells import (
    MIDDLE_CUT,
    RowView,
    SyncReport,
    column_label,
    middle_fit,
    same_text,
)
from tui.app.widgets.lean_table import LeanTable
from tui.app.widgets.table_keys import TableKeys

#: A first fill adds this many rows (the screen and a page below it) before yielding to the loop.
FIRST_ROWS = 120
#: Rows handled between two looks at the clock in ``sync_sliced``.
CHECK_EVERY = 64
#: Rows whose cells are made between two looks at the clock while rows are added.
CELLS_STEP = 16


class EndpointTable(TableKeys[Text], LeanTable[Text]):
    """A DataTable that the Endpoints pane drives with ``set_columns``, ``sync`` and ``set_sort``."""

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes, cursor_type="row", zebra_stripes=False)
        self._widths: dict[str, int] = {}
        self._views: dict[str, RowView] = {}
        #: Rows kept in place while details stream in: the sort keys they had before their details came.
        self._held: dict[str, Mapping[str, tuple[Any, ...]]] = {}
        #: The cursor was put on a row (a key, a click, ``select``). Until then it stays on the top row as
        #: the first batches come and re-sort: following its row, it ended on whichever came first.
        self._placed = False
        self.sort_column = "name"
        self.sort_reverse = False

    # Reading

    @property
    def selected_key(self) -> str | None:
        if not self.row_count or not self._widths:
            return None
        try:
            row_key, _ = self.coordinate_to_cell_key(Coordinate(self.cursor_row, 0))
        except CellDoesNotExist:
            return None
        return row_key.value

    @property
    def keys(self) -> list[str]:
        """Row keys in display order."""
        return self.order()

    @property
    def column_keys(self) -> list[str]:
        return list(self._widths)

    def visible_keys(self) -> list[str]:
        """Keys of the rows on screen now (for cheap per-frame work such as spinners)."""
        if not self._widths:
            return []
        first = max(0, int(self.scroll_y))
        # The header row is part of the widget's height, not a row of data.
        # Before the first layout (rows synced at mount) no height is known: the screen's bounds it, the
        # rows at the top come first either way.
        height = self.size.height if self.size.width else self.app.size.height
        rows_high = height - (self.header_height if self.show_header else 0)
        last = min(self.row_count, first + max(0, rows_high))
        keys = []
        for index in range(first, last):
            row_key = self._row_locations.get_key(index)
            if row_key is not None and row_key.value is not None:
                keys.append(row_key.value)
        return keys

    def selected_visible(self) -> bool:
        """The cursor's row is on screen (at 30x10 the table may show none, and keys must not act blind)."""
        if self.selected_key is None:
            return False
        rows_shown = self.size.height - (self.header_height if self.show_header else 0)
        if rows_shown <= 0:
            return False
        first = int(self.scroll_y)
        return first <= self.cursor_row < first + rows_shown

    def view(self, key: str) -> RowView | None:
        return self._views.get(key)

    # Writing

    def set_columns(self, widths: Mapping[str, int]) -> bool:
        """Lay the columns out again (the terminal was resized); False when nothing changed."""
        if dict(widths) == self._widths:
            return False
        anchor = self.selected_key
        self._widths = dict(widths)
        self.clear(columns=True)
        for key, width in self._widths.items():
            self.add_column(self._label(key), width=width, key=key)
        views = self._views
        self.append_rows((key, self._cells(views[key])) for key in self._ordered(views.values()))
        if anchor is not None and self._placed:
            self.select(anchor)
        return True

    def set_sort(self, column: str, *, reverse: bool = False) -> None:
        """The user sorts: every row takes its place by this column, held rows too."""
        self.sort_column = column
        self.sort_reverse = reverse
        self._held.clear()
        anchor = self.selected_key
        for key in self._widths:
            self.columns[ColumnKey(key)].label = self._label(key)
        self.touch()  # the header's labels are cached like any line
        self._resort()
        if anchor is not None and self._placed:
            self.select(anchor)

    def sync(self, rows: Sequence[RowView], *, hold: bool = False) -> SyncReport:
        """Every row as it should look now, in one go (a small table)."""
        report = SyncReport()
        for _ in self._sync_steps(rows, report, hold=hold):
            pass
        return report

    async def sync_sliced(self, rows: Sequence[RowView], *, hold: bool = False, budget: float = 0.002) -> SyncReport:
        """``sync`` for thousands of rows: the loop runs at least every ``budget`` seconds of this work. The
        table is whole between slices (a row is in it with its view, or not yet), so keys and redraws between
        slices see a consistent table."""
        report = SyncReport()
        pacer = Pacer(budget)
        for _ in self._sync_steps(rows, report, hold=hold):
            await pacer.pause()
        return report

    def update_rows(self, rows: Iterable[RowView], *, hold: bool = False) -> SyncReport:
        """These rows as they look now; every other row is left as it is (details of a few endpoints came)."""
        report = SyncReport()
        if not self._widths:
            for row in rows:
                if row.key in self._views:
                    self._views[row.key] = row
            return report
        need_sort = False
        for row in rows:
            old = self._views.get(row.key)
            if old is not None and old is not row:
                need_sort |= self._update(old, row, hold, report)
        if self._held and not hold:
            self._held.clear()
            need_sort = True
        if need_sort:
            self._resort_in_place(report)
        return report

    def update_column_cells(self, column: str, cells: Mapping[str, Text]) -> None:
        """Rewrite one column for a few rows (spinner frames) and remember it for the next sync."""
        if column not in self._widths:
            return
        for key, cell in cells.items():
            view = self._views.get(key)
            if view is None or same_text(view.cells[column], cell):
                continue
            self.update_cell(key, column, self._fit(column, cell))
            self._views[key] = replace(view, cells={**view.cells, column: cell})

    def select(self, key: str) -> bool:
        try:
            index = self.get_row_index(key)
        except RowDoesNotExist:
            return False
        self._placed = True
        self.move_cursor(row=index)
        return True

    def watch_cursor_coordinate(self, old: Coordinate, new: Coordinate) -> None:
        # Unplaced, the cursor is on row 0, which no sync moves it from: a change is a key or a click.
        super().watch_cursor_coordinate(old, new)
        if old.row != new.row:
            self._placed = True

    # Internals

    def _sync_steps(self, rows: Sequence[RowView], report: SyncReport, *, hold: bool) -> Iterator[None]:
        """``sync`` as steps: between two steps the table and ``_views`` agree, so a slice may end there."""
        wanted = {row.key: row for row in rows}
        if not self._widths:
            # Not laid out yet (no size): keep the rows for when it is.
            self._views = dict(wanted)
            return
        gone = [key for key in self._views if key not in wanted]
        if gone:
            where = self._where()
            self.remove_rows(gone)
            for key in gone:
                del self._views[key]
                self._held.pop(key, None)
            report.removed = len(gone)
            self._restore(*where)
            yield
        need_sort = False
        added: list[RowView] = []
        for index, row in enumerate(rows):
            if index % CHECK_EVERY == 0:
                yield
            old = self._views.get(row.key)
            if old is row:
                continue  # the pane reuses a row's view while nothing in it changed
            if old is None:
                added.append(row)
            else:
                need_sort |= self._update(old, row, hold, report)
        if self._held and not hold:
            self._held.clear()
            need_sort = True
        if added:
            report.added = len(added)
            first_fill = not self._views
            # A first fill goes in already sorted, the top of the table first: it is on screen after one slice.
            # So does the rest of one whose top went in ahead (``below``): the table needs no sort after it.
            below = None if first_fill else self._below(added)
            keys = self._ordered(added) if first_fill else below or [row.key for row in added]
            new = {row.key: row for row in added}
            start, size = 0, FIRST_ROWS if first_fill else CHECK_EVERY * 4
            while start < len(keys):
                chunk = keys[start:start + size]
                # The cells are made in steps (a tree's names with spans: a quarter of a millisecond a row),
                # the rows go in at once: the table gains whole batches, the top of it first.
                widths = self._widths
                prepared: list[tuple[str, list[Text]]] = []
                for count, key in enumerate(chunk, 1):
                    prepared.append((key, self._cells(new[key])))
                    if count % CELLS_STEP == 0:
                        yield
                if self._widths is not widths:  # laid out again meanwhile: fitted to the old widths
                    prepared = [(key, self._cells(new[key])) for key in chunk]
                self.append_rows(prepared)
                self._views.update((key, new[key]) for key in chunk)
                start, size = start + size, CHECK_EVERY * 4
                yield
            need_sort = need_sort or not (first_fill or below)
        if need_sort:
            self._resort_in_place(report)

    def _update(self, old: RowView, row: RowView, hold: bool, report: SyncReport) -> bool:
        """Rewrite the cells that differ; True when the row's place may have changed."""
        for key in self._widths:
            cell = row.cells[key]
            if not same_text(old.cells[key], cell):
                self.update_cell(row.key, key, self._fit(key, cell))
                report.updated += 1
        self._views[row.key] = row
        column = self.sort_column
        if old.sort_keys.get(column) == row.sort_keys.get(column):
            return False
        if hold and old.loading and not row.loading:
            # Its first details changed its key: it stays where it was until nothing is held back.
            self._held.setdefault(row.key, old.sort_keys)
            return False
        self._held.pop(row.key, None)
        return True

    def _below(self, added: list[RowView]) -> list[str] | None:
        """The added rows in order, when every one sorts below every row in the table (endpoint rows only);
        otherwise None."""
        order = self.order()
        if not order or any(view.parent is not None for view in added) or any(
                view.parent is not None for view in self._views.values()):
            return None
        keys = self._ordered(added)
        column, held = self.sort_column, self._held
        last = self._views[order[-1]]
        first = next(view for view in added if view.key == keys[0])
        last_key, first_key = (held.get(last.key) or last.sort_keys)[column], first.sort_keys[column]
        return keys if (first_key < last_key if self.sort_reverse else first_key > last_key) else None

    def _ordered(self, views: Iterable[RowView]) -> list[str]:
        """Keys in display order: endpoints by the column (held rows by their old keys), each deployment
        under its endpoint in the API's order, reversed or not; deployments without their endpoint last."""
        column = self.sort_column
        held = self._held
        tops: list[RowView] = []
        children: dict[str, list[RowView]] = {}
        for view in views:
            if view.parent is None:
                tops.append(view)
            else:
                children.setdefault(view.parent, []).append(view)
        tops.sort(key=lambda v: (held.get(v.key) or v.sort_keys)[column], reverse=self.sort_reverse)
        keys: list[str] = []
        for top in tops:
            keys.append(top.key)
            under = children.pop(top.key, None)
            if under:
                keys.extend(view.key for view in sorted(under, key=lambda v: v.order))
        orphans = [view for group in children.values() for view in group]
        keys.extend(view.key for view in sorted(orphans, key=lambda v: v.order))
        return keys

    def _resort(self) -> bool:
        if not self._views or not self._widths:
            return False
        return self.reorder(self._ordered(self._views.values()))

    def _resort_in_place(self, report: SyncReport) -> None:
        where = self._where()
        if self._resort():
            report.resorted = True
            self._restore(*where)

    def _cells(self, view: RowView) -> list[Text]:
        return [self._fit(key, view.cells[key]) for key in self._widths]

    def _label(self, key: str) -> Text:
        return column_label(key, sorted_by=self.sort_column, reverse=self.sort_reverse)

    def _fit(self, key: str, cell: Text) -> Text:
        return middle_fit(cell, self._widths[key]) if key in MIDDLE_CUT else cell

    def _where(self) -> tuple[str | None, int, int]:
        return self.selected_key, self.cursor_row, int(self.scroll_y)

    def _restore(self, anchor: str | None, old_index: int, old_scroll: int) -> None:
        """Put the cursor back on ``anchor``, at the same height on screen as before."""
        if anchor is None or not self.row_count or not self._placed:
            return
        try:
            new_index = self.get_row_index(anchor)
        except RowDoesNotExist:
            return
        if new_index == self.cursor_row and new_index == old_index:
            return
        self.move_cursor(row=new_index, scroll=False)
        target = max(0, old_scroll + (new_index - old_index))
        if target == old_scroll:
            return
        if not self._require_update_dimensions:
            # The table's height is what it was (the same rows, reordered): the scroll follows at once, not
            # after the next refresh (the screen was drawn twice, the first time at the old scroll).
            self.scroll_to(y=target, animate=False, immediate=True)
        else:
            # Rows came or went, this turn or one before: the height is measured on idle; scroll once it is.
            self.call_after_refresh(self.scroll_to, y=target, animate=False)
