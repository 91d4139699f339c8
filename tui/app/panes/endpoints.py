"""The Endpoints pane: the live table users live in, its detail panel, and every action by key.

A view of the endpoint store (``tui.core.store``): the store polls, caches details, keeps the timeline,
the waits and the expected states, and carries out actions; this pane draws what it holds, tells it which
rows are on screen (their details come first), forwards the user's keys and says at once what was sent.
Prices come from the catalogue, so this pane and the Hardware pane share one hardware request.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.css.query import NoMatches
from textual.timer import Timer
from textual.widget import Widget
from textual.widgets import DataTable, Input, Static

from tui.api.domain import Endpoint, HardwareOption
from tui.api.errors import APIError
from tui.app.bindings import bindings
from tui.app.context import AppContext
from tui.app.panes.endpoint_actions import EndpointActions
from tui.app.panes.endpoint_render import RENDER_GROUP, EndpointRender
from tui.app.panes.endpoint_sorting import SortAndFilter
from tui.app.widgets.endpoint_cells import same_text
from tui.app.widgets.endpoint_detail import DetailView, EndpointDetail, steps_seen
from tui.app.widgets.endpoint_rows import EndpointRows, TitleCounts, endpoints_title
from tui.app.widgets.endpoint_table import EndpointTable
from tui.app.widgets.poll_banner import TitleLine, poll_banner
from tui.app.widgets.state_badge import SPINNER_FRAMES, state_text
from tui.app.widgets.tree_rows import TreeRows
from tui.core.advice import empty_table_message
from tui.core.costs import cost_at_max, hourly_cost
from tui.core.listing import filter_terms, matches, plan_columns
from tui.core.store import Changed, StoreEvent
from tui.core.tree import state_label

if TYPE_CHECKING:
    from tui.core.chat import SmokeResult

#: Seconds between redraws of every row for their ages alone (an endpoint under a minute old counts seconds).
AGES_REDRAWN_EVERY = 10.0


class EndpointsPane(SortAndFilter, EndpointActions, EndpointRender, Widget):
    BINDINGS: ClassVar[list[BindingType]] = list(bindings("endpoints"))

    def __init__(self, context: AppContext) -> None:
        super().__init__()
        self.context = context
        self.store = context.store
        self._rows = EndpointRows()
        self._tree_rows = TreeRows()
        self._hardware: dict[str, HardwareOption] | None = None
        self._hardware_loading = False
        self._smoke: dict[str, SmokeResult] = {}
        self._spinner: Timer | None = None
        self._frame = 0
        self._filter_text = ""
        #: Rows acted on under the current filter: shown even once they stop matching it, so the
        #: cursor stays on the endpoint acted on and a second key press cannot land on another one.
        self._kept: set[str] = set()
        self._had_selection = False
        self._shown = 0
        self._drawn_text: dict[str, Text] = {}
        self._unsubscribe: list[object] = []
        #: A row to select once a sliced redraw has put it in the table.
        self._select_after: str | None = None
        self._title_counts = TitleCounts()
        self._init_render()

    # For the shell

    def focus_default(self) -> None:
        self._table.focus()

    def show_endpoint(self, endpoint_id: str) -> None:
        """Select this endpoint (one a form just created), clearing a filter that would hide it."""
        endpoint = self.store.get(endpoint_id)
        if endpoint is not None and self._filter_text and not self._passes_filter(endpoint):
            self._set_filter("")
        self._render_rows()
        if not self._table.select(endpoint_id) and self._rendering:
            self._select_after = endpoint_id

    # Composition

    @property
    def _table(self) -> EndpointTable:
        return self.query_one("#endpoints-table", EndpointTable)

    @property
    def _detail(self) -> EndpointDetail:
        return self.query_one("#endpoints-detail", EndpointDetail)

    def compose(self) -> ComposeResult:
        yield Static(id="endpoints-error", markup=False)
        yield Input(placeholder="filter: name, model, hardware or state · enter keeps it · escape clears",
                    id="endpoints-filter")
        yield TitleLine(id="endpoints-title")
        yield EndpointTable(id="endpoints-table")
        yield EndpointDetail(id="endpoints-detail")

    def on_mount(self) -> None:
        self._hardware = self.context.catalog.known_hardware()
        self._unsubscribe = [
            self.store.subscribe(self._store_changed),
            self.context.catalog.subscribe(self._catalog_changed),
        ]
        self.store.set_priority(self._priority)
        # The status line ages ("updated 12 s ago") and a hung poll is noticed between store events.
        self.set_interval(1.0, self._show_status)
        # A poll that changes nothing tells the views nothing; the ages in the rows still move on.
        self.set_interval(AGES_REDRAWN_EVERY, self._render_rows)
        self._spinner = self.set_interval(0.25, self._spin, pause=True)
        self._table.tooltip = None
        self._layout_columns(width=self.app.size.width)
        self.watch(self._table, "scroll_y", self._tell_visible, init=False)
        self._render_rows()
        self._show_status()
        if self.store.loaded:
            # The first list can arrive before this pane is composed (the poll starts on load): prices now.
            self._ensure_hardware()

    def on_unmount(self) -> None:
        for unsubscribe in self._unsubscribe:
            if callable(unsubscribe):
                unsubscribe()
        self.store.set_priority(lambda: (None, ()))

    def on_resize(self) -> None:
        # The layout that resized this pane sized the table too: its columns now, so a list that is in
        # (or arrives before the next frame) is drawn in that frame, not one refresh later.
        self._layout_columns()
        self._tell_visible()  # the rows on screen now that the table has its height

    def on_show(self) -> None:
        self.call_after_refresh(self._layout_columns)

    def _layout_columns(self, *, width: int | None = None) -> None:
        """Plan the table's columns for its width: the laid-out one, or the terminal's before any layout
        (the table spans the screen), so a list already in is drawn in the first frame."""
        table = self._table
        if width is None:
            width = table.size.width
        width -= table.styles.scrollbar_size_vertical
        if width <= 0:
            return
        if table.set_columns(plan_columns(width, padding=table.cell_padding, tree=self._tree)):
            self._show_detail()

    @property
    def _tree(self) -> bool:
        """Endpoints are made of deployments here: rows beneath rows, ready/desired and traffic columns."""
        capabilities = self.store.capabilities
        return capabilities is not None and capabilities.deployments

    # Listening to the store and the catalogue

    def _torn_down(self) -> bool:
        """Shutting down: Textual removes the table before this pane unsubscribes from the store."""
        if not self.is_mounted or self._closing:
            return True
        try:
            table = self._table  # query_one by id: a map lookup (``query`` walked the pane: 0.14 ms a read)
        except NoMatches:
            return True
        return not table.is_attached

    def _priority(self) -> tuple[str | None, list[str]]:
        if self._torn_down():
            return None, []
        table = self._table
        return table.selected_key, table.visible_keys()

    def _store_changed(self, event: StoreEvent) -> None:
        if not isinstance(event, Changed):
            return  # announcements are the App's: they matter whichever pane is open
        if self._torn_down():
            return
        if event.rows:
            # Drawn at once (the store already paces news of details streaming in), so the store's next
            # detail requests go to the rows this draw put on screen, the selected one first.
            if event.ids is not None:
                self._render_ids(event.ids)
            else:
                self._render_rows()
        if event.status:
            self._show_status()
        if event.rows and self.store.loaded:
            self._ensure_hardware()

    def _catalog_changed(self) -> None:
        hardware = self.context.catalog.known_hardware()
        if hardware != self._hardware:
            self._hardware = hardware
            self._render_rows()

    def _ensure_hardware(self) -> None:
        """Ask for prices once the endpoints are in, until an answer arrives (one request at a time)."""
        if self._hardware is None and not self._hardware_loading:
            self._hardware_loading = True
            self._load_hardware()

    @work(group="endpoints-hardware", exit_on_error=False)
    async def _load_hardware(self) -> None:
        try:
            await self.context.catalog.hardware()
        except APIError as exc:
            # Prices are a nicety next to states: the next poll asks again.
            self.log.warning("hardware prices unavailable", exc)
        finally:
            self._hardware_loading = False

    # Rendering

    def _hardware_for(self, endpoint: Endpoint) -> HardwareOption | None:
        if self._hardware is None or endpoint.hardware_id is None:
            return None
        return self._hardware.get(endpoint.hardware_id)

    def _passes_filter(self, endpoint: Endpoint) -> bool:
        hardware_text = self._rows.hardware_text(endpoint, self._hardware_for(endpoint))
        return matches(endpoint, hardware_text, filter_terms(self._filter_text))

    def _after_rows(self) -> None:
        """After the rows changed: the title's counts, the details (once the table painted), the spinner."""
        self._title_counts = TitleCounts.of(self.store.endpoints.values())
        self._update_title()
        if self._select_after is not None and self._table.select(self._select_after):
            self._select_after = None
        self._detail_after_rows()
        self._update_spinner()
        self._tell_visible()
        has_selection = self._table.selected_key is not None
        if has_selection != self._had_selection:
            self._had_selection = has_selection
            self.refresh_bindings()

    def cancel_render_workers(self) -> None:
        self.workers.cancel_group(self, RENDER_GROUP)

    def _update_title(self, now: datetime | None = None) -> None:
        table = self._table
        title = endpoints_title(
            self._title_counts, shown=self._shown, sort_column=table.sort_column,
            reverse=table.sort_reverse, filter_text=self._filter_text, serverless=self.store.include_serverless,
            stale=self.store.scheduler.stale(now or self.context.now()), read_only=self.context.read_only,
            loaded=self.store.loaded,
        )
        self.query_one("#endpoints-title", TitleLine).show(title)

    def _show_detail(self, *, before_layout: bool = False) -> None:
        """The selection's details; ``before_layout``: the first rows' selection, before the table has a size
        that says whether its row is on screen (the panel shows it, nothing acts on it)."""
        key = self._table.selected_key
        located = self.store.locate(key) if before_layout and key else self._selected_row()
        if located is None:
            self._detail.show_endpoint(None, empty=self._empty_message(),
                                       loading=not self.store.loaded and self.store.scheduler.last_error is None)
            return
        endpoint, deployment = located
        store = self.store
        hardware = self._hardware_for(endpoint)
        smoke = self._smoke.get(endpoint.id)
        capabilities = store.capabilities
        subject = deployment.id if deployment is not None else endpoint.id
        self._detail.show_endpoint(
            DetailView(
                endpoint=endpoint,
                hardware=hardware,
                cost=hourly_cost(endpoint, hardware),
                cost_at_max=cost_at_max(endpoint, hardware),
                history=tuple(store.timeline.history(subject)),
                time_to_ready=store.timeline.time_to_ready(subject),
                now=self.context.now(),
                expected=store.expected(subject),
                waiting=store.waits.get(subject),
                loading=endpoint.dedicated and not endpoint.detailed,
                smoke=smoke.summary if smoke is not None else None,
                deployment=deployment,
                prices=self._hardware,
                details_age=store.details_age(endpoint.id),
                steps=steps_seen(store.steps(subject)),
                legacy=capabilities is not None and capabilities.redeploys_legacy and endpoint.api == "v1",
            ),
            key=subject,
        )

    def _empty_message(self) -> str:
        store = self.store
        return empty_table_message(
            loaded=store.loaded, failed=store.scheduler.last_error is not None, any_endpoints=bool(store.endpoints),
            filter_text=self._filter_text, read_only=self.context.read_only,
            serverless=store.include_serverless or not self._can_list_serverless(),
        )

    def _show_status(self) -> None:
        now = self.context.now()
        scheduler = self.store.scheduler
        self.set_class(scheduler.last_error is not None or scheduler.hung(now), "-error")
        self.set_class(scheduler.stale(now), "-stale")
        if (banner := poll_banner(scheduler, now)) is not None:
            self._update_static("#endpoints-error", banner)
        self._update_title(now)

    def _update_static(self, selector: str, text: Text) -> None:
        # Static.update() always reflows the screen: skip it when the text is unchanged (most ticks).
        if (previous := self._drawn_text.get(selector)) is not None and same_text(previous, text):
            return
        self._drawn_text[selector] = text
        self.query_one(selector, Static).update(text)

    # Spinner

    def _moving_keys(self) -> list[str]:
        store = self.store
        moving = []
        for key in self._table.visible_keys():
            located = store.locate(key)
            subject = None if located is None else located[1] or located[0]
            if store.in_flight(key) or (subject is not None and subject.phase.transitional):
                moving.append(key)
        return moving

    def _update_spinner(self) -> None:
        if self._spinner is None:
            return
        if self.app.animation_level != "none" and self._moving_keys():
            self._spinner.resume()
        else:
            self._spinner.pause()

    def _spin(self) -> None:
        if not self.is_on_screen:
            return  # another pane is open: nothing to animate
        self._frame = (self._frame + 1) % len(SPINNER_FRAMES)
        cells = {}
        for key in self._moving_keys():
            located = self.store.locate(key)
            expected = self.store.expected(key)
            if expected is not None:
                cells[key] = state_text(state_label(expected.state), expected.phase, frame=self._frame,
                                        expected=True)
            elif located is not None:
                subject = located[1] or located[0]
                cells[key] = state_text(state_label(subject.state), subject.phase, frame=self._frame)
        if cells:
            self._table.update_column_cells("state", cells)
        else:
            self._update_spinner()

    # Selection, sorting, filtering

    @on(DataTable.RowHighlighted, "#endpoints-table")
    def _row_highlighted(self) -> None:
        self._detail_soon()

    # Textual reads ``@on`` handlers from the widget's own class, not from a mixin: these stay here.
    @on(DataTable.HeaderSelected, "#endpoints-table")
    def _header_selected(self, event: DataTable.HeaderSelected) -> None:
        self._sort_by_header(event.column_key.value)

    @on(Input.Changed, "#endpoints-filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        self._filter_typed(event.value)

    @on(Input.Submitted, "#endpoints-filter")
    def _filter_submitted(self, event: Input.Submitted) -> None:
        self._filter_done(event.value)
