"""The v2 list at the size of a large project (1,000 endpoints x 3 deployments): which requests a first poll
and a steady poll send, what the rows carry without a per-endpoint read, what is reused between polls, and
that the loop gets turns while a page is parsed. Requests are counted by the simulator; nothing is timed."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from v2_tools import Start, provider_for, requests_to, today

from tui.api import errors, pacing
from tui.api.domain import Phase
from tui.api.http import ApiSession
from tui.api.together import TogetherClient
from tui.api.together.v2 import TogetherV2Provider
from tui.api.together.v2.client import TogetherV2Client
from tui.simulator import DEMO_API_KEY
from tui.simulator.v2_bulk import seed_many

SIZE = 1000


def large(start: Start) -> Any:
    server = today(start)
    # The demo project's 4 endpoints and as many generated ones as make 1,000.
    seed_many(server.sim.v2, server.sim.now(), SIZE - len(server.sim.v2.endpoints), 3)
    return server


def kinds(server: Any) -> list[str]:
    """Each request since the last clear, by what it asked for."""
    names = []
    for request in server.sim.requests():
        path = request.path
        if path.endswith("/endpoints") and path.startswith("/v2/projects/"):
            names.append("v2 endpoints page")
        elif path.startswith("/v2/projects/"):
            names.append(f"v2 other: {path}")
        else:
            names.append(path)
    return sorted(names)


async def test_a_first_poll_reads_the_list_and_catalogue_once_then_only_the_list(start_simulator: Start) -> None:
    server = large(start_simulator)
    provider = provider_for(server)
    try:
        first = await provider.list_endpoints()
        assert kinds(server) == sorted([
            "/v1/endpoints",
            "/v2/public/inference-instance-types",
            "/v2/supported-models",
            "/v3/whoami",
            "v2 endpoints page",
            "v2 endpoints page",
        ])
        assert [r.query.get("limit") for r in requests_to(server, "GET", "/endpoints") if "/v2/" in r.path] == [
            "500", "500"]
        server.sim.clear_request_log()
        second = await provider.list_endpoints()
        # Cursor pages followed once each, nothing per endpoint, no catalogue again.
        assert kinds(server) == ["/v1/endpoints", "v2 endpoints page", "v2 endpoints page"]
    finally:
        await provider.aclose()
    v2 = [e for e in first if e.api == "v2"]
    assert len(v2) == SIZE and len({e.id for e in v2}) == SIZE
    assert [e.id for e in second if e.api == "v2"] == [e.id for e in v2]


async def test_the_list_alone_gives_every_row_its_state_replicas_and_price(start_simulator: Start) -> None:
    server = large(start_simulator)
    provider = provider_for(server)
    try:
        listed = [e for e in await provider.list_endpoints() if e.api == "v2"]
    finally:
        await provider.aclose()
    deployments = [d for e in listed for d in e.deployments]
    assert len(deployments) >= 3 * (SIZE - 4)
    # The row is complete (nothing marks it loading); only each deployment's own read is still to come.
    assert all(e.detailed for e in listed)
    assert not any(d.detailed for d in deployments)
    assert all(d.phase is not Phase.UNKNOWN and d.min_replicas is not None and d.max_replicas is not None
               for d in deployments)
    assert all(d.hardware_label and d.traffic_weight is not None for d in deployments)
    running = [d for d in deployments if d.ready_replicas]
    stopped = [d for d in deployments if d.phase is Phase.STOPPED]
    assert running and stopped
    assert all(d.dollars_per_hour and d.dollars_per_hour > 0 for d in running)
    assert all(d.dollars_per_hour == 0 for d in stopped if d.ready_replicas == 0)


async def test_an_unchanged_endpoint_is_reused_and_a_changed_one_rebuilt(start_simulator: Start) -> None:
    server = large(start_simulator)
    provider = provider_for(server)
    try:
        first = {e.id: e for e in await provider.list_endpoints() if e.api == "v2"}
        changed = next(e for e in first.values() if len(e.deployments) == 3 and e.deployments[1].max_replicas)
        target = changed.deployments[1]
        await provider.scale_deployment(target.id, 1, 3)
        second = {e.id: e for e in await provider.list_endpoints() if e.api == "v2"}
    finally:
        await provider.aclose()
    assert second[changed.id] is not first[changed.id]
    assert second[changed.id].deployments[1].max_replicas == 3
    same = [key for key in first if key != changed.id]
    assert all(second[key] is first[key] for key in same)


@pytest.fixture
def upstream() -> Iterator[httpx.Client]:
    with httpx.Client() as client:
        yield client


def blocking_proxy(upstream: httpx.Client) -> httpx.MockTransport:
    """Each request answered by the simulator while the loop waits, blocked: the loop's only turns are the
    ones the client and the provider give it."""

    def forward(request: httpx.Request) -> httpx.Response:
        answer = upstream.request(request.method, str(request.url), headers=request.headers, content=request.content)
        return httpx.Response(answer.status_code, content=answer.content, headers=answer.headers)

    return httpx.MockTransport(forward)


async def test_the_loop_gets_a_turn_between_pieces_of_a_large_page(
    start_simulator: Start, upstream: httpx.Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    # With no budget every item is a piece: the other task must run at least once per endpoint.
    monkeypatch.setattr(pacing, "BUDGET", 0.0)
    server = large(start_simulator)
    session = ApiSession(DEMO_API_KEY, server.base_url, transport=blocking_proxy(upstream))
    provider = TogetherV2Provider(TogetherV2Client(session, environ={}), TogetherClient(DEMO_API_KEY, server.base_url))
    await provider.catalogue()
    turns = 0
    listing = asyncio.ensure_future(provider.list_endpoints())

    async def other() -> None:
        nonlocal turns
        while not listing.done():
            turns += 1
            await asyncio.sleep(0)

    try:
        await asyncio.gather(listing, other())
    finally:
        await session.aclose()
        await provider.aclose()
    assert len(listing.result()) == SIZE
    assert turns >= 2 * SIZE  # parsed, then built: a turn after each item of both


async def test_a_bad_item_on_a_later_page_is_named_and_nothing_is_kept() -> None:
    good = [{"id": f"ep_{i}", "name": f"p/e{i}"} for i in range(3)]
    bad = [{"id": "ep_3", "name": "p/e3"}, {"name": "no id"}]

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.params.get("after") == "c1":
            return httpx.Response(200, json={"data": bad, "next_cursor": None})
        return httpx.Response(200, json={"next_cursor": "c1", "data": good})

    session = ApiSession("k", "https://api.together.ai/v1", transport=httpx.MockTransport(handler))
    client = TogetherV2Client(session, project_id="proj_1", environ={})
    try:
        with pytest.raises(errors.InvalidResponseError, match=r"data\.1\.id"):
            await client.list_endpoints()
    finally:
        await session.aclose()


async def test_a_reused_item_is_the_same_wire_model_only_while_its_text_is_the_same() -> None:
    listed = [{"id": "ep_1", "name": "p/a", "etag": "1"}, {"id": "ep_2", "name": "p/b", "etag": "1"}]

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"data": listed, "next_cursor": None})

    session = ApiSession("k", "https://api.together.ai/v1", transport=httpx.MockTransport(handler))
    client = TogetherV2Client(session, project_id="proj_1", environ={})
    try:
        first = await client.list_endpoints()
        listed[1] = {**listed[1], "etag": "2"}
        second = await client.list_endpoints()
    finally:
        await session.aclose()
    assert second[0] is first[0]
    assert second[1] is not first[1] and second[1].etag == "2"


async def test_a_first_list_builds_its_validator_in_a_thread_while_the_page_is_on_its_way(
    start_simulator: Start, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Building a model's slice validator holds whoever builds it for milliseconds in one piece: not the
    loop's thread; and the list read with it is whole."""
    import threading

    from tui.api import slices

    server = large(start_simulator)
    built_in: dict[str, str] = {}
    adapter = slices.TypeAdapter

    def recorded(kind: Any) -> Any:
        built_in[repr(kind)] = threading.current_thread().name
        return adapter(kind)

    monkeypatch.setattr(slices, "TypeAdapter", recorded)
    monkeypatch.setattr(slices, "_ADAPTERS", {})
    provider = provider_for(server)
    try:
        listed = await provider.list_endpoints()
    finally:
        await provider.aclose()
    # The v2 endpoints' validator (the v1 list beside it builds its own, on the loop: it is small).
    v2_built = [thread for kind, thread in built_in.items() if "EndpointV2" in kind]
    assert v2_built and threading.current_thread().name not in v2_built
    v2_ids = {endpoint.id for endpoint in server.sim.v2.endpoints.values()}
    assert v2_ids <= {endpoint.id for endpoint in listed} and len(v2_ids) == SIZE
