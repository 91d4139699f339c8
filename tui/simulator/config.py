"""Configuration of the simulator and its injectable clock."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from tui.simulator.faults import Faults

DEMO_API_KEY = "sim-demo-key"
"""The bearer key the simulator accepts by default.

It protects nothing: it only exists so that clients exercise their auth code path, and it is
printed by `together-tui simulate` on purpose.
"""

# 2026-01-01T00:00:00Z: a fixed default so that a ManualClock without a start time gives the
# same timestamps (and therefore the same created_at strings) on every run.
DEFAULT_MANUAL_EPOCH = 1_767_225_600.0


class ManualClock:
    """A clock that only moves when told to; callable like `time.time`.

    Shared between the test thread and uvicorn's thread, hence the lock.
    """

    def __init__(self, start: float = DEFAULT_MANUAL_EPOCH) -> None:
        self._now = float(start)
        self._lock = threading.Lock()

    def __call__(self) -> float:
        with self._lock:
            return self._now

    def advance(self, seconds: float) -> float:
        if seconds < 0:
            raise ValueError("a clock cannot go backwards")
        with self._lock:
            self._now += seconds
            return self._now

    def set(self, now: float) -> None:
        with self._lock:
            if now < self._now:
                raise ValueError("a clock cannot go backwards")
            self._now = float(now)


@dataclass
class SimulatorConfig:
    """Everything that makes one simulated Together account different from another.

    `speed` divides provisioning durations (PENDING, STARTING, STOPPING); `math.inf` makes
    them instant. It does not scale `inactive_timeout`, which is a user setting and is
    measured on the clock as given (use a ManualClock to exercise it quickly).

    `endpoints=None` seeds a small hand-made set; an integer seeds that many generated
    endpoints (0 gives an empty account).

    `force_length=True` makes every completion run until `max_tokens` (when the request sets
    it), for throughput benchmarks; a prompt containing `[sim:tokens=N]` does the same for a
    single request.

    `legacy_v1=False` (the default) is Together as it is today (reference together-v2-api.md §0):
    v1 create and restart answer 403 `endpoints_v1_create_access_disabled`, chat to a stopped v1
    endpoint answers 400 `dedicated_endpoint_not_running`, most models stream the current engine's
    shape, v1 prices are the observed ones (1x H100 9 cents/minute) with no A100 or L40S, and the
    default account has two legacy v1 endpoints beside its v2 ones. `legacy_v1=True` is the v1 API
    before the retirement, for the v1 contract tests and the app's v1 screens.

    `project_slug` names the v2 project (`<slug>/<endpoint>` is a v2 inference name).
    """

    api_key: str = DEMO_API_KEY
    speed: float = 1.0
    seed: int = 0
    endpoints: int | None = None
    tokens_per_second: float = 50.0
    clock: Callable[[], float] | None = None
    faults: Faults | None = None
    owner: str = "demo-user"
    force_length: bool = False
    legacy_v1: bool = False
    project_slug: str = "demo-project"

    def __post_init__(self) -> None:
        if not self.speed > 0:
            raise ValueError("speed must be > 0 (math.inf for instant transitions)")
        if self.tokens_per_second < 0:
            raise ValueError("tokens_per_second must be >= 0")
        if self.endpoints is not None and self.endpoints < 0:
            raise ValueError("endpoints must be >= 0 or None")

    def now(self) -> float:
        return (self.clock or time.time)()
