"""ctrl+n over a conversation: ask before clearing it, since nothing else keeps it.

"Keep" is focused and ``n``/``escape`` answer it, so a stray ctrl+n and a reflex enter lose nothing;
``y`` (or the Clear button) clears it. The question names what goes and how to keep it (ctrl+s exports).
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


class ConfirmNewChatScreen(ModalScreen[bool]):
    """Dismisses True to clear the conversation, False to keep it."""

    BINDINGS: ClassVar[list[BindingType]] = list(bindings("chat.confirm_new"))
    DEFAULT_CSS = """
    ConfirmNewChatScreen { align: center middle; }
    #new-chat-dialog { width: 64; max-width: 100%; height: auto; max-height: 100%; border: thick $warning;
                       background: $surface; padding: 1 2; }
    #new-chat-buttons { height: 1; margin-top: 1; align-horizontal: right; }
    #new-chat-buttons > Button { margin-left: 2; }
    """

    def __init__(self, exchanges: int, *, busy: bool = False) -> None:
        super().__init__()
        self.exchanges = exchanges
        self.busy = busy

    def compose(self) -> ComposeResult:
        plural = "exchange" if self.exchanges == 1 else "exchanges"
        detail = f"The {self.exchanges} {plural} above will be cleared; ctrl+s first exports them as Markdown."
        if self.busy:
            detail += " The answer still coming is stopped."
        with Vertical(id="new-chat-dialog"):
            yield Static(Text("Start a new chat?", style="bold"))
            yield Static(Text(detail, style="dim"))
            with Horizontal(id="new-chat-buttons"):
                yield Button("Keep  n", id="new-chat-keep", variant="primary", compact=True)
                yield Button("Clear  y", id="new-chat-clear", compact=True)

    def on_mount(self) -> None:
        self.query_one("#new-chat-keep", Button).focus()

    def action_answer(self, clear: bool) -> None:
        self.dismiss(clear)

    @on(Button.Pressed, "#new-chat-keep")
    def _keep(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(False)

    @on(Button.Pressed, "#new-chat-clear")
    def _clear(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(True)
