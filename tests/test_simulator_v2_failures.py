"""The simulated Together v2 API's unhappy paths over loopback: a config that never gets ready goes DEGRADED
then FAILED, a hardware with no capacity stays DEGRADED, and the events feed tells each story."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from test_simulator_v2 import EPOCH, _project

from tui.simulator import DEMO_API_KEY, ManualClock, Simulator, SimulatorConfig, SimulatorServer
from tui.simulator.v2_catalogue import BROKEN_QUANTIZATION


@pytest.fixture
def v2() -> Iterator[tuple[Simulator, httpx.Client]]:
    sim = Simulator(SimulatorConfig(clock=ManualClock(EPOCH), tokens_per_second=0.0))
    with (
        SimulatorServer(sim) as server,
        httpx.Client(base_url=server.root_url, headers={"Authorization": f"Bearer {DEMO_API_KEY}"}) as client,
    ):
        yield sim, client


def deploy_profile(client: httpx.Client, name: str, model: str, pick: str) -> tuple[str, str]:
    """(deployment path, its endpoint's path) for a new endpoint on the profile of ``model`` matching ``pick``."""
    project = _project(client)
    [supported] = client.get("/v2/supported-models", params={"search": model}).json()["data"]
    profile = next(p for p in supported["deploymentProfiles"] if pick in (p.get("quantization"), p["config"])
                   or pick in f"{p['gpuCount']}x{p['gpuType']}")
    endpoint = client.post(f"/v2/projects/{project}/endpoints", json={"name": name}).json()
    path = f"/v2/projects/{project}/endpoints/{endpoint['id']}"
    body = {"name": "d1", "model": profile["model"], "config": profile["config"],
            "autoscaling": {"minReplicas": 1, "maxReplicas": 1}}
    created = client.post(f"{path}/deployments", json=body)
    assert created.status_code == 200, created.text
    return f"{path}/deployments/{created.json()['id']}", path


def test_a_config_that_never_gets_ready_degrades_then_fails_and_the_events_say_why(
    v2: tuple[Simulator, httpx.Client],
) -> None:
    sim, client = v2
    deployment, endpoint = deploy_profile(client, "broken", "deepseek-ai/DeepSeek-V3.1", BROKEN_QUANTIZATION)
    states = []
    for _ in range(80):  # 80 x 5 min: past the readiness timeout
        sim.advance(300)
        status = client.get(deployment).json()["status"]
        states.append((status["state"], status["message"]))
    order = list(dict.fromkeys(state for state, _ in states))
    assert order.index("DEPLOYMENT_STATE_DEGRADED") < order.index("DEPLOYMENT_STATE_FAILED"), order
    assert "DEPLOYMENT_STATE_READY" not in order
    assert any("stalled" in message for state, message in states if state == "DEPLOYMENT_STATE_DEGRADED")
    assert states[-1][0] == "DEPLOYMENT_STATE_FAILED"
    events = client.get(f"{endpoint}/events", params={"limit": 100}).json()["data"]
    logs = [e for e in events if e["type"] == "pod.log" and e["level"] == "LEVEL_ERROR"]
    assert logs and BROKEN_QUANTIZATION in logs[0]["logExcerpt"]
    assert any(e.get("reason") == "ReadinessTimeout" for e in events)
    # Nothing is routable behind it: the inference host says so, in v2's words.
    name = client.get(endpoint).json()["name"]
    chat = client.post("/v1/chat/completions", json={"model": name, "messages": [{"role": "user", "content": "hi"}]})
    assert chat.status_code == 400 and chat.json()["error"]["code"] == "endpoint_not_ready"


def test_hardware_with_no_capacity_stays_degraded_with_what_could_not_be_placed(
    v2: tuple[Simulator, httpx.Client],
) -> None:
    sim, client = v2
    deployment, _ = deploy_profile(client, "nocap", "openai/gpt-oss-120b", "8xB200")
    for _ in range(24):
        sim.advance(300)
    current = client.get(deployment).json()
    assert current["status"]["state"] == "DEPLOYMENT_STATE_DEGRADED"
    assert "insufficient GPU capacity" in current["status"]["message"]
    # Desired says what was asked; ready says what serves (none of it could be placed).
    assert current["desiredReplicas"] == 1 and current["status"]["readyReplicas"] == 0
