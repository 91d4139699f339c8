"""Deleting an endpoint: Cancel has the focus, and a running endpoint's name must be typed.

Together's own CLI deletes without asking; k9s users complain about dialogs where OK and Cancel are
easy to confuse. Here Enter on the dialog cancels, and for the riskiest case (an endpoint that is
serving) the Delete button stays disabled until the name is typed exactly.
"""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Static

from tui.api.domain import Endpoint, Phase
from tui.app.bindings import bindings
from tui.app.widgets.state_badge import state_text

CONFIRM_MODES = ("typed-when-running", "always-typed", "simple")


def needs_typed_name(endpoint: Endpoint, mode: str) -> bool:
    if mode == "always-typed":
        return True
    if mode == "simple":
        return False
    return endpoint.phase is Phase.READY


class ConfirmDeleteScreen(ModalScreen[bool]):
    BINDINGS: ClassVar[list[BindingType]] = list(bindings("confirm_delete"))

    def __init__(self, endpoint: Endpoint, *, typed: bool) -> None:
        super().__init__()
        self.endpoint = endpoint
        self.typed = typed

    def compose(self) -> ComposeResult:
        endpoint = self.endpoint
        with Vertical(id="confirm-delete-dialog"):
            yield Static(Text("Delete this endpoint?", style="bold"), id="confirm-delete-title")
            summary = Text()
            summary.append(endpoint.title, style="bold")
            summary.append("  ")
            summary.append_text(state_text(endpoint.state, endpoint.phase))
            summary.append(f"\n{endpoint.name}\n{endpoint.id}", style="dim")
            yield Static(summary, id="confirm-delete-summary")
            warning = "Deleting is permanent: the endpoint and its name are gone, and requests to it fail."
            if endpoint.phase is Phase.READY:
                warning += " It is running now: anything calling it stops working."
            yield Static(warning, id="confirm-delete-warning")
            if self.typed:
                yield Static(
                    Text.assemble("Type ", (endpoint.title, "bold"), " to confirm:"), id="confirm-delete-prompt"
                )
                yield Input(placeholder=endpoint.title, id="confirm-delete-name", select_on_focus=False)
            with Horizontal(id="confirm-delete-buttons"):
                yield Button("Cancel", id="confirm-delete-cancel", variant="primary")
                yield Button("Delete", id="confirm-delete-confirm", variant="error", disabled=self.typed)

    def on_mount(self) -> None:
        self.query_one("#confirm-delete-cancel", Button).focus()

    def _typed_correctly(self) -> bool:
        typed = self.query_one("#confirm-delete-name", Input).value.strip()
        return typed in (self.endpoint.title, self.endpoint.name)

    @on(Input.Changed, "#confirm-delete-name")
    def _name_changed(self) -> None:
        self.query_one("#confirm-delete-confirm", Button).disabled = not self._typed_correctly()

    @on(Input.Submitted, "#confirm-delete-name")
    def _name_submitted(self) -> None:
        if self._typed_correctly():
            self.dismiss(True)
            return
        self.query_one("#confirm-delete-prompt", Static).update(
            Text.assemble(("That is not the name. ", "bold red"), "Type ", (self.endpoint.title, "bold"),
                          " to confirm:")
        )

    @on(Button.Pressed, "#confirm-delete-cancel")
    def action_cancel(self) -> None:
        self.dismiss(False)

    @on(Button.Pressed, "#confirm-delete-confirm")
    def _confirmed(self) -> None:
        self.dismiss(True)

    def on_key(self, event: events.Key) -> None:
        # Cancel keeps the focus, yet typing the name should just work: printable keys pressed on a
        # button go to the name field. A space presses the button, unless a name is being typed (keys
        # typed fast or pasted arrive before the focus has moved to the field).
        if not self.typed or not event.is_printable or event.character is None:
            return
        name_input = self.query_one("#confirm-delete-name", Input)
        if event.character == " " and not name_input.value:
            return
        if isinstance(self.focused, Button):
            name_input.focus()
            name_input.insert_text_at_cursor(event.character)
            event.stop()
            event.prevent_default()
