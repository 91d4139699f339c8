"""The details of a v2 endpoint or one of its deployments, and of a legacy v1 endpoint beside them.

The endpoint: its inference name (``y`` copies it), visibility, traffic split, each deployment's config
(engine, quantisation, hardware, parallelism), status message, autoscaling, inactive timeout and the
age of the etag the app holds. A deployment: the same for itself, and the name that pins it. A failed or
degraded one says why (the service's own words) and what to do next.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import timedelta

from rich.table import Table
from rich.text import Text

from tui.api.domain import Deployment, Endpoint, HardwareOption, Phase
from tui.app.widgets.state_badge import state_text
from tui.core.costs import deployment_cost, deployment_range, price_per_hour, tree_cost
from tui.core.format import format_age, format_duration, format_price, known_count
from tui.core.tree import bounds_text, ready_text, routed_share, share_text, state_label, traffic_text

Row = Callable[..., None]


def next_step(phase: Phase, *, deployment: bool) -> str | None:
    """What the user can do about a failed or degraded endpoint, with the key that does it."""
    if phase is Phase.FAILED:
        if deployment:
            return "x stops it (no billing while stopped), S scales it to other bounds, d deletes it; " \
                   "or deploy the model on other hardware (n, check the Hardware pane: 2)."
        return "Deploy it anew on hardware that is available (Hardware pane: 2, then n), then delete this one (d)."
    if phase is Phase.DEGRADED:
        return "It is below the capacity asked for: wait for GPUs, scale it down (S), or deploy on other " \
               "hardware (n, the Hardware pane: 2, shows what is available)."
    return None


def _price(amount: float | None) -> str:
    return "?" if amount is None else format_price(amount, cents=True)


def _visibility(endpoint: Endpoint) -> str | None:
    value = endpoint.extra.get("visibility")
    if not isinstance(value, str) or not value:
        return None
    return value.removeprefix("VISIBILITY_").lower()


def _etag(version: str | None, age: timedelta | None) -> str:
    if version is None:
        return "not read yet (the list carries none)"
    when = f" · read {format_age(age)} ago" if age is not None else ""
    return f"{version}{when}"


def _config(deployment: Deployment) -> str:
    parts = [deployment.hardware_label or deployment.hardware or "?"]
    parts.extend(part for part in (deployment.engine, deployment.quantization, deployment.parallelism) if part)
    return " · ".join(parts)


def _windows(deployment: Deployment) -> str:
    parts = []
    if deployment.scale_up_window is not None:
        parts.append(f"up after {format_duration(deployment.scale_up_window)}")
    if deployment.scale_down_window is not None:
        parts.append(f"down after {format_duration(deployment.scale_down_window)}")
    return ", ".join(parts)


def _timeout(minutes: int | None) -> str:
    return "never (stays up until stopped)" if not minutes else f"stops after {minutes} min idle"


def endpoint_fields(row: Row, endpoint: Endpoint, prices: Mapping[str, HardwareOption] | None,
                    age: timedelta | None) -> None:
    row("Name", Text(endpoint.name, style="bold"))
    row("Use as model", Text(endpoint.name, style="bold cyan"), Text("  (y copies it)", style="dim"))
    row("ID", endpoint.id)
    if (visibility := _visibility(endpoint)) is not None:
        row("Visibility", visibility)
    row("State", state_text(state_label(endpoint.state), endpoint.phase))
    if endpoint.status_message:
        row("Status", Text(endpoint.status_message, style="bold" if endpoint.phase is Phase.FAILED else ""))
    if (step := next_step(endpoint.phase, deployment=False)) is not None:
        row("Next step", Text(step, style="yellow"))
    share = routed_share(endpoint)
    routed = Text(f"{share_text(share)} of requests reach a deployment")
    if share == 0 and endpoint.deployments:
        routed = Text("nothing routable: no ready deployment has traffic weight", style="bold red")
    row("Routed", routed)
    cost = tree_cost(endpoint, prices)
    row("Cost", Text(f"{_price(cost)}/h now", style="bold"),
        f" · {_price(None if cost is None else cost * 24)}/day")
    row("Etag", _etag(endpoint.version, age))
    if not endpoint.deployments:
        row("Deployments", Text("none: n deploys a model", style="dim"))
    for deployment in endpoint.deployments:
        line = Text()
        line.append_text(state_text(state_label(deployment.state), deployment.phase))
        line.append(f"  ready {ready_text(deployment)} · min-max "
                    f"{bounds_text(deployment.min_replicas, deployment.max_replicas)} · traffic "
                    f"{traffic_text(deployment)}\n")
        line.append(_config(deployment), style="dim")
        if deployment.status_message:
            line.append(f"\n{deployment.status_message}", style="italic")
        row(deployment.title, line)


def deployment_fields(row: Row, endpoint: Endpoint, deployment: Deployment,
                      prices: Mapping[str, HardwareOption] | None, age: timedelta | None) -> None:
    option = prices.get(deployment.hardware) if prices is not None else None
    row("Deployment", Text(deployment.title, style="bold"))
    row("Pin as model", Text(deployment.name, style="bold cyan"), Text("  (y copies it)", style="dim"))
    row("Endpoint", endpoint.name)
    row("ID", deployment.id)
    row("Model", deployment.model)
    row("State", state_text(state_label(deployment.state), deployment.phase))
    if deployment.status_message:
        row("Status", Text(deployment.status_message, style="bold" if deployment.phase is Phase.FAILED else ""))
    elif not deployment.detailed:
        row("Status", Text("loading…", style="dim"))
    if (step := next_step(deployment.phase, deployment=True)) is not None:
        row("Next step", Text(step, style="yellow"))
    row("Hardware", Text(deployment.hardware_label or deployment.hardware or "?", style="bold"))
    if deployment.engine:
        row("Engine", deployment.engine)
    if deployment.quantization:
        row("Quantisation", deployment.quantization)
    if deployment.parallelism:
        row("Parallelism", deployment.parallelism)
    row("Replicas", f"{ready_text(deployment)} ready/desired")
    autoscaling = f"min {known_count(deployment.min_replicas)} · max {known_count(deployment.max_replicas)}"
    if windows := _windows(deployment):
        autoscaling += f" · scales {windows}"
    row("Autoscaling", autoscaling)
    row("Traffic", f"weight {traffic_text(deployment).replace(' · ', ' · share ')}")
    if deployment.max_concurrent_requests:
        row("Concurrency", f"{deployment.max_concurrent_requests} requests per replica")
    if deployment.detailed:
        row("Idle", _timeout(deployment.inactive_timeout))
    price = price_per_hour(option)
    cost = deployment_cost(deployment, option)
    money = [Text(f"{_price(cost)}/h now", style="bold")]
    if (spread := deployment_range(deployment, price)) is not None:
        money.append(Text(f" · {_price(spread[0])}-{_price(spread[1])}/h at min-max", style="dim"))
    if price is not None:
        money.append(Text(f" · {_price(price)}/h per replica", style="dim"))
    row("Cost", *money)
    row("Etag", _etag(deployment.version, age))


LEGACY_NOTE = ("Legacy v1 endpoint. Together's v1 no longer restarts endpoints: once stopped it cannot start "
               "again on v1. s redeploys it on v2 (the deploy form opens with its model and bounds).")


def table() -> Table:
    grid = Table.grid(padding=(0, 1))
    grid.add_column(style="dim", no_wrap=True)
    grid.add_column(overflow="fold")
    return grid

