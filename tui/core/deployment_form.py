"""The v2 update form's model, without Textual: one deployment's settings -> only what the user changed.

Each field starts as the deployment is (``DeploymentSettings``); a field left as it was, or emptied where
the API reported nothing, is not sent. The preview says old -> new for each change and what the replica
bounds cost before and after, with the $/hour difference at the minimum and at the maximum.
"""

from __future__ import annotations

from dataclasses import dataclass

from tui.api.domain import UNSET, DeploymentChanges, DeploymentSettings
from tui.core.deploy_form import (
    INACTIVE_TIMEOUT,
    MAX_CONCURRENT,
    MAX_REPLICAS,
    TRAFFIC_WEIGHT,
    check_replicas,
    parse_deploy_timeout,
    parse_max_concurrent,
    parse_weight,
)
from tui.core.format import format_money, known_amount
from tui.core.forms import FormResult, PreviewLine
from tui.core.numbers import parse_whole_number

SCALE_UP_WINDOW = "scale_up_window"
SCALE_DOWN_WINDOW = "scale_down_window"
#: An hour: a stabilisation window longer than that is a typo, not a scaling policy.
MAX_WINDOW_SECONDS = 3600


@dataclass(frozen=True, slots=True)
class DeploymentFormInput:
    min_replicas: str
    max_replicas: str
    scale_up_window: str = ""
    scale_down_window: str = ""
    inactive_timeout: str = ""
    max_concurrent: str = ""
    traffic_weight: str = ""


def _text(value: float | int | None) -> str:
    return "" if value is None else f"{value:g}"


def form_defaults(current: DeploymentSettings) -> DeploymentFormInput:
    """The form's starting text: the deployment as it is, so nothing differs until the user types."""
    return DeploymentFormInput(
        min_replicas=_text(current.min_replicas),
        max_replicas=_text(current.max_replicas),
        scale_up_window=_text(current.scale_up_window),
        scale_down_window=_text(current.scale_down_window),
        inactive_timeout=_text(current.inactive_timeout),
        max_concurrent=_text(current.max_concurrent_requests),
        traffic_weight=_text(current.traffic_weight),
    )


def _window(text: str, label: str) -> tuple[int | None, str | None]:
    if not text.strip():
        return None, None
    return parse_whole_number(text, label, minimum=0, maximum=MAX_WINDOW_SECONDS, unit="seconds (an hour)")


def validate_changes(form: DeploymentFormInput, current: DeploymentSettings) -> FormResult[DeploymentChanges]:
    """Only what differs from ``current``; an empty optional field leaves it as it is."""
    errors: dict[str, str] = {}
    warnings: dict[str, str] = {}
    minimum, maximum = check_replicas(form.min_replicas, form.max_replicas, errors)
    up, up_error = _window(form.scale_up_window, "Scale-up window")
    down, down_error = _window(form.scale_down_window, "Scale-down window")
    if up_error:
        errors[SCALE_UP_WINDOW] = up_error
    if down_error:
        errors[SCALE_DOWN_WINDOW] = down_error
    timeout, timeout_error = parse_deploy_timeout(form.inactive_timeout)
    if timeout_error:
        errors[INACTIVE_TIMEOUT] = timeout_error
    concurrent, concurrent_error = parse_max_concurrent(form.max_concurrent)
    if concurrent_error:
        errors[MAX_CONCURRENT] = concurrent_error
    weight, weight_error = parse_weight(form.traffic_weight)
    if weight_error:
        errors[TRAFFIC_WEIGHT] = weight_error
    elif weight == 0 and (current.traffic_weight or 0) > 0:
        warnings[TRAFFIC_WEIGHT] = "Weight 0 takes it out of the traffic split: it still bills while it runs."
    if minimum == 0 and maximum == 0 and (current.max_replicas or 0) > 0:
        warnings[MAX_REPLICAS] = "0/0 stops the deployment (billing ends once it is Stopped)."
    if errors:
        return FormResult(None, errors, warnings)

    def changed(new: object, old: object) -> object:
        return UNSET if new is None or new == old else new

    changes = DeploymentChanges(
        min_replicas=changed(minimum, current.min_replicas),
        max_replicas=changed(maximum, current.max_replicas),
        scale_up_window=changed(up, current.scale_up_window),
        scale_down_window=changed(down, current.scale_down_window),
        inactive_timeout=changed(timeout, current.inactive_timeout),
        max_concurrent_requests=changed(concurrent, current.max_concurrent_requests),
        traffic_weight=changed(weight, current.traffic_weight),
    )
    return FormResult(changes, errors, warnings)


def _after(value: object, old: object) -> object:
    return old if value is UNSET else value


def cost_range(price: float | None, minimum: int | None, maximum: int | None) -> str:
    if price is None or minimum is None or maximum is None:
        return "?"
    low, high = price * minimum, price * maximum
    return f"{format_money(low)}/h" if low == high else f"{format_money(low)}/h - {format_money(high)}/h"


def _seconds(value: object) -> str:
    return "not reported" if value is None else f"{value:g} s"


def _minutes(value: object) -> str:
    if value is None:
        return "not reported"
    return "off" if value == 0 else f"{value} min"


def preview(current: DeploymentSettings, changes: DeploymentChanges) -> list[PreviewLine]:
    lines: list[PreviewLine] = []
    new_min = _after(changes.min_replicas, current.min_replicas)
    new_max = _after(changes.max_replicas, current.max_replicas)
    if changes.min_replicas is not UNSET or changes.max_replicas is not UNSET:
        lines.append(PreviewLine("Replicas", f"{current.min_replicas}-{current.max_replicas}", f"{new_min}-{new_max}"))
        price = known_amount(current.price_per_replica_hour)
        lines.append(PreviewLine("Cost", cost_range(price, current.min_replicas, current.max_replicas),
                                 cost_range(price, new_min, new_max)))  # type: ignore[arg-type]
    if changes.scale_up_window is not UNSET:
        lines.append(PreviewLine("Scale-up window", _seconds(current.scale_up_window),
                                 _seconds(changes.scale_up_window)))
    if changes.scale_down_window is not UNSET:
        lines.append(PreviewLine("Scale-down window", _seconds(current.scale_down_window),
                                 _seconds(changes.scale_down_window)))
    if changes.inactive_timeout is not UNSET:
        lines.append(PreviewLine("Inactive timeout", _minutes(current.inactive_timeout),
                                 _minutes(changes.inactive_timeout)))
    if changes.max_concurrent_requests is not UNSET:
        old = current.max_concurrent_requests
        lines.append(PreviewLine("Max concurrent", "service default" if old is None else str(old),
                                 str(changes.max_concurrent_requests)))
    if changes.traffic_weight is not UNSET:
        lines.append(PreviewLine("Traffic weight", _text(current.traffic_weight) or "0", f"{changes.traffic_weight:g}"))
    return lines


def cost_difference(current: DeploymentSettings, changes: DeploymentChanges) -> tuple[float, float] | None:
    """($/h change at the minimum, at the maximum), or None when it cannot be worked out."""
    price = known_amount(current.price_per_replica_hour)
    if price is None or current.min_replicas is None or current.max_replicas is None:
        return None
    new_min = _after(changes.min_replicas, current.min_replicas)
    new_max = _after(changes.max_replicas, current.max_replicas)
    return (new_min - current.min_replicas) * price, (new_max - current.max_replicas) * price  # type: ignore[operator]
