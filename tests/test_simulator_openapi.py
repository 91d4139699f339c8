"""Every simulator response the app relies on validates against Together's official OpenAPI spec.

The spec is `shared/reference/together-openapi.yaml` beside the repository. It needs two fixes
before a validator can use it (together-api.md §13), both applied in `normalise()`:

* it declares OpenAPI 3.1 but marks nullable fields the 3.0 way (`nullable: true`), which 3.1
  ignores. Each is rewritten into 3.1 form: a `type` union when the schema has a single `type`;
  `anyOf [..., {type: null}]` when the nullable sits next to a `$ref` or inside an `allOf` (the
  chunk's `finish_reason` and `usage`, the choice's `logprobs`), since the real stream sends
  those as null (the recording in §6);
* it fails strict spec validation, so it is loaded with `spec_validator_cls=None`.

One rewrite goes beyond the nullable fix: `delta.tool_calls` is typed as an array, but the one real
stream on record carries `"tool_calls": null` (§6), which the simulator reproduces; that single
field is made nullable here.

Negative controls check that the validator really rejects what it should (unknown enum values),
so a silently permissive setup cannot pass.
"""

from __future__ import annotations

import copy
import json
import math
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

SPEC_PATH = Path(__file__).resolve().parents[1].parent / "shared/reference/together-openapi.yaml"
if not SPEC_PATH.exists():
    pytest.skip(f"official OpenAPI spec not found at {SPEC_PATH}", allow_module_level=True)

import yaml  # noqa: E402
from openapi_core import Config, OpenAPI  # noqa: E402
from openapi_core.testing import MockRequest, MockResponse  # noqa: E402
from openapi_schema_validator import OAS31Validator  # noqa: E402
from referencing import Registry, Resource  # noqa: E402
from referencing.jsonschema import DRAFT202012  # noqa: E402

from tui.simulator import DEMO_API_KEY, Faults, ManualClock, Simulator, SimulatorConfig, SimulatorServer  # noqa: E402

HOST = "https://api.together.ai"
SPEC_URI = "urn:together-openapi"
AUTH = {"Authorization": f"Bearer {DEMO_API_KEY}"}


def normalise(node: Any) -> Any:
    """Rewrite OpenAPI 3.0 `nullable: true` into OpenAPI 3.1 / JSON Schema 2020-12."""
    if isinstance(node, list):
        return [normalise(item) for item in node]
    if not isinstance(node, dict):
        return node
    members = node.get("allOf")
    if isinstance(members, list) and {"nullable": True} in members:
        rest = [normalise(m) for m in members if m != {"nullable": True}]
        others = {key: normalise(value) for key, value in node.items() if key != "allOf"}
        return {**others, "anyOf": [{"allOf": rest}, {"type": "null"}]}
    node = {key: normalise(value) for key, value in node.items()}
    if node.get("nullable") is True:
        node.pop("nullable")
        kind = node.get("type")
        if isinstance(kind, str):
            node["type"] = [kind, "null"]
            if "enum" in node:
                node["enum"] = [*node["enum"], None]
        elif kind is None:
            return {"anyOf": [node, {"type": "null"}]}
    elif node.get("nullable") is False:
        node.pop("nullable")
    return node


@pytest.fixture(scope="module")
def raw_spec() -> dict[str, Any]:
    return yaml.load(SPEC_PATH.read_text(), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


@pytest.fixture(scope="module")
def spec(raw_spec: dict[str, Any]) -> dict[str, Any]:
    fixed = normalise(copy.deepcopy(raw_spec))
    delta = fixed["components"]["schemas"]["ChatCompletionChunk"]["properties"]["choices"]["items"]
    tool_calls = delta["properties"]["delta"]["properties"]["tool_calls"]
    tool_calls["type"] = ["array", "null"]
    return fixed


@pytest.fixture(scope="module")
def openapi(spec: dict[str, Any]) -> OpenAPI:
    return OpenAPI.from_dict(spec, config=Config(spec_validator_cls=None))


@pytest.fixture(scope="module")
def schema_validator(spec: dict[str, Any]) -> Any:
    registry = Registry().with_resource(SPEC_URI, Resource.from_contents(spec, default_specification=DRAFT202012))

    def validate(name: str, instance: Any) -> None:
        OAS31Validator({"$ref": f"{SPEC_URI}#/components/schemas/{name}"}, registry=registry).validate(instance)

    return validate


@pytest.fixture(scope="module")
def server() -> Iterator[SimulatorServer]:
    config = SimulatorConfig(speed=math.inf, tokens_per_second=0, clock=ManualClock(1_768_478_400.0), legacy_v1=True)
    sim = Simulator(config)
    with SimulatorServer(sim) as running:
        yield running


@pytest.fixture
def faults(server: SimulatorServer) -> Iterator[None]:
    yield
    server.sim.faults = Faults()


class Api:
    """Sends a request to the simulator and validates request and response against the spec."""

    def __init__(self, server: SimulatorServer, openapi: OpenAPI) -> None:
        self.server = server
        self.openapi = openapi
        self.client = httpx.Client(base_url=server.base_url, headers=AUTH, timeout=10)

    def __call__(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, str] | None = None,
        body: Any = None,
        headers: dict[str, str] | None = None,
        status: int = 200,
        validate_response: bool = True,
    ) -> httpx.Response:
        data = json.dumps(body).encode() if body is not None else None
        sent_headers = {**AUTH, **(headers or {})}
        request = MockRequest(
            HOST, method, "/v1" + path, args=params, headers=sent_headers, data=data, content_type="application/json"
        )
        if status < 400:
            self.openapi.validate_request(request)
        response = self.client.request(
            method, path, params=params, content=data, headers={**sent_headers, "content-type": "application/json"}
        )
        assert response.status_code == status, response.text
        if validate_response:
            mock = MockResponse(
                response.content,
                status_code=response.status_code,
                headers=dict(response.headers),
                content_type=response.headers.get("content-type", "application/json"),
            )
            self.openapi.validate_response(request, mock)
        return response


@pytest.fixture(scope="module")
def api(server: SimulatorServer, openapi: OpenAPI) -> Iterator[Api]:
    caller = Api(server, openapi)
    yield caller
    caller.client.close()


CREATE = {
    "model": "openai/gpt-oss-20b",
    "hardware": "1x_nvidia_h100_80gb_sxm",
    "autoscaling": {"min_replicas": 1, "max_replicas": 2},
}


def test_the_spec_fixes_are_needed(raw_spec: dict[str, Any], schema_validator: Any) -> None:
    """Guards the normalisation: without it, a body the real service sends would fail."""
    raw = raw_spec
    assert raw["components"]["schemas"]["ErrorData"]["properties"]["error"]["properties"]["param"]["nullable"]
    schema_validator("ErrorData", {"error": {"message": "m", "type": "t", "param": None, "code": None}})


def test_list_endpoints(api: Api) -> None:
    for params in (None, {"type": "dedicated", "mine": "true"}, {"type": "serverless"}, {"usage_type": "reserved"}):
        api("GET", "/endpoints", params=params)


def test_retrieve_every_seeded_endpoint(api: Api) -> None:
    items = api("GET", "/endpoints", params={"type": "dedicated"}).json()["data"]
    assert len(items) >= 5
    for item in items:
        api("GET", f"/endpoints/{item['id']}")


def test_create_update_delete(api: Api) -> None:
    full = {
        **CREATE,
        "display_name": "Spec check",
        "disable_speculative_decoding": True,
        "state": "STOPPED",
        "inactive_timeout": None,
        "availability_zone": "us-central-4b",
    }
    created = api("POST", "/endpoints", body=full).json()
    minimal = api("POST", "/endpoints", body=CREATE).json()
    url = f"/endpoints/{created['id']}"
    for patch in (
        {"display_name": "Renamed"},
        {"autoscaling": {"min_replicas": 2, "max_replicas": 3}},
        {"inactive_timeout": 30},
        {"inactive_timeout": None},
        {"state": "STARTED"},
        {"state": "STOPPED"},
    ):
        api("PATCH", url, body=patch)
    for endpoint in (created, minimal):
        response = api("DELETE", f"/endpoints/{endpoint['id']}", status=204)
        assert response.content == b""
    api("GET", url, status=404)
    api("PATCH", url, body={"state": "STOPPED"}, status=404)
    api("DELETE", url, status=404)


def test_hardware(api: Api) -> None:
    api("GET", "/hardware")
    for model in ("openai/gpt-oss-20b", "openai/gpt-oss-120b", "deepseek-ai/DeepSeek-V3.1", "BAAI/bge-large-en-v1.5"):
        items = api("GET", "/hardware", params={"model": model}).json()["data"]
        assert items and all("availability" in item for item in items)


def test_availability_zones(api: Api) -> None:
    api("GET", "/clusters/availability-zones")


def test_models(api: Api) -> None:
    api("GET", "/models")
    api("GET", "/models", params={"dedicated": "true"})


@pytest.mark.parametrize(
    "extra",
    [{}, {"max_tokens": 5}, {"reasoning": {"enabled": True}}, {"reasoning_effort": "high"}, {"temperature": 0.2}],
)
@pytest.mark.parametrize(
    "model", ["meta-llama/Llama-3.3-70B-Instruct-Turbo", "openai/gpt-oss-120b", "deepseek-ai/DeepSeek-V3.1"]
)
def test_chat_non_stream(api: Api, model: str, extra: dict[str, Any]) -> None:
    body = {
        "model": model,
        "messages": [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "What is a GPU?"}],
        **extra,
    }
    api("POST", "/chat/completions", body=body)


def test_chat_to_a_dedicated_endpoint(api: Api) -> None:
    created = api("POST", "/endpoints", body=CREATE).json()
    assert created["state"] == "STARTED"  # speed=inf
    body = {"model": created["name"], "messages": [{"role": "user", "content": "hi"}]}
    api("POST", "/chat/completions", body=body)


def _chunks(api: Api, body: dict[str, Any]) -> list[str]:
    response = api.client.post("/chat/completions", json=body)
    assert response.status_code == 200
    events = response.text.strip().split("\n\n")
    return [event.removeprefix("data: ") for event in events]


@pytest.mark.parametrize(
    "body",
    [
        {"model": "meta-llama/Llama-3.3-70B-Instruct-Turbo"},
        {"model": "openai/gpt-oss-20b", "max_tokens": 60},
        {"model": "deepseek-ai/DeepSeek-V3.1", "reasoning": {"enabled": True}},
        {"model": "Qwen/Qwen2.5-7B-Instruct-Turbo", "max_tokens": 3},
    ],
)
def test_stream_chunks(api: Api, schema_validator: Any, body: dict[str, Any]) -> None:
    request = {**body, "messages": [{"role": "user", "content": "Stream me something"}], "stream": True}
    api.openapi.validate_request(
        MockRequest(HOST, "post", "/v1/chat/completions", headers=AUTH, data=json.dumps(request).encode())
    )
    events = _chunks(api, request)
    assert events[-1] == "[DONE]"
    schema_validator("StreamSentinel", {"data": events[-1]})
    for event in events[:-1]:
        chunk = json.loads(event)
        schema_validator("ChatCompletionChunk", chunk)
        schema_validator("ChatCompletionEvent", {"data": chunk})
    final = json.loads(events[-2])
    schema_validator("UsageData", final["usage"])


def test_documented_chat_and_model_errors(api: Api, server: SimulatorServer, faults: None) -> None:
    message = [{"role": "user", "content": "hi"}]
    dedicated_only = "mistralai/Mixtral-8x7B-Instruct-v0.1"
    api("POST", "/chat/completions", body={"model": dedicated_only, "messages": message}, status=400)
    api("POST", "/chat/completions", body={"model": "acme/unknown", "messages": message}, status=404)
    api("POST", "/chat/completions", body={"model": "x", "messages": message}, headers={"Authorization": "Bearer no"},
        status=401)  # fmt: skip
    api("GET", "/models", headers={"Authorization": "Bearer no"}, status=401)
    server.sim.faults = Faults(rate_limit=1.0)
    api("POST", "/chat/completions", body={"model": "openai/gpt-oss-20b", "messages": message}, status=429)
    api("GET", "/models", status=429)
    server.sim.faults = Faults(error_status=503)
    api("POST", "/chat/completions", body={"model": "openai/gpt-oss-20b", "messages": message}, status=503)
    server.sim.faults = Faults(error_status=500)
    api("GET", "/endpoints", status=500)
    api("GET", "/hardware", status=500)


def test_undocumented_errors_still_follow_error_data(api: Api, server: SimulatorServer, schema_validator: Any) -> None:
    """The endpoint routes document only 403/404/500, yet 400 and 401 happen: same ErrorData body."""
    responses = [
        api("POST", "/endpoints", body={"model": "openai/gpt-oss-20b"}, status=400, validate_response=False),
        api("PATCH", "/endpoints/x", body={}, status=404),
        api("GET", "/endpoints", headers={"Authorization": "Bearer no"}, status=401, validate_response=False),
        api("GET", "/hardware", params={"model": "x"}, headers={"Authorization": "Bearer no"}, status=401,
            validate_response=False),
    ]  # fmt: skip
    for response in responses:
        schema_validator("ErrorData", response.json())


def test_stream_error_event_follows_error_data(
    api: Api, server: SimulatorServer, schema_validator: Any, faults: None
) -> None:
    server.sim.faults = Faults(error_after=2)
    events = _chunks(
        api, {"model": "openai/gpt-oss-20b", "messages": [{"role": "user", "content": "x"}], "stream": True}
    )
    schema_validator("ErrorData", json.loads(events[-1]))


def test_extra_fields_are_tolerated_by_the_spec(api: Api, server: SimulatorServer, faults: None) -> None:
    server.sim.faults = Faults(extra_fields=True)
    items = api("GET", "/endpoints").json()["data"]
    api("GET", f"/endpoints/{next(i['id'] for i in items if i['type'] == 'dedicated')}")
    api("GET", "/hardware", params={"model": "openai/gpt-oss-20b"})
    api("GET", "/models")


def test_negative_control_unknown_enums_are_rejected(api: Api, server: SimulatorServer, faults: None) -> None:
    from openapi_core.validation.response.exceptions import InvalidData

    server.sim.faults = Faults(unknown_enums=True)
    for path, params in (("/endpoints", None), ("/models", None), ("/hardware", {"model": "openai/gpt-oss-20b"})):
        with pytest.raises(InvalidData):
            api("GET", path, params=params)
