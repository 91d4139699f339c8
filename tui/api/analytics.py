"""Provider-neutral figures of what an endpoint served over a window (v2 analytics, reference §A8).

Every figure is optional: a control plane (or a version of one) that does not report it leaves it None,
and the views show "?" for it, never a zero that was not measured.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True, slots=True)
class Percentiles:
    """Milliseconds at the 50th, 90th and 99th percentile."""

    p50: float | None = None
    p90: float | None = None
    p99: float | None = None

    @property
    def known(self) -> bool:
        return any(value is not None for value in (self.p50, self.p90, self.p99))


@dataclass(frozen=True, slots=True)
class SeriesPoint:
    """One bucket of the time series: its start and the figures the API gave for it (names as sent)."""

    at: datetime | None
    values: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class EndpointMetrics:
    endpoint_id: str
    start: datetime | None = None
    end: datetime | None = None
    #: The deployment the figures are limited to, None for the whole endpoint.
    deployment_id: str | None = None
    total_requests: int | None = None
    successful_requests: int | None = None
    failed_requests: int | None = None
    requests_per_second: float | None = None
    #: HTTP status code (as text: "200", "429") -> requests.
    requests_by_status: dict[str, int] = field(default_factory=dict)
    ttft_ms: Percentiles = Percentiles()
    latency_ms: Percentiles = Percentiles()
    #: Inter-token latency.
    itl_ms: Percentiles = Percentiles()
    input_tokens: int | None = None
    output_tokens: int | None = None
    tokens_per_second: float | None = None
    error_rate: float | None = None
    #: Averages over the replicas, as percentages (the SDK's words).
    gpu_utilization: float | None = None
    gpu_memory_utilization: float | None = None
    series: tuple[SeriesPoint, ...] = ()
    #: The same figures for each deployment (``deployment_id`` set), when the API breaks them down.
    deployments: tuple[EndpointMetrics, ...] = ()

    def series_of(self, name: str) -> list[float]:
        """One figure across the buckets, oldest first; a bucket without it counts as 0."""
        return [point.values.get(name, 0.0) for point in self.series]

    @property
    def series_names(self) -> list[str]:
        names: list[str] = []
        for point in self.series:
            names.extend(name for name in point.values if name not in names)
        return names
