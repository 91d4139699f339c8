"""``j``/``k`` and ``g``/``G`` in anything that scrolls text (help, the chat conversation), from the binding
table. One extra base class: ``class ConversationLog(ScrollKeys, VerticalScroll)``; the actions are
Textual's own scroll actions.

A VerticalScroll itself, not a plain mixin: Textual merges ``BINDINGS`` only from DOMNode classes in the
MRO and follows the first DOMNode base for CSS, so a bare Widget base placed first would cut the
VerticalScroll's styles off.
"""

from __future__ import annotations

from typing import ClassVar

from textual.binding import BindingType
from textual.containers import VerticalScroll

from tui.app.bindings import bindings


class ScrollKeys(VerticalScroll):
    BINDINGS: ClassVar[list[BindingType]] = list(bindings("scroll"))
