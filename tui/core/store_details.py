"""How the endpoint store reads the details a list lacks: the selected and visible rows first, a bounded number
of requests at once, v2 endpoints again only while they change under a wait or the cursor; and how the views
hear of details streaming in (a few times a second, not once per endpoint).

A mixin of ``EndpointStore``, kept apart so the store module stays about the list and its state; the
attributes below are the store's, named here for the type checker.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import TYPE_CHECKING

from tui.api.domain import Endpoint, Phase
from tui.api.errors import APIError, NotFoundError
from tui.core.details import DetailCache, fetch_bounded
from tui.core.store_events import Changed, StoreEvent
from tui.core.waits import WaitTracker

if TYPE_CHECKING:
    from tui.api.domain import Deployment
    from tui.api.provider import Provider

log = logging.getLogger(__name__)
#: While details stream in, views hear of them at most this often (seconds of real time).
DETAIL_NEWS_EVERY = 0.2


class StoreDetails:
    if TYPE_CHECKING:
        provider: Provider
        clock: Callable[[], datetime]
        waits: WaitTracker
        _details: DetailCache
        _listed: dict[str, Endpoint]
        _endpoints: dict[str, Endpoint]
        _parents: dict[str, str]
        _reading: set[str]
        _fetched: dict[str, datetime]
        _detail_concurrency: int
        _detail_news: asyncio.TimerHandle | None
        _priority: Callable[[], tuple[str | None, Iterable[str]]]

        def locate(self, key: str) -> tuple[Endpoint, Deployment | None] | None: ...

        def _emit(self, event: StoreEvent) -> None: ...

        def _settle(self) -> None: ...

    def _watched(self, wanted: list[str]) -> list[str]:
        """v2 endpoints changing under a wait or the cursor: read every poll while they move, so the service's
        own words ("Cannot place replicas: insufficient GPU capacity") show as they change. Steady rows cost
        nothing beyond the list."""
        waited = {self._parents.get(key, key) for key in self.waits.ids()}
        selected, _ = self._priority()
        located = self.locate(selected) if selected else None
        ids = []
        for endpoint in self._endpoints.values():
            if endpoint.id in wanted or not endpoint.deployments:
                continue
            moving = endpoint.phase.transitional
            watched = endpoint.id in waited and (moving or endpoint.phase is Phase.DEGRADED)
            if watched or (located is not None and located[0].id == endpoint.id and moving):
                ids.append(endpoint.id)
        return ids

    def _prioritised(self, ids: list[str]) -> list[str]:
        selected, visible_keys = self._priority()
        visible = set(visible_keys)
        order = {key: index for index, key in enumerate(self._endpoints)}
        return sorted(ids, key=lambda i: (i != selected, i not in visible, order.get(i, len(order))))

    async def _fetch_details(self, ids: list[str]) -> None:
        def on_result(endpoint_id: str, endpoint: Endpoint) -> None:
            self._reading.discard(endpoint_id)
            self._fetched[endpoint_id] = self.clock()
            self._details.store(endpoint)
            listed = self._listed.get(endpoint_id)
            if listed is not None:
                self._endpoints[endpoint_id] = self._details.merge(listed)
                self._details_arrived()

        def on_error(endpoint_id: str, error: APIError) -> bool:
            if isinstance(error, NotFoundError):
                return True  # deleted since the list was read; the next poll drops the row
            log.warning("detail fetch stopped at %s: %s", endpoint_id, error)
            return False

        self._reading.update(ids)
        try:
            await fetch_bounded(
                ids, self.provider.get_endpoint, concurrency=self._detail_concurrency,
                on_result=on_result, on_error=on_error,
            )
        finally:
            self._reading.difference_update(ids)
        self._settle()

    def _details_arrived(self) -> None:
        """Details stream in one by one, thousands on a large account: tell the views a few times a second
        while they do, not once per endpoint (each view redraws every row). ``_settle`` tells them at the
        end of the batch, at once."""
        if self._detail_news is None:
            self._detail_news = asyncio.get_running_loop().call_later(DETAIL_NEWS_EVERY, self._tell_details)

    def _tell_details(self) -> None:
        self._detail_news = None
        self._emit(Changed(status=False))

