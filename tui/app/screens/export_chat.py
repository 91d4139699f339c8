"""Asks where to save the conversation as Markdown (``ctrl+s`` in the Chat pane).

Only chooses and checks the path; the pane writes the file. An existing file is overwritten only
after a second ``enter`` on the same name.
"""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static

from tui.app.bindings import bindings


def resolve_export_path(text: str, cwd: Path) -> Path:
    path = Path(text.strip()).expanduser()
    if not path.is_absolute():
        path = cwd / path
    if not path.suffix:
        path = path.with_suffix(".md")
    return path


class ExportChatScreen(ModalScreen[Path | None]):
    BINDINGS: ClassVar[list[BindingType]] = [*bindings("chat.export")]

    def __init__(self, default_name: str, *, cwd: Path | None = None) -> None:
        super().__init__()
        self.default_name = default_name
        self.cwd = cwd or Path.cwd()
        self._confirmed_overwrite: Path | None = None

    def compose(self) -> ComposeResult:
        with Vertical(id="export-dialog"):
            yield Label(Content.styled("Export the conversation as Markdown", "bold"))
            yield Static(Content.styled(f"Relative names are saved in {self.cwd}", "dim"), id="export-where")
            yield Input(self.default_name, id="export-path", select_on_focus=False)
            yield Static(id="export-error")
            with Horizontal(id="export-buttons"):
                yield Button("Save", id="export-save", variant="primary", tooltip="Write the file (enter)")
                yield Button("Cancel", id="export-cancel", tooltip="Close without saving (esc)")

    def on_mount(self) -> None:
        path_input = self.query_one("#export-path", Input)
        path_input.focus()
        path_input.cursor_position = len(path_input.value)

    def _error(self, message: str) -> None:
        self.query_one("#export-error", Static).update(Content.styled(message, "$text-error"))

    @on(Input.Changed, "#export-path")
    def _path_changed(self) -> None:
        self._confirmed_overwrite = None
        self.query_one("#export-error", Static).update("")

    @on(Input.Submitted, "#export-path")
    @on(Button.Pressed, "#export-save")
    def _save(self) -> None:
        text = self.query_one("#export-path", Input).value
        if not text.strip():
            self._error("Type a file name.")
            return
        path = resolve_export_path(text, self.cwd)
        if path.is_dir():
            self._error(f"{path} is a folder: add a file name.")
            return
        if not path.parent.is_dir():
            self._error(f"The folder {path.parent} does not exist.")
            return
        if path.exists() and self._confirmed_overwrite != path:
            self._confirmed_overwrite = path
            self._error(f"{path.name} exists: press enter again to overwrite it.")
            return
        self.dismiss(path)

    @on(Button.Pressed, "#export-cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)
