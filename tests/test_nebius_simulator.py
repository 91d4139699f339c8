"""The Nebius Token Factory simulator: five control routes, lifecycle on the clock, FastAPI errors, chat."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any

import openai
import pytest
from starlette.testclient import TestClient

from tests.nebius_tools import SIM_KEY, schema_errors, start_nebius  # noqa: F401 (fixture)
from tui.simulator.config import ManualClock, SimulatorConfig
from tui.simulator.nebius.app import NebiusSimulator
from tui.simulator.nebius.catalogue import TEMPLATES
from tui.simulator.nebius.world import Timings
from tui.simulator.server import SimulatorServer

AUTH = {"Authorization": f"Bearer {SIM_KEY}"}
T = Timings()
BODY: dict[str, Any] = {
    "name": "GPT-20B Endpoint",
    "description": "Dedicated GPT-20B for internal apps",
    "model_name": "openai/gpt-oss-20b",
    "flavor_name": "base",
    "gpu_type": "gpu-h100-sxm",
    "gpu_count": 1,
    "region": "eu-north1",
    "scaling": {"min_replicas": 2, "max_replicas": 3},
}


class Account:
    def __init__(self, **config: Any) -> None:
        self.clock = ManualClock()
        self.sim = NebiusSimulator(SimulatorConfig(clock=self.clock, tokens_per_second=0, **config))
        self.http = TestClient(self.sim.app, headers=AUTH)

    def create(self, **changes: Any) -> dict[str, Any]:
        response = self.http.post("/v0/dedicated_endpoints", json={**BODY, **changes})
        assert response.status_code == 201, response.text
        return response.json()

    def state(self, endpoint_id: str) -> tuple[str, str, int]:
        [item] = [e for e in self.http.get("/v0/dedicated_endpoints").json()["data"] if e["id"] == endpoint_id]
        deployment = item["deployment"]
        return deployment["status"], deployment["readiness"], deployment["ready_replicas"]

    def chat(self, routing_key: str) -> Any:
        return self.http.post(
            "/v1/chat/completions",
            json={"model": routing_key, "messages": [{"role": "user", "content": "hello"}], "max_tokens": 8},
        )

    def patch(self, endpoint_id: str, body: Any) -> Any:
        return self.http.patch(f"/v0/dedicated_endpoints/{endpoint_id}", json=body)


@pytest.fixture
def account() -> Account:
    return Account(endpoints=0)


def test_a_missing_or_wrong_key_is_401_with_a_detail() -> None:
    sim = NebiusSimulator(SimulatorConfig(endpoints=0))
    bare = TestClient(sim.app)
    assert bare.get("/v0/dedicated_endpoints").status_code == 401
    wrong = bare.get("/v0/dedicated_endpoints", headers={"Authorization": "Bearer nope"})
    assert (wrong.status_code, wrong.json()) == (401, {"detail": "Invalid API key"})
    assert bare.post("/v1/chat/completions", json={}).status_code == 401


def test_every_template_combination_can_be_created_and_is_shaped_as_the_schema(account: Account) -> None:
    combos = [
        (t.name, flavor, h.gpu_type, h.gpu_count, region)
        for t in TEMPLATES
        for flavor, hardware in t.flavors.items()
        for h in hardware
        for region in h.regions
    ]
    assert len(combos) > 20
    for model, flavor, gpu, count, region in combos:
        created = account.create(model_name=model, flavor_name=flavor, gpu_type=gpu, gpu_count=count, region=region)
        assert schema_errors("endpoint", created["endpoint"]) == []
    listed = account.http.get("/v0/dedicated_endpoints").json()
    assert listed["object"] == "list" and len(listed["data"]) == len(combos)
    for item in listed["data"]:
        assert schema_errors("endpoint", item) == []


def test_create_is_201_wrapped_with_top_level_ids_and_never_idempotent(account: Account) -> None:
    first, second = account.create(), account.create()
    assert first["endpoint_id"] == first["endpoint"]["id"] != second["endpoint"]["id"]
    assert first["routing_key"] == first["endpoint"]["routing_key"] != second["routing_key"]
    assert first["endpoint"]["name"] == BODY["name"] and first["endpoint"]["enabled"] is True
    assert len(account.http.get("/v0/dedicated_endpoints").json()["data"]) == 2


def test_there_is_no_get_by_id(account: Account) -> None:
    endpoint_id = account.create()["endpoint_id"]
    assert account.http.get(f"/v0/dedicated_endpoints/{endpoint_id}").status_code == 405


def test_readiness_rises_with_ready_replicas_and_chat_is_404_until_routable(account: Account) -> None:
    created = account.create()
    endpoint_id, key = created["endpoint_id"], created["routing_key"]
    assert account.state(endpoint_id) == ("starting", "not_ready", 0)
    refused = account.chat(key)
    assert refused.status_code == 404 and "not available yet" in refused.json()["detail"]
    account.clock.advance(T.provisioning)
    assert account.state(endpoint_id) == ("starting", "partially_ready", 1)
    assert account.chat(key).status_code == 200  # one ready replica serves
    account.clock.advance(T.per_replica)
    assert account.state(endpoint_id) == ("running", "ready", 2)


def test_disable_stops_and_enable_starts_again(account: Account) -> None:
    created = account.create(scaling={"min_replicas": 1, "max_replicas": 1})
    endpoint_id, key = created["endpoint_id"], created["routing_key"]
    account.clock.advance(T.provisioning)
    assert account.state(endpoint_id) == ("running", "ready", 1)
    stopped = account.patch(endpoint_id, {"enabled": False})
    assert stopped.status_code == 200 and stopped.json()["enabled"] is False
    assert account.state(endpoint_id) == ("stopping", "partially_ready", 1)
    account.clock.advance(T.stopping)
    assert account.state(endpoint_id) == ("stopped", "not_ready", 0)
    assert account.chat(key).status_code == 404
    account.patch(endpoint_id, {"enabled": True})
    assert account.state(endpoint_id) == ("starting", "not_ready", 0)
    account.clock.advance(T.provisioning)
    assert account.state(endpoint_id) == ("running", "ready", 1)
    assert account.chat(key).status_code == 200


def test_create_disabled_starts_stopped(account: Account) -> None:
    endpoint_id = account.create(enabled=False)["endpoint_id"]
    assert account.state(endpoint_id) == ("stopped", "not_ready", 0)


def test_patch_changes_only_what_it_names(account: Account) -> None:
    created = account.create()["endpoint"]
    renamed = account.patch(created["id"], {"name": "renamed"}).json()
    unchanged = {k: v for k, v in created.items() if k not in ("name", "deployment")}
    assert renamed["name"] == "renamed"
    assert {k: v for k, v in renamed.items() if k not in ("name", "deployment")} == unchanged


def test_patch_refuses_region_partial_scaling_and_combinations_not_in_the_templates(account: Account) -> None:
    endpoint_id = account.create()["endpoint_id"]
    for body, loc in (
        ({"region": "eu-west1"}, ["body", "region"]),
        ({"scaling": {"max_replicas": 8}}, ["body", "scaling", "min_replicas"]),
        ({"gpu_type": "gpu-b300-sxm"}, ["body"]),
        ({"model_name": "openai/gpt-oss-120b"}, ["body", "model_name"]),
        ({"scaling": {"min_replicas": 3, "max_replicas": 2}}, ["body", "scaling"]),
    ):
        response = account.patch(endpoint_id, body)
        assert response.status_code == 422, body
        assert schema_errors("validation_error", response.json()) == []
        assert response.json()["detail"][0]["loc"] == loc


def test_a_gpu_change_updates_then_runs_and_more_replicas_come_up_one_by_one(account: Account) -> None:
    endpoint_id = account.create(scaling={"min_replicas": 1, "max_replicas": 4})["endpoint_id"]
    account.clock.advance(T.provisioning)
    assert account.patch(endpoint_id, {"gpu_type": "gpu-l40s-d"}).status_code == 200
    assert account.state(endpoint_id) == ("updating", "ready", 1)
    account.clock.advance(T.updating)
    assert account.state(endpoint_id) == ("running", "ready", 1)
    account.patch(endpoint_id, {"scaling": {"min_replicas": 3, "max_replicas": 4}})
    assert account.state(endpoint_id) == ("updating", "partially_ready", 1)
    account.clock.advance(T.per_replica)
    assert account.state(endpoint_id) == ("updating", "partially_ready", 2)
    account.clock.advance(T.per_replica)
    assert account.state(endpoint_id) == ("running", "ready", 3)


@pytest.mark.parametrize(
    ("changes", "kind", "loc"),
    [
        ({"gpu_type": "gpu-a100"}, "enum", ["body", "gpu_type"]),
        ({"region": "mars-1"}, "enum", ["body", "region"]),
        ({"gpu_count": True}, "int_type", ["body", "gpu_count"]),
        ({"name": ""}, "string_too_short", ["body", "name"]),
        ({"name": "x" * 101}, "string_too_long", ["body", "name"]),
        ({"scaling": {"min_replicas": 0, "max_replicas": 1}}, "greater_than_equal",
         ["body", "scaling", "min_replicas"]),
        ({"hardware": "1x_nvidia_h100"}, "extra_forbidden", ["body", "hardware"]),
        ({"flavor_name": "turbo"}, "value_error", ["body"]),
        ({"gpu_count": 2}, "value_error", ["body"]),
        ({"region": "us-central1", "flavor_name": "fast"}, "value_error", ["body"]),
    ],
)
def test_create_refuses_bad_fields_with_fastapi_detail(
    account: Account, changes: dict[str, Any], kind: str, loc: list[str]
) -> None:
    response = account.http.post("/v0/dedicated_endpoints", json={**BODY, **changes})
    assert response.status_code == 422
    body = response.json()
    assert schema_errors("validation_error", body) == []
    assert (body["detail"][0]["type"], body["detail"][0]["loc"]) == (kind, loc)
    assert account.http.get("/v0/dedicated_endpoints").json()["data"] == []


def test_a_missing_field_and_a_non_object_body_are_422(account: Account) -> None:
    missing = account.http.post("/v0/dedicated_endpoints", json={k: v for k, v in BODY.items() if k != "region"})
    assert missing.json()["detail"][0]["type"] == "missing" and missing.json()["detail"][0]["loc"] == ["body", "region"]
    assert account.http.post("/v0/dedicated_endpoints", json=[1]).status_code == 422
    assert account.http.post("/v0/dedicated_endpoints", content=b"{nope").status_code == 422


def test_delete_is_200_empty_and_then_the_endpoint_is_gone(account: Account) -> None:
    endpoint_id = account.create()["endpoint_id"]
    deleted = account.http.delete(f"/v0/dedicated_endpoints/{endpoint_id}")
    assert (deleted.status_code, deleted.json()) == (200, {})
    again = account.http.delete(f"/v0/dedicated_endpoints/{endpoint_id}")
    assert (again.status_code, again.json()) == (404, {"detail": "Endpoint not found"})
    assert account.patch(endpoint_id, {"name": "x"}).status_code == 404


def test_a_gpu_short_of_capacity_fails_after_provisioning(account: Account) -> None:
    endpoint_id = account.create(
        model_name="deepseek-ai/DeepSeek-V3.1", flavor_name="fast", gpu_type="gpu-b300-sxm", gpu_count=8,
        region="us-central1",
    )["endpoint_id"]
    account.clock.advance(T.provisioning)
    assert account.state(endpoint_id) == ("error", "not_ready", 0)


def test_the_demo_account_has_a_running_a_stopped_and_a_starting_endpoint() -> None:
    demo = Account()
    states = {e["name"]: e["deployment"]["status"] for e in demo.http.get("/v0/dedicated_endpoints").json()["data"]}
    assert states == {"support-bot": "running", "batch-summaries": "stopped", "deepseek-eval": "starting"}


def test_unknown_paths_and_methods_answer_like_fastapi(account: Account) -> None:
    assert account.http.get("/v0/nothing").json() == {"detail": "Not Found"}
    assert account.http.delete("/v0/dedicated_endpoints/templates").status_code == 405
    assert account.http.get("/v0/dedicated_endpoints", params={"ai_project_id": "p"}).status_code == 200


def test_the_openai_sdk_streams_and_chats_by_routing_key(
    start_nebius: Callable[..., SimulatorServer[NebiusSimulator]],  # noqa: F811
) -> None:
    server = start_nebius(endpoints=0)
    with TestClient(server.sim.app, headers=AUTH) as http:
        created = http.post("/v0/dedicated_endpoints", json=BODY).json()
    key = created["routing_key"]
    client = openai.OpenAI(api_key=SIM_KEY, base_url=f"{server.root_url}/v1", max_retries=0)
    with pytest.raises(openai.NotFoundError):
        client.chat.completions.create(model=key, messages=[{"role": "user", "content": "hi"}])
    server.sim.advance(T.provisioning)
    stream = client.chat.completions.create(
        model=key, messages=[{"role": "user", "content": "Explain autoscaling"}], stream=True,
        stream_options={"include_usage": True},
    )
    chunks = list(stream)
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert text.strip() and all(c.model == key for c in chunks)
    assert chunks[-1].usage is not None and chunks[-1].usage.completion_tokens > 0
    reply = client.chat.completions.create(model=key, messages=[{"role": "user", "content": "hi"}], max_tokens=400)
    assert reply.model == key and reply.choices[0].message.content


def test_the_cli_takes_a_provider_and_keeps_together_the_default(capsys: pytest.CaptureFixture[str]) -> None:
    from tui.simulator.cli import configure_parser, run

    parser = argparse.ArgumentParser()
    configure_parser(parser)
    assert parser.parse_args([]).provider == "together"
    args = parser.parse_args(["--provider", "nebius", "--legacy-v1"])
    assert args.provider == "nebius"
    assert run(args) == 2
    assert "--legacy-v1" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        parser.parse_args(["--provider", "azure"])
