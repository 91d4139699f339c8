"""The endpoint store against the in-memory provider: polling, details, actions, waits, hung polls."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from fakes import FakeProvider, endpoint

from tui.api.domain import Phase
from tui.api.errors import ServerError
from tui.core.store import Announcement, Changed, EndpointStore, StoreEvent


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 1, 15, 12, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


async def settle(rounds: int = 20) -> None:
    for _ in range(rounds):
        await asyncio.sleep(0)


async def no_wait(seconds: float) -> None:
    """The store's pace and holds, without the time they take (tests/test_store_details.py times them)."""
    await asyncio.sleep(0)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def provider() -> FakeProvider:
    return FakeProvider().add(endpoint("a", Phase.STOPPED, display_name="Alpha"), endpoint("b", Phase.READY))


@pytest.fixture
async def store(provider: FakeProvider, clock: Clock) -> AsyncIterator[EndpointStore]:
    store = EndpointStore(provider, clock=clock, slow=3600, fast=3600)
    store.events = []  # type: ignore[attr-defined]
    store.subscribe(store.events.append)  # type: ignore[attr-defined]
    task = asyncio.ensure_future(store.run())
    await settle()
    yield store
    task.cancel()
    await store.aclose()


def announcements(store: EndpointStore) -> list[Announcement]:
    events: list[StoreEvent] = store.events  # type: ignore[attr-defined]
    return [event for event in events if isinstance(event, Announcement)]


async def test_one_poll_loads_every_endpoint_and_tells_the_views(store: EndpointStore, provider: FakeProvider) -> None:
    assert store.loaded
    assert list(store.endpoints) == ["a", "b"]
    assert provider.called("list_endpoints") == [(False,)]
    assert any(isinstance(event, Changed) and event.rows for event in store.events)  # type: ignore[attr-defined]
    # Lists that carry every detail cost no detail requests.
    assert provider.called("get_endpoint") == []


async def test_details_are_fetched_for_what_the_list_lacks_the_selection_first(clock: Clock) -> None:
    provider = FakeProvider(detailed_lists=False).add(*(endpoint(f"e{i}") for i in range(5)))
    store = EndpointStore(provider, clock=clock, slow=3600, fast=3600, detail_concurrency=1, sleep=no_wait)
    store.set_priority(lambda: ("e3", ["e1"]))
    task = asyncio.ensure_future(store.run())
    await settle(60)
    task.cancel()
    assert [args[0] for args in provider.called("get_endpoint")] == ["e3", "e1", "e0", "e2", "e4"]
    assert all(item.detailed and item.hardware_id for item in store.endpoints.values())


async def test_start_says_what_it_sent_refuses_a_second_and_announces_ready(
    store: EndpointStore, provider: FakeProvider
) -> None:
    decision = store.start("a")
    assert decision.sent and decision.message == "Starting Alpha…"
    assert store.expected("a") is not None and store.expected("a").phase is Phase.PENDING  # type: ignore[union-attr]
    again = store.start("a")
    assert not again.sent and "already in flight" in again.message
    await settle()
    assert provider.called("start_endpoint") == [("a",)]
    assert store.expected("a") is None and "a" in store.waits
    provider.scripts["a"] = [Phase.STARTING, Phase.READY]
    for _ in range(2):
        provider.advance()
        store.poll_now()
        await settle()
    assert store.get("a").phase is Phase.READY  # type: ignore[union-attr]
    ready = [a for a in announcements(store) if a.title == "Endpoint ready"]
    assert len(ready) == 1 and ready[0].ring and "Alpha" in ready[0].message


async def test_starting_a_running_endpoint_sends_nothing(store: EndpointStore, provider: FakeProvider) -> None:
    decision = store.start("b")
    assert not decision.sent and "already STARTED" in decision.message
    await settle()
    assert provider.called("start_endpoint") == []


async def test_a_refused_action_is_announced_and_forgotten(store: EndpointStore, provider: FakeProvider) -> None:
    provider.failures["stop_endpoint"] = [ServerError("boom", status=503)]
    assert store.stop("b").sent
    await settle()
    failed = [a for a in announcements(store) if a.title == "Stop failed"]
    assert failed and failed[0].severity == "error" and "boom" in failed[0].message
    assert store.expected("b") is None and "b" not in store.waits
    # The next request is not refused as "in flight".
    assert store.stop("b").sent


async def test_a_wait_ends_on_failure(store: EndpointStore, provider: FakeProvider) -> None:
    store.start("a")
    await settle()
    provider.scripts["a"] = [Phase.FAILED]
    provider.advance()
    store.poll_now()
    await settle()
    assert [a.title for a in announcements(store)] == ["Endpoint failed"]
    assert "a" not in store.waits


async def test_wait_until_ready_resolves_for_the_chat(store: EndpointStore, provider: FakeProvider) -> None:
    store.start("a")
    await settle()
    waiting = asyncio.ensure_future(store.wait_until_ready("a"))
    await settle()
    assert not waiting.done()
    provider.scripts["a"] = [Phase.READY]
    provider.advance()
    store.poll_now()
    await settle()
    outcome = await asyncio.wait_for(waiting, 1)
    assert outcome.result.value == "reached"


async def test_a_hung_poll_is_said_and_poll_now_sends_it_again(
    store: EndpointStore, provider: FakeProvider, clock: Clock
) -> None:
    provider.hang_list = asyncio.Event()
    store.poll_now()
    await settle()
    assert len(provider.called("list_endpoints")) == 2
    clock.advance(3)
    assert "no answer" not in store.status()
    clock.advance(9)
    assert "no answer for 12 s" in store.status()
    # r while hung: the hung request is abandoned and a new one goes out at once.
    store.poll_now()
    await settle()
    assert len(provider.called("list_endpoints")) == 3
    provider.hang_list.set()
    await settle()
    assert "no answer" not in store.status()


async def test_what_a_form_created_shows_at_once_and_stays_until_the_list_has_it(
    store: EndpointStore, provider: FakeProvider, clock: Clock
) -> None:
    created = endpoint("new", Phase.PENDING, display_name="Fresh")
    store.adopt(created, created=True)
    assert "new" in store.endpoints and "new" in store.waits
    store.poll_now()
    await settle()
    assert "new" in store.endpoints  # the list lags: still shown
    clock.advance(61)
    store.poll_now()
    await settle()
    assert "new" not in store.endpoints  # never listed: dropped after a minute


async def test_delete_forgets_the_endpoint(store: EndpointStore, provider: FakeProvider) -> None:
    assert store.delete("a").message == "Deleting Alpha…"
    await settle()
    assert "a" not in store.endpoints and "a" not in provider.accounts
    assert [a.title for a in announcements(store)] == ["Endpoint deleted"]


async def test_settled_waits_for_the_action_and_the_poll_in_flight(
    store: EndpointStore, provider: FakeProvider
) -> None:
    store.start("a")
    store.poll_now()
    assert not store.idle
    await store.settled()
    assert store.idle and provider.called("start_endpoint") == [("a",)]


async def test_a_refused_start_ends_the_wait_at_once_as_failed(store: EndpointStore, provider: FakeProvider) -> None:
    """The chat waits for an endpoint it asked to start: a refused start must not leave it waiting 30 minutes."""
    provider.failures["start_endpoint"] = [ServerError("no capacity", status=503)]
    waiting = asyncio.ensure_future(store.wait_until_ready("a"))
    await settle()
    assert store.start("a").sent
    await settle()
    outcome = await asyncio.wait_for(waiting, 1)
    assert outcome.result.value == "failed"
    assert "no capacity" in outcome.message
    assert "a" not in store.waits


async def test_a_failed_wait_says_the_last_status_message(store: EndpointStore, provider: FakeProvider) -> None:
    store.start("a")
    await settle()
    failed = replace(provider.accounts["a"], phase=Phase.FAILED, state="FAILED",
                     status_message="Cannot place replicas: insufficient GPU capacity")
    provider.accounts["a"] = failed
    store.poll_now()
    await settle()
    [announcement] = [a for a in announcements(store) if a.title == "Endpoint failed"]
    assert "Last status: Cannot place replicas: insufficient GPU capacity" in announcement.message
