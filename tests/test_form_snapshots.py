"""What the create and update forms look like: empty, filled, and with errors (wide and 80x24)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from apptools import make_app, settle
from textual.widgets import Input

from tui.app.app import TogetherApp
from tui.app.messages import OpenUpdateForm
from tui.simulator import SimulatorServer

LLAMA = "meta-llama/Llama-3.3-70B-Instruct-Turbo"
GPT_OSS_20B = "openai/gpt-oss-20b"


async def over_hardware_pane(pilot: Any) -> None:
    """Open forms over the Hardware pane: the background is then this issue's own pane."""
    await settle(pilot)
    pilot.app.action_show_pane("hardware")
    await settle(pilot)


def still_cursors(app: TogetherApp) -> None:
    for box in app.screen.query(Input):
        box.cursor_blink = False


def open_create(*presses: str, **kwargs: Any) -> Callable[[Any], Awaitable[None]]:
    async def run_before(pilot: Any) -> None:
        await over_hardware_pane(pilot)
        pilot.app.open_create_form(**kwargs)
        await settle(pilot)
        still_cursors(pilot.app)
        await pilot.press(*presses)
        await settle(pilot)

    return run_before


def open_update(*presses: str) -> Callable[[Any], Awaitable[None]]:
    async def run_before(pilot: Any) -> None:
        app: TogetherApp = pilot.app
        await over_hardware_pane(pilot)
        listed = next(e for e in await app.provider.list_endpoints() if e.model == GPT_OSS_20B)
        app.post_message(OpenUpdateForm(await app.provider.get_endpoint(listed.id)))
        await settle(pilot)
        still_cursors(app)
        await pilot.press(*presses)
        await settle(pilot)

    return run_before


def test_create_empty(snap_compare: Any, sim_server: SimulatorServer) -> None:
    assert snap_compare(make_app(sim_server), terminal_size=(120, 36), run_before=open_create())


def test_create_filled(snap_compare: Any, sim_server: SimulatorServer) -> None:
    run_before = open_create("tab", *"Llama batch", "tab", "1", "tab", "3", "tab", "0", model=LLAMA)
    assert snap_compare(make_app(sim_server), terminal_size=(120, 36), run_before=run_before)


def test_create_with_errors(snap_compare: Any, sim_server: SimulatorServer) -> None:
    run_before = open_create("tab", "tab", "x", "tab", "0", "tab", "-", "5", "ctrl+s")
    assert snap_compare(make_app(sim_server), terminal_size=(120, 36), run_before=run_before)


def test_update_unchanged(snap_compare: Any, sim_server: SimulatorServer) -> None:
    assert snap_compare(make_app(sim_server), terminal_size=(120, 36), run_before=open_update())


def test_update_with_preview(snap_compare: Any, sim_server: SimulatorServer) -> None:
    run_before = open_update("end", *" v2", "tab", "2", "tab", "4", "tab", "3", "0")
    assert snap_compare(make_app(sim_server), terminal_size=(120, 36), run_before=run_before)


def test_update_with_errors_80x24(snap_compare: Any, sim_server: SimulatorServer) -> None:
    run_before = open_update("backspace", "tab", "5", "tab", "ctrl+s")
    assert snap_compare(make_app(sim_server), terminal_size=(80, 24), run_before=run_before)
