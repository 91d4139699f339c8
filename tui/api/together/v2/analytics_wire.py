"""Together v2's analytics response as the SDK describes it (reference together-v2-api.md §A8): request counts
by status code, TTFT / end-to-end / inter-token latency percentiles, tokens, throughput, errors, GPU use,
per-deployment figures and the time series.

Strings are cleaned as they are parsed, as everywhere in the v2 wire layer; series names are cleaned too
(they are keys the service chose, UNVERIFIED). What does not have the documented shape costs its own entry,
never the whole report.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BeforeValidator, Field, TypeAdapter

from tui.api.safe_text import clean
from tui.api.together.models import Amount, Count, Timestamp
from tui.api.together.v2.wire import OptionalText, Wire

#: Buckets kept from one response (a day at one-minute granularity).
MAX_POINTS = 1440
_MAX_SERIES = 16
_COUNT: TypeAdapter[int | None] = TypeAdapter(Count)
_AMOUNT: TypeAdapter[float | None] = TypeAdapter(Amount)


class TimeRange(Wire):
    start_time: Timestamp = None
    end_time: Timestamp = None


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
