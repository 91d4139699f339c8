"""The one-line header: who and where (profile, control plane, base URL or DEMO), connection, read-only, burn rate.

It never cuts what matters: the connection's glyph and the burn per hour always show. On a narrow
terminal the lesser parts shorten or go first, in this order: the base URL to its host, the "updated"
age and the stale note, the URL itself, the burn per day, the app's name, the connection's words, the
read-only word. Each step drops a whole part, so no part is ever cut mid-way ("retrying in" with no
number).
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import datetime
from urllib.parse import urlsplit

from rich.text import Text
from textual.widget import Widget

from tui.app.context import AppContext
from tui.core.costs import BurnTally
from tui.core.polling import PollScheduler, describe_error
from tui.core.store import Changed, StoreEvent


def connection_phrases(scheduler: PollScheduler, now: datetime) -> tuple[str, ...]:
    """The connection in ever fewer words, fullest first; every one whole (a wait always with its number)."""
    full = scheduler.status(now)
    waited = scheduler.waited(now)
    if waited is not None:
        return full, f"no answer for {int(waited)} s — r tries again", f"no answer {int(waited)} s"
    error = scheduler.last_error
    if error is None:
        if scheduler.last_success is None:
            return (full,)
        # "updated 12 s ago" is the least of it: the glyph already says the connection is fine.
        return full, ""
    described = describe_error(error)
    remaining = scheduler.retry_in(now)
    if remaining is None:
        return full, described, "error"
    seconds = math.ceil(remaining)
    status = getattr(error, "status", None)
    code = f"{status} · " if isinstance(status, int) and status >= 400 else ""
    return (full, f"{described} — retrying in {seconds} s", f"{described} · retry {seconds} s",
            f"{code}retry {seconds} s", f"retry {seconds} s")


def host_of(base_url: str) -> str:
    parts = urlsplit(base_url)
    return parts.netloc or base_url


@dataclass(frozen=True)
class HeaderFacts:
    demo: bool
    profile: str
    base_url: str
    ok: bool
    #: Fullest first (``connection_phrases``).
    connection: tuple[str, ...]
    read_only: bool
    burn_per_hour: str | None = None
    burn_per_day: str | None = None
    burn_certain: bool = True
    #: The control plane for people ("Together", "Nebius"): dropped with the URL.
    provider_label: str = ""


@dataclass(frozen=True)
class _Shape:
    url: str = "full"  # full | host | none
    connection: int = 0
    per_day: bool = True
    brand: bool = True
    read_only_word: str = "READ-ONLY"


def _shapes(facts: HeaderFacts) -> Iterator[_Shape]:
    shape = _Shape()
    last = len(facts.connection) - 1
    steps = (
        {"url": "host"},
        {"connection": min(1, last)},
        {"url": "none"},
        {"per_day": False},
        {"brand": False},
        {"connection": min(2, last)},
        {"read_only_word": "RO"},
        {"connection": min(3, last)},
        {"connection": last},
    )
    yield shape
    for step in steps:
        shape = replace(shape, **step)
        yield shape


def _draw(facts: HeaderFacts, shape: _Shape) -> Text:
    text = Text(no_wrap=True, overflow="crop", end="")
    if shape.brand:
        text.append(" together-tui ", style="bold reverse")
    text.append(" ")
    if facts.demo:
        text.append("DEMO", style="bold black on yellow")
        text.append(" simulator " if shape.url != "none" else " ", style="dim")
    else:
        text.append(facts.profile, style="bold")
        if facts.provider_label and shape.url != "none":
            text.append(f" · {facts.provider_label}", style="dim")
        url = {"full": facts.base_url, "host": host_of(facts.base_url), "none": ""}[shape.url]
        text.append(f" {url} " if url else " ", style="dim")
    text.append("●" if facts.ok else "✗", style="green" if facts.ok else "red bold")
    phrase = facts.connection[shape.connection]
    if phrase:
        text.append(f" {phrase}", style="" if facts.ok else "red")
    if facts.read_only:
        text.append(f"  {shape.read_only_word}", style="bold magenta")
    if facts.burn_per_hour is not None:
        # Part unknown reads "$5.40/h + ?", never a confident total.
        style = "bold" if facts.burn_certain else "bold yellow"
        text.append(f"  burn {facts.burn_per_hour}", style=style)
        if shape.per_day and facts.burn_per_day is not None:
            text.append(f"  {facts.burn_per_day}", style=style)
    return text


def header_text(facts: HeaderFacts, width: int) -> Text:
    """The fullest header that fits ``width`` cells; at the narrowest, the glyph and the burn per hour."""
    text = Text()
    for shape in _shapes(facts):
        text = _draw(facts, shape)
        if text.cell_len <= width:
            return text
    if facts.burn_per_hour is None:
        return text
    # Narrower than any shape: the two things the header exists for, the rest let go.
    style = "bold" if facts.burn_certain else "bold yellow"
    return Text.assemble(("●" if facts.ok else "✗", "green" if facts.ok else "red bold"),
                         (f" {facts.burn_per_hour}", style), no_wrap=True, overflow="crop", end="")


class StatusHeader(Widget):
    """Fixed at one line, so a change repaints this widget only (``Static.update`` would lay out the
    whole screen again, and the status changes every second)."""

    DEFAULT_CLASSES = "status-header"

    def __init__(self, context: AppContext) -> None:
        super().__init__()
        self.context = context
        # Added up again after a store change only: the header paints every second and on every event.
        self._burn = BurnTally()

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
            if event.rows:
                self._burn.changed()
            self._repaint()

    def _repaint(self) -> None:
        self.refresh()

    def facts(self) -> HeaderFacts:
        context = self.context
        config = context.config
        store = context.store
        # ``context.burn()``, from the tally: the same sum, without walking every endpoint on each paint.
        burn = self._burn.burn(store.endpoints, context.catalog.known_hardware()) if store.loaded else None
        return HeaderFacts(
            demo=config.demo, profile=config.profile, base_url=config.base_url, ok=store.ok(),
            connection=connection_phrases(store.scheduler, store.clock()), read_only=context.read_only,
            burn_per_hour=burn.per_hour() if burn is not None else None,
            burn_per_day=burn.per_day() if burn is not None else None,
            burn_certain=burn.certain if burn is not None else True, provider_label=config.provider_label,
        )

    def render(self) -> Text:
        return header_text(self.facts(), self.size.width)
