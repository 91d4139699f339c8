"""Every provider passes the same contract against its simulator (the checks and the table: tests/contract.py)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import cast

import pytest
from contract import CASES, CHECKS, DEMO_API_KEY, ProviderCase, Start, Subject


@pytest.fixture(params=CASES, ids=[case.id for case in CASES])
async def subject(request: pytest.FixtureRequest, start_simulator: Start) -> AsyncIterator[Subject]:
    case: ProviderCase = request.param
    server = case.start(start_simulator)
    provider = case.build(server, DEMO_API_KEY)
    yield Subject(case, server, provider)
    await provider.aclose()


@pytest.mark.parametrize("check", CHECKS, ids=[check.__name__.removeprefix("check_") for check in CHECKS])
async def test_the_provider_contract(subject: Subject, check: Callable[[Subject], object]) -> None:
    await cast(Callable[[Subject], Awaitable[None]], check)(subject)
