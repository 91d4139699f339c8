"""What goes to and comes from Nebius Token Factory's dedicated-endpoints API (nebius-api.md §B3).

Requests are strict models (a misspelt field fails here, not at the service). Responses are read
tolerantly, because the reference documents them only partly and its sources disagree (§B0, §B3.2):
the helpers below accept every variant listed there, and anything else is an ``InvalidShape``.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

#: PATCH value that clears ``custom_weights_id`` (§B3.1); None means "leave it".
UNSET_WEIGHTS = "UNSET"


class Scaling(BaseModel):
    model_config = ConfigDict(extra="forbid")

    min_replicas: int
    max_replicas: int


class CreateEndpointRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=100)
    description: str | None = Field(default=None, max_length=500)
    model_name: str
    flavor_name: str
    gpu_type: str
    gpu_count: int = Field(ge=0)
    region: str
    scaling: Scaling
    enabled: bool | None = None


class UpdateEndpointRequest(BaseModel):
    """Only the fields set are sent: "PATCH updates only the provided fields"."""

    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(default=None, min_length=1, max_length=100)
    description: str | None = Field(default=None, max_length=500)
    enabled: bool | None = None
    gpu_type: str | None = None
    gpu_count: int | None = Field(default=None, ge=0)
    scaling: Scaling | None = None
    custom_weights_id: str | None = None


def dump_request(request: BaseModel) -> dict[str, Any]:
    return request.model_dump(exclude_unset=True, exclude_none=True)


class InvalidShape(ValueError):
    """A body none of the documented variants matches."""


def endpoint_object(payload: Any) -> dict[str, Any]:
    """One endpoint from ``{"endpoint": {...}}`` (create, per the schema summary) or a bare object.

    The docs' prose says the create response "includes ``endpoint_id`` and ``routing_key``": top-level
    copies are folded in, and ``endpoint_id`` stands in for ``id`` (§B3.2's adapter rule).
    """
    if not isinstance(payload, dict):
        raise InvalidShape("expected a JSON object")
    inner = payload.get("endpoint")
    obj = dict(inner) if isinstance(inner, dict) else dict(payload)
    for key in ("endpoint_id", "routing_key"):
        if obj.get(key) is None and payload.get(key) is not None:
            obj[key] = payload[key]
    if obj.get("id") is None and obj.get("endpoint_id") is not None:
        obj["id"] = obj["endpoint_id"]
    if not isinstance(obj.get("id"), str | int) or isinstance(obj.get("id"), bool) or obj.get("id") == "":
        raise InvalidShape("an endpoint without an id")
    return obj


def items(payload: Any, *keys: str) -> list[Any]:
    """A list under the first of ``keys`` present (``data``, ``templates``...), or a bare JSON array."""
    if isinstance(payload, list):
        return payload
    if isinstance(payload, dict):
        for key in keys:
            value = payload.get(key)
            if isinstance(value, list):
                return value
    raise InvalidShape(f"expected a list under {' or '.join(repr(k) for k in keys)}")
