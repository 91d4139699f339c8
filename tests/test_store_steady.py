"""A steady account costs its list and nothing more: a v2 row read once is not read again while the list says
the same of it (whatever order the two answers give its deployments in), and is read again once it does not."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
from fakes import endpoint
from test_store_details import FakeTime, SlowProvider, make_store, reads, start, stores, time

from tui.api.domain import Deployment, Endpoint, Phase
from tui.core.store import EndpointStore

__all__ = ["stores", "time"]  # the fixtures, imported for pytest


def deployment(endpoint_id: str, number: int) -> Deployment:
    stopped = number == 1
    return Deployment(f"{endpoint_id}-d{number}", f"p/{endpoint_id}/d{number}", "m", "h100",
                      "DEPLOYMENT_STATE_STOPPED" if stopped else "DEPLOYMENT_STATE_READY",
                      Phase.STOPPED if stopped else Phase.READY, min_replicas=0 if stopped else 1,
                      max_replicas=0 if stopped else 2, detailed=True,
                      status_message="Stopped" if stopped else "All replicas ready")


def tree(endpoint_id: str) -> Endpoint:
    # The full read lists the deployments in another order than the list's summaries (as the simulator does).
    return endpoint(endpoint_id, api="v2", deployments=tuple(deployment(endpoint_id, n) for n in (2, 1, 0)))


class Tree(SlowProvider):
    """The list: each endpoint's deployments as summaries (no message), in the order of their ids."""

    async def list_endpoints(self, *, include_serverless: bool = False) -> list[Endpoint]:
        self._called("list_endpoints", include_serverless)
        return [replace(item, deployments=tuple(replace(d, detailed=False, status_message=None)
                                                for d in sorted(item.deployments, key=lambda d: d.id)))
                for item in self.accounts.values()]


async def test_a_v2_row_read_once_is_not_read_again_while_its_list_summary_is_the_same(
    time: FakeTime, stores: list[EndpointStore]
) -> None:
    provider = Tree().add(*(tree(f"v{i}") for i in range(10)))
    looked_at: list[Any] = ["v1-d0", ["v1", "v1-d0", "v1-d1", "v1-d2", "v2", "v2-d0"]]
    store = make_store(provider, time)
    store.set_priority(lambda: (looked_at[0], looked_at[1]))
    start(store, stores)
    await time.run(1)
    assert sorted(reads(provider)) == ["v1", "v2"]
    for _ in range(3):
        store.poll_now()
        await time.run(1)
    assert sorted(reads(provider)) == ["v1", "v2"] and len(provider.called("list_endpoints")) == 4
    # What only the full read says stays on the rows while the list says the same.
    assert store.locate("v1-d0")[1].status_message == "All replicas ready"  # type: ignore[index,union-attr]
    assert store.locate("v1-d1")[1].status_message == "Stopped"  # type: ignore[index,union-attr]
    # The list says one of v1's deployments moved: v1 is read again, once.
    moved = provider.accounts["v1"]
    provider.accounts["v1"] = replace(moved, deployments=tuple(
        replace(d, state="DEPLOYMENT_STATE_PROVISIONING", phase=Phase.STARTING, min_replicas=1, max_replicas=1,
                status_message="Scheduling replicas") if d.id == "v1-d1" else d for d in moved.deployments))
    store.poll_now()
    await time.run(1)
    assert sorted(reads(provider)) == ["v1", "v1", "v2"]
    assert store.locate("v1-d1")[1].status_message == "Scheduling replicas"  # type: ignore[index,union-attr]


async def test_the_app_reads_the_v2_catalogue_once_per_start_and_again_on_r_in_hardware(start_simulator: Any) -> None:
    from deploy_tools import make_v2_app, settle
    from formtools import until
    from v2_tools import requests_to, today

    from tui.app.panes.hardware import HardwarePane

    server = today(start_simulator)
    app = make_v2_app(server)

    def reads_of_the_catalogue() -> tuple[int, int]:
        return (len(requests_to(server, "GET", "/v2/public/inference-instance-types")),
                len(requests_to(server, "GET", "/v2/supported-models")))

    async with app.run_test(size=(160, 40)) as pilot:
        await until(pilot, lambda: app.context.store.loaded, "the first list")
        await until(pilot, lambda: app.context.catalog.known_hardware() is not None, "the prices")
        await pilot.press("2")
        pane = app.query_one(HardwarePane)
        await until(pilot, lambda: pane.table.options, "the instance types")
        await settle(pilot)
        assert reads_of_the_catalogue() == (1, 1)
        pane.table.focus()
        await pilot.press("r")
        await until(pilot, lambda: reads_of_the_catalogue() == (2, 2), "the refresh's read")
        await settle(pilot)
        assert reads_of_the_catalogue() == (2, 2)


async def test_a_moving_row_under_the_cursor_is_read_when_its_summary_moves_or_its_read_is_old(
    time: FakeTime, stores: list[EndpointStore]
) -> None:
    from tui.core.store_details import WATCH_EVERY

    def provisioning(endpoint_id: str, ready: int, message: str) -> Endpoint:
        moving = replace(deployment(endpoint_id, 0), state="DEPLOYMENT_STATE_PROVISIONING", phase=Phase.STARTING,
                         ready_replicas=ready, desired_replicas=2, max_replicas=2, status_message=message)
        return endpoint(endpoint_id, api="v2", phase=Phase.STARTING, state="DEPLOYMENT_STATE_PROVISIONING",
                        deployments=(moving, deployment(endpoint_id, 1)))

    provider = Tree().add(provisioning("v0", 0, "Scheduling replicas"), tree("v1"))
    store = make_store(provider, time, looked_at=("v0-d0", ["v0", "v0-d0", "v0-d1", "v1"]))
    start(store, stores)
    await time.run(1)
    assert sorted(reads(provider)) == ["v0", "v1"]
    # Polls while the list says the same of it: no read until the last one is WATCH_EVERY old.
    for _ in range(3):
        store.poll_now()
        await time.run(1)
    assert sorted(reads(provider)) == ["v0", "v1"]
    await time.run(WATCH_EVERY)
    store.poll_now()
    await time.run(1)
    assert sorted(reads(provider)) == ["v0", "v0", "v1"]
    # One replica of two ready: the list says so, and its words are read at the next poll.
    provider.accounts["v0"] = provisioning("v0", 1, "1 of 2 replicas ready")
    store.poll_now()
    await time.run(1)
    assert sorted(reads(provider)) == ["v0", "v0", "v0", "v1"]
    assert store.locate("v0-d0")[1].status_message == "1 of 2 replicas ready"  # type: ignore[index,union-attr]


async def test_the_first_list_reads_the_catalogue_beside_it_and_a_refused_list_leaves_its_error_to_the_next(
    ) -> None:
    import asyncio

    import httpx

    from tui.api import errors
    from tui.api.together.combined import TogetherProvider

    sent: list[str] = []
    listed = asyncio.Event()
    refuse = [True]

    async def handler(request: httpx.Request) -> httpx.Response:
        sent.append(request.url.path)
        if request.url.path.endswith("/endpoints") and "/v2/" in request.url.path:
            if refuse[0]:
                return httpx.Response(400, json={"error": {"message": "refused"}})
            # The list answers only once the catalogue was asked for: it was asked beside the list.
            await asyncio.wait_for(listed.wait(), 5)
            return httpx.Response(200, json={"data": [], "next_cursor": None})
        if request.url.path.endswith(("/inference-instance-types", "/supported-models")):
            listed.set()
            return httpx.Response(400 if refuse[0] else 200, json={"data": []})
        return httpx.Response(200, json={"data": []})

    provider = TogetherProvider.connect("k", environ={"TOGETHER_PROJECT_ID": "proj_1"},
                                        transport=httpx.MockTransport(handler))
    try:
        with pytest.raises(errors.APIError):
            await provider.v2.list_endpoints()
        await asyncio.sleep(0.05)  # the catalogue's own failure ends unheard, not as a stray task error
        refuse[0] = False
        assert await provider.v2.list_endpoints() == []
        assert sent.count("/v2/public/inference-instance-types") == 2
    finally:
        await provider.aclose()
