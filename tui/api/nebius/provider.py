"""Nebius Token Factory behind the provider interface.

What differs from Together stays in here (control-planes.md, "What this means for the interface"):

* no get-by-id: ``get_endpoint`` reads the list (the store polls the list anyway);
* start / stop are ``PATCH {"enabled": true|false}``; an update sends only what changed, and scaling
  always with both bounds (partial merging is UNVERIFIED);
* what a create picks is a deploy option: ``EndpointSpec.hardware_id`` is an option id from
  ``deploy_options`` (``base:1xgpu-h100-sxm``, region from ``availability_zone``) or from
  ``list_hardware`` (``base:1xgpu-h100-sxm@eu-north1``, region included);
* no price in the API: $/hour comes from a per-GPU price table (the user's settings); without an entry
  the price is unknown, never $0 (``price_note`` says so);
* chat goes to the endpoint region's host with ``model = routing_key``; the 404 the service answers
  until an endpoint is routable is ``EndpointNotRunningError`` ("not ready yet").
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping, Sequence
from dataclasses import replace
from typing import Any

import httpx

from tui.api import errors
from tui.api.domain import (
    UNSET,
    Capabilities,
    ChatEvent,
    ChatMessage,
    ChatParams,
    ChatReply,
    ChatUsage,
    DeployOption,
    Endpoint,
    EndpointChanges,
    EndpointSpec,
    HardwareOption,
    ModelOption,
)
from tui.api.http import READ_DEADLINE, SecretLike
from tui.api.nebius import adapter
from tui.api.nebius.adapter import Template
from tui.api.nebius.client import DEFAULT_BASE_URL, NebiusClient
from tui.api.nebius.wire import CreateEndpointRequest, InvalidShape, Scaling, UpdateEndpointRequest
from tui.api.safe_text import clean_multiline, clean_optional
from tui.api.together.client import TogetherClient
from tui.api.together.models import Usage
from tui.api.together.provider import chat_body, usage_from_wire

KEY_ENV = "NEBIUS_TOKEN_FACTORY_API_KEY"
CAPABILITIES = Capabilities(
    serverless_listing=False,
    placement="regions",
    speculative_decoding=False,
    inactive_timeout=False,
    get_by_id=False,
    events=False,
    metrics=False,
    traffic_split=False,
    renames=True,
    deploy_profiles=True,
    region_required=True,
    endpoint_names="display",
    regions_have_room=False,
    prices_from_api=False,
)


class NebiusProvider:
    label = "Nebius Token Factory"
    capabilities = CAPABILITIES
    price_note = adapter.PRICE_NOTE

    def __init__(self, client: NebiusClient, *, prices: Mapping[str, float] | None = None) -> None:
        self.client = client
        self.base_url = client.base_url
        #: $ per GPU-hour by GPU type (``gpu-h100-sxm``), from the user's settings.
        self.prices: dict[str, float] = dict(prices or {})
        self._templates: list[Template] | None = None
        #: routing key -> region, from every endpoint seen: chat needs the region's host.
        self._regions: dict[str, str | None] = {}

    def __repr__(self) -> str:
        return f"NebiusProvider(base_url={self.base_url!r})"

    # Endpoints

    async def list_endpoints(self, *, include_serverless: bool = False) -> list[Endpoint]:
        endpoints = []
        for raw in await self.client.list_endpoints():
            try:
                endpoints.append(self._seen(adapter.endpoint_from_wire(raw)))
            except InvalidShape:
                continue  # an entry without an id cannot be shown or acted on; the rest still can
        return endpoints

    async def get_endpoint(self, endpoint_id: str) -> Endpoint:
        for endpoint in await self.list_endpoints():
            if endpoint.id == endpoint_id:
                return endpoint
        raise errors.NotFoundError(f"No endpoint {endpoint_id} in this account.", status=404)

    async def create_endpoint(self, spec: EndpointSpec) -> Endpoint:
        """Exactly one POST; the option and region are checked against the templates before sending."""
        parsed = adapter.parse_option_id(spec.hardware_id)
        if parsed is None:
            raise errors.BadRequestError(f"{spec.hardware_id!r} is not a Nebius deploy option.")
        offer = await self._offer(spec.model, parsed.flavor, parsed.gpu_type, parsed.gpu_count)
        region = self._region(spec, parsed.region, offer)
        request = CreateEndpointRequest(
            name=spec.display_name or _default_name(spec.model),
            model_name=spec.model,
            flavor_name=parsed.flavor,
            gpu_type=parsed.gpu_type,
            gpu_count=parsed.gpu_count,
            region=region,
            scaling=Scaling(min_replicas=spec.min_replicas, max_replicas=spec.max_replicas),
            **({} if spec.start else {"enabled": False}),
        )
        payload = await self.client.create_endpoint(request)
        try:
            return self._seen(adapter.endpoint_from_wire(payload))
        except InvalidShape:
            raise errors.InvalidResponseError(
                "The endpoint was created, but the answer did not say its id: refresh the list to see it."
            ) from None

    async def update_endpoint(self, endpoint_id: str, changes: EndpointChanges) -> Endpoint:
        if changes.inactive_timeout is not UNSET:
            raise errors.BadRequestError("Nebius endpoints have no inactive timeout: disable the endpoint instead.")
        if changes.display_name is not UNSET and not changes.display_name:
            raise errors.BadRequestError("A Nebius endpoint needs a name (1 to 100 characters).")
        fields: dict[str, Any] = {}
        if changes.display_name is not UNSET:
            fields["name"] = changes.display_name
        if changes.min_replicas is not UNSET or changes.max_replicas is not UNSET:
            minimum, maximum = changes.min_replicas, changes.max_replicas
            if minimum is UNSET or maximum is UNSET:
                current = await self.get_endpoint(endpoint_id)
                minimum = current.min_replicas if minimum is UNSET else minimum
                maximum = current.max_replicas if maximum is UNSET else maximum
            if minimum is None or maximum is None:
                raise errors.BadRequestError("The endpoint reports no replica bounds: give both.")
            fields["scaling"] = Scaling(min_replicas=minimum, max_replicas=maximum)
        if not fields:
            return await self.get_endpoint(endpoint_id)
        return await self._patch(endpoint_id, UpdateEndpointRequest(**fields))

    async def start_endpoint(self, endpoint_id: str) -> Endpoint:
        return await self._patch(endpoint_id, UpdateEndpointRequest(enabled=True))

    async def stop_endpoint(self, endpoint_id: str) -> Endpoint:
        return await self._patch(endpoint_id, UpdateEndpointRequest(enabled=False))

    async def delete_endpoint(self, endpoint_id: str) -> None:
        await self.client.delete_endpoint(endpoint_id)

    # Catalogue

    async def templates(self, *, refresh: bool = False) -> list[Template]:
        if self._templates is None or refresh:
            parsed = (adapter.template_from_wire(raw) for raw in await self.client.list_templates())
            self._templates = [t for t in parsed if t is not None]
        return self._templates

    async def deploy_options(self, model: str) -> list[DeployOption]:
        """Each flavor x GPU type x GPUs per replica the templates offer for ``model``, with its regions."""
        offers = [o for t in await self.templates(refresh=True) if t.name == model for o in t.offers]
        return [adapter.deploy_option(o, self.prices) for o in offers]

    async def list_hardware(self, model: str | None = None) -> list[HardwareOption]:
        """One row per offer and region; without a model, the union over every template."""
        rows: dict[str, HardwareOption] = {}
        for template in await self.templates(refresh=True):
            if model is None or template.name == model:
                for offer in template.offers:
                    for option in adapter.hardware_options(offer, self.prices):
                        rows.setdefault(option.id, option)
        return list(rows.values())

    async def list_availability_zones(self) -> list[str]:
        """Regions (Nebius places by region, not zone) any template offers."""
        regions = {r for t in await self.templates() for o in t.offers for r in o.regions}
        return sorted(regions)

    async def list_models(self, *, dedicated_only: bool = False) -> list[ModelOption]:
        # Only dedicated templates: serverless models are not listed here (capabilities.serverless_listing).
        return [adapter.model_from_template(t) for t in await self.templates()]

    # Chat

    async def stream_chat(
        self, model: str, messages: Sequence[ChatMessage], params: ChatParams | None = None
    ) -> AsyncIterator[ChatEvent]:
        client = await self._chat_client(model)
        body = {**chat_body(model, messages, params), "stream_options": {"include_usage": True}}
        try:
            async for chunk in client.stream_chat_completion(body):
                content = reasoning = ""
                finish_reason = None
                for choice in chunk.choices:
                    if choice.index != 0:
                        continue
                    delta = choice.delta
                    if delta is not None:
                        content = clean_multiline(delta.content)
                        reasoning = clean_multiline((delta.reasoning or "") + (delta.reasoning_content or ""))
                    finish_reason = clean_optional(choice.finish_reason, limit=40)
                yield ChatEvent(content, reasoning, finish_reason, _usage(chunk.usage))
        except errors.NotFoundError as exc:
            raise self._not_ready(model, exc) from None

    async def chat(self, model: str, messages: Sequence[ChatMessage], params: ChatParams | None = None) -> ChatReply:
        client = await self._chat_client(model)
        try:
            response = await client.chat_completion(chat_body(model, messages, params))
        except errors.NotFoundError as exc:
            raise self._not_ready(model, exc) from None
        choice = response.choices[0] if response.choices else None
        message = choice.message if choice else None
        return ChatReply(
            content=clean_multiline(message.content) if message else "",
            reasoning=clean_multiline((message.reasoning or "") + (message.reasoning_content or "")) if message else "",
            finish_reason=clean_optional(choice.finish_reason, limit=40) if choice else None,
            usage=_usage(response.usage),
        )

    async def check_access(self) -> None:
        """One cheap authenticated read (the templates), for a key check."""
        await self.client.list_templates()

    async def aclose(self) -> None:
        await self.client.aclose()

    # Plumbing

    def _seen(self, endpoint: Endpoint) -> Endpoint:
        if endpoint.inference_target:
            self._regions[endpoint.inference_target] = endpoint.region
        return endpoint

    async def _chat_client(self, model: str) -> TogetherClient:
        if model not in self._regions:
            # A routing key not seen yet (chat opened before the first list): one list finds its region.
            await self.list_endpoints()
        return self.client.chat_client(self._regions.get(model))

    def _not_ready(self, model: str, exc: errors.APIError) -> errors.APIError:
        if model not in self._regions:
            return exc
        return errors.EndpointNotRunningError(
            f"{model} is not ready yet: Nebius answers 404 until the endpoint has a ready replica.",
            status=exc.status, request_id=exc.request_id,
        )

    async def _patch(self, endpoint_id: str, request: UpdateEndpointRequest) -> Endpoint:
        payload = await self.client.update_endpoint(endpoint_id, request)
        if payload is not None:
            try:
                return self._seen(adapter.endpoint_from_wire(payload))
            except InvalidShape:
                pass  # an answer without the object: the list says how it is now
        return await self.get_endpoint(endpoint_id)

    async def _offer(self, model: str, flavor: str, gpu_type: str, gpu_count: int) -> adapter.Offer:
        for template in await self.templates():
            for offer in template.offers:
                if (offer.model, offer.flavor, offer.gpu_type, offer.gpu_count) == (model, flavor, gpu_type, gpu_count):
                    return offer
        raise errors.BadRequestError(
            f"No Nebius template offers {model} as {flavor} on {gpu_count} x {gpu_type}: pick one from the list."
        )

    def _region(self, spec: EndpointSpec, in_id: str | None, offer: adapter.Offer) -> str:
        chosen = spec.availability_zone or in_id
        if spec.availability_zone and in_id and spec.availability_zone != in_id:
            raise errors.BadRequestError(
                f"The option is for {in_id}, but the region chosen is {spec.availability_zone}."
            )
        if chosen is None and len(offer.regions) == 1:
            chosen = offer.regions[0]
        if chosen is None:
            # The region is fixed for the endpoint's life and decides where data is processed: never guessed.
            raise errors.BadRequestError(f"Pick a region: {', '.join(offer.regions) or 'none offered'}.")
        if offer.regions and chosen not in offer.regions:
            raise errors.BadRequestError(
                f"{offer.model} on this option is offered in {', '.join(offer.regions)}, not {chosen}."
            )
        return chosen


def _default_name(model: str) -> str:
    return (model.rpartition("/")[2] or "endpoint")[:100]


def _usage(usage: Usage | None) -> ChatUsage | None:
    """Together's usage, plus OpenAI's ``prompt_tokens_details.cached_tokens`` that Nebius reports."""
    converted = usage_from_wire(usage)
    if usage is None or converted is None or converted.cached_tokens is not None:
        return converted
    details = (usage.model_extra or {}).get("prompt_tokens_details")
    cached = details.get("cached_tokens") if isinstance(details, dict) else None
    if isinstance(cached, int) and not isinstance(cached, bool) and cached >= 0:
        return replace(converted, cached_tokens=cached)
    return converted


def create_provider(
    api_key: str | SecretLike,
    base_url: str | None = None,
    options: Mapping[str, Any] | None = None,
) -> NebiusProvider:
    """The registry's factory: ``options`` may hold ``prices`` ($/GPU-hour by GPU type),
    ``inference_url`` (one base for every region's chat; by default the base URL itself when that is not
    Nebius's own, so a simulator or a proxy gets the chat too), ``project_id``
    (``ai_project_id``) and ``transport`` (tests)."""
    options = options or {}
    transport = options.get("transport")
    base_url = (base_url or DEFAULT_BASE_URL).rstrip("/").removesuffix("/v1")
    inference_url = options.get("inference_url")
    if not inference_url and base_url != DEFAULT_BASE_URL:
        # A control plane of one's own (a simulator, a proxy) serves chat too: the key given for it must not
        # go to Nebius's regional hosts instead.
        inference_url = base_url
    client = NebiusClient(
        api_key,
        base_url,
        inference_url=inference_url,
        project_id=options.get("project_id"),
        transport=transport if isinstance(transport, httpx.AsyncBaseTransport) else None,
        read_deadline=float(options.get("read_deadline") or READ_DEADLINE),
    )
    return NebiusProvider(client, prices=options.get("prices"))
