"""Every provider passes the same contract against its simulator (the checks and the table: tests/contract.py)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any, cast

import pytest
from contract import CASES, CHECKS, DEMO_API_KEY, ProviderCase, Start, Subject

from tui.simulator import ManualClock, SimulatorServer


class Launcher:
    def __init__(self, start: Start, clock: ManualClock) -> None:
        self.together = start
        self.clock = clock
        self.servers: list[SimulatorServer] = []

    def serve(self, simulator: Any) -> SimulatorServer:
        server = SimulatorServer(simulator)
        server.start()
        self.servers.append(server)
        return server


@pytest.fixture(params=CASES, ids=[case.id for case in CASES])
async def subject(request: pytest.FixtureRequest, start_simulator: Start, clock: ManualClock) -> AsyncIterator[Subject]:
    case: ProviderCase = request.param
    launcher = Launcher(start_simulator, clock)
    server = case.start(launcher)
    provider = case.build(server, DEMO_API_KEY)
    yield Subject(case, server, provider)
    await provider.aclose()
    for started in launcher.servers:
        started.stop()


@pytest.mark.parametrize("check", CHECKS, ids=[check.__name__.removeprefix("check_") for check in CHECKS])
async def test_the_provider_contract(subject: Subject, check: Callable[[Subject], object]) -> None:
    await cast(Callable[[Subject], Awaitable[None]], check)(subject)
