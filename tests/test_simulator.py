"""The Together API simulator, driven over real loopback HTTP like the app drives it."""

from __future__ import annotations

import itertools
import json
import math
import re
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from tui.simulator import (
    DEMO_API_KEY,
    Faults,
    ManualClock,
    Simulator,
    SimulatorConfig,
    SimulatorServer,
)
from tui.simulator.catalogue import HARDWARE, MODELS, Catalogue
from tui.simulator.cli import configure_parser, run

EPOCH = 1_768_478_400.0  # 2026-01-15T12:00:00Z
AUTH = {"Authorization": f"Bearer {DEMO_API_KEY}"}
LIST_KEYS = {"object", "id", "name", "model", "type", "owner", "state", "created_at"}
DETAIL_KEYS = {
    "object", "id", "name", "display_name", "model", "hardware", "type", "owner", "state", "autoscaling", "created_at",
}  # fmt: skip
ISO_MS_Z = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
ENDPOINT_ID = re.compile(r"^endpoint-[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")
H100 = "1x_nvidia_h100_80gb_sxm"
ANY = object()  # "don't check this field" in assert_error


class Harness:
    """A simulator on loopback plus an authenticated client for it."""

    def __init__(self, sim: Simulator, server: SimulatorServer) -> None:
        self.sim = sim
        self.server = server
        self.client = httpx.Client(base_url=server.base_url, headers=AUTH, timeout=10)
        self.admin = httpx.Client(base_url=server.root_url, timeout=10)

    @property
    def clock(self) -> ManualClock:
        assert isinstance(self.sim.clock, ManualClock)
        return self.sim.clock

    def create(self, **overrides: Any) -> dict[str, Any]:
        body: dict[str, Any] = {
            "model": "openai/gpt-oss-20b",
            "hardware": self.hardware("openai/gpt-oss-20b", "available"),
        }
        body["autoscaling"] = {"min_replicas": 1, "max_replicas": 1}
        body.update(overrides)
        response = self.client.post("/endpoints", json=body)
        assert response.status_code == 200, response.text
        return response.json()

    def state(self, endpoint_id: str) -> str:
        response = self.client.get(f"/endpoints/{endpoint_id}")
        assert response.status_code == 200, response.text
        return response.json()["state"]

    def hardware(self, model: str, status: str) -> str:
        hardware = self.sim.catalogue.pick_hardware(model, status)
        assert hardware is not None, f"seed has no {status} hardware for {model}"
        return hardware

    def chat(self, model: str, content: str = "Hello there", **extra: Any) -> httpx.Response:
        body = {"model": model, "messages": [{"role": "user", "content": content}], **extra}
        return self.client.post("/chat/completions", json=body)

    def close(self) -> None:
        self.client.close()
        self.admin.close()


@pytest.fixture
def serve() -> Iterator[Callable[..., Harness]]:
    """Start simulators (ManualClock at EPOCH, realistic speed, no token delay unless overridden)."""
    harnesses: list[Harness] = []

    def start(**overrides: Any) -> Harness:
        options: dict[str, Any] = {"clock": ManualClock(EPOCH), "tokens_per_second": 0.0, "legacy_v1": True}
        options.update(overrides)
        sim = Simulator(SimulatorConfig(**options))
        server = SimulatorServer(sim).start()
        harness = Harness(sim, server)
        harnesses.append(harness)
        return harness

    yield start
    for harness in harnesses:
        harness.close()
        harness.server.stop()


@pytest.fixture
def h(serve: Callable[..., Harness]) -> Harness:
    return serve()


def assert_error(
    response: httpx.Response,
    status: int,
    *,
    code: object = ANY,
    param: object = ANY,
    contains: tuple[str, ...] = (),
) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"id", "error"}
    assert body["id"] == response.headers["x-request-id"]
    error = body["error"]
    assert set(error) == {"message", "type", "param", "code"}
    assert isinstance(error["message"], str) and error["message"]
    assert isinstance(error["type"], str) and error["type"]
    if code is not ANY:
        assert error["code"] == code
    if param is not ANY:
        assert error["param"] == param
    for fragment in contains:
        assert fragment.lower() in error["message"].lower(), error["message"]
    return error


def sse_events(response: httpx.Response) -> list[str]:
    """The `data:` payloads of an SSE body, checking the framing on the way."""
    text = response.text
    assert text.endswith("\n\n")
    events = text[:-2].split("\n\n")
    for event in events:
        assert event.startswith("data: ") and "\n" not in event, event
    return [event.removeprefix("data: ") for event in events]


# -- routes and shapes ------------------------------------------------------------------------------------


def test_every_response_carries_a_request_id_and_json_type(h: Harness) -> None:
    ok = h.client.get("/endpoints")
    unauthorised = httpx.get(f"{h.server.base_url}/endpoints")
    missing = h.client.get("/endpoints/endpoint-nope")
    ids = {r.headers["x-request-id"] for r in (ok, unauthorised, missing)}
    assert len(ids) == 3
    assert all(re.fullmatch(r"[A-Za-z0-9]{7}-[A-Za-z0-9]{6}-[0-9a-f]{16}", i) for i in ids)
    for response in (ok, unauthorised, missing):
        assert response.headers["content-type"] == "application/json"


def test_list_has_dedicated_and_serverless_endpoints_in_list_shape(h: Harness) -> None:
    body = h.client.get("/endpoints").json()
    assert body["object"] == "list"
    items = body["data"]
    assert all(set(item) == LIST_KEYS for item in items)
    serverless = [i for i in items if i["type"] == "serverless"]
    dedicated = [i for i in items if i["type"] == "dedicated"]
    assert serverless and all(i["owner"] == "together" and i["name"] == i["model"] for i in serverless)
    assert {i["state"] for i in dedicated} >= {"STARTED", "STOPPED", "STARTING", "PENDING", "ERROR"}
    for item in dedicated:
        assert ENDPOINT_ID.match(item["id"])
        assert item["owner"] == "demo-user"
        assert re.fullmatch(rf"demo-user/{re.escape(item['model'])}-[0-9a-f]{{8}}", item["name"])
        assert ISO_MS_Z.match(item["created_at"])


def test_list_filters(h: Harness) -> None:
    def ids(**params: str) -> set[str]:
        response = h.client.get("/endpoints", params=params)
        assert response.status_code == 200
        return {item["id"] for item in response.json()["data"]}

    everything = ids()
    dedicated = ids(type="dedicated")
    serverless = ids(type="serverless")
    assert dedicated and serverless and dedicated | serverless == everything and not dedicated & serverless
    assert ids(mine="true") == dedicated
    assert ids(mine="false") == everything
    assert ids(type="dedicated", mine="true", usage_type="on-demand") | ids(usage_type="reserved") == dedicated
    assert len(ids(usage_type="reserved")) == 1


@pytest.mark.parametrize(
    ("params", "param"),
    [({"type": "shared"}, "type"), ({"mine": "maybe"}, "mine"), ({"usage_type": "spot"}, "usage_type")],
)
def test_list_rejects_bad_query_values(h: Harness, params: dict[str, str], param: str) -> None:
    assert_error(h.client.get("/endpoints", params=params), 400, param=param)


def test_retrieve_has_exactly_the_dedicated_endpoint_fields(h: Harness) -> None:
    listed = [i for i in h.client.get("/endpoints", params={"type": "dedicated"}).json()["data"]]
    display_names = set()
    for item in listed:
        detail = h.client.get(f"/endpoints/{item['id']}").json()
        assert set(detail) == DETAIL_KEYS
        assert {k: detail[k] for k in LIST_KEYS} == item
        assert detail["hardware"] in {hw.id for hw in HARDWARE}
        assert set(detail["autoscaling"]) == {"min_replicas", "max_replicas"}
        display_names.add(detail["display_name"])
    assert len(display_names) == len(listed)


def test_unknown_and_serverless_ids_are_404(h: Harness) -> None:
    error = assert_error(h.client.get("/endpoints/endpoint-does-not-exist"), 404, contains=("not found", "endpoint"))
    assert "endpoint-does-not-exist" in error["message"]
    serverless = h.client.get("/endpoints", params={"type": "serverless"}).json()["data"][0]["id"]
    for method in ("GET", "PATCH", "DELETE"):
        assert_error(h.client.request(method, f"/endpoints/{serverless}", json={}), 404)
    assert_error(h.client.patch("/endpoints/endpoint-nope", json={"state": "STOPPED"}), 404)
    assert_error(h.client.delete("/endpoints/endpoint-nope"), 404)


def test_create_retrieve_delete(h: Harness) -> None:
    created = h.create(display_name="My endpoint", autoscaling={"min_replicas": 1, "max_replicas": 3})
    assert set(created) == DETAIL_KEYS
    assert created["state"] == "PENDING"
    assert created["display_name"] == "My endpoint"
    assert created["autoscaling"] == {"min_replicas": 1, "max_replicas": 3}
    assert created["created_at"] == "2026-01-15T12:00:00.000Z"
    assert ENDPOINT_ID.match(created["id"])
    assert re.fullmatch(r"demo-user/openai/gpt-oss-20b-[0-9a-f]{8}", created["name"])
    assert h.client.get(f"/endpoints/{created['id']}").json() == created
    assert created["id"] in {i["id"] for i in h.client.get("/endpoints").json()["data"]}

    deleted = h.client.delete(f"/endpoints/{created['id']}")
    assert deleted.status_code == 204 and deleted.content == b""
    assert deleted.headers["x-request-id"]
    assert_error(h.client.get(f"/endpoints/{created['id']}"), 404)
    assert_error(h.client.delete(f"/endpoints/{created['id']}"), 404)
    assert created["id"] not in {i["id"] for i in h.client.get("/endpoints").json()["data"]}


def test_create_without_display_name_uses_a_string(h: Harness) -> None:
    created = h.create()
    assert created["display_name"] == created["name"]


def test_patch_updates_in_place(h: Harness) -> None:
    created = h.create(autoscaling={"min_replicas": 1, "max_replicas": 2})
    url = f"/endpoints/{created['id']}"
    renamed = h.client.patch(url, json={"display_name": "Renamed"}).json()
    assert renamed["display_name"] == "Renamed" and renamed["id"] == created["id"]
    scaled = h.client.patch(url, json={"autoscaling": {"min_replicas": 2, "max_replicas": 4}}).json()
    assert scaled["autoscaling"] == {"min_replicas": 2, "max_replicas": 4}
    # CLI 2.x sends only the bound the user changed: merged with the current one.
    partial = h.client.patch(url, json={"autoscaling": {"max_replicas": 6}}).json()
    assert partial["autoscaling"] == {"min_replicas": 2, "max_replicas": 6}
    timeout = h.client.patch(url, json={"inactive_timeout": 30})
    assert timeout.status_code == 200 and set(timeout.json()) == DETAIL_KEYS
    assert h.client.patch(url, json={}).json() == h.client.get(url).json()
    assert h.client.get(url).json()["display_name"] == "Renamed"


def test_hardware_without_model_lists_everything_without_availability(h: Harness) -> None:
    body = h.client.get("/hardware").json()
    assert body["object"] == "list"
    items = {item["id"]: item for item in body["data"]}
    assert len(items) == 24
    assert all("availability" not in item for item in items.values())
    assert all(set(item) == {"object", "id", "pricing", "specs", "updated_at"} for item in items.values())
    h100 = items[H100]
    assert h100["pricing"] == {"cents_per_minute": 6.65}
    assert h100["specs"] == {"gpu_type": "h100-80gb", "gpu_link": "sxm", "gpu_memory": 80, "gpu_count": 1}
    assert items["8x_nvidia_h100_80gb_sxm"]["pricing"]["cents_per_minute"] == 53.2
    assert items["1x_nvidia_h200_140gb_sxm"]["pricing"]["cents_per_minute"] == 9.15
    assert items["1x_nvidia_h200_140gb_sxm"]["specs"]["gpu_memory"] == 141
    assert items["1x_nvidia_b200_180gb_sxm"]["pricing"]["cents_per_minute"] == pytest.approx(16.58)
    assert items["2x_nvidia_a100_80gb_sxm"]["pricing"]["cents_per_minute"] == 5.42
    assert "1x_nvidia_a100_80gb_pcie" in items
    # L40S ids do not follow {n}x_nvidia_{gpu}_{vram}_{link}: clients must read specs.
    l40s = [i for i in items.values() if i["specs"]["gpu_type"] == "l40s-48gb"]
    assert {i["id"] for i in l40s} == {f"{n}x_nvidia_l40s" for n in (1, 2, 4, 8)}
    assert all(ISO_MS_Z.match(item["updated_at"]) for item in items.values())


def test_hardware_for_a_model_has_availability_and_only_what_fits(h: Harness) -> None:
    for model in ("openai/gpt-oss-120b", "meta-llama/Llama-3.3-70B-Instruct-Turbo", "deepseek-ai/DeepSeek-V3.1"):
        items = h.client.get("/hardware", params={"model": model}).json()["data"]
        statuses = [item["availability"]["status"] for item in items]
        assert set(statuses) <= {"available", "unavailable", "insufficient"}
        assert "available" in statuses and "unavailable" in statuses
        for item in items:
            specs = item["specs"]
            assert specs["gpu_memory"] * specs["gpu_count"] >= 80
    big = {i["id"] for i in h.client.get("/hardware", params={"model": "deepseek-ai/DeepSeek-V3.1"}).json()["data"]}
    assert big <= {"8x_nvidia_h200_140gb_sxm", "4x_nvidia_b200_180gb_sxm", "8x_nvidia_b200_180gb_sxm"}
    small = {i["id"] for i in h.client.get("/hardware", params={"model": "openai/gpt-oss-120b"}).json()["data"]}
    assert "1x_nvidia_l40s" not in small and H100 in small
    # As the real API (reference §0.1): an error, not an empty list.
    refused = h.client.get("/hardware", params={"model": "nobody/nothing"})
    assert refused.status_code == 400
    assert refused.json()["error"]["message"] == "No GPU configurations found for model nobody/nothing"


def test_availability_is_deterministic_from_the_seed() -> None:
    assert all(Catalogue(7).offered(m.id) == Catalogue(7).offered(m.id) for m in MODELS)
    assert any(Catalogue(1).offered(m.id) != Catalogue(2).offered(m.id) for m in MODELS)
    catalogue = Catalogue(3)
    for model in MODELS:
        offered = catalogue.offered(model.id)
        if len(offered) >= 2:
            assert "unavailable" in offered.values() and "available" in offered.values()
        if offered:
            assert list(offered.values()).count("available") >= len(offered) / 3


def test_availability_zones(h: Harness) -> None:
    body = h.client.get("/clusters/availability-zones").json()
    assert set(body) == {"avzones"}
    assert "us-central-4b" in body["avzones"] and "eu-west-2a" in body["avzones"]


def test_models_is_a_bare_array_with_pricing(h: Harness) -> None:
    models = h.client.get("/models").json()
    assert isinstance(models, list)
    by_id = {m["id"]: m for m in models}
    for wanted in (
        "openai/gpt-oss-20b",
        "openai/gpt-oss-120b",
        "meta-llama/Llama-3.3-70B-Instruct-Turbo",
        "mistralai/Mixtral-8x7B-Instruct-v0.1",
        "deepseek-ai/DeepSeek-V3.1",
        "BAAI/bge-large-en-v1.5",
    ):
        assert wanted in by_id
    assert by_id["BAAI/bge-large-en-v1.5"]["type"] == "embedding"
    for model in models:
        assert model["object"] == "model" and isinstance(model["created"], int)
        assert set(model["pricing"]) == {"hourly", "input", "output", "base", "finetune"}
        assert {"display_name", "organization", "context_length", "type"} <= set(model)
    dedicated = h.client.get("/models", params={"dedicated": "true"}).json()
    assert 0 < len(dedicated) < len(models)
    assert "black-forest-labs/FLUX.1-schnell" not in {m["id"] for m in dedicated}
    assert_error(h.client.get("/models", params={"dedicated": "perhaps"}), 400, param="dedicated")


def test_unknown_route_and_wrong_method(h: Harness) -> None:
    assert_error(h.client.get("/nothing/here"), 404)
    not_allowed = h.client.put("/endpoints", json={})
    assert_error(not_allowed, 405)
    assert "POST" in not_allowed.headers["allow"]
    assert_error(h.client.get("/chat/completions"), 405)


# -- auth --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "headers",
    [{}, {"Authorization": "Bearer wrong-key"}, {"Authorization": DEMO_API_KEY}, {"Authorization": "Bearer"}],
    ids=["missing", "wrong", "no-scheme", "empty"],
)
@pytest.mark.parametrize(
    ("method", "path"),
    [("GET", "/endpoints"), ("POST", "/endpoints"), ("GET", "/hardware"), ("GET", "/models"),
     ("POST", "/chat/completions"), ("DELETE", "/endpoints/endpoint-x")],
)  # fmt: skip
def test_bad_keys_get_401(h: Harness, headers: dict[str, str], method: str, path: str) -> None:
    response = httpx.request(method, h.server.base_url + path, headers=headers, json={"model": "x"})
    assert_error(
        response,
        401,
        code="invalid_api_key",
        contains=("Invalid API key provided", "https://api.together.ai/settings/api-keys"),
    )


def test_custom_api_key(serve: Callable[..., Harness]) -> None:
    h = serve(api_key="another-key")
    assert_error(h.client.get("/endpoints"), 401)
    assert httpx.get(h.server.base_url + "/endpoints", headers={"Authorization": "bearer another-key"}).is_success


# -- validation ------------------------------------------------------------------------------------------

GOOD = {"model": "openai/gpt-oss-20b", "hardware": H100, "autoscaling": {"min_replicas": 1, "max_replicas": 1}}


def _with(**changes: Any) -> dict[str, Any]:
    body = json.loads(json.dumps(GOOD))
    for key, value in changes.items():
        if value is ...:
            body.pop(key)
        else:
            body[key] = value
    return body


CREATE_ERRORS = [
    ("not-json", b"{model: nope", None, ()),
    ("empty", b"", None, ()),
    ("array", b"[1, 2]", None, ()),
    ("missing-model", _with(model=...), "model", ()),
    ("unknown-model", _with(model="acme/not-a-model"), "model", ("model", "not found")),
    ("serverless-only-model", _with(model="black-forest-labs/FLUX.1-schnell"), "model", ("not found",)),
    ("missing-hardware", _with(hardware=...), "hardware", ("hardware is required", "check the hardware api")),
    ("empty-hardware", _with(hardware=""), "hardware", ("hardware is required",)),
    ("unknown-hardware", _with(hardware="1x_nvidia_tpu"), "hardware",
     ("invalid hardware provided", "check the hardware api")),
    ("too-small-hardware", _with(model="deepseek-ai/DeepSeek-V3.1"), "hardware", ("invalid hardware provided",)),
    ("missing-autoscaling", _with(autoscaling=...), "autoscaling", ()),
    ("autoscaling-not-object", _with(autoscaling=3), "autoscaling", ()),
    ("missing-max", _with(autoscaling={"min_replicas": 1}), "autoscaling.max_replicas", ()),
    ("float-replicas", _with(autoscaling={"min_replicas": 1.5, "max_replicas": 2}), "autoscaling.min_replicas", ()),
    ("string-replicas", _with(autoscaling={"min_replicas": 1, "max_replicas": "2"}), "autoscaling.max_replicas", ()),
    ("bool-replicas", _with(autoscaling={"min_replicas": True, "max_replicas": 2}), "autoscaling.min_replicas", ()),
    ("min-over-max", _with(autoscaling={"min_replicas": 3, "max_replicas": 2}), "autoscaling", ("greater",)),
    ("max-below-one", _with(autoscaling={"min_replicas": 0, "max_replicas": 0}), "autoscaling.max_replicas", ()),
    ("negative-min", _with(autoscaling={"min_replicas": -1, "max_replicas": 2}), "autoscaling.min_replicas", ()),
    ("negative-timeout", _with(inactive_timeout=-5), "inactive_timeout", ()),
    ("string-timeout", _with(inactive_timeout="60"), "inactive_timeout", ()),
    ("unknown-state", _with(state="RUNNING"), "state", ("RUNNING",)),
    ("unknown-zone", _with(availability_zone="mars-1a"), "availability_zone", ("mars-1a",)),
    ("display-name-not-string", _with(display_name=7), "display_name", ()),
]  # fmt: skip


@pytest.mark.parametrize(
    ("body", "param", "contains"), [c[1:] for c in CREATE_ERRORS], ids=[c[0] for c in CREATE_ERRORS]
)
def test_create_validation(h: Harness, body: Any, param: str | None, contains: tuple[str, ...]) -> None:
    before = len(h.sim.endpoint_ids())
    if isinstance(body, bytes):
        response = h.client.post("/endpoints", content=body, headers={"content-type": "application/json"})
    else:
        response = h.client.post("/endpoints", json=body)
    error = assert_error(response, 400, contains=contains)
    assert error["type"] == "invalid_request_error"
    if param is not None:
        assert error["param"] == param
    assert len(h.sim.endpoint_ids()) == before


def test_create_accepts_optional_fields_and_zone_in_query(h: Harness) -> None:
    body = _with(
        display_name="x",
        inactive_timeout=None,
        disable_speculative_decoding=True,
        disable_prompt_cache=False,
        availability_zone="us-central-4b",
    )
    assert h.client.post("/endpoints", json=body).status_code == 200
    # The 2.42 CLI sends the zone as a query parameter.
    assert h.client.post("/endpoints", json=GOOD, params={"availability_zone": "eu-west-2a"}).status_code == 200
    assert_error(h.client.post("/endpoints", json=GOOD, params={"availability_zone": "nowhere"}), 400)


@pytest.mark.parametrize(
    ("body", "param"),
    [
        (b"not json", None),
        ({"state": "RUNNING"}, "state"),
        ({"state": "started"}, "state"),
        ({"autoscaling": {"min_replicas": 5}}, "autoscaling"),
        ({"autoscaling": {"min_replicas": 1, "max_replicas": 0}}, "autoscaling.max_replicas"),
        ({"inactive_timeout": -1}, "inactive_timeout"),
        ({"display_name": ["a"]}, "display_name"),
    ],
)
def test_update_validation(h: Harness, body: Any, param: str | None) -> None:
    created = h.create(autoscaling={"min_replicas": 1, "max_replicas": 2})
    url = f"/endpoints/{created['id']}"
    response = h.client.patch(url, content=body) if isinstance(body, bytes) else h.client.patch(url, json=body)
    error = assert_error(response, 400)
    if param is not None:
        assert error["param"] == param
    assert h.client.get(url).json() == created  # nothing half-applied


# -- lifecycle --------------------------------------------------------------------------------------------


def test_create_goes_pending_starting_started(h: Harness) -> None:
    endpoint = h.create()["id"]
    assert h.state(endpoint) == "PENDING"
    h.clock.advance(29.9)
    assert h.state(endpoint) == "PENDING"
    h.clock.advance(0.1)
    assert h.state(endpoint) == "STARTING"
    h.clock.advance(149.9)
    assert h.state(endpoint) == "STARTING"
    h.clock.advance(0.1)
    assert h.state(endpoint) == "STARTED"
    h.clock.advance(86400)
    assert h.state(endpoint) == "STARTED"


def test_stop_and_start_again(h: Harness) -> None:
    endpoint = h.create()["id"]
    url = f"/endpoints/{endpoint}"
    h.clock.advance(600)
    stopping = h.client.patch(url, json={"state": "STOPPED"}).json()
    assert stopping["state"] == "STOPPING"
    h.clock.advance(19)
    assert h.state(endpoint) == "STOPPING"
    assert h.client.patch(url, json={"state": "STOPPED"}).json()["state"] == "STOPPING"  # idempotent
    h.clock.advance(1)
    assert h.state(endpoint) == "STOPPED"
    assert h.client.patch(url, json={"state": "STARTED"}).json()["state"] == "PENDING"
    h.clock.advance(30)
    assert h.state(endpoint) == "STARTING"
    assert h.client.patch(url, json={"state": "STARTED"}).json()["state"] == "STARTING"  # idempotent
    h.clock.advance(150)
    assert h.state(endpoint) == "STARTED"


def test_create_stopped_stays_stopped(h: Harness) -> None:
    created = h.create(state="STOPPED")
    assert created["state"] == "STOPPED"
    h.clock.advance(3600)
    assert h.state(created["id"]) == "STOPPED"


def test_stop_while_pending(h: Harness) -> None:
    endpoint = h.create()["id"]
    h.clock.advance(10)
    assert h.client.patch(f"/endpoints/{endpoint}", json={"state": "STOPPED"}).json()["state"] == "STOPPING"
    h.clock.advance(600)
    assert h.state(endpoint) == "STOPPED"


def test_unavailable_hardware_ends_in_error_and_can_be_retried(h: Harness) -> None:
    model = "openai/gpt-oss-120b"
    created = h.create(model=model, hardware=h.hardware(model, "unavailable"))
    assert created["state"] == "PENDING"
    h.clock.advance(44)
    assert h.state(created["id"]) == "PENDING"
    h.clock.advance(1)
    assert h.state(created["id"]) == "ERROR"
    h.clock.advance(3600)
    assert h.state(created["id"]) == "ERROR"
    restarted = h.client.patch(f"/endpoints/{created['id']}", json={"state": "STARTED"}).json()
    assert restarted["state"] == "PENDING"
    h.clock.advance(45)
    assert h.state(created["id"]) == "ERROR"
    stopped = h.client.patch(f"/endpoints/{created['id']}", json={"state": "STOPPED"}).json()
    assert stopped["state"] == "STOPPING"


def test_insufficient_hardware_pends_for_long(h: Harness) -> None:
    model = "openai/gpt-oss-120b"
    endpoint = h.create(model=model, hardware=h.hardware(model, "insufficient"))["id"]
    h.clock.advance(300)
    assert h.state(endpoint) == "PENDING"
    h.clock.advance(300)
    assert h.state(endpoint) == "STARTING"
    h.clock.advance(150)
    assert h.state(endpoint) == "STARTED"


def test_inactive_timeout_stops_an_idle_endpoint(h: Harness) -> None:
    created = h.create(inactive_timeout=10)
    endpoint, name = created["id"], created["name"]
    h.clock.advance(180)  # started at +180 s
    assert h.state(endpoint) == "STARTED"
    h.clock.advance(9 * 60)
    assert h.chat(name).status_code == 200  # activity resets the idle clock
    h.clock.advance(9 * 60)
    assert h.state(endpoint) == "STARTED"
    h.clock.advance(60)
    assert h.state(endpoint) == "STOPPING"
    h.clock.advance(20)
    assert h.state(endpoint) == "STOPPED"
    assert_error(h.chat(name), 400, code="model_not_available")


def test_inactive_timeout_zero_or_null_disables(h: Harness) -> None:
    zero = h.create(inactive_timeout=0)["id"]
    null = h.create(inactive_timeout=None)["id"]
    later = h.create()["id"]
    h.client.patch(f"/endpoints/{later}", json={"inactive_timeout": 5})
    h.clock.advance(180 + 4 * 60)
    h.client.patch(f"/endpoints/{later}", json={"inactive_timeout": 0})
    h.clock.advance(86400)
    assert [h.state(e) for e in (zero, null, later)] == ["STARTED"] * 3


def test_changing_the_timeout_does_not_stop_retroactively(h: Harness) -> None:
    endpoint = h.create()["id"]
    h.clock.advance(3 * 3600)
    h.client.patch(f"/endpoints/{endpoint}", json={"inactive_timeout": 60})
    assert h.state(endpoint) == "STARTED"
    h.clock.advance(3600)
    assert h.state(endpoint) == "STOPPING"


def test_speed_divides_durations(serve: Callable[..., Harness]) -> None:
    h = serve(speed=10)
    endpoint = h.create()["id"]
    h.clock.advance(3)
    assert h.state(endpoint) == "STARTING"
    h.clock.advance(15)
    assert h.state(endpoint) == "STARTED"
    h.client.patch(f"/endpoints/{endpoint}", json={"state": "STOPPED"})
    h.clock.advance(2)
    assert h.state(endpoint) == "STOPPED"


def test_infinite_speed_is_instant(serve: Callable[..., Harness]) -> None:
    h = serve(speed=math.inf)
    created = h.create()
    assert created["state"] == "STARTED"
    assert h.client.patch(f"/endpoints/{created['id']}", json={"state": "STOPPED"}).json()["state"] == "STOPPED"


def test_seeded_transitional_endpoints_progress(h: Harness) -> None:
    items = h.client.get("/endpoints", params={"type": "dedicated"}).json()["data"]
    moving = [i["id"] for i in items if i["state"] in ("PENDING", "STARTING")]
    assert len(moving) == 2
    h.clock.advance(600)
    assert {h.state(e) for e in moving} == {"STARTED"}


def test_set_state_and_endpoint_hooks(h: Harness) -> None:
    endpoint = h.create()["id"]
    h.sim.set_state(endpoint, "ERROR")
    assert h.state(endpoint) == "ERROR"
    assert h.sim.endpoint(endpoint) == h.client.get(f"/endpoints/{endpoint}").json()
    assert h.sim.endpoint("endpoint-nope") is None
    with pytest.raises(ValueError):
        h.sim.set_state(endpoint, "DEGRADED")
    with pytest.raises(KeyError):
        h.sim.set_state("endpoint-nope", "STARTED")


def test_seeding_is_deterministic_and_scales() -> None:
    def listing(seed: int) -> list[dict[str, Any]]:
        sim = Simulator(SimulatorConfig(seed=seed, clock=ManualClock(EPOCH), endpoints=50))
        return [sim.endpoint(i) for i in sim.endpoint_ids()]  # type: ignore[misc]

    assert listing(1) == listing(1)
    assert listing(1) != listing(2)
    assert len(listing(3)) == 50
    empty = Simulator(SimulatorConfig(endpoints=0))
    assert empty.endpoint_ids() == []


def test_listing_five_thousand_endpoints_gives_each_once_in_every_state(serve: Callable[..., Harness]) -> None:
    # How fast is benchmarks' business (no timed asserts): here, that 5,000 come back whole and distinct.
    h = serve(endpoints=5000)
    items = h.client.get("/endpoints", params={"type": "dedicated"}).json()["data"]
    assert len(items) == 5000
    assert len({i["id"] for i in items}) == len({i["name"] for i in items}) == 5000
    assert {i["state"] for i in items} == {"PENDING", "STARTING", "STARTED", "STOPPING", "STOPPED", "ERROR"}


def test_concurrent_clients_and_test_thread(h: Harness) -> None:
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            with httpx.Client(base_url=h.server.base_url, headers=AUTH) as client:
                for _ in range(10):
                    assert client.post("/endpoints", json=GOOD).status_code == 200
                    assert client.get("/endpoints").status_code == 200
        except BaseException as exc:
            errors.append(exc)

    before = len(h.sim.endpoint_ids())
    threads = [threading.Thread(target=worker) for _ in range(6)]
    for thread in threads:
        thread.start()
    for _ in range(50):
        for endpoint in h.sim.endpoint_ids()[:3]:
            h.sim.set_state(endpoint, "STARTED")
    for thread in threads:
        thread.join()
    assert not errors
    assert len(h.sim.endpoint_ids()) == before + 60
    assert len(h.sim.requests("POST", "/v1/endpoints")) == 60


def test_request_log(h: Harness) -> None:
    h.client.get("/endpoints", params={"type": "dedicated"})
    h.client.post("/endpoints", json=GOOD)
    h.admin.get("/_sim/faults")
    log = h.sim.request_log
    assert [(r.method, r.path, r.status) for r in log] == [
        ("GET", "/v1/endpoints", 200),
        ("POST", "/v1/endpoints", 200),
    ]
    assert log[0].query == {"type": "dedicated"} and log[0].json_body is None
    assert log[1].json_body == GOOD
    assert len(h.sim.requests(method="POST", path="/v1/endpoints")) == 1


# -- chat -------------------------------------------------------------------------------------------------


def started_endpoint(h: Harness, model: str = "openai/gpt-oss-20b") -> dict[str, Any]:
    created = h.create(model=model, hardware=h.hardware(model, "available"))
    h.clock.advance(180)
    assert h.state(created["id"]) == "STARTED"
    return created


def test_chat_non_stream_shape(h: Harness) -> None:
    response = h.chat("meta-llama/Llama-3.3-70B-Instruct-Turbo", "What is autoscaling?")
    assert response.status_code == 200
    body = response.json()
    assert body["object"] == "chat.completion" and body["prompt"] == []
    assert body["model"] == "meta-llama/Llama-3.3-70B-Instruct-Turbo"
    assert body["created"] == int(EPOCH)
    choice = body["choices"][0]
    assert choice["finish_reason"] == "stop" and choice["index"] == 0
    assert choice["message"]["role"] == "assistant"
    content = choice["message"]["content"]
    assert 20 <= len(content.split()) <= 400
    assert "reasoning" not in choice["message"]
    usage = body["usage"]
    assert usage["total_tokens"] == usage["prompt_tokens"] + usage["completion_tokens"]
    assert usage["cached_tokens"] == 0
    again = h.chat("meta-llama/Llama-3.3-70B-Instruct-Turbo", "What is autoscaling?").json()
    assert again["choices"][0]["message"]["content"] == content  # deterministic
    other = h.chat("meta-llama/Llama-3.3-70B-Instruct-Turbo", "Tell me about GPUs and pricing").json()
    assert other["choices"][0]["message"]["content"] != content


def test_generated_text_is_markdown(h: Harness) -> None:
    replies = [
        h.chat("Qwen/Qwen2.5-7B-Instruct-Turbo", f"Question {i} about code and endpoints").json() for i in range(8)
    ]
    texts = [r["choices"][0]["message"]["content"] for r in replies]
    assert any("```" in t for t in texts)
    assert any("\n- **" in t for t in texts)
    assert len(set(texts)) == len(texts)


def test_chat_reasoning_model_non_stream(h: Harness) -> None:
    body = h.chat("openai/gpt-oss-120b", "Explain quantisation", reasoning_effort="low").json()
    message = body["choices"][0]["message"]
    assert message["reasoning"] and message["content"]
    assert body["usage"]["completion_tokens"] > 15


def test_chat_with_endpoint_names(h: Harness) -> None:
    started = started_endpoint(h)
    response = h.chat(started["name"], stream=False)
    assert response.status_code == 200 and response.json()["model"] == started["name"]
    stopped = h.create(state="STOPPED")
    error = assert_error(h.chat(stopped["name"]), 400, code="model_not_available")
    assert error["type"] == "invalid_request_error"
    assert "to create and start a new dedicated endpoint" in error["message"]
    pending = h.create()
    assert_error(h.chat(pending["name"]), 400, code="model_not_available")


def test_chat_model_errors(h: Harness) -> None:
    assert_error(h.chat("mistralai/Mixtral-8x7B-Instruct-v0.1"), 400, code="model_not_available",
                 contains=("non-serverless model",))  # fmt: skip
    assert_error(h.chat("acme/unknown-model"), 404, code="model_not_available", contains=("unable to access model",))
    assert_error(h.chat("BAAI/bge-large-en-v1.5"), 400, param="model", contains=("embedding",))
    embedding = started_endpoint(h, "BAAI/bge-large-en-v1.5")
    assert_error(h.chat(embedding["name"]), 400, param="model", contains=("embedding",))


CHAT = {"model": "openai/gpt-oss-20b", "messages": [{"role": "user", "content": "x"}]}


@pytest.mark.parametrize(
    ("body", "param"),
    [
        ({"messages": [{"role": "user", "content": "x"}]}, "model"),
        ({"model": "openai/gpt-oss-20b"}, "messages"),
        ({"model": "openai/gpt-oss-20b", "messages": []}, "messages"),
        ({"model": "openai/gpt-oss-20b", "messages": ["hi"]}, "messages[0]"),
        ({"model": "openai/gpt-oss-20b", "messages": [{"role": "robot", "content": "x"}]}, "messages[0].role"),
        ({**CHAT, "max_tokens": 0}, "max_tokens"),
        ({**CHAT, "max_tokens": "9"}, "max_tokens"),
        ({**CHAT, "stream": "yes"}, "stream"),
        ({**CHAT, "reasoning_effort": "max"}, "reasoning_effort"),
    ],
)  # fmt: skip
def test_chat_validation(h: Harness, body: dict[str, Any], param: str) -> None:
    assert_error(h.client.post("/chat/completions", json=body), 400, param=param)


def test_chat_body_not_json(h: Harness) -> None:
    assert_error(h.client.post("/chat/completions", content=b"{{"), 400)


def test_max_tokens_is_honoured(h: Harness) -> None:
    body = h.chat("meta-llama/Llama-3.3-70B-Instruct-Turbo", max_tokens=7).json()
    assert body["choices"][0]["finish_reason"] == "length"
    assert body["usage"]["completion_tokens"] == 7
    reasoning = h.chat("openai/gpt-oss-20b", max_tokens=5).json()
    assert reasoning["choices"][0]["finish_reason"] == "length"
    assert reasoning["choices"][0]["message"]["content"] == ""  # all five went to reasoning


def test_stream_framing_and_final_chunk(h: Harness) -> None:
    response = h.chat("meta-llama/Llama-3.3-70B-Instruct-Turbo", stream=True)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/event-stream")
    assert response.headers["x-request-id"]
    events = sse_events(response)
    assert events[-1] == "[DONE]"
    chunks = [json.loads(e) for e in events[:-1]]
    assert len({c["id"] for c in chunks}) == 1
    for chunk in chunks[:-1]:
        assert chunk["object"] == "chat.completion.chunk" and chunk["usage"] is None
        choice = chunk["choices"][0]
        assert choice["finish_reason"] is None and choice["seed"] is None
        assert set(choice["delta"]) == {"token_id", "role", "content", "reasoning", "tool_calls"}
        assert choice["delta"]["role"] == "assistant" and choice["text"] == choice["delta"]["content"]
        assert isinstance(choice["delta"]["token_id"], int)
    final = chunks[-1]
    assert final["choices"][0]["finish_reason"] == "stop"
    assert final["choices"][0]["delta"]["content"] == "" and final["choices"][0]["text"] == ""
    assert isinstance(final["choices"][0]["seed"], int)
    usage = final["usage"]
    assert usage["completion_tokens"] == len(chunks) - 1
    assert set(usage) == {"prompt_tokens", "completion_tokens", "total_tokens", "cached_tokens"}
    streamed = "".join(c["choices"][0]["delta"]["content"] for c in chunks)
    whole = h.chat("meta-llama/Llama-3.3-70B-Instruct-Turbo").json()["choices"][0]["message"]["content"]
    assert streamed == whole


def test_stream_reasoning_then_content(h: Harness) -> None:
    events = sse_events(h.chat("openai/gpt-oss-20b", stream=True))
    deltas = [json.loads(e)["choices"][0]["delta"] for e in events[:-2]]
    kinds = ["reasoning" if d["reasoning"] is not None else "content" for d in deltas]
    first_content = kinds.index("content")
    assert first_content > 0 and "reasoning" not in kinds[first_content:]
    assert all(d["content"] is None for d in deltas[:first_content])
    assert all(d["reasoning"] is None for d in deltas[first_content:])


def test_hybrid_reasoning_is_opt_in(h: Harness) -> None:
    plain = h.chat("deepseek-ai/DeepSeek-V3.1").json()["choices"][0]["message"]
    assert plain["reasoning"] is None and plain["content"]
    thinking = h.chat("deepseek-ai/DeepSeek-V3.1", reasoning={"enabled": True}).json()["choices"][0]["message"]
    assert thinking["reasoning"]


def test_stream_to_an_endpoint_honours_max_tokens(h: Harness) -> None:
    name = started_endpoint(h, "meta-llama/Llama-3.3-70B-Instruct-Turbo")["name"]
    events = sse_events(h.chat(name, stream=True, max_tokens=12))
    chunks = [json.loads(e) for e in events[:-1]]
    assert len(chunks) == 13 and chunks[-1]["choices"][0]["finish_reason"] == "length"
    assert all(c["model"] == name for c in chunks)


def test_tokens_arrive_one_by_one(serve: Callable[..., Harness]) -> None:
    """The streaming proof: at 20 tokens/s, events arrive spread out, in order, not in one burst."""
    h = serve(tokens_per_second=20)
    arrivals: list[float] = []
    texts: list[str] = []
    body = {
        "model": "meta-llama/Llama-3.3-70B-Instruct-Turbo",
        "messages": [{"role": "user", "content": "stream please"}],
        "stream": True,
        "max_tokens": 10,
    }
    started = time.perf_counter()
    with h.client.stream("POST", "/chat/completions", json=body) as response:
        for line in response.iter_lines():
            if line.startswith("data: "):
                arrivals.append(time.perf_counter() - started)
                texts.append(line)
    assert texts[-1] == "data: [DONE]"
    tokens = arrivals[:10]
    gaps = [b - a for a, b in itertools.pairwise(tokens)]
    # A buffered response delivers everything in one burst (all gaps ~0). Nominal gap: 50 ms;
    # a loaded machine may bunch a few together, so only most gaps have to show the spacing.
    assert sum(gap > 0.02 for gap in gaps) >= 5, gaps
    assert tokens[-1] - tokens[0] > 0.25, tokens
    assert arrivals == sorted(arrivals)


def test_non_stream_waits_for_generation(serve: Callable[..., Harness]) -> None:
    h = serve(tokens_per_second=100)
    started = time.perf_counter()
    body = h.chat("meta-llama/Llama-3.3-70B-Instruct-Turbo", max_tokens=20).json()
    assert body["usage"]["completion_tokens"] == 20
    assert time.perf_counter() - started >= 0.18


def test_long_answers_for_benchmarks(serve: Callable[..., Harness]) -> None:
    h = serve()
    directed = h.chat("meta-llama/Llama-3.3-70B-Instruct-Turbo", "go [sim:tokens=1500]", max_tokens=4000).json()
    assert directed["usage"]["completion_tokens"] == 1500
    assert directed["choices"][0]["finish_reason"] == "stop"
    forced = serve(force_length=True)
    body = forced.chat("meta-llama/Llama-3.3-70B-Instruct-Turbo", "hi", max_tokens=3000).json()
    assert body["usage"]["completion_tokens"] == 3000
    assert body["choices"][0]["finish_reason"] == "length"


# -- faults -----------------------------------------------------------------------------------------------


def test_fault_latency(h: Harness) -> None:
    h.sim.faults = Faults(latency=0.3)
    started = time.perf_counter()
    assert h.client.get("/endpoints").status_code == 200
    assert time.perf_counter() - started >= 0.3


def test_fault_error_status_and_route_filter(h: Harness) -> None:
    h.sim.faults = Faults(error_status=503, route="/chat")
    assert h.client.get("/endpoints").status_code == 200
    assert_error(h.chat("openai/gpt-oss-20b"), 503, contains=("overloaded",))
    h.sim.faults = Faults(error_status=500)
    assert_error(h.client.get("/hardware"), 500)
    h.sim.faults = Faults()
    assert h.client.get("/hardware").status_code == 200


def test_fault_rates_are_seeded(serve: Callable[..., Harness]) -> None:
    def statuses(seed: int) -> list[int]:
        h = serve(seed=seed, faults=Faults(error_status=502, error_rate=0.5))
        return [h.client.get("/clusters/availability-zones").status_code for _ in range(30)]

    first = statuses(4)
    assert first == statuses(4)
    assert set(first) == {200, 502}


def test_fault_rate_limit(h: Harness) -> None:
    h.sim.faults = Faults(rate_limit=1.0, retry_after=2)
    response = h.chat("openai/gpt-oss-20b")
    assert_error(response, 429, code="rate_limit_exceeded")
    assert response.headers["retry-after"] == "2"
    assert response.headers["x-ratelimit-limit"] == "60"
    assert response.headers["x-ratelimit-remaining"] == "0"
    assert response.headers["x-ratelimit-reset"] == "2"


def test_fault_cut_stream_has_no_done(h: Harness) -> None:
    h.sim.faults = Faults(cut_after=5)
    lines: list[str] = []
    body = {"model": "openai/gpt-oss-20b", "messages": [{"role": "user", "content": "x"}], "stream": True}
    with pytest.raises(httpx.RemoteProtocolError), h.client.stream("POST", "/chat/completions", json=body) as r:
        assert r.status_code == 200
        lines.extend(line for line in r.iter_lines() if line)
    assert len(lines) == 5
    assert "data: [DONE]" not in lines
    assert h.client.get("/endpoints").status_code == 200  # the server survives


def test_fault_error_event_mid_stream(h: Harness) -> None:
    h.sim.faults = Faults(error_after=3)
    events = sse_events(h.chat("openai/gpt-oss-20b", stream=True))
    assert len(events) == 4 and "[DONE]" not in events
    error = json.loads(events[-1])
    assert set(error) == {"error"} and error["error"]["message"]


def test_fault_stall_trips_client_timeout(h: Harness) -> None:
    h.sim.faults = Faults(stall_after=2)
    body = {"model": "openai/gpt-oss-20b", "messages": [{"role": "user", "content": "x"}], "stream": True}
    lines: list[str] = []
    timeout = httpx.Timeout(5, read=0.4)
    with (
        httpx.Client(base_url=h.server.base_url, headers=AUTH, timeout=timeout) as client,
        pytest.raises(httpx.ReadTimeout),
        client.stream("POST", "/chat/completions", json=body) as r,
    ):
        lines.extend(line for line in r.iter_lines() if line)
    assert len(lines) == 2


def test_fault_malformed_json(h: Harness) -> None:
    h.sim.faults = Faults(malformed=1.0)
    response = h.client.get("/endpoints")
    assert response.status_code == 200 and response.headers["content-type"] == "application/json"
    with pytest.raises(json.JSONDecodeError):
        json.loads(response.content)
    events = sse_events(h.chat("openai/gpt-oss-20b", stream=True, max_tokens=3))
    assert events[-1] == "[DONE]"
    with pytest.raises(json.JSONDecodeError):
        json.loads(events[0])


def test_fault_unknown_enums(h: Harness) -> None:
    h.sim.faults = Faults(unknown_enums=True)
    items = h.client.get("/endpoints").json()["data"]
    assert {i["state"] for i in items} == {"DEGRADED"}
    assert h.client.get(f"/endpoints/{items[-1]['id']}").json()["state"] == "DEGRADED"
    assert {m["type"] for m in h.client.get("/models").json()} == {"quantum"}
    hardware = h.client.get("/hardware", params={"model": "openai/gpt-oss-20b"}).json()["data"]
    assert {i["availability"]["status"] for i in hardware} == {"reserved-only"}


def test_fault_extra_fields(h: Harness) -> None:
    h.sim.faults = Faults(extra_fields=True)
    listing = h.client.get("/endpoints").json()
    assert "x_sim_extra" in listing and all("x_sim_extra" in i for i in listing["data"])
    hardware = h.client.get("/hardware").json()["data"][0]
    assert "x_sim_extra" in hardware["specs"] and "x_sim_extra" in hardware["pricing"]
    assert all("x_sim_flag" in m for m in h.client.get("/models").json())
    chunk = json.loads(sse_events(h.chat("openai/gpt-oss-20b", stream=True, max_tokens=2))[0])
    assert "x_sim_extra" in chunk["choices"][0]["delta"]
    error = h.client.get("/endpoints/endpoint-nope").json()
    assert "x_sim_extra" in error["error"]


def test_faults_parse() -> None:
    faults = Faults.parse(
        "latency=0.2,status=503,rate=0.5,route=/chat,retry_after=2,rate_limit=0.3,cut_after=20,"
        "error_after=10,malformed=1,unknown_enums,extra_fields,stall_after=5"
    )
    assert faults == Faults(
        latency=0.2,
        error_status=503,
        error_rate=0.5,
        route="/chat",
        retry_after=2,
        rate_limit=0.3,
        cut_after=20,
        error_after=10,
        malformed=1,
        unknown_enums=True,
        extra_fields=True,
        stall_after=5,
    )
    assert Faults.parse("") == Faults()
    assert Faults.parse("unknown_enums=false") == Faults()
    for bad in ("bogus=1", "status=abc", "rate=2", "latency", "status=200", "cut_after=-1", "extra_fields=maybe"):
        with pytest.raises(ValueError):
            Faults.parse(bad)
    assert Faults.from_dict(faults.to_dict()) == faults


def test_admin_routes(h: Harness) -> None:
    assert h.admin.get("/_sim/faults").json() == Faults().to_dict()
    put = h.admin.put("/_sim/faults", json={"status": 503, "route": "/hardware"})
    assert put.status_code == 200 and put.json()["error_status"] == 503
    assert h.sim.faults == Faults(error_status=503, route="/hardware")
    assert h.client.get("/hardware").status_code == 503
    assert_error(h.admin.put("/_sim/faults", json={"nope": 1}), 400)
    assert_error(h.admin.put("/_sim/faults", json={"rate_limit": 5}), 400)
    h.admin.put("/_sim/faults", json={})
    assert h.client.get("/hardware").status_code == 200

    endpoint = h.create()["id"]
    advanced = h.admin.post("/_sim/advance", json={"seconds": 180})
    assert advanced.json()["now"] == EPOCH + 180
    assert h.state(endpoint) == "STARTED"
    assert_error(h.admin.post("/_sim/advance", json={"seconds": -1}), 400)
    forced = h.admin.put(f"/_sim/endpoints/{endpoint}/state", json={"state": "ERROR"})
    assert forced.json()["state"] == "ERROR" and h.state(endpoint) == "ERROR"
    assert_error(h.admin.put("/_sim/endpoints/endpoint-nope/state", json={"state": "ERROR"}), 404)
    assert_error(h.admin.put(f"/_sim/endpoints/{endpoint}/state", json={"state": "WEIRD"}), 400)
    logged = h.admin.get("/_sim/requests").json()
    assert logged and all(r["path"].startswith("/v1/") for r in logged)
    assert h.admin.delete("/_sim/requests").status_code == 204
    assert h.sim.request_log == []


def test_advance_needs_a_manual_clock(serve: Callable[..., Harness]) -> None:
    h = serve(clock=None)
    assert_error(h.admin.post("/_sim/advance", json={"seconds": 1}), 409)
    with pytest.raises(TypeError):
        h.sim.advance(1)


def test_config_validation() -> None:
    bad_configs: list[dict[str, Any]] = [{"speed": 0}, {"speed": -1}, {"tokens_per_second": -1}, {"endpoints": -1}]
    for bad in bad_configs:
        with pytest.raises(ValueError):
            SimulatorConfig(**bad)
    with pytest.raises(ValueError):
        ManualClock().advance(-1)


# -- server and CLI ----------------------------------------------------------------------------------------


def test_server_lifecycle() -> None:
    sim = Simulator(SimulatorConfig(clock=ManualClock(EPOCH), legacy_v1=True))
    server = SimulatorServer(sim)
    assert not server.started
    with server:
        assert server.started
        assert re.fullmatch(r"http://127\.0\.0\.1:\d+/v1", server.base_url)
        assert httpx.get(server.base_url + "/models", headers=AUTH).status_code == 200
    assert not server.started or server._thread is None
    with pytest.raises(httpx.ConnectError):
        httpx.get(server.base_url + "/models", headers=AUTH, timeout=1)


def test_server_reports_a_port_in_use() -> None:
    sim = Simulator(SimulatorConfig(legacy_v1=True))
    with SimulatorServer(sim) as first, pytest.raises(OSError):
        SimulatorServer(sim, port=first.port).start()


def _parse(*argv: str) -> Any:
    import argparse

    parser = argparse.ArgumentParser()
    configure_parser(parser)
    return parser.parse_args(list(argv))


def test_cli_parser_defaults() -> None:
    args = _parse()
    assert (args.host, args.port, args.api_key, args.speed, args.seed) == ("127.0.0.1", 8787, None, 1.0, 0)
    assert args.endpoints is None and args.tokens_per_second == 50.0 and args.faults is None
    assert _parse("--speed", "inf").speed == math.inf


def test_cli_refuses_remote_hosts_and_bad_faults(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(_parse("--host", "0.0.0.0")) == 2
    assert "--allow-remote" in capsys.readouterr().err
    assert run(_parse("--faults", "bogus=1")) == 2
    assert "bogus" in capsys.readouterr().err


def test_python_dash_m_serves_until_interrupted() -> None:
    import signal

    process = subprocess.Popen(
        [sys.executable, "-m", "tui.simulator", "--port", "0", "--speed", "20", "--endpoints", "3"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        match = re.search(r"(http://127\.0\.0\.1:\d+/v1)\b.*API key: (\S+)", line)
        assert match, line
        base_url, key = match.groups()
        assert key == DEMO_API_KEY
        for _ in range(100):
            try:
                response = httpx.get(base_url + "/endpoints?type=dedicated", headers={"Authorization": f"Bearer {key}"})
                break
            except httpx.ConnectError:
                time.sleep(0.05)
        assert len(response.json()["data"]) == 3
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=10) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
