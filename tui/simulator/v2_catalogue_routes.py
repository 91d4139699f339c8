"""The v2 simulator's identity and catalogue routes: whoami, projects, supported models with their
deployment profiles, instance types with prices, and configs (reference §A1, §A7)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from starlette.responses import Response

from tui.simulator import v2_checks as check
from tui.simulator.v2_catalogue import (
    INSTANCE_TYPES,
    PLATFORM_PROJECT_ID,
    PROFILES,
    PROFILES_BY_CONFIG,
    SUPPORTED,
    supported_model_json,
)
from tui.simulator.wire import RpcError
from tui.simulator.world import iso8601

if TYPE_CHECKING:
    from tui.simulator.calls import Call
    from tui.simulator.simulator import Simulator
    from tui.simulator.v2_world import V2World

_CATALOGUE_EPOCH = 1_750_000_000.0


def page(call: Call, items: list[Any], *, default: int = 50, maximum: int = 500) -> dict[str, Any]:
    query = call.request.query_params
    offset, size = check.page_bounds(query.get("after"), query.get("limit"), default=default, maximum=maximum)
    chunk = items[offset : offset + size]
    more = offset + size < len(items)
    return {"data": chunk, "next_cursor": f"cur_{offset + size}" if more else None}


class CatalogueRoutes:
    sim: Simulator
    world: V2World

    def _project(self, call: Call, *, allow_platform: bool = False) -> None:
        project = call.request.path_params["project_id"]
        if project != self.world.project_id and not (allow_platform and project == PLATFORM_PROJECT_ID):
            raise RpcError(404, f"Project {project} not found or not accessible with this API key.")


    async def whoami(self, call: Call) -> Response:
        w = self.world
        return call.respond(
            {
                "type": "project_api_key",
                "api_key": {"id": f"key_{w.project_id[5:17]}"},
                "organization": {"id": w.organization_id, "name": "Demo Organization"},
                "project": {"id": w.project_id, "name": "Demo Project", "slug": w.project_slug},
            }
        )

    async def projects(self, call: Call) -> Response:
        w = self.world
        project = {
            "id": w.project_id,
            "name": "Demo Project",
            "organization_id": w.organization_id,
            "organization_name": "Demo Organization",
            "slug": w.project_slug,
        }
        return call.respond(page(call, [project]))

    async def supported_models(self, call: Call) -> Response:
        search = (call.request.query_params.get("search") or "").lower()
        product = call.request.query_params.get("product")
        created = iso8601(_CATALOGUE_EPOCH)
        items = [
            supported_model_json(m, created)
            for m in SUPPORTED
            if (not search or search in m.id.lower() or search in m.display_name.lower())
            and product in (None, "", "PRODUCT_DEDICATED", *(["PRODUCT_SERVERLESS"] if m.serverless else []))
        ]
        return call.respond(page(call, items))

    async def supported_model(self, call: Call) -> Response:
        wanted = call.request.path_params["model_id"]
        created = iso8601(_CATALOGUE_EPOCH)
        for model in SUPPORTED:
            body = supported_model_json(model, created)
            if wanted in (body["id"], model.id):
                return call.respond(body)
        raise RpcError(404, f"Supported model {wanted} not found.")

    async def instance_types(self, call: Call) -> Response:
        return call.respond({"object": "list", "data": [t.to_json() for t in INSTANCE_TYPES], "next_cursor": None})

    async def instance_type(self, call: Call) -> Response:
        wanted = call.request.path_params["type_id"]
        found = next((t for t in INSTANCE_TYPES if wanted in (t.id, t.name)), None)
        if found is None:
            raise RpcError(404, f"Instance type {wanted} not found.")
        return call.respond(found.to_json())

    async def configs(self, call: Call) -> Response:
        self._project(call, allow_platform=True)
        reference = call.request.query_params.get("referenceModel")
        items = [
            p.config_json()
            for ps in PROFILES.values()
            for p in ps
            if reference in (None, "")
            or reference in (p.model_id, f"projects/{PLATFORM_PROJECT_ID}/models/{p.model_id}")
        ]
        return call.respond(page(call, items))

    async def config(self, call: Call) -> Response:
        self._project(call, allow_platform=True)
        profile = PROFILES_BY_CONFIG.get(call.request.path_params["config_id"])
        if profile is None:
            raise RpcError(404, f"Config {call.request.path_params['config_id']} not found.")
        return call.respond(profile.config_json())

    # -- lookups ----------------------------------------------------------------------------------
