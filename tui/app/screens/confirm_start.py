"""Starting an endpoint begins billing: say what it costs per hour and take one key to go ahead.

One key, because starting is common and undoable (stop ends the billing); a dialog at all, because a
stray ``s`` on the wrong row should not cost money unseen. ``y`` or ``enter`` starts, ``n`` or
``escape`` cancels. The ``confirm_start`` setting turns it off.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static

from tui.api.domain import Deployment, Endpoint
from tui.app.bindings import bindings
from tui.core.format import format_price


def start_summary(endpoint: Endpoint, *, per_hour: float | None, at_max: float | None, hardware: str) -> Text:
    """What the dialog says: which endpoint, on what, and the money, unknown parts said as unknown."""
    text = Text()
    text.append(endpoint.title, style="bold")
    text.append(f"\n{endpoint.name}", style="dim")
    if hardware:
        text.append(f"\n{hardware}")
    text.append("\n\nBilling begins once it is STARTED: ")
    if per_hour is None:
        text.append("price unknown", style="bold yellow")
        text.append(" (the hardware price is not loaded)", style="dim")
    else:
        text.append(f"{format_price(per_hour, cents=True)}/hour", style="bold")
        replicas = endpoint.min_replicas
        if replicas is not None:
            text.append(f" ({replicas} replica{'s' if replicas != 1 else ''})", style="dim")
        text.append(f", {format_price(per_hour * 24, cents=True)}/day")
    if at_max is not None and per_hour is not None and at_max > per_hour:
        text.append(
            f"\nUp to {format_price(at_max, cents=True)}/hour if it scales to {endpoint.max_replicas} replicas.",
            style="dim",
        )
    return text


def deployments_summary(endpoint: Endpoint, jobs: Sequence[tuple[Deployment, tuple[int, int], float | None]]) -> Text:
    """Starting deployments: each one's bounds and price per replica, and what they bill together."""
    text = Text()
    text.append(endpoint.name, style="bold")
    low = high = 0.0
    known = True
    for deployment, (minimum, maximum), price in jobs:
        text.append(f"\n{deployment.title}", style="bold")
        text.append(f"  {deployment.hardware_label or deployment.hardware} · {minimum}-{maximum} replicas", style="dim")
        if price is None:
            known = False
            text.append(" · price unknown", style="bold yellow")
            continue
        text.append(f" · {format_price(price, cents=True)}/h each", style="dim")
        low += price * minimum
        high += price * maximum
    text.append("\n\nBilling begins as replicas come up: ")
    if not known:
        text.append("price unknown", style="bold yellow")
        text.append(" (a hardware price is not loaded)", style="dim")
    else:
        text.append(f"{format_price(low, cents=True)}/hour", style="bold")
        text.append(f", {format_price(low * 24, cents=True)}/day")
        if high > low:
            text.append(f"\nUp to {format_price(high, cents=True)}/hour at the maximum replicas.", style="dim")
    return text


class ConfirmStartScreen(ModalScreen[bool]):
    BINDINGS: ClassVar[list[BindingType]] = list(bindings("confirm_start"))

    def __init__(self, endpoint: Endpoint, *, per_hour: float | None = None, at_max: float | None = None,
                 hardware: str = "", summary: Text | None = None, title: str = "Start this endpoint?",
                 verb: str = "starts") -> None:
        super().__init__()
        self.verb = verb
        self.endpoint = endpoint
        self.heading = title
        self._summary = summary or start_summary(endpoint, per_hour=per_hour, at_max=at_max, hardware=hardware)

    def compose(self) -> ComposeResult:
        with Vertical(id="confirm-start-dialog"):
            yield Static(Text(self.heading, style="bold"), id="confirm-start-title")
            yield Static(self._summary, id="confirm-start-summary")
            yield Static(
                Text.assemble(("y", "bold"), " or ", ("enter", "bold"), f" {self.verb} · ",
                              ("n", "bold"), " or ", ("escape", "bold"), " cancels"),
                id="confirm-start-keys",
            )

    def action_answer(self, start: bool) -> None:
        self.dismiss(start)
