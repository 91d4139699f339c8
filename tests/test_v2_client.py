"""The v2 client against the simulator over loopback: project discovery, pages, exact bodies and queries,
etags (a stale one is a clear conflict), validateOnly, events and analytics."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx
import pytest
from v2_tools import GPT_OSS_20B, Start, requests_to, today, v2_client

from tui.api import errors
from tui.api.http import ApiSession
from tui.api.together.v2 import client as client_module
from tui.api.together.v2.client import STALE_MESSAGE, TogetherV2Client, management_root
from tui.api.together.v2.wire import (
    AutoscalingRequest,
    DeploymentCreate,
    DeploymentUpdate,
    EndpointCreate,
    EndpointEvent,
    EndpointUpdate,
    Page,
    TrafficSplitRequest,
)


def test_the_management_root_is_the_base_url_without_its_v1() -> None:
    assert management_root("https://api.together.ai/v1") == "https://api.together.ai"
    assert management_root("https://api.together.ai/v1/") == "https://api.together.ai"
    assert management_root("https://api.together.ai") == "https://api.together.ai"
    assert management_root("http://127.0.0.1:8787/v1") == "http://127.0.0.1:8787"


async def test_the_project_comes_from_whoami_once_and_is_cached(start_simulator: Start) -> None:
    server = today(start_simulator)
    client = v2_client(server)
    first = await client.project()
    await client.list_endpoints()
    await client.list_endpoints()
    assert (first.id, first.slug) == (server.sim.v2.project_id, "demo-project")
    assert len(requests_to(server, "GET", "/v3/whoami")) == 1
    await client.session.aclose()


async def test_an_explicit_or_environment_project_is_used_without_asking(start_simulator: Start) -> None:
    server = today(start_simulator)
    project = server.sim.v2.project_id
    from_env = TogetherV2Client(ApiSession("sim-demo-key", server.base_url), environ={"TOGETHER_PROJECT_ID": project})
    explicit = TogetherV2Client(
        ApiSession("sim-demo-key", server.base_url), project_id=project, environ={"TOGETHER_PROJECT_ID": "proj_other"}
    )
    assert len(await from_env.list_endpoints()) == 4
    assert (await explicit.project()).id == project
    assert requests_to(server, "GET", "/v3/whoami") == []
    await from_env.session.aclose()
    await explicit.session.aclose()


async def test_a_key_without_a_project_says_to_set_one() -> None:
    def whoami(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"type": "org_api_key", "organization": {"id": "org_1", "name": "o"}})

    session = ApiSession("k", "https://api.together.ai/v1", transport=httpx.MockTransport(whoami))
    with pytest.raises(errors.InvalidResponseError, match="TOGETHER_PROJECT_ID"):
        await TogetherV2Client(session, environ={}).project()
    await session.aclose()


async def test_a_list_follows_every_cursor_once(start_simulator: Start, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(client_module, "RESOURCE_PAGE_SIZE", 3)
    server = today(start_simulator)
    client = v2_client(server)
    endpoints = await client.list_endpoints()
    assert [e.name.rpartition("/")[2] for e in endpoints] == [
        "support-bot",
        "llama-staging",
        "gpt-oss-120b-batch",
        "qwen-eval",
    ]
    pages = [r.query for r in requests_to(server, "GET", "/endpoints") if r.path.endswith("/endpoints")]
    assert pages == [{"limit": "3"}, {"limit": "3", "after": "cur_3"}]
    await client.session.aclose()


async def test_a_cursor_that_comes_back_is_refused_rather_than_followed_forever() -> None:
    asked: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        asked.append(str(request.url))
        return httpx.Response(200, json={"data": [{"id": "ep_1", "name": "p/e"}], "next_cursor": "again"})

    session = ApiSession("k", "https://api.together.ai/v1", transport=httpx.MockTransport(handler))
    client = TogetherV2Client(session, project_id="proj_1", environ={})
    with pytest.raises(errors.InvalidResponseError, match="came back twice"):
        await client.list_endpoints()
    assert len(asked) == 2
    await session.aclose()


async def test_writes_send_exactly_what_was_set_with_the_mask_and_etag(start_simulator: Start) -> None:
    server = today(start_simulator)
    client = v2_client(server)
    [model] = await client.list_supported_models(search=GPT_OSS_20B)
    profile = model.deployment_profiles[0]
    endpoint = await client.create_endpoint(EndpointCreate(name="exact"))
    deployment = await client.create_deployment(
        endpoint.id,
        DeploymentCreate(
            name="d1",
            autoscaling=AutoscalingRequest(min_replicas=1, max_replicas=2, scale_down_window="300s"),
            model=profile.model,
            config=profile.config,
            max_concurrent_requests_per_replica="8",
        ),
    )
    assert deployment.max_concurrent_requests_per_replica == 8
    scaled = await client.update_deployment(
        endpoint.id,
        deployment.id,
        DeploymentUpdate(etag=deployment.etag, autoscaling=AutoscalingRequest(min_replicas=2, max_replicas=2)),
    )
    fresh = await client.get_endpoint(endpoint.id)
    await client.update_endpoint(
        endpoint.id,
        EndpointUpdate(etag=fresh.etag, traffic_split=[TrafficSplitRequest(deployment_id=deployment.id, weight=0.5)]),
    )
    posts = [(r.path.rpartition("/")[2], r.query, r.json_body) for r in requests_to(server, "POST", "/v2/")]
    assert posts == [
        ("endpoints", {}, {"name": "exact"}),
        (
            "deployments",
            {},
            {
                "name": "d1",
                "autoscaling": {"minReplicas": 1, "maxReplicas": 2, "scaleDownWindow": "300s"},
                "model": profile.model,
                "config": profile.config,
                "maxConcurrentRequestsPerReplica": "8",
            },
        ),
    ]
    patches = [(r.query, r.json_body) for r in requests_to(server, "PATCH", "/v2/")]
    assert patches == [
        ({"updateMask": "autoscaling"}, {"etag": deployment.etag, "autoscaling": {"minReplicas": 2, "maxReplicas": 2}}),
        (
            {"updateMask": "trafficSplit"},
            {"etag": fresh.etag, "trafficSplit": [{"deploymentId": deployment.id, "weight": 0.5}]},
        ),
    ]
    assert scaled.autoscaling.min_replicas == 2
    await client.session.aclose()


async def test_a_stale_etag_is_a_conflict_that_says_to_reload(start_simulator: Start) -> None:
    server = today(start_simulator)
    client = v2_client(server)
    [endpoint, *_] = await client.list_endpoints()
    deployment = endpoint.deployments[0]
    loaded = await client.get_deployment(endpoint.id, deployment.id)
    change = AutoscalingRequest(min_replicas=1, max_replicas=2)
    await client.update_deployment(endpoint.id, deployment.id, DeploymentUpdate(etag=loaded.etag, autoscaling=change))
    with pytest.raises(errors.ConflictError) as stale:
        await client.update_deployment(
            endpoint.id, deployment.id, DeploymentUpdate(etag=loaded.etag, autoscaling=change)
        )
    assert stale.value.message == STALE_MESSAGE and stale.value.status == 409
    with pytest.raises(errors.ConflictError, match="reload and try again"):
        await client.delete_endpoint(endpoint.id, etag="not-the-etag")
    assert requests_to(server, "DELETE", "/v2/")[-1].query == {"etag": "not-the-etag"}
    await client.session.aclose()


async def test_a_conflict_that_is_not_an_etag_keeps_the_services_words(start_simulator: Start) -> None:
    server = today(start_simulator)
    client = v2_client(server)
    [endpoint, *_] = await client.list_endpoints()
    running = await client.get_deployment(endpoint.id, endpoint.deployments[0].id)
    with pytest.raises(errors.ConflictError) as refused:
        await client.delete_deployment(endpoint.id, running.id, etag=running.etag)
    assert "must be stopped" in refused.value.message
    with pytest.raises(errors.ConflictError, match="already exists"):
        await client.create_endpoint(EndpointCreate(name="support-bot"))
    await client.session.aclose()


async def test_an_update_with_nothing_set_is_refused_before_sending() -> None:
    session = ApiSession(
        "k", "https://api.together.ai/v1", transport=httpx.MockTransport(lambda r: httpx.Response(500))
    )
    client = TogetherV2Client(session, project_id="proj_1", environ={})
    with pytest.raises(ValueError, match="nothing to update"):
        await client.update_endpoint("ep_1", EndpointUpdate(etag="e"))
    await session.aclose()


async def test_validate_only_creates_nothing(start_simulator: Start) -> None:
    server = today(start_simulator)
    client = v2_client(server)
    [model] = await client.list_supported_models(search=GPT_OSS_20B)
    profile = model.deployment_profiles[0]
    endpoint = await client.create_endpoint(EndpointCreate(name="dry"))
    request = DeploymentCreate(
        name="d1", autoscaling=AutoscalingRequest(min_replicas=1), model=profile.model, config=profile.config
    )
    await client.create_deployment(endpoint.id, request, validate_only=True)
    assert await client.list_deployments(endpoint.id) == []
    assert requests_to(server, "POST", "/deployments")[-1].query == {"validateOnly": "true"}
    await client.session.aclose()


async def test_catalogue_prices_regions_and_profiles(start_simulator: Start) -> None:
    server = today(start_simulator)
    client = v2_client(server)
    instances = {i.name: i for i in await client.list_instance_types()}
    h100 = instances["1xnvidia-h100-80gb"]
    assert (h100.gpu_type, h100.gpu_count, h100.price_cents_per_hour) == ("H100", 1, 549)
    assert all(region.headroom is not None for region in h100.regions)
    [model] = await client.list_supported_models(search=GPT_OSS_20B)
    assert model.name == GPT_OSS_20B and model.context_length and model.deployment_profiles
    assert requests_to(server, "GET", "/v2/supported-models")[-1].query == {
        "product": "PRODUCT_DEDICATED",
        "search": GPT_OSS_20B,
        "limit": "100",
    }
    await client.session.aclose()


async def test_events_and_analytics_queries(start_simulator: Start) -> None:
    server = today(start_simulator)
    client = v2_client(server)
    [endpoint, *_] = await client.list_endpoints()
    since = datetime(2025, 1, 1, tzinfo=UTC)
    ids = [d.id for d in endpoint.deployments]

    async def events(after: str | None = None) -> Page[EndpointEvent]:
        return await client.list_events(
            endpoint.id, after=after, limit=5, since=since, min_level="LEVEL_INFO", deployment_ids=ids
        )

    page = await events()
    assert len(page.data) == 5 and page.next_cursor
    assert all(e.deployment_id in ids for e in page.data)
    following = await events(page.next_cursor)
    assert {e.id for e in following.data}.isdisjoint(e.id for e in page.data)
    [first, second] = [r.query for r in requests_to(server, "GET", "/events")]
    assert first == {
        "limit": "5",
        "since": "2025-01-01T00:00:00Z",
        "minLevel": "LEVEL_INFO",
        "deploymentIds": ",".join(ids),
    }
    assert second == {**first, "after": page.next_cursor}
    analytics = await client.analytics(endpoint.id, granularity="1h", deployment_id=ids[0])
    assert analytics.endpoint_id == endpoint.id
    assert analytics.metrics is not None and analytics.metrics.request_metrics is not None
    assert requests_to(server, "GET", "/analytics")[-1].query == {"granularity": "1h", "deploymentId": ids[0]}
    await client.session.aclose()
