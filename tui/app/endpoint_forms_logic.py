"""What the Hardware pane and the endpoint forms decide, kept free of Textual so it is unit-testable.

Turning typed text into an ``EndpointSpec`` / ``EndpointChanges`` (with one message per field), ordering
and filtering hardware, and the cost arithmetic (per hour, day and month, the serverless alternative and
its break-even) all live here; the widgets only display the results.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Generic, TypeVar

from tui.api.domain import (
    HOURS_PER_MONTH,
    UNSET,
    Availability,
    Endpoint,
    EndpointChanges,
    EndpointSpec,
    HardwareOption,
    ModelOption,
    gpu_family,
)
from tui.api.errors import APIError, BadRequestError, InvalidResponseError
from tui.app.form_numbers import parse_inactive_timeout, parse_replicas

T = TypeVar("T")

#: 730 h / 24 h: the month the API's prices and the header's burn rate use.
DAYS_PER_MONTH = HOURS_PER_MONTH / 24

#: Share of input tokens assumed when one serverless price has to stand for two (3 in : 1 out).
DEFAULT_INPUT_SHARE = 0.75

# Field names shared by the forms, their error labels and the tests.
MODEL = "model"
HARDWARE = "hardware"
DISPLAY_NAME = "display_name"
MIN_REPLICAS = "min_replicas"
MAX_REPLICAS = "max_replicas"
INACTIVE_TIMEOUT = "inactive_timeout"
AVAILABILITY_ZONE = "availability_zone"


# Formatting


def format_money(amount: float | None, *, cents: bool | None = None) -> str:
    """``$3.99`` under $1,000, ``$2,913`` above (cents stop mattering there); ``—`` when unknown."""
    if amount is None:
        return "—"
    show_cents = abs(amount) < 1000 if cents is None else cents
    sign = "-" if amount < 0 else ""
    return f"{sign}${abs(amount):,.2f}" if show_cents else f"{sign}${abs(amount):,.0f}"


def format_signed_money(amount: float) -> str:
    return ("+" if amount >= 0 else "") + format_money(amount)


def format_tokens(count: float | None) -> str:
    """Token counts as people say them: ``850k``, ``12.3M``, ``2.55B``."""
    if count is None:
        return "—"
    for limit, suffix in ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "k")):
        if count >= limit:
            value = count / limit
            return f"{value:.3g}{suffix}"
    return f"{count:.0f}"


def format_context(length: int | None) -> str:
    if not length:
        return ""
    return f"{length // 1024}k ctx" if length >= 1024 else f"{length} ctx"


def format_memory(gigabytes: float | None) -> str:
    if gigabytes is None:
        return "—"
    return f"{gigabytes:,.0f} GB" if gigabytes == int(gigabytes) else f"{gigabytes:,.1f} GB"


def gpu_name(option: HardwareOption) -> str:
    """``h100-80gb`` -> ``H100``; ``?`` when the specs are missing."""
    return gpu_family(option.gpu_type) or "?"


def hardware_summary(option: HardwareOption) -> str:
    """``2x H100 80 GB SXM``: what a person calls the configuration."""
    parts = [f"{option.gpu_count or '?'}x {gpu_name(option)}"]
    if option.gpu_memory_gb is not None:
        parts.append(format_memory(option.gpu_memory_gb))
    if option.gpu_link:
        parts.append(option.gpu_link.upper())
    return " ".join(parts)


@dataclass(frozen=True, slots=True)
class AvailabilityLook:
    glyph: str
    word: str
    #: A class name the stylesheets and Rich styles key on.
    tone: str

    @property
    def text(self) -> str:
        return f"{self.glyph} {self.word}"


def availability_look(option: HardwareOption) -> AvailabilityLook:
    """Every availability gets a glyph and a word, so it reads without colour (16 colours, NO_COLOR)."""
    status = option.availability
    if status is None:
        return AvailabilityLook("·", "ask per model", "none")
    if status is Availability.AVAILABLE:
        return AvailabilityLook("✓", "available", "ok")
    if status is Availability.INSUFFICIENT:
        return AvailabilityLook("⚠", "insufficient", "warn")
    if status is Availability.UNAVAILABLE:
        return AvailabilityLook("✗", "unavailable", "bad")
    return AvailabilityLook("?", (option.availability_raw or "unknown").lower(), "unknown")


# Ordering and filtering hardware

_AVAILABILITY_RANK = {
    Availability.AVAILABLE: 0,
    Availability.INSUFFICIENT: 1,
    None: 2,
    Availability.UNKNOWN: 2,
    Availability.UNAVAILABLE: 3,
}


class HardwareSort(StrEnum):
    """The orders the Hardware pane offers, in the order ``s`` cycles through them."""

    CHEAPEST_AVAILABLE = "cheapest available"
    PRICE = "price"
    MEMORY = "total memory"
    GPU = "GPU"
    COUNT = "GPU count"
    ID = "id"


def _price_key(option: HardwareOption) -> tuple[bool, float]:
    return (option.price_per_hour is None, option.price_per_hour or 0.0)


def sort_key(order: HardwareSort) -> Callable[[HardwareOption], tuple[Any, ...]]:
    def key(option: HardwareOption) -> tuple[Any, ...]:
        if order is HardwareSort.CHEAPEST_AVAILABLE:
            return (_AVAILABILITY_RANK.get(option.availability, 2), *_price_key(option), option.id)
        if order is HardwareSort.PRICE:
            return (*_price_key(option), option.id)
        if order is HardwareSort.MEMORY:
            return (option.total_memory_gb or 0.0, *_price_key(option), option.id)
        if order is HardwareSort.GPU:
            return (gpu_name(option), option.gpu_count or 0, option.id)
        if order is HardwareSort.COUNT:
            return (option.gpu_count or 0, *_price_key(option), option.id)
        return (option.id,)

    return key


def sort_hardware(
    options: Iterable[HardwareOption], order: HardwareSort = HardwareSort.PRICE, *, reverse: bool = False
) -> list[HardwareOption]:
    return sorted(options, key=sort_key(order), reverse=reverse)


def cheapest_available_first(options: Iterable[HardwareOption]) -> list[HardwareOption]:
    """Available, then insufficient, then unknown, then unavailable; cheapest first within each."""
    return sort_hardware(options, HardwareSort.CHEAPEST_AVAILABLE)


def hardware_haystack(option: HardwareOption) -> str:
    look = availability_look(option)
    return " ".join(
        part
        for part in (option.id, hardware_summary(option), option.gpu_type or "", look.word)
        if part
    ).lower()


def filter_hardware(
    options: Iterable[HardwareOption], query: str = "", *, hide_unavailable: bool = False
) -> list[HardwareOption]:
    """Every word of ``query`` must appear (id, GPU, memory, link or availability); order is kept."""
    words = query.lower().split()
    kept = []
    for option in options:
        if hide_unavailable and option.availability is Availability.UNAVAILABLE:
            continue
        haystack = hardware_haystack(option)
        if all(word in haystack for word in words):
            kept.append(option)
    return kept


# Cost arithmetic


@dataclass(frozen=True, slots=True)
class RunningCost:
    per_hour: float
    per_day: float
    per_month: float


def running_cost(price_per_hour: float, replicas: int, hours_per_day: float) -> RunningCost:
    per_hour = price_per_hour * replicas
    per_day = per_hour * hours_per_day
    return RunningCost(per_hour=per_hour, per_day=per_day, per_month=per_day * DAYS_PER_MONTH)


def blended_price_per_million(model: ModelOption, input_share: float = DEFAULT_INPUT_SHARE) -> float | None:
    """One serverless $/1M-token figure for a mix of input and output; None when unpriced."""
    if model.input_price_per_m is None and model.output_price_per_m is None:
        return None
    # A model priced on one side only (embeddings: input) costs that on every token.
    input_price = model.input_price_per_m if model.input_price_per_m is not None else model.output_price_per_m
    output_price = model.output_price_per_m if model.output_price_per_m is not None else input_price
    assert input_price is not None and output_price is not None
    return input_share * input_price + (1 - input_share) * output_price


def serverless_cost_per_day(
    model: ModelOption, tokens_per_day: float, input_share: float = DEFAULT_INPUT_SHARE
) -> float | None:
    price = blended_price_per_million(model, input_share)
    return None if price is None else tokens_per_day / 1e6 * price


def break_even_tokens_per_day(
    dedicated_per_day: float, model: ModelOption, input_share: float = DEFAULT_INPUT_SHARE
) -> float | None:
    """Tokens a day above which the dedicated endpoint costs less than the serverless model."""
    price = blended_price_per_million(model, input_share)
    if price is None or price <= 0:
        return None
    return dedicated_per_day / price * 1e6


# Form input -> request


CREATE_TIMEOUT_EMPTY = "Empty = not sent: the service's default auto-stop applies."
UPDATE_TIMEOUT_EMPTY = "Empty = unchanged (current value not reported by the API)."


@dataclass(frozen=True, slots=True)
class FormResult(Generic[T]):
    """The request a form would send, or why it cannot; warnings never block."""

    value: T | None
    errors: dict[str, str] = field(default_factory=dict)
    warnings: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.value is not None and not self.errors


@dataclass(frozen=True, slots=True)
class CreateFormInput:
    """The create form exactly as typed."""

    model: str | None = None
    hardware_id: str | None = None
    display_name: str = ""
    min_replicas: str = "1"
    max_replicas: str = "1"
    inactive_timeout: str = ""
    speculative_decoding: bool = True
    availability_zone: str | None = None
    start: bool = True


def check_hardware(
    hardware_id: str | None, model: str | None, offered: Mapping[str, HardwareOption] | None
) -> tuple[str | None, str | None]:
    """(error, warning) for the hardware choice, given what the API offers for the model."""
    if not hardware_id:
        return "Pick the hardware to run on.", None
    if model is None:
        return None, None
    if offered is None:
        return "Still checking which hardware this model runs on…", None
    option = offered.get(hardware_id)
    if option is None:
        if not offered:
            return f"No hardware is offered for {model}.", None
        return f"{hardware_id} is not offered for {model}.", None
    if option.availability is Availability.UNAVAILABLE:
        return None, "Unavailable right now: the endpoint will probably fail to start."
    if option.availability is Availability.INSUFFICIENT:
        return None, "Insufficient capacity right now: it may wait in PENDING for a while."
    return None, None


def validate_create(
    form: CreateFormInput,
    offered: Mapping[str, HardwareOption] | None,
    *,
    known_models: Iterable[str] | None = None,
) -> FormResult[EndpointSpec]:
    """Every check made before a POST; ``offered`` is ``GET /hardware?model=`` by id (None: not loaded)."""
    errors: dict[str, str] = {}
    warnings: dict[str, str] = {}
    if not form.model:
        errors[MODEL] = "Pick a model (enter opens the model picker)."
    elif known_models is not None and form.model not in set(known_models):
        errors[MODEL] = f"{form.model} is not offered for dedicated endpoints."
    hardware_error, hardware_warning = check_hardware(
        form.hardware_id, form.model if MODEL not in errors else None, offered
    )
    if hardware_error:
        errors[HARDWARE] = hardware_error
    if hardware_warning:
        warnings[HARDWARE] = hardware_warning
    minimum, maximum = _check_replicas(form.min_replicas, form.max_replicas, errors)
    timeout, timeout_error = parse_inactive_timeout(form.inactive_timeout)
    if timeout_error:
        errors[INACTIVE_TIMEOUT] = timeout_error
    if errors:
        return FormResult(None, errors, warnings)
    assert form.model and form.hardware_id and minimum is not None and maximum is not None
    spec = EndpointSpec(
        model=form.model,
        hardware_id=form.hardware_id,
        min_replicas=minimum,
        max_replicas=maximum,
        display_name=form.display_name.strip() or None,
        inactive_timeout=timeout,
        speculative_decoding=form.speculative_decoding,
        availability_zone=form.availability_zone or None,
        start=form.start,
    )
    return FormResult(spec, errors, warnings)


def _check_replicas(min_text: str, max_text: str, errors: dict[str, str]) -> tuple[int | None, int | None]:
    minimum, min_error = parse_replicas(min_text, "Min replicas", minimum=0)
    maximum, max_error = parse_replicas(max_text, "Max replicas", minimum=1)
    if min_error:
        errors[MIN_REPLICAS] = min_error
    if max_error:
        errors[MAX_REPLICAS] = max_error
    if minimum is not None and maximum is not None and minimum > maximum:
        errors[MAX_REPLICAS] = f"Max replicas must be at least min replicas ({minimum})."
    return minimum, maximum


@dataclass(frozen=True, slots=True)
class UpdateFormInput:
    display_name: str
    min_replicas: str
    max_replicas: str
    inactive_timeout: str = ""


def update_form_defaults(endpoint: Endpoint, current_timeout: int | None = None) -> UpdateFormInput:
    """The update form's starting text: the endpoint as it is (no change yet)."""
    return UpdateFormInput(
        display_name=endpoint.display_name or "",
        min_replicas="" if endpoint.min_replicas is None else str(endpoint.min_replicas),
        max_replicas="" if endpoint.max_replicas is None else str(endpoint.max_replicas),
        inactive_timeout="" if current_timeout is None else str(current_timeout),
    )


def validate_update(
    form: UpdateFormInput, endpoint: Endpoint, *, current_timeout: int | None = None
) -> FormResult[EndpointChanges]:
    """Only what differs from ``endpoint`` goes into the changes; an empty timeout leaves it alone."""
    errors: dict[str, str] = {}
    name = form.display_name.strip()
    if not name:
        errors[DISPLAY_NAME] = "Display name cannot be empty."
    minimum, maximum = _check_replicas(form.min_replicas, form.max_replicas, errors)
    timeout, timeout_error = parse_inactive_timeout(form.inactive_timeout)
    if timeout_error:
        errors[INACTIVE_TIMEOUT] = timeout_error
    if errors:
        return FormResult(None, errors)
    changes = EndpointChanges(
        display_name=name if name != (endpoint.display_name or "") else UNSET,
        min_replicas=minimum if minimum != endpoint.min_replicas else UNSET,
        max_replicas=maximum if maximum != endpoint.max_replicas else UNSET,
        inactive_timeout=timeout if timeout is not None and timeout != current_timeout else UNSET,
    )
    return FormResult(changes)


@dataclass(frozen=True, slots=True)
class PreviewLine:
    label: str
    old: str
    new: str


def _timeout_words(minutes: int | None) -> str:
    if minutes is None:
        return "unknown"
    return "off" if minutes == 0 else f"{minutes} min"


def _replica_range(minimum: int | None, maximum: int | None) -> str:
    if minimum is None or maximum is None:
        return "?"
    return f"{minimum}" if minimum == maximum else f"{minimum}-{maximum}"


def _cost_range(price: float | None, minimum: int | None, maximum: int | None) -> str:
    if price is None or minimum is None or maximum is None:
        return "?"
    low, high = price * minimum, price * maximum
    return f"{format_money(low)}/h" if low == high else f"{format_money(low)}-{format_money(high)}/h"


def update_preview(
    endpoint: Endpoint,
    changes: EndpointChanges,
    price_per_hour: float | None,
    *,
    current_timeout: int | None = None,
) -> list[PreviewLine]:
    """Old -> new for each changed field, then the $/hour at min and max before and after."""
    lines: list[PreviewLine] = []
    if changes.display_name is not UNSET:
        lines.append(PreviewLine("Display name", endpoint.display_name or "—", changes.display_name))
    new_min = endpoint.min_replicas if changes.min_replicas is UNSET else changes.min_replicas
    new_max = endpoint.max_replicas if changes.max_replicas is UNSET else changes.max_replicas
    if changes.min_replicas is not UNSET or changes.max_replicas is not UNSET:
        lines.append(
            PreviewLine(
                "Replicas",
                _replica_range(endpoint.min_replicas, endpoint.max_replicas),
                _replica_range(new_min, new_max),
            )
        )
        lines.append(
            PreviewLine(
                "Cost",
                _cost_range(price_per_hour, endpoint.min_replicas, endpoint.max_replicas),
                _cost_range(price_per_hour, new_min, new_max),
            )
        )
    if changes.inactive_timeout is not UNSET:
        lines.append(
            PreviewLine("Inactive timeout", _timeout_words(current_timeout), _timeout_words(changes.inactive_timeout))
        )
    return lines


def cost_difference(
    endpoint: Endpoint, changes: EndpointChanges, price_per_hour: float | None
) -> tuple[float, float] | None:
    """($/h change at min replicas, at max replicas), or None when it cannot be worked out."""
    if price_per_hour is None or endpoint.min_replicas is None or endpoint.max_replicas is None:
        return None
    new_min = endpoint.min_replicas if changes.min_replicas is UNSET else changes.min_replicas
    new_max = endpoint.max_replicas if changes.max_replicas is UNSET else changes.max_replicas
    return (
        (new_min - endpoint.min_replicas) * price_per_hour,
        (new_max - endpoint.max_replicas) * price_per_hour,
    )


def estimate_line(price_per_hour: float | None, min_text: str, max_text: str, *, start: bool = True) -> str:
    """The create form's summary: what it costs at min and at max replicas, and whether billing begins."""
    if not start:
        # Unticking "Start now" is the way to create without spending: the summary must say so.
        per_replica = "" if price_per_hour is None else f" (then {format_money(price_per_hour)}/h per replica)"
        return f"Estimate: created stopped: nothing billed until started{per_replica}."
    if price_per_hour is None:
        return "Estimate: pick a model and hardware to see the price."
    minimum, _ = parse_replicas(min_text, "min", minimum=0)
    maximum, _ = parse_replicas(max_text, "max", minimum=1)
    if minimum is None or maximum is None or minimum > maximum:
        return f"Estimate: {format_money(price_per_hour)}/h per replica."
    low = running_cost(price_per_hour, minimum, 24)
    high = running_cost(price_per_hour, maximum, 24)
    replicas = "replica" if minimum == 1 else "replicas"
    if minimum == maximum:
        return (
            f"Estimate: {format_money(low.per_hour)}/h with {minimum} {replicas}"
            f" · {format_money(low.per_month)}/month if always on."
        )
    return (
        f"Estimate: {format_money(low.per_hour)}/h at min ({minimum}) · "
        f"{format_money(high.per_hour)}/h at max ({maximum}) · up to {format_money(high.per_month)}/month."
    )


# Refusals

# Together's CLI prints the hardware list when a refusal says "check the hardware api", "invalid hardware
# provided", "hardware is required" or "the selected configuration": all covered by these.
_HARDWARE_REFUSAL_WORDS = ("hardware", "the selected configuration")


def is_hardware_refusal(error: APIError) -> bool:
    if not isinstance(error, BadRequestError):
        return False
    if (error.param or "").lower() == "hardware":
        return True
    message = error.message.lower()
    return any(word in message for word in _HARDWARE_REFUSAL_WORDS)


def refusal_text(error: APIError, *, creating: bool) -> str:
    """The banner shown in the form: the API's own words, and what is known about the outcome."""
    status = f" ({error.status})" if error.status else ""
    request_id = f" · request id {error.request_id}" if error.request_id else ""
    if isinstance(error, BadRequestError):
        return f"✗ The API refused the request{status}: {error.message}{request_id}"
    text = f"✗ {error.kind.capitalize()}{status}: {error.message}{request_id}"
    if creating and isinstance(error, InvalidResponseError) and error.status and error.status < 300:
        # The service said yes and then sent something unreadable: the endpoint almost surely exists.
        text += (
            "\n  The endpoint was probably created: check the Endpoints pane (1) before sending again."
        )
    elif creating and error.retryable:
        # POST /endpoints is never retried: after a timeout or 5xx nobody knows if it was created.
        text += (
            "\n  It is not known whether the endpoint was created: check the Endpoints pane (1)"
            " before sending again."
        )
    return text


def available_for_model(offered: Sequence[HardwareOption], limit: int = 6) -> str:
    """"Available for this model: …" as the CLI prints after a hardware refusal."""
    usable = [o for o in cheapest_available_first(offered) if o.availability is not Availability.UNAVAILABLE]
    if not usable:
        return "No hardware is available for this model right now."
    shown = ", ".join(f"{o.id} ({format_money(o.price_per_hour)}/h)" for o in usable[:limit])
    more = f" and {len(usable) - limit} more" if len(usable) > limit else ""
    return f"Available for this model: {shown}{more}."
