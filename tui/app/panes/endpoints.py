"""The Endpoints pane: the live table users live in, its detail panel, and every action by key.

Polling is one list request per interval (fast while anything is changing state, slow when all is
steady, backing off on errors), never two at once. Details the list lacks come from per-endpoint
requests with bounded concurrency, cached, and asked again only when a state changes or on ``r``.
When the API fails the table keeps its last good rows, marked stale, and recovers on its own.
The rules live in ``tui.app.endpoint_tracking``; this module wires them to widgets and keys.
"""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from functools import partial
from typing import TYPE_CHECKING, ClassVar, cast

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.reactive import var
from textual.timer import Timer
from textual.widget import Widget
from textual.widgets import DataTable, Input, Static
from textual.worker import Worker

from tui.api.domain import Endpoint, HardwareOption, Phase
from tui.api.errors import APIError, NotFoundError
from tui.app.conversation import SmokeResult, smoke_test
from tui.app.screens.confirm_delete import ConfirmDeleteScreen, needs_typed_name
from tui.app.screens.confirm_start import ConfirmStartScreen
from tui.app.widgets.endpoint_detail import DetailView, EndpointDetail
from tui.app.widgets.endpoint_table import EndpointTable, RowView, endpoint_row, same_text
from tui.app.widgets.poll_banner import TitleLine, poll_banner
from tui.app.widgets.state_badge import SPINNER_FRAMES, state_text
from tui.core.advice import empty_table_message, outcome_unknown, smoke_test_refusal
from tui.core.costs import burn_per_hour, cost_at_max, cost_once_started, hourly_cost
from tui.core.details import DetailCache, fetch_bounded
from tui.core.format import format_age, hardware_label
from tui.core.listing import COLUMNS_BY_KEY, filter_terms, matches, plan_columns, sort_keys
from tui.core.polling import PollScheduler
from tui.core.timeline import StateTimeline
from tui.core.waits import EXPECTED_AFTER, Expected, WaitTarget, WaitTracker

if TYPE_CHECKING:
    from tui.app.app import TogetherApp

#: Detail requests in flight at once: enough to fill a new account quickly, few enough to be polite.
DETAIL_CONCURRENCY = 6
#: A created endpoint the list does not show yet is kept this long (the list may lag the create).
KEEP_CREATED_FOR = timedelta(seconds=60)
SORT_CYCLE = ("name", "state", "cost", "age", "model", "hardware", "replicas")
MUTATING = frozenset({"start", "stop", "delete", "new", "edit"})
ACTION_ING = {"start": "Starting", "stop": "Stopping", "delete": "Deleting"}
NEEDS_SELECTION = frozenset({"start", "stop", "delete", "edit", "chat", "smoke_test", "copy_name"})


class EndpointsPane(Widget):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("s", "start", "Start", id="endpoints.start",
                tooltip="Start the selected endpoint; billing begins once it is STARTED"),
        Binding("x", "stop", "Stop", id="endpoints.stop",
                tooltip="Stop the selected endpoint; billing ends once it is STOPPED"),
        Binding("d", "delete", "Delete", id="endpoints.delete",
                tooltip="Delete the selected endpoint (asks first; Cancel is focused)"),
        Binding("n", "new", "New", id="endpoints.new", tooltip="Create a new dedicated endpoint"),
        Binding("e", "edit", "Edit", id="endpoints.edit",
                tooltip="Change the display name, replicas or idle timeout of the selected endpoint"),
        Binding("c", "chat", "Chat", id="endpoints.chat", tooltip="Chat with the selected endpoint's model"),
        Binding("t", "smoke_test", "Test", id="endpoints.smoke_test",
                tooltip="Send a short prompt to the selected STARTED endpoint; report TTFT and tokens/s"),
        Binding("y", "copy_name", "Copy", id="endpoints.copy_name",
                tooltip="Copy the name to pass as model (OSC 52: works over SSH)"),
        Binding("slash", "filter", "Filter", id="endpoints.filter",
                tooltip="Filter rows by name, model, hardware or state"),
        Binding("r", "refresh", "Refresh", id="endpoints.refresh",
                tooltip="Refresh the list and every endpoint's details now"),
        Binding("o", "cycle_sort", "Sort", id="endpoints.sort", show=False,
                tooltip="Sort by the next column (name, state, $/hour, age, model, hardware, replicas)"),
        Binding("O", "reverse_sort", "Reverse sort", id="endpoints.reverse_sort", show=False,
                tooltip="Reverse the sort order"),
        Binding("a", "toggle_serverless", "Serverless", id="endpoints.serverless", show=False,
                tooltip="Show or hide serverless models beside your dedicated endpoints"),
        Binding("i", "toggle_details", "Details", id="endpoints.details", show=False,
                tooltip="Show or hide the detail panel"),
        Binding("escape", "clear_filter", "Clear filter", id="endpoints.clear_filter", show=False,
                tooltip="Clear the filter and show every row"),
        # Read-only hides the changing actions; their keys then fall through to this, which says why.
        Binding("s,x,d,n,e", "refuse_read_only", show=False),
    ]

    #: Bumped after every change of the endpoint data (poll, detail, action); other panes watch it.
    generation: var[int] = var(0)

    def __init__(self) -> None:
        super().__init__()
        self._listed: dict[str, Endpoint] = {}
        #: What the table shows: list items with their cached details, in list order.
        self._endpoints: dict[str, Endpoint] = {}
        self._details = DetailCache()
        self._timeline = StateTimeline()
        self._waits = WaitTracker(timedelta(minutes=30))
        self._scheduler = PollScheduler(slow=10.0, fast=2.0)
        self._expected: dict[str, Expected] = {}
        self._created: dict[str, datetime] = {}
        self._hardware: dict[str, HardwareOption] | None = None
        self._smoke: dict[str, SmokeResult] = {}
        self._row_cache: dict[str, tuple[tuple[object, ...], RowView]] = {}
        self._polling = False
        self._poll_again = False
        self._poll_timer: Timer | None = None
        self._render_timer: Timer | None = None
        self._spinner: Timer | None = None
        self._frame = 0
        self._include_serverless = False
        self._filter_text = ""
        #: Rows acted on under the current filter: shown even once they stop matching it, so the
        #: cursor stays on the endpoint acted on and a second key press cannot land on another one.
        self._kept: set[str] = set()
        self._had_selection = False
        self._loaded = False
        self._shown = 0
        self._drawn_text: dict[str, Text] = {}
        self._hardware_labels: dict[tuple[str | None, HardwareOption | None], str] = {}

    # Public API (the shell and other panes)

    def focus_default(self) -> None:
        self._table.focus()

    def endpoint(self, endpoint_id: str) -> Endpoint | None:
        return self._endpoints.get(endpoint_id)

    @property
    def endpoints(self) -> list[Endpoint]:
        return list(self._endpoints.values())

    def track_created(self, endpoint: Endpoint) -> None:
        """A form created this endpoint: show it at once, select it, and say when it is ready."""
        now = self._app.now()
        self._details.store(endpoint)
        self._listed[endpoint.id] = endpoint
        self._endpoints[endpoint.id] = endpoint
        self._created[endpoint.id] = now
        self._timeline.note(endpoint.id, "created", now)
        self._timeline.observe(endpoint, now)
        if endpoint.phase is not Phase.STOPPED:
            self._waits.expect(endpoint, WaitTarget.READY, now)
        if self._filter_text and not self._passes_filter(endpoint):
            self._set_filter("")
        self._after_change(now)
        self._table.select(endpoint.id)
        self._poll_soon()

    def track_updated(self, endpoint: Endpoint) -> None:
        now = self._app.now()
        self._details.store(endpoint)
        self._listed[endpoint.id] = endpoint
        self._endpoints[endpoint.id] = endpoint
        self._timeline.note(endpoint.id, "updated", now)
        self._timeline.observe(endpoint, now)
        self._after_change(now)

    def start_endpoint(self, endpoint_id: str) -> Worker[None] | None:
        """Start an endpoint and watch it until it is STARTED, fails or times out (announced).

        Returns the worker sending the request, or None when nothing was sent (read-only, unknown,
        serverless, or already starting: then the existing wait is kept or begun).
        """
        app = self._app
        if app.read_only:
            app.notify_read_only()
            return None
        endpoint = self._endpoints.get(endpoint_id)
        if endpoint is None:
            self._say(f"Unknown endpoint {endpoint_id}.", severity="warning")
            return None
        if not endpoint.dedicated:
            self._say("Serverless models are always on: nothing to start.", severity="warning")
            return None
        if endpoint.id in self._expected:
            return None
        if endpoint.phase in (Phase.READY, Phase.PENDING, Phase.STARTING):
            if endpoint.phase.transitional and endpoint.id not in self._waits:
                self._waits.expect(endpoint, WaitTarget.READY, app.now())
                self._poll_soon()
            self._say(f"{endpoint.title} is already {endpoint.state}.", title="Start")
            return None
        return self._run_action(endpoint, "start")

    def refresh_now(self, *, details: bool = False) -> None:
        """Poll now (or right after the poll in flight: polls never overlap)."""
        if details:
            self._details.invalidate()
        if self._polling:
            self._poll_again = True
            return
        if self._poll_timer is not None:
            self._poll_timer.stop()
            self._poll_timer = None
        self._polling = True
        self._poll()

    # Composition

    @property
    def _app(self) -> TogetherApp:
        return cast("TogetherApp", self.app)

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
        config = self._app.config
        self._scheduler = PollScheduler(slow=config.refresh_interval, fast=config.fast_refresh_interval)
        self._waits = WaitTracker(timedelta(minutes=config.wait_timeout_minutes))
        self.set_interval(1.0, self._tick)
        self._spinner = self.set_interval(0.25, self._spin, pause=True)
        self._table.tooltip = None
        self._update_title()
        self._show_detail()
        self.refresh_now()

    def on_resize(self) -> None:
        self.call_after_refresh(self._layout_columns)

    def on_show(self) -> None:
        self.call_after_refresh(self._layout_columns)

    def _layout_columns(self) -> None:
        table = self._table
        width = table.size.width - table.styles.scrollbar_size_vertical
        if width <= 0:
            return
        if table.set_columns(plan_columns(width, padding=table.cell_padding)):
            self._show_detail()

    # Polling

    def _busy(self) -> bool:
        return (
            bool(self._expected)
            or len(self._waits) > 0
            or any(e.phase.transitional for e in self._endpoints.values())
        )

    @work(group="endpoints-poll", exit_on_error=False)
    async def _poll(self) -> None:
        try:
            await self._poll_once()
        except asyncio.CancelledError:
            # Abandoned (r on a hung poll, or the app closing): whoever cancelled owns the state now.
            raise
        except Exception as exc:  # a bug here must not stop polling for the rest of the session
            self.log.error("endpoint refresh failed", exc)
            self._poll_failed(exc)
        self._polling = False
        if self._poll_again:
            self._poll_again = False
            self.refresh_now()
            return
        delay = self._scheduler.schedule(self._app.now(), busy=self._busy())
        self._poll_timer = self.set_timer(delay, self._poll_due)
        self._show_status()

    def _poll_due(self) -> None:
        self._poll_timer = None
        self.refresh_now()

    def _poll_soon(self) -> None:
        """Something is about to change (an action): look again at the fast interval."""
        if self._polling:
            return
        fast = self._scheduler.fast
        remaining = self._scheduler.retry_in(self._app.now())
        if remaining is not None and remaining <= fast:
            return
        if self._poll_timer is not None:
            self._poll_timer.stop()
        self._scheduler.next_due = self._app.now() + timedelta(seconds=fast)
        self._poll_timer = self.set_timer(fast, self._poll_due)

    async def _poll_once(self) -> None:
        app = self._app
        self._scheduler.sent(app.now())
        try:
            listed = await app.provider.list_endpoints(include_serverless=self._include_serverless)
        except Exception as exc:  # whatever broke, the table must survive and retry
            self._scheduler.answered()
            if not isinstance(exc, APIError):
                self.log.error("endpoint poll failed", exc)
            self._poll_failed(exc)
            return
        self._scheduler.answered()
        self._scheduler.succeeded(app.now())
        self._apply_list(listed)
        if self._hardware is None:
            await self._load_hardware()
        wanted = self._details.wanted(self._listed.values())
        if wanted:
            await self._fetch_details(self._prioritised(wanted))

    def _poll_failed(self, error: BaseException) -> None:
        self._scheduler.failed(error)
        self._show_status()

    async def _load_hardware(self) -> None:
        try:
            options = await self._app.provider.list_hardware()
        except APIError as exc:
            # Prices are a nicety next to states: try again at the next poll.
            self.log.warning("hardware prices unavailable", exc)
            return
        self._hardware = {option.id: option for option in options}
        self._after_change(self._app.now())

    def _prioritised(self, ids: list[str]) -> list[str]:
        """The selected row first, then the rows on screen, then the rest in table order."""
        table = self._table
        selected = table.selected_key
        visible = set(table.visible_keys())
        order = {key: index for index, key in enumerate(table.keys)}
        return sorted(ids, key=lambda i: (i != selected, i not in visible, order.get(i, len(order))))

    async def _fetch_details(self, ids: list[str]) -> None:
        provider = self._app.provider

        def on_result(endpoint_id: str, endpoint: Endpoint) -> None:
            self._details.store(endpoint)
            listed = self._listed.get(endpoint_id)
            if listed is not None:
                self._endpoints[endpoint_id] = self._details.merge(listed)
                self._render_soon()

        def on_error(endpoint_id: str, error: APIError) -> bool:
            if isinstance(error, NotFoundError):
                return True  # deleted since the list was read; the next poll drops the row
            self.log.warning("detail fetch stopped", endpoint_id, error)
            return False

        await fetch_bounded(
            ids, provider.get_endpoint, concurrency=DETAIL_CONCURRENCY, on_result=on_result, on_error=on_error
        )
        self._after_change(self._app.now())

    def _apply_list(self, listed: list[Endpoint]) -> None:
        now = self._app.now()
        present: dict[str, Endpoint] = {}
        for endpoint in listed:
            present[endpoint.id] = endpoint
            self._created.pop(endpoint.id, None)
        # Keep what this session just created until the list catches up.
        for endpoint_id, created in list(self._created.items()):
            previous = self._endpoints.get(endpoint_id)
            if previous is not None and now - created < KEEP_CREATED_FOR:
                present[endpoint_id] = previous
            else:
                del self._created[endpoint_id]
        self._listed = present
        merged: dict[str, Endpoint] = {}
        for endpoint_id, endpoint in present.items():
            shown = self._details.merge(endpoint)
            merged[endpoint_id] = shown
            self._timeline.observe(shown, now)
        self._details.prune(merged)
        for endpoint_id in [i for i in self._row_cache if i not in merged]:
            del self._row_cache[endpoint_id]
        self._endpoints = merged
        self._loaded = True
        self._after_change(now)

    def _after_change(self, now: datetime) -> None:
        if self._render_timer is not None:
            self._render_timer.stop()
            self._render_timer = None
        self._render_rows(now)
        for outcome in self._waits.check(self._endpoints, now):
            self._app.announce(outcome.message, title=outcome.heading, severity=outcome.severity)
        if self._loaded:
            self._app.burn = burn_per_hour(self._endpoints.values(), self._hardware)
        self._show_status()
        self.generation += 1

    def _render_soon(self) -> None:
        """Details arrive one by one; redraw at most a few times a second while they do."""
        if self._render_timer is None:
            self._render_timer = self.set_timer(0.2, self._render_deferred)

    def _render_deferred(self) -> None:
        self._render_timer = None
        self._after_change(self._app.now())

    # Rendering

    def _hardware_for(self, endpoint: Endpoint) -> HardwareOption | None:
        if self._hardware is None or endpoint.hardware_id is None:
            return None
        return self._hardware.get(endpoint.hardware_id)

    def _passes_filter(self, endpoint: Endpoint) -> bool:
        terms = filter_terms(self._filter_text)
        hardware = self._hardware_for(endpoint)
        return matches(endpoint, hardware_label(hardware, endpoint.hardware_id), terms)

    def _hardware_text(self, endpoint: Endpoint, hardware: HardwareOption | None) -> str:
        key = (endpoint.hardware_id, hardware)
        text = self._hardware_labels.get(key)
        if text is None:
            text = self._hardware_labels[key] = hardware_label(hardware, endpoint.hardware_id)
        return text

    def _row(self, endpoint: Endpoint, now: datetime) -> tuple[RowView, str]:
        hardware = self._hardware_for(endpoint)
        hardware_text = self._hardware_text(endpoint, hardware)
        cost = hourly_cost(endpoint, hardware)
        expected = self._expected.get(endpoint.id)
        moving = expected is not None or endpoint.phase.transitional
        age = format_age(now - endpoint.created_at) if endpoint.created_at else ""
        frame = self._frame if moving else 0
        cache_key = (endpoint, hardware_text, cost, age, expected, frame)
        cached = self._row_cache.get(endpoint.id)
        if cached is not None and cached[0] == cache_key:
            return cached[1], hardware_text
        view = endpoint_row(
            endpoint,
            hardware_text=hardware_text,
            cost=cost,
            now=now,
            sort_keys=sort_keys(endpoint, hardware_text, cost),
            frame=frame,
            expected=expected,
        )
        self._row_cache[endpoint.id] = (cache_key, view)
        return view, hardware_text

    def _render_rows(self, now: datetime | None = None) -> None:
        now = now or self._app.now()
        terms = filter_terms(self._filter_text)
        rows = []
        for endpoint in self._endpoints.values():
            view, hardware_text = self._row(endpoint, now)
            if terms and endpoint.id not in self._kept and not matches(endpoint, hardware_text, terms):
                continue
            rows.append(view)
        self._table.sync(rows)
        self._shown = len(rows)
        self._update_title()
        self._show_detail()
        self._update_spinner()
        has_selection = self._table.selected_key is not None
        if has_selection != self._had_selection:
            self._had_selection = has_selection
            self.refresh_bindings()

    def _update_title(self) -> None:
        table = self._table
        total = len(self._endpoints)
        shown = self._shown
        running = sum(1 for e in self._endpoints.values() if e.dedicated and e.phase is Phase.READY)
        moving = sum(1 for e in self._endpoints.values() if e.phase.transitional)
        title = Text(no_wrap=True, overflow="ellipsis")
        title.append("Endpoints ", style="bold")
        title.append(f"{shown}/{total}" if shown != total else f"{total}")
        title.append(f" · {running} running", style="green")
        if moving:
            title.append(f" · {moving} changing", style="yellow")
        arrow = "▼" if table.sort_reverse else "▲"
        title.append(f" · sort {COLUMNS_BY_KEY[table.sort_column].label} {arrow}", style="dim")
        if self._filter_text:
            title.append(f" · filter “{self._filter_text}”", style="bold")
        if self._include_serverless:
            title.append(" · +serverless", style="dim")
        if self._scheduler.stale(self._app.now()):
            title.append(" · STALE", style="bold reverse yellow")
        if self._app.read_only:
            title.append(" · read-only: s x d n e off", style="magenta")
        self.query_one("#endpoints-title", TitleLine).show(title)

    def _show_detail(self) -> None:
        table = self._table
        key = table.selected_key
        endpoint = self._endpoints.get(key) if key else None
        if endpoint is None:
            self._detail.show_endpoint(None, empty=self._empty_message())
            return
        now = self._app.now()
        hardware = self._hardware_for(endpoint)
        smoke = self._smoke.get(endpoint.id)
        self._detail.show_endpoint(
            DetailView(
                endpoint=endpoint,
                hardware=hardware,
                cost=hourly_cost(endpoint, hardware),
                cost_at_max=cost_at_max(endpoint, hardware),
                history=tuple(self._timeline.history(endpoint.id)),
                time_to_ready=self._timeline.time_to_ready(endpoint.id),
                now=now,
                expected=self._expected.get(endpoint.id),
                waiting=self._waits.get(endpoint.id),
                loading=endpoint.dedicated and not endpoint.detailed,
                smoke=smoke.summary if smoke is not None else None,
            )
        )

    def _empty_message(self) -> str:
        return empty_table_message(
            loaded=self._loaded, failed=self._scheduler.last_error is not None, any_endpoints=bool(self._endpoints),
            filter_text=self._filter_text, read_only=self._app.read_only, serverless=self._include_serverless,
        )

    def _show_status(self) -> None:
        app = self._app
        now = app.now()
        scheduler = self._scheduler
        app.connection_status = scheduler.status(now)
        app.connection_ok = scheduler.ok(now)
        self.set_class(scheduler.last_error is not None or scheduler.hung(now), "-error")
        self.set_class(scheduler.stale(now), "-stale")
        if (banner := poll_banner(scheduler, now)) is not None:
            self._update_static("#endpoints-error", banner)
        self._update_title()

    def _update_static(self, selector: str, text: Text) -> None:
        # Static.update() always reflows the screen: skip it when the text is unchanged (most ticks).
        if (previous := self._drawn_text.get(selector)) is not None and same_text(previous, text):
            return
        self._drawn_text[selector] = text
        self.query_one(selector, Static).update(text)

    def _tick(self) -> None:
        self._show_status()

    # Spinner

    def _moving_keys(self) -> list[str]:
        return [
            key
            for key in self._table.visible_keys()
            if key in self._expected or ((e := self._endpoints.get(key)) is not None and e.phase.transitional)
        ]

    def _update_spinner(self) -> None:
        if self._spinner is None:
            return
        animate = self.app.animation_level != "none" and bool(self._moving_keys())
        if animate:
            self._spinner.resume()
        else:
            self._spinner.pause()

    def _spin(self) -> None:
        if self._app.active_pane != "endpoints":
            return
        self._frame = (self._frame + 1) % len(SPINNER_FRAMES)
        cells = {}
        for key in self._moving_keys():
            endpoint = self._endpoints[key]
            expected = self._expected.get(key)
            if expected is not None:
                cells[key] = state_text(expected.state, expected.phase, frame=self._frame, expected=True)
            else:
                cells[key] = state_text(endpoint.state, endpoint.phase, frame=self._frame)
        if cells:
            self._table.update_column_cells("state", cells)
        else:
            self._update_spinner()

    # Selection, sorting, filtering

    @on(DataTable.RowHighlighted, "#endpoints-table")
    def _row_highlighted(self) -> None:
        self._show_detail()

    @on(DataTable.HeaderSelected, "#endpoints-table")
    def _header_selected(self, event: DataTable.HeaderSelected) -> None:
        column = event.column_key.value
        if column is None:
            return
        table = self._table
        reverse = not table.sort_reverse if column == table.sort_column else False
        table.set_sort(column, reverse=reverse)
        self._update_title()

    def action_cycle_sort(self) -> None:
        table = self._table
        index = SORT_CYCLE.index(table.sort_column) if table.sort_column in SORT_CYCLE else -1
        table.set_sort(SORT_CYCLE[(index + 1) % len(SORT_CYCLE)])
        self._update_title()

    def action_reverse_sort(self) -> None:
        table = self._table
        table.set_sort(table.sort_column, reverse=not table.sort_reverse)
        self._update_title()

    def action_filter(self) -> None:
        self.add_class("-filtering")
        self.query_one("#endpoints-filter", Input).focus()

    def action_clear_filter(self) -> None:
        self._set_filter("")
        self._table.focus()

    def _set_filter(self, text: str) -> None:
        filter_input = self.query_one("#endpoints-filter", Input)
        if filter_input.value != text:
            with filter_input.prevent(Input.Changed):
                filter_input.value = text
        self._filter_text = text.strip()
        self._kept.clear()
        self.set_class(bool(text), "-filtering")
        self._render_rows()
        self.refresh_bindings()

    @on(Input.Changed, "#endpoints-filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        self._filter_text = event.value.strip()
        self._kept.clear()
        self._render_rows()

    @on(Input.Submitted, "#endpoints-filter")
    def _filter_submitted(self, event: Input.Submitted) -> None:
        if not event.value.strip():
            self.remove_class("-filtering")
        self._table.focus()
        self.refresh_bindings()

    def action_toggle_serverless(self) -> None:
        self._include_serverless = not self._include_serverless
        shown = "shown" if self._include_serverless else "hidden"
        self._say(f"Serverless models {shown}.", timeout=3)
        self._update_title()
        self.refresh_now()

    def action_toggle_details(self) -> None:
        detail = self._detail
        detail.display = not detail.display

    # Actions

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "refuse_read_only":
            return self._app.read_only
        if action in MUTATING and self._app.read_only:
            return False
        if action == "clear_filter":
            return bool(self._filter_text) or self.has_class("-filtering")
        if action in NEEDS_SELECTION and self._selected() is None:
            return None
        return True

    def _selected(self) -> Endpoint | None:
        if not self.is_mounted:
            return None
        key = self._table.selected_key
        return self._endpoints.get(key) if key else None

    def _dedicated_selected(self, verb: str) -> Endpoint | None:
        endpoint = self._selected()
        if endpoint is None:
            return None
        if not endpoint.dedicated:
            self._say(f"{endpoint.title} is a serverless model: there is nothing to {verb}.", severity="warning")
            return None
        return endpoint

    def action_refuse_read_only(self) -> None:
        self._app.notify_read_only()

    def action_start(self) -> None:
        endpoint = self._dedicated_selected("start")
        if endpoint is None:
            return
        # Nothing is confirmed when nothing would be sent: start_endpoint then only says why.
        already = endpoint.id in self._expected or endpoint.phase in (Phase.READY, Phase.PENDING, Phase.STARTING)
        if already or not getattr(self._app.config, "confirm_start", True):
            self.start_endpoint(endpoint.id)
            return
        hardware = self._hardware_for(endpoint)
        self._app.push_screen(
            ConfirmStartScreen(
                endpoint,
                per_hour=cost_once_started(endpoint, hardware),
                at_max=cost_at_max(endpoint, hardware),
                hardware=self._hardware_text(endpoint, hardware),
            ),
            callback=partial(self._start_answer, endpoint.id),
        )

    def _start_answer(self, endpoint_id: str, confirmed: bool | None) -> None:
        if confirmed:
            self.start_endpoint(endpoint_id)
        self.focus_default()

    def action_stop(self) -> None:
        app = self._app
        if app.read_only:
            app.notify_read_only()
            return
        endpoint = self._dedicated_selected("stop")
        if endpoint is None or endpoint.id in self._expected:
            return
        if endpoint.phase in (Phase.STOPPED, Phase.STOPPING):
            self._say(f"{endpoint.title} is already {endpoint.state}.", title="Stop")
            return
        self._run_action(endpoint, "stop")

    def action_delete(self) -> None:
        app = self._app
        if app.read_only:
            app.notify_read_only()
            return
        endpoint = self._dedicated_selected("delete")
        if endpoint is None or endpoint.id in self._expected:
            return
        typed = needs_typed_name(endpoint, app.config.confirm_delete)
        app.push_screen(ConfirmDeleteScreen(endpoint, typed=typed), callback=partial(self._delete_answer, endpoint.id))

    def _delete_answer(self, endpoint_id: str, confirmed: bool | None) -> None:
        endpoint = self._endpoints.get(endpoint_id)
        if confirmed and endpoint is not None:
            self._run_action(endpoint, "delete")
        self.focus_default()

    def action_new(self) -> None:
        self._app.open_create_form()

    def action_edit(self) -> None:
        endpoint = self._dedicated_selected("edit")
        if endpoint is not None:
            self._app.open_update_form(endpoint)

    def action_chat(self) -> None:
        endpoint = self._selected()
        if endpoint is not None:
            self._app.open_chat(endpoint)

    def action_copy_name(self) -> None:
        endpoint = self._selected()
        if endpoint is None:
            return
        self.app.copy_to_clipboard(endpoint.name)
        self._say(f"{endpoint.name}\nPass it as model in API requests (copied via OSC 52).", title="Copied")

    def action_refresh(self) -> None:
        if self._polling and self._scheduler.hung(self._app.now()):
            # The request in flight may never end: abandon it instead of queueing behind it.
            self.workers.cancel_group(self, "endpoints-poll")
            self._scheduler.answered()
            self._polling = self._poll_again = False
        self.refresh_now(details=True)

    def action_smoke_test(self) -> None:
        endpoint = self._selected()
        if endpoint is None:
            return
        refusal = smoke_test_refusal(endpoint, read_only=self._app.read_only)
        if refusal is not None:
            self._say(refusal, title="Smoke test", severity="warning")
            return
        self._run_smoke_test(endpoint)

    @work(group="endpoints-smoke", exit_on_error=False)
    async def _run_smoke_test(self, endpoint: Endpoint) -> None:
        app = self._app
        self._say(f"Sending a short prompt to {endpoint.title}…", title="Smoke test", timeout=3)
        try:
            result = await smoke_test(app.provider, endpoint.name, base_model=endpoint.model)
        except APIError as exc:
            self._say(f"{endpoint.title}: {exc}", title="Smoke test failed", severity="error", timeout=12)
            return
        self._smoke[endpoint.id] = result
        reply = result.reply if len(result.reply) <= 80 else result.reply[:79] + "…"
        self._say(f"{endpoint.title}: {result.summary}\n“{reply}”", title="Smoke test passed", timeout=12)
        self._show_detail()

    @work(group="endpoints-action", exit_on_error=False)
    async def _run_action(self, endpoint: Endpoint, verb: str) -> None:
        app = self._app
        now = app.now()
        state, phase = EXPECTED_AFTER[verb]
        self._say(f"{ACTION_ING[verb]} {endpoint.title}…", title=verb.capitalize(), timeout=4)
        if self._filter_text:
            self._kept.add(endpoint.id)
        self._expected[endpoint.id] = Expected(state, phase, now)
        self._timeline.note(endpoint.id, f"{verb} requested", now)
        self._render_rows(now)
        self.refresh_bindings()
        provider = app.provider
        result: Endpoint | None = None
        try:
            if verb == "start":
                result = await provider.start_endpoint(endpoint.id)
            elif verb == "stop":
                result = await provider.stop_endpoint(endpoint.id)
            else:
                await provider.delete_endpoint(endpoint.id)
        except APIError as exc:
            self._expected.pop(endpoint.id, None)
            self._timeline.note(endpoint.id, f"{verb} failed", app.now())
            self._after_change(app.now())
            # A timeout or an unreadable 2xx leaves the outcome unknown: the request may have been
            # carried out. Say so, and look again soon rather than at the next steady poll.
            unknown = outcome_unknown(exc)
            outcome = "\nIt may have been carried out: the table will show within seconds." if unknown else ""
            self._say(f"Couldn't {verb} {endpoint.title}: {exc}{outcome}", title=f"{verb.capitalize()} failed",
                       severity="error", timeout=12)
            self._poll_soon()
            return
        finally:
            self.refresh_bindings()
        self._expected.pop(endpoint.id, None)
        now = app.now()
        if result is None:
            self._forget(endpoint.id)
            self._say(f"{endpoint.title} is deleted.", title="Endpoint deleted")
        else:
            self._details.store(result)
            self._listed[result.id] = result
            self._endpoints[result.id] = result
            self._timeline.observe(result, now)
            target = WaitTarget.READY if verb == "start" else WaitTarget.STOPPED
            self._waits.expect(result, target, now)
        self._after_change(now)
        self._poll_soon()

    def _say(
        self, message: str, *, title: str = "", severity: str = "information", timeout: float | None = None
    ) -> None:
        # Endpoint names are user text: never let a "[" in one be read as markup.
        self.app.notify(message, title=title, severity=severity, timeout=timeout, markup=False)  # type: ignore[arg-type]

    def _forget(self, endpoint_id: str) -> None:
        self._listed.pop(endpoint_id, None)
        self._endpoints.pop(endpoint_id, None)
        self._expected.pop(endpoint_id, None)
        self._row_cache.pop(endpoint_id, None)
        self._created.pop(endpoint_id, None)
        self._details.forget(endpoint_id)
        self._waits.cancel(endpoint_id)
