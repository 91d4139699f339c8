"""What an endpoint did, in domain objects: its events (with the fields a timeline needs) and its analytics
(reference together-v2-api.md §A6, §A8; the analytics wire models are in ``analytics_wire``).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from tui.api.analytics import EndpointMetrics, Percentiles, SeriesPoint
from tui.api.domain import TimelineEvent
from tui.api.together.provider import parse_time
from tui.api.together.v2.analytics_wire import (
    AllFigures,
    AnalyticsReport,
    EndpointFigures,
    ErrorFigures,
    LatencyFigures,
    RequestFigures,
    ThroughputFigures,
    TimeRange,
    TokenFigures,
    Utilization,
)
from tui.api.together.v2.client import TogetherV2Client
from tui.api.together.v2.wire import EndpointEvent


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


async def fetch_analytics(
    client: TogetherV2Client,
    endpoint_id: str,
    *,
    start: datetime,
    end: datetime,
    granularity: str,
    deployment_id: str | None = None,
) -> EndpointMetrics:
    """``GET …/analytics`` with its time series, as domain figures."""
    report = await client.analytics(
        endpoint_id, start=start, end=end, granularity=granularity, deployment_id=deployment_id,
        include_time_series=True,
    )
    return metrics_from_wire(report, endpoint_id, deployment_id)
