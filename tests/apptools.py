"""Building the real app against a simulator for Pilot and snapshot tests."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from tui.api.together import TogetherClient, TogetherV1Provider
from tui.app.app import STORE_WORKER_GROUP, TogetherApp
from tui.core.app_config import AppConfig
from tui.simulator import DEMO_API_KEY, SimulatorServer

#: The frozen "now" the app sees in tests (matches conftest.FIXED_EPOCH).
FROZEN_NOW = datetime.fromtimestamp(1768478400.0, UTC)


def frozen_clock() -> datetime:
    return FROZEN_NOW


def make_provider(server: SimulatorServer, *, api_key: str = DEMO_API_KEY, **client_options: Any) -> TogetherV1Provider:
    return TogetherV1Provider(TogetherClient(api_key, server.base_url, **client_options))


def make_app(
    server: SimulatorServer, *, api_key: str = DEMO_API_KEY, client_options: dict[str, Any] | None = None,
    **config: Any,
) -> TogetherApp:
    """The app as a user runs it, pointed at ``server``, with a frozen clock and no animation.

    Polling is effectively off (one-hour intervals) unless a test passes its own intervals: tests drive
    refreshes explicitly (``r`` or the pane's refresh action) so they never race a timer.
    """
    base = AppConfig(
        base_url=server.base_url,
        demo=True,
        refresh_interval=3600.0,
        fast_refresh_interval=3600.0,
        theme="textual-dark",
        remember_theme=False,
        clock=frozen_clock,
    )
    app = TogetherApp(make_provider(server, api_key=api_key, **(client_options or {})), replace(base, **config))
    app.animation_level = "none"
    return app


async def settle(pilot: Any) -> None:
    """Let keys, workers and the store's requests finish, and what their answers start, also on a busy machine.

    The one way tests wait for the app to be quiet: a real-time pause lets the app's own queue (key
    events) run, then workers and the endpoint store are waited on until nothing new starts. The store's
    poll loop runs for the app's lifetime, so its worker is never waited on: ``store.settled()`` waits for
    the poll and the actions in flight instead.
    """
    app = pilot.app
    await pilot.pause(0.02)
    for _ in range(6):
        # Not wait_for_complete([]): an empty list means every worker to Textual, the store's loop too.
        if passing := _passing_workers(app):
            await app.workers.wait_for_complete(passing)
        store = getattr(getattr(app, "context", None), "store", None)
        if store is not None:
            await store.settled()
        await pilot.pause()
        busy = any(worker.is_running for worker in _passing_workers(app)) or (store is not None and not store.idle)
        if not busy:
            return


def _passing_workers(app: Any) -> list[Any]:
    return [worker for worker in app.workers if worker.group != STORE_WORKER_GROUP]


def screen_text(app: Any) -> str:
    """What the terminal shows now, as plain text (one line per row): for asserting on small screens."""
    import io

    from rich.console import Console

    width, height = app.size
    console = Console(width=width, height=height, file=io.StringIO(), force_terminal=True, color_system="truecolor",
                      record=True, legacy_windows=False, safe_box=False)
    console.print(app.screen._compositor.render_update(full=True, screen_stack=app._background_screens))
    return console.export_text()


async def select_row(app: Any, pilot: Any, key: str) -> None:
    """Put the table's cursor on ``key`` and wait for the details panel to follow it: it follows once keys
    pause (``HELD_KEY_GAP``), which one ``pilot.pause()`` does not always cover on a busy machine."""
    from tui.app.widgets.endpoint_detail import EndpointDetail
    from tui.app.widgets.endpoint_table import EndpointTable

    assert app.query_one(EndpointTable).select(key)
    await pilot.pause()
    detail = app.query_one("#endpoints-detail", EndpointDetail)
    for _ in range(60):
        if detail._key == key:
            return
        await pilot.pause(0.05)
