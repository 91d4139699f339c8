"""Routes of the simulated Together v1 API (under /v1) and its admin API (under /_sim).

Validation choices where the real service is not documented (UNVERIFIED, chosen to be the most
plausible):

* The endpoint routes answer 401 (not the spec's 403) for a missing or wrong key, like the chat
  and models routes; clients should treat both as auth failures.
* Validation errors are 400 with `type: invalid_request_error` and, where one field is at fault,
  `param` naming it. Hardware errors say "Invalid hardware provided ... check the hardware api"
  and a missing hardware says "Hardware is required", the phrases the official CLI looks for.
* A partial `autoscaling` in PATCH is merged with the current values (CLI 2.x sends partial
  ones), then checked (min <= max, max >= 1).
* `availability_zone` is accepted in the JSON body (spec, SDK) or the query string (CLI 2.42).
* Serverless endpoints appear in the list but answer 404 to GET/PATCH/DELETE by id: they are
  Together's, not the caller's.
* `GET /v1/hardware?model=<model>` for a model with no dedicated configuration answers 400
  "No GPU configurations found for model …" (the reference's wording; the status and `type` are
  UNVERIFIED), not an empty list.
* Chat with an endpoint name that is not STARTED, or with a model that has no serverless
  deployment, is 400 `model_not_available` with the wording of the captured real error. An
  unknown model is 404 `model_not_available`. Chat with an embedding/rerank/image model is 400.
* `/_sim/*` admin routes need no key, are never faulted and are not in `request_log`.
"""

from __future__ import annotations

import asyncio
import math
from typing import TYPE_CHECKING, Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from tui.simulator import chat, chat_stream, engine_shapes
from tui.simulator.admin_routes import AdminRoutes
from tui.simulator.calls import Call, Handler, method_not_allowed, only
from tui.simulator.catalogue import AVAILABILITY_ZONES, MODELS, Model
from tui.simulator.faults import Faults
from tui.simulator.retirement import (
    dedicated_not_running,
    record_chat,
    resolve_v2_chat,
    uses_current_engine,
    v1_retired,
)
from tui.simulator.v1_checks import (
    check_autoscaling,
    check_inactive_timeout,
    check_optional_str,
    check_state,
    enum_query,
    is_int,
    parse_bool,
)
from tui.simulator.v2_routes import v2_routes
from tui.simulator.wire import ApiError
from tui.simulator.world import ERROR, STARTED, STOPPED, STOPPING, EndpointRecord, iso8601

if TYPE_CHECKING:
    from tui.simulator.simulator import Simulator

_INT32_MAX = 2**31 - 1
_ENDPOINT_PATH = "/v1/endpoints/{endpoint_id}"


class Routes:
    def __init__(self, sim: Simulator) -> None:
        self.sim = sim

    # -- endpoints -----------------------------------------------------------------------------

    async def list_endpoints(self, call: Call) -> Response:
        type_ = enum_query(call, "type", ("dedicated", "serverless"))
        usage_type = enum_query(call, "usage_type", ("on-demand", "reserved"))
        mine = parse_bool("mine", call.request.query_params.get("mine"))
        world = self.sim.world
        with world.lock:
            items = [
                record.list_item(world.state(record, call.now))
                for record in world.filtered(type_=type_, mine=mine, usage_type=usage_type)
            ]
        if call.unknown_enums:
            for item in items:
                item["state"] = "DEGRADED"
        return call.respond({"object": "list", "data": items})

    async def create_endpoint(self, call: Call) -> Response:
        body = call.json_object()
        if not self.sim.config.legacy_v1:
            raise v1_retired("Creating")
        catalogue = self.sim.catalogue
        model_id = body.get("model")
        if model_id is None or model_id == "":
            raise ApiError(400, "model is required.", param="model")
        if not isinstance(model_id, str):
            raise ApiError(400, "model must be a string.", param="model")
        model = catalogue.model(model_id)
        if model is None or not model.dedicated:
            raise ApiError(
                400,
                f"Model {model_id} not found or not supported for dedicated endpoints. "
                "See https://api.together.ai/models for the models you can deploy.",
                param="model",
                code="model_not_found",
            )
        hardware = body.get("hardware")
        if hardware is None or hardware == "":
            raise ApiError(
                400,
                "Hardware is required. Please check the hardware api for the hardware available for "
                f"{model_id} (GET /v1/hardware?model={model_id}).",
                param="hardware",
            )
        if not isinstance(hardware, str):
            raise ApiError(400, "hardware must be a string.", param="hardware")
        if catalogue.availability(model_id, hardware) is None:
            raise ApiError(
                400,
                f"Invalid hardware provided: {hardware} cannot serve {model_id}. Please check the hardware "
                f"api for the hardware available for this model (GET /v1/hardware?model={model_id}).",
                param="hardware",
            )
        if "autoscaling" not in body:
            raise ApiError(400, "autoscaling is required.", param="autoscaling")
        minimum, maximum = check_autoscaling(body["autoscaling"])
        inactive_timeout = check_inactive_timeout(body)
        state = check_state(body, STARTED) or STARTED
        display_name = check_optional_str(body, "display_name")
        zone = check_optional_str(body, "availability_zone") or call.request.query_params.get("availability_zone")
        if zone is not None and zone not in AVAILABILITY_ZONES:
            raise ApiError(
                400,
                f"Invalid availability zone {zone}. Available zones: {', '.join(AVAILABILITY_ZONES)}.",
                param="availability_zone",
            )
        for flag in ("disable_speculative_decoding", "disable_prompt_cache"):
            if flag in body and body[flag] is not None and not isinstance(body[flag], bool):
                raise ApiError(400, f"{flag} must be a boolean.", param=flag)
        world = self.sim.world
        with world.lock:
            record = world.create(
                model=model_id,
                hardware=hardware,
                min_replicas=minimum,
                max_replicas=maximum,
                display_name=display_name,
                state=state,
                inactive_timeout=inactive_timeout,
                availability_zone=zone,
                disable_speculative_decoding=bool(body.get("disable_speculative_decoding")),
                now=call.now,
            )
            payload = record.detail(world.state(record, call.now))
        return self._detail_response(call, payload)

    def _dedicated(self, endpoint_id: str) -> EndpointRecord:
        record = self.sim.world.get(endpoint_id)
        if record is None or record.type != "dedicated":
            raise ApiError(404, f"Endpoint {endpoint_id} not found.", code="not_found")
        return record

    def _detail_response(self, call: Call, payload: dict[str, Any]) -> Response:
        if call.unknown_enums:
            payload["state"] = "DEGRADED"
        return call.respond(payload)

    async def endpoint(self, call: Call) -> Response:
        endpoint_id = call.request.path_params["endpoint_id"]
        method = call.request.method
        world = self.sim.world
        if method == "GET":
            with world.lock:
                record = self._dedicated(endpoint_id)
                payload = record.detail(world.state(record, call.now))
            return self._detail_response(call, payload)
        if method == "DELETE":
            with world.lock:
                world.delete(self._dedicated(endpoint_id))
            return Response(status_code=204)
        if method == "PATCH":
            with world.lock:
                self._dedicated(endpoint_id)
            body = call.json_object()
            with world.lock:
                record = self._dedicated(endpoint_id)
                autoscaling = check_autoscaling(body["autoscaling"], record) if "autoscaling" in body else None
                display_name = check_optional_str(body, "display_name")
                has_timeout = "inactive_timeout" in body
                timeout = check_inactive_timeout(body)
                state = check_state(body, None)
                if (
                    state == STARTED
                    and not self.sim.config.legacy_v1
                    and world.state(record, call.now) in (STOPPED, STOPPING, ERROR)
                ):
                    raise v1_retired("Restarting")
                if display_name is not None:
                    record.display_name = display_name
                if autoscaling is not None:
                    record.min_replicas, record.max_replicas = autoscaling
                if has_timeout:
                    world.set_inactive_timeout(record, timeout, call.now)
                if state == STOPPED:
                    world.stop(record, call.now)
                elif state == STARTED:
                    world.start(record, call.now)
                payload = record.detail(world.state(record, call.now))
            return self._detail_response(call, payload)
        raise method_not_allowed("GET, PATCH, DELETE")

    # -- catalogue -----------------------------------------------------------------------------

    async def hardware(self, call: Call) -> Response:
        model_id = call.request.query_params.get("model")
        # A capacity feed refreshed periodically (UNVERIFIED): the timestamp moves in 5-minute steps.
        updated_at = iso8601(math.floor(call.now / 300) * 300)
        if model_id is None or model_id == "":
            items = [h.to_json(updated_at) for h in self.sim.catalogue.hardware_list]
        else:
            offered = self.sim.catalogue.offered(model_id)
            items = [h.to_json(updated_at, offered[h.id]) for h in self.sim.catalogue.hardware_list if h.id in offered]
            if not items:
                raise ApiError(400, f"No GPU configurations found for model {model_id}", param="model")
            if call.unknown_enums:
                for item in items:
                    item["availability"] = {"status": "reserved-only"}
        return call.respond({"object": "list", "data": items})

    async def availability_zones(self, call: Call) -> Response:
        return call.respond({"avzones": list(AVAILABILITY_ZONES)})

    async def models(self, call: Call) -> Response:
        dedicated = parse_bool("dedicated", call.request.query_params.get("dedicated"))
        items = [m.to_json() for m in MODELS if not dedicated or m.dedicated]
        if call.unknown_enums:
            for item in items:
                item["type"] = "quantum"
        return call.respond(items)

    # -- chat ----------------------------------------------------------------------------------

    async def chat_completions(self, call: Call) -> Response:
        body = call.json_object()
        name = body.get("model")
        if not isinstance(name, str) or not name:
            raise ApiError(400, "model is required.", param="model")
        messages = body.get("messages")
        if not isinstance(messages, list) or not messages:
            raise ApiError(400, "messages is required and must be a non-empty array.", param="messages")
        for index, message in enumerate(messages):
            if not isinstance(message, dict) or not isinstance(message.get("role"), str):
                raise ApiError(400, f"messages[{index}] must be an object with a role.", param=f"messages[{index}]")
            if message["role"] not in ("system", "user", "assistant", "tool", "function", "developer"):
                raise ApiError(
                    400,
                    f"messages[{index}].role {message['role']!r} is not supported.",
                    param=f"messages[{index}].role",
                )
        max_tokens = body.get("max_tokens")
        if max_tokens is not None and (not is_int(max_tokens) or max_tokens < 1):
            raise ApiError(400, "max_tokens must be a positive integer.", param="max_tokens")
        stream = body.get("stream", False)
        if stream is not None and not isinstance(stream, bool):
            raise ApiError(400, "stream must be a boolean.", param="stream")
        effort = body.get("reasoning_effort")
        if effort is not None and effort not in ("low", "medium", "high"):
            raise ApiError(400, "reasoning_effort must be one of low, medium, high.", param="reasoning_effort")

        routed = resolve_v2_chat(self.sim, name, call.now, chat.last_user_text(messages))
        deployment = routed[1] if routed else None
        model = routed[0] if routed else self._resolve_chat_model(name, call.now)
        completion = chat.generate(
            seed=self.sim.config.seed,
            model=model,
            messages=messages,
            request=body,
            max_tokens=max_tokens,
            force_length=self.sim.config.force_length,
        )
        completion_id = call.request_id
        created = int(call.now)
        tps = self.sim.config.tokens_per_second
        if deployment is not None:
            record_chat(self.sim, deployment, now=call.now, prompt_tokens=completion.prompt_tokens,
                        completion_tokens=completion.completion_tokens)
        current_engine = uses_current_engine(self.sim, model)
        if stream:
            faults = call.faults if call.faulted else Faults()
            plan = chat_stream.StreamPlan(
                completion=completion,
                model=model,
                name=name,
                completion_id=completion_id,
                created=created,
                tokens_per_second=tps,
                cut_after=faults.cut_after,
                error_after=faults.error_after,
                stall_after=faults.stall_after,
                extra_fields=faults.extra_fields,
                malformed=(lambda: self.sim.roll(faults.malformed)) if faults.malformed else None,
                current_engine=current_engine,
            )
            return chat_stream.EventStreamResponse(chat_stream.stream_events(plan), headers={})
        if tps > 0:
            await asyncio.sleep(completion.completion_tokens / tps)
        payload = chat.response_body(completion, completion_id=completion_id, created=created, model=model, name=name)
        if current_engine:
            engine_shapes.current_body(payload, completion)
        return call.respond(payload)

    def _resolve_chat_model(self, name: str, now: float) -> Model:
        world = self.sim.world
        catalogue = self.sim.catalogue
        with world.lock:
            record = world.by_name(name)
            if record is not None and record.type == "dedicated":
                model = catalogue.model(record.model)
                if model is None or world.state(record, now) != STARTED:
                    if not self.sim.config.legacy_v1:
                        raise dedicated_not_running(name)
                    raise _not_available(name, record.model)
                _require_chat(model, name)
                world.touch(record, now)
                return model
        model = catalogue.model(name)
        if model is None:
            raise ApiError(
                404,
                f"Unable to access model {name}. Please visit https://api.together.ai/models to view the "
                "list of supported models.",
                code="model_not_available",
                param="model",
            )
        _require_chat(model, name)
        if not model.serverless:
            raise _not_available(name, name)
        return model

    async def not_found(self, call: Call) -> Response:
        raise ApiError(404, f"Unknown request URL: {call.request.method} {call.request.url.path}.", code="unknown_url")


def _require_chat(model: Model, name: str) -> None:
    if not model.is_chat:
        raise ApiError(
            400,
            f"Model {name} is a {model.type} model and does not support chat completions.",
            code="invalid_model",
            param="model",
        )


def _not_available(name: str, model: str) -> ApiError:
    return ApiError(
        400,
        f"Unable to access non-serverless model {name}. Please visit https://api.together.ai/models/{model} "
        "to create and start a new dedicated endpoint for the model.",
        code="model_not_available",
    )


def build_app(sim: Simulator) -> Starlette:
    routes = Routes(sim)
    admin_routes = AdminRoutes(sim)

    async def endpoints_collection(call: Call) -> Response:
        if call.request.method == "GET":
            return await routes.list_endpoints(call)
        if call.request.method == "POST":
            return await routes.create_endpoint(call)
        raise method_not_allowed("GET, POST")

    all_methods = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]

    def api(path: str, handler: Handler) -> Route:
        async def endpoint(request: Request) -> Response:
            return await sim.dispatch(request, handler, api=True)

        return Route(path, endpoint, methods=all_methods)

    def admin(path: str, handler: Handler) -> Route:
        async def endpoint(request: Request) -> Response:
            return await sim.dispatch(request, handler, api=False)

        return Route(path, endpoint, methods=all_methods)

    app = Starlette(
        routes=[
            api("/v1/endpoints", endpoints_collection),
            api(_ENDPOINT_PATH, routes.endpoint),
            api("/v1/hardware", only("GET", routes.hardware)),
            api("/v1/clusters/availability-zones", only("GET", routes.availability_zones)),
            api("/v1/models", only("GET", routes.models)),
            api("/v1/chat/completions", only("POST", routes.chat_completions)),
            *v2_routes(sim, api, only),
            admin("/_sim/faults", admin_routes.admin_faults),
            admin("/_sim/advance", only("POST", admin_routes.admin_advance)),
            admin("/_sim/endpoints/{endpoint_id}/state", only("PUT", admin_routes.admin_state)),
            admin("/_sim/requests", admin_routes.admin_requests),
            api("/{path:path}", routes.not_found),
        ]
    )
    app.state.simulator = sim
    chat_stream.hide_stream_cut_tracebacks()
    return app
