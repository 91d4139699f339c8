"""The events timeline against the v2 simulator: live follow with a cursor, boot phases, time to ready,
filters, copy, a deployment's own events, and the session timeline where a provider has no feed."""

from __future__ import annotations

from typing import Any

from apptools import make_app, settle
from formtools import until
from insight_tools import account, endpoint_named, loaded, requests_for, show, text_of, v2_app
from v2_tools import Start

from tui.app.messages import OpenEvents
from tui.app.screens.events import EventsScreen
from tui.app.screens.help import HelpScreen
from tui.simulator import ManualClock, SimulatorServer

FAST = 0.05


def events_screen(name: str, deployment: str | None = None, follow: float = FAST) -> Any:
    def make(app: Any) -> EventsScreen:
        endpoint = endpoint_named(app, name)
        dep = next((d.id for d in endpoint.deployments if d.title == deployment), None) if deployment else None
        return EventsScreen(app.context, endpoint, dep, follow_seconds=follow)

    return make


def rows(screen: EventsScreen) -> list[list[str]]:
    table = screen.query_one("#events-table")
    return [[str(cell) for cell in table.get_row_at(i)] for i in range(table.row_count)]  # type: ignore[attr-defined]


async def test_new_events_appear_without_a_key_and_each_poll_asks_only_since_the_newest(
    start_simulator: Start, clock: ManualClock
) -> None:
    server = account(start_simulator)
    app = v2_app(server, clock)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await show(pilot, events_screen("qwen-eval"), lambda s: s.feed.loaded)
        first = [e.id for e in screen.feed.events]
        assert [r[2] for r in rows(screen)][:2] == ["condition.set", "deployment.scaled"]
        assert "pulling image" not in text_of(screen, "#events-progress")
        calls: list[tuple[Any, list[Any], set[str]]] = []
        source = screen.source
        original = source.list_events

        async def recording(*args: Any, **kwargs: Any) -> Any:
            held = {e.id for e in screen.feed.events}
            events, cursor = await original(*args, **kwargs)
            calls.append((kwargs.get("since"), events, held))
            return events, cursor

        source.list_events = recording  # type: ignore[method-assign]
        clock.advance(100)  # scheduling (40 s) and the first two boot phases
        await until(pilot, lambda: len(screen.feed.events) == len(first) + 3, "the boot events, with no key pressed")
        newest = screen.feed.events[0]
        assert newest.reason == "LoadingWeights" and rows(screen)[0][2] == "pod.startup_phase_changed"
        assert requests_for(server, "/events")[0].query.get("since") is None
        follows = [r for r in requests_for(server, "/events")[1:]]
        assert follows and all(r.query["since"] >= "2026-01-15T11:59:45" for r in follows)
        assert calls and all(since is not None for since, _, _ in calls)
        # Nothing is fetched twice but the events at the very instant a poll asks since (inclusive).
        for since, events, held in calls:
            again = [e for e in events if e.id in held]
            assert all(e.at == since for e in again), (since, [(e.id, e.at) for e in again])


async def test_boot_phases_show_as_a_progress_line_with_durations_and_time_to_ready(
    start_simulator: Start, clock: ManualClock
) -> None:
    server = account(start_simulator)
    app = v2_app(server, clock)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await show(pilot, events_screen("qwen-eval"), lambda s: s.feed.loaded)
        clock.advance(100)
        await until(pilot, lambda: "loading weights…" in text_of(screen, "#events-progress"), "the current phase")
        progress = text_of(screen, "#events-progress")
        assert "pulling image 30s → starting 15s → loading weights… → ready" in progress
        assert "qwen-7b not ready yet" in progress
        clock.advance(100)
        await until(pilot, lambda: "(2m 00s)" in text_of(screen, "#events-progress"), "the replica ready")
        progress = text_of(screen, "#events-progress")
        assert "loading weights 1m 15s → ready  (2m 00s)" in progress
        # From the scale to 1 replica (scheduling 40 s, boot 2 min) to all replicas ready.
        assert "Time to ready: qwen-7b 2m 40s" in progress


async def test_level_and_type_filters_and_y_copies_the_selected_event(
    start_simulator: Start, clock: ManualClock
) -> None:
    server = account(start_simulator)
    app = v2_app(server, clock)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await show(pilot, events_screen("gpt-oss-120b-batch"), lambda s: s.feed.loaded)
        everything = rows(screen)
        assert any(r[1] == "▲ warn" for r in everything) and any(r[1] == "● info" for r in everything)
        await pilot.press("l")
        await settle(pilot)
        warned = rows(screen)
        assert warned and all(r[1] == "▲ warn" for r in warned)
        assert "Cannot place replicas" in warned[0][4]
        assert "level warn+" in text_of(screen, "#events-status")
        await pilot.press("y")
        await settle(pilot)
        assert "LEVEL_WARN deployment.status_updated gpt-oss-120b-b200x8: Cannot place replicas" in app.clipboard
        await pilot.press("l", "l", "t")
        await settle(pilot)
        assert len(rows(screen)) < len(everything)
        assert len({r[2] for r in rows(screen)}) == 1
        assert f"type {rows(screen)[0][2]}" in text_of(screen, "#events-status")


async def test_a_deployment_s_events_only_and_opened_by_message(start_simulator: Start, clock: ManualClock) -> None:
    server = account(start_simulator)
    app = v2_app(server, clock)
    async with app.run_test(size=(120, 36)) as pilot:
        await loaded(pilot)
        support = endpoint_named(app, "support-bot")
        canary = next(d for d in support.deployments if d.title == "gpt-oss-20b-h200")
        app.post_message(OpenEvents(support, canary.id))
        await until(pilot, lambda: isinstance(app.screen, EventsScreen) and app.screen.feed.loaded, "the events")
        screen = app.screen
        assert isinstance(screen, EventsScreen)
        assert "gpt-oss-20b-h200 only" in text_of(screen, "#events-title")
        assert {r[3] for r in rows(screen)} == {"gpt-oss-20b-h200"}
        assert requests_for(server, "/events")[0].query["deploymentIds"] == canary.id
        await pilot.press("escape")
        await settle(pilot)
        assert not isinstance(app.screen, EventsScreen)


async def test_polls_only_while_shown(start_simulator: Start, clock: ManualClock) -> None:
    server = account(start_simulator)
    app = v2_app(server, clock)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await show(pilot, events_screen("support-bot"), lambda s: s.polls >= 2)
        app.push_screen(HelpScreen())
        await settle(pilot)
        under_dialog = len(requests_for(server, "/events"))
        await pilot.pause(FAST * 10)
        assert len(requests_for(server, "/events")) == under_dialog, "no polling under a dialog"
        app.pop_screen()
        polls = screen.polls
        await until(pilot, lambda: screen.polls > polls, "polling again once shown")
        await pilot.press("escape")
        await settle(pilot)
        after_close = len(requests_for(server, "/events"))
        await pilot.pause(FAST * 10)
        assert len(requests_for(server, "/events")) == after_close, "no polling once closed"


async def test_a_provider_without_events_shows_the_session_timeline_and_says_so(sim_server: SimulatorServer) -> None:
    app = make_app(sim_server)
    async with app.run_test(size=(120, 36)) as pilot:
        await loaded(pilot)
        endpoint = next(iter(app.context.store.endpoints.values()))
        screen = EventsScreen(app.context, endpoint, follow_seconds=FAST)
        app.push_screen(screen)
        await until(pilot, lambda: screen.feed.loaded, "the session timeline")
        assert "has no events feed: this is what this app saw this session" in text_of(screen, "#events-source")
        shown = rows(screen)
        assert shown and shown[0][2] == "state" and shown[0][4] == endpoint.state
        assert not [r for r in sim_server.sim.requests("GET") if "events" in r.path]


def _boot_screen(clock: ManualClock) -> Any:
    async def run_before(pilot: Any) -> None:
        await loaded(pilot)
        clock.advance(100)  # qwen-eval's replica is loading its weights
        await show(pilot, events_screen("qwen-eval", follow=3.0), lambda s: len(s.feed.events) >= 7)
        await settle(pilot)

    return run_before


def test_snapshot_events_booting_wide(snap_compare: Any, start_simulator: Start, clock: ManualClock) -> None:
    app = v2_app(account(start_simulator), clock)
    assert snap_compare(app, terminal_size=(120, 36), run_before=_boot_screen(clock))


def test_snapshot_events_booting_80x24(snap_compare: Any, start_simulator: Start, clock: ManualClock) -> None:
    app = v2_app(account(start_simulator), clock)
    assert snap_compare(app, terminal_size=(80, 24), run_before=_boot_screen(clock))


class HostileFeed:
    """A feed whose words look like markup: they must show as typed."""

    async def list_events(self, endpoint_id: str, **_: Any) -> tuple[list[Any], str | None]:
        from datetime import UTC, datetime

        from tui.api.domain import TimelineEvent

        return [
            TimelineEvent(
                id="evt_1", at=datetime(2026, 1, 15, 12, tzinfo=UTC), level="LEVEL_ERROR", type="[red]pod.log",
                message="[@click=app.quit]boom[/] and [bold]not bold", source="[b]x",
            )
        ], None


async def test_event_words_are_data_not_markup(start_simulator: Start, clock: ManualClock) -> None:
    server = account(start_simulator)
    app = v2_app(server, clock)
    async with app.run_test(size=(120, 36)) as pilot:
        def make(app: Any) -> EventsScreen:
            screen = EventsScreen(app.context, endpoint_named(app, "support-bot"), follow_seconds=3600)
            screen.source = HostileFeed()
            return screen

        screen = await show(pilot, make, lambda s: s.feed.loaded)
        [row] = rows(screen)
        assert row[2] == "[red]pod.log" and row[4] == "[@click=app.quit]boom[/] and [bold]not bold"
        assert "[@click=app.quit]boom[/]" in text_of(screen, "#events-detail")
        await pilot.press("y")
        await settle(pilot)
        assert app.clipboard.endswith("[@click=app.quit]boom[/] and [bold]not bold")
        assert app.is_running
