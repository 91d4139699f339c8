"""A re-sort of the same rows keeps the selected row where it was on screen, from the first frame after it."""

from __future__ import annotations

from rich.text import Text
from textual.app import App, ComposeResult
from textual.pilot import Pilot

from tui.app.widgets.endpoint_cells import RowView
from tui.app.widgets.endpoint_table import EndpointTable


def view(index: int, name: str) -> RowView:
    return RowView(key=f"ep-{index:03d}", cells={"name": Text(name), "state": Text("STARTED")},
                   sort_keys={"name": (name,), "state": ("STARTED",)})


class Host(App[None]):
    CSS = "EndpointTable { height: 11; }"

    def compose(self) -> ComposeResult:
        yield EndpointTable(id="table")


async def selected_and_scrolled(pilot: Pilot[None], table: EndpointTable, rows: list[RowView], key: str,
                                scroll: int) -> int:
    """The table holding ``rows``, ``key`` selected and the table scrolled to ``scroll``: the selected row's
    height on screen."""
    table.set_columns({"name": 20, "state": 10})
    table.sync(rows)
    await pilot.pause()
    table.select(key)
    table.scroll_to(y=scroll, animate=False, immediate=True)
    await pilot.pause()
    return table.cursor_row - int(table.scroll_y)


async def test_the_selected_row_keeps_its_height_on_screen_from_the_first_frame_after_a_re_sort() -> None:
    app = Host()
    async with app.run_test(size=(60, 20)) as pilot:
        table = app.query_one(EndpointTable)
        rows = [view(i, f"name-{i:03d}") for i in range(60)]
        height_on_screen = await selected_and_scrolled(pilot, table, rows, "ep-030", 26)
        assert table.cursor_row == 30 and 0 <= height_on_screen < 10
        # Its details came: it now sorts ten rows lower; the other rows stay.
        table.update_rows([view(30, "name-040b")])
        assert table.selected_key == "ep-030" and table.cursor_row == 40
        # Already there when the next frame is drawn (it was drawn once at the old scroll, then again).
        assert table.cursor_row - int(table.scroll_y) == height_on_screen
        await pilot.pause()
        assert table.cursor_row - int(table.scroll_y) == height_on_screen


async def test_rows_added_with_a_re_sort_scroll_once_the_table_is_measured() -> None:
    app = Host()
    async with app.run_test(size=(60, 20)) as pilot:
        table = app.query_one(EndpointTable)
        rows = [view(i, f"name-{i:03d}") for i in range(0, 60, 2)]
        # Scrolled to the bottom: the table is 30 rows.
        height_on_screen = await selected_and_scrolled(pilot, table, rows, "ep-056", 20)
        # New rows between the old ones, and one old row moved: a sync that adds and re-sorts.
        more = [view(i, f"name-{i:03d}") for i in range(1, 60, 2)]
        table.sync(sorted([*rows, *more], key=lambda row: row.key))
        await pilot.pause()
        await pilot.pause()
        # At row 56 of 60, past where the table of 30 could scroll: measured first, then scrolled.
        assert table.selected_key == "ep-056" and table.cursor_row == 56
        assert table.cursor_row - int(table.scroll_y) == height_on_screen


async def test_a_re_sort_just_after_rows_came_waits_for_the_table_to_be_measured() -> None:
    """Rows came in one sync and, before the table was measured, a detail moved the selected row among
    them: scrolled at once, the scroll would be held to the old, shorter table."""
    app = Host()
    async with app.run_test(size=(60, 20)) as pilot:
        table = app.query_one(EndpointTable)
        rows = [view(i, f"name-{i:03d}") for i in range(30)]
        height_on_screen = await selected_and_scrolled(pilot, table, rows, "ep-025", 20)
        table.sync([*rows, *(view(i, f"name-{i:03d}") for i in range(30, 60))])
        table.update_rows([view(25, "name-045b")])
        for _ in range(3):
            await pilot.pause()
        assert table.selected_key == "ep-025" and table.cursor_row == 45
        assert table.cursor_row - int(table.scroll_y) == height_on_screen


async def test_until_the_cursor_is_placed_it_stays_on_the_first_row_as_rows_come_and_re_sort() -> None:
    """At start rows come in batches and re-sort as details arrive: the cursor stays on the top row (it
    followed whichever row was first in the first batch: the demo opened on its fourth row). Once a key,
    a click or the app places it, it follows its row again."""
    app = Host()
    async with app.run_test(size=(60, 20)) as pilot:
        table = app.query_one(EndpointTable)
        table.set_columns({"name": 20, "state": 10})
        table.sync([view(5, "name-m"), view(6, "name-n")])
        await pilot.pause()
        assert table.selected_key == "ep-005"
        table.sync([view(i, name) for i, name in ((5, "name-m"), (6, "name-n"), (1, "name-a"), (2, "name-b"))])
        await pilot.pause()
        assert table.cursor_row == 0 and table.selected_key == "ep-001"
        table.update_rows([view(1, "name-z")])  # its details came: it sorts last now
        assert table.cursor_row == 0 and table.selected_key == "ep-002"

        await pilot.press("down")
        assert table.selected_key == "ep-005"
        table.update_rows([view(5, "name-0")])
        assert table.selected_key == "ep-005" and table.cursor_row == 0
        table.update_rows([view(5, "name-y")])
        assert table.selected_key == "ep-005" and table.cursor_row == 2
