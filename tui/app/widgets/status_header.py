"""The one-line header: who and where (profile, base URL or DEMO), connection, read-only, burn rate."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from rich.text import Text
from textual.widget import Widget

if TYPE_CHECKING:
    from tui.app.app import TogetherApp


class StatusHeader(Widget):
    """Fixed at one line, so a change repaints this widget only (``Static.update`` would lay out the
    whole screen again, and the status changes every second)."""

    DEFAULT_CLASSES = "status-header"

    def on_mount(self) -> None:
        app = cast("TogetherApp", self.app)
        for name in ("connection_status", "connection_ok", "burn"):
            self.watch(app, name, self._changed, init=False)

    def _changed(self, *_: object) -> None:
        self.refresh()

    def render(self) -> Text:
        app = cast("TogetherApp", self.app)
        config = app.config
        text = Text(no_wrap=True, overflow="ellipsis")
        text.append(" together-tui ", style="bold reverse")
        text.append(" ")
        if config.demo:
            text.append("DEMO", style="bold black on yellow")
            text.append(" simulator ", style="dim")
        else:
            text.append(config.profile, style="bold")
            text.append(f" {config.base_url} ", style="dim")
        text.append("● " if app.connection_ok else "✗ ", style="green" if app.connection_ok else "red bold")
        text.append(app.connection_status, style="" if app.connection_ok else "red")
        if app.read_only:
            text.append("  READ-ONLY", style="bold magenta")
        burn = app.burn
        if burn is not None:
            # Part unknown reads "$5.40/h + ?", never a confident total.
            style = "bold" if burn.certain else "bold yellow"
            text.append(f"  burn {burn.per_hour()}  {burn.per_day()}", style=style)
        return text
