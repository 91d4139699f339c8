"""One Together provider for the app: v2 endpoints (with their deployments) beside the account's legacy v1 ones.

Each endpoint says which API it lives on (``Endpoint.api``), and every operation goes to that API. v1 keeps
what the service still allows (list, get, update, stop, delete, chat); creating and restarting on v1 are
retired (403 ``endpoints_v1_create_access_disabled``), so they are not attempted: they raise
``V1RetiredError``, whose message says to redeploy on v2 (``deploy``).
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator, Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

import httpx

from tui.api import errors
from tui.api.domain import (
    Capabilities,
    ChatEvent,
    ChatMessage,
    ChatParams,
    ChatReply,
    Deployment,
    DeploymentChanges,
    DeploymentSettings,
    DeployOption,
    DeploySpec,
    Endpoint,
    EndpointChanges,
    EndpointSpec,
    HardwareOption,
    ModelOption,
    TimelineEvent,
)
from tui.api.http import READ_DEADLINE, SecretLike
from tui.api.together.client import TogetherClient
from tui.api.together.provider import TogetherV1Provider
from tui.api.together.v2.client import DEFAULT_INFERENCE_URL, TogetherV2Client, management_root
from tui.api.together.v2.provider import Progress, TogetherV2Provider
from tui.api.urls import TOGETHER_BASE_URL as DEFAULT_BASE_URL

if TYPE_CHECKING:
    from tui.api.analytics import EndpointMetrics

CAPABILITIES = Capabilities(
    serverless_listing=True,
    placement="regions",
    speculative_decoding=False,
    inactive_timeout=True,
    get_by_id=True,
    events=True,
    metrics=True,
    traffic_split=True,
    renames=False,
    deployments=True,
    deploy_profiles=True,
    redeploys_legacy=True,
)
# Ids v2 hands out (reference §A1); v1 ids look like ``endpoint-<uuid>``.
_V2_PREFIXES = ("ep_", "dep_")


def _ignore(_: str) -> None:
    return None


class TogetherProvider:
    label = "Together"
    capabilities = CAPABILITIES

    def __init__(self, v1: TogetherV1Provider, v2: TogetherV2Provider) -> None:
        self.v1 = v1
        self.v2 = v2
        self.base_url = v2.base_url
        #: v2 ids and inference names seen, so an operation or a chat goes to the API that owns it.
        self._v2_ids: set[str] = set()
        self._v2_names: set[str] = set()

    @classmethod
    def connect(
        cls,
        api_key: str | SecretLike,
        base_url: str = DEFAULT_BASE_URL,
        *,
        inference_url: str | None = None,
        project_id: str | None = None,
        environ: Mapping[str, str] | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        read_deadline: float = READ_DEADLINE,
        **v2_options: Any,
    ) -> TogetherProvider:
        """Both APIs of one account from its key. ``base_url`` may be the root or ``…/v1`` (today's default).

        ``inference_url`` is the v2 inference host (``TOGETHER_INFERENCE_URL``, else Together's); the demo and
        the tests point it at the simulator. ``v2_options`` go to ``TogetherV2Provider`` (poll interval, sleep).
        """
        env = environ if environ is not None else os.environ
        root = management_root(base_url)
        v1_client = TogetherClient(api_key, f"{root}/v1", transport=transport, read_deadline=read_deadline)
        inference_root = management_root(inference_url or env.get("TOGETHER_INFERENCE_URL") or DEFAULT_INFERENCE_URL)
        inference = TogetherClient(
            api_key, f"{inference_root}/v1", transport=transport, read_deadline=read_deadline
        )
        v2_client = TogetherV2Client(v1_client.session, project_id=project_id, environ=env)
        return cls(TogetherV1Provider(v1_client), TogetherV2Provider(v2_client, inference, **v2_options))

    def __repr__(self) -> str:
        return f"TogetherProvider(base_url={self.base_url!r})"

    async def check_access(self) -> None:
        """The key is the account's: v2's whoami answers for it whatever the account still has on v1."""
        await self.v2.check_access()

    @property
    def project_slug(self) -> str | None:
        """The prefix of v2 inference names (``<slug>/<endpoint>``), once whoami said it; None before."""
        project = self.v2.client.known_project
        return project.slug if project is not None else None

    def is_v2(self, resource_id: str) -> bool:
        return resource_id in self._v2_ids or resource_id.startswith(_V2_PREFIXES)

    # Endpoints

    async def list_endpoints(self, *, include_serverless: bool = False) -> list[Endpoint]:
        """v2 endpoints first (with their deployments), then the legacy v1 ones."""
        v2, v1 = await asyncio.gather(
            self.v2.list_endpoints(), self.v1.list_endpoints(include_serverless=include_serverless)
        )
        return [*(self._seen(e) for e in v2), *v1]

    async def get_endpoint(self, endpoint_id: str) -> Endpoint:
        if self.is_v2(endpoint_id):
            return self._seen(await self.v2.get_endpoint(endpoint_id))
        return await self.v1.get_endpoint(endpoint_id)

    async def create_endpoint(self, spec: EndpointSpec) -> Endpoint:
        """v1 creates no more endpoints: deploy on v2 (``deploy_options`` and ``deploy``)."""
        raise errors.V1RetiredError()

    async def update_endpoint(self, endpoint_id: str, changes: EndpointChanges) -> Endpoint:
        if self.is_v2(endpoint_id):
            return self._seen(await self.v2.update_endpoint(endpoint_id, changes))
        return await self.v1.update_endpoint(endpoint_id, changes)

    async def start_endpoint(self, endpoint_id: str) -> Endpoint:
        """v2: every stopped deployment back to its bounds. v1 restarts nothing any more: redeploy on v2."""
        if self.is_v2(endpoint_id):
            return self._seen(await self.v2.start_endpoint(endpoint_id))
        raise errors.V1RetiredError()

    async def stop_endpoint(self, endpoint_id: str) -> Endpoint:
        """Once a v1 endpoint stops it cannot start again on v1 (the screens say so before asking)."""
        if self.is_v2(endpoint_id):
            return self._seen(await self.v2.stop_endpoint(endpoint_id))
        return await self.v1.stop_endpoint(endpoint_id)

    async def delete_endpoint(self, endpoint_id: str) -> None:
        await self.delete(endpoint_id)

    async def delete(self, target_id: str, progress: Progress = _ignore) -> None:
        """A v2 endpoint or deployment by the smart delete (each step told to ``progress``); a v1 endpoint at once."""
        if self.is_v2(target_id):
            await self.v2.delete(target_id, progress)
            self._v2_ids.discard(target_id)
            return
        progress(f"Deleting v1 endpoint {target_id}")
        await self.v1.delete_endpoint(target_id)

    # v2 deployments

    async def deploy_options(self, model: str) -> list[DeployOption]:
        return await self.v2.deploy_options(model)

    async def deploy(self, spec: DeploySpec, progress: Progress = _ignore) -> Endpoint:
        """Create exactly once: never retried automatically (each POST is sent at most once)."""
        return self._seen(await self.v2.deploy(spec, progress))

    async def validate_deploy(self, spec: DeploySpec) -> bool:
        """``validateOnly``: True when the service checked it, False when it cannot yet (a new endpoint)."""
        return await self.v2.validate_deploy(spec)

    async def deployment_settings(self, deployment_id: str) -> DeploymentSettings:
        return await self.v2.deployment_settings(deployment_id)

    async def update_deployment(self, settings: DeploymentSettings, changes: DeploymentChanges) -> Endpoint:
        return self._seen(await self.v2.update_deployment(settings, changes))

    async def get_deployment(self, deployment_id: str) -> Deployment:
        return await self.v2.get_deployment(deployment_id)

    async def scale_deployment(
        self, deployment_id: str, min_replicas: int, max_replicas: int, *, version: str | None = None
    ) -> Deployment:
        return await self.v2.scale_deployment(deployment_id, min_replicas, max_replicas, version=version)

    async def start_deployment(
        self, deployment_id: str, bounds: tuple[int, int] | None = None, *, version: str | None = None
    ) -> Deployment:
        return await self.v2.start_deployment(deployment_id, bounds, version=version)

    async def stop_deployment(self, deployment_id: str, *, version: str | None = None) -> Deployment:
        return await self.v2.stop_deployment(deployment_id, version=version)

    async def list_events(
        self,
        endpoint_id: str,
        *,
        after: str | None = None,
        limit: int | None = None,
        since: datetime | None = None,
        min_level: str | None = None,
        deployment_ids: Sequence[str] = (),
    ) -> tuple[list[TimelineEvent], str | None]:
        return await self.v2.list_events(
            endpoint_id, after=after, limit=limit, since=since, min_level=min_level, deployment_ids=deployment_ids
        )

    async def analytics(
        self, endpoint_id: str, *, start: datetime, end: datetime, granularity: str, deployment_id: str | None = None
    ) -> EndpointMetrics:
        return await self.v2.analytics(
            endpoint_id, start=start, end=end, granularity=granularity, deployment_id=deployment_id
        )

    async def set_traffic_split(
        self, endpoint_id: str, weights: Mapping[str, float], *, version: str | None = None
    ) -> Endpoint:
        return self._seen(await self.v2.set_traffic_split(endpoint_id, weights, version=version))

    # Catalogue: what a new deployment can use, which is v2's

    async def list_hardware(self, model: str | None = None) -> list[HardwareOption]:
        return await self.v2.list_hardware(model)

    def forget_catalogue(self) -> None:
        """The user asked for fresh data: v2's kept catalogue is read again at the next ask (``Catalog``)."""
        self.v2.forget_catalogue()

    async def legacy_hardware(self) -> list[HardwareOption]:
        """v1's hardware with its prices: what the account's legacy endpoints bill (a redeploy compares both)."""
        return await self.v1.list_hardware()

    async def list_availability_zones(self) -> list[str]:
        """v2 regions (v1 zones only ever applied to v1 creates)."""
        return await self.v2.list_regions()

    async def list_models(self, *, dedicated_only: bool = False) -> list[ModelOption]:
        """Deployable models (v2's supported models), or every model the account can chat with (v1 /models)."""
        if dedicated_only:
            return await self.v2.list_models()
        return await self.v1.list_models()

    # Chat: v2 names on the inference host, everything else (v1 endpoints, serverless) where it always was

    def chat_host_is_v2(self, model: str) -> bool:
        project = self.v2.client.known_project
        return model in self._v2_names or bool(project and project.slug and model.startswith(f"{project.slug}/"))

    def stream_chat(
        self, model: str, messages: Sequence[ChatMessage], params: ChatParams | None = None
    ) -> AsyncIterator[ChatEvent]:
        api = self.v2 if self.chat_host_is_v2(model) else self.v1
        return api.stream_chat(model, messages, params)

    async def chat(self, model: str, messages: Sequence[ChatMessage], params: ChatParams | None = None) -> ChatReply:
        api = self.v2 if self.chat_host_is_v2(model) else self.v1
        return await api.chat(model, messages, params)

    async def aclose(self) -> None:
        # The v2 management client shares v1's session: closing v1 closes both.
        await asyncio.gather(self.v2.aclose(), self.v1.aclose())

    def _seen(self, endpoint: Endpoint) -> Endpoint:
        self._v2_ids.add(endpoint.id)
        self._v2_names.add(endpoint.inference_model)
        for deployment in endpoint.deployments:
            self._v2_ids.add(deployment.id)
            self._v2_names.add(deployment.name)
        return endpoint
