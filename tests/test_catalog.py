"""The catalogue: one request per question while it is in flight, answers kept for a while, failures not."""

from __future__ import annotations

import asyncio

import pytest
from fakes import FakeProvider

from tui.api.domain import HardwareOption
from tui.api.errors import ServerError
from tui.core.catalog import Catalog

H100 = HardwareOption("1x_h100", "h100-80gb", 1, 80, "sxm", 5.4)


class Monotonic:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


async def test_concurrent_askers_share_one_request_and_the_answer_is_kept() -> None:
    provider = FakeProvider(hardware=[H100])
    clock = Monotonic()
    catalog = Catalog(provider, ttl=300, monotonic=clock)
    heard: list[None] = []
    catalog.subscribe(lambda: heard.append(None))
    first, second = await asyncio.gather(catalog.hardware(), catalog.hardware())
    assert first == second == [H100]
    assert provider.called("list_hardware") == [(None,)]
    assert catalog.price_of("1x_h100") == 5.4 and catalog.price_of("other") is None
    assert len(heard) == 1
    await catalog.hardware()
    assert len(provider.called("list_hardware")) == 1
    clock.now = 301
    await catalog.hardware()
    assert len(provider.called("list_hardware")) == 2
    await catalog.hardware("some/model")
    assert provider.called("list_hardware")[-1] == ("some/model",)


async def test_a_failure_is_not_kept() -> None:
    provider = FakeProvider(hardware=[H100], failures={"list_hardware": [ServerError("down", status=503)]})
    catalog = Catalog(provider)
    with pytest.raises(ServerError):
        await catalog.hardware()
    assert catalog.known_hardware() is None
    assert await catalog.hardware() == [H100]


async def test_a_cancelled_asker_does_not_cancel_the_request_others_wait_on() -> None:
    gate = asyncio.Event()
    provider = FakeProvider(hardware=[H100])
    original = provider.list_hardware

    async def slow(model: str | None = None) -> list[HardwareOption]:
        await gate.wait()
        return await original(model)

    provider.list_hardware = slow  # type: ignore[method-assign]
    catalog = Catalog(provider)
    impatient = asyncio.ensure_future(catalog.hardware())
    patient = asyncio.ensure_future(catalog.hardware())
    await asyncio.sleep(0)
    impatient.cancel()
    gate.set()
    assert await patient == [H100]


async def test_legacy_v1_hardware_prices_the_accounts_v1_endpoints_but_is_not_offered(start_simulator) -> None:  # type: ignore[no-untyped-def]
    from v2_tools import provider_for, today

    server = today(start_simulator)
    provider = provider_for(server)
    try:
        catalog = Catalog(provider)
        offered = await catalog.hardware()
        legacy = await provider.v1.list_endpoints()
        known = catalog.known_hardware()
        assert known is not None and legacy
        for endpoint in [await provider.get_endpoint(e.id) for e in legacy]:
            # Each v1 endpoint's hardware is priced as v1 bills it.
            assert endpoint.hardware_id in known and known[endpoint.hardware_id].price_per_hour is not None
            # What the Hardware pane offers to deploy is v2's instance types only.
            assert endpoint.hardware_id not in {option.id for option in offered}
    finally:
        await provider.aclose()


async def test_legacy_prices_that_fail_leave_the_offered_hardware_and_ask_again() -> None:
    provider = FakeProvider()
    calls = 0

    async def legacy_hardware() -> list[HardwareOption]:
        nonlocal calls
        calls += 1
        raise ServerError("v1 hardware unavailable", status=503)

    provider.legacy_hardware = legacy_hardware  # type: ignore[attr-defined]
    catalog = Catalog(provider)
    offered = await catalog.hardware()
    assert catalog.known_hardware() == {option.id: option for option in offered}
    await catalog.hardware()
    assert calls == 2
