"""ApiSession's limits over real loopback HTTP: httpx's timeouts do not apply through MockTransport.

Each test runs a tiny asyncio server that misbehaves one way (never answers, trickles, sends without end)
and checks that the session gives up with the right error instead of hanging or holding the data. The
deadlines are fractions of a second; the writers never stop on their own, so a session that kept reading
would hit the (long) deadline and fail the test on the error's type, never on timing.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator, Awaitable, Callable

import httpx
import pytest

from tui.api import errors
from tui.api.http import ApiSession, RetryPolicy
from tui.api.together import TogetherClient

Handler = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]
KEY = "tg-limits-key-0123456789abcdef"
SSE_HEADERS = b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nConnection: close\r\n\r\n"
NO_RETRY = RetryPolicy(max_retries=0)


@contextlib.asynccontextmanager
async def serving(handler: Handler) -> AsyncIterator[str]:
    """A loopback server running ``handler`` per connection; yields its base URL."""
    tasks: set[asyncio.Task[None]] = set()

    async def on_connect(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        tasks.add(task)
        with contextlib.suppress(ConnectionError, asyncio.CancelledError):
            await read_request_head(reader)
            await handler(reader, writer)
        writer.close()

    server = await asyncio.start_server(on_connect, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}/v1"
    finally:
        for task in tasks:
            task.cancel()
        server.close()
        await server.wait_closed()


async def read_request_head(reader: asyncio.StreamReader) -> None:
    head = await reader.readuntil(b"\r\n\r\n")
    for line in head.split(b"\r\n"):
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length" and int(value) > 0:
            await reader.readexactly(int(value))


async def never_answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    await asyncio.Event().wait()


async def trickle_body(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n")
    while True:  # a byte at a time, each well inside the per-read timeout
        writer.write(b" ")
        await writer.drain()
        await asyncio.sleep(0.02)


async def endless_body(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n[")
    block = b'"x",' * 16384
    while True:
        writer.write(block)
        await writer.drain()


async def declared_huge_body(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 999999999999\r\n\r\n")
    await writer.drain()
    await asyncio.Event().wait()


async def endless_sse_line(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    writer.write(SSE_HEADERS + b"data: ")
    block = b"x" * 65536
    while True:
        writer.write(block)
        await writer.drain()


def session(base_url: str, **options: float) -> ApiSession:
    return ApiSession(KEY, base_url, timeout=httpx.Timeout(5.0), retry=NO_RETRY, **options)  # type: ignore[arg-type]


async def test_a_server_that_never_answers_fails_at_the_deadline() -> None:
    async with serving(never_answer) as url, session(url) as api:
        with pytest.raises(errors.APITimeoutError, match=r"within 0\.2 s"):
            await api.request("GET", "/endpoints", deadline=0.2)


async def test_a_trickling_body_fails_at_the_overall_deadline_not_per_read() -> None:
    # Each byte arrives within httpx's 5 s read timeout; only an overall deadline ends this.
    async with serving(trickle_body) as url, session(url, read_deadline=0.3) as api:
        with pytest.raises(errors.APITimeoutError, match=r"within 0\.3 s"):
            await api.request("GET", "/endpoints")


async def test_actions_get_their_own_deadline() -> None:
    async with serving(never_answer) as url, session(url, read_deadline=30, action_deadline=0.2) as api:
        with pytest.raises(errors.APITimeoutError, match=r"within 0\.2 s"):
            await api.request("PATCH", "/endpoints/e", json_body={"state": "STOPPED"})


async def test_a_body_past_the_cap_stops_being_read() -> None:
    async with serving(endless_body) as url, session(url, read_deadline=20) as api:
        api.max_body_bytes = 1 << 20
        with pytest.raises(errors.ResponseTooLargeError, match=r"response too large: /v1/endpoints .*1 MB"):
            await api.request("GET", "/endpoints")


async def test_a_declared_length_past_the_cap_is_refused_before_reading() -> None:
    async with serving(declared_huge_body) as url, session(url, read_deadline=20) as api:
        with pytest.raises(errors.ResponseTooLargeError) as caught:
            await api.request("GET", "/hardware")
    assert isinstance(caught.value, errors.InvalidResponseError) and not caught.value.retryable


async def test_a_huge_event_stream_line_is_refused_without_reading_it_whole() -> None:
    async with serving(endless_sse_line) as url, session(url, stream_idle_timeout=20) as api:
        api.max_event_bytes = 64 * 1024
        with pytest.raises(errors.ResponseTooLargeError, match="a line in the event stream passed 64 KB"):
            async for _ in api.stream_events("POST", "/chat/completions", json_body={}):
                pass


async def test_a_stream_that_goes_quiet_fails_at_the_idle_deadline() -> None:
    async def one_event_then_trickle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(SSE_HEADERS + b"data: first\n\n")
        await writer.drain()
        while True:  # bytes keep coming, but never a complete event
            writer.write(b": ")
            await writer.drain()
            await asyncio.sleep(0.02)

    received: list[str] = []
    async with serving(one_event_then_trickle) as url, session(url, stream_idle_timeout=0.3) as api:
        with pytest.raises(errors.APITimeoutError, match=r"No event from 127\.0\.0\.1:\d+ for 0\.3 s"):
            async for event in api.stream_events("POST", "/chat/completions", json_body={}):
                received.append(event.data)
    assert received == ["first"]


async def test_a_stream_whose_headers_never_come_fails_at_its_deadline() -> None:
    async with serving(never_answer) as url, session(url) as api:
        with pytest.raises(errors.APITimeoutError, match=r"within 0\.2 s"):
            async for _ in api.stream_events("POST", "/chat/completions", json_body={}, deadline=0.2):
                pass


async def test_a_connection_broken_mid_answer_keeps_what_arrived() -> None:
    chunk = b'data: {"id":"c","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"content":"hi"}}]}\n\n'

    async def break_after_one_chunk(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n")
        writer.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
        await writer.drain()
        writer.transport.abort()

    async with serving(break_after_one_chunk) as url:
        client = TogetherClient(KEY, url, retry=NO_RETRY)
        texts: list[str | None] = []
        with pytest.raises(errors.StreamTruncatedError) as caught:
            async for piece in client.stream_chat_completion({"model": "m", "messages": []}):
                texts.append(piece.choices[0].delta.content if piece.choices[0].delta else None)
        await client.aclose()
    assert texts == ["hi"] and caught.value.chunks_received == 1


async def test_an_error_page_over_the_wire_is_mapped_and_masked() -> None:
    async def echo_key(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        message = "bad key " + KEY + "\x1b]0;pwned\x07"
        body = json.dumps({"error": {"message": message, "code": "invalid_api_key"}}).encode()
        writer.write(b"HTTP/1.1 401 Unauthorized\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n"
                     % len(body) + body)
        await writer.drain()

    async with serving(echo_key) as url, session(url) as api:
        with pytest.raises(errors.AuthenticationError) as caught:
            await api.request("GET", "/endpoints")
    assert KEY not in str(caught.value) and "\x1b" not in str(caught.value)
    assert caught.value.message == "bad key …cdef"


async def test_a_retry_that_would_pass_the_deadline_is_not_waited_for() -> None:
    delays: list[float] = []

    async def record(delay: float) -> None:
        delays.append(delay)

    api = ApiSession(
        KEY, "https://api.together.ai/v1", retry=RetryPolicy(max_retries=3, base_delay=5.0),
        transport=httpx.MockTransport(lambda request: httpx.Response(503, json={"error": {"message": "busy"}})),
        sleep=record, read_deadline=2.0,
    )
    with pytest.raises(errors.ServerError, match="busy"):
        await api.request("GET", "/endpoints")
    await api.aclose()
    assert delays == []


async def test_absolute_urls_pass_the_same_safety_check() -> None:
    api = ApiSession(KEY, "https://api.together.ai/v1", transport=httpx.MockTransport(lambda r: httpx.Response(200)))
    with pytest.raises(ValueError, match="plain http"):
        await api.request("GET", "http://inference.example.com/v1/chat/completions")
    response = await api.request("GET", "https://api-inference.together.ai/v1/models")
    assert response.request.url.host == "api-inference.together.ai"
    await api.aclose()
