"""The Chat pane driven by keys against the simulator: exchanges, reasoning, stopping, every failure, retry,
endpoint readiness, target switching, options, copy and export."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from apptools import make_app, make_provider, settle
from textual.pilot import Pilot
from textual.widgets import Input, Static

from tui.api.domain import ChatMessage, ChatParams, Endpoint, Phase
from tui.app.app import TogetherApp
from tui.app.messages import OpenChat
from tui.app.panes.chat import ChatPane, ConversationLog, PromptInput
from tui.app.screens.confirm_new_chat import ConfirmNewChatScreen
from tui.app.screens.export_chat import ExportChatScreen
from tui.app.widgets.chat_message import AssistantMessage, ReasoningBlock
from tui.app.widgets.chat_target import TargetPicker
from tui.app.widgets.markdown_view import MarkdownPart, StreamedDocument
from tui.core.chat import TurnState
from tui.simulator import Faults, ManualClock, SimulatorServer

CHAT_PATH = "/v1/chat/completions"
SIZE = (80, 24)


class ScriptedClock:
    """Each call is ``step`` seconds after the previous one: figures become exact."""

    def __init__(self, step: float = 0.01) -> None:
        self.step = step
        self.calls = 0

    def __call__(self) -> float:
        self.calls += 1
        return self.calls * self.step


async def endpoint_for(server: SimulatorServer, model: str, phase: Phase | None = Phase.READY) -> Endpoint:
    provider = make_provider(server)
    try:
        endpoints = await provider.list_endpoints()
    finally:
        await provider.aclose()
    return next(e for e in endpoints if e.model == model and (phase is None or e.phase is phase))


async def open_chat(pilot: Pilot[None], endpoint: Endpoint | None = None) -> ChatPane:
    app: TogetherApp = pilot.app  # type: ignore[assignment]
    # Let start-up settle first (the first pane takes focus after the first refresh), as a user would.
    await settle(pilot)
    app.post_message(OpenChat(endpoint))
    await settle(pilot)
    return app.chat_pane


async def send(pilot: Pilot[None], text: str, *, wait: bool = True) -> None:
    pane = pilot.app.chat_pane  # type: ignore[attr-defined]
    prompt = pane.query_one(PromptInput)
    prompt.focus()
    prompt.insert(text)
    if wait:
        await pilot.press("enter")
        await settle(pilot)
    else:
        # What enter does, without Pilot waiting for the app to be idle (it is not while a stream flows).
        prompt.action_send()
        await wait_until(lambda: bool(pane.conversation.turns) and pane.conversation.turns[-1].prompt == text)


def chat_requests(server: SimulatorServer) -> list[dict[str, Any]]:
    return [r.json_body for r in server.sim.request_log if r.path == CHAT_PATH]


def view_of(pane: ChatPane) -> AssistantMessage:
    return pane.query(AssistantMessage).last()


def text_of(widget: Static) -> str:
    return str(widget.render())


async def wait_until(condition: Callable[[], bool], within: float = 5.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while not condition():
        if loop.time() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.01)


async def expected_reply(server: SimulatorServer, model: str, prompt: str, params: ChatParams) -> tuple[str, str]:
    """The same request unstreamed: the simulator answers a given request deterministically."""
    provider = make_provider(server)
    try:
        reply = await provider.chat(model, [ChatMessage("user", prompt)], params)
    finally:
        await provider.aclose()
    return reply.content, reply.reasoning


# A full exchange


async def test_full_exchange_streams_reasoning_then_answer_with_figures(sim_server: SimulatorServer) -> None:
    endpoint = await endpoint_for(sim_server, "openai/gpt-oss-20b")
    app = make_app(sim_server)
    async with app.run_test(size=SIZE) as pilot:
        pane = await open_chat(pilot, endpoint)
        pane.perf_counter = ScriptedClock(0.01)
        assert pane.target is not None and pane.target.model == endpoint.name
        await send(pilot, "How do dedicated endpoints scale?")

        turn = pane.conversation.last
        assert turn is not None and turn.state is TurnState.DONE
        (body,) = chat_requests(sim_server)
        assert body["model"] == endpoint.name  # the endpoint's inference name
        assert body["messages"] == [{"role": "user", "content": "How do dedicated endpoints scale?"}]
        assert body["stream"] is True
        assert body["temperature"] == 0.7 and body["max_tokens"] == 1024  # AppConfig's chat defaults
        content, reasoning = await expected_reply(
            sim_server, endpoint.name, "How do dedicated endpoints scale?", ChatParams(temperature=0.7, max_tokens=1024)
        )
        assert turn.content == content and turn.reasoning == reasoning and reasoning

        view = view_of(pane)
        assert view.answer_source == content
        assert view.reasoning_source == reasoning
        # Reasoning sits above the answer, folded once the answer started.
        block = view.query_one(ReasoningBlock)
        assert block.display and block.collapsed
        assert list(view.children).index(block) < list(view.children).index(view.query_one("#answer-text"))
        assert block.title.startswith("Reasoning (")

        metrics = turn.metrics
        assert metrics is not None and metrics.usage is not None
        # Scripted clock: one tick at the start, one per event: the first token is one tick later.
        assert metrics.ttft == pytest.approx(0.01)
        assert metrics.tokens_per_second() == pytest.approx(100.0)
        figures = text_of(view.query_one("#answer-figures", Static))
        assert figures.startswith("TTFT 10 ms · 100.0 tok/s · ")
        usage = metrics.usage
        assert f"{usage.prompt_tokens} prompt + {usage.completion_tokens:,} completion tokens" in figures
        assert figures.endswith("finish: stop")
        assert text_of(view.query_one("#answer-state", Static)) == "✓ done"
        assert pane.query_one(PromptInput).text == ""


async def test_long_answer_is_shown_as_several_small_documents(sim_server: SimulatorServer) -> None:
    endpoint = await endpoint_for(sim_server, "Qwen/Qwen2.5-7B-Instruct-Turbo")
    app = make_app(sim_server)
    async with app.run_test(size=SIZE) as pilot:
        pane = await open_chat(pilot, endpoint)
        await send(pilot, "Write at length [sim:tokens=1000]")
        turn = pane.conversation.last
        assert turn is not None and turn.state is TurnState.DONE
        document = view_of(pane).query_one("#answer-text", StreamedDocument)
        parts = [part.source for part in document.query_children(MarkdownPart)]
        assert len(parts) >= 2 and "".join(parts) == turn.content
        # Cut between blocks only: no part opens a code fence it does not close.
        assert all(part.count("```") % 2 == 0 for part in parts)


async def test_second_turn_sends_the_history_and_system_prompt(sim_server: SimulatorServer) -> None:
    endpoint = await endpoint_for(sim_server, "Qwen/Qwen2.5-7B-Instruct-Turbo")
    app = make_app(sim_server)
    async with app.run_test(size=SIZE) as pilot:
        pane = await open_chat(pilot, endpoint)
        await pilot.press("ctrl+o")
        system = pane.query_one("#system-prompt", Input)
        assert system.has_focus
        system.insert_text_at_cursor("Be brief.")
        await pilot.press("ctrl+o")
        await send(pilot, "first question [sim:tokens=12]")
        first = pane.conversation.last
        assert first is not None and first.content
        await send(pilot, "second question [sim:tokens=12]")
        bodies = chat_requests(sim_server)
        assert [m["role"] for m in bodies[1]["messages"]] == ["system", "user", "assistant", "user"]
        assert bodies[1]["messages"][0]["content"] == "Be brief."
        assert bodies[1]["messages"][2]["content"] == first.content
        assert len(pane.query(AssistantMessage)) == 2


async def test_enter_sends_and_shift_enter_or_ctrl_j_add_a_line(sim_server: SimulatorServer) -> None:
    endpoint = await endpoint_for(sim_server, "Qwen/Qwen2.5-7B-Instruct-Turbo")
    app = make_app(sim_server)
    async with app.run_test(size=SIZE) as pilot:
        pane = await open_chat(pilot, endpoint)
        await pilot.press("a", "shift+enter", "b", "ctrl+j", "c")
        assert pane.query_one(PromptInput).text == "a\nb\nc"
        assert chat_requests(sim_server) == []
        await pilot.press("enter")
        await settle(pilot)
        assert chat_requests(sim_server)[0]["messages"][-1]["content"] == "a\nb\nc"
        # Letters typed in the prompt are text, never pane shortcuts (y copies only from the conversation).
        await pilot.press("y")
        assert pane.query_one(PromptInput).text == "y"


# Stopping and following


async def test_escape_stops_at_once_and_keeps_what_arrived(start_simulator: Callable[..., SimulatorServer]) -> None:
    server = start_simulator(tokens_per_second=200.0)
    endpoint = await endpoint_for(server, "Qwen/Qwen2.5-7B-Instruct-Turbo")
    app = make_app(server, fast_refresh_interval=0.05)
    async with app.run_test(size=SIZE) as pilot:
        pane = await open_chat(pilot, endpoint)
        await send(pilot, "Tell me everything [sim:tokens=2000]", wait=False)
        turn = pane.conversation.last
        assert turn is not None
        await wait_until(lambda: len(turn.content) > 40)
        await pilot.press("escape")
        assert turn.state is TurnState.STOPPED  # at once, before the worker has unwound
        await settle(pilot)
        arrived = turn.content
        assert len(arrived) > 40 and len(arrived.split()) < 1000
        await asyncio.sleep(0.1)
        assert turn.content == arrived  # nothing more is appended after the stop
        view = view_of(pane)
        assert view.answer_source == arrived
        assert text_of(view.query_one("#answer-state", Static)) == "■ stopped"
        assert "the answer above is partial" in text_of(view.query_one("#answer-notice", Static))
        assert turn.metrics is not None and turn.metrics.finish_reason is None
        # The stopped answer stays in the history, as the user saw it.
        await send(pilot, "go on [sim:tokens=5]")
        assert chat_requests(server)[-1]["messages"][1] == {"role": "assistant", "content": arrived}


async def test_view_follows_the_stream_only_while_at_the_bottom(
    start_simulator: Callable[..., SimulatorServer],
) -> None:
    server = start_simulator(tokens_per_second=200.0)  # ~4 s of stream: time to scroll while it flows
    endpoint = await endpoint_for(server, "Qwen/Qwen2.5-7B-Instruct-Turbo")
    app = make_app(server, fast_refresh_interval=0.05)
    async with app.run_test(size=(80, 18)) as pilot:  # a short view, so a short answer overflows it
        pane = await open_chat(pilot, endpoint)
        log = pane.query_one(ConversationLog)
        await send(pilot, "Tell me a lot [sim:tokens=800]", wait=False)
        turn = pane.conversation.last
        assert turn is not None

        # Following: the view stays at the bottom while the answer overflows it.
        await wait_until(lambda: log.max_scroll_y > 3 and log.scroll_y == log.max_scroll_y)

        log.scroll_home(animate=False)  # the user scrolls up to read
        height_then = log.max_scroll_y
        await wait_until(lambda: log.max_scroll_y > height_then + 3)  # the answer grew on screen meanwhile
        assert turn.state is TurnState.STREAMING
        assert log.scroll_y == 0  # left where the user put it

        log.scroll_end(animate=False)  # back at the bottom: following again
        height_then = log.max_scroll_y
        await settle(pilot)
        assert turn.state is TurnState.DONE
        await wait_until(lambda: log.max_scroll_y > height_then and log.scroll_y == log.max_scroll_y)


# Failures


@pytest.mark.parametrize(
    ("overrides", "title", "hint"),
    [
        ({"faults": Faults(rate_limit=1.0, retry_after=2.0, route="/chat")}, "Rate limited (429)", "Retry in 2 s."),
        ({"faults": Faults(error_status=503, route="/chat")}, "Server error (503)", "Usually passing"),
    ],
)
async def test_http_errors_are_explained(
    start_simulator: Callable[..., SimulatorServer], overrides: dict[str, Any], title: str, hint: str
) -> None:
    server = start_simulator(**overrides)
    endpoint = await endpoint_for(server, "Qwen/Qwen2.5-7B-Instruct-Turbo")
    app = make_app(server, fast_refresh_interval=0.05)
    async with app.run_test(size=SIZE) as pilot:
        pane = await open_chat(pilot, endpoint)
        await send(pilot, "hello [sim:tokens=8]")
        turn = pane.conversation.last
        assert turn is not None and turn.state is TurnState.FAILED
        assert turn.advice is not None and turn.advice.title == title
        notice = text_of(view_of(pane).query_one("#answer-notice", Static))
        assert title in notice and hint in notice and "ctrl+r retry" in notice
        assert text_of(view_of(pane).query_one("#answer-state", Static)) == "✗ failed"
        assert app.is_running


async def test_wrong_api_key_is_explained(sim_server: SimulatorServer) -> None:
    endpoint = await endpoint_for(sim_server, "Qwen/Qwen2.5-7B-Instruct-Turbo")
    app = make_app(sim_server, api_key="wrong")
    async with app.run_test(size=SIZE) as pilot:
        pane = await open_chat(pilot, endpoint)
        await send(pilot, "hello [sim:tokens=8]")
        turn = pane.conversation.last
        assert turn is not None and turn.state is TurnState.FAILED
        assert turn.advice is not None and turn.advice.title == "API key refused (401)"
        assert "Check the key" in text_of(view_of(pane).query_one("#answer-notice", Static))
        # The target list could not load either: the picker says why instead of staying empty.
        await pilot.press("ctrl+t")
        await settle(pilot)
        status = text_of(pane.query_one(TargetPicker).query_one("#target-status", Static))
        assert "authentication failed" in status


@pytest.mark.parametrize(
    ("faults", "title"),
    [
        (Faults(cut_after=7, route="/chat"), "Stream cut"),
        (Faults(error_after=7, route="/chat"), "Error during the answer"),
    ],
)
async def test_broken_streams_keep_what_arrived_and_retry_completes(
    start_simulator: Callable[..., SimulatorServer], faults: Faults, title: str
) -> None:
    server = start_simulator(faults=faults)
    endpoint = await endpoint_for(server, "Qwen/Qwen2.5-7B-Instruct-Turbo")
    app = make_app(server, fast_refresh_interval=0.05)
    async with app.run_test(size=SIZE) as pilot:
        pane = await open_chat(pilot, endpoint)
        await send(pilot, "explain autoscaling")
        turn = pane.conversation.last
        assert turn is not None and turn.state is TurnState.FAILED
        assert turn.advice is not None and turn.advice.title == title
        assert turn.metrics is not None and turn.metrics.text_events == 7
        partial = turn.content
        view = view_of(pane)
        assert partial and view.answer_source == partial
        assert "7 completion tokens" in text_of(view.query_one("#answer-figures", Static))

        server.sim.faults = Faults()
        await pilot.press("ctrl+r")
        await settle(pilot)
        assert turn.state is TurnState.DONE and turn.advice is None
        assert turn.content.startswith(partial) and len(turn.content) > len(partial)
        assert view.answer_source == turn.content
        assert len(pane.query(AssistantMessage)) == 1  # the retry replaced the failed attempt
        assert len(chat_requests(server)) == 2


async def test_serverless_only_model_without_serverless_is_explained(sim_server: SimulatorServer) -> None:
    app = make_app(sim_server)
    async with app.run_test(size=SIZE) as pilot:
        pane = await open_chat(pilot)
        await pilot.press("ctrl+t")
        await settle(pilot)
        await pilot.press(*"gemma")
        await pilot.press("down", "enter")  # past the (stopped) endpoint to the model itself
        await pilot.pause()
        assert pane.target is not None and pane.target.model == "google/gemma-3-27b-it" and not pane.target.is_endpoint
        await send(pilot, "hello [sim:tokens=8]")
        turn = pane.conversation.last
        assert turn is not None and turn.state is TurnState.FAILED
        assert turn.advice is not None and turn.advice.title == "Model not available serverless"
        assert not view_of(pane).query_one("#start-offer").display


# Endpoint readiness


async def test_stopped_endpoint_is_started_on_request_and_the_prompt_sent_when_ready(
    start_simulator: Callable[..., SimulatorServer], clock: ManualClock
) -> None:
    server = start_simulator(speed=1.0)
    endpoint = await endpoint_for(server, "meta-llama/Llama-3.3-70B-Instruct-Turbo", Phase.STOPPED)
    app = make_app(server, fast_refresh_interval=0.05)
    async with app.run_test(size=SIZE) as pilot:
        pane = await open_chat(pilot, endpoint)
        await send(pilot, "are you up? [sim:tokens=8]")
        turn = pane.conversation.last
        assert turn is not None and turn.state is TurnState.NEEDS_START
        view = view_of(pane)
        notice = text_of(view.query_one("#answer-notice", Static))
        assert "is STOPPED" in notice and "ctrl+g" in notice
        assert view.query_one("#start-offer").display
        assert chat_requests(server) == []  # nothing is sent to an endpoint that cannot answer

        await pilot.press("ctrl+g")
        await wait_until(lambda: turn.state is TurnState.WAITING and turn.endpoint_state == "PENDING")
        patches = [r for r in server.sim.request_log if r.method == "PATCH"]
        assert [p.json_body for p in patches] == [{"state": "STARTED"}]
        assert "queued" in text_of(view.query_one("#answer-notice", Static))

        clock.advance(40)  # PENDING lasts 30 s at speed 1
        await wait_until(lambda: turn.endpoint_state == "STARTING")
        assert chat_requests(server) == []
        clock.advance(150)
        await settle(pilot)
        assert turn.state is TurnState.DONE and turn.content
        assert len(chat_requests(server)) == 1
        assert "● STARTED" in text_of(pane.query_one("#target-state", Static))


async def test_starting_endpoint_queues_the_prompt_without_asking(
    start_simulator: Callable[..., SimulatorServer], clock: ManualClock
) -> None:
    server = start_simulator(speed=1.0)
    endpoint = await endpoint_for(server, "deepseek-ai/DeepSeek-V3.1", Phase.STARTING)
    app = make_app(server, fast_refresh_interval=0.05)
    async with app.run_test(size=SIZE) as pilot:
        pane = await open_chat(pilot, endpoint)
        await send(pilot, "hello [sim:tokens=8]", wait=False)
        turn = pane.conversation.last
        assert turn is not None
        await wait_until(lambda: turn.state is TurnState.WAITING)
        assert not view_of(pane).query_one("#start-offer").display
        assert [r for r in server.sim.request_log if r.method == "PATCH"] == []
        clock.advance(200)
        await settle(pilot)
        assert turn.state is TurnState.DONE


async def test_escape_drops_a_queued_prompt(start_simulator: Callable[..., SimulatorServer]) -> None:
    server = start_simulator(speed=1.0)
    endpoint = await endpoint_for(server, "deepseek-ai/DeepSeek-V3.1", Phase.STARTING)
    app = make_app(server, fast_refresh_interval=0.05)
    async with app.run_test(size=SIZE) as pilot:
        pane = await open_chat(pilot, endpoint)
        await send(pilot, "hello [sim:tokens=8]", wait=False)
        turn = pane.conversation.last
        assert turn is not None
        await wait_until(lambda: turn.state is TurnState.WAITING)
        await pilot.press("escape")
        await settle(pilot)
        assert turn.state is TurnState.STOPPED
        assert "Not sent" in text_of(view_of(pane).query_one("#answer-notice", Static))
        assert chat_requests(server) == []


async def test_model_not_available_from_the_api_offers_the_start_too(
    start_simulator: Callable[..., SimulatorServer], clock: ManualClock
) -> None:
    server = start_simulator(speed=1.0)
    endpoint = await endpoint_for(server, "openai/gpt-oss-20b")
    app = make_app(server, fast_refresh_interval=0.05)
    async with app.run_test(size=SIZE) as pilot:
        pane = await open_chat(pilot, endpoint)
        # The store last saw it STARTED; it has stopped since, and no poll may see it before the chat sends.
        store = app.context.store
        store.scheduler.fast = store.scheduler.slow = 3600.0
        await pilot.pause(0.2)
        await store.settled()
        server.sim.set_state(endpoint.id, "STOPPED")
        await send(pilot, "hello [sim:tokens=8]")
        turn = pane.conversation.last
        assert turn is not None and turn.state is TurnState.NEEDS_START
        assert isinstance(turn.error, Exception) and turn.error.code == "model_not_available"
        store.scheduler.fast = 0.05
        store.poll_now()  # the store learns of the stop, as its next poll would
        await settle(pilot)
        notice = text_of(view_of(pane).query_one("#answer-notice", Static))
        assert "Endpoint not running" in notice and "ctrl+g" in notice
        await pilot.press("ctrl+g")
        await wait_until(lambda: turn.state is TurnState.WAITING and turn.endpoint_state == "PENDING")
        clock.advance(200)
        await settle(pilot)
        assert turn.state is TurnState.DONE


async def test_read_only_mode_does_not_offer_a_start(start_simulator: Callable[..., SimulatorServer]) -> None:
    server = start_simulator(speed=1.0)
    endpoint = await endpoint_for(server, "meta-llama/Llama-3.3-70B-Instruct-Turbo", Phase.STOPPED)
    app = make_app(server, read_only=True)
    async with app.run_test(size=SIZE) as pilot:
        pane = await open_chat(pilot, endpoint)
        await send(pilot, "hello [sim:tokens=8]")
        turn = pane.conversation.last
        assert turn is not None and turn.state is TurnState.NEEDS_START
        assert not view_of(pane).query_one("#start-offer").display
        assert "Read-only" in text_of(view_of(pane).query_one("#answer-notice", Static))
        await pilot.press("ctrl+g")
        await settle(pilot)
        assert [r for r in server.sim.request_log if r.method == "PATCH"] == []


# Target, options


async def test_target_picker_lists_endpoints_and_models_and_switches(sim_server: SimulatorServer) -> None:
    app = make_app(sim_server)
    async with app.run_test(size=SIZE) as pilot:
        pane = await open_chat(pilot)
        # With no target given, the pane takes a running endpoint rather than none.
        assert pane.target is not None and pane.target.is_endpoint
        await pilot.press("ctrl+t")
        await settle(pilot)
        picker = pane.query_one(TargetPicker)
        assert picker.display and picker.query_one("#target-filter", Input).has_focus
        await pilot.press(*"3.3")
        await pilot.press("down", "enter")  # past the endpoint to the serverless model
        await pilot.pause()
        assert not picker.display and pane.query_one(PromptInput).has_focus
        assert pane.target is not None and pane.target.model == "meta-llama/Llama-3.3-70B-Instruct-Turbo"
        assert "serverless" in text_of(pane.query_one("#target-state", Static))
        await send(pilot, "hi [sim:tokens=8]")
        assert chat_requests(sim_server)[0]["model"] == "meta-llama/Llama-3.3-70B-Instruct-Turbo"
        assert pane.conversation.last is not None and pane.conversation.last.state is TurnState.DONE
        await pilot.press("ctrl+t")
        await pilot.press("escape")
        assert not picker.display


async def test_options_are_sent_and_invalid_ones_block_the_send(sim_server: SimulatorServer) -> None:
    endpoint = await endpoint_for(sim_server, "openai/gpt-oss-20b")
    app = make_app(sim_server)
    async with app.run_test(size=SIZE) as pilot:
        pane = await open_chat(pilot, endpoint)
        pane.query_one("#temperature", Input).value = "0.2"
        pane.query_one("#max-tokens", Input).value = "300"
        pane.query_one("#top-p", Input).value = "0.9"
        pane.query_one("#reasoning-effort").value = "high"  # type: ignore[attr-defined]
        await pilot.pause()
        summary = text_of(pane.query_one("#chat-summary", Static))
        assert "temperature 0.2 · max tokens 300 · top_p 0.9 · effort high" in summary
        await send(pilot, "hi [sim:tokens=8]")
        body = chat_requests(sim_server)[0]
        sent = (body["temperature"], body["max_tokens"], body["top_p"], body["reasoning_effort"])
        assert sent == (0.2, 300, 0.9, "high")

        pane.query_one("#temperature", Input).value = "7"
        await pilot.pause()
        await send(pilot, "again [sim:tokens=8]")
        assert len(chat_requests(sim_server)) == 1
        assert pane.query_one("#chat-options").display
        assert "Temperature must be between 0 and 2" in text_of(pane.query_one("#chat-summary", Static))
        assert pane.query_one(PromptInput).text == "again [sim:tokens=8]"  # kept, to send once fixed

        # Reasoning effort goes only to models that take it.
        pane.query_one("#temperature", Input).value = "0.2"
        pane.set_endpoint_target(await endpoint_for(sim_server, "Qwen/Qwen2.5-7B-Instruct-Turbo"))
        assert pane.query_one("#reasoning-effort").disabled
        pane.query_one(PromptInput).clear()
        await send(pilot, "hi [sim:tokens=8]")
        body = chat_requests(sim_server)[-1]
        assert "reasoning_effort" not in body and body["temperature"] == 0.2


# Copy, export, new chat, smoke test


async def test_y_copies_the_last_answer_and_ctrl_n_starts_over(sim_server: SimulatorServer) -> None:
    endpoint = await endpoint_for(sim_server, "Qwen/Qwen2.5-7B-Instruct-Turbo")
    app = make_app(sim_server)
    async with app.run_test(size=SIZE) as pilot:
        pane = await open_chat(pilot, endpoint)
        await send(pilot, "hi [sim:tokens=8]")
        await pilot.press("escape")  # from the prompt to the conversation
        assert pane.query_one(ConversationLog).has_focus
        await pilot.press("y")
        assert pane.conversation.last is not None
        assert app.clipboard == pane.conversation.last.content != ""
        await pilot.press("i")
        assert pane.query_one(PromptInput).has_focus

        # ctrl+n asks before clearing: Keep is focused, so n, escape or a reflex enter lose nothing.
        await pilot.press("ctrl+n")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmNewChatScreen)
        question = " ".join(str(widget.render()) for widget in app.screen.query(Static))
        assert "Start a new chat?" in question and "The 1 exchange above will be cleared" in question
        await pilot.press("enter")
        await settle(pilot)
        assert not isinstance(app.screen, ConfirmNewChatScreen) and len(pane.conversation.turns) == 1
        await pilot.press("ctrl+n", "escape")
        await settle(pilot)
        assert len(pane.conversation.turns) == 1 and pane.query(AssistantMessage)

        await pilot.press("ctrl+n", "y")  # a new chat: the conversation goes, the target stays
        await settle(pilot)
        assert pane.conversation.turns == [] and not pane.query(AssistantMessage)
        assert pane.query_one("#chat-empty") and pane.target is not None
        log = pane.query_one(ConversationLog)
        assert log.scroll_y == 0 and pane.query_one("#chat-empty").region.y == log.region.y  # in view, at the top
        await pilot.press("ctrl+n")  # nothing to lose: nothing to ask
        await settle(pilot)
        assert app.screen is not None and not isinstance(app.screen, ConfirmNewChatScreen)


async def test_ctrl_s_exports_markdown_to_the_named_file(sim_server: SimulatorServer, tmp_path: Path) -> None:
    endpoint = await endpoint_for(sim_server, "openai/gpt-oss-20b")
    app = make_app(sim_server)
    async with app.run_test(size=SIZE) as pilot:
        pane = await open_chat(pilot, endpoint)
        await send(pilot, "What is TTFT? [sim:tokens=40]")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, ExportChatScreen)
        path_input = app.screen.query_one("#export-path", Input)
        assert path_input.value == "chat-20260115-120000.md"  # named from the app's clock
        path_input.value = str(tmp_path / "check")
        await pilot.press("enter")
        await pilot.pause()
        assert not isinstance(app.screen, ExportChatScreen)
        saved = (tmp_path / "check.md").read_text()
        turn = pane.conversation.last
        assert turn is not None and turn.metrics is not None
        assert "## 1. You\n\nWhat is TTFT? [sim:tokens=40]\n" in saved
        assert turn.content.rstrip() in saved and turn.reasoning.strip() in saved
        assert "TTFT " in saved and "finish: stop" in saved

        # An existing file needs a second enter; escape leaves it alone.
        await pilot.press("ctrl+s")
        await pilot.pause()
        app.screen.query_one("#export-path", Input).value = str(tmp_path / "check.md")
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ExportChatScreen)
        assert "exists" in text_of(app.screen.query_one("#export-error", Static))
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, ExportChatScreen)

        # A folder that does not exist is refused, not created.
        await pilot.press("ctrl+s")
        await pilot.pause()
        app.screen.query_one("#export-path", Input).value = str(tmp_path / "nowhere" / "x.md")
        await pilot.press("enter")
        await pilot.pause()
        assert "does not exist" in text_of(app.screen.query_one("#export-error", Static))
        assert not (tmp_path / "nowhere").exists()


async def test_smoke_test_reports_ttft_and_speed(sim_server: SimulatorServer) -> None:
    endpoint = await endpoint_for(sim_server, "openai/gpt-oss-20b")
    app = make_app(sim_server)
    async with app.run_test(size=SIZE) as pilot:
        pane = await open_chat(pilot)
        pane.perf_counter = ScriptedClock(0.05)
        worker = pane.smoke_test(endpoint)
        await worker.wait()
        await pilot.pause()
        (notification,) = list(app._notifications)
        assert notification.title == f"Smoke test: {endpoint.title}"
        assert notification.message.startswith("TTFT 50 ms · 20.0 tok/s · ")
        assert pane.conversation.turns == []  # the conversation is not touched


def test_pane_imports_no_markdown_until_a_message_is_shown() -> None:
    import subprocess
    import sys

    code = "import sys; import tui.app.panes.chat; print('textual.widgets._markdown' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"
