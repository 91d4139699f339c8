"""A stream that breaks after it started names its request like every other error: the path as sent
(``/v1/chat/completions``, not the client's relative ``/chat/completions``) and the request id from the
answer's headers, so a user can quote it to support. Driven against the hostile server over real HTTP."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from hostile_server import STREAM_REQUEST_ID, HostileServer

from tui.api import errors
from tui.api.http import ApiSession
from tui.api.together import TogetherClient

API_KEY = "tk-stream-errors-0123456789abcdef"
CHAT_PATH = "/v1/chat/completions"


@pytest.fixture
def hostile() -> Iterator[HostileServer]:
    server = HostileServer(api_key=API_KEY).start()
    yield server
    server.stop()


async def test_every_event_knows_the_request_it_came_from(hostile: HostileServer) -> None:
    hostile.stream = "malformed"
    async with ApiSession(API_KEY, hostile.base_url) as session:
        events = [event async for event in session.stream_events("POST", "/chat/completions", json_body={})]
        assert len(events) == 2
        origin = events[-1].origin
        assert origin is not None
        assert (origin.path, origin.status, origin.request_id) == (CHAT_PATH, 200, STREAM_REQUEST_ID)
        error = session.stream_invalid(events[-1], "malformed JSON in the stream")
    assert isinstance(error, errors.InvalidResponseError)
    assert error.message == f"{CHAT_PATH}: malformed JSON in the stream"
    assert error.request_id == STREAM_REQUEST_ID and error.status == 200


async def test_an_event_past_the_cap_names_the_path_and_request_id(hostile: HostileServer) -> None:
    hostile.stream = "huge"
    client = TogetherClient(API_KEY, hostile.base_url)
    received = 0
    try:
        with pytest.raises(errors.ResponseTooLargeError) as caught:
            async for _chunk in client.stream_chat_completion({"model": "m", "messages": []}):
                received += 1
    finally:
        await client.aclose()
    assert received == 1  # what arrived before the oversized event was delivered
    assert caught.value.message.startswith(f"{CHAT_PATH}: response too large: a line in the event stream")
    assert caught.value.request_id == STREAM_REQUEST_ID


async def test_a_malformed_payload_mid_stream_names_the_path_and_request_id(hostile: HostileServer) -> None:
    hostile.stream = "malformed"
    client = TogetherClient(API_KEY, hostile.base_url)
    received = 0
    try:
        with pytest.raises(errors.InvalidResponseError) as caught:
            async for _chunk in client.stream_chat_completion({"model": "m", "messages": []}):
                received += 1
    finally:
        await client.aclose()
    assert received == 1
    assert caught.value.message == f"{CHAT_PATH}: malformed JSON in the stream"
    assert caught.value.request_id == STREAM_REQUEST_ID
