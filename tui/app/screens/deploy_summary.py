"""What the deploy form says about money and about what it will send, built as ``Text`` (API strings are data).

* ``deploy_option_label``: one profile on one line, price first;
* ``summary_text``: the live cost range under the form, and for a redeploy both prices (both bill);
* ``review_text``: the review before the deploy key, with what the API's check said.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from rich.text import Text

from tui.api.domain import Availability, Capabilities, DeployOption, DeploySpec, Endpoint, EndpointSpec
from tui.api.provider import DeployingProvider
from tui.app.widgets.hardware_table import TONE_STYLES
from tui.core import deploy_form as model
from tui.core.deploy_form import DeployFormInput
from tui.core.format import format_price
from tui.core.numbers import parse_replicas

_ROOM = {
    Availability.AVAILABLE: ("✓ room in", "ok"),
    Availability.INSUFFICIENT: ("✗ no region has room", "bad"),
    Availability.UNAVAILABLE: ("✗ unavailable", "bad"),
    Availability.UNKNOWN: ("? room not reported", "unknown"),
}


async def send(provider: Any, spec: DeploySpec, model_id: str, step: Callable[[str], object]) -> Endpoint:
    """The deploy itself: ``deploy`` where the provider has it, else one ``create_endpoint`` of the option."""
    if isinstance(provider, DeployingProvider):
        return await provider.deploy(spec, step)
    step(f"Creating endpoint {spec.endpoint}")
    return await provider.create_endpoint(EndpointSpec(
        model=model_id, hardware_id=spec.option_id, min_replicas=spec.min_replicas,
        max_replicas=spec.max_replicas, display_name=spec.endpoint,
        availability_zone=spec.regions[0] if spec.regions else None,
    ))


def progress_text(steps: list[str]) -> Text:
    """Each step done with a tick, the one under way with an arrow."""
    text = Text()
    for index, done in enumerate(steps):
        last = index == len(steps) - 1
        text.append("  → " if last else "  ✓ ", style="bold")
        text.append(done + ("" if last else "\n"))
    return text


def target_choices(endpoints: Iterable[Endpoint], target: Endpoint | None, new: str) -> list[tuple[Text, str]]:
    """"A new endpoint", then each v2 endpoint a deployment can join."""
    existing = [e for e in endpoints if e.api == "v2"]
    if target is not None and target.id not in {e.id for e in existing}:
        existing.append(target)
    return [(Text("A new endpoint"), new), *((Text(f"Add to {e.name}  ({len(e.deployments)} deployed)"), e.id)
                                              for e in existing)]


def deploy_option_label(option: DeployOption, price_width: int = 0) -> Text:
    """``$5.49/h  1x H100 80GB  fp8 · tp1  ✓ room in us-central-1, us-east-1``."""
    text = Text(no_wrap=True, overflow="ellipsis")
    text.append(f"{format_price(option.dollars_per_hour, cents=True)}/h".rjust(price_width), style="bold")
    if not option.price_from_api:
        text.append(" (price not from the API)", style="yellow")
    text.append(f"  {option.hardware_label}")
    engine = model.engine_words(option)
    if engine:
        text.append(f"  {engine}", style="dim")
    words, tone = _ROOM[option.availability]
    text.append("  ")
    text.append(words, style=TONE_STYLES[tone])
    if option.availability is Availability.AVAILABLE and option.regions:
        text.append(" " + ", ".join(option.regions), style=TONE_STYLES[tone])
    elif option.availability is Availability.UNKNOWN and option.regions:
        text.append(" · offered in " + ", ".join(option.regions), style="dim")
    return text


def _bounds(form: DeployFormInput) -> tuple[int, int] | None:
    low, _ = parse_replicas(form.min_replicas, "min", minimum=0)
    high, _ = parse_replicas(form.max_replicas, "max", minimum=0)
    if low is None or high is None or low > high:
        return None
    return low, high


def summary_text(
    option: DeployOption | None, form: DeployFormInput, *, legacy: Endpoint | None, legacy_rate: float | None
) -> Text:
    text = Text()
    bounds = _bounds(form)
    if option is None:
        text.append("Cost: pick a model and a profile to see it.", style="dim")
    elif bounds is None:
        text.append(f"Cost: {model.price_words(option)} (fix the replica bounds for the range).")
    else:
        text.append("Cost: ", style="bold")
        text.append(model.cost_range(option.dollars_per_hour, *bounds))
        text.append(f"  ({model.price_words(option)})", style="dim")
    if legacy is not None:
        if legacy.hardware_id:
            text.append(f"\nOn v1 it runs on {legacy.hardware_id}; the profile above is the nearest v2 offers.",
                        style="dim")
        text.append("\nBoth bill while both run: ", style="bold yellow")
        text.append(f"{legacy.title} on v1 {format_price(legacy_rate, cents=True)}/h")
        new_rate = None
        if option is not None and option.dollars_per_hour is not None and bounds is not None:
            new_rate = option.dollars_per_hour * bounds[0]
        text.append(f" + this deployment {format_price(new_rate, cents=True)}/h at its minimum.")
        text.append("\nOnce it is Ready you are offered to stop the v1 endpoint (it cannot restart on v1).",
                    style="dim")
    return text


def review_text(
    spec: DeploySpec,
    option: DeployOption | None,
    *,
    model_name: str,
    slug: str | None,
    checked: bool | None,
    legacy: Endpoint | None,
    legacy_rate: float | None,
    deploying: bool,
) -> Text:
    text = Text()

    def line(label: str, value: str, style: str = "") -> None:
        text.append(f"{label:<17}", style="dim")
        text.append(value + "\n", style=style)

    line("Model", model_name, "bold")
    if option is not None:
        engine = model.engine_words(option)
        line("Profile", option.hardware_label + (f"  {engine}" if engine else ""))
    if deploying and "/" not in spec.endpoint and not spec.endpoint.startswith("ep_"):
        line("Endpoint", f"{slug or '<project>'}/{spec.endpoint} (new)", "bold")
    else:
        line("Endpoint", spec.endpoint, "bold")
    if spec.deployment_name:
        line("Deployment", spec.deployment_name)
    line("Replicas", f"min {spec.min_replicas} · max {spec.max_replicas}")
    if spec.regions:
        line("Region", ", ".join(spec.regions))
    if spec.inactive_timeout:
        line("Inactive timeout", f"stops after {spec.inactive_timeout} idle minutes")
    if spec.max_concurrent_requests is not None:
        line("Max concurrent", f"{spec.max_concurrent_requests} requests per replica")
    if deploying:
        line("Traffic weight", f"{spec.traffic_weight:g}")
    text.append("\n")
    text.append("Cost: ", style="bold")
    price = option.dollars_per_hour if option is not None else None
    text.append(model.cost_range(price, spec.min_replicas, spec.max_replicas), style="bold")
    if option is not None and not option.price_from_api:
        text.append(" (price not from the API)", style="yellow")
    if legacy is not None:
        text.append(f"\nThe v1 endpoint {legacy.title} keeps billing {format_price(legacy_rate, cents=True)}/h "
                    "until you stop it.", style="yellow")
    text.append("\n\n")
    if checked is True:
        text.append("✓ The API checked this deployment (validateOnly) and accepts it. Nothing is created yet.",
                    style="green")
    elif checked is False:
        text.append("The API has no dry run for a new endpoint: it was checked here. If the deployment is "
                    "refused, the new endpoint is deleted again.", style="dim")
    else:
        text.append("Checked here; this provider has no dry run.", style="dim")
    text.append("\n")
    text.append("y", style="bold")
    text.append(" or Deploy sends it · ")
    text.append("esc", style="bold")
    text.append(" goes back to the form")
    return text


def region_prompt(capabilities: Capabilities, option: DeployOption | None) -> str:
    """The region picker's blank choice: none where the region must be chosen, and no claim of room where the
    provider's regions only say where an option is offered."""
    if capabilities.region_required:
        return "Pick a region" if option is None or option.regions else "No region offers it"
    if option is None or option.regions:
        return "Any region with room" if capabilities.regions_have_room else "Any region"
    return "Any region (none has room now)"
