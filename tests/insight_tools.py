"""Driving the events, metrics and traffic-split screens in Pilot tests, on the v2 simulator's account."""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from deploy_tools import make_v2_app
from formtools import until
from rich.console import Console
from rich.text import Text
from textual.pilot import Pilot
from textual.screen import Screen
from v2_tools import Start, today

from tui.api.domain import ChatMessage, Endpoint
from tui.app.app import TogetherApp
from tui.simulator import ManualClock, SimulatorServer


def account(start_simulator: Start, **overrides: Any) -> SimulatorServer:
    """Today's account at real speed: deployments take their time, so boot phases have durations."""
    return today(start_simulator, **{"speed": 1.0, **overrides})


def v2_app(server: SimulatorServer, clock: ManualClock, *, app_follows_clock: bool = False) -> TogetherApp:
    """The app on the account; with ``app_follows_clock`` its "now" is the simulator's (metrics windows)."""
    app = make_v2_app(server, clock)
    if app_follows_clock:
        app.config = replace(app.config, clock=lambda: datetime.fromtimestamp(clock(), UTC))
        app.context = replace(app.context, config=app.config)
        app.context.store.clock = app.config.clock
    return app


async def chat_over_time(app: TogetherApp, clock: ManualClock, model: str, count: int, every: float) -> None:
    """``count`` answers from ``model``, ``every`` seconds apart on the simulator's clock (real traffic)."""
    for index in range(count):
        clock.advance(every)
        await app.provider.chat(model, [ChatMessage("user", f"question {index}")])
    # The last answer inside the window's last bucket, not on its (exclusive) end.
    clock.advance(10)


def endpoint_named(app: TogetherApp, short_name: str) -> Endpoint:
    return next(e for e in app.context.store.endpoints.values() if e.name.rpartition("/")[2] == short_name)


async def loaded(pilot: Pilot[None]) -> TogetherApp:
    app = pilot.app
    assert isinstance(app, TogetherApp)
    await until(pilot, lambda: app.context.store.loaded, "the first list of endpoints")
    return app


async def show(pilot: Pilot[None], make: Callable[[TogetherApp], Screen[Any]], ready: Callable[[Any], object]) -> Any:
    """Push the screen ``make`` builds once the account is loaded; wait until ``ready(screen)``."""
    app = await loaded(pilot)
    screen = make(app)
    app.push_screen(screen)
    await until(pilot, lambda: app.screen is screen and ready(screen), f"{type(screen).__name__} to load")
    return screen


def text_of(screen: Any, selector: str) -> str:
    """What a Static shows, as plain text (a Rich table too)."""
    content = screen.query_one(selector).content
    if isinstance(content, (str, Text)):
        return str(content)
    console = Console(width=200, color_system=None, file=io.StringIO())
    with console.capture() as captured:
        console.print(content)
    return captured.get()


def requests_for(server: SimulatorServer, fragment: str) -> list[Any]:
    return [r for r in server.sim.requests("GET") if r.path.endswith(fragment)]
