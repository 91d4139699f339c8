"""The one-line header: who and where (profile, base URL or DEMO), connection, read-only, burn rate."""

from __future__ import annotations

from rich.text import Text
from textual.widget import Widget

from tui.app.context import AppContext
from tui.core.store import Changed, StoreEvent


class StatusHeader(Widget):
    """Fixed at one line, so a change repaints this widget only (``Static.update`` would lay out the
    whole screen again, and the status changes every second)."""

    DEFAULT_CLASSES = "status-header"

    def __init__(self, context: AppContext) -> None:
        super().__init__()
        self.context = context

    def on_mount(self) -> None:
        self._unsubscribe = [
            self.context.store.subscribe(self._store_changed),
            self.context.catalog.subscribe(self._repaint),
        ]
        # "updated 12 s ago" ages, and a poll that stops answering must show as such, between store events.
        self.set_interval(1.0, self._repaint)

    def on_unmount(self) -> None:
        for unsubscribe in self._unsubscribe:
            unsubscribe()

    def _store_changed(self, event: StoreEvent) -> None:
        if isinstance(event, Changed):
            self._repaint()

    def _repaint(self) -> None:
        self.refresh()

    def render(self) -> Text:
        context = self.context
        config = context.config
        store = context.store
        ok = store.ok()
        text = Text(no_wrap=True, overflow="ellipsis")
        text.append(" together-tui ", style="bold reverse")
        text.append(" ")
        if config.demo:
            text.append("DEMO", style="bold black on yellow")
            text.append(" simulator ", style="dim")
        else:
            text.append(config.profile, style="bold")
            text.append(f" {config.base_url} ", style="dim")
        text.append("● " if ok else "✗ ", style="green" if ok else "red bold")
        text.append(store.status(), style="" if ok else "red")
        if context.read_only:
            text.append("  READ-ONLY", style="bold magenta")
        burn = context.burn()
        if burn is not None:
            # Part unknown reads "$5.40/h + ?", never a confident total.
            style = "bold" if burn.certain else "bold yellow"
            text.append(f"  burn {burn.per_hour()}  {burn.per_day()}", style=style)
        return text
