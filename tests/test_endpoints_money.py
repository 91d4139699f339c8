"""Money rules in the Endpoints pane: a start says its $/hour and takes one key, the cursor stays on
the endpoint acted on whatever the filter, every action says at once what was sent, read-only says so,
and a hung poll is said to be hung and abandoned on r."""

from __future__ import annotations

import asyncio
import io
from dataclasses import replace
from datetime import timedelta
from typing import Any

from apptools import FROZEN_NOW, settle
from fakes import H100, FakeProvider, titled
from rich.console import Console
from textual.widgets import Static

from tui.app.app import TogetherApp
from tui.app.screens.confirm_start import ConfirmStartScreen
from tui.app.widgets.endpoint_table import EndpointTable
from tui.app.widgets.status_header import StatusHeader
from tui.core.app_config import AppConfig

SIZE = (120, 36)


class Clock:
    def __init__(self) -> None:
        self.now = FROZEN_NOW

    def __call__(self) -> Any:
        return self.now


def make(provider: FakeProvider, clock: Clock | None = None, **config: Any) -> TogetherApp:
    base = AppConfig(base_url="http://127.0.0.1:1/v1", demo=True, refresh_interval=3600.0,
                     fast_refresh_interval=3600.0, remember_theme=False, clock=clock or Clock())
    app = TogetherApp(provider, replace(base, **config))  # type: ignore[arg-type]
    app.animation_level = "none"
    return app


def told(app: TogetherApp) -> list[str]:
    said: list[str] = []
    original = app.notify

    def notify(message: str, **kwargs: Any) -> None:
        said.append(message)
        original(message, **kwargs)

    app.notify = notify  # type: ignore[method-assign]
    return said


def rendered(renderable: Any, width: int = 120) -> str:
    console = Console(width=width, record=True, file=io.StringIO())
    console.print(renderable)
    return console.export_text()


def table(app: TogetherApp) -> EndpointTable:
    return app.query_one("#endpoints-table", EndpointTable)


def three_stopped() -> FakeProvider:
    return FakeProvider.with_endpoints(
        titled("ep-a", "alpha"), titled("ep-b", "beta"), titled("ep-c", "gamma"),
    )


async def test_start_shows_its_price_and_only_y_or_enter_starts() -> None:
    provider = three_stopped()
    app = make(provider)
    said = told(app)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert table(app).select("ep-b")
        for cancel in ("n", "escape"):
            await pilot.press("s")
            assert isinstance(app.screen, ConfirmStartScreen)
            summary = rendered(app.screen.query_one("#confirm-start-summary", Static).content)
            assert "beta" in summary and "$3.99/hour" in summary and "$95.76/day" in summary
            assert "Up to $7.98/hour" in summary
            await pilot.press(cancel)
            await settle(pilot)
            assert not isinstance(app.screen, ConfirmStartScreen) and provider.actions == []
        await pilot.press("s", "enter")
        await settle(pilot)
        assert provider.actions == [("start", "ep-b")]
        assert "Starting beta…" in said
        await pilot.press("s")  # already on its way up: nothing to confirm, nothing sent
        await settle(pilot)
        assert not isinstance(app.screen, ConfirmStartScreen) and provider.actions == [("start", "ep-b")]


async def test_a_start_with_an_unknown_price_says_so() -> None:
    provider = FakeProvider.with_endpoints(titled("ep-a", "alpha"), hardware=[replace(H100, price_per_hour=None)])
    app = make(provider)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("s")
        assert isinstance(app.screen, ConfirmStartScreen)
        summary = rendered(app.screen.query_one("#confirm-start-summary", Static).content)
        assert "price unknown" in summary and "$" not in summary
        await pilot.press("y")
        await settle(pilot)
        assert provider.actions == [("start", "ep-a")]


async def test_the_confirm_start_setting_turns_the_dialog_off() -> None:
    provider = three_stopped()
    app = make(provider)
    # AppConfig gains confirm_start in another change; set it the way that change will.
    object.__setattr__(app.config, "confirm_start", False)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("s")
        await settle(pilot)
        assert not isinstance(app.screen, ConfirmStartScreen)
        assert provider.actions == [("start", "ep-a")]


async def test_under_a_filter_the_cursor_stays_on_the_endpoint_acted_on() -> None:
    provider = three_stopped()
    app = make(provider)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"stopped", "enter")
        assert table(app).select("ep-b")
        await pilot.press("s", "y")
        await settle(pilot)
        # PENDING no longer matches "stopped", yet the row stays and keeps the cursor...
        assert table(app).selected_key == "ep-b"
        assert "ep-b" in table(app).keys
        # ...so a second s is about the same endpoint, not its neighbour.
        await pilot.press("s")
        await settle(pilot)
        assert not isinstance(app.screen, ConfirmStartScreen)
        assert provider.actions == [("start", "ep-b")]
        await pilot.press("x")
        await settle(pilot)
        assert provider.actions == [("start", "ep-b"), ("stop", "ep-b")]
        assert table(app).selected_key == "ep-b"


async def test_stop_and_delete_say_at_once_what_was_sent() -> None:
    provider = FakeProvider.with_endpoints(titled("ep-a", "alpha", state="STARTED"))
    app = make(provider, confirm_delete="simple")
    said = told(app)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("x")
        await settle(pilot)
        assert "Stopping alpha…" in said
        await pilot.press("d", "tab", "enter")
        await settle(pilot)
        assert provider.actions == [("stop", "ep-a"), ("delete", "ep-a")]
        assert "Deleting alpha…" in said


async def test_read_only_says_so_for_every_changing_key() -> None:
    provider = three_stopped()
    app = make(provider, read_only=True)
    said = told(app)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        for key in ("s", "x", "d", "n", "e"):
            said.clear()
            await pilot.press(key)
            await settle(pilot)
            assert any("Read-only" in text for text in said), key
        assert provider.actions == [] and app.screen is app.screen_stack[0]


async def test_a_hung_poll_is_said_to_be_hung_and_r_abandons_it() -> None:
    provider = three_stopped()
    clock = Clock()
    app = make(provider, clock)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        pane = app.endpoints_pane
        provider.hang_list = asyncio.Event()
        app.context.store.poll_now()
        await pilot.pause()
        assert provider.list_calls == 2
        clock.now += timedelta(seconds=9)
        pane._show_status()
        assert app.context.store.ok() and "no answer" not in app.context.store.status()
        clock.now += timedelta(seconds=3)
        pane._show_status()
        await pilot.pause()
        header = rendered(app.query_one(StatusHeader).render())
        assert not app.context.store.ok() and "no answer for 12 s" in header and "● updated" not in header
        banner = rendered(app.query_one("#endpoints-error", Static).content)
        assert "No answer from the API for 12 s" in banner and pane.has_class("-error")
        # r gives up on the hung request and asks again at once (this time the server answers).
        provider.hang_list = None
        await pilot.press("r")
        # Bounded: were the hung request not abandoned, this would wait for it forever.
        await asyncio.wait_for(settle(pilot), timeout=10)
        await pilot.pause()
        assert provider.cancelled_lists == 1 and provider.list_calls == 3
        assert app.context.store.ok() and app.context.store.status() == "updated just now"
        assert not pane.has_class("-error")


async def test_burn_with_a_hardware_list_that_failed_is_not_a_confident_zero() -> None:
    provider = FakeProvider.with_endpoints(
        titled("ep-a", "alpha", state="STARTED"),
        titled("ep-b", "beta", state="STARTED", hardware_id="not_listed"),
    )
    app = make(provider)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        header = rendered(app.query_one(StatusHeader).render(), width=200)
        assert "burn $3.99/h + ?" in header and "$95.76/day + ?" in header
