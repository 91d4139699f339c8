"""Moved to ``tui.core.chat`` (and ``tui.core.chat_turns``); kept only for the Endpoints pane and the fault
matrix until they import from there."""

from tui.core.chat import SmokeResult, TurnState
from tui.core.chat_turns import smoke_test

__all__ = ["SmokeResult", "TurnState", "smoke_test"]
