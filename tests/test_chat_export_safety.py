"""A chat export is read in a terminal too (cat, less -R): nothing the service sent reaches it as control."""

from __future__ import annotations

from datetime import UTC, datetime

from hostile import MARKUP, TERMINAL

from tui.api.domain import ChatEvent, ChatParams
from tui.core.chat import ChatTarget, Conversation, Turn, TurnState
from tui.core.chat_text import conversation_markdown

CONTROL = [chr(c) for c in range(0x20) if chr(c) not in "\n\t"] + ["\x7f", "\x9b", "\x9d", "\u202e", "\u200b"]


def test_export_keeps_no_escape_or_control_characters_and_keeps_markup_literally() -> None:
    hostile = "\n".join((*TERMINAL, *MARKUP))
    target = ChatTarget(model=f"demo/{TERMINAL[0]}", label=f"bot {TERMINAL[1]}", base_model="m", endpoint_id="e-1")
    turn = Turn(prompt="hi", target=target, params=ChatParams(), state=TurnState.DONE)
    turn.add(ChatEvent(content=hostile, reasoning=hostile))
    conversation = Conversation(system_prompt=TERMINAL[3], turns=[turn])
    text = conversation_markdown(conversation, datetime(2026, 1, 15, 12, tzinfo=UTC))
    assert [char for char in CONTROL if char in text] == []
    assert "pwned title" not in text  # an OSC payload goes with its sequence
    for markup in MARKUP:
        assert markup in text
