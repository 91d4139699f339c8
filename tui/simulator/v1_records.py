"""A v1 endpoint as the simulator keeps it: its fields, its plan of states, and its two JSON shapes.

The plan (see ``tui.simulator.world``) is a list of ``(start_time, state)`` steps; reading the state looks
up the step in force, with an inactivity auto-stop appended once one has fallen due.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from tui.simulator.v1_states import STARTED, STOPPED, STOPPING


@dataclass(frozen=True)
class Timings:
    """Seconds spent in each transitional state at speed 1."""

    pending: float = 30.0
    starting: float = 150.0
    stopping: float = 20.0
    pending_before_error: float = 45.0
    pending_insufficient: float = 600.0

    def scaled(self, speed: float) -> Timings:
        return Timings(
            pending=self.pending / speed,
            starting=self.starting / speed,
            stopping=self.stopping / speed,
            pending_before_error=self.pending_before_error / speed,
            pending_insufficient=self.pending_insufficient / speed,
        )


def iso8601(epoch: float) -> str:
    """`2025-02-04T10:43:55.405Z`: milliseconds and a Z, like Together's timestamps."""
    moment = datetime.fromtimestamp(epoch, UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


@dataclass
class EndpointRecord:
    id: str
    name: str
    display_name: str
    model: str
    hardware: str
    owner: str
    type: str
    min_replicas: int
    max_replicas: int
    created_at: float
    created_at_iso: str
    plan: list[tuple[float, str]]
    inactive_timeout: int | None = None
    availability_zone: str | None = None
    usage_type: str = "on-demand"
    disable_speculative_decoding: bool = False
    idle_since: float = 0.0
    """Latest of: last chat request, last inactive_timeout change (STARTED time is in the plan)."""

    def effective_plan(self, now: float, stopping: float) -> list[tuple[float, str]]:
        """The plan with an inactivity auto-stop appended if one has fallen due by `now`."""
        start, state = self.plan[-1]
        if state != STARTED or not self.inactive_timeout:
            return self.plan
        stop_at = max(start, self.idle_since) + self.inactive_timeout * 60
        if now < stop_at:
            return self.plan
        return [*self.plan, (stop_at, STOPPING), (stop_at + stopping, STOPPED)]

    def state_at(self, now: float, stopping: float) -> str:
        plan = self.effective_plan(now, stopping)
        current = plan[0][1]
        for start, state in plan:
            if start <= now:
                current = state
            else:
                break
        return current

    def list_item(self, state: str) -> dict[str, object]:
        return {
            "object": "endpoint",
            "id": self.id,
            "name": self.name,
            "model": self.model,
            "type": self.type,
            "owner": self.owner,
            "state": state,
            "created_at": self.created_at_iso,
        }

    def detail(self, state: str) -> dict[str, object]:
        # Exactly the spec's DedicatedEndpoint fields: inactive_timeout and availability_zone
        # are accepted on input but not echoed, because the spec does not promise them back and
        # a client must not come to rely on them.
        return {
            "object": "endpoint",
            "id": self.id,
            "name": self.name,
            "display_name": self.display_name,
            "model": self.model,
            "hardware": self.hardware,
            "type": self.type,
            "owner": self.owner,
            "state": state,
            "autoscaling": {"min_replicas": self.min_replicas, "max_replicas": self.max_replicas},
            "created_at": self.created_at_iso,
        }
