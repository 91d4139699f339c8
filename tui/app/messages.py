"""Cross-pane requests: a pane asks, the App decides which screen opens. No pane knows another."""

from __future__ import annotations

from textual.message import Message

from tui.api.domain import Endpoint


class OpenCreateForm(Message):
    """Open the form that makes something billable: the deploy form where the provider deploys from profiles
    (``capabilities.deploy_profiles``), the create form otherwise.

    ``option_id`` preselects a deploy option (a Hardware pane profile); ``endpoint`` adds a deployment to that
    existing endpoint instead of a new one; ``redeploy_of`` fills the form from a legacy v1 endpoint (its model
    and replica bounds) and, once the new deployment is ready, the app offers to stop the v1 one.
    """

    def __init__(
        self,
        *,
        model: str | None = None,
        hardware_id: str | None = None,
        clone_of: Endpoint | None = None,
        option_id: str | None = None,
        endpoint: Endpoint | None = None,
        redeploy_of: Endpoint | None = None,
    ) -> None:
        super().__init__()
        self.model = model
        self.hardware_id = hardware_id
        self.clone_of = clone_of
        self.option_id = option_id
        self.endpoint = endpoint
        self.redeploy_of = redeploy_of


class OpenUpdateForm(Message):
    """The update form; for an endpoint with deployments, ``deployment_id`` says which one (None: its first)."""

    def __init__(self, endpoint: Endpoint, *, deployment_id: str | None = None) -> None:
        super().__init__()
        self.endpoint = endpoint
        self.deployment_id = deployment_id


class OpenChat(Message):
    """The chat, aimed at ``endpoint`` when given; at one of its deployments (pinned) with ``deployment_id``."""

    def __init__(self, endpoint: Endpoint | None = None, deployment_id: str | None = None) -> None:
        super().__init__()
        self.endpoint = endpoint
        self.deployment_id = deployment_id


class OpenEvents(Message):
    """The endpoint's events timeline, limited to one deployment's events when ``deployment_id`` is given."""

    def __init__(self, endpoint: Endpoint, deployment_id: str | None = None) -> None:
        super().__init__()
        self.endpoint = endpoint
        self.deployment_id = deployment_id


class OpenMetrics(Message):
    """The endpoint's (or one deployment's) requests, latency, tokens and use over a window."""

    def __init__(self, endpoint: Endpoint, deployment_id: str | None = None) -> None:
        super().__init__()
        self.endpoint = endpoint
        self.deployment_id = deployment_id


class OpenTrafficSplit(Message):
    """The editor of the endpoint's traffic split."""

    def __init__(self, endpoint: Endpoint) -> None:
        super().__init__()
        self.endpoint = endpoint


class OpenCompareChat(Message):
    """One prompt to two targets side by side: ``endpoint`` (or its deployment) first, a candidate beside it."""

    def __init__(self, endpoint: Endpoint | None = None, deployment_id: str | None = None) -> None:
        super().__init__()
        self.endpoint = endpoint
        self.deployment_id = deployment_id
