"""A local simulator of Together AI's v1 API, for demo mode and tests.

It answers like the real service (shapes, status codes, Together-shaped error bodies, SSE framing,
state transitions that take time) so that code passing against it works against
https://api.together.ai/v1. It is an independent server implementation: it imports nothing from
`tui.api` or Textual.

    sim = Simulator(SimulatorConfig(speed=20))
    with SimulatorServer(sim) as server:
        ...  # point a client at server.base_url with DEMO_API_KEY

Where the real behaviour is not documented the choice made is noted, marked UNVERIFIED, in the
docstring of the module that implements it: `world` (lifecycle and timings), `app` (validation
and error choices), `chat` (stream shape), `catalogue` (prices and ids), `faults`.

`NebiusSimulator` (`tui.simulator.nebius`) is the same for Nebius Token Factory dedicated endpoints,
served by the same `SimulatorServer` (`together-tui simulate --provider nebius`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tui.simulator.config import DEMO_API_KEY, ManualClock, SimulatorConfig
from tui.simulator.faults import Faults

if TYPE_CHECKING:
    from tui.simulator.nebius.app import NebiusSimulator
    from tui.simulator.server import SimulatorServer
    from tui.simulator.simulator import RequestRecord, Simulator

# The web stack (Starlette, uvicorn) loads only when a server or simulator is asked for: the app's
# CLI imports this package to describe `simulate`, and that must not cost every start-up ~0.1 s.
_LAZY = {
    "SimulatorServer": "tui.simulator.server",
    "Simulator": "tui.simulator.simulator",
    "RequestRecord": "tui.simulator.simulator",
    "NebiusSimulator": "tui.simulator.nebius.app",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

__all__ = [
    "DEMO_API_KEY",
    "Faults",
    "ManualClock",
    "NebiusSimulator",
    "RequestRecord",
    "Simulator",
    "SimulatorConfig",
    "SimulatorServer",
]
