"""Validation of the simulated v1 request bodies and queries: the service's 400s, field by field."""

from __future__ import annotations

import json
from typing import Any

from tui.simulator.calls import Call
from tui.simulator.wire import ApiError
from tui.simulator.world import STARTED, STOPPED, EndpointRecord

_INT32_MAX = 2**31 - 1


def parse_bool(name: str, raw: str | None) -> bool | None:
    if raw is None:
        return None
    lowered = raw.lower()
    if lowered in ("true", "1"):
        return True
    if lowered in ("false", "0"):
        return False
    raise ApiError(400, f"Invalid value for '{name}': expected true or false, got {raw!r}.", param=name)


def enum_query(call: Call, name: str, allowed: tuple[str, ...]) -> str | None:
    raw = call.request.query_params.get(name)
    if raw is None:
        return None
    if raw not in allowed:
        raise ApiError(400, f"Invalid value for '{name}': {raw!r}. Must be one of: {', '.join(allowed)}.", param=name)
    return raw


def is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def check_autoscaling(value: Any, current: EndpointRecord | None = None) -> tuple[int, int]:
    if not isinstance(value, dict):
        raise ApiError(400, "autoscaling must be an object with min_replicas and max_replicas.", param="autoscaling")
    for key in ("min_replicas", "max_replicas"):
        if key not in value:
            if current is None:
                raise ApiError(400, f"autoscaling.{key} is required.", param=f"autoscaling.{key}")
            continue
        if not is_int(value[key]) or abs(value[key]) > _INT32_MAX:
            raise ApiError(
                400, f"autoscaling.{key} must be an integer, got {json.dumps(value[key])}.", param=f"autoscaling.{key}"
            )
    minimum = value.get("min_replicas", current.min_replicas if current else 0)
    maximum = value.get("max_replicas", current.max_replicas if current else 0)
    if minimum < 0:
        raise ApiError(400, f"autoscaling.min_replicas must be >= 0, got {minimum}.", param="autoscaling.min_replicas")
    if maximum < 1:
        raise ApiError(400, f"autoscaling.max_replicas must be >= 1, got {maximum}.", param="autoscaling.max_replicas")
    if minimum > maximum:
        raise ApiError(
            400,
            f"autoscaling.min_replicas ({minimum}) cannot be greater than autoscaling.max_replicas ({maximum}).",
            param="autoscaling",
        )
    return minimum, maximum


def check_inactive_timeout(body: dict[str, Any]) -> int | None:
    value = body.get("inactive_timeout")
    if value is None:
        return None
    if not is_int(value) or value < 0 or value > _INT32_MAX:
        raise ApiError(
            400,
            f"inactive_timeout must be a non-negative integer number of minutes (or null), got {json.dumps(value)}.",
            param="inactive_timeout",
        )
    return int(value)


def check_state(body: dict[str, Any], default: str | None) -> str | None:
    # null means "not given", as it would for an optional (pointer) field on the server.
    value = body.get("state")
    if value is None:
        return default
    if value not in (STARTED, STOPPED):
        raise ApiError(400, f"Invalid state {json.dumps(value)}: must be one of STARTED, STOPPED.", param="state")
    return str(value)


def check_optional_str(body: dict[str, Any], key: str) -> str | None:
    value = body.get(key)
    if value is not None and not isinstance(value, str):
        raise ApiError(400, f"{key} must be a string.", param=key)
    return value
