"""Pydantic models of Together's v1 wire format, from the official OpenAPI spec.

Parsing is deliberately tolerant: the service adds fields and enum values over time (SDK 1.x already knew a
``FAILED`` state, SDK 2.x more model types), so enums are plain strings, unknown fields are kept, and
anything the spec marks required but the UI can live without is optional here.
"""

from __future__ import annotations

import math
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

#: The states the spec lists; others are kept as-is.
KNOWN_STATES = ("PENDING", "STARTING", "STARTED", "STOPPING", "STOPPED", "ERROR")


# Past this no price, size or count is real; products and sums of such values (memory x GPUs, the burn
# over every endpoint) then stay finite.
_PLAUSIBLE_MAX = 1e12


def _amount(value: Any) -> float | None:
    """A price, a size or a rate: finite, not negative and plausible, or None ("unknown"). A number
    sent as a string is read; NaN, infinities, negatives, booleans and anything else are unknown, never
    an error (one bad price must not cost the whole hardware list)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        try:
            value = float(value.strip())
        except ValueError:
            return None
    if not isinstance(value, (int, float)):
        return None
    number = float(value)
    return number if math.isfinite(number) and 0 <= number <= _PLAUSIBLE_MAX else None


def _count(value: Any) -> int | None:
    """A whole, non-negative count (GPUs, tokens, replicas), or None; ``"2"`` and ``2.0`` read as 2."""
    number = _amount(value)
    if number is None or not number.is_integer():
        return None
    return int(number)


def _timestamp_text(value: Any) -> str | None:
    """Timestamps stay text until the adapter parses them; a non-string is simply unknown."""
    return value if isinstance(value, str) else None


#: Non-negative finite number or None.
Amount = Annotated[float | None, BeforeValidator(_amount)]
#: Non-negative whole number or None.
Count = Annotated[int | None, BeforeValidator(_count)]
Timestamp = Annotated[str | None, BeforeValidator(_timestamp_text)]


# Every model is built on its first use, not at import: the app imports this module before its first frame,
# which needs only the endpoint list's models (building all of them up front costs ~20 ms of CPU).
class Wire(BaseModel):
    model_config = ConfigDict(extra="allow", populate_by_name=True, frozen=False, defer_build=True)


class Autoscaling(BaseModel):
    """The bounds a request sends (exactly two whole numbers)."""

    model_config = ConfigDict(extra="forbid", defer_build=True)

    min_replicas: int
    max_replicas: int


class AutoscalingState(Wire):
    """The bounds an answer reports; a nonsense bound is unknown rather than a failed read."""

    min_replicas: Count = None
    max_replicas: Count = None


class ListEndpoint(Wire):
    object: str = "endpoint"
    id: str
    name: str
    model: str = ""
    type: str = "dedicated"
    owner: str = ""
    state: str = "UNKNOWN"
    created_at: Timestamp = None


class DedicatedEndpoint(ListEndpoint):
    display_name: str | None = None
    hardware: str | None = None
    autoscaling: AutoscalingState | None = None


class EndpointList(Wire):
    object: str = "list"
    data: list[ListEndpoint] = Field(default_factory=list)


class HardwareSpec(Wire):
    gpu_type: str | None = None
    gpu_link: str | None = None
    gpu_memory: Amount = None
    gpu_count: Count = None


class EndpointPricing(Wire):
    cents_per_minute: Amount = None


class HardwareAvailability(Wire):
    status: str | None = None


class HardwareWithStatus(Wire):
    object: str = "hardware"
    id: str
    pricing: EndpointPricing | None = None
    specs: HardwareSpec | None = None
    availability: HardwareAvailability | None = None
    updated_at: Timestamp = None


class HardwareList(Wire):
    object: str = "list"
    data: list[HardwareWithStatus] = Field(default_factory=list)


class AvailabilityZones(Wire):
    avzones: list[str] = Field(default_factory=list)


class Pricing(Wire):
    hourly: Amount = None
    input: Amount = None
    output: Amount = None
    base: Amount = None
    finetune: Amount = None


class ModelInfo(Wire):
    id: str
    object: str = "model"
    created: Count = None
    type: str | None = None
    display_name: str | None = None
    organization: str | None = None
    link: str | None = None
    license: str | None = None
    context_length: Count = None
    pricing: Pricing | None = None


class CreateEndpointRequest(BaseModel):
    """Exactly the body POST /endpoints takes; ``exclude_unset`` keeps untouched fields off the wire."""

    model_config = ConfigDict(extra="forbid", defer_build=True)

    model: str
    hardware: str
    autoscaling: Autoscaling
    display_name: str | None = None
    disable_speculative_decoding: bool | None = None
    state: Literal["STARTED", "STOPPED"] | None = None
    inactive_timeout: int | None = None
    availability_zone: str | None = None


class UpdateEndpointRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", defer_build=True)

    display_name: str | None = None
    state: Literal["STARTED", "STOPPED"] | None = None
    autoscaling: Autoscaling | None = None
    inactive_timeout: int | None = None


class ChatDelta(Wire):
    role: str | None = None
    content: str | None = None
    reasoning: str | None = None
    # Not in the spec, but SDK 2.42 models it and some models emit it instead of ``reasoning``.
    reasoning_content: str | None = None
    # ``token_id`` is left to ``model_extra``: read nowhere, and a Python validator per token costs ~10%
    # of a fast stream's parsing.


class ChunkChoice(Wire):
    index: int = 0
    delta: ChatDelta | None = None
    finish_reason: str | None = None
    text: str | None = None


class Usage(Wire):
    prompt_tokens: Count = None
    completion_tokens: Count = None
    total_tokens: Count = None
    cached_tokens: Count = None


class ChatCompletionChunk(Wire):
    id: str | None = None
    object: str | None = None
    # ``created`` is left to ``model_extra`` (read nowhere; see ChatDelta.token_id).
    model: str | None = None
    choices: list[ChunkChoice] = Field(default_factory=list)
    usage: Usage | None = None


class ResponseMessage(Wire):
    role: str | None = None
    content: str | None = None
    reasoning: str | None = None
    reasoning_content: str | None = None


class ResponseChoice(Wire):
    index: int = 0
    message: ResponseMessage | None = None
    finish_reason: str | None = None


class ChatCompletionResponse(Wire):
    id: str | None = None
    object: str | None = None
    created: Count = None
    model: str | None = None
    choices: list[ResponseChoice] = Field(default_factory=list)
    usage: Usage | None = None


class ErrorDetail(Wire):
    message: str | None = None
    type: str | None = None
    param: str | None = None
    code: str | None = None


class ErrorBody(Wire):
    id: str | None = None
    error: ErrorDetail | str | None = None


def dump_request(request: BaseModel) -> dict[str, Any]:
    """The JSON body for a request model: only what the caller set."""
    return request.model_dump(mode="json", exclude_unset=True)
