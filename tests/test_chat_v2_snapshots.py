"""What the chat says before sending when nothing would answer (at 80x24, as over SSH): deployments that serve
with traffic weight 0, and a stopped v1 endpoint that can only be redeployed."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from apptools import settle
from test_chat_pane import wait_until
from test_chat_v2 import deploy_unrouted, make_app
from textual.pilot import Pilot
from v2_tools import Start, today

from tui.app.app import TogetherApp
from tui.app.messages import OpenChat
from tui.app.panes.chat import PromptInput
from tui.core.chat import TurnState

SnapCompare = Callable[..., bool]


def chat_about(pick: Callable[[TogetherApp], object], prompt: str) -> Callable[[Pilot[None]], Awaitable[None]]:
    async def run_before(pilot: Pilot[None]) -> None:
        app: TogetherApp = pilot.app  # type: ignore[assignment]
        await wait_until(lambda: app.context.store.loaded, within=10)
        await settle(pilot)
        app.post_message(OpenChat(pick(app)))  # type: ignore[arg-type]
        await settle(pilot)
        box = app.chat_pane.query_one(PromptInput)
        box.cursor_blink = False  # a blinking cursor would be caught on or off at random
        box.insert(prompt)
        await pilot.press("enter")
        await settle(pilot)
        last = app.chat_pane.conversation.last
        assert last is not None and last.state is TurnState.NOT_SENT

    return run_before


def test_deployments_without_traffic_at_80x24(snap_compare: SnapCompare, start_simulator: Start) -> None:
    server = today(start_simulator)
    asyncio.run(deploy_unrouted(server))

    def shadow(app: TogetherApp) -> object:
        return next(e for e in app.context.store.endpoints.values() if e.name.endswith("/shadow"))

    assert snap_compare(make_app(server), terminal_size=(80, 24), run_before=chat_about(shadow, "Anyone there?"))


def test_a_stopped_v1_endpoint_offers_a_redeploy_at_80x24(snap_compare: SnapCompare, start_simulator: Start) -> None:
    server = today(start_simulator)

    def legacy(app: TogetherApp) -> object:
        return next(e for e in app.context.store.endpoints.values() if e.api == "v1" and e.state == "STOPPED")

    assert snap_compare(make_app(server), terminal_size=(80, 24), run_before=chat_about(legacy, "Are you up?"))
