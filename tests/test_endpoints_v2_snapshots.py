"""What the Endpoints pane looks like on today's Together account: the tree table at 80x24 and 140x40,
narrow at 60x20, the smart-delete confirmation (and at 60x20, with its buttons), and the scale dialog."""

from __future__ import annotations

from typing import Any

from apptools import select_row, settle
from tree_tools import deployment_id, endpoint_id, make_tree_app, today

from tui.simulator import ManualClock


async def quiet(pilot: Any) -> None:
    pilot.app.clear_notifications()
    await pilot.pause()


async def select(pilot: Any, key: str) -> None:
    await select_row(pilot.app, pilot, key)


def _table(snap_compare: Any, start_simulator: Any, clock: ManualClock, size: tuple[int, int]) -> bool:
    app = make_tree_app(today(start_simulator), clock)

    async def run_before(pilot: Any) -> None:
        await settle(pilot)
        await select(pilot, deployment_id(pilot.app, "gpt-oss-20b-h100"))
        await quiet(pilot)

    return bool(snap_compare(app, terminal_size=size, run_before=run_before))


def test_tree_table_140x40(snap_compare: Any, start_simulator: Any, clock: ManualClock) -> None:
    assert _table(snap_compare, start_simulator, clock, (140, 40))


def test_tree_table_80x24(snap_compare: Any, start_simulator: Any, clock: ManualClock) -> None:
    assert _table(snap_compare, start_simulator, clock, (80, 24))


def test_tree_table_60x20(snap_compare: Any, start_simulator: Any, clock: ManualClock) -> None:
    assert _table(snap_compare, start_simulator, clock, (60, 20))


def _delete(snap_compare: Any, start_simulator: Any, clock: ManualClock, size: tuple[int, int]) -> bool:
    app = make_tree_app(today(start_simulator), clock)

    async def run_before(pilot: Any) -> None:
        await settle(pilot)
        await select(pilot, endpoint_id(pilot.app, "support-bot"))
        await pilot.press("d")
        await settle(pilot)
        await quiet(pilot)

    return bool(snap_compare(app, terminal_size=size, run_before=run_before))


def test_smart_delete_confirmation(snap_compare: Any, start_simulator: Any, clock: ManualClock) -> None:
    assert _delete(snap_compare, start_simulator, clock, (110, 34))


def test_smart_delete_confirmation_60x20_shows_its_buttons(
    snap_compare: Any, start_simulator: Any, clock: ManualClock
) -> None:
    assert _delete(snap_compare, start_simulator, clock, (60, 20))


def test_scale_dialog_with_its_cost_range(snap_compare: Any, start_simulator: Any, clock: ManualClock) -> None:
    app = make_tree_app(today(start_simulator), clock)

    async def run_before(pilot: Any) -> None:
        await settle(pilot)
        await select(pilot, deployment_id(pilot.app, "gpt-oss-20b-h100"))
        await pilot.press("S")
        await settle(pilot)
        await quiet(pilot)

    assert snap_compare(app, terminal_size=(100, 30), run_before=run_before)
