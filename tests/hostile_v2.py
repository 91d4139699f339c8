"""The Together v2 half of the hostile server: whoami, endpoints with deployments, events, analytics, catalogue.

Every string the v2 adapter reads is one of tests/hostile.py's (endpoint and deployment names, models, configs,
hardware, regions, visibility, states, status messages, engine words, event messages and log excerpts, the
project slug); numbers are NaN, Infinity, negative, absurd or strings (as JSON literals and as protobuf's
``"NaN"``); timestamps are naive or not timestamps; some error answers echo the API key in both of v2's error
envelopes. Ids stay routable (``ep_``/``dep_`` prefixes, no ``/``): they go into paths.
"""

from __future__ import annotations

from typing import Any

from hostile import BAD_TIMESTAMPS, HOSTILE_STRINGS, MARKUP, TERMINAL, echoed_key_message, html_error_page

SHORT = tuple(text for text in HOSTILE_STRINGS if len(text) < 200)
LONG = next(text for text in HOSTILE_STRINGS if len(text) >= 200)
PROJECT_ID = "proj_hostile000001"
#: The project's slug prefixes every inference name: hostile too.
SLUG = "[b]slug\x1b]0;pwned title\x07"
#: Numbers where a count, a share, a weight or a price belongs (JSON NaN/Infinity literals and proto3's strings).
BAD = (float("nan"), float("inf"), -1, "NaN", "Infinity", "-3", "99999999999999999999", 1e308, 1)
STATES = (
    "DEPLOYMENT_STATE_READY",
    "DEPLOYMENT_STATE_STOPPED",
    "DEPLOYMENT_STATE_FAILED",
    "DEPLOYMENT_STATE_DEGRADED",
    "DEPLOYMENT_STATE_SCALING",
)
#: A real instance name beside hostile ones, so some deployments are priced (from hostile prices).
REAL_HARDWARE = "1xnvidia-h100-80gb"


def _text(index: int) -> str:
    return SHORT[index % len(SHORT)]


def _bad(index: int) -> Any:
    return BAD[index % len(BAD)]


def _state(index: int) -> str:
    # Every fourth one an unknown word the server made up (it must be shown, never crash).
    return _text(index) if index % 4 == 3 else STATES[index % len(STATES)]


def endpoint_ids() -> list[str]:
    return [f"ep_hostile{index:03d}" for index in range(len(SHORT))]


def _index(resource_id: str) -> int:
    digits = "".join(char for char in resource_id if char.isdigit())
    return int(digits[-3:]) if digits else 0


def _deployment_ids(index: int) -> tuple[str, str]:
    return f"dep_hostile{index:03d}a", f"dep_hostile{index:03d}b"


def summary(index: int, which: int) -> dict[str, Any]:
    deployment_id = _deployment_ids(index)[which]
    seed = index * 2 + which
    return {
        "id": deployment_id,
        "name": f"{SLUG}/{_text(index)}/{_text(seed + 3)}",
        "model": f"projects/{PROJECT_ID}/models/{_text(seed + 1)}",
        "modelId": _text(seed + 2),
        "autoscaling": {"minReplicas": _bad(seed), "maxReplicas": _bad(seed + 1),
                        "scaleUpWindow": _text(seed), "scaleDownWindow": "NaNs"},
        "createdAt": BAD_TIMESTAMPS[seed % len(BAD_TIMESTAMPS)],
        "estimatedEffectiveTrafficShare": _bad(seed + 2),
        "state": _state(seed),
        "trafficMode": _text(seed + 4),
        "desiredReplicas": _bad(seed + 3),
        "readyReplicas": _bad(seed + 4),
        "hardware": REAL_HARDWARE if seed % 3 == 0 else _text(seed + 5),
    }


def endpoint(index: int) -> dict[str, Any]:
    first, second = _deployment_ids(index)
    return {
        "id": endpoint_ids()[index],
        "name": f"{SLUG}/{_text(index)}",
        "projectId": PROJECT_ID,
        "endpointType": _text(index + 1),
        "visibility": _text(index + 2),
        "trafficSplit": [{"deploymentId": first, "weight": _bad(index)}, {"deploymentId": second, "weight": 10}],
        "deployments": [summary(index, 0), summary(index, 1)],
        "etag": _text(index + 3),
        "createdAt": BAD_TIMESTAMPS[index % len(BAD_TIMESTAMPS)],
        "updatedAt": BAD_TIMESTAMPS[(index + 1) % len(BAD_TIMESTAMPS)],
    }


def deployment(index: int, which: int, key: str, echo_key: bool = False) -> dict[str, Any]:
    seed = index * 2 + which
    base = summary(index, which)
    state = base.pop("state")
    ready = base.pop("readyReplicas")
    # Status messages carry the hostile corpus, the 10,000-character string and, with ``echo_key``, the key.
    echoed = "\n" + echoed_key_message(key) if echo_key and seed % 5 == 0 else ""
    message = LONG if seed % 7 == 5 else _text(seed + 6) + echoed
    return {
        **base,
        "endpointId": endpoint_ids()[index],
        "projectId": PROJECT_ID,
        "config": f"projects/{PROJECT_ID}/configs/{_text(seed + 7)}",
        "status": {"state": state, "message": message, "readyReplicas": ready, "scheduledReplicas": _bad(seed)},
        "inactiveTimeout": _bad(seed + 5),
        "maxConcurrentRequestsPerReplica": _bad(seed + 6),
        "runtimeInfo": {"engineType": _text(seed + 8), "engineVersion": _text(seed + 9)},
        "etag": _text(seed + 10),
        "updatedAt": BAD_TIMESTAMPS[(seed + 2) % len(BAD_TIMESTAMPS)],
    }


def events(index: int) -> list[dict[str, Any]]:
    first, _ = _deployment_ids(index)
    out = []
    for number, text in enumerate(SHORT):
        out.append(
            {
                "id": f"evt_{index:03d}_{number:03d}",
                "createdAt": BAD_TIMESTAMPS[number % len(BAD_TIMESTAMPS)],
                "endpointId": endpoint_ids()[index],
                "deploymentId": first if number % 2 else text,
                "level": ("LEVEL_ERROR", "LEVEL_INFO", "LEVEL_WARNING", text)[number % 4],
                "source": text,
                "sourceKind": text,
                "type": ("pod.log", "deployment.status_updated", text)[number % 3],
                "message": text if number % 3 else None,
                "logExcerpt": LONG if number == 0 else text,
                "reason": text,
                "name": text,
                "oldReplicas": _bad(number),
                "newReplicas": _bad(number + 1),
                "replicaId": text,
            }
        )
    return out


def _metrics(seed: int) -> dict[str, Any]:
    return {
        "requestMetrics": {"totalRequests": _bad(seed), "successfulRequests": _bad(seed + 1),
                           "failedRequests": _bad(seed + 2), "requestsPerSecond": _bad(seed + 3),
                           "requestsByStatusCode": {_text(seed): _bad(seed)}},
        "latencyMetrics": {
            f"{kind}P{p}Ms": _bad(seed + p) for kind in ("ttft", "latency", "itl") for p in (50, 90, 99)
        },
        "tokenMetrics": {"totalInputTokens": _bad(seed + 4), "totalOutputTokens": _bad(seed + 5)},
        "throughputMetrics": {"tokensPerSecond": _bad(seed + 6), "requestsPerSecond": _bad(seed + 7)},
        "errorMetrics": {"errorRate": _bad(seed + 8), "errorsByType": {_text(seed + 1): _bad(seed)}},
        "resourceUtilization": {"gpuUtilization": _bad(seed + 2)},
    }


def analytics(index: int) -> dict[str, Any]:
    first, second = _deployment_ids(index)
    time_range = {"startTime": BAD_TIMESTAMPS[0], "endTime": BAD_TIMESTAMPS[1]}
    per = [{"deploymentId": d, "endpointId": endpoint_ids()[index], "timeRange": time_range, **_metrics(n)}
           for n, d in enumerate((first, second))]
    return {
        "endpointId": endpoint_ids()[index],
        "timeRange": time_range,
        "metrics": {"timeRange": time_range, **_metrics(index), "deploymentMetrics": per},
        "deploymentAnalytics": [{"deploymentId": d["deploymentId"], "metrics": d} for d in per],
    }


def supported_models() -> list[dict[str, Any]]:
    models = []
    for index, text in enumerate(SHORT):
        profiles = [
            {
                "profileId": text,
                "config": f"projects/{PROJECT_ID}/configs/{_text(index + p)}",
                "model": f"projects/{PROJECT_ID}/models/{text}",
                "modelName": text,
                "gpuType": ("H100", _text(index + p))[p],
                "gpuCount": (1, _bad(index))[p],
                "quantization": _text(index + 2),
                "parallelism": _text(index + 3),
            }
            for p in (0, 1)
        ]
        models.append(
            {
                "id": f"sm_hostile{index:03d}",
                "name": text,
                "displayName": _text(index + 1),
                "status": _text(index + 2),
                "products": ["PRODUCT_DEDICATED", text],
                "capabilities": ["CAPABILITY_CHAT", text],
                "contextLength": _bad(index),
                "pricing": {"input": _bad(index), "output": _bad(index + 1)},
                "deploymentProfiles": profiles,
            }
        )
    return models


def instance_types() -> list[dict[str, Any]]:
    types = []
    for index, text in enumerate(SHORT):
        types.append(
            {
                "id": f"it_hostile{index:03d}",
                # The first is a real name (its deployments are priced from a hostile price); others hostile.
                "name": REAL_HARDWARE if index == 0 else text,
                "description": _text(index + 1),
                "gpuType": "H100" if index == 0 else text,
                "gpuCount": 1 if index == 0 else _bad(index),
                "gpuMemoryGib": _bad(index + 1),
                "priceCentsPerHour": _bad(index),
                "regions": [{"name": _text(index + r), "headroom": {"relation": text, "value": _bad(index + r)}}
                            for r in (0, 1)],
            }
        )
    return types


def page(items: list[dict[str, Any]]) -> dict[str, Any]:
    return {"object": "list", "data": items, "next_cursor": None}


def answer(
    method: str, path: str, mode: str, key: str, *, echo_key: bool = False
) -> tuple[int, Any, str | None, bool] | None:
    """(status, body, reason phrase, is HTML) for a v2 route, None when the path is not one of them.

    Error answers echo the key always; ``echo_key`` puts it in data too (deployment status messages).
    """
    rpc_echo = {"message": echoed_key_message(key) + TERMINAL[0], "code": 13, "details": [{"reason": MARKUP[0]}]}
    if path == "/v3/whoami":
        if mode == "401-echo":
            return 401, {"error": {"message": echoed_key_message(key), "code": "invalid_api_key"}}, TERMINAL[1], False
        project = {"id": PROJECT_ID, "name": MARKUP[0], "slug": SLUG}
        return 200, {"type": "project_api_key", "project": project}, None, False
    if path == "/v1/projects":
        return 200, page([{"id": PROJECT_ID, "name": MARKUP[0], "slug": SLUG}]), None, False
    if path == "/v2/supported-models":
        return 200, page(supported_models()), None, False
    if path == "/v2/public/inference-instance-types":
        return 200, page(instance_types()), None, False
    prefix = f"/v2/projects/{PROJECT_ID}/endpoints"
    if not path.startswith(prefix):
        return (404, rpc_echo, TERMINAL[2], False) if path.startswith(("/v2/", "/v3/")) else None
    if method != "GET":
        # Nothing is ever sent here by a test that does not ask for it; say so loudly if it is.
        return 500, rpc_echo, TERMINAL[2], False
    parts = path[len(prefix):].strip("/").split("/")
    if parts == [""]:
        if mode == "401-echo":
            return 401, {"error": {"message": echoed_key_message(key)}}, TERMINAL[1], False
        if mode == "html":
            return 502, html_error_page(key), MARKUP[0], True
        return 200, page([endpoint(i) for i in range(len(SHORT))]), None, False
    index = _index(parts[0]) % len(SHORT)
    if len(parts) == 1:
        return 200, endpoint(index), None, False
    if parts[1] == "deployments" and len(parts) == 2:
        return 200, page([deployment(index, 0, key, echo_key), deployment(index, 1, key, echo_key)]), None, False
    if parts[1] == "deployments":
        which = 1 if parts[2].endswith("b") else 0
        return 200, deployment(index, which, key, echo_key), None, False
    if parts[1] == "events":
        if index % 12 == 1:  # the v1 envelope, the key echoed, a hostile reason phrase
            return 500, {"error": {"message": echoed_key_message(key) + MARKUP[1]}}, TERMINAL[0], False
        return 200, page(events(index)), None, False
    if parts[1] == "analytics":
        if index % 12 == 1:  # the RPC envelope, the key echoed
            return 503, rpc_echo, TERMINAL[3], False
        return 200, analytics(index), None, False
    return 404, rpc_echo, TERMINAL[2], False
