"""The first frame: what start-up avoids doing twice."""

from __future__ import annotations

import pytest
from fakes import FakeProvider, endpoint

from tui.app.app import TogetherApp
from tui.core.app_config import AppConfig


async def test_the_first_screen_wears_its_height_class_before_its_first_styles(monkeypatch: pytest.MonkeyPatch) -> None:
    """The Resize that follows the first compose finds the breakpoint class already there (added after the
    first style pass, it restyled every widget once more before the first frame)."""
    classes_at_compose: list[set[str]] = []
    compose = TogetherApp.compose

    def composing(self: TogetherApp):  # type: ignore[no-untyped-def]
        classes_at_compose.append(set(self.screen.classes))
        yield from compose(self)

    monkeypatch.setattr(TogetherApp, "compose", composing)
    for height, wanted, other in ((36, "-tall", "-short"), (16, "-short", "-tall")):
        app = TogetherApp(FakeProvider.with_endpoints(endpoint("ep-1")), AppConfig(refresh_interval=60))  # type: ignore[arg-type]
        async with app.run_test(size=(120, height)) as pilot:
            await pilot.pause()
            assert app.screen.has_class(wanted) and not app.screen.has_class(other)
        assert wanted in classes_at_compose[-1] and other not in classes_at_compose[-1]


async def test_the_first_frame_after_the_list_shows_its_rows_and_the_tables_keys() -> None:
    """A list that is in before a frame is drawn in that frame (the columns need no layout first), and the
    table has the focus from the first frame: the key bar shows its keys in the first frame with rows, and
    they light up once a row is selected."""
    from tui.app.widgets.endpoint_table import EndpointTable
    from tui.app.widgets.key_bar import KeyBar

    provider = FakeProvider.with_endpoints(*(endpoint(f"ep-{index}") for index in range(30)))
    app = TogetherApp(provider, AppConfig(refresh_interval=60))  # type: ignore[arg-type]
    footer_in_frames: list[set[str]] = []
    #: Each frame drawn once the first list was in: how many rows it showed.
    rows_once_listed: list[int] = []
    display = app._display

    def recording_display(screen: object, renderable: object) -> None:
        listed = app.context.store.loaded
        display(screen, renderable)  # type: ignore[arg-type]
        tables = app.query(EndpointTable)
        rows = tables.first().row_count if tables else 0
        if listed:
            rows_once_listed.append(rows)
        if rows and not footer_in_frames:
            footer_in_frames.append({key.key for key in app.screen.query_one(KeyBar).keys})

    app._display = recording_display  # type: ignore[method-assign]
    async with app.run_test(size=(120, 36)) as pilot:
        for _ in range(20):
            await pilot.pause(0.02)
            if footer_in_frames:
                break
        assert footer_in_frames, "no frame with rows was drawn"
        # The columns are planned before the first layout: no frame after the list came in lacks its rows.
        assert rows_once_listed and rows_once_listed[0] == 30, rows_once_listed[:3]
        assert "s" in footer_in_frames[0]
        await pilot.pause(0.3)
        keys = {key.key: key for key in app.screen.query_one(KeyBar).keys}
        assert keys["s"].enabled


async def test_a_modal_closed_with_no_focus_on_another_pane_leaves_that_pane_showing() -> None:
    """The table's focus at start is for the first frame only: later, with nothing focused on the Chat
    pane, closing a modal must not focus the hidden table (which would bring the Endpoints tab back)."""
    from tui.app.screens.help import HelpScreen

    app = TogetherApp(FakeProvider.with_endpoints(endpoint("ep-1")), AppConfig(refresh_interval=60))  # type: ignore[arg-type]
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        app.action_show_pane("chat")
        for _ in range(5):
            await pilot.pause()
        assert app.active_pane == "chat"
        app.set_focus(None)
        await app.push_screen(HelpScreen())
        await pilot.pause()
        app.pop_screen()
        for _ in range(5):
            await pilot.pause()
        assert app.active_pane == "chat"


async def test_the_rows_of_the_first_screen_are_detailed_first_when_they_are_in_the_first_frame() -> None:
    """The list is in before the first layout, so the table holds its rows before it has a height: the
    store must still hear which rows are on screen (the top of the name order, not the list's order) and
    read their details first."""
    from tui.app.widgets.endpoint_table import EndpointTable

    count = 120
    # Listed in the reverse of the name order the table sorts by.
    endpoints = [endpoint(f"ep-{index:03d}") for index in reversed(range(count))]
    provider = FakeProvider.with_endpoints(*endpoints, detailed_lists=False)
    app = TogetherApp(provider, AppConfig(refresh_interval=60))  # type: ignore[arg-type]
    async with app.run_test(size=(120, 36)) as pilot:
        table = app.query_one(EndpointTable)
        for _ in range(100):
            await pilot.pause(0.02)
            if len(provider.called("get_endpoint")) >= 40:
                break
        on_screen = table.visible_keys()
        assert 5 <= len(on_screen) < 40, on_screen
        assert on_screen[0] == "ep-000"
        # One read may go before the pane exists (the store picks in list order until told the rows).
        first_read = [args[0] for args in provider.called("get_endpoint")[: len(on_screen) + 1]]
        assert set(on_screen) <= set(first_read), (first_read, on_screen)
