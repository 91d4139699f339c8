"""The deploy form's model, without Textual: typed text -> a ``DeploySpec``, the options in order, the cost.

The checks are the API's own (reference together-v2-api.md §A3-A4, as the simulator applies them), made
before anything is sent, each message naming its bound: an endpoint name of lowercase letters, digits and
``-`` (at most 63; where the provider names endpoints by a display name, Nebius, any 1-100 characters), an
optional deployment name (letters, digits, ``.``, ``_``, ``-``, at most 128), replica bounds where 0 with a
positive maximum is refused (0/0 deploys it stopped), an inactive timeout of 0 or 30-1440 minutes, a whole
number of concurrent requests, a finite traffic weight >= 0, and a region where the provider requires one.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from tui.api.domain import HOURS_PER_MONTH, Availability, DeployOption, DeploySpec
from tui.core.format import format_money, known_amount
from tui.core.forms import FormResult
from tui.core.numbers import MAX_INACTIVE_TIMEOUT_MINUTES, parse_replicas, parse_whole_number

MODEL = "model"
OPTION = "option"
ENDPOINT_NAME = "endpoint_name"
DEPLOYMENT_NAME = "deployment_name"
MIN_REPLICAS = "min_replicas"
MAX_REPLICAS = "max_replicas"
INACTIVE_TIMEOUT = "inactive_timeout"
MAX_CONCURRENT = "max_concurrent"
TRAFFIC_WEIGHT = "traffic_weight"
REGION = "region"

#: The shortest idle time the API accepts for an auto-stop (0 switches it off).
MIN_INACTIVE_TIMEOUT_MINUTES = 30
#: Far above what one replica serves at once; far below a typo.
MAX_CONCURRENT_CAP = 10_000
MAX_TRAFFIC_WEIGHT = 1_000.0
_ENDPOINT_NAME = re.compile(r"^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$")
#: Nebius's ``name`` (reference nebius-api.md: string, 1-100 characters).
MAX_DISPLAY_NAME = 100
DNS_NAMES = "dns"
DISPLAY_NAMES = "display"
_DEPLOYMENT_NAME = re.compile(r"^[A-Za-z0-9]([A-Za-z0-9._-]{0,126}[A-Za-z0-9])?$")
_AVAILABILITY_RANK = {Availability.AVAILABLE: 0, Availability.UNKNOWN: 1, Availability.INSUFFICIENT: 2,
                      Availability.UNAVAILABLE: 3}


@dataclass(frozen=True, slots=True)
class DeployFormInput:
    """The deploy form exactly as typed. ``target`` is an existing endpoint's id (None: a new endpoint)."""

    model: str | None = None
    option_id: str | None = None
    target: str | None = None
    endpoint_name: str = ""
    deployment_name: str = ""
    min_replicas: str = "1"
    max_replicas: str = "1"
    inactive_timeout: str = ""
    max_concurrent: str = ""
    traffic_weight: str = "1"
    region: str | None = None


def cheapest_available_first(options: Iterable[DeployOption]) -> list[DeployOption]:
    """Available first, then unknown, then short of room; within each the cheapest, unknown prices last."""

    def key(option: DeployOption) -> tuple[int, bool, float, str]:
        price = known_amount(option.dollars_per_hour)
        return (_AVAILABILITY_RANK.get(option.availability, 1), price is None, price or 0.0, option.hardware_label)

    return sorted(options, key=key)


def check_endpoint_name(text: str, slug: str | None, rule: str = DNS_NAMES) -> tuple[str | None, str | None]:
    """(the short name, None) or (None, why not); ``slug/name`` is accepted when the slug is this project's.

    ``rule`` is the provider's (``Capabilities.endpoint_names``): a display name is any text of 1-100
    characters, with no project prefix to strip."""
    raw = text.strip()
    if rule == DISPLAY_NAMES:
        if not raw:
            return None, f"Name the new endpoint (1 to {MAX_DISPLAY_NAME} characters)."
        if len(raw) > MAX_DISPLAY_NAME:
            return None, f"At most {MAX_DISPLAY_NAME} characters ({len(raw)} now)."
        return raw, None
    if not raw:
        return None, "Name the new endpoint (it becomes part of the name chat requests use)."
    prefix, _, name = raw.rpartition("/")
    if prefix and slug is not None and prefix != slug:
        return None, f"The project is {slug}: give just the name, or {slug}/<name>."
    if not _ENDPOINT_NAME.match(name):
        return None, ("Use lowercase letters, digits and '-' (not first or last), at most 63 characters.")
    return name, None


def check_deployment_name(text: str) -> tuple[str | None, str | None]:
    raw = text.strip()
    if not raw:
        return None, None
    if not _DEPLOYMENT_NAME.match(raw):
        return None, "Letters, digits, '.', '_' and '-' (a letter or digit first and last), at most 128."
    return raw, None


def parse_deploy_timeout(text: str) -> tuple[int | None, str | None]:
    """Empty -> None (no auto-stop); 0 = off; else 30 to 1,440 minutes, as the API accepts."""
    if not text.strip():
        return None, None
    minutes, error = parse_whole_number(
        text, "Inactive timeout", minimum=0, maximum=MAX_INACTIVE_TIMEOUT_MINUTES, unit="minutes (a day)"
    )
    if error is None and minutes is not None and 0 < minutes < MIN_INACTIVE_TIMEOUT_MINUTES:
        return None, f"Inactive timeout must be 0 (never) or from {MIN_INACTIVE_TIMEOUT_MINUTES} to 1,440 minutes."
    return minutes, error


def parse_max_concurrent(text: str) -> tuple[int | None, str | None]:
    if not text.strip():
        return None, None
    return parse_whole_number(text, "Max concurrent requests", minimum=1, maximum=MAX_CONCURRENT_CAP)


def parse_weight(text: str) -> tuple[float | None, str | None]:
    raw = text.strip()
    if not raw:
        return None, "Traffic weight is required (0 = deployed but not routed yet)."
    try:
        value = float(raw)
    except ValueError:
        return None, "Traffic weight must be a number."
    if not math.isfinite(value) or value < 0:
        return None, "Traffic weight must be a number of at least 0."
    if value > MAX_TRAFFIC_WEIGHT:
        return None, f"Traffic weight must be at most {MAX_TRAFFIC_WEIGHT:,.0f}."
    return value, None


def check_replicas(min_text: str, max_text: str, errors: dict[str, str]) -> tuple[int | None, int | None]:
    """v2 bounds: both 0 deploys it stopped; 0 with a positive maximum is refused by the API."""
    minimum, min_error = parse_replicas(min_text, "Min replicas", minimum=0)
    maximum, max_error = parse_replicas(max_text, "Max replicas", minimum=0)
    if min_error:
        errors[MIN_REPLICAS] = min_error
    if max_error:
        errors[MAX_REPLICAS] = max_error
    if minimum is not None and maximum is not None:
        if minimum > maximum:
            errors[MAX_REPLICAS] = f"Max replicas must be at least min replicas ({minimum})."
        elif minimum == 0 and maximum > 0:
            errors[MIN_REPLICAS] = "Min 0 needs max 0 too (deployed stopped); to serve, set min to at least 1."
    return minimum, maximum


def validate_deploy(
    form: DeployFormInput,
    options: Mapping[str, DeployOption] | None,
    *,
    slug: str | None = None,
    existing_names: Iterable[str] = (),
    name_rule: str = DNS_NAMES,
    region_required: bool = False,
) -> FormResult[DeploySpec]:
    """Every check made before anything is sent; ``options`` by id for the model (None: not loaded yet).

    ``name_rule`` and ``region_required`` are the provider's (``Capabilities``)."""
    errors: dict[str, str] = {}
    warnings: dict[str, str] = {}
    if not form.model:
        errors[MODEL] = "Pick a model (enter opens the model picker)."
    if not form.option_id:
        errors[OPTION] = "Pick a deployment profile." if options else "Pick a model first: its profiles list here."
    elif options is not None and form.option_id not in options:
        errors[OPTION] = "That profile is not offered for this model."
    elif options is not None:
        chosen = options[form.option_id]
        if chosen.availability in (Availability.INSUFFICIENT, Availability.UNAVAILABLE):
            warnings[OPTION] = "No region has room for it right now: it may wait in Provisioning or Degraded."
    if form.target is None:
        name, name_error = check_endpoint_name(form.endpoint_name, slug, name_rule)
        if name_error:
            errors[ENDPOINT_NAME] = name_error
        elif name in set(existing_names):
            warnings[ENDPOINT_NAME] = "An endpoint of this name exists: the deployment will join it."
        endpoint = name or ""
    else:
        endpoint = form.target
    if region_required and not form.region and OPTION not in errors:
        # The region is fixed for the endpoint's life: the provider will not pick one, and a guess could bill
        # in the wrong place.
        chosen_option = options.get(form.option_id) if options is not None and form.option_id else None
        offered = chosen_option.regions if chosen_option is not None else ()
        where = f" (offered: {', '.join(offered)})" if offered else ""
        errors[REGION] = f"Pick the region it runs in{where}: it cannot change later."
    deployment_name, deployment_error = check_deployment_name(form.deployment_name)
    if deployment_error:
        errors[DEPLOYMENT_NAME] = deployment_error
    minimum, maximum = check_replicas(form.min_replicas, form.max_replicas, errors)
    timeout, timeout_error = parse_deploy_timeout(form.inactive_timeout)
    if timeout_error:
        errors[INACTIVE_TIMEOUT] = timeout_error
    concurrent, concurrent_error = parse_max_concurrent(form.max_concurrent)
    if concurrent_error:
        errors[MAX_CONCURRENT] = concurrent_error
    weight, weight_error = parse_weight(form.traffic_weight)
    if weight_error:
        errors[TRAFFIC_WEIGHT] = weight_error
    elif weight == 0:
        warnings[TRAFFIC_WEIGHT] = "Weight 0: it will run (and bill) but serve no traffic until you give it some."
    if errors or options is None:
        if options is None and form.model and MODEL not in errors:
            errors.setdefault(OPTION, "Still loading this model's deployment profiles…")
        return FormResult(None, errors, warnings)
    assert form.option_id and minimum is not None and maximum is not None and weight is not None
    spec = DeploySpec(
        option_id=form.option_id,
        endpoint=endpoint,
        deployment_name=deployment_name,
        min_replicas=minimum,
        max_replicas=maximum,
        inactive_timeout=timeout,
        traffic_weight=weight,
        regions=(form.region,) if form.region else (),
        max_concurrent_requests=concurrent,
    )
    return FormResult(spec, errors, warnings)


def cost_range(price_per_replica_hour: float | None, minimum: int, maximum: int) -> str:
    """``$5.49/h - $10.98/h · $4,008 - $8,015/month``: what it bills at its bounds, always on."""
    price = known_amount(price_per_replica_hour)
    if maximum == 0:
        return "Deployed stopped: nothing is billed until you start it."
    if price is None:
        return "? (no price for this profile)"
    low, high = price * minimum, price * maximum
    if low == high:
        return f"{format_money(low)}/h · {format_money(low * HOURS_PER_MONTH)}/month if always on"
    return (
        f"{format_money(low)}/h - {format_money(high)}/h · "
        f"{format_money(low * HOURS_PER_MONTH)} - {format_money(high * HOURS_PER_MONTH)}/month"
    )


def price_words(option: DeployOption) -> str:
    """``$5.49/h per replica``; a price that is not the API's says so (Nebius publishes none)."""
    price = known_amount(option.dollars_per_hour)
    if price is None:
        return "?/h per replica"
    note = "" if option.price_from_api else " (price not from the API)"
    return f"{format_money(price)}/h per replica{note}"


def engine_words(option: DeployOption) -> str:
    """``fp8 · tp2`` when the provider says how the engine runs it, else ""."""
    return " · ".join(part for part in (option.quantization, option.parallelism) if part)


_V1_HARDWARE = re.compile(r"^(\d+)x_(?:nvidia_)?([a-z0-9]+)_", re.IGNORECASE)


def matching_option(options: Iterable[DeployOption], hardware_id: str | None) -> DeployOption | None:
    """The profile closest to a v1 hardware id (``2x_nvidia_h100_80gb_sxm``): same GPU and count, else the
    same GPU, cheapest available first; None when nothing matches (the user picks)."""
    match = _V1_HARDWARE.match(hardware_id or "")
    if match is None:
        return None
    count, family = int(match.group(1)), match.group(2).upper()
    ordered = cheapest_available_first(options)
    same_gpu = [o for o in ordered if (o.gpu_type or "").upper().startswith(family)]
    return next((o for o in same_gpu if o.gpu_count == count), same_gpu[0] if same_gpu else None)


def suggest_endpoint_name(text: str) -> str:
    """A valid endpoint name made from a title (a v1 endpoint's name when redeploying it): ``My Bot!`` -> ``my-bot``."""
    name = re.sub(r"[^a-z0-9]+", "-", text.rpartition("/")[2].lower()).strip("-")
    return name[:63].rstrip("-")
