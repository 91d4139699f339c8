"""The simulated Nebius Token Factory account: control plane (``/v0``) and data plane (``/v1``) on one port.

Every response shape here is provisional (docs-derived, unverified against live API): nebius-api.md
§B3-B8. Choices where the reference is silent (UNVERIFIED):

* POST answers 201 ``{"endpoint": {...}, "endpoint_id", "routing_key"}``: the wrapped object the schema
  summary shows, plus the top-level fields the docs' prose mentions, so clients meet both variants.
* The list is ``{"data": [...], "object": "list"}`` with no pagination; PATCH answers the bare object;
  DELETE answers 200 ``{}``; an unknown id is 404 ``{"detail": "Endpoint not found"}``.
* A missing or wrong key is 401 ``{"detail": "Invalid API key"}``; unknown paths 404 ``{"detail": "Not
  Found"}`` and a wrong method 405 (FastAPI's defaults). ``?ai_project_id=`` is accepted and ignored.
* The data plane (OpenAI-compatible chat, reused from the Together simulator's generator) serves every
  region on this port: a client points each regional host here. ``model`` is the routing key; until the
  endpoint has a ready replica it answers 404 ``{"detail": "..."}`` (the docs say "often 404").
* Faults: ``latency``, ``status``/``rate``, ``rate_limit``/``retry_after``, ``malformed`` and
  ``extra_fields`` apply to every route; ``cut_after``, ``error_after``, ``stall_after`` to chat streams.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import random
import threading
import time
import zlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from tui.simulator import chat, chat_stream
from tui.simulator.catalogue import Model
from tui.simulator.config import ManualClock, SimulatorConfig
from tui.simulator.faults import Faults
from tui.simulator.nebius.catalogue import TEMPLATES_BY_NAME, templates_json
from tui.simulator.nebius.checks import ValidationFailed, check_create, check_update
from tui.simulator.nebius.world import NebiusWorld, Record
from tui.simulator.simulator import RequestRecord
from tui.simulator.wire import add_extra_fields, dumps, malform

_REQUEST_LOG_LIMIT = 100_000
_ALL_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]


class HttpError(Exception):
    def __init__(self, status: int, detail: Any, headers: dict[str, str] | None = None) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.headers = headers or {}


@dataclass
class _Call:
    request: Request
    body: bytes
    now: float
    faults: Faults
    faulted: bool

    def json(self) -> Any:
        try:
            return json.loads(self.body) if self.body else None
        except (ValueError, UnicodeDecodeError):
            raise ValidationFailed([{"type": "json_invalid", "loc": ["body", 0], "msg": "JSON decode error",
                                     "input": {}, "ctx": {"error": "Expecting value"}}]) from None


Handler = Callable[[_Call], Awaitable[Response]]


class NebiusSimulator:
    """One simulated Token Factory account; serve ``.app`` (``SimulatorServer`` takes this too)."""

    def __init__(self, config: SimulatorConfig | None = None) -> None:
        self.config = config or SimulatorConfig()
        self.clock: Callable[[], float] = self.config.clock or time.time
        self.faults: Faults = self.config.faults or Faults()
        self.world = NebiusWorld(
            seed=self.config.seed, speed=self.config.speed, now=self.clock(), endpoints=self.config.endpoints
        )
        self.request_log: list[RequestRecord] = []
        self._lock = threading.Lock()
        self._rng = random.Random(f"nebius-faults:{self.config.seed}")
        self.app = self._build_app()

    # Test hooks

    def endpoint(self, endpoint_id: str) -> dict[str, Any] | None:
        with self.world.lock:
            record = self.world.get(endpoint_id)
            return None if record is None else record.to_json(self.clock())

    def endpoint_ids(self) -> list[str]:
        with self.world.lock:
            return [r.id for r in self.world.records()]

    def advance(self, seconds: float) -> float:
        if not isinstance(self.clock, ManualClock):
            raise TypeError("the simulator is not running on a ManualClock")
        return self.clock.advance(seconds)

    def requests(self, method: str | None = None, path: str | None = None) -> list[RequestRecord]:
        with self._lock:
            return [r for r in self.request_log if method in (None, r.method) and path in (None, r.path)]

    def clear_request_log(self) -> None:
        with self._lock:
            self.request_log.clear()

    # Routes

    async def _templates(self, call: _Call) -> Response:
        return self._json(call, templates_json())

    async def _collection(self, call: _Call) -> Response:
        if call.request.method == "GET":
            with self.world.lock:
                items = [r.to_json(call.now) for r in self.world.records()]
            return self._json(call, {"data": items, "object": "list"})
        if call.request.method != "POST":
            raise HttpError(405, "Method Not Allowed")
        fields = check_create(call.json())
        with self.world.lock:
            record = self.world.create(fields, call.now)
            shown = record.to_json(call.now)
        return self._json(call, {"endpoint": shown, "endpoint_id": record.id, "routing_key": record.routing_key}, 201)

    async def _item(self, call: _Call) -> Response:
        endpoint_id = call.request.path_params["endpoint_id"]
        method = call.request.method
        if method not in ("PATCH", "DELETE"):
            # There is no GET by id (reference §B3): FastAPI answers a route without the method with 405.
            raise HttpError(405, "Method Not Allowed")
        body = call.json() if method == "PATCH" else None
        with self.world.lock:
            record = self.world.get(endpoint_id)
            if record is None:
                raise HttpError(404, "Endpoint not found")
            if method == "DELETE":
                self.world.delete(endpoint_id)
                return self._json(call, {})
            fields = check_update(
                body if body is not None else {}, model=record.model_name, flavor=record.flavor_name,
                gpu_type=record.gpu_type, gpu_count=record.gpu_count, region=record.region,
            )
            self.world.update(record, fields, call.now)
            return self._json(call, record.to_json(call.now))

    async def _chat(self, call: _Call) -> Response:
        body = call.json()
        if not isinstance(body, dict) or not isinstance(body.get("messages"), list) or not body["messages"]:
            raise ValidationFailed([{"type": "missing", "loc": ["body", "messages"], "msg": "Field required",
                                     "input": body}])
        key = body.get("model")
        if not isinstance(key, str):
            raise ValidationFailed([{"type": "string_type", "loc": ["body", "model"],
                                     "msg": "Input should be a valid string", "input": key}])
        with self.world.lock:
            record = self.world.by_routing_key(key)
            if record is None:
                raise HttpError(404, f"Model {key} not found")
            if not record.routable(call.now):
                raise HttpError(404, f"Model {key} is not available yet")
            model = _chat_model(record)
        max_tokens = body.get("max_tokens")
        seed = zlib.crc32(f"{self.config.seed}|{key}".encode())
        completion = chat.generate(
            seed=seed, model=model, messages=body["messages"], request=body,
            max_tokens=max_tokens if isinstance(max_tokens, int) and max_tokens > 0 else None,
            force_length=self.config.force_length,
        )
        completion_id = f"chatcmpl-{self._random_hex(24)}"
        created = int(call.now)
        if body.get("stream") is True:
            faults = call.faults if call.faulted else Faults()
            plan = chat_stream.StreamPlan(
                completion=completion, model=model, name=key, completion_id=completion_id, created=created,
                tokens_per_second=self.config.tokens_per_second, cut_after=faults.cut_after,
                error_after=faults.error_after, stall_after=faults.stall_after, extra_fields=faults.extra_fields,
                malformed=(lambda: self._roll(faults.malformed)) if faults.malformed else None,
            )
            return chat_stream.EventStreamResponse(chat_stream.stream_events(plan), headers={})
        reply = chat.response_body(completion, completion_id=completion_id, created=created, model=model, name=key)
        return self._json(call, reply)

    async def _not_found(self, call: _Call) -> Response:
        raise HttpError(404, "Not Found")

    # Pipeline

    def _build_app(self) -> Starlette:
        def route(path: str, handler: Handler, methods: tuple[str, ...] | None = None) -> Route:
            async def endpoint(request: Request) -> Response:
                if methods is not None and request.method not in methods:
                    return await self._dispatch(request, _refuse_method)
                return await self._dispatch(request, handler)

            return Route(path, endpoint, methods=_ALL_METHODS)

        app = Starlette(routes=[
            route("/v0/dedicated_endpoints/templates", self._templates, ("GET",)),
            route("/v0/dedicated_endpoints", self._collection),
            route("/v0/dedicated_endpoints/{endpoint_id}", self._item),
            route("/v1/chat/completions", self._chat, ("POST",)),
            route("/{path:path}", self._not_found),
        ])
        chat_stream.hide_stream_cut_tracebacks()
        return app

    async def _dispatch(self, request: Request, handler: Handler) -> Response:
        body = await request.body()
        faults = self.faults
        faulted = faults.applies_to(request.url.path)
        try:
            if faulted and faults.latency:
                await asyncio.sleep(faults.latency)
            if not self._authorised(request):
                raise HttpError(401, "Invalid API key")
            if faulted:
                self._apply_faults(faults)
            response = await handler(_Call(request, body, self.clock(), faults, faulted))
        except ValidationFailed as exc:
            response = self._error(422, exc.detail)
        except HttpError as exc:
            response = self._error(exc.status, exc.detail, exc.headers)
        self._record(request, body, response.status_code)
        return response

    def _apply_faults(self, faults: Faults) -> None:
        if self._roll(faults.rate_limit):
            shown = f"{faults.retry_after:g}"
            raise HttpError(429, "Rate limit exceeded", {"retry-after": shown})
        if faults.error_status is not None and self._roll(faults.error_rate):
            raise HttpError(faults.error_status, "Simulated failure")

    def _authorised(self, request: Request) -> bool:
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            return False
        return hmac.compare_digest(token.strip().encode(), self.config.api_key.encode())

    def _json(self, call: _Call, payload: Any, status: int = 200) -> Response:
        if call.faulted and call.faults.extra_fields:
            payload = add_extra_fields(payload)
        data = dumps(payload)
        if call.faulted and self._roll(call.faults.malformed):
            data = malform(data)
        return Response(data, status_code=status, media_type="application/json")

    def _error(self, status: int, detail: Any, headers: dict[str, str] | None = None) -> Response:
        return Response(dumps({"detail": detail}), status_code=status, headers=headers, media_type="application/json")

    def _roll(self, probability: float) -> bool:
        if probability <= 0:
            return False
        with self._lock:
            return probability >= 1 or self._rng.random() < probability

    def _random_hex(self, length: int) -> str:
        with self._lock:
            return f"{self._rng.getrandbits(length * 4):0{length}x}"

    def _record(self, request: Request, body: bytes, status: int) -> None:
        try:
            parsed = json.loads(body) if body else None
        except (ValueError, UnicodeDecodeError):
            parsed = None
        record = RequestRecord(request.method, request.url.path, dict(request.query_params), status, parsed)
        with self._lock:
            self.request_log.append(record)
            if len(self.request_log) > _REQUEST_LOG_LIMIT:
                del self.request_log[: _REQUEST_LOG_LIMIT // 10]


async def _refuse_method(call: _Call) -> Response:
    raise HttpError(405, "Method Not Allowed")


def _chat_model(record: Record) -> Model:
    template = TEMPLATES_BY_NAME.get(record.model_name)
    return Model(
        id=record.model_name,
        display_name=record.model_name,
        organization=template.vendor if template else "",
        type="chat",
        context_length=(template.context_window_k if template else 32) * 1024,
        input_price=0.0,
        output_price=0.0,
        created=int(record.created_at),
        serverless=False,
        dedicated=True,
        min_memory_gb=0.0,
        reasoning=template.reasoning if template else None,
    )
