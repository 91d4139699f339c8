# mypy: ignore-errors
# (typed against the together 3.1.1 SDK in its own environment; the project venv holds 2.x.)
"""Run inside the together==3.1.1 environment: check requests the app's v2 client sent against the SDK's params.

    python together3_requests.py < requests.json

Each request is ``{"method", "path", "query", "json_body"}`` as the simulator recorded it. Its body and query
are mapped back from the wire's camelCase names to the params TypedDict's own keys (an unknown name is a
problem), validated against the TypedDict with pydantic, and encoded again with the SDK's own ``transform``:
that must give back exactly what was sent, so the SDK itself would have sent the same JSON. Prints
``{"checked": [...], "problems": [...]}``.
"""

from __future__ import annotations

import collections.abc
import json
import re
import sys
import typing
from typing import Any, NotRequired, Required, Union, get_args, get_origin, get_type_hints

from pydantic import TypeAdapter, ValidationError
from together._utils._transform import PropertyInfo, transform
from together.types import (
    EndpointAnalyticsParams,
    EndpointCreateParams,
    EndpointDeleteParams,
    EndpointListEventsParams,
    EndpointListParams,
    EndpointUpdateParams,
    ModelListSupportedParams,
)
from together.types.endpoints import (
    DeploymentCreateParams,
    DeploymentDeleteParams,
    DeploymentListParams,
    DeploymentUpdateParams,
)
from typing_extensions import is_typeddict

P = r"/v2/projects/[^/]+/endpoints"
ROUTES = [
    ("POST", rf"{P}", EndpointCreateParams),
    ("GET", rf"{P}", EndpointListParams),
    ("PATCH", rf"{P}/[^/]+", EndpointUpdateParams),
    ("DELETE", rf"{P}/[^/]+", EndpointDeleteParams),
    ("POST", rf"{P}/(?P<endpoint_id>[^/]+)/deployments", DeploymentCreateParams),
    ("GET", rf"{P}/[^/]+/deployments", DeploymentListParams),
    ("PATCH", rf"{P}/(?P<endpoint_id>[^/]+)/deployments/[^/]+", DeploymentUpdateParams),
    ("DELETE", rf"{P}/(?P<endpoint_id>[^/]+)/deployments/[^/]+", DeploymentDeleteParams),
    ("GET", rf"{P}/[^/]+/events", EndpointListEventsParams),
    ("GET", rf"{P}/[^/]+/analytics", EndpointAnalyticsParams),
    ("GET", r"/v2/supported-models", ModelListSupportedParams),
]
# Query values are text on the wire; these keys carry other types in the params.
QUERY_TYPES = {"limit": int, "validate_only": bool, "include_time_series": bool}
COMMA_LISTS = {"deployment_ids", "source_kinds", "types"}
problems: list[str] = []


def strip(hint: Any) -> tuple[Any, str | None]:
    """The bare type of a TypedDict field and its wire alias."""
    alias = None
    while True:
        origin = get_origin(hint)
        if origin is typing.Annotated:
            for meta in hint.__metadata__:
                if isinstance(meta, PropertyInfo) and meta.alias:
                    alias = meta.alias
            hint = get_args(hint)[0]
        elif origin in (Required, NotRequired):
            hint = get_args(hint)[0]
        else:
            return hint, alias


def unalias(value: Any, hint: Any, where: str) -> Any:
    hint, _ = strip(hint)
    origin = get_origin(hint)
    if is_typeddict(hint):
        if not isinstance(value, dict):
            problems.append(f"{where}: expected an object for {hint.__name__}")
            return value
        fields = {}
        for key, field_hint in get_type_hints(hint, include_extras=True).items():
            _, alias = strip(field_hint)
            fields[alias or key] = (key, field_hint)
        out = {}
        for name, item in value.items():
            if name not in fields:
                problems.append(f"{where}.{name}: not a field of {hint.__name__}")
                continue
            key, field_hint = fields[name]
            out[key] = unalias(item, field_hint, f"{where}.{name}")
        return out
    if origin is Union:
        arms = [a for a in get_args(hint) if is_typeddict(a)]
        for arm in arms:
            if isinstance(value, dict) and set(value) <= {
                strip(h)[1] or k for k, h in get_type_hints(arm, include_extras=True).items()
            }:
                return unalias(value, arm, where)
        return value
    if origin in (list, collections.abc.Iterable, collections.abc.Sequence) and isinstance(value, list):
        [item_hint] = get_args(hint) or [Any]
        return [unalias(item, item_hint, f"{where}[{i}]") for i, item in enumerate(value)]
    return value


def query_value(key: str, text: str) -> Any:
    if key in COMMA_LISTS:
        return text.split(",")
    kind = QUERY_TYPES.get(key)
    if kind is int:
        return int(text)
    if kind is bool:
        return text == "true"
    return text


def check(request: dict[str, Any]) -> str | None:
    route = next(
        (
            (params, m)
            for method, pattern, params in ROUTES
            if request["method"] == method and (m := re.fullmatch(pattern, request["path"]))
        ),
        None,
    )
    if route is None:
        return None
    params, match = route
    label = f"{request['method']} {request['path']}"
    body = request["json_body"] or {}
    snake = unalias({**body, **request["query"]}, params, label)
    for key in {unalias_key(params, name) for name in request["query"]} & set(snake):
        snake[key] = query_value(key, snake[key])
    snake.update(match.groupdict())
    try:
        TypeAdapter(params).validate_python(snake, strict=True)
    except ValidationError as exc:
        problems.append(f"{label}: {exc.errors()[0]}")
    path_keys = set(match.groupdict())
    sent_again = transform({k: v for k, v in snake.items() if k not in path_keys}, params)
    query_back = {k: v for k, v in sent_again.items() if k in request["query"]}
    body_back = {k: v for k, v in sent_again.items() if k not in request["query"]}
    if body_back != body:
        problems.append(f"{label}: the SDK would send {body_back}, the client sent {body}")
    if set(query_back) != set(request["query"]):
        problems.append(f"{label}: query {sorted(request['query'])} is not the SDK's {sorted(query_back)}")
    return label


def unalias_key(params: Any, name: str) -> str:
    for key, hint in get_type_hints(params, include_extras=True).items():
        if (strip(hint)[1] or key) == name:
            return key
    return name


checked = [label for request in json.load(sys.stdin) if (label := check(request))]
print(json.dumps({"checked": checked, "problems": problems}))
