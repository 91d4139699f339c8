"""The mutable side of the simulated v2 account: endpoints, deployments, traffic, events, analytics.

Writes change the resource's `etag` (user writes only: status moving on its own does not, so an etag
read while a deployment provisions stays good). A new deployment joins an empty traffic split with
weight 1 (UNVERIFIED; the CLI's `deploy` without `--traffic-weight` implies it, reference §A5).
"""

from __future__ import annotations

import random
import threading
from dataclasses import dataclass, field
from typing import Any

from tui.simulator.v2_catalogue import PROFILES, PROFILES_BY_CONFIG, Profile, stable_hex
from tui.simulator.v2_lifecycle import (
    DEGRADED,
    FAILED,
    READY,
    SCALING,
    STOPPED,
    STOPPING,
    Plan,
    Planner,
    Step,
    V2Timings,
)
from tui.simulator.world import iso8601

ROUTABLE_STATES = (READY, SCALING, DEGRADED)


@dataclass
class ServedRequest:
    at: float
    status: int
    input_tokens: int
    output_tokens: int
    ttft_ms: float
    latency_ms: float


@dataclass
class DeploymentRecord:
    id: str
    endpoint_id: str
    short_name: str
    profile: Profile
    autoscaling: dict[str, Any]
    created_at: float
    updated_at: float
    etag: str
    plan: Plan = field(default_factory=Plan)
    inactive_timeout: int | None = None
    max_concurrent: str | None = None
    placement: dict[str, Any] | None = None
    served: list[ServedRequest] = field(default_factory=list)

    @property
    def target(self) -> int:
        return int(self.autoscaling.get("minReplicas") or 0)


@dataclass
class EndpointRecordV2:
    id: str
    short_name: str
    visibility: str
    created_at: float
    updated_at: float
    etag: str
    traffic_split: list[dict[str, Any]] = field(default_factory=list)
    deployments: dict[str, DeploymentRecord] = field(default_factory=dict)
    plan: Plan = field(default_factory=Plan)
    """Endpoint-scoped events only (endpoints have no state of their own)."""


class V2World:
    """Every v2 resource of the one simulated project, behind one lock."""

    def __init__(self, *, seed: int, speed: float, now: float, project_slug: str, seeded: bool) -> None:
        self.lock = threading.RLock()
        self.project_id = f"proj_{stable_hex('project', str(seed), length=16)}"
        self.project_slug = project_slug
        self.organization_id = f"org_{stable_hex('org', str(seed), length=16)}"
        self.timings = V2Timings().scaled(speed)
        self.planner = Planner(self.timings)
        self._rng = random.Random(f"v2:{seed}")
        self.endpoints: dict[str, EndpointRecordV2] = {}
        if seeded:
            from tui.simulator.v2_seed import seed_demo_account

            seed_demo_account(self, now)

    # -- ids and naming ---------------------------------------------------------------------------

    def new_id(self, prefix: str) -> str:
        return f"{prefix}_{self._rng.getrandbits(64):016x}"

    def new_etag(self) -> str:
        return f"{self._rng.getrandbits(64):016x}"

    def qualified(self, endpoint: EndpointRecordV2, deployment: DeploymentRecord | None = None) -> str:
        name = f"{self.project_slug}/{endpoint.short_name}"
        return f"{name}/{deployment.short_name}" if deployment else name

    def endpoint_by_name(self, short_name: str) -> EndpointRecordV2 | None:
        return next((e for e in self.endpoints.values() if e.short_name == short_name), None)

    # -- reads ------------------------------------------------------------------------------------

    def step(self, deployment: DeploymentRecord, now: float) -> Step:
        return deployment.plan.step_at(now)

    def shares(self, endpoint: EndpointRecordV2, now: float) -> dict[str, float]:
        """Weight x ready replicas, normalised: the SDK's "effective routing capacity"."""
        capacity: dict[str, float] = {}
        for entry in endpoint.traffic_split:
            deployment = endpoint.deployments.get(entry["deploymentId"])
            if deployment is None:
                continue
            step = self.step(deployment, now)
            ready = step.ready if step.state in ROUTABLE_STATES else 0
            capacity[deployment.id] = capacity.get(deployment.id, 0.0) + float(entry["weight"]) * ready
        total = sum(capacity.values())
        return {key: (value / total if total else 0.0) for key, value in capacity.items()}

    def events(self, endpoint: EndpointRecordV2, now: float) -> list[dict[str, Any]]:
        timed = [*endpoint.plan.events]
        for deployment in endpoint.deployments.values():
            timed.extend(deployment.plan.events)
        shown = sorted((e for e in timed if e.at <= now), key=lambda e: (e.at, e.seq), reverse=True)
        return [
            {"id": f"evt_{e.seq:08d}", "createdAt": iso8601(e.at), "endpointId": endpoint.id, **e.payload}
            for e in shown
        ]

    # -- writes (callers hold `lock`) -------------------------------------------------------------

    def _endpoint_event(self, endpoint: EndpointRecordV2, at: float, **payload: Any) -> None:
        base = {"sourceKind": "SOURCE_KIND_ENDPOINT", "source": "endpoint-controller", "level": "LEVEL_INFO"}
        self.planner._event(endpoint.plan, at, **base, **payload)

    def create_endpoint(self, short_name: str, visibility: str, now: float) -> EndpointRecordV2:
        endpoint = EndpointRecordV2(
            id=self.new_id("ep"),
            short_name=short_name,
            visibility=visibility,
            created_at=now,
            updated_at=now,
            etag=self.new_etag(),
        )
        self.endpoints[endpoint.id] = endpoint
        self._endpoint_event(
            endpoint, now, type="endpoint.created", name=self.qualified(endpoint), message="Endpoint created"
        )
        return endpoint

    def touch_endpoint(self, endpoint: EndpointRecordV2, now: float, paths: list[str]) -> None:
        endpoint.updated_at = now
        endpoint.etag = self.new_etag()
        self._endpoint_event(endpoint, now, type="endpoint.updated", paths=paths, message=f"Updated {', '.join(paths)}")

    def delete_endpoint(self, endpoint: EndpointRecordV2) -> None:
        self.endpoints.pop(endpoint.id, None)

    def _event_base(self, endpoint: EndpointRecordV2, deployment: DeploymentRecord) -> dict[str, Any]:
        return {"deploymentId": deployment.id}

    def create_deployment(
        self,
        endpoint: EndpointRecordV2,
        *,
        short_name: str,
        profile: Profile,
        autoscaling: dict[str, Any],
        inactive_timeout: int | None,
        max_concurrent: str | None,
        placement: dict[str, Any] | None,
        now: float,
        dry_run: bool = False,
    ) -> DeploymentRecord:
        """A new deployment, already planned; with `dry_run` (validateOnly) it is built but not kept."""
        deployment = DeploymentRecord(
            id=self.new_id("dep"),
            endpoint_id=endpoint.id,
            short_name=short_name,
            profile=profile,
            autoscaling=autoscaling,
            created_at=now,
            updated_at=now,
            etag=self.new_etag(),
            inactive_timeout=inactive_timeout,
            max_concurrent=max_concurrent,
            placement=placement,
        )
        deployment.plan.steps.append(Step(now, STOPPED, "Stopped", 0, 0))
        if dry_run:
            return deployment
        endpoint.deployments[deployment.id] = deployment
        self.planner.deployment_event(
            deployment.plan,
            now,
            self._event_base(endpoint, deployment),
            type="deployment.created",
            level="LEVEL_INFO",
            source="deployment-controller",
            name=self.qualified(endpoint, deployment),
            message=f"Deployment created on {profile.instance.name}",
        )
        if not endpoint.traffic_split:
            endpoint.traffic_split.append({"deploymentId": deployment.id, "weight": 1.0})
        self._replan(endpoint, deployment, old=0, now=now)
        return deployment

    def _replan(self, endpoint: EndpointRecordV2, deployment: DeploymentRecord, *, old: int, now: float) -> None:
        self.planner.scale(
            deployment.plan,
            at=now,
            old=old,
            target=deployment.target,
            capacity=deployment.profile.instance.capacity,
            never_ready=deployment.profile.never_ready,
            base=self._event_base(endpoint, deployment),
        )

    def update_deployment(
        self, endpoint: EndpointRecordV2, deployment: DeploymentRecord, changes: dict[str, Any], now: float
    ) -> None:
        """Apply already-validated changes (camelCase keys; `autoscaling` merged by the caller)."""
        old_target = deployment.target
        state = self.step(deployment, now).state
        if "autoscaling" in changes:
            deployment.autoscaling = changes["autoscaling"]
        if "inactiveTimeout" in changes:
            deployment.inactive_timeout = changes["inactiveTimeout"]
        if "maxConcurrentRequestsPerReplica" in changes:
            deployment.max_concurrent = changes["maxConcurrentRequestsPerReplica"]
        deployment.updated_at = now
        deployment.etag = self.new_etag()
        self.planner.deployment_event(
            deployment.plan,
            now,
            self._event_base(endpoint, deployment),
            type="deployment.updated",
            level="LEVEL_INFO",
            source="deployment-controller",
            paths=sorted(changes),
            message="Deployment updated",
        )
        if deployment.target != old_target or (state == FAILED and deployment.target > 0):
            self._replan(endpoint, deployment, old=old_target, now=now)

    def deployment_stopped(self, deployment: DeploymentRecord, now: float) -> bool:
        return self.step(deployment, now).state == STOPPED

    def delete_deployment(self, endpoint: EndpointRecordV2, deployment: DeploymentRecord, now: float) -> None:
        endpoint.deployments.pop(deployment.id, None)
        endpoint.traffic_split = [e for e in endpoint.traffic_split if e["deploymentId"] != deployment.id]
        self._endpoint_event(
            endpoint,
            now,
            type="deployment.deleted",
            name=self.qualified(endpoint, deployment),
            message=f"Deployment {deployment.short_name} deleted",
        )

    # -- inference --------------------------------------------------------------------------------

    def route(self, name: str, now: float, key: str) -> tuple[EndpointRecordV2, DeploymentRecord] | None:
        """The endpoint and deployment a chat `model` reaches; None when the name is not a v2 one.

        Raises LookupError(code, message) when the endpoint exists but nothing can serve.
        """
        parts = name.split("/")
        if len(parts) not in (2, 3) or parts[0] != self.project_slug:
            return None
        endpoint = self.endpoint_by_name(parts[1])
        if endpoint is None:
            return None
        if len(parts) == 3:
            pinned = next((d for d in endpoint.deployments.values() if d.short_name == parts[2]), None)
            if pinned is None:
                return None
            if self.step(pinned, now).ready == 0 or self.step(pinned, now).state not in ROUTABLE_STATES:
                raise LookupError("endpoint_not_ready", f"Deployment {name} has no ready replicas.")
            return endpoint, pinned
        shares = {k: v for k, v in self.shares(endpoint, now).items() if v > 0}
        if not shares:
            serving = any(
                self.step(d, now).ready > 0 and self.step(d, now).state in ROUTABLE_STATES
                for d in endpoint.deployments.values()
            )
            if serving:
                raise LookupError(
                    "endpoint_not_configured",
                    f"Endpoint {name} has ready deployments but none is in its traffic split with a weight above 0.",
                )
            raise LookupError("endpoint_not_ready", f"Endpoint {name} has no deployment with ready replicas.")
        # Sticky per sampling key, like the real router (reference §A5): a stable point in [0, 1).
        point = int(stable_hex("route", key, length=8), 16) / 16**8
        running = 0.0
        chosen = next(iter(shares))
        for deployment_id, share in sorted(shares.items()):
            running += share
            chosen = deployment_id
            if point < running:
                break
        return endpoint, endpoint.deployments[chosen]

    def record_served(self, deployment: DeploymentRecord, served: ServedRequest) -> None:
        deployment.served.append(served)
        del deployment.served[:-10_000]  # a long demo must not grow without bound


def profile_for_config(config: str) -> Profile | None:
    config_id = config.rsplit("/", 1)[-1]
    return PROFILES_BY_CONFIG.get(config_id)


def default_profile(model_id: str) -> Profile:
    return PROFILES[model_id][0]


__all__ = [
    "DEGRADED",
    "FAILED",
    "READY",
    "SCALING",
    "STOPPED",
    "STOPPING",
    "DeploymentRecord",
    "EndpointRecordV2",
    "ServedRequest",
    "V2World",
]
