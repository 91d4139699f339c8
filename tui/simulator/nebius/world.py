"""Simulated Nebius dedicated endpoints and their two-axis state (lifecycle x readiness).

As in the Together simulator (``tui.simulator.world``), nothing runs in the background: each endpoint
holds a *plan*, a list of ``(time, lifecycle, ready_replicas)`` steps decided when something happened,
and a read looks up the step in force at the clock's time. A ManualClock therefore drives every
transition exactly; ``speed`` divides every duration (``math.inf``: instant).

Lifecycle, at speed 1 (the reference documents the words, not the timings: UNVERIFIED):

* enable (create, or ``enabled: true``): ``starting`` with 0 ready for 240 s of provisioning, then one
  replica ready every 60 s (``starting`` and partially ready while some are), ``running`` once
  ``min_replicas`` are ready. On a GPU type short of capacity in that region: ``error`` after
  provisioning, not ready (the docs' "deployment failure").
* disable (``enabled: false``): ``stopping`` for 30 s, half the replicas gone halfway, then ``stopped``
  with 0 ready.
* a GPU change while enabled: ``updating`` for 120 s with the replicas it had, then ``running``; a larger
  ``min_replicas`` while enabled: ``updating`` while the extra replicas come up; a smaller one takes
  effect at once. Changes while disabled are stored for the next start.

Readiness words (UNVERIFIED literals): ``not_ready`` (0 ready), ``partially_ready`` (some, fewer than
``min_replicas``), ``ready``. Replicas never autoscale above the minimum here (no traffic model).
"""

from __future__ import annotations

import random
import threading
from dataclasses import dataclass, field
from typing import Any

from tui.simulator.nebius.catalogue import CAPACITY_SHORT, TEMPLATES
from tui.simulator.world import iso8601

STARTING = "starting"
RUNNING = "running"
UPDATING = "updating"
STOPPING = "stopping"
STOPPED = "stopped"
ERROR = "error"


@dataclass(frozen=True)
class Timings:
    provisioning: float = 240.0
    per_replica: float = 60.0
    stopping: float = 30.0
    updating: float = 120.0

    def scaled(self, speed: float) -> Timings:
        return Timings(
            self.provisioning / speed, self.per_replica / speed, self.stopping / speed, self.updating / speed
        )


Step = tuple[float, str, int]


def readiness(ready: int, minimum: int, lifecycle: str) -> str:
    if ready <= 0:
        return "not_ready"
    # A draining endpoint still serves, but is on its way out (the docs' "Stopping / Partially ready").
    return "ready" if ready >= minimum and lifecycle != STOPPING else "partially_ready"


@dataclass
class Record:
    id: str
    routing_key: str
    name: str
    description: str | None
    model_name: str
    flavor_name: str
    gpu_type: str
    gpu_count: int
    region: str
    min_replicas: int
    max_replicas: int
    enabled: bool
    created_at: float
    custom_weights_id: str | None = None
    plan: list[Step] = field(default_factory=list)

    def at(self, now: float) -> tuple[str, int]:
        lifecycle, ready = self.plan[0][1], self.plan[0][2]
        for start, step_lifecycle, step_ready in self.plan:
            if start > now:
                break
            lifecycle, ready = step_lifecycle, step_ready
        return lifecycle, ready

    def routable(self, now: float) -> bool:
        lifecycle, ready = self.at(now)
        return ready > 0 and lifecycle not in (STOPPED, ERROR)

    def to_json(self, now: float) -> dict[str, Any]:
        """A ``DedicatedEndpoint``: provisional (docs-derived, unverified against live API)."""
        lifecycle, ready = self.at(now)
        return {
            "id": self.id,
            "name": self.name,
            "description": self.description,
            "enabled": self.enabled,
            "routing_key": self.routing_key,
            "model_name": self.model_name,
            "flavor_name": self.flavor_name,
            "region": self.region,
            "gpu_type": self.gpu_type,
            "gpu_count": self.gpu_count,
            "custom_weights_id": self.custom_weights_id,
            "scaling": {"min_replicas": self.min_replicas, "max_replicas": self.max_replicas},
            "deployment": {
                "status": lifecycle,
                "readiness": readiness(ready, self.min_replicas, lifecycle),
                "ready_replicas": ready,
            },
            "created_at": iso8601(self.created_at),
        }


class NebiusWorld:
    def __init__(self, *, seed: int, speed: float, now: float, endpoints: int | None) -> None:
        self.lock = threading.RLock()
        self.timings = Timings().scaled(speed)
        self._rng = random.Random(f"nebius:{seed}")
        self._records: dict[str, Record] = {}
        if endpoints is None:
            self._seed_demo(now)
        else:
            self._seed_generated(now, endpoints)

    # Reading

    def records(self) -> list[Record]:
        return list(self._records.values())

    def get(self, endpoint_id: str) -> Record | None:
        return self._records.get(endpoint_id)

    def by_routing_key(self, key: str) -> Record | None:
        return next((r for r in self._records.values() if r.routing_key == key), None)

    # Changing

    def create(self, fields: dict[str, Any], now: float) -> Record:
        scaling = fields["scaling"]
        record = Record(
            id=self._new_id(),
            routing_key="",
            name=fields["name"],
            description=fields.get("description"),
            model_name=fields["model_name"],
            flavor_name=fields["flavor_name"],
            gpu_type=fields["gpu_type"],
            gpu_count=fields["gpu_count"],
            region=fields["region"],
            min_replicas=scaling["min_replicas"],
            max_replicas=scaling["max_replicas"],
            enabled=fields.get("enabled", True) is not False,
            created_at=now,
            custom_weights_id=fields.get("custom_weights_id"),
        )
        record.routing_key = self._routing_key(record.model_name)
        record.plan = self._enable_plan(record, now, 0) if record.enabled else [(now, STOPPED, 0)]
        self._records[record.id] = record
        return record

    def update(self, record: Record, fields: dict[str, Any], now: float) -> None:
        """Apply a checked PATCH body: only the fields it holds."""
        lifecycle, ready = record.at(now)
        hardware_changed = any(
            name in fields and fields[name] != getattr(record, name) for name in ("gpu_type", "gpu_count")
        )
        old_min = record.min_replicas
        for name in ("name", "description", "gpu_type", "gpu_count"):
            if name in fields:
                setattr(record, name, fields[name])
        if "custom_weights_id" in fields:
            value = fields["custom_weights_id"]
            record.custom_weights_id = None if value == "UNSET" else value
        if "scaling" in fields:
            record.min_replicas = fields["scaling"]["min_replicas"]
            record.max_replicas = fields["scaling"]["max_replicas"]
        enabled = fields.get("enabled", record.enabled)
        if enabled != record.enabled:
            record.enabled = enabled
            record.plan = self._enable_plan(record, now, ready) if enabled else self._stop_plan(now, ready)
            return
        if not record.enabled or lifecycle in (STOPPING, STOPPED):
            return
        if hardware_changed:
            done = now + self.timings.updating
            record.plan = [(now, UPDATING, ready), (done, RUNNING, record.min_replicas)]
        elif record.min_replicas > old_min and lifecycle != ERROR:
            record.plan = self._grow_plan(record, now + self.timings.per_replica, ready, UPDATING, began=now)
        elif record.min_replicas < old_min and lifecycle == RUNNING:
            record.plan = [(now, RUNNING, min(ready, record.min_replicas))]

    def delete(self, endpoint_id: str) -> bool:
        return self._records.pop(endpoint_id, None) is not None

    # Plans

    def _enable_plan(self, record: Record, now: float, ready: int) -> list[Step]:
        if (record.gpu_type, record.region) in CAPACITY_SHORT:
            return [(now, STARTING, 0), (now + self.timings.provisioning, ERROR, 0)]
        return self._grow_plan(record, now + self.timings.provisioning, ready, STARTING, began=now)

    def _grow_plan(self, record: Record, first: float, ready: int, lifecycle: str, *, began: float) -> list[Step]:
        """``lifecycle`` from ``began``, replicas coming up one by one from ``first``, then ``running``."""
        steps: list[Step] = [(began, lifecycle, ready)]
        at = first
        for count in range(ready + 1, record.min_replicas):
            steps.append((at, lifecycle, count))
            at += self.timings.per_replica
        steps.append((at, RUNNING, max(record.min_replicas, ready)))
        return steps

    def _stop_plan(self, now: float, ready: int) -> list[Step]:
        steps: list[Step] = [(now, STOPPING, ready)]
        if ready > 1:
            steps.append((now + self.timings.stopping / 2, STOPPING, ready // 2))
        steps.append((now + self.timings.stopping, STOPPED, 0))
        return steps

    # Ids and seeds

    def _new_id(self) -> str:
        return f"ep-{self._rng.getrandbits(48):012x}"

    def _routing_key(self, model: str) -> str:
        # The real format is UNVERIFIED (no example found): opaque, unique, not the model name.
        return f"{model.rpartition('/')[2].lower()}-{self._rng.getrandbits(32):08x}"

    def _seed_demo(self, now: float) -> None:
        hour = 3600.0
        seeds = (
            ("support-bot", "openai/gpt-oss-120b", "base", "gpu-h100-sxm", 1, "eu-north1", (1, 2), True, 30 * hour),
            ("batch-summaries", "openai/gpt-oss-20b", "base", "gpu-h100-sxm", 1, "eu-west1", (1, 1), False, 80 * hour),
            ("deepseek-eval", "deepseek-ai/DeepSeek-V3.1", "base", "gpu-h200-sxm", 8, "us-central1", (2, 2), True, 0),
        )
        for name, model, flavor, gpu, count, region, (low, high), enabled, age in seeds:
            record = self.create(
                {
                    "name": name, "model_name": model, "flavor_name": flavor, "gpu_type": gpu, "gpu_count": count,
                    "region": region, "scaling": {"min_replicas": low, "max_replicas": high}, "enabled": enabled,
                },
                now - age,
            )
            if age:
                # Long since settled: the history before the simulator started does not matter.
                record.plan = [(now - age, RUNNING if enabled else STOPPED, low if enabled else 0)]
            else:
                record.plan = self._enable_plan(record, now, 0)

    def _seed_generated(self, now: float, count: int) -> None:
        combos = [
            (t.name, flavor, h) for t in TEMPLATES for flavor, hardware in t.flavors.items() for h in hardware
        ]
        for index in range(count):
            model, flavor, hardware = combos[index % len(combos)]
            enabled = index % 3 != 1
            record = self.create(
                {
                    "name": f"endpoint-{index:04d}", "model_name": model, "flavor_name": flavor,
                    "gpu_type": hardware.gpu_type, "gpu_count": hardware.gpu_count,
                    "region": hardware.regions[index % len(hardware.regions)],
                    "scaling": {"min_replicas": 1, "max_replicas": 1 + index % 3}, "enabled": enabled,
                },
                now - 3600.0 * (index + 1),
            )
            record.plan = [(record.created_at, RUNNING if enabled else STOPPED, 1 if enabled else 0)]
