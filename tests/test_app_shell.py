"""The shell: panes by number, help, the palette, the header, settings problems, the theme remembered."""

from __future__ import annotations

import io
import sys
from typing import Any

import pytest
from apptools import make_app, settle
from fakes import FakeProvider, endpoint
from rich.console import Console
from textual import events
from textual.geometry import Size
from textual.widgets import Static

from tui.app.app import TogetherApp
from tui.app.main_screen import MainScreen
from tui.app.screens.help import HelpScreen
from tui.app.widgets.pane_tabs import PaneTabs
from tui.core.app_config import AppConfig
from tui.settings import load_settings
from tui.simulator import SimulatorServer


def shown_pane(app: TogetherApp) -> str:
    """The pane on screen, whose tab is lit."""
    assert app.query_one(PaneTabs).active == app.active_pane
    return app.active_pane


async def test_panes_by_number(sim_server: SimulatorServer) -> None:
    app = make_app(sim_server)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        for key, pane in (("2", "hardware"), ("1", "endpoints"), ("3", "chat")):
            await pilot.press(key)
            await settle(pilot)
            assert shown_pane(app) == pane


async def test_brackets_cycle_the_panes(sim_server: SimulatorServer) -> None:
    app = make_app(sim_server)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await pilot.press("right_square_bracket")
        await settle(pilot)
        assert shown_pane(app) == "hardware"
        await pilot.press("left_square_bracket", "left_square_bracket")
        await settle(pilot)
        assert shown_pane(app) == "chat"


async def test_a_pane_shown_stays_shown_when_the_old_panes_focus_is_hidden_late(sim_server: SimulatorServer) -> None:
    """The old pane's focused table hears Hide after the switch on a busy machine: Textual then moves the
    focus to a sibling in the old pane, which must not bring the old pane back."""
    app = make_app(sim_server)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        for pane, old in (("hardware", "endpoints"), ("chat", "hardware"), ("endpoints", "chat")):
            focused = app.screen.focused
            assert focused is not None and app.panes[old] in focused.ancestors
            app.action_show_pane(pane)
            focused.post_message(events.Hide())
            await settle(pilot)
            assert shown_pane(app) == pane
            assert app.screen.focused is not None and app.panes[pane] in app.screen.focused.ancestors


async def test_help_lists_the_keys_in_force_and_closes_with_escape(sim_server: SimulatorServer) -> None:
    app = make_app(sim_server)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        await settle(pilot)
        assert isinstance(app.screen, HelpScreen)
        text = app.export_screenshot()
        for description in ("Endpoints", "Hardware", "Chat", "Help"):
            assert description in text
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, HelpScreen)


def help_lines(app: TogetherApp) -> list[str]:
    """Every line of the help text, however long (not only what fits on screen)."""
    body = app.screen.query_one("#help-keys", Static)
    console = Console(width=100, record=True, file=io.StringIO())
    console.print(body.content)
    return [line.rstrip() for line in console.export_text().splitlines()]


async def test_help_lists_the_apps_own_keys_by_pane_those_in_force_first(sim_server: SimulatorServer) -> None:
    app = make_app(sim_server, keymap={"endpoints.delete": "D"})
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        for pane, heading in (("1", "Endpoints pane (1)"), ("2", "Hardware pane (2)")):
            await pilot.press(pane)
            await settle(pilot)
            await pilot.press("question_mark")
            await settle(pilot)
            lines = help_lines(app)
            headings = [line for line in lines if "in force here" in line]
            # The pane in front comes first; the table's moves and the app's keys are in force too.
            assert lines[0] == f"{heading}  in force here"
            assert any(line.startswith("Everywhere  in force here") for line in headings)
            assert any(line.startswith("Moving in tables and text") and "in force" in line for line in headings)
            text = "\n".join(lines)
            # Textual's internals are not the app's keys.
            for internal in ("Page Left", "super+c", "^pgup", "Cursor up", "Select", "Minimize"):
                assert internal not in text
            assert any(line.startswith("D ") and "Delete" in line for line in lines), "the user's remap is named"
            assert any(line.startswith("q ") and "Quit" in line for line in lines)
            assert any(line.startswith("^q ") and "Quit" in line for line in lines)
            await pilot.press("escape")
            await settle(pilot)


async def test_help_from_the_chat_prompt_by_the_palette_puts_the_chat_first(sim_server: SimulatorServer) -> None:
    """Opened where "?" is a letter, help still knows what is in force (the prompt, not the screen's bindings)."""
    app = make_app(sim_server)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await pilot.press("3")
        await settle(pilot)
        await pilot.press("question_mark")
        await settle(pilot)
        assert not isinstance(app.screen, HelpScreen)
        command = next(c for c in app.get_system_commands(app.screen) if c.title == "Help")
        command.callback()  # type: ignore[call-arg]
        await settle(pilot)
        assert isinstance(app.screen, HelpScreen)
        assert help_lines(app)[0] == "Chat pane (3)  in force here"


async def test_the_palette_offers_every_panes_actions_from_anywhere(sim_server: SimulatorServer) -> None:
    app = make_app(sim_server)
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.press("3")
        await pilot.pause()
        titles = {command.title for command in app.get_system_commands(app.screen)}
        assert {"Show endpoints pane", "Show hardware pane", "Show chat pane", "Help"} <= titles
        assert {"Endpoints: Start", "Endpoints: Delete", "Hardware: Model", "Chat: Export"} <= titles
        # Running one from another pane switches to its pane first.
        command = next(c for c in app.get_system_commands(app.screen) if c.title == "Hardware: Model")
        await command.callback()  # type: ignore[misc]
        await pilot.pause()
        assert app.active_pane == "hardware"


async def test_the_palette_leaves_out_what_read_only_forbids(sim_server: SimulatorServer) -> None:
    app = make_app(sim_server, read_only=True)
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        titles = {command.title for command in app.get_system_commands(app.screen)}
        assert "Endpoints: Refresh" in titles
        assert not {"Endpoints: Start", "Endpoints: Delete", "Hardware: New endpoint"} & titles


async def test_the_header_says_demo_read_only(sim_server: SimulatorServer) -> None:
    app = make_app(sim_server, read_only=True)
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        header = app.export_screenshot()
        assert "DEMO" in header and "READ-ONLY" in header


async def test_the_header_shows_the_profile_and_base_url_outside_the_demo(sim_server: SimulatorServer) -> None:
    app = make_app(sim_server, demo=False, profile="work")
    async with app.run_test(size=(160, 36)) as pilot:
        await pilot.pause()
        screen = app.export_screenshot()
        assert "work" in screen and "127.0.0.1" in screen


async def test_settings_problems_are_shown_once_the_app_is_up(sim_server: SimulatorServer) -> None:
    app = make_app(sim_server, settings_problems=("settings.toml: refresh_interval: must be >= 1",))
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        assert any("refresh_interval" in n.message for n in app._notifications)


async def test_a_theme_picked_is_remembered_in_the_settings_file(sim_server: SimulatorServer) -> None:
    app = make_app(sim_server, remember_theme=True)
    async with app.run_test(size=(120, 36)) as pilot:
        app.theme = "nord"
        await settle(pilot)
    assert load_settings().settings.theme == "nord"


async def test_the_theme_is_not_written_when_unchanged(sim_server: SimulatorServer) -> None:
    app = make_app(sim_server, remember_theme=True)
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
    assert not load_settings().path.exists()


async def test_keys_are_remapped_from_the_settings_keymap(sim_server: SimulatorServer) -> None:
    app = make_app(sim_server, keymap={"app.help": "f1", "app.pane.hardware": "h"})
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await pilot.press("h")
        await settle(pilot)
        assert shown_pane(app) == "hardware"
        await pilot.press("f1")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)


async def test_a_resize_to_the_size_laid_out_lays_nothing_out_and_a_real_one_does(
        sim_server: SimulatorServer, monkeypatch: Any) -> None:
    """Textual sends the screen two Resizes at the start with the size it has just been laid out at (the
    terminal's first size, and its own first layout's): each laid the whole screen out again."""
    resized: list[Size] = []
    refresh_layout = MainScreen._refresh_layout

    def counted(self: MainScreen, size: Size | None = None, scroll: bool = False) -> None:
        if sys._getframe(1).f_code.co_name == "_screen_resized":
            resized.append(size or self.size)
        refresh_layout(self, size, scroll)

    monkeypatch.setattr(MainScreen, "_refresh_layout", counted)
    app = make_app(sim_server)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        assert resized == []
        app.screen.post_message(events.Resize(Size(120, 36), Size(120, 36)))
        await settle(pilot)
        assert resized == []
        await pilot.resize_terminal(100, 30)
        await settle(pilot)
        assert Size(100, 30) in resized and app.screen.size == Size(100, 30)
        table = app.query_one("#endpoints-table")
        assert table.region.right <= 100 and table.size.width > 0


@pytest.mark.parametrize("count", [3, 30])
async def test_the_first_frame_is_the_one_layout_until_something_changes(count: int, monkeypatch: Any) -> None:
    """From the start to a settled screen, one layout of the screen: the requests made while the first frame
    mounted and styled (the screen's own flag, the widgets' messages read after it, a scrollbar styled late)
    are answered by it, not by a second full layout a few frames later. A change after that still lays out."""
    layouts: list[str] = []
    refresh_layout = MainScreen._refresh_layout

    def counted(self: MainScreen, size: Size | None = None, scroll: bool = False) -> None:
        if not scroll or self._layout_widgets:
            layouts.append(sys._getframe(1).f_code.co_name)
        refresh_layout(self, size, scroll)

    monkeypatch.setattr(MainScreen, "_refresh_layout", counted)
    provider = FakeProvider.with_endpoints(*(endpoint(f"ep-{index:02d}") for index in range(count)),
                                           detailed_lists=False)
    app = TogetherApp(provider, AppConfig(refresh_interval=60))  # type: ignore[arg-type]
    async with app.run_test(size=(120, 36)) as pilot:
        for _ in range(20):
            await pilot.pause(0.05)
        assert app.query_one("#endpoints-table").row_count == count
        assert layouts == ["_on_screen_resume"]
        await pilot.press("slash")  # the filter's input comes: a layout, and it is on screen
        await pilot.pause(0.2)
        assert len(layouts) > 1 and app.query_one("#endpoints-filter").region.height > 0


async def test_a_tab_clicked_shows_its_pane_and_the_label_under_the_pointer_lights_up(
    sim_server: SimulatorServer,
) -> None:
    app = make_app(sim_server)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        tabs = app.query_one(PaneTabs)
        spans = tabs.spans()
        assert list(spans) == ["endpoints", "hardware", "chat"]
        # Each label where it is drawn: " 1 Endpoints  2 Hardware  3 Chat " on the tabs' first row.
        drawn = "".join(segment.text for segment in tabs.render_line(0))
        for pane, (start, end) in spans.items():
            assert drawn[start:end].strip() == tabs.labels[pane]
        await pilot.hover(PaneTabs, offset=(spans["chat"][0] + 2, 0))
        assert tabs.hovered == "chat"
        await pilot.click(PaneTabs, offset=(spans["hardware"][0] + 2, 1))  # the bar beneath a label too
        await settle(pilot)
        assert shown_pane(app) == "hardware"
        assert app.screen.focused is not None and app.panes["hardware"] in app.screen.focused.ancestors
        await pilot.click(PaneTabs, offset=(spans["chat"][1] + 10, 0))  # past the last label: nothing
        await settle(pilot)
        assert shown_pane(app) == "hardware"
        await pilot.click(PaneTabs, offset=(spans["endpoints"][0] + 1, 0))
        await settle(pilot)
        assert shown_pane(app) == "endpoints" and not tabs.can_focus


async def test_focus_that_lands_in_a_hidden_pane_goes_back_to_the_pane_on_screen(sim_server: SimulatorServer) -> None:
    """A modal's answer focuses its pane's table (the delete dialog's does) after the palette switched panes
    under the modal: the keys must act on the pane on screen, never on a hidden one."""
    app = make_app(sim_server)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await app.push_screen(HelpScreen())
        await pilot.pause()
        app.action_show_pane("chat")  # what the palette's "Show chat pane" does, on any screen
        await settle(pilot)
        app.pop_screen()
        await pilot.pause()
        app.endpoints_pane.focus_default()  # the modal's answer, as endpoint_actions gives it
        await settle(pilot)
        assert shown_pane(app) == "chat"
        focused = app.screen.focused
        assert focused is not None and app.built_pane("chat") in focused.ancestors


async def test_a_click_on_the_tab_on_screen_leaves_the_focus_where_it_is(sim_server: SimulatorServer) -> None:
    app = make_app(sim_server)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await pilot.press("2")
        await settle(pilot)
        hardware = await app.ensure_pane("hardware")
        other = next(widget for widget in hardware.query("*") if widget.focusable and widget is not app.focused)
        other.focus()
        await settle(pilot)
        tabs = app.query_one(PaneTabs)
        await pilot.click(PaneTabs, offset=(tabs.spans()["hardware"][0] + 2, 0))
        await settle(pilot)
        assert app.focused is other and shown_pane(app) == "hardware"


@pytest.mark.parametrize("width", [20, 26])
async def test_in_a_narrow_terminal_the_active_tab_stays_in_view_and_clickable(
    sim_server: SimulatorServer, width: int
) -> None:
    app = make_app(sim_server)
    async with app.run_test(size=(width, 24)) as pilot:
        await settle(pilot)
        await pilot.press("3")
        await settle(pilot)
        tabs = app.query_one(PaneTabs)
        drawn = "".join(segment.text for segment in tabs.render_line(0))
        bar = "".join(segment.text for segment in tabs.render_line(1))
        assert "3 Chat" in drawn and len(drawn.rstrip()) <= width
        lit = drawn.index("3 Chat")
        assert set(bar[lit:lit + len("3 Chat")]) == {"━"}  # the lit bar under the label on screen
        await pilot.click(PaneTabs, offset=(lit + 1, 0))  # the label where it is drawn: its own pane, nothing else
        await settle(pilot)
        assert shown_pane(app) == "chat"
        app.action_show_pane("endpoints")  # a key would be text in the chat's prompt
        await settle(pilot)
        assert "1 Endpoints" in "".join(segment.text for segment in tabs.render_line(0))
