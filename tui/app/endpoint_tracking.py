"""What the Endpoints pane knows and decides between polls, with no UI in it.

The pane draws; this module decides: when to poll next and how to say so, what a row costs, which
details are worth a request, which state changes were seen and how long a start took, which waits
are over, and which columns fit the terminal. Nothing here
imports Textual, so every rule is checked by plain unit tests.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any, TypeVar

from tui.api.domain import Endpoint, HardwareOption, Phase, gpu_family
from tui.api.errors import (
    APIError,
    AuthenticationError,
    ConnectionFailedError,
    InvalidResponseError,
    RateLimitError,
    ServerError,
)

T = TypeVar("T")

#: A list request unanswered for this long is shown as hung (not as a green "updated 2 min ago").
HUNG_AFTER_SECONDS = 10.0

# Formatting


def format_age(delta: timedelta) -> str:
    """A compact age for a table cell: ``40s``, ``12m``, ``5h``, ``41d``."""
    seconds = max(0, int(delta.total_seconds()))
    if seconds < 60:
        return f"{seconds}s"
    if seconds < 3600:
        return f"{seconds // 60}m"
    if seconds < 86400:
        return f"{seconds // 3600}h"
    return f"{seconds // 86400}d"


def format_duration(seconds: float) -> str:
    """A readable duration for sentences: ``45 s``, ``3 min 2 s``, ``1 h 5 min``."""
    whole = max(0, round(seconds))
    if whole < 60:
        return f"{whole} s"
    minutes, secs = divmod(whole, 60)
    if minutes < 60:
        return f"{minutes} min {secs} s" if secs else f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes} min" if minutes else f"{hours} h"


def format_ago(delta: timedelta) -> str:
    seconds = delta.total_seconds()
    if seconds < 2:
        return "just now"
    if seconds < 60:
        return f"{int(seconds)} s ago"
    if seconds < 3600:
        return f"{int(seconds // 60)} min ago"
    return f"{int(seconds // 3600)} h ago"


def hardware_label(hardware: HardwareOption | None, hardware_id: str | None) -> str:
    """``2x A100 SXM`` from the specs (memory is in the detail panel); the raw id when unknown."""
    if hardware is not None and hardware.gpu_type:
        parts = [f"{hardware.gpu_count or '?'}x", gpu_family(hardware.gpu_type) or "?"]
        if hardware.gpu_link:
            parts.append("PCIe" if hardware.gpu_link.lower() == "pcie" else hardware.gpu_link.upper())
        return " ".join(parts)
    return hardware_id or ""


# Polling


def describe_error(error: BaseException) -> str:
    """A short phrase for a status line: ``429 rate limited``, ``connection failed``."""
    if isinstance(error, APIError):
        if error.status and error.status >= 400:
            return f"{error.status} {error.kind}"
        return error.kind
    return f"unexpected error ({type(error).__name__})"


def error_advice(error: BaseException) -> str:
    """What the user can do about it, in one sentence."""
    if isinstance(error, AuthenticationError):
        return "Check the API key of this profile; it may be wrong, revoked or lack permission."
    if isinstance(error, RateLimitError):
        return "The service asked for fewer requests; polling slows down until it answers again."
    if isinstance(error, ConnectionFailedError):
        return "No answer from the API: is the network up? Retrying by itself."
    if isinstance(error, ServerError):
        return "The API is failing on its side; usually passing. Retrying by itself."
    if isinstance(error, InvalidResponseError):
        return "The API answered with something this app cannot read; retrying by itself."
    return "Retrying by itself."


@dataclass
class PollScheduler:
    """When the next list request goes out, and what the status line says meanwhile.

    Fast while anything is changing state, slow when all is steady, exponential back-off on errors
    (never shorter than a 429's Retry-After), so a broken network or a rate limit is never hammered.
    """

    slow: float
    fast: float
    max_backoff: float = 60.0
    failures: int = 0
    last_success: datetime | None = None
    last_error: BaseException | None = None
    next_due: datetime | None = None
    #: When the list request in flight went out; None between polls.
    in_flight_since: datetime | None = None
    #: A poll unanswered this long is said to be hung, whatever the request's own deadline.
    hung_after: float = HUNG_AFTER_SECONDS

    def sent(self, at: datetime) -> None:
        self.in_flight_since = at

    def answered(self) -> None:
        """The request in flight ended (well, badly or cancelled)."""
        self.in_flight_since = None

    def waited(self, now: datetime) -> float | None:
        """Seconds the poll in flight has gone unanswered, once that is long enough to say so."""
        if self.in_flight_since is None:
            return None
        waited = (now - self.in_flight_since).total_seconds()
        return waited if waited >= self.hung_after else None

    def hung(self, now: datetime) -> bool:
        return self.waited(now) is not None

    def succeeded(self, at: datetime) -> None:
        self.failures = 0
        self.last_error = None
        self.last_success = at

    def failed(self, error: BaseException) -> None:
        self.failures += 1
        self.last_error = error

    def ok(self, now: datetime) -> bool:
        return self.last_error is None and not self.hung(now)

    def stale(self, now: datetime) -> bool:
        """There is data on screen, but the last attempt to refresh it failed or has not answered."""
        return self.last_success is not None and (self.last_error is not None or self.hung(now))

    def interval(self, *, busy: bool) -> float:
        if self.failures == 0:
            return self.fast if busy else self.slow
        backoff = max(self.fast, 1.0) * 2**self.failures
        delay = min(backoff, max(self.max_backoff, self.slow))
        if isinstance(self.last_error, RateLimitError) and self.last_error.retry_after:
            delay = max(delay, self.last_error.retry_after)
        return delay

    def schedule(self, at: datetime, *, busy: bool) -> float:
        delay = self.interval(busy=busy)
        self.next_due = at + timedelta(seconds=delay)
        return delay

    def retry_in(self, now: datetime) -> float | None:
        if self.next_due is None:
            return None
        return max(0.0, (self.next_due - now).total_seconds())

    def status(self, now: datetime) -> str:
        waited = self.waited(now)
        if waited is not None:
            text = f"no answer for {int(waited)} s — r tries again"
            if self.last_success is not None:
                text += f" · stale, updated {format_ago(now - self.last_success)}"
            return text
        if self.last_error is None:
            if self.last_success is None:
                return "connecting…"
            return f"updated {format_ago(now - self.last_success)}"
        text = describe_error(self.last_error)
        remaining = self.retry_in(now)
        if remaining is not None:
            text += f" — retrying in {math.ceil(remaining)} s"
        if self.last_success is not None:
            text += f" · stale, updated {format_ago(now - self.last_success)}"
        return text


# Details


class DetailCache:
    """Per-endpoint details the list does not carry (hardware, autoscaling, display name).

    Fetched once per endpoint, again when its state changes or when the user refreshes; in steady
    state a poll costs one list request and nothing else.
    """

    def __init__(self) -> None:
        self._details: dict[str, Endpoint] = {}
        self._stale: set[str] = set()
        #: The last merge per endpoint, reused while neither side changed (most polls, most rows).
        self._merged: dict[str, tuple[Endpoint, Endpoint, Endpoint]] = {}

    def __contains__(self, endpoint_id: object) -> bool:
        return endpoint_id in self._details

    def __len__(self) -> int:
        return len(self._details)

    def get(self, endpoint_id: str) -> Endpoint | None:
        return self._details.get(endpoint_id)

    def store(self, endpoint: Endpoint) -> None:
        if endpoint.detailed:
            self._details[endpoint.id] = endpoint
            self._stale.discard(endpoint.id)

    def forget(self, endpoint_id: str) -> None:
        self._details.pop(endpoint_id, None)
        self._merged.pop(endpoint_id, None)
        self._stale.discard(endpoint_id)

    def invalidate(self, endpoint_ids: Iterable[str] | None = None) -> None:
        self._stale.update(self._details if endpoint_ids is None else endpoint_ids)

    def prune(self, present: Iterable[str]) -> None:
        keep = set(present)
        for endpoint_id in [i for i in self._details if i not in keep]:
            self.forget(endpoint_id)

    def wanted(self, listed: Iterable[Endpoint]) -> list[str]:
        """Ids worth a detail request, in the order given."""
        ids = []
        for endpoint in listed:
            if not endpoint.dedicated or endpoint.detailed:
                continue
            cached = self._details.get(endpoint.id)
            if cached is None or endpoint.id in self._stale or cached.state != endpoint.state:
                ids.append(endpoint.id)
        return ids

    def merge(self, listed: Endpoint) -> Endpoint:
        """The listed endpoint (fresh state) with the cached details filled in."""
        if listed.detailed:
            self.store(listed)
            return listed
        cached = self._details.get(listed.id)
        if cached is None:
            return listed
        previous = self._merged.get(listed.id)
        if previous is not None and previous[1] is cached and previous[0] == listed:
            return previous[2]
        merged = replace(
            listed,
            display_name=cached.display_name,
            hardware_id=cached.hardware_id,
            min_replicas=cached.min_replicas,
            max_replicas=cached.max_replicas,
            detailed=True,
            extra={**cached.extra, **listed.extra},
        )
        self._merged[listed.id] = (listed, cached, merged)
        return merged


async def fetch_bounded(
    ids: Sequence[str],
    fetch: Callable[[str], Awaitable[T]],
    *,
    concurrency: int,
    on_result: Callable[[str, T], None],
    on_error: Callable[[str, APIError], bool],
) -> None:
    """Fetch ``ids`` with at most ``concurrency`` requests in flight.

    ``on_error`` returns whether to go on: a rate limit or an outage stops the batch rather than
    sending hundreds of requests that will fail the same way.
    """
    pending = iter(ids)
    stopped = False

    async def runner() -> None:
        nonlocal stopped
        for endpoint_id in pending:
            if stopped:
                return
            try:
                result = await fetch(endpoint_id)
            except APIError as exc:
                if not on_error(endpoint_id, exc):
                    stopped = True
                    return
                continue
            on_result(endpoint_id, result)

    await asyncio.gather(*(runner() for _ in range(max(1, min(concurrency, len(ids))))))


# State timeline


@dataclass(frozen=True, slots=True)
class Observation:
    at: datetime
    #: The state word as the API gave it, or an event this session caused ("start requested").
    state: str
    phase: Phase | None = None

    @property
    def is_event(self) -> bool:
        return self.phase is None


class StateTimeline:
    """States seen in this session, per endpoint, with the user's own requests in between."""

    def __init__(self, limit: int = 40) -> None:
        self._limit = limit
        self._history: dict[str, list[Observation]] = {}

    def observe(self, endpoint: Endpoint, at: datetime) -> bool:
        """Record the endpoint's state if it changed; True when it did."""
        history = self._history.setdefault(endpoint.id, [])
        last_state = next((o for o in reversed(history) if not o.is_event), None)
        if last_state is not None and last_state.state == endpoint.state:
            return False
        self._append(history, Observation(at, endpoint.state, endpoint.phase))
        return True

    def note(self, endpoint_id: str, event: str, at: datetime) -> None:
        self._append(self._history.setdefault(endpoint_id, []), Observation(at, event))

    def _append(self, history: list[Observation], observation: Observation) -> None:
        history.append(observation)
        if len(history) > self._limit:
            del history[0]

    def history(self, endpoint_id: str) -> list[Observation]:
        return list(self._history.get(endpoint_id, ()))

    def last_change(self, endpoint_id: str) -> datetime | None:
        history = self._history.get(endpoint_id)
        return history[-1].at if history else None

    def time_to_ready(self, endpoint_id: str) -> timedelta | None:
        """From the start of the latest climb to STARTED, when this session saw the whole climb.

        A climb starts at a start/create request, or at the first PENDING/STARTING seen after a
        steady state. An endpoint first seen mid-way (already STARTING at launch) has no answer.
        """
        history = self._history.get(endpoint_id, [])
        ready_at = None
        for index in range(len(history) - 1, -1, -1):
            if history[index].phase is Phase.READY:
                ready_at = index
                break
        if ready_at is None:
            return None
        begin = None
        index = ready_at - 1
        while index >= 0:
            entry = history[index]
            if entry.is_event:
                begin = entry
                break
            if entry.phase is not None and entry.phase.transitional and entry.phase is not Phase.STOPPING:
                begin = entry
                index -= 1
                continue
            break
        if begin is None:
            return None
        if not begin.is_event and index < 0:
            # The climb was already under way when this session first saw the endpoint.
            return None
        return history[ready_at].at - begin.at


# Waiting for an endpoint the user acted on


class WaitTarget(StrEnum):
    READY = "ready"
    STOPPED = "stopped"


class WaitResult(StrEnum):
    REACHED = "reached"
    FAILED = "failed"
    TIMED_OUT = "timed out"
    GONE = "gone"
    DIVERTED = "diverted"


@dataclass
class Wait:
    endpoint_id: str
    title: str
    target: WaitTarget
    since: datetime
    deadline: datetime
    saw_transition: bool = False


@dataclass(frozen=True)
class WaitOutcome:
    endpoint_id: str
    title: str
    target: WaitTarget
    result: WaitResult
    state: str
    elapsed: timedelta

    @property
    def severity(self) -> str:
        if self.result is WaitResult.REACHED:
            return "information"
        if self.result is WaitResult.FAILED:
            return "error"
        return "warning"

    @property
    def heading(self) -> str:
        return {
            WaitResult.REACHED: "Endpoint ready" if self.target is WaitTarget.READY else "Endpoint stopped",
            WaitResult.FAILED: "Endpoint failed",
            WaitResult.TIMED_OUT: "Still waiting",
            WaitResult.GONE: "Endpoint gone",
            WaitResult.DIVERTED: "Endpoint stopped",
        }[self.result]

    @property
    def message(self) -> str:
        took = format_duration(self.elapsed.total_seconds())
        if self.result is WaitResult.REACHED:
            if self.target is WaitTarget.READY:
                return f"{self.title} is {self.state} after {took}: ready for requests."
            return f"{self.title} is {self.state} after {took}: no longer billed."
        if self.result is WaitResult.FAILED:
            return f"{self.title} went to {self.state} after {took}; stopped waiting."
        if self.result is WaitResult.TIMED_OUT:
            return f"{self.title} is still {self.state} after {took}; stopped waiting (wait timeout)."
        if self.result is WaitResult.GONE:
            return f"{self.title} no longer exists; stopped waiting."
        return f"{self.title} is {self.state} instead of starting; stopped waiting."


class WaitTracker:
    """Endpoints the user started or stopped, until they arrive, fail, vanish or time out.

    Unlike ``together endpoints start --wait``, a wait here ends on ERROR and has a deadline.
    """

    def __init__(self, timeout: timedelta) -> None:
        self.timeout = timeout
        self._waits: dict[str, Wait] = {}

    def __contains__(self, endpoint_id: object) -> bool:
        return endpoint_id in self._waits

    def __len__(self) -> int:
        return len(self._waits)

    def get(self, endpoint_id: str) -> Wait | None:
        return self._waits.get(endpoint_id)

    def expect(self, endpoint: Endpoint, target: WaitTarget, now: datetime) -> None:
        self._waits[endpoint.id] = Wait(endpoint.id, endpoint.title, target, now, now + self.timeout)

    def cancel(self, endpoint_id: str) -> None:
        self._waits.pop(endpoint_id, None)

    def check(self, endpoints: Mapping[str, Endpoint], now: datetime) -> list[WaitOutcome]:
        outcomes = []
        for endpoint_id, wait in list(self._waits.items()):
            endpoint = endpoints.get(endpoint_id)
            result = self._result(wait, endpoint, now)
            if result is None:
                continue
            del self._waits[endpoint_id]
            outcomes.append(
                WaitOutcome(
                    endpoint_id,
                    endpoint.title if endpoint is not None else wait.title,
                    wait.target,
                    result,
                    endpoint.state if endpoint is not None else "",
                    now - wait.since,
                )
            )
        return outcomes

    @staticmethod
    def _result(wait: Wait, endpoint: Endpoint | None, now: datetime) -> WaitResult | None:
        if endpoint is None:
            return WaitResult.GONE
        phase = endpoint.phase
        if phase.transitional:
            wait.saw_transition = True
        if phase is Phase.FAILED:
            return WaitResult.FAILED
        if wait.target is WaitTarget.READY and phase is Phase.READY:
            return WaitResult.REACHED
        if wait.target is WaitTarget.STOPPED and phase is Phase.STOPPED:
            return WaitResult.REACHED
        # A start that ends STOPPED (someone else stopped it, or it gave up) after climbing for a
        # while; a STOPPED read right after the request may just be the service catching up.
        if wait.target is WaitTarget.READY and phase is Phase.STOPPED and wait.saw_transition:
            return WaitResult.DIVERTED
        if now >= wait.deadline:
            return WaitResult.TIMED_OUT
        return None


# Filtering and sorting


def filter_terms(text: str) -> list[str]:
    return text.lower().split()


def matches(endpoint: Endpoint, hardware_text: str, terms: Sequence[str]) -> bool:
    """Every term must appear in the name, model, hardware, state or id (case-insensitive)."""
    if not terms:
        return True
    haystack = " ".join(
        (
            endpoint.title,
            endpoint.name,
            endpoint.model,
            endpoint.hardware_id or "",
            hardware_text,
            endpoint.state,
            endpoint.id,
        )
    ).lower()
    return all(term in haystack for term in terms)


#: The order states sort in: what needs attention first.
STATE_RANK = {
    Phase.FAILED: 0,
    Phase.UNKNOWN: 1,
    Phase.PENDING: 2,
    Phase.STARTING: 3,
    Phase.STOPPING: 4,
    Phase.READY: 5,
    Phase.STOPPED: 6,
}


def sort_keys(endpoint: Endpoint, hardware_text: str, cost: float | None) -> dict[str, tuple[Any, ...]]:
    """One comparable key per column; ties fall back to the name, then the id, so order is stable."""
    tie = (endpoint.title.lower(), endpoint.id)
    created = endpoint.created_at.timestamp() if endpoint.created_at else 0.0
    return {
        "name": tie,
        "model": (endpoint.model.lower(), *tie),
        "hardware": (hardware_text.lower(), *tie),
        "replicas": (endpoint.min_replicas or 0, endpoint.max_replicas or 0, *tie),
        "state": (STATE_RANK.get(endpoint.phase, 1), endpoint.state, *tie),
        "cost": (-1.0 if cost is None else cost, *tie),
        # Youngest first when ascending: age grows as creation time shrinks.
        "age": (-created, *tie),
    }


# Column layout


@dataclass(frozen=True)
class ColumnSpec:
    key: str
    label: str
    width: int
    max_width: int | None = None

    @property
    def flexible(self) -> bool:
        return self.max_width is not None


COLUMNS: tuple[ColumnSpec, ...] = (
    ColumnSpec("name", "Name", 14, max_width=36),
    ColumnSpec("model", "Model", 12, max_width=44),
    ColumnSpec("hardware", "Hardware", 12),
    ColumnSpec("replicas", "Repl", 6),
    ColumnSpec("state", "State", 11),
    ColumnSpec("cost", "$/hour", 9),
    ColumnSpec("age", "Age", 4),
)
COLUMNS_BY_KEY = {spec.key: spec for spec in COLUMNS}
#: Which columns survive as the terminal narrows, most essential first.
COLUMN_PRIORITY = ("name", "state", "cost", "model", "hardware", "replicas", "age")


def plan_columns(width: int, *, padding: int = 1) -> dict[str, int]:
    """Column widths (in table order) that fit ``width`` cells, dropping the least essential first."""
    chosen: dict[str, int] = {}
    used = 0
    for key in COLUMN_PRIORITY:
        need = COLUMNS_BY_KEY[key].width + 2 * padding
        if chosen and used + need > width:
            continue
        chosen[key] = COLUMNS_BY_KEY[key].width
        used += need
    spare = max(0, width - used)
    flexible = [key for key in ("name", "model") if key in chosen]
    # Share the spare room between the name and the model, then give what one cannot take to the other.
    for index, key in enumerate(flexible):
        share = spare // (len(flexible) - index) if index < len(flexible) - 1 else spare
        grow = _grow(chosen, key, share)
        spare -= grow
    for key in flexible:
        spare -= _grow(chosen, key, spare)
    return {spec.key: chosen[spec.key] for spec in COLUMNS if spec.key in chosen}


def _grow(chosen: dict[str, int], key: str, room: int) -> int:
    limit = COLUMNS_BY_KEY[key].max_width or chosen[key]
    grow = max(0, min(room, limit - chosen[key]))
    chosen[key] += grow
    return grow


# Expected transitions after an action, shown until the service answers


@dataclass(frozen=True)
class Expected:
    state: str
    phase: Phase
    since: datetime = field(compare=False)


EXPECTED_AFTER = {
    "start": ("PENDING", Phase.PENDING),
    "stop": ("STOPPING", Phase.STOPPING),
    "delete": ("DELETING", Phase.STOPPING),
}
