"""Starting an endpoint begins billing: say what it costs per hour and take one key to go ahead.

One key, because starting is common and undoable (stop ends the billing); a dialog at all, because a
stray ``s`` on the wrong row should not cost money unseen. ``y`` or ``enter`` starts, ``n`` or
``escape`` cancels. The ``confirm_start`` setting turns it off.
"""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static

from tui.api.domain import Endpoint
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


class ConfirmStartScreen(ModalScreen[bool]):
    BINDINGS: ClassVar[list[BindingType]] = list(bindings("confirm_start"))

    def __init__(self, endpoint: Endpoint, *, per_hour: float | None, at_max: float | None, hardware: str) -> None:
        super().__init__()
        self.endpoint = endpoint
        self._summary = start_summary(endpoint, per_hour=per_hour, at_max=at_max, hardware=hardware)

    def compose(self) -> ComposeResult:
        with Vertical(id="confirm-start-dialog"):
            yield Static(Text("Start this endpoint?", style="bold"), id="confirm-start-title")
            yield Static(self._summary, id="confirm-start-summary")
            yield Static(
                Text.assemble(("y", "bold"), " or ", ("enter", "bold"), " starts · ",
                              ("n", "bold"), " or ", ("escape", "bold"), " cancels"),
                id="confirm-start-keys",
            )

    def action_answer(self, start: bool) -> None:
        self.dismiss(start)
