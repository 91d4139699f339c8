"""Listeners hear the store's and the catalogue's news in the context they subscribed from, whichever task
brings it: the first list's task is made before the app exists, and a view's timer made in that task's
context died on its first tick (a traceback at exit, the timer's work never done)."""

from __future__ import annotations

import asyncio
import contextvars
import logging

import pytest
from fakes import FakeProvider, endpoint
from textual.app import App, ComposeResult
from textual.widgets import Static

from tui.core.account import Account
from tui.core.app_config import AppConfig
from tui.core.listeners import Listeners
from tui.core.store_events import StoreEvent

WHO = contextvars.ContextVar[str]("who")


async def test_a_listener_runs_in_the_context_it_subscribed_from_whoever_emits() -> None:
    news: Listeners[[int]] = Listeners("test")
    heard: list[tuple[int, str]] = []
    WHO.set("subscriber")
    news.subscribe(lambda value: heard.append((value, WHO.get("nobody"))))

    async def elsewhere() -> None:
        WHO.set("emitter")
        news.emit(1)

    await asyncio.get_running_loop().create_task(elsewhere(), context=contextvars.Context())
    assert heard == [(1, "subscriber")]


def test_news_told_while_news_is_told_reaches_everyone_and_a_failing_listener_stops_no_one(
    caplog: pytest.LogCaptureFixture,
) -> None:
    news: Listeners[[int]] = Listeners("test")
    heard: list[str] = []

    def first(value: int) -> None:
        heard.append(f"first {value}")
        if value == 1:
            news.emit(2)  # the same context entered again, which a shared Context would refuse

    def broken(value: int) -> None:
        raise ValueError("a view's bug")

    news.subscribe(first)
    news.subscribe(broken)
    unsubscribe = news.subscribe(lambda value: heard.append(f"last {value}"))
    with caplog.at_level(logging.ERROR, logger="tui.core.listeners"):
        news.emit(1)
    assert heard == ["first 1", "first 2", "last 2", "last 1"]
    assert [record.getMessage() for record in caplog.records] == ["test listener failed"] * 2
    unsubscribe()
    unsubscribe()  # twice is harmless
    heard.clear()
    news.emit(3)
    assert heard == ["first 3"] and len(news) == 2


class Timed(App[None]):
    """A view that answers the store's news with a timer, as the details panel does during a held key."""

    def __init__(self, account: Account) -> None:
        super().__init__()
        self.account = account
        self.fired = asyncio.Event()

    def compose(self) -> ComposeResult:
        yield Static("listening")

    def on_mount(self) -> None:
        self.account.store.subscribe(self._changed)
        self.account.catalog.subscribe(self._priced)

    def _changed(self, event: StoreEvent) -> None:
        self.set_timer(0.01, self.fired.set)

    def _priced(self) -> None:
        self.set_timer(0.01, self.fired.set)


@pytest.mark.parametrize("news", ["store", "catalogue"])
async def test_a_timer_made_for_news_of_a_start_begun_before_the_app_fires(news: str) -> None:
    provider = FakeProvider.with_endpoints(endpoint("ep-1"))
    provider.hang_list = asyncio.Event()
    hang_prices = asyncio.Event()
    priced = provider.list_hardware

    async def late_prices(*args: object, **kwargs: object) -> object:
        await hang_prices.wait()
        return await priced(*args, **kwargs)

    provider.list_hardware = late_prices  # type: ignore[method-assign]
    account = Account.open(provider, AppConfig(refresh_interval=60))  # type: ignore[arg-type]
    account.begin()  # as the command line does: the first list's and the prices' tasks, before any app
    app = Timed(account)
    try:
        async with app.run_test() as pilot:
            await pilot.pause()
            if news == "store":
                provider.hang_list.set()  # the list answers now, in the begun task, after the app subscribed
            else:
                hang_prices.set()
            await asyncio.wait_for(app.fired.wait(), 5)
    finally:
        provider.hang_list.set()
        hang_prices.set()
        await account.aclose()
