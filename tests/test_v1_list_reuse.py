"""v1's endpoint list polled at scale: items sent exactly as last time are the models and endpoints made then (a
steady poll validates and builds next to nothing), a changed item is made anew, and the loop gets turns."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from tui.api import errors, pacing
from tui.api.domain import Endpoint
from tui.api.together import TogetherClient, TogetherV1Provider
from tui.simulator import DEMO_API_KEY, SimulatorServer


async def test_a_steady_list_is_the_last_one_s_objects_and_a_change_is_new(start_simulator) -> None:  # type: ignore[no-untyped-def]
    server: SimulatorServer = start_simulator(endpoints=300)
    provider = TogetherV1Provider(TogetherClient(DEMO_API_KEY, server.base_url))
    try:
        first = await provider.list_endpoints()
        again = await provider.list_endpoints()
        assert len(first) >= 300 and all(a is b for a, b in zip(first, again, strict=True))
        moved = next(e for e in first if e.state == "STOPPED")
        server.sim.set_state(moved.id, "STARTED")
        third = await provider.list_endpoints()
        changed = [e for e, before in zip(third, again, strict=True) if e is not before]
        assert [e.id for e in changed] == [moved.id] and changed[0].state == "STARTED"
        # With serverless models too it is another list: nothing of the dedicated one is taken for it.
        everything = await provider.list_endpoints(include_serverless=True)
        assert len(everything) > len(third)
        assert next(e for e in await provider.list_endpoints() if e.id == moved.id) is changed[0]
    finally:
        await provider.aclose()


async def test_a_bad_item_is_named_and_the_list_before_it_is_not_kept_for_reuse() -> None:
    good = [{"id": f"endpoint-{i}", "name": f"u/e{i}", "model": "m", "type": "dedicated", "owner": "u",
             "state": "STARTED", "created_at": "2026-01-01T00:00:00Z"} for i in range(60)]
    bodies = [{"data": good}, {"data": [*good[:50], {"name": "no id"}, *good[50:]]}, {"data": good}]
    answered: list[int] = []

    def handler(request: httpx.Request) -> httpx.Response:
        answered.append(1)
        return httpx.Response(200, json={"object": "list", **bodies[len(answered) - 1]})

    client = TogetherClient("k", transport=httpx.MockTransport(handler))
    try:
        first = await client.list_endpoints(type="dedicated")
        with pytest.raises(errors.InvalidResponseError, match=r"data\.50"):
            await client.list_endpoints(type="dedicated")
        third = await client.list_endpoints(type="dedicated")
        # The refused answer replaced nothing: the good one before it still serves.
        assert all(a is b for a, b in zip(first, third, strict=True))
    finally:
        await client.aclose()


async def test_the_loop_gets_a_turn_between_pieces_of_a_large_list(start_simulator, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(pacing, "BUDGET", 0.0)
    server: SimulatorServer = start_simulator(endpoints=200)
    provider = TogetherV1Provider(TogetherClient(DEMO_API_KEY, server.base_url))
    try:
        async def turns_beside(listing: asyncio.Future[list[Endpoint]]) -> int:
            turns = 0
            while not listing.done():
                turns += 1
                await asyncio.sleep(0)
            return turns

        for _ in range(2):  # the first list is parsed and built; the second reuses both
            listing = asyncio.ensure_future(provider.list_endpoints())
            _, turns = await asyncio.gather(listing, turns_beside(listing))
            assert turns >= 2 * len(listing.result())  # decoded, then built: a turn after each item of both
    finally:
        await provider.aclose()
