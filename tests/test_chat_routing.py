"""Whether a chat target can answer, decided before sending from what the store knows: the rules on domain
objects, then the pane on the in-memory provider (nothing reaches ``stream_chat`` that could not answer)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
from apptools import settle
from fakes import FakeProvider, endpoint
from test_chat_pane import text_of, view_of, wait_until
from textual.pilot import Pilot
from textual.widgets import OptionList, Static

from tui.api.domain import Capabilities, Deployment, Endpoint, ModelOption, Phase
from tui.app.app import TogetherApp
from tui.app.messages import OpenChat
from tui.app.panes.chat import PromptInput
from tui.core.app_config import AppConfig
from tui.core.chat import ChatTarget, TurnState
from tui.core.chat_routing import Route, route_for

TOGETHER = Capabilities(deployments=True, traffic_split=True, redeploys_legacy=True)
BGE = "BAAI/bge-large-en-v1.5"
NO_ROOM = "Cannot place replicas: insufficient GPU capacity"
MODELS = [ModelOption("openai/gpt-oss-20b", kind="chat"), ModelOption(BGE, kind="embedding", display_name="BGE")]


def deployment(name: str, phase: Phase, *, ready: int = 1, weight: float = 1.0, **fields: Any) -> Deployment:
    values: dict[str, Any] = {
        "id": f"dep_{name}", "name": f"acme/bot/{name}", "model": "openai/gpt-oss-20b",
        "hardware": "1xnvidia-h100-80gb", "state": f"DEPLOYMENT_STATE_{phase.name}", "phase": phase,
        "ready_replicas": ready, "min_replicas": 1, "max_replicas": 1, "traffic_weight": weight,
    }
    values.update(fields)
    return Deployment(**values)


def v2(*deployments: Deployment, phase: Phase = Phase.READY) -> Endpoint:
    return endpoint("ep_bot", phase, name="acme/bot", display_name="bot", api="v2", deployments=deployments)


def test_a_ready_deployment_with_weight_answers() -> None:
    split = v2(deployment("a", Phase.READY, weight=0.0), deployment("b", Phase.READY, weight=1.0))
    assert route_for(split, capabilities=TOGETHER).route is Route.READY


def test_ready_deployments_without_weight_need_traffic_even_beside_a_stopped_one_with_weight() -> None:
    # Routing to what already runs (and bills) comes before starting more.
    split = v2(deployment("a", Phase.READY, weight=0.0), deployment("b", Phase.STOPPED, ready=0, max_replicas=0))
    routing = route_for(split, capabilities=TOGETHER)
    assert routing.route is Route.NEEDS_TRAFFIC and routing.advice is not None
    assert routing.advice.offer_traffic and "a is Ready but has traffic weight 0" in routing.advice.detail


def test_all_stopped_with_weight_needs_a_start_and_without_weight_needs_traffic_first() -> None:
    resting = deployment("a", Phase.STOPPED, ready=0, min_replicas=0, max_replicas=0)
    assert route_for(v2(resting, phase=Phase.STOPPED), capabilities=TOGETHER).route is Route.NEEDS_START
    unweighted = route_for(v2(replace(resting, traffic_weight=0.0), phase=Phase.STOPPED), capabilities=TOGETHER)
    assert unweighted.route is Route.NEEDS_TRAFFIC
    assert unweighted.advice is not None and "Give it traffic and start it" in unweighted.advice.hint


def test_coming_up_with_weight_waits_and_degraded_without_replicas_says_why() -> None:
    assert route_for(v2(deployment("a", Phase.STARTING, ready=0)), capabilities=TOGETHER).route is Route.COMING_UP
    stuck = deployment("a", Phase.DEGRADED, ready=0, status_message=NO_ROOM)
    routing = route_for(v2(stuck, phase=Phase.DEGRADED), capabilities=TOGETHER)
    assert routing.route is Route.UNSERVABLE and routing.advice is not None
    assert routing.advice.detail == f"a is Degraded with no ready replica: {NO_ROOM}."
    # Degraded yet serving with its ready replicas: it answers.
    assert route_for(v2(replace(stuck, ready_replicas=1)), capabilities=TOGETHER).route is Route.READY


def test_a_pinned_deployment_answers_by_itself_whatever_its_weight() -> None:
    split = v2(deployment("a", Phase.READY, weight=1.0), deployment("b", Phase.READY, weight=0.0))
    assert route_for(split, deployment_id="dep_b", capabilities=TOGETHER).route is Route.READY
    resting = v2(deployment("a", Phase.READY), deployment("b", Phase.STOPPED, ready=0, max_replicas=0))
    # The endpoint runs on "a", so an endpoint start would start nothing: say where to start "b".
    routing = route_for(resting, deployment_id="dep_b", capabilities=TOGETHER)
    assert routing.route is Route.UNSERVABLE and routing.advice is not None
    assert "s on the deployment" in routing.advice.hint
    assert route_for(resting, deployment_id="dep_gone", capabilities=TOGETHER).route is Route.UNSERVABLE


@pytest.mark.parametrize(
    ("capabilities", "expected"),
    [(TOGETHER, Route.REDEPLOY), (Capabilities(), Route.NEEDS_START), (None, Route.NEEDS_START)],
)
def test_a_stopped_legacy_endpoint_is_redeployed_only_where_legacy_starts_are_retired(
    capabilities: Capabilities | None, expected: Route
) -> None:
    legacy = endpoint("endpoint-1", Phase.STOPPED, api="v1")
    assert route_for(legacy, capabilities=capabilities).route is expected
    assert route_for(replace(legacy, phase=Phase.READY), capabilities=capabilities).route is Route.READY


def test_a_v2_endpoint_with_nothing_deployed_cannot_answer() -> None:
    empty = endpoint("ep_empty", Phase.STOPPED, api="v2", state="NO_DEPLOYMENTS")
    routing = route_for(empty, capabilities=TOGETHER)
    assert routing.route is Route.UNSERVABLE and routing.state == "No deployments"


def test_only_chat_kinds_can_chat() -> None:
    assert ChatTarget.for_endpoint(endpoint("e1"), "chat").can_chat
    assert ChatTarget.for_endpoint(endpoint("e1"), None).can_chat  # not known: the service decides
    assert not ChatTarget.for_endpoint(endpoint("e1", model=BGE), "embedding").can_chat


# The pane, on the in-memory provider


def make_app(provider: FakeProvider) -> TogetherApp:
    base = AppConfig(base_url="http://127.0.0.1:1/v1", demo=True, refresh_interval=3600.0,
                     fast_refresh_interval=3600.0, theme="textual-dark", remember_theme=False)
    app = TogetherApp(provider, base)  # type: ignore[arg-type]
    app.animation_level = "none"
    return app


async def chat_with(pilot: Pilot[None], target: Endpoint, prompt: str) -> Any:
    app: TogetherApp = pilot.app  # type: ignore[assignment]
    await wait_until(lambda: app.context.store.loaded)
    await settle(pilot)
    app.post_message(OpenChat(target))
    await settle(pilot)
    pane = app.chat_pane
    await wait_until(lambda: bool(pane._kinds))  # the models have arrived (the picker knows their kinds)
    box = pane.query_one(PromptInput)
    box.focus()
    box.insert(prompt)
    await pilot.press("enter")
    await settle(pilot)
    return pane


async def test_an_embedding_endpoint_is_not_offered_and_is_explained_before_sending() -> None:
    embedder = endpoint("e-bge", Phase.READY, model=BGE, display_name="embedder")
    chatty = endpoint("e-chat", Phase.READY, model="openai/gpt-oss-20b", display_name="chatty")
    provider = FakeProvider.with_endpoints(embedder, chatty)
    provider.models = MODELS
    async with make_app(provider).run_test(size=(100, 30)) as pilot:
        pane = await chat_with(pilot, embedder, "hello")
        turn = pane.conversation.last
        assert turn is not None and turn.state is TurnState.NOT_SENT
        notice = text_of(view_of(pane).query_one("#answer-notice", Static))
        assert "embedder cannot chat" in notice and f"{BGE} is an embedding model" in notice
        assert provider.called("stream_chat") == []

        await pilot.press("ctrl+t")
        await settle(pilot)
        options = pane.query_one("#target-options", OptionList)
        rows = {str(options.get_option_at_index(i).prompt): options.get_option_at_index(i) for i in
                range(options.option_count)}
        embedder_row = next(option for prompt, option in rows.items() if "embedder" in prompt)
        assert embedder_row.disabled and "embedding model: cannot chat" in str(embedder_row.prompt)
        assert not next(option for prompt, option in rows.items() if "chatty" in prompt).disabled
        assert not any("BGE" in prompt for prompt in rows)  # not offered as a serverless chat model either


async def test_a_degraded_v2_endpoint_is_explained_and_nothing_is_sent() -> None:
    stuck = deployment("big", Phase.DEGRADED, ready=0, status_message=NO_ROOM)
    provider = FakeProvider.with_endpoints(v2(stuck, phase=Phase.DEGRADED))
    provider.models = MODELS
    provider.capabilities = TOGETHER  # type: ignore[attr-defined]
    async with make_app(provider).run_test(size=(100, 30)) as pilot:
        pane = await chat_with(pilot, provider.accounts["ep_bot"], "hello")
        turn = pane.conversation.last
        assert turn is not None and turn.state is TurnState.NOT_SENT
        notice = text_of(view_of(pane).query_one("#answer-notice", Static))
        assert "bot cannot answer" in notice and "insufficient GPU capacity" in notice
        assert not view_of(pane).query_one("#start-offer").display
        assert provider.called("stream_chat") == [] and provider.actions == []


async def test_a_prompt_with_nothing_to_send_it_to_opens_the_target_list() -> None:
    provider = FakeProvider.with_endpoints()
    async with make_app(provider).run_test(size=(100, 30)) as pilot:
        app: TogetherApp = pilot.app  # type: ignore[assignment]
        await wait_until(lambda: app.context.store.loaded)
        app.post_message(OpenChat())
        await settle(pilot)
        pane = app.chat_pane
        assert pane.target is None
        box = pane.query_one(PromptInput)
        box.focus()
        box.insert("hello")
        await pilot.press("enter")
        await settle(pilot)
        assert pane.query_one("#target-picker").display and pane.conversation.turns == []
        assert provider.called("stream_chat") == []
