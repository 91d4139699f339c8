"""The details panel draws each selection once per width and lays the screen out again only when its height
changes: what it draws must still be the selection's details, at the height they take."""

from __future__ import annotations

import asyncio
import io
from dataclasses import replace
from typing import Any

from apptools import make_app, settle
from fakes import FakeProvider, endpoint
from rich.console import Console
from rich.style import Style
from rich.table import Table
from rich.text import Text
from textual.app import App, ComposeResult
from tree_tools import make_tree_app, today

from tui.app.app import TogetherApp
from tui.app.widgets.detail_grid import FieldGrid
from tui.app.widgets.endpoint_detail import DetailView, EndpointDetail, _fields, _timeline, render_detail
from tui.app.widgets.endpoint_table import EndpointTable
from tui.core.app_config import AppConfig
from tui.simulator import SimulatorServer

SIZE = (120, 36)


def drawn(detail: EndpointDetail) -> list[str]:
    """The panel's text lines as it draws them, scrolled to the top."""
    assert detail.scroll_offset.y == 0
    return [detail.render_line(y).text.rstrip() for y in range(detail.virtual_size.height)]


def rich_lines(detail: EndpointDetail) -> list[str]:
    console = Console(width=detail.scrollable_content_region.width, file=io.StringIO(), color_system=None,
                      legacy_windows=False)
    return [
        "".join(segment.text for segment in line).rstrip()
        for line in console.render_lines(detail.content, console.options, pad=False)
    ]


async def test_every_row_draws_its_own_details_at_their_height(sim_server: SimulatorServer) -> None:
    app = make_app(sim_server)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        store = app.context.store
        detail = app.query_one("#endpoints-detail", EndpointDetail)
        heights = set()
        for _ in range(len(store.endpoints)):
            key = app.query_one("#endpoints-table").selected_key
            endpoint = store.get(key)
            assert endpoint is not None
            lines = drawn(detail)
            # Each row its own text, not the row before's kept because the height did not change.
            assert endpoint.id in "\n".join(lines)
            assert lines == rich_lines(detail)
            heights.add(detail.virtual_size.height)
            await pilot.press("down")
            await settle(pilot)
            await pilot.pause(0.15)  # past the held-key gap: the panel follows
        # The demo's rows differ in height (a failed one says why and what to do), so both paths ran.
        assert len(heights) > 1


def count_layouts(app: Any) -> list[int]:
    """A list that grows by one each time the screen is laid out (its reflow, not a scroll's)."""
    screen = app.screen
    layouts: list[int] = []
    refresh_layout = screen._refresh_layout

    def counted(size: Any = None, scroll: bool = False) -> None:
        if not scroll:
            layouts.append(1)
        refresh_layout(size, scroll)

    screen._refresh_layout = counted
    return layouts


class PanelApp(App[None]):
    """The panel alone, as tall as it is at 120x36: nothing but the test shows it anything."""

    CSS = "EndpointDetail { height: 12; border-top: solid blue; padding: 0 1; scrollbar-size-vertical: 1; }"

    def compose(self) -> ComposeResult:
        yield EndpointDetail(id="endpoints-detail")


def layouts_asked_by(widget: Any) -> list[str]:
    """A list that grows each time ``widget`` or its scrollbar asks for a layout of the screen."""
    asked: list[str] = []
    for asking in (widget, widget.vertical_scrollbar):
        refresh = asking.refresh

        def counted(*regions: Any, _refresh: Any = refresh, _name: str = type(asking).__name__, **kwargs: Any) -> Any:
            if kwargs.get("layout"):
                asked.append(_name)
            return _refresh(*regions, **kwargs)

        asking.refresh = counted
    return asked


async def test_details_of_another_height_repaint_the_panel_without_laying_the_screen_out(
        sim_server: SimulatorServer) -> None:
    app = make_app(sim_server)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        view = app.query_one("#endpoints-detail", EndpointDetail)._view
    assert view is not None and view.history  # a state seen: the timeline has a line for it
    panel = PanelApp()
    async with panel.run_test(size=SIZE) as pilot:
        detail = panel.query_one(EndpointDetail)
        wide = detail.scrollable_content_region.width
        # A word longer than a screen of lines: it folds at the panel's width, whichever that is.
        long_word = "0123456789" * (wide * 2)
        layouts = count_layouts(panel)
        detail.show_endpoint(None, empty=long_word, key="a")
        await pilot.pause()
        # The scrollbar came, and the text was laid out again in the column it took: one layout of the
        # screen, not a second for the scrollbar's own first size (``size_without_second_layout``).
        assert detail.show_vertical_scrollbar and detail.scrollable_content_region.width == wide - 1
        assert drawn(detail) == rich_lines(detail) and len(drawn(detail)[0]) == wide - 1
        assert len(layouts) == 1
        layouts.clear()
        detail.show_endpoint(replace(view, history=view.history * 12), key="a")
        await pilot.pause()
        detail.show_endpoint(replace(view, history=view.history * 20), key="a")
        await pilot.pause()
        assert detail.virtual_size.height == len(rich_lines(detail)) > detail.scrollable_content_region.height
        assert drawn(detail) == rich_lines(detail)
        # The scroll range follows the new height: the last line can be scrolled to, and is drawn at the bottom.
        detail.scroll_end(animate=False, immediate=True)
        await pilot.pause()
        assert detail.scroll_y == detail.virtual_size.height - detail.scrollable_content_region.height
        bottom = detail.render_line(detail.scrollable_content_region.height - 1).text.rstrip()
        assert bottom == rich_lines(detail)[-1]
        assert layouts == []
        # Another row starts at the top; text that fits drops the scrollbar (the one change that lays the
        # screen out) and is laid out again in the column it gives back.
        detail.show_endpoint(None, empty=long_word[: wide * 3 // 2], key="b")
        await pilot.pause()
        assert detail.scroll_y == 0 and not detail.show_vertical_scrollbar and layouts
        assert detail.scrollable_content_region.width == wide
        assert drawn(detail) == [long_word[:wide], long_word[wide: wide * 3 // 2]]


def cells(renderable: object, width: int) -> list[list[tuple[str, Style]]]:
    """Each line as (character, style) cells: what the terminal shows, however the segments are cut."""
    console = Console(width=width, file=io.StringIO(), color_system="truecolor", legacy_windows=False)
    lines = console.render_lines(renderable, console.options.update_width(width), pad=True)
    return [[(char, segment.style or Style.null()) for segment in line for char in segment.text] for line in lines]


def rich_grid(view: DetailView) -> Table:
    """How the panel was laid out before ``SideBySide`` and ``FieldGrid``: Rich's own grids."""
    layout = Table.grid(expand=True, padding=(0, 2))
    layout.add_column(ratio=3)
    layout.add_column(ratio=2)
    layout.add_row(_fields(view).rich_table(), _timeline(view))
    return layout


async def views_of(app: Any) -> list[DetailView]:
    views = []
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        detail = app.query_one("#endpoints-detail", EndpointDetail)
        for _ in range(app.query_one("#endpoints-table").row_count):
            await pilot.press("down")
            await settle(pilot)
            await pilot.pause(0.15)
            if detail._view is not None:
                views.append(detail._view)
    return views


async def test_the_panel_draws_what_rich_s_grids_draw(start_simulator: Any, clock: Any) -> None:
    views = await views_of(make_app(start_simulator()))
    views += await views_of(make_tree_app(today(start_simulator), clock))
    assert len({view.endpoint.id for view in views}) > 8
    assert any(view.deployment is not None for view in views)  # v2 deployments too
    for view in views:
        for width in (100, 101, 117, 118, 133, 160):
            assert cells(render_detail(view, width), width) == cells(rich_grid(view), width), (view.endpoint.id, width)
        # The fields alone, also where values fold and where a label does not fit (Rich's table draws it).
        fields = _fields(view)
        for width in (8, 13, 20, 31, 45, 64, 90):
            assert cells(fields, width) == cells(fields.rich_table(), width), (view.endpoint.id, width)


def test_field_grid_folds_values_and_pads_short_cells_as_rich_does() -> None:
    grid = FieldGrid()
    grid.add_row(Text("Deleting"), Text("step one\nstep two", style="bold"))
    grid.add_row(Text("Name"), Text.assemble(("a-very-long-name-without-spaces-" * 3, "bold cyan"), " tail"))
    grid.add_row(Text("Empty"), Text(""))
    grid.add_row(Text("Spans"), Text.assemble("plain ", ("red", "red"), ("  italic", "italic")))
    for width in (6, 10, 17, 40, 120):
        assert cells(grid, width) == cells(grid.rich_table(), width), width


async def test_the_first_selection_shows_with_the_first_rows_at_the_height_its_details_keep() -> None:
    """A v1 list has no hardware or replicas: the panel shows them loading, in the rows the details fill,
    so their coming repaints the panel and lays nothing out (a scrollbar coming, a taller panel)."""
    provider = FakeProvider.with_endpoints(*(endpoint(f"ep-{index:02d}") for index in range(30)),
                                           detailed_lists=False)
    gate = asyncio.Event()
    get_endpoint = provider.get_endpoint

    async def held(endpoint_id: str) -> Any:
        await gate.wait()
        return await get_endpoint(endpoint_id)

    provider.get_endpoint = held  # type: ignore[method-assign]
    app = TogetherApp(provider, AppConfig(refresh_interval=60))  # type: ignore[arg-type]
    async with app.run_test(size=SIZE) as pilot:
        table = app.query_one(EndpointTable)
        detail = app.query_one("#endpoints-detail", EndpointDetail)
        for _ in range(100):
            await pilot.pause(0.02)
            if table.row_count == 30:
                break
        await pilot.pause()
        view = detail._view
        assert view is not None and view.loading and view.endpoint.id == table.selected_key
        loading = drawn(detail)
        assert sum("loading…" in line for line in loading) == 4  # the hardware, its id, its price, the replicas
        layouts = count_layouts(app)
        gate.set()
        for _ in range(100):
            await pilot.pause(0.02)
            if detail._view is not None and not detail._view.loading:
                break
        await pilot.pause(0.2)
        shown = drawn(detail)
        assert "1x_nvidia_h100_80gb_sxm" in "\n".join(shown) and not any("loading…" in line for line in shown)
        assert len(shown) == len(loading) and [line.split()[0] for line in shown] == [
            line.split()[0] for line in loading]
        assert layouts == []


async def test_before_the_first_list_the_panel_stands_as_tall_as_the_details_to_come() -> None:
    provider = FakeProvider.with_endpoints(*(endpoint(f"ep-{index:02d}") for index in range(30)))
    provider.hang_list = asyncio.Event()
    app = TogetherApp(provider, AppConfig(refresh_interval=60))  # type: ignore[arg-type]
    async with app.run_test(size=(80, 24)) as pilot:
        detail = app.query_one("#endpoints-detail", EndpointDetail)
        await pilot.pause(0.1)
        waiting = drawn(detail)
        assert waiting[0] == "Loading endpoints…" and [line.split()[0] for line in waiting[1:4]] == [
            "Name", "Use", "ID"]
        assert detail.show_vertical_scrollbar  # at 80x24 the details are taller than the panel
        layouts = layouts_asked_by(detail)
        provider.hang_list.set()
        table = app.query_one(EndpointTable)
        for _ in range(100):
            await pilot.pause(0.02)
            if table.row_count == 30 and detail.showing:
                break
        await pilot.pause(0.2)
        assert "acme/ep-00" in "\n".join(drawn(detail)) and detail.show_vertical_scrollbar
        # The rows and the details came: the panel's scrollbar was there already, and the panel asked for no
        # layout (the table's own scrollbar, coming with its rows, asks for one).
        assert layouts == []
