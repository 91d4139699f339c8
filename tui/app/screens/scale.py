"""Scaling a deployment (or starting one whose bounds are unknown): min/max with the cost range first.

Never one keystroke: the bounds are typed, the preview shows what they cost per hour and per month at the
minimum and at the maximum, and only Apply (or ctrl+s) sends. The rules are the service's: both 0 stops it,
a minimum of 0 with a positive maximum is refused, the minimum is at most the maximum.
"""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Static

from tui.api.domain import HOURS_PER_MONTH, Deployment
from tui.app.bindings import bindings
from tui.core.format import format_price, known_count

#: Replicas one deployment may ask for here (the service has its own quota, which it says when refused).
MAX_REPLICAS = 100


def check_bounds(minimum: int, maximum: int, *, starting: bool) -> str | None:
    """Why these bounds cannot be sent, or None."""
    if minimum < 0 or maximum < 0:
        return "Replicas cannot be negative."
    if maximum > MAX_REPLICAS:
        return f"At most {MAX_REPLICAS} replicas."
    if minimum == 0 and maximum == 0:
        return "A start needs at least one replica." if starting else None
    if minimum == 0:
        return "A minimum of 0 needs a maximum of 0 too (that stops it); otherwise the minimum is at least 1."
    if minimum > maximum:
        return f"The minimum ({minimum}) cannot be greater than the maximum ({maximum})."
    return None


def cost_range(price: float | None, minimum: int, maximum: int) -> Text:
    """``$5.49/h - $16.47/h ($4,007.70 - $12,023.10/month)``, or the replicas alone when the price is unknown."""
    if price is None:
        return Text(f"{minimum}-{maximum} replicas; price unknown (the hardware price is not loaded)", style="yellow")
    low, high = price * minimum, price * maximum
    text = Text(f"{format_price(low, cents=True)}/h", style="bold")
    if high != low:
        text.append(" - ")
        text.append(f"{format_price(high, cents=True)}/h", style="bold")
    text.append(f"  ({format_price(low * HOURS_PER_MONTH, cents=True)}", style="dim")
    if high != low:
        text.append(f" - {format_price(high * HOURS_PER_MONTH, cents=True)}", style="dim")
    text.append("/month)", style="dim")
    return text


def _number(value: str) -> int | None:
    value = value.strip()
    return int(value) if value.isdigit() else None


class ScaleScreen(ModalScreen[tuple[int, int] | None]):
    BINDINGS: ClassVar[list[BindingType]] = list(bindings("scale"))

    def __init__(self, title: str, deployment: Deployment, *, price: float | None,
                 bounds: tuple[int, int] | None, starting: bool = False) -> None:
        super().__init__()
        self.heading = title
        self.deployment = deployment
        self.price = price
        self.starting = starting
        self._initial = bounds

    def compose(self) -> ComposeResult:
        deployment = self.deployment
        minimum, maximum = self._initial or ("", "")
        with Vertical(id="scale-dialog"):
            yield Static(Text(self.heading, style="bold"), id="scale-title")
            about = Text(deployment.name, style="bold")
            about.append(f"\n{deployment.hardware_label or deployment.hardware}", style="dim")
            if self.price is not None:
                about.append(f" · {format_price(self.price, cents=True)}/h per replica", style="dim")
            now = f"min {known_count(deployment.min_replicas)} · max {known_count(deployment.max_replicas)}"
            about.append(f"\nNow: {now}", style="dim")
            yield Static(about, id="scale-about")
            with Horizontal(id="scale-fields"):
                yield Static("Min", classes="scale-label")
                yield Input(str(minimum), id="scale-min", type="integer", max_length=3)
                yield Static("Max", classes="scale-label")
                yield Input(str(maximum), id="scale-max", type="integer", max_length=3)
            yield Static(id="scale-preview")
            with Horizontal(id="scale-buttons"):
                yield Button("Cancel", id="scale-cancel")
                yield Button("Start" if self.starting else "Apply", id="scale-apply", variant="warning")

    def on_mount(self) -> None:
        self.query_one("#scale-min", Input).focus()
        self._preview()

    def _bounds(self) -> tuple[tuple[int, int] | None, str | None]:
        minimum = _number(self.query_one("#scale-min", Input).value)
        maximum = _number(self.query_one("#scale-max", Input).value)
        if minimum is None or maximum is None:
            return None, "Type both bounds (whole numbers)."
        problem = check_bounds(minimum, maximum, starting=self.starting)
        return (None, problem) if problem else ((minimum, maximum), None)

    @on(Input.Changed)
    def _preview(self) -> None:
        bounds, problem = self._bounds()
        preview = Text()
        if bounds is None:
            preview.append(problem or "", style="bold red")
        elif bounds == (0, 0):
            preview.append("0/0 stops it: nothing is billed once it is stopped.", style="bold")
        else:
            preview.append("Bills ")
            preview.append_text(cost_range(self.price, *bounds))
            preview.append("\nat its minimum and its maximum replicas; billing follows the replicas running.",
                           style="dim")
        self.query_one("#scale-preview", Static).update(preview)
        self.query_one("#scale-apply", Button).disabled = bounds is None

    @on(Input.Submitted, "#scale-min")
    def _min_submitted(self) -> None:
        self.query_one("#scale-max", Input).focus()

    @on(Input.Submitted, "#scale-max")
    def _max_submitted(self) -> None:
        # Enter moves on to the button: sending is a separate, deliberate key.
        self.query_one("#scale-apply", Button).focus()

    @on(Button.Pressed, "#scale-apply")
    def action_apply(self) -> None:
        bounds, _ = self._bounds()
        if bounds is not None:
            self.dismiss(bounds)

    @on(Button.Pressed, "#scale-cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)

