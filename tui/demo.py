"""Demo mode: the simulator served on loopback inside this process, and the registry's provider pointed at it.

A real loopback server (not ``httpx.ASGITransport``, which buffers whole responses) so the demo's chat
streams token by token exactly as it would from Together.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tui.api.provider import Provider
    from tui.simulator import Simulator, SimulatorServer

#: Fast enough to watch an endpoint go PENDING -> STARTED in a few seconds.
DEMO_SPEED = 20.0
DEMO_TOKENS_PER_SECOND = 40.0


@dataclass
class DemoBackend:
    simulator: Simulator
    server: SimulatorServer
    provider: Provider

    def stop(self) -> None:
        self.server.stop()


def start_demo_backend(
    *, speed: float = DEMO_SPEED, tokens_per_second: float = DEMO_TOKENS_PER_SECOND, seed: int = 0
) -> DemoBackend:
    from tui.api.registry import TOGETHER_API_DEFAULT, ProviderOptions, build_provider
    from tui.simulator import DEMO_API_KEY, Simulator, SimulatorConfig, SimulatorServer

    simulator = Simulator(
        SimulatorConfig(
            api_key=DEMO_API_KEY, speed=speed, seed=seed, tokens_per_second=tokens_per_second,
            # The screens still create and start through v1 until they speak v2 (issue 13): until then the
            # registry builds the v1 provider and the demo serves the v1 account as it was, where create and
            # start work. Flipping the registry's default to v2 serves Together as it is today.
            legacy_v1=TOGETHER_API_DEFAULT == "v1",
        )
    )
    server = SimulatorServer(simulator)
    server.start()
    # environ={}: the user's TOGETHER_PROJECT_ID or inference URL must not steer the demo off the simulator.
    options = ProviderOptions(environ={}, inference_url=server.root_url)
    provider = build_provider("together", DEMO_API_KEY, server.base_url, options)
    return DemoBackend(simulator, server, provider)
