"""``q`` quits at once when nothing is in flight; while an action the user sent has not landed, or an answer
is streaming, it asks first, saying what would go unwatched. ``ctrl+q`` always quits without asking.

Quitting never undoes what was sent (the service carries on), but the user would not hear how it ended:
a start that fails, or a delete that did not happen, would go unseen.
"""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static

from tui.app.bindings import bindings
from tui.core.store import EndpointStore


def work_in_flight(store: EndpointStore, *, streaming: bool) -> list[str]:
    """What quitting now would leave unwatched, one line each; empty when nothing is."""
    lines = []
    for endpoint in store.endpoints.values():
        # The store holds an expected state from the moment a request goes out until it is answered.
        if store.in_flight(endpoint.id):
            lines.append(f"{endpoint.title}: a request you sent is not answered yet")
    if streaming:
        lines.append("Chat: an answer is still streaming")
    return lines


class ConfirmQuitScreen(ModalScreen[bool]):
    BINDINGS: ClassVar[list[BindingType]] = list(bindings("confirm_quit"))

    def __init__(self, in_flight: list[str]) -> None:
        super().__init__()
        self._in_flight = in_flight

    def compose(self) -> ComposeResult:
        body = Text()
        # Endpoint titles are API data: appended as text, never read as markup.
        for line in self._in_flight:
            body.append(f"• {line}\n")
        body.append("The service carries on; you would not see how it ends.", style="dim")
        with Vertical(id="confirm-quit-dialog"):
            yield Static(Text("Quit while this is in flight?", style="bold"), id="confirm-quit-title")
            yield Static(body, id="confirm-quit-summary")
            yield Static(
                Text.assemble(("y", "bold"), " or ", ("enter", "bold"), " quits · ",
                              ("n", "bold"), " or ", ("escape", "bold"), " stays"),
                id="confirm-quit-keys",
            )

    def action_answer(self, quit_now: bool) -> None:
        self.dismiss(quit_now)
