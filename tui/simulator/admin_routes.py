"""The simulator's own admin API (under /_sim): faults, the clock, forced states, the request log.

It needs no key, is never faulted and is not in the request log.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from starlette.responses import Response

from tui.simulator.calls import Call, method_not_allowed
from tui.simulator.faults import Faults
from tui.simulator.v1_states import STATES
from tui.simulator.wire import ApiError, json_response
from tui.simulator.world import iso8601

if TYPE_CHECKING:
    from tui.simulator.simulator import Simulator


class AdminRoutes:
    def __init__(self, sim: Simulator) -> None:
        self.sim = sim


    async def admin_faults(self, call: Call) -> Response:
        if call.request.method == "PUT":
            try:
                self.sim.faults = Faults.from_dict(call.json_object())
            except (TypeError, ValueError) as exc:
                raise ApiError(400, f"Invalid faults: {exc}") from None
        elif call.request.method != "GET":
            raise method_not_allowed("GET, PUT")
        return json_response(self.sim.faults.to_dict())

    async def admin_advance(self, call: Call) -> Response:
        body = call.json_object()
        seconds = body.get("seconds")
        if not isinstance(seconds, int | float) or isinstance(seconds, bool) or seconds < 0:
            raise ApiError(400, "seconds must be a non-negative number.", param="seconds")
        try:
            now = self.sim.advance(float(seconds))
        except TypeError as exc:
            raise ApiError(409, str(exc)) from None
        return json_response({"now": now, "iso": iso8601(now)})

    async def admin_state(self, call: Call) -> Response:
        body = call.json_object()
        state = body.get("state")
        if state not in STATES:
            raise ApiError(400, f"state must be one of {', '.join(STATES)}.", param="state")
        endpoint_id = call.request.path_params["endpoint_id"]
        if self.sim.endpoint(endpoint_id) is None:
            raise ApiError(404, f"Endpoint {endpoint_id} not found.")
        self.sim.set_state(endpoint_id, state)
        return json_response(self.sim.endpoint(endpoint_id))

    async def admin_requests(self, call: Call) -> Response:
        if call.request.method == "DELETE":
            self.sim.clear_request_log()
            return Response(status_code=204)
        return json_response([record.to_json() for record in self.sim.requests()])
