"""``?``: the app's own keys from the binding table, grouped by pane, the groups in force first.

Read from ``tui.core.keymap`` (with the user's ``[keymap]`` remaps), not from ``screen.active_bindings``:
that lists Textual's internals too (``^pgup Page Left``, ``super+c``) and only what the screen below
happens to bind. Which groups are in force comes from the binding ids of the focused widget and its
ancestors on the screen below (the pane, the table, the prompt).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import ClassVar

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.dom import DOMNode
from textual.screen import ModalScreen, Screen
from textual.widgets import Static

from tui.app.bindings import bindings
from tui.app.widgets.scroll_keys import ScrollKeys
from tui.core import keymap

#: Title -> the binding table's scopes it lists, in the order help shows them. Scopes named nowhere here
#: (a new screen's) land in "Forms" or "Screens and dialogs" by ``all_groups``; the first-run screen's keys
#: are its own app's, not this one's.
GROUPS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Endpoints pane (1)", ("endpoints",)),
    ("Hardware pane (2)", ("hardware",)),
    ("Chat pane (3)", ("chat", "chat.prompt", "chat.target")),
    ("Events, metrics, traffic split, side by side", ("events", "metrics", "traffic", "confirm_split", "compare_chat")),
    ("Moving in tables and text (arrows, PgUp and PgDn too)", ("table", "scroll")),
    ("Everywhere", ("app",)),
)
NOT_LISTED = frozenset({"first_run"})


def all_groups() -> list[tuple[str, tuple[str, ...]]]:
    named = {scope for _, scopes in GROUPS for scope in scopes} | NOT_LISTED
    rest = [scope for scope in keymap.TABLE if scope not in named]
    forms = tuple(scope for scope in rest if scope.startswith(("form", "model_")))
    others = tuple(scope for scope in rest if scope not in forms)
    return [*GROUPS, ("Forms", forms), ("Screens and dialogs", others)]


SCOPE_OF_ID: dict[str, str] = {key.id: scope for scope, keys in keymap.TABLE.items() for key in keys}


def scopes_in_force(focused: DOMNode | None, screen: DOMNode) -> set[str]:
    """The binding table's scopes bound by the focused widget and its ancestors (the screen and app too)."""
    nodes: Iterable[DOMNode] = focused.ancestors_with_self if focused is not None else (screen, screen.app)
    scopes: set[str] = set()
    for node in nodes:
        for binding in getattr(type(node), "BINDINGS", ()):
            if isinstance(binding, Binding) and binding.id in SCOPE_OF_ID:
                scopes.add(SCOPE_OF_ID[binding.id])
    # The app's keys hold on the main screen; a dialog's own bindings stop at the dialog.
    if not screen.is_modal:
        scopes.add("app")
    return scopes


def ordered_groups(in_force: set[str]) -> list[tuple[str, tuple[str, ...], bool]]:
    """Every group, those with a scope in force first (each part in the order of ``GROUPS``)."""
    groups = [(title, scopes, bool(in_force & set(scopes))) for title, scopes in all_groups()]
    return sorted(groups, key=lambda group: not group[2])


class HelpBody(ScrollKeys):
    """j/k and g/G scroll the list (from the binding table, like every other key)."""


class HelpScreen(ModalScreen[None]):
    BINDINGS: ClassVar[list[BindingType]] = list(bindings("help"))

    def compose(self) -> ComposeResult:
        with HelpBody(id="help-body"):
            yield Static(id="help-keys")

    def on_mount(self) -> None:
        below: Screen[object] = self.app.screen_stack[-2] if len(self.app.screen_stack) > 1 else self.app.screen
        overrides: Mapping[str, str] = getattr(getattr(self.app, "config", None), "keymap", None) or {}
        in_force = scopes_in_force(below.focused, below)
        self.query_one("#help-keys", Static).update(self._table(ordered_groups(in_force), overrides))
        body = self.query_one(HelpBody)
        body.border_title = "Keys · j/k scroll · escape closes · ctrl+p: every action"
        body.focus()

    def _table(self, groups: list[tuple[str, tuple[str, ...], bool]], overrides: Mapping[str, str]) -> Group:
        parts: list[Text | Table] = []
        for title, scopes, active in groups:
            heading = Text(title, style="bold underline" if active else "bold")
            if active:
                heading.append("  in force here", style="bold green")
            if parts:
                parts.append(Text(""))
            parts.append(heading)
            table = Table.grid(padding=(0, 2))
            table.add_column(no_wrap=True, min_width=8)
            table.add_column(no_wrap=True)
            table.add_column(style="dim")
            seen: set[str] = set()
            for scope in scopes:
                for key in keymap.scope(scope):
                    if not key.description or key.id in seen:
                        continue
                    seen.add(key.id)
                    # Keys come from the user's keymap: a "[" in one is a key, not markup.
                    table.add_row(Text(self._keys_shown(key, overrides), style="bold"), Text(key.description),
                                  Text(key.tooltip))
            parts.append(table)
        return Group(*parts)

    def _keys_shown(self, key: keymap.Key, overrides: Mapping[str, str]) -> str:
        keys = [name.strip() for name in overrides.get(key.id, key.keys).split(",") if name.strip()]
        return " ".join(self.app.get_key_display(Binding(name, key.action)) for name in keys)
