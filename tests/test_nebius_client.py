"""The Nebius client and adapter on canned answers: every documented response variant, errors, phases."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from tests.hostile import MARKUP, TERMINAL
from tui.api import errors
from tui.api.domain import EndpointChanges, EndpointSpec, Phase
from tui.api.nebius import adapter
from tui.api.nebius.client import chat_base_url
from tui.api.nebius.provider import NebiusProvider, create_provider

BASE = "https://api.tokenfactory.nebius.com"
ENDPOINT: dict[str, Any] = {
    "id": "ep-1", "name": "Mine", "enabled": True, "routing_key": "rk-1", "model_name": "openai/gpt-oss-20b",
    "flavor_name": "base", "region": "eu-west1", "gpu_type": "gpu-h100-sxm", "gpu_count": 1,
    "scaling": {"min_replicas": 1, "max_replicas": 2},
    "deployment": {"status": "running", "readiness": "ready", "ready_replicas": 1},
    "created_at": "2026-07-01T10:00:00Z",
}
TEMPLATE = {
    "name": "openai/gpt-oss-20b", "type": "chat", "metadata": {"vendor": "OpenAI", "context_window_k": 128},
    "flavors": {"base": {"hardware": [
        {"gpu_type": "gpu-h100-sxm", "gpu_count": 1, "regions": ["eu-north1", "eu-west1"]},
    ]}},
}

Answer = Callable[[httpx.Request], httpx.Response]


def provider(answer: Answer, **options: Any) -> tuple[NebiusProvider, list[httpx.Request]]:
    seen: list[httpx.Request] = []

    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return answer(request)

    made = create_provider("nb-secret-key-1234", BASE, {"transport": httpx.MockTransport(handle), **options})
    return made, seen


def routes(table: dict[tuple[str, str], httpx.Response]) -> Answer:
    def answer(request: httpx.Request) -> httpx.Response:
        return table.get((request.method, request.url.path), httpx.Response(404, json={"detail": "Not Found"}))

    return answer


LIST = ("GET", "/v0/dedicated_endpoints")
TEMPLATES = ("GET", "/v0/dedicated_endpoints/templates")


@pytest.mark.parametrize(
    "body",
    [{"endpoint": ENDPOINT}, ENDPOINT, {"endpoint_id": "ep-1", **{k: v for k, v in ENDPOINT.items() if k != "id"}},
     {"endpoint": {k: v for k, v in ENDPOINT.items() if k not in ("id", "routing_key")}, "endpoint_id": "ep-1",
      "routing_key": "rk-1"}],
    ids=["wrapped", "bare", "endpoint_id", "top-level-ids"],
)
@pytest.mark.parametrize("status", [201, 200])
async def test_create_accepts_every_documented_answer(body: dict[str, Any], status: int) -> None:
    made, seen = provider(routes({
        TEMPLATES: httpx.Response(200, json={"data": [TEMPLATE]}),
        ("POST", "/v0/dedicated_endpoints"): httpx.Response(status, json=body),
    }))
    created = await made.create_endpoint(
        EndpointSpec(model="openai/gpt-oss-20b", hardware_id="base:1xgpu-h100-sxm", availability_zone="eu-west1")
    )
    assert (created.id, created.inference_model, created.display_name) == ("ep-1", "rk-1", "Mine")
    assert [r.method for r in seen].count("POST") == 1


@pytest.mark.parametrize("root", ["data", "endpoints", None])
async def test_the_list_is_read_under_data_or_bare(root: str | None) -> None:
    body: Any = [ENDPOINT] if root is None else {root: [ENDPOINT], "object": "list"}
    made, _ = provider(routes({LIST: httpx.Response(200, json=body)}))
    [endpoint] = await made.list_endpoints()
    assert endpoint.id == "ep-1" and endpoint.phase is Phase.READY and endpoint.state == "running/ready"


@pytest.mark.parametrize("root", ["data", "templates", None])
async def test_templates_are_read_under_data_templates_or_bare(root: str | None) -> None:
    body: Any = [TEMPLATE] if root is None else {root: [TEMPLATE]}
    made, _ = provider(routes({TEMPLATES: httpx.Response(200, json=body)}))
    assert [o.id for o in await made.deploy_options("openai/gpt-oss-20b")] == ["base:1xgpu-h100-sxm"]


def test_flavors_as_a_list_and_counts_as_a_list_are_read() -> None:
    raw = {"template_name": "m/x", "flavors": [
        {"flavor_name": "fast", "gpu_type": "gpu-h200-sxm", "gpu_counts": [1, 2], "region": "eu-north1"},
    ]}
    template = adapter.template_from_wire(raw)
    assert template is not None
    assert [(o.flavor, o.gpu_count, o.regions) for o in template.offers] == [
        ("fast", 1, ("eu-north1",)), ("fast", 2, ("eu-north1",)),
    ]


@pytest.mark.parametrize("answer", [httpx.Response(200, json={}), httpx.Response(204)], ids=["200-empty", "204"])
async def test_delete_accepts_200_empty_and_204(answer: httpx.Response) -> None:
    made, seen = provider(routes({("DELETE", "/v0/dedicated_endpoints/ep-1"): answer}))
    await made.delete_endpoint("ep-1")
    assert seen[-1].url.path == "/v0/dedicated_endpoints/ep-1"


async def test_an_entry_without_an_id_is_skipped_and_a_list_of_nothing_is_refused() -> None:
    made, _ = provider(routes({LIST: httpx.Response(200, json={"data": [{"name": "x"}, ENDPOINT]})}))
    assert [e.id for e in await made.list_endpoints()] == ["ep-1"]
    broken, _ = provider(routes({LIST: httpx.Response(200, json={"items": 3})}))
    with pytest.raises(errors.InvalidResponseError):
        await broken.list_endpoints()


async def test_fastapi_422_detail_list_is_shown_with_its_fields() -> None:
    detail = {"detail": [
        {"type": "enum", "loc": ["body", "gpu_type"], "msg": "Input should be 'gpu-h100-sxm'", "input": "x"},
        {"type": "missing", "loc": ["body", "scaling", "min_replicas"], "msg": "Field required"},
    ]}
    made, _ = provider(routes({("PATCH", "/v0/dedicated_endpoints/ep-1"): httpx.Response(422, json=detail)}))
    with pytest.raises(errors.BadRequestError) as caught:
        await made.start_endpoint("ep-1")
    error = caught.value
    assert error.message == "gpu_type: Input should be 'gpu-h100-sxm'; scaling.min_replicas: Field required"
    assert (error.status, error.param, error.error_type) == (422, "gpu_type", "enum")


@pytest.mark.parametrize(
    ("status", "kind"),
    [(401, errors.AuthenticationError), (404, errors.NotFoundError), (409, errors.ConflictError),
     (400, errors.BadRequestError)],
)
async def test_fastapi_detail_strings_keep_their_words_and_the_key_is_masked(status: int, kind: type) -> None:
    text = "bad key nb-secret-key-1234 \x1b]0;title\x07here"
    answer = httpx.Response(status, json={"detail": text})
    made, _ = provider(routes({("DELETE", "/v0/dedicated_endpoints/ep-1"): answer}))
    with pytest.raises(kind) as caught:
        await made.delete_endpoint("ep-1")
    assert "nb-secret-key-1234" not in str(caught.value) and "\x1b" not in str(caught.value)
    assert caught.value.message.startswith("bad key") and caught.value.message.endswith("here")


async def test_the_openai_envelope_is_still_read() -> None:
    body = {"error": {"message": "quota exceeded", "type": "quota"}}
    made, _ = provider(routes({LIST: httpx.Response(429, json=body, headers={"retry-after": "60"})}))
    with pytest.raises(errors.RateLimitError) as caught:
        await made.list_endpoints()
    assert caught.value.message == "quota exceeded"


async def test_an_update_sends_only_what_changed_and_both_bounds() -> None:
    made, seen = provider(routes({
        LIST: httpx.Response(200, json={"data": [ENDPOINT]}),
        ("PATCH", "/v0/dedicated_endpoints/ep-1"): httpx.Response(200, json=ENDPOINT),
    }))
    await made.update_endpoint("ep-1", EndpointChanges(max_replicas=4))
    await made.update_endpoint("ep-1", EndpointChanges(display_name="New"))
    await made.stop_endpoint("ep-1")
    bodies = [json.loads(r.content) for r in seen if r.method == "PATCH"]
    assert bodies == [{"scaling": {"min_replicas": 1, "max_replicas": 4}}, {"name": "New"}, {"enabled": False}]


async def test_unsupported_changes_are_refused_before_sending() -> None:
    made, seen = provider(routes({}))
    with pytest.raises(errors.BadRequestError, match="inactive timeout"):
        await made.update_endpoint("ep-1", EndpointChanges(inactive_timeout=10))
    with pytest.raises(errors.BadRequestError, match="needs a name"):
        await made.update_endpoint("ep-1", EndpointChanges(display_name=None))
    assert seen == []


async def test_a_patch_answer_without_the_object_falls_back_to_the_list() -> None:
    stopped = {**ENDPOINT, "enabled": False, "deployment": {"status": "stopped", "ready_replicas": 0}}
    made, _ = provider(routes({
        LIST: httpx.Response(200, json={"data": [stopped]}),
        ("PATCH", "/v0/dedicated_endpoints/ep-1"): httpx.Response(200, json={}),
    }))
    assert (await made.stop_endpoint("ep-1")).phase is Phase.STOPPED


async def test_get_endpoint_reads_the_list() -> None:
    made, seen = provider(routes({LIST: httpx.Response(200, json={"data": [ENDPOINT]})}))
    assert (await made.get_endpoint("ep-1")).id == "ep-1"
    with pytest.raises(errors.NotFoundError):
        await made.get_endpoint("ep-2")
    assert {r.url.path for r in seen} == {"/v0/dedicated_endpoints"}


@pytest.mark.parametrize(
    ("lifecycle", "readiness", "ready", "enabled", "phase"),
    [
        ("Starting", "Not ready", 0, True, Phase.STARTING),
        ("starting", "partially_ready", 1, True, Phase.SCALING),
        ("updating", "ready", 2, True, Phase.UPDATING),
        ("running", "ready", 2, True, Phase.READY),
        ("running", "partially ready", 1, True, Phase.DEGRADED),
        ("running", "not_ready", 0, True, Phase.FAILED),
        ("warning", "ready", 2, True, Phase.DEGRADED),
        ("error", "ready", 2, True, Phase.DEGRADED),
        ("error", "not_ready", 0, True, Phase.FAILED),
        ("stopping", "partially_ready", 1, False, Phase.STOPPING),
        ("stopped", "not_ready", 0, False, Phase.STOPPED),
        ("hibernating", None, 0, True, Phase.UNKNOWN),
        (None, None, 0, False, Phase.STOPPED),
        (None, None, 1, False, Phase.STOPPING),
        (None, None, 0, True, Phase.STARTING),
        (None, None, 1, True, Phase.SCALING),
        (None, None, 2, True, Phase.READY),
        (None, None, None, None, Phase.UNKNOWN),
    ],
)
def test_two_axes_become_one_phase_and_the_words_are_kept(
    lifecycle: str | None, readiness: str | None, ready: int | None, enabled: bool | None, phase: Phase
) -> None:
    deployment = {k: v for k, v in (("status", lifecycle), ("readiness", readiness), ("ready_replicas", ready))
                  if v is not None}
    body = {**ENDPOINT, "deployment": deployment, "scaling": {"min_replicas": 2, "max_replicas": 2}}
    if enabled is None:
        del body["enabled"]
    else:
        body["enabled"] = enabled
    endpoint = adapter.endpoint_from_wire(body)
    assert endpoint.phase is phase
    if lifecycle:
        assert endpoint.state.startswith(lifecycle.lower())


def test_chat_hosts_per_region_and_the_override() -> None:
    assert chat_base_url("eu-north1") == "https://api.tokenfactory.nebius.com/v1"
    assert chat_base_url("us-central1") == "https://api.tokenfactory.us-central1.nebius.com/v1"
    assert chat_base_url("eu-west1") == "https://api.tokenfactory.eu-west1.nebius.com/v1"
    assert chat_base_url(None) == chat_base_url("evil.com/x") == "https://api.tokenfactory.nebius.com/v1"
    assert chat_base_url("us-central1", "http://127.0.0.1:9") == "http://127.0.0.1:9/v1"


async def test_chat_goes_to_the_endpoints_region_and_404_is_not_ready_yet() -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/v0/dedicated_endpoints":
            return httpx.Response(200, json={"data": [ENDPOINT]})
        return httpx.Response(404, json={"detail": "Not Found"})

    made, seen = provider(answer)
    with pytest.raises(errors.EndpointNotRunningError, match="not ready yet"):
        await made.chat("rk-1", [])
    assert str(seen[-1].url) == "https://api.tokenfactory.eu-west1.nebius.com/v1/chat/completions"
    assert json.loads(seen[-1].content)["model"] == "rk-1"
    with pytest.raises(errors.NotFoundError) as caught:
        await made.chat("unknown-key", [])
    assert not isinstance(caught.value, errors.EndpointNotRunningError)


async def test_prices_come_from_the_table_and_are_unknown_without_an_entry() -> None:
    made, _ = provider(
        routes({TEMPLATES: httpx.Response(200, json={"data": [TEMPLATE]})}),
        prices={"gpu-h100-sxm": 3.0, "gpu-h200-sxm": 0.0},
    )
    [option] = await made.deploy_options("openai/gpt-oss-20b")
    assert option.dollars_per_hour == 3.0 and option.regions == ("eu-north1", "eu-west1")
    assert adapter.price_per_hour({"gpu-h200-sxm": 0.0}, "gpu-h200-sxm", 2) is None
    assert adapter.price_per_hour({}, "gpu-h100-sxm", 1) is None
    assert adapter.price_per_hour({"gpu-h100-sxm": float("nan")}, "gpu-h100-sxm", 1) is None
    assert adapter.price_per_hour({"gpu-b200-sxm": 5.5}, "gpu-b200-sxm", 8) == 44.0
    hardware = await made.list_hardware()
    assert [(h.id, h.price_per_hour) for h in hardware] == [
        ("base:1xgpu-h100-sxm@eu-north1", 3.0), ("base:1xgpu-h100-sxm@eu-west1", 3.0),
    ]


async def test_create_refuses_unknown_options_and_unchosen_regions_before_sending() -> None:
    made, seen = provider(routes({TEMPLATES: httpx.Response(200, json={"data": [TEMPLATE]})}))
    for spec, words in (
        (EndpointSpec(model="openai/gpt-oss-20b", hardware_id="1x_nvidia_h100_80gb_sxm"), "not a Nebius"),
        (EndpointSpec(model="openai/gpt-oss-20b", hardware_id="fast:1xgpu-h100-sxm"), "No Nebius template"),
        (EndpointSpec(model="openai/gpt-oss-20b", hardware_id="base:1xgpu-h100-sxm"), "Pick a region"),
        (EndpointSpec(model="openai/gpt-oss-20b", hardware_id="base:1xgpu-h100-sxm@us-central1"), "offered in"),
    ):
        with pytest.raises(errors.BadRequestError, match=words):
            await made.create_endpoint(spec)
    assert all(r.method == "GET" for r in seen)


@pytest.mark.parametrize("hostile", [*MARKUP[:3], *TERMINAL])
def test_hostile_strings_are_cleaned_and_hostile_names_never_enter_option_ids(hostile: str) -> None:
    body = {**ENDPOINT, "name": hostile, "routing_key": hostile, "model_name": hostile, "region": hostile,
            "deployment": {"status": hostile, "readiness": hostile}, "surprise": {hostile: hostile}}
    endpoint = adapter.endpoint_from_wire(body)
    for text in (endpoint.name, endpoint.display_name or "", endpoint.model, endpoint.state, endpoint.region or "",
                 json.dumps(endpoint.extra, ensure_ascii=False), json.dumps(endpoint.facts, ensure_ascii=False)):
        assert "\x1b" not in text and "\x9b" not in text and "\x00" not in text and "\u202e" not in text
    template = adapter.template_from_wire({"name": "m", "flavors": {hostile: {"gpu_type": hostile, "gpu_count": 1},
                                                                    "base": {"gpu_type": "gpu-h100-sxm",
                                                                             "gpu_count": 1, "regions": [hostile]}}})
    assert template is not None
    assert [(o.flavor, o.gpu_type, o.regions) for o in template.offers] == [("base", "gpu-h100-sxm", ())]


def test_a_gpu_family_prices_every_variant_and_a_variants_own_entry_wins() -> None:
    prices = {"b200": 5.0, "gpu-b200-sxm-a": 6.0, "h100": 2.95}
    assert adapter.price_per_hour(prices, "gpu-b200-sxm", 2) == 10.0
    assert adapter.price_per_hour(prices, "gpu-b200-sxm-a", 1) == 6.0
    assert adapter.price_per_hour(prices, "gpu-h100-sxm", 1) == 2.95
    assert adapter.price_per_hour(prices, "gpu-l40s-d", 1) is None
    assert adapter.price_per_hour({"gpu-h100-sxm": 0.0, "h100": 3.0}, "gpu-h100-sxm", 1) is None


def test_a_combination_listed_twice_is_one_option_in_both_regions() -> None:
    template = adapter.template_from_wire({"name": "m", "flavors": {"base": {"hardware": [
        {"gpu_type": "gpu-h100-sxm", "gpu_count": 1, "regions": ["eu-north1"]},
        {"gpu_type": "gpu-h100-sxm", "gpu_count": 1, "regions": ["eu-west1", "eu-north1"]},
    ]}}})
    assert template is not None
    [offer] = template.offers
    assert offer.regions == ("eu-north1", "eu-west1")
    option = adapter.deploy_option(offer, {})
    assert (option.id, option.hardware_label, option.dollars_per_hour, option.price_from_api) == (
        "base:1xgpu-h100-sxm", "base · 1x H100", None, False,
    )


def test_the_gpu_shown_drops_the_prefix_and_the_link_but_keeps_the_variant() -> None:
    assert [adapter.shown_gpu_type(t) for t in ("gpu-h100-sxm", "gpu-b200-sxm-a", "gpu-l40s-d", "odd")] == [
        "h100", "b200-a", "l40s-d", "odd",
    ]


async def test_a_control_plane_of_ones_own_serves_the_chat_too() -> None:
    seen: list[httpx.Request] = []

    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if request.url.path == "/v0/dedicated_endpoints":
            return httpx.Response(200, json={"data": [ENDPOINT]})
        return httpx.Response(200, json={"choices": [{"index": 0, "message": {"role": "assistant", "content": "hi"},
                                                      "finish_reason": "stop"}]})

    own = create_provider("nb-secret-key-1234", "https://proxy.example/v1", {"transport": httpx.MockTransport(handle)})
    await own.chat("rk-1", [])
    assert str(seen[-1].url) == "https://proxy.example/v1/chat/completions"
    await own.aclose()
    nebius = create_provider("nb-secret-key-1234", BASE, {"transport": httpx.MockTransport(handle)})
    await nebius.chat("rk-1", [])
    assert str(seen[-1].url) == "https://api.tokenfactory.eu-west1.nebius.com/v1/chat/completions"
    await nebius.aclose()


def test_documented_fields_are_first_class_or_facts_and_only_unknown_ones_are_extra() -> None:
    body = {**ENDPOINT, "description": "for the help desk", "custom_weights_id": None, "surprise": 1,
            "deployment": {"status": "starting", "ready_replicas": 1}, "scaling": {"min_replicas": 2,
                                                                                "max_replicas": 3}}
    endpoint = adapter.endpoint_from_wire(body)
    assert endpoint.region == "eu-west1" and endpoint.extra == {"surprise": 1}
    assert endpoint.facts == (
        ("Region", "eu-west1"), ("Flavor", "base (throughput)"), ("GPU type", "gpu-h100-sxm"), ("Enabled", "yes"),
        ("Readiness", "partially ready"), ("Ready replicas", "1 (min 2)"), ("Description", "for the help desk"),
    )
    stopped = adapter.endpoint_from_wire({"id": "ep-2", "enabled": False, "flavor_name": "turbo"})
    assert dict(stopped.facts) == {"Flavor": "turbo", "Enabled": "no (disabled: no replicas, not billed)"}
