"""Driving the endpoint forms in Pilot tests: waiting for their requests, reading what they show."""

from __future__ import annotations

from collections.abc import Callable
from time import monotonic
from typing import Any

from apptools import settle
from textual.pilot import Pilot
from textual.widgets import Static

from tui.api.domain import Endpoint
from tui.app.app import TogetherApp
from tui.app.screens.endpoint_form import CreateEndpointScreen
from tui.simulator import SimulatorServer
from tui.simulator.catalogue import HARDWARE_BY_ID

LLAMA = "meta-llama/Llama-3.3-70B-Instruct-Turbo"
GPT_OSS_20B = "openai/gpt-oss-20b"


async def until(pilot: Pilot[None], condition: Callable[[], object], what: str) -> None:
    """Wait for an outcome that depends on a request, rather than for a guessed time."""
    deadline = monotonic() + 15
    while not condition():
        assert monotonic() < deadline, f"timed out waiting for {what}"
        await pilot.pause(0.02)
    await settle(pilot)


def posts(server: SimulatorServer) -> list[Any]:
    return server.sim.requests("POST", "/v1/endpoints")


def patches(server: SimulatorServer) -> list[Any]:
    return [r for r in server.sim.request_log if r.method == "PATCH"]


def message(screen: Any, field: str) -> str:
    return str(screen.rows()[field].query_one(".field-message", Static).render())


def hint(screen: Any, field: str) -> str:
    return str(screen.rows()[field].query_one(".field-hint", Static).render())


def banner(screen: Any) -> str:
    return str(screen.query_one("#form-banner", Static).render())


def cheapest_available(server: SimulatorServer, model: str) -> str:
    offered = server.sim.catalogue.offered(model)
    available = [i for i, status in offered.items() if status == "available"]
    return min(available, key=lambda i: (HARDWARE_BY_ID[i].count * HARDWARE_BY_ID[i].family.dollars_per_hour, i))


def offered_with(server: SimulatorServer, model: str, status: str) -> str:
    return sorted(i for i, s in server.sim.catalogue.offered(model).items() if s == status)[0]


async def open_create(
    pilot: Pilot[None], results: list[Endpoint | None] | None = None, **kwargs: Any
) -> CreateEndpointScreen:
    """Open the create form; with ``results``, collect what it dismisses with instead of the shell."""
    app = pilot.app
    assert isinstance(app, TogetherApp)
    await settle(pilot)
    if results is None:
        app.open_create_form(**kwargs)
    else:
        app.push_screen(CreateEndpointScreen(app.context, **kwargs), callback=results.append)
    await settle(pilot)
    assert isinstance(app.screen, CreateEndpointScreen)
    return app.screen


async def an_endpoint(app: TogetherApp, model: str = GPT_OSS_20B) -> Endpoint:
    listed = await app.provider.list_endpoints()
    chosen = next(e for e in listed if e.model == model)
    return await app.provider.get_endpoint(chosen.id)


__all__ = ["settle"]  # the one settle helper, re-exported for the form tests
