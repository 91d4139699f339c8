"""What the endpoint store does when the user acts: start, stop, scale, delete, and the waits that follow.

One action per endpoint in flight (its deployments included); the state an action leads to is shown until
the service shows it; a refused request ends the waits on it at once, as FAILED, so nobody waits for a
deadline that cannot be met. v2 deployments are started and stopped by their bounds (stop = 0/0), and a
delete is the provider's smart delete, each step kept for the views.

A mixin of ``EndpointStore``, kept apart so the store module stays about polling; the attributes below are
the store's, named here for the type checker.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING, Any

from tui.api.domain import Deployment, Endpoint, Phase
from tui.api.errors import APIError
from tui.api.provider import DeployingProvider
from tui.core.advice import outcome_unknown
from tui.core.store_events import Changed, Decision, Steps, StoreEvent
from tui.core.waits import (
    EXPECTED_AFTER,
    EXPECTED_AFTER_DEPLOYMENT,
    Expected,
    WaitOutcome,
    WaitResult,
    WaitTarget,
    WaitTracker,
)

if TYPE_CHECKING:
    from tui.api.provider import Provider
    from tui.core.timeline import StateTimeline

#: (deployment, the bounds to send): one step of a deployment action.
Job = tuple[Deployment, tuple[int, int]]


def deployment_title(endpoint: Endpoint, deployment: Deployment) -> str:
    """``support-bot/gpt-oss-20b-h100``: which deployment of which endpoint, short enough for a notice."""
    return f"{endpoint.title}/{deployment.title}"


def _summarised(endpoint: Endpoint) -> Endpoint:
    """The endpoint's state from its deployments' until the next list says it: theirs when they agree, else the
    first one changing."""
    deciding = next((d for d in endpoint.deployments if d.phase.transitional), None)
    if deciding is None and endpoint.deployments and len({d.phase for d in endpoint.deployments}) == 1:
        deciding = endpoint.deployments[0]
    if deciding is None:
        return endpoint
    return replace(endpoint, state=deciding.state, phase=deciding.phase)


class StoreActions:
    if TYPE_CHECKING:
        provider: Provider
        clock: Callable[[], datetime]
        waits: WaitTracker
        timeline: StateTimeline
        _endpoints: dict[str, Endpoint]
        _expected: dict[str, Expected]
        _ready_waiters: dict[str, list[asyncio.Future[WaitOutcome]]]
        _tasks: set[asyncio.Task[Any]]
        _steps: dict[str, Steps]

        def get(self, endpoint_id: str) -> Endpoint | None: ...

        def locate(self, key: str) -> tuple[Endpoint, Deployment | None] | None: ...

        def _emit(self, event: StoreEvent) -> None: ...

        def _announce(self, message: str, *, title: str = "", severity: str = "information",
                      ring: bool = False) -> None: ...

        def _settle(self) -> None: ...

        def _store(self, endpoint: Endpoint) -> None: ...

        def _forget(self, endpoint_id: str) -> None: ...

        def poll_soon(self) -> None: ...

    # Whole endpoints (v1, or a v2 endpoint's every deployment)

    def start(self, endpoint_id: str) -> Decision:
        endpoint, refusal = self._actionable(endpoint_id, "start")
        if endpoint is None:
            return refusal
        if endpoint.phase in (Phase.READY, Phase.PENDING, Phase.STARTING):
            if endpoint.phase.transitional and endpoint.id not in self.waits:
                self.waits.expect(endpoint, WaitTarget.READY, self.clock())
                self.poll_soon()
            return Decision(False, f"{endpoint.title} is already {endpoint.state}.")
        return self._send(endpoint, "start", f"Starting {endpoint.title}…")

    def stop(self, endpoint_id: str) -> Decision:
        endpoint, refusal = self._actionable(endpoint_id, "stop")
        if endpoint is None:
            return refusal
        if endpoint.phase in (Phase.STOPPED, Phase.STOPPING):
            return Decision(False, f"{endpoint.title} is already {endpoint.state}.")
        return self._send(endpoint, "stop", f"Stopping {endpoint.title}…")

    def delete(self, target_id: str) -> Decision:
        """Delete an endpoint, or one deployment of a v2 endpoint (the provider's smart delete, step by step)."""
        located = self.locate(target_id)
        if located is not None and located[1] is not None:
            return self._delete_deployment(located[0], located[1])
        endpoint, refusal = self._actionable(target_id, "delete")
        if endpoint is None:
            return refusal
        what = f"{len(endpoint.deployments)} deployment(s), then the endpoint" if endpoint.deployments else ""
        message = f"Deleting {endpoint.title}" + (f": {what}" if what else "") + "…"
        return self._send(endpoint, "delete", message)

    async def wait_until_ready(self, endpoint_id: str) -> WaitOutcome:
        """Resolves when the endpoint's wait for READY ends, however it ends (the chat holds its prompt)."""
        endpoint = self._endpoints.get(endpoint_id)
        if endpoint is not None and endpoint_id not in self.waits:
            self.waits.expect(endpoint, WaitTarget.READY, self.clock())
            self.poll_soon()
        future: asyncio.Future[WaitOutcome] = asyncio.get_running_loop().create_future()
        self._ready_waiters.setdefault(endpoint_id, []).append(future)
        self._settle()
        return await future

    def _actionable(self, endpoint_id: str, verb: str) -> tuple[Endpoint | None, Decision]:
        endpoint = self._endpoints.get(endpoint_id)
        if endpoint is None:
            return None, Decision(False, f"Unknown endpoint {endpoint_id}.", "warning")
        if not endpoint.dedicated:
            return None, Decision(False, f"{endpoint.title} is a serverless model: there is nothing to {verb}.",
                                  "warning")
        if busy := self._busy(endpoint):
            return None, Decision(False, f"{endpoint.title}: a request is already in flight ({busy}).", "warning")
        return endpoint, Decision(True, "")

    def _busy(self, endpoint: Endpoint) -> str | None:
        for key in (endpoint.id, *(d.id for d in endpoint.deployments)):
            if key in self._expected:
                return self._expected[key].state.lower()
        return None

    def _send(self, endpoint: Endpoint, verb: str, message: str) -> Decision:
        now = self.clock()
        state, phase = EXPECTED_AFTER[verb]
        self._expected[endpoint.id] = Expected(state, phase, now)
        self.timeline.note(endpoint.id, f"{verb} requested", now)
        self._spawn(self._carry_out(endpoint, verb))
        return Decision(True, message)

    def _spawn(self, work: Any) -> None:
        task = asyncio.ensure_future(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        self._emit(Changed(status=False))

    async def _carry_out(self, endpoint: Endpoint, verb: str) -> None:
        provider = self.provider
        try:
            if verb == "start":
                result: Endpoint | None = await provider.start_endpoint(endpoint.id)
            elif verb == "stop":
                result = await provider.stop_endpoint(endpoint.id)
            else:
                await self._delete_with_steps(endpoint.id)
                result = None
        except APIError as exc:
            self._expected.pop(endpoint.id, None)
            self._refused(endpoint.id, endpoint.title, verb, exc)
            return
        self._expected.pop(endpoint.id, None)
        now = self.clock()
        if result is None:
            self._forget(endpoint.id)
            self._announce(f"{endpoint.title} is deleted.", title="Endpoint deleted")
        else:
            self._store(result)
            self.timeline.observe(result, now)
            self.waits.expect(result, WaitTarget.READY if verb == "start" else WaitTarget.STOPPED, now)
        self._settle()
        self.poll_soon()

    def _refused(self, subject_id: str, title: str, verb: str, exc: APIError, *, also: Sequence[str] = ()) -> None:
        """Say the request failed, and end at once the waits that needed it (as FAILED, with the reason)."""
        now = self.clock()
        self.timeline.note(subject_id, f"{verb} failed", now)
        # A timeout or an unreadable 2xx leaves the outcome unknown: the request may have been carried
        # out. Say so, and look again soon rather than at the next steady poll.
        maybe = "\nIt may have been carried out: the table will show within seconds." if outcome_unknown(exc) else ""
        self._announce(f"Couldn't {verb} {title}: {exc}{maybe}", title=f"{verb.capitalize()} failed",
                       severity="error")
        if not maybe:
            for key in (subject_id, *also):
                outcome = self.waits.fail(key, title, str(exc), now)
                for future in self._ready_waiters.pop(key, []):
                    if not future.done():
                        future.set_result(outcome)
        self._settle()
        self.poll_soon()

    # Deployments (v2): bounds are the only switch

    def start_deployments(self, endpoint_id: str, bounds: Mapping[str, tuple[int, int]]) -> Decision:
        """Scale each named deployment of the endpoint back up to its bounds (min >= 1)."""
        endpoint, jobs, refusal = self._jobs(endpoint_id, bounds, "start")
        if endpoint is None:
            return refusal
        jobs = [(d, b) for d, b in jobs if d.phase not in (Phase.READY, Phase.STARTING) or d.max_replicas == 0]
        if not jobs:
            return Decision(False, f"{endpoint.title}: nothing to start, it is already running.")
        return self._send_deployments(endpoint, "start", jobs, "Starting")

    def stop_deployments(self, endpoint_id: str, deployment_ids: Sequence[str]) -> Decision:
        endpoint, jobs, refusal = self._jobs(endpoint_id, {d: (0, 0) for d in deployment_ids}, "stop")
        if endpoint is None:
            return refusal
        jobs = [(d, b) for d, b in jobs if d.phase is not Phase.STOPPED or d.max_replicas]
        if not jobs:
            return Decision(False, f"{endpoint.title}: nothing to stop, it is already stopped.")
        return self._send_deployments(endpoint, "stop", jobs, "Stopping")

    def scale(self, endpoint_id: str, deployment_id: str, minimum: int, maximum: int) -> Decision:
        endpoint, jobs, refusal = self._jobs(endpoint_id, {deployment_id: (minimum, maximum)}, "scale")
        if endpoint is None:
            return refusal
        [(deployment, _)] = jobs
        if (deployment.min_replicas, deployment.max_replicas) == (minimum, maximum):
            return Decision(False, f"{deployment_title(endpoint, deployment)} already has {minimum}-{maximum}.")
        return self._send_deployments(endpoint, "scale", jobs, "Scaling")

    def _jobs(self, endpoint_id: str, bounds: Mapping[str, tuple[int, int]], verb: str
              ) -> tuple[Endpoint | None, list[Job], Decision]:
        endpoint, refusal = self._actionable(endpoint_id, verb)
        if endpoint is None:
            return None, [], refusal
        if not isinstance(self.provider, DeployingProvider):
            return None, [], Decision(False, f"{self.provider.label} has no deployments to {verb}.", "warning")
        known = {d.id: d for d in endpoint.deployments}
        missing = [key for key in bounds if key not in known]
        if missing or not bounds:
            return None, [], Decision(False, f"{endpoint.title} has no deployment {', '.join(missing)}.", "warning")
        return endpoint, [(known[key], value) for key, value in bounds.items()], Decision(True, "")

    def _send_deployments(self, endpoint: Endpoint, verb: str, jobs: list[Job], doing: str) -> Decision:
        now = self.clock()
        state, phase = EXPECTED_AFTER_DEPLOYMENT[verb]
        for deployment, _ in jobs:
            self._expected[deployment.id] = Expected(state, phase, now)
            self.timeline.note(deployment.id, f"{verb} requested", now)
        if len(jobs) == len(endpoint.deployments):
            self._expected[endpoint.id] = Expected(state, phase, now)
        self.timeline.note(endpoint.id, f"{verb} requested", now)
        self._spawn(self._carry_out_deployments(endpoint, verb, jobs))
        said = ", ".join(
            f"{d.title} {'to 0/0' if b == (0, 0) else f'at {b[0]}-{b[1]} replicas'}" for d, b in jobs
        )
        return Decision(True, f"{doing} {endpoint.title}: {said}…")

    async def _carry_out_deployments(self, endpoint: Endpoint, verb: str, jobs: list[Job]) -> None:
        assert isinstance(self.provider, DeployingProvider)
        provider = self.provider
        done: dict[str, Deployment] = {}
        try:
            for deployment, (minimum, maximum) in jobs:
                # No etag: the user acts on the state shown, and a summary carries none to compare.
                if verb == "stop":
                    result = await provider.stop_deployment(deployment.id)
                elif verb == "start":
                    result = await provider.start_deployment(deployment.id, (minimum, maximum))
                else:
                    result = await provider.scale_deployment(deployment.id, minimum, maximum)
                done[deployment.id] = result
                self._expected.pop(deployment.id, None)
        except APIError as exc:
            for deployment, _ in jobs:
                self._expected.pop(deployment.id, None)
            self._expected.pop(endpoint.id, None)
            self._record(endpoint, done, verb)
            failed = next(d for d, _ in jobs if d.id not in done)
            self._refused(failed.id, deployment_title(endpoint, failed), verb, exc, also=(endpoint.id,))
            return
        self._expected.pop(endpoint.id, None)
        self._record(endpoint, done, verb)
        self._settle()
        self.poll_soon()

    def _record(self, endpoint: Endpoint, done: Mapping[str, Deployment], verb: str) -> None:
        """Show what the service answered for each deployment at once, and wait for where it is going."""
        if not done:
            return
        now = self.clock()
        current = self._endpoints.get(endpoint.id, endpoint)
        deployments = tuple(done.get(d.id, d) for d in current.deployments)
        self._store(_summarised(replace(current, deployments=deployments)))
        for deployment in done.values():
            self.timeline.observe(deployment, now)
            target = WaitTarget.STOPPED if deployment.max_replicas == 0 else WaitTarget.READY
            self.waits.expect(deployment, target, now, title=deployment_title(endpoint, deployment))

    # Deleting

    def _delete_deployment(self, endpoint: Endpoint, deployment: Deployment) -> Decision:
        if not isinstance(self.provider, DeployingProvider):
            return Decision(False, f"{self.provider.label} has no deployments to delete.", "warning")
        if busy := self._busy(endpoint):
            return Decision(False, f"{endpoint.title}: a request is already in flight ({busy}).", "warning")
        now = self.clock()
        state, phase = EXPECTED_AFTER_DEPLOYMENT["delete"]
        self._expected[deployment.id] = Expected(state, phase, now)
        self.timeline.note(deployment.id, "delete requested", now)
        self._spawn(self._carry_out_deployment_delete(endpoint, deployment))
        return Decision(True, f"Deleting {deployment_title(endpoint, deployment)}: stop, unroute, delete…")

    async def _carry_out_deployment_delete(self, endpoint: Endpoint, deployment: Deployment) -> None:
        title = deployment_title(endpoint, deployment)
        try:
            await self._delete_with_steps(deployment.id)
        except APIError as exc:
            self._expected.pop(deployment.id, None)
            self._refused(deployment.id, title, "delete", exc)
            return
        self._expected.pop(deployment.id, None)
        self.waits.cancel(deployment.id)
        current = self._endpoints.get(endpoint.id)
        if current is not None:
            self._store(replace(current, deployments=tuple(d for d in current.deployments if d.id != deployment.id)))
        self._announce(f"{title} is deleted; {endpoint.title} stays.", title="Deployment deleted")
        self._settle()
        self.poll_soon()

    async def _delete_with_steps(self, target_id: str) -> None:
        """The provider's delete, each step it reports kept (and told to the views) as it happens."""
        steps = self._steps[target_id] = Steps()

        def progress(line: str) -> None:
            steps.lines.append(line)
            self._emit(Changed())

        try:
            if isinstance(self.provider, DeployingProvider):
                await self.provider.delete(target_id, progress)
            else:
                progress(f"Deleting {target_id}")
                await self.provider.delete_endpoint(target_id)
        except APIError as exc:
            steps.error = str(exc)
            raise
        finally:
            steps.done = True
            self._emit(Changed())


__all__ = ["Job", "StoreActions", "WaitResult", "deployment_title"]
