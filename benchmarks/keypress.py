"""Key-press latency in the Endpoints pane with 1,000 endpoints, idle and while it refreshes non-stop.

Each sample is one ``down`` key through Textual's Pilot, until the app is idle again (cursor moved,
detail panel redrawn). Pilot adds its own settling wait, the same in both columns, so compare the two.

    python benchmarks/keypress.py [--endpoints 1000] [--presses 40]
"""

from __future__ import annotations

import argparse
import asyncio
import math
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tui.api.together import TogetherClient, TogetherV1Provider
from tui.app.app import TogetherApp
from tui.app.config import AppConfig
from tui.simulator import DEMO_API_KEY, Simulator, SimulatorConfig, SimulatorServer


async def presses(endpoints: int, count: int, *, refreshing: bool) -> list[float]:
    sim = Simulator(SimulatorConfig(speed=math.inf, seed=0, endpoints=endpoints, tokens_per_second=0))
    server = SimulatorServer(sim).start()
    try:
        provider = TogetherV1Provider(TogetherClient(DEMO_API_KEY, server.base_url))
        # Refreshing: a poll every 0.5 s (the fastest the settings allow), so presses land mid-refresh.
        interval = 0.5 if refreshing else 3600.0
        config = AppConfig(base_url=server.base_url, demo=True, refresh_interval=max(interval, 1.0),
                           fast_refresh_interval=interval, remember_theme=False)
        app = TogetherApp(provider, config)
        app.animation_level = "none"
        async with app.run_test(size=(120, 36), notifications=False) as pilot:
            await asyncio.sleep(2.0)
            await pilot.pause()
            if refreshing:
                # Keep one endpoint changing so the pane stays on its fast interval.
                sim.set_state(sim.endpoint_ids()[0], "STARTING")
                app.endpoints_pane.refresh_now()
                await asyncio.sleep(1.0)
            samples = []
            for _ in range(count):
                started = time.perf_counter()
                await pilot.press("down")
                samples.append(time.perf_counter() - started)
            requests = len(sim.requests("GET", "/v1/endpoints"))
        print(f"    ({'refreshing' if refreshing else 'idle'}: {requests} list requests during the run)",
              file=sys.stderr)
        return samples
    finally:
        server.stop()


async def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--endpoints", type=int, default=1000)
    parser.add_argument("--presses", type=int, default=40)
    args = parser.parse_args()
    idle = await presses(args.endpoints, args.presses, refreshing=False)
    busy = await presses(args.endpoints, args.presses, refreshing=True)
    print(f"key press (down) with {args.endpoints} endpoints, ms          median     p90     max")
    for label, samples in (("idle", idle), ("refreshing every 0.5 s", busy)):
        ordered = sorted(samples)
        p90 = ordered[int(len(ordered) * 0.9) - 1]
        print(f"  {label:46} {statistics.median(samples) * 1000:7.1f} {p90 * 1000:7.1f} {max(samples) * 1000:7.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(asyncio.run(main()))
