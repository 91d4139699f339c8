"""Changing one v2 deployment in place: its settings as loaded, and a write of only what changed.

The deployment's fields (autoscaling, inactive timeout, max concurrent requests) are one PATCH with an
``updateMask`` and the deployment's etag as the form loaded it; its traffic weight is the endpoint's field
(``trafficSplit``), a second PATCH with the endpoint's etag as loaded. Either etag gone stale is a
ConflictError (409), so a change made meanwhile by someone else is never overwritten.
"""

from __future__ import annotations

import asyncio
from typing import Any

from tui.api.domain import UNSET, DeploymentChanges, DeploymentSettings
from tui.api.errors import BadRequestError
from tui.api.together.v2 import adapter
from tui.api.together.v2.adapter import Catalogue
from tui.api.together.v2.client import TogetherV2Client
from tui.api.together.v2.wire import (
    AutoscalingRequest,
    DeploymentUpdate,
    DeploymentV2,
    EndpointUpdate,
    TrafficSplitRequest,
    duration,
    parse_duration,
)


async def settings(
    client: TogetherV2Client, catalogue: Catalogue, endpoint_id: str, deployment_id: str
) -> DeploymentSettings:
    wire, endpoint = await asyncio.gather(
        client.get_deployment(endpoint_id, deployment_id), client.get_endpoint(endpoint_id)
    )
    weights = {entry.deployment_id: entry.weight for entry in endpoint.traffic_split}
    scaling = wire.autoscaling
    return DeploymentSettings(
        id=wire.id,
        endpoint_id=endpoint_id,
        name=wire.name,
        model=catalogue.model_name(wire.model),
        hardware=wire.hardware,
        min_replicas=scaling.min_replicas,
        max_replicas=scaling.max_replicas,
        scale_up_window=parse_duration(scaling.scale_up_window),
        scale_down_window=parse_duration(scaling.scale_down_window),
        inactive_timeout=wire.inactive_timeout,
        max_concurrent_requests=wire.max_concurrent_requests_per_replica,
        # Not in the split is not routed: weight 0, as the API means it.
        traffic_weight=weights.get(wire.id, 0.0),
        price_per_replica_hour=adapter.dollars_per_hour(catalogue.instance_for(wire.hardware), 1),
        version=wire.etag,
        endpoint_version=endpoint.etag,
    )


def deployment_request(current: DeploymentSettings, changes: DeploymentChanges) -> DeploymentUpdate:
    """Only the changed fields; autoscaling carries only its changed sub-fields (omitted ones are kept)."""
    fields: dict[str, Any] = {"etag": current.version} if current.version else {}
    scaling: dict[str, Any] = {}
    for name in ("min_replicas", "max_replicas"):
        if getattr(changes, name) is not UNSET:
            scaling[name] = getattr(changes, name)
    for name in ("scale_up_window", "scale_down_window"):
        value = getattr(changes, name)
        if value is not UNSET:
            scaling[name] = duration(value)
    if scaling:
        fields["autoscaling"] = AutoscalingRequest(**scaling)
    if changes.inactive_timeout is not UNSET:
        # v2 says "off" with 0.
        fields["inactive_timeout"] = changes.inactive_timeout or 0
    if changes.max_concurrent_requests is not UNSET:
        # int64: a string on the wire.
        fields["max_concurrent_requests_per_replica"] = str(changes.max_concurrent_requests)
    return DeploymentUpdate(**fields)


async def send(
    client: TogetherV2Client, current: DeploymentSettings, changes: DeploymentChanges
) -> DeploymentV2 | None:
    """The deployment PATCH (when its fields changed), then the split PATCH (when the weight did)."""
    if changes.empty:
        raise BadRequestError("Nothing to change.")
    wire = None
    if changes.deployment_fields:
        wire = await client.update_deployment(current.endpoint_id, current.id, deployment_request(current, changes))
    if changes.traffic_weight is not UNSET:
        endpoint = await client.get_endpoint(current.endpoint_id)
        weights = {entry.deployment_id: entry.weight or 0.0 for entry in endpoint.traffic_split}
        weights[current.id] = float(changes.traffic_weight)
        split = [TrafficSplitRequest(deployment_id=d, weight=w) for d, w in weights.items()]
        version = current.endpoint_version
        request = EndpointUpdate(traffic_split=split, **({"etag": version} if version else {}))
        await client.update_endpoint(current.endpoint_id, request)
    return wire
