"""What the endpoint store tells its listeners, and what it answers a request to act."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Changed:
    """The rows, the connection status or both changed: redraw from the store."""

    rows: bool = True
    status: bool = True
    #: None: the list itself changed (rows added, removed, reordered or any field): re-sync every row.
    #: A set: only these endpoints' rows changed (their details arrived); the rest are as they were.
    ids: frozenset[str] | None = None


@dataclass(frozen=True, slots=True)
class Announcement:
    """Something the user should hear whichever pane is open."""

    message: str
    title: str = ""
    severity: str = "information"
    #: Rings the bell if the user asked for it (a watched endpoint arrived, failed or stopped).
    ring: bool = False


StoreEvent = Changed | Announcement
Listener = Callable[[StoreEvent], None]


@dataclass(frozen=True, slots=True)
class Decision:
    """What became of a request to act: sent (and what was sent, to say at once) or not, and why."""

    sent: bool
    message: str
    severity: str = "information"


@dataclass
class Steps:
    """A smart delete as it happens: each step the provider reported, then how it ended."""

    lines: list[str] = field(default_factory=list)
    done: bool = False
    #: Why it stopped, when it failed (what was deleted before stays deleted).
    error: str | None = None
