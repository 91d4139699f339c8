"""The API layer alone: one v1 list of N endpoints, how long it takes and how long it holds the event loop.

    python benchmarks/list_parse.py [--sizes 1000,5000] [--repeats 5]

``TogetherV1Provider.list_endpoints`` against the simulator in another process (HTTP on loopback, JSON,
validation, domain objects), with the loop-lag probe of ``probed_app.py`` (a 1 ms callback) running
beside it; the baseline is the longest gap over as long an idle wait right after (what the machine's
load alone costs), and ``json.loads`` of the same body in one call is shown as what any parse done at
once holds the loop for. No UI: this is the part of a refresh that ``accounts.py`` reports as
"list read" to "parsed".
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time

from common import Figure, SimOptions, SimProcess, emit, median

TICK = 0.001


async def measure(base_url: str, repeats: int) -> tuple[list[float], ...]:
    import httpx

    from tui.api.together import TogetherClient, TogetherV1Provider
    from tui.simulator import DEMO_API_KEY

    provider = TogetherV1Provider(TogetherClient(DEMO_API_KEY, base_url))
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
        async with httpx.AsyncClient(headers={"Authorization": f"Bearer {DEMO_API_KEY}"}) as raw:
            body = (await raw.get(f"{base_url}/endpoints", params={"type": "dedicated"})).content
        for _ in range(repeats):
            await asyncio.sleep(0.05)
            gaps.clear()
            cpu_gaps.clear()
            started, cpu = time.perf_counter(), time.process_time()
            await provider.list_endpoints()
            totals.append(time.perf_counter() - started)
            cpus.append(time.process_time() - cpu)
            await asyncio.sleep(0.005)
            blocks.append(max(gaps, default=0.0))
            cpu_blocks.append(max(cpu_gaps, default=0.0))
            # The floor on this machine now: the longest gap over as long a time with nothing to do.
            gaps.clear()
            await asyncio.sleep(max(totals[-1], 0.05))
            idles.append(max(gaps, default=0.0))
            started = time.perf_counter()
            json.loads(body)
            floors.append(time.perf_counter() - started)
    finally:
        handle[0].cancel()
        await provider.aclose()
    return blocks, totals, floors, idles, cpus, cpu_blocks


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,5000")
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    print(f"v1 list_endpoints, median of {args.repeats} (ms)   {'loop held':>9} {'held CPU':>9} {'idle floor':>10} "
          f"{'total':>7} {'CPU':>7} {'json.loads':>10}")
    for size in (int(s) for s in args.sizes.split(",")):
        with SimProcess(SimOptions(endpoints=size, legacy_v1=True, seed=1)) as sim:
            blocks, totals, floors, idles, cpus, cpu_blocks = asyncio.run(measure(sim.base_url, args.repeats))
        print(f"  {size:>6,} endpoints {'':22} {median(blocks) * 1000:9.1f} {median(cpu_blocks) * 1000:9.1f} "
              f"{median(idles) * 1000:10.1f} "
              f"{median(totals) * 1000:7.1f} {median(cpus) * 1000:7.1f} {median(floors) * 1000:10.1f}")
        emit(Figure(f"v1 list of {size:,}: longest loop hold in the API layer", median(blocks) * 1000, "ms",
                    median(idles) * 1000, kind="max", limit=10.0 if size <= 1000 else 16.0,
                    note=f"{median(cpus) * 1000:.0f} ms CPU; json.loads at once {median(floors) * 1000:.0f} ms; "
                         "baseline: idle floor"))
        emit(Figure(f"v1 list of {size:,}: longest loop hold in the API layer, CPU", median(cpu_blocks) * 1000,
                    "ms", kind="max", limit=10.0 if size <= 1000 else 16.0,
                    note="CPU time run without yielding: the machine's load left out"))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
