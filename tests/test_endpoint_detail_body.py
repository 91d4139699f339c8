"""The details panel draws each selection once per width and lays the screen out again only when its height
changes: what it draws must still be the selection's details, at the height they take."""

from __future__ import annotations

import io
from typing import Any

from apptools import make_app, settle
from rich.console import Console
from rich.style import Style
from rich.table import Table
from rich.text import Text
from tree_tools import make_tree_app, today

from tui.app.widgets.detail_grid import FieldGrid
from tui.app.widgets.endpoint_detail import DetailBody, DetailView, EndpointDetail, _fields, _timeline, render_detail
from tui.simulator import SimulatorServer

SIZE = (120, 36)


def drawn(body: DetailBody) -> list[str]:
    return [body.render_line(y).text.rstrip() for y in range(body.size.height)]


def rich_lines(body: DetailBody) -> list[str]:
    console = Console(width=body.size.width, file=io.StringIO(), color_system=None, legacy_windows=False)
    return [
        "".join(segment.text for segment in line).rstrip()
        for line in console.render_lines(body.content, console.options, pad=False)
    ]


async def test_every_row_draws_its_own_details_at_their_height(sim_server: SimulatorServer) -> None:
    app = make_app(sim_server)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        store = app.context.store
        body = app.query_one("#endpoint-detail-body", DetailBody)
        heights = set()
        for _ in range(len(store.endpoints)):
            key = app.query_one("#endpoints-table").selected_key
            endpoint = store.get(key)
            assert endpoint is not None
            lines = drawn(body)
            # Each row its own text, not the row before's kept because the height did not change.
            assert endpoint.id in "\n".join(lines)
            assert lines == rich_lines(body)
            heights.add(body.size.height)
            await pilot.press("down")
            await settle(pilot)
            await pilot.pause(0.15)  # past the held-key gap: the panel follows
        # The demo's rows differ in height (a failed one says why and what to do), so both paths ran.
        assert len(heights) > 1


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
