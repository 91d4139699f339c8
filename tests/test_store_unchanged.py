"""A poll whose list changed nothing tells the views nothing but its status; any change re-syncs the rows."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import timedelta

import pytest
from fakes import FakeProvider, endpoint
from test_store import Clock, settle

from tui.api.domain import Phase
from tui.core.store import Changed, EndpointStore, StoreEvent
from tui.simulator import SimulatorServer


@pytest.fixture
def provider() -> FakeProvider:
    return FakeProvider().add(endpoint("a", Phase.STOPPED, display_name="Alpha"), endpoint("b", Phase.READY))


@pytest.fixture
async def heard(provider: FakeProvider) -> AsyncIterator[tuple[EndpointStore, list[StoreEvent]]]:
    store = EndpointStore(provider, clock=Clock(), slow=3600, fast=3600)
    events: list[StoreEvent] = []
    store.subscribe(events.append)
    task = asyncio.ensure_future(store.run())
    await settle(40)
    yield store, events
    task.cancel()
    await store.aclose()


def rows_news(events: list[StoreEvent]) -> list[Changed]:
    return [e for e in events if isinstance(e, Changed) and e.rows and e.ids is None]


async def poll(store: EndpointStore) -> None:
    store.poll_now()
    await settle(40)


async def test_an_unchanged_list_re_syncs_no_row(heard: tuple[EndpointStore, list[StoreEvent]]) -> None:
    store, events = heard
    assert store.loaded and rows_news(events), "the first list is news"
    events.clear()
    await poll(store)
    assert rows_news(events) == []
    assert any(isinstance(e, Changed) and e.status for e in events), "the status line still hears of the poll"


async def test_a_changed_field_an_added_or_a_removed_endpoint_re_syncs_the_rows(
    heard: tuple[EndpointStore, list[StoreEvent]], provider: FakeProvider
) -> None:
    store, events = heard
    steps = [
        lambda: provider.accounts.__setitem__("a", replace(provider.accounts["a"], display_name="Alpha 2")),
        lambda: provider.add(endpoint("c", Phase.READY)),
        lambda: provider.accounts.pop("b"),
    ]
    for step in steps:
        events.clear()
        step()
        await poll(store)
        assert len(rows_news(events)) == 1
    assert list(store.endpoints) == ["a", "c"] and store.get("a").display_name == "Alpha 2"  # type: ignore[union-attr]


async def test_a_new_order_re_syncs_the_rows(
    heard: tuple[EndpointStore, list[StoreEvent]], provider: FakeProvider
) -> None:
    store, events = heard
    events.clear()
    provider.accounts = dict(reversed(list(provider.accounts.items())))
    await poll(store)
    assert len(rows_news(events)) == 1 and list(store.endpoints) == ["b", "a"]


async def test_the_ages_in_the_rows_move_on_without_news(
    monkeypatch: pytest.MonkeyPatch, sim_server: SimulatorServer
) -> None:
    from apptools import FROZEN_NOW, make_app
    from apptools import settle as app_settle

    from tui.app.panes import endpoints as endpoints_pane

    monkeypatch.setattr(endpoints_pane, "AGES_REDRAWN_EVERY", 0.2)
    now = [FROZEN_NOW]
    app = make_app(sim_server, clock=lambda: now[0])
    async with app.run_test(size=(120, 36)) as pilot:
        await app_settle(pilot)
        table = app.query_one("#endpoints-table")
        key = next(iter(app.context.store.endpoints))
        before = table.get_cell(key, "age").plain  # type: ignore[attr-defined]
        now[0] = FROZEN_NOW + timedelta(days=3)
        for _ in range(50):
            await pilot.pause(0.05)
            if table.get_cell(key, "age").plain != before:  # type: ignore[attr-defined]
                break
        assert table.get_cell(key, "age").plain != before  # type: ignore[attr-defined]
