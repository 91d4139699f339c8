"""The endpoint store: the one home of what the app knows about the account's endpoints.

One poll loop (one list request per interval: fast while anything changes state, slow when all is
steady, backing off on errors), never two polls at once, a hung poll that ``poll_now`` cancels and
sends again; a poll ends when its list is applied (in slices that let the UI run, 5,000 endpoints
included), and the details the list lacks are read in a task of their own (``store_details``: the
selected and visible rows first, the rest at a bounded pace); the states seen this session; waits
that end on success, failure, disappearance or a deadline; the state an action is expected to lead to
until the service shows it; one action per endpoint in flight. Views subscribe and redraw; the chat
waits through it; forms hand it what they created.
No Textual here: everything runs on the caller's asyncio loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Iterable, Mapping
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from tui.api.domain import Capabilities, Deployment, Endpoint, Phase
from tui.api.errors import APIError
from tui.core.details import DetailCache
from tui.core.listeners import Listeners
from tui.core.polling import PollScheduler
from tui.core.store_actions import StoreActions
from tui.core.store_apply import StoreApply
from tui.core.store_details import StoreDetails
from tui.core.store_events import Announcement, Changed, Decision, Listener, Steps, StoreEvent
from tui.core.timeline import StateTimeline
from tui.core.waits import Expected, Subject, WaitOutcome, WaitTarget, WaitTracker

if TYPE_CHECKING:
    from tui.api.provider import Provider

__all__ = ["Announcement", "Changed", "Decision", "EndpointStore", "Listener", "Steps", "StoreEvent"]

log = logging.getLogger(__name__)

#: Detail requests in flight at once: enough to fill the screen quickly, few enough to be polite.
DETAIL_CONCURRENCY = 6


class EndpointStore(StoreApply, StoreDetails, StoreActions):
    def __init__(
        self,
        provider: Provider,
        *,
        clock: Callable[[], datetime],
        slow: float = 10.0,
        fast: float = 2.0,
        wait_timeout: timedelta = timedelta(minutes=30),
        detail_concurrency: int = DETAIL_CONCURRENCY,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.provider = provider
        self.clock = clock
        self.scheduler = PollScheduler(slow=slow, fast=fast)
        self.timeline = StateTimeline()
        self.waits = WaitTracker(wait_timeout)
        self.include_serverless = False
        self.loaded = False
        self._detail_concurrency = detail_concurrency
        #: How the detail reads wait (their pace, a 429's hold, the news): a test's fake clock moves instead.
        self._sleep = sleep
        self._details = DetailCache()
        self._listed: dict[str, Endpoint] = {}
        self._endpoints: dict[str, Endpoint] = {}
        self._expected: dict[str, Expected] = {}
        self._created: dict[str, datetime] = {}
        self._listeners: Listeners[[StoreEvent]] = Listeners("store")
        self._ready_waiters: dict[str, list[asyncio.Future[WaitOutcome]]] = {}
        self._tasks: set[asyncio.Task[Any]] = set()
        self._wake = asyncio.Event()
        self._poll_task: asyncio.Task[None] | None = None
        self._again = False
        self._restart = False
        self._priority: Callable[[], tuple[str | None, Iterable[str]]] = lambda: (None, ())
        #: A view has said where to look (it may take a moment to say what it shows of a new list).
        self._viewed = False
        #: deployment id -> its endpoint's id, for every deployment shown.
        self._parents: dict[str, str] = {}
        #: While a list is applied in slices: ids an action, a form or a detail changed meanwhile (True) or
        #: forgot (False), so the list that replaces them does not undo that.
        self._meanwhile: dict[str, bool] | None = None
        #: The endpoints changing state now (the poll is fast while there are any).
        self._moving: set[str] = set()
        #: What each deployment last ran with (min, max), so a start brings those bounds back.
        self._bounds: dict[str, tuple[int, int]] = {}
        #: Each delete's steps as the provider tells them, by the id deleted.
        self._steps: dict[str, Steps] = {}
        self._fetched: dict[str, datetime] = {}
        self._init_details()

    # Reading

    @property
    def endpoints(self) -> Mapping[str, Endpoint]:
        """Every endpoint, list items with their cached details, in list order."""
        return self._endpoints

    @property
    def capabilities(self) -> Capabilities | None:
        """What the control plane can do, when it says; None for a provider that predates them (v1)."""
        capabilities = getattr(self.provider, "capabilities", None)
        return capabilities if isinstance(capabilities, Capabilities) else None

    def get(self, endpoint_id: str) -> Endpoint | None:
        return self._endpoints.get(endpoint_id)

    def locate(self, key: str) -> tuple[Endpoint, Deployment | None] | None:
        """The endpoint a row key names, with the deployment when the key is a deployment's."""
        if (endpoint := self._endpoints.get(key)) is not None:
            return endpoint, None
        parent = self._endpoints.get(self._parents.get(key, ""))
        if parent is None:
            return None
        deployment = next((d for d in parent.deployments if d.id == key), None)
        return (parent, deployment) if deployment is not None else None

    def details_age(self, endpoint_id: str) -> timedelta | None:
        """How long ago this endpoint's details (and so its etags) were read; None if never."""
        fetched = self._fetched.get(endpoint_id)
        return None if fetched is None else self.clock() - fetched

    def known_bounds(self, deployment_id: str) -> tuple[int, int] | None:
        """The bounds this deployment last ran with in this session, if it did."""
        return self._bounds.get(deployment_id)

    def steps(self, target_id: str) -> Steps | None:
        return self._steps.get(target_id)

    def expected(self, endpoint_id: str) -> Expected | None:
        return self._expected.get(endpoint_id)

    def in_flight(self, endpoint_id: str) -> bool:
        """An action on this endpoint or deployment (or, for an endpoint, on any of its deployments) is out."""
        if endpoint_id in self._expected:
            return True
        endpoint = self._endpoints.get(endpoint_id)
        return endpoint is not None and any(d.id in self._expected for d in endpoint.deployments)

    @property
    def busy(self) -> bool:
        """Anything changing state, or about to: poll at the fast interval."""
        return (
            bool(self._expected)
            or len(self.waits) > 0
            or bool(self._moving)
        )

    def status(self) -> str:
        """The connection in a few words: ``updated 12 s ago``, ``503 server error — retrying in 4 s``."""
        return self.scheduler.status(self.clock())

    def ok(self) -> bool:
        """The last poll succeeded and none is hung: the header's green dot."""
        return self.scheduler.ok(self.clock())

    @property
    def idle(self) -> bool:
        """No poll, no action and no detail read in flight (the loop may be sleeping until the next poll)."""
        return not self._tasks and all(task is None or task.done() for task in (self._poll_task, self._detail_task))

    async def settled(self) -> None:
        """Until the poll, the actions and the detail reads in flight are done, and what they started (tests)."""
        for _ in range(10):
            pending = [task for task in (self._poll_task, *self._tasks, self._detail_task)
                       if task is not None and not task.done()]
            if not pending:
                return
            await asyncio.wait(pending)
            await asyncio.sleep(0)

    # Subscriptions

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        """Tell ``listener`` of every change and announcement, in the context it subscribed from."""
        return self._listeners.subscribe(listener)

    def set_priority(self, priority: Callable[[], tuple[str | None, Iterable[str]]]) -> None:
        """Where the view's selection and visible rows are, so their details come first."""
        self._priority = priority
        self._viewed = True

    def release_details(self) -> None:
        """Details may be read now (a start that ``begin`` held: the app's first frame is on screen)."""
        if self._details_held:
            self._details_held = False
            self._want_details()

    def _emit(self, event: StoreEvent) -> None:
        self._listeners.emit(event)

    def _announce(self, message: str, *, title: str = "", severity: str = "information", ring: bool = False) -> None:
        self._emit(Announcement(message, title, severity, ring))

    # Polling

    def begin(self) -> None:
        """Send the first list now, before any view exists (the CLI does, while the app's modules load):
        ``run`` takes this poll as its first. Details wait for ``release_details``: read before a view says
        where it looks, they would come in list order (the first screen's rows last), and answers read
        before the first frame would only delay it."""
        if self._poll_task is not None or self.loaded:
            return
        self._details_held = True
        self._poll_task = asyncio.ensure_future(self._poll_once())
        self.scheduler.sent(self.clock())

    async def run(self) -> None:
        """Poll until cancelled. The app runs this once, for its lifetime."""
        begun = self._poll_task
        while True:
            if begun is not None:
                task, begun = begun, None
            else:
                task = asyncio.ensure_future(self._poll_once())
                self._poll_task = task
                self.scheduler.sent(self.clock())
            try:
                await asyncio.wait({task})
            except asyncio.CancelledError:
                task.cancel()
                raise
            finally:
                self._poll_task = None
                self.scheduler.answered()
            if task.cancelled():
                if not self._restart:
                    raise asyncio.CancelledError
                self._restart = False
                continue
            if (error := task.exception()) is not None:
                # A bug in a poll must not end polling for the rest of the session.
                log.error("endpoint refresh failed", exc_info=error)
                self.scheduler.failed(error)
                self._emit(Changed(rows=False))
            if self._again:
                self._again = False
                continue
            delay = self.scheduler.schedule(self.clock(), busy=self.busy)
            self._emit(Changed(rows=False))
            self._wake.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=delay)

    def poll_now(self, *, details: bool = False) -> None:
        """Poll at once: right after the poll in flight, or instead of it when that one is hung."""
        if details:
            self._details.invalidate()
        task = self._poll_task
        if task is not None and not task.done():
            if self.scheduler.hung(self.clock()):
                self._restart = True
                task.cancel()
            else:
                self._again = True
            return
        self._wake.set()

    def poll_soon(self) -> None:
        """Something is about to change (an action): look again within the fast interval."""
        now = self.clock()
        remaining = self.scheduler.retry_in(now)
        if self._poll_task is not None or (remaining is not None and remaining <= self.scheduler.fast):
            return
        self.scheduler.next_due = now + timedelta(seconds=self.scheduler.fast)
        # The loop's sleep ends early only when woken; a short delayed wake keeps "soon" soon.
        loop = asyncio.get_running_loop()
        loop.call_later(self.scheduler.fast, self._wake.set)

    async def _poll_once(self) -> None:
        try:
            listed = await self.provider.list_endpoints(include_serverless=self.include_serverless)
        except APIError as exc:
            self.scheduler.failed(exc)
            self._emit(Changed(rows=False))
            return
        self.scheduler.succeeded(self.clock())
        self.scheduler.answered()  # the hung-poll timer times the list, not what is done with it
        await self._apply_list(listed)
        self._want_details()

    def _wait_subjects(self) -> dict[str, Subject]:
        """What each wait watches, looked up by its id (not a map of the whole account)."""
        subjects: dict[str, Subject] = {}
        for key in self.waits.ids():
            if (located := self.locate(key)) is not None:
                subjects[key] = located[1] or located[0]
        return subjects

    def _check_waits(self) -> None:
        """End the waits the data ends; one whose endpoint's read is out waits for what it says."""
        reading = {key for key in self.waits.ids() if self._queue.reading(self._parents.get(key, key))}
        for outcome in self.waits.check(self._wait_subjects(), self.clock(), pending=reading):
            self._ended(outcome)

    def _settle(self) -> None:
        """After any change of the data: end the waits it ends, and tell the views (every row)."""
        self._news_covered()
        self._check_waits()
        self._emit(Changed())

    def _ended(self, outcome: WaitOutcome) -> None:
        self._announce(outcome.message, title=outcome.heading, severity=outcome.severity, ring=True)
        for future in self._ready_waiters.pop(outcome.endpoint_id, []):
            if not future.done():
                future.set_result(outcome)

    # What forms and actions changed

    def adopt(self, endpoint: Endpoint, *, created: bool = False) -> None:
        """A form created or changed this endpoint: show it at once (the list may lag behind)."""
        now = self.clock()
        self._store(endpoint)
        self.timeline.note(endpoint.id, "created" if created else "updated", now)
        self.timeline.observe(endpoint, now)
        if created:
            self._created[endpoint.id] = now
            if endpoint.phase is not Phase.STOPPED:
                self.waits.expect(endpoint, WaitTarget.READY, now)
        self._settle()
        self.poll_soon()

    def _store(self, endpoint: Endpoint) -> None:
        self._details.store(endpoint)
        self._listed[endpoint.id] = endpoint
        self._stored(self._details.merge(endpoint))

    def _forget(self, endpoint_id: str) -> None:
        gone = self._endpoints.get(endpoint_id)
        for mapping in (self._listed, self._endpoints, self._expected, self._created):
            mapping.pop(endpoint_id, None)
        for deployment in gone.deployments if gone is not None else ():
            self._parents.pop(deployment.id, None)
        self._moving.discard(endpoint_id)
        self._details.forget(endpoint_id)
        self._queue.done(endpoint_id)
        self.waits.cancel(endpoint_id)
        if self._meanwhile is not None:
            self._meanwhile[endpoint_id] = False

    async def aclose(self) -> None:
        if (poll := self._poll_task) is not None:
            # Begun, and the app that was to take it over ended first: abandoned, not left to a closing loop.
            poll.cancel()
            await asyncio.gather(poll, return_exceptions=True)
        self._stop_details()
        for task in list(self._tasks):
            task.cancel()
        for waiters in self._ready_waiters.values():
            for future in waiters:
                future.cancel()
