"""k9s and lazydocker habits: j/k, g/G, Home/End in both tables, j/k in help, q to quit (asking first
while a request is out), and none of these letters taken from a filter box that is being typed into."""

from __future__ import annotations

from typing import Any

import pytest
from apptools import make_app, screen_text, settle
from textual import events
from textual.widgets import DataTable, Input

from tui.app.screens.confirm_quit import ConfirmQuitScreen
from tui.app.screens.help import HelpBody, HelpScreen
from tui.app.widgets.endpoint_table import EndpointTable
from tui.app.widgets.hardware_table import HardwareTable
from tui.simulator import Faults, SimulatorServer


async def open_table(pilot: Any, pane: str) -> DataTable[Any]:
    app = pilot.app
    await settle(pilot)
    if pane == "hardware":
        await pilot.press("2")
        await settle(pilot)
    table: DataTable[Any] = app.query_one(HardwareTable if pane == "hardware" else EndpointTable)
    assert app.screen.focused is table and table.row_count >= 3
    return table


@pytest.mark.parametrize("pane", ["endpoints", "hardware"])
async def test_j_k_g_G_home_and_end_move_the_table_cursor(sim_server: SimulatorServer, pane: str) -> None:
    app = make_app(sim_server)
    async with app.run_test(size=(120, 40)) as pilot:
        table = await open_table(pilot, pane)
        last = table.row_count - 1
        assert table.cursor_row == 0
        await pilot.press("j", "j")
        assert table.cursor_row == 2
        await pilot.press("k")
        assert table.cursor_row == 1
        await pilot.press("G")
        assert table.cursor_row == last
        await pilot.press("g")
        assert table.cursor_row == 0
        await pilot.press("end")
        assert table.cursor_row == last
        await pilot.press("home")
        assert table.cursor_row == 0
        # Still in the same pane: none of these keys is a pane's.
        assert app.active_pane == pane


async def test_j_typed_into_the_filter_stays_text(sim_server: SimulatorServer) -> None:
    app = make_app(sim_server)
    async with app.run_test(size=(120, 40)) as pilot:
        table = await open_table(pilot, "endpoints")
        await pilot.press("j")
        assert table.cursor_row == 1
        await pilot.press("slash", "j", "k", "g", "G", "q")
        await settle(pilot)
        filter_box = app.query_one("#endpoints-filter", Input)
        assert app.screen.focused is filter_box and filter_box.value == "jkgGq"
        assert app.is_running and not isinstance(app.screen, ConfirmQuitScreen)


async def test_the_table_keys_are_remappable(sim_server: SimulatorServer) -> None:
    app = make_app(sim_server, keymap={"table.down": "ctrl+n"})
    async with app.run_test(size=(120, 40)) as pilot:
        table = await open_table(pilot, "endpoints")
        await pilot.press("ctrl+n")
        assert table.cursor_row == 1
        await pilot.press("j")
        assert table.cursor_row == 1


async def test_j_and_k_scroll_help_and_G_goes_to_its_end(sim_server: SimulatorServer) -> None:
    app = make_app(sim_server)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        await settle(pilot)
        assert isinstance(app.screen, HelpScreen)
        body = app.screen.query_one(HelpBody)
        assert app.screen.focused is body and body.max_scroll_y > 0
        await pilot.press("j", "j", "j")
        await pilot.pause()
        assert body.scroll_y == 3
        await pilot.press("k")
        await pilot.pause()
        assert body.scroll_y == 2
        await pilot.press("G")
        await pilot.pause()
        assert body.scroll_y == body.max_scroll_y
        await pilot.press("g")
        await pilot.pause()
        assert body.scroll_y == 0
        # q closes help (its own key), it does not quit the app.
        await pilot.press("q")
        await pilot.pause()
        assert app.is_running and not isinstance(app.screen, HelpScreen)


@pytest.mark.parametrize("pane", ["1", "2"])
async def test_q_quits_from_a_pane_that_is_not_taking_text(sim_server: SimulatorServer, pane: str) -> None:
    app = make_app(sim_server)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press(pane)
        await settle(pilot)
        await pilot.press("q")
        await pilot.pause()
        assert not app.is_running


async def test_q_in_the_chat_prompt_is_a_letter(sim_server: SimulatorServer) -> None:
    app = make_app(sim_server)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("3")
        await settle(pilot)
        await pilot.press("q")
        await settle(pilot)
        assert app.is_running
        assert "q" in screen_text(app)


async def test_q_asks_first_while_a_request_is_out(sim_server: SimulatorServer) -> None:
    app = make_app(sim_server)
    async with app.run_test(size=(120, 40)) as pilot:
        table = await open_table(pilot, "endpoints")
        gemma = next(e for e in app.context.store.endpoints.values() if "Gemma" in e.title)
        table.move_cursor(row=table.get_row_index(gemma.id))
        # The start request goes out and is not answered while q is pressed.
        sim_server.sim.faults = Faults(latency=30.0, route=f"/endpoints/{gemma.id}")
        await pilot.press("s", "y")
        await pilot.pause(0.1)
        assert app.context.store.in_flight(gemma.id)
        await pilot.press("q")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmQuitScreen)
        text = screen_text(app)
        assert "Quit while this is in flight?" in text, text
        assert "• Gemma 3 27B playground: a request you sent is" in text, text
        await pilot.press("n")
        await pilot.pause()
        assert app.is_running and not isinstance(app.screen, ConfirmQuitScreen)
        await pilot.press("q")
        await pilot.pause()
        await pilot.press("y")
        await pilot.pause()
        assert not app.is_running


async def test_q_typed_fast_after_slash_is_not_a_quit(sim_server: SimulatorServer) -> None:
    """Keys arriving in one burst ("/jq" typed fast or pasted): the filter box gets the focus a moment after
    the "/" (Textual defers focus()), so the "q" reaches the app's binding first; it must not quit."""
    app = make_app(sim_server)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        for key, character in (("slash", "/"), ("j", "j"), ("q", "q")):
            app.post_message(events.Key(key, character))
        await settle(pilot)
        assert app.is_running
        assert app.screen.focused is app.query_one("#endpoints-filter", Input)
