"""v2 resources as JSON: camelCase, SCREAMING enums, int64 as strings, exactly the 3.1.1 SDK's fields."""

from __future__ import annotations

import statistics
from typing import Any

from tui.simulator.v2_catalogue import REGIONS
from tui.simulator.v2_world import DeploymentRecord, EndpointRecordV2, ServedRequest, V2World
from tui.simulator.world import iso8601


def _autoscaling(deployment: DeploymentRecord) -> dict[str, Any]:
    return dict(deployment.autoscaling)


def deployment_json(world: V2World, endpoint: EndpointRecordV2, deployment: DeploymentRecord, now: float) -> dict:
    step = world.step(deployment, now)
    profile = deployment.profile
    share = world.shares(endpoint, now).get(deployment.id, 0.0)
    status: dict[str, Any] = {
        "state": step.state,
        "message": step.message,
        "readyReplicas": step.ready,
        "scheduledReplicas": step.scheduled,
    }
    if step.scheduled:
        # Replicas fill regions in catalogue order (UNVERIFIED).
        status["details"] = {
            "region": [{"region": REGIONS[0], "readyReplicas": step.ready, "scheduledReplicas": step.scheduled}]
        }
    body: dict[str, Any] = {
        "id": deployment.id,
        "endpointId": endpoint.id,
        "projectId": world.project_id,
        "name": world.qualified(endpoint, deployment),
        "model": profile.model_resource,
        "modelId": profile.model_id,
        "modelRevisionId": profile.model_revision_id,
        "config": profile.config_resource,
        "configId": profile.config_id,
        "hardware": profile.instance.name,
        "autoscaling": _autoscaling(deployment),
        "trafficMode": "TRAFFIC_MODE_LIVE",
        "status": status,
        "desiredReplicas": deployment.target,
        "estimatedEffectiveTrafficShare": round(share, 4),
        "inactiveTimeout": deployment.inactive_timeout or 0,
        "runtimeInfo": {
            "engineType": "vllm",
            "engineVersion": "0.11.2",
            "functionCallingSupported": True,
            "structuredOutputSupported": True,
        },
        "etag": deployment.etag,
        "createdAt": iso8601(deployment.created_at),
        "updatedAt": iso8601(deployment.updated_at),
    }
    if deployment.max_concurrent is not None:
        body["maxConcurrentRequestsPerReplica"] = deployment.max_concurrent
    if deployment.placement is not None:
        body["placement"] = deployment.placement
    return body


def summary_json(world: V2World, endpoint: EndpointRecordV2, deployment: DeploymentRecord, now: float) -> dict:
    step = world.step(deployment, now)
    profile = deployment.profile
    return {
        "id": deployment.id,
        "name": world.qualified(endpoint, deployment),
        "model": profile.model_resource,
        "modelId": profile.model_id,
        "autoscaling": _autoscaling(deployment),
        "createdAt": iso8601(deployment.created_at),
        "estimatedEffectiveTrafficShare": round(world.shares(endpoint, now).get(deployment.id, 0.0), 4),
        "state": step.state,
        "trafficMode": "TRAFFIC_MODE_LIVE",
        "desiredReplicas": deployment.target,
        "readyReplicas": step.ready,
        "hardware": profile.instance.name,
    }


def endpoint_json(world: V2World, endpoint: EndpointRecordV2, now: float) -> dict[str, Any]:
    return {
        "id": endpoint.id,
        "name": world.qualified(endpoint),
        "projectId": world.project_id,
        "endpointType": "ENDPOINT_TYPE_DEDICATED",
        "visibility": endpoint.visibility,
        "trafficSplit": [dict(entry) for entry in endpoint.traffic_split],
        "deployments": [summary_json(world, endpoint, d, now) for d in endpoint.deployments.values()],
        "etag": endpoint.etag,
        "createdAt": iso8601(endpoint.created_at),
        "updatedAt": iso8601(endpoint.updated_at),
    }


def _percentile(values: list[float], fraction: float) -> float:
    if not values:
        return 0.0
    if len(values) == 1:
        return round(values[0], 1)
    cuts = statistics.quantiles(values, n=100, method="inclusive")
    return round(cuts[max(0, min(98, round(fraction * 100) - 1))], 1)


def metrics_json(served: list[ServedRequest], start: float, end: float) -> dict[str, Any]:
    """Figures computed from the chat requests the simulator actually served in [start, end]."""
    window = [s for s in served if start <= s.at <= end]
    ok = [s for s in window if s.status < 400]
    failed = len(window) - len(ok)
    seconds = max(end - start, 1.0)
    by_status: dict[str, str] = {}
    for item in window:
        by_status[str(item.status)] = str(int(by_status.get(str(item.status), "0")) + 1)
    ttft = [s.ttft_ms for s in ok]
    latency = [s.latency_ms for s in ok]
    itl = [(s.latency_ms - s.ttft_ms) / max(s.output_tokens - 1, 1) for s in ok]
    tokens_in = sum(s.input_tokens for s in ok)
    tokens_out = sum(s.output_tokens for s in ok)
    return {
        "requestMetrics": {
            "totalRequests": str(len(window)),
            "successfulRequests": str(len(ok)),
            "failedRequests": str(failed),
            "requestsPerSecond": round(len(window) / seconds, 6),
            "requestsByStatusCode": by_status,
        },
        "latencyMetrics": {
            **{f"ttftP{p}Ms": _percentile(ttft, p / 100) for p in (50, 90, 99)},
            **{f"latencyP{p}Ms": _percentile(latency, p / 100) for p in (50, 90, 99)},
            **{f"itlP{p}Ms": _percentile(itl, p / 100) for p in (50, 90, 99)},
        },
        "tokenMetrics": {
            "totalInputTokens": str(tokens_in),
            "totalOutputTokens": str(tokens_out),
            "avgInputTokens": round(tokens_in / len(ok), 2) if ok else 0.0,
            "avgOutputTokens": round(tokens_out / len(ok), 2) if ok else 0.0,
        },
        "throughputMetrics": {
            "requestsPerSecond": round(len(ok) / seconds, 6),
            "tokensPerSecond": round(tokens_out / seconds, 6),
        },
        "errorMetrics": {
            "errorRate": round(failed / len(window), 4) if window else 0.0,
            "errorsByType": {"server_error": str(failed)} if failed else {},
        },
        # UNVERIFIED model: GPU use as the share of the window spent answering (a percentage, as the SDK
        # documents it); memory, CPU and network are not simulated, so not sent.
        "resourceUtilization": {
            "gpuUtilization": round(min(100.0, sum(s.latency_ms for s in ok) / 1000 / seconds * 100), 2),
        },
    }


def analytics_json(
    world: V2World, endpoint: EndpointRecordV2, start: float, end: float, deployment_id: str | None
) -> dict[str, Any]:
    deployments = [d for d in endpoint.deployments.values() if deployment_id in (None, d.id)]
    time_range = {"startTime": iso8601(start), "endTime": iso8601(end)}
    per_deployment = [
        {"deploymentId": d.id, "endpointId": endpoint.id, "timeRange": time_range, **metrics_json(d.served, start, end)}
        for d in deployments
    ]
    everything = [s for d in deployments for s in d.served]
    return {
        "endpointId": endpoint.id,
        "timeRange": time_range,
        "metrics": {
            "endpointId": endpoint.id,
            "timeRange": time_range,
            **metrics_json(everything, start, end),
            "deploymentMetrics": per_deployment,
        },
        "deploymentAnalytics": [
            {"deploymentId": d["deploymentId"], "endpointId": endpoint.id, "timeRange": time_range, "metrics": d}
            for d in per_deployment
        ],
    }
