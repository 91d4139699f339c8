"""Shared by the Nebius tests: the request/response JSON schema and a loopback simulator fixture."""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator, FormatChecker

from tui.simulator.config import DEMO_API_KEY, ManualClock, SimulatorConfig
from tui.simulator.nebius.app import NebiusSimulator
from tui.simulator.server import SimulatorServer

SCHEMA = json.loads((Path(__file__).parent / "nebius_schema.json").read_text())
SIM_KEY = DEMO_API_KEY


def validator(definition: str) -> Draft202012Validator:
    """A validator for one ``$defs`` entry of the schema (refs resolve within the document)."""
    return Draft202012Validator({**SCHEMA, "$ref": f"#/$defs/{definition}"}, format_checker=FormatChecker())


def schema_errors(definition: str, instance: Any) -> list[str]:
    return [f"{list(e.absolute_path)}: {e.message}" for e in validator(definition).iter_errors(instance)]


@pytest.fixture
def start_nebius() -> Iterator[Callable[..., SimulatorServer[NebiusSimulator]]]:
    """Start Nebius simulators on loopback: a manual clock, no token delay, realistic timings by default."""
    servers: list[SimulatorServer[NebiusSimulator]] = []

    def start(**overrides: Any) -> SimulatorServer[NebiusSimulator]:
        options: dict[str, Any] = {"api_key": SIM_KEY, "speed": 1.0, "seed": 0, "tokens_per_second": 0.0,
                                   "clock": ManualClock()}
        options.update(overrides)
        server = SimulatorServer(NebiusSimulator(SimulatorConfig(**options)))
        server.start()
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()


INSTANT = math.inf


#: The price table the screen tests use ($/GPU-hour): H100 and H200 priced, every other GPU unknown.
PRICES = {"h100": 2.95, "gpu-h200-sxm": 3.5}


def make_nebius_app(server: SimulatorServer[NebiusSimulator], *, prices: dict[str, float] | None = None,
                    **config: Any) -> Any:
    """The app as a Nebius profile runs it, on ``server`` (control plane and every region's chat), with a
    frozen clock and polling effectively off, as ``apptools.make_app`` builds it for Together (a demo, so
    the header names no loopback port that changes from run to run)."""
    from dataclasses import replace

    from tests.apptools import frozen_clock
    from tui.api.nebius import create_provider
    from tui.app.app import TogetherApp
    from tui.core.app_config import AppConfig

    table = PRICES if prices is None else prices
    provider = create_provider(SIM_KEY, server.root_url, {"inference_url": server.root_url, "prices": table})
    base = AppConfig(
        base_url=server.root_url, profile="nebius", provider="nebius", provider_label="Nebius Token Factory",
        prices=dict(table), demo=True, refresh_interval=3600.0, fast_refresh_interval=3600.0, theme="textual-dark",
        remember_theme=False, clock=frozen_clock,
    )
    app = TogetherApp(provider, replace(base, **config))
    app.animation_level = "none"
    return app
