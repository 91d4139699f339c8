"""The Together adapter turns hostile wire values into display-safe domain values, never into a crash.

Every string field that reaches the domain objects must already be clean (``safe_text.clean`` leaves it as
it is); bad numbers are unknown (None); timestamps are timezone-aware or None.
"""

from __future__ import annotations

import dataclasses
import json
import math
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from tests.hostile import BAD_NUMBERS, BAD_TIMESTAMPS, HOSTILE_STRINGS, TERMINAL
from tui.api import ChatMessage, Endpoint, HardwareOption, ModelOption
from tui.api.http import RetryPolicy
from tui.api.safe_text import clean, clean_multiline
from tui.api.together import TogetherClient, TogetherV1Provider
from tui.api.together.provider import parse_time


def provider_answering(payload: Any, content_type: str = "application/json") -> TogetherV1Provider:
    content = payload if isinstance(payload, bytes) else json.dumps(payload).encode()

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=content, headers={"content-type": content_type})

    client = TogetherClient("tg-untrusted-0123456789", "https://api.together.ai/v1",
                            transport=httpx.MockTransport(handler), retry=RetryPolicy(max_retries=0))
    return TogetherV1Provider(client)


def strings_of(value: Any) -> list[str]:
    """Every string inside a domain object, its ``extra`` fields included."""
    if isinstance(value, str):
        return [value]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return [s for f in dataclasses.fields(value) for s in strings_of(getattr(value, f.name))]
    if isinstance(value, dict):
        return [s for k, v in value.items() for s in strings_of(k) + strings_of(v)]
    if isinstance(value, (list, tuple)):
        return [s for item in value for s in strings_of(item)]
    return []


def assert_clean(value: Any) -> None:
    for text in strings_of(value):
        assert clean(text) == text, repr(text[:80])


@pytest.mark.parametrize("text", HOSTILE_STRINGS)
async def test_every_endpoint_string_is_clean(text: str) -> None:
    wire = {
        "id": text, "name": text, "display_name": text, "model": text, "hardware": text, "owner": text,
        "type": text, "state": text, "created_at": "2026-01-15T11:00:00Z",
        "autoscaling": {"min_replicas": 1, "max_replicas": 1}, text: {"nested": [text]},
    }
    endpoint = await provider_answering(wire).get_endpoint("e")
    assert isinstance(endpoint, Endpoint)
    assert_clean(endpoint)
    listed = await provider_answering({"object": "list", "data": [wire]}).list_endpoints()
    assert_clean(listed)


async def test_markup_in_names_is_kept_as_the_characters_typed() -> None:
    wire = {"id": "e", "name": "n", "display_name": "a [/] v2 [@click=app.quit]X[/]"}
    endpoint = await provider_answering(wire).get_endpoint("e")
    assert endpoint.display_name == "a [/] v2 [@click=app.quit]X[/]"


@pytest.mark.parametrize("text", TERMINAL)
async def test_terminal_control_is_gone_from_names(text: str) -> None:
    endpoint = await provider_answering({"id": "e", "name": text}).get_endpoint("e")
    assert "\x1b" not in endpoint.name and "\x9b" not in endpoint.name and "\x00" not in endpoint.name


@pytest.mark.parametrize("text", HOSTILE_STRINGS)
async def test_every_hardware_and_model_string_is_clean(text: str) -> None:
    hardware = {"id": text, "specs": {"gpu_type": text, "gpu_link": text, "gpu_count": 1, "gpu_memory": 80},
                "pricing": {"cents_per_minute": 9}, "availability": {"status": text}}
    (option,) = await provider_answering({"object": "list", "data": [hardware]}).list_hardware()
    assert isinstance(option, HardwareOption)
    assert_clean(option)
    model = {"id": text, "type": text, "display_name": text, "organization": text}
    (found,) = await provider_answering([model]).list_models()
    assert isinstance(found, ModelOption)
    assert_clean(found)


async def test_zones_are_clean_and_empty_ones_dropped() -> None:
    zones = await provider_answering({"avzones": [*TERMINAL, "\x1b[2J", "us-east-1a"]}).list_availability_zones()
    assert "us-east-1a" in zones and "" not in zones
    assert_clean(zones)


@pytest.mark.parametrize("value", BAD_NUMBERS)
async def test_bad_numbers_are_unknown_or_read_never_a_crash(value: Any) -> None:
    hardware = {"id": "h", "specs": {"gpu_count": value, "gpu_memory": value}, "pricing": {"cents_per_minute": value}}
    (option,) = await provider_answering({"object": "list", "data": [hardware]}).list_hardware()
    for number in (option.gpu_memory_gb, option.price_per_hour, option.total_memory_gb, option.gpu_count):
        assert number is None or (math.isfinite(number) and number >= 0)
    if value == "12":  # a number sent as a string is harmless to read
        assert (option.gpu_count, option.gpu_memory_gb, option.cents_per_minute) == (12, 12.0, 12.0)
    if (isinstance(value, float) and not math.isfinite(value)) or value in (-3.0, -1, "NaN"):
        assert (option.gpu_count, option.gpu_memory_gb, option.price_per_hour) == (None, None, None)


async def test_nan_and_infinity_literals_from_the_wire_are_unknown() -> None:
    body = b'{"data": [{"id": "h", "specs": {"gpu_memory": Infinity}, "pricing": {"cents_per_minute": NaN}}]}'
    (option,) = await provider_answering(body).list_hardware()
    assert option.gpu_memory_gb is None and option.price_per_hour is None


@pytest.mark.parametrize("value", BAD_NUMBERS)
async def test_bad_replica_bounds_and_model_figures_are_unknown(value: Any) -> None:
    wire = {"id": "e", "name": "n", "autoscaling": {"min_replicas": value, "max_replicas": value}}
    endpoint = await provider_answering(wire).get_endpoint("e")
    assert endpoint.min_replicas in (None, 12)
    model = {"id": "m", "context_length": value, "pricing": {"input": value, "output": value}}
    (found,) = await provider_answering([model]).list_models()
    for number in (found.context_length, found.input_price_per_m, found.output_price_per_m):
        assert number is None or (math.isfinite(number) and number > 0)


@pytest.mark.parametrize("value", BAD_TIMESTAMPS)
async def test_bad_timestamps_are_aware_or_unknown(value: Any) -> None:
    endpoint = await provider_answering({"id": "e", "name": "n", "created_at": value}).get_endpoint("e")
    assert endpoint.created_at is None or endpoint.created_at.tzinfo is not None


def test_a_naive_timestamp_reads_as_utc() -> None:
    assert parse_time("2026-01-15T12:00:00") == datetime(2026, 1, 15, 12, tzinfo=UTC)
    assert parse_time("yesterday") is None and parse_time("9999-99-99T99:99:99Z") is None


async def test_streamed_chat_content_and_reasoning_are_clean_but_keep_lines() -> None:
    hostile = "line one\n\x1b]52;c;cHduZWQ=\x07line two\x1b[2J\t\u202eend"
    chunk = {"choices": [{"index": 0, "delta": {"content": hostile, "reasoning": hostile},
                          "finish_reason": "stop\x1b[31m"}]}
    stream = f"data: {json.dumps(chunk)}\n\ndata: [DONE]\n\n".encode()
    provider = provider_answering(stream, "text/event-stream")
    events = [event async for event in provider.stream_chat("m", [ChatMessage("user", "hi")])]
    (event,) = events
    assert event.content == event.reasoning == "line one\nline two\tend"
    assert event.finish_reason == "stop"


async def test_a_whole_chat_reply_is_clean() -> None:
    reply = {"choices": [{"message": {"content": "ok\x1b]0;pwned\x07\n", "reasoning_content": "\x00why"}}]}
    answer = await provider_answering(reply).chat("m", [ChatMessage("user", "hi")])
    assert (answer.content, answer.reasoning) == ("ok\n", "why")
    assert clean_multiline(answer.content) == answer.content
