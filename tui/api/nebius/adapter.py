"""Nebius wire objects to domain objects: two-axis states to phases, templates to deploy options.

Every string from the wire is cleaned here (``tui.api.safe_text``). The response side is partly
undocumented (nebius-api.md §B0), so each reader accepts the variants the reference lists and treats
anything else as unknown rather than failing the whole list.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from tui.api.domain import Availability, DeployOption, Endpoint, HardwareOption, ModelOption, Phase
from tui.api.nebius.wire import endpoint_object
from tui.api.safe_text import clean, clean_optional
from tui.api.together.provider import clean_tree, parse_time

NOT_READY, PARTIALLY_READY, READY = "not_ready", "partially_ready", "ready"
PRICE_NOTE = "price not from the API (your settings' Nebius price table)"

_STARTING = frozenset({"starting", "provisioning", "creating", "pending", "enabling"})
_UPDATING = frozenset({"updating", "scaling", "reconfiguring"})
_RUNNING = frozenset({"running", "active", "serving"})
_WARNING = frozenset({"warning", "degraded"})
_ERROR = frozenset({"error", "failed", "failure"})
_STOPPING = frozenset({"stopping", "disabling"})
_STOPPED = frozenset({"stopped", "disabled"})
# Names that go into option ids: anything else could make an id ambiguous, so such offers are dropped.
_ID_PART = re.compile(r"^[A-Za-z0-9._-]{1,100}$")
_OPTION_ID = re.compile(
    r"^(?P<flavor>[A-Za-z0-9._-]+):(?P<count>\d+)x(?P<gpu>[A-Za-z0-9._-]+)(?:@(?P<region>[A-Za-z0-9._-]+))?$"
)
#: Public GPU specs (memory per GPU in GB): the API gives none. Keyed by the GPU part of the type.
_GPU_MEMORY = {"l40s": 48.0, "h100": 80.0, "h200": 141.0, "b200": 180.0, "b300": 288.0}
_KNOWN = frozenset(
    {"id", "endpoint_id", "name", "description", "enabled", "routing_key", "model_name", "flavor_name", "region",
     "gpu_type", "gpu_count", "custom_weights_id", "scaling", "deployment", "created_at", "status", "state",
     "readiness", "ready_replicas"}
)


def _word(value: Any) -> str | None:
    """A state word, lower case with ``_`` for spaces and hyphens ("Partially ready" -> partially_ready)."""
    text = clean_optional(value, limit=60) if isinstance(value, str) else None
    return re.sub(r"[\s-]+", "_", text.strip().lower()) if text else None


def _int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if value >= 0 else None
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def readiness_of(word: str | None, ready: int | None, minimum: int | None) -> str | None:
    """The readiness axis: the API's word when it is one we know, else derived from ``ready_replicas``."""
    if word in (NOT_READY, "notready", "unready"):
        return NOT_READY
    if word in (PARTIALLY_READY, "partial", "partially"):
        return PARTIALLY_READY
    if word == READY:
        return READY
    if ready is None:
        return None
    if ready == 0:
        return NOT_READY
    return READY if ready >= max(minimum or 1, 1) else PARTIALLY_READY


def phase_of(lifecycle: str | None, readiness: str | None, enabled: bool | None, ready: int | None) -> Phase:
    """Lifecycle x readiness (§B4's documented combinations) to one phase."""
    if lifecycle in _STARTING:
        return Phase.STARTING if readiness in (None, NOT_READY) else Phase.SCALING
    if lifecycle in _UPDATING:
        return Phase.UPDATING
    if lifecycle in _RUNNING:
        # Running/Partially ready is "degraded"; Running/Not ready an "unexpected outage".
        return {None: Phase.READY, READY: Phase.READY, PARTIALLY_READY: Phase.DEGRADED}.get(readiness, Phase.FAILED)
    if lifecycle in _WARNING or lifecycle in _ERROR:
        # Error/Ready is "serving, but deployment issue exists"; Error/Not ready a "deployment failure".
        return Phase.FAILED if readiness in (None, NOT_READY) else Phase.DEGRADED
    if lifecycle in _STOPPING:
        return Phase.STOPPING
    if lifecycle in _STOPPED:
        return Phase.STOPPED
    if lifecycle is not None:
        return Phase.UNKNOWN
    # No lifecycle word: the reference's fallback, ``enabled`` plus readiness.
    if enabled is False:
        return Phase.STOPPING if ready else Phase.STOPPED
    if readiness == READY:
        return Phase.READY
    if readiness == PARTIALLY_READY:
        return Phase.SCALING
    return Phase.STARTING if enabled and readiness == NOT_READY else Phase.UNKNOWN


def _status_message(lifecycle: str | None, readiness: str | None, ready: int | None, minimum: int | None) -> str | None:
    if lifecycle in _WARNING:
        return "A deployment issue requires attention; contact Nebius support if it lasts more than 3 hours."
    if lifecycle in _ERROR:
        serving = readiness in (READY, PARTIALLY_READY)
        return "Serving, but a deployment issue exists." if serving else "Deployment failed."
    if lifecycle in _RUNNING and readiness == NOT_READY:
        return "Running, but no replica is ready."
    if readiness == PARTIALLY_READY and ready is not None and minimum:
        return f"{ready} of {minimum} replicas ready."
    return None


def option_id(flavor: str, gpu_type: str, gpu_count: int, region: str | None = None) -> str:
    """``base:1xgpu-h100-sxm`` (a deploy option), ``base:1xgpu-h100-sxm@eu-north1`` (one placement)."""
    return f"{flavor}:{gpu_count}x{gpu_type}" + (f"@{region}" if region else "")


@dataclass(frozen=True, slots=True)
class ParsedOption:
    flavor: str
    gpu_type: str
    gpu_count: int
    region: str | None


def parse_option_id(value: str) -> ParsedOption | None:
    match = _OPTION_ID.match(value)
    if match is None:
        return None
    return ParsedOption(match["flavor"], match["gpu"], int(match["count"]), match["region"])


def endpoint_from_wire(payload: Any) -> Endpoint:
    """One endpoint from any documented variant (raises ``InvalidShape`` when it has no id)."""
    obj = endpoint_object(payload)
    deployment = _dict(obj.get("deployment"))
    scaling = _dict(obj.get("scaling"))
    minimum, maximum = _int(scaling.get("min_replicas")), _int(scaling.get("max_replicas"))
    enabled = obj.get("enabled") if isinstance(obj.get("enabled"), bool) else None
    ready = _int(deployment.get("ready_replicas", obj.get("ready_replicas")))
    lifecycle = _word(deployment.get("status") or deployment.get("state") or obj.get("status") or obj.get("state"))
    readiness_word = _word(deployment.get("readiness") or obj.get("readiness"))
    readiness = readiness_of(readiness_word, ready, minimum)
    routing_key = clean_optional(obj.get("routing_key"), limit=300)
    flavor, gpu, region = (clean_optional(obj.get(k), limit=100) for k in ("flavor_name", "gpu_type", "region"))
    count = _int(obj.get("gpu_count"))
    hardware = option_id(flavor, gpu, count, region) if flavor and gpu and count is not None else None
    shown_lifecycle = lifecycle or {True: "enabled", False: "disabled", None: "unknown"}[enabled]
    shown_readiness = readiness_word or (f"{ready} ready" if ready is not None else None)
    description = clean_optional(obj.get("description"), limit=500)
    weights = clean_optional(obj.get("custom_weights_id"), limit=200)
    facts = (
        ("Region", region), ("Flavor", _flavor_words(flavor)), ("GPU type", gpu),
        ("Enabled", None if enabled is None else ("yes" if enabled else "no (disabled: no replicas, not billed)")),
        ("Readiness", readiness.replace("_", " ") if readiness else None),
        ("Ready replicas", None if ready is None else f"{ready}" + (f" (min {minimum})" if minimum else "")),
        ("Description", description), ("Custom weights", weights),
    )
    endpoint_id = clean(obj["id"], limit=200)
    return Endpoint(
        id=endpoint_id,
        name=routing_key or endpoint_id,
        model=clean(obj.get("model_name"), limit=300),
        state=f"{shown_lifecycle}/{shown_readiness}" if shown_readiness else shown_lifecycle,
        phase=phase_of(lifecycle, readiness, enabled, ready),
        created_at=parse_time(obj["created_at"]) if isinstance(obj.get("created_at"), str) else None,
        display_name=clean_optional(obj.get("name"), limit=200),
        hardware_id=hardware,
        min_replicas=minimum,
        max_replicas=maximum,
        detailed=True,
        # Only what the reference does not list: every documented field is first-class or a fact.
        extra=clean_tree({k: v for k, v in obj.items() if k not in _KNOWN}),
        api="nebius",
        status_message=_status_message(lifecycle, readiness, ready, minimum),
        inference_target=routing_key,
        region=region,
        facts=tuple((label, value) for label, value in facts if value),
    )


def _flavor_words(flavor: str | None) -> str | None:
    """``fast (low latency)``: the documented meaning beside the word; an unknown flavor as it came."""
    meaning = {"base": "throughput", "fast": "low latency, speculative decoding"}.get(flavor or "")
    return f"{flavor} ({meaning})" if flavor and meaning else flavor


# Templates


@dataclass(frozen=True, slots=True)
class Offer:
    """One (model, flavor, GPU type, GPUs per replica) the templates allow, with its regions."""

    model: str
    flavor: str
    gpu_type: str
    gpu_count: int
    regions: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Template:
    name: str
    kind: str | None
    vendor: str | None
    context_length: int | None
    offers: tuple[Offer, ...]


def _id_part(value: Any) -> str | None:
    """A name that goes back to the API in a create: used only if it is already plain (checked before any
    cleaning, so a name that merely cleans to something plain is not sent back altered)."""
    return value if isinstance(value, str) and _ID_PART.match(value) else None


def _names(values: Any) -> tuple[str, ...]:
    if isinstance(values, str):
        values = [values]
    if not isinstance(values, list):
        return ()
    return tuple(dict.fromkeys(n for n in map(_id_part, values) if n))


def _hardware_entries(details: Any) -> Iterable[dict[str, Any]]:
    details = _dict(details)
    for key in ("hardware", "configurations", "options", "gpus"):
        if isinstance(details.get(key), list):
            return (entry for entry in details[key] if isinstance(entry, dict))
    # The flavor itself may carry one configuration.
    return [details] if "gpu_type" in details else []


def _flavors(raw: Any) -> Iterable[tuple[str, Any]]:
    """``flavors`` as the summary's map (name -> details) or a list of ``{flavor_name|name, ...}``."""
    if isinstance(raw, dict):
        return raw.items()
    if isinstance(raw, list):
        return [
            (str(f.get("flavor_name") or f.get("name") or ""), f) for f in raw if isinstance(f, dict)
        ]
    return []


def template_from_wire(raw: Any) -> Template | None:
    """One template, or None when it has no usable name."""
    obj = _dict(raw)
    name = clean_optional(obj.get("name") or obj.get("model_name") or obj.get("template_name"), limit=300)
    if name is None:
        return None
    metadata = _dict(obj.get("metadata"))
    window = metadata.get("context_window_k")
    # "k" read as 1024 tokens (128k = 131,072): UNVERIFIED, the unit is not documented.
    context = None
    if isinstance(window, int | float) and not isinstance(window, bool) and 0 < window < 1e6:
        context = int(window * 1024)
    # (flavor, GPU type, count) -> regions: a combination listed twice (two entries, two region lists) is
    # one deploy option offered in both lists' regions, never two options with one id.
    offers: dict[tuple[str, str, int], tuple[str, ...]] = {}
    for flavor_name, details in _flavors(obj.get("flavors")):
        flavor = _id_part(flavor_name)
        if flavor is None:
            continue
        for entry in _hardware_entries(details):
            gpu = _id_part(entry.get("gpu_type"))
            counts = entry.get("gpu_counts", [entry.get("gpu_count")])
            regions = _names(entry.get("regions", entry.get("region")))
            for count in (_int(c) for c in (counts if isinstance(counts, list) else [])):
                if gpu and count:
                    known = offers.get((flavor, gpu, count), ())
                    offers[flavor, gpu, count] = tuple(dict.fromkeys((*known, *regions)))
    kind = clean_optional(obj.get("type"), limit=40)
    return Template(
        name, kind, clean_optional(metadata.get("vendor"), limit=100), context,
        tuple(Offer(name, flavor, gpu, count, regions) for (flavor, gpu, count), regions in offers.items()),
    )


def _gpu_family(gpu_type: str) -> str | None:
    """``h100`` for ``gpu-h100-sxm``: the part of the type that names the GPU, when we know it."""
    return next((part for part in gpu_type.lower().split("-") if part in _GPU_MEMORY), None)


def price_per_hour(prices: Mapping[str, float], gpu_type: str, gpu_count: int) -> float | None:
    """$/hour per replica from the user's per-GPU table; unknown (None), never $0, without a usable entry.

    The exact type (``gpu-h100-sxm``) is looked up first, then its GPU family (``h100``), so one entry can
    price every variant of a GPU while a variant's own entry still wins (``gpu-b200-sxm-a`` beside ``b200``).
    """
    family = _gpu_family(gpu_type)
    rate = prices.get(gpu_type)
    if rate is None and family is not None:
        rate = prices.get(family)
    if not isinstance(rate, int | float) or isinstance(rate, bool) or not math.isfinite(rate) or rate <= 0:
        return None
    return rate * gpu_count


def _gpu_specs(gpu_type: str) -> tuple[float | None, str | None]:
    parts = gpu_type.lower().split("-")
    memory = next((_GPU_MEMORY[p] for p in parts if p in _GPU_MEMORY), None)
    link = "sxm" if "sxm" in parts else ("pcie" if "l40s" in parts else None)
    return memory, link


def shown_gpu_type(gpu_type: str) -> str:
    """``h100`` for ``gpu-h100-sxm``, ``b200-a`` for ``gpu-b200-sxm-a``: what the screens print as the GPU
    (the link is a column of its own). The exact type stays in the option's id, which is what is sent."""
    parts = [p for p in gpu_type.split("-") if p.lower() not in ("gpu", "sxm")]
    return "-".join(parts) or gpu_type


def hardware_label(offer: Offer) -> str:
    """``fast · 1x H100``: the flavor first, since two options on the same GPUs differ only by it."""
    family = _gpu_family(offer.gpu_type)
    return f"{offer.flavor} · {offer.gpu_count}x {family.upper() if family else offer.gpu_type}"


def deploy_option(offer: Offer, prices: Mapping[str, float]) -> DeployOption:
    return DeployOption(
        id=option_id(offer.flavor, offer.gpu_type, offer.gpu_count),
        model=offer.model,
        hardware_label=hardware_label(offer),
        # As the hardware rows print it (h100), so both describe the same GPU alike; the exact type is in the id.
        gpu_type=shown_gpu_type(offer.gpu_type),
        gpu_count=offer.gpu_count,
        regions=offer.regions,
        dollars_per_hour=price_per_hour(prices, offer.gpu_type, offer.gpu_count),
        # Templates say what is offered, not what has capacity now.
        availability=Availability.UNKNOWN,
        price_from_api=False,
    )


def hardware_options(offer: Offer, prices: Mapping[str, float]) -> list[HardwareOption]:
    """One row per region: a HardwareOption id then says everything a create needs besides the model."""
    memory, link = _gpu_specs(offer.gpu_type)
    return [
        HardwareOption(
            id=option_id(offer.flavor, offer.gpu_type, offer.gpu_count, region),
            gpu_type=shown_gpu_type(offer.gpu_type),
            gpu_count=offer.gpu_count,
            gpu_memory_gb=memory,
            gpu_link=link,
            price_per_hour=price_per_hour(prices, offer.gpu_type, offer.gpu_count),
            # Not ``regions``: that field says where there is room now, which templates do not say.
            label=f"{hardware_label(offer)} · {region}",
            price_from_api=False,
            deploy_option_id=option_id(offer.flavor, offer.gpu_type, offer.gpu_count),
        )
        for region in offer.regions
    ]


def model_from_template(template: Template) -> ModelOption:
    # Dedicated templates are language models; a type word we do not know is kept only if it is clearly not chat.
    kind = template.kind
    chat_like = kind is None or any(word in kind.lower() for word in ("chat", "text", "llm", "language"))
    return ModelOption(
        id=template.name,
        kind="chat" if chat_like else kind,
        organization=template.vendor,
        context_length=template.context_length,
    )
