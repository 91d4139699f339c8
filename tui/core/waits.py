"""Waiting for an endpoint the user acted on, and the state an action leads to until the service shows it.

Unlike ``together endpoints start --wait``, a wait here ends on failure, on disappearance and at a deadline;
each end is one sentence the user hears whichever pane is open.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

from tui.api.domain import Deployment, Endpoint, Phase
from tui.core.format import format_duration

#: What a wait watches: an endpoint, or one deployment of a v2 endpoint (both have an id, a state, a phase).
Subject = Endpoint | Deployment


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
    #: "Endpoint" or "Deployment": what the announcement calls it.
    kind: str = "Endpoint"


@dataclass(frozen=True)
class WaitOutcome:
    endpoint_id: str
    title: str
    target: WaitTarget
    result: WaitResult
    state: str
    elapsed: timedelta
    #: The service's last word on it ("Cannot place replicas: insufficient GPU capacity"), or why a request failed.
    reason: str | None = None
    kind: str = "Endpoint"

    @property
    def severity(self) -> str:
        if self.result is WaitResult.REACHED:
            return "information"
        if self.result is WaitResult.FAILED:
            return "error"
        return "warning"

    @property
    def heading(self) -> str:
        kind = self.kind
        return {
            WaitResult.REACHED: f"{kind} ready" if self.target is WaitTarget.READY else f"{kind} stopped",
            WaitResult.FAILED: f"{kind} failed",
            WaitResult.TIMED_OUT: "Still waiting",
            WaitResult.GONE: f"{kind} gone",
            WaitResult.DIVERTED: f"{kind} stopped",
        }[self.result]

    @property
    def message(self) -> str:
        text = self._sentence()
        if self.reason and self.result is not WaitResult.REACHED:
            text += f"\nLast status: {self.reason}"
        return text

    def _sentence(self) -> str:
        took = format_duration(self.elapsed.total_seconds())
        if self.result is WaitResult.REACHED:
            if self.target is WaitTarget.READY:
                return f"{self.title} is {self.state} after {took}: ready for requests."
            return f"{self.title} is {self.state} after {took}: no longer billed."
        if self.result is WaitResult.FAILED:
            if not self.state:
                return f"{self.title}: the request failed; stopped waiting."
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

    def ids(self) -> list[str]:
        return list(self._waits)

    def get(self, endpoint_id: str) -> Wait | None:
        return self._waits.get(endpoint_id)

    def expect(self, subject: Subject, target: WaitTarget, now: datetime, *, title: str | None = None) -> None:
        kind = "Deployment" if isinstance(subject, Deployment) else "Endpoint"
        self._waits[subject.id] = Wait(subject.id, title or subject.title, target, now, now + self.timeout,
                                       kind=kind)

    def cancel(self, endpoint_id: str) -> None:
        self._waits.pop(endpoint_id, None)

    def fail(self, subject_id: str, title: str, reason: str, now: datetime) -> WaitOutcome:
        """The request behind a wait was refused: the wait ends now, as FAILED (it cannot get there)."""
        wait = self._waits.pop(subject_id, None)
        since = wait.since if wait is not None else now
        return WaitOutcome(subject_id, wait.title if wait is not None else title,
                           wait.target if wait is not None else WaitTarget.READY, WaitResult.FAILED, "",
                           now - since, reason, wait.kind if wait is not None else "Endpoint")

    def check(self, subjects: Mapping[str, Subject], now: datetime, *,
              pending: frozenset[str] | set[str] = frozenset()) -> list[WaitOutcome]:
        """Waits that end now. One whose subject failed or ran out of time while its details (the service's
        reason) are ``pending`` ends at the next check, so its announcement can say why."""
        outcomes = []
        for subject_id, wait in list(self._waits.items()):
            subject = subjects.get(subject_id)
            result = self._result(wait, subject, now)
            if result is None:
                continue
            if subject_id in pending and result in (WaitResult.FAILED, WaitResult.TIMED_OUT):
                continue
            del self._waits[subject_id]
            outcomes.append(
                WaitOutcome(
                    subject_id,
                    subject.title if isinstance(subject, Endpoint) else wait.title,
                    wait.target,
                    result,
                    subject.state if subject is not None else "",
                    now - wait.since,
                    subject.status_message if subject is not None else None,
                    wait.kind,
                )
            )
        return outcomes

    @staticmethod
    def _result(wait: Wait, endpoint: Subject | None, now: datetime) -> WaitResult | None:
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
#: The same for a deployment (v2 words, so the row shows them as the CLI labels them).
EXPECTED_AFTER_DEPLOYMENT = {
    "start": ("DEPLOYMENT_STATE_PROVISIONING", Phase.STARTING),
    "stop": ("DEPLOYMENT_STATE_STOPPING", Phase.STOPPING),
    "scale": ("DEPLOYMENT_STATE_SCALING", Phase.SCALING),
    "delete": ("DELETING", Phase.STOPPING),
}
