"""The simulated Together v2 API over loopback: lifecycle, validation, etags, events, analytics, routing."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tui.simulator import DEMO_API_KEY, ManualClock, Simulator, SimulatorConfig, SimulatorServer

EPOCH = 1_768_478_400.0


@pytest.fixture
def v2() -> Iterator[tuple[Simulator, httpx.Client]]:
    sim = Simulator(SimulatorConfig(clock=ManualClock(EPOCH), tokens_per_second=0.0))
    with (
        SimulatorServer(sim) as server,
        httpx.Client(base_url=server.root_url, headers={"Authorization": f"Bearer {DEMO_API_KEY}"}) as client,
    ):
        yield sim, client


def _project(client: httpx.Client) -> str:
    return str(client.get("/v3/whoami").json()["project"]["id"])


def _deploy(client: httpx.Client, name: str, model: str = "openai/gpt-oss-20b", **extra: Any) -> tuple[str, dict]:
    project = _project(client)
    [supported] = client.get("/v2/supported-models", params={"search": model}).json()["data"]
    profile = supported["deploymentProfiles"][0]
    endpoint = client.post(f"/v2/projects/{project}/endpoints", json={"name": name}).json()
    body = {
        "name": "d1",
        "model": profile["model"],
        "config": profile["config"],
        "autoscaling": {"minReplicas": 2, "maxReplicas": 3},
        **extra,
    }
    response = client.post(f"/v2/projects/{project}/endpoints/{endpoint['id']}/deployments", json=body)
    assert response.status_code == 200, response.text
    return f"/v2/projects/{project}/endpoints/{endpoint['id']}", response.json()


def test_a_deployment_provisions_scales_and_becomes_ready_on_the_clock(v2: tuple[Simulator, httpx.Client]) -> None:
    sim, client = v2
    path, deployment = _deploy(client, "lifecycle")
    assert deployment["status"]["state"] == "DEPLOYMENT_STATE_PROVISIONING"
    assert deployment["desiredReplicas"] == 2 and deployment["status"]["readyReplicas"] == 0
    seen = []
    for _ in range(30):
        sim.advance(10)
        current = client.get(f"{path}/deployments/{deployment['id']}").json()
        seen.append((current["status"]["state"], current["status"]["readyReplicas"]))
    states = [state for state, _ in seen]
    assert states.index("DEPLOYMENT_STATE_SCALING") < states.index("DEPLOYMENT_STATE_READY")
    assert ("DEPLOYMENT_STATE_SCALING", 1) in seen and seen[-1] == ("DEPLOYMENT_STATE_READY", 2)
    types = [e["type"] for e in client.get(f"{path}/events", params={"limit": 100}).json()["data"]]
    assert {"deployment.created", "deployment.scaled", "condition.set", "pod.startup_phase_changed"} <= set(types)
    boots = [
        e
        for e in reversed(client.get(f"{path}/events", params={"limit": 100}).json()["data"])
        if e["type"] == "pod.startup_phase_changed"
    ]
    first_replica = [e["reason"] for e in boots if e["replicaId"] == boots[0]["replicaId"]]
    assert first_replica == ["PullingImage", "Starting", "LoadingWeights", "StartupComplete"]


def test_validation_etags_and_delete_rules(v2: tuple[Simulator, httpx.Client]) -> None:
    sim, client = v2
    path, deployment = _deploy(client, "rules")
    dep_path = f"{path}/deployments/{deployment['id']}"
    refused = client.patch(
        dep_path, params={"updateMask": "autoscaling"}, json={"autoscaling": {"minReplicas": 0, "maxReplicas": 2}}
    )
    assert refused.status_code == 400 and "set both to 0" in refused.json()["message"]
    for timeout in (29, 1441, -1):
        assert client.patch(dep_path, json={"inactiveTimeout": timeout}).status_code == 400
    stale = client.patch(dep_path, json={"etag": "not-the-etag", "inactiveTimeout": 60})
    assert stale.status_code == 409 and stale.json()["code"] == 10
    updated = client.patch(dep_path, json={"etag": deployment["etag"], "inactiveTimeout": 60}).json()
    assert updated["etag"] != deployment["etag"] and updated["inactiveTimeout"] == 60
    assert client.delete(path).status_code == 400  # deployments remain
    assert client.delete(dep_path).status_code == 409  # not stopped
    stopped = client.patch(
        dep_path, params={"updateMask": "autoscaling"}, json={"autoscaling": {"minReplicas": 0, "maxReplicas": 0}}
    ).json()
    assert stopped["status"]["state"] == "DEPLOYMENT_STATE_STOPPING"
    sim.advance(60)
    assert client.get(dep_path).json()["status"]["state"] == "DEPLOYMENT_STATE_STOPPED"
    assert client.delete(dep_path).json() == {}
    assert client.delete(path).json() == {}


def test_chat_is_routed_by_the_split_and_counted_in_analytics(v2: tuple[Simulator, httpx.Client]) -> None:
    sim, client = v2
    path, deployment = _deploy(client, "routed")
    chat = {"model": "demo-project/routed", "messages": [{"role": "user", "content": "hi"}], "max_tokens": 8}
    early = client.post("/v1/chat/completions", json=chat)
    assert early.status_code == 400 and early.json()["error"]["code"] == "endpoint_not_ready"
    sim.advance(3600)
    client.patch(path, params={"updateMask": "trafficSplit"}, json={"trafficSplit": []})
    unrouted = client.post("/v1/chat/completions", json=chat)
    assert unrouted.status_code == 400 and unrouted.json()["error"]["code"] == "endpoint_not_configured"
    pinned = client.post("/v1/chat/completions", json={**chat, "model": "demo-project/routed/d1"})
    assert pinned.status_code == 200
    client.patch(
        path,
        params={"updateMask": "trafficSplit"},
        json={"trafficSplit": [{"deploymentId": deployment["id"], "weight": 1}]},
    )
    answered = client.post("/v1/chat/completions", json=chat).json()
    metrics = client.get(f"{path}/analytics").json()["metrics"]
    assert metrics["requestMetrics"]["totalRequests"] == "2"
    assert metrics["tokenMetrics"]["totalOutputTokens"] == str(
        answered["usage"]["completion_tokens"] + pinned.json()["usage"]["completion_tokens"]
    )


def test_the_demo_account_has_a_split_a_stopped_and_a_degraded_endpoint(v2: tuple[Simulator, httpx.Client]) -> None:
    _, client = v2
    project = _project(client)
    endpoints = {e["name"]: e for e in client.get(f"/v2/projects/{project}/endpoints").json()["data"]}
    support = endpoints["demo-project/support-bot"]
    assert sorted(round(d["estimatedEffectiveTrafficShare"], 2) for d in support["deployments"]) == [0.1, 0.9]
    states = {d["state"] for e in endpoints.values() for d in e["deployments"]}
    assert {"DEPLOYMENT_STATE_STOPPED", "DEPLOYMENT_STATE_DEGRADED", "DEPLOYMENT_STATE_READY"} <= states
    v1 = client.get("/v1/endpoints", params={"type": "dedicated"}).json()["data"]
    assert sorted(e["state"] for e in v1) == ["STARTED", "STOPPED"]


def test_v1_today_refuses_create_and_restart_and_says_not_running(v2: tuple[Simulator, httpx.Client]) -> None:
    _, client = v2
    created = client.post(
        "/v1/endpoints",
        json={
            "model": "openai/gpt-oss-20b",
            "hardware": "1x_nvidia_h100_80gb_sxm",
            "autoscaling": {"min_replicas": 1, "max_replicas": 1},
        },
    )
    assert created.status_code == 403 and created.json()["error"]["code"] == "endpoints_v1_create_access_disabled"
    stopped = next(
        e for e in client.get("/v1/endpoints", params={"type": "dedicated"}).json()["data"] if e["state"] == "STOPPED"
    )
    restart = client.patch(f"/v1/endpoints/{stopped['id']}", json={"state": "STARTED"})
    assert restart.status_code == 403
    chat = client.post(
        "/v1/chat/completions", json={"model": stopped["name"], "messages": [{"role": "user", "content": "hi"}]}
    )
    assert chat.status_code == 400 and chat.json()["error"]["code"] == "dedicated_endpoint_not_running"
    h100 = next(h for h in client.get("/v1/hardware").json()["data"] if h["id"] == "1x_nvidia_h100_80gb_sxm")
    assert h100["pricing"]["cents_per_minute"] == 9.0
    assert not [h for h in client.get("/v1/hardware").json()["data"] if "a100" in h["id"] or "l40s" in h["id"]]


def test_the_current_engine_streams_usage_in_a_trailing_chunk(v2: tuple[Simulator, httpx.Client]) -> None:
    _, client = v2
    body = {
        "model": "openai/gpt-oss-20b",
        "messages": [{"role": "user", "content": "hi"}],
        "stream": True,
        "max_tokens": 6,
    }
    lines = [line for line in client.post("/v1/chat/completions", json=body).text.splitlines() if line]
    chunks = [httpx.Response(200, content=line[6:]).json() for line in lines if line != "data: [DONE]"]
    assert chunks[0]["choices"][0]["delta"]["content"] == "" and "usage" not in chunks[0]
    assert all(c["choices"][0]["delta"]["token_id"] is None for c in chunks[:-1])
    assert chunks[-1]["choices"] == [] and "reasoning_tokens" in chunks[-1]["usage"]
    older = {**body, "model": "meta-llama/Llama-3.3-70B-Instruct-Turbo"}
    lines = [line for line in client.post("/v1/chat/completions", json=older).text.splitlines() if line]
    last = httpx.Response(200, content=lines[-2][6:]).json()
    assert last["choices"][0]["finish_reason"] and "cached_tokens" in last["usage"]


def test_simulate_takes_its_key_from_the_environment_and_never_prints_it() -> None:
    secret = "sk-sim-" + "q" * 24
    env = {**os.environ, "TOGETHER_TUI_SIM_API_KEY": secret}
    process = subprocess.Popen(
        [sys.executable, "-m", "tui.simulator", "--port", "0", "--speed", "inf"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        assert secret not in line and "TOGETHER_TUI_SIM_API_KEY" in line
        match = re.search(r"(http://127\.0\.0\.1:\d+)/v1", line)
        assert match
        for _ in range(100):
            try:
                ok = httpx.get(match.group(1) + "/v3/whoami", headers={"Authorization": f"Bearer {secret}"})
                break
            except httpx.ConnectError:
                continue
        assert ok.status_code == 200
        assert httpx.get(match.group(1) + "/v3/whoami", headers={"Authorization": "Bearer x"}).status_code == 401
    finally:
        process.terminate()
        _, err = process.communicate(timeout=10)
    assert secret not in err
