"""The interface every control plane implements, so screens never branch on the provider.

Together v1 is the first implementation; Together's v2 projects API and Nebius Token Factory come next
(start/stop are operations here, not field writes, because v2 scales deployments to zero and Nebius
toggles ``enabled``).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Sequence
from datetime import datetime
from typing import Protocol, runtime_checkable

from tui.api.domain import (
    Capabilities,
    ChatEvent,
    ChatMessage,
    ChatParams,
    ChatReply,
    Deployment,
    DeployOption,
    DeploySpec,
    Endpoint,
    EndpointChanges,
    EndpointSpec,
    HardwareOption,
    ModelOption,
    TimelineEvent,
)


@runtime_checkable
class Provider(Protocol):
    #: Human name of the control plane, e.g. "Together v1".
    label: str
    base_url: str

    async def check_access(self) -> None:
        """One cheap authenticated request: returns when the key is accepted, else raises the mapped APIError
        (AuthenticationError for a refused key). How a key is checked is the provider's business, so the
        first-run screen and ``auth login/status`` check every provider's keys the same way."""
        ...

    async def list_endpoints(self, *, include_serverless: bool = False) -> list[Endpoint]: ...

    async def get_endpoint(self, endpoint_id: str) -> Endpoint: ...

    async def create_endpoint(self, spec: EndpointSpec) -> Endpoint:
        """Create exactly once: implementations must never retry this automatically."""
        ...

    async def update_endpoint(self, endpoint_id: str, changes: EndpointChanges) -> Endpoint: ...

    async def start_endpoint(self, endpoint_id: str) -> Endpoint: ...

    async def stop_endpoint(self, endpoint_id: str) -> Endpoint: ...

    async def delete_endpoint(self, endpoint_id: str) -> None: ...

    async def list_hardware(self, model: str | None = None) -> list[HardwareOption]: ...

    async def list_availability_zones(self) -> list[str]: ...

    async def list_models(self, *, dedicated_only: bool = False) -> list[ModelOption]: ...

    def stream_chat(
        self, model: str, messages: Sequence[ChatMessage], params: ChatParams | None = None
    ) -> AsyncIterator[ChatEvent]:
        """Stream an answer; raises StreamError / StreamTruncatedError after yielding what arrived."""
        ...

    async def chat(
        self, model: str, messages: Sequence[ChatMessage], params: ChatParams | None = None
    ) -> ChatReply: ...

    async def aclose(self) -> None: ...


@runtime_checkable
class DeployingProvider(Provider, Protocol):
    """A control plane whose endpoints are made of deployments (Together v2): deploy, scale, smart delete.

    Beyond ``Provider``: screens check ``isinstance(provider, DeployingProvider)`` (or its capabilities)
    before offering these, so the v1-only provider keeps working unchanged.
    """

    capabilities: Capabilities

    async def deploy_options(self, model: str) -> list[DeployOption]: ...

    async def deploy(self, spec: DeploySpec, progress: Callable[[str], object] = ...) -> Endpoint:
        """Create exactly once: implementations must never retry this automatically."""
        ...

    async def get_deployment(self, deployment_id: str) -> Deployment: ...

    async def scale_deployment(
        self, deployment_id: str, min_replicas: int, max_replicas: int, *, version: str | None = None
    ) -> Deployment: ...

    async def start_deployment(
        self, deployment_id: str, bounds: tuple[int, int] | None = None, *, version: str | None = None
    ) -> Deployment: ...

    async def stop_deployment(self, deployment_id: str, *, version: str | None = None) -> Deployment: ...

    async def delete(self, target_id: str, progress: Callable[[str], object] = ...) -> None:
        """Delete an endpoint or one deployment, telling ``progress`` each step."""
        ...

    async def list_events(
        self,
        endpoint_id: str,
        *,
        after: str | None = None,
        limit: int | None = None,
        since: datetime | None = None,
        min_level: str | None = None,
        deployment_ids: Sequence[str] = (),
    ) -> tuple[list[TimelineEvent], str | None]: ...
