"""The v1 client, through the provider interface, against the simulator over loopback: what is v1's own
(create with zones, v1 prices, retries, faults in the body and the stream). What every provider must do
(list, get, key check, start/stop, update, delete, chat, 401/404/429) is the contract: tests/contract.py."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest

from tui.api import ChatMessage, ChatParams, EndpointChanges, EndpointSpec, Phase, errors
from tui.api.http import RetryPolicy
from tui.api.together import TogetherClient, TogetherV1Provider
from tui.simulator import DEMO_API_KEY, Faults, ManualClock, SimulatorServer

Start = Callable[..., SimulatorServer]


def provider_for(server: SimulatorServer, *, key: str = DEMO_API_KEY, **options: object) -> TogetherV1Provider:
    return TogetherV1Provider(TogetherClient(key, server.base_url, **options))  # type: ignore[arg-type]


async def cheapest_available(provider: TogetherV1Provider, model: str) -> str:
    options = [h for h in await provider.list_hardware(model) if h.availability == "available"]
    return min(options, key=lambda h: h.price_per_hour or 0).id


async def test_the_endpoint_lifecycle_through_every_call(start_simulator: Start, clock: ManualClock) -> None:
    server = start_simulator(speed=1.0)
    provider = provider_for(server)
    model = "openai/gpt-oss-20b"
    hardware = await cheapest_available(provider, model)
    zones = await provider.list_availability_zones()
    created = await provider.create_endpoint(
        EndpointSpec(model=model, hardware_id=hardware, min_replicas=1, max_replicas=2, display_name="Test",
                     availability_zone=zones[0], inactive_timeout=0)
    )
    assert created.phase is Phase.PENDING and created.detailed and created.hardware_id == hardware
    clock.advance(40)
    assert (await provider.get_endpoint(created.id)).phase is Phase.STARTING
    clock.advance(200)
    listed = {e.id: e for e in await provider.list_endpoints()}
    assert listed[created.id].phase is Phase.READY and not listed[created.id].detailed

    # Chat to the running endpoint by its name.
    events = [e async for e in provider.stream_chat(created.name, [ChatMessage("user", "Say hi")],
                                                    ChatParams(max_tokens=2048))]
    assert "".join(e.reasoning for e in events), "gpt-oss reasons first"
    assert "".join(e.content for e in events)
    assert events[-1].finish_reason in ("stop", "length") and events[-1].usage is not None
    reply = await provider.chat(created.name, [ChatMessage("user", "Say hi")], ChatParams(max_tokens=2048))
    assert reply.content and reply.usage is not None

    updated = await provider.update_endpoint(created.id, EndpointChanges(max_replicas=3, display_name="Renamed"))
    assert (updated.min_replicas, updated.max_replicas, updated.display_name) == (1, 3, "Renamed")
    stopping = await provider.stop_endpoint(created.id)
    assert stopping.phase is Phase.STOPPING
    clock.advance(60)
    assert (await provider.get_endpoint(created.id)).phase is Phase.STOPPED
    with pytest.raises(errors.EndpointNotRunningError):
        await provider.chat(created.name, [ChatMessage("user", "hi")])
    assert (await provider.start_endpoint(created.id)).phase is Phase.PENDING
    await provider.delete_endpoint(created.id)
    with pytest.raises(errors.NotFoundError):
        await provider.get_endpoint(created.id)
    await provider.aclose()


async def test_catalogue_calls(sim_server: SimulatorServer) -> None:
    provider = provider_for(sim_server)
    everything = await provider.list_hardware()
    assert everything and all(h.availability is None for h in everything)
    h100 = next(h for h in everything if h.id == "1x_nvidia_h100_80gb_sxm")
    assert h100.price_per_hour == pytest.approx(3.99)
    assert h100.gpu_count == 1 and h100.gpu_memory_gb == 80
    for_model = await provider.list_hardware("openai/gpt-oss-120b")
    assert for_model and {h.availability for h in for_model} <= {"available", "insufficient", "unavailable"}
    models = await provider.list_models()
    assert {"openai/gpt-oss-20b", "BAAI/bge-large-en-v1.5"} <= {m.id for m in models}
    dedicated = await provider.list_models(dedicated_only=True)
    assert dedicated and len(dedicated) <= len(models)
    serverless = await provider.list_endpoints(include_serverless=True)
    assert any(e.kind == "serverless" for e in serverless)
    assert all(e.kind == "dedicated" for e in await provider.list_endpoints())
    await provider.aclose()


async def test_a_wrong_keys_refusal_says_so_with_a_request_id_to_quote(sim_server: SimulatorServer) -> None:
    # The class and status are the contract's (tests/contract.py); the words and the id are Together's.
    provider = provider_for(sim_server, key="wrong")
    with pytest.raises(errors.AuthenticationError) as caught:
        await provider.list_endpoints()
    assert "API key" in caught.value.message and caught.value.request_id
    await provider.aclose()


async def test_validation_errors_carry_the_service_message(sim_server: SimulatorServer) -> None:
    provider = provider_for(sim_server)
    with pytest.raises(errors.BadRequestError) as caught:
        await provider.create_endpoint(EndpointSpec(model="openai/gpt-oss-20b", hardware_id="1x_nvidia_h100_80gb_sxm",
                                                    min_replicas=3, max_replicas=1))
    assert caught.value.status == 400 and "replicas" in caught.value.message
    with pytest.raises(errors.BadRequestError) as caught:
        await provider.create_endpoint(EndpointSpec(model="deepseek-ai/DeepSeek-V3.1",
                                                    hardware_id="1x_nvidia_l40s"))
    assert "hardware" in caught.value.message.lower()
    await provider.aclose()


@pytest.mark.parametrize(("status", "expected"), [(500, errors.ServerError), (503, errors.ServerError),
                                                  (403, errors.AuthenticationError), (404, errors.NotFoundError)])
async def test_injected_statuses_map_to_their_class(start_simulator: Start, status: int,
                                                    expected: type[errors.APIError]) -> None:
    server = start_simulator(faults=Faults(error_status=status))
    provider = provider_for(server, retry=RetryPolicy(max_retries=1, base_delay=0.01))
    with pytest.raises(expected):
        await provider.list_endpoints()
    expected_attempts = 2 if status >= 500 else 1
    assert len(server.sim.requests("GET", "/v1/endpoints")) == expected_attempts
    await provider.aclose()


async def test_a_rate_limit_is_retried_after_the_servers_wait_and_then_succeeds(start_simulator: Start) -> None:
    server = start_simulator(faults=Faults(rate_limit=1.0, retry_after=0.05))
    waits: list[float] = []

    async def record(delay: float) -> None:
        waits.append(delay)
        server.sim.faults = Faults()

    provider = provider_for(server, sleep=record)
    assert await provider.list_endpoints()
    assert waits == [pytest.approx(0.05)]
    await provider.aclose()


async def test_malformed_json_is_an_invalid_response(start_simulator: Start) -> None:
    server = start_simulator(faults=Faults(malformed=1.0))
    provider = provider_for(server)
    with pytest.raises(errors.InvalidResponseError):
        await provider.list_endpoints()
    await provider.aclose()


async def test_unknown_enums_and_extra_fields_are_kept_not_fatal(start_simulator: Start) -> None:
    server = start_simulator(faults=Faults(unknown_enums=True, extra_fields=True))
    provider = provider_for(server)
    endpoints = await provider.list_endpoints()
    assert any(e.phase is Phase.UNKNOWN for e in endpoints)
    assert all(e.extra for e in endpoints)
    hardware = await provider.list_hardware("openai/gpt-oss-20b")
    assert any(h.availability == "unknown" and h.availability_raw for h in hardware)
    assert any(m.kind not in ("chat", "embedding", "language", "code", "image", "moderation", "rerank")
               for m in await provider.list_models())
    await provider.aclose()


async def test_a_slow_answer_times_out(start_simulator: Start) -> None:
    server = start_simulator(faults=Faults(latency=2.0))
    provider = provider_for(server, timeout=httpx.Timeout(0.3), retry=RetryPolicy(max_retries=0))
    with pytest.raises(errors.APITimeoutError):
        await provider.list_endpoints()
    await provider.aclose()


async def test_a_server_that_is_gone_is_a_connection_failure(start_simulator: Start) -> None:
    server = start_simulator()
    server.stop()
    provider = provider_for(server, retry=RetryPolicy(max_retries=0))
    with pytest.raises(errors.ConnectionFailedError, match=r"127\.0\.0\.1"):
        await provider.list_endpoints()
    await provider.aclose()


async def running_endpoint_name(provider: TogetherV1Provider) -> str:
    return next(e.name for e in await provider.list_endpoints() if e.phase is Phase.READY)


@pytest.mark.parametrize(
    ("faults", "expected"),
    [(Faults(cut_after=5), errors.StreamTruncatedError), (Faults(error_after=5), errors.StreamError)],
)
async def test_broken_streams_keep_what_arrived(start_simulator: Start, faults: Faults,
                                                expected: type[errors.APIError]) -> None:
    server = start_simulator()
    provider = provider_for(server)
    name = await running_endpoint_name(provider)
    server.sim.faults = faults
    received: list[str] = []
    with pytest.raises(expected):
        async for event in provider.stream_chat(name, [ChatMessage("user", "Tell me a story")]):
            received.append(event.content or event.reasoning)
    assert len([text for text in received if text]) == 5
    await provider.aclose()


async def test_a_stalled_stream_times_out(start_simulator: Start) -> None:
    server = start_simulator()
    provider = provider_for(server, timeout=httpx.Timeout(5.0, read=0.3))
    name = await running_endpoint_name(provider)
    server.sim.faults = Faults(stall_after=3)
    with pytest.raises(errors.APITimeoutError):
        async for _ in provider.stream_chat(name, [ChatMessage("user", "hi")]):
            pass
    await provider.aclose()


async def test_chat_to_a_model_that_does_not_exist(sim_server: SimulatorServer) -> None:
    provider = provider_for(sim_server)
    with pytest.raises((errors.NotFoundError, errors.BadRequestError)):
        await provider.chat("nobody/no-such-model", [ChatMessage("user", "hi")])
    await provider.aclose()
