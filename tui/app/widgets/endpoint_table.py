"""The endpoints table: rows keyed by endpoint id, updated cell by cell, never cleared on a poll.

``sync()`` takes the rows as they should look now and touches only what differs: new rows are
added, vanished ones removed, changed cells rewritten. The cursor stays on the same endpoint and
that endpoint stays at the same height on screen, whatever moved above it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from rich.text import Text
from textual.coordinate import Coordinate
from textual.widgets import DataTable
from textual.widgets.data_table import CellDoesNotExist, ColumnKey, RowDoesNotExist

from tui.api.domain import Endpoint
from tui.app.widgets.state_badge import state_text
from tui.app.widgets.table_keys import TableKeys
from tui.core.format import format_age, format_price
from tui.core.listing import COLUMNS_BY_KEY
from tui.core.waits import Expected

#: Removing a row re-indexes every row after it; past this many removals at once (a new filter),
#: rebuilding the table is cheaper than removing rows one by one.
REBUILD_AFTER_REMOVALS = 64


class KeyedText(Text):
    """The name cell, which also knows its row: DataTable.sort() hands the key function cells only."""

    __slots__ = ("row_key",)

    def __init__(self, text: str, row_key: str, **kwargs: Any) -> None:
        super().__init__(text, **kwargs)
        self.row_key = row_key


@dataclass(frozen=True)
class RowView:
    key: str
    cells: Mapping[str, Text]
    sort_keys: Mapping[str, tuple[Any, ...]]
    #: A deployment row's endpoint: it sorts under it, in ``order``, whatever the column.
    parent: str | None = None
    order: int = 0


@dataclass
class SyncReport:
    added: int = 0
    removed: int = 0
    updated: int = 0
    resorted: bool = False
    rebuilt: bool = False


def same_text(a: Text, b: Text) -> bool:
    # Text.__eq__ ignores the base style, and a state change may change only the colour.
    return a.plain == b.plain and a.style == b.style and a.spans == b.spans


def _cell(text: str, style: str = "", *, justify: Any = "left") -> Text:
    return Text(text, style=style, no_wrap=True, overflow="ellipsis", justify=justify, end="")


def endpoint_row(
    endpoint: Endpoint,
    *,
    hardware_text: str,
    cost: float | None,
    now: datetime,
    sort_keys: Mapping[str, tuple[Any, ...]],
    frame: int = 0,
    expected: Expected | None = None,
) -> RowView:
    dedicated = endpoint.dedicated
    loading = dedicated and not endpoint.detailed
    name = KeyedText(endpoint.title, endpoint.id, no_wrap=True, overflow="ellipsis", end="")
    if not dedicated:
        hardware = _cell("serverless", "dim")
    elif hardware_text:
        hardware = _cell(hardware_text)
    else:
        hardware = _cell("…" if loading else "?", "dim")
    if endpoint.min_replicas is not None and endpoint.max_replicas is not None:
        replicas = _cell(f"{endpoint.min_replicas}-{endpoint.max_replicas}", justify="right")
    else:
        replicas = _cell("…" if loading else "—", "dim", justify="right")
    if expected is not None:
        state = state_text(expected.state, expected.phase, frame=frame, expected=True)
    else:
        state = state_text(endpoint.state, endpoint.phase, frame=frame)
    if cost is None:
        price = _cell("…" if loading else ("—" if not dedicated else "?"), "dim", justify="right")
    elif cost == 0:
        price = _cell(format_price(0.0, cents=True), "dim", justify="right")
    else:
        price = _cell(format_price(cost, cents=True), "bold", justify="right")
    age = _cell(format_age(now - endpoint.created_at) if endpoint.created_at else "?", justify="right")
    return RowView(
        endpoint.id,
        {
            "name": name,
            "model": _cell(endpoint.model),
            "hardware": hardware,
            "replicas": replicas,
            "state": state,
            "cost": price,
            "age": age,
        },
        sort_keys,
    )


#: Columns whose long values are cut in the middle: two names that share a prefix stay apart.
MIDDLE_CUT = frozenset({"name", "model"})


def middle_fit(cell: Text, width: int) -> Text:
    """``demo-user/…gpt-oss-20b-c4dca652``: the head kept short, the distinguishing tail kept long."""
    if width < 4 or cell.cell_len <= width:
        return cell
    keep = width - 1
    head = keep // 3
    tail = keep - head
    plain = cell.plain
    fitted = KeyedText("", cell.row_key, no_wrap=True, end="") if isinstance(cell, KeyedText) else Text(
        no_wrap=True, end="")
    fitted.style = cell.style
    fitted.append_text(cell[:head])
    fitted.append("…", style="dim")
    fitted.append_text(cell[len(plain) - tail:])
    return fitted


def column_label(key: str, *, sorted_by: str, reverse: bool) -> Text:
    spec = COLUMNS_BY_KEY[key]
    label = spec.label
    if key == sorted_by:
        label += " ▼" if reverse else " ▲"
    justify = "right" if key in ("replicas", "cost", "age", "ready", "traffic") else "left"
    return Text(label, no_wrap=True, overflow="ellipsis", justify=justify)  # type: ignore[arg-type]


class EndpointTable(TableKeys, DataTable[Text]):
    """A DataTable that the Endpoints pane drives with ``set_columns``, ``sync`` and ``set_sort``."""

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes, cursor_type="row", zebra_stripes=False)
        self._widths: dict[str, int] = {}
        self._views: dict[str, RowView] = {}
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
        return [row.key.value for row in self.ordered_rows if row.key.value is not None]

    @property
    def column_keys(self) -> list[str]:
        return list(self._widths)

    def visible_keys(self) -> list[str]:
        """Keys of the rows on screen now (for cheap per-frame work such as spinners)."""
        if not self._widths:
            return []
        first = max(0, int(self.scroll_y))
        # The header row is part of the widget's height, not a row of data.
        rows_high = self.size.height - (self.header_height if self.show_header else 0)
        last = min(self.row_count, first + max(0, rows_high))
        keys = []
        for index in range(first, last):
            row_key, _ = self.coordinate_to_cell_key(Coordinate(index, 0))
            if row_key.value is not None:
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
        for view in self._views.values():
            self._add(view)
        self._sort()
        if anchor is not None:
            self.select(anchor)
        return True

    def set_sort(self, column: str, *, reverse: bool = False) -> None:
        self.sort_column = column
        self.sort_reverse = reverse
        anchor = self.selected_key
        for key in self._widths:
            self.columns[ColumnKey(key)].label = self._label(key)
        # sort() also bumps the table's render caches, so the new header labels show.
        self._sort()
        if anchor is not None:
            self.select(anchor)

    def sync(self, rows: Sequence[RowView]) -> SyncReport:
        report = SyncReport()
        wanted = {row.key: row for row in rows}
        if not self._widths:
            # Not laid out yet (no size): keep the rows for when it is.
            self._views = dict(wanted)
            return report
        anchor = self.selected_key
        old_index = self.cursor_row
        old_scroll = int(self.scroll_y)
        gone = [key for key in self._views if key not in wanted]
        report.removed = len(gone)
        if len(gone) > REBUILD_AFTER_REMOVALS and len(gone) * 4 > len(self._views):
            self.clear()
            self._views.clear()
            report.rebuilt = True
        else:
            for key in gone:
                self.remove_row(key)
                del self._views[key]
        need_sort = report.rebuilt
        column = self.sort_column
        for row in rows:
            old = self._views.get(row.key)
            if old is row:
                continue  # the pane reuses a row's view while nothing in it changed
            if old is None:
                self._add(row)
                report.added += 1
                need_sort = True
                continue
            for key in self._widths:
                cell = row.cells[key]
                if not same_text(old.cells[key], cell):
                    self.update_cell(row.key, key, self._fit(key, cell))
                    report.updated += 1
            if old.sort_keys.get(column) != row.sort_keys.get(column):
                need_sort = True
            self._views[row.key] = row
        if need_sort:
            self._sort()
            report.resorted = True
        self._restore(anchor, old_index, old_scroll, rebuilt=report.rebuilt)
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
        self.move_cursor(row=index)
        return True

    # Internals

    def _label(self, key: str) -> Text:
        return column_label(key, sorted_by=self.sort_column, reverse=self.sort_reverse)

    def _fit(self, key: str, cell: Text) -> Text:
        return middle_fit(cell, self._widths[key]) if key in MIDDLE_CUT else cell

    def _add(self, view: RowView) -> None:
        self.add_row(*(self._fit(key, view.cells[key]) for key in self._widths), key=view.key)
        self._views[view.key] = view

    def _sort(self) -> None:
        if not self._views or not self._widths:
            return
        column = self.sort_column
        views = self._views
        # Endpoints sort by the column; a deployment follows its endpoint in the API's order, reversed or not.
        tops = sorted((v for v in views.values() if v.parent is None), key=lambda v: v.sort_keys[column],
                      reverse=self.sort_reverse)
        rank = {view.key: (index, 0) for index, view in enumerate(tops)}
        for view in views.values():
            if view.parent is not None:
                rank[view.key] = (rank.get(view.parent, (len(tops), 0))[0], 1 + view.order)

        def by_rank(cell: KeyedText) -> tuple[int, int]:
            return rank[cell.row_key]

        self.sort("name", key=by_rank)

    def _restore(self, anchor: str | None, old_index: int, old_scroll: int, *, rebuilt: bool) -> None:
        """Put the cursor back on ``anchor``, at the same height on screen as before."""
        if anchor is None or not self.row_count:
            return
        try:
            new_index = self.get_row_index(anchor)
        except RowDoesNotExist:
            return
        if rebuilt:
            self.move_cursor(row=new_index)
            return
        if new_index == self.cursor_row and new_index == old_index:
            return
        self.move_cursor(row=new_index, scroll=False)
        target = max(0, old_scroll + (new_index - old_index))
        if target != old_scroll:
            # Row heights are measured on idle; scroll once the new size is known.
            self.call_after_refresh(self.scroll_to, y=target, animate=False)
