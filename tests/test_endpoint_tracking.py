"""The endpoint rules in tui.core, without Textual: polling, cost, details, timeline, waits, layout."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tui.api.domain import Endpoint, HardwareOption, Phase
from tui.api.errors import (
    AuthenticationError,
    ConnectionFailedError,
    NotFoundError,
    RateLimitError,
    ServerError,
)
from tui.core.costs import Burn, burn_per_hour, cost_once_started, hourly_cost
from tui.core.details import DetailCache, fetch_bounded
from tui.core.format import format_age, format_duration, format_price, hardware_label
from tui.core.listing import COLUMNS, filter_terms, matches, plan_columns, sort_keys
from tui.core.polling import PollScheduler, describe_error
from tui.core.timeline import StateTimeline
from tui.core.waits import WaitResult, WaitTarget, WaitTracker

NOW = datetime(2026, 1, 15, 12, 0, tzinfo=UTC)
PHASES = {"PENDING": Phase.PENDING, "STARTING": Phase.STARTING, "STARTED": Phase.READY,
          "STOPPING": Phase.STOPPING, "STOPPED": Phase.STOPPED, "ERROR": Phase.FAILED}
H100 = HardwareOption("2x_nvidia_h100_80gb_sxm", "h100-80gb", 2, 80, "sxm", price_per_hour=7.98)
L40S = HardwareOption("1x_nvidia_l40s", "l40s-48gb", 1, 48, "pcie", price_per_hour=2.0)


def endpoint(state: str = "STARTED", *, id: str = "endpoint-1", detailed: bool = True, **fields: Any) -> Endpoint:
    base = Endpoint(
        id=id, name=f"me/{id}", model="openai/gpt-oss-20b", state=state, phase=PHASES.get(state, Phase.UNKNOWN),
        created_at=NOW - timedelta(days=3), display_name=f"Title {id}",
        hardware_id=H100.id if detailed else None, min_replicas=1 if detailed else None,
        max_replicas=3 if detailed else None, detailed=detailed,
    )
    return replace(base, **fields)


def at(seconds: float) -> datetime:
    return NOW + timedelta(seconds=seconds)


@pytest.mark.parametrize(("seconds", "text"), [(0, "0s"), (59, "59s"), (60, "1m"), (3599, "59m"),
                                               (3600, "1h"), (86399, "23h"), (86400, "1d"), (41 * 86400, "41d")])
def test_format_age(seconds: int, text: str) -> None:
    assert format_age(timedelta(seconds=seconds)) == text


@pytest.mark.parametrize(("seconds", "text"), [(45, "45 s"), (181, "3 min 1 s"), (180, "3 min"),
                                               (3900, "1 h 5 min"), (7200, "2 h")])
def test_format_duration(seconds: int, text: str) -> None:
    assert format_duration(seconds) == text


def test_hardware_label_comes_from_specs_not_the_id() -> None:
    assert hardware_label(H100, H100.id) == "2x H100 SXM"
    assert hardware_label(L40S, "1x_nvidia_l40s") == "1x L40S PCIe"
    assert hardware_label(None, "mystery_hw") == "mystery_hw"
    assert hardware_label(None, None) == ""


# Cost


def test_cost_is_price_times_min_replicas_while_started_and_zero_when_not_running() -> None:
    running = endpoint("STARTED", min_replicas=2)
    assert hourly_cost(running, H100) == pytest.approx(15.96)
    for state in ("STOPPED", "ERROR", "PENDING", "STARTING", "STOPPING"):
        assert hourly_cost(endpoint(state), H100) == 0.0
    assert hourly_cost(endpoint("DEGRADED"), H100) is None  # unknown state: not guessed
    assert hourly_cost(running, None) is None
    assert hourly_cost(endpoint("STARTED", detailed=False), H100) is None
    assert hourly_cost(endpoint("STARTED", kind="serverless"), H100) is None


def test_burn_sums_started_dedicated_endpoints_only() -> None:
    hardware = {H100.id: H100, L40S.id: L40S}
    endpoints = [
        endpoint("STARTED", id="a", min_replicas=2),
        endpoint("STARTED", id="b", hardware_id=L40S.id, min_replicas=1),
        endpoint("STOPPED", id="c"),
        endpoint("STARTING", id="d"),
        endpoint("STARTED", id="e", kind="serverless"),
    ]
    burn = burn_per_hour(endpoints, hardware)
    assert burn.known == pytest.approx(7.98 * 2 + 2.0) and burn.certain
    assert burn.per_hour() == "$17.96/h" and burn.per_day() == "$431.04/day"
    assert burn_per_hour([], hardware) == Burn(0.0, 0)
    assert burn_per_hour([], None).per_hour() == "$0.00/h"


def test_burn_with_prices_missing_says_what_is_known_and_that_part_is_unknown() -> None:
    hardware = {H100.id: H100}
    running = [
        endpoint("STARTED", id="a", min_replicas=1),
        endpoint("STARTED", id="b", hardware_id="not_in_the_list", min_replicas=1),
        endpoint("STOPPED", id="c", hardware_id="not_in_the_list"),
    ]
    burn = burn_per_hour(running, hardware)
    assert burn == Burn(7.98, 1)
    assert burn.per_hour() == "$7.98/h + ?" and burn.per_day() == "$191.52/day + ?"
    # The hardware list failed to load: running endpoints are not a confident $0.00.
    failed = burn_per_hour(running, None)
    assert failed == Burn(0.0, 2) and failed.per_hour() == "?/h"
    # A state the app does not know may be billing too.
    assert burn_per_hour([endpoint("DEGRADED")], hardware).per_hour() == "?/h"
    # Only stopped endpoints: nothing bills, whatever the prices.
    assert burn_per_hour([running[2]], None).per_hour() == "$0.00/h"


@pytest.mark.parametrize("price", [float("nan"), float("inf"), float("-inf"), -3.0])
def test_a_price_that_is_not_a_price_is_unknown_never_nan_inf_or_negative(price: float) -> None:
    broken = replace(H100, price_per_hour=price)
    running = endpoint("STARTED", min_replicas=2)
    assert hourly_cost(running, broken) is None
    assert cost_once_started(running, broken) is None
    assert burn_per_hour([running], {H100.id: broken}).per_hour() == "?/h"
    assert format_price(price, cents=True) == "?"


# Polling


def test_poll_interval_is_fast_while_busy_and_slow_when_steady() -> None:
    scheduler = PollScheduler(slow=10, fast=2)
    assert scheduler.interval(busy=True) == 2
    assert scheduler.interval(busy=False) == 10


def test_poll_backs_off_exponentially_on_errors_and_resets_on_success() -> None:
    scheduler = PollScheduler(slow=10, fast=2, max_backoff=60)
    delays = []
    for _ in range(6):
        scheduler.failed(ConnectionFailedError("down"))
        delays.append(scheduler.interval(busy=True))
    assert delays == [4, 8, 16, 32, 60, 60]
    scheduler.succeeded(NOW)
    assert scheduler.interval(busy=True) == 2 and scheduler.ok(NOW)


def test_poll_never_retries_before_retry_after() -> None:
    scheduler = PollScheduler(slow=10, fast=2)
    scheduler.failed(RateLimitError("slow down", retry_after=30))
    assert scheduler.interval(busy=False) == 30
    scheduler.schedule(NOW, busy=False)
    assert scheduler.status(NOW) == "rate limited — retrying in 30 s"


def test_status_lines() -> None:
    scheduler = PollScheduler(slow=10, fast=2)
    assert scheduler.status(NOW) == "connecting…"
    scheduler.succeeded(NOW)
    assert scheduler.status(at(1)) == "updated just now"
    assert scheduler.status(at(3)) == "updated 3 s ago"
    assert scheduler.status(at(150)) == "updated 2 min ago"
    scheduler.failed(ServerError("boom", status=503))
    scheduler.schedule(at(150), busy=False)
    assert scheduler.stale(at(150))
    assert scheduler.status(at(150)) == "503 server error — retrying in 4 s · stale, updated 2 min ago"
    assert describe_error(AuthenticationError("no", status=401)) == "401 authentication failed"
    assert describe_error(ValueError("bug")) == "unexpected error (ValueError)"


def test_a_poll_unanswered_for_10_s_is_hung_not_green() -> None:
    scheduler = PollScheduler(slow=10, fast=2)
    scheduler.succeeded(NOW)
    scheduler.sent(at(120))
    assert scheduler.ok(at(129)) and not scheduler.stale(at(129))
    assert scheduler.status(at(129)) == "updated 2 min ago"
    assert not scheduler.ok(at(130)) and scheduler.stale(at(130))
    assert scheduler.status(at(132)) == "no answer for 12 s — r tries again · stale, updated 2 min ago"
    scheduler.answered()
    assert scheduler.ok(at(200)) and scheduler.waited(at(200)) is None


# Details


def test_details_are_fetched_once_then_on_state_change_or_invalidation() -> None:
    cache = DetailCache()
    listed = [endpoint("STARTED", id="a", detailed=False), endpoint("STOPPED", id="b", detailed=False),
              endpoint("STARTED", id="s", detailed=False, kind="serverless")]
    assert cache.wanted(listed) == ["a", "b"]
    cache.store(endpoint("STARTED", id="a"))
    cache.store(endpoint("STOPPED", id="b"))
    assert cache.wanted(listed) == []
    changed = [replace(listed[0], state="STOPPING", phase=Phase.STOPPING), listed[1]]
    assert cache.wanted(changed) == ["a"]
    cache.invalidate(["b"])
    assert cache.wanted(listed) == ["b"]
    cache.invalidate()
    assert cache.wanted(listed) == ["a", "b"]


def test_merge_keeps_the_listed_state_and_fills_in_details() -> None:
    cache = DetailCache()
    cache.store(endpoint("STARTING", id="a", display_name="Nice", extra={"old": 1}))
    merged = cache.merge(endpoint("STARTED", id="a", detailed=False, display_name=None, extra={"new": 2}))
    assert merged.state == "STARTED" and merged.phase is Phase.READY
    assert merged.display_name == "Nice" and merged.hardware_id == H100.id and merged.max_replicas == 3
    assert merged.detailed and merged.extra == {"old": 1, "new": 2}
    cache.prune(["b"])
    assert "a" not in cache and cache.merge(endpoint("STARTED", id="a", detailed=False)).detailed is False


async def test_fetch_bounded_never_exceeds_its_concurrency() -> None:
    in_flight = peak = 0
    results: list[str] = []

    async def fetch(item: str) -> str:
        nonlocal in_flight, peak
        in_flight += 1
        peak = max(peak, in_flight)
        await asyncio.sleep(0.001)
        in_flight -= 1
        return item.upper()

    ids = [f"e{i}" for i in range(40)]
    await fetch_bounded(ids, fetch, concurrency=4, on_result=lambda _, r: results.append(r), on_error=lambda *_: True)
    assert peak == 4 and sorted(results) == sorted(i.upper() for i in ids)


async def test_fetch_bounded_stops_on_an_error_that_says_stop_and_skips_404s() -> None:
    calls: list[str] = []

    async def fetch(item: str) -> str:
        calls.append(item)
        if item == "gone":
            raise NotFoundError("deleted")
        if item == "limit":
            raise RateLimitError("slow down")
        return item

    got: list[str] = []
    await fetch_bounded(
        ["a", "gone", "b", "limit", "c", "d", "e"], fetch, concurrency=1,
        on_result=lambda _, r: got.append(r), on_error=lambda _, e: isinstance(e, NotFoundError),
    )
    assert got == ["a", "b"] and calls == ["a", "gone", "b", "limit"]


# Timeline


def test_timeline_records_changes_and_events_and_measures_a_full_climb() -> None:
    timeline = StateTimeline()
    stopped = endpoint("STOPPED")
    assert timeline.observe(stopped, at(0))
    assert not timeline.observe(stopped, at(5))
    timeline.note(stopped.id, "start requested", at(10))
    for seconds, state in ((11, "PENDING"), (41, "STARTING"), (191, "STARTED")):
        timeline.observe(endpoint(state), at(seconds))
    assert [o.state for o in timeline.history(stopped.id)] == [
        "STOPPED", "start requested", "PENDING", "STARTING", "STARTED"]
    assert timeline.time_to_ready(stopped.id) == timedelta(seconds=181)


def test_time_to_ready_is_unknown_when_the_climb_was_under_way_at_first_sight() -> None:
    timeline = StateTimeline()
    timeline.observe(endpoint("STARTING"), at(0))
    timeline.observe(endpoint("STARTED"), at(60))
    assert timeline.time_to_ready("endpoint-1") is None
    timeline.observe(endpoint("STOPPED"), at(100))
    timeline.observe(endpoint("PENDING"), at(200))
    timeline.observe(endpoint("STARTED"), at(290))
    assert timeline.time_to_ready("endpoint-1") == timedelta(seconds=90)


def test_timeline_is_bounded() -> None:
    timeline = StateTimeline(limit=5)
    for index in range(20):
        timeline.observe(endpoint("STARTED" if index % 2 else "STOPPED"), at(index))
    assert len(timeline.history("endpoint-1")) == 5


# Waits


def test_wait_reaches_its_target() -> None:
    waits = WaitTracker(timedelta(minutes=30))
    waits.expect(endpoint("STOPPED"), WaitTarget.READY, NOW)
    assert waits.check({"endpoint-1": endpoint("PENDING")}, at(10)) == []
    [outcome] = waits.check({"endpoint-1": endpoint("STARTED")}, at(190))
    assert outcome.result is WaitResult.REACHED and outcome.severity == "information"
    assert outcome.message == "Title endpoint-1 is STARTED after 3 min 10 s: ready for requests."
    assert len(waits) == 0


def test_wait_stops_on_error_times_out_and_notices_deletion() -> None:
    waits = WaitTracker(timedelta(minutes=1))
    waits.expect(endpoint("STOPPED", id="a"), WaitTarget.READY, NOW)
    waits.expect(endpoint("STOPPED", id="b"), WaitTarget.READY, NOW)
    waits.expect(endpoint("STARTED", id="c"), WaitTarget.STOPPED, NOW)
    outcomes = waits.check({"a": endpoint("ERROR", id="a"), "b": endpoint("PENDING", id="b")}, at(61))
    assert {o.endpoint_id: o.result for o in outcomes} == {
        "a": WaitResult.FAILED, "b": WaitResult.TIMED_OUT, "c": WaitResult.GONE}
    assert next(o for o in outcomes if o.endpoint_id == "a").severity == "error"


def test_a_start_that_ends_stopped_is_reported_only_after_a_transition() -> None:
    waits = WaitTracker(timedelta(minutes=30))
    waits.expect(endpoint("STOPPED"), WaitTarget.READY, NOW)
    assert waits.check({"endpoint-1": endpoint("STOPPED")}, at(1)) == []  # the service catching up
    assert waits.check({"endpoint-1": endpoint("PENDING")}, at(5)) == []
    [outcome] = waits.check({"endpoint-1": endpoint("STOPPED")}, at(50))
    assert outcome.result is WaitResult.DIVERTED


# Filtering, sorting, layout


def test_filter_terms_must_all_match_somewhere() -> None:
    e = endpoint("STARTED", display_name="Support bot", model="meta-llama/Llama-3.3-70B")
    assert matches(e, "2x H100 SXM", filter_terms("support llama"))
    assert matches(e, "2x H100 SXM", filter_terms("h100 started"))
    assert not matches(e, "2x H100 SXM", filter_terms("support stopped"))
    assert matches(e, "", [])


def test_sort_keys_order_states_by_urgency_and_break_ties_by_name() -> None:
    failed, running, stopped = endpoint("ERROR", id="z"), endpoint("STARTED", id="a"), endpoint("STOPPED", id="m")
    by_state = sorted([stopped, running, failed], key=lambda e: sort_keys(e, "", None)["state"])
    assert [e.id for e in by_state] == ["z", "a", "m"]
    young = endpoint(id="y", created_at=NOW - timedelta(hours=1))
    assert sort_keys(young, "", None)["age"] < sort_keys(running, "", None)["age"]
    assert sort_keys(running, "", 5.0)["cost"] > sort_keys(stopped, "", 0.0)["cost"]


@pytest.mark.parametrize("width", [40, 60, 78, 100, 118, 160, 240])
def test_column_plan_fits_the_width_and_keeps_the_essentials(width: int) -> None:
    plan = plan_columns(width)
    assert next(iter(plan)) == "name" and "state" in plan
    if width >= 60:
        assert "cost" in plan
    used = sum(w + 2 for w in plan.values())
    assert used <= width or list(plan) == ["name"]
    assert list(plan) == [c.key for c in COLUMNS if c.key in plan]  # table order, not priority order


def test_column_plan_shows_everything_when_wide_and_drops_age_first() -> None:
    assert len(plan_columns(118)) == 7
    assert "age" not in plan_columns(78) and "model" in plan_columns(78)
