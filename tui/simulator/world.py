"""The mutable side of the simulated account: endpoints and their lifecycle.

States are not advanced by a background task. Each endpoint holds a *plan*: a short list of
`(start_time, state)` steps decided when something happened (create, start, stop). Reading an
endpoint looks up the step in force at the clock's current time, so a ManualClock drives every
transition exactly and 5,000 endpoints cost nothing while nobody looks at them.

Lifecycle (durations at speed 1, divided by `speed`):

* create / start: PENDING (30 s) -> STARTING (150 s) -> STARTED. If the hardware is
  `insufficient` for the model, PENDING lasts 10 minutes (waiting for capacity); if it is
  `unavailable`, PENDING (45 s) -> ERROR.
* create with `state: "STOPPED"`: STOPPED straight away.
* stop: STOPPING (20 s) -> STOPPED. Stopping a STOPPED/STOPPING endpoint changes nothing; starting
  a PENDING/STARTING/STARTED one changes nothing. Starting from STOPPED, ERROR or STOPPING
  begins a new start plan.
* `inactive_timeout` (minutes; null/0 = off) stops a STARTED endpoint that has been idle that
  long: idle since it reached STARTED, since its last chat request, or since the timeout was last
  changed, whichever is latest (the last rule avoids a retroactive stop; UNVERIFIED).
"""

from __future__ import annotations

import random
import threading
import uuid
from collections.abc import Iterable, Iterator

from tui.simulator.catalogue import (
    AVAILABLE,
    INSUFFICIENT,
    MODELS,
    UNAVAILABLE,
    Catalogue,
)
from tui.simulator.v1_records import EndpointRecord, Timings, iso8601
from tui.simulator.v1_seed import (
    ADJECTIVES,
    DEFAULT_SEEDS,
    NOUNS,
    SERVERLESS_MODELS,
    TODAY_SEEDS,
    SeedSpec,
)
from tui.simulator.v1_states import ERROR, PENDING, STARTED, STARTING, STOPPED, STOPPING

SERVERLESS_OWNER = "together"

# The routes and the v2 world import these from here.
__all__ = ["ERROR", "STARTED", "STOPPED", "STOPPING", "EndpointRecord", "Timings", "World", "iso8601"]


class World:
    """All endpoints, behind one lock (touched from uvicorn's thread and from test threads)."""

    def __init__(
        self,
        catalogue: Catalogue,
        *,
        seed: int,
        owner: str,
        speed: float,
        now: float,
        endpoints: int | None,
        legacy_v1: bool = True,
    ) -> None:
        self.catalogue = catalogue
        self.owner = owner
        self.timings = Timings().scaled(speed)
        self.lock = threading.RLock()
        self._rng = random.Random(f"world:{seed}")
        self._records: dict[str, EndpointRecord] = {}
        self._by_name: dict[str, EndpointRecord] = {}
        self._seed_serverless(now)
        if endpoints is None:
            self._seed_default(now, DEFAULT_SEEDS if legacy_v1 else TODAY_SEEDS)
        else:
            self._seed_generated(now, endpoints)

    # -- ids and names -------------------------------------------------------------------------

    def _new_id(self) -> str:
        return f"endpoint-{uuid.UUID(int=self._rng.getrandbits(128), version=4)}"

    def _new_name(self, model: str) -> str:
        while True:
            name = f"{self.owner}/{model}-{self._rng.getrandbits(32):08x}"
            if name not in self._by_name:
                return name

    def _add(self, record: EndpointRecord) -> EndpointRecord:
        self._records[record.id] = record
        self._by_name[record.name] = record
        return record

    # -- plans -----------------------------------------------------------------------------------

    def _start_plan(self, model: str, hardware: str, at: float) -> list[tuple[float, str]]:
        t = self.timings
        status = self.catalogue.availability(model, hardware) or UNAVAILABLE
        if status == UNAVAILABLE:
            return [(at, PENDING), (at + t.pending_before_error, ERROR)]
        pending = t.pending_insufficient if status == INSUFFICIENT else t.pending
        return [(at, PENDING), (at + pending, STARTING), (at + pending + t.starting, STARTED)]

    def _stop_plan(self, at: float) -> list[tuple[float, str]]:
        return [(at, STOPPING), (at + self.timings.stopping, STOPPED)]

    def _plan_reaching(
        self, spec: SeedSpec, model: str, hardware: str, now: float, created: float
    ) -> list[tuple[float, str]]:
        """A plan that puts a seeded endpoint part-way through `spec.state` at `now`."""
        t = self.timings
        if spec.state == STOPPED:
            return [(created, STOPPED)]
        if spec.state == ERROR:
            return [(created, PENDING), (created + t.pending_before_error, ERROR)]
        if spec.state == STOPPING:
            begin = now - spec.into_state * t.stopping
            return self._stop_plan(begin)
        plan = self._start_plan(model, hardware, 0.0)
        durations = {PENDING: plan[1][0] - plan[0][0]}
        if len(plan) == 3:
            durations[STARTING] = plan[2][0] - plan[1][0]
        if spec.state == STARTED:
            return [(created + start, state) for start, state in plan]
        offset = next(start for start, state in plan if state == spec.state)
        begin = now - offset - spec.into_state * durations.get(spec.state, 0.0)
        return [(begin + start, state) for start, state in plan]

    # -- seeding ---------------------------------------------------------------------------------

    def _seed_serverless(self, now: float) -> None:
        for model in SERVERLESS_MODELS:
            created = now - 400 * 86400 + self._rng.random() * 86400
            self._add(
                EndpointRecord(
                    id=self._new_id(),
                    name=model,
                    display_name=model,
                    model=model,
                    hardware="",
                    owner=SERVERLESS_OWNER,
                    type="serverless",
                    min_replicas=0,
                    max_replicas=0,
                    created_at=created,
                    created_at_iso=iso8601(created),
                    plan=[(created, STARTED)],
                    usage_type="",
                )
            )

    def _seed_one(self, spec: SeedSpec, now: float) -> None:
        hardware = self.catalogue.pick_hardware(spec.model, spec.hardware_status, self._rng)
        if hardware is None:  # the seed drew no such hardware for this model
            hardware = self.catalogue.pick_hardware(spec.model, AVAILABLE, self._rng) or ""
        created = now - spec.age_days * 86400
        if spec.state in (PENDING, STARTING):
            created = min(created, now - 1)
        plan = self._plan_reaching(spec, spec.model, hardware, now, created)
        created = min(created, plan[0][0])
        self._add(
            EndpointRecord(
                id=self._new_id(),
                name=self._new_name(spec.model),
                display_name=spec.display_name,
                model=spec.model,
                hardware=hardware,
                owner=self.owner,
                type="dedicated",
                min_replicas=spec.min_replicas,
                max_replicas=spec.max_replicas,
                created_at=created,
                created_at_iso=iso8601(created),
                plan=plan,
                inactive_timeout=spec.inactive_timeout,
                usage_type=spec.usage_type,
                # Recently used, so a seeded inactive_timeout does not fire at start-up.
                idle_since=now - 60,
            )
        )

    def _seed_default(self, now: float, seeds: tuple[SeedSpec, ...]) -> None:
        for spec in seeds:
            self._seed_one(spec, now)

    def _seed_generated(self, now: float, count: int) -> None:
        rng = self._rng
        models = [m.id for m in MODELS if m.dedicated and self.catalogue.offered(m.id)]
        weights = ((STARTED, 55), (STOPPED, 30), (STARTING, 4), (PENDING, 3), (ERROR, 5), (STOPPING, 3))
        states = [s for s, _ in weights]
        cumulative = [w for _, w in weights]
        for index in range(count):
            model = rng.choice(models)
            state = rng.choices(states, weights=cumulative)[0]
            minimum = rng.choice((0, 1, 1, 1, 2))
            spec = SeedSpec(
                state=state,
                model=model,
                display_name=f"{rng.choice(ADJECTIVES)}-{rng.choice(NOUNS)}-{index + 1}",
                hardware_status=UNAVAILABLE if state == ERROR else AVAILABLE,
                min_replicas=minimum,
                max_replicas=minimum + rng.choice((0, 1, 2, 4)) or 1,
                age_days=rng.random() * 180,
                into_state=rng.random(),
                inactive_timeout=rng.choice((None, None, 0, 30, 60, 240)),
                usage_type="reserved" if rng.random() < 0.1 else "on-demand",
            )
            self._seed_one(spec, now)

    # -- reads -----------------------------------------------------------------------------------

    def get(self, endpoint_id: str) -> EndpointRecord | None:
        return self._records.get(endpoint_id)

    def by_name(self, name: str) -> EndpointRecord | None:
        return self._by_name.get(name)

    def state(self, record: EndpointRecord, now: float) -> str:
        return record.state_at(now, self.timings.stopping)

    def records(self) -> Iterator[EndpointRecord]:
        return iter(list(self._records.values()))

    def dedicated_count(self) -> int:
        return sum(1 for r in self._records.values() if r.type == "dedicated")

    # -- writes (callers hold `lock`) -----------------------------------------------------------

    def _materialise(self, record: EndpointRecord, now: float) -> str:
        """Fold a due auto-stop into the plan, so later edits cannot rewrite the past."""
        record.plan = record.effective_plan(now, self.timings.stopping)
        return record.state_at(now, self.timings.stopping)

    def create(
        self,
        *,
        model: str,
        hardware: str,
        min_replicas: int,
        max_replicas: int,
        display_name: str | None,
        state: str,
        inactive_timeout: int | None,
        availability_zone: str | None,
        disable_speculative_decoding: bool,
        now: float,
    ) -> EndpointRecord:
        name = self._new_name(model)
        plan = [(now, STOPPED)] if state == STOPPED else self._start_plan(model, hardware, now)
        return self._add(
            EndpointRecord(
                id=self._new_id(),
                name=name,
                # UNVERIFIED: what the real service shows when no display name is given. The
                # system name is the most useful thing to show and keeps the field a string.
                display_name=display_name if display_name else name,
                model=model,
                hardware=hardware,
                owner=self.owner,
                type="dedicated",
                min_replicas=min_replicas,
                max_replicas=max_replicas,
                created_at=now,
                created_at_iso=iso8601(now),
                plan=plan,
                inactive_timeout=inactive_timeout or None,
                availability_zone=availability_zone,
                disable_speculative_decoding=disable_speculative_decoding,
                idle_since=now,
            )
        )

    def start(self, record: EndpointRecord, now: float) -> None:
        current = self._materialise(record, now)
        if current in (STOPPED, ERROR, STOPPING):
            record.plan = self._start_plan(record.model, record.hardware, now)
            record.idle_since = now

    def stop(self, record: EndpointRecord, now: float) -> None:
        current = self._materialise(record, now)
        if current not in (STOPPED, STOPPING):
            record.plan = self._stop_plan(now)

    def set_inactive_timeout(self, record: EndpointRecord, minutes: int | None, now: float) -> None:
        self._materialise(record, now)
        record.inactive_timeout = minutes or None
        record.idle_since = now

    def force_state(self, record: EndpointRecord, state: str, now: float) -> None:
        record.plan = [(now, state)]
        record.idle_since = now

    def touch(self, record: EndpointRecord, now: float) -> None:
        self._materialise(record, now)
        record.idle_since = now

    def delete(self, record: EndpointRecord) -> None:
        self._records.pop(record.id, None)
        self._by_name.pop(record.name, None)

    def filtered(self, *, type_: str | None, mine: bool | None, usage_type: str | None) -> Iterable[EndpointRecord]:
        for record in self._records.values():
            if type_ is not None and record.type != type_:
                continue
            if mine and record.owner != self.owner:
                continue
            # Usage type (on-demand/reserved) is a property of dedicated endpoints; serverless
            # ones have none and drop out of a usage_type filter (UNVERIFIED).
            if usage_type is not None and record.usage_type != usage_type:
                continue
            yield record
