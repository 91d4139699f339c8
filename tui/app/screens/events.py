"""An endpoint's story: its events feed, newest first, followed live while the screen is shown.

Providers with an events feed (``capabilities.events``) are asked for it; the others show what this app
saw this session (the store's state timeline), and the screen says which of the two it is. Polling runs
only while this screen is the one shown (suspended under a dialog, stopped when closed), and each poll
asks only for what came after the newest event held (``EventsFeed.follow``).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import DataTable, Footer, Static
from textual.widgets.data_table import CellDoesNotExist

from tui.api import errors
from tui.api.domain import Endpoint, Phase, TimelineEvent
from tui.app.bindings import bindings
from tui.app.context import AppContext
from tui.app.widgets.table_keys import TableKeys
from tui.core import events_feed as feed_model
from tui.core.events_feed import BOOT_PHASES, PHASE_LABELS, EventsFeed, EventSource, duration_text, level_label
from tui.core.format import known_count

FOLLOW_SECONDS = 3.0
LEVEL_STYLES = {"debug": "dim", "info": "cyan", "warn": "bold yellow", "error": "bold red"}
LEVEL_GLYPHS = {"debug": "·", "info": "●", "warn": "▲", "error": "✖"}
_MIN_LEVELS = (None, "LEVEL_WARN", "LEVEL_ERROR")
#: Booting replicas shown above the table (the newest).
MAX_BOOTS = 3


def when(moment: datetime | None) -> str:
    return moment.astimezone(UTC).strftime("%m-%d %H:%M:%S") if moment is not None else "?"


class EventTable(TableKeys[Text]):
    pass


class EventsScreen(Screen[None]):
    BINDINGS: ClassVar[list[BindingType]] = list(bindings("events"))
    DEFAULT_CSS = """
    EventsScreen { layout: vertical; }
    #events-title { height: 1; background: $panel; padding: 0 1; text-style: bold; }
    #events-source { height: 1; padding: 0 1; color: $text-muted; }
    #events-progress { height: auto; max-height: 5; padding: 0 1; }
    #events-table { height: 1fr; }
    #events-detail { height: 3; padding: 0 1; background: $boost; }
    #events-status { height: 1; padding: 0 1; color: $text-muted; }
    """

    def __init__(
        self,
        context: AppContext,
        endpoint: Endpoint,
        deployment_id: str | None = None,
        *,
        follow_seconds: float = FOLLOW_SECONDS,
    ) -> None:
        super().__init__()
        self.context = context
        self.endpoint = endpoint
        self.deployment_id = deployment_id
        self.follow_seconds = follow_seconds
        provider = context.provider
        capabilities = context.store.capabilities
        #: The API's feed, or None: then the session's own timeline is shown.
        self.source: EventSource | None = (
            provider if capabilities is not None and capabilities.events and isinstance(provider, EventSource) else None
        )
        self.feed = EventsFeed(endpoint.id, deployment_id)
        self.min_level: str | None = None
        self.event_type: str | None = None
        self.problem: str | None = None
        self.polls = 0
        self._timer: Timer | None = None
        self._following = False
        self._shown: list[TimelineEvent] = []

    # Layout

    def compose(self) -> ComposeResult:
        yield Static(self._title(), id="events-title")
        yield Static(self._source_note(), id="events-source")
        yield Static("", id="events-progress")
        table: EventTable = EventTable(id="events-table", cursor_type="row", zebra_stripes=True)
        table.add_column("When", width=14, key="when")
        table.add_column("Level", width=7, key="level")
        table.add_column("Type", width=18, key="type")
        table.add_column("Source", width=16, key="source")
        table.add_column("Message", key="message")
        yield table
        yield Static("", id="events-detail")
        yield Static("", id="events-status")
        yield Footer(compact=True)

    def _title(self) -> Text:
        title = Text("Events · ", style="bold")
        title.append(self.endpoint.title)
        if self.deployment_id:
            title.append(f" · {self._deployment_name(self.deployment_id)} only")
        return title

    def _source_note(self) -> Text:
        if self.source is not None:
            return Text(f"From {self.context.provider.label}'s events feed, newest first, followed live.")
        return Text(
            f"{self.context.provider.label} has no events feed: this is what this app saw this session "
            "(state changes and your own requests)."
        )

    def on_mount(self) -> None:
        self.query_one(EventTable).focus()
        self._timer = self.set_interval(self.follow_seconds, self._poll, pause=False)
        self._poll()

    def on_screen_suspend(self) -> None:
        if self._timer is not None:
            self._timer.pause()

    def on_screen_resume(self) -> None:
        if self._timer is not None and self.is_mounted:
            self._timer.resume()

    # Fetching

    def _poll(self) -> None:
        if self.source is None:
            self._show_session_timeline()
            return
        if self._following:
            # A slow answer is waited for, not cancelled by the next tick (it would never complete).
            return
        self._following = True
        self.run_worker(self._follow(self.source), group="events-follow", exit_on_error=False)

    async def _follow(self, source: EventSource) -> None:
        try:
            await self.feed.follow(source)
        except errors.APIError as exc:
            self.problem = f"Could not fetch events: {exc} (trying again in {self.follow_seconds:g} s)"
        else:
            self.problem = None
            self.polls += 1
        finally:
            self._following = False
        self.refresh_view()

    def _show_session_timeline(self) -> None:
        history = self.context.store.timeline.history(self.endpoint.id)
        events = [
            TimelineEvent(
                id=f"seen-{index}",
                at=o.at,
                level="LEVEL_ERROR" if o.phase is Phase.FAILED else "LEVEL_INFO",
                type="request" if o.is_event else "state",
                message=o.state,
                source="this app" if o.is_event else "",
            )
            for index, o in enumerate(history)
        ]
        # Rebuilt each time: the session's timeline keeps only its latest entries.
        self.feed = EventsFeed(self.endpoint.id, self.deployment_id)
        self.feed.merge(events)
        self.feed.loaded = True
        self.refresh_view()

    # Showing

    def _deployment_name(self, deployment_id: str) -> str:
        current = self.context.store.get(self.endpoint.id) or self.endpoint
        for deployment in current.deployments:
            if deployment.id == deployment_id:
                return deployment.title
        return deployment_id

    def _source_of(self, event: TimelineEvent) -> str:
        if event.deployment_id:
            return self._deployment_name(event.deployment_id)
        return self.endpoint.name.rpartition("/")[2] or event.source or event.id

    def refresh_view(self) -> None:
        if not self.is_mounted:
            return
        self._shown = self.feed.shown(min_level=self.min_level, event_type=self.event_type)
        table = self.query_one(EventTable)
        selected = self._selected_id()
        table.clear()
        for event in self._shown:
            table.add_row(*self._cells(event), key=event.id)
        if selected is not None and selected in {e.id for e in self._shown}:
            table.move_cursor(row=table.get_row_index(selected), animate=False)
        self.query_one("#events-progress", Static).update(self._progress())
        self.query_one("#events-status", Static).update(self._status())
        self._show_detail()

    def _cells(self, event: TimelineEvent) -> tuple[Text, ...]:
        label = level_label(event.level)
        style = LEVEL_STYLES.get(label, "")
        message = event.message.splitlines()[0] if event.message else ""
        return (
            Text(when(event.at)),
            Text(f"{LEVEL_GLYPHS.get(label, '?')} {label}", style=style),
            Text(event.type, overflow="ellipsis", no_wrap=True),
            Text(self._source_of(event), overflow="ellipsis", no_wrap=True),
            Text(message[:300], style="red" if label == "error" else ("yellow" if label == "warn" else "")),
        )

    def _progress(self) -> Text:
        lines = Text()
        boots = self.feed.boots()
        booting = [b for b in boots if not b.ready]
        for boot in (booting or boots)[:MAX_BOOTS]:
            if lines:
                lines.append("\n")
            lines.append_text(self._boot_line(boot))
        starts = self.feed.starts()
        if starts:
            if lines:
                lines.append("\n")
            lines.append("Time to ready: ", style="bold")
            parts = []
            for start in starts[:3]:
                name = self._deployment_name(start.deployment_id) if start.deployment_id else self.endpoint.title
                pending = f"not ready yet (from {when(start.started_at)})"
                done = duration_text(start.duration) if start.ready_at else pending
                parts.append(f"{name} {done}")
            lines.append(" · ".join(parts))
        return lines

    def _boot_line(self, boot: feed_model.ReplicaBoot) -> Text:
        line = Text()
        line.append(f"{self._deployment_name(boot.deployment_id) if boot.deployment_id else ''} {boot.replica_id}: ")
        reached = {s.phase: s for s in boot.steps}
        for index, phase in enumerate(BOOT_PHASES):
            if index:
                line.append(" → ", style="dim")
            step = reached.get(phase)
            if step is None:
                line.append(PHASE_LABELS[phase], style="dim")
                continue
            current = step is boot.steps[-1] and not boot.ready
            line.append(PHASE_LABELS[phase], style="bold yellow" if current else "green")
            if step.duration is not None:
                line.append(f" {duration_text(step.duration)}")
            elif current:
                line.append("…")
        if boot.ready:
            line.append(f"  ({duration_text(boot.total)})", style="bold")
        return line

    def _status(self) -> Text:
        status = Text()
        if self.problem:
            status.append(self.problem, style="bold red")
            return status
        filters = f"level {'all' if self.min_level is None else level_label(self.min_level) + '+'}"
        filters += f" · type {self.event_type or 'all'}"
        count = len(self._shown)
        total = len(self.feed.events)
        status.append(f"{count} of {total} events · {filters}")
        if self.source is not None:
            status.append(f" · following every {self.follow_seconds:g} s")
            if self.feed.older_cursor:
                status.append(" · m: older")
        return status

    def _selected_id(self) -> str | None:
        table = self.query_one(EventTable)
        if not table.row_count:
            return None
        try:
            key, _ = table.coordinate_to_cell_key(table.cursor_coordinate)
        except CellDoesNotExist:
            return None
        return key.value

    def selected_event(self) -> TimelineEvent | None:
        wanted = self._selected_id()
        return next((e for e in self._shown if e.id == wanted), None)

    def _show_detail(self) -> None:
        event = self.selected_event()
        detail = Text()
        if event is not None:
            detail.append(f"{when(event.at)} {level_label(event.level)} {event.type}", style="bold")
            extras = [
                f"reason {event.reason}" if event.reason else "",
                f"replica {event.replica_id}" if event.replica_id else "",
                (f"replicas {known_count(event.old_replicas)} → {event.new_replicas}"
                 if event.new_replicas is not None else ""),
                f"from {event.source}" if event.source else "",
            ]
            detail.append("  " + " · ".join(e for e in extras if e), style="dim")
            detail.append("\n" + event.message)
        self.query_one("#events-detail", Static).update(detail)

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._show_detail()

    # Actions

    def action_close(self) -> None:
        if self._timer is not None:
            self._timer.stop()
        self.app.pop_screen()

    def action_cycle_level(self) -> None:
        index = _MIN_LEVELS.index(self.min_level) if self.min_level in _MIN_LEVELS else 0
        self.min_level = _MIN_LEVELS[(index + 1) % len(_MIN_LEVELS)]
        self.refresh_view()

    def action_cycle_type(self) -> None:
        choices: list[str | None] = [None, *self.feed.types()]
        index = choices.index(self.event_type) if self.event_type in choices else 0
        self.event_type = choices[(index + 1) % len(choices)]
        self.refresh_view()

    def action_copy_event(self) -> None:
        event = self.selected_event()
        if event is None:
            self.notify("No event selected.", severity="warning")
            return
        text = f"{when(event.at)} {event.level} {event.type} {self._source_of(event)}: {event.message}"
        self.app.copy_to_clipboard(text)
        self.notify(f"Copied event {event.id}.", markup=False)

    def action_older(self) -> None:
        if self.source is None or self.feed.older_cursor is None:
            self.notify("No older events.", markup=False)
            return
        source = self.source

        async def older() -> None:
            try:
                await self.feed.load_older(source)
            except errors.APIError as exc:
                self.problem = f"Could not fetch older events: {exc}"
            self.refresh_view()

        self.run_worker(older(), group="events-older", exclusive=True, exit_on_error=False)

