"""Pydantic models of Together's v1 wire format, from the official OpenAPI spec.

Parsing is deliberately tolerant: the service adds fields and enum values over time (SDK 1.x already knew a
``FAILED`` state, SDK 2.x more model types), so enums are plain strings, unknown fields are kept, and
anything the spec marks required but the UI can live without is optional here.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

#: The states the spec lists; others are kept as-is.
KNOWN_STATES = ("PENDING", "STARTING", "STARTED", "STOPPING", "STOPPED", "ERROR")


class Wire(BaseModel):
    model_config = ConfigDict(extra="allow", populate_by_name=True, frozen=False)


class Autoscaling(Wire):
    min_replicas: int
    max_replicas: int


class ListEndpoint(Wire):
    object: str = "endpoint"
    id: str
    name: str
    model: str = ""
    type: str = "dedicated"
    owner: str = ""
    state: str = "UNKNOWN"
    created_at: str | None = None


class DedicatedEndpoint(ListEndpoint):
    display_name: str | None = None
    hardware: str | None = None
    autoscaling: Autoscaling | None = None


class EndpointList(Wire):
    object: str = "list"
    data: list[ListEndpoint] = Field(default_factory=list)


class HardwareSpec(Wire):
    gpu_type: str | None = None
    gpu_link: str | None = None
    gpu_memory: float | None = None
    gpu_count: int | None = None


class EndpointPricing(Wire):
    cents_per_minute: float | None = None


class HardwareAvailability(Wire):
    status: str | None = None


class HardwareWithStatus(Wire):
    object: str = "hardware"
    id: str
    pricing: EndpointPricing | None = None
    specs: HardwareSpec | None = None
    availability: HardwareAvailability | None = None
    updated_at: str | None = None


class HardwareList(Wire):
    object: str = "list"
    data: list[HardwareWithStatus] = Field(default_factory=list)


class AvailabilityZones(Wire):
    avzones: list[str] = Field(default_factory=list)


class Pricing(Wire):
    hourly: float | None = None
    input: float | None = None
    output: float | None = None
    base: float | None = None
    finetune: float | None = None


class ModelInfo(Wire):
    id: str
    object: str = "model"
    created: int | None = None
    type: str | None = None
    display_name: str | None = None
    organization: str | None = None
    link: str | None = None
    license: str | None = None
    context_length: int | None = None
    pricing: Pricing | None = None


class CreateEndpointRequest(BaseModel):
    """Exactly the body POST /endpoints takes; ``exclude_unset`` keeps untouched fields off the wire."""

    model_config = ConfigDict(extra="forbid")

    model: str
    hardware: str
    autoscaling: Autoscaling
    display_name: str | None = None
    disable_speculative_decoding: bool | None = None
    state: Literal["STARTED", "STOPPED"] | None = None
    inactive_timeout: int | None = None
    availability_zone: str | None = None


class UpdateEndpointRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

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
    token_id: int | None = None


class ChunkChoice(Wire):
    index: int = 0
    delta: ChatDelta | None = None
    finish_reason: str | None = None
    text: str | None = None


class Usage(Wire):
    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    total_tokens: int | None = None
    cached_tokens: int | None = None


class ChatCompletionChunk(Wire):
    id: str | None = None
    object: str | None = None
    created: int | None = None
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
    created: int | None = None
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
