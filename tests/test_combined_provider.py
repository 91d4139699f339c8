"""The one Together provider: v2 endpoints beside the legacy v1 ones, each operation on the API that owns it."""

from __future__ import annotations

import json

import httpx
import pytest
from v2_tools import Start, provider_for, requests_to, today

from tui.api import errors
from tui.api.domain import ChatMessage, EndpointChanges, EndpointSpec, Phase
from tui.api.provider import DeployingProvider, Provider
from tui.api.together.client import TogetherClient
from tui.api.together.combined import TogetherProvider
from tui.api.together.provider import TogetherV1Provider
from tui.simulator import DEMO_API_KEY

HELLO = [ChatMessage("user", "hello")]


async def test_the_demo_account_lists_v2_endpoints_then_the_legacy_v1_ones(start_simulator: Start) -> None:
    server = today(start_simulator)
    provider = provider_for(server)
    assert isinstance(provider, Provider) and isinstance(provider, DeployingProvider)
    endpoints = await provider.list_endpoints()
    assert [e.api for e in endpoints] == ["v2"] * 4 + ["v1"] * 2
    support = endpoints[0]
    assert (support.name, len(support.deployments)) == ("demo-project/support-bot", 2)
    assert [d.traffic_weight for d in support.deployments] == [0.9, 0.1]
    phases = {e.name.rpartition("/")[2]: e.phase for e in endpoints[:4]}
    assert phases == {
        "support-bot": Phase.READY,
        "llama-staging": Phase.STOPPED,
        "gpt-oss-120b-batch": Phase.DEGRADED,
        "qwen-eval": Phase.READY,
    }
    assert {e.phase for e in endpoints[4:]} == {Phase.READY, Phase.STOPPED}
    assert provider.capabilities.traffic_split and not provider.capabilities.renames
    await provider.aclose()


async def test_get_update_stop_and_delete_go_to_the_api_that_owns_the_id(start_simulator: Start) -> None:
    server = today(start_simulator)
    provider = provider_for(server)
    endpoints = await provider.list_endpoints()
    v2, v1 = endpoints[0], next(e for e in endpoints if e.api == "v1" and e.phase is Phase.READY)
    assert (await provider.get_endpoint(v2.id)).deployments[0].version
    assert (await provider.get_endpoint(v1.id)).api == "v1"
    renamed = await provider.update_endpoint(v1.id, EndpointChanges(display_name="Legacy"))
    assert renamed.display_name == "Legacy"
    assert (await provider.stop_endpoint(v1.id)).phase in (Phase.STOPPING, Phase.STOPPED)
    stopped = await provider.stop_endpoint(v2.id)
    assert {d.max_replicas for d in stopped.deployments} == {0}
    started = await provider.start_endpoint(v2.id)
    assert [(d.min_replicas, d.max_replicas) for d in started.deployments] == [(1, 3), (1, 1)]
    await provider.delete_endpoint(v1.id)
    await provider.delete_endpoint(v2.id)
    remaining = {e.id for e in await provider.list_endpoints()}
    assert v1.id not in remaining and v2.id not in remaining
    assert requests_to(server, "DELETE", f"/v1/endpoints/{v1.id}")
    await provider.aclose()


async def test_v1_create_and_start_are_not_attempted_and_say_redeploy_on_v2(start_simulator: Start) -> None:
    server = today(start_simulator)
    provider = provider_for(server)
    stopped_v1 = next(e for e in await provider.list_endpoints() if e.api == "v1" and e.phase is Phase.STOPPED)
    with pytest.raises(errors.V1RetiredError, match="redeploy on v2"):
        await provider.start_endpoint(stopped_v1.id)
    with pytest.raises(errors.V1RetiredError, match="redeploy on v2"):
        await provider.create_endpoint(EndpointSpec(model="openai/gpt-oss-20b", hardware_id="1x_nvidia_h100_80gb_sxm"))
    assert requests_to(server, "POST", "/v1/endpoints") == [] and requests_to(server, "PATCH", "/v1/endpoints") == []
    await provider.aclose()


async def test_chat_reaches_v2_names_on_the_inference_host_and_the_rest_on_v1(start_simulator: Start) -> None:
    server = today(start_simulator)
    provider = provider_for(server)
    endpoints = await provider.list_endpoints()
    v2, v1 = endpoints[0], next(e for e in endpoints if e.api == "v1" and e.phase is Phase.READY)
    assert (await provider.chat(v2.inference_model, HELLO)).content
    pinned = v2.deployments[0].name
    assert [e async for e in provider.stream_chat(pinned, HELLO)]
    assert (await provider.chat(v1.inference_model, HELLO)).content
    stopped_v1 = next(e for e in endpoints if e.api == "v1" and e.phase is Phase.STOPPED)
    with pytest.raises(errors.EndpointNotRunningError):
        await provider.chat(stopped_v1.inference_model, HELLO)
    assert provider.chat_host_is_v2(pinned) and not provider.chat_host_is_v2(v1.inference_model)
    await provider.aclose()


def _recording_transport(hosts: list[str]) -> httpx.MockTransport:
    def handler(request: httpx.Request) -> httpx.Response:
        hosts.append(f"{request.url.host}{request.url.path}")
        if request.url.path == "/v3/whoami":
            body = {"type": "project_api_key", "project": {"id": "proj_1", "name": "P", "slug": "acme"}}
            return httpx.Response(200, json=body)
        if request.url.path.endswith("/chat/completions"):
            model = json.loads(request.content)["model"]
            reply = {"id": "c", "choices": [{"index": 0, "message": {"role": "assistant", "content": model}}]}
            return httpx.Response(200, json=reply)
        if request.url.path.startswith("/v2/projects/") and request.url.path.endswith("/endpoints"):
            return httpx.Response(200, json={"data": [{"id": "ep_1", "name": "acme/e"}], "next_cursor": None})
        return httpx.Response(200, json={"data": [], "next_cursor": None})

    return httpx.MockTransport(handler)


@pytest.mark.parametrize("base_url", ["https://api.together.ai/v1", "https://api.together.ai"])
async def test_a_base_url_with_or_without_v1_reaches_both_apis_and_the_inference_host(base_url: str) -> None:
    hosts: list[str] = []
    provider = TogetherProvider.connect(DEMO_API_KEY, base_url, environ={}, transport=_recording_transport(hosts))
    assert provider.base_url == "https://api.together.ai"
    await provider.v2.client.project()
    await provider.chat("acme/my-endpoint", HELLO)
    await provider.chat("meta-llama/Llama-3.3-70B-Instruct-Turbo", HELLO)
    assert hosts == [
        "api.together.ai/v3/whoami",
        "api-inference.together.ai/v1/chat/completions",
        "api.together.ai/v1/chat/completions",
    ]
    await provider.aclose()


async def test_the_inference_host_can_come_from_the_environment() -> None:
    hosts: list[str] = []
    provider = TogetherProvider.connect(
        DEMO_API_KEY,
        environ={"TOGETHER_INFERENCE_URL": "https://inference.example.com", "TOGETHER_PROJECT_ID": "proj_1"},
        transport=_recording_transport(hosts),
    )
    # No whoami (the project came from the environment), so no slug: the names listed decide.
    await provider.chat("acme/e", HELLO)
    await provider.list_endpoints()
    await provider.chat("acme/e", HELLO)
    chats = [host for host in hosts if host.endswith("/chat/completions")]
    assert chats == ["api.together.ai/v1/chat/completions", "inference.example.com/v1/chat/completions"]
    await provider.aclose()


async def test_the_v1_provider_still_satisfies_the_provider_protocol() -> None:
    v1 = TogetherV1Provider(TogetherClient(DEMO_API_KEY))
    assert isinstance(v1, Provider) and not isinstance(v1, DeployingProvider)
    await v1.aclose()
