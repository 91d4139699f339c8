"""The Hardware pane (``2``): what endpoints can run on, what it costs, and what is free right now.

Without a model it lists ``GET /hardware`` (every configuration, no availability). With a model picked
(``m``) it lists ``GET /hardware?model=…``: only what the model can run on, with availability, sorted
cheapest available first. ``/`` filters, ``o`` sorts (``O`` reverses), ``u`` hides unavailable rows, and the calculator
under the table prices the selected row; ``n`` or ``enter`` opens the create form on it. Hardware comes from
the catalogue, so this table and the Endpoints pane's prices share one request.
"""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Horizontal, Vertical
from textual.widgets import DataTable, Input, Static

from tui.api.domain import Availability, HardwareOption, ModelOption
from tui.api.errors import APIError
from tui.app.bindings import bindings
from tui.app.context import AppContext
from tui.app.messages import OpenCreateForm
from tui.app.widgets.cost_calculator import CostCalculator
from tui.app.widgets.hardware_table import COLUMNS_BY_KEY, OFFERED_HEADING, OWN_PRICE_HEADING, HardwareTable
from tui.app.widgets.model_picker import (
    ModelChoice,
    ModelPickerScreen,
    dedicated_models,
    find_model,
    serverless_price_text,
)
from tui.core.format import format_context
from tui.core.hardware_choice import HardwareSort, profile_rows

SORTS_WITH_MODEL = tuple(HardwareSort)
SORTS_WITHOUT_MODEL = tuple(order for order in HardwareSort if order is not HardwareSort.CHEAPEST_AVAILABLE)


class HardwarePane(Vertical):
    BINDINGS: ClassVar[list[BindingType]] = list(bindings("hardware"))

    def __init__(self, context: AppContext, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.context = context
        self.model: ModelOption | None = None
        self.is_loading = False
        self.error: str | None = None
        self._requested = False
        self._sort_chosen = False
        self._no_row = True
        self._fresh = False

    def compose(self) -> ComposeResult:
        with Horizontal(id="hw-bar"):
            yield Static(id="hw-model")
            yield Static(id="hw-status")
        yield Input(
            placeholder="Filter: id, GPU, memory, availability · enter keeps · esc clears",
            id="hw-filter",
            compact=True,
            classes="-hidden",
        )
        yield HardwareTable(id="hw-table")
        yield CostCalculator(id="hw-calc")

    def on_mount(self) -> None:
        self._show_model_bar()
        self._show_status()

    @property
    def table(self) -> HardwareTable:
        return self.query_one("#hw-table", HardwareTable)

    @property
    def calculator(self) -> CostCalculator:
        return self.query_one("#hw-calc", CostCalculator)

    def focus_default(self) -> None:
        self.ensure_loaded()
        self.table.focus()

    def on_show(self) -> None:
        # Loaded on first sight, not at start-up: the Endpoints pane owns the first frame and requests.
        self.ensure_loaded()

    def ensure_loaded(self) -> None:
        if not self._requested:
            self._requested = True
            self._load()

    async def show_model(self, model_id: str | None) -> None:
        """Narrow the table to ``model_id`` (None: all hardware); for other panes that link here."""
        model = None
        if model_id is not None:
            try:
                model = find_model(await dedicated_models(self.context.catalog), model_id)
            except APIError:
                model = None
            if model is None:
                model = ModelOption(id=model_id)
        self.set_model(model)

    def set_model(self, model: ModelOption | None) -> None:
        self.model = model
        if not self._sort_chosen:
            order = HardwareSort.CHEAPEST_AVAILABLE if model else HardwareSort.PRICE
            self.table.set_view(order=order, reverse=False)
        elif model is None and self.table.order is HardwareSort.CHEAPEST_AVAILABLE:
            self.table.set_view(order=HardwareSort.PRICE)
        if model is None:
            self.table.set_view(hide_unavailable=False)
        self.calculator.set_model(model)
        self._show_model_bar()
        self._requested = True
        self._load()

    # Loading

    @work(exclusive=True, group="hardware-pane", exit_on_error=False)
    async def _load(self) -> None:
        model = self.model
        self.is_loading = True
        self.error = None
        self._show_status()
        try:
            if model is not None and self.profiles:
                options = await self._profiles_of(model.id)
            else:
                options = await self.context.catalog.hardware(model.id if model else None, fresh=self._fresh)
        except APIError as error:
            self.error = str(error)
            return
        finally:
            self._fresh = False
            self.is_loading = False
            self._show_status()
        known = model is not None or any(option.availability is not None for option in options)
        self.table.set_headings(self._headings())
        self.table.show_options(options, with_availability=known)
        self._show_model_bar()
        self._after_rows_changed()

    @property
    def profiles(self) -> bool:
        """Whether a picked model is deployed from profiles (v2, Nebius) rather than onto a hardware id."""
        capabilities = self.context.store.capabilities
        return capabilities is not None and capabilities.deploy_profiles

    def _headings(self) -> dict[str, str]:
        """The provider's words for prices and regions: its capabilities say what they mean."""
        capabilities = self.context.store.capabilities
        headings = {}
        if capabilities is not None and not capabilities.prices_from_api:
            headings["hour"] = OWN_PRICE_HEADING
        if capabilities is not None and not capabilities.regions_have_room:
            headings["regions"] = OFFERED_HEADING
        return headings

    @property
    def own_prices(self) -> bool:
        """Whether the prices shown are the user's settings, not the API's (capabilities, or any row says so)."""
        capabilities = self.context.store.capabilities
        return (capabilities is not None and not capabilities.prices_from_api) or any(
            not option.price_from_api for option in self.table.options)

    async def _profiles_of(self, model_id: str) -> list[HardwareOption]:
        catalog = self.context.catalog
        options = await catalog.deploy_options(model_id, fresh=self._fresh)
        try:
            # Only for the memory column: the profiles stand without it.
            instances = await catalog.hardware(None)
        except APIError:
            instances = []
        return profile_rows(options, instances)

    def _after_rows_changed(self) -> None:
        self.calculator.set_hardware(self.table.highlighted)
        self._no_row = self.table.highlighted is None
        self._show_status()
        self.refresh_bindings()

    # What the header lines say

    def _show_model_bar(self) -> None:
        text = Text(no_wrap=True, overflow="ellipsis")
        text.append("Model ", style="dim")
        model = self.model
        if model is None:
            text.append("any", style="bold")
            with_room = any(option.regions for option in self.table.options)
            capabilities = self.context.store.capabilities
            if capabilities is not None and not capabilities.regions_have_room:
                what = " · every template, a row per region · "
            elif with_room:
                what = " · all instance types, room per region · "
            else:
                what = " · all hardware, no availability · "
            text.append(what, style="dim")
            text.append("m", style="bold")
            text.append(" picks a model", style="dim")
        else:
            text.append(model.title, style="bold")
            if model.display_name:
                text.append(f" {model.id}", style="dim")
            details = [d for d in (model.organization, format_context(model.context_length)) if d]
            details.append(serverless_price_text(model))
            text.append(" · " + " · ".join(details), style="dim")
        if self.own_prices:
            text.append(" · ", style="dim")
            text.append("your prices, not the API's", style="yellow")
        self.query_one("#hw-model", Static).update(text)

    def _show_status(self) -> None:
        status = self.query_one("#hw-status", Static)
        if self.is_loading:
            status.update(Text("loading…", style="italic"))
            return
        if self.error:
            status.update(Text(f"✗ {self.error} · r retries", style="bold red"))
            return
        table = self.table
        if not table.options:
            status.update(Text("no hardware" if self._requested else "", style="dim"))
            return
        arrow = "↓" if table.reverse else "↑"
        # Most telling first: a narrow terminal cuts the end of the line, so the order goes last.
        parts = [f"{len(table.shown)} of {len(table.options)}" if table.hidden_count else f"{len(table.options)}"]
        if table.query_text:
            parts.append(f"filter “{table.query_text}”")
        if table.hide_unavailable:
            unavailable = sum(1 for o in table.options if o.availability is Availability.UNAVAILABLE)
            parts.append(f"{unavailable} unavailable hidden")
        parts.append(f"by {table.order.value} {arrow}")
        status.update(Text(" · ".join(parts), style="dim"))

    # Actions

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "toggle_unavailable" and self.model is None:
            return None
        if action == "create" and self.context.read_only:
            return False  # hidden, as the Endpoints pane hides its changing actions
        if action == "create" and self.table.highlighted is None:
            return None
        return True

    def action_pick_model(self) -> None:
        def picked(choice: ModelChoice | None) -> None:
            if choice is not None and (choice.model.id if choice.model else None) != (
                self.model.id if self.model else None
            ):
                self.set_model(choice.model)
            self.table.focus()

        self.app.push_screen(
            ModelPickerScreen(
                self.context,
                current=self.model.id if self.model else None,
                allow_any=True,
                title="Pick a model: its hardware and availability",
            ),
            callback=picked,
        )

    def action_filter(self) -> None:
        box = self.query_one("#hw-filter", Input)
        box.remove_class("-hidden")
        box.focus()

    @on(Input.Changed, "#hw-filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        event.stop()
        self.table.set_view(query=event.value)
        self._after_rows_changed()

    @on(Input.Submitted, "#hw-filter")
    def _filter_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if not event.value:
            event.input.add_class("-hidden")
        self.table.focus()

    def action_back(self) -> None:
        box = self.query_one("#hw-filter", Input)
        if box.has_focus or (self.table.has_focus and box.value):
            box.value = ""
            box.add_class("-hidden")
        self.table.focus()

    def action_toggle_unavailable(self) -> None:
        if self.model is None:
            return
        self.table.set_view(hide_unavailable=not self.table.hide_unavailable)
        self._after_rows_changed()

    def _sorts(self) -> tuple[HardwareSort, ...]:
        return SORTS_WITH_MODEL if self.model is not None else SORTS_WITHOUT_MODEL

    def action_cycle_sort(self) -> None:
        sorts = self._sorts()
        current = self.table.order
        following = sorts[(sorts.index(current) + 1) % len(sorts)] if current in sorts else sorts[0]
        self._sort_chosen = True
        self.table.set_view(order=following, reverse=False)
        self._after_rows_changed()

    def action_reverse_sort(self) -> None:
        self._sort_chosen = True
        self.table.set_view(reverse=not self.table.reverse)
        self._after_rows_changed()

    @on(DataTable.HeaderSelected, "#hw-table")
    def _header_selected(self, event: DataTable.HeaderSelected) -> None:
        event.stop()
        column = COLUMNS_BY_KEY.get(str(event.column_key.value))
        if column is None or column.sort is None or column.sort not in self._sorts():
            return
        self._sort_chosen = True
        if column.sort is self.table.order:
            self.table.set_view(reverse=not self.table.reverse)
        else:
            self.table.set_view(order=column.sort, reverse=False)
        self._after_rows_changed()

    def action_create(self) -> None:
        option = self.table.highlighted
        if option is None:
            return
        if self.model is not None and self.profiles:
            # The row is one of the model's deploy profiles: the deploy form opens with it chosen.
            self.post_message(OpenCreateForm(model=self.model.id, option_id=option.id))
            return
        if self.profiles:
            # No model yet: the deploy form takes the option this row places (Nebius: the template's option in
            # one region), chosen once a model that offers it is picked; a bare instance type has none.
            self.post_message(OpenCreateForm(option_id=option.deploy_option_id))
            return
        self.post_message(OpenCreateForm(model=self.model.id if self.model else None, hardware_id=option.id))

    @on(DataTable.RowSelected, "#hw-table")
    def _row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_create()

    @on(DataTable.RowHighlighted, "#hw-table")
    def _row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        event.stop()
        highlighted = self.table.highlighted
        self.calculator.set_hardware(highlighted)
        if (highlighted is None) != self._no_row:
            # Only "is there a row to create on" changes the footer; rebuilding it on every move is slow.
            self._no_row = highlighted is None
            self.refresh_bindings()

    def action_calculator(self) -> None:
        self.calculator.focus_replicas()

    def action_refresh(self) -> None:
        self._requested = True
        # r asks the API, not the catalogue's kept answer.
        self._fresh = True
        self._load()
