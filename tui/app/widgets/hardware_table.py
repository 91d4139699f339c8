"""The hardware table: one row per configuration, filtered, sorted, and narrowed to the terminal's width.

Columns a narrow terminal cannot fit are dropped, least useful first (the API's raw cents per minute, the
link, the monthly price, the total memory), so 80 columns over SSH still show id, GPU, memory, $/hour and
availability. Rows are keyed by hardware id; the cursor stays on its row through filtering and sorting.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from rich.text import Text
from textual import events
from textual.widgets import DataTable
from textual.widgets.data_table import CellDoesNotExist, RowDoesNotExist

from tui.api.domain import HardwareOption
from tui.app.widgets.table_keys import TableKeys
from tui.core.format import format_memory, format_price, gpu_name, known_amount, link_label
from tui.core.hardware_choice import HardwareSort, availability_look, filter_hardware, sort_hardware

#: Rich styles for availability tones: named colours, so 16- and 256-colour terminals keep them apart.
TONE_STYLES = {
    "ok": "bold green",
    "warn": "bold yellow",
    "bad": "bold red",
    "unknown": "magenta",
    "none": "dim",
}


def _right(value: str) -> Text:
    return Text(value, justify="right", no_wrap=True)


# The adapter turns NaN, infinite and negative numbers into None; these cells check again, so a bad
# value that gets past it reads "?" instead of "$nan" or "-$3.00", or killing the table.


def _price(value: float | None, *, cents: bool) -> Text:
    return _right(format_price(value, cents=cents))


def _memory(value: float | None) -> Text:
    return _right(format_memory(value))


def _cents(option: HardwareOption) -> Text:
    amount = known_amount(option.cents_per_minute)
    return _right("?" if amount is None else f"{amount:.2f}")


def availability_cell(option: HardwareOption) -> Text:
    look = availability_look(option)
    return Text(look.text, style=TONE_STYLES[look.tone], no_wrap=True)


@dataclass(frozen=True, slots=True)
class Column:
    key: str
    label: str
    render: Callable[[HardwareOption], Text]
    #: 0 = always shown; otherwise the higher the rank, the sooner it goes when space is short.
    drop_rank: int
    #: The order a click on the header (or the pane's sort key) applies.
    sort: HardwareSort | None
    needs_model: bool = False
    #: Only shown when some row says where there is room (v2 regions with headroom).
    needs_regions: bool = False
    #: Only shown when some row has the API's own cents per minute (v1).
    needs_cents: bool = False


# Drop ranks: the API's raw cents go first, then link, total memory, $/month, regions; on a narrow terminal
# then memory, count and GPU (the id says them too). The id, $/hour and availability always stay, the id
# cut short (with an ellipsis) when even they do not fit.
COLUMNS: tuple[Column, ...] = (
    Column("id", "Hardware ID", lambda o: Text(o.label or o.id, no_wrap=True, overflow="ellipsis"), 0,
           HardwareSort.ID),
    Column("gpu", "GPU", lambda o: Text(gpu_name(o), no_wrap=True), 2, HardwareSort.GPU),
    Column("count", "GPUs", lambda o: _right(str(o.gpu_count) if o.gpu_count else "—"), 3, HardwareSort.COUNT),
    Column("memory", "Mem/GPU", lambda o: _memory(o.gpu_memory_gb), 4, HardwareSort.MEMORY),
    Column("total", "Total mem", lambda o: _memory(o.total_memory_gb), 7, HardwareSort.MEMORY),
    Column("link", "Link", lambda o: Text(link_label(o.gpu_link) or "—", no_wrap=True), 8, None),
    Column("hour", "$/hour", lambda o: _price(o.price_per_hour, cents=True), 0, HardwareSort.PRICE),
    Column("month", "$/month", lambda o: _price(o.price_per_month, cents=False), 6,
           HardwareSort.PRICE),
    Column("cents", "¢/min (API)", _cents, 9, HardwareSort.PRICE, needs_cents=True),
    Column("availability", "Availability", availability_cell, 0, HardwareSort.CHEAPEST_AVAILABLE,
           needs_model=True),
    Column("regions", "Room in", lambda o: Text(", ".join(o.regions) or "—", no_wrap=True), 5, None,
           needs_regions=True),
)
#: The narrowest the id column is cut to before the table scrolls sideways instead.
MIN_ID_WIDTH = 10
#: The id column's heading when the rows are a model's deploy profiles (opaque ids, named by ``label``).
PROFILE_HEADING = "Profile"
#: Headings where the provider's words differ (``Capabilities``): prices from the user's own table, regions
#: that say where an option is offered rather than where there is room.
OWN_PRICE_HEADING = "Your $/h"
OFFERED_HEADING = "Offered in"
COLUMNS_BY_KEY = {column.key: column for column in COLUMNS}


class HardwareTable(TableKeys, DataTable[Text]):
    """Shows ``options`` through a filter and an order; ``highlighted`` is the option under the cursor."""

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes, cursor_type="row", zebra_stripes=True)
        self.options: list[HardwareOption] = []
        self.shown: list[HardwareOption] = []
        self.with_availability = False
        self.query_text = ""
        self.hide_unavailable = False
        self.order = HardwareSort.PRICE
        self.reverse = False
        #: Headings by column key that replace the column's own (set by the pane from the capabilities).
        self.headings: dict[str, str] = {}
        #: (column key, width) of the columns on screen.
        self._layout: tuple[tuple[str, int], ...] = ()

    # What is shown

    def show_options(self, options: Sequence[HardwareOption], *, with_availability: bool) -> None:
        self.options = list(options)
        self.with_availability = with_availability
        self.apply()

    def set_view(
        self,
        *,
        query: str | None = None,
        hide_unavailable: bool | None = None,
        order: HardwareSort | None = None,
        reverse: bool | None = None,
    ) -> None:
        if query is not None:
            self.query_text = query
        if hide_unavailable is not None:
            self.hide_unavailable = hide_unavailable
        if order is not None:
            self.order = order
        if reverse is not None:
            self.reverse = reverse
        self.apply()

    @property
    def hidden_count(self) -> int:
        return len(self.options) - len(self.shown)

    @property
    def highlighted(self) -> HardwareOption | None:
        if not self.shown or self.row_count == 0:
            return None
        try:
            row_key = self.coordinate_to_cell_key(self.cursor_coordinate).row_key
        except CellDoesNotExist:
            return None
        return next((option for option in self.shown if option.id == row_key.value), None)

    def select_hardware(self, hardware_id: str) -> bool:
        try:
            index = self.get_row_index(hardware_id)
        except RowDoesNotExist:
            return False
        self.move_cursor(row=index, animate=False, scroll=True)
        return True

    # Building rows

    def _fitting_columns(self, rows: Sequence[HardwareOption]) -> tuple[tuple[Column, int], ...]:
        """The columns that fit, each with its content width.

        Widths are fixed rather than left to the DataTable's auto width, which is measured on idle and
        can leave a table that was redrawn in between cut to its header widths.
        """
        with_regions = any(option.regions for option in rows)
        with_cents = any(option.cents_per_minute is not None for option in rows)
        wanted = [
            c for c in COLUMNS
            if (self.with_availability or not c.needs_model) and (with_regions or not c.needs_regions)
            and (with_cents or not c.needs_cents)
        ]

        def width(column: Column) -> int:
            return max([len(self.heading(column)), *(column.render(option).cell_len for option in rows)])

        widths = {column.key: width(column) for column in wanted}
        if self.size.width > 0:
            # Room for the vertical scrollbar, and one cell of padding either side of every column.
            room = self.size.width - 2
            for column in sorted((c for c in wanted if c.drop_rank), key=lambda c: -c.drop_rank):
                if sum(widths[c.key] + 2 for c in wanted) <= room:
                    break
                wanted.remove(column)
            excess = sum(widths[c.key] + 2 for c in wanted) - room
            if excess > 0:
                widths["id"] = max(MIN_ID_WIDTH, widths["id"] - excess)
        return tuple((column, widths[column.key]) for column in wanted)

    def apply(self) -> None:
        """Filter, sort and (re)draw, keeping the cursor on the same hardware where it is still shown."""
        previous = self.highlighted
        kept = filter_hardware(self.options, self.query_text, hide_unavailable=self.hide_unavailable)
        self.shown = sort_hardware(kept, self.order, reverse=self.reverse)
        fitting = self._fitting_columns(self.options)
        layout = self._layout_of(fitting)
        same_rows = [row.key.value for row in self.ordered_rows] == [o.id for o in self.shown]
        if layout == self._layout and same_rows:
            # A refresh of the same rows: touch only the cells that changed (keeps cursor and scroll).
            for option in self.shown:
                for column, _ in fitting:
                    value = column.render(option)
                    if self.get_cell(option.id, column.key) != value:
                        self.update_cell(option.id, column.key, value)
            return
        if layout != self._layout:
            self.clear(columns=True)
            profiles = any(option.label for option in self.options)
            for column, width in fitting:
                heading = PROFILE_HEADING if profiles and column.key == "id" else self.heading(column)
                self.add_column(heading, key=column.key, width=max(width, len(heading)))
            self._layout = layout
        else:
            self.clear()
        for option in self.shown:
            self.add_row(*(column.render(option) for column, _ in fitting), key=option.id)
        if previous is not None and self.select_hardware(previous.id):
            return
        if self.row_count:
            self.move_cursor(row=0, animate=False)

    def set_headings(self, headings: dict[str, str]) -> None:
        if headings != self.headings:
            self.headings = dict(headings)
            self._layout = ()  # the columns are rebuilt with their new headings on the next apply

    def heading(self, column: Column) -> str:
        return self.headings.get(column.key, column.label)

    def on_resize(self, event: events.Resize) -> None:
        if self.options and self._layout_of(self._fitting_columns(self.options)) != self._layout:
            self.apply()

    @staticmethod
    def _layout_of(fitting: tuple[tuple[Column, int], ...]) -> tuple[tuple[str, int], ...]:
        return tuple((column.key, width) for column, width in fitting)
