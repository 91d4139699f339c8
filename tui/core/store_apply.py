"""How a new endpoint list replaces the last: merged with the details known, indexed (deployments under their
endpoint, the bounds each ran with, the states seen), and what it lacks handed to the detail reads.

5,000 endpoints take tens of milliseconds of Python, so the new list is built in slices that let the loop
run between them (keys, drawing, detail answers) and replaces the old at once at the end; what an action, a
form or a detail changed meanwhile is merged again then, so the list does not undo it.

A mixin of ``EndpointStore``, kept apart so the store module stays about polling and its state; the
attributes below are the store's, named here for the type checker.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from tui.api.domain import TRANSITIONAL_PHASES, Endpoint
from tui.api.pacing import Pacer
from tui.core.details import DetailCache
from tui.core.store_details import DetailQueue
from tui.core.timeline import StateTimeline
from tui.core.waits import WaitTracker

#: A created endpoint the list does not show yet is kept this long (the list may lag the create).
KEEP_CREATED_FOR = timedelta(seconds=60)
#: The longest one piece of applying a list holds the loop, in seconds. The pieces of the list's parse, this
#: apply and the views' redraw that are ready at once run back to back in one turn of the loop, so each is
#: the API layer's 2 ms (at 3/4/5 ms a refresh at 1,000 endpoints held the loop 11-12 ms, at 2 ms 6-8 ms).
APPLY_BUDGET = 0.002


class StoreApply:
    if TYPE_CHECKING:
        clock: Callable[[], datetime]
        timeline: StateTimeline
        waits: WaitTracker
        loaded: bool
        _details: DetailCache
        _queue: DetailQueue
        _listed: dict[str, Endpoint]
        _endpoints: dict[str, Endpoint]
        _parents: dict[str, str]
        _moving: set[str]
        _created: dict[str, datetime]
        _bounds: dict[str, tuple[int, int]]
        _meanwhile: dict[str, bool] | None
        _unseen: bool
        _priority: Callable[[], tuple[str | None, Iterable[str]]]

        def _watched(self) -> list[str]: ...

        def _settle(self) -> None: ...

        def _check_waits(self) -> None: ...

    async def _apply_list(self, listed: list[Endpoint]) -> None:
        """The new list replaces the old at once, once merged with the details known, in slices that let the
        loop run between them; what changed meanwhile is merged again at the end, so it is not undone."""
        now = self.clock()
        present: dict[str, Endpoint] = {}
        merged: dict[str, Endpoint] = {}
        parents: dict[str, str] = {}
        moving: set[str] = set()
        owed: list[str] = []
        on_demand: list[str] = []
        pacer = Pacer(APPLY_BUDGET)
        fresh = 0  # rows the view has never drawn
        before = self._endpoints
        moved = False  # any row not as the views last heard it (an unchanged list tells them nothing)
        self._meanwhile = {}
        try:
            for endpoint in listed:
                if endpoint.id not in self._endpoints:
                    fresh += 1
                present[endpoint.id] = endpoint
                shown = merged[endpoint.id] = self._details.merge(endpoint)
                if not moved and (previous := before.get(endpoint.id)) is not shown and previous != shown:
                    moved = True
                self.timeline.observe(shown, now)
                self._index_into(parents, shown, now)
                if shown.phase in TRANSITIONAL_PHASES:
                    moving.add(endpoint.id)
                if self._details.needs(endpoint):
                    # A row complete but for its full read (v2) is read only when looked at.
                    (on_demand if endpoint.detailed else owed).append(endpoint.id)
                await pacer.pause()
        finally:
            meanwhile, self._meanwhile = self._meanwhile, None
        # From here on at once: nothing else runs until the views have heard.
        moved = moved or bool(meanwhile) or bool(self._created)
        for endpoint_id, kept in meanwhile.items():
            if endpoint_id not in present:
                continue
            if kept:
                shown = merged[endpoint_id] = self._details.merge(present[endpoint_id])
                self._index_into(parents, shown, now)
                (moving.add if shown.phase in TRANSITIONAL_PHASES else moving.discard)(endpoint_id)
            else:
                moving.discard(endpoint_id)
                for deployment in merged.pop(endpoint_id).deployments:
                    parents.pop(deployment.id, None)
                del present[endpoint_id]
        # Keep what this session just created until the list catches up.
        for endpoint_id, created in list(self._created.items()):
            previous = self._endpoints.get(endpoint_id)
            if endpoint_id in present:
                del self._created[endpoint_id]
            elif previous is not None and now - created < KEEP_CREATED_FOR:
                present[endpoint_id] = merged[endpoint_id] = previous
                self._index_into(parents, previous, now)
                if previous.phase in TRANSITIONAL_PHASES:
                    moving.add(endpoint_id)
            else:
                del self._created[endpoint_id]
        self._details.prune(merged)
        self._listed, self._endpoints, self._parents, self._moving = present, merged, parents, moving
        self._queue.replace(owed, on_demand, present)
        for endpoint_id in {self._parents.get(key, key) for key in self.waits.ids()}:
            if self._queue.needed(endpoint_id):
                self._queue.hurry(endpoint_id)  # a wait on it waits for what the read says
        for endpoint_id in self._watched():
            self._queue.hurry(endpoint_id)
        self._unseen = fresh > 0
        unchanged = self.loaded and not moved and list(merged) == list(before)
        self.loaded = True
        if unchanged:
            # Every row as drawn: the views need not re-sync (the scheduler's status news follows the poll).
            self._check_waits()
        else:
            self._settle()

    def _index_into(self, parents: dict[str, str], endpoint: Endpoint, now: datetime) -> None:
        """Which endpoint each of its deployments is under, the bounds each ran with, and their states seen."""
        for deployment in endpoint.deployments:
            parents[deployment.id] = endpoint.id
            if deployment.min_replicas and deployment.max_replicas:
                self._bounds[deployment.id] = (deployment.min_replicas, deployment.max_replicas)
            self.timeline.observe(deployment, now)

    def _stored(self, endpoint: Endpoint) -> None:
        """Show this endpoint as it is now (merged with its details), between lists."""
        self._endpoints[endpoint.id] = endpoint
        (self._moving.add if endpoint.phase in TRANSITIONAL_PHASES else self._moving.discard)(endpoint.id)
        self._index_into(self._parents, endpoint, self.clock())
        if self._meanwhile is not None:
            self._meanwhile[endpoint.id] = True
