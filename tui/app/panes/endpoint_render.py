"""How the Endpoints pane redraws its rows from the store without holding the UI loop on a large account.

* News of details (``Changed(ids=...)``) rewrites only those endpoints' rows (the cells that changed).
* A change of the list (``Changed()``) or of the pane's own view (filter, prices, an action) re-syncs every
  row: at once up to ``SYNC_LIMIT`` endpoints, above it in slices of a few milliseconds, the loop running
  between them (keys, frames, the store's requests); news arriving meanwhile makes the pass run again.
* The details panel follows the cursor after the table has painted, and only once a held key stops.
* The store hears which rows are on screen (``set_priority``, and ``prefer`` when they change).

A mixin of ``EndpointsPane``, kept apart so the pane module stays about its widgets and keys; the
attributes below are the pane's, named here for the type checker.
"""

from __future__ import annotations

import heapq
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, cast

from textual import work
from textual.widget import Widget

from tui.api.domain import Endpoint, HardwareOption
from tui.api.pacing import Pacer
from tui.app.widgets import endpoint_table
from tui.app.widgets.endpoint_cells import RowView
from tui.app.widgets.endpoint_detail import EndpointDetail, steps_seen
from tui.app.widgets.endpoint_rows import TitleCounts
from tui.core.costs import is_tree
from tui.core.listing import filter_terms, matches
from tui.core.tree import state_label, tree_rows

if TYPE_CHECKING:
    from tui.app.context import AppContext
    from tui.app.widgets.endpoint_rows import EndpointRows
    from tui.app.widgets.endpoint_table import EndpointTable
    from tui.app.widgets.tree_rows import TreeRows
    from tui.core.store import EndpointStore

#: Up to this many endpoints a redraw runs at once (a few milliseconds); above it, in slices.
SYNC_LIMIT = 300
#: Longest stretch of one slice of a large redraw before the loop runs again (seconds of work): small, as
#: the store's pieces may run in the same turn of the loop (tui.core.store_apply.APPLY_BUDGET says why).
SLICE_BUDGET = 0.002
#: Endpoints drawn at once when their details come; a larger batch is drawn in slices of this many.
IDS_AT_ONCE = 8
RENDER_GROUP = "endpoints-render"
#: Highlights closer than this are a held key: the details panel waits until the key is let go.
HELD_KEY_GAP = 0.1
#: A redraw of the rows redraws the panel when what it shows changed, and at least this often (its ages).
DETAIL_AGES_EVERY = 5.0


@dataclass
class Collected:
    rows: list[RowView] = field(default_factory=list)
    shown: int = 0
    #: Each endpoint's rows in the table (none when the filter hides it).
    keys: dict[str, tuple[str, ...]] = field(default_factory=dict)
    #: Endpoints whose rows wait for their details.
    loading: set[str] = field(default_factory=set)


class EndpointRender:
    if TYPE_CHECKING:
        context: AppContext
        store: EndpointStore
        _rows: EndpointRows
        _tree_rows: TreeRows
        _hardware: dict[str, HardwareOption] | None
        _filter_text: str
        _kept: set[str]
        _frame: int
        _shown: int
        _title_counts: TitleCounts

        @property
        def _table(self) -> EndpointTable: ...

        @property
        def _tree(self) -> bool: ...

        @property
        def _detail(self) -> EndpointDetail: ...

        def _hardware_for(self, endpoint: Endpoint) -> HardwareOption | None: ...

        def _show_detail(self, *, before_layout: bool = False) -> None: ...

        def _after_rows(self) -> None: ...

        def _update_title(self) -> None: ...

        def cancel_render_workers(self) -> None: ...

    _row_keys: dict[str, tuple[str, ...]]
    _loading: set[str]
    _rendering: bool = False
    _render_again: bool = False
    #: Endpoints whose details came, still to draw, while a batch of them is drawn in slices.
    _ids_pending: list[str] | None = None
    _detail_pending: bool = False
    _detail_held: bool = False
    _last_highlight: float = 0.0
    _detail_basis: object = None
    _detail_basis_at: float = 0.0
    _visible: tuple[str, ...] = ()

    @property
    def drawing(self) -> bool:
        """A redraw of every row is under way, in slices (a large account's first fill among them)."""
        return self._rendering

    def _init_render(self) -> None:
        self._row_keys = {}
        self._loading = set()

    # Every row

    def _render_rows(self) -> None:
        """Redraw every row from the store (the list changed, or the filter, prices or an action did)."""
        endpoints = list(self.store.endpoints.values())
        if len(endpoints) > SYNC_LIMIT:
            if self._rendering:
                self._render_again = True  # the pass under way runs once more with what is new
            else:
                self._rendering = True
                self._render_sliced()
            return
        if self._rendering:
            self.cancel_render_workers()
            self._rendering = False
            self._ids_pending = None  # this redraw draws them
        collected = Collected()
        for _ in self._collect(endpoints, collected):
            pass
        self._apply(collected)
        self._table.sync(collected.rows, hold=bool(self._loading))
        self._after_rows()

    @work(group=RENDER_GROUP, exit_on_error=False)
    async def _render_sliced(self) -> None:
        try:
            again = True
            while again:
                self._render_again = False
                if not self._table.row_count:
                    await self._first_rows()
                collected = Collected()
                pacer = Pacer(SLICE_BUDGET)
                for _ in self._collect(list(self.store.endpoints.values()), collected):
                    await pacer.pause()
                self._apply(collected)
                if not self._table.row_count:
                    # A first fill: the title's counts now, with the top rows in the sync's first slice,
                    # not once every row of a large account is in.
                    self._title_counts = TitleCounts.of(self.store.endpoints.values())
                    self._update_title()
                await self._table.sync_sliced(collected.rows, hold=bool(self._loading), budget=SLICE_BUDGET)
                self._after_rows()
                again = self._render_again
        finally:
            self._rendering = False

    async def _first_rows(self) -> None:
        """A first fill of a large table of endpoints (no deployments) sorted by name: the rows at its top,
        and the title, before every row is built (5,000 rows take a second of a loaded machine). What the
        name sorts by needs nothing but the endpoint; the rest of the fill then goes in below them."""
        table = self._table
        if table.sort_column != "name" or filter_terms(self._filter_text) or not table.column_keys:
            return
        endpoints = list(self.store.endpoints.values())
        pick = heapq.nlargest if table.sort_reverse else heapq.nsmallest
        top = pick(endpoint_table.FIRST_ROWS, endpoints, key=lambda endpoint: (endpoint.title.lower(), endpoint.id))
        if any(is_tree(endpoint) for endpoint in top):
            return  # rows beneath rows: the rest would not simply go in below them
        now = self.context.now()
        tree = self._tree
        views = [view for endpoint in top for view in self._views_of(endpoint, [], tree, now)]
        await table.sync_sliced(views, hold=True, budget=SLICE_BUDGET)
        self._shown = len(endpoints)
        self._title_counts = TitleCounts.of(endpoints)
        self._update_title()

    def _collect(self, endpoints: list[Endpoint], into: Collected) -> Iterator[None]:
        """Every endpoint's rows, a step per few endpoints (the caller decides when to let the loop run)."""
        now = self.context.now()
        terms = filter_terms(self._filter_text)
        tree = self._tree
        for index, endpoint in enumerate(endpoints):
            if index % 16 == 0:
                yield
            views = self._views_of(endpoint, terms, tree, now)
            into.keys[endpoint.id] = tuple(view.key for view in views)
            if views:
                into.rows.extend(views)
                into.shown += 1
                if views[0].loading:
                    into.loading.add(endpoint.id)

    def _apply(self, collected: Collected) -> None:
        self._row_keys = collected.keys
        self._loading = collected.loading
        self._shown = collected.shown
        present = self.store.endpoints
        self._rows.prune(present)
        self._tree_rows.prune(present)

    # A few rows

    def _render_ids(self, ids: Iterable[str]) -> None:
        """Details of these endpoints came: rewrite their rows only, unless their rows are not the rows shown
        (a filter now matches, a deployment came or went), which re-syncs every row. A batch of more than a
        few (a first load's details come in dozens a batch) is drawn a few endpoints a slice."""
        if self._ids_pending is not None:
            self._ids_pending.extend(ids)  # the slices under way draw these too
            return
        if self._rendering:
            self._render_again = True
            return
        ids = list(ids)
        if len(ids) <= IDS_AT_ONCE:
            if self._render_rows_of(ids):
                self._after_rows()
            else:
                self._render_rows()
            return
        self._rendering = True
        self._ids_pending = ids
        self._render_ids_sliced()

    @work(group=RENDER_GROUP, exit_on_error=False)
    async def _render_ids_sliced(self) -> None:
        reshaped = False
        pending = self._ids_pending
        try:
            pacer = Pacer(SLICE_BUDGET)
            while pending:
                chunk, pending[:] = pending[:IDS_AT_ONCE], pending[IDS_AT_ONCE:]
                if not self._render_rows_of(chunk):
                    reshaped = True
                    break
                await pacer.pause()
        finally:
            # Cancelled: a full redraw took over (it cancelled this group, draws every row and owns the flags).
            if self._ids_pending is pending:
                self._ids_pending = None
                self._rendering = False
        if reshaped or self._render_again:
            self._render_again = False
            self._render_rows()
        else:
            self._after_rows()

    def _render_rows_of(self, ids: list[str]) -> bool:
        """These endpoints' rows rewritten; False, and nothing drawn yet, when their rows changed shape (a
        full redraw's to do)."""
        store = self.store
        now = self.context.now()
        terms = filter_terms(self._filter_text)
        tree = self._tree
        rows: list[RowView] = []
        for endpoint_id in ids:
            endpoint = store.get(endpoint_id)
            views = [] if endpoint is None else self._views_of(endpoint, terms, tree, now)
            if endpoint is None or tuple(view.key for view in views) != self._row_keys.get(endpoint_id):
                return False
            rows.extend(views)
            if views and views[0].loading:
                self._loading.add(endpoint_id)
            else:
                self._loading.discard(endpoint_id)
        self._table.update_rows(rows, hold=bool(self._loading))
        return True

    def _views_of(self, endpoint: Endpoint, terms: list[str], tree: bool, now: datetime) -> list[RowView]:
        """The endpoint's rows as they look now (cached while nothing they show changed); none when filtered."""
        store = self.store
        if tree and is_tree(endpoint):
            own = not terms or endpoint.id in self._kept or matches(endpoint, state_label(endpoint.state), terms)
            branch = tree_rows(endpoint, terms, endpoint_matches=own, keep=self._kept)
            if not branch:
                return []
            return self._tree_rows.rows(endpoint, branch, self._hardware, store.expected, now, self._frame)
        view, hardware_text = self._rows.row(
            endpoint, self._hardware_for(endpoint), store.expected(endpoint.id), now, self._frame
        )
        if terms and endpoint.id not in self._kept and not matches(endpoint, hardware_text, terms):
            return []
        return [self._tree_rows.legacy(view, endpoint) if tree else view]

    # The details panel and the store's priorities

    def _detail_after_rows(self) -> None:
        """After a redraw of the rows: the panel again only if what it shows changed (each draw of it reflows
        the screen: tens of ms), or its ages are a few seconds old."""
        store = self.store
        key = self._table.selected_key
        located = store.locate(key) if key is not None else None
        basis = (key, located, store.expected(key) if key else None, store.waits.get(key) if key else None,
                 steps_seen(store.steps(key)) if key else None, id(self._hardware), self._filter_text, store.loaded,
                 store.scheduler.last_error is None)
        now = time.monotonic()
        if basis == self._detail_basis and now - self._detail_basis_at < DETAIL_AGES_EVERY:
            return
        self._detail_basis, self._detail_basis_at = basis, now
        if key is not None and not self._detail.showing:
            # The first rows' selection is drawn with them, not in the frame after (its highlight may have
            # asked for that already): the panel's scrollbar comes with it, in the layout of the rows' frame.
            self._detail_pending = False
            self._show_detail(before_layout=True)
            return
        self._detail_soon()

    def _detail_soon(self) -> None:
        """Show the selection's details once the table has painted; during a held key, once it stops."""
        now = time.monotonic()
        held = now - self._last_highlight < HELD_KEY_GAP
        self._last_highlight = now
        if self._detail_pending:
            return
        self._detail_pending = True
        self._detail_held = held
        widget = cast(Widget, self)
        if held:
            widget.set_timer(HELD_KEY_GAP, self._detail_due)
        else:
            widget.call_after_refresh(self._detail_due)

    def _detail_due(self) -> None:
        if not self._detail_pending:
            return  # shown already, with the first rows
        waited = time.monotonic() - self._last_highlight
        if self._detail_held and waited < HELD_KEY_GAP * 0.9:
            cast(Widget, self).set_timer(HELD_KEY_GAP - waited, self._detail_due)
            return
        self._detail_pending = False
        self._show_detail()

    def _tell_visible(self) -> None:
        """The rows on screen changed (a scroll, a redraw): their details first."""
        visible = tuple(self._table.visible_keys())
        if visible == self._visible:
            return
        self._visible = visible
        prefer = getattr(self.store, "prefer", None)
        if callable(prefer):
            prefer(visible)
