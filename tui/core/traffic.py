"""An endpoint's traffic split as its editor works on it: the weights typed, the share each deployment
would really get, and whether the split would route anything at all (reference together-v2-api.md §A5).

A deployment gets ``weight x readyReplicas`` of the traffic, normalised over the endpoint: weight on a
deployment with no ready replicas routes nothing, and a ready deployment without weight gets nothing.
A split where every weight sits on deployments with no ready replica would leave the endpoint answering
errors, so it is refused before anything is sent.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from tui.api.domain import Deployment, Endpoint

#: What the service takes as a weight (UNVERIFIED upper bound; weights are relative, so any bound works).
MAX_WEIGHT = 1000.0
#: Told with every change sent (the propagation delay the service documents).
PROPAGATION = "Routing changes take about 10-30 s to reach every router."


@dataclass(frozen=True, slots=True)
class SplitRow:
    deployment_id: str
    title: str
    state: str
    weight: float
    ready: int

    @property
    def capacity(self) -> float:
        return self.weight * self.ready

    @property
    def flag(self) -> str | None:
        """Why this row routes differently from what its weight suggests, or None."""
        if self.weight > 0 and self.ready == 0:
            return "no ready replica: routes nothing"
        if self.weight == 0 and self.ready > 0:
            return "ready, weight 0: gets no traffic"
        return None


def rows_of(endpoint: Endpoint) -> list[SplitRow]:
    return [_row(d) for d in endpoint.deployments]


def _row(deployment: Deployment) -> SplitRow:
    return SplitRow(
        deployment.id,
        deployment.title,
        deployment.state,
        deployment.traffic_weight or 0.0,
        deployment.ready_replicas or 0,
    )


def parse_weight(text: str) -> tuple[float | None, str | None]:
    """A weight typed by the user, or the reason it is not one."""
    stripped = text.strip()
    if not stripped:
        return 0.0, None
    try:
        value = float(stripped)
    except ValueError:
        return None, f"{stripped!r} is not a number"
    if not math.isfinite(value) or value < 0:
        return None, "a weight is a number from 0 up"
    if value > MAX_WEIGHT:
        return None, f"at most {MAX_WEIGHT:g} (weights are relative: 9 and 1 split 90/10)"
    return value, None


def with_weights(rows: Sequence[SplitRow], weights: Mapping[str, float]) -> list[SplitRow]:
    return [
        SplitRow(r.deployment_id, r.title, r.state, weights.get(r.deployment_id, r.weight), r.ready) for r in rows
    ]


def shares(rows: Sequence[SplitRow]) -> dict[str, float]:
    """Deployment id -> the fraction of requests it would get (all 0 when nothing routes)."""
    total = sum(r.capacity for r in rows)
    return {r.deployment_id: (r.capacity / total if total else 0.0) for r in rows}


def weight_shares(rows: Sequence[SplitRow]) -> dict[str, float]:
    """Deployment id -> its weight over all weights: what the split says, ignoring readiness."""
    total = sum(r.weight for r in rows)
    return {r.deployment_id: (r.weight / total if total else 0.0) for r in rows}


def refusal(rows: Sequence[SplitRow]) -> str | None:
    """Why this split must not be sent, or None when it routes something."""
    if not rows:
        return "This endpoint has no deployments to route to."
    if all(r.weight == 0 for r in rows):
        return "Every weight is 0: the endpoint would route nothing and answer every request with an error."
    if sum(r.capacity for r in rows) == 0:
        weighted = ", ".join(r.title for r in rows if r.weight > 0)
        return (
            f"All the weight is on deployments with no ready replica ({weighted}): the endpoint would route "
            "nothing. Give weight to a deployment with ready replicas, or start one first."
        )
    return None


def changed(before: Sequence[SplitRow], after: Sequence[SplitRow]) -> bool:
    old = {r.deployment_id: r.weight for r in before}
    return any(old.get(r.deployment_id) != r.weight for r in after)


def describe(rows: Sequence[SplitRow]) -> str:
    """``gpt-oss-20b-h100 90 · gpt-oss-20b-h200 10``: what is sent, in the user's words."""
    return " · ".join(f"{r.title} {r.weight:g}" for r in rows)
