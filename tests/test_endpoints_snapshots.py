"""What the Endpoints pane looks like: the table (wide and 80x24), the detail panel with a state
timeline, the start and delete confirmations, the help screen, and the stale table after an API error."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from apptools import make_app, select_row, settle

from tui.api.http import RetryPolicy
from tui.app.app import TogetherApp
from tui.simulator import Faults, ManualClock, SimulatorServer


async def select(pilot: Any, title_part: str) -> str:
    app: TogetherApp = pilot.app
    endpoint = next(e for e in app.context.store.endpoints.values() if title_part in e.title)
    await select_row(app, pilot, endpoint.id)
    return endpoint.id


async def quiet(pilot: Any) -> None:
    pilot.app.clear_notifications()
    await pilot.pause()


def test_table_wide(snap_compare: Any, sim_server: SimulatorServer) -> None:
    async def run_before(pilot: Any) -> None:
        await settle(pilot)
        await select(pilot, "Qwen 7B")

    assert snap_compare(make_app(sim_server), terminal_size=(120, 36), run_before=run_before)


def test_table_80x24(snap_compare: Any, sim_server: SimulatorServer) -> None:
    async def run_before(pilot: Any) -> None:
        await settle(pilot)
        await select(pilot, "GPT-OSS 20B")

    assert snap_compare(make_app(sim_server), terminal_size=(80, 24), run_before=run_before)


def test_detail_panel_with_state_timeline(snap_compare: Any, start_simulator: Any, clock: ManualClock) -> None:
    server = start_simulator(speed=1.0)
    app = make_app(server, clock=lambda: datetime.fromtimestamp(clock(), UTC))

    async def run_before(pilot: Any) -> None:
        await settle(pilot)
        await select(pilot, "Gemma")
        await pilot.press("s", "y")  # start, and confirm its $/hour
        await settle(pilot)
        for seconds in (31, 150):
            clock.advance(seconds)
            pilot.app.context.store.poll_now()
            await settle(pilot)
        await quiet(pilot)

    assert snap_compare(app, terminal_size=(120, 40), run_before=run_before)


def test_delete_confirmation_of_a_running_endpoint(snap_compare: Any, sim_server: SimulatorServer) -> None:
    async def run_before(pilot: Any) -> None:
        await settle(pilot)
        await select(pilot, "Qwen 7B")
        await pilot.press("d")
        await pilot.pause()

    assert snap_compare(make_app(sim_server), terminal_size=(100, 30), run_before=run_before)


def test_help_lists_the_endpoint_keys(snap_compare: Any, sim_server: SimulatorServer) -> None:
    async def run_before(pilot: Any) -> None:
        await settle(pilot)
        await pilot.press("question_mark")
        await pilot.pause()

    assert snap_compare(make_app(sim_server), terminal_size=(110, 36), run_before=run_before)


def test_stale_table_after_a_server_error(snap_compare: Any, sim_server: SimulatorServer) -> None:
    app = make_app(sim_server, client_options={"retry": RetryPolicy(max_retries=0)},
                   refresh_interval=10.0, fast_refresh_interval=2.0)

    async def run_before(pilot: Any) -> None:
        await settle(pilot)
        sim_server.sim.faults = Faults(error_status=503)
        pilot.app.context.store.poll_now()
        await settle(pilot)

    assert snap_compare(app, terminal_size=(100, 30), run_before=run_before)


def test_start_confirmation_with_its_price(snap_compare: Any, sim_server: SimulatorServer) -> None:
    async def run_before(pilot: Any) -> None:
        await settle(pilot)
        await select(pilot, "Gemma")
        await pilot.press("s")
        await quiet(pilot)

    assert snap_compare(make_app(sim_server), terminal_size=(80, 24), run_before=run_before)
