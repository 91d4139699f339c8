"""The provider contract: what every adapter must do against its simulator, one function per check.

``CASES`` is the table of providers under contract, each with the simulator it runs against. A new
adapter adds one ``ProviderCase`` (how to start its simulator, how to build it with a key, which of its
endpoints it can start) and passes the same checks; ``tests/test_provider_contract.py`` runs them all.

The checks speak only the ``Provider`` interface and domain objects, never a wire body, so the same
assertion holds for Together v1, the combined Together provider, Nebius and whatever comes next.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

import pytest

from tui.api import errors
from tui.api.domain import ChatMessage, ChatParams, Endpoint, EndpointChanges, Phase
from tui.api.provider import DeployingProvider, Provider
from tui.api.registry import ProviderOptions, build_provider
from tui.simulator import DEMO_API_KEY, Faults, ManualClock, SimulatorConfig, SimulatorServer

Start = Callable[..., SimulatorServer]


class Launch(Protocol):
    """How a case gets its simulator: Together's (``together``, the ``start_simulator`` fixture) or any
    other simulator app served on loopback (``serve``); either is stopped after the test."""

    clock: ManualClock

    def together(self, **overrides: Any) -> SimulatorServer: ...

    def serve(self, simulator: Any) -> SimulatorServer: ...


HELLO = [ChatMessage("user", "Say hi")]
WRONG_KEY = "wrong-key-0123456789abcdef"


@dataclass(frozen=True)
class ProviderCase:
    id: str
    #: Starts the simulator this provider runs against.
    start: Callable[[Launch], SimulatorServer]
    #: The provider for a key, pointed at the simulator.
    build: Callable[[SimulatorServer, str], Provider]
    #: A model every simulator account of this provider can deploy and chat with.
    model: str = "openai/gpt-oss-20b"
    #: Whether this provider can start this (stopped) endpoint; where not, a start must be refused unsent.
    can_start: Callable[[Endpoint], bool] = field(default=lambda endpoint: True)
    #: Whether the API sends prices; where not, every price is the user's table and marked as such.
    prices_from_api: bool = True


@dataclass
class Subject:
    case: ProviderCase
    server: SimulatorServer
    provider: Provider

    def other(self, key: str) -> Provider:
        return self.case.build(self.server, key)


def _together_v1(server: SimulatorServer, key: str) -> Provider:
    options = ProviderOptions(environ={}, settings={"together_api": "v1"})
    return build_provider("together", key, server.base_url, options)


def _together(server: SimulatorServer, key: str) -> Provider:
    options = ProviderOptions(environ={}, inference_url=server.root_url, settings={"together_api": "v2"})
    return build_provider("together", key, server.base_url, options)


def _nebius_simulator(launch: Launch) -> SimulatorServer:
    from tui.simulator.nebius.app import NebiusSimulator

    config = SimulatorConfig(api_key=DEMO_API_KEY, speed=math.inf, seed=0, tokens_per_second=0.0, clock=launch.clock)
    return launch.serve(NebiusSimulator(config))


def _nebius(server: SimulatorServer, key: str) -> Provider:
    # Every region's inference host is the simulator's one port; the API sends no prices: the user's do.
    options = ProviderOptions(inference_url=server.root_url, prices={"gpu-h100-sxm": 2.95, "gpu-h200-sxm": 3.5})
    return build_provider("nebius", key, server.root_url, options)


CASES: tuple[ProviderCase, ...] = (
    # The v1 API as it was (create and restart work): what the app's v1 screens drive today.
    ProviderCase("together-v1", lambda launch: launch.together(legacy_v1=True), _together_v1),
    # Together as it is: v2 endpoints beside the legacy v1 ones, which can no longer be started.
    ProviderCase(
        "together", lambda launch: launch.together(legacy_v1=False), _together, can_start=lambda e: e.api == "v2"
    ),
    ProviderCase("nebius", _nebius_simulator, _nebius, prices_from_api=False),
)


# Helpers


async def endpoints_in(subject: Subject, phase: Phase) -> list[Endpoint]:
    return [e for e in await subject.provider.list_endpoints() if e.phase is phase]


async def one_in(subject: Subject, phase: Phase, where: Callable[[Endpoint], bool] = lambda e: True) -> Endpoint:
    found = [e for e in await endpoints_in(subject, phase) if where(e)]
    assert found, f"{subject.case.id}: the simulator's account has no {phase.value} endpoint to check with"
    return found[0]


def sent(subject: Subject, method: str) -> int:
    return len(subject.server.sim.requests(method))


# Checks


async def check_list(subject: Subject) -> None:
    endpoints = await subject.provider.list_endpoints()
    assert endpoints
    for endpoint in endpoints:
        assert endpoint.id and endpoint.name and isinstance(endpoint.phase, Phase)
        # The provider's own word stays, whatever the phase it maps to.
        assert endpoint.state and endpoint.state == endpoint.state.strip()
    assert {Phase.READY, Phase.STOPPED} <= {e.phase for e in endpoints}
    assert len({e.id for e in endpoints}) == len(endpoints)


async def check_get(subject: Subject) -> None:
    """By id where the API can (Nebius cannot: its provider reads the list)."""
    listed = await one_in(subject, Phase.READY)
    got = await subject.provider.get_endpoint(listed.id)
    assert (got.id, got.name, got.phase) == (listed.id, listed.name, listed.phase)
    assert got.detailed
    with pytest.raises(errors.NotFoundError) as caught:
        await subject.provider.get_endpoint("endpoint-00000000-0000-0000-0000-000000000000")
    assert caught.value.status == 404


async def check_access(subject: Subject) -> None:
    await subject.provider.check_access()
    refused = subject.other(WRONG_KEY)
    try:
        with pytest.raises(errors.AuthenticationError) as caught:
            await refused.check_access()
        assert caught.value.status == 401
    finally:
        await refused.aclose()


async def check_start_and_stop(subject: Subject) -> None:
    """Start and stop one stopped endpoint the provider can start; every one it cannot is refused unsent."""
    provider = subject.provider
    stopped = await endpoints_in(subject, Phase.STOPPED)
    startable = [e for e in stopped if subject.case.can_start(e)]
    assert startable, f"{subject.case.id}: no stopped endpoint this provider can start"
    for retired in (e for e in stopped if not subject.case.can_start(e)):
        writes = sent(subject, "PATCH") + sent(subject, "POST")
        with pytest.raises(errors.V1RetiredError, match="redeploy on v2"):
            await provider.start_endpoint(retired.id)
        assert sent(subject, "PATCH") + sent(subject, "POST") == writes, "a refused start was sent anyway"
    target = startable[0]
    started = await provider.start_endpoint(target.id)
    assert started.id == target.id and started.phase in (Phase.PENDING, Phase.STARTING, Phase.READY)
    assert (await provider.get_endpoint(target.id)).phase is Phase.READY
    stopping = await provider.stop_endpoint(target.id)
    assert stopping.phase in (Phase.STOPPING, Phase.STOPPED)
    assert (await provider.get_endpoint(target.id)).phase is Phase.STOPPED


async def check_update_replicas(subject: Subject) -> None:
    listed = await one_in(subject, Phase.READY, lambda e: len(e.deployments) <= 1)
    # A list may carry no bounds (v1's does not): the details do.
    target = await subject.provider.get_endpoint(listed.id)
    assert target.max_replicas is not None
    wanted = target.max_replicas + 1
    updated = await subject.provider.update_endpoint(target.id, EndpointChanges(max_replicas=wanted))
    assert updated.max_replicas == wanted
    got = await subject.provider.get_endpoint(target.id)
    assert (got.min_replicas, got.max_replicas) == (target.min_replicas, wanted)


async def check_delete(subject: Subject) -> None:
    victim = await one_in(subject, Phase.STOPPED)
    await subject.provider.delete_endpoint(victim.id)
    assert victim.id not in {e.id for e in await subject.provider.list_endpoints()}
    with pytest.raises(errors.NotFoundError):
        await subject.provider.get_endpoint(victim.id)


def _a_price(value: float | None) -> bool:
    return value is None or (math.isfinite(value) and value > 0)


async def check_hardware_and_deploy_options(subject: Subject) -> None:
    hardware = await subject.provider.list_hardware()
    assert hardware and all(h.id for h in hardware)
    assert all(_a_price(h.price_per_hour) for h in hardware)
    priced = [h for h in hardware if h.price_per_hour is not None]
    assert priced, "no hardware has a price"
    # $/month is $/hour over the same 730 hours for every provider.
    assert all(h.price_per_month == pytest.approx(h.price_per_hour * 730) for h in priced if h.price_per_hour)
    for_model = await subject.provider.list_hardware(subject.case.model)
    assert for_model and {h.id for h in for_model} <= {h.id for h in hardware}
    # A price never passes for the API's when it is the user's own table (and the other way round).
    assert {h.price_from_api for h in hardware} == {subject.case.prices_from_api}
    capabilities = getattr(subject.provider, "capabilities", None)
    if isinstance(subject.provider, DeployingProvider) or (capabilities and capabilities.deploy_profiles):
        options = await subject.provider.deploy_options(subject.case.model)  # type: ignore[attr-defined]
        assert options and all(o.id and o.model and o.hardware_label for o in options)
        assert all(_a_price(o.dollars_per_hour) for o in options)
        assert any(o.dollars_per_hour for o in options)
        assert {o.price_from_api for o in options} == {subject.case.prices_from_api}
        assert len({o.id for o in options}) == len(options), "one option per id"


async def check_models(subject: Subject) -> None:
    models = await subject.provider.list_models()
    assert models and all(m.id for m in models)
    deployable = await subject.provider.list_models(dedicated_only=True)
    assert subject.case.model in {m.id for m in deployable} | {m.title for m in deployable}


async def check_chat_stream_with_usage(subject: Subject) -> None:
    running = await one_in(subject, Phase.READY)
    events = [e async for e in subject.provider.stream_chat(running.inference_model, HELLO, ChatParams(max_tokens=64))]
    assert "".join(e.content + e.reasoning for e in events)
    assert any(e.finish_reason for e in events)
    usage = next(e.usage for e in reversed(events) if e.usage is not None)
    assert usage.completion_tokens and usage.completion_tokens > 0
    reply = await subject.provider.chat(running.inference_model, HELLO, ChatParams(max_tokens=64))
    assert reply.content + reply.reasoning and reply.usage is not None


async def check_chat_to_a_stopped_endpoint(subject: Subject) -> None:
    stopped = await one_in(subject, Phase.STOPPED)
    with pytest.raises(errors.EndpointNotRunningError):
        await subject.provider.chat(stopped.inference_model, HELLO)
    with pytest.raises(errors.EndpointNotRunningError):
        async for _ in subject.provider.stream_chat(stopped.inference_model, HELLO):
            pass


async def check_errors_are_mapped(subject: Subject) -> None:
    refused = subject.other(WRONG_KEY)
    try:
        with pytest.raises(errors.AuthenticationError) as unauthorised:
            await refused.list_endpoints()
        assert unauthorised.value.status == 401 and unauthorised.value.message
    finally:
        await refused.aclose()
    # A wait past the retry cap (20 s) goes back to the caller, with the service's wait on it.
    subject.server.sim.faults = Faults(rate_limit=1.0, retry_after=90)
    try:
        with pytest.raises(errors.RateLimitError) as limited:
            await subject.provider.list_endpoints()
    finally:
        subject.server.sim.faults = Faults()
    assert limited.value.status == 429 and limited.value.retry_after == 90 and limited.value.retryable
    subject.server.sim.faults = Faults(error_status=404)
    try:
        with pytest.raises(errors.NotFoundError):
            await subject.provider.list_endpoints()
    finally:
        subject.server.sim.faults = Faults()


CHECKS: tuple[Callable[[Subject], object], ...] = (
    check_list,
    check_get,
    check_access,
    check_start_and_stop,
    check_update_replicas,
    check_delete,
    check_hardware_and_deploy_options,
    check_models,
    check_chat_stream_with_usage,
    check_chat_to_a_stopped_endpoint,
    check_errors_are_mapped,
)

__all__ = ["CASES", "CHECKS", "DEMO_API_KEY", "Launch", "ProviderCase", "Subject"]
