"""Helpers for the v2 client and provider tests: the simulator today (v2 beside retired v1), and clients of it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tui.api.http import ApiSession
from tui.api.together.combined import TogetherProvider
from tui.api.together.v2.client import TogetherV2Client
from tui.simulator import DEMO_API_KEY, ManualClock, SimulatorServer

Start = Callable[..., SimulatorServer]
GPT_OSS_20B = "openai/gpt-oss-20b"


def today(start: Start, **overrides: Any) -> SimulatorServer:
    """Together as it is now: v2 plus the account's two legacy v1 endpoints, v1 create and restart refused."""
    return start(legacy_v1=False, **overrides)


def v2_client(server: SimulatorServer, **options: Any) -> TogetherV2Client:
    # The v1 base URL, as the app holds it: the client must find the management root itself.
    return TogetherV2Client(ApiSession(DEMO_API_KEY, server.base_url), environ={}, **options)


def provider_for(server: SimulatorServer, clock: ManualClock | None = None, **options: Any) -> TogetherProvider:
    """The combined provider on the simulator, its inference host pointed at the same server.

    With ``clock``, each wait of a smart delete advances the simulator's clock instead of sleeping.
    """
    if clock is not None:

        async def advance(seconds: float) -> None:
            clock.advance(seconds)

        options.setdefault("sleep", advance)
    return TogetherProvider.connect(DEMO_API_KEY, server.base_url, inference_url=server.root_url, environ={}, **options)


def requests_to(server: SimulatorServer, method: str, fragment: str = "") -> list[Any]:
    return [r for r in server.sim.requests(method) if fragment in r.path]
