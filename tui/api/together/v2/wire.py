"""Pydantic models of Together's v2 wire format, from the together 3.1.1 SDK's types (its contract).

The conventions of the v2 API (reference together-v2-api.md §A2) live here and nowhere else:

* JSON is camelCase: fields are snake_case in Python with camelCase aliases.
* Enums are fully qualified SCREAMING strings (``DEPLOYMENT_STATE_READY``). They stay plain strings, so a
  value this version does not know is kept and shown, never a failed read.
* 64-bit integers travel as JSON strings; ``Count`` reads ``"8"`` and ``8`` alike, and requests send
  strings where the SDK does.
* Durations are protobuf Duration JSON (``"300s"``); ``duration`` writes one.
* Lists are pages ``{"data": [...], "next_cursor": ...}`` (``next_cursor`` is snake_case even here).

Every string passes through ``tui.api.safe_text`` as it is parsed (``Text``, ``OptionalText``,
``Message``), so what leaves this module is display-safe. Responses are tolerant (unknown fields kept,
missing ones defaulted where the UI can live without them); requests are strict (``extra="forbid"``).
"""

from __future__ import annotations

import math
from typing import Annotated, Any, Generic, TypeVar

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field
from pydantic.alias_generators import to_camel

from tui.api.safe_text import clean, clean_multiline, clean_optional
from tui.api.together.models import Amount, Count, Timestamp

# Identifiers, names and enum words are short; a message may say a little more.
_WORD_LIMIT = 300
_MESSAGE_LIMIT = 2000

#: A display-safe single line ("" when absent or not text).
Text = Annotated[str, BeforeValidator(lambda value: clean(value, limit=_WORD_LIMIT))]
#: A display-safe single line, or None.
OptionalText = Annotated[str | None, BeforeValidator(lambda value: clean_optional(value, limit=_WORD_LIMIT))]
#: Human text that may keep its line breaks (event messages, log excerpts).
Message = Annotated[
    str | None, BeforeValidator(lambda value: clean_multiline(value, limit=_MESSAGE_LIMIT) if value else None)
]

UNSPECIFIED_STATE = "DEPLOYMENT_STATE_UNSPECIFIED"

T = TypeVar("T")


def duration(seconds: float) -> str:
    """Protobuf Duration JSON, seconds only: ``300`` -> ``"300s"``, ``0.5`` -> ``"0.5s"``."""
    if not math.isfinite(seconds) or seconds < 0:
        raise ValueError(f"a duration must be a finite number of seconds >= 0, got {seconds!r}")
    return f"{seconds:g}s" if not float(seconds).is_integer() else f"{int(seconds)}s"


def parse_duration(value: str | None) -> float | None:
    """``"300s"`` -> 300.0; anything that is not a seconds duration is unknown (None)."""
    if not value or not value.endswith("s"):
        return None
    try:
        seconds = float(value[:-1])
    except ValueError:
        return None
    return seconds if math.isfinite(seconds) and seconds >= 0 else None


class Wire(BaseModel):
    # Built on first use: the first frame needs only the list's models, not events', analytics' or the forms'.
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="allow", defer_build=True)


class Page(Wire, Generic[T]):
    data: list[T] = Field(default_factory=list)
    # snake_case on the wire too: the alias generator must not camel-case it.
    next_cursor: OptionalText = Field(default=None, alias="next_cursor")


# Identity


class WhoamiProject(Wire):
    id: Text
    name: Text = ""
    slug: Text = ""


class Whoami(Wire):
    type: Text = ""
    project: WhoamiProject | None = None


# Endpoints and deployments


class Autoscaling(Wire):
    min_replicas: Count = None
    max_replicas: Count = None
    scale_up_window: OptionalText = None
    scale_down_window: OptionalText = None
    scale_to_zero_window: OptionalText = None


class TrafficSplitEntry(Wire):
    deployment_id: Text
    weight: Amount = None


class DeploymentSummary(Wire):
    """A deployment as an endpoint embeds it (state at the top level, not under ``status``)."""

    id: Text
    name: Text = ""
    model: Text = ""
    autoscaling: Autoscaling = Field(default_factory=Autoscaling)
    created_at: Timestamp = None
    estimated_effective_traffic_share: Amount = None
    state: Text = UNSPECIFIED_STATE
    traffic_mode: OptionalText = None
    desired_replicas: Count = None
    ready_replicas: Count = None
    hardware: OptionalText = None


class EndpointV2(Wire):
    id: Text
    #: ``<project_slug>/<endpoint_name>``: the inference ``model``.
    name: Text
    project_id: Text = ""
    endpoint_type: OptionalText = None
    visibility: OptionalText = None
    traffic_split: list[TrafficSplitEntry] = Field(default_factory=list)
    deployments: list[DeploymentSummary] = Field(default_factory=list)
    etag: OptionalText = None
    created_at: Timestamp = None
    updated_at: Timestamp = None
    active_rollout_id: OptionalText = None


class DeploymentStatus(Wire):
    state: Text = UNSPECIFIED_STATE
    message: Message = None
    ready_replicas: Count = None
    scheduled_replicas: Count = None


class DeploymentV2(Wire):
    id: Text
    endpoint_id: Text = ""
    project_id: Text = ""
    name: Text = ""
    model: Text = ""
    config: Text = ""
    hardware: Text = ""
    autoscaling: Autoscaling = Field(default_factory=Autoscaling)
    traffic_mode: OptionalText = None
    status: DeploymentStatus = Field(default_factory=DeploymentStatus)
    desired_replicas: Count = None
    estimated_effective_traffic_share: Amount = None
    inactive_timeout: Count = None
    max_concurrent_requests_per_replica: Count = None
    etag: OptionalText = None
    created_at: Timestamp = None
    updated_at: Timestamp = None


# Catalogue


class DeploymentProfile(Wire):
    profile_id: Text = ""
    #: ``projects/{p}/configs/{cr}``: fixes the hardware and the engine.
    config: Text
    #: ``projects/{p}/models/{ml}[/revisions/{rv}]``.
    model: Text
    model_name: Text = ""
    gpu_type: OptionalText = None
    gpu_count: Count = None
    quantization: OptionalText = None
    parallelism: OptionalText = None


class ServerlessPricing(Wire):
    input: Amount = None
    output: Amount = None


class SupportedModel(Wire):
    id: Text
    #: The Hugging Face style id (``openai/gpt-oss-20b``).
    name: Text
    display_name: OptionalText = None
    status: OptionalText = None
    products: list[Text] = Field(default_factory=list)
    capabilities: list[Text] = Field(default_factory=list)
    context_length: Count = None
    pricing: ServerlessPricing | None = None
    deployment_profiles: list[DeploymentProfile] = Field(default_factory=list)


class Headroom(Wire):
    relation: OptionalText = None
    value: Count = None


class InstanceRegion(Wire):
    name: Text
    headroom: Headroom | None = None


class InstanceType(Wire):
    id: Text
    #: The deployable name, ``{count}x{accelerator}`` (``1xnvidia-h100-80gb``).
    name: Text
    description: OptionalText = None
    gpu_type: OptionalText = None
    gpu_count: Count = None
    gpu_memory_gib: Amount = None
    #: On-demand price per running replica, US cents per hour.
    price_cents_per_hour: Amount = None
    regions: list[InstanceRegion] = Field(default_factory=list)


# Events (analytics: analytics_wire.py)


class EndpointEvent(Wire):
    id: Text
    created_at: Timestamp = None
    endpoint_id: Text = ""
    level: Text = ""
    source: Text = ""
    source_kind: Text = ""
    type: Text = ""
    deployment_id: OptionalText = None
    message: Message = None
    name: OptionalText = None
    old_replicas: Count = None
    new_replicas: Count = None
    reason: OptionalText = None
    status: OptionalText = None
    subject_id: OptionalText = None
    replica_id: OptionalText = None
    log_excerpt: Message = None


# Requests: exactly what the SDK's params TypedDicts allow, nothing the caller did not set.


class Request(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="forbid", defer_build=True)

    def body(self) -> dict[str, Any]:
        return self.model_dump(mode="json", by_alias=True, exclude_unset=True)


class AutoscalingRequest(Request):
    min_replicas: int | None = None
    max_replicas: int | None = None
    scale_up_window: str | None = None
    scale_down_window: str | None = None
    scale_to_zero_window: str | None = None


class PlacementInline(Request):
    regions: list[str] | None = None
    constraint: str | None = None


class Placement(Request):
    inline: PlacementInline


class EndpointCreate(Request):
    name: str
    visibility: str | None = None


class TrafficSplitRequest(Request):
    deployment_id: str
    weight: float


class EndpointUpdate(Request):
    etag: str | None = None
    name: str | None = None
    traffic_split: list[TrafficSplitRequest] | None = None
    visibility: str | None = None


class DeploymentCreate(Request):
    name: str
    autoscaling: AutoscalingRequest
    model: str | None = None
    config: str | None = None
    inactive_timeout: int | None = None
    #: int64: a string on the wire.
    max_concurrent_requests_per_replica: str | None = None
    placement: Placement | None = None


class DeploymentUpdate(Request):
    etag: str | None = None
    autoscaling: AutoscalingRequest | None = None
    inactive_timeout: int | None = None
    max_concurrent_requests_per_replica: str | None = None
    name: str | None = None


def update_mask(request: Request) -> str:
    """The camelCase names of exactly the fields the caller set, etag aside (it is a precondition)."""
    fields = request.model_fields_set - {"etag"}
    return ",".join(sorted(type(request).model_fields[name].alias or name for name in fields))
