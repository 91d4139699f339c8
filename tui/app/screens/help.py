"""``?``: every key of the app and of the pane in front, with what it does."""

from __future__ import annotations

from typing import ClassVar

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from tui.app.bindings import bindings


class HelpScreen(ModalScreen[None]):
    BINDINGS: ClassVar[list[BindingType]] = list(bindings("help"))

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help-body"):
            yield Static(id="help-keys")

    def on_mount(self) -> None:
        # The bindings in force on the screen below: the focused pane's, then the app's.
        below = self.app.screen_stack[-2] if len(self.app.screen_stack) > 1 else self.app.screen
        table = Table.grid(padding=(0, 2))
        table.add_column(style="bold", no_wrap=True)
        table.add_column()
        table.add_column(style="dim")
        seen: set[tuple[str, str]] = set()
        rows: list[tuple[bool, str, str, str]] = []
        for key, active in below.active_bindings.items():
            binding = active.binding
            if not binding.description or (binding.action, key) in seen:
                continue
            seen.add((binding.action, key))
            # The pane's and the app's actions first; widgets' own navigation keys after them.
            navigation = not binding.show and binding.id is None
            rows.append((navigation, self.app.get_key_display(binding), binding.description, binding.tooltip or ""))
        for _, key_display, description, tooltip in sorted(rows, key=lambda row: row[0]):
            # Keys come from the user's keymap: a "[" in one is a key, not markup.
            table.add_row(Text(key_display), Text(description), Text(tooltip))
        self.query_one("#help-keys", Static).update(table)
        self.query_one("#help-body").border_title = "Keys · escape closes · ctrl+p: every action"
