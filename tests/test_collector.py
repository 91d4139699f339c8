"""Start-up: the garbage collector paused for it (tui.collector) always runs again: after the first list, after
a failed one, after the deadline, and at once for every command that is not the app."""

from __future__ import annotations

import asyncio
import gc
import os
from collections.abc import Iterator

import pytest
from fakes import FakeProvider, endpoint

from tui import cli, collector
from tui.api import errors
from tui.app import app as app_module
from tui.app.app import TogetherApp
from tui.core.app_config import AppConfig


@pytest.fixture(autouse=True)
def collector_restored() -> Iterator[None]:
    yield
    collector.resume_collector()
    gc.enable()


async def until_resumed(pilot: object) -> None:
    """Until the app has given the collector back (its first list is in, or the deadline passed)."""
    for _ in range(100):
        await pilot.pause(0.02)  # type: ignore[attr-defined]
        if not collector.collector_paused():
            return


def test_pause_and_resume_leave_a_collector_someone_else_disabled_alone() -> None:
    gc.disable()
    collector.pause_collector()
    assert not collector.collector_paused()
    collector.resume_collector()
    assert not gc.isenabled()


def test_pause_then_resume_collects_again() -> None:
    collector.pause_collector()
    assert collector.collector_paused() and not gc.isenabled()
    collector.resume_collector()
    collector.resume_collector()  # twice is harmless
    assert gc.isenabled() and not collector.collector_paused()


def test_a_command_that_is_not_the_app_collects_again(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[bool] = []

    def run(args: object) -> int:
        seen.append(gc.isenabled())
        return 0

    monkeypatch.setattr("tui.keys.auth_cli.run", run)
    assert cli.main(["auth", "status"]) == 0
    assert seen == [True]
    assert gc.isenabled()


def test_main_collects_again_when_the_app_ends(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[bool] = []

    def run_app(args: object) -> int:
        seen.append(gc.isenabled())
        raise RuntimeError("the app crashed")

    monkeypatch.setattr(cli, "run_app", run_app)
    with pytest.raises(RuntimeError):
        cli.main([])
    assert seen == [False]
    assert gc.isenabled()


async def test_the_app_collects_again_once_the_first_list_is_in() -> None:
    provider = FakeProvider.with_endpoints(endpoint("ep-1"))
    gate = asyncio.Event()
    provider.hang_list = gate
    collector.pause_collector()
    app = TogetherApp(provider, AppConfig(refresh_interval=60))  # type: ignore[arg-type]
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        assert collector.collector_paused(), "still starting: the list has not come"
        gate.set()
        provider.hang_list = None
        await until_resumed(pilot)
        assert gc.isenabled()
        assert app.context.store.loaded


async def test_the_app_collects_again_after_a_failed_first_list() -> None:
    provider = FakeProvider.with_endpoints(endpoint("ep-1"))
    provider.failures["list_endpoints"] = [errors.ServerError("down", status=503)]
    collector.pause_collector()
    app = TogetherApp(provider, AppConfig(refresh_interval=60))  # type: ignore[arg-type]
    async with app.run_test(size=(120, 36)) as pilot:
        await until_resumed(pilot)
        assert gc.isenabled()
        assert not app.context.store.loaded


async def test_the_app_collects_again_by_the_deadline_whatever_the_list_does(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    provider = FakeProvider.with_endpoints(endpoint("ep-1"))
    provider.hang_list = asyncio.Event()  # never answers
    monkeypatch.setattr(app_module, "START_UP_DEADLINE", 0.1)
    collector.pause_collector()
    app = TogetherApp(provider, AppConfig(refresh_interval=60))  # type: ignore[arg-type]
    async with app.run_test(size=(120, 36)) as pilot:
        await until_resumed(pilot)
        assert gc.isenabled()
        provider.hang_list.set()


def test_pydantic_plugins_are_off_unless_the_user_says_otherwise(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("tui.keys.auth_cli.run", lambda args: 0)
    monkeypatch.delenv("PYDANTIC_DISABLE_PLUGINS", raising=False)
    cli.main(["auth", "status"])
    assert os.environ["PYDANTIC_DISABLE_PLUGINS"] == "__all__"
    monkeypatch.setenv("PYDANTIC_DISABLE_PLUGINS", "")
    cli.main(["auth", "status"])
    assert os.environ["PYDANTIC_DISABLE_PLUGINS"] == ""


async def test_the_first_load_is_frozen_every_second_while_it_runs_and_no_more_once_over(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    provider = FakeProvider.with_endpoints(endpoint("ep-1"), endpoint("ep-2"), detailed_lists=False)
    gate = asyncio.Event()
    reads = provider.get_endpoint

    async def slow_details(endpoint_id: str) -> object:
        await gate.wait()
        return await reads(endpoint_id)

    monkeypatch.setattr(provider, "get_endpoint", slow_details)
    monkeypatch.setattr(app_module, "LOAD_FROZEN_EVERY", 0.2)
    frozen: list[int] = []
    monkeypatch.setattr(collector.gc, "freeze", lambda: frozen.append(1))
    # A full pass during the load freezes too (its own test below); one may come at any time on a busy
    # machine (CI saw one), so this test counts only the freezes of start-up and of the load's seconds.
    monkeypatch.setattr(collector.FreezeAfterFullPasses, "_freeze", lambda self: None)
    collector.pause_collector()
    app = TogetherApp(provider, AppConfig(refresh_interval=60))  # type: ignore[arg-type]
    async with app.run_test(size=(120, 36)) as pilot:
        await until_resumed(pilot)
        assert app._first_load_freezes is not None, "full passes of the first load are listened to"
        assert len(frozen) <= 1, "start-up's objects, when the first list was in"
        await pilot.pause(1.3)
        assert len(frozen) >= 4 and not app.context.store.idle, "what the load built so far, each 0.2 s"
        gate.set()
        for _ in range(100):
            await pilot.pause(0.03)
            if app.context.store.loaded and app.context.store.idle:
                break
        await pilot.pause(0.5)
        assert app.context.store.loaded
        settled = len(frozen)
        await pilot.pause(1.0)
        assert len(frozen) == settled, "no freeze once the load is over"
        assert app._first_load_freezes.frozen == 0 and collector.gc.callbacks.count(app._first_load_freezes._heard) == 0


async def test_a_first_load_that_never_ends_is_frozen_no_more_after_a_while(monkeypatch: pytest.MonkeyPatch) -> None:
    provider = FakeProvider.with_endpoints(endpoint("ep-1"), detailed_lists=False)
    never = asyncio.Event()

    async def hung_details(endpoint_id: str) -> object:
        await never.wait()
        raise AssertionError("never answered")

    monkeypatch.setattr(provider, "get_endpoint", hung_details)
    monkeypatch.setattr(app_module, "LOAD_FROZEN_EVERY", 0.1)
    monkeypatch.setattr(app_module, "LOAD_FROZEN_FOR", 0.5)
    frozen: list[int] = []
    monkeypatch.setattr(collector.gc, "freeze", lambda: frozen.append(1))
    collector.pause_collector()
    app = TogetherApp(provider, AppConfig(refresh_interval=60))  # type: ignore[arg-type]
    async with app.run_test(size=(120, 36)) as pilot:
        await until_resumed(pilot)
        await pilot.pause(1.2)
        assert not app.context.store.idle, "the details never came"
        stopped = len(frozen)
        assert stopped >= 3
        await pilot.pause(0.6)
        assert len(frozen) == stopped, "frozen no more"
        loading = app._first_load_freezes
        assert loading is not None and loading._heard not in collector.gc.callbacks
        never.set()


async def test_an_app_inside_another_program_freezes_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    frozen: list[int] = []
    monkeypatch.setattr(collector.gc, "freeze", lambda: frozen.append(1))
    app = TogetherApp(FakeProvider.with_endpoints(endpoint("ep-1")), AppConfig(refresh_interval=60))  # type: ignore[arg-type]
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause(1.3)
        app._start_up_over()
        await pilot.pause(1.3)
    assert frozen == []


def test_while_installed_what_survives_a_full_pass_is_frozen_after_it(monkeypatch: pytest.MonkeyPatch) -> None:
    soon: list[object] = []
    frozen: list[int] = []
    monkeypatch.setattr(collector.gc, "freeze", lambda: frozen.append(1))
    freezes = collector.FreezeAfterFullPasses(soon.append)
    freezes.install()
    freezes.install()  # once, however often installed
    try:
        gc.collect(1)
        assert soon == [], "a young pass freezes nothing"
        gc.collect()
        assert len(soon) == 1 and frozen == [], "frozen on the loop, not inside the collector"
        soon[0]()  # type: ignore[operator]
        assert frozen == [1] and freezes.frozen == 1
    finally:
        freezes.remove()
    gc.collect()
    assert len(soon) == 1, "removed: no more"


def test_a_full_pass_after_the_loop_closed_says_nothing_and_stops_listening(
    capsys: pytest.CaptureFixture[str],
) -> None:
    loop = asyncio.new_event_loop()
    loop.close()
    freezes = collector.FreezeAfterFullPasses(loop.call_soon_threadsafe)
    freezes.install()
    try:
        gc.collect()
        assert freezes._heard not in gc.callbacks
    finally:
        freezes.remove()
    assert "Exception ignored" not in capsys.readouterr().err


def _recording_resumes(monkeypatch: pytest.MonkeyPatch, app: TogetherApp) -> list[bool]:
    """Whether the Endpoints pane was still drawing its rows each time the app gave the collector back."""
    drawing: list[bool] = []
    real = app_module.resume_collector

    def recording() -> None:
        drawing.append(app._panes["endpoints"].drawing)  # type: ignore[attr-defined]
        real()

    monkeypatch.setattr(app_module, "resume_collector", recording)
    return drawing


async def test_a_large_first_fill_is_drawn_before_the_collector_runs_again(monkeypatch: pytest.MonkeyPatch) -> None:
    """1,000 endpoints are drawn in slices after the list is in; a full pass meanwhile walked every new row."""
    from tui.app.panes import endpoint_render

    provider = FakeProvider.with_endpoints(*(endpoint(f"ep-{index:04}") for index in range(1000)))
    # Slices of a row or so: the fill outlasts the first frames whatever the machine.
    monkeypatch.setattr(endpoint_render, "SLICE_BUDGET", 1e-6)
    collector.pause_collector()
    app = TogetherApp(provider, AppConfig(refresh_interval=60))  # type: ignore[arg-type]
    drawing = _recording_resumes(monkeypatch, app)
    async with app.run_test(size=(120, 36)) as pilot:
        for _ in range(500):
            await pilot.pause(0.02)
            if not collector.collector_paused():
                break
        assert drawing == [False]
        assert app.query_one("#endpoints-table").row_count == 1000


async def test_the_deadline_gives_the_collector_back_while_rows_are_still_drawing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    provider = FakeProvider.with_endpoints(*(endpoint(f"ep-{index:04}") for index in range(1000)))
    monkeypatch.setattr(app_module, "START_UP_DEADLINE", 0.05)
    collector.pause_collector()
    app = TogetherApp(provider, AppConfig(refresh_interval=60))  # type: ignore[arg-type]
    drawing = _recording_resumes(monkeypatch, app)
    # A fill that never ends: the pane says it is drawing whatever it does.
    from tui.app.panes.endpoints import EndpointsPane

    monkeypatch.setattr(EndpointsPane, "drawing", property(lambda self: True))
    async with app.run_test(size=(120, 36)) as pilot:
        await until_resumed(pilot)
        assert drawing == [True]
        assert gc.isenabled()
