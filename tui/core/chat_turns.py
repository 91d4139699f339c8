"""Running a chat turn, without Textual: make sure the target answers, stream the answer, fail with advice.

For an endpoint the runner asks the store, never the API: whether it can answer is the store's last word
on it (``tui.core.chat_routing``: a v2 endpoint through its traffic split, a pinned deployment by itself);
starting goes through ``store.start`` (one action in flight per endpoint, whichever pane asked) and
waiting through ``store.wait_until_ready`` (the store's poll, its deadline, its stop-on-failure), so the
chat has no poll loop and no ``get_endpoint`` of its own. An endpoint that is not running is not
started behind the user's back: the turn is held with a priced offer (``NEEDS_START``), and only
``run(..., start=True)`` (the user accepted it) starts it. What no start would help (no traffic weight,
a retired v1 endpoint, a model that does not chat) is explained and not sent (``NOT_SENT``).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Protocol

from tui.api.domain import ChatEvent, ChatMessage, ChatParams, Endpoint, HardwareOption
from tui.api.errors import APIError
from tui.core.chat import (
    Clock,
    Conversation,
    ErrorAdvice,
    SmokeResult,
    StartCost,
    StreamMetrics,
    Turn,
    TurnState,
    supports_reasoning_effort,
)
from tui.core.chat_routing import (
    Readiness,
    Route,
    Routing,
    readiness,
    redeploy_advice,
    redeploys,
    route_for,
    stopped,
)
from tui.core.format import format_duration, hardware_label, known_amount

if TYPE_CHECKING:
    from tui.api.provider import Provider
    from tui.core.catalog import Catalog
    from tui.core.store import Decision, EndpointStore, WaitOutcome

SMOKE_TEST_PROMPT = "Reply with one short sentence to confirm you are working."


class TurnView(Protocol):
    """What shows a turn while it runs (the pane's ``AssistantMessage``)."""

    def show_state(self) -> None: ...

    def write(self, event: ChatEvent) -> None:
        """Take one event; it must only buffer (drawing is the view's, on its own time)."""

    def show_progress(self, now: float) -> None: ...

    async def close_streams(self) -> None: ...


def wait_advice(outcome: WaitOutcome, label: str) -> ErrorAdvice | None:
    """Why a prompt held for its endpoint is not sent after all; None when the endpoint is ready."""
    # Compared by value: the wait's result is a StrEnum, and its words are the store's contract.
    result = str(outcome.result)
    state = outcome.state or "unknown"
    if result == "reached":
        return None
    if result == "failed":
        return ErrorAdvice(
            f"Endpoint went to {state}",
            f"{label} failed while starting.",
            "See the Endpoints pane for details, or pick another target (ctrl+t).",
        )
    if result == "timed out":
        return ErrorAdvice(
            "Endpoint not ready in time",
            f"{label} was still {state} after {format_duration(outcome.elapsed.total_seconds())}.",
            "Retry to keep waiting (ctrl+r), or pick another target (ctrl+t).",
        )
    if result == "gone":
        return ErrorAdvice("Endpoint gone", f"{label} no longer exists.", "Pick another target (ctrl+t).")
    return ErrorAdvice(
        f"Endpoint still {state}",
        f"{label} did not start.",
        "The start may have been cancelled or refused: ctrl+r to try again.",
    )


async def _hardware_of(catalog: Catalog, hardware_id: str, model: str) -> HardwareOption | None:
    """The hardware option (with its $/hour): the catalogue's, asked for only when it has none yet."""
    known = catalog.known_hardware() or {}
    if hardware_id in known:
        return known[hardware_id]
    try:
        # The model's own list first (what it can run on), then every option.
        for listed in (model, None):
            option = next((o for o in await catalog.hardware(listed) if o.id == hardware_id), None)
            if option is not None:
                return option
    except APIError:
        return None
    return None


async def _price_of(catalog: Catalog, hardware_id: str, model: str) -> float | None:
    option = await _hardware_of(catalog, hardware_id, model)
    # A price that is not a finite, non-negative number says nothing: "unknown", never "$nan/h".
    return known_amount(option.price_per_hour if option is not None else None)


async def start_cost(catalog: Catalog, endpoint: Endpoint) -> StartCost:
    """The price of starting ``endpoint``: its replicas on its hardware, or (v2) its stopped deployments."""
    if endpoint.deployments:
        return await _deployments_start_cost(catalog, endpoint)
    hardware_id = endpoint.hardware_id
    per_replica = await _price_of(catalog, hardware_id, endpoint.model) if hardware_id else None
    return StartCost(per_replica, endpoint.min_replicas, endpoint.max_replicas)


async def _deployments_start_cost(catalog: Catalog, endpoint: Endpoint) -> StartCost:
    """A start brings every stopped deployment back, each with at least one replica (the bounds it last ran
    with, else 1): billing begins at one replica of each."""
    resting = [d for d in endpoint.deployments if stopped(d)]
    if not resting:
        return StartCost(None)
    options = [await _hardware_of(catalog, d.hardware, d.model) for d in resting]
    prices = [known_amount(o.price_per_hour) if o is not None else None for o in options]
    if any(price is None for price in prices):
        return StartCost(None)
    what = ", ".join(f"{d.title} on {hardware_label(o, d.hardware)}" for d, o in zip(resting, options, strict=True))
    each = "1 replica each: " if len(resting) > 1 else "1 replica of "
    return StartCost(sum(p for p in prices if p is not None), 1, None, what=each + what)


class TurnRunner:
    """Carries turns to their end. ``say`` tells the user what an action did (a store's Decision);
    ``changed`` lets the view redraw what depends on the turn's state (the keys in force)."""

    def __init__(
        self,
        provider: Provider,
        store: EndpointStore,
        catalog: Catalog,
        *,
        clock: Clock = time.perf_counter,
        say: Callable[[str, str], None] = lambda message, severity: None,
        changed: Callable[[], None] = lambda: None,
    ) -> None:
        self.provider = provider
        self.store = store
        self.catalog = catalog
        #: Monotonic clock for every figure; tests replace it with a scripted one.
        self.clock = clock
        self._say = say
        self._changed = changed

    async def run(self, conversation: Conversation, turn: Turn, view: TurnView, *, start: bool = False) -> None:
        """Ready, stream, done; or held with a start offer; or failed with advice. Cancelling stops it."""
        try:
            if not turn.target.can_chat:
                self.not_sent(turn, cannot_chat_advice(turn))
                return
            if turn.target.endpoint_id is not None and not await self._ready(turn, view, start=start):
                return
            await self._stream(conversation, turn, view)
        except APIError as error:
            self.fail(turn, error)
        except asyncio.CancelledError:
            raise
        except Exception as error:  # a bug must end the turn visibly, not leave it "streaming" forever
            turn.state = TurnState.FAILED
            turn.advice = ErrorAdvice("Unexpected error", f"{type(error).__name__}: {error}", "Retry with ctrl+r.")
        finally:
            if turn.state in (TurnState.WAITING, TurnState.STREAMING):
                turn.state = TurnState.STOPPED
            view.show_state()
            self._changed()

    def fail(self, turn: Turn, error: APIError) -> None:
        turn.fail(error)
        advice = turn.advice
        if advice is not None and advice.offer_start and turn.target.endpoint_id is not None:
            known = self.store.get(turn.target.endpoint_id)
            if known is not None:
                turn.endpoint_state = known.state
                if redeploys(known, self.store.capabilities):
                    # The API says it is not running, whatever the last poll said; v1 would refuse a start.
                    self.not_sent(turn, redeploy_advice(f"{known.title} is not running ({advice.detail})"))
                    self.store.poll_soon()
                    return
            self.hold_for_start(turn)

    @staticmethod
    def not_sent(turn: Turn, advice: ErrorAdvice | None) -> None:
        """Explained instead of sent: nothing would have answered it."""
        turn.state = TurnState.NOT_SENT
        turn.advice = advice

    @staticmethod
    def hold_for_start(turn: Turn) -> None:
        """Hold the prompt until the user accepts the start offer (priced by ``price_offer``)."""
        turn.state = TurnState.NEEDS_START
        turn.start_cost = None

    async def price_offer(self, turn: Turn) -> StartCost | None:
        """The offer's price, or None while the store does not know the endpoint's hardware yet (its
        details arrive with its poll; the view asks again then)."""
        endpoint_id = turn.target.endpoint_id
        endpoint = self.store.get(endpoint_id) if endpoint_id is not None else None
        if endpoint is None:
            return StartCost(None)
        if not endpoint.hardware_id and not endpoint.deployments:
            return None if not endpoint.detailed else StartCost(None, endpoint.min_replicas, endpoint.max_replicas)
        return await start_cost(self.catalog, endpoint)

    # Readiness

    async def _ready(self, turn: Turn, view: TurnView, *, start: bool) -> bool:
        endpoint_id = turn.target.endpoint_id
        assert endpoint_id is not None
        if start:
            turn.state = TurnState.WAITING
            turn.endpoint_state = "starting"
            view.show_state()
            self._changed()
            decision = self.store.start(endpoint_id)
            self._tell(decision)
            # The store says what came of the request once it is answered (and announces a refusal).
            await self._until(lambda: not self.store.in_flight(endpoint_id))
        routing = self._route(turn)
        # Not known to the store (not loaded yet): send, and let the service decide; model_not_available
        # is then explained like a stopped endpoint.
        if routing is None or routing.route.sends:
            return True
        turn.endpoint_state = routing.state
        if routing.route in (Route.NEEDS_TRAFFIC, Route.REDEPLOY, Route.UNSERVABLE):
            self.not_sent(turn, routing.advice)
            return False
        if routing.route is Route.NEEDS_START and not start:
            self.hold_for_start(turn)
            view.show_state()
            return False
        if routing.route is Route.NEEDS_START and endpoint_id not in self.store.waits:
            # Started, yet the store waits for nothing: the start was refused or failed (it said why).
            turn.state = TurnState.FAILED
            turn.advice = ErrorAdvice(
                f"Endpoint still {routing.state}",
                f"{turn.target.label} was not started.",
                "The start was refused or failed (see the notification): ctrl+r to try again.",
            )
            return False
        turn.state = TurnState.WAITING
        view.show_state()
        self._changed()
        if not await self._wait(turn, view, endpoint_id):
            return False
        # Up, by the store's word; yet a split that routes nowhere still sends nothing.
        after = self._route(turn)
        if after is not None and after.route in (Route.NEEDS_TRAFFIC, Route.REDEPLOY, Route.UNSERVABLE):
            self.not_sent(turn, after.advice)
            return False
        return True

    def _route(self, turn: Turn) -> Routing | None:
        endpoint_id = turn.target.endpoint_id
        endpoint = self.store.get(endpoint_id) if endpoint_id is not None else None
        if endpoint is None:
            return None
        return route_for(endpoint, deployment_id=turn.target.deployment_id, capabilities=self.store.capabilities)

    async def _wait(self, turn: Turn, view: TurnView, endpoint_id: str) -> bool:
        def follow(_event: object) -> None:
            # Show each state the store sees on the way up (PENDING, STARTING) under the held prompt.
            known = self.store.get(endpoint_id)
            if known is not None and known.state != turn.endpoint_state and turn.state is TurnState.WAITING:
                turn.endpoint_state = known.state
                view.show_state()

        unsubscribe = self.store.subscribe(follow)
        try:
            outcome = await self.store.wait_until_ready(endpoint_id)
        finally:
            unsubscribe()
        if outcome.state:
            turn.endpoint_state = outcome.state
        advice = wait_advice(outcome, turn.target.label)
        if advice is None:
            return True
        turn.state = TurnState.FAILED
        turn.advice = advice
        return False

    async def _until(self, condition: Callable[[], bool]) -> None:
        """Until ``condition`` holds, re-checked on every store event (no timer of its own)."""
        if condition():
            return
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()

        def check(_event: object) -> None:
            if condition() and not done.done():
                done.set_result(None)

        unsubscribe = self.store.subscribe(check)
        try:
            await done
        finally:
            unsubscribe()

    def _tell(self, decision: Decision) -> None:
        if decision.message:
            self._say(decision.message, decision.severity)

    # Streaming

    async def _stream(self, conversation: Conversation, turn: Turn, view: TurnView) -> None:
        was_busy = turn.state.busy
        turn.state = TurnState.STREAMING
        metrics = turn.metrics = StreamMetrics(started=self.clock())
        view.show_state()
        if not was_busy:
            # Waiting and streaming offer the same keys: telling the view again would only ask its footer
            # to compare keys that did not change, just as the first token arrives.
            self._changed()
        messages = conversation.messages_for(turn)
        try:
            async for event in self.provider.stream_chat(turn.target.model, messages, turn.params):
                now = self.clock()
                metrics.record(event, now)
                turn.add(event)
                # Not awaited: the stream is read as fast as it comes, the view draws on its timer.
                view.write(event)
                view.show_progress(now)
            turn.state = TurnState.DONE
        finally:
            metrics.finish(self.clock())
            await view.close_streams()


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


def cannot_chat_advice(turn: Turn) -> ErrorAdvice:
    target = turn.target
    return ErrorAdvice(
        f"{target.label} cannot chat",
        f"{target.base_model} is a{'n' if (target.kind or 'x')[0] in 'aeiou' else ''} {target.kind} model: it takes"
        " no chat requests.",
        "Pick a chat model or an endpoint serving one (ctrl+t).",
    )


__all__ = [
    "SMOKE_TEST_PROMPT",
    "Readiness",
    "TurnRunner",
    "TurnView",
    "cannot_chat_advice",
    "readiness",
    "smoke_test",
    "start_cost",
    "wait_advice",
]
