"""Chat on today's Together account (v2 endpoints beside legacy v1 ones), driven by keys against the simulator.

A v2 endpoint is asked by its inference name on the inference host; a deployment picked in the target list is
pinned by its qualified name; before anything is sent the chat reads the endpoint's state from the store and
says why nothing would answer, with the one action that fixes it: a priced start for a stopped endpoint, the
traffic split for deployments with weight 0, the deploy form for a stopped v1 endpoint (v1 starts nothing).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from apptools import frozen_clock, settle
from test_chat_pane import text_of, view_of, wait_until
from textual.pilot import Pilot
from textual.widgets import OptionList, Static
from v2_tools import GPT_OSS_20B, Start, provider_for, requests_to, today

from tui.api.domain import DeploySpec, Endpoint
from tui.app.app import TogetherApp
from tui.app.messages import OpenChat
from tui.app.panes.chat import ChatPane, PromptInput
from tui.app.screens.deploy_form import DeployScreen
from tui.app.screens.traffic_split import TrafficSplitScreen
from tui.core.app_config import AppConfig
from tui.core.chat import TurnState
from tui.simulator import SimulatorServer

SIZE = (100, 30)
CHAT_PATH = "/v1/chat/completions"


def make_app(server: SimulatorServer, **config: Any) -> TogetherApp:
    """The app on the combined Together provider, polls effectively off unless a test asks for them."""
    base = AppConfig(
        base_url=server.base_url, demo=True, refresh_interval=3600.0, fast_refresh_interval=3600.0,
        theme="textual-dark", remember_theme=False, clock=frozen_clock,
    )
    app = TogetherApp(provider_for(server), replace(base, **config))
    app.animation_level = "none"
    return app


def chat_models(server: SimulatorServer) -> list[str]:
    return [r.json_body["model"] for r in requests_to(server, "POST", CHAT_PATH)]


def scaled(server: SimulatorServer) -> list[Any]:
    """Every write to a deployment or an endpoint: what a start (or any change) would have sent."""
    return [r for r in server.sim.requests() if r.method in ("PATCH", "POST") and "/chat/" not in r.path]


async def open_chat_on(pilot: Pilot[None], name: str) -> tuple[ChatPane, Endpoint]:
    """Once the store knows the account, open the chat on the endpoint whose inference name ends with ``name``."""
    app: TogetherApp = pilot.app  # type: ignore[assignment]
    await wait_until(lambda: app.context.store.loaded, within=10)
    await settle(pilot)
    endpoint = next(e for e in app.context.store.endpoints.values() if e.name.endswith(name))
    app.post_message(OpenChat(endpoint))
    await settle(pilot)
    return app.chat_pane, endpoint


async def send(pilot: Pilot[None], text: str) -> None:
    prompt = pilot.app.chat_pane.query_one(PromptInput)  # type: ignore[attr-defined]
    prompt.focus()
    prompt.insert(text)
    await pilot.press("enter")
    await settle(pilot)


async def deploy_unrouted(server: SimulatorServer, name: str = "shadow") -> None:
    """A new endpoint whose only deployment is Ready with traffic weight 0 (deployed, not routed yet)."""
    provider = provider_for(server)
    try:
        option = (await provider.deploy_options(GPT_OSS_20B))[0]
        await provider.deploy(DeploySpec(option.id, name, deployment_name="gpt-oss-quiet", traffic_weight=0.0))
    finally:
        await provider.aclose()


async def test_a_v2_endpoint_streams_by_its_inference_name(start_simulator: Start) -> None:
    server = today(start_simulator)
    async with make_app(server).run_test(size=SIZE) as pilot:
        pane, endpoint = await open_chat_on(pilot, "/support-bot")
        assert "Ready" in text_of(pane.query_one("#target-state", Static))
        await send(pilot, "hello [sim:tokens=8]")
        turn = pane.conversation.last
        assert turn is not None and turn.state is TurnState.DONE and turn.content
        assert chat_models(server) == ["demo-project/support-bot"] == [endpoint.inference_model]


async def test_a_deployment_picked_in_the_list_is_pinned_by_its_qualified_name(start_simulator: Start) -> None:
    server = today(start_simulator)
    async with make_app(server).run_test(size=SIZE) as pilot:
        pane, _ = await open_chat_on(pilot, "/support-bot")
        await pilot.press("ctrl+t")
        await settle(pilot)
        await pilot.press(*"h200")
        options = pane.query_one("#target-options", OptionList)
        shown = [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]
        assert any("support-bot" in line for line in shown) and any("gpt-oss-20b-h200" in line for line in shown)
        assert not any("gpt-oss-20b-h100" in line for line in shown)  # the filter narrows the deployments too
        await pilot.press("down", "enter")  # past the endpoint to its deployment
        await settle(pilot)
        assert pane.target is not None and pane.target.model == "demo-project/support-bot/gpt-oss-20b-h200"
        assert pane.target.label == "support-bot / gpt-oss-20b-h200"
        await send(pilot, "which one are you? [sim:tokens=8]")
        turn = pane.conversation.last
        assert turn is not None and turn.state is TurnState.DONE
        assert chat_models(server) == ["demo-project/support-bot/gpt-oss-20b-h200"]


async def test_a_stopped_v2_endpoint_is_explained_before_sending_and_started_only_when_asked(
    start_simulator: Start,
) -> None:
    server = today(start_simulator)
    async with make_app(server, fast_refresh_interval=0.05).run_test(size=SIZE) as pilot:
        pane, _ = await open_chat_on(pilot, "/llama-staging")
        await send(pilot, "are you up? [sim:tokens=8]")
        turn = pane.conversation.last
        assert turn is not None and turn.state is TurnState.NEEDS_START
        await wait_until(lambda: turn.start_cost is not None)
        await pilot.pause()
        notice = text_of(view_of(pane).query_one("#answer-notice", Static))
        # One replica of its 2x H100 deployment at $5.49 per GPU-hour: what billing begins at, before any key.
        assert "llama-staging is Stopped" in notice
        assert "billing begins at $10.98/h (1 replica of llama-3-3-70b on 2x H100)" in notice and "ctrl+g" in notice
        assert chat_models(server) == [] and scaled(server) == []

        await pilot.press("ctrl+g")
        await wait_until(lambda: turn.state is TurnState.DONE, within=10)
        assert chat_models(server) == ["demo-project/llama-staging"]
        [start] = scaled(server)
        assert start.method == "PATCH" and "/deployments/" in start.path
        assert start.json_body["autoscaling"] == {"minReplicas": 1, "maxReplicas": 1}


async def test_deployments_without_weight_are_named_and_offer_the_traffic_split(start_simulator: Start) -> None:
    server = today(start_simulator)
    await deploy_unrouted(server)
    async with make_app(server).run_test(size=SIZE) as pilot:
        pane, _ = await open_chat_on(pilot, "/shadow")
        await send(pilot, "anyone there? [sim:tokens=8]")
        turn = pane.conversation.last
        assert turn is not None and turn.state is TurnState.NOT_SENT
        notice = text_of(view_of(pane).query_one("#answer-notice", Static))
        assert "Nothing routes to shadow" in notice
        assert "gpt-oss-quiet is Ready but has traffic weight 0" in notice and "ctrl+g" in notice
        assert chat_models(server) == []  # explained, not sent: the router would have refused it
        assert str(view_of(pane).query_one("#next-step-button").label) == "Edit traffic split…"

        await pilot.press("ctrl+g")
        await settle(pilot)
        assert isinstance(pilot.app.screen, TrafficSplitScreen)
        await pilot.press("escape")
        await settle(pilot)

        # Pinning the deployment needs no traffic: it answers.
        await pilot.press("ctrl+t")
        await settle(pilot)
        await pilot.press(*"quiet", "down", "enter")
        await settle(pilot)
        assert pane.target is not None and pane.target.model == "demo-project/shadow/gpt-oss-quiet"
        await pilot.press("ctrl+r")
        await settle(pilot)
        assert turn.state is TurnState.DONE and chat_models(server) == ["demo-project/shadow/gpt-oss-quiet"]


async def test_a_stopped_v1_endpoint_offers_a_redeploy_never_a_start(start_simulator: Start) -> None:
    server = today(start_simulator)
    async with make_app(server).run_test(size=SIZE) as pilot:
        app: TogetherApp = pilot.app  # type: ignore[assignment]
        await wait_until(lambda: app.context.store.loaded, within=10)
        stopped = next(e for e in app.context.store.endpoints.values() if e.api == "v1" and e.state == "STOPPED")
        pane, _ = await open_chat_on(pilot, stopped.name)
        await send(pilot, "hello [sim:tokens=8]")
        turn = pane.conversation.last
        assert turn is not None and turn.state is TurnState.NOT_SENT
        view = view_of(pane)
        notice = text_of(view.query_one("#answer-notice", Static))
        assert "v1 no longer starts endpoints" in notice and "Redeploy it on v2" in notice
        assert not view.query_one("#start-offer").display  # no start that the API would refuse
        assert str(view.query_one("#next-step-button").label) == "Redeploy on v2…"
        assert chat_models(server) == [] and scaled(server) == []

        await pilot.press("ctrl+g")
        await wait_until(lambda: isinstance(app.screen, DeployScreen), within=10)
        form = app.screen
        assert isinstance(form, DeployScreen) and form.redeploy_of is not None
        assert form.redeploy_of.id == stopped.id
        assert scaled(server) == []  # the form asks before anything is made


async def test_the_start_offer_goes_with_a_target_change(start_simulator: Start) -> None:
    server = today(start_simulator)
    async with make_app(server).run_test(size=SIZE) as pilot:
        pane, _ = await open_chat_on(pilot, "/llama-staging")
        await send(pilot, "are you up? [sim:tokens=8]")
        turn = pane.conversation.last
        assert turn is not None and turn.state is TurnState.NEEDS_START
        await pilot.press("ctrl+t")
        await settle(pilot)
        await pilot.press(*"support", "enter")
        await settle(pilot)
        assert turn.state is TurnState.STOPPED
        await pilot.press("escape", "ctrl+g")
        await settle(pilot)
        assert scaled(server) == []


async def test_a_deployment_row_opens_the_chat_pinned_to_it(start_simulator: Start) -> None:
    server = today(start_simulator)
    async with make_app(server).run_test(size=SIZE) as pilot:
        pane, support = await open_chat_on(pilot, "/support-bot")
        canary = support.deployments[1]
        # What the shell does with OpenChat(endpoint, deployment_id) from a deployment row.
        pane.set_endpoint_target(support, canary.id)
        await settle(pilot)
        assert pane.target is not None and pane.target.model == canary.name
        assert pane.target.label == f"support-bot / {canary.title}"
        await send(pilot, "hello [sim:tokens=8]")
        assert chat_models(server) == [canary.name]


async def test_read_only_explains_but_offers_no_redeploy_or_traffic_change(start_simulator: Start) -> None:
    server = today(start_simulator)
    await deploy_unrouted(server)
    deployed = scaled(server)
    async with make_app(server, read_only=True).run_test(size=SIZE) as pilot:
        app: TogetherApp = pilot.app  # type: ignore[assignment]
        pane, _ = await open_chat_on(pilot, "/shadow")
        await send(pilot, "anyone there? [sim:tokens=8]")
        view = view_of(pane)
        assert "the traffic split cannot be changed from here" in text_of(view.query_one("#answer-notice", Static))
        assert not view.query_one("#next-step").display
        await pilot.press("escape", "ctrl+g")
        await settle(pilot)
        assert not isinstance(app.screen, TrafficSplitScreen)

        stopped = next(e for e in app.context.store.endpoints.values() if e.api == "v1" and e.state == "STOPPED")
        pane.set_endpoint_target(stopped)
        await send(pilot, "hello [sim:tokens=8]")
        view = view_of(pane)
        assert "nothing can be deployed from here" in text_of(view.query_one("#answer-notice", Static))
        await pilot.press("escape", "ctrl+g")
        await settle(pilot)
        assert not isinstance(app.screen, DeployScreen)
        assert chat_models(server) == [] and scaled(server) == deployed
