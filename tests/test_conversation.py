"""The chat's model without Textual: figures, history, error advice, export, smoke test."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from apptools import make_provider

from tui.api.domain import ChatEvent, ChatParams, ChatUsage, Endpoint, ModelOption, Phase
from tui.api.errors import (
    AuthenticationError,
    EndpointNotRunningError,
    RateLimitError,
    ServerError,
    StreamError,
    StreamTruncatedError,
)
from tui.core.chat import (
    ChatTarget,
    Conversation,
    StreamMetrics,
    Turn,
    TurnState,
    advise,
    figures,
    figures_line,
    supports_reasoning_effort,
)
from tui.core.chat_text import MarkdownParts, conversation_markdown
from tui.core.chat_turns import Readiness, readiness, smoke_test
from tui.core.format import format_timing
from tui.simulator import SimulatorServer

ENDPOINT = Endpoint(
    id="endpoint-1", name="me/openai/gpt-oss-20b-abc", model="openai/gpt-oss-20b", state="STARTED",
    phase=Phase.READY, display_name="Support bot",
)
SERVERLESS = ModelOption(id="meta-llama/Llama-3.3-70B-Instruct-Turbo", kind="chat", display_name="Llama 3.3 70B")


class ScriptedClock:
    """Each call returns the next multiple of ``step``: timings become exact and repeatable."""

    def __init__(self, step: float = 0.5) -> None:
        self.step = step
        self.calls = 0

    def __call__(self) -> float:
        value = self.calls * self.step
        self.calls += 1
        return value


def test_targets_name_what_is_sent() -> None:
    endpoint = ChatTarget.for_endpoint(ENDPOINT)
    assert endpoint.model == "me/openai/gpt-oss-20b-abc"  # the inference name, not the model id
    assert endpoint.label == "Support bot"
    assert endpoint.is_endpoint and endpoint.reasoning_effort
    assert endpoint.key == "endpoint:endpoint-1"
    model = ChatTarget.for_model(SERVERLESS)
    assert model.model == SERVERLESS.id and not model.is_endpoint and not model.reasoning_effort
    assert supports_reasoning_effort("openai/gpt-oss-120b")
    assert not supports_reasoning_effort("deepseek-ai/DeepSeek-R1")


def test_metrics_measure_ttft_speed_and_total() -> None:
    metrics = StreamMetrics(started=10.0)
    metrics.record(ChatEvent(reasoning="think"), 10.4)
    metrics.record(ChatEvent(content="a"), 10.6)
    metrics.record(ChatEvent(content="b"), 11.4)
    metrics.record(ChatEvent(finish_reason="stop", usage=ChatUsage(prompt_tokens=7, completion_tokens=5)), 11.5)
    metrics.finish(12.0)
    metrics.finish(99.0)  # only the first finish counts
    assert metrics.ttft == pytest.approx(0.4)
    assert metrics.first_content == 10.6
    assert metrics.total_time == pytest.approx(2.0)
    # Usage wins over counted events; the speed excludes the first token and TTFT: 4 tokens in 1.0 s.
    assert metrics.completion_tokens == 5
    assert metrics.tokens_per_second() == pytest.approx(4.0)
    assert figures(metrics) == [
        "TTFT 400 ms", "4.0 tok/s", "2.00 s total", "7 prompt + 5 completion tokens", "finish: stop",
    ]


def test_metrics_without_usage_count_text_events() -> None:
    metrics = StreamMetrics(started=0.0)
    for index in range(11):
        metrics.record(ChatEvent(content="x"), 1.0 + index * 0.1)
    assert metrics.usage is None
    assert metrics.completion_tokens == 11
    assert metrics.tokens_per_second() == pytest.approx(10.0)
    # While streaming, the speed is measured up to "now".
    assert metrics.tokens_per_second(now=3.0) == pytest.approx(5.0)
    assert figures_line(metrics) == "TTFT 1.00 s · 10.0 tok/s · 11 completion tokens"


def test_metrics_with_no_token_have_no_speed() -> None:
    metrics = StreamMetrics(started=0.0)
    metrics.finish(0.25)
    assert metrics.ttft is None and metrics.tokens_per_second() is None
    assert figures(metrics) == ["250 ms total"]


def test_format_timing() -> None:
    assert format_timing(0.0423) == "42 ms"
    assert format_timing(3.456) == "3.46 s"
    assert format_timing(125) == "2 min 5 s"


def test_history_keeps_answered_turns_and_skips_failed_ones() -> None:
    target = ChatTarget.for_endpoint(ENDPOINT)
    conversation = Conversation(system_prompt="Be brief.")
    done = conversation.add(Turn("first", target, ChatParams(), state=TurnState.DONE))
    done.add(ChatEvent(content="one"))
    failed = conversation.add(Turn("second", target, ChatParams()))
    failed.add(ChatEvent(content="partial"))
    failed.fail(StreamTruncatedError("cut"))
    stopped = conversation.add(Turn("third", target, ChatParams(), state=TurnState.STOPPED))
    stopped.add(ChatEvent(content="half"))
    current = conversation.add(Turn("fourth", target, ChatParams()))
    messages = [(m.role, m.content) for m in conversation.messages_for(current)]
    assert messages == [
        ("system", "Be brief."),
        ("user", "first"), ("assistant", "one"),
        ("user", "third"), ("assistant", "half"),
        ("user", "fourth"),
    ]
    # Retrying an earlier turn sends only what came before it.
    assert [m.content for m in conversation.messages_for(failed)] == ["Be brief.", "first", "one", "second"]
    assert conversation.last_answer() == "half"


def test_reset_answer_forgets_the_attempt() -> None:
    turn = Turn("q", ChatTarget.for_endpoint(ENDPOINT), ChatParams())
    turn.add(ChatEvent(reasoning="r", content="c"))
    turn.metrics = StreamMetrics(started=0)
    turn.fail(ServerError("boom", status=503))
    turn.reset_answer()
    assert (turn.content, turn.reasoning, turn.metrics, turn.error, turn.advice) == ("", "", None, None, None)


@pytest.mark.parametrize(
    ("error", "title", "hint_part"),
    [
        (AuthenticationError("Invalid API key", status=401), "API key refused (401)", "key"),
        (RateLimitError("slow down", status=429, retry_after=3), "Rate limited (429)", "Retry in 3 s"),
        (ServerError("Overloaded", status=503), "Server error (503)", "retry"),
        (StreamError("Internal error"), "Error during the answer", "what arrived is kept"),
        (StreamTruncatedError("no [DONE]", chunks_received=4), "Stream cut", "incomplete"),
    ],
)
def test_advice_names_the_failure(error: Exception, title: str, hint_part: str) -> None:
    advice = advise(error, ChatTarget.for_endpoint(ENDPOINT))  # type: ignore[arg-type]
    assert advice.title == title
    assert hint_part in advice.hint
    assert not advice.offer_start


def test_model_not_available_offers_a_start_only_for_endpoints() -> None:
    error = EndpointNotRunningError("Unable to access non-serverless model", status=400, request_id="req-9")
    on_endpoint = advise(error, ChatTarget.for_endpoint(ENDPOINT))
    assert on_endpoint.offer_start and on_endpoint.title == "Endpoint not running"
    assert "req-9" in on_endpoint.detail
    on_model = advise(error, ChatTarget.for_model(SERVERLESS))
    assert not on_model.offer_start and "dedicated endpoint" in on_model.hint


@pytest.mark.parametrize(
    ("phase", "expected"),
    [
        (Phase.READY, Readiness.READY),
        (Phase.PENDING, Readiness.COMING_UP),
        (Phase.STARTING, Readiness.COMING_UP),
        (Phase.STOPPED, Readiness.NEEDS_START),
        (Phase.STOPPING, Readiness.NEEDS_START),
        (Phase.FAILED, Readiness.NEEDS_START),
        (Phase.UNKNOWN, Readiness.READY),  # a newer API's state: try, the service decides
    ],
)
def test_readiness(phase: Phase, expected: Readiness) -> None:
    assert readiness(phase) is expected


def test_markdown_export() -> None:
    target = ChatTarget.for_endpoint(ENDPOINT)
    conversation = Conversation(system_prompt="Be brief.")
    done = conversation.add(Turn("What is **TTFT**?", target, ChatParams(temperature=0.7, max_tokens=64)))
    done.add(ChatEvent(reasoning="The user asks."))
    done.add(ChatEvent(content="Time to first token."))
    done.state = TurnState.DONE
    done.metrics = StreamMetrics(started=0.0, first_token=0.2, last_token=1.2, finished=1.3, text_events=11)
    failed = conversation.add(Turn("And tokens/s?", ChatTarget.for_model(SERVERLESS), ChatParams()))
    failed.add(ChatEvent(content="Tokens per"))
    failed.fail(StreamError("Internal error", request_id="req-1"))

    text = conversation_markdown(conversation, datetime(2026, 1, 15, 12, 0, tzinfo=UTC))
    assert text.startswith("# Chat with several targets\n\nExported 2026-01-15 12:00:00 UTC.\n")
    assert "- `me/openai/gpt-oss-20b-abc` (endpoint `endpoint-1`)" in text
    assert "- `meta-llama/Llama-3.3-70B-Instruct-Turbo` (serverless)" in text
    assert "## System\n\nBe brief.\n" in text
    assert "## 1. You\n\nWhat is **TTFT**?\n" in text
    assert "## 1. Support bot\n\n*`me/openai/gpt-oss-20b-abc`, temperature 0.7, max tokens 64*" in text
    assert "<details><summary>Reasoning</summary>\n\nThe user asks.\n\n</details>" in text
    assert "Time to first token.\n\n*TTFT 200 ms · 10.0 tok/s · 1.30 s total · 11 completion tokens*" in text
    assert "## 2. Llama 3.3 70B" in text
    assert "Tokens per\n\n> **Error during the answer**: Internal error (request req-1)" in text
    assert text.endswith("\n") and not text.endswith("\n\n")


def test_export_of_a_single_target_names_it() -> None:
    conversation = Conversation()
    conversation.add(Turn("hi", ChatTarget.for_model(SERVERLESS), ChatParams(), state=TurnState.STOPPED))
    text = conversation_markdown(conversation, datetime(2026, 1, 15, tzinfo=UTC))
    assert text.startswith("# Chat with Llama 3.3 70B\n")
    assert "*Stopped by the user; the answer above is partial.*" in text
    assert "service defaults" in text


async def test_smoke_test_measures_a_real_stream(start_simulator: Callable[..., SimulatorServer]) -> None:
    server = start_simulator()
    provider = make_provider(server)
    try:
        result = await smoke_test(provider, "openai/gpt-oss-20b", clock=ScriptedClock(0.5))
    finally:
        await provider.aclose()
    assert result.reply
    metrics = result.metrics
    # Clock calls: start, then one per event, then finish; every event one step later.
    assert metrics.ttft == 0.5
    assert metrics.finish_reason in ("stop", "length")
    assert metrics.usage is not None and metrics.completion_tokens == metrics.usage.completion_tokens
    assert result.summary.startswith("TTFT 500 ms · 2.0 tok/s · ")
    (request,) = [r for r in server.sim.request_log if r.path == "/v1/chat/completions"]
    # Low effort, so the thinking of a reasoning model leaves room for the answer.
    assert request.json_body["max_tokens"] == 160 and request.json_body["temperature"] == 0.0
    assert request.json_body["reasoning_effort"] == "low"


def feed_all(parts: MarkdownParts, text: str, step: int) -> list[str]:
    """Feed ``text`` in pieces of ``step`` characters; return the parts as the pane would show them."""
    shown = [""]
    for start in range(0, len(text), step):
        pieces = parts.feed(text[start:start + step])
        shown[-1] += pieces[0]
        shown.extend(pieces[1:])
    return shown


LONG_ANSWER = (
    "Intro paragraph that is long enough.\n\n"
    "- one\n- two\n\n"
    "```python\nx = 1\n\n\ny = 2\n```\n\n"
    "1. step\n\n   indented continuation of the step\n\n"
    "Closing paragraph.\n"
)


@pytest.mark.parametrize("step", [1, 3, 7, 1000])
def test_markdown_parts_cut_only_between_top_level_blocks(step: int) -> None:
    shown = feed_all(MarkdownParts(size=10), LONG_ANSWER, step)
    # However the text arrives, the cuts are the same: content decides, not chunking.
    assert shown == feed_all(MarkdownParts(size=10), LONG_ANSWER, 1)
    assert "".join(shown) == LONG_ANSWER
    assert shown == [
        "Intro paragraph that is long enough.\n\n",
        "- one\n- two\n\n",
        "```python\nx = 1\n\n\ny = 2\n```\n\n",  # never inside a code fence
        "1. step\n\n   indented continuation of the step\n\n",  # never before an indented line
        "Closing paragraph.\n",
    ]


def test_markdown_parts_wait_for_the_size() -> None:
    shown = feed_all(MarkdownParts(size=1000), LONG_ANSWER, 5)
    assert shown == [LONG_ANSWER]
