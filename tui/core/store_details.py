"""How the endpoint store reads the details a list lacks: in a task of its own beside the polls, so a poll ends
when its list is applied, and the views hear which endpoints changed, a few times a second.

The order: the selection, what a wait watches, the visible rows (and those the view said it is about to
show), then the rest of the account in list order at a bounded pace (a few requests at once, one start per
``DETAIL_PACE`` seconds), every request held back while a 429's Retry-After runs. A v1 row lacks its hardware,
bounds and display name until read, so each is read once (again after a state change); a v2 list carries
every column, so a v2 endpoint's full read (status messages, etags) is made only for the rows the user
looks at and those a wait watches.

A mixin of ``EndpointStore``, kept apart so the store module stays about the list and its state; the
attributes below are the store's, named here for the type checker.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Awaitable, Callable, Container, Iterable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from tui.api.domain import Endpoint, Phase
from tui.api.errors import APIError, NotFoundError, RateLimitError
from tui.core.details import DetailCache, progress
from tui.core.store_events import Changed, StoreEvent
from tui.core.waits import WaitTracker

if TYPE_CHECKING:
    from tui.api.domain import Deployment
    from tui.api.provider import Provider

log = logging.getLogger(__name__)
#: While details stream in, views hear of them at most this often (seconds).
DETAIL_NEWS_EVERY = 0.25
#: Reads of rows nobody is looking at, in flight at once (the rest of the concurrency is for what is seen).
BACKGROUND_CONCURRENCY = 4
#: Seconds a read of a row on screen holds back the reads of the rest (``_seen_reads``); past that (a hung
#: request, waiting for its time-out) the rest is read beside it.
SEEN_FIRST_FOR = 2.0
#: Seconds between two starts of such reads: at most 200 a second, whatever the API's latency.
DETAIL_PACE = 0.005
#: Failures in a row (not 429s) that stop the reads until the next poll: an outage, not one bad endpoint.
GIVE_UP_AFTER = 3
#: The longest hold after 429s that named no Retry-After (doubling from 2 s).
MAX_HOLD = 60.0
#: After a list with new rows, while the view has not said which rows it shows (its first draw of 5,000 rows
#: may take a while on a busy machine), the rest of the account waits up to this long, looking again every
#: ``VIEW_LOOK_EVERY``, rather than start with rows nobody sees. Without a view (no ``set_priority``) it waits not.
VIEW_GRACE = 3.0
VIEW_LOOK_EVERY = 0.05
#: A moving v2 endpoint the user watches whose list summary says nothing new is read again this often
#: (seconds; ``StoreDetails._watched``): a poll every 2 s would otherwise read it in full each time.
WATCH_EVERY = 10.0


class DetailQueue:
    """Which endpoint to read next. No I/O: the store's task asks, reads and reports back."""

    def __init__(self) -> None:
        #: Rows that lack details (read in the background), in list order; ``owed`` says which still do.
        self.backlog: deque[str] = deque()
        self.owed: set[str] = set()
        #: Endpoints whose full read is missing or stale, read only when looked at.
        self.on_demand: set[str] = set()
        #: Read as soon as a slot is free, needed or not (watched by a wait, or failed with a 429).
        self.urgent: dict[str, None] = {}
        #: What the view said it is about to show (``prefer``): after the visible rows.
        self.preferred: list[str] = []
        self.in_flight: set[str] = set()

    def needed(self, endpoint_id: str) -> bool:
        return endpoint_id in self.owed or endpoint_id in self.on_demand

    def reading(self, endpoint_id: str) -> bool:
        """Its read is out or about to go (a wait on it waits for what the read says)."""
        return endpoint_id in self.in_flight or endpoint_id in self.urgent

    def __bool__(self) -> bool:
        return bool(self.owed or self.urgent or self.in_flight)

    def replace(self, owed: list[str], on_demand: list[str], keep: Container[str]) -> None:
        """What a new list wants read; what it no longer shows is dropped."""
        self.backlog = deque(key for key in owed if key in keep)
        self.owed = set(self.backlog)
        self.on_demand = {key for key in on_demand if key in keep}
        self.urgent = {key: None for key in self.urgent if key in keep}

    def hurry(self, endpoint_id: str) -> None:
        self.urgent[endpoint_id] = None

    def backlogged(self) -> bool:
        """Some row nobody looks at still waits for its read."""
        backlog = self.backlog
        while backlog and (backlog[0] not in self.owed or backlog[0] in self.in_flight):
            backlog.popleft()
        return bool(backlog)

    def next(self, selected: str | None, visible: Iterable[str], *, background: bool) -> str | None:
        """The next id to read; with ``background`` the rest of the account too. None when nothing is due."""
        if selected is not None and selected not in self.in_flight and self.needed(selected):
            return selected
        while self.urgent:
            key = next(iter(self.urgent))
            del self.urgent[key]
            if key not in self.in_flight:
                return key
        for key in (*visible, *self.preferred):
            if key not in self.in_flight and self.needed(key):
                return key
        if background and self.backlogged():
            return self.backlog.popleft()
        return None

    def done(self, endpoint_id: str) -> None:
        self.owed.discard(endpoint_id)
        self.on_demand.discard(endpoint_id)

    def again(self, endpoint_id: str, *, background: bool) -> None:
        """Refused for now (429): first in its line once the hold is over."""
        if background:
            self.backlog.appendleft(endpoint_id)
        elif not self.needed(endpoint_id):
            self.hurry(endpoint_id)

    def give_up(self) -> None:
        """Until the next poll says again what is wanted."""
        self.owed.clear()
        self.backlog.clear()
        self.on_demand.clear()
        self.urgent.clear()


class StoreDetails:
    if TYPE_CHECKING:
        provider: Provider
        clock: Callable[[], datetime]
        waits: WaitTracker
        _details: DetailCache
        _listed: dict[str, Endpoint]
        _endpoints: dict[str, Endpoint]
        _parents: dict[str, str]
        _fetched: dict[str, datetime]
        _detail_concurrency: int
        _priority: Callable[[], tuple[str | None, Iterable[str]]]
        _viewed: bool
        _sleep: Callable[[float], Awaitable[None]]

        def locate(self, key: str) -> tuple[Endpoint, Deployment | None] | None: ...

        def _emit(self, event: StoreEvent) -> None: ...

        def _check_waits(self) -> None: ...

        def _stored(self, endpoint: Endpoint) -> None: ...

    def _init_details(self) -> None:
        self._queue = DetailQueue()
        self._detail_task: asyncio.Task[None] | None = None
        self._detail_wake = asyncio.Event()
        self._news: set[str] = set()
        self._news_task: asyncio.Task[None] | None = None
        self._resume = asyncio.Event()
        self._resume.set()
        #: Details wait, after a start before any view (``begin``), until ``release_details``.
        self._details_held = False
        self._hold_task: asyncio.Task[None] | None = None
        self._holds = 0
        self._detail_errors = 0
        self._pace_lock = asyncio.Lock()
        self._background_concurrency = BACKGROUND_CONCURRENCY
        self._pace = DETAIL_PACE
        #: A list was applied and the view has not said yet what it shows of it.
        self._unseen = False
        self._grace: asyncio.Task[None] | None = None

    # What is wanted

    def prefer(self, keys: Iterable[str]) -> None:
        """The view is about to show these rows (it scrolled): their details before the rest of the account."""
        self._queue.preferred = [self._parents.get(key, key) for key in keys]
        self._want_details()

    def _watched(self) -> list[str]:
        """v2 endpoints changing under a wait or the cursor, read again while they move so the service's own
        words ("Cannot place replicas: insufficient GPU capacity") show as they change: at once when the list
        says something moved since their last read (a state, bounds, replicas ready or desired), else once
        their last read is ``WATCH_EVERY`` old. Steady rows cost nothing beyond the list.

        UNVERIFIED about the real API: whether a deployment's ``status.message`` changes only with what the
        endpoint list's summary carries (its state and replica counts; the list has no message and no
        deployment etag). If it also changes on its own (a new reason while still PROVISIONING, 0 of 1
        ready), the new words show within ``WATCH_EVERY`` rather than at the next poll.
        """
        waited = {self._parents.get(key, key) for key in self.waits.ids()}
        selected, _ = self._priority()
        located = self.locate(selected) if selected else None
        candidates = waited | ({located[0].id} if located is not None else set())
        ids = []
        for endpoint_id in candidates:
            endpoint = self._endpoints.get(endpoint_id)
            if endpoint is None or not endpoint.deployments:
                continue
            moving = endpoint.phase.transitional
            if not ((endpoint_id in waited and (moving or endpoint.phase is Phase.DEGRADED)) or moving):
                continue
            cached, listed, read_at = (self._details.get(endpoint_id), self._listed.get(endpoint_id),
                                       self._fetched.get(endpoint_id))
            if (cached is None or listed is None or read_at is None or progress(cached) != progress(listed)
                    or (self.clock() - read_at).total_seconds() >= WATCH_EVERY):
                ids.append(endpoint_id)
        return ids

    def _looked_at(self) -> tuple[str | None, list[str]]:
        """The endpoint under the cursor and those of the visible rows (a deployment row stands for its own)."""
        selected, visible = self._priority()
        parent = self._parents.get
        return (parent(selected, selected) if selected else None), [parent(key, key) for key in visible]

    def _want_details(self) -> None:
        if self._details_held:
            return
        if self._detail_task is not None and not self._detail_task.done():
            self._detail_wake.set()
        elif self._queue or self._queue.on_demand:
            self._detail_task = asyncio.ensure_future(self._work_details())

    # Reading

    async def _work_details(self) -> None:
        running: dict[asyncio.Task[Any], bool] = {}
        self._started: dict[asyncio.Task[Any], float] = {}
        loop = asyncio.get_running_loop()
        try:
            while True:
                self._detail_wake.clear()
                selected, visible = self._looked_at()
                while len(running) < self._detail_concurrency:
                    if (key := self._queue.next(selected, visible, background=False)) is not None:
                        self._queue.in_flight.add(key)
                        task = asyncio.ensure_future(self._read(key))
                        running[task] = False
                        self._started[task] = loop.time()
                    elif (sum(running.values()) < self._background_concurrency and self._queue.backlogged()
                          and not self._seen_reads(running)
                          and not self._waiting_for_view(selected, visible, running)):
                        # A paced slot: which row it reads is chosen when it may send, from what is seen then.
                        running[asyncio.ensure_future(self._read(None))] = True
                    else:
                        break
                if not running:
                    return
                wake = asyncio.ensure_future(self._detail_wake.wait())
                # A seen read that holds the rest back is looked at again when its hold ends.
                now = loop.time()
                holding = [left for task, paced in running.items() if not paced and task in self._started
                           and (left := self._started[task] + SEEN_FIRST_FOR - now) > 0]
                try:
                    done, _ = await asyncio.wait({*running, wake}, return_when=asyncio.FIRST_COMPLETED,
                                                 timeout=min(holding) if holding and self._queue.backlogged() else None)
                finally:
                    wake.cancel()
                for task in done:
                    running.pop(task, None)
                    self._started.pop(task, None)
        finally:
            for task in running:
                task.cancel()
            # Over: a wish from here on (a view that hears the news below and prefers rows) starts a new run.
            self._detail_task = None
            # The batch is over: the views hear of its last reads now, not a quarter second later.
            self._tell_details()

    def _seen_reads(self, running: dict[asyncio.Task[Any], bool]) -> bool:
        """Reads of what is seen still in flight: the rest waits for them. Started beside them, a paced read
        reached the API before the last of them (15 of the first screen's 18 rows, behind a row nobody saw,
        at 5,000 endpoints): first means answered first, not only asked first. For ``SEEN_FIRST_FOR`` at
        most: a read that hangs (until its time-out) no longer holds back every other row's."""
        now = asyncio.get_running_loop().time()
        return any(not paced and task is not self._grace and now - self._started.get(task, now) < SEEN_FIRST_FOR
                   for task, paced in running.items())

    def _waiting_for_view(self, selected: str | None, visible: list[str], running: dict[asyncio.Task[Any], bool]
                          ) -> bool:
        if self._unseen and self._viewed:
            self._unseen = False
            if selected is None and not visible and not self._queue.preferred:
                self._grace = asyncio.ensure_future(self._view_grace())
                running[self._grace] = False  # its end wakes the loop
        return self._grace is not None and not self._grace.done()

    async def _view_grace(self) -> None:
        for _ in range(round(VIEW_GRACE / VIEW_LOOK_EVERY)):
            await self._sleep(VIEW_LOOK_EVERY)
            selected, visible = self._looked_at()
            if selected is not None or visible or self._queue.preferred:
                return

    async def _read(self, key: str | None) -> None:
        """Read ``key``, or (None) after the pace whichever endpoint is due then."""
        paced = key is None
        if key is None:
            async with self._pace_lock:
                await self._sleep(self._pace)
            await self._resume.wait()
            selected, visible = self._looked_at()
            if (key := self._queue.next(selected, visible, background=True)) is None:
                return
            self._queue.in_flight.add(key)
        try:
            await self._resume.wait()
            try:
                endpoint = await self.provider.get_endpoint(key)
            except RateLimitError as exc:
                self._hold(exc.retry_after)
                self._queue.again(key, background=paced)
                return
            except NotFoundError:
                self._queue.done(key)  # deleted since the list was read; the next poll drops the row
                return
            except APIError as exc:
                self._queue.done(key)
                self._detail_errors += 1
                log.warning("detail read of %s failed: %s", key, exc)
                if self._detail_errors >= GIVE_UP_AFTER:
                    self._detail_errors = 0  # the next poll tries again, from a clean count
                    self._queue.give_up()
                return
            self._detail_errors = self._holds = 0
            self._queue.done(key)
            self._arrived(key, endpoint)
        finally:
            self._queue.in_flight.discard(key)
            if self.waits.ids():
                self._check_waits()  # a wait held for this read's reason ends now

    def _hold(self, retry_after: float | None) -> None:
        """A 429: no detail request goes out until the service's Retry-After (or a doubling wait) is over."""
        self._holds += 1
        if not self._resume.is_set():
            return  # the requests sent before the hold come back refused too: one hold covers them
        delay = retry_after if retry_after else min(MAX_HOLD, 2.0 * 2 ** (self._holds - 1))
        log.info("detail reads held %.1f s after a 429", delay)
        self._resume.clear()
        self._hold_task = asyncio.ensure_future(self._release(delay))

    async def _release(self, delay: float) -> None:
        try:
            await self._sleep(delay)
        finally:
            self._resume.set()

    def _arrived(self, key: str, endpoint: Endpoint) -> None:
        self._fetched[key] = self.clock()
        self._details.store(endpoint)
        listed = self._listed.get(key)
        if listed is None:
            return  # no longer listed: the next list drops it
        self._stored(self._details.merge(listed))
        self._news.add(key)
        if self._news_task is None:
            self._news_task = asyncio.ensure_future(self._news_later())

    # News

    async def _news_later(self) -> None:
        """Details stream in one by one, thousands on a large account: the views hear of them a few times a
        second, with the ids that changed, not once per endpoint."""
        await self._sleep(DETAIL_NEWS_EVERY)
        self._news_task = None
        self._tell_details()

    def _tell_details(self) -> None:
        if self._news_task is not None:
            self._news_task.cancel()
            self._news_task = None
        if self._news:
            ids, self._news = frozenset(self._news), set()
            self._emit(Changed(status=False, ids=ids))

    def _news_covered(self) -> None:
        """A full re-sync is being told: it covers the details heard so far."""
        self._news.clear()
        if self._news_task is not None:
            self._news_task.cancel()
            self._news_task = None

    def _stop_details(self) -> None:
        for task in (self._detail_task, self._news_task, self._hold_task, self._grace):
            if task is not None:
                task.cancel()
