"""Details that come in a large batch are drawn a few endpoints a slice, and drawn as a full redraw would."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from typing import Any

from fakes import FakeProvider, endpoint
from rich.text import Text

from tui.app.app import TogetherApp
from tui.app.panes import endpoint_render
from tui.app.panes.endpoints import EndpointsPane
from tui.app.widgets.endpoint_table import EndpointTable
from tui.core.app_config import AppConfig


def cells(table: EndpointTable) -> dict[str, list[str]]:
    return {key: [cell.plain if isinstance(cell, Text) else str(cell) for cell in table.get_row(key)]
            for key in table.keys}


async def test_a_large_batch_of_details_is_drawn_in_slices_as_a_full_redraw_would_draw_it() -> None:
    count = 40
    provider = FakeProvider.with_endpoints(*(endpoint(f"ep-{index:02d}") for index in range(count)),
                                           detailed_lists=False)
    app = TogetherApp(provider, AppConfig(refresh_interval=60))  # type: ignore[arg-type]
    batches: list[int] = []
    drawn_at_once: list[int] = []
    async with app.run_test(size=(120, 36)) as pilot:
        pane = app.query_one(EndpointsPane)
        table = app.query_one(EndpointTable)
        render_ids = pane._render_ids
        update_rows = table.update_rows

        def counting_render_ids(ids: Any) -> None:
            ids = list(ids)
            batches.append(len(ids))
            render_ids(ids)

        def counting_update_rows(rows: Any, **kwargs: Any) -> Any:
            rows = list(rows)
            drawn_at_once.append(len(rows))
            return update_rows(rows, **kwargs)

        pane._render_ids = counting_render_ids  # type: ignore[method-assign]
        table.update_rows = counting_update_rows  # type: ignore[method-assign]
        store = app.context.store
        for _ in range(200):
            await pilot.pause(0.02)
            if all(store.get(f"ep-{index:02d}").detailed for index in range(count)) and not pane._rendering:
                break
        await pilot.pause(0.3)
        assert not pane._rendering and pane._ids_pending is None
        assert not pane._loading, "every endpoint's details are drawn"
        # However the store batched them (the machine's pace decides), no draw took more than a slice.
        assert batches and max(drawn_at_once, default=0) <= endpoint_render.IDS_AT_ONCE, drawn_at_once
        # A batch of every endpoint, each row changed: drawn a slice at a time, as a full redraw draws it.
        for key in list(table.keys):
            store._endpoints[key] = replace(store.get(key), display_name=f"renamed {key}")  # type: ignore[type-var]
        drawn_at_once.clear()
        pane._render_ids([f"ep-{index:02d}" for index in range(count)])
        assert pane._ids_pending is not None, "a batch of 40 is drawn in slices"
        for _ in range(100):
            await pilot.pause(0.01)
            if pane._ids_pending is None:
                break
        assert len(drawn_at_once) >= count // endpoint_render.IDS_AT_ONCE
        assert max(drawn_at_once) <= endpoint_render.IDS_AT_ONCE, drawn_at_once
        shown = cells(table)
        assert all(any(f"renamed {key}" in cell for cell in row) for key, row in shown.items())
        pane._render_rows()  # every row from the store, at once
        await pilot.pause()
        assert cells(table) == shown


async def test_details_that_come_while_a_batch_is_drawn_are_drawn_too() -> None:
    count = 30
    provider = FakeProvider.with_endpoints(*(endpoint(f"ep-{index:02d}") for index in range(count)))
    app = TogetherApp(provider, AppConfig(refresh_interval=60))  # type: ignore[arg-type]
    async with app.run_test(size=(120, 36)) as pilot:
        pane = app.query_one(EndpointsPane)
        table = app.query_one(EndpointTable)
        await pilot.pause(0.3)
        store = app.context.store
        first = [f"ep-{index:02d}" for index in range(20)]
        late = [f"ep-{index:02d}" for index in range(20, count)]
        # Each endpoint's row changes (a name): the slices must rewrite all of them, the late ones included.
        for key in first + late:
            store._endpoints[key] = replace(store.get(key), display_name=f"renamed {key}")  # type: ignore[type-var]
        pane._render_ids(first)
        assert pane._ids_pending is not None, "20 endpoints are drawn in slices"
        pane._render_ids(late)
        for _ in range(50):
            await asyncio.sleep(0.01)
            if pane._ids_pending is None:
                break
        await pilot.pause()
        names = {key: str(table.get_row(key)[0]) for key in table.keys}
        assert all(f"renamed {key}" in names[key] for key in first + late), names
