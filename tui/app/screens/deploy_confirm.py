"""The last step before a deploy: what will be sent, what it costs, and one more deliberate key.

The deploy form's ctrl+s only opens this review (after the API's ``validateOnly`` check where it has
one); ``y`` or the Deploy button sends, and "Back" is focused so enter or escape return to the form.
"""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Static

from tui.app.bindings import bindings


class ConfirmDeployScreen(ModalScreen[bool]):
    """Dismisses True to deploy, False to go back to the form."""

    BINDINGS: ClassVar[list[BindingType]] = list(bindings("confirm_deploy"))
    DEFAULT_CSS = """
    ConfirmDeployScreen { align: center middle; }
    #deploy-confirm-dialog { width: 84; max-width: 100%; height: auto; max-height: 100%;
                             border: thick $warning; background: $surface; padding: 0 2; }
    #deploy-confirm-body { height: auto; max-height: 80vh; }
    #deploy-confirm-buttons { height: 1; margin-top: 1; align-horizontal: right; }
    #deploy-confirm-buttons > Button { margin-left: 2; }
    """

    def __init__(self, summary: Text, *, title: str = "Deploy this?") -> None:
        super().__init__()
        self.summary = summary
        self.title_text = title

    def compose(self) -> ComposeResult:
        with Vertical(id="deploy-confirm-dialog") as dialog:
            dialog.border_title = self.title_text
            with VerticalScroll(id="deploy-confirm-body"):
                yield Static(self.summary, id="deploy-confirm-summary")
            with Horizontal(id="deploy-confirm-buttons"):
                yield Button("Back  esc", id="deploy-confirm-back", variant="primary", compact=True)
                yield Button("Deploy  y", id="deploy-confirm-go", variant="warning", compact=True)

    def on_mount(self) -> None:
        self.query_one("#deploy-confirm-back", Button).focus()

    def action_answer(self, deploy: bool) -> None:
        self.dismiss(deploy)

    @on(Button.Pressed, "#deploy-confirm-back")
    def _back(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(False)

    @on(Button.Pressed, "#deploy-confirm-go")
    def _go(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(True)
