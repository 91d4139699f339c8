"""Deleting an endpoint: Cancel has the focus, and a running endpoint's name must be typed.

Together's own CLI deletes without asking; k9s users complain about dialogs where OK and Cancel are
easy to confuse. Here Enter on the dialog cancels, and for the riskiest case (an endpoint that is
serving) the Delete button stays disabled until the name is typed exactly.

A v2 endpoint goes by the smart delete: the dialog lists everything that will go (its deployments, then
the endpoint), and once confirmed it stays open and shows each step as the provider reports it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Static

from tui.api.domain import Deployment, Endpoint, Phase
from tui.app.bindings import bindings
from tui.app.widgets.state_badge import state_text
from tui.core.tree import bounds_text, ready_text, state_label

if TYPE_CHECKING:
    from tui.core.store import EndpointStore

CONFIRM_MODES = ("typed-when-running", "always-typed", "simple")


def needs_typed_name(endpoint: Endpoint, mode: str, deployment: Deployment | None = None) -> bool:
    if mode == "always-typed":
        return True
    if mode == "simple":
        return False
    if deployment is not None:
        return deployment.phase.billing
    # Anything serving or billing behind a v2 endpoint counts as running.
    return endpoint.phase is Phase.READY or any(d.phase.billing for d in endpoint.deployments)


def doomed(endpoint: Endpoint, deployment: Deployment | None) -> Text:
    """What a smart delete removes, in the order it goes."""
    text = Text("Will go, in this order:", style="bold")
    going = [deployment] if deployment is not None else list(endpoint.deployments)
    for index, item in enumerate(going, 1):
        text.append(f"\n {index}. deployment ")
        text.append(item.title, style="bold")
        text.append("  ")
        text.append_text(state_text(state_label(item.state), item.phase))
        text.append(f"  ready {ready_text(item)} · {bounds_text(item.min_replicas, item.max_replicas)}", style="dim")
        text.append("\n    stopped (0/0), taken out of the traffic split, deleted", style="dim")
    if deployment is None:
        text.append(f"\n {len(going) + 1}. the endpoint ")
        text.append(endpoint.name, style="bold")
        text.append(": its name stops answering", style="dim")
    else:
        text.append("\nThe endpoint ", style="dim")
        text.append(endpoint.name)
        text.append(" stays, with its other deployments.", style="dim")
    return text


class ConfirmDeleteScreen(ModalScreen[bool]):
    BINDINGS: ClassVar[list[BindingType]] = list(bindings("confirm_delete"))

    def __init__(self, endpoint: Endpoint, *, typed: bool, deployment: Deployment | None = None,
                 store: EndpointStore | None = None) -> None:
        super().__init__()
        self.endpoint = endpoint
        self.typed = typed
        self.deployment = deployment
        #: Given for a smart delete: the dialog sends it and shows its steps; else it only answers.
        self.store = store
        self._unsubscribe: Callable[[], None] | None = None
        self._sent = False

    @property
    def _target_id(self) -> str:
        return self.deployment.id if self.deployment is not None else self.endpoint.id

    @property
    def _typed_name(self) -> str:
        """What must be typed: the deployment's own name, or the endpoint's."""
        return self.deployment.title if self.deployment is not None else self.endpoint.title

    def compose(self) -> ComposeResult:
        endpoint, deployment = self.endpoint, self.deployment
        with Vertical(id="confirm-delete-dialog"):
            what = "this deployment" if deployment is not None else "this endpoint"
            yield Static(Text(f"Delete {what}?", style="bold"), id="confirm-delete-title")
            summary = Text()
            summary.append(self._typed_name, style="bold")
            summary.append("  ")
            shown = deployment or endpoint
            summary.append_text(state_text(state_label(shown.state), shown.phase))
            summary.append(f"\n{shown.name}\n{shown.id}", style="dim")
            yield Static(summary, id="confirm-delete-summary")
            if self.store is not None:
                yield Static(doomed(endpoint, deployment), id="confirm-delete-doomed")
            warning = "Deleting is permanent: the endpoint and its name are gone, and requests to it fail."
            if deployment is not None:
                warning = "Deleting is permanent: requests pinned to this deployment fail; the endpoint routes " \
                          "to the others."
            if self.typed and (endpoint.phase is Phase.READY or self.store is not None):
                warning += " It is running now: anything calling it stops working."
            yield Static(warning, id="confirm-delete-warning")
            yield Static(id="confirm-delete-steps")
            if self.typed:
                yield Static(
                    Text.assemble("Type ", (self._typed_name, "bold"), " to confirm:"), id="confirm-delete-prompt"
                )
                yield Input(placeholder=self._typed_name, id="confirm-delete-name", select_on_focus=False)
            with Horizontal(id="confirm-delete-buttons"):
                yield Button("Cancel", id="confirm-delete-cancel", variant="primary")
                yield Button("Delete", id="confirm-delete-confirm", variant="error", disabled=self.typed)

    def on_mount(self) -> None:
        self.query_one("#confirm-delete-steps", Static).display = False
        self.query_one("#confirm-delete-cancel", Button).focus()

    def on_unmount(self) -> None:
        if self._unsubscribe is not None:
            self._unsubscribe()

    def _typed_correctly(self) -> bool:
        typed = self.query_one("#confirm-delete-name", Input).value.strip()
        names = (self.deployment.title, self.deployment.name) if self.deployment is not None else (
            self.endpoint.title, self.endpoint.name)
        return typed in names

    @on(Input.Changed, "#confirm-delete-name")
    def _name_changed(self) -> None:
        self.query_one("#confirm-delete-confirm", Button).disabled = not self._typed_correctly()

    @on(Input.Submitted, "#confirm-delete-name")
    def _name_submitted(self) -> None:
        if self._typed_correctly():
            self._confirmed()
            return
        self.query_one("#confirm-delete-prompt", Static).update(
            Text.assemble(("That is not the name. ", "bold red"), "Type ", (self._typed_name, "bold"),
                          " to confirm:")
        )

    @on(Button.Pressed, "#confirm-delete-cancel")
    def action_cancel(self) -> None:
        self.dismiss(self._sent)

    @on(Button.Pressed, "#confirm-delete-confirm")
    def _confirmed(self) -> None:
        if self.store is None:
            self.dismiss(True)
            return
        if self._sent:
            return
        decision = self.store.delete(self._target_id)
        self.app.notify(decision.message, title="Delete", severity=decision.severity,  # type: ignore[arg-type]
                        timeout=4, markup=False)
        if not decision.sent:
            self.dismiss(False)
            return
        self._sent = True
        self._unsubscribe = self.store.subscribe(lambda _event: self._show_steps())
        for selector in ("#confirm-delete-prompt", "#confirm-delete-name", "#confirm-delete-confirm"):
            for widget in self.query(selector):
                widget.display = False
        cancel = self.query_one("#confirm-delete-cancel", Button)
        cancel.label = "Close (the delete goes on)"
        cancel.focus()
        self.query_one("#confirm-delete-title", Static).update(Text("Deleting…", style="bold"))
        self._show_steps()

    def _show_steps(self) -> None:
        if self.store is None or not self.is_mounted:
            return
        steps = self.store.steps(self._target_id)
        text = Text("Sent. ", style="bold")
        if steps is not None:
            for line in steps.lines:
                text.append(f"\n• {line}")
            if steps.error:
                text.append(f"\n✗ Stopped: {steps.error}", style="bold red")
            elif steps.done:
                text.append("\nDone: everything listed is deleted.", style="bold green")
                self.query_one("#confirm-delete-cancel", Button).label = "Close"
                self.query_one("#confirm-delete-title", Static).update(Text("Deleted", style="bold"))
            else:
                text.append("\n…", style="dim")
        widget = self.query_one("#confirm-delete-steps", Static)
        widget.display = True
        widget.update(text)

    def on_key(self, event: events.Key) -> None:
        # Cancel keeps the focus, yet typing the name should just work: printable keys pressed on a
        # button go to the name field. A space presses the button, unless a name is being typed (keys
        # typed fast or pasted arrive before the focus has moved to the field).
        if not self.typed or self._sent or not event.is_printable or event.character is None:
            return
        name_input = self.query_one("#confirm-delete-name", Input)
        if event.character == " " and not name_input.value:
            return
        if isinstance(self.focused, Button):
            name_input.focus()
            name_input.insert_text_at_cursor(event.character)
            event.stop()
            event.prevent_default()
