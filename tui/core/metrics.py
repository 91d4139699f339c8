"""An endpoint's health over a window, as the metrics view shows it: the windows and their granularity,
how often the view may ask again, and what the window really cost (reference together-v2-api.md §A8).

The analytics carry no replica count, so what was used is worked out from the events feed: each
``deployment.scaled`` event says the desired replicas from then on. Replica-hours are that count
integrated over the window, priced at the deployment's $/replica-hour; a window whose feed has no
scaling event ran at today's count throughout.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol, runtime_checkable

from tui.api.analytics import EndpointMetrics
from tui.api.domain import Deployment, Endpoint, TimelineEvent
from tui.core.events_feed import EventSource

#: The view refreshes by itself at most this often (the API aggregates by the minute at best).
REFRESH_SECONDS = 60.0
#: Pages of events read to price a window (a 7-day window of a busy endpoint stops here, and says so).
MAX_EVENT_PAGES = 20


@dataclass(frozen=True, slots=True)
class Window:
    label: str
    span: timedelta
    #: The API's granularity word: one bucket per minute for an hour, per hour beyond (a day per bucket
    #: would draw a 7-day window as seven bars).
    granularity: str

    @property
    def buckets(self) -> int:
        step = {"1m": 60, "1h": 3600, "1d": 86400}[self.granularity]
        return max(1, round(self.span.total_seconds() / step))


WINDOWS = (
    Window("1 h", timedelta(hours=1), "1m"),
    Window("24 h", timedelta(hours=24), "1h"),
    Window("7 d", timedelta(days=7), "1h"),
)


@runtime_checkable
class AnalyticsSource(Protocol):
    async def analytics(
        self, endpoint_id: str, *, start: datetime, end: datetime, granularity: str, deployment_id: str | None = None
    ) -> EndpointMetrics: ...


class RefreshPacer:
    """Lets a refresh through at most once per ``seconds`` (a new window or target always goes through)."""

    def __init__(self, seconds: float = REFRESH_SECONDS) -> None:
        self.seconds = seconds
        self._last: datetime | None = None

    def due(self, now: datetime) -> bool:
        return self._last is None or (now - self._last).total_seconds() >= self.seconds

    def mark(self, now: datetime) -> None:
        self._last = now

    def reset(self) -> None:
        self._last = None


async def fetch(
    source: AnalyticsSource, endpoint_id: str, window: Window, now: datetime, deployment_id: str | None = None
) -> EndpointMetrics:
    return await source.analytics(
        endpoint_id, start=now - window.span, end=now, granularity=window.granularity, deployment_id=deployment_id
    )


@dataclass(frozen=True, slots=True)
class Usage:
    """What the window used: replica-hours and dollars (None where the price is unknown)."""

    replica_hours: float
    dollars: float | None
    #: The feed held more than was read: the figures cover only its newest part.
    partial: bool = False


async def window_events(source: EventSource, endpoint_id: str, since: datetime) -> tuple[list[TimelineEvent], bool]:
    """Every event since ``since``, newest first; and whether the read stopped before the end."""
    events: list[TimelineEvent] = []
    cursor: str | None = None
    for _ in range(MAX_EVENT_PAGES):
        page, cursor = await source.list_events(endpoint_id, after=cursor, limit=100, since=since)
        events.extend(page)
        if not cursor:
            return events, False
    return events, True


def replica_hours(
    events: Iterable[TimelineEvent], deployment: Deployment, start: datetime, end: datetime
) -> float:
    """The deployment's desired replicas integrated over [start, end], in hours."""
    scaled = sorted(
        ((e.at, e) for e in events if e.type == "deployment.scaled" and e.deployment_id == deployment.id and e.at),
        key=lambda pair: pair[0],
    )
    inside = [(at, e) for at, e in scaled if start <= at <= end]
    before = [e for at, e in scaled if at < start]
    if before:
        count = before[-1].new_replicas or 0
    elif inside:
        count = inside[0][1].old_replicas or 0
    else:
        count = deployment.desired_replicas if deployment.desired_replicas is not None else (
            deployment.ready_replicas or 0
        )
    total = 0.0
    moment = start
    for at, event in inside:
        total += count * (at - moment).total_seconds()
        moment, count = at, event.new_replicas or 0
    total += count * (end - moment).total_seconds()
    return total / 3600.0


def usage(
    events: Sequence[TimelineEvent],
    endpoint: Endpoint,
    start: datetime,
    end: datetime,
    prices: Mapping[str, float | None],
    *,
    deployment_id: str | None = None,
    partial: bool = False,
) -> Usage:
    """Replica-hours and $ over the window; ``prices`` is deployment id -> $ per replica-hour."""
    hours = 0.0
    dollars: float | None = 0.0
    for deployment in endpoint.deployments:
        if deployment_id not in (None, deployment.id):
            continue
        used = replica_hours(events, deployment, start, end)
        hours += used
        price = prices.get(deployment.id)
        if used and price is None:
            dollars = None
        elif dollars is not None and price is not None:
            dollars += used * price
    return Usage(hours, dollars, partial)


def price_per_replica(deployment: Deployment, hardware_prices: Mapping[str, float | None]) -> float | None:
    """$ per replica-hour: the provider's figure for what runs now, else the hardware's list price."""
    billed = deployment.ready_replicas if deployment.ready_replicas is not None else deployment.desired_replicas
    if deployment.dollars_per_hour is not None and billed:
        return deployment.dollars_per_hour / billed
    return hardware_prices.get(deployment.hardware)


def configured_burn(endpoint: Endpoint, deployment_id: str | None = None) -> float | None:
    """What the endpoint (or one deployment) bills per hour right now; None when a part is unknown."""
    total = 0.0
    for deployment in endpoint.deployments:
        if deployment_id not in (None, deployment.id):
            continue
        if deployment.dollars_per_hour is None:
            return None
        total += deployment.dollars_per_hour
    return total


def utilisation_percent(value: float | None) -> float | None:
    """The API's utilisation, which the SDK documents as a percentage, kept within 0..100."""
    if value is None:
        return None
    return min(max(value, 0.0), 100.0)
