"""Together v2 behind the provider interface: endpoints with deployments, and the operations on them.

v2 has no start or stop verb and no one-step create: this is where they are made of the API's pieces
(reference together-v2-api.md §A3-A5), so screens never branch on the provider:

* start / stop scale a deployment's autoscaling bounds (stop = 0/0; start = the bounds it had);
* deploy = endpoint (new or existing) + deployment + traffic split, rolling back a new endpoint when the
  deployment is refused; nothing here is retried automatically (``deploying``);
* delete is the smart delete the docs give: scale to 0/0, wait until STOPPED, leave the split, delete the
  deployment(s), then the endpoint, each step reported.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING, Any

from tui.api import errors
from tui.api.domain import (
    UNSET,
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
    HardwareOption,
    ModelOption,
    TimelineEvent,
)
from tui.api.pacing import Pacer
from tui.api.together.client import TogetherClient
from tui.api.together.provider import TogetherV1Provider
from tui.api.together.v2 import adapter, deploying, deployment_update
from tui.api.together.v2.adapter import Catalogue
from tui.api.together.v2.catalogue_keeper import CATALOGUE_REUSE, CatalogueKeeper
from tui.api.together.v2.client import TogetherV2Client
from tui.api.together.v2.deploying import ReplicaBoundsError, check_bounds
from tui.api.together.v2.teardown import Progress, Teardown
from tui.api.together.v2.wire import (
    AutoscalingRequest,
    DeploymentUpdate,
    DeploymentV2,
    EndpointUpdate,
    EndpointV2,
    TrafficSplitRequest,
)

if TYPE_CHECKING:
    from tui.api.analytics import EndpointMetrics

#: Bounds a deployment starts with when nothing says what it had (the CLI's deploy default).
DEFAULT_START_BOUNDS = (1, 1)


def _ignore(_: str) -> None:
    return None


class TogetherV2Provider:
    label = "Together v2"

    def __init__(
        self,
        client: TogetherV2Client,
        inference: TogetherClient,
        *,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        poll_interval: float = 5.0,
        stop_timeout: float = 900.0,
    ) -> None:
        self.client = client
        self.base_url = client.root
        # The inference host speaks the same OpenAI-compatible chat as v1: its client and adapter serve here.
        self._chat = TogetherV1Provider(inference)
        self.inference_url = inference.base_url
        self._teardown = Teardown(client, sleep=sleep, poll_interval=poll_interval, stop_timeout=stop_timeout)
        self._catalogue = CatalogueKeeper(self._read_catalogue)
        #: deployment id -> endpoint id, from every endpoint seen (v2 paths need both).
        self._parents: dict[str, str] = {}
        #: deployment id -> the last bounds it ran with, so a start restores them.
        self._running_bounds: dict[str, tuple[int, int]] = {}
        #: endpoint id -> (wire, catalogue, endpoint) of the last list: the same two make the same endpoint.
        self._built: dict[str, tuple[EndpointV2, Catalogue, Endpoint]] = {}

    def __repr__(self) -> str:
        return f"TogetherV2Provider(base_url={self.base_url!r})"

    async def check_access(self) -> None:
        """``/v3/whoami``: the one request every key may make, whatever project it belongs to."""
        await self.client.session.request("GET", f"{self.client.root}/v3/whoami", retry=False)

    # Reading

    async def catalogue(self, *, max_age: float | None = None) -> Catalogue:
        """Instance types (prices, room) and supported models (names), read once per start (``catalogue_keeper``)."""
        return await self._catalogue.get(max_age=max_age)

    def forget_catalogue(self) -> None:
        """The user asked for fresh data: the next ask with ``max_age`` reads the catalogue again."""
        self._catalogue.forget()

    async def _read_catalogue(self) -> Catalogue:
        instances, models = await asyncio.gather(self.client.list_instance_types(), self.client.list_supported_models())
        return Catalogue(instances, models)

    async def list_endpoints(self) -> list[Endpoint]:
        """Every endpoint with its deployments as the list summarises them, which is all a row needs: state,
        ready/desired, min-max, weight and share, hardware and so $/hour (``Endpoint.detailed``). Only a
        deployment's own read adds its status message, etag, engine, concurrency and idle timeout
        (``Deployment.detailed``): ``get_endpoint``, for the rows that need them.

        The catalogue (prices, model names) is read beside the first list (its answer is not on the rows'
        way to the screen then), then kept. Endpoints are built in loop-sized pieces; one whose wire model
        the client reused (its JSON unchanged since the last poll) is the endpoint built then, so a steady
        poll of a large account builds next to nothing.
        """
        first = self._catalogue.begin() if self._catalogue.kept is None else None
        wires = await self.client.list_endpoints()
        catalogue = await asyncio.shield(first) if first is not None else await self.catalogue()
        endpoints = []
        built: dict[str, tuple[EndpointV2, Catalogue, Endpoint]] = {}
        pacer = Pacer()
        for wire in wires:
            previous = self._built.get(wire.id)
            if previous is not None and previous[0] is wire and previous[1] is catalogue:
                endpoint = previous[2]
            else:
                endpoint = adapter.endpoint_from_wire(wire, catalogue)
            built[wire.id] = (wire, catalogue, endpoint)
            endpoints.append(self._seen(endpoint))
            await pacer.pause()
        self._built = built
        return endpoints

    async def get_endpoint(self, endpoint_id: str) -> Endpoint:
        wire, details = await asyncio.gather(
            self.client.get_endpoint(endpoint_id), self.client.list_deployments(endpoint_id)
        )
        return await self._endpoint(wire, details)

    async def get_deployment(self, deployment_id: str) -> Deployment:
        endpoint_id = await self.endpoint_of(deployment_id)
        return await self._deployment(await self.client.get_deployment(endpoint_id, deployment_id))

    async def endpoint_of(self, deployment_id: str) -> str:
        """The id of the endpoint a deployment belongs to."""
        if deployment_id not in self._parents:
            await self.list_endpoints()
        try:
            return self._parents[deployment_id]
        except KeyError:
            raise errors.NotFoundError(f"No endpoint has a deployment {deployment_id}.") from None

    # Deploying

    async def deploy_options(self, model: str) -> list[DeployOption]:
        """Each certified deployment profile of ``model`` with its hardware, $/hour per replica and room."""
        supported = await self.client.list_supported_models(search=model)
        catalogue = await self.catalogue(max_age=CATALOGUE_REUSE)
        chosen = [m for m in supported if model in (m.name, m.id)]
        # The adapter makes one option per profile, in order: the profile adds what the engine runs with.
        return [
            replace(option, quantization=profile.quantization, parallelism=profile.parallelism)
            for m in chosen
            for profile, option in zip(m.deployment_profiles, adapter.deploy_options(m, catalogue), strict=True)
        ]

    async def deploy(self, spec: DeploySpec, progress: Progress = _ignore) -> Endpoint:
        """Endpoint + deployment + traffic split in one step (``deploying``); the endpoint after."""
        endpoint_id, deployment_id = await deploying.deploy(self.client, spec, progress, self._model_name)
        self._parents[deployment_id] = endpoint_id
        return await self.get_endpoint(endpoint_id)

    async def validate_deploy(self, spec: DeploySpec) -> bool:
        """``validateOnly``: True when the service checked it, False when it cannot yet (a new endpoint)."""
        return await deploying.validate(self.client, spec, self._model_name)

    # Updating one deployment (its own module: tui.api.together.v2.deployment_update)

    async def deployment_settings(self, deployment_id: str) -> DeploymentSettings:
        """What an update form starts from: the deployment as it is now, with both etags a write carries."""
        endpoint_id = await self.endpoint_of(deployment_id)
        return await deployment_update.settings(self.client, await self.catalogue(), endpoint_id, deployment_id)

    async def update_deployment(self, settings: DeploymentSettings, changes: DeploymentChanges) -> Endpoint:
        """Only what changed, with the etags as loaded (a stale one is a ConflictError); the endpoint after."""
        wire = await deployment_update.send(self.client, settings, changes)
        if wire is not None:
            self._parents[wire.id] = wire.endpoint_id or settings.endpoint_id
        return await self.get_endpoint(settings.endpoint_id)

    # Scaling: start and stop are bounds

    async def scale_deployment(
        self, deployment_id: str, min_replicas: int, max_replicas: int, *, version: str | None = None
    ) -> Deployment:
        """New bounds; ``version`` is the etag the caller loaded (a stale one is a ConflictError)."""
        check_bounds(min_replicas, max_replicas)
        endpoint_id = await self.endpoint_of(deployment_id)
        request = DeploymentUpdate(
            autoscaling=AutoscalingRequest(min_replicas=min_replicas, max_replicas=max_replicas),
            **({"etag": version} if version else {}),
        )
        return await self._deployment(await self.client.update_deployment(endpoint_id, deployment_id, request))

    async def stop_deployment(self, deployment_id: str, *, version: str | None = None) -> Deployment:
        return await self.scale_deployment(deployment_id, 0, 0, version=version)

    async def start_deployment(
        self, deployment_id: str, bounds: tuple[int, int] | None = None, *, version: str | None = None
    ) -> Deployment:
        """Back to ``bounds``, else the bounds it last ran with here, else 1/1."""
        minimum, maximum = bounds or self._running_bounds.get(deployment_id, DEFAULT_START_BOUNDS)
        if minimum < 1:
            raise ReplicaBoundsError(f"A start needs at least one replica (got {minimum}/{maximum}).")
        return await self.scale_deployment(deployment_id, minimum, maximum, version=version)

    async def start_endpoint(self, endpoint_id: str) -> Endpoint:
        """Start every stopped deployment of the endpoint."""
        current = await self.get_endpoint(endpoint_id)
        for deployment in current.deployments:
            if deployment.max_replicas == 0:
                await self.start_deployment(deployment.id, version=deployment.version)
        return await self.get_endpoint(endpoint_id)

    async def stop_endpoint(self, endpoint_id: str) -> Endpoint:
        current = await self.get_endpoint(endpoint_id)
        for deployment in current.deployments:
            if deployment.max_replicas != 0:
                await self.stop_deployment(deployment.id, version=deployment.version)
        return await self.get_endpoint(endpoint_id)

    async def update_endpoint(self, endpoint_id: str, changes: EndpointChanges) -> Endpoint:
        """Bounds and the inactive timeout of an endpoint's only deployment (v2 names are immutable)."""
        if changes.display_name is not UNSET:
            raise errors.BadRequestError("A v2 endpoint's name cannot change: deploy to a new endpoint instead.")
        current = await self.get_endpoint(endpoint_id)
        if len(current.deployments) != 1:
            raise errors.BadRequestError(
                f"{current.name} has {len(current.deployments)} deployments: change one of them instead."
            )
        [deployment] = current.deployments
        fields: dict[str, Any] = {"etag": deployment.version} if deployment.version else {}
        if changes.min_replicas is not UNSET or changes.max_replicas is not UNSET:
            minimum = deployment.min_replicas if changes.min_replicas is UNSET else changes.min_replicas
            maximum = deployment.max_replicas if changes.max_replicas is UNSET else changes.max_replicas
            if minimum is None or maximum is None:
                # The service reported a bound as nonsense: take the other one's value.
                minimum = maximum = minimum if maximum is None else maximum
            if minimum is None or maximum is None:
                raise errors.BadRequestError(f"{deployment.name} reports no replica bounds: give both.")
            check_bounds(minimum, maximum)
            fields["autoscaling"] = AutoscalingRequest(min_replicas=minimum, max_replicas=maximum)
        if changes.inactive_timeout is not UNSET:
            # v2 says "off" with 0.
            fields["inactive_timeout"] = changes.inactive_timeout or 0
        await self.client.update_deployment(endpoint_id, deployment.id, DeploymentUpdate(**fields))
        return await self.get_endpoint(endpoint_id)

    # Smart delete

    async def delete(self, target_id: str, progress: Progress = _ignore) -> None:
        """Delete an endpoint (``ep_…``) or one deployment (``dep_…``) the way the service allows it."""
        if target_id in self._parents or target_id.startswith("dep_"):
            endpoint_id = await self.endpoint_of(target_id)
            self._forget(await self._teardown.delete_deployments(endpoint_id, {target_id}, progress))
            return
        deployments = await self.client.list_deployments(target_id)
        self._forget(await self._teardown.delete_deployments(target_id, {d.id for d in deployments}, progress))
        fresh = await self.client.get_endpoint(target_id)
        progress(f"Deleting endpoint {fresh.name}")
        await self.client.delete_endpoint(target_id, etag=fresh.etag)
        progress(f"Deleted endpoint {fresh.name}")

    async def delete_endpoint(self, endpoint_id: str) -> None:
        await self.delete(endpoint_id)

    # Events

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
        """One page of the endpoint's feed, newest first, and the cursor of the next (None at the end)."""
        from tui.api.together.v2 import insight  # events and analytics: after the first frame, not before

        page = await self.client.list_events(
            endpoint_id, after=after, limit=limit, since=since, min_level=min_level, deployment_ids=deployment_ids
        )
        return [insight.event_from_wire(e) for e in page.data], page.next_cursor

    async def analytics(
        self, endpoint_id: str, *, start: datetime, end: datetime, granularity: str, deployment_id: str | None = None
    ) -> EndpointMetrics:
        """What the endpoint (or one deployment) served in [start, end), with a series at ``granularity``."""
        from tui.api.together.v2 import insight

        return await insight.fetch_analytics(
            self.client, endpoint_id, start=start, end=end, granularity=granularity, deployment_id=deployment_id
        )

    async def set_traffic_split(
        self, endpoint_id: str, weights: Mapping[str, float], *, version: str | None = None
    ) -> Endpoint:
        """Replace the split (``updateMask=trafficSplit``); with ``version`` (the etag) a changed endpoint is 409."""
        split = [TrafficSplitRequest(deployment_id=d, weight=w) for d, w in weights.items()]
        request = EndpointUpdate(traffic_split=split, **({"etag": version} if version else {}))
        return await self._endpoint(await self.client.update_endpoint(endpoint_id, request))

    # Catalogue for the screens

    async def list_hardware(self, model: str | None = None) -> list[HardwareOption]:
        catalogue = await self.catalogue(max_age=CATALOGUE_REUSE)
        options = [
            replace(adapter.hardware_from_wire(i), regions=adapter.regions_with_room(i))
            for i in catalogue.instances.values()
        ]
        if model is None:
            return options
        fitting = {o.hardware_label for o in await self.deploy_options(model)}
        return [o for o in options if adapter.hardware_label(o.id) in fitting]

    async def list_models(self) -> list[ModelOption]:
        return [
            replace(adapter.model_from_wire(m), recommended=m.status == "SUPPORTED_MODEL_STATUS_RECOMMENDED")
            for m in await self.client.list_supported_models()
        ]

    async def list_regions(self) -> list[str]:
        catalogue = await self.catalogue(max_age=CATALOGUE_REUSE)
        return sorted({r.name for i in catalogue.instances.values() for r in i.regions if r.name})

    # Chat, on the inference host

    def stream_chat(
        self, model: str, messages: Sequence[ChatMessage], params: ChatParams | None = None
    ) -> AsyncIterator[ChatEvent]:
        return self._chat.stream_chat(model, messages, params)

    async def chat(self, model: str, messages: Sequence[ChatMessage], params: ChatParams | None = None) -> ChatReply:
        return await self._chat.chat(model, messages, params)

    async def aclose(self) -> None:
        await self._chat.aclose()

    # Plumbing

    async def _endpoint(self, wire: EndpointV2, details: Sequence[DeploymentV2] | None = None) -> Endpoint:
        return self._seen(adapter.endpoint_from_wire(wire, await self.catalogue(), details))

    async def _deployment(self, wire: DeploymentV2) -> Deployment:
        self._parents[wire.id] = wire.endpoint_id
        return self._remember(adapter.deployment_from_wire(wire, {}, await self.catalogue()))

    def _seen(self, endpoint: Endpoint) -> Endpoint:
        for deployment in endpoint.deployments:
            self._parents[deployment.id] = endpoint.id
            self._remember(deployment)
        return endpoint

    def _remember(self, deployment: Deployment) -> Deployment:
        if deployment.min_replicas and deployment.max_replicas:
            self._running_bounds[deployment.id] = (deployment.min_replicas, deployment.max_replicas)
        return deployment

    def _forget(self, deployment_ids: list[str]) -> None:
        for deployment_id in deployment_ids:
            self._parents.pop(deployment_id, None)
            self._running_bounds.pop(deployment_id, None)

    def _model_name(self, model: str) -> str:
        kept = self._catalogue.kept
        return kept.model_name(model) if kept else model
