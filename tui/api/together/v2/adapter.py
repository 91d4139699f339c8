"""Together v2 wire models in, provider-neutral domain objects out (wire strings are already cleaned)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence

from tui.api.domain import (
    Availability,
    Deployment,
    DeployOption,
    Endpoint,
    HardwareOption,
    ModelOption,
    Phase,
)
from tui.api.safe_text import clean_optional
from tui.api.together.provider import parse_time
from tui.api.together.v2.wire import (
    DeploymentProfile,
    DeploymentSummary,
    DeploymentV2,
    EndpointV2,
    InstanceType,
    SupportedModel,
    parse_duration,
)

PHASES = {
    "DEPLOYMENT_STATE_PROVISIONING": Phase.STARTING,
    "DEPLOYMENT_STATE_SCALING": Phase.SCALING,
    "DEPLOYMENT_STATE_READY": Phase.READY,
    "DEPLOYMENT_STATE_DEGRADED": Phase.DEGRADED,
    "DEPLOYMENT_STATE_FAILED": Phase.FAILED,
    "DEPLOYMENT_STATE_STOPPING": Phase.STOPPING,
    "DEPLOYMENT_STATE_STOPPED": Phase.STOPPED,
}
#: The state an endpoint with nothing behind it reports (it neither serves nor bills).
NO_DEPLOYMENTS = "NO_DEPLOYMENTS"
# Which transitional phase an endpoint shows when its deployments are in several: the one that changes
# the most for the user first (coming up, then resizing, then going down).
_TRANSITIONAL_ORDER = (Phase.STARTING, Phase.UPDATING, Phase.SCALING, Phase.PENDING, Phase.STOPPING)
_INSTANCE_NAME = re.compile(r"^(\d+)x(?:nvidia-)?([a-z0-9]+?)-(\d+)gb$", re.IGNORECASE)


def phase_of(state: str) -> Phase:
    return PHASES.get(state.upper(), Phase.UNKNOWN)


def hardware_label(name: str, instance: InstanceType | None = None) -> str:
    """``1xnvidia-h100-80gb`` -> ``1x H100 80GB``, as Together's CLI writes it; otherwise the name as sent."""
    match = _INSTANCE_NAME.match(name)
    if match:
        count, gpu, memory = match.groups()
        return f"{count}x {gpu.upper()} {memory}GB"
    if instance is not None and instance.gpu_count and instance.gpu_type:
        memory = f" {instance.gpu_memory_gib:g}GB" if instance.gpu_memory_gib else ""
        return f"{instance.gpu_count}x {instance.gpu_type}{memory}"
    return name


def dollars_per_hour(instance: InstanceType | None, replicas: int | None) -> float | None:
    """The instance type's on-demand price (US cents per replica-hour) times the replicas, in dollars."""
    if instance is None or instance.price_cents_per_hour is None or replicas is None:
        return None
    return instance.price_cents_per_hour * replicas / 100


def availability_of(instance: InstanceType | None) -> Availability:
    """AVAILABLE when some region has room for a replica, INSUFFICIENT when none has, else UNKNOWN."""
    if instance is None:
        return Availability.UNKNOWN
    rooms = [r.headroom.value for r in instance.regions if r.headroom is not None and r.headroom.value is not None]
    if not rooms:
        return Availability.UNKNOWN
    return Availability.AVAILABLE if any(room > 0 for room in rooms) else Availability.INSUFFICIENT


def regions_with_room(instance: InstanceType | None) -> tuple[str, ...]:
    if instance is None:
        return ()
    return tuple(r.name for r in instance.regions if r.headroom is not None and (r.headroom.value or 0) > 0)


def summarise(deployments: Sequence[Deployment]) -> tuple[str, Phase, str | None]:
    """(state, phase, message) of an endpoint from its deployments' own.

    Any FAILED is failed; all STOPPED is stopped; otherwise any transitional phase shows; then DEGRADED;
    READY when every deployment is ready or stopped. The state word is the deciding deployment's raw one.
    """
    if not deployments:
        return NO_DEPLOYMENTS, Phase.STOPPED, "No deployments: deploy a model to serve requests."
    phases = [d.phase for d in deployments]

    def by(phase: Phase) -> tuple[str, Phase, str | None]:
        chosen = next(d for d in deployments if d.phase == phase)
        return chosen.state, phase, chosen.status_message

    if Phase.FAILED in phases:
        return by(Phase.FAILED)
    if all(phase == Phase.STOPPED for phase in phases):
        return by(Phase.STOPPED)
    for phase in _TRANSITIONAL_ORDER:
        if phase in phases:
            return by(phase)
    if Phase.DEGRADED in phases:
        return by(Phase.DEGRADED)
    if Phase.UNKNOWN in phases:
        return by(Phase.UNKNOWN)
    return by(Phase.READY)


class Catalogue:
    """What the adapter needs from the catalogue to describe a deployment: prices and model names."""

    def __init__(self, instances: Iterable[InstanceType] = (), models: Iterable[SupportedModel] = ()) -> None:
        self.instances: dict[str, InstanceType] = {i.name: i for i in instances}
        self.model_names: dict[str, str] = {}
        #: config resource -> the profile that made it (quantisation, parallelism: the deployment does not say).
        self.profiles: dict[str, DeploymentProfile] = {}
        for model in models:
            for profile in model.deployment_profiles:
                self.profiles.setdefault(profile.config, profile)
                # A deployment names its model with the revision pinned; the profile may not.
                self.model_names[profile.model.split("/revisions/")[0]] = profile.model_name or model.name

    def instance_for(self, hardware: str | None) -> InstanceType | None:
        return self.instances.get(hardware or "")

    def instance_for_profile(self, profile: DeploymentProfile) -> InstanceType | None:
        return next(
            (i for i in self.instances.values() if i.gpu_type == profile.gpu_type and i.gpu_count == profile.gpu_count),
            None,
        )

    def model_name(self, resource: str) -> str:
        return self.model_names.get(resource.split("/revisions/")[0], resource)


def deployment_from_wire(
    wire: DeploymentSummary | DeploymentV2, weights: Mapping[str, float | None], catalogue: Catalogue
) -> Deployment:
    full = isinstance(wire, DeploymentV2)
    if isinstance(wire, DeploymentV2):
        state, ready, message = wire.status.state, wire.status.ready_replicas, wire.status.message
        inactive, version = wire.inactive_timeout, wire.etag
        profile = catalogue.profiles.get(wire.config)
        engine = _engine(wire)
        concurrency = wire.max_concurrent_requests_per_replica
    else:
        state, ready, message, inactive, version = wire.state, wire.ready_replicas, None, None, None
        profile, engine, concurrency = None, None, None
    instance = catalogue.instance_for(wire.hardware)
    billed = ready if ready is not None else wire.desired_replicas
    return Deployment(
        id=wire.id,
        name=wire.name,
        model=catalogue.model_name(wire.model),
        hardware=wire.hardware or "",
        state=state,
        phase=phase_of(state),
        ready_replicas=ready,
        desired_replicas=wire.desired_replicas,
        min_replicas=wire.autoscaling.min_replicas,
        max_replicas=wire.autoscaling.max_replicas,
        # Not in the split is not routed: weight 0, as the API means it.
        traffic_weight=weights.get(wire.id, 0.0),
        estimated_share=wire.estimated_effective_traffic_share,
        dollars_per_hour=dollars_per_hour(instance, billed),
        status_message=message or None,
        inactive_timeout=inactive or None,
        version=version,
        hardware_label=hardware_label(wire.hardware, instance) if wire.hardware else None,
        engine=engine,
        quantization=profile.quantization if profile is not None else None,
        parallelism=profile.parallelism if profile is not None else None,
        max_concurrent_requests=concurrency or None,
        scale_up_window=parse_duration(wire.autoscaling.scale_up_window),
        scale_down_window=parse_duration(wire.autoscaling.scale_down_window),
        detailed=full,
    )


def _engine(wire: DeploymentV2) -> str | None:
    """``vllm 0.11.2`` from ``runtimeInfo``, which the SDK types but this version keeps as an extra field."""
    info = (wire.model_extra or {}).get("runtimeInfo")
    if not isinstance(info, dict):
        return None
    parts = [clean_optional(info.get(key), limit=40) for key in ("engineType", "engineVersion")]
    return " ".join(part for part in parts if part) or None


def endpoint_from_wire(
    wire: EndpointV2, catalogue: Catalogue, details: Sequence[DeploymentV2] | None = None
) -> Endpoint:
    """The endpoint with its deployments: the full ones when given (status messages, etags), else the summaries."""
    weights = {entry.deployment_id: entry.weight for entry in wire.traffic_split}
    wires: Sequence[DeploymentSummary | DeploymentV2] = wire.deployments if details is None else details
    deployments = tuple(deployment_from_wire(d, weights, catalogue) for d in wires)
    state, phase, message = summarise(deployments)
    hardware = {d.hardware for d in deployments}
    models = list(dict.fromkeys(d.model for d in deployments))
    minimums = [d.min_replicas for d in deployments]
    maximums = [d.max_replicas for d in deployments]
    return Endpoint(
        id=wire.id,
        name=wire.name,
        model=", ".join(models),
        state=state,
        phase=phase,
        created_at=parse_time(wire.created_at),
        display_name=wire.name.rpartition("/")[2] or None,
        hardware_id=hardware.pop() if len(hardware) == 1 else None,
        # The endpoint's bounds are the sum of its deployments' (what it can serve with at least / at most).
        min_replicas=sum(m for m in minimums if m is not None) if None not in minimums and minimums else None,
        max_replicas=sum(m for m in maximums if m is not None) if None not in maximums and maximums else None,
        detailed=True,
        extra={"visibility": wire.visibility} if wire.visibility else {},
        api="v2",
        deployments=deployments,
        version=wire.etag,
        status_message=message,
    )


def deploy_options(model: SupportedModel, catalogue: Catalogue) -> list[DeployOption]:
    options = []
    for profile in model.deployment_profiles:
        instance = catalogue.instance_for_profile(profile)
        name = instance.name if instance is not None else f"{profile.gpu_count or '?'}x{profile.gpu_type or '?'}"
        options.append(
            DeployOption(
                id=option_id(profile),
                model=profile.model_name or model.name,
                hardware_label=hardware_label(name, instance),
                gpu_type=profile.gpu_type,
                gpu_count=profile.gpu_count,
                regions=regions_with_room(instance),
                dollars_per_hour=dollars_per_hour(instance, 1),
                availability=availability_of(instance),
            )
        )
    return options


def option_id(profile: DeploymentProfile) -> str:
    """Opaque to the screens; the config and the model it deploys, which is all a deployment create needs."""
    return f"{profile.config}|{profile.model}"


def parse_option_id(value: str) -> tuple[str, str]:
    """(config, model) from ``option_id``; a ValueError for anything else."""
    config, separator, model = value.partition("|")
    if not separator or not config.startswith("projects/") or not model.startswith("projects/"):
        raise ValueError(f"not a v2 deploy option: {value!r}")
    return config, model


def hardware_from_wire(instance: InstanceType) -> HardwareOption:
    availability = availability_of(instance)
    return HardwareOption(
        id=instance.name,
        gpu_type=instance.gpu_type,
        gpu_count=instance.gpu_count,
        gpu_memory_gb=instance.gpu_memory_gib,
        gpu_link=None,
        price_per_hour=dollars_per_hour(instance, 1),
        availability=availability,
        availability_raw=None if availability is Availability.UNKNOWN else availability.value,
    )


def model_from_wire(model: SupportedModel) -> ModelOption:
    pricing = model.pricing
    return ModelOption(
        id=model.name,
        kind="chat" if "CAPABILITY_CHAT" in model.capabilities else None,
        display_name=model.display_name,
        organization=model.name.partition("/")[0] if "/" in model.name else None,
        context_length=model.context_length or None,
        input_price_per_m=pricing.input if pricing and pricing.input else None,
        output_price_per_m=pricing.output if pricing and pricing.output else None,
    )

