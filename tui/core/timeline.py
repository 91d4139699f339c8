"""The states seen this session, per endpoint, with the user's own requests in between, and how long a
start took when the whole climb was seen."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from tui.api.domain import Deployment, Endpoint, Phase


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

    def observe(self, endpoint: Endpoint | Deployment, at: datetime) -> bool:
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
