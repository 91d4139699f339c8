"""A hostile Together API (v1 and v2) on loopback: every string it sends is one of tests/hostile.py's.

It answers the v1 routes the app reads (endpoints, one endpoint, hardware, models, zones, streamed chat)
and, through tests/hostile_v2.py, the v2 ones (whoami, endpoints with deployments, events, analytics,
supported models, instance types); the same port is the v2 inference host. Names, models, owners, hardware ids,
GPU types, prices and timestamps are all hostile. It records every
request so a test can tell whether the app sent anything it was not asked to. A plain threading HTTP
server: the point is to be a different server from the simulator, with nothing of the app's in it.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import hostile_v2
from hostile import BAD_TIMESTAMPS, HOSTILE_STRINGS, MARKUP, TERMINAL, echoed_key_message, html_error_page

#: Short hostile strings: the 10,000-character one is fed separately where a layout must survive it.
SHORT = tuple(text for text in HOSTILE_STRINGS if len(text) < 200)
#: The request id a broken stream is answered under (the header Together sends).
STREAM_REQUEST_ID = "req-stream-7f3a"


def _endpoints() -> list[dict[str, Any]]:
    rows = []
    for index, text in enumerate(SHORT):
        rows.append(
            {
                "object": "endpoint",
                "id": f"endpoint-{index:03d}",
                "name": f"owner/{text}",
                "model": text,
                "type": "dedicated",
                "owner": text,
                "state": ("STARTED", "STOPPED", text)[index % 3],
                "created_at": BAD_TIMESTAMPS[index % len(BAD_TIMESTAMPS)],
            }
        )
    return rows


def _endpoint(endpoint_id: str) -> dict[str, Any]:
    index = int(endpoint_id.rsplit("-", 1)[-1]) if endpoint_id[-3:].isdigit() else 0
    text = SHORT[index % len(SHORT)]
    row = next((row for row in _endpoints() if row["id"] == endpoint_id), _endpoints()[0])
    return {
        **row,
        "display_name": text,
        "hardware": f"1x_{text}",
        "autoscaling": {"min_replicas": 1, "max_replicas": 1},
    }


def _hardware() -> list[dict[str, Any]]:
    prices: list[Any] = [float("nan"), float("inf"), -3.0, 9.0, "12", None]
    memories: list[Any] = [float("inf"), float("nan"), 80, -1, "80"]
    return [
        {
            "object": "hardware",
            "id": f"1x_{text}",
            "pricing": {"cents_per_minute": prices[index % len(prices)]},
            "specs": {
                "gpu_type": text,
                "gpu_link": text,
                "gpu_memory": memories[index % len(memories)],
                "gpu_count": 1,
            },
            "availability": {"status": text},
            "updated_at": BAD_TIMESTAMPS[index % len(BAD_TIMESTAMPS)],
        }
        for index, text in enumerate(SHORT)
    ]


def _models() -> list[dict[str, Any]]:
    return [
        {"id": text, "object": "model", "type": "chat", "display_name": text, "organization": text}
        for text in SHORT
    ]


@dataclass
class HostileServer:
    """Serves on 127.0.0.1; ``mode`` picks what the endpoint list answers ("data", "401-echo", "html")."""

    api_key: str
    mode: str = "data"
    #: What a streamed chat sends: "hostile" (hostile strings), "malformed" (a chunk, then a payload that is not
    #: JSON), "huge" (a chunk, then one event line past any cap); the last two under ``STREAM_REQUEST_ID``.
    stream: str = "hostile"
    #: Whether v2 data (deployment status messages) echoes the key too, not only error answers.
    echo_key: bool = False
    requests: list[tuple[str, str]] = field(default_factory=list)
    _server: ThreadingHTTPServer | None = None

    @property
    def base_url(self) -> str:
        assert self._server is not None
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}/v1"

    @property
    def root_url(self) -> str:
        """The host alone: v2's management root and its inference host."""
        return self.base_url.removesuffix("/v1")

    @property
    def mutating_requests(self) -> list[tuple[str, str]]:
        return [(method, path) for method, path in self.requests if method not in ("GET", "HEAD")
                and not path.endswith("/chat/completions")]

    def start(self) -> HostileServer:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:  # keep test output quiet
                pass

            def _send(self, status: int, body: Any, *, reason: str | None = None, html: bool = False) -> None:
                payload = body.encode() if isinstance(body, str) else json.dumps(body).encode()
                self.send_response(status, reason)
                self.send_header("Content-Type", "text/html" if html else "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def _route(self) -> None:
                server.requests.append((self.command, self.path))
                length = int(self.headers.get("Content-Length") or 0)
                if length:
                    self.rfile.read(length)
                path = self.path.split("?", 1)[0]
                v2 = hostile_v2.answer(self.command, path, server.mode, server.api_key, echo_key=server.echo_key)
                if v2 is not None:
                    status, body, reason, html = v2
                    return self._send(status, body, reason=reason, html=html)
                if path == "/v1/endpoints" and self.command == "GET":
                    if server.mode == "401-echo":
                        body = {"error": {"message": echoed_key_message(server.api_key), "code": "invalid_api_key"}}
                        return self._send(401, body, reason=TERMINAL[1])
                    if server.mode == "html":
                        return self._send(502, html_error_page(server.api_key), reason=MARKUP[0], html=True)
                    return self._send(200, {"object": "list", "data": _endpoints()})
                if path.startswith("/v1/endpoints/") and self.command == "GET":
                    return self._send(200, _endpoint(path.rsplit("/", 1)[-1]))
                if path == "/v1/hardware":
                    return self._send(200, {"object": "list", "data": _hardware()})
                if path == "/v1/models":
                    return self._send(200, _models())
                if path == "/v1/clusters/availability-zones":
                    return self._send(200, {"avzones": list(SHORT)})
                if path == "/v1/chat/completions":
                    return self._stream_chat()
                self._send(500, {"error": {"message": TERMINAL[0] + MARKUP[0]}}, reason=TERMINAL[2])

            def _stream_chat(self) -> None:
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                if server.stream != "hostile":
                    self.send_header("x-request-id", STREAM_REQUEST_ID)
                self.end_headers()
                if server.stream == "malformed":
                    first = next(_chunks())
                    self.wfile.write(b"data: " + json.dumps(first).encode() + b"\n\n")
                    self.wfile.write(b'data: {"choices": [{"delta": {"content": "cut\n\n')
                    return
                if server.stream == "huge":
                    self.wfile.write(b"data: " + json.dumps(next(_chunks())).encode() + b"\n\n")
                    self.wfile.write(b"data: " + b"x" * (2 << 20) + b"\n\n")
                    return
                for text in _chunks():
                    self.wfile.write(b"data: " + json.dumps(text).encode() + b"\n\n")
                self.wfile.write(b"data: [DONE]\n\n")

            do_GET = do_POST = do_PATCH = do_DELETE = do_PUT = _route

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()


def _chunks() -> Iterator[dict[str, Any]]:
    for text in SHORT:
        yield {
            "id": "chunk",
            "object": "chat.completion.chunk",
            "choices": [{"index": 0, "delta": {"reasoning": text + "\n", "content": None}}],
        }
    for text in SHORT:
        yield {
            "id": "chunk",
            "object": "chat.completion.chunk",
            "choices": [{"index": 0, "delta": {"content": text + "\n\n"}}],
        }
    yield {
        "id": "chunk",
        "object": "chat.completion.chunk",
        "choices": [{"index": 0, "delta": {}, "finish_reason": TERMINAL[0]}],
        "usage": {"prompt_tokens": 1, "completion_tokens": 2, "total_tokens": 3},
    }
