"""Whatever JSON comes back, the client returns domain objects or raises a typed API error: nothing else."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.hostile import BAD_TIMESTAMPS, HOSTILE_STRINGS
from tests.test_untrusted_text import assert_clean
from tui.api import ChatMessage, errors
from tui.api.http import RetryPolicy
from tui.api.safe_text import clean_multiline
from tui.api.together import TogetherClient, TogetherV1Provider

scalars = (
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=12)
    | st.sampled_from([*HOSTILE_STRINGS[:-1], *BAD_TIMESTAMPS, "12", "NaN"])
)
json_values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=5),
    max_leaves=20,
)
# Plausible shapes with hostile values, so generation also reaches the deeper parsers.
endpoint_like = st.fixed_dictionaries(
    {"id": scalars, "name": scalars, "state": scalars},
    optional={"autoscaling": json_values, "created_at": scalars, "hardware": scalars, "type": scalars},
)
hardware_like = st.fixed_dictionaries(
    {"id": scalars},
    optional={"pricing": st.fixed_dictionaries({"cents_per_minute": scalars}) | json_values,
              "specs": st.dictionaries(st.sampled_from(["gpu_type", "gpu_count", "gpu_memory", "gpu_link"]), scalars),
              "availability": st.fixed_dictionaries({"status": scalars}) | json_values,
              "updated_at": scalars},
)
bodies = (
    json_values
    | st.fixed_dictionaries({"data": st.lists(endpoint_like | hardware_like, max_size=3)})
    | st.lists(st.fixed_dictionaries({"id": scalars}, optional={"pricing": json_values, "type": scalars}), max_size=3)
    | endpoint_like
    | st.fixed_dictionaries({"avzones": json_values})
)

Call = Callable[[TogetherV1Provider], Awaitable[Any]]
CALLS: list[Call] = [
    lambda p: p.list_endpoints(),
    lambda p: p.get_endpoint("e"),
    lambda p: p.list_hardware("m"),
    lambda p: p.list_models(),
    lambda p: p.list_availability_zones(),
    lambda p: p.chat("m", [ChatMessage("user", "hi")]),
]


def provider_answering(status: int, content: bytes, content_type: str = "application/json") -> TogetherV1Provider:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(status, content=content, headers={"content-type": content_type})

    client = TogetherClient("k", "https://example.test/v1", transport=httpx.MockTransport(handler),
                            retry=RetryPolicy(max_retries=0))
    return TogetherV1Provider(client)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(body=bodies, call=st.sampled_from(CALLS), status=st.sampled_from([200, 200, 200, 400, 401, 404, 429, 500]))
async def test_any_json_body_gives_a_result_or_a_typed_error(body: Any, call: Call, status: int) -> None:
    provider = provider_answering(status, json.dumps(body).encode())
    # A 200 with any body is a result or an invalid response, never anything else (no TypeError, no
    # ValidationError, no error class that would read as a key or network problem).
    expected = errors.InvalidResponseError if status == 200 else errors.APIError
    try:
        result = await call(provider)
    except expected as error:
        assert_clean(str(error))
    else:
        assert_clean(result)


@settings(max_examples=60, deadline=None)
@given(body=st.binary(max_size=64), call=st.sampled_from(CALLS))
async def test_any_bytes_give_a_result_or_a_typed_error(body: bytes, call: Call) -> None:
    with contextlib.suppress(errors.InvalidResponseError):
        assert_clean(await call(provider_answering(200, body)))


@settings(max_examples=150, deadline=None)
@given(events=st.lists(json_values, max_size=5), done=st.booleans())
async def test_any_stream_events_give_chunks_or_a_typed_error(events: list[Any], done: bool) -> None:
    payload = b"".join(f"data: {json.dumps(event)}\n\n".encode() for event in events)
    if done:
        payload += b"data: [DONE]\n\n"
    provider = provider_answering(200, payload, "text/event-stream")
    try:
        async for event in provider.stream_chat("m", [ChatMessage("user", "hi")]):
            assert clean_multiline(event.content) == event.content
            assert clean_multiline(event.reasoning) == event.reasoning
    except (errors.InvalidResponseError, errors.StreamError, errors.StreamTruncatedError):
        pass
