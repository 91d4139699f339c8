"""Provider-neutral objects the screens work with.

Together v1, Together v2 and Nebius describe the same things with different words (states, prices per
minute or per hour, hardware ids or profiles). Adapters translate into these, and always keep the
provider's raw strings so the UI can show exactly what the service said.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

HOURS_PER_MONTH = 730.0
# The memory suffix of a GPU type (``h100-80gb``): the specs carry the memory separately.
_GPU_MEMORY_SUFFIX = re.compile(r"-\d+[a-z]{2}$", re.IGNORECASE)


def gpu_family(gpu_type: str | None) -> str | None:
    """``h100-80gb`` -> ``H100``, as Together's CLI shortens it; None when the type is unknown."""
    if not gpu_type:
        return None
    return _GPU_MEMORY_SUFFIX.sub("", gpu_type).upper()


class Phase(StrEnum):
    """The small set of lifecycle phases the UI reasons about (colours, polling speed, waits)."""

    PENDING = "pending"
    STARTING = "starting"
    READY = "ready"
    STOPPING = "stopping"
    STOPPED = "stopped"
    FAILED = "failed"
    UNKNOWN = "unknown"
    #: v2: replicas starting or draining towards a new count while the deployment serves.
    SCALING = "scaling"
    #: A change being rolled out (reprovisioning after an update).
    UPDATING = "updating"
    #: v2: below the requested capacity (no GPUs to place replicas, startup stalled); may still serve.
    DEGRADED = "degraded"

    @property
    def transitional(self) -> bool:
        return self in TRANSITIONAL_PHASES

    @property
    def billing(self) -> bool:
        """Whether replicas are (or may be) running and billed in this phase."""
        return self in (Phase.READY, Phase.STOPPING, Phase.STARTING, Phase.SCALING, Phase.UPDATING, Phase.DEGRADED)


#: The phases that change by themselves and poll fast, as a set: a membership test per row per poll.
TRANSITIONAL_PHASES = frozenset({Phase.PENDING, Phase.STARTING, Phase.STOPPING, Phase.SCALING, Phase.UPDATING})


class Availability(StrEnum):
    AVAILABLE = "available"
    INSUFFICIENT = "insufficient"
    UNAVAILABLE = "unavailable"
    UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class Endpoint:
    id: str
    #: The inference name: what chat requests pass as ``model``.
    name: str
    model: str
    #: The provider's own state word, shown as-is (an unknown one is never an error).
    state: str
    phase: Phase
    kind: str = "dedicated"
    owner: str = ""
    created_at: datetime | None = None
    display_name: str | None = None
    hardware_id: str | None = None
    min_replicas: int | None = None
    max_replicas: int | None = None
    #: False while only list-level fields are known (v1 lists carry no hardware or autoscaling).
    detailed: bool = False
    #: Fields the API sent that this version does not know; part of equality, so a change shows.
    extra: dict[str, Any] = field(default_factory=dict, hash=False)
    #: Which Together API the endpoint lives on: "v1" (legacy) or "v2".
    api: str = "v1"
    #: v2: what serves behind the endpoint, in the API's order.
    deployments: tuple[Deployment, ...] = ()
    #: The provider's opaque version (v2 etag), sent back on writes to refuse a stale change.
    version: str | None = None
    status_message: str | None = None
    #: The `model` string chat requests pass; None means `name`.
    inference_target: str | None = None
    #: Minutes idle before the service stops it; None when the API does not say (v1 usually does not).
    inactive_timeout: int | None = None
    #: Whether speculative decoding is on; None when the API does not say.
    speculative_decoding: bool | None = None
    #: Where it runs when the provider places endpoints by region (Nebius: fixed for the endpoint's life).
    region: str | None = None
    #: The provider's own documented fields beyond the ones above, as (label, value) for a detail view, in
    #: the provider's order (Nebius: flavor, readiness, ready replicas). Unlike ``extra``, part of its contract.
    facts: tuple[tuple[str, str], ...] = ()

    @property
    def inference_model(self) -> str:
        return self.inference_target or self.name

    @property
    def title(self) -> str:
        return self.display_name or self.name

    @property
    def dedicated(self) -> bool:
        return self.kind == "dedicated"


@dataclass(frozen=True, slots=True)
class Deployment:
    """One v2 deployment: a model on an immutable config, with its own replicas and share of traffic."""

    id: str
    #: The qualified name (`<slug>/<endpoint>/<deployment>`): passing it as `model` pins this deployment.
    name: str
    model: str
    hardware: str
    state: str
    phase: Phase
    ready_replicas: int | None = None
    desired_replicas: int | None = None
    min_replicas: int | None = None
    max_replicas: int | None = None
    traffic_weight: float | None = None
    #: The API's estimate of the fraction of the endpoint's traffic that reaches it (0..1).
    estimated_share: float | None = None
    dollars_per_hour: float | None = None
    status_message: str | None = None
    inactive_timeout: int | None = None
    version: str | None = None
    #: ``1x H100 80GB``, as the provider's own tools write the hardware; None when only the raw id is known.
    hardware_label: str | None = None
    engine: str | None = None
    quantization: str | None = None
    parallelism: str | None = None
    max_concurrent_requests: int | None = None
    #: Seconds of stabilisation before scaling up / down; None when the API does not say.
    scale_up_window: float | None = None
    scale_down_window: float | None = None
    #: A full read of the deployment (status message, etag); False for the summary an endpoint list embeds.
    detailed: bool = False

    @property
    def title(self) -> str:
        """The deployment's own name, without the endpoint's (``gpt-oss-20b-h100``)."""
        return self.name.rpartition("/")[2] or self.name or self.id


@dataclass(frozen=True, slots=True)
class Capabilities:
    """What a control plane can do, so screens offer only what works instead of branching on the provider."""

    serverless_listing: bool = False
    #: "zones" (v1 availability zones), "regions" (v2 placement), or None.
    placement: str | None = None
    speculative_decoding: bool = False
    inactive_timeout: bool = False
    get_by_id: bool = True
    events: bool = False
    metrics: bool = False
    traffic_split: bool = False
    renames: bool = False
    #: Endpoints route to deployments (``Endpoint.deployments``): rows beneath rows, actions on deployments.
    deployments: bool = False
    #: New endpoints are made from ``deploy_options(model)`` (profiles, flavors), not a bare hardware id.
    deploy_profiles: bool = False
    #: Legacy endpoints (``Endpoint.api == "v1"``) can no longer start or be created: start offers a redeploy.
    redeploys_legacy: bool = False
    #: A new endpoint's region must be chosen (fixed for its life; Nebius): "any region with room" is no choice.
    region_required: bool = False
    #: How a new endpoint's name is checked: "dns" (lowercase letters, digits and '-', at most 63: Together v2,
    #: part of the inference name) or "display" (any text of 1-100 characters: Nebius, a display name).
    endpoint_names: str = "dns"
    #: The regions a deploy option lists have room now (Together v2 headroom); False where they only say where
    #: it is offered (Nebius templates).
    regions_have_room: bool = True
    #: Prices come from the API; False where they are the user's own table (Nebius publishes none).
    prices_from_api: bool = True


@dataclass(frozen=True, slots=True)
class DeployOption:
    """One way to deploy a model: an opaque id the provider understands, with hardware, price and availability."""

    id: str
    model: str
    hardware_label: str
    gpu_type: str | None = None
    gpu_count: int | None = None
    regions: tuple[str, ...] = ()
    dollars_per_hour: float | None = None
    availability: Availability = Availability.UNKNOWN
    #: False when the price is the user's own table (Nebius publishes none): shown as such, never as the API's.
    price_from_api: bool = True
    #: The profile's engine settings where the provider says them (v2: ``fp8``, ``tp2``).
    quantization: str | None = None
    parallelism: str | None = None


@dataclass(frozen=True, slots=True)
class DeploySpec:
    """What a v2 deploy form produces: one deploy option onto a new or an existing endpoint."""

    #: A ``DeployOption.id`` from the same provider.
    option_id: str
    #: A new endpoint's name, or an existing endpoint's id or name (then the deployment joins it).
    endpoint: str
    #: Unique within the endpoint; None lets the provider name it after the model.
    deployment_name: str | None = None
    min_replicas: int = 1
    max_replicas: int = 1
    #: Minutes idle before auto-stop; None or 0 = never.
    inactive_timeout: int | None = None
    #: The deployment's weight in the endpoint's traffic split (0 = deployed but not routed yet).
    traffic_weight: float = 1.0
    #: Regions to place it in; empty = wherever there is room.
    regions: tuple[str, ...] = ()
    #: Requests one replica serves at once before more queue; None = the service's default.
    max_concurrent_requests: int | None = None


@dataclass(frozen=True, slots=True)
class DeploymentSettings:
    """One deployment's settings as an update form starts from them, with the versions a write must carry."""

    id: str
    endpoint_id: str
    #: The qualified name (``<slug>/<endpoint>/<deployment>``).
    name: str
    model: str
    hardware: str
    min_replicas: int | None
    max_replicas: int | None
    #: Seconds of stabilisation before scaling up / down; None when the API does not say.
    scale_up_window: float | None = None
    scale_down_window: float | None = None
    #: Minutes idle before auto-stop; 0 = never; None when the API does not say.
    inactive_timeout: int | None = None
    max_concurrent_requests: int | None = None
    #: Its weight in the endpoint's traffic split (0 = not routed).
    traffic_weight: float | None = None
    price_per_replica_hour: float | None = None
    #: The deployment's etag, and the endpoint's (the traffic split is the endpoint's field).
    version: str | None = None
    endpoint_version: str | None = None


@dataclass(frozen=True, slots=True)
class TimelineEvent:
    """One entry of an endpoint's events feed (v2): what happened to it or to one of its deployments."""

    id: str
    at: datetime | None
    #: The provider's severity word (``LEVEL_WARN``), shown as-is.
    level: str
    #: What kind of event (``deployment.scaled``, ``condition.set``).
    type: str
    message: str
    deployment_id: str | None = None
    source: str = ""
    #: The stable reason word (``AllReplicasReady``; a boot phase such as ``LoadingWeights``).
    reason: str | None = None
    #: The replica a pod event is about.
    replica_id: str | None = None
    #: ``deployment.scaled``: the desired replicas before and after.
    old_replicas: int | None = None
    new_replicas: int | None = None
    #: ``condition.set``: the condition (``Ready``) and its status (``True``).
    subject_id: str | None = None
    status: str | None = None


@dataclass(frozen=True, slots=True)
class HardwareOption:
    """One thing an endpoint can run on, with its price normalised to US dollars per hour."""

    id: str
    gpu_type: str | None
    gpu_count: int | None
    gpu_memory_gb: float | None
    gpu_link: str | None
    price_per_hour: float | None
    #: None when the provider did not say (v1 only reports it when asked about a model).
    availability: Availability | None = None
    #: The provider's own availability word, kept when it is not one we know.
    availability_raw: str | None = None
    updated_at: datetime | None = None
    #: The price exactly as the API gave it (v1: US cents per minute).
    cents_per_minute: float | None = None
    #: Regions with room for another replica now (v2 headroom); empty when the provider does not say.
    regions: tuple[str, ...] = ()
    #: How a row names itself when the id is opaque (a v2 deploy profile: ``1x H100 80GB · fp8 · tp1``).
    label: str | None = None
    #: False when the price is the user's own table (Nebius publishes none): shown as such, never as the API's.
    price_from_api: bool = True
    #: The ``DeployOption.id`` this row is one placement of (Nebius: the option in one of its ``regions``), for
    #: a deploy form opened from the row; None where the row's id is itself the option.
    deploy_option_id: str | None = None

    @property
    def total_memory_gb(self) -> float | None:
        if self.gpu_memory_gb is None or self.gpu_count is None:
            return None
        return self.gpu_memory_gb * self.gpu_count

    @property
    def price_per_month(self) -> float | None:
        return None if self.price_per_hour is None else self.price_per_hour * HOURS_PER_MONTH


@dataclass(frozen=True, slots=True)
class ModelOption:
    id: str
    kind: str | None = None
    display_name: str | None = None
    organization: str | None = None
    context_length: int | None = None
    #: Serverless prices in US dollars per million tokens, when the provider gives them.
    input_price_per_m: float | None = None
    output_price_per_m: float | None = None
    #: The provider recommends it (v2 ``SUPPORTED_MODEL_STATUS_RECOMMENDED``): pickers list it first.
    recommended: bool = False

    @property
    def title(self) -> str:
        return self.display_name or self.id

    @property
    def is_chat(self) -> bool:
        return self.kind in (None, "chat", "language", "code")


class _Unset:
    """Marks a field the user did not touch, as distinct from one set to None ("disable")."""

    _instance: _Unset | None = None

    def __new__(cls) -> _Unset:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "UNSET"

    def __bool__(self) -> bool:
        return False


UNSET: Any = _Unset()


@dataclass(frozen=True, slots=True)
class EndpointSpec:
    """What the create form produces."""

    model: str
    hardware_id: str
    min_replicas: int = 1
    max_replicas: int = 1
    display_name: str | None = None
    #: Minutes idle before auto-stop. None = the service default; 0 = never stop.
    inactive_timeout: int | None = None
    speculative_decoding: bool = True
    availability_zone: str | None = None
    start: bool = True


@dataclass(frozen=True, slots=True)
class EndpointChanges:
    """What the update form produces: only the fields the user changed (UNSET = unchanged)."""

    display_name: Any = UNSET
    min_replicas: Any = UNSET
    max_replicas: Any = UNSET
    inactive_timeout: Any = UNSET

    @property
    def empty(self) -> bool:
        return all(
            value is UNSET
            for value in (self.display_name, self.min_replicas, self.max_replicas, self.inactive_timeout)
        )


@dataclass(frozen=True, slots=True)
class DeploymentChanges:
    """What the v2 update form sends: only the fields the user changed (UNSET = unchanged)."""

    min_replicas: Any = UNSET
    max_replicas: Any = UNSET
    scale_up_window: Any = UNSET
    scale_down_window: Any = UNSET
    inactive_timeout: Any = UNSET
    max_concurrent_requests: Any = UNSET
    traffic_weight: Any = UNSET

    @property
    def deployment_fields(self) -> bool:
        """Whether anything but the traffic weight (an endpoint field) changed."""
        return any(
            value is not UNSET
            for value in (self.min_replicas, self.max_replicas, self.scale_up_window, self.scale_down_window,
                          self.inactive_timeout, self.max_concurrent_requests)
        )

    @property
    def empty(self) -> bool:
        return not self.deployment_fields and self.traffic_weight is UNSET


@dataclass(frozen=True, slots=True)
class ChatMessage:
    role: str
    content: str


@dataclass(frozen=True, slots=True)
class ChatParams:
    temperature: float | None = None
    max_tokens: int | None = None
    top_p: float | None = None
    reasoning_effort: str | None = None


@dataclass(frozen=True, slots=True)
class ChatUsage:
    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    total_tokens: int | None = None
    cached_tokens: int | None = None


@dataclass(frozen=True, slots=True)
class ChatEvent:
    """One streamed increment of an answer."""

    content: str = ""
    reasoning: str = ""
    finish_reason: str | None = None
    usage: ChatUsage | None = None


@dataclass(frozen=True, slots=True)
class ChatReply:
    """A whole (non-streamed) answer."""

    content: str
    reasoning: str = ""
    finish_reason: str | None = None
    usage: ChatUsage | None = None
