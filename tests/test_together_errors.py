"""Together's error words in domain terms: the adapter, not the shared HTTP layer, decides what they mean."""

from __future__ import annotations

import httpx
import pytest

from tui.api import errors
from tui.api.domain import EndpointSpec
from tui.api.error_mapping import error_from_response
from tui.api.http import RetryPolicy
from tui.api.together.client import TogetherClient
from tui.api.together.errors import domain_field
from tui.api.together.provider import TogetherV1Provider
from tui.simulator import DEMO_API_KEY, SimulatorServer

BASE = "https://api.together.ai/v1"


def answering(status: int, error: dict[str, object]) -> TogetherClient:
    transport = httpx.MockTransport(lambda request: httpx.Response(status, json={"error": error}))
    return TogetherClient("k-0123456789abcdef", BASE, transport=transport, retry=RetryPolicy(max_retries=0))


@pytest.mark.parametrize(
    "code", ["dedicated_endpoint_not_running", "model_not_available", "endpoint_not_ready", "deployment_stopped"]
)
async def test_together_not_running_codes_are_endpoint_not_running(code: str) -> None:
    client = answering(400, {"message": "The endpoint is not running", "code": code})
    with pytest.raises(errors.EndpointNotRunningError) as caught:
        await client.chat_completion({"model": "m", "messages": []})
    assert (caught.value.code, caught.value.status, caught.value.message) == (code, 400, "The endpoint is not running")
    await client.aclose()


async def test_an_endpoint_with_nothing_routed_is_not_read_as_stopped() -> None:
    # Starting would not help: the traffic split routes nowhere.
    client = answering(400, {"message": "no weight", "code": "endpoint_not_configured"})
    with pytest.raises(errors.BadRequestError) as caught:
        await client.chat_completion({"model": "m", "messages": []})
    assert type(caught.value) is errors.BadRequestError
    await client.aclose()


def test_the_shared_layer_leaves_provider_codes_to_the_provider() -> None:
    request = httpx.Request("GET", f"{BASE}/x")
    body = {"error": {"message": "m", "code": "model_not_available"}}
    error = error_from_response(httpx.Response(400, json=body, request=request))
    assert type(error) is errors.BadRequestError and error.code == "model_not_available"


@pytest.mark.parametrize(
    ("param", "field"),
    [
        ("autoscaling.min_replicas", "min_replicas"),
        ("autoscaling.max_replicas", "max_replicas"),
        ("display_name", "display_name"),
        ("hardware", "hardware"),
        ("model", "model"),
        ("inactive_timeout", "inactive_timeout"),
        ("availability_zone", "availability_zone"),
        ("disable_speculative_decoding", "speculative_decoding"),
        ("body.Autoscaling.Min_Replicas", "min_replicas"),
        ("autoscaling.surprise", None),
        ("", None),
        (None, None),
    ],
)
def test_wire_params_have_domain_names(param: str | None, field: str | None) -> None:
    assert domain_field(param) == field


async def test_a_refused_field_keeps_its_raw_param_and_gains_its_domain_name() -> None:
    client = answering(400, {"message": "too many", "param": "autoscaling.max_replicas", "code": "invalid"})
    with pytest.raises(errors.BadRequestError) as caught:
        await client.get_endpoint("e")
    assert type(caught.value) is errors.BadRequestError
    assert (caught.value.param, caught.value.field) == ("autoscaling.max_replicas", "max_replicas")
    await client.aclose()


async def test_an_unknown_param_has_no_field_but_keeps_the_raw_one() -> None:
    client = answering(422, {"message": "no", "param": "quantum.flux"})
    with pytest.raises(errors.BadRequestError) as caught:
        await client.get_endpoint("e")
    assert (caught.value.param, caught.value.field) == ("quantum.flux", None)
    await client.aclose()


async def test_the_simulators_replica_refusal_names_the_domain_field(sim_server: SimulatorServer) -> None:
    provider = TogetherV1Provider(TogetherClient(DEMO_API_KEY, sim_server.base_url))
    spec = EndpointSpec(model="openai/gpt-oss-20b", hardware_id="1x_nvidia_h100_80gb_sxm", min_replicas=-1)
    with pytest.raises(errors.BadRequestError) as caught:
        await provider.create_endpoint(spec)
    assert (caught.value.param, caught.value.field) == ("autoscaling.min_replicas", "min_replicas")
    await provider.aclose()
