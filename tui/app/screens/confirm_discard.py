"""Escape in a form someone has filled in: ask before throwing the work away.

"Keep editing" is focused and ``n``/``escape`` answer it, so a second escape never discards; ``y`` (or the
Discard button) closes the form without sending anything.
"""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Static

from tui.app.bindings import bindings


class ConfirmDiscardScreen(ModalScreen[bool]):
    """Dismisses True to discard the form, False to go back to it."""

    BINDINGS: ClassVar[list[BindingType]] = list(bindings("confirm_discard"))
    DEFAULT_CSS = """
    ConfirmDiscardScreen { align: center middle; }
    #discard-dialog { width: 60; max-width: 100%; height: auto; border: thick $warning; background: $surface;
                      padding: 1 2; }
    #discard-buttons { height: 1; margin-top: 1; align-horizontal: right; }
    #discard-buttons > Button { margin-left: 2; }
    """

    def __init__(self, what: str = "this form") -> None:
        super().__init__()
        self.what = what

    def compose(self) -> ComposeResult:
        with Vertical(id="discard-dialog"):
            yield Static(Text(f"Discard {self.what}?", style="bold"))
            yield Static(Text("Nothing has been sent. What you typed is lost if you discard it.", style="dim"))
            with Horizontal(id="discard-buttons"):
                yield Button("Keep editing  n", id="discard-keep", variant="primary", compact=True)
                yield Button("Discard  y", id="discard-yes", compact=True)

    def on_mount(self) -> None:
        self.query_one("#discard-keep", Button).focus()

    def action_answer(self, discard: bool) -> None:
        self.dismiss(discard)

    @on(Button.Pressed, "#discard-keep")
    def _keep(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(False)

    @on(Button.Pressed, "#discard-yes")
    def _discard(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(True)
