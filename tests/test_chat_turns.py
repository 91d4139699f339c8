"""The chat turn runner on the in-memory provider: readiness, starting and waiting go through the store
(no poll or get_endpoint of its own), the start offer is priced from the catalogue, failures carry advice."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from fakes import FakeProvider, endpoint

from tui.api.domain import ChatEvent, ChatParams, Deployment, HardwareOption, Phase
from tui.api.errors import ServerError
from tui.core.catalog import Catalog
from tui.core.chat import ChatTarget, Conversation, Turn, TurnState
from tui.core.chat_turns import TurnRunner
from tui.core.store import EndpointStore

HARDWARE = HardwareOption(
    id="1x_nvidia_h100_80gb_sxm", gpu_type="h100-80gb", gpu_count=1, gpu_memory_gb=80, gpu_link="sxm",
    price_per_hour=3.99,
)


class View:
    """Records what the runner shows."""

    def __init__(self) -> None:
        self.states: list[TurnState] = []
        self.written: list[str] = []
        self.turn: Turn | None = None

    def show_state(self) -> None:
        if self.turn is not None:
            self.states.append(self.turn.state)

    def write(self, event: ChatEvent) -> None:
        self.written.append(event.content)

    def show_progress(self, now: float) -> None:
        pass

    async def close_streams(self) -> None:
        pass


class Now:
    def __init__(self) -> None:
        self.value = datetime(2026, 1, 15, 12, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.value


@pytest.fixture
async def world() -> AsyncIterator[tuple[FakeProvider, EndpointStore, Now, Callable[[], TurnRunner]]]:
    provider = FakeProvider(hardware=[HARDWARE])
    now = Now()
    store = EndpointStore(provider, clock=now, slow=0.01, fast=0.01, wait_timeout=timedelta(minutes=1))
    loop = asyncio.ensure_future(store.run())
    said: list[tuple[str, str]] = []

    def runner() -> TurnRunner:
        return TurnRunner(provider, store, Catalog(provider), say=lambda m, s: said.append((m, s)))

    yield provider, store, now, runner
    loop.cancel()
    await store.aclose()


async def until(store: EndpointStore, condition: Callable[[], bool]) -> None:
    """Until ``condition`` holds, checked on every store event (the store polls every 10 ms here)."""
    seen = asyncio.Event()
    unsubscribe = store.subscribe(lambda _event: seen.set() if condition() else None)
    try:
        if not condition():
            await asyncio.wait_for(seen.wait(), 5)
    finally:
        unsubscribe()


async def loaded(store: EndpointStore) -> None:
    """Until the store's poll has seen the account as the test set it up."""
    store.poll_now()
    await until(store, lambda: "e1" in store.endpoints)


def turn_for(store: EndpointStore, endpoint_id: str) -> tuple[Conversation, Turn, View]:
    known = store.get(endpoint_id)
    assert known is not None
    conversation = Conversation()
    turn = conversation.add(Turn("hello", ChatTarget.for_endpoint(known), ChatParams()))
    view = View()
    view.turn = turn
    return conversation, turn, view


async def test_a_stopped_endpoint_is_held_with_an_offer_and_started_only_when_accepted(world) -> None:
    provider, store, _, runner = world
    provider.add(endpoint("e1", Phase.STOPPED))
    provider.scripts["e1"] = [Phase.STARTING, Phase.READY]
    await loaded(store)
    conversation, turn, view = turn_for(store, "e1")
    chat = runner()

    await chat.run(conversation, turn, view)
    assert turn.state is TurnState.NEEDS_START
    assert provider.called("start_endpoint") == [] and provider.called("stream_chat") == []
    cost = await chat.price_offer(turn)
    assert cost is not None and cost.words == "$3.99/h"

    running = asyncio.ensure_future(chat.run(conversation, turn, view, start=True))
    await until(store, lambda: bool(provider.called("start_endpoint")) and not store.in_flight("e1"))
    provider.advance()
    provider.advance()
    await asyncio.wait_for(running, 5)
    assert turn.state is TurnState.DONE and turn.content == "Hello from the fake."
    assert provider.called("start_endpoint") == [("e1",)]
    assert TurnState.WAITING in view.states
    # The chat asked the store, never the API, about the endpoint.
    assert provider.called("get_endpoint") == []


async def test_a_refused_start_fails_the_turn_with_advice(world) -> None:
    provider, store, _, runner = world
    provider.add(endpoint("e1", Phase.STOPPED))
    provider.failures["start_endpoint"] = [ServerError("overloaded", status=503)]
    await loaded(store)
    conversation, turn, view = turn_for(store, "e1")

    await asyncio.wait_for(runner().run(conversation, turn, view, start=True), 5)
    assert turn.state is TurnState.FAILED
    assert turn.advice is not None and turn.advice.title == "Endpoint still STOPPED"
    assert provider.called("stream_chat") == []


async def test_waiting_gives_up_at_the_stores_deadline(world) -> None:
    provider, store, now, runner = world
    provider.add(endpoint("e1", Phase.STARTING))
    await loaded(store)
    conversation, turn, view = turn_for(store, "e1")

    running = asyncio.ensure_future(runner().run(conversation, turn, view))
    await until(store, lambda: turn.state is TurnState.WAITING)
    now.value += timedelta(minutes=2)
    await asyncio.wait_for(running, 5)
    assert turn.state is TurnState.FAILED
    assert turn.advice is not None and turn.advice.title == "Endpoint not ready in time"
    assert "still STARTING after 2 min" in turn.advice.detail
    assert provider.called("stream_chat") == []


async def test_an_endpoint_that_fails_while_starting_ends_the_wait(world) -> None:
    provider, store, _, runner = world
    provider.add(endpoint("e1", Phase.STARTING))
    provider.scripts["e1"] = [Phase.FAILED]
    await loaded(store)
    conversation, turn, view = turn_for(store, "e1")

    running = asyncio.ensure_future(runner().run(conversation, turn, view))
    await until(store, lambda: turn.state is TurnState.WAITING)
    provider.advance()
    await asyncio.wait_for(running, 5)
    assert turn.state is TurnState.FAILED
    assert turn.advice is not None and turn.advice.title == "Endpoint went to ERROR"


async def test_the_offer_price_comes_from_the_catalogue_once(world) -> None:
    provider, store, _, runner = world
    provider.add(endpoint("e1", Phase.STOPPED, min_replicas=2, max_replicas=4))
    await loaded(store)
    conversation, turn, view = turn_for(store, "e1")
    chat = runner()
    await chat.run(conversation, turn, view)
    first = await chat.price_offer(turn)
    again = await chat.price_offer(turn)
    assert first == again and first is not None
    assert first.words == "$7.98/h (2 replicas x $3.99/h; up to $15.96/h at 4)"
    assert len(provider.called("list_hardware")) == 1


def _deployment(phase: Phase, *, ready: int, weight: float, hardware: str = HARDWARE.id) -> Deployment:
    return Deployment(
        id="dep_a", name="acme/bot/a", model="openai/gpt-oss-20b", hardware=hardware,
        state=f"DEPLOYMENT_STATE_{phase.name}", phase=phase, ready_replicas=ready, min_replicas=1, max_replicas=1,
        traffic_weight=weight,
    )


async def test_a_v2_endpoint_that_comes_up_without_weight_is_not_sent_after_the_wait(world) -> None:
    provider, store, _, runner = world
    coming = _deployment(Phase.STARTING, ready=0, weight=1)
    provider.add(endpoint("e1", Phase.STARTING, api="v2", deployments=(coming,)))
    await loaded(store)
    conversation, turn, view = turn_for(store, "e1")

    running = asyncio.ensure_future(runner().run(conversation, turn, view))
    await until(store, lambda: turn.state is TurnState.WAITING)
    # Ready at last, but someone moved its weight away meanwhile: the router would refuse the prompt.
    provider.add(endpoint("e1", Phase.READY, api="v2", deployments=(_deployment(Phase.READY, ready=1, weight=0),)))
    await asyncio.wait_for(running, 5)
    assert turn.state is TurnState.NOT_SENT
    assert turn.advice is not None and turn.advice.title == "Nothing routes to acme/e1"
    assert provider.called("stream_chat") == []


async def test_a_stopped_v2_endpoint_is_priced_by_its_stopped_deployments(world) -> None:
    provider, store, _, runner = world
    stopped = replace(_deployment(Phase.STOPPED, ready=0, weight=1), min_replicas=0, max_replicas=0)
    provider.add(endpoint("e1", Phase.STOPPED, api="v2", hardware_id=None, deployments=(stopped,)))
    await loaded(store)
    conversation, turn, view = turn_for(store, "e1")
    chat = runner()
    await chat.run(conversation, turn, view)
    assert turn.state is TurnState.NEEDS_START
    cost = await chat.price_offer(turn)
    # One replica comes back (its bounds were 0/0 while stopped): billing begins at one H100's price.
    assert cost is not None and cost.words == "$3.99/h (1 replica of a on 1x H100 SXM)"
