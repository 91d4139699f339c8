"""Demo mode: a simulator served on loopback inside this process, and the registry's provider pointed at it.

A real loopback server (not ``httpx.ASGITransport``, which buffers whole responses) so the demo's chat
streams token by token exactly as it would from the real service. Which simulator is the control plane's
the demo was asked for: Together (``--demo``) or Nebius Token Factory (``--demo --provider nebius``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tui.api.provider import Provider
    from tui.simulator import Simulator, SimulatorServer
    from tui.simulator.nebius import NebiusSimulator

#: Fast enough to watch an endpoint go PENDING -> STARTED in a few seconds.
DEMO_SPEED = 20.0
DEMO_TOKENS_PER_SECOND = 40.0
#: The control planes a demo can simulate (registry kinds).
DEMO_KINDS = ("together", "nebius")


@dataclass
class DemoBackend:
    simulator: Simulator | NebiusSimulator
    server: SimulatorServer
    provider: Provider
    #: The registry kind the demo simulates ("together", "nebius").
    kind: str = "together"

    def stop(self) -> None:
        self.server.stop()


def start_demo_backend(
    *,
    kind: str = "together",
    speed: float = DEMO_SPEED,
    tokens_per_second: float = DEMO_TOKENS_PER_SECOND,
    seed: int = 0,
    prices: Mapping[str, float] | None = None,
) -> DemoBackend:
    """Start the simulator of ``kind`` and build its provider. ``prices`` ($/GPU-hour by GPU type) are the
    user's table for a control plane that sends none (Nebius): the demo invents no prices of its own."""
    from tui.api.registry import TOGETHER_API_DEFAULT, ProviderOptions, build_provider
    from tui.simulator import DEMO_API_KEY, SimulatorConfig, SimulatorServer

    if kind not in DEMO_KINDS:
        raise ValueError(f"no demo of {kind!r}: one of {', '.join(DEMO_KINDS)}")
    if kind == "nebius":
        from tui.simulator.nebius import NebiusSimulator

        nebius = NebiusSimulator(
            SimulatorConfig(api_key=DEMO_API_KEY, speed=speed, seed=seed, tokens_per_second=tokens_per_second)
        )
        server: SimulatorServer = SimulatorServer(nebius)
        server.start()
        # Every region's chat host is the simulator's own port; environ={}: nothing of the user's steers it off.
        options = ProviderOptions(environ={}, inference_url=server.root_url, prices=dict(prices or {}))
        provider = build_provider("nebius", DEMO_API_KEY, server.root_url, options)
        return DemoBackend(nebius, server, provider, kind)

    from tui.simulator import Simulator

    simulator = Simulator(
        SimulatorConfig(
            api_key=DEMO_API_KEY, speed=speed, seed=seed, tokens_per_second=tokens_per_second,
            # The demo serves Together as it is (v2 beside the retired v1) unless the default says v1.
            legacy_v1=TOGETHER_API_DEFAULT == "v1",
        )
    )
    server = SimulatorServer(simulator)
    server.start()
    # environ={}: the user's TOGETHER_PROJECT_ID or inference URL must not steer the demo off the simulator.
    options = ProviderOptions(environ={}, inference_url=server.root_url)
    provider = build_provider("together", DEMO_API_KEY, server.base_url, options)
    return DemoBackend(simulator, server, provider, kind)
