"""What the Endpoints pane's keys do on a v2 row: a deployment, or an endpoint made of deployments.

Start and stop scale deployments (stop = 0/0; start brings back the bounds it had, or asks for them);
on an endpoint row they act on its deployments, asking which when there are several. Starting always
says its $/hour first, scaling shows the cost range before anything is sent, and every request says at
once what it sent. A mixin of ``EndpointActions``; the attributes below are the pane's.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial
from typing import TYPE_CHECKING

from textual.widget import Widget

from tui.api.domain import Deployment, Endpoint, HardwareOption, Phase
from tui.core.costs import price_per_hour
from tui.core.store import Decision

if TYPE_CHECKING:
    from tui.app.context import AppContext
    from tui.core.store import EndpointStore

Located = tuple[Endpoint, Deployment | None]


def stopped(deployment: Deployment) -> bool:
    return deployment.max_replicas == 0 or deployment.phase is Phase.STOPPED


class DeploymentActions(Widget):
    if TYPE_CHECKING:
        context: AppContext
        store: EndpointStore
        _hardware: dict[str, HardwareOption] | None
        _filter_text: str
        _kept: set[str]

        def focus_default(self) -> None: ...

        def _render_rows(self) -> None: ...

        def _say(self, message: str, *, title: str = "", severity: str = "information",
                 timeout: float | None = None) -> None: ...

    def _price_of(self, deployment: Deployment) -> float | None:
        option = self._hardware.get(deployment.hardware) if self._hardware is not None else None
        if option is not None:
            return price_per_hour(option)
        # What it bills now, per running replica, when the hardware list has not come yet.
        replicas = deployment.ready_replicas or deployment.desired_replicas
        if deployment.dollars_per_hour and replicas:
            return deployment.dollars_per_hour / replicas
        return None

    def _choose(self, verb: str, endpoint: Endpoint, candidates: Sequence[Deployment],
                then: Callable[[Endpoint, list[Deployment]], None], *, allow_all: bool = True) -> None:
        """One candidate: go on with it; several: ask which (or all)."""
        if len(candidates) == 1:
            then(endpoint, list(candidates))
            return

        from tui.app.screens.choose_deployments import ChooseDeploymentsScreen

        def chosen(ids: list[str] | None) -> None:
            self.focus_default()
            if ids:
                then(endpoint, [d for d in candidates if d.id in ids])

        self.app.push_screen(ChooseDeploymentsScreen(verb, endpoint, candidates, allow_all=allow_all),
                             callback=chosen)

    # Start

    def _start_tree(self, endpoint: Endpoint, deployment: Deployment | None) -> None:
        candidates = [deployment] if deployment is not None else [d for d in endpoint.deployments if stopped(d)]
        if not candidates or all(not stopped(d) for d in candidates):
            what = deployment.title if deployment is not None else endpoint.title
            self._say(f"{what} is already running: S scales it.", title="Start")
            return
        self._choose("start", endpoint, candidates, self._start_with_bounds)

    def _start_with_bounds(self, endpoint: Endpoint, deployments: list[Deployment],
                           bounds: dict[str, tuple[int, int]] | None = None) -> None:
        """Find each deployment's bounds (known, or asked for), then confirm with the $/hour."""
        bounds = dict(bounds or {})
        for deployment in deployments:
            if deployment.id in bounds:
                continue
            known = self.store.known_bounds(deployment.id)
            if known is None and deployment.min_replicas and deployment.max_replicas:
                known = (deployment.min_replicas, deployment.max_replicas)
            if known is not None:
                bounds[deployment.id] = known
                continue

            from tui.app.screens.scale import ScaleScreen

            def asked(answer: tuple[int, int] | None, deployment: Deployment = deployment) -> None:
                self.focus_default()
                if answer is not None:
                    self._start_with_bounds(endpoint, deployments, {**bounds, deployment.id: answer})

            self.app.push_screen(
                ScaleScreen(f"Start {deployment.title}: with how many replicas?", deployment,
                            price=self._price_of(deployment), bounds=(1, 1), starting=True),
                callback=asked,
            )
            return
        if not getattr(self.context.config, "confirm_start", True):
            self._decided("Start", self.store.start_deployments(endpoint.id, bounds), endpoint.id)
            return
        from tui.app.screens.confirm_start import ConfirmStartScreen, deployments_summary

        jobs = [(d, bounds[d.id], self._price_of(d)) for d in deployments]
        title = "Start this deployment?" if len(jobs) == 1 else f"Start {len(jobs)} deployments?"
        self.app.push_screen(
            ConfirmStartScreen(endpoint, summary=deployments_summary(endpoint, jobs), title=title),
            callback=partial(self._start_confirmed, endpoint.id, bounds),
        )

    def _start_confirmed(self, endpoint_id: str, bounds: dict[str, tuple[int, int]], confirmed: bool | None) -> None:
        if confirmed:
            self._decided("Start", self.store.start_deployments(endpoint_id, bounds), endpoint_id)
        self.focus_default()

    # Stop, scale

    def _stop_tree(self, endpoint: Endpoint, deployment: Deployment | None) -> None:
        candidates = [deployment] if deployment is not None else [d for d in endpoint.deployments if not stopped(d)]
        if not candidates:
            self._say(f"{endpoint.title} is already stopped.", title="Stop")
            return

        def stop(endpoint: Endpoint, chosen: list[Deployment]) -> None:
            self._decided("Stop", self.store.stop_deployments(endpoint.id, [d.id for d in chosen]), endpoint.id)

        self._choose("stop", endpoint, candidates, stop)

    def _scale_tree(self, endpoint: Endpoint, deployment: Deployment | None) -> None:
        if deployment is None and not endpoint.deployments:
            self._say(f"{endpoint.title} has no deployment to scale: n deploys a model.", title="Scale")
            return
        candidates = [deployment] if deployment is not None else list(endpoint.deployments)
        self._choose("scale", endpoint, candidates, self._ask_scale, allow_all=False)

    def _ask_scale(self, endpoint: Endpoint, chosen: list[Deployment]) -> None:
        [deployment] = chosen
        current = (deployment.min_replicas or 0, deployment.max_replicas or 0)
        from tui.app.screens.scale import ScaleScreen

        def answered(bounds: tuple[int, int] | None) -> None:
            self.focus_default()
            if bounds is None:
                return
            if bounds == (0, 0):
                decision = self.store.stop_deployments(endpoint.id, [deployment.id])
            else:
                decision = self.store.scale(endpoint.id, deployment.id, *bounds)
            self._decided("Scale", decision, endpoint.id)

        self.app.push_screen(
            ScaleScreen(f"Scale {deployment.title}", deployment, price=self._price_of(deployment), bounds=current),
            callback=answered,
        )

    # Delete

    def _delete_tree(self, endpoint: Endpoint, deployment: Deployment | None) -> None:
        from tui.app.screens.confirm_delete import ConfirmDeleteScreen, needs_typed_name

        typed = needs_typed_name(endpoint, self.context.config.confirm_delete, deployment)

        def closed(_: bool | None) -> None:
            self._render_rows()
            self.focus_default()

        self.app.push_screen(
            ConfirmDeleteScreen(endpoint, typed=typed, deployment=deployment, store=self.store), callback=closed
        )

    def _decided(self, verb: str, decision: Decision, endpoint_id: str) -> Decision:
        if decision.sent:
            if self._filter_text:
                self._kept.add(endpoint_id)
            self._say(decision.message, title=verb, timeout=4)
        elif decision.message:
            self._say(decision.message, title=verb, severity=decision.severity)
        self._render_rows()
        self.refresh_bindings()
        return decision
