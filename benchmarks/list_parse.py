"""The API layer alone: one list of N endpoints, how long it takes and how long it holds the event loop.

    python benchmarks/list_parse.py [--sizes 1000,5000] [--v2 1000x3] [--repeats 5]

``TogetherV1Provider.list_endpoints`` (v1, N endpoints) and ``TogetherV2Provider.list_endpoints`` (v2, N
endpoints of D deployments each, every page; the catalogue read once before, as after the first poll), each
first (a new provider: what the first poll costs) and steady (one provider listing again: both reuse the
items whose JSON did not change since their previous list)
against the simulator in another process (HTTP on loopback, JSON, validation, domain objects), with the
loop-lag probe of ``probed_app.py`` (a 1 ms callback) running beside it; the baseline is the longest gap
over as long an idle wait right after (what the machine's load alone costs), and ``json.loads`` of the same
body (v2: every page) in one call each is shown as what any parse done at once holds the loop for. No UI:
this is the part of a refresh that ``accounts.py`` reports as "list read" to "parsed".
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time
from typing import Any

from common import Figure, SimOptions, SimProcess, emit, median

TICK = 0.001


def _v1(base_url: str) -> Any:
    from tui.api.together import TogetherClient, TogetherV1Provider
    from tui.simulator import DEMO_API_KEY

    return TogetherV1Provider(TogetherClient(DEMO_API_KEY, base_url))


def _v2(base_url: str) -> Any:
    from tui.api.http import ApiSession
    from tui.api.together import TogetherClient
    from tui.api.together.v2 import TogetherV2Client, TogetherV2Provider
    from tui.simulator import DEMO_API_KEY

    client = TogetherV2Client(ApiSession(DEMO_API_KEY, base_url), environ={})
    return TogetherV2Provider(client, TogetherClient(DEMO_API_KEY, base_url))


async def _bodies(base_url: str, v2: bool) -> list[bytes]:
    """The raw list as the provider reads it: v1's one body, or every v2 page."""
    import httpx

    from tui.api.together.v2.client import RESOURCE_PAGE_SIZE, management_root
    from tui.simulator import DEMO_API_KEY

    async with httpx.AsyncClient(headers={"Authorization": f"Bearer {DEMO_API_KEY}"}, timeout=120) as raw:
        if not v2:
            return [(await raw.get(f"{base_url}/endpoints", params={"type": "dedicated"})).content]
        root = management_root(base_url)
        project = (await raw.get(f"{root}/v3/whoami")).json()["project"]["id"]
        bodies, cursor = [], None
        while True:
            params = {"limit": str(RESOURCE_PAGE_SIZE), **({"after": cursor} if cursor else {})}
            response = await raw.get(f"{root}/v2/projects/{project}/endpoints", params=params)
            bodies.append(response.content)
            cursor = response.json().get("next_cursor")
            if not cursor:
                return bodies


async def measure(base_url: str, repeats: int, v2: bool = False, *, first: bool = False) -> tuple[list[float], ...]:
    """``first``: a new provider for each list (what the first poll costs); otherwise one provider listing
    again and again, the steady poll (v2 reuses what did not change since the previous list)."""
    make = _v2 if v2 else _v1
    providers = [make(base_url)]
    if v2:
        await providers[0].catalogue()
    if not first:
        await providers[0].list_endpoints()
    loop = asyncio.get_running_loop()
    gaps: list[float] = []
    cpu_gaps: list[float] = []
    last, last_cpu = time.monotonic(), time.thread_time()

    def tick() -> None:
        # Wall: how long nothing else could run. CPU: how much work ran without yielding, whatever the
        # machine's load (on a loaded machine the wall gap also holds the time the scheduler gave others).
        nonlocal last, last_cpu
        now, cpu = time.monotonic(), time.thread_time()
        gaps.append(now - last - TICK)
        cpu_gaps.append(cpu - last_cpu)
        last, last_cpu = now, cpu
        handle[0] = loop.call_later(TICK, tick)

    handle = [loop.call_later(TICK, tick)]
    blocks, totals, floors, idles, cpus, cpu_blocks = [], [], [], [], [], []
    try:
        bodies = await _bodies(base_url, v2)
        for repeat in range(repeats):
            if first and repeat:
                providers.append(make(base_url))
                if v2:
                    await providers[-1].catalogue()
            await asyncio.sleep(0.05)
            gaps.clear()
            cpu_gaps.clear()
            started, cpu = time.perf_counter(), time.process_time()
            await providers[-1].list_endpoints()
            totals.append(time.perf_counter() - started)
            cpus.append(time.process_time() - cpu)
            await asyncio.sleep(0.005)
            blocks.append(max(gaps, default=0.0))
            cpu_blocks.append(max(cpu_gaps, default=0.0))
            # The floor on this machine now: the longest gap over as long a time with nothing to do.
            gaps.clear()
            await asyncio.sleep(max(totals[-1], 0.05))
            idles.append(max(gaps, default=0.0))
            longest = 0.0
            for body in bodies:
                started = time.perf_counter()
                json.loads(body)
                longest = max(longest, time.perf_counter() - started)
            floors.append(longest)
    finally:
        handle[0].cancel()
        for provider in providers:
            await provider.aclose()
    return blocks, totals, floors, idles, cpus, cpu_blocks


def _report(label: str, limit: float, figures: tuple[list[float], ...]) -> None:
    blocks, totals, floors, idles, cpus, cpu_blocks = figures
    print(f"  {label:<28} {'':22} {median(blocks) * 1000:9.1f} {median(cpu_blocks) * 1000:9.1f} "
          f"{median(idles) * 1000:10.1f} "
          f"{median(totals) * 1000:7.1f} {median(cpus) * 1000:7.1f} {median(floors) * 1000:10.1f}")
    emit(Figure(f"{label}: longest loop hold in the API layer", median(blocks) * 1000, "ms",
                median(idles) * 1000, kind="max", limit=limit,
                note=f"{median(cpus) * 1000:.0f} ms CPU; json.loads at once {median(floors) * 1000:.0f} ms; "
                     "baseline: idle floor"))
    emit(Figure(f"{label}: longest loop hold in the API layer, CPU", median(cpu_blocks) * 1000,
                "ms", kind="max", limit=limit,
                note="CPU time run without yielding: the machine's load left out"))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,5000", help="v1 accounts (endpoints); empty for none")
    parser.add_argument("--v2", default="1000x3", help="v2 accounts (endpoints x deployments); empty for none")
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    print(f"list_endpoints, median of {args.repeats} (ms) {'':19} {'loop held':>9} {'held CPU':>9} "
          f"{'idle floor':>10} {'total':>7} {'CPU':>7} {'json.loads':>10}")
    for size in (int(s) for s in args.sizes.split(",") if s):
        limit = 10.0 if size <= 1000 else 16.0
        with SimProcess(SimOptions(endpoints=size, legacy_v1=True, seed=1)) as sim:
            _report(f"v1 list of {size:,}", limit, asyncio.run(measure(sim.base_url, args.repeats, first=True)))
            _report(f"v1 list of {size:,}, steady", limit, asyncio.run(measure(sim.base_url, args.repeats)))
    for shape in (s for s in args.v2.split(",") if s):
        size, _, deployments = shape.partition("x")
        options = SimOptions(endpoints=0, legacy_v1=False, seed=1, v2_endpoints=int(size),
                             v2_deployments=int(deployments or 3))
        label, limit = f"v2 list of {int(size):,}x{options.v2_deployments}", 10.0 if int(size) <= 1000 else 16.0
        with SimProcess(options) as sim:
            _report(f"{label}, first", limit, asyncio.run(measure(sim.base_url, args.repeats, v2=True, first=True)))
            _report(f"{label}, steady", limit, asyncio.run(measure(sim.base_url, args.repeats, v2=True)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
