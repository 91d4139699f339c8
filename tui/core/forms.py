"""The endpoint forms' model, without Textual: typed text -> a request, the update preview, refusals.

Turning what was typed into an ``EndpointSpec`` / ``EndpointChanges`` with one message per field, the
create form's estimate, the update form's old -> new preview with its $/hour difference, and the
banner text for a refusal. The screens only display the results.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from tui.api.domain import UNSET, Availability, Endpoint, EndpointChanges, EndpointSpec, HardwareOption
from tui.api.errors import APIError, BadRequestError, InvalidResponseError
from tui.core.format import format_money, format_price, known_amount
from tui.core.hardware_choice import cheapest_available_first, running_cost
from tui.core.numbers import parse_inactive_timeout, parse_replicas

T = TypeVar("T")

# Field names shared by the forms, their error labels and the tests.
MODEL = "model"
HARDWARE = "hardware"
DISPLAY_NAME = "display_name"
MIN_REPLICAS = "min_replicas"
MAX_REPLICAS = "max_replicas"
INACTIVE_TIMEOUT = "inactive_timeout"
AVAILABILITY_ZONE = "availability_zone"

# Form input -> request


FORM_FIELDS = frozenset(
    {MODEL, HARDWARE, DISPLAY_NAME, MIN_REPLICAS, MAX_REPLICAS, INACTIVE_TIMEOUT, AVAILABILITY_ZONE}
)

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
    price_per_hour = known_amount(price_per_hour)
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
    price_per_hour = known_amount(price_per_hour)
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
    price_per_hour = known_amount(price_per_hour)
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


def refused_field(error: APIError) -> str | None:
    """The form field a refusal is about, when it says (or when its words are about hardware)."""
    # The adapter names the field in domain words (``error.field``); the form's fields use those names.
    named = error.field if error.field in FORM_FIELDS else None
    if named is None and is_hardware_refusal(error):
        return HARDWARE
    return named


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
    shown = ", ".join(f"{o.id} ({format_price(o.price_per_hour)}/h)" for o in usable[:limit])
    more = f" and {len(usable) - limit} more" if len(usable) > limit else ""
    return f"Available for this model: {shown}{more}."
