"""A key a server echoes into data (not an error) is masked where bodies enter: JSON, list pages, SSE events."""

from __future__ import annotations

import json

import httpx

from tui.api.http import ApiSession
from tui.api.together.client import TogetherClient

KEY = "tk-live-0123456789abcdef"


def echoing(request: httpx.Request) -> httpx.Response:
    if request.url.path.endswith("/chat/completions"):
        body = f'data: {{"choices": [{{"delta": {{"content": "key {KEY}"}}}}]}}\n\ndata: [DONE]\n\n'
        return httpx.Response(200, content=body.encode(), headers={"content-type": "text/event-stream"})
    if request.url.path.endswith("/endpoints"):
        item = {"id": "endpoint-1", "name": f"me/{KEY}", "display_name": KEY, "model": "m", "type": "dedicated",
                "owner": "me", "state": "STARTED", "created_at": "2026-01-01T00:00:00Z"}
        return httpx.Response(200, json={"object": "list", "data": [item]})
    return httpx.Response(200, json={"message": f"your key is {KEY}"})


def session() -> ApiSession:
    return ApiSession(KEY, "https://api.example.test/v1", transport=httpx.MockTransport(echoing))


async def test_a_json_body_that_quotes_the_key_is_read_masked() -> None:
    async with session() as api:
        response = await api.request("GET", "/whatever")
        text = json.dumps(api.json(response))
    assert KEY not in text and KEY[-4:] in text


async def test_a_v1_list_page_that_quotes_the_key_is_read_masked() -> None:
    client = TogetherClient(KEY, base_url="https://api.example.test/v1", session=session())
    listed = await client.list_endpoints()
    assert listed and all(KEY not in repr(item) for item in listed)
    await client.aclose()


async def test_a_stream_event_that_quotes_the_key_is_masked() -> None:
    async with session() as api:
        data = [event.data async for event in api.stream_events("POST", "/chat/completions", json_body={})]
    assert data and all(KEY not in d for d in data) and KEY[-4:] in data[0]
