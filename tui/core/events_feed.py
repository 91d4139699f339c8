"""An endpoint's events feed as the timeline view follows it: newest first, fetched once each, with the
replica boot phases and the time each deployment start took to be ready (reference together-v2-api.md §A6).

The feed is newest first and its ``after`` cursor pages towards older events, so it cannot ask for
"what came after the newest I have". Following asks ``since`` the newest event held (inclusive) and pages
with ``after`` from there; only events at that very instant come back twice, and those are dropped by id.
The first load fetches one page; older pages are fetched only when asked for (``load_older``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol, runtime_checkable

from tui.api.domain import TimelineEvent

LEVELS = ("LEVEL_DEBUG", "LEVEL_INFO", "LEVEL_WARN", "LEVEL_ERROR")
_LABELS = {"LEVEL_DEBUG": "debug", "LEVEL_INFO": "info", "LEVEL_WARN": "warn", "LEVEL_ERROR": "error"}
#: A replica's boot, in order, as ``pod.startup_phase_changed`` reports it; the last one means ready.
BOOT_PHASES = ("PullingImage", "Starting", "LoadingWeights", "StartupComplete")
PHASE_LABELS = {
    "PullingImage": "pulling image",
    "Starting": "starting",
    "LoadingWeights": "loading weights",
    "StartupComplete": "ready",
}
BOOT_EVENT = "pod.startup_phase_changed"
PAGE_SIZE = 100
#: Pages one follow may read before it stops (a burst of thousands of events waits for the next poll).
MAX_FOLLOW_PAGES = 10


@runtime_checkable
class EventSource(Protocol):
    async def list_events(
        self,
        endpoint_id: str,
        *,
        after: str | None = None,
        limit: int | None = None,
        since: datetime | None = None,
        min_level: str | None = None,
        deployment_ids: Sequence[str] = (),
    ) -> tuple[list[TimelineEvent], str | None]: ...


def level_label(level: str) -> str:
    """``LEVEL_WARN`` -> ``warn``; a level this version does not know is shown as the API wrote it."""
    return _LABELS.get(level, level.removeprefix("LEVEL_").lower() or "?")


def level_rank(level: str) -> int:
    return LEVELS.index(level) if level in LEVELS else 1


@dataclass(frozen=True, slots=True)
class BootStep:
    phase: str
    at: datetime | None
    #: Until the next phase; None for the phase the replica is in now.
    duration: timedelta | None

    @property
    def label(self) -> str:
        return PHASE_LABELS.get(self.phase, self.phase)


@dataclass(frozen=True, slots=True)
class ReplicaBoot:
    replica_id: str
    deployment_id: str | None
    steps: tuple[BootStep, ...]

    @property
    def ready(self) -> bool:
        return bool(self.steps) and self.steps[-1].phase == BOOT_PHASES[-1]

    @property
    def total(self) -> timedelta | None:
        """From the first phase seen to ready; None while it is still booting."""
        first, last = self.steps[0].at, self.steps[-1].at
        if not self.ready or first is None or last is None:
            return None
        return last - first


@dataclass(frozen=True, slots=True)
class StartToReady:
    """One start of a deployment (desired replicas from 0 to more) and when all its replicas were ready."""

    deployment_id: str | None
    started_at: datetime
    ready_at: datetime | None

    @property
    def duration(self) -> timedelta | None:
        return None if self.ready_at is None else self.ready_at - self.started_at


class EventsFeed:
    """The events of one endpoint (optionally one deployment) fetched so far, each once."""

    def __init__(self, endpoint_id: str, deployment_id: str | None = None, *, page_size: int = PAGE_SIZE) -> None:
        self.endpoint_id = endpoint_id
        self.deployment_id = deployment_id
        self.page_size = page_size
        self._by_id: dict[str, TimelineEvent] = {}
        self._newest_first: list[TimelineEvent] = []
        #: Where older events continue (None: the start of the feed was reached, or nothing loaded yet).
        self.older_cursor: str | None = None
        self.loaded = False

    @property
    def events(self) -> list[TimelineEvent]:
        return list(self._newest_first)

    @property
    def newest_at(self) -> datetime | None:
        return next((e.at for e in self._newest_first if e.at is not None), None)

    def merge(self, events: Iterable[TimelineEvent]) -> list[TimelineEvent]:
        """Add the events not held yet; the ones added, in the order given."""
        added = [e for e in events if e.id not in self._by_id]
        for event in added:
            self._by_id[event.id] = event
        if added:
            self._newest_first = sorted(self._by_id.values(), key=_order, reverse=True)
        return added

    async def load(self, source: EventSource) -> int:
        """The newest page; the count of events it added."""
        events, cursor = await source.list_events(
            self.endpoint_id, limit=self.page_size, deployment_ids=self._deployments()
        )
        self.older_cursor = cursor
        self.loaded = True
        return len(self.merge(events))

    async def load_older(self, source: EventSource) -> int:
        if self.older_cursor is None:
            return 0
        events, self.older_cursor = await source.list_events(
            self.endpoint_id, after=self.older_cursor, limit=self.page_size, deployment_ids=self._deployments()
        )
        return len(self.merge(events))

    async def follow(self, source: EventSource) -> list[TimelineEvent]:
        """What happened since the newest event held, each event fetched once (bar ties at that instant)."""
        if not self.loaded:
            await self.load(source)
            return self.events
        since = self.newest_at
        added: list[TimelineEvent] = []
        cursor: str | None = None
        for _ in range(MAX_FOLLOW_PAGES):
            events, cursor = await source.list_events(
                self.endpoint_id, after=cursor, limit=self.page_size, since=since, deployment_ids=self._deployments()
            )
            added.extend(self.merge(events))
            if not cursor:
                break
        return added

    def _deployments(self) -> tuple[str, ...]:
        return (self.deployment_id,) if self.deployment_id else ()

    # What the view shows

    def types(self) -> list[str]:
        return sorted({e.type for e in self._newest_first if e.type})

    def shown(self, *, min_level: str | None = None, event_type: str | None = None) -> list[TimelineEvent]:
        floor = level_rank(min_level) if min_level else 0
        return [
            e
            for e in self._newest_first
            if level_rank(e.level) >= floor and (event_type is None or e.type == event_type)
        ]

    def boots(self) -> list[ReplicaBoot]:
        """Each replica's boot phases, the replica that started last first."""
        phases: dict[str, list[TimelineEvent]] = {}
        for event in reversed(self._newest_first):
            if event.type == BOOT_EVENT and event.replica_id and event.reason:
                phases.setdefault(event.replica_id, []).append(event)
        boots = []
        for replica, seen in phases.items():
            steps = []
            for index, event in enumerate(seen):
                following = seen[index + 1].at if index + 1 < len(seen) else None
                duration = following - event.at if following is not None and event.at is not None else None
                steps.append(BootStep(event.reason or "", event.at, duration))
            boots.append(ReplicaBoot(replica, seen[0].deployment_id, tuple(steps)))
        return sorted(boots, key=lambda b: _stamp(b.steps[0].at), reverse=True)

    def starts(self) -> list[StartToReady]:
        """Every start seen in the feed (a scale from 0 replicas), newest first, with its time to ready."""
        starts: list[StartToReady] = []
        pending: dict[str | None, datetime] = {}
        for event in reversed(self._newest_first):
            if event.at is None:
                continue
            key = event.deployment_id
            if event.type == "deployment.scaled" and not event.old_replicas and (event.new_replicas or 0) > 0:
                pending[key] = event.at
            elif event.type == "deployment.scaled" and event.new_replicas == 0:
                if key in pending:
                    starts.append(StartToReady(key, pending.pop(key), None))
            elif _all_ready(event) and key in pending:
                starts.append(StartToReady(key, pending.pop(key), event.at))
        starts.extend(StartToReady(key, at, None) for key, at in pending.items())
        return sorted(starts, key=lambda s: s.started_at, reverse=True)


def _all_ready(event: TimelineEvent) -> bool:
    return event.type == "condition.set" and event.reason == "AllReplicasReady" and event.status in (None, "True")


def _order(event: TimelineEvent) -> tuple[float, str]:
    # Ids break ties at one instant the way the service numbers them (a later id, a later event).
    return (_stamp(event.at), event.id)


def _stamp(moment: datetime | None) -> float:
    return moment.timestamp() if moment is not None else float("-inf")


def duration_text(delta: timedelta | None) -> str:
    """``1m 15s``, ``2h 05m``; ``?`` when unknown."""
    if delta is None:
        return "?"
    seconds = max(0, round(delta.total_seconds()))
    if seconds < 60:
        return f"{seconds}s"
    minutes, seconds = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes}m {seconds:02d}s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h {minutes:02d}m"
