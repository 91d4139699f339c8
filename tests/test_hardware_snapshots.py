"""What the Hardware pane looks like: all hardware, narrowed to a model with the calculator, 80x24 with a
filter and unavailable rows hidden, and the model picker."""

from __future__ import annotations

from typing import Any

from apptools import make_app, settle
from textual.widgets import Input

from tui.app.app import TogetherApp
from tui.simulator import SimulatorServer

LLAMA = "meta-llama/Llama-3.3-70B-Instruct-Turbo"


async def show_hardware(pilot: Any, model: str | None = None) -> None:
    app: TogetherApp = pilot.app
    await settle(pilot)
    app.action_show_pane("hardware")
    await settle(pilot)
    if model is not None:
        await app.hardware_pane.show_model(model)
        await settle(pilot)


def still_cursors(app: TogetherApp) -> None:
    for box in app.screen.query(Input):
        box.cursor_blink = False


def test_all_hardware(snap_compare: Any, sim_server: SimulatorServer) -> None:
    async def run_before(pilot: Any) -> None:
        await show_hardware(pilot)

    assert snap_compare(make_app(sim_server), terminal_size=(120, 36), run_before=run_before)


def test_model_with_availability_and_calculator(snap_compare: Any, sim_server: SimulatorServer) -> None:
    async def run_before(pilot: Any) -> None:
        await show_hardware(pilot, LLAMA)
        await pilot.press("down", "down", "c", "2", "tab", "8", "escape")
        await settle(pilot)

    assert snap_compare(make_app(sim_server), terminal_size=(120, 36), run_before=run_before)


def test_80x24_filtered_without_unavailable(snap_compare: Any, sim_server: SimulatorServer) -> None:
    async def run_before(pilot: Any) -> None:
        await show_hardware(pilot, LLAMA)
        await pilot.press("u", "slash", *"a100", "enter")
        await settle(pilot)

    assert snap_compare(make_app(sim_server), terminal_size=(80, 24), run_before=run_before)


def test_model_picker(snap_compare: Any, sim_server: SimulatorServer) -> None:
    async def run_before(pilot: Any) -> None:
        await show_hardware(pilot)
        await pilot.press("m")
        await settle(pilot)
        await pilot.press(*"oss")
        still_cursors(pilot.app)
        await settle(pilot)

    assert snap_compare(make_app(sim_server), terminal_size=(100, 30), run_before=run_before)


def test_80x24_with_a_model_keeps_header_break_even_and_hint(snap_compare: Any, sim_server: SimulatorServer) -> None:
    async def run_before(pilot: Any) -> None:
        await show_hardware(pilot, LLAMA)

    assert snap_compare(make_app(sim_server), terminal_size=(80, 24), run_before=run_before)


def test_40_columns_keeps_price_and_availability(snap_compare: Any, sim_server: SimulatorServer) -> None:
    async def run_before(pilot: Any) -> None:
        await show_hardware(pilot, LLAMA)

    assert snap_compare(make_app(sim_server), terminal_size=(40, 16), run_before=run_before)
