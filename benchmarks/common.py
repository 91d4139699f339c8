"""What every benchmark shares: the simulator in its own process, the app's environment, and figures.

Each benchmark prints its own table for people and one ``FIGURE {json}`` line per figure for ``run.py``,
which gathers them into one table: figure, ours, baseline, ratio, target, pass/fail.
"""

from __future__ import annotations

import json
import math
import multiprocessing
import os
import statistics
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

FIGURE_PREFIX = "FIGURE "


@dataclass
class Figure:
    """One measured figure beside its baseline from the same run, and the target it is held to."""

    name: str
    ours: float
    unit: str
    baseline: float | None = None
    #: ``ratio`` compares ours / baseline with ``limit``; ``max`` compares ours itself; ``info`` judges nothing.
    kind: str = "ratio"
    limit: float | None = None
    note: str = ""

    @property
    def ratio(self) -> float | None:
        if self.baseline is None or not self.baseline or math.isnan(self.ours):
            return None
        return self.ours / self.baseline

    @property
    def passed(self) -> bool | None:
        if self.kind == "info" or self.limit is None or math.isnan(self.ours):
            return None
        value = self.ratio if self.kind == "ratio" else self.ours
        return None if value is None else value <= self.limit

    @property
    def target(self) -> str:
        if self.kind == "info" or self.limit is None:
            return ""
        if self.kind == "ratio":
            return f"<= {self.limit:g}x"
        return f"<= {self.limit:g} {self.unit}"

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def emit(figure: Figure) -> Figure:
    print(FIGURE_PREFIX + json.dumps(figure.to_json()), flush=True)
    return figure


def median(values: Sequence[float]) -> float:
    return statistics.median(values) if values else math.nan


def percentile(values: Sequence[float], share: float) -> float:
    """The nearest-rank percentile (p99 of 100 samples is the 99th smallest)."""
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = max(1, math.ceil(share * len(ordered)))
    return ordered[rank - 1]


# The simulator, in its own process so its CPU and its GIL are not the app's.


@dataclass
class SimOptions:
    endpoints: int | None = None
    speed: float = math.inf
    tokens_per_second: float = 0.0
    seed: int = 0
    legacy_v1: bool = True
    v2_endpoints: int = 0
    v2_deployments: int = 3
    extra: dict[str, Any] = field(default_factory=dict)


def _serve(options: SimOptions, ready: Any, stop: Any) -> None:
    from tui.simulator import Simulator, SimulatorConfig, SimulatorServer

    sim = Simulator(SimulatorConfig(speed=options.speed, seed=options.seed, endpoints=options.endpoints,
                                    tokens_per_second=options.tokens_per_second, legacy_v1=options.legacy_v1,
                                    **options.extra))
    if options.v2_endpoints:
        from tui.simulator.v2_bulk import seed_many

        seed_many(sim.v2, sim.now(), options.v2_endpoints, options.v2_deployments)
    server = SimulatorServer(sim).start()
    ready.put((server.base_url, server.root_url))
    stop.wait()
    server.stop()


class SimProcess:
    """A simulator served from another process; its admin API (``/_sim``) reads and steers it."""

    def __init__(self, options: SimOptions) -> None:
        context = multiprocessing.get_context("spawn")
        self._ready = context.Queue()
        self._stop = context.Event()
        self._process = context.Process(target=_serve, args=(options, self._ready, self._stop), daemon=True)
        self.base_url = self.root_url = ""

    def __enter__(self) -> SimProcess:
        self._process.start()
        self.base_url, self.root_url = self._ready.get(timeout=120)
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stop.set()
        self._process.join(timeout=10)
        if self._process.is_alive():
            self._process.kill()

    def _client(self) -> Any:
        import httpx

        from tui.simulator import DEMO_API_KEY

        return httpx.Client(base_url=self.root_url, headers={"Authorization": f"Bearer {DEMO_API_KEY}"},
                            timeout=60)

    def requests(self) -> list[dict[str, Any]]:
        with self._client() as client:
            return list(client.get("/_sim/requests").json())

    def clear_requests(self) -> None:
        with self._client() as client:
            client.delete("/_sim/requests")

    def v1_endpoints(self, *, details: bool = False) -> list[dict[str, Any]]:
        """The dedicated v1 endpoints as listed, or with ``details`` as each one's GET shows it."""
        with self._client() as client:
            listed = list(client.get("/v1/endpoints", params={"type": "dedicated"}).json()["data"])
            if not details:
                return listed
        from concurrent.futures import ThreadPoolExecutor

        def detail(endpoint: dict[str, Any]) -> dict[str, Any]:
            with self._client() as one:
                return dict(one.get(f"/v1/endpoints/{endpoint['id']}").json())

        with ThreadPoolExecutor(8) as pool:
            return list(pool.map(detail, listed))

    def set_states(self, changes: dict[str, str]) -> None:
        with self._client() as client:
            for endpoint_id, state in changes.items():
                client.put(f"/_sim/endpoints/{endpoint_id}/state", json={"state": state}).raise_for_status()


def app_env(sim: SimProcess, home: str, *, v2: bool = False, **extra: str) -> dict[str, str]:
    """The environment the app runs in: the simulator's key and URL, a fresh home, no keyring."""
    config = Path(home) / "config"
    settings = Path(home) / "settings.toml"
    settings.write_text('[profiles.default]\ntogether_api = "v2"\n' if v2 else "")
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": home,
        "XDG_CONFIG_HOME": str(config),
        "XDG_DATA_HOME": str(Path(home) / "data"),
        "XDG_CACHE_HOME": str(Path(home) / "cache"),
        "XDG_STATE_HOME": str(Path(home) / "state"),
        "TOGETHER_TUI_CONFIG": str(settings),
        "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring",
        "PYTHONPATH": str(ROOT),
        "LANG": "C.UTF-8",
        "TOGETHER_API_KEY": "sim-demo-key",
        "TOGETHER_BASE_URL": sim.base_url,
        "TOGETHER_INFERENCE_URL": sim.root_url,
    }
    env.update(extra)
    return env


def temp_home() -> tempfile.TemporaryDirectory[str]:
    return tempfile.TemporaryDirectory(prefix="bench-home-")
