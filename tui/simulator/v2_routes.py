"""Routes of the simulated Together v2 API, served beside v1 on the same port (reference §A1-A8, §A12).

Choices where the real service is not documented (UNVERIFIED): an endpoint DELETE with deployments left
is 400 FAILED_PRECONDITION; a deployment DELETE that is not STOPPED is 409 FAILED_PRECONDITION (the
skill reports a 409 for a deployment still stopping); a stale etag is 409 ABORTED; a duplicate endpoint
name is 409 ALREADY_EXISTS; abExperiments and shadowExperiments lists are always empty (the CLI reads
them before deleting a deployment).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from starlette.responses import Response
from starlette.routing import Route

from tui.simulator import v2_checks as check
from tui.simulator.v2_catalogue_routes import CatalogueRoutes, page
from tui.simulator.v2_render import analytics_json, deployment_json, endpoint_json
from tui.simulator.v2_world import DeploymentRecord, EndpointRecordV2, profile_for_config
from tui.simulator.wire import RpcError
from tui.simulator.world import iso8601

if TYPE_CHECKING:
    from tui.simulator.calls import Call, Handler
    from tui.simulator.simulator import Simulator

_LEVELS = ("LEVEL_DEBUG", "LEVEL_INFO", "LEVEL_WARN", "LEVEL_ERROR")
_CATALOGUE_EPOCH = 1_750_000_000.0


def _etag_matches(sent: Any, current: str, what: str) -> None:
    if sent not in (None, "") and sent != current:
        raise RpcError(409, f"The {what} was modified since it was read (etag mismatch); reload and retry.")


class V2Routes(CatalogueRoutes):
    def __init__(self, sim: Simulator) -> None:
        self.sim = sim
        self.world = sim.v2

    def _endpoint(self, call: Call) -> EndpointRecordV2:
        self._project(call)
        endpoint_id = call.request.path_params["endpoint_id"]
        endpoint = self.world.endpoints.get(endpoint_id)
        if endpoint is None:
            raise RpcError(404, f"Endpoint {endpoint_id} not found.")
        return endpoint

    def _deployment(self, call: Call, endpoint: EndpointRecordV2) -> DeploymentRecord:
        deployment_id = call.request.path_params["deployment_id"]
        deployment = endpoint.deployments.get(deployment_id)
        if deployment is None:
            raise RpcError(404, f"Deployment {deployment_id} not found in endpoint {endpoint.id}.")
        return deployment

    # -- endpoints --------------------------------------------------------------------------------

    async def endpoints(self, call: Call) -> Response:
        world = self.world
        if call.request.method == "POST":
            body = call.json_object()
            with world.lock:
                self._project(call)
                name = check.short_name(body.get("name"), world.project_slug, field="name")
                visibility = body.get("visibility") or "VISIBILITY_PRIVATE"
                if visibility not in ("VISIBILITY_PRIVATE", "VISIBILITY_INTERNAL"):
                    raise check.bad(f"visibility {visibility!r} must be VISIBILITY_PRIVATE or VISIBILITY_INTERNAL.")
                if world.endpoint_by_name(name) is not None:
                    raise RpcError(
                        409, f"An endpoint named {name} already exists.", rpc_code=6, reason="ALREADY_EXISTS"
                    )
                endpoint = world.create_endpoint(name, visibility, call.now)
                return call.respond(endpoint_json(world, endpoint, call.now))
        query = call.request.query_params
        rule = check.list_filter(query.get("filter"), ("name",))
        key, descending = check.order_by(query.get("orderBy"))
        with world.lock:
            self._project(call)
            chosen = [
                e
                for e in world.endpoints.values()
                if check.matches(e.short_name, rule, "name") or check.matches(world.qualified(e), rule, "name")
            ]
            chosen.sort(key=lambda e: (e.created_at if key == "created_at" else e.updated_at, e.id), reverse=descending)
            items = [endpoint_json(world, e, call.now) for e in chosen]
        return call.respond(page(call, items))

    async def endpoint(self, call: Call) -> Response:
        world, method = self.world, call.request.method
        if method == "GET":
            with world.lock:
                return call.respond(endpoint_json(world, self._endpoint(call), call.now))
        if method == "DELETE":
            with world.lock:
                endpoint = self._endpoint(call)
                _etag_matches(call.request.query_params.get("etag"), endpoint.etag, "endpoint")
                if endpoint.deployments:
                    raise RpcError(
                        400,
                        f"Endpoint {endpoint.id} still has {len(endpoint.deployments)} deployment(s): delete "
                        "its deployments first.",
                        rpc_code=9,
                        reason="FAILED_PRECONDITION",
                    )
                world.delete_endpoint(endpoint)
            return call.respond({})
        body = call.json_object()
        mask = check.update_mask(call.request.query_params.get("updateMask"), {"name", "trafficSplit", "visibility"})
        with world.lock:
            endpoint = self._endpoint(call)
            _etag_matches(body.get("etag"), endpoint.etag, "endpoint")
            fields: list[str] = (
                mask if mask is not None else [k for k in ("name", "trafficSplit", "visibility") if k in body]
            )
            if not fields:
                raise check.bad("no fields to update")
            if (
                "name" in fields
                and check.short_name(body.get("name"), world.project_slug, field="name") != endpoint.short_name
            ):
                raise check.bad("The endpoint name is immutable; create a new endpoint instead.")
            split = (
                check.traffic_split(body.get("trafficSplit", []), set(endpoint.deployments))
                if "trafficSplit" in fields
                else None
            )
            visibility = body.get("visibility")
            if "visibility" in fields and visibility not in ("VISIBILITY_PRIVATE", "VISIBILITY_INTERNAL"):
                raise check.bad(f"visibility {visibility!r} must be VISIBILITY_PRIVATE or VISIBILITY_INTERNAL.")
            if split is not None:
                endpoint.traffic_split = split
            if "visibility" in fields:
                endpoint.visibility = str(visibility)
            world.touch_endpoint(endpoint, call.now, fields)
            return call.respond(endpoint_json(world, endpoint, call.now))

    # -- deployments ------------------------------------------------------------------------------

    async def deployments(self, call: Call) -> Response:
        world = self.world
        if call.request.method == "GET":
            query = call.request.query_params
            rule = check.list_filter(query.get("filter"), ("name", "state", "model"))
            key, descending = check.order_by(query.get("orderBy"))
            with world.lock:
                endpoint = self._endpoint(call)
                items = [deployment_json(world, endpoint, d, call.now) for d in endpoint.deployments.values()]
            items = [
                i
                for i in items
                if check.matches(i["name"].rsplit("/", 1)[-1], rule, "name")
                and check.matches(i["status"]["state"], rule, "state")
                and check.matches(i["model"].split("/revisions/")[0], rule, "model")
            ]
            items.sort(
                key=lambda i: (i["createdAt" if key == "created_at" else "updatedAt"], i["id"]), reverse=descending
            )
            return call.respond(page(call, items))
        body = call.json_object()
        config = body.get("config") or (f"x/{body['configId']}" if isinstance(body.get("configId"), str) else None)
        profile = profile_for_config(config) if isinstance(config, str) else None
        if profile is None:
            raise check.bad(f"config {config!r} is not a config revision this project can deploy.")
        model = body.get("model") or body.get("modelId")
        if model is not None and model not in (
            profile.model_resource,
            profile.model_resource.split("/revisions/")[0],
            profile.model_id,
        ):
            raise check.bad(f"model {model!r} does not match the config's reference model {profile.model_resource}.")
        name = check.deployment_name(body.get("name"))
        autoscaling = check.autoscaling(body.get("autoscaling"), None)
        inactive_timeout = check.inactive_timeout(body.get("inactiveTimeout"))
        max_concurrent = check.max_concurrent(body.get("maxConcurrentRequestsPerReplica"))
        placement = check.placement(body.get("placement"))
        dry_run = check_bool(call.request.query_params.get("validateOnly"))
        with world.lock:
            endpoint = self._endpoint(call)
            if any(d.short_name == name for d in endpoint.deployments.values()):
                raise RpcError(
                    409,
                    f"A deployment named {name} already exists in this endpoint.",
                    rpc_code=6,
                    reason="ALREADY_EXISTS",
                )
            deployment = world.create_deployment(
                endpoint,
                short_name=name,
                profile=profile,
                autoscaling=autoscaling,
                now=call.now,
                dry_run=dry_run,
                inactive_timeout=inactive_timeout,
                max_concurrent=max_concurrent,
                placement=placement,
            )
            return call.respond(deployment_json(world, endpoint, deployment, call.now))

    async def deployment(self, call: Call) -> Response:
        world, method = self.world, call.request.method
        if method == "GET":
            with world.lock:
                endpoint = self._endpoint(call)
                return call.respond(deployment_json(world, endpoint, self._deployment(call, endpoint), call.now))
        if method == "DELETE":
            with world.lock:
                endpoint = self._endpoint(call)
                deployment = self._deployment(call, endpoint)
                _etag_matches(call.request.query_params.get("etag"), deployment.etag, "deployment")
                state = world.step(deployment, call.now).state
                if state != "DEPLOYMENT_STATE_STOPPED":
                    raise RpcError(
                        409,
                        f"Deployment {deployment.id} is {state}: it must be stopped before it can be deleted. "
                        "Scale it to 0/0 and wait for DEPLOYMENT_STATE_STOPPED.",
                        rpc_code=9,
                        reason="FAILED_PRECONDITION",
                    )
                world.delete_deployment(endpoint, deployment, call.now)
            return call.respond({})
        body = call.json_object()
        allowed = {"autoscaling", "inactiveTimeout", "maxConcurrentRequestsPerReplica", "name"}
        mask = check.update_mask(call.request.query_params.get("updateMask"), allowed)
        with world.lock:
            endpoint = self._endpoint(call)
            deployment = self._deployment(call, endpoint)
            _etag_matches(body.get("etag"), deployment.etag, "deployment")
            roots = {p.split(".", 1)[0] for p in mask} if mask is not None else {k for k in allowed if k in body}
            if not roots:
                raise check.bad("no fields to update")
            changes: dict[str, Any] = {}
            if "autoscaling" in roots:
                subfields = {p.split(".", 1)[1] for p in mask or [] if p.startswith("autoscaling.")} or None
                changes["autoscaling"] = check.autoscaling(
                    body.get("autoscaling", {}), deployment.autoscaling, subfields
                )
            if "inactiveTimeout" in roots:
                changes["inactiveTimeout"] = check.inactive_timeout(body.get("inactiveTimeout"))
            if "maxConcurrentRequestsPerReplica" in roots:
                changes["maxConcurrentRequestsPerReplica"] = check.max_concurrent(
                    body.get("maxConcurrentRequestsPerReplica")
                )
            if "name" in roots:
                new_name = check.deployment_name(body.get("name"))
                if any(d.short_name == new_name and d is not deployment for d in endpoint.deployments.values()):
                    raise RpcError(409, f"A deployment named {new_name} already exists.", rpc_code=6)
                deployment.short_name = new_name
            world.update_deployment(endpoint, deployment, changes, call.now)
            return call.respond(deployment_json(world, endpoint, deployment, call.now))

    # -- events and analytics ---------------------------------------------------------------------

    async def events(self, call: Call) -> Response:
        query = call.request.query_params
        min_level = query.get("minLevel") or "LEVEL_DEBUG"
        if min_level not in _LEVELS:
            raise check.bad(f"minLevel must be one of {', '.join(_LEVELS)}.")
        since = check.timestamp(query.get("since"), "since")
        until = check.timestamp(query.get("until"), "until")
        kinds = set(filter(None, (query.get("sourceKinds") or "").split(",")))
        deployments = set(filter(None, (query.get("deploymentIds") or "").split(",")))
        types = set(filter(None, (query.get("types") or "").split(",")))
        subject = query.get("subjectId")
        with self.world.lock:
            events = self.world.events(self._endpoint(call), call.now)

        def keep(event: dict[str, Any]) -> bool:
            at = check.timestamp(event["createdAt"], "createdAt") or 0.0
            if _LEVELS.index(event["level"]) < _LEVELS.index(min_level):
                return False
            if (since is not None and at < since) or (until is not None and at >= until):
                return False
            if (
                deployments
                and event.get("deploymentId") not in deployments
                and not (event["sourceKind"] == "SOURCE_KIND_ENDPOINT" and "SOURCE_KIND_ENDPOINT" in kinds)
            ):
                return False
            if kinds and event["sourceKind"] not in kinds:
                return False
            return (not types or event["type"] in types) and subject in (None, "", event.get("subjectId"))

        return call.respond(page(call, [e for e in events if keep(e)], maximum=10_000))

    async def analytics(self, call: Call) -> Response:
        query = call.request.query_params
        end = check.timestamp(query.get("endTime"), "endTime") or call.now
        start = check.timestamp(query.get("startTime"), "startTime") or end - 86400
        if start >= end:
            raise check.bad("startTime must be before endTime.")
        granularity = query.get("granularity") or "1d"
        steps = {"1m": 60, "1h": 3600, "1d": 86400}
        if granularity not in steps:
            raise check.bad("granularity must be 1m, 1h or 1d.")
        with self.world.lock:
            endpoint = self._endpoint(call)
            deployment_id = query.get("deploymentId") or None
            if deployment_id is not None and deployment_id not in endpoint.deployments:
                raise RpcError(404, f"Deployment {deployment_id} not found in endpoint {endpoint.id}.")
            body = analytics_json(self.world, endpoint, start, end, deployment_id)
            if check_bool(query.get("includeTimeSeries")):
                served = [s for d in endpoint.deployments.values() if deployment_id in (None, d.id) for s in d.served]
                step = steps[granularity]
                buckets = min(math.ceil((end - start) / step), 1440)
                # Keys of timeSeries[].values are UNVERIFIED.
                body["timeSeries"] = [
                    {
                        "timestamp": iso8601(start + i * step),
                        "values": {
                            "requests": float(
                                sum(1 for s in served if start + i * step <= s.at < start + (i + 1) * step)
                            ),
                            "outputTokens": float(
                                sum(
                                    s.output_tokens for s in served if start + i * step <= s.at < start + (i + 1) * step
                                )
                            ),
                        },
                    }
                    for i in range(buckets)
                ]
        return call.respond(body)

    async def empty_list(self, call: Call) -> Response:
        with self.world.lock:
            self._endpoint(call)
        return call.respond({"data": [], "next_cursor": None})


def check_bool(raw: str | None) -> bool:
    return (raw or "").lower() in ("true", "1")


def v2_routes(sim: Simulator, api: Callable[[str, Handler], Route], only: Callable[..., Handler]) -> list[Route]:
    r = V2Routes(sim)
    project = "/v2/projects/{project_id}"
    endpoint = project + "/endpoints/{endpoint_id}"

    def methods(allowed: str, handler: Handler) -> Handler:
        async def guarded(call: Call) -> Response:
            if call.request.method not in allowed.split(", "):
                raise RpcError(405, f"Method not allowed. Allowed: {allowed}.")
            return await handler(call)

        return guarded

    return [
        api("/v3/whoami", only("GET", r.whoami)),
        api("/v1/projects", only("GET", r.projects)),
        api("/v2/supported-models", only("GET", r.supported_models)),
        api("/v2/supported-models/{model_id}", only("GET", r.supported_model)),
        api("/v2/public/inference-instance-types", only("GET", r.instance_types)),
        api("/v2/public/inference-instance-types/{type_id}", only("GET", r.instance_type)),
        api(project + "/configs", only("GET", r.configs)),
        api(project + "/configs/{config_id}", only("GET", r.config)),
        api(project + "/endpoints", methods("GET, POST", r.endpoints)),
        api(endpoint, methods("GET, PATCH, DELETE", r.endpoint)),
        api(endpoint + "/deployments", methods("GET, POST", r.deployments)),
        api(endpoint + "/deployments/{deployment_id}", methods("GET, PATCH, DELETE", r.deployment)),
        api(endpoint + "/events", only("GET", r.events)),
        api(endpoint + "/analytics", only("GET", r.analytics)),
        api(endpoint + "/abExperiments", only("GET", r.empty_list)),
        api(endpoint + "/shadowExperiments", only("GET", r.empty_list)),
    ]
