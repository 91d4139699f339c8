"""A local simulator of Nebius Token Factory dedicated endpoints (control plane ``/v0`` and data plane ``/v1``).

    sim = NebiusSimulator(SimulatorConfig(speed=20))
    with SimulatorServer(sim) as server:
        ...  # control plane at server.root_url, every region's inference host at server.root_url too

Like the Together simulator it imports nothing from ``tui.api`` or Textual. Its response shapes are
provisional (docs-derived, unverified against live API); the choices are marked UNVERIFIED in the
docstrings of ``app`` (routes, bodies, errors), ``checks`` (validation), ``world`` (lifecycle and
timings) and ``catalogue`` (templates).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tui.simulator.nebius.app import NebiusSimulator

__all__ = ["NebiusSimulator"]


def __getattr__(name: str) -> Any:
    # Starlette loads only when a simulator is asked for, as for the Together one.
    if name == "NebiusSimulator":
        from tui.simulator.nebius.app import NebiusSimulator

        return NebiusSimulator
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
