"""The metrics screen against the v2 simulator: figures from the chat traffic really sent, the windows and
their granularity, sparklines, the self-refresh at most once a minute, one deployment, the window's cost."""

from __future__ import annotations

from typing import Any

from apptools import make_app, settle
from formtools import until
from insight_tools import account, chat_over_time, endpoint_named, loaded, requests_for, show, text_of, v2_app
from textual.widgets import Sparkline
from v2_tools import Start

from tui.app.messages import OpenMetrics
from tui.app.screens.metrics import MetricsScreen
from tui.core.format import format_money
from tui.core.metrics import configured_burn
from tui.simulator import ManualClock, SimulatorServer


def metrics_screen(name: str, deployment: str | None = None, **options: Any) -> Any:
    def make(app: Any) -> MetricsScreen:
        endpoint = endpoint_named(app, name)
        dep = next((d.id for d in endpoint.deployments if d.title == deployment), None) if deployment else None
        return MetricsScreen(app.context, endpoint, dep, **options)

    return make


def analytics_requests(server: SimulatorServer) -> list[Any]:
    return requests_for(server, "/analytics")


async def test_figures_and_sparklines_come_from_the_traffic_sent(start_simulator: Start, clock: ManualClock) -> None:
    server = account(start_simulator)
    app = v2_app(server, clock, app_follows_clock=True)
    async with app.run_test(size=(120, 36)) as pilot:
        await loaded(pilot)
        support = endpoint_named(app, "support-bot")
        await chat_over_time(app, clock, support.name, 30, 70)
        screen = await show(pilot, metrics_screen("support-bot"), lambda s: s.fetches >= 1)
        figures = text_of(screen, "#metrics-figures")
        assert "Requests" in figures and " 30 " in figures and "failed 0" in figures
        assert "200: 30" in figures
        assert "TTFT" in figures and "Inter-token" in figures and "use " in figures
        requests = screen.query_one("#metrics-spark-requests", Sparkline)
        assert sum(requests.data or []) == 30 and len(requests.data or []) == 60
        [asked] = analytics_requests(server)
        assert asked.query["granularity"] == "1m" and asked.query["includeTimeSeries"] == "true"
        assert asked.query["startTime"] == "2026-01-15T11:35:10Z" and asked.query["endTime"] == "2026-01-15T12:35:10Z"
        split = text_of(screen, "#metrics-deployments")
        assert "By deployment (latency p50)" in split
        assert "gpt-oss-20b-h100" in split and "gpt-oss-20b-h200" in split
        parts = screen.metrics.deployments if screen.metrics else ()
        assert sum(p.total_requests or 0 for p in parts) == 30 and all(p.total_requests for p in parts)
        cost = text_of(screen, "#metrics-cost")
        burn = configured_burn(app.context.store.get(support.id) or support)
        # Two deployments at one replica each for the whole hour: two replica-hours at today's burn.
        assert f"configured burn now {format_money(burn)}/h" in cost
        assert f"2.0 replica-hours, {format_money(burn)}" in cost


async def test_w_moves_through_the_windows_with_their_granularity(start_simulator: Start, clock: ManualClock) -> None:
    server = account(start_simulator)
    app = v2_app(server, clock, app_follows_clock=True)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await show(pilot, metrics_screen("llama-staging"), lambda s: s.fetches >= 1)
        await pilot.press("w")
        await until(pilot, lambda: screen.fetches >= 2, "the 24 h window")
        assert "last 24 h (per 1h)" in text_of(screen, "#metrics-title")
        await pilot.press("w")
        await until(pilot, lambda: screen.fetches >= 3, "the 7 d window")
        assert "last 7 d (per 1h)" in text_of(screen, "#metrics-title")
        asked = [(r.query["granularity"], r.query["startTime"]) for r in analytics_requests(server)]
        assert asked == [
            ("1m", "2026-01-15T11:00:00Z"),
            ("1h", "2026-01-14T12:00:00Z"),
            ("1h", "2026-01-08T12:00:00Z"),
        ]
        assert len(screen.query_one("#metrics-spark-requests", Sparkline).data or []) == 168
        # Stopped (scaled to 0/0) eleven days ago: nothing used in the last seven.
        assert "0.0 replica-hours, $0.00" in text_of(screen, "#metrics-cost")


async def test_refreshes_by_itself_at_most_once_a_minute_while_shown(
    start_simulator: Start, clock: ManualClock
) -> None:
    server = account(start_simulator)
    app = v2_app(server, clock, app_follows_clock=True)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await show(pilot, metrics_screen("support-bot", check_seconds=0.05), lambda s: s.fetches >= 1)
        clock.advance(30)
        await pilot.pause(0.5)
        assert len(analytics_requests(server)) == 1, "not again within the minute"
        clock.advance(31)
        await until(pilot, lambda: len(analytics_requests(server)) == 2, "the refresh a minute later")
        await pilot.press("escape")
        await settle(pilot)
        clock.advance(120)
        await pilot.pause(0.5)
        assert len(analytics_requests(server)) == 2, "nothing once closed"
        assert screen.fetches == 2


async def test_one_deployment_by_message(start_simulator: Start, clock: ManualClock) -> None:
    server = account(start_simulator)
    app = v2_app(server, clock, app_follows_clock=True)
    async with app.run_test(size=(120, 36)) as pilot:
        await loaded(pilot)
        support = endpoint_named(app, "support-bot")
        canary = next(d for d in support.deployments if d.title == "gpt-oss-20b-h200")
        app.post_message(OpenMetrics(support, canary.id))
        await until(pilot, lambda: isinstance(app.screen, MetricsScreen) and app.screen.fetches >= 1, "metrics")
        assert "gpt-oss-20b-h200 only" in text_of(app.screen, "#metrics-title")
        [asked] = analytics_requests(server)
        assert asked.query["deploymentId"] == canary.id
        burn = configured_burn(support, canary.id)
        assert f"1.0 replica-hours, {format_money(burn)}" in text_of(app.screen, "#metrics-cost")


async def test_a_provider_without_metrics_says_so(sim_server: SimulatorServer) -> None:
    app = make_app(sim_server)
    async with app.run_test(size=(120, 36)) as pilot:
        await loaded(pilot)
        endpoint = next(iter(app.context.store.endpoints.values()))
        screen = MetricsScreen(app.context, endpoint)
        app.push_screen(screen)
        await settle(pilot)
        assert "reports no metrics" in text_of(screen, "#metrics-figures")
        assert not [r for r in sim_server.sim.requests("GET") if "analytics" in r.path]


def _traffic_then_metrics(clock: ManualClock) -> Any:
    async def run_before(pilot: Any) -> None:
        app = await loaded(pilot)
        await chat_over_time(app, clock, endpoint_named(app, "support-bot").name, 30, 70)
        await show(pilot, metrics_screen("support-bot"), lambda s: s.fetches >= 1)
        await settle(pilot)

    return run_before


def test_snapshot_metrics_wide(snap_compare: Any, start_simulator: Start, clock: ManualClock) -> None:
    app = v2_app(account(start_simulator), clock, app_follows_clock=True)
    assert snap_compare(app, terminal_size=(120, 36), run_before=_traffic_then_metrics(clock))


def test_snapshot_metrics_80x24(snap_compare: Any, start_simulator: Start, clock: ManualClock) -> None:
    app = v2_app(account(start_simulator), clock, app_follows_clock=True)
    assert snap_compare(app, terminal_size=(80, 24), run_before=_traffic_then_metrics(clock))


async def test_a_refusal_is_shown_and_the_figures_stay_unknown(start_simulator: Start, clock: ManualClock) -> None:
    server = account(start_simulator)
    app = v2_app(server, clock, app_follows_clock=True)
    async with app.run_test(size=(120, 36)) as pilot:
        await loaded(pilot)
        support = endpoint_named(app, "support-bot")
        screen = MetricsScreen(app.context, support, "dep_gone")
        app.push_screen(screen)
        await until(pilot, lambda: screen.problem is not None, "the refusal")
        status = text_of(screen, "#metrics-status")
        assert status.startswith("Could not fetch metrics:") and "dep_gone" in status
        assert screen.metrics is None and text_of(screen, "#metrics-figures") == ""
