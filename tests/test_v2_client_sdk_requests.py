"""Every request the app's v2 client sends is one the official together 3.1.1 SDK would send: each body and
query, mapped onto the SDK's params TypedDict, validates and encodes back to exactly the same JSON."""

from __future__ import annotations

import asyncio
import json
import re
import subprocess
from pathlib import Path

from test_simulator_v2_sdk import together3_python  # noqa: F401  (the cached 3.1.1 environment)
from v2_tools import GPT_OSS_20B, Start, provider_for, today

from tui.api.domain import DeploySpec, EndpointChanges
from tui.api.together.v2.wire import AutoscalingRequest, DeploymentCreate
from tui.simulator import ManualClock

SCRIPT = Path(__file__).with_name("together3_requests.py")


async def test_the_clients_requests_are_the_sdks(
    start_simulator: Start,
    clock: ManualClock,
    together3_python: Path,  # noqa: F811
) -> None:
    server = today(start_simulator)
    provider = provider_for(server, clock)
    [option, *_] = await provider.deploy_options(GPT_OSS_20B)
    endpoints = await provider.list_endpoints()
    support = await provider.get_endpoint(endpoints[0].id)
    await provider.deploy(
        DeploySpec(
            option_id=option.id,
            endpoint="sdk-check",
            deployment_name="d1",
            min_replicas=1,
            max_replicas=2,
            inactive_timeout=60,
            traffic_weight=0.5,
            regions=option.regions[:1],
        )
    )
    await provider.deploy(DeploySpec(option_id=option.id, endpoint=support.id, traffic_weight=0.0))
    client = provider.v2.client
    config, model = option.id.split("|")
    request = DeploymentCreate(
        name="dry",
        autoscaling=AutoscalingRequest(min_replicas=1, max_replicas=1, scale_down_window="300s"),
        model=model,
        config=config,
        max_concurrent_requests_per_replica="4",
    )
    await client.create_deployment(support.id, request, validate_only=True)
    primary = support.deployments[0]
    await provider.scale_deployment(primary.id, 1, 2, version=primary.version)
    await provider.stop_deployment(primary.id)
    await provider.start_deployment(primary.id)
    qwen = next(e for e in endpoints if e.name.endswith("/qwen-eval"))
    await provider.update_endpoint(qwen.id, EndpointChanges(max_replicas=2, inactive_timeout=30))
    await provider.list_events(support.id, limit=5, min_level="LEVEL_WARN", deployment_ids=[primary.id])
    await client.analytics(support.id, granularity="1h", deployment_id=primary.id)
    await provider.delete(qwen.id)
    await provider.delete(support.deployments[1].id)
    await provider.aclose()

    sent = [r.to_json() for r in server.sim.requests() if r.path.startswith("/v2/")]
    command = [str(together3_python), str(SCRIPT)]
    done = await asyncio.to_thread(
        subprocess.run, command, input=json.dumps(sent), capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr[-2000:]
    report = json.loads(done.stdout)
    assert report["problems"] == []
    # Every request sent to a route with params was checked: each kind of write, and the reads with a query.
    routed = {re.sub(r"/(proj|ep|dep)_[0-9a-z_]+", "/{id}", label) for label in report["checked"]}
    assert routed >= {
        "POST /v2/projects/{id}/endpoints",
        "PATCH /v2/projects/{id}/endpoints/{id}",
        "DELETE /v2/projects/{id}/endpoints/{id}",
        "POST /v2/projects/{id}/endpoints/{id}/deployments",
        "PATCH /v2/projects/{id}/endpoints/{id}/deployments/{id}",
        "DELETE /v2/projects/{id}/endpoints/{id}/deployments/{id}",
        "GET /v2/projects/{id}/endpoints",
        "GET /v2/projects/{id}/endpoints/{id}/deployments",
        "GET /v2/projects/{id}/endpoints/{id}/events",
        "GET /v2/projects/{id}/endpoints/{id}/analytics",
        "GET /v2/supported-models",
    }
