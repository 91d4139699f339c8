"""What every simulated route receives (the request, its body, its id, the faults in force) and the
small guards the route tables share."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import Response

from tui.simulator.faults import Faults
from tui.simulator.wire import ApiError, json_response

if TYPE_CHECKING:
    from tui.simulator.simulator import Simulator


@dataclass
class Call:
    request: Request
    body: bytes
    request_id: str
    faults: Faults
    faulted: bool
    now: float

    def json_object(self) -> dict[str, Any]:
        if not self.body.strip():
            raise ApiError(400, "Request body is empty; a JSON object is required.")
        try:
            data = json.loads(self.body)
        except (ValueError, UnicodeDecodeError) as exc:
            raise ApiError(400, f"Request body is not valid JSON: {exc}", code="invalid_json") from None
        if not isinstance(data, dict):
            raise ApiError(400, "Request body must be a JSON object.")
        return data

    def respond(self, payload: Any, status: int = 200) -> Response:
        malformed = self.faulted and self.faults.malformed > 0 and self._roll(self.faults.malformed)
        return json_response(
            payload, status, extra_fields=self.faulted and self.faults.extra_fields, malformed=malformed
        )

    @property
    def unknown_enums(self) -> bool:
        return self.faulted and self.faults.unknown_enums

    def _roll(self, probability: float) -> bool:
        sim: Simulator = self.request.app.state.simulator
        return sim.roll(probability)


Handler = Callable[[Call], Awaitable[Response]]


def method_not_allowed(allowed: str) -> ApiError:
    return ApiError(405, f"Method not allowed. Allowed: {allowed}.", headers={"allow": allowed})


def only(method: str, handler: Handler) -> Handler:
    async def guarded(call: Call) -> Response:
        if call.request.method != method:
            raise method_not_allowed(method)
        return await handler(call)

    return guarded
