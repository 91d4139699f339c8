"""Issue 12: what the user reads when Together's v1 refuses (403 ``endpoints_v1_create_access_disabled``) or a
dedicated endpoint is not running (400 ``dedicated_endpoint_not_running``), driven by keys against the simulator.

The refusal is v1's retirement, never a key problem; a stopped endpoint is "not running", with the one action
that works: on the default profile a legacy v1 endpoint is redeployed on v2 (v1 restarts nothing), on a v1-only
profile the start is offered and the 403 it meets is explained as what it is.
"""

from __future__ import annotations

import asyncio
from dataclasses import replace
from typing import Any

from apptools import frozen_clock, settle
from test_chat_pane import text_of, view_of, wait_until
from test_chat_v2 import make_app, open_chat_on, send
from textual.widgets import Static
from v2_tools import Start, today

from tui.api.errors import EndpointNotRunningError
from tui.api.together import TogetherClient, TogetherV1Provider
from tui.app.app import TogetherApp
from tui.app.screens.deploy_form import DeployScreen
from tui.core.app_config import AppConfig
from tui.core.chat import TurnState
from tui.simulator import DEMO_API_KEY, SimulatorServer

SIZE = (100, 30)
RETIRED = "v1 API no longer creates or restarts endpoints"


def v1_only_app(server: SimulatorServer, **config: Any) -> TogetherApp:
    """A profile with ``together_api = "v1"`` on today's service: v1 answers its 403 itself."""
    base = AppConfig(
        base_url=server.base_url, demo=True, refresh_interval=3600.0, fast_refresh_interval=3600.0,
        theme="textual-dark", remember_theme=False, clock=frozen_clock, confirm_start=False,
    )
    app = TogetherApp(TogetherV1Provider(TogetherClient(DEMO_API_KEY, server.base_url)), replace(base, **config))
    app.animation_level = "none"
    return app


def notifications(app: TogetherApp) -> list[str]:
    """Every notification's text, as it is posted."""
    said: list[str] = []
    original = app.notify

    def notify(message: Any, **kwargs: Any) -> None:
        said.append(str(message))
        original(message, **kwargs)

    app.notify = notify  # type: ignore[method-assign]
    return said


def writes(server: SimulatorServer) -> list[Any]:
    return [r for r in server.sim.requests() if r.method in ("PATCH", "POST") and "/chat/" not in r.path]


async def stop_behind_the_stores_back(app: TogetherApp, server: SimulatorServer, name: str) -> Any:
    """The running legacy v1 endpoint stops on the service; the store still thinks it runs."""
    await wait_until(lambda: app.context.store.loaded, within=10)
    endpoint = next(e for e in app.context.store.endpoints.values() if e.api == "v1" and e.state == "STARTED")
    app.context.store.scheduler.fast = app.context.store.scheduler.slow = 3600.0
    server.sim.set_state(endpoint.id, "STOPPED")
    return endpoint


async def learn_of_the_stop(app: TogetherApp, pilot: Any) -> None:
    """The store's next poll sees the endpoint stopped (as it would within its interval)."""
    app.context.store.poll_now()
    await asyncio.wait_for(app.context.store.settled(), 30)  # a generous bound: a hang fails, never waits
    await settle(pilot)


async def test_dedicated_endpoint_not_running_on_a_legacy_v1_endpoint_offers_the_redeploy(
    start_simulator: Start,
) -> None:
    server = today(start_simulator)
    app = make_app(server)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(lambda: app.context.store.loaded, within=10)
        running = next(e for e in app.context.store.endpoints.values() if e.api == "v1" and e.state == "STARTED")
        pane, _ = await open_chat_on(pilot, running.name)
        await stop_behind_the_stores_back(app, server, running.name)
        await send(pilot, "hello [sim:tokens=8]")
        turn = pane.conversation.last
        assert turn is not None
        assert isinstance(turn.error, EndpointNotRunningError)
        assert turn.error.code == "dedicated_endpoint_not_running"
        await settle(pilot)
        notice = text_of(view_of(pane).query_one("#answer-notice", Static))
        assert "not running" in notice.lower() or "stopped" in notice.lower(), notice
        assert "key" not in notice.lower(), notice
        # v1 cannot start it again: no priced start, the one action offered is the redeploy.
        assert "Redeploy it on v2" in notice and "billing begins" not in notice, notice
        await pilot.press("ctrl+g")
        await wait_until(lambda: isinstance(app.screen, DeployScreen), within=10)
        assert isinstance(app.screen, DeployScreen) and app.screen.redeploy_of is not None
        assert app.screen.redeploy_of.id == running.id
        assert writes(server) == []  # the form asks before anything is made


async def test_dedicated_endpoint_not_running_on_a_v1_only_profile_offers_a_start_that_says_v1_is_retired(
    start_simulator: Start,
) -> None:
    server = today(start_simulator)
    app = v1_only_app(server)
    said = notifications(app)
    async with app.run_test(size=SIZE) as pilot:
        running = await stop_behind_the_stores_back(app, server, "")
        pane, _ = await open_chat_on(pilot, running.name)
        await send(pilot, "hello [sim:tokens=8]")
        turn = pane.conversation.last
        assert turn is not None and turn.state is TurnState.NEEDS_START
        assert isinstance(turn.error, EndpointNotRunningError) and turn.error.code == "dedicated_endpoint_not_running"
        notice = text_of(view_of(pane).query_one("#answer-notice", Static))
        assert "Endpoint not running" in notice and "ctrl+g" in notice, notice
        await learn_of_the_stop(app, pilot)
        await pilot.press("ctrl+g")
        await settle(pilot)
        await wait_until(lambda: any(RETIRED in text for text in said), within=10)
        # The service refused the restart with its 403: read as v1's retirement, never as a refused key.
        assert [r.status for r in writes(server)] == [403]
        notice = text_of(view_of(pane).query_one("#answer-notice", Static))
        assert "not started" in notice, notice
        everything = "\n".join([notice, *said])
        assert "redeploy on v2" in everything
        assert "API key refused" not in everything and "authentication" not in everything.lower()


async def test_start_on_a_v1_only_profile_meets_the_403_and_says_redeploy_on_v2(start_simulator: Start) -> None:
    server = today(start_simulator)
    app = v1_only_app(server)
    said = notifications(app)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(lambda: app.context.store.loaded, within=10)
        await settle(pilot)
        from tree_tools import table_of

        stopped = next(e for e in app.context.store.endpoints.values() if e.state == "STOPPED" and e.api != "v2")
        assert table_of(app).select(stopped.id)
        await pilot.pause()
        await pilot.press("s")
        await settle(pilot)
        await wait_until(lambda: any(RETIRED in text for text in said), within=10)
        assert [r.status for r in writes(server)] == [403]
        joined = "\n".join(said)
        assert "redeploy on v2" in joined and "API key" not in joined, joined
