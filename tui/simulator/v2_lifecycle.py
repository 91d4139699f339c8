"""How a simulated v2 deployment moves: plans of timed steps, and the events that tell the story.

Like the v1 world, nothing runs in the background. A write (create, scale, stop) computes a *plan*:
the steps (state, replica counts, message) and events from now on. Reading looks up the step in force
at the clock's time, and shows only the events that have happened, so a ManualClock drives it exactly.

Timings at speed 1 (divided by `speed`; UNVERIFIED, shortened from the real "up to ~20 minutes"):
scheduling 40 s; each replica boots PullingImage 30 s -> Starting 15 s -> LoadingWeights 75 s, replicas
start 20 s apart; a replica drains in 10 s. `desiredReplicas` follows a write at once, scheduled
replicas after scheduling, ready replicas one by one: three speeds.

* From zero: PROVISIONING ("Scheduling replicas") -> SCALING -> READY.
* Up or down while running: SCALING -> READY. To 0/0: STOPPING -> STOPPED.
* Not enough headroom for the instance type: DEGRADED "Cannot place replicas: insufficient GPU
  capacity" (with whatever could be placed serving).
* A never-ready config: replicas stall in LoadingWeights, DEGRADED "Startup stalled", then FAILED
  "Timed out waiting for readiness" after six hours.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

PROVISIONING = "DEPLOYMENT_STATE_PROVISIONING"
SCALING = "DEPLOYMENT_STATE_SCALING"
READY = "DEPLOYMENT_STATE_READY"
DEGRADED = "DEPLOYMENT_STATE_DEGRADED"
FAILED = "DEPLOYMENT_STATE_FAILED"
STOPPING = "DEPLOYMENT_STATE_STOPPING"
STOPPED = "DEPLOYMENT_STATE_STOPPED"
DEPLOYMENT_STATES = (PROVISIONING, SCALING, READY, DEGRADED, FAILED, STOPPING, STOPPED)

STARTUP_PHASES = ("PullingImage", "Starting", "LoadingWeights", "StartupComplete")


@dataclass(frozen=True)
class V2Timings:
    scheduling: float = 40.0
    pulling: float = 30.0
    starting: float = 15.0
    loading: float = 75.0
    stagger: float = 20.0
    drain: float = 10.0
    stall: float = 300.0
    readiness_timeout: float = 6 * 3600.0

    def scaled(self, speed: float) -> V2Timings:
        return V2Timings(**{name: getattr(self, name) / speed for name in self.__dataclass_fields__})

    @property
    def boot(self) -> float:
        return self.pulling + self.starting + self.loading


@dataclass(frozen=True)
class Step:
    at: float
    state: str
    message: str
    ready: int
    scheduled: int


@dataclass
class TimedEvent:
    at: float
    seq: int
    payload: dict[str, Any]
    """The event's JSON without `id` and `createdAt`, which are filled in when it is shown."""


@dataclass
class Plan:
    steps: list[Step] = field(default_factory=list)
    events: list[TimedEvent] = field(default_factory=list)

    def step_at(self, now: float) -> Step:
        current = self.steps[0]
        for step in self.steps:
            if step.at <= now:
                current = step
            else:
                break
        return current

    def truncate(self, now: float) -> Step:
        """Forget what had not happened yet (a new write replaces it) and return the step in force."""
        current = self.step_at(now)
        self.steps = [s for s in self.steps if s.at <= now] or [current]
        self.events = [e for e in self.events if e.at <= now]
        return current


class Planner:
    """Writes plans; `event` is the world's callback that numbers and stores events."""

    def __init__(self, timings: V2Timings) -> None:
        self.t = timings
        self._seq = 0

    def _event(self, plan: Plan, at: float, **payload: Any) -> None:
        self._seq += 1
        plan.events.append(TimedEvent(at, self._seq, {k: v for k, v in payload.items() if v is not None}))

    def deployment_event(self, plan: Plan, at: float, base: dict[str, Any], **payload: Any) -> None:
        self._event(plan, at, **base, sourceKind="SOURCE_KIND_DEPLOYMENT", **payload)

    def scale(
        self,
        plan: Plan,
        *,
        at: float,
        old: int,
        target: int,
        capacity: int,
        never_ready: bool,
        base: dict[str, Any],
    ) -> None:
        """Replace what was still to come with the way from where the deployment is at `at` to `target`."""
        current = plan.truncate(at) if plan.steps else Step(at, STOPPED, "Stopped", 0, 0)
        self.deployment_event(
            plan,
            at,
            base,
            type="deployment.scaled",
            level="LEVEL_INFO",
            source="autoscaler",
            message=f"Desired replicas {old} -> {target}",
            oldReplicas=old,
            newReplicas=target,
        )
        if target == 0:
            self._stop(plan, at, current, base)
            return
        placeable = min(target, capacity)
        self._event_condition(plan, at, base, "ReplicasProgressing", "True", f"Scaling to {target} replicas")
        if current.ready == 0:
            plan.steps.append(Step(at, PROVISIONING, "Scheduling replicas", 0, 0))
            boot_from = at + self.t.scheduling
            ready = 0
        elif target < current.ready:
            self._drain(plan, at, current.ready, target, SCALING, base)
            self._event_condition(
                plan,
                at + (current.ready - target) * self.t.drain,
                base,
                "AllReplicasReady",
                "True",
                "All replicas ready",
            )
            plan.steps.append(
                Step(at + (current.ready - target) * self.t.drain, READY, "All replicas ready", target, target)
            )
            return
        else:
            boot_from = at
            ready = current.ready
        if placeable <= ready:
            message = "Cannot place replicas: insufficient GPU capacity"
            plan.steps.append(Step(boot_from, DEGRADED, message, ready, ready))
            self.deployment_event(
                plan,
                boot_from,
                base,
                type="deployment.status_updated",
                level="LEVEL_WARN",
                source="scheduler",
                message=message,
                reason="InsufficientCapacity",
            )
            return
        plan.steps.append(Step(boot_from, SCALING, f"Starting replicas ({ready}/{target} ready)", ready, placeable))
        finish = boot_from
        for index in range(placeable - ready):
            replica = f"r-{self._seq:04d}-{index}"
            begin = boot_from + index * self.t.stagger
            offsets = (0.0, self.t.pulling, self.t.pulling + self.t.starting, self.t.boot)
            phases = STARTUP_PHASES[:3] if never_ready else STARTUP_PHASES
            for phase, offset in zip(phases, offsets, strict=False):
                self.deployment_event(
                    plan,
                    begin + offset,
                    base,
                    type="pod.startup_phase_changed",
                    level="LEVEL_INFO",
                    source="pod-monitor",
                    message=f"Replica {replica}: {phase}",
                    reason=phase,
                    replicaId=replica,
                    containerName="engine",
                    serviceType="model-deployment",
                )
            if never_ready:
                continue
            ready += 1
            finish = begin + self.t.boot
            plan.steps.append(Step(finish, SCALING, f"Starting replicas ({ready}/{target} ready)", ready, placeable))
        if never_ready:
            self._never_ready(plan, boot_from, ready, placeable, base)
            return
        plan.steps[-1] = Step(finish, READY, "All replicas ready", ready, placeable)
        if placeable < target:
            message = f"Cannot place replicas: insufficient GPU capacity ({placeable}/{target} placed)"
            plan.steps[-1] = Step(finish, DEGRADED, message, ready, placeable)
            self.deployment_event(
                plan,
                finish,
                base,
                type="deployment.status_updated",
                level="LEVEL_WARN",
                source="scheduler",
                message=message,
                reason="InsufficientCapacity",
            )
            return
        self._event_condition(plan, finish, base, "AllReplicasReady", "True", "All replicas ready")

    def _event_condition(
        self, plan: Plan, at: float, base: dict[str, Any], reason: str, status: str, message: str
    ) -> None:
        self.deployment_event(
            plan,
            at,
            base,
            type="condition.set",
            level="LEVEL_INFO",
            source="deployment-controller",
            subjectId="Ready",
            reason=reason,
            status=status,
            message=message,
        )

    def _drain(self, plan: Plan, at: float, ready: int, target: int, state: str, base: dict[str, Any]) -> None:
        label = "Stopping" if state == STOPPING else "Scaling down"
        plan.steps.append(Step(at, state, f"{label} ({ready} ready)", ready, target))
        for gone in range(1, ready - target + 1):
            left = ready - gone
            plan.steps.append(Step(at + gone * self.t.drain, state, f"{label} ({left} ready)", left, target))

    def _stop(self, plan: Plan, at: float, current: Step, base: dict[str, Any]) -> None:
        self._drain(plan, at, current.ready, 0, STOPPING, base)
        end = at + max(current.ready, 1) * self.t.drain
        plan.steps.append(Step(end, STOPPED, "Stopped: scaled to zero replicas", 0, 0))
        self.deployment_event(
            plan,
            end,
            base,
            type="deployment.status_updated",
            level="LEVEL_INFO",
            source="deployment-controller",
            message="Deployment stopped",
            reason="Stopped",
        )

    def _never_ready(self, plan: Plan, boot_from: float, ready: int, placeable: int, base: dict[str, Any]) -> None:
        stalled = boot_from + self.t.pulling + self.t.starting + self.t.stall
        message = "Startup stalled: replicas did not pass health checks while LoadingWeights"
        plan.steps.append(Step(stalled, DEGRADED, message, ready, placeable))
        self.deployment_event(
            plan,
            stalled,
            base,
            type="pod.log",
            level="LEVEL_ERROR",
            source="pod-monitor",
            message=message,
            containerName="engine",
            logExcerpt="RuntimeError: unsupported quantization fp4-experimental for this engine",
        )
        failed = boot_from + self.t.readiness_timeout
        plan.steps.append(Step(failed, FAILED, "Timed out waiting for readiness", 0, 0))
        self.deployment_event(
            plan,
            failed,
            base,
            type="deployment.status_updated",
            level="LEVEL_ERROR",
            source="deployment-controller",
            message="Timed out waiting for readiness",
            reason="ReadinessTimeout",
        )
