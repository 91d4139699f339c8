"""Waiting for an endpoint the user acted on, and the state an action leads to until the service shows it.

Unlike ``together endpoints start --wait``, a wait here ends on failure, on disappearance and at a deadline;
each end is one sentence the user hears whichever pane is open.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

from tui.api.domain import Endpoint, Phase
from tui.core.format import format_duration


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
