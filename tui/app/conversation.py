"""The chat pane's model, without Textual: targets, turns, stream figures, error advice, Markdown export.

Everything here is plain data and arithmetic so it can be unit-tested without an app, and so the smoke
test (one short prompt, report TTFT and tokens/s) can run from any pane or the CLI.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING

from tui.api.domain import ChatEvent, ChatMessage, ChatParams, ChatUsage, Endpoint, ModelOption, Phase
from tui.api.errors import (
    APIError,
    APITimeoutError,
    AuthenticationError,
    ConnectionFailedError,
    EndpointNotRunningError,
    NotFoundError,
    PaymentRequiredError,
    RateLimitError,
    ServerError,
    StreamError,
    StreamTruncatedError,
)
from tui.api.safe_text import clean_multiline

if TYPE_CHECKING:
    from tui.api.provider import Provider
    from tui.app.chat_start import StartCost

#: A monotonic clock in seconds (``time.perf_counter`` in the app; a scripted one in tests).
Clock = Callable[[], float]

#: Model families whose ``reasoning_effort`` Together documents as adjustable ("Reasoning only
#: (adjustable effort)"); other models ignore or reject it, so the pane only sends it to these.
REASONING_EFFORT_FAMILIES = ("openai/gpt-oss-",)
REASONING_EFFORTS = ("low", "medium", "high")

SMOKE_TEST_PROMPT = "Reply with one short sentence to confirm you are working."


def supports_reasoning_effort(model: str) -> bool:
    lowered = model.lower()
    return any(lowered.startswith(family) for family in REASONING_EFFORT_FAMILIES)


@dataclass(frozen=True, slots=True)
class ChatTarget:
    """What a prompt is sent to: a dedicated endpoint (by its inference name) or a serverless model."""

    #: The ``model`` parameter of the request: an endpoint's ``name`` or a serverless model id.
    model: str
    #: How the pane names it (an endpoint's display name, a model's display name).
    label: str
    #: The underlying model (for an endpoint, the model it serves); decides reasoning support.
    base_model: str
    endpoint_id: str | None = None

    @property
    def is_endpoint(self) -> bool:
        return self.endpoint_id is not None

    @property
    def key(self) -> str:
        return f"endpoint:{self.endpoint_id}" if self.endpoint_id else f"model:{self.model}"

    @property
    def reasoning_effort(self) -> bool:
        return supports_reasoning_effort(self.base_model)

    @classmethod
    def for_endpoint(cls, endpoint: Endpoint) -> ChatTarget:
        return cls(model=endpoint.name, label=endpoint.title, base_model=endpoint.model, endpoint_id=endpoint.id)

    @classmethod
    def for_model(cls, model: ModelOption) -> ChatTarget:
        return cls(model=model.id, label=model.title, base_model=model.id)


class TurnState(StrEnum):
    #: Waiting for the user to agree to start the endpoint.
    NEEDS_START = "needs start"
    #: Queued until the endpoint reports it is ready.
    WAITING = "waiting"
    STREAMING = "streaming"
    DONE = "done"
    STOPPED = "stopped"
    FAILED = "failed"

    @property
    def busy(self) -> bool:
        """A request is in flight or queued: the prompt box waits (``esc`` stops it)."""
        return self in (TurnState.WAITING, TurnState.STREAMING)

    @property
    def finished(self) -> bool:
        return self in (TurnState.DONE, TurnState.STOPPED, TurnState.FAILED)


@dataclass(slots=True)
class StreamMetrics:
    """Timings of one streamed answer, on a monotonic clock, in seconds."""

    started: float
    first_token: float | None = None
    first_content: float | None = None
    last_token: float | None = None
    finished: float | None = None
    #: Events that carried text: one token each on Together, a fallback when usage is missing.
    text_events: int = 0
    usage: ChatUsage | None = None
    finish_reason: str | None = None

    def record(self, event: ChatEvent, now: float) -> None:
        if event.content or event.reasoning:
            self.text_events += 1
            if self.first_token is None:
                self.first_token = now
            if event.content and self.first_content is None:
                self.first_content = now
            self.last_token = now
        if event.usage is not None:
            self.usage = event.usage
        if event.finish_reason:
            self.finish_reason = event.finish_reason

    def finish(self, now: float) -> None:
        if self.finished is None:
            self.finished = now

    @property
    def ttft(self) -> float | None:
        return None if self.first_token is None else self.first_token - self.started

    @property
    def total_time(self) -> float | None:
        return None if self.finished is None else self.finished - self.started

    @property
    def completion_tokens(self) -> int:
        if self.usage is not None and self.usage.completion_tokens is not None:
            return self.usage.completion_tokens
        return self.text_events

    @property
    def prompt_tokens(self) -> int | None:
        return None if self.usage is None else self.usage.prompt_tokens

    def tokens_per_second(self, now: float | None = None) -> float | None:
        """Output speed after the first token: what a user perceives as "how fast it writes".

        Measured from the first token to the last one (or ``now`` while streaming), over the tokens
        that followed the first, so TTFT does not dilute it.
        """
        if self.first_token is None:
            return None
        end = now if now is not None else self.last_token
        if end is None:
            return None
        elapsed = end - self.first_token
        following = self.completion_tokens - 1
        if elapsed <= 0 or following <= 0:
            return None
        return following / elapsed


def format_seconds(seconds: float) -> str:
    if seconds < 1:
        return f"{seconds * 1000:.0f} ms"
    if seconds < 60:
        return f"{seconds:.2f} s"
    minutes, rest = divmod(seconds, 60)
    return f"{int(minutes)} min {rest:.0f} s"


def figures(metrics: StreamMetrics) -> list[str]:
    """The figures shown under an answer and written into exports, each readable on its own."""
    parts: list[str] = []
    if metrics.ttft is not None:
        parts.append(f"TTFT {format_seconds(metrics.ttft)}")
    speed = metrics.tokens_per_second()
    if speed is not None:
        parts.append(f"{speed:,.1f} tok/s")
    if metrics.total_time is not None:
        parts.append(f"{format_seconds(metrics.total_time)} total")
    if metrics.usage is not None or metrics.text_events:
        completion = f"{metrics.completion_tokens:,} completion"
        if metrics.prompt_tokens is not None:
            parts.append(f"{metrics.prompt_tokens:,} prompt + {completion} tokens")
        else:
            parts.append(f"{completion} tokens")
    if metrics.finish_reason:
        parts.append(f"finish: {metrics.finish_reason}")
    return parts


def figures_line(metrics: StreamMetrics) -> str:
    return " · ".join(figures(metrics))


@dataclass(frozen=True, slots=True)
class ErrorAdvice:
    """What went wrong, in the user's terms, and what they can do about it."""

    title: str
    detail: str
    hint: str
    #: The endpoint is not running: the pane offers to start it.
    offer_start: bool = False


def advise(error: APIError, target: ChatTarget) -> ErrorAdvice:
    detail = error.message
    if error.request_id:
        detail = f"{detail} (request {error.request_id})"
    if isinstance(error, EndpointNotRunningError):
        if target.is_endpoint:
            return ErrorAdvice(
                "Endpoint not running",
                detail,
                "It has no running replica (model_not_available): start it, then retry.",
                offer_start=True,
            )
        return ErrorAdvice(
            "Model not available serverless",
            detail,
            "This model needs a dedicated endpoint: create one from the Hardware pane, or pick another target.",
        )
    if isinstance(error, AuthenticationError):
        return ErrorAdvice(
            f"API key refused ({error.status or 401})",
            detail,
            "Check the key of this profile (together-tui auth), then retry.",
        )
    if isinstance(error, RateLimitError):
        wait = f" in {error.retry_after:.0f} s" if error.retry_after else " in a moment"
        return ErrorAdvice(f"Rate limited ({error.status or 429})", detail, f"Retry{wait}.")
    if isinstance(error, StreamTruncatedError):
        return ErrorAdvice(
            "Stream cut", detail, "The answer above is incomplete (no [DONE] arrived). Retry for a full answer."
        )
    if isinstance(error, StreamError):
        return ErrorAdvice(
            "Error during the answer", detail, "The service failed mid-answer; what arrived is kept. Retry."
        )
    if isinstance(error, ServerError):
        return ErrorAdvice(f"Server error ({error.status or '5xx'})", detail, "Usually passing: retry.")
    if isinstance(error, PaymentRequiredError):
        return ErrorAdvice("Payment required (402)", detail, "Check the account's credits or spending limit.")
    if isinstance(error, NotFoundError):
        return ErrorAdvice(
            "Not found (404)", detail, "The endpoint or model no longer exists: pick another target."
        )
    if isinstance(error, APITimeoutError):
        return ErrorAdvice("Timed out", detail, "No answer in time: retry.")
    if isinstance(error, ConnectionFailedError):
        return ErrorAdvice("Connection failed", detail, "Check the network or base URL, then retry.")
    status = f" ({error.status})" if error.status else ""
    return ErrorAdvice(f"{error.kind.capitalize()}{status}", detail, "Retry, or change the request.")


@dataclass(slots=True)
class Turn:
    """One prompt and its answer, in whatever state the answer reached."""

    prompt: str
    target: ChatTarget
    params: ChatParams
    state: TurnState = TurnState.STREAMING
    metrics: StreamMetrics | None = None
    error: APIError | None = None
    advice: ErrorAdvice | None = None
    #: Set while waiting for an endpoint: what the pane last knew of it.
    endpoint_state: str | None = None
    #: What starting the endpoint costs, shown in the start offer (None while it is being looked up).
    start_cost: StartCost | None = None
    _content: list[str] = field(default_factory=list)
    _reasoning: list[str] = field(default_factory=list)

    @property
    def content(self) -> str:
        return "".join(self._content)

    @property
    def reasoning(self) -> str:
        return "".join(self._reasoning)

    @property
    def has_answer(self) -> bool:
        return bool(self._content)

    def add(self, event: ChatEvent) -> None:
        if event.reasoning:
            self._reasoning.append(event.reasoning)
        if event.content:
            self._content.append(event.content)

    def reset_answer(self) -> None:
        """Forget a previous attempt before a retry."""
        self._content.clear()
        self._reasoning.clear()
        self.metrics = None
        self.error = None
        self.advice = None
        self.endpoint_state = None
        self.start_cost = None

    def fail(self, error: APIError) -> None:
        self.state = TurnState.FAILED
        self.error = error
        self.advice = advise(error, self.target)


@dataclass
class Conversation:
    system_prompt: str = ""
    turns: list[Turn] = field(default_factory=list)

    @property
    def last(self) -> Turn | None:
        return self.turns[-1] if self.turns else None

    @property
    def busy(self) -> bool:
        return self.last is not None and self.last.state.busy

    def add(self, turn: Turn) -> Turn:
        self.turns.append(turn)
        return turn

    def clear(self) -> None:
        self.turns.clear()

    def messages_for(self, turn: Turn) -> list[ChatMessage]:
        """The request for ``turn``: the system prompt, the earlier exchanges that have an answer, then the prompt.

        A failed turn's partial answer is left out (it is retried, not continued); a stopped one is
        kept, since the user saw it and may refer to it.
        """
        messages: list[ChatMessage] = []
        if self.system_prompt.strip():
            messages.append(ChatMessage("system", self.system_prompt))
        for earlier in self.turns:
            if earlier is turn:
                break
            if earlier.state in (TurnState.DONE, TurnState.STOPPED) and earlier.has_answer:
                messages.append(ChatMessage("user", earlier.prompt))
                messages.append(ChatMessage("assistant", earlier.content))
        messages.append(ChatMessage("user", turn.prompt))
        return messages

    def last_answer(self) -> str | None:
        for turn in reversed(self.turns):
            if turn.has_answer:
                return turn.content
        return None

    def to_markdown(self, exported_at: datetime) -> str:
        return conversation_markdown(self, exported_at)


def _params_text(params: ChatParams) -> str:
    parts = []
    if params.temperature is not None:
        parts.append(f"temperature {params.temperature:g}")
    if params.max_tokens is not None:
        parts.append(f"max tokens {params.max_tokens}")
    if params.top_p is not None:
        parts.append(f"top_p {params.top_p:g}")
    if params.reasoning_effort:
        parts.append(f"reasoning effort {params.reasoning_effort}")
    return ", ".join(parts) or "service defaults"


def _quote(text: str) -> str:
    return "\n".join(f"> {line}" if line else ">" for line in text.splitlines() or [""])


def conversation_markdown(conversation: Conversation, exported_at: datetime) -> str:
    targets: list[ChatTarget] = []
    for turn in conversation.turns:
        if turn.target not in targets:
            targets.append(turn.target)
    title = targets[0].label if len(targets) == 1 else "several targets" if targets else "nobody yet"
    lines = [f"# Chat with {title}", "", f"Exported {exported_at.strftime('%Y-%m-%d %H:%M:%S %Z').strip()}."]
    for target in targets:
        where = f"endpoint `{target.endpoint_id}`" if target.endpoint_id else "serverless"
        lines.append(f"- `{target.model}` ({where})")
    lines.append("")
    if conversation.system_prompt.strip():
        lines += ["## System", "", conversation.system_prompt.strip(), ""]
    for number, turn in enumerate(conversation.turns, 1):
        lines += [f"## {number}. You", "", turn.prompt.rstrip(), ""]
        lines += [f"## {number}. {turn.target.label}", ""]
        lines += [f"*`{turn.target.model}`, {_params_text(turn.params)}*", ""]
        if turn.reasoning:
            lines += ["<details><summary>Reasoning</summary>", "", turn.reasoning.strip(), "", "</details>", ""]
        if turn.content:
            lines += [turn.content.rstrip(), ""]
        if turn.state is TurnState.STOPPED:
            lines += ["*Stopped by the user; the answer above is partial.*", ""]
        elif turn.state is TurnState.FAILED and turn.advice is not None:
            lines += [_quote(f"**{turn.advice.title}**: {turn.advice.detail}"), ""]
        elif not turn.state.finished:
            lines += [f"*Still {turn.state.value} at export time.*", ""]
        if turn.metrics is not None and figures(turn.metrics):
            lines += [f"*{figures_line(turn.metrics)}*", ""]
    # A file is read in a terminal too (cat, less -R): what the service sent must not reach it as control.
    return clean_multiline("\n".join(lines).rstrip()) + "\n"


class MarkdownParts:
    """Cuts a streamed Markdown answer into parts of about ``size`` characters, each a whole document.

    The pane shows each part in its own Markdown widget: appending to a small document and laying it
    out again stays cheap however long the answer grows. A cut falls only where a new top-level block
    starts: after a blank line, outside a code fence, before a line that is not indented (an indented
    one may continue a list item).
    """

    def __init__(self, size: int) -> None:
        self.size = size
        self._part_chars = 0
        self._line = ""
        self._in_fence = False
        self._after_blank = False

    def feed(self, text: str) -> list[str]:
        """Split the next piece of the answer: every piece but the last ends its part."""
        pieces: list[str] = []
        start = 0
        for index, char in enumerate(text):
            if self._after_blank and char != "\n":
                self._after_blank = False
                if char not in " \t" and self._part_chars + index - start >= self.size:
                    pieces.append(text[start:index])
                    start = index
                    self._part_chars = 0
            if char == "\n":
                line = self._line.strip()
                self._line = ""
                if line.startswith(("```", "~~~")):
                    self._in_fence = not self._in_fence
                elif not line and not self._in_fence:
                    self._after_blank = True
            elif len(self._line.lstrip()) < 3:
                # Only the start of a line matters (blank? a fence?): keep no more of it than that.
                self._line += char
        self._part_chars += len(text) - start
        pieces.append(text[start:])
        return pieces


class Readiness(StrEnum):
    READY = "ready"
    #: Already on its way up: queue the prompt, nothing to ask.
    COMING_UP = "coming up"
    #: Stopped, stopping, failed or unknown: it only answers if someone starts it.
    NEEDS_START = "needs start"


def readiness(phase: Phase) -> Readiness:
    # A state word we do not know (a newer API's) may well answer: send, and let the service decide
    # (model_not_available is explained like a stopped endpoint).
    if phase in (Phase.READY, Phase.UNKNOWN):
        return Readiness.READY
    if phase in (Phase.PENDING, Phase.STARTING):
        return Readiness.COMING_UP
    return Readiness.NEEDS_START


@dataclass(frozen=True, slots=True)
class SmokeResult:
    model: str
    reply: str
    metrics: StreamMetrics

    @property
    def summary(self) -> str:
        ttft = format_seconds(self.metrics.ttft) if self.metrics.ttft is not None else "no token"
        speed = self.metrics.tokens_per_second()
        rate = f"{speed:,.1f} tok/s" if speed is not None else "n/a tok/s"
        summary = f"TTFT {ttft} · {rate} · {self.metrics.completion_tokens} tokens"
        if not self.reply:
            summary += f" · no answer text (finish: {self.metrics.finish_reason or 'none'})"
        return summary


async def smoke_test(
    provider: Provider,
    model: str,
    *,
    clock: Clock = time.perf_counter,
    prompt: str = SMOKE_TEST_PROMPT,
    max_tokens: int = 160,
    base_model: str | None = None,
) -> SmokeResult:
    """Send one short fixed prompt and measure it; raises the provider's APIError on failure.

    Reasoning models think before answering and the thinking counts towards ``max_tokens``: with
    ``base_model`` naming one whose effort is adjustable, ask for low effort so an answer fits.
    """
    messages: Sequence[ChatMessage] = [ChatMessage("user", prompt)]
    effort = "low" if supports_reasoning_effort(base_model or model) else None
    params = ChatParams(temperature=0.0, max_tokens=max_tokens, reasoning_effort=effort)
    metrics = StreamMetrics(started=clock())
    parts: list[str] = []
    async for event in provider.stream_chat(model, messages, params):
        metrics.record(event, clock())
        if event.content:
            parts.append(event.content)
    metrics.finish(clock())
    return SmokeResult(model=model, reply="".join(parts).strip(), metrics=metrics)
