"""The Endpoints pane on large accounts: news of details rewrites only those rows, a large redraw goes in
slices with the top of the table first, rows keep their place while display names arrive, and the details
panel follows the cursor once the table has painted."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

import pytest
from apptools import FROZEN_NOW, settle
from fakes import FakeProvider, titled

from tui.api.domain import Endpoint
from tui.app.app import TogetherApp
from tui.app.panes import endpoint_render
from tui.app.widgets import endpoint_table
from tui.app.widgets.endpoint_table import EndpointTable
from tui.core.app_config import AppConfig

SIZE = (120, 36)


@dataclass
class SlowDetails(FakeProvider):
    """v1-like: the list lacks details (and display names unless told); details of ``held`` wait for ``release``."""

    held: set[str] = field(default_factory=set)
    release: asyncio.Event = field(default_factory=asyncio.Event)
    list_titles: bool = False

    async def list_endpoints(self, *, include_serverless: bool = False) -> list[Endpoint]:
        items = await super().list_endpoints(include_serverless=include_serverless)
        return items if self.list_titles else [replace(item, display_name=None) for item in items]

    async def get_endpoint(self, endpoint_id: str) -> Endpoint:
        if endpoint_id in self.held:
            await self.release.wait()
        return await super().get_endpoint(endpoint_id)


def make(provider: FakeProvider) -> TogetherApp:
    config = AppConfig(base_url="http://127.0.0.1:1/v1", demo=True, refresh_interval=3600.0,
                       fast_refresh_interval=3600.0, remember_theme=False, clock=lambda: FROZEN_NOW)
    app = TogetherApp(provider, config)  # type: ignore[arg-type]
    app.animation_level = "none"
    return app


def table(app: TogetherApp) -> EndpointTable:
    return app.query_one("#endpoints-table", EndpointTable)


async def until(pilot: Any, condition: Callable[[], bool], what: str) -> None:
    """Let the app run until ``condition`` holds (a wait, not a timing: a loaded machine only takes longer)."""
    for _ in range(2000):
        if condition():
            return
        await pilot.pause(0.01)
    raise AssertionError(f"never: {what}")


def account(count: int, title: Callable[[int], str] = lambda i: f"endpoint {i:04d}") -> list[Endpoint]:
    return [titled(f"ep-{i:04d}", title(i), state="STARTED") for i in range(count)]


async def test_details_news_rewrites_only_the_rows_whose_details_came() -> None:
    endpoints = account(30)
    provider = SlowDetails.with_endpoints(*endpoints, detailed_lists=False, list_titles=True, held={"ep-0007"})
    app = make(provider)
    async with app.run_test(size=SIZE) as pilot:
        store = app.context.store
        grid = table(app)

        def drawn_with_details() -> int:
            return sum(grid.get_cell(key, "hardware").plain != "…" for key in grid.keys)

        # 29 details in, and their news drawn (the store tells views a few times a second).
        await until(pilot, lambda: drawn_with_details() == 29, "29 rows drawn with their details")
        assert grid.get_cell("ep-0007", "hardware").plain == "…"
        touched: list[str] = []
        full_syncs: list[int] = []
        update_cell, sync = grid.update_cell, grid.sync

        def spy_update(row_key: Any, column_key: Any, value: Any, **kwargs: Any) -> None:
            touched.append(str(getattr(row_key, "value", row_key)))
            update_cell(row_key, column_key, value, **kwargs)

        def spy_sync(rows: Any, **kwargs: Any) -> Any:
            full_syncs.append(len(rows))
            return sync(rows, **kwargs)

        grid.update_cell = spy_update  # type: ignore[method-assign]
        grid.sync = spy_sync  # type: ignore[method-assign]
        provider.release.set()
        await settle(pilot)
        assert store.get("ep-0007").detailed  # type: ignore[union-attr]
        assert grid.get_cell("ep-0007", "hardware").plain != "…"
        assert touched and set(touched) == {"ep-0007"}
        assert full_syncs == []  # no row but that one was looked at


async def test_a_large_redraw_goes_in_slices_with_the_top_rows_first(monkeypatch: pytest.MonkeyPatch) -> None:
    # The limits of a 5,000-row account, scaled down: slices end at every step, the first holds 20 rows.
    monkeypatch.setattr(endpoint_render, "SYNC_LIMIT", 10)
    monkeypatch.setattr(endpoint_render, "SLICE_BUDGET", 0.0)
    monkeypatch.setattr(endpoint_table, "FIRST_ROWS", 20)
    # Listed in the reverse of the table's order, so "the first rows listed" are the last on screen.
    endpoints = list(reversed(account(200)))
    provider = FakeProvider.with_endpoints(*endpoints, hang_list=asyncio.Event())
    app = make(provider)
    async with app.run_test(size=SIZE) as pilot:
        grid = table(app)
        await until(pilot, lambda: bool(grid.columns), "the table laid out")  # then the list answers
        appended: list[list[str]] = []
        loop_turns = [0]
        turns_at_append: list[int] = []
        append_rows = grid.append_rows

        def spy_append(rows: Any) -> int:
            batch = list(rows)
            appended.append([key for key, _ in batch])
            turns_at_append.append(loop_turns[0])
            return append_rows(batch)

        grid.append_rows = spy_append  # type: ignore[method-assign]

        def tick() -> None:
            loop_turns[0] += 1
            if len(grid.rows) < 200:
                asyncio.get_running_loop().call_soon(tick)

        asyncio.get_running_loop().call_soon(tick)
        assert provider.hang_list is not None
        provider.hang_list.set()
        await settle(pilot)
        assert len(grid.rows) == 200
        expected = sorted(e.id for e in endpoints)
        assert grid.keys == expected
        # The first batch is the top of the table, in order; the loop ran between the batches.
        assert appended[0] == expected[:20]
        assert [len(batch) for batch in appended] == [20, 180]
        assert turns_at_append[1] > turns_at_append[0]
        assert grid.selected_key == expected[0]


async def test_rows_keep_their_place_while_display_names_arrive_then_sort_once_all_are_in() -> None:
    # Listed names sort a, b, c, d; the display names that come with the details sort the other way.
    titles = {0: "zulu", 1: "yankee", 2: "x-ray", 3: "whiskey"}
    endpoints = [titled(f"ep-{chr(97 + i)}", titles[i], state="STARTED") for i in range(4)]
    provider = SlowDetails.with_endpoints(*endpoints, detailed_lists=False, held={"ep-d"}, hang_list=asyncio.Event())
    app = make(provider)
    async with app.run_test(size=SIZE) as pilot:
        store = app.context.store
        grid = table(app)
        # The rows take their places by the listed names (the table laid out before the list answers).
        await until(pilot, lambda: bool(grid.columns), "the table laid out")
        assert provider.hang_list is not None
        provider.hang_list.set()
        await until(pilot, lambda: sum(e.detailed for e in store.endpoints.values()) == 3, "3 rows detailed")
        await pilot.pause()
        # Three display names are in, and each row stayed where the listed name put it.
        assert grid.keys == ["ep-a", "ep-b", "ep-c", "ep-d"]
        assert grid.get_cell("ep-a", "name").plain == "zulu"
        grid.select("ep-b")
        await pilot.pause()
        provider.release.set()
        await settle(pilot)
        # Every row has its details: one sort by the names shown, the cursor still on its endpoint.
        assert grid.keys == ["ep-d", "ep-c", "ep-b", "ep-a"]
        assert grid.selected_key == "ep-b"


async def test_sorting_while_display_names_arrive_sorts_by_the_names_shown() -> None:
    titles = {0: "zulu", 1: "yankee", 2: "x-ray", 3: "whiskey"}
    endpoints = [titled(f"ep-{chr(97 + i)}", titles[i], state="STARTED") for i in range(4)]
    provider = SlowDetails.with_endpoints(*endpoints, detailed_lists=False, held={"ep-d"}, hang_list=asyncio.Event())
    app = make(provider)
    async with app.run_test(size=SIZE) as pilot:
        store = app.context.store
        grid = table(app)
        # The rows take their places by the listed names (the table laid out before the list answers).
        await until(pilot, lambda: bool(grid.columns), "the table laid out")
        assert provider.hang_list is not None
        provider.hang_list.set()
        await until(pilot, lambda: sum(e.detailed for e in store.endpoints.values()) == 3, "3 rows detailed")
        await pilot.pause()
        await pilot.press("O")  # the user asks for an order: every row takes its place now
        assert grid.keys == ["ep-a", "ep-b", "ep-c", "ep-d"]  # zulu, yankee, x-ray, then the listed me/ep-d
        await pilot.press("O")
        assert grid.keys == ["ep-d", "ep-c", "ep-b", "ep-a"]
        provider.release.set()
        await settle(pilot)


async def test_the_details_panel_follows_the_cursor_after_the_table_paints() -> None:
    app = make(FakeProvider.with_endpoints(*account(5)))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        pane = app.endpoints_pane
        shown: list[str | None] = []
        show_detail = pane._show_detail

        def spy() -> None:
            shown.append(table(app).selected_key)
            show_detail()

        pane._show_detail = spy  # type: ignore[method-assign]
        await pilot.press("down")
        await settle(pilot)
        assert shown == ["ep-0001"]
        # A held key: the rows passed through are never drawn in the panel; where the cursor stopped is.
        shown.clear()
        for _ in range(3):
            table(app).action_cursor_down()
            pane._row_highlighted()
        await until(pilot, lambda: bool(shown), "the panel shown after the held key")
        await settle(pilot)
        assert set(shown) == {"ep-0004"}
