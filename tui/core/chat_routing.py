"""Whether a chat target can answer now, from the store's last word on its endpoint, and what to do if not.

A v2 endpoint answers through its traffic split: a request lands on a deployment that serves (Ready, Scaling
or Degraded with ready replicas) and has a weight above 0. A pinned deployment (its qualified name as
``model``) answers whenever it serves, whatever its weight. A legacy endpoint answers when it runs; where the
provider no longer starts legacy endpoints (``Capabilities.redeploys_legacy``) a stopped one is redeployed,
never offered a start the API refuses. The verdict comes before anything is sent: a request that cannot
land is explained, not sent.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from tui.api.domain import Capabilities, Deployment, Endpoint, Phase
from tui.core.chat_advice import ErrorAdvice
from tui.core.tree import state_label as state_word

#: Phases in which a deployment's ready replicas take requests (the router's, reference §A5).
SERVING_PHASES = (Phase.READY, Phase.SCALING, Phase.DEGRADED)
#: Phases on the way to serving: a prompt waits for them instead of asking anything.
COMING_UP_PHASES = (Phase.PENDING, Phase.STARTING, Phase.SCALING, Phase.UPDATING)


class Readiness(StrEnum):
    READY = "ready"
    #: Already on its way up: queue the prompt, nothing to ask.
    COMING_UP = "coming up"
    #: Stopped, stopping, failed or unknown: it only answers if someone starts it.
    NEEDS_START = "needs start"


def readiness(phase: Phase) -> Readiness:
    """An endpoint without deployments, by its phase alone."""
    # A state word we do not know (a newer API's) may well answer: send, and let the service decide
    # (model_not_available is explained like a stopped endpoint).
    if phase in (Phase.READY, Phase.UNKNOWN):
        return Readiness.READY
    if phase in (Phase.PENDING, Phase.STARTING):
        return Readiness.COMING_UP
    return Readiness.NEEDS_START


class Route(StrEnum):
    #: Something answers: send.
    READY = "ready"
    #: On its way up with traffic: the prompt waits for it.
    COMING_UP = "coming up"
    #: Nothing serves, and starting it would: the priced start offer.
    NEEDS_START = "needs start"
    #: Deployments serve (or will) but the split gives them no weight: give it traffic, or pin one.
    NEEDS_TRAFFIC = "needs traffic"
    #: A stopped legacy endpoint where legacy starts are retired: redeploy it.
    REDEPLOY = "redeploy"
    #: Nothing serves and no start helps (failed, no capacity, no deployments, the pinned one gone).
    UNSERVABLE = "unservable"

    @property
    def sends(self) -> bool:
        return self is Route.READY


@dataclass(frozen=True, slots=True)
class Routing:
    route: Route
    #: The state to name: the deciding deployment's, else the endpoint's, in the CLI's words.
    state: str
    #: Why nothing is sent, and what to do (for the routes that send nothing and offer no start).
    advice: ErrorAdvice | None = None


def serves(deployment: Deployment) -> bool:
    return deployment.phase in SERVING_PHASES and (deployment.ready_replicas or 0) > 0


def weighted(deployment: Deployment) -> bool:
    return (deployment.traffic_weight or 0) > 0


def stopped(deployment: Deployment) -> bool:
    return deployment.phase is Phase.STOPPED or deployment.max_replicas == 0


def route_for(
    endpoint: Endpoint, *, deployment_id: str | None = None, capabilities: Capabilities | None = None
) -> Routing:
    """Where a prompt to ``endpoint`` (or to its pinned deployment) would land, from what the store knows."""
    if deployment_id is not None:
        return _pinned(endpoint, deployment_id)
    if endpoint.deployments:
        return _through_split(endpoint, endpoint.deployments)
    if capabilities is not None and capabilities.deployments and endpoint.api != "v1":
        return Routing(
            Route.UNSERVABLE,
            state_word(endpoint.state),
            ErrorAdvice(
                f"Nothing deployed on {endpoint.title}",
                f"{endpoint.title} has no deployments, so nothing can answer.",
                "Deploy a model to it (Endpoints pane: n), or pick another target (ctrl+t).",
            ),
        )
    return _legacy(endpoint, capabilities)


def _legacy(endpoint: Endpoint, capabilities: Capabilities | None) -> Routing:
    verdict = readiness(endpoint.phase)
    if verdict is Readiness.READY:
        return Routing(Route.READY, endpoint.state)
    if verdict is Readiness.COMING_UP:
        return Routing(Route.COMING_UP, endpoint.state)
    if redeploys(endpoint, capabilities):
        return Routing(
            Route.REDEPLOY, endpoint.state, redeploy_advice(f"{endpoint.title} is {endpoint.state}")
        )
    return Routing(Route.NEEDS_START, endpoint.state)


def redeploys(endpoint: Endpoint, capabilities: Capabilities | None) -> bool:
    """A legacy v1 endpoint on a provider that redeploys those on v2: v1 cannot start it again."""
    return capabilities is not None and capabilities.redeploys_legacy and endpoint.api == "v1"


def redeploy_advice(why: str) -> ErrorAdvice:
    """The one way on for a v1 endpoint that is not running: the deploy form, filled, which asks first."""
    return ErrorAdvice(
        "Stopped v1 endpoint",
        f"{why}, and v1 no longer starts endpoints.",
        "Redeploy it on v2 (ctrl+g opens the deploy form with its model and replicas; nothing is created"
        " until you confirm there), or pick another target (ctrl+t).",
        offer_redeploy=True,
    )


def _names(deployments: Sequence[Deployment]) -> str:
    return ", ".join(d.title for d in deployments)


def _through_split(endpoint: Endpoint, deployments: Sequence[Deployment]) -> Routing:
    if any(serves(d) and weighted(d) for d in deployments) or any(d.phase is Phase.UNKNOWN for d in deployments):
        # A state word we do not know may well serve: send, and let the service decide.
        return Routing(Route.READY, state_word(endpoint.state))
    coming = [d for d in deployments if d.phase in COMING_UP_PHASES and not serves(d)]
    coming_routed = [d for d in coming if weighted(d)]
    if coming_routed:
        return Routing(Route.COMING_UP, state_word(coming_routed[0].state))
    idle = [d for d in deployments if serves(d)] or coming
    if idle:
        # Running (and billed) already: routing to it costs nothing more, so it comes before any start.
        return _needs_traffic(endpoint, idle, ready=bool(serves(idle[0])))
    resting = [d for d in deployments if stopped(d)]
    if any(weighted(d) for d in resting):
        return Routing(Route.NEEDS_START, state_word(next(d for d in resting if weighted(d)).state))
    if resting and len(resting) == len(deployments):
        return _needs_traffic(endpoint, resting, ready=False)
    broken = next(d for d in deployments if not stopped(d))
    return _unservable(endpoint, broken)


def _needs_traffic(endpoint: Endpoint, idle: Sequence[Deployment], *, ready: bool) -> Routing:
    names = _names(idle)
    many = len(idle) > 1
    being = ("are" if many else "is") + (" Ready" if ready else f" {state_word(idle[0].state)}")
    weight = "have traffic weight 0" if many else "has traffic weight 0"
    then = "" if ready or not all(stopped(d) for d in idle) else " and start it"
    return Routing(
        Route.NEEDS_TRAFFIC,
        state_word(idle[0].state),
        ErrorAdvice(
            f"Nothing routes to {endpoint.title}",
            f"{names} {being} but {weight}: the endpoint's traffic split sends requests nowhere.",
            f"Give it traffic{then} (ctrl+g opens the traffic split), or pin it"
            + (": ctrl+t and pick the deployment." if ready else " once it serves.")
            + " Then ctrl+r.",
            offer_traffic=True,
        ),
    )


def _unservable(endpoint: Endpoint, deployment: Deployment) -> Routing:
    word = state_word(deployment.state)
    why = f": {deployment.status_message}" if deployment.status_message else ""
    if deployment.phase is Phase.FAILED:
        hint = "See the Endpoints pane for its events, or pick another target (ctrl+t)."
    else:
        hint = "It may come up when capacity frees: try again later, or pick another target (ctrl+t)."
    return Routing(
        Route.UNSERVABLE,
        word,
        ErrorAdvice(
            f"{endpoint.title} cannot answer",
            f"{deployment.title} is {word} with no ready replica{why}.",
            hint,
        ),
    )


def _pinned(endpoint: Endpoint, deployment_id: str) -> Routing:
    deployment = next((d for d in endpoint.deployments if d.id == deployment_id), None)
    if deployment is None:
        return Routing(
            Route.UNSERVABLE,
            state_word(endpoint.state),
            ErrorAdvice(
                "Deployment gone",
                f"The pinned deployment is no longer part of {endpoint.title}.",
                "Pick the endpoint or another deployment (ctrl+t).",
            ),
        )
    word = state_word(deployment.state)
    if serves(deployment) or deployment.phase is Phase.UNKNOWN:
        return Routing(Route.READY, word)
    if deployment.phase in COMING_UP_PHASES:
        return Routing(Route.COMING_UP, word)
    if stopped(deployment) and endpoint.phase not in (Phase.READY, Phase.PENDING, Phase.STARTING):
        return Routing(Route.NEEDS_START, word)
    if stopped(deployment):
        # The endpoint runs on its other deployments, so starting "the endpoint" would start nothing.
        return Routing(
            Route.UNSERVABLE,
            word,
            ErrorAdvice(
                f"{deployment.title} is stopped",
                f"The pinned deployment {deployment.title} is {word}; {endpoint.title} serves on its others.",
                "Start it in the Endpoints pane (s on the deployment), or chat with the endpoint (ctrl+t).",
            ),
        )
    return _unservable(endpoint, deployment)


__all__ = [
    "COMING_UP_PHASES",
    "SERVING_PHASES",
    "Readiness",
    "Route",
    "Routing",
    "readiness",
    "route_for",
    "serves",
    "state_word",
    "stopped",
    "weighted",
]
