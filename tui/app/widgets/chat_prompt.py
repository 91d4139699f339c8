"""The Chat pane's prompt box and conversation log, and what the log shows before the first prompt."""

from __future__ import annotations

from typing import ClassVar

from textual.binding import BindingType
from textual.containers import VerticalScroll
from textual.content import Content
from textual.events import Key
from textual.message import Message
from textual.widgets import TextArea

from tui.app.bindings import bindings
from tui.app.widgets.laid_out import LaidOutScrollbars
from tui.app.widgets.scroll_keys import ScrollKeys

EMPTY_TEXT = Content.assemble(
    ("Check that a model answers, and how fast.\n\n", "bold"),
    "Pick a target with ", ("ctrl+t", "bold"), " (or press ", ("c", "bold"),
    " on an endpoint in the Endpoints pane), type a prompt and press ", ("enter", "bold"), ".\n",
    "Each answer streams with its reasoning and ends with time to first token, tokens/s and usage.\n",
    ("esc", "bold"), " stops an answer, ", ("ctrl+r", "bold"), " retries, ", ("ctrl+s", "bold"),
    " exports the conversation as Markdown.\n",
    "With no answer coming, ", ("esc", "bold"), " moves to the conversation: ", ("y", "bold"),
    " copies the last answer, ", ("i", "bold"), " comes back to the prompt.",
)


class PromptInput(TextArea):
    """The prompt box: ``enter`` sends, ``shift+enter`` (or ``ctrl+j``) starts a new line."""

    BINDINGS: ClassVar[list[BindingType]] = [*bindings("chat.prompt")]

    class Submitted(Message):
        def __init__(self, prompt: PromptInput, text: str) -> None:
            super().__init__()
            self.prompt = prompt
            self.text = text

    async def _on_key(self, event: Key) -> None:
        # TextArea inserts a newline for enter before bindings are looked at: keep it from doing so
        # whenever the key is bound to send or newline (after the user's keymap).
        if not event.is_printable:
            active = self.screen.active_bindings.get(event.key)
            if active is not None and active.node is self:
                event.prevent_default()

    def action_send(self) -> None:
        self.post_message(self.Submitted(self, self.text))

    def action_newline(self) -> None:
        start, end = self.selection
        self.replace("\n", start, end, maintain_selection_offset=False)

    def action_leave(self) -> None:
        self.screen.query_one(ConversationLog).focus()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "leave":
            # The pane's conversation: while it streams, escape is the pane's Stop.
            conversation = getattr(self.parent, "conversation", None)
            return not getattr(conversation, "busy", False)
        return super().check_action(action, parameters)


class ConversationLog(LaidOutScrollbars, ScrollKeys, VerticalScroll):
    """The exchanges; anchored to the bottom so it follows a stream until the user scrolls up. Its bar moves
    at every append of a stream: drawn without Rich (``LaidOutScrollbars``)."""

