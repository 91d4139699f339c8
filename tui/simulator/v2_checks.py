"""Validation of v2 request bodies and queries, as the simulated server applies it (reference §A2, §A4).

Choices where the real service is not documented (UNVERIFIED): a bad field is 400 INVALID_ARGUMENT
naming the field; `updateMask` paths outside the resource's updatable fields are 400; a name given in
qualified form must carry this project's slug; `maxConcurrentRequestsPerReplica` is accepted as an
int64 string or a JSON integer.
"""

from __future__ import annotations

import math
import re
from datetime import UTC, datetime
from typing import Any

from tui.simulator.v2_catalogue import REGIONS
from tui.simulator.wire import RpcError

_DURATION = re.compile(r"^\d+(\.\d+)?s$")
_ENDPOINT_NAME = re.compile(r"^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$")
_DEPLOYMENT_NAME = re.compile(r"^[A-Za-z0-9]([A-Za-z0-9._-]{0,126}[A-Za-z0-9])?$")
_FILTER = re.compile(r'^\s*(name|state|model)\s*(=|:)\s*"([^"]*)"\s*$')
_AUTOSCALING_FIELDS = {
    "minReplicas",
    "maxReplicas",
    "scaleUpWindow",
    "scaleDownWindow",
    "scaleToZeroWindow",
    "scalingMetrics",
    "scaleUp",
    "scaleDown",
}
INACTIVE_TIMEOUT_RANGE = (30, 1440)


def bad(message: str, reason: str = "INVALID_ARGUMENT") -> RpcError:
    return RpcError(400, message, reason=reason)


def is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def short_name(raw: Any, slug: str, *, field: str, pattern: re.Pattern[str] = _ENDPOINT_NAME) -> str:
    if not isinstance(raw, str) or not raw:
        raise bad(f"{field} is required and must be a string.")
    prefix, _, rest = raw.rpartition("/")
    if prefix and prefix != slug:
        raise bad(f"{field} {raw!r}: the project slug {prefix!r} does not match this project ({slug!r}).")
    name = rest if prefix else raw
    if not pattern.match(name):
        raise bad(f"{field} {name!r} is not valid: use lowercase letters, digits and '-' (at most 63 characters).")
    return name


def deployment_name(raw: Any) -> str:
    if not isinstance(raw, str) or not _DEPLOYMENT_NAME.match(raw):
        raise bad("name is required: letters, digits, '.', '_' and '-' (at most 128 characters).")
    return raw


def update_mask(raw: str | None, allowed: set[str]) -> list[str] | None:
    if raw is None or raw == "":
        return None
    paths = [p.strip() for p in raw.split(",") if p.strip()]
    for path in paths:
        root = path.split(".", 1)[0]
        if root not in allowed or (
            root == "autoscaling" and "." in path and path.split(".")[1] not in _AUTOSCALING_FIELDS
        ):
            raise bad(f"updateMask path {path!r} is not updatable here; updatable: {', '.join(sorted(allowed))}.")
    return paths


def autoscaling(value: Any, current: dict[str, Any] | None, only: set[str] | None = None) -> dict[str, Any]:
    """The validated autoscaling after merging `value` over `current` (None on create).

    `only` limits the merge to those sub-fields (a mask such as `autoscaling.minReplicas`).
    """
    if not isinstance(value, dict):
        raise bad("autoscaling must be an object.")
    merged = dict(current or {})
    for key, item in value.items():
        if key not in _AUTOSCALING_FIELDS:
            raise bad(f"autoscaling.{key} is not a known field.")
        if only is None or key in only:
            merged[key] = item
    for key in ("minReplicas", "maxReplicas"):
        if key in merged and (not is_int(merged[key]) or not 0 <= merged[key] <= 100):
            raise bad(f"autoscaling.{key} must be an integer from 0 to 100.")
    if current is None:
        if "minReplicas" not in merged:
            raise bad("autoscaling.minReplicas is required.")
        merged.setdefault("maxReplicas", merged["minReplicas"])
    minimum, maximum = merged.get("minReplicas", 0), merged.get("maxReplicas", 0)
    if minimum == 0 and maximum > 0:
        raise bad(
            f"autoscaling.minReplicas 0 with maxReplicas {maximum} is not allowed: set both to 0 to stop the "
            "deployment, or minReplicas to at least 1."
        )
    if minimum > maximum:
        raise bad(f"autoscaling.minReplicas ({minimum}) cannot be greater than maxReplicas ({maximum}).")
    for key in ("scaleUpWindow", "scaleDownWindow", "scaleToZeroWindow"):
        if key in merged and (not isinstance(merged[key], str) or not _DURATION.match(merged[key])):
            raise bad(f'autoscaling.{key} must be a duration in seconds such as "300s".')
    if "scalingMetrics" in merged and not isinstance(merged["scalingMetrics"], list):
        raise bad("autoscaling.scalingMetrics must be an array.")
    return merged


def inactive_timeout(value: Any) -> int | None:
    if value is None:
        return None
    low, high = INACTIVE_TIMEOUT_RANGE
    if not is_int(value) or not (value == 0 or low <= value <= high):
        raise bad(f"inactiveTimeout must be 0 (off) or from {low} to {high} minutes, got {value!r}.")
    return int(value) or None


def max_concurrent(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value) if is_int(value) else value
    if not isinstance(text, str) or not text.isdigit():
        raise bad("maxConcurrentRequestsPerReplica must be a non-negative integer (as a string).")
    return str(int(text))


def placement(value: Any) -> dict[str, Any] | None:
    if value is None:
        return None
    if isinstance(value, dict) and isinstance(value.get("profile"), str) and len(value) == 1:
        return value
    inline = value.get("inline") if isinstance(value, dict) else None
    if not isinstance(inline, dict):
        raise bad('placement must be {"inline": {...}} or {"profile": "..."}.')
    regions = inline.get("regions", [])
    if not isinstance(regions, list) or any(r not in REGIONS for r in regions):
        raise bad(f"placement.inline.regions: each must be one of {', '.join(REGIONS)}.")
    return value


def traffic_split(value: Any, deployment_ids: set[str]) -> list[dict[str, Any]]:
    if not isinstance(value, list):
        raise bad("trafficSplit must be an array.")
    seen: set[str] = set()
    split: list[dict[str, Any]] = []
    for index, entry in enumerate(value):
        if not isinstance(entry, dict):
            raise bad(f"trafficSplit[{index}] must be an object.")
        deployment_id, weight = entry.get("deploymentId"), entry.get("weight", 0)
        if deployment_id not in deployment_ids:
            raise bad(f"trafficSplit[{index}].deploymentId {deployment_id!r} is not a deployment of this endpoint.")
        if deployment_id in seen:
            raise bad(f"trafficSplit lists {deployment_id} twice.")
        if not isinstance(weight, int | float) or isinstance(weight, bool) or not math.isfinite(weight) or weight < 0:
            raise bad(f"trafficSplit[{index}].weight must be a finite number >= 0.")
        seen.add(deployment_id)
        split.append({"deploymentId": deployment_id, "weight": float(weight)})
    return split


def list_filter(raw: str | None, allowed: tuple[str, ...]) -> tuple[str, str, str] | None:
    if raw is None or raw == "":
        return None
    match = _FILTER.match(raw)
    if match is None or match.group(1) not in allowed:
        raise bad(f"invalid filter expression: {raw!r}")
    field, operator, value = match.groups()
    return field, operator, value


def matches(candidate: str, rule: tuple[str, str, str] | None, field: str) -> bool:
    if rule is None or rule[0] != field:
        return True
    _, operator, value = rule
    return value in candidate if operator == ":" else candidate == value


def order_by(raw: str | None) -> tuple[str, bool]:
    if raw is None or raw == "":
        return "created_at", False
    parts = raw.split()
    if (
        parts[0] not in ("created_at", "updated_at")
        or len(parts) > 2
        or (len(parts) == 2 and parts[1] not in ("asc", "desc"))
    ):
        raise bad(f"orderBy {raw!r}: use created_at or updated_at, optionally followed by asc or desc.")
    return parts[0], len(parts) == 2 and parts[1] == "desc"


def timestamp(raw: str | None, name: str) -> float | None:
    if raw is None or raw == "":
        return None
    try:
        moment = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        raise bad(f"{name} must be an RFC 3339 timestamp, got {raw!r}.") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.timestamp()


def page_bounds(after: str | None, limit: str | None, *, default: int, maximum: int) -> tuple[int, int]:
    offset = 0
    if after:
        if not after.startswith("cur_") or not after[4:].isdigit():
            raise bad(f"after {after!r} is not a cursor this server issued.")
        offset = int(after[4:])
    size = default
    if limit:
        if not limit.isdigit() or not 1 <= int(limit) <= maximum:
            raise bad(f"limit must be from 1 to {maximum}.")
        size = int(limit)
    return offset, size
