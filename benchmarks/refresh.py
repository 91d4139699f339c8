"""What one refresh of the Endpoints pane costs, with 10 to 5,000 endpoints.

    .venv/bin/python benchmarks/refresh.py [--sizes 10,100,1000,5000] [--repeats 5] [--changed 0.05]

For each size the real app runs headless (120x36) against a local simulator seeded with that many
endpoints. After the first load (details included), each round forces a share of the endpoints into
another state, then measures, as medians:

* poll: the one list request (HTTP on loopback, JSON parsing, domain objects);
* diff: the table update the pane does: add new rows, drop gone ones, rewrite only the changed
  cells, re-sort only when the sort column changed; then the idle pass and screen render;
* refill: the naive alternative on the same rows (clear the DataTable, add every row, sort), then
  the same idle pass and render; it also loses the cursor and the scroll position;
* pane update: everything the pane does with a new list (merge cached details, build rows, diff,
  status line, burn rate, waits) and the render;
* end to end: ``refresh_now()`` until its worker is done (list, update, and the detail requests for
  the rows whose state changed), then the render.

``idle`` is the cost of the idle pass and render alone (nothing changed), included in the others.
"""

from __future__ import annotations

import argparse
import asyncio
import math
import random
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tui.api.together import TogetherClient, TogetherV1Provider
from tui.app.app import TogetherApp
from tui.app.config import AppConfig
from tui.app.widgets.endpoint_table import EndpointTable, RowView, SyncReport
from tui.simulator import DEMO_API_KEY, ManualClock, Simulator, SimulatorConfig, SimulatorServer

EPOCH = 1768478400.0
NOW = datetime.fromtimestamp(EPOCH, UTC)


def ms(values: list[float]) -> str:
    return f"{statistics.median(values) * 1000:9.1f}"


async def measure(size: int, repeats: int, changed: float) -> dict[str, list[float]]:
    sim = Simulator(
        SimulatorConfig(api_key=DEMO_API_KEY, speed=math.inf, seed=1, endpoints=size, tokens_per_second=0,
                        clock=ManualClock(EPOCH))
    )
    server = SimulatorServer(sim).start()
    provider = TogetherV1Provider(TogetherClient(DEMO_API_KEY, server.base_url))
    config = AppConfig(base_url=server.base_url, demo=True, refresh_interval=3600.0, fast_refresh_interval=3600.0,
                       clock=lambda: NOW)
    app = TogetherApp(provider, config)
    app.animation_level = "none"
    rng = random.Random(size)
    results: dict[str, list[float]] = {
        key: [] for key in ("poll", "table diff", "clear+refill", "pane update", "end to end", "idle")
    }
    try:
        async with app.run_test(size=(120, 36)) as pilot:
            await app.workers.wait_for_complete()
            await pilot.pause()
            pane = app.endpoints_pane
            table = app.query_one(EndpointTable)
            assert table.row_count == size, (table.row_count, size)
            ids = sim.endpoint_ids()
            table.select(ids[len(ids) // 2])

            def shuffle_states() -> None:
                for endpoint_id in rng.sample(ids, max(1, int(len(ids) * changed))):
                    current = sim.endpoint(endpoint_id)
                    sim.set_state(endpoint_id, "STOPPED" if current and current["state"] == "STARTED" else "STARTED")

            def rows_for(listed: list[Any]) -> list[RowView]:
                """The rows the pane would hand the table for this list, without touching the table."""
                captured: list[list[RowView]] = []
                table.sync = lambda rows: captured.append(list(rows)) or SyncReport()  # type: ignore[method-assign]
                try:
                    pane._apply_list(listed)
                finally:
                    del table.sync
                return captured[-1]

            for _ in range(repeats):
                started = time.perf_counter()
                await pilot.pause()
                results["idle"].append(time.perf_counter() - started)

                shuffle_states()
                started = time.perf_counter()
                listed = await provider.list_endpoints()
                results["poll"].append(time.perf_counter() - started)
                rows = rows_for(listed)
                await pilot.pause()
                started = time.perf_counter()
                table.sync(rows)
                await pilot.pause()
                results["table diff"].append(time.perf_counter() - started)

                shuffle_states()
                rows = rows_for(await provider.list_endpoints())
                await pilot.pause()
                columns = table.column_keys
                started = time.perf_counter()
                table.clear()
                for view in rows:
                    table.add_row(*(view.cells[column] for column in columns), key=view.key)
                table.sort("name", key=lambda cell: cell.plain.lower())
                await pilot.pause()
                results["clear+refill"].append(time.perf_counter() - started)
                table._views = {view.key: view for view in rows}  # keep the benchmark's table consistent

                shuffle_states()
                listed = await provider.list_endpoints()
                started = time.perf_counter()
                pane._apply_list(listed)
                await pilot.pause()
                results["pane update"].append(time.perf_counter() - started)

                shuffle_states()
                started = time.perf_counter()
                pane.refresh_now()
                await app.workers.wait_for_complete()
                await pilot.pause()
                results["end to end"].append(time.perf_counter() - started)
    finally:
        server.stop()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="10,100,1000,5000")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--changed", type=float, default=0.05, help="share of endpoints changing state per round")
    args = parser.parse_args()
    sizes = [int(size) for size in args.sizes.split(",")]
    print(f"One refresh of the Endpoints pane, median of {args.repeats} rounds, "
          f"{args.changed:.0%} of endpoints changing state per round (milliseconds)")
    print(f"{'endpoints':>9} {'poll':>9} {'diff':>9} {'refill':>9} {'poll+diff':>9} {'poll+refill':>11} "
          f"{'x faster':>8} {'pane upd':>9} {'end2end':>9} {'idle':>9}")
    for size in sizes:
        r = asyncio.run(measure(size, args.repeats, args.changed))
        poll, diff, refill = (statistics.median(r[k]) for k in ("poll", "table diff", "clear+refill"))
        print(f"{size:>9} {ms(r['poll'])} {ms(r['table diff'])} {ms(r['clear+refill'])} "
              f"{(poll + diff) * 1000:9.1f} {(poll + refill) * 1000:11.1f} {refill / diff:8.1f} "
              f"{ms(r['pane update'])} {ms(r['end to end'])} {ms(r['idle'])}")

if __name__ == "__main__":
    main()
