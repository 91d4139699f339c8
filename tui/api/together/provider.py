"""Together v1 behind the provider interface: wire models in, domain objects out."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from datetime import UTC, datetime
from typing import Any

from tui.api import errors
from tui.api.domain import (
    UNSET,
    Availability,
    ChatEvent,
    ChatMessage,
    ChatParams,
    ChatReply,
    ChatUsage,
    Endpoint,
    EndpointChanges,
    EndpointSpec,
    HardwareOption,
    ModelOption,
    Phase,
)
from tui.api.pacing import Pacer
from tui.api.safe_text import clean, clean_multiline, clean_optional
from tui.api.together.client import TogetherClient
from tui.api.together.models import (
    Autoscaling,
    CreateEndpointRequest,
    DedicatedEndpoint,
    HardwareWithStatus,
    ListEndpoint,
    ModelInfo,
    UpdateEndpointRequest,
    Usage,
)

PHASES = {
    "PENDING": Phase.PENDING,
    "STARTING": Phase.STARTING,
    "STARTED": Phase.READY,
    "STOPPING": Phase.STOPPING,
    "STOPPED": Phase.STOPPED,
    "ERROR": Phase.FAILED,
    # SDK 1.x knew this one; harmless to understand it.
    "FAILED": Phase.FAILED,
}


# Unknown fields are shown in the details panel: bounded, so a hostile one cannot flood it.
_EXTRA_TEXT_LIMIT = 500
_EXTRA_DEPTH = 4


def phase_of(state: str) -> Phase:
    return PHASES.get(state.upper(), Phase.UNKNOWN)


def parse_time(value: str | None) -> datetime | None:
    """An ISO 8601 time, always timezone-aware: one without a zone is UTC (as Together means it); anything
    that is not a time is None, so a bad timestamp costs one cell, never the whole table."""
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except (ValueError, OverflowError):
        return None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


def clean_tree(value: Any, depth: int = 0) -> Any:
    """Unknown JSON made display-safe: every string (keys included) cleaned and bounded, depth bounded."""
    if isinstance(value, str):
        return clean(value, limit=_EXTRA_TEXT_LIMIT)
    if depth >= _EXTRA_DEPTH and isinstance(value, (dict, list)):
        return "…"
    if isinstance(value, dict):
        return {clean(key, limit=100): clean_tree(item, depth + 1) for key, item in value.items()}
    if isinstance(value, list):
        return [clean_tree(item, depth + 1) for item in value]
    return value


def endpoint_from_wire(wire: ListEndpoint) -> Endpoint:
    # Called for every row of every poll (thousands on a large account): each test is made once.
    detail = wire if isinstance(wire, DedicatedEndpoint) else None
    autoscaling = detail.autoscaling if detail else None
    state = clean(wire.state) or "UNKNOWN"
    unknown = wire.model_extra
    extra = clean_tree(dict(unknown)) if unknown else {}
    # Not in the v1 spec, but a newer service may say: first-class fields, so no screen reads `extra`.
    timeout = extra.pop("inactive_timeout", None)
    disabled = extra.pop("disable_speculative_decoding", None)
    return Endpoint(
        id=clean(wire.id),
        name=clean(wire.name),
        model=clean(wire.model),
        state=state,
        phase=phase_of(state),
        kind=clean(wire.type),
        owner=clean(wire.owner),
        created_at=parse_time(wire.created_at),
        display_name=clean_optional(detail.display_name) if detail else None,
        hardware_id=clean_optional(detail.hardware) if detail else None,
        min_replicas=autoscaling.min_replicas if autoscaling else None,
        max_replicas=autoscaling.max_replicas if autoscaling else None,
        detailed=detail is not None,
        extra=extra,
        inactive_timeout=timeout if isinstance(timeout, int) and not isinstance(timeout, bool) and timeout >= 0
        else None,
        speculative_decoding=(not disabled) if isinstance(disabled, bool) else None,
    )


Built = dict[str, tuple[ListEndpoint, Endpoint]]


async def endpoints_from_wire(wires: Sequence[ListEndpoint], previous: Built) -> tuple[list[Endpoint], Built]:
    """``endpoint_from_wire`` for a whole list, the loop given a turn whenever a piece had its budget (a large
    account's poll must not hold keys and redraws), and what was built, by id, for the next list: given the
    last list's, a wire model the client reused (its JSON unchanged) is the endpoint built then, so a steady
    poll builds next to nothing."""
    endpoints = []
    built: Built = {}
    pacer = Pacer()
    for wire in wires:
        last = previous.get(wire.id)
        endpoint = last[1] if last is not None and last[0] is wire else endpoint_from_wire(wire)
        built[wire.id] = (wire, endpoint)
        endpoints.append(endpoint)
        await pacer.pause()
    return endpoints, built


def hardware_from_wire(wire: HardwareWithStatus) -> HardwareOption:
    specs = wire.specs
    cents = wire.pricing.cents_per_minute if wire.pricing else None
    raw = clean_optional(wire.availability.status) if wire.availability else None
    availability: Availability | None = None
    if raw is not None:
        try:
            availability = Availability(raw.lower())
        except ValueError:
            availability = Availability.UNKNOWN
    return HardwareOption(
        id=clean(wire.id),
        gpu_type=clean_optional(specs.gpu_type) if specs else None,
        gpu_count=specs.gpu_count if specs else None,
        gpu_memory_gb=specs.gpu_memory if specs else None,
        gpu_link=clean_optional(specs.gpu_link) if specs else None,
        # v1 prices are US cents per minute.
        price_per_hour=None if cents is None else cents * 60 / 100,
        availability=availability,
        availability_raw=raw,
        updated_at=parse_time(wire.updated_at),
        cents_per_minute=cents,
    )


def model_from_wire(wire: ModelInfo) -> ModelOption:
    pricing = wire.pricing
    return ModelOption(
        id=clean(wire.id),
        kind=clean_optional(wire.type),
        display_name=clean_optional(wire.display_name),
        organization=clean_optional(wire.organization),
        # A context of 0 tokens holds nothing: unknown.
        context_length=wire.context_length or None,
        # The CLI shows "see pricing" for non-positive prices: treat them as unknown.
        input_price_per_m=pricing.input if pricing and pricing.input else None,
        output_price_per_m=pricing.output if pricing and pricing.output else None,
    )


def usage_from_wire(usage: Usage | None) -> ChatUsage | None:
    if usage is None:
        return None
    return ChatUsage(
        prompt_tokens=usage.prompt_tokens,
        completion_tokens=usage.completion_tokens,
        total_tokens=usage.total_tokens,
        cached_tokens=usage.cached_tokens,
    )


def chat_body(model: str, messages: Sequence[ChatMessage], params: ChatParams | None) -> dict[str, Any]:
    body: dict[str, Any] = {
        "model": model,
        "messages": [{"role": message.role, "content": message.content} for message in messages],
    }
    if params is not None:
        for name in ("temperature", "max_tokens", "top_p", "reasoning_effort"):
            value = getattr(params, name)
            if value is not None:
                body[name] = value
    return body


class TogetherV1Provider:
    label = "Together v1"

    def __init__(self, client: TogetherClient) -> None:
        self.client = client
        self.base_url = client.base_url
        #: Per kind of list (with serverless or not): the last one's wire model and endpoint by id.
        self._built: dict[bool, Built] = {}

    def __repr__(self) -> str:
        return f"TogetherV1Provider(base_url={self.base_url!r})"

    async def check_access(self) -> None:
        """Returns when the key is accepted; raises the mapped error otherwise.

        A V1RetiredError means the service read the key and refused only v1's retired verbs: the key works.
        """
        try:
            await self.client.check_access()
        except errors.V1RetiredError:
            return

    async def list_endpoints(self, *, include_serverless: bool = False) -> list[Endpoint]:
        wires = await self.client.list_endpoints(type=None if include_serverless else "dedicated")
        endpoints, self._built[include_serverless] = await endpoints_from_wire(
            wires, self._built.get(include_serverless, {})
        )
        return endpoints

    async def get_endpoint(self, endpoint_id: str) -> Endpoint:
        return endpoint_from_wire(await self.client.get_endpoint(endpoint_id))

    async def create_endpoint(self, spec: EndpointSpec) -> Endpoint:
        fields: dict[str, Any] = {
            "model": spec.model,
            "hardware": spec.hardware_id,
            "autoscaling": Autoscaling(min_replicas=spec.min_replicas, max_replicas=spec.max_replicas),
        }
        if spec.display_name:
            fields["display_name"] = spec.display_name
        if not spec.speculative_decoding:
            fields["disable_speculative_decoding"] = True
        if not spec.start:
            fields["state"] = "STOPPED"
        if spec.inactive_timeout is not None:
            fields["inactive_timeout"] = spec.inactive_timeout
        if spec.availability_zone:
            fields["availability_zone"] = spec.availability_zone
        created = await self.client.create_endpoint(CreateEndpointRequest(**fields))
        return endpoint_from_wire(created)

    async def update_endpoint(self, endpoint_id: str, changes: EndpointChanges) -> Endpoint:
        fields: dict[str, Any] = {}
        if changes.display_name is not UNSET:
            fields["display_name"] = changes.display_name
        if changes.min_replicas is not UNSET or changes.max_replicas is not UNSET:
            # The spec requires both bounds and partial autoscaling merging is unverified:
            # always send both, filling the untouched one from the endpoint as it is now.
            minimum, maximum = changes.min_replicas, changes.max_replicas
            if minimum is UNSET or maximum is UNSET:
                current = await self.client.get_endpoint(endpoint_id)
                bounds = current.autoscaling
                # A bound the service reports as nonsense (None here) takes the other one's value.
                if minimum is UNSET:
                    minimum = bounds.min_replicas if bounds and bounds.min_replicas is not None else maximum
                if maximum is UNSET:
                    maximum = bounds.max_replicas if bounds and bounds.max_replicas is not None else minimum
            fields["autoscaling"] = Autoscaling(min_replicas=minimum, max_replicas=maximum)
        if changes.inactive_timeout is not UNSET:
            fields["inactive_timeout"] = changes.inactive_timeout
        updated = await self.client.update_endpoint(endpoint_id, UpdateEndpointRequest(**fields))
        return endpoint_from_wire(updated)

    async def start_endpoint(self, endpoint_id: str) -> Endpoint:
        return endpoint_from_wire(await self.client.start_endpoint(endpoint_id))

    async def stop_endpoint(self, endpoint_id: str) -> Endpoint:
        return endpoint_from_wire(await self.client.stop_endpoint(endpoint_id))

    async def delete_endpoint(self, endpoint_id: str) -> None:
        await self.client.delete_endpoint(endpoint_id)

    async def list_hardware(self, model: str | None = None) -> list[HardwareOption]:
        return [hardware_from_wire(wire) for wire in await self.client.list_hardware(model)]

    async def list_availability_zones(self) -> list[str]:
        zones = (clean(zone, limit=100) for zone in await self.client.list_availability_zones())
        return [zone for zone in zones if zone]

    async def list_models(self, *, dedicated_only: bool = False) -> list[ModelOption]:
        wires = await self.client.list_models(dedicated=True if dedicated_only else None)
        return [model_from_wire(wire) for wire in wires]

    async def stream_chat(
        self, model: str, messages: Sequence[ChatMessage], params: ChatParams | None = None
    ) -> AsyncIterator[ChatEvent]:
        async for chunk in self.client.stream_chat_completion(chat_body(model, messages, params)):
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
            yield ChatEvent(
                content=content,
                reasoning=reasoning,
                finish_reason=finish_reason,
                usage=usage_from_wire(chunk.usage),
            )

    async def chat(
        self, model: str, messages: Sequence[ChatMessage], params: ChatParams | None = None
    ) -> ChatReply:
        response = await self.client.chat_completion(chat_body(model, messages, params))
        choice = response.choices[0] if response.choices else None
        message = choice.message if choice else None
        return ChatReply(
            content=clean_multiline(message.content) if message else "",
            reasoning=clean_multiline((message.reasoning or "") + (message.reasoning_content or "")) if message else "",
            finish_reason=clean_optional(choice.finish_reason, limit=40) if choice else None,
            usage=usage_from_wire(response.usage),
        )

    async def aclose(self) -> None:
        await self.client.aclose()
