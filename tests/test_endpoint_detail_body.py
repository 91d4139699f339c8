"""The details panel draws each selection once per width and lays the screen out again only when its height
changes: what it draws must still be the selection's details, at the height they take."""

from __future__ import annotations

import io

from apptools import make_app, settle
from rich.console import Console

from tui.app.widgets.endpoint_detail import DetailBody
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
