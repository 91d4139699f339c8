"""Deploying on Together v2: endpoint (new or existing) + deployment + traffic split, as one step.

v2 has no one-step create (reference together-v2-api.md §A3-A5): the endpoint, its deployment and the
split are three resources. A new endpoint is deleted when its deployment is refused, one found or made by
someone else meanwhile never is; nothing here is retried automatically (each POST is sent at most once).
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable

from tui.api import errors
from tui.api.domain import DeploySpec
from tui.api.together.v2 import adapter
from tui.api.together.v2.client import TogetherV2Client
from tui.api.together.v2.teardown import Progress, set_split
from tui.api.together.v2.wire import (
    AutoscalingRequest,
    DeploymentCreate,
    EndpointCreate,
    EndpointV2,
    Placement,
    PlacementInline,
)

_NAME_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


class ReplicaBoundsError(errors.BadRequestError):
    """Bounds refused before anything is sent (the service would refuse them too, less clearly)."""

    kind = "replicas refused"


def check_bounds(minimum: int, maximum: int) -> None:
    if minimum < 0 or maximum < 0:
        raise ReplicaBoundsError(f"Replicas cannot be negative (got {minimum}/{maximum}).")
    if minimum == 0 and maximum > 0:
        raise ReplicaBoundsError(
            f"A minimum of 0 with a maximum of {maximum} is not allowed: set both to 0 to stop the deployment, "
            "or the minimum to at least 1."
        )
    if minimum > maximum:
        raise ReplicaBoundsError(f"The minimum ({minimum}) cannot be greater than the maximum ({maximum}).")


async def find_endpoint(client: TogetherV2Client, wanted: str) -> EndpointV2 | None:
    """The endpoint with this id, qualified name or short name, from the list (v2 has no lookup by name)."""
    for endpoint in await client.list_endpoints():
        if wanted in (endpoint.id, endpoint.name, endpoint.name.rpartition("/")[2]):
            return endpoint
    return None


def deployment_name(model: str, model_name: Callable[[str], str] | None = None) -> str:
    """``<model-name>-<8 hex>`` as the CLI names them, from the catalogue's name for the model."""
    known = model_name(model) if model_name is not None else model
    base = _NAME_UNSAFE.sub("-", known.rpartition("/")[2] if known.startswith("projects/") else known)
    return f"{base.strip('-._')[:100] or 'deployment'}-{secrets.token_hex(4)}"


def deployment_request(spec: DeploySpec, name: str) -> DeploymentCreate:
    config, model = adapter.parse_option_id(spec.option_id)
    concurrent = spec.max_concurrent_requests
    return DeploymentCreate(
        name=name,
        autoscaling=AutoscalingRequest(min_replicas=spec.min_replicas, max_replicas=spec.max_replicas),
        model=model,
        config=config,
        **({"inactive_timeout": spec.inactive_timeout} if spec.inactive_timeout else {}),
        **({"max_concurrent_requests_per_replica": str(concurrent)} if concurrent is not None else {}),
        **({"placement": Placement(inline=PlacementInline(regions=list(spec.regions)))} if spec.regions else {}),
    )


async def deploy(
    client: TogetherV2Client, spec: DeploySpec, progress: Progress, model_name: Callable[[str], str] | None = None
) -> tuple[str, str]:
    """Create what ``spec`` asks for; (endpoint id, deployment id)."""
    _config, model = adapter.parse_option_id(spec.option_id)
    check_bounds(spec.min_replicas, spec.max_replicas)
    existing = await find_endpoint(client, spec.endpoint)
    created = existing is None
    if existing is None:
        progress(f"Creating endpoint {spec.endpoint}")
        try:
            existing = await client.create_endpoint(EndpointCreate(name=spec.endpoint))
        except errors.ConflictError:
            # Made meanwhile by someone else: join it, as the CLI does, and never delete it.
            existing = await find_endpoint(client, spec.endpoint)
            if existing is None:
                raise
            created = False
    name = spec.deployment_name or deployment_name(model, model_name)
    progress(f"Creating deployment {name}")
    try:
        deployment = await client.create_deployment(existing.id, deployment_request(spec, name))
    except errors.APIError:
        if created:
            progress(f"Deployment refused: deleting the new endpoint {spec.endpoint}")
            await client.delete_endpoint(existing.id)
        raise
    fresh = await client.get_endpoint(existing.id)
    weights = {entry.deployment_id: entry.weight for entry in fresh.traffic_split}
    # Whether the service adds a new deployment to the split is not documented: upsert it.
    if weights.get(deployment.id, 0.0) != spec.traffic_weight:
        progress(f"Routing weight {spec.traffic_weight:g} to {name}")
        weights[deployment.id] = spec.traffic_weight
        await set_split(client, fresh, weights)
    return existing.id, deployment.id


async def validate(client: TogetherV2Client, spec: DeploySpec, model_name: Callable[[str], str] | None = None) -> bool:
    """Ask the service to check the deployment without creating it (``validateOnly``): refusals raise.

    True when it was checked; False when the endpoint does not exist yet, since only a deployment has a
    dry run (an endpoint alone bills nothing, and ``deploy`` deletes a new one the deployment is refused on).
    """
    check_bounds(spec.min_replicas, spec.max_replicas)
    existing = await find_endpoint(client, spec.endpoint)
    if existing is None:
        return False
    name = spec.deployment_name or deployment_name(adapter.parse_option_id(spec.option_id)[1], model_name)
    await client.create_deployment(existing.id, deployment_request(spec, name), validate_only=True)
    return True
