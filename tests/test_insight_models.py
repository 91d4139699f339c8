"""The models behind the events, metrics and traffic-split screens, without the UI: boot phases and time
to ready from events, replica-hours over a window, effective shares and refusals, and the analytics
wire read as data (hostile names cleaned, bad numbers unknown)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tui.api.domain import Deployment, Endpoint, Phase, TimelineEvent
from tui.api.together.v2.insight import AnalyticsReport, metrics_from_wire
from tui.core import metrics, traffic
from tui.core.events_feed import EventsFeed, duration_text, level_label

T0 = datetime(2026, 1, 15, 12, 0, tzinfo=UTC)


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def event(seq: int, seconds: float, type_: str, **fields: object) -> TimelineEvent:
    return TimelineEvent(id=f"evt_{seq:04d}", at=at(seconds), level=str(fields.pop("level", "LEVEL_INFO")),
                         type=type_, message=str(fields.pop("message", "")), **fields)  # type: ignore[arg-type]


def deployment(dep_id: str, *, weight: float = 1.0, ready: int = 1, desired: int | None = None,
               dollars: float | None = 2.0) -> Deployment:
    return Deployment(id=dep_id, name=f"demo/ep/{dep_id}", model="m", hardware="1xh100", state="READY",
                      phase=Phase.READY, ready_replicas=ready, traffic_weight=weight, dollars_per_hour=dollars,
                      desired_replicas=desired if desired is not None else ready)


def test_boot_phases_and_time_to_ready_come_from_the_events() -> None:
    feed = EventsFeed("ep_1")
    feed.merge([
        event(1, 0, "deployment.scaled", deployment_id="dep_a", old_replicas=0, new_replicas=1),
        event(2, 40, "pod.startup_phase_changed", deployment_id="dep_a", replica_id="r1", reason="PullingImage"),
        event(3, 70, "pod.startup_phase_changed", deployment_id="dep_a", replica_id="r1", reason="Starting"),
        event(4, 85, "pod.startup_phase_changed", deployment_id="dep_a", replica_id="r1", reason="LoadingWeights"),
        event(5, 160, "pod.startup_phase_changed", deployment_id="dep_a", replica_id="r1", reason="StartupComplete"),
        event(6, 160, "condition.set", deployment_id="dep_a", reason="AllReplicasReady", status="True"),
        # Stopped, then started again: a second start, still under way.
        event(7, 600, "deployment.scaled", deployment_id="dep_a", old_replicas=1, new_replicas=0),
        event(8, 900, "deployment.scaled", deployment_id="dep_a", old_replicas=0, new_replicas=2),
    ])
    [boot] = feed.boots()
    assert boot.ready and boot.total == timedelta(seconds=120)
    assert [(s.label, duration_text(s.duration)) for s in boot.steps] == [
        ("pulling image", "30s"), ("starting", "15s"), ("loading weights", "1m 15s"), ("ready", "?"),
    ]
    latest, first = feed.starts()
    assert first.duration == timedelta(seconds=160) and latest.ready_at is None
    assert [e.id for e in feed.events][:2] == ["evt_0008", "evt_0007"]
    # The same events again add nothing.
    assert feed.merge([event(8, 900, "deployment.scaled")]) == []


def test_levels_are_labelled_and_filtered_from_a_floor() -> None:
    feed = EventsFeed("ep_1")
    feed.merge([event(1, 0, "a"), event(2, 1, "b", level="LEVEL_WARN"), event(3, 2, "a", level="LEVEL_ERROR"),
                event(4, 3, "c", level="LEVEL_SHOUTY")])
    assert [level_label(e.level) for e in feed.events] == ["shouty", "error", "warn", "info"]
    assert [e.id for e in feed.shown(min_level="LEVEL_WARN")] == ["evt_0003", "evt_0002"]
    assert [e.id for e in feed.shown(event_type="a")] == ["evt_0003", "evt_0001"]
    assert feed.types() == ["a", "b", "c"]


def test_replica_hours_follow_the_scaling_events_across_the_window() -> None:
    dep = deployment("dep_a", ready=2, desired=2)
    events = [
        event(1, -7200, "deployment.scaled", deployment_id="dep_a", old_replicas=0, new_replicas=1),
        event(2, 1800, "deployment.scaled", deployment_id="dep_a", old_replicas=1, new_replicas=2),
    ]
    # One replica for the first half hour, two for the second.
    assert metrics.replica_hours(events, dep, at(0), at(3600)) == pytest.approx(1.5)
    # No event in or before the window: today's count throughout.
    assert metrics.replica_hours([], dep, at(0), at(3600)) == pytest.approx(2.0)
    endpoint = Endpoint(id="ep", name="demo/ep", model="m", state="", phase=Phase.READY, deployments=(dep,))
    used = metrics.usage(events, endpoint, at(0), at(3600), {"dep_a": 3.0})
    assert used.replica_hours == pytest.approx(1.5) and used.dollars == pytest.approx(4.5)
    assert metrics.usage(events, endpoint, at(0), at(3600), {"dep_a": None}).dollars is None
    assert [w.buckets for w in metrics.WINDOWS] == [60, 24, 168]


def test_effective_shares_flags_and_refusals() -> None:
    endpoint = Endpoint(
        id="ep", name="demo/ep", model="m", state="", phase=Phase.READY,
        deployments=(deployment("a", weight=3, ready=2), deployment("b", weight=1, ready=0),
                     deployment("c", weight=0, ready=1)),
    )
    rows = traffic.rows_of(endpoint)
    assert traffic.shares(rows) == {"a": 1.0, "b": 0.0, "c": 0.0}
    assert [r.flag for r in rows] == [None, "no ready replica: routes nothing", "ready, weight 0: gets no traffic"]
    assert traffic.refusal(rows) is None
    only_unready = traffic.with_weights(rows, {"a": 0, "b": 5, "c": 0})
    assert "no ready replica (b)" in (traffic.refusal(only_unready) or "")
    assert "Every weight is 0" in (traffic.refusal(traffic.with_weights(rows, {"a": 0, "b": 0})) or "")
    halves = traffic.with_weights(rows, {"a": 1, "c": 2})
    assert traffic.shares(halves) == {"a": pytest.approx(0.5), "b": 0.0, "c": pytest.approx(0.5)}
    assert traffic.parse_weight(" 2.5 ") == (2.5, None)
    assert traffic.parse_weight("-1")[1] and traffic.parse_weight("nan")[1] and traffic.parse_weight("1e9")[1]


def test_the_analytics_wire_is_data() -> None:
    report = AnalyticsReport.model_validate({
        "timeRange": {"startTime": "2026-01-15T11:00:00Z", "endTime": "2026-01-15T12:00:00Z"},
        "metrics": {
            "requestMetrics": {"totalRequests": "12", "failedRequests": "nan", "requestsByStatusCode": {
                "200": "11", "\x1b]52;c;aGk=\x07503": "1", "429": -3}},
            "latencyMetrics": {"ttftP50Ms": 120.5, "itlP99Ms": "inf"},
            "resourceUtilization": {"gpuUtilization": 41.5},
            "deploymentMetrics": [
                {"deploymentId": "dep_a", "requestMetrics": {"totalRequests": "9"}},
                {"requestMetrics": {"totalRequests": "3"}},
                "not an object",
            ],
        },
        "timeSeries": [{"timestamp": "2026-01-15T11:00:00Z", "values": {"requests": 3, "\x1b[31mred": 1}}, 7],
    })
    figures = metrics_from_wire(report, "ep_1", None)
    assert figures.total_requests == 12 and figures.failed_requests is None
    assert figures.requests_by_status == {"200": 11, "503": 1}
    assert figures.ttft_ms.p50 == 120.5 and figures.itl_ms.p99 is None
    assert figures.gpu_utilization == 41.5 and metrics.utilisation_percent(figures.gpu_utilization) == 41.5
    assert figures.series_names == ["requests", "red"] and figures.series_of("requests") == [3.0]
    assert figures.start == at(-3600)
    [part] = figures.deployments
    assert (part.deployment_id, part.total_requests, part.endpoint_id) == ("dep_a", 9, "ep_1")
