"""A start begun before the app exists (the CLI's): the first list and the prices are asked for while the
app's modules load, the store's poll loop takes that list as its first, and details wait for the first
frame."""

from __future__ import annotations

import asyncio
import threading
import time
from pathlib import Path
from typing import Any

from fakes import FakeProvider, endpoint

from tui.app.app import TogetherApp
from tui.app.widgets.endpoint_table import EndpointTable
from tui.cli import run_begun
from tui.core.account import Account
from tui.core.app_config import AppConfig
from tui.settings import LoadedSettings, Settings


def account_of(count: int = 2) -> tuple[FakeProvider, AppConfig]:
    provider = FakeProvider.with_endpoints(*(endpoint(f"ep-{index}") for index in range(count)), detailed_lists=False)
    return provider, AppConfig(refresh_interval=60)


async def until(condition: Any, *, seconds: float = 5.0) -> None:
    for _ in range(round(seconds / 0.01)):
        if condition():
            return
        await asyncio.sleep(0.01)
    raise AssertionError("not within the time allowed")


async def test_a_begun_store_lists_once_and_reads_details_only_once_released() -> None:
    provider, config = account_of()
    account = Account.open(provider, config)  # type: ignore[arg-type]
    account.begin()
    await until(lambda: account.store.loaded)
    run = asyncio.ensure_future(account.store.run())
    try:
        await asyncio.sleep(0.1)
        assert provider.list_calls == 1  # run took the begun poll as its first, it did not send another
        assert provider.called("list_hardware") == [(None,)]  # the prices, asked for beside the list
        assert not provider.called("get_endpoint")
        account.store.release_details()
        await until(lambda: len(provider.called("get_endpoint")) == 2)
        assert {args[0] for args in provider.called("get_endpoint")} == {"ep-0", "ep-1"}
        assert provider.list_calls == 1
    finally:
        run.cancel()
        await asyncio.gather(run, return_exceptions=True)


async def test_the_list_is_asked_for_before_the_app_s_modules_load_and_the_theme_checked_after() -> None:
    provider, config = account_of()
    config = AppConfig(refresh_interval=60, theme="no-such-theme")
    loaded = LoadedSettings(Settings(theme="no-such-theme"), Path("/nowhere/settings.toml"), ["an earlier problem"])
    built: list[Any] = []

    class RecordingApp:
        def __init__(self, given: FakeProvider, config: AppConfig, *, account: Account) -> None:
            self.config, self.account, self.return_code = config, account, 3
            built.append(self)

        async def run_async(self) -> None:
            await until(lambda: self.account.store.loaded)

    def load_app() -> type[RecordingApp]:
        # What the import does, in its thread: it ends only once the loop has sent the list meanwhile.
        deadline = time.monotonic() + 5
        while not provider.list_calls:
            assert time.monotonic() < deadline, "the list was not asked for while the app's modules loaded"
            time.sleep(0.01)
        assert threading.current_thread() is not threading.main_thread()
        return RecordingApp

    assert await run_begun(provider, config, loaded, load_app=load_app) == 3  # type: ignore[arg-type]
    (app,) = built
    assert app.account.provider is provider
    assert app.config.theme == "textual-dark"
    assert app.config.settings_problems[0] == "an earlier problem"
    assert "unknown theme 'no-such-theme'" in app.config.settings_problems[1]


async def test_the_app_on_a_begun_account_draws_the_list_first_and_reads_details_after() -> None:
    provider, config = account_of(12)
    account = Account.open(provider, config)  # type: ignore[arg-type]
    account.begin()
    await until(lambda: account.store.loaded)
    app = TogetherApp(provider, config, account=account)  # type: ignore[arg-type]
    #: For each frame drawn: the rows on it and the detail reads sent by then.
    frames: list[tuple[int, int]] = []
    display = app._display

    def recording_display(screen: object, renderable: object) -> None:
        display(screen, renderable)  # type: ignore[arg-type]
        tables = app.query(EndpointTable)
        frames.append((tables.first().row_count if tables else 0, len(provider.called("get_endpoint"))))

    app._display = recording_display  # type: ignore[method-assign]
    async with app.run_test(size=(120, 36)) as pilot:
        await until(lambda: len(provider.called("get_endpoint")) == 12)
        await pilot.pause()
        assert app.context.store is account.store
        assert frames[0] == (12, 0)  # the first frame has every row, and no detail was read before it
        assert provider.list_calls == 1
        assert app.context.catalog.known_hardware() is not None


async def test_a_first_list_refused_before_the_app_existed_is_said_on_its_first_screen() -> None:
    """A key refused (401) while the app's modules loaded: the Endpoints pane says so from its first frame,
    as it does when the app sends the list itself."""
    from textual.widgets import Static

    from tui.api.errors import AuthenticationError

    provider, config = account_of()
    provider.failures["list_endpoints"] = [AuthenticationError("Invalid API key", status=401)]
    account = Account.open(provider, config)  # type: ignore[arg-type]
    account.begin()
    await until(lambda: account.store.scheduler.last_error is not None)
    app = TogetherApp(provider, config, account=account)  # type: ignore[arg-type]
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        banner = str(app.query_one("#endpoints-error", Static).content)
        assert "401 authentication failed: Invalid API key" in banner and "Check the API key" in banner, banner
        assert app.query_one("#endpoints-error", Static).display


async def test_an_app_that_ends_before_the_first_list_leaves_nothing_of_the_start_in_flight() -> None:
    """A crash at compose, say, while the list hangs: the begun list is abandoned, not left to a loop that
    is closing (its connection's coroutine was reported "never awaited" on the terminal)."""
    provider, config = account_of()
    provider.hang_list = asyncio.Event()
    accounts: list[Account] = []

    class EndsAtOnce:
        def __init__(self, given: FakeProvider, config: AppConfig, *, account: Account) -> None:
            accounts.append(account)
            self.return_code = 1

        async def run_async(self) -> None:
            await until(lambda: provider.list_calls == 1)

    loaded = LoadedSettings(Settings(), Path("/nowhere/settings.toml"), [])
    assert await run_begun(provider, config, loaded, load_app=lambda: EndsAtOnce) == 1  # type: ignore[arg-type]
    assert provider.cancelled_lists == 1
    assert accounts[0].store.idle
