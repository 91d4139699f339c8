"""The store's detail reads at scale, against a fake provider on a fake clock: the poll ends with its list, the
reads follow in their own task (what is looked at first, the rest at a bounded pace, held by 429s), the views
hear which endpoints changed, and the list is applied in slices without undoing what happened meanwhile."""

from __future__ import annotations

import asyncio
import heapq
import itertools
from collections.abc import AsyncIterator, Iterable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fakes import FakeProvider, endpoint

from tui.api.domain import Deployment, Endpoint, Phase
from tui.api.errors import RateLimitError, ServerError
from tui.core import store_apply
from tui.core.store import Changed, EndpointStore
from tui.core.store_details import BACKGROUND_CONCURRENCY, DETAIL_NEWS_EVERY, DETAIL_PACE, GIVE_UP_AFTER, VIEW_GRACE
from tui.core.waits import WaitTarget


class FakeTime:
    """A clock and a sleep that move only when the test says: ``sleep`` waits until ``run`` passes its time."""

    def __init__(self) -> None:
        self.now = datetime(2026, 1, 15, 12, 0, tzinfo=UTC)
        self._sleepers: list[tuple[datetime, int, asyncio.Future[None]]] = []
        self._order = itertools.count()
        #: Every sleep asked for, in seconds, in order.
        self.slept: list[float] = []

    def __call__(self) -> datetime:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        future = asyncio.get_running_loop().create_future()
        heapq.heappush(self._sleepers, (self.now + timedelta(seconds=seconds), next(self._order), future))
        await future

    async def run(self, seconds: float = 0.0, *, step: float = 0.01) -> None:
        """Let the loop run while the clock moves ``seconds`` forward, waking sleepers as their time comes."""
        end = self.now + timedelta(seconds=seconds)
        while True:
            await turns()
            while self._sleepers and self._sleepers[0][0] <= self.now:
                _, _, future = heapq.heappop(self._sleepers)
                if not future.done():
                    future.set_result(None)
                await turns()
            if self.now >= end:
                return
            self.now = min(end, self.now + timedelta(seconds=step))


async def turns(count: int = 12) -> None:
    for _ in range(count):
        await asyncio.sleep(0)


class SlowProvider(FakeProvider):
    """Each detail read takes a loop turn (so several are in flight), or waits for ``gate`` when it is set."""

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self.gate: asyncio.Event | None = None
        self.in_flight = 0
        self.peak = 0
        self.log: list[str] = []

    async def get_endpoint(self, endpoint_id: str) -> Endpoint:
        self.in_flight += 1
        self.peak = max(self.peak, self.in_flight)
        self.log.append(f"get {endpoint_id}")
        try:
            if self.gate is not None:
                await self.gate.wait()
            await asyncio.sleep(0)
            return await super().get_endpoint(endpoint_id)
        finally:
            self.in_flight -= 1


def v1_account(count: int) -> SlowProvider:
    return SlowProvider(detailed_lists=False).add(*(endpoint(f"e{i:03}") for i in range(count)))


@pytest.fixture
def time() -> FakeTime:
    return FakeTime()


def make_store(provider: FakeProvider, time: FakeTime, *, looked_at: tuple[str | None, Iterable[str]] = (None, ()),
               **options: Any) -> EndpointStore:
    store = EndpointStore(provider, clock=time, slow=3600, fast=3600, sleep=time.sleep, **options)
    store.set_priority(lambda: looked_at)
    store.events = []  # type: ignore[attr-defined]
    store.subscribe(store.events.append)  # type: ignore[attr-defined]
    return store


def start(store: EndpointStore, running: list[EndpointStore]) -> None:
    running.append(store)
    store.task = asyncio.ensure_future(store.run())  # type: ignore[attr-defined]


def reads(provider: FakeProvider) -> list[str]:
    return [args[0] for args in provider.called("get_endpoint")]


def news(store: EndpointStore) -> list[Changed]:
    return [e for e in store.events if isinstance(e, Changed) and e.rows]  # type: ignore[attr-defined]


@pytest.fixture
async def stores() -> AsyncIterator[list[EndpointStore]]:
    started: list[EndpointStore] = []
    yield started
    for store in started:
        store.task.cancel()  # type: ignore[attr-defined]
        await store.aclose()


async def test_the_selection_then_the_visible_rows_then_the_preferred_then_the_rest_in_list_order(
    time: FakeTime, stores: list[EndpointStore]
) -> None:
    provider = v1_account(8)
    store = make_store(provider, time, looked_at=("e005", ["e002", "e006"]), detail_concurrency=1)
    store.prefer(["e007"])
    start(store, stores)
    await time.run(1)
    assert reads(provider) == ["e005", "e002", "e006", "e007", "e000", "e001", "e003", "e004"]
    assert all(item.detailed and item.hardware_id for item in store.endpoints.values())


async def test_no_row_nobody_sees_is_read_while_a_seen_row_s_read_is_in_flight(
    time: FakeTime, stores: list[EndpointStore]
) -> None:
    """Started beside the last reads of the first screen, a paced read reached the API before one of them."""
    provider = v1_account(12)
    seen = ["e000", "e001", "e002"]
    gates = {key: asyncio.Event() for key in seen}
    real = provider.get_endpoint
    asked: list[str] = []

    async def get(endpoint_id: str) -> Endpoint:
        asked.append(endpoint_id)
        if endpoint_id in gates:
            await gates[endpoint_id].wait()
        return await real(endpoint_id)

    provider.get_endpoint = get  # type: ignore[method-assign]
    store = make_store(provider, time, looked_at=(None, seen), detail_concurrency=8)
    start(store, stores)
    await time.run(1)
    assert sorted(asked) == seen, "the seen rows, and nothing else while they are read"
    gates["e000"].set()
    gates["e001"].set()
    await time.run(1)
    assert sorted(asked) == seen, "one of them is still being read"
    gates["e002"].set()
    await time.run(2)
    assert sorted(asked) == [f"e{i:03}" for i in range(12)]


async def test_a_poll_ends_when_its_list_is_applied_and_the_hung_timer_times_the_list_only(
    time: FakeTime, stores: list[EndpointStore]
) -> None:
    provider = v1_account(4)
    provider.gate = asyncio.Event()
    store = make_store(provider, time, looked_at=(None, ["e000"]))
    start(store, stores)
    await time.run()
    # The rows are there, the poll is over, the reads are still out.
    assert list(store.endpoints) == ["e000", "e001", "e002", "e003"]
    assert store._poll_task is None and provider.in_flight > 0 and not store.idle
    assert news(store) and news(store)[-1].ids is None
    await time.run(30)
    assert "no answer" not in store.status() and store.ok()
    assert store.status() == "updated 30 s ago"
    # r while the details load: a new list at once, no hung poll abandoned, no read sent twice.
    store.poll_now()
    await time.run()
    assert provider.list_calls == 2 and sorted(reads(provider)) == sorted(set(reads(provider)))
    provider.gate.set()
    await time.run(1)
    assert store.idle and all(item.detailed for item in store.endpoints.values())
    assert sorted(reads(provider)) == ["e000", "e001", "e002", "e003"]


async def test_the_rest_of_the_account_is_read_at_a_bounded_pace_and_once(
    time: FakeTime, stores: list[EndpointStore]
) -> None:
    provider = v1_account(30)
    store = make_store(provider, time, detail_concurrency=6)
    start(store, stores)
    await time.run(VIEW_GRACE)
    await time.run(0.1)
    # Nobody looks at these rows: a few at once, one start per DETAIL_PACE of the (fake) clock.
    assert 0 < len(reads(provider)) <= 0.1 / DETAIL_PACE + 1
    await time.run(5)
    assert sorted(reads(provider)) == [f"e{i:03}" for i in range(30)]
    assert provider.peak <= BACKGROUND_CONCURRENCY
    assert time.slept.count(DETAIL_PACE) >= 30
    # Steady polls: the list, nothing else.
    for _ in range(3):
        store.poll_now()
        await time.run(1)
    assert provider.list_calls == 4 and len(reads(provider)) == 30
    # A state change reads that one again, no other.
    provider.accounts["e007"] = replace(provider.accounts["e007"], phase=Phase.STOPPED, state="STOPPED")
    store.poll_now()
    await time.run(1)
    assert reads(provider)[30:] == ["e007"]


async def test_a_429_holds_every_read_for_its_retry_after_then_they_go_on(
    time: FakeTime, stores: list[EndpointStore]
) -> None:
    provider = v1_account(5)
    provider.failures["get_endpoint"] = [RateLimitError("slow down", status=429, retry_after=7)]
    original = provider.get_endpoint

    async def get(endpoint_id: str) -> Endpoint:
        provider.log.append(f"at {(time.now - start_at).total_seconds():.2f}")
        return await original(endpoint_id)

    start_at = time.now
    provider.get_endpoint = get  # type: ignore[method-assign]
    store = make_store(provider, time, looked_at=(None, ["e000", "e001", "e002", "e003", "e004"]),
                       detail_concurrency=1)
    start(store, stores)
    await time.run(3)
    assert reads(provider) == ["e000"]  # refused, and nothing since
    await time.run(5)
    assert 7 in time.slept
    assert reads(provider) == ["e000", "e000", "e001", "e002", "e003", "e004"]
    times = [float(line.split()[1]) for line in provider.log if line.startswith("at")]
    assert times[0] == 0 and all(t >= 7 for t in times[1:])
    assert all(item.detailed for item in store.endpoints.values())


async def test_429s_without_retry_after_double_the_hold(time: FakeTime, stores: list[EndpointStore]) -> None:
    provider = v1_account(2)
    provider.failures["get_endpoint"] = [RateLimitError("slow down", status=429) for _ in range(3)]
    store = make_store(provider, time, looked_at=(None, ["e000", "e001"]), detail_concurrency=1)
    start(store, stores)
    await time.run(30)
    holds = [seconds for seconds in time.slept if seconds not in (DETAIL_PACE, DETAIL_NEWS_EVERY)]
    assert holds == [2, 4, 8]
    assert reads(provider) == ["e000"] * 4 + ["e001"]


async def test_an_outage_stops_the_reads_until_the_next_poll(time: FakeTime, stores: list[EndpointStore]) -> None:
    provider = v1_account(10)
    provider.failures["get_endpoint"] = [ServerError("down", status=503) for _ in range(GIVE_UP_AFTER)]
    store = make_store(provider, time, looked_at=(None, [f"e{i:03}" for i in range(10)]), detail_concurrency=1)
    start(store, stores)
    await time.run(5)
    assert len(reads(provider)) == GIVE_UP_AFTER and store.idle
    store.poll_now()
    await time.run(5)
    assert sorted(set(reads(provider))) == [f"e{i:03}" for i in range(10)]
    assert all(item.detailed for item in store.endpoints.values())
    # One failure after an outage is one endpoint's, not another outage.
    provider.failures["get_endpoint"] = [ServerError("one bad", status=500)]
    for key in ("e001", "e002"):
        provider.accounts[key] = replace(provider.accounts[key], phase=Phase.STOPPED, state="STOPPED")
    store.poll_now()
    await time.run(5)
    assert reads(provider)[-2:] == ["e001", "e002"] and store.get("e002").state == "STOPPED"  # type: ignore[union-attr]


async def test_detail_news_names_the_endpoints_and_comes_a_few_times_a_second(
    time: FakeTime, stores: list[EndpointStore]
) -> None:
    provider = v1_account(40)
    store = make_store(provider, time)
    start(store, stores)
    await time.run(0.01)
    listed = len(news(store))
    assert listed == 1 and news(store)[0].ids is None
    await time.run(5)
    detail_news = news(store)[listed:]
    assert all(item.ids for item in detail_news) and not any(item.status for item in detail_news)
    assert frozenset().union(*(item.ids or () for item in detail_news)) == set(store.endpoints)
    # 40 reads one DETAIL_PACE apart: a piece of news per DETAIL_NEWS_EVERY, and the last at once.
    assert len(detail_news) <= 40 * DETAIL_PACE / DETAIL_NEWS_EVERY + 2


async def test_v2_rows_are_read_in_full_only_when_looked_at(time: FakeTime, stores: list[EndpointStore]) -> None:
    def tree(endpoint_id: str, *, detailed: bool) -> Endpoint:
        deployment = Deployment(f"{endpoint_id}-d", f"p/{endpoint_id}/d", "m", "h100", "DEPLOYMENT_STATE_READY",
                                Phase.READY, min_replicas=1, max_replicas=2, detailed=detailed,
                                status_message="All replicas ready" if detailed else None)
        return endpoint(endpoint_id, api="v2", deployments=(deployment,))

    class Tree(SlowProvider):
        async def list_endpoints(self, *, include_serverless: bool = False) -> list[Endpoint]:
            self._called("list_endpoints", include_serverless)
            return [tree(key, detailed=False) for key in self.accounts]

    provider = Tree().add(*(tree(f"v{i}", detailed=True) for i in range(20)))
    looked_at: list[Any] = ["v3-d", ["v3", "v3-d", "v4", "v4-d"]]
    store = make_store(provider, time)
    store.set_priority(lambda: (looked_at[0], looked_at[1]))
    start(store, stores)
    await time.run(1)
    assert sorted(reads(provider)) == ["v3", "v4"]
    assert store.locate("v3-d")[1].status_message == "All replicas ready"  # type: ignore[index,union-attr]
    # The view scrolls: the new rows are read, the old ones not again.
    looked_at[:] = [None, ["v9", "v9-d"]]
    store.prefer(["v9", "v9-d"])
    await time.run(1)
    store.poll_now()
    await time.run(1)
    assert sorted(reads(provider)) == ["v3", "v4", "v9"]


async def test_the_list_is_applied_in_slices_and_what_happened_meanwhile_stays(
    time: FakeTime, stores: list[EndpointStore], monkeypatch: pytest.MonkeyPatch
) -> None:
    provider = v1_account(200)
    store = make_store(provider, time, looked_at=(None, ["e100"]))
    start(store, stores)
    await time.run(5)
    assert all(item.detailed for item in store.endpoints.values())
    # A slice of no time at all: the apply yields every few endpoints.
    monkeypatch.setattr(store_apply, "APPLY_BUDGET", 0.0)
    provider.accounts["e100"] = replace(provider.accounts["e100"], phase=Phase.STOPPED, state="STOPPED",
                                        display_name="Renamed")
    gone = store.get("e150")
    store.poll_now()
    yields = 0
    for _ in range(1000):
        if store._poll_task is not None and store._meanwhile is not None:
            break
        await asyncio.sleep(0)
    # While the list is applied: the old rows are still shown whole; a delete and a detail land meanwhile.
    while store._meanwhile is not None:
        yields += 1
        assert len(store.endpoints) == (200 if yields <= 2 else 199)
        if yields == 2:
            store._forget("e150")
            del provider.accounts["e150"]
            store._arrived("e010", replace(provider.accounts["e010"], display_name="Fresh"))
        await asyncio.sleep(0)
    assert yields > 5
    assert gone is not None and "e150" not in store.endpoints
    assert store.get("e010").display_name == "Fresh"  # type: ignore[union-attr]
    await time.run(1)
    assert store.get("e100").state == "STOPPED" and store.get("e100").display_name == "Renamed"  # type: ignore[union-attr]
    assert reads(provider)[200:] == ["e100"]


async def test_a_failed_wait_waits_for_the_read_that_says_why(time: FakeTime, stores: list[EndpointStore]) -> None:
    provider = v1_account(3)
    provider.gate = asyncio.Event()
    provider.gate.set()
    store = make_store(provider, time, looked_at=(None, ["e000", "e001", "e002"]))
    start(store, stores)
    await time.run(1)
    store.waits.expect(store.get("e001"), WaitTarget.READY, time.now)  # type: ignore[arg-type]
    provider.accounts["e001"] = replace(provider.accounts["e001"], phase=Phase.FAILED, state="ERROR",
                                        status_message="Cannot place replicas: insufficient GPU capacity")
    provider.gate.clear()
    store.poll_now()
    await time.run(1)
    said = [e for e in store.events if not isinstance(e, Changed)]  # type: ignore[attr-defined]
    assert said == [] and "e001" in store.waits  # its read is out: the wait holds for its reason
    provider.gate.set()
    await time.run(1)
    said = [e for e in store.events if not isinstance(e, Changed)]  # type: ignore[attr-defined]
    assert len(said) == 1 and "insufficient GPU capacity" in said[0].message


async def test_until_the_view_says_what_it_shows_the_rest_of_the_account_waits_a_moment(
    time: FakeTime, stores: list[EndpointStore]
) -> None:
    provider = v1_account(50)
    looked_at: list[Any] = [None, []]
    store = make_store(provider, time)
    store.set_priority(lambda: (looked_at[0], looked_at[1]))
    start(store, stores)
    await time.run(VIEW_GRACE / 2)
    assert reads(provider) == []
    # The view's first draw: its rows, the cursor on the first.
    looked_at[:] = ["e040", ["e040", "e041", "e042"]]
    store.prefer(["e040", "e041", "e042"])
    await time.run(VIEW_GRACE)
    assert reads(provider)[:3] == ["e040", "e041", "e042"]
    await time.run(5)
    assert len(reads(provider)) == 50


async def test_without_a_view_the_reads_start_at_once(time: FakeTime, stores: list[EndpointStore]) -> None:
    provider = v1_account(3)
    store = EndpointStore(provider, clock=time, slow=3600, fast=3600, sleep=time.sleep)
    start(store, stores)
    await time.run(0.1)
    assert len(reads(provider)) == 3


async def test_a_view_that_prefers_rows_as_it_hears_the_last_news_gets_them(
    time: FakeTime, stores: list[EndpointStore]
) -> None:
    provider = v1_account(4)
    store = make_store(provider, time, looked_at=(None, ["e000"]), detail_concurrency=1)
    store._background_concurrency = 0  # only what the view asks for
    asked: list[bool] = []

    def view(event: object) -> None:
        if isinstance(event, Changed) and event.ids and not asked:
            asked.append(True)
            store.prefer(["e003"])  # from inside the run's last news

    store.subscribe(view)
    start(store, stores)
    await time.run(1)
    assert reads(provider) == ["e000", "e003"]
    await asyncio.wait_for(store.settled(), 1)
    assert store.idle
