"""The v2 operations against the simulator: deploy (with rollback), start/stop as bounds, scale, smart delete."""

from __future__ import annotations

import asyncio

import httpx
import pytest
from v2_tools import GPT_OSS_20B, Start, provider_for, requests_to, today

from tui.api import errors
from tui.api.domain import UNSET, DeploySpec, Endpoint, EndpointChanges, Phase
from tui.api.together.combined import TogetherProvider
from tui.api.together.v2.provider import ReplicaBoundsError
from tui.core.catalog import Catalog
from tui.simulator import ManualClock


async def by_name(provider: TogetherProvider, short: str) -> Endpoint:
    endpoints = await provider.list_endpoints()
    return next(e for e in endpoints if e.name.endswith(f"/{short}"))


async def test_deploy_creates_the_endpoint_the_deployment_and_routes_it(start_simulator: Start) -> None:
    server = today(start_simulator)
    provider = provider_for(server)
    [option, *_] = await provider.deploy_options(GPT_OSS_20B)
    steps: list[str] = []
    endpoint = await provider.deploy(
        DeploySpec(option_id=option.id, endpoint="fresh", deployment_name="first", min_replicas=1, max_replicas=2),
        steps.append,
    )
    [deployment] = endpoint.deployments
    assert (endpoint.api, endpoint.name, deployment.name) == ("v2", "demo-project/fresh", "demo-project/fresh/first")
    assert (deployment.min_replicas, deployment.max_replicas, deployment.traffic_weight) == (1, 2, 1.0)
    assert (deployment.model, deployment.dollars_per_hour) == (GPT_OSS_20B, option.dollars_per_hour)
    assert steps[:2] == ["Creating endpoint fresh", "Creating deployment first"]
    assert len(requests_to(server, "POST", "/endpoints")) == 2  # one endpoint, one deployment: never retried
    await provider.aclose()


async def test_deploy_joins_an_existing_endpoint_and_upserts_its_weight(start_simulator: Start) -> None:
    server = today(start_simulator)
    provider = provider_for(server)
    support = await by_name(provider, "support-bot")
    [option, *_] = await provider.deploy_options(GPT_OSS_20B)
    result = await provider.deploy(
        DeploySpec(option_id=option.id, endpoint=support.id, deployment_name="canary2", traffic_weight=0.2)
    )
    weights = {d.name.rpartition("/")[2]: d.traffic_weight for d in result.deployments}
    assert weights == {"gpt-oss-20b-h100": 0.9, "gpt-oss-20b-h200": 0.1, "canary2": 0.2}
    [split] = [r for r in requests_to(server, "PATCH", "/endpoints/") if "trafficSplit" in (r.json_body or {})]
    assert split.query == {"updateMask": "trafficSplit"} and split.json_body["etag"]
    assert [r.path.rpartition("/")[2] for r in requests_to(server, "POST")] == ["deployments"]
    await provider.aclose()


async def test_a_refused_deployment_rolls_back_the_new_endpoint_only(start_simulator: Start) -> None:
    server = today(start_simulator)
    provider = provider_for(server)
    bogus = "projects/p/configs/cr_nope|projects/p/models/ml_nope"
    steps: list[str] = []
    with pytest.raises(errors.BadRequestError, match="config"):
        await provider.deploy(DeploySpec(option_id=bogus, endpoint="doomed"), steps.append)
    assert steps[-1] == "Deployment refused: deleting the new endpoint doomed"
    assert all(not e.name.endswith("/doomed") for e in await provider.list_endpoints())
    support = await by_name(provider, "support-bot")
    with pytest.raises(errors.BadRequestError):
        await provider.deploy(DeploySpec(option_id=bogus, endpoint="support-bot"))
    assert (await by_name(provider, "support-bot")).id == support.id
    await provider.aclose()


async def test_zero_with_a_positive_maximum_is_refused_before_sending(start_simulator: Start) -> None:
    server = today(start_simulator)
    provider = provider_for(server)
    support = await by_name(provider, "support-bot")
    [option, *_] = await provider.deploy_options(GPT_OSS_20B)
    with pytest.raises(ReplicaBoundsError, match="set both to 0 to stop"):
        await provider.scale_deployment(support.deployments[0].id, 0, 2)
    with pytest.raises(ReplicaBoundsError, match="cannot be greater"):
        await provider.scale_deployment(support.deployments[0].id, 3, 2)
    with pytest.raises(ReplicaBoundsError):
        await provider.deploy(DeploySpec(option_id=option.id, endpoint="x", min_replicas=0, max_replicas=1))
    assert requests_to(server, "PATCH") == [] and requests_to(server, "POST") == []
    await provider.aclose()


async def test_stop_is_zero_zero_and_start_restores_the_bounds_it_had(start_simulator: Start) -> None:
    server = today(start_simulator)
    provider = provider_for(server)
    # Lists carry deployment summaries; the etag comes with the full deployment.
    primary = (await provider.get_endpoint((await by_name(provider, "support-bot")).id)).deployments[0]
    assert (primary.min_replicas, primary.max_replicas) == (1, 3) and primary.version
    stopped = await provider.stop_deployment(primary.id, version=primary.version)
    assert (stopped.min_replicas, stopped.max_replicas, stopped.phase) == (0, 0, Phase.STOPPED)
    started = await provider.start_deployment(primary.id)
    assert (started.min_replicas, started.max_replicas) == (1, 3)
    bodies = [r.json_body for r in requests_to(server, "PATCH", "/deployments/")]
    assert bodies == [
        {"etag": primary.version, "autoscaling": {"minReplicas": 0, "maxReplicas": 0}},
        {"autoscaling": {"minReplicas": 1, "maxReplicas": 3}},
    ]
    # Stopped before this session: no bounds known, so one replica, unless the caller says.
    llama = (await by_name(provider, "llama-staging")).deployments[0]
    assert (await provider.start_deployment(llama.id)).max_replicas == 1
    await provider.stop_deployment(llama.id)
    assert (await provider.start_deployment(llama.id, (2, 2))).min_replicas == 2
    with pytest.raises(ReplicaBoundsError):
        await provider.start_deployment(llama.id, (0, 0))
    await provider.aclose()


async def test_a_stale_version_is_a_conflict(start_simulator: Start) -> None:
    server = today(start_simulator)
    provider = provider_for(server)
    primary = await provider.get_deployment((await by_name(provider, "support-bot")).deployments[0].id)
    await provider.scale_deployment(primary.id, 1, 2, version=primary.version)
    with pytest.raises(errors.ConflictError, match="changed since you loaded it"):
        await provider.scale_deployment(primary.id, 1, 4, version=primary.version)
    await provider.aclose()


async def test_smart_delete_stops_waits_unroutes_and_deletes_in_order(
    start_simulator: Start, clock: ManualClock
) -> None:
    server = today(start_simulator, speed=1.0)
    provider = provider_for(server, clock, poll_interval=2.0)
    support = await by_name(provider, "support-bot")
    steps: list[str] = []
    await provider.delete(support.id, steps.append)
    h100, h200 = "demo-project/support-bot/gpt-oss-20b-h100", "demo-project/support-bot/gpt-oss-20b-h200"
    assert steps == [
        f"Stopping {h100} (scaling to 0/0)",
        f"Stopping {h200} (scaling to 0/0)",
        f"{h100} stopped",
        f"{h200} stopped",
        "Removing 2 deployment(s) from the traffic split",
        f"Deleting {h100}",
        f"Deleting {h200}",
        "Deleting endpoint demo-project/support-bot",
        "Deleted endpoint demo-project/support-bot",
    ]
    writes = [(r.method, r.path.rsplit("/", 2)[-2], r.query) for r in server.sim.requests() if r.method != "GET"]
    assert [(method, kind) for method, kind, _ in writes] == [
        ("PATCH", "deployments"),
        ("PATCH", "deployments"),
        ("PATCH", "endpoints"),
        ("DELETE", "deployments"),
        ("DELETE", "deployments"),
        ("DELETE", "endpoints"),
    ]
    assert all(query.get("etag") for method, _, query in writes if method == "DELETE")
    assert all(not e.name.endswith("/support-bot") for e in await provider.list_endpoints())
    await provider.aclose()


async def test_smart_delete_of_one_deployment_keeps_the_endpoint_and_the_rest_of_the_split(
    start_simulator: Start, clock: ManualClock
) -> None:
    server = today(start_simulator, speed=1.0)
    provider = provider_for(server, clock)
    support = await by_name(provider, "support-bot")
    canary = support.deployments[1]
    await provider.delete(canary.id)
    after = await by_name(provider, "support-bot")
    assert [(d.id, d.traffic_weight) for d in after.deployments] == [(support.deployments[0].id, 0.9)]
    await provider.aclose()


async def test_a_deployment_that_does_not_stop_in_time_is_left_in_place(start_simulator: Start) -> None:
    server = today(start_simulator, speed=1.0)

    async def no_time_passes(_: float) -> None:
        return None

    provider = provider_for(server, sleep=no_time_passes, poll_interval=1.0, stop_timeout=3.0)
    support = await by_name(provider, "support-bot")
    with pytest.raises(errors.APITimeoutError, match="still DEPLOYMENT_STATE_STOPPING after 3 s"):
        await provider.delete(support.id)
    assert requests_to(server, "DELETE") == []
    assert len(requests_to(server, "GET", f"/deployments/{support.deployments[0].id}")) == 3
    await provider.aclose()


async def test_update_changes_the_only_deployment_and_refuses_what_v2_cannot_do(start_simulator: Start) -> None:
    server = today(start_simulator)
    provider = provider_for(server)
    qwen = await provider.get_endpoint((await by_name(provider, "qwen-eval")).id)
    updated = await provider.update_endpoint(qwen.id, EndpointChanges(max_replicas=3, inactive_timeout=None))
    assert (updated.deployments[0].min_replicas, updated.deployments[0].max_replicas) == (1, 3)
    [patch] = requests_to(server, "PATCH", "/deployments/")
    assert patch.query == {"updateMask": "autoscaling,inactiveTimeout"}
    assert patch.json_body == {
        "etag": qwen.deployments[0].version,
        "autoscaling": {"minReplicas": 1, "maxReplicas": 3},
        "inactiveTimeout": 0,
    }
    with pytest.raises(errors.BadRequestError, match="cannot change"):
        await provider.update_endpoint(qwen.id, EndpointChanges(display_name="renamed"))
    support = await by_name(provider, "support-bot")
    with pytest.raises(errors.BadRequestError, match="has 2 deployments"):
        await provider.update_endpoint(support.id, EndpointChanges(min_replicas=2, max_replicas=UNSET))
    await provider.aclose()


async def test_a_deployment_that_fails_while_stopping_stops_the_delete() -> None:
    failed = {
        "id": "dep_1",
        "endpointId": "ep_1",
        "name": "acme/e/d",
        "status": {"state": "DEPLOYMENT_STATE_FAILED", "message": "Teardown failed"},
    }
    sent: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(f"{request.method} {request.url.path}")
        if request.method == "GET" and request.url.path.endswith("/deployments"):
            running = {**failed, "status": {"state": "DEPLOYMENT_STATE_READY", "message": "ok"}}
            return httpx.Response(200, json={"data": [running], "next_cursor": None})
        return httpx.Response(200, json=failed)

    provider = TogetherProvider.connect(
        "k", environ={"TOGETHER_PROJECT_ID": "proj_1"}, transport=httpx.MockTransport(handler)
    )
    with pytest.raises(errors.APIError, match="failed while stopping: Teardown failed"):
        await provider.delete("ep_1")
    assert not any(line.startswith("DELETE") for line in sent)
    await provider.aclose()


async def test_callers_at_the_same_time_share_one_catalogue_read(start_simulator: Start) -> None:
    server = today(start_simulator)
    provider = provider_for(server)
    # The first poll and the Hardware pane ask together at start-up; a refresh joins the read under way.
    listed, hardware = await asyncio.gather(provider.list_endpoints(), provider.list_hardware())
    assert listed and hardware
    assert len(requests_to(server, "GET", "/v2/public/inference-instance-types")) == 1
    assert len(requests_to(server, "GET", "/v2/supported-models")) == 1
    # Once read, the list and the Hardware pane's next asks reuse it; the user's refresh reads it again.
    await provider.list_hardware()
    await provider.v2.catalogue()
    assert len(requests_to(server, "GET", "/v2/public/inference-instance-types")) == 1
    provider.forget_catalogue()
    await provider.list_hardware()
    await provider.list_hardware()
    assert len(requests_to(server, "GET", "/v2/public/inference-instance-types")) == 2
    await provider.aclose()


async def test_the_first_list_s_catalogue_serves_the_hardware_asked_after_it(start_simulator: Start) -> None:
    server = today(start_simulator)
    provider = provider_for(server)
    catalog = Catalog(provider)
    # Start-up: the first poll, then the Endpoints pane's prices once the list is in.
    await provider.list_endpoints()
    await catalog.hardware()
    await provider.list_endpoints()
    assert len(requests_to(server, "GET", "/v2/public/inference-instance-types")) == 1
    assert len(requests_to(server, "GET", "/v2/supported-models")) == 1
    # ``r`` on Hardware: read again, and the list after it prices with the new read.
    await catalog.hardware(fresh=True)
    await provider.list_endpoints()
    assert len(requests_to(server, "GET", "/v2/public/inference-instance-types")) == 2
    assert len(requests_to(server, "GET", "/v2/supported-models")) == 2
    await provider.aclose()
