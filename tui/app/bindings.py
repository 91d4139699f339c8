"""Textual bindings from the one binding table (``tui.core.keymap``)."""

from __future__ import annotations

from textual.binding import Binding

from tui.core import keymap


def bindings(scope: str) -> list[Binding]:
    return [
        Binding(key.keys, key.action, key.description, show=key.show, priority=key.priority,
                tooltip=key.tooltip, id=key.id)
        for key in keymap.scope(scope)
    ]
