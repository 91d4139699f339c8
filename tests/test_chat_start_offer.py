"""The chat's money rules: a start offer belongs to its target, states its $/hour, and is the confirmation;
max tokens stays within the model's context; links in answers never open anything."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from apptools import make_app, make_provider, settle
from test_chat_pane import endpoint_for, open_chat, send, text_of, view_of, wait_until
from textual.widgets import Input, Static

from tui.api.domain import Phase
from tui.app.widgets.markdown_view import MarkdownPart, StreamedDocument
from tui.core.chat import ChatTarget, TurnState
from tui.simulator import SimulatorServer
from tui.simulator.catalogue import HARDWARE_BY_ID

LLAMA = "meta-llama/Llama-3.3-70B-Instruct-Turbo"


def patches(server: SimulatorServer) -> list[object]:
    return [r for r in server.sim.request_log if r.method == "PATCH"]


async def test_the_start_offer_states_what_billing_begins_at(start_simulator: Callable[..., SimulatorServer]) -> None:
    server = start_simulator(speed=1.0)
    endpoint = await endpoint_for(server, LLAMA, Phase.STOPPED)
    app = make_app(server)
    async with app.run_test(size=(100, 30)) as pilot:
        pane = await open_chat(pilot, endpoint)
        await send(pilot, "are you up?")
        turn = pane.conversation.last
        assert turn is not None and turn.state is TurnState.NEEDS_START
        await wait_until(lambda: turn.start_cost is not None)
        await pilot.pause()
        detailed = await app.provider.get_endpoint(endpoint.id)
        hardware = HARDWARE_BY_ID[detailed.hardware_id or ""]
        replicas = detailed.min_replicas or 1
        price = hardware.count * hardware.family.dollars_per_hour * replicas
        notice = text_of(view_of(pane).query_one("#answer-notice", Static))
        assert f"billing begins at ${price:,.2f}/h" in notice and "ctrl+g" in notice
        assert patches(server) == []


async def test_changing_target_withdraws_the_start_offer(start_simulator: Callable[..., SimulatorServer]) -> None:
    server = start_simulator(speed=1.0)
    stopped = await endpoint_for(server, LLAMA, Phase.STOPPED)
    app = make_app(server)
    async with app.run_test(size=(100, 30)) as pilot:
        pane = await open_chat(pilot, stopped)
        await send(pilot, "are you up?")
        turn = pane.conversation.last
        assert turn is not None and turn.state is TurnState.NEEDS_START
        models = await app.provider.list_models()
        serverless = next(m for m in models if m.is_chat)
        pane.set_target(ChatTarget.for_model(serverless))
        await pilot.pause()
        assert turn.state is TurnState.STOPPED
        assert not view_of(pane).query_one("#start-offer").display
        await pilot.press("escape", "ctrl+g")  # from the conversation, where ctrl+g is the pane's
        await settle(pilot)
        # The old target's endpoint is never started by a key meant for an offer that is gone.
        assert patches(server) == []
        assert server.sim.endpoint(stopped.id)["state"] == "STOPPED"  # type: ignore[index]


async def test_max_tokens_is_bounded_by_the_targets_context(sim_server: SimulatorServer) -> None:
    provider = make_provider(sim_server)
    try:
        model = next(m for m in await provider.list_models() if m.is_chat and m.context_length)
    finally:
        await provider.aclose()
    assert model.context_length is not None
    app = make_app(sim_server)
    async with app.run_test(size=(100, 30)) as pilot:
        pane = await open_chat(pilot)
        await settle(pilot)
        pane.set_target(ChatTarget.for_model(model))
        pane.query_one("#max-tokens", Input).value = "999999999"
        await pilot.pause()
        summary = text_of(pane.query_one("#chat-summary", Static))
        assert f"Max tokens must be at most {model.context_length:,} (the model's context length)." in summary
        await send(pilot, "hello")
        assert pane.conversation.turns == []
        assert not [r for r in sim_server.sim.request_log if r.path == "/v1/chat/completions"]


async def test_links_in_an_answer_never_open_anything(
    sim_server: SimulatorServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    opened: list[str] = []
    app = make_app(sim_server)
    monkeypatch.setattr(app, "open_url", lambda url, **_: opened.append(url))
    async with app.run_test(size=(100, 30)) as pilot:
        pane = await open_chat(pilot)
        document = StreamedDocument()
        await pane.mount(document)
        document.write(
            "See [passwd](file:///etc/passwd), ![img](file:///etc/shadow) and [@click=app.quit]X[/] or"
            " [q](@click=app.quit).\n"
        )
        await pilot.pause()
        blocks = list(document.query(MarkdownPart))
        actions = {
            segment.style.meta["@click"]
            for block in blocks
            for y in range(block.size.height)
            for segment in block.render_line(y)
            if segment.style is not None and "@click" in segment.style.meta
        }
        # A click on a link runs only the part's own link action, with the href as a quoted string...
        assert actions and all(action.startswith("link(") for action in actions)
        assert "[@click=app.quit]X[/]" in "".join(
            segment.text for block in blocks for y in range(block.size.height) for segment in block.render_line(y)
        )
        # ...and that action opens nothing: it only says where the link points.
        for action in actions:
            await blocks[0].run_action(action)
        await pilot.pause()
        assert opened == []
        assert app.is_running
