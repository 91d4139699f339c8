"""The chat's model, without Textual: targets, turns, stream figures, the start offer's price.

Plain data and arithmetic, unit-tested without an app. What runs a turn (readiness through the store,
the start offer's price, streaming, the smoke test) is in ``tui.core.chat_turns``; whether a target can
answer now is ``tui.core.chat_routing``; errors in the user's words are ``tui.core.chat_advice``; the
Markdown export and the streamed answer's parts are in ``tui.core.chat_text``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum

from tui.api.domain import ChatEvent, ChatMessage, ChatParams, ChatUsage, Deployment, Endpoint, ModelOption
from tui.api.errors import APIError
from tui.core.chat_advice import ErrorAdvice, advise
from tui.core.format import format_money, format_timing

#: A monotonic clock in seconds (``time.perf_counter`` in the app; a scripted one in tests).
Clock = Callable[[], float]

#: Model families whose ``reasoning_effort`` Together documents as adjustable ("Reasoning only
#: (adjustable effort)"); other models ignore or reject it, so the pane only sends it to these.
REASONING_EFFORT_FAMILIES = ("openai/gpt-oss-",)
REASONING_EFFORTS = ("low", "medium", "high")


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
    #: A v2 deployment pinned by its qualified name (``model`` is then that name, not the endpoint's).
    deployment_id: str | None = None
    #: The model's kind as the catalogue says ("chat", "embedding"); None while not known.
    kind: str | None = None

    @property
    def is_endpoint(self) -> bool:
        return self.endpoint_id is not None

    @property
    def key(self) -> str:
        if self.deployment_id:
            return f"deployment:{self.endpoint_id}/{self.deployment_id}"
        return f"endpoint:{self.endpoint_id}" if self.endpoint_id else f"model:{self.model}"

    @property
    def can_chat(self) -> bool:
        """False for a model the catalogue calls something else (embeddings, rerank, images)."""
        return ModelOption(self.base_model, kind=self.kind).is_chat

    @property
    def reasoning_effort(self) -> bool:
        return supports_reasoning_effort(self.base_model)

    @classmethod
    def for_endpoint(cls, endpoint: Endpoint, kind: str | None = None) -> ChatTarget:
        return cls(
            model=endpoint.inference_model, label=endpoint.title, base_model=endpoint.model, endpoint_id=endpoint.id,
            kind=kind,
        )

    @classmethod
    def for_deployment(cls, endpoint: Endpoint, deployment: Deployment, kind: str | None = None) -> ChatTarget:
        """Pinned: the request names the deployment, so the traffic split does not choose for it."""
        return cls(
            model=deployment.name, label=f"{endpoint.title} / {deployment.title}", base_model=deployment.model,
            endpoint_id=endpoint.id, deployment_id=deployment.id, kind=kind,
        )

    @classmethod
    def for_model(cls, model: ModelOption) -> ChatTarget:
        return cls(model=model.id, label=model.title, base_model=model.id, kind=model.kind)


class TurnState(StrEnum):
    #: Waiting for the user to agree to start the endpoint.
    NEEDS_START = "needs start"
    #: Explained instead of sent: nothing could answer it (no traffic, a retired v1 endpoint, not a chat model).
    NOT_SENT = "not sent"
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
        return self in (TurnState.DONE, TurnState.STOPPED, TurnState.FAILED, TurnState.NOT_SENT)


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


def figures(metrics: StreamMetrics) -> list[str]:
    """The figures shown under an answer and written into exports, each readable on its own."""
    parts: list[str] = []
    if metrics.ttft is not None:
        parts.append(f"TTFT {format_timing(metrics.ttft)}")
    speed = metrics.tokens_per_second()
    if speed is not None:
        parts.append(f"{speed:,.1f} tok/s")
    if metrics.total_time is not None:
        parts.append(f"{format_timing(metrics.total_time)} total")
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
class StartCost:
    """What starting the chat's endpoint costs, for the start offer: $/hour per replica (None: not
    known) and the endpoint's replica bounds.

    The offer is the confirmation (one key, ``ctrl+g``, accepts it), so it states the price before
    billing begins: the hardware's $/hour per replica times the replicas that start, and how high it
    can scale.
    """

    per_replica: float | None
    min_replicas: int | None = None
    max_replicas: int | None = None
    #: What starts, when it is not one endpoint's replicas (v2: ``1 replica of llama-3-3-70b on 2x H100 80GB``).
    what: str | None = None

    @property
    def words(self) -> str:
        """``$3.98/h (2 replicas x $1.99/h; up to $7.96/h at 4)``, or why the price is not known."""
        price = self.per_replica
        if price is None:
            return "$/hour unknown (the hardware's price could not be read)"
        if self.what:
            return f"{format_money(price)}/h ({self.what})"
        replicas = max(self.min_replicas or 1, 1)
        details = []
        if replicas > 1:
            details.append(f"{replicas} replicas x {format_money(price)}/h")
        if self.max_replicas is not None and self.max_replicas > replicas:
            details.append(f"up to {format_money(price * self.max_replicas)}/h at {self.max_replicas}")
        text = f"{format_money(price * replicas)}/h"
        return f"{text} ({'; '.join(details)})" if details else text


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


@dataclass(frozen=True, slots=True)
class SmokeResult:
    model: str
    reply: str
    metrics: StreamMetrics

    @property
    def summary(self) -> str:
        ttft = format_timing(self.metrics.ttft) if self.metrics.ttft is not None else "no token"
        speed = self.metrics.tokens_per_second()
        rate = f"{speed:,.1f} tok/s" if speed is not None else "n/a tok/s"
        summary = f"TTFT {ttft} · {rate} · {self.metrics.completion_tokens} tokens"
        if not self.reply:
            summary += f" · no answer text (finish: {self.metrics.finish_reason or 'none'})"
        return summary
