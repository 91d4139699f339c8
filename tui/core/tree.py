"""The endpoints table as a tree: each endpoint a row, its deployments (v2) as rows beneath it.

No widget here: which rows an endpoint contributes under a filter, the words a v2 state is shown with,
and the numbers a deployment row reads (ready/desired, min-max, weight and share).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from tui.api.domain import Deployment, Endpoint
from tui.core.listing import deployment_matches

#: The v2 state words as Together's CLI labels them; any other value is shown as the API sent it.
STATE_LABELS = {
    "DEPLOYMENT_STATE_PROVISIONING": "Provisioning",
    "DEPLOYMENT_STATE_SCALING": "Scaling",
    "DEPLOYMENT_STATE_READY": "Ready",
    "DEPLOYMENT_STATE_DEGRADED": "Degraded",
    "DEPLOYMENT_STATE_FAILED": "Failed",
    "DEPLOYMENT_STATE_STOPPING": "Stopping",
    "DEPLOYMENT_STATE_STOPPED": "Stopped",
    "NO_DEPLOYMENTS": "No deployments",
}


def state_label(state: str) -> str:
    return STATE_LABELS.get(state, state)


@dataclass(frozen=True, slots=True)
class TreeRow:
    """One table row: an endpoint (``deployment`` None) or one of its deployments."""

    key: str
    endpoint: Endpoint
    deployment: Deployment | None = None
    #: The last deployment under its endpoint (drawn ``└``, the others ``├``).
    last: bool = True

    @property
    def parent(self) -> str | None:
        return self.endpoint.id if self.deployment is not None else None


def tree_rows(endpoint: Endpoint, terms: Sequence[str] = (), *, endpoint_matches: bool = True,
              keep: frozenset[str] | set[str] = frozenset()) -> list[TreeRow]:
    """The endpoint's rows under a filter: all of them when the endpoint itself matches, else the
    deployments that match (with their endpoint above them), else none. ``keep`` rows always show."""
    deployments = endpoint.deployments
    if endpoint_matches or not terms or endpoint.id in keep:
        shown = list(deployments)
    else:
        shown = [d for d in deployments
                 if d.id in keep or deployment_matches(d, terms, state_label=state_label(d.state))]
        if not shown:
            return []
    rows = [TreeRow(endpoint.id, endpoint)]
    rows.extend(TreeRow(d.id, endpoint, d, last=index == len(shown) - 1) for index, d in enumerate(shown))
    return rows


def find_deployment(endpoint: Endpoint, deployment_id: str) -> Deployment | None:
    return next((d for d in endpoint.deployments if d.id == deployment_id), None)


def ready_text(deployment: Deployment) -> str:
    """``1/2`` ready of desired; ``—`` when the API did not say."""
    if deployment.ready_replicas is None and deployment.desired_replicas is None:
        return "—"
    ready = "?" if deployment.ready_replicas is None else str(deployment.ready_replicas)
    desired = "?" if deployment.desired_replicas is None else str(deployment.desired_replicas)
    return f"{ready}/{desired}"


def endpoint_ready_text(endpoint: Endpoint) -> str:
    """The endpoint's deployments together: ready of desired replicas."""
    if not endpoint.deployments:
        return "0/0"
    ready = sum(d.ready_replicas or 0 for d in endpoint.deployments)
    desired = sum(d.desired_replicas or 0 for d in endpoint.deployments)
    return f"{ready}/{desired}"


def bounds_text(minimum: int | None, maximum: int | None) -> str:
    if minimum is None or maximum is None:
        return "—"
    return f"{minimum}-{maximum}"


def share_text(share: float | None) -> str:
    return "?" if share is None else f"{share * 100:.0f}%"


def traffic_text(deployment: Deployment) -> str:
    """``0.9 · 90%``: the weight the user set, and the share the API estimates reaches it."""
    weight = "?" if deployment.traffic_weight is None else f"{deployment.traffic_weight:g}"
    return f"{weight} · {share_text(deployment.estimated_share)}"


def routed_share(endpoint: Endpoint) -> float | None:
    """The fraction of the endpoint's traffic something serves: 0 when nothing ready carries weight."""
    shares = [d.estimated_share for d in endpoint.deployments]
    if not shares:
        return 0.0
    if any(share is None for share in shares):
        return None
    return min(1.0, sum(share for share in shares if share is not None))


def short_model(model: str) -> str:
    """``openai/gpt-oss-20b`` -> ``gpt-oss-20b``: the organisation is the common prefix of most rows."""
    return ", ".join(part.rpartition("/")[2] or part for part in model.split(", "))
