"""LeanTable draws what DataTable draws, but again only where a row changed: a rewritten cell redraws its
row's line, not every line on screen; a one-line Text cell drawn directly matches DataTable's own drawing."""

from __future__ import annotations

from typing import Any

from rich.style import Style
from rich.text import Text
from textual.app import App, ComposeResult
from textual.coordinate import Coordinate
from textual.geometry import Region
from textual.strip import Strip
from textual.widgets import DataTable, Static

from tui.app.widgets import lean_table
from tui.app.widgets.lean_table import LeanTable

WIDTHS = {"name": 18, "state": 10, "cost": 8}


def cells(i: int, word: str = "STARTED") -> list[Text]:
    return [Text(f"endpoint-{i:03d}-with-a-long-name", no_wrap=True, overflow="ellipsis", end=""),
            Text(f"● {word}", style="green" if word == "STARTED" else "red"),
            Text(f"${i}.00", style="bold", justify="right", no_wrap=True, end="")]


class Host(App[None]):
    ROWS = 60

    def compose(self) -> ComposeResult:
        yield LeanTable(cursor_type="row")

    def on_mount(self) -> None:
        table = self.query_one(LeanTable)
        for key, width in WIDTHS.items():
            table.add_column(key, width=width, key=key)
        table.append_rows((f"r{i}", cells(i)) for i in range(self.ROWS))


def screen_lines(table: LeanTable[Any]) -> list[Strip]:
    return table.render_lines(Region(0, 0, table.size.width, table.size.height))


def text_of(strip: Strip) -> str:
    return "".join(segment.text for segment in strip)


async def test_a_rewritten_cell_redraws_its_row_and_leaves_every_other_line_as_drawn() -> None:
    app = Host()
    async with app.run_test(size=(60, 12)) as pilot:
        table = app.query_one(LeanTable)
        await pilot.pause()
        before = [table._render_line(y, 0, table.size.width, table.rich_style) for y in range(table.size.height)]
        table.update_cell("r3", "state", Text("● STOPPED", style="red"))
        after = [table._render_line(y, 0, table.size.width, table.rich_style) for y in range(table.size.height)]
        row_y = 1 + 3  # under the header line
        assert "STOPPED" in text_of(after[row_y]) and "STOPPED" not in text_of(before[row_y])
        assert all(after[y] is before[y] for y in range(len(after)) if y != row_y)
        # And the screen shows it (the widget's own line cache was told which line changed).
        assert "STOPPED" in text_of(screen_lines(table)[row_y])


async def test_order_cursor_and_removals_redraw_the_lines_they_move() -> None:
    app = Host()
    async with app.run_test(size=(60, 12)) as pilot:
        table = app.query_one(LeanTable)
        await pilot.pause()
        table.reorder([f"r{i}" for i in reversed(range(60))])
        await pilot.pause()
        assert "endpoint-059" in text_of(screen_lines(table)[1])
        table.remove_rows(["r59", "r58"])
        await pilot.pause()
        assert "endpoint-057" in text_of(screen_lines(table)[1])
        table.append_rows([("r59", cells(59, "STOPPED"))])  # the same key again, another content
        table.reorder(["r59", *[key for key in table.order() if key != "r59"]])
        await pilot.pause()
        first = text_of(screen_lines(table)[1])
        assert "endpoint-059" in first and "STOPPED" in first
        table.move_cursor(row=2)
        await pilot.pause()
        background = [strip._segments[0].style.bgcolor for strip in screen_lines(table)]
        assert background[3] != background[2] and background[2] == background[4]  # the cursor's row only
        table.move_cursor(row=0)
        await pilot.pause()
        background = [strip._segments[0].style.bgcolor for strip in screen_lines(table)]
        assert background[1] != background[3] and background[3] == background[4]


async def test_a_text_cell_drawn_directly_is_what_datatable_draws() -> None:
    app = Host()
    async with app.run_test(size=(60, 12)) as pilot:
        table = app.query_one(LeanTable)
        table.update_cell("r1", "name", Text("日本語の名前がとても長い", no_wrap=True, overflow="ellipsis"))
        table.update_cell("r2", "name", Text(""))
        table.update_cell("r4", "name", Text.assemble(("v1 ", "bold magenta"), "spans", ("…", "dim")))
        table.update_cell("r5", "cost", Text("$1,234,567.89", justify="right", overflow="ellipsis"))
        await pilot.pause()
        for row in range(7):
            for column in range(len(WIDTHS)):
                for cursor in (False, True):
                    width = table.ordered_columns[column].get_render_width(table)
                    ours = table._render_cell(row, column, table.rich_style, width, cursor=cursor)
                    table._cell_render_cache.clear()
                    theirs = DataTable._render_cell(table, row, column, table.rich_style, width, cursor=cursor)
                    assert list(Strip(ours[0]).simplify()) == list(Strip(theirs[0]).simplify()), (row, column)
        assert table.cursor_coordinate == Coordinate(0, 0)


class Both(App[None]):
    """The same rows in a LeanTable and in Textual's own DataTable, one above the other, alike in size."""

    CSS = "DataTable { height: 12; }"

    def compose(self) -> ComposeResult:
        yield Static("where the pointer rests")  # neither table hovered: both in the same state
        yield LeanTable(cursor_type="row", id="lean")
        yield DataTable(cursor_type="row", id="plain")

    def on_mount(self) -> None:
        lean, plain = self.query_one("#lean", LeanTable), self.query_one("#plain", DataTable)
        for key, width in WIDTHS.items():
            lean.add_column(key, width=width, key=key)
            plain.add_column(key, width=width, key=key)
        rows = [(f"r{i}", cells(i, "STARTED" if i % 3 else "STOPPED")) for i in range(30)]
        rows[4] = ("r4", [Text.assemble(("v1 ", "bold magenta"), "spans"), Text(""),
                          Text("日本語の名前", justify="right")])
        # The same words as their neighbours', styled or placed otherwise: cells laid out by content must not
        # lend one its neighbour's look.
        rows[6] = ("r6", [Text("spans"), Text("● STARTED", style="red"), Text("日本語の名前")])
        rows[7] = ("r7", [Text("spans", justify="right"), Text("● STARTED", style="green"),
                          Text("日本語の名前", style="italic")])
        lean.append_rows(rows)
        for key, row in rows:
            plain.add_row(*row, key=key)


async def test_every_line_is_drawn_as_textual_s_own_datatable_draws_it() -> None:
    app = Both()
    async with app.run_test(size=(60, 27)) as pilot:
        lean, plain = app.query_one("#lean", LeanTable), app.query_one("#plain", DataTable)
        app.set_focus(None)  # the first table took the focus at start: both alike, unfocused
        for cursor_row in (0, 2, 5, 7):
            lean.move_cursor(row=cursor_row)
            plain.move_cursor(row=cursor_row)
            await pilot.pause()
            ours, theirs = screen_lines(lean), screen_lines(plain)
            assert len(ours) == len(theirs) == 12
            for y, (mine, reference) in enumerate(zip(ours, theirs, strict=True)):
                assert list(mine.simplify()) == list(reference.simplify()), (cursor_row, y)


async def test_rows_added_move_the_scroll_range_without_a_layout_of_the_screen(monkeypatch: Any) -> None:
    """A table that already scrolls gains rows: its scroll range follows, and the screen is not laid out
    again (a first fill in batches laid it out after each); a scrollbar that appears still lays it out."""
    from textual.screen import Screen

    class SetHeight(Host):
        CSS = "LeanTable { height: 1fr; }"  # as the Endpoints table's

    app = SetHeight()
    async with app.run_test(size=(60, 12)) as pilot:
        table = app.query_one(LeanTable)
        await pilot.pause()
        assert table.show_vertical_scrollbar and table.max_scroll_y == 60 + 1 - table.container_size.height
        layouts: list[int] = []
        lay_out = Screen._refresh_layout

        def counted(self: Screen[Any], *args: Any, **kwargs: Any) -> None:
            layouts.append(1)
            lay_out(self, *args, **kwargs)

        monkeypatch.setattr(Screen, "_refresh_layout", counted)
        table.append_rows((f"more{i}", cells(100 + i)) for i in range(40))
        await pilot.pause()
        await pilot.pause()
        assert layouts == []
        assert table.max_scroll_y == 100 + 1 - table.container_size.height
        table.scroll_end(animate=False, immediate=True)
        await pilot.pause()
        assert "endpoint-139" in text_of(screen_lines(table)[-1])


async def test_a_scrollbar_that_appears_as_rows_come_is_laid_out() -> None:
    class Few(Host):
        ROWS = 3

    app = Few()
    async with app.run_test(size=(60, 12)) as pilot:
        table = app.query_one(LeanTable)
        await pilot.pause()
        assert not table.show_vertical_scrollbar
        table.append_rows((f"more{i}", cells(100 + i)) for i in range(40))
        await pilot.pause()
        await pilot.pause()
        assert table.show_vertical_scrollbar and table.vertical_scrollbar.display
        assert table.max_scroll_y == 43 + 1 - table.container_size.height


async def test_a_table_as_tall_as_its_rows_shrinks_and_grows_with_them() -> None:
    """DataTable's own height (auto): its size follows its rows, so a change of rows lays the screen out."""
    app = Host()
    async with app.run_test(size=(60, 30)) as pilot:
        table = app.query_one(LeanTable)
        table.clear()
        table.append_rows((f"r{i}", cells(i)) for i in range(10))
        await pilot.pause()
        await pilot.pause()
        assert table.size.height == 11
        table.clear()
        table.append_rows((f"s{i}", cells(i)) for i in range(2))
        await pilot.pause()
        await pilot.pause()
        assert table.size.height == 3


async def test_a_plain_cell_laid_out_by_slicing_is_what_rich_lays_out() -> None:
    """The quick layout of one-style, one-cell text (most cells of the table) against Rich's own, for every
    justify and overflow it takes, strings shorter, as long as and longer than the cell, the table's own marks,
    trailing spaces, and text it must leave to Rich (wide, combining and joined characters, tabs, spans)."""
    app = Host()
    async with app.run_test(size=(60, 12)):
        table = app.query_one(LeanTable)
        words = ["", "a", "abc", "STARTED", "endpoint-with-a-long-name", "$1,234.56", "1-2 ", "  padded  ",
                 "…", "—", "● STARTED", "2x H100 80GB · 4.0x", "é café", "日本語", "e\u0301", "👍\ufe0f",
                 "a\u200db", "tab\there", "\x1b[31mred"]
        styles: list[str | Style] = ["", "dim", "bold red", Style(italic=True, color="cyan")]
        quick = 0
        for plain in words:
            for style in styles:
                for justify in (None, "default", "left", "right", "center"):
                    for overflow in (None, "ellipsis", "crop", "fold", "ignore"):
                        for width in (1, 2, 3, 7, 9, 25, 30):
                            cell = Text(plain, style=style, justify=justify, overflow=overflow,  # type: ignore[arg-type]
                                        no_wrap=True, end="")
                            rich = table._lay_out_rich(cell, width)
                            ours = table._lay_out_plain(cell, width)
                            if ours is None:
                                continue
                            quick += 1
                            assert ours == rich, (plain, style, justify, overflow, width)
        spanned = Text.assemble(("v1 ", "bold"), "spans")
        assert table._lay_out_plain(spanned, 9) is None
        # Not vacuous: most of these went the quick way.
        assert quick > 2000


async def test_many_rows_rewritten_at_once_repaint_a_few_a_frame_until_the_screen_shows_them_all() -> None:
    """A screen of rows changing together (a first load's details) is not one long frame: each frame repaints
    at most ROWS_PER_FRAME of them, the next frames the rest, and every one ends up on screen."""
    app = Host()
    async with app.run_test(size=(60, 30)) as pilot:
        table = app.query_one(LeanTable)
        await pilot.pause()
        screen = app.screen
        frames: list[set[int]] = [set()]
        refresh_row, compositor_refresh = table.refresh_row, screen._compositor_refresh

        def row_refreshed(index: int) -> None:
            frames[-1].add(index)
            refresh_row(index)

        def frame() -> None:
            compositor_refresh()
            frames.append(set())

        table.refresh_row = row_refreshed  # type: ignore[method-assign]
        screen._compositor_refresh = frame  # type: ignore[method-assign]
        changed = range(2, 22)
        for index in changed:
            table.update_cell(f"r{index}", "state", Text("● STOPPED", style="red"))
        for _ in range(20):
            await pilot.pause(0.02)
        drawn = [index for frame_rows in frames for index in frame_rows]
        assert sorted(drawn) == list(changed)  # each once, none left behind
        assert max(len(frame_rows) for frame_rows in frames) == lean_table.ROWS_PER_FRAME
        assert sum(1 for frame_rows in frames if frame_rows) >= len(changed) / lean_table.ROWS_PER_FRAME
        lines = [text_of(strip) for strip in screen_lines(table)]
        assert all("STOPPED" in lines[1 + index] for index in changed)
        assert not any("STOPPED" in lines[1 + index] for index in (0, 1, 22, 23))
