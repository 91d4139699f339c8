"""What an endpoint did, in domain objects: its events (with the fields a timeline needs) and its analytics
(reference together-v2-api.md §A6, §A8).

The analytics wire model here is the whole response the SDK describes (status codes, inter-token latency,
utilisation, the time series), which the client's smaller model does not carry. Every string is cleaned
as it is parsed, as everywhere in the v2 wire layer; series names are cleaned too (they are keys the
service chose, UNVERIFIED).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Annotated, Any

from pydantic import BeforeValidator, Field, TypeAdapter

from tui.api.analytics import EndpointMetrics, Percentiles, SeriesPoint
from tui.api.domain import TimelineEvent
from tui.api.safe_text import clean
from tui.api.together.models import Amount, Count, Timestamp
from tui.api.together.provider import parse_time
from tui.api.together.v2.client import TogetherV2Client
from tui.api.together.v2.wire import EndpointEvent, OptionalText, TimeRange, Wire

#: Buckets kept from one response (a day at one-minute granularity).
MAX_POINTS = 1440
_MAX_SERIES = 16
_COUNT: TypeAdapter[int | None] = TypeAdapter(Count)
_AMOUNT: TypeAdapter[float | None] = TypeAdapter(Amount)


def event_from_wire(event: EndpointEvent) -> TimelineEvent:
    return TimelineEvent(
        id=event.id,
        at=parse_time(event.created_at),
        level=event.level,
        type=event.type,
        # The CLI shows the log excerpt when an event has no message (a crash, an OOM).
        message=event.message or event.log_excerpt or "",
        deployment_id=event.deployment_id,
        source=event.source,
        reason=event.reason,
        replica_id=event.replica_id,
        old_replicas=event.old_replicas,
        new_replicas=event.new_replicas,
        subject_id=event.subject_id,
        status=event.status,
    )


def _counts(value: Any) -> dict[str, int]:
    if not isinstance(value, dict):
        return {}
    counts: dict[str, int] = {}
    for key, raw in list(value.items())[:64]:
        number = _COUNT.validate_python(raw)
        name = clean(key, limit=40) if isinstance(key, str) else ""
        if name and number is not None:
            counts[name] = number
    return counts


def _figures(value: Any) -> dict[str, float]:
    if not isinstance(value, dict):
        return {}
    figures: dict[str, float] = {}
    for key, raw in list(value.items())[:_MAX_SERIES]:
        number = _AMOUNT.validate_python(raw)
        name = clean(key, limit=40) if isinstance(key, str) else ""
        if name and number is not None:
            figures[name] = number
    return figures


StatusCounts = Annotated[dict[str, int], BeforeValidator(_counts)]
Figures = Annotated[dict[str, float], BeforeValidator(_figures)]


class RequestFigures(Wire):
    total_requests: Count = None
    successful_requests: Count = None
    failed_requests: Count = None
    requests_per_second: Amount = None
    requests_by_status_code: StatusCounts = Field(default_factory=dict)


class LatencyFigures(Wire):
    ttft_p50_ms: Amount = Field(default=None, alias="ttftP50Ms")
    ttft_p90_ms: Amount = Field(default=None, alias="ttftP90Ms")
    ttft_p99_ms: Amount = Field(default=None, alias="ttftP99Ms")
    latency_p50_ms: Amount = Field(default=None, alias="latencyP50Ms")
    latency_p90_ms: Amount = Field(default=None, alias="latencyP90Ms")
    latency_p99_ms: Amount = Field(default=None, alias="latencyP99Ms")
    itl_p50_ms: Amount = Field(default=None, alias="itlP50Ms")
    itl_p90_ms: Amount = Field(default=None, alias="itlP90Ms")
    itl_p99_ms: Amount = Field(default=None, alias="itlP99Ms")


class TokenFigures(Wire):
    total_input_tokens: Count = None
    total_output_tokens: Count = None


class ThroughputFigures(Wire):
    tokens_per_second: Amount = None


class ErrorFigures(Wire):
    error_rate: Amount = None


class Utilization(Wire):
    gpu_utilization: Amount = None
    gpu_memory_utilization: Amount = None


class AllFigures(Wire):
    request_metrics: RequestFigures | None = None
    latency_metrics: LatencyFigures | None = None
    token_metrics: TokenFigures | None = None
    throughput_metrics: ThroughputFigures | None = None
    error_metrics: ErrorFigures | None = None
    resource_utilization: Utilization | None = None


class DeploymentFigures(AllFigures):
    deployment_id: OptionalText = None


def _deployment_figures(value: Any) -> list[Any]:
    # One odd entry costs that entry, never the whole report.
    return [v for v in value[:64] if isinstance(v, dict)] if isinstance(value, list) else []


class EndpointFigures(AllFigures):
    deployment_metrics: Annotated[list[DeploymentFigures], BeforeValidator(_deployment_figures)] = Field(
        default_factory=list
    )


class Point(Wire):
    timestamp: Timestamp = None
    values: Figures = Field(default_factory=dict)


def _points(value: Any) -> list[Any]:
    return [v for v in value[:MAX_POINTS] if isinstance(v, dict)] if isinstance(value, list) else []


class AnalyticsReport(Wire):
    endpoint_id: OptionalText = None
    time_range: TimeRange | None = None
    metrics: EndpointFigures | None = None
    time_series: Annotated[list[Point], BeforeValidator(_points)] = Field(default_factory=list)


def metrics_from_wire(report: AnalyticsReport, endpoint_id: str, deployment_id: str | None) -> EndpointMetrics:
    figures = report.metrics or EndpointFigures()
    window = report.time_range or TimeRange()
    whole = _figures_of(figures, endpoint_id, deployment_id)
    return replace(
        whole,
        endpoint_id=report.endpoint_id or endpoint_id,
        start=parse_time(window.start_time),
        end=parse_time(window.end_time),
        series=tuple(SeriesPoint(parse_time(p.timestamp), dict(p.values)) for p in report.time_series),
        deployments=tuple(
            _figures_of(d, endpoint_id, d.deployment_id) for d in figures.deployment_metrics if d.deployment_id
        ),
    )


def _figures_of(figures: AllFigures, endpoint_id: str, deployment_id: str | None) -> EndpointMetrics:
    requests = figures.request_metrics or RequestFigures()
    latency = figures.latency_metrics or LatencyFigures()
    tokens = figures.token_metrics or TokenFigures()
    use = figures.resource_utilization or Utilization()
    return EndpointMetrics(
        endpoint_id=endpoint_id,
        deployment_id=deployment_id,
        total_requests=requests.total_requests,
        successful_requests=requests.successful_requests,
        failed_requests=requests.failed_requests,
        requests_per_second=requests.requests_per_second,
        requests_by_status=dict(requests.requests_by_status_code),
        ttft_ms=Percentiles(latency.ttft_p50_ms, latency.ttft_p90_ms, latency.ttft_p99_ms),
        latency_ms=Percentiles(latency.latency_p50_ms, latency.latency_p90_ms, latency.latency_p99_ms),
        itl_ms=Percentiles(latency.itl_p50_ms, latency.itl_p90_ms, latency.itl_p99_ms),
        input_tokens=tokens.total_input_tokens,
        output_tokens=tokens.total_output_tokens,
        tokens_per_second=(figures.throughput_metrics or ThroughputFigures()).tokens_per_second,
        error_rate=(figures.error_metrics or ErrorFigures()).error_rate,
        gpu_utilization=use.gpu_utilization,
        gpu_memory_utilization=use.gpu_memory_utilization,
    )


def _iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


async def fetch_analytics(
    client: TogetherV2Client,
    endpoint_id: str,
    *,
    start: datetime,
    end: datetime,
    granularity: str,
    deployment_id: str | None = None,
) -> EndpointMetrics:
    """``GET …/analytics`` with the time series (the client's ``analytics`` does not ask for it)."""
    params = {"startTime": _iso(start), "endTime": _iso(end), "granularity": granularity, "includeTimeSeries": "true"}
    if deployment_id:
        params["deploymentId"] = deployment_id
    # The client's own plumbing, so errors are translated and paths built as for every v2 request.
    path = f"{await client._endpoints_path(endpoint_id)}/analytics"
    response = await client._request("GET", path, params=params)
    return metrics_from_wire(client.session.parse(response, AnalyticsReport), endpoint_id, deployment_id)
