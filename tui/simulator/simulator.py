"""The Simulator: one simulated Together account, its ASGI app and its test hooks."""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from tui.simulator.app import build_app
from tui.simulator.calls import Call, Handler
from tui.simulator.catalogue import HARDWARE, TODAY_HARDWARE, Catalogue
from tui.simulator.config import ManualClock, SimulatorConfig
from tui.simulator.faults import Faults
from tui.simulator.v1_states import STATES
from tui.simulator.v2_world import V2World
from tui.simulator.wire import ApiError, RequestIds, json_response
from tui.simulator.world import World

log = logging.getLogger(__name__)

# A demo left polling for days must not grow without bound; tests never get near this.
_REQUEST_LOG_LIMIT = 100_000


@dataclass(frozen=True)
class RequestRecord:
    """One /v1 request as the simulator saw it (for assertions such as "exactly one POST")."""

    method: str
    path: str
    query: dict[str, str]
    status: int
    json_body: Any

    def to_json(self) -> dict[str, Any]:
        return {
            "method": self.method,
            "path": self.path,
            "query": self.query,
            "status": self.status,
            "json_body": self.json_body,
        }


class Simulator:
    def __init__(self, config: SimulatorConfig | None = None) -> None:
        self.config = config or SimulatorConfig()
        self.clock: Callable[[], float] = self.config.clock or time.time
        self.faults: Faults = self.config.faults or Faults()
        legacy = self.config.legacy_v1
        self.catalogue = Catalogue(self.config.seed, hardware=HARDWARE if legacy else TODAY_HARDWARE)
        self.world = World(
            self.catalogue,
            seed=self.config.seed,
            owner=self.config.owner,
            speed=self.config.speed,
            now=self.clock(),
            endpoints=self.config.endpoints,
            legacy_v1=legacy,
        )
        self.v2 = V2World(
            seed=self.config.seed,
            speed=self.config.speed,
            now=self.clock(),
            project_slug=self.config.project_slug,
            seeded=self.config.endpoints is None,
        )
        self.request_log: list[RequestRecord] = []
        self._lock = threading.Lock()
        self._fault_rng = random.Random(f"faults:{self.config.seed}")
        self._ids = RequestIds(self.config.seed)
        self.app = build_app(self)

    # -- test hooks ------------------------------------------------------------------------------

    def now(self) -> float:
        return self.clock()

    def endpoint(self, endpoint_id: str) -> dict[str, Any] | None:
        """The dedicated endpoint as GET /v1/endpoints/{id} would show it now (no faults)."""
        now = self.clock()
        with self.world.lock:
            record = self.world.get(endpoint_id)
            if record is None or record.type != "dedicated":
                return None
            return record.detail(self.world.state(record, now))

    def endpoint_ids(self) -> list[str]:
        with self.world.lock:
            return [r.id for r in self.world.records() if r.type == "dedicated"]

    def set_state(self, endpoint_id: str, state: str) -> None:
        if state not in STATES:
            raise ValueError(f"unknown state {state!r}; expected one of {', '.join(STATES)}")
        now = self.clock()
        with self.world.lock:
            record = self.world.get(endpoint_id)
            if record is None or record.type != "dedicated":
                raise KeyError(endpoint_id)
            self.world.force_state(record, state, now)

    def advance(self, seconds: float) -> float:
        if not isinstance(self.clock, ManualClock):
            raise TypeError("the simulator is not running on a ManualClock")
        return self.clock.advance(seconds)

    def requests(self, method: str | None = None, path: str | None = None) -> list[RequestRecord]:
        with self._lock:
            return [
                r
                for r in self.request_log
                if (method is None or r.method == method) and (path is None or r.path == path)
            ]

    def clear_request_log(self) -> None:
        with self._lock:
            self.request_log.clear()

    def roll(self, probability: float) -> bool:
        """A seeded coin flip, so that fault rates are reproducible."""
        if probability <= 0:
            return False
        if probability >= 1:
            return True
        with self._lock:
            return self._fault_rng.random() < probability

    # -- request pipeline ------------------------------------------------------------------------

    def _authorised(self, request: Request) -> bool:
        header = request.headers.get("authorization", "")
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            return False
        return hmac.compare_digest(token.strip().encode(), self.config.api_key.encode())

    def _apply_request_faults(self, faults: Faults) -> None:
        if self.roll(faults.rate_limit):
            retry_after = faults.retry_after
            shown = str(int(retry_after)) if float(retry_after).is_integer() else f"{retry_after:g}"
            raise ApiError(
                429,
                headers={
                    "retry-after": shown,
                    "x-ratelimit-limit": "60",
                    "x-ratelimit-remaining": "0",
                    "x-ratelimit-reset": shown,
                },
            )
        if faults.error_status is not None and self.roll(faults.error_rate):
            raise ApiError(faults.error_status)

    async def dispatch(self, request: Request, handler: Handler, *, api: bool) -> Response:
        with self._lock:
            request_id = self._ids.next()
        body = await request.body()
        faults = self.faults
        faulted = api and faults.applies_to(request.url.path)
        try:
            if faulted and faults.latency:
                await asyncio.sleep(faults.latency)
            if api and not self._authorised(request):
                raise ApiError(401)
            if faulted:
                self._apply_request_faults(faults)
            call = Call(request, body, request_id, faults, faulted, self.clock())
            response = await handler(call)
        except ApiError as exc:
            response = json_response(
                exc.body(request_id),
                exc.status,
                headers=exc.headers,
                extra_fields=faulted and faults.extra_fields,
            )
        except Exception:
            log.exception("simulator route failed")
            response = json_response(ApiError(500).body(request_id), 500)
        response.headers["x-request-id"] = request_id
        if api:
            self._record(request, body, response.status_code)
        return response

    def _record(self, request: Request, body: bytes, status: int) -> None:
        parsed: Any = None
        if body:
            try:
                parsed = json.loads(body)
            except (ValueError, UnicodeDecodeError):
                parsed = None
        record = RequestRecord(
            method=request.method,
            path=request.url.path,
            query=dict(request.query_params),
            status=status,
            json_body=parsed,
        )
        with self._lock:
            self.request_log.append(record)
            if len(self.request_log) > _REQUEST_LOG_LIMIT:
                del self.request_log[: _REQUEST_LOG_LIMIT // 10]
