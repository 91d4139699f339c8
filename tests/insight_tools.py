"""Driving the events, metrics and traffic-split screens in Pilot tests, on the v2 simulator's account."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from deploy_tools import make_v2_app
from formtools import until
from textual.pilot import Pilot
from textual.screen import Screen
from v2_tools import Start, today

from tui.api.domain import Endpoint
from tui.app.app import TogetherApp
from tui.simulator import ManualClock, SimulatorServer


def account(start_simulator: Start, **overrides: Any) -> SimulatorServer:
    """Today's account at real speed: deployments take their time, so boot phases have durations."""
    return today(start_simulator, **{"speed": 1.0, **overrides})


def v2_app(server: SimulatorServer, clock: ManualClock) -> TogetherApp:
    return make_v2_app(server, clock)


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
    return str(screen.query_one(selector).render())


def requests_for(server: SimulatorServer, fragment: str) -> list[Any]:
    return [r for r in server.sim.requests("GET") if r.path.endswith(fragment)]
