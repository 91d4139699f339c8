"""Requests per minute the app sends while it watches endpoints, in steady state and during transitions.

The real app runs headless with its default intervals against a simulator on loopback; the simulator
counts every request. Compared with the official CLI's ``--wait``, which polls ``GET /endpoints/{id}`` once a
second (60 requests a minute for each endpoint waited on) and never stops on ERROR.

    python benchmarks/requests_per_minute.py [--seconds 30]
"""

from __future__ import annotations

import argparse
import asyncio
import math
import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tui.api.together import TogetherClient, TogetherV1Provider
from tui.app.app import TogetherApp
from tui.app.config import AppConfig
from tui.simulator import DEMO_API_KEY, Simulator, SimulatorConfig, SimulatorServer

CLI_WAIT_PER_MINUTE = 60


async def watch(speed: float, seconds: float) -> tuple[float, Counter[str]]:
    """Requests per minute after the first load, and what they were."""
    sim = Simulator(SimulatorConfig(api_key=DEMO_API_KEY, speed=speed, seed=0))
    server = SimulatorServer(sim).start()
    try:
        provider = TogetherV1Provider(TogetherClient(DEMO_API_KEY, server.base_url))
        app = TogetherApp(provider, AppConfig(base_url=server.base_url, demo=True, remember_theme=False))
        async with app.run_test(size=(120, 36)) as pilot:
            # The first load (list, hardware prices, one detail per endpoint) is not steady state.
            await asyncio.sleep(3.0)
            await pilot.pause()
            sim.clear_request_log()
            await asyncio.sleep(seconds)
            records = list(sim.request_log)
        kinds = Counter(f"{r.method} {r.path if r.path == '/v1/endpoints' else r.path.rsplit('/', 1)[0] + '/…'}"
                        for r in records)
        return len(records) * 60.0 / seconds, kinds
    finally:
        server.stop()


async def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=30.0)
    args = parser.parse_args()
    # speed=inf: every seeded transition is over at once, so all endpoints are steady.
    steady, steady_kinds = await watch(math.inf, args.seconds)
    # speed=1: the seeded PENDING/STARTING endpoints stay in transition for minutes.
    busy, busy_kinds = await watch(1.0, args.seconds)
    print(f"requests per minute, measured over {args.seconds:.0f} s each (default intervals: 10 s steady, 2 s busy)")
    print(f"  steady (all endpoints settled)           {steady:6.1f}   {dict(steady_kinds)}")
    print(f"  during transitions (2 endpoints moving)  {busy:6.1f}   {dict(busy_kinds)}")
    print(f"  official CLI --wait, per endpoint waited {CLI_WAIT_PER_MINUTE:6.1f}   (GET /endpoints/{{id}} every 1 s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(asyncio.run(main()))
