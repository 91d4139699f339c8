"""The Together v1 client and provider against scripted HTTP answers (httpx.MockTransport).

Scripted answers pin down the behaviours a live simulator cannot easily be made to show in isolation:
exact request bodies, retry decisions and delays, and how each failure is classified.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest

from tui.api import UNSET, ChatMessage, ChatParams, EndpointChanges, EndpointSpec, Phase, errors
from tui.api.http import RetryPolicy
from tui.api.together import TogetherClient, TogetherV1Provider
from tui.keys.urls import InsecureBaseURLError

BASE = "https://api.together.ai/v1"
KEY = "tg-test-key-0123456789abcdef"

ENDPOINT = {
    "object": "endpoint",
    "id": "endpoint-1",
    "name": "me/openai/gpt-oss-20b-abcd1234",
    "display_name": "Mine",
    "model": "openai/gpt-oss-20b",
    "hardware": "1x_nvidia_h100_80gb_sxm",
    "type": "dedicated",
    "owner": "me",
    "state": "STARTED",
    "autoscaling": {"min_replicas": 1, "max_replicas": 2},
    "created_at": "2026-01-15T11:00:00.000Z",
}


def error_body(message: str, code: str | None = None, type_: str = "invalid_request_error") -> dict[str, Any]:
    return {"id": "req-body-id", "error": {"message": message, "type": type_, "param": None, "code": code}}


class Recorder:
    """A scripted server: answers in order, remembers every request and every back-off delay."""

    def __init__(self, *answers: httpx.Response | Exception | Callable[[httpx.Request], httpx.Response]) -> None:
        self.answers = list(answers)
        self.requests: list[httpx.Request] = []
        self.delays: list[float] = []

    def handler(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        answer = self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]
        if isinstance(answer, Exception):
            raise answer
        if callable(answer):
            return answer(request)
        return answer

    async def sleep(self, delay: float) -> None:
        self.delays.append(delay)

    def client(self, **options: Any) -> TogetherClient:
        return TogetherClient(
            KEY, BASE, transport=httpx.MockTransport(self.handler), sleep=self.sleep, **options
        )

    def provider(self) -> TogetherV1Provider:
        return TogetherV1Provider(self.client())


def ok(payload: Any, status: int = 200, **headers: str) -> httpx.Response:
    return httpx.Response(status, json=payload, headers=headers)


# Requests


async def test_every_request_carries_the_bearer_key_and_a_user_agent() -> None:
    server = Recorder(ok({"object": "list", "data": []}))
    await server.client().list_endpoints(type="dedicated", mine=True, usage_type="on-demand")
    request = server.requests[0]
    assert request.headers["authorization"] == f"Bearer {KEY}"
    assert request.headers["user-agent"].startswith("together-tui/")
    assert request.url.path == "/v1/endpoints"
    assert dict(request.url.params) == {"type": "dedicated", "mine": "true", "usage_type": "on-demand"}


async def test_create_sends_only_what_the_user_chose() -> None:
    server = Recorder(ok(ENDPOINT | {"state": "PENDING"}))
    created = await server.provider().create_endpoint(
        EndpointSpec(model="openai/gpt-oss-20b", hardware_id="1x_nvidia_h100_80gb_sxm", min_replicas=1, max_replicas=3)
    )
    assert json.loads(server.requests[0].content) == {
        "model": "openai/gpt-oss-20b",
        "hardware": "1x_nvidia_h100_80gb_sxm",
        "autoscaling": {"min_replicas": 1, "max_replicas": 3},
    }
    assert created.phase is Phase.PENDING


async def test_create_with_every_option() -> None:
    server = Recorder(ok(ENDPOINT | {"state": "STOPPED"}))
    await server.provider().create_endpoint(
        EndpointSpec(
            model="m", hardware_id="h", min_replicas=2, max_replicas=4, display_name="Name",
            inactive_timeout=0, speculative_decoding=False, availability_zone="us-central-4b", start=False,
        )
    )
    assert json.loads(server.requests[0].content) == {
        "model": "m", "hardware": "h", "autoscaling": {"min_replicas": 2, "max_replicas": 4},
        "display_name": "Name", "disable_speculative_decoding": True, "state": "STOPPED",
        "inactive_timeout": 0, "availability_zone": "us-central-4b",
    }


async def test_update_sends_only_changed_fields_and_always_both_bounds() -> None:
    server = Recorder(ok(ENDPOINT), ok(ENDPOINT))
    provider = server.provider()
    await provider.update_endpoint("endpoint-1", EndpointChanges(display_name="New"))
    assert json.loads(server.requests[0].content) == {"display_name": "New"}
    # Only max changed: the current min is read first so both bounds go out.
    await provider.update_endpoint("endpoint-1", EndpointChanges(max_replicas=5))
    methods = [(r.method, r.url.path) for r in server.requests[1:]]
    assert methods == [("GET", "/v1/endpoints/endpoint-1"), ("PATCH", "/v1/endpoints/endpoint-1")]
    assert json.loads(server.requests[2].content) == {"autoscaling": {"min_replicas": 1, "max_replicas": 5}}


async def test_update_can_clear_the_inactive_timeout() -> None:
    server = Recorder(ok(ENDPOINT))
    await server.provider().update_endpoint("endpoint-1", EndpointChanges(inactive_timeout=None))
    assert json.loads(server.requests[0].content) == {"inactive_timeout": None}
    assert EndpointChanges().empty and not EndpointChanges(min_replicas=1).empty
    assert EndpointChanges().display_name is UNSET


async def test_start_and_stop_patch_the_state() -> None:
    server = Recorder(ok(ENDPOINT | {"state": "PENDING"}), ok(ENDPOINT | {"state": "STOPPING"}))
    provider = server.provider()
    assert (await provider.start_endpoint("endpoint-1")).phase is Phase.PENDING
    assert (await provider.stop_endpoint("endpoint-1")).phase is Phase.STOPPING
    assert [json.loads(r.content) for r in server.requests] == [{"state": "STARTED"}, {"state": "STOPPED"}]
    assert {r.method for r in server.requests} == {"PATCH"}


async def test_delete_accepts_204_with_an_empty_body() -> None:
    server = Recorder(httpx.Response(204))
    assert await server.provider().delete_endpoint("endpoint-1") is None
    assert server.requests[0].method == "DELETE"


async def test_ids_cannot_escape_their_path_segment() -> None:
    server = Recorder(ok(ENDPOINT))
    await server.client().get_endpoint("../hardware")
    assert server.requests[0].url.raw_path == b"/v1/endpoints/..%2Fhardware"


# Parsing


async def test_list_items_tolerate_unknown_states_types_and_extra_fields() -> None:
    item = {"object": "endpoint", "id": "e", "name": "n", "model": "m", "type": "reserved", "owner": "o",
            "state": "DEGRADED", "created_at": "2026-01-15T11:00:00Z", "brand_new_field": {"x": 1}}
    server = Recorder(ok({"object": "list", "data": [item], "has_more": False}))
    [endpoint] = await server.provider().list_endpoints(include_serverless=True)
    assert endpoint.state == "DEGRADED" and endpoint.phase is Phase.UNKNOWN
    assert endpoint.kind == "reserved"
    assert endpoint.extra == {"brand_new_field": {"x": 1}}
    assert endpoint.detailed is False and endpoint.hardware_id is None


async def test_get_gives_hardware_autoscaling_and_display_name() -> None:
    server = Recorder(ok(ENDPOINT))
    endpoint = await server.provider().get_endpoint("endpoint-1")
    assert (endpoint.hardware_id, endpoint.min_replicas, endpoint.max_replicas) == ("1x_nvidia_h100_80gb_sxm", 1, 2)
    assert endpoint.title == "Mine" and endpoint.detailed and endpoint.phase is Phase.READY
    assert endpoint.created_at is not None and endpoint.created_at.year == 2026


async def test_hardware_is_read_from_specs_and_priced_per_hour() -> None:
    hardware = {"object": "hardware", "id": "weird-id-not-parsed", "pricing": {"cents_per_minute": 6.65},
                "specs": {"gpu_type": "h100-80gb", "gpu_link": "sxm", "gpu_memory": 80, "gpu_count": 2},
                "availability": {"status": "reserved-only"}, "updated_at": "2026-01-15T11:00:00Z"}
    server = Recorder(ok({"object": "list", "data": [hardware]}))
    [option] = await server.provider().list_hardware("openai/gpt-oss-20b")
    assert server.requests[0].url.params["model"] == "openai/gpt-oss-20b"
    assert option.price_per_hour == pytest.approx(3.99)
    assert option.price_per_month == pytest.approx(3.99 * 730)
    assert (option.gpu_type, option.gpu_count, option.total_memory_gb) == ("h100-80gb", 2, 160)
    assert option.availability == "unknown" and option.availability_raw == "reserved-only"


async def test_hardware_without_availability_or_price() -> None:
    server = Recorder(ok({"object": "list", "data": [{"id": "nvidia_l40s"}]}))
    [option] = await server.provider().list_hardware()
    assert option.availability is None and option.price_per_hour is None and option.total_memory_gb is None


async def test_models_are_a_bare_array_and_zero_prices_mean_unknown() -> None:
    models = [
        {"id": "a", "object": "model", "created": 1, "type": "chat", "display_name": "A", "organization": "Org",
         "context_length": 8192, "pricing": {"hourly": 0, "input": 0.2, "output": 0.6, "base": 0, "finetune": 0}},
        {"id": "b", "object": "model", "created": 1, "type": "quantum", "pricing": {"input": 0, "output": 0}},
    ]
    server = Recorder(ok(models))
    a, b = await server.provider().list_models(dedicated_only=True)
    assert server.requests[0].url.params["dedicated"] == "true"
    assert (a.input_price_per_m, a.output_price_per_m, a.context_length) == (0.2, 0.6, 8192)
    assert b.kind == "quantum" and b.input_price_per_m is None and not b.is_chat


async def test_availability_zones() -> None:
    server = Recorder(ok({"avzones": ["us-central-4b", "eu-west-2a"]}))
    assert await server.provider().list_availability_zones() == ["us-central-4b", "eu-west-2a"]


@pytest.mark.parametrize(
    ("body", "detail"),
    [
        (b"{not json", "not valid JSON"),
        (b'{"object": "list", "data": [{"id": 5}]}', "data.0"),
        (b'{"object": "list", "data": "nope"}', "data"),
    ],
)
async def test_malformed_bodies_are_invalid_responses(body: bytes, detail: str) -> None:
    server = Recorder(httpx.Response(200, content=body, headers={"x-request-id": "rid-1"}))
    with pytest.raises(errors.InvalidResponseError) as caught:
        await server.client().list_endpoints()
    assert detail in caught.value.message and caught.value.request_id == "rid-1"


# Errors


@pytest.mark.parametrize(
    ("status", "code", "expected"),
    [
        (401, "invalid_api_key", errors.AuthenticationError),
        (403, None, errors.AuthenticationError),
        (404, None, errors.NotFoundError),
        (400, None, errors.BadRequestError),
        (400, "model_not_available", errors.EndpointNotRunningError),
        (402, None, errors.PaymentRequiredError),
        (409, None, errors.ConflictError),
        (500, None, errors.ServerError),
        (503, None, errors.ServerError),
        (418, None, errors.APIError),
    ],
)
async def test_status_codes_map_to_the_hierarchy_with_the_service_message(
    status: int, code: str | None, expected: type[errors.APIError]
) -> None:
    server = Recorder(ok(error_body("What the service said", code), status, **{"x-request-id": "rid-9"}))
    with pytest.raises(expected) as caught:
        await server.client(retry=RetryPolicy(max_retries=0)).get_endpoint("e")
    error = caught.value
    assert type(error) is expected
    assert (error.message, error.status, error.code) == ("What the service said", status, code)
    assert error.request_id == "rid-9"
    assert "What the service said" in str(error)


async def test_a_plain_text_error_body_is_kept_as_the_message() -> None:
    server = Recorder(httpx.Response(502, text="upstream connect error"))
    with pytest.raises(errors.ServerError, match="upstream connect error"):
        await server.client(retry=RetryPolicy(max_retries=0)).list_endpoints()


async def test_request_id_falls_back_to_the_body_id() -> None:
    server = Recorder(ok(error_body("gone"), 404))
    with pytest.raises(errors.NotFoundError) as caught:
        await server.client().get_endpoint("e")
    assert caught.value.request_id == "req-body-id"


# Retries


async def test_idempotent_requests_retry_5xx_with_backoff_then_succeed() -> None:
    server = Recorder(ok(error_body("busy"), 503), ok(error_body("busy"), 500), ok({"object": "list", "data": []}))
    assert await server.client().list_endpoints() == []
    assert len(server.requests) == 3
    assert len(server.delays) == 2 and 0 < server.delays[0] < server.delays[1]


async def test_retries_stop_after_the_limit() -> None:
    server = Recorder(ok(error_body("down"), 500))
    with pytest.raises(errors.ServerError):
        await server.client(retry=RetryPolicy(max_retries=2)).list_hardware()
    assert len(server.requests) == 3


@pytest.mark.parametrize(
    ("headers", "expected"),
    [({"retry-after": "3"}, 3.0), ({"retry-after-ms": "1500"}, 1.5), ({"retry-after": "0"}, 0.0)],
)
async def test_rate_limits_honour_the_servers_wait(headers: dict[str, str], expected: float) -> None:
    server = Recorder(ok(error_body("slow down", type_="rate_limit"), 429, **headers), ok({"avzones": []}))
    await server.client().list_availability_zones()
    assert server.delays == [expected]


async def test_a_wait_longer_than_the_cap_is_left_to_the_caller() -> None:
    server = Recorder(ok(error_body("slow down"), 429, **{"retry-after": "120"}))
    with pytest.raises(errors.RateLimitError) as caught:
        await server.client().list_endpoints()
    assert caught.value.retry_after == 120 and caught.value.retryable
    assert len(server.requests) == 1 and server.delays == []


async def test_create_is_never_retried() -> None:
    server = Recorder(ok(error_body("oops"), 503), ok(ENDPOINT))
    with pytest.raises(errors.ServerError):
        await server.provider().create_endpoint(EndpointSpec(model="m", hardware_id="h"))
    assert len(server.requests) == 1
    server = Recorder(httpx.ConnectError("reset"), ok(ENDPOINT))
    with pytest.raises(errors.ConnectionFailedError):
        await server.provider().create_endpoint(EndpointSpec(model="m", hardware_id="h"))
    assert len(server.requests) == 1


async def test_chat_is_never_retried() -> None:
    server = Recorder(ok(error_body("overloaded"), 503))
    with pytest.raises(errors.ServerError):
        await server.provider().chat("m", [ChatMessage("user", "hi")])
    assert len(server.requests) == 1


async def test_connection_errors_are_retried_then_reported() -> None:
    server = Recorder(httpx.ConnectError("Connection refused"))
    with pytest.raises(errors.ConnectionFailedError, match=r"api\.together\.ai"):
        await server.client().list_endpoints()
    assert len(server.requests) == 3


async def test_timeouts_are_reported_as_timeouts() -> None:
    server = Recorder(httpx.ReadTimeout("slow"))
    with pytest.raises(errors.APITimeoutError, match="waiting for an answer"):
        await server.client(retry=RetryPolicy(max_retries=0)).list_endpoints()


def test_the_key_is_refused_over_plain_http_to_another_host() -> None:
    with pytest.raises(InsecureBaseURLError):
        TogetherClient(KEY, "http://api.together.ai/v1")
    for url in ("http://127.0.0.1:8787/v1", "http://localhost:1/v1", "http://[::1]:2/v1", BASE):
        TogetherClient(KEY, url)


def test_the_key_is_not_in_any_repr() -> None:
    client = TogetherClient(KEY, BASE)
    provider = TogetherV1Provider(client)
    session = client.session
    texts = (repr(client), repr(provider), repr(session._http.auth), repr(vars(client)), repr(vars(session)))
    for text in texts:
        assert KEY not in text


# Streaming


def sse(*events: Any, done: bool = True) -> Callable[[httpx.Request], httpx.Response]:
    def respond(request: httpx.Request) -> httpx.Response:
        async def body() -> AsyncIterator[bytes]:
            for event in events:
                yield (event if isinstance(event, bytes) else f"data: {json.dumps(event)}\n\n".encode())
            if done:
                yield b"data: [DONE]\n\n"

        return httpx.Response(200, headers={"content-type": "text/event-stream"}, content=body())

    return respond


def chunk(content: str | None = None, *, reasoning: str | None = None, reasoning_content: str | None = None,
          finish: str | None = None, usage: dict[str, int] | None = None) -> dict[str, Any]:
    delta: dict[str, Any] = {"role": "assistant", "content": content}
    if reasoning is not None:
        delta["reasoning"] = reasoning
    if reasoning_content is not None:
        delta["reasoning_content"] = reasoning_content
    return {"id": "c1", "object": "chat.completion.chunk", "created": 1, "model": "m",
            "choices": [{"index": 0, "text": content or "", "logprobs": None, "finish_reason": finish,
                         "delta": delta}], "usage": usage}


async def collect(provider: TogetherV1Provider, **params: Any) -> list[Any]:
    return [event async for event in provider.stream_chat("m", [ChatMessage("user", "hi")], ChatParams(**params))]


async def test_a_stream_yields_reasoning_content_finish_and_usage() -> None:
    usage = {"prompt_tokens": 3, "completion_tokens": 4, "total_tokens": 7, "cached_tokens": 0}
    server = Recorder(sse(
        chunk(reasoning="Think"), chunk(reasoning_content=" more"), chunk("Hel"), chunk("lo"),
        chunk("", finish="stop", usage=usage),
    ))
    events = await collect(server.provider(), temperature=0.2, max_tokens=50, reasoning_effort="low")
    assert "".join(e.reasoning for e in events) == "Think more"
    assert "".join(e.content for e in events) == "Hello"
    assert events[-1].finish_reason == "stop"
    assert events[-1].usage is not None and events[-1].usage.total_tokens == 7
    body = json.loads(server.requests[0].content)
    assert body == {"model": "m", "messages": [{"role": "user", "content": "hi"}], "temperature": 0.2,
                    "max_tokens": 50, "reasoning_effort": "low", "stream": True}


async def test_done_ends_the_stream_even_if_more_follows() -> None:
    server = Recorder(sse(chunk("a"), b"data: [DONE]\n\n", chunk("never")))
    events = await collect(server.provider())
    assert [e.content for e in events] == ["a"]


async def test_comments_named_events_and_blank_data_are_skipped() -> None:
    server = Recorder(sse(b": keep-alive\n\n", b"event: ping\ndata: {}\n\n", b"data:\n\n", chunk("x")))
    assert [e.content for e in await collect(server.provider())] == ["x"]


async def test_an_error_event_raises_after_what_arrived() -> None:
    error = {"error": {"message": "Engine overloaded mid-stream", "type": "server_error", "code": None}}
    server = Recorder(sse(chunk("partial"), error))
    received: list[str] = []
    with pytest.raises(errors.StreamError, match="Engine overloaded mid-stream"):
        async for event in server.provider().stream_chat("m", [ChatMessage("user", "hi")]):
            received.append(event.content)
    assert received == ["partial"]


async def test_a_stream_without_done_is_truncated_and_keeps_what_arrived() -> None:
    server = Recorder(sse(chunk("one"), chunk("two"), done=False))
    received: list[str] = []
    with pytest.raises(errors.StreamTruncatedError) as caught:
        async for event in server.provider().stream_chat("m", [ChatMessage("user", "hi")]):
            received.append(event.content)
    assert received == ["one", "two"] and caught.value.chunks_received == 2


async def test_malformed_json_in_a_stream_is_an_invalid_response() -> None:
    server = Recorder(sse(chunk("ok"), b"data: {broken\n\n"))
    with pytest.raises(errors.InvalidResponseError, match="malformed JSON"):
        await collect(server.provider())


async def test_a_non_stream_answer_to_a_stream_request_is_invalid() -> None:
    server = Recorder(ok({"id": "x", "choices": []}))
    with pytest.raises(errors.InvalidResponseError, match="event stream"):
        await collect(server.provider())


async def test_an_http_error_before_the_stream_is_mapped() -> None:
    message = "Unable to access non-serverless model m. Please visit ... to create and start a new dedicated endpoint."
    server = Recorder(ok(error_body(message, "model_not_available"), 400))
    with pytest.raises(errors.EndpointNotRunningError) as caught:
        await collect(server.provider())
    assert caught.value.message == message


async def test_non_streaming_chat() -> None:
    response = {"id": "x", "object": "chat.completion", "created": 1, "model": "m", "prompt": [],
                "choices": [{"index": 0, "finish_reason": "length",
                             "message": {"role": "assistant", "content": "Hi", "reasoning": "hmm"}}],
                "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2}}
    server = Recorder(ok(response))
    reply = await server.provider().chat("m", [ChatMessage("user", "hi")])
    assert (reply.content, reply.reasoning, reply.finish_reason) == ("Hi", "hmm", "length")
    assert json.loads(server.requests[0].content)["stream"] is False
