"""Demo mode: the simulator served on loopback inside this process, and a provider pointed at it.

A real loopback server (not ``httpx.ASGITransport``, which buffers whole responses) so the demo's chat
streams token by token exactly as it would from Together.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tui.api.together import TogetherV1Provider
    from tui.simulator import Simulator, SimulatorServer

#: Fast enough to watch an endpoint go PENDING -> STARTED in a few seconds.
DEMO_SPEED = 20.0
DEMO_TOKENS_PER_SECOND = 40.0


@dataclass
class DemoBackend:
    simulator: Simulator
    server: SimulatorServer
    provider: TogetherV1Provider

    def stop(self) -> None:
        self.server.stop()


def start_demo_backend(
    *, speed: float = DEMO_SPEED, tokens_per_second: float = DEMO_TOKENS_PER_SECOND, seed: int = 0
) -> DemoBackend:
    from tui.api.together import TogetherClient, TogetherV1Provider
    from tui.simulator import DEMO_API_KEY, Simulator, SimulatorConfig, SimulatorServer

    simulator = Simulator(
        SimulatorConfig(
            api_key=DEMO_API_KEY, speed=speed, seed=seed, tokens_per_second=tokens_per_second,
            # The screens still create and start through v1 until they speak v2 (issue 13): until then the
            # demo serves the v1 account as it was, where create and start work.
            legacy_v1=True,
        )
    )
    server = SimulatorServer(simulator)
    server.start()
    provider = TogetherV1Provider(TogetherClient(DEMO_API_KEY, server.base_url))
    return DemoBackend(simulator, server, provider)
