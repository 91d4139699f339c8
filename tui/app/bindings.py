"""Textual bindings from the one binding table (``tui.core.keymap``)."""

from __future__ import annotations

from collections.abc import Mapping

from textual.binding import Binding

from tui.core import keymap


def bindings(scope: str) -> list[Binding]:
    return [
        Binding(key.keys, key.action, key.description, show=key.show, priority=key.priority,
                tooltip=key.tooltip, id=key.id)
        for key in keymap.scope(scope)
    ]


def first_key(key: keymap.Key, overrides: Mapping[str, str]) -> str:
    """The key that runs this binding, as the user's ``[keymap]`` set it: the one the palette and help name."""
    return overrides.get(key.id, key.keys).split(",")[0].strip()
