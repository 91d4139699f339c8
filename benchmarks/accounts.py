"""Large accounts and the UI loop: the real app in a pty, with instruments inside (``probed_app.py``).

    python benchmarks/accounts.py [--scenarios v1:1000,v1:5000,v2:1000x3,store:5000] [--rounds 3]

For each account (v1 with N generated endpoints; v2 with N endpoints of 3 deployments each, on the
simulator in another process) the app starts in a 120x36 pty read by pyte, and the benchmark measures:

* rows on screen: from the first list response read in full (the app's clock) to the first screen with
  the table title counting every endpoint and their states (the emulator's clock, the same monotonic
  clock);
* first load: when the first poll was over (its list applied: details are read after it, in a task of their
  own), requests made and details fetched, how long until every row had its details, whether the rows on
  the first screen had their details asked for first, and the longest loop block while details stream in;
* one refresh, ``--rounds`` times: 5% of the endpoints change state (v1; v2 refreshes what it has), the
  store polls (SIGUSR1, as its timer would), and the probe reports the longest stretch the event loop
  could not run a 1 ms callback, from the poll's start to 0.3 s after its end (drawing included), and
  the time spent in the panes' store listeners; the floor is the longest gap over an idle second;
* with ``BENCH_PROBE_SLOW=ms`` in the environment, the longest callbacks over that much CPU and where their
  time went (the probe samples the loop's stack: a diagnosis, not a figure); with ``BENCH_PROBE_SPANS`` or
  ``BENCH_PROBE_PROFILE`` beside it, named functions' CPU or a profile instead (``probed_app.py`` says how);
  with ``BENCH_PROBE_LAYOUTS=1``, every widget that asked for a layout of the screen in the first two seconds;
  ``BENCH_PROBE_LINES=N`` lines of it per callback (14);
* ``store:N``: the endpoint store alone, in this process, on an in-memory provider: its own longest callback
  (CPU) applying a list of N, while details stream in, and in a refresh (what the rest is made of);
* steady state: the requests one poll sends when nothing changed (pages included), against the list
  pages it needs; if the first load is still reading, its first reads of endpoints are left out (a read of
  an endpoint read before counts).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import re
import signal
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

from common import ROOT, Figure, SimOptions, SimProcess, app_env, emit, median, temp_home
from ptyscreen import PtyScreen

HERE = Path(__file__).resolve().parent
# v1 rows show the API's upper-case words; the v2 tree shows its states as words ("● Ready", "○ Stopped").
STATE = re.compile(
    r"\b(STARTED|STOPPED|READY|ERROR|FAILED|PENDING|STARTING|STOPPING|DEGRADED|DEPLOYME\w*"
    r"|Ready|Stopped|Provisioning|Scaling|Stopping|Degraded|Failed|Pending|Starting|Deploying)\b"
)
ID = re.compile(r"/(ep|dep|endpoint)[-_][0-9a-f-]+")
LAG_LIMIT = {1000: 10.0, 5000: 16.0}


def table_rows(screen: str) -> int:
    """The table's lines from its heading to the details panel's rule, or 0 when the rule is not drawn yet
    (the details panel's "● STARTED" is no row)."""
    lines = screen.splitlines()
    heading = next((i for i, line in enumerate(lines) if "Name" in line and "State" in line), len(lines))
    rule = next((i for i in range(heading + 1, len(lines)) if lines[i].lstrip().startswith("─")), None)
    return 0 if rule is None else rule - heading - 1


class Probe:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.seen = 0

    def events(self) -> list[dict[str, Any]]:
        if not self.path.exists():
            return []
        return [json.loads(line) for line in self.path.read_text().splitlines() if line.strip()]

    def wait(self, event: str, pty: PtyScreen, timeout: float = 300.0) -> dict[str, Any]:
        """The next ``event`` after those already waited for (reading the pty meanwhile, so it never blocks)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = [e for e in self.events() if e["ev"] == event]
            if len(found) > self.seen_of(event):
                self._seen[event] = len(found)
                return found[len(found) - 1]
            pty.pump(0.05)
        raise TimeoutError(f"no {event} event within {timeout:.0f} s:\n{pty.text()}")

    _seen: dict[str, int] = {}

    def seen_of(self, event: str) -> int:
        return self._seen.get(event, 0)


def detail_paths(records: list[dict[str, Any]]) -> list[str]:
    """The endpoint of each detail request, in order: v1's GET of one endpoint, v2's GET of one endpoint or
    of its deployments."""
    details = []
    for r in records:
        found = re.fullmatch(r"/v1/endpoints/([^/]+)|/v2/projects/[^/]+/endpoints/([^/]+)(?:/deployments)?",
                             r["path"])
        if r["method"] == "GET" and found:
            details.append(found.group(1) or found.group(2))
    return details


def wait_details(probe: Probe, pty: PtyScreen, deadline: float) -> float | None:
    """When a run of the store's detail reads ended with every endpoint detailed; None if not by ``deadline``."""
    while True:
        done = [e for e in probe.events() if e["ev"] == "details" and e["detailed"] >= e["endpoints"]]
        if done:
            return float(done[0]["end"])
        if time.monotonic() >= deadline:
            return None
        pty.pump(0.1)


def wait_reads_over(probe: Probe, pty: PtyScreen, deadline: float) -> bool:
    """Until no run of the store's detail reads is going (every one begun has ended); False at ``deadline``."""
    while time.monotonic() < deadline:
        events = probe.events()
        if sum(e["ev"] == "details_begin" for e in events) == sum(e["ev"] == "details" for e in events):
            return True
        pty.pump(0.1)
    return False


def list_requests(records: list[dict[str, Any]]) -> int:
    return sum(1 for r in records if r["method"] == "GET" and r["path"].rstrip("/").endswith("/endpoints"))


def scenario(kind: str, size: int, deployments: int, rounds: int, load_timeout: float) -> list[Figure]:
    v2 = kind == "v2"
    label = f"{kind} {size:,}" + (f"x{deployments}" if v2 else "")
    options = (SimOptions(endpoints=0, legacy_v1=False, v2_endpoints=size, v2_deployments=deployments) if v2
               else SimOptions(endpoints=size, legacy_v1=True, seed=1))
    figures: list[Figure] = []
    with SimProcess(options) as sim, temp_home() as home:
        out = Path(home) / "probe.jsonl"
        probe = Probe(out)
        probe._seen = {}
        names = ("BENCH_PROBE_SLOW", "BENCH_PROBE_PROFILE", "BENCH_PROBE_SPANS", "BENCH_PROBE_LAYOUTS")
        diagnosis = {name: os.environ[name] for name in names if os.environ.get(name)}
        env = app_env(sim, home, v2=v2, BENCH_PROBE_OUT=str(out), **diagnosis)
        listed = {} if v2 else {e["id"]: (e["name"],) for e in sim.v1_endpoints()}
        sim.clear_requests()
        argv = [sys.executable, str(HERE / "probed_app.py"), "--refresh", "3600"]
        with PtyScreen(argv, env, cwd=str(ROOT)) as pty:
            title = f"Endpoints {size:,} " if size >= 1000 else f"Endpoints {size} "

            def drawn(lines: list[str]) -> bool:
                text = "\n".join(lines)
                return (title in text or f"Endpoints {size} " in text) and STATE.search(text) is not None

            shown_at = pty.wait_until(drawn, timeout=120)
            if shown_at is None:
                raise RuntimeError(f"{label}: the table never showed {size} endpoints:\n{pty.text()}")
            first_screen = pty.text()
            # A poll ends when its list is applied; the details follow in their own task.
            first_poll = probe.wait("poll", pty, timeout=load_timeout)
            events = probe.events()
            # The combined v2 provider lists v1 too: its own answer is the one the store gets.
            by = "TogetherProvider" if v2 else "TogetherV1Provider"
            # Or the list the head start's child read (tui.head_start), as it reached the app's process.
            parsed = min(e["at"] for e in events if e["ev"] == "listed" and e["by"] in (by, "head start"))
            first_list = max(e["read"] for e in events if e["ev"] == "list" and e["read"] <= parsed)
            # The loop while the details stream in: a second that starts once the rows are on screen (the first
            # frame's own drawing, when the list came before the screen was up, is the cold start's figure).
            pty.drain(0.05, 1.0)
            while (left := shown_at + 1.05 - time.monotonic()) > 0:
                pty.drain(0.05, left)
            pty.signal(signal.SIGUSR2)
            streaming = probe.wait("idle", pty)
            loaded_at = wait_details(probe, pty, first_list + load_timeout)
            records = sim.requests()
            details = detail_paths(records)
            seen = set(details)
            # The first screen lists the first rows by name (sorted by title; no display name is known yet).
            # How many rows the table shows is its height, the same on every screen: read off one drawn in full
            # (the first screen may have been read mid-frame, before the details panel's rule was written).
            shown = table_rows(first_screen) or table_rows(pty.text())
            if not shown:
                # Else no row would count as on the first screen, and the figure could not fail.
                raise RuntimeError(f"{label}: no table with a details panel below it on screen:\n{pty.text()}")
            by_name = sorted(listed, key=lambda i: (listed[i][0].lower(), i))
            visible = set(by_name[:shown])
            early = details[: len(visible)]
            outside = sum(1 for i in early if i not in visible)
            to_rows = (shown_at - first_list) * 1000
            applied = (first_poll["end"] - first_list) * 1000
            loaded = (loaded_at - first_list) if loaded_at is not None else math.nan
            print(f"{label}: rows on screen {to_rows:.0f} ms after the first list response; first poll over "
                  f"{applied:.0f} ms after it; first load: {len(records)} requests, {len(details)} details, "
                  + (f"all read in {loaded:.1f} s" if loaded_at is not None else
                     f"NOT ALL READ after {load_timeout:.0f} s")
                  + f"; of the first {len(early)} details {len(early) - outside} were rows on the first screen")
            kinds = Counter(r["method"] + " " + ID.sub(r"/{\1}", r["path"]) for r in records)
            print(f"    first load's requests: {dict(kinds.most_common(6))}")
            print(f"    while the details streamed in: longest loop gap {streaming['lag_max'] * 1000:.1f} ms, "
                  f"{streaming['cpu_max'] * 1000:.1f} ms CPU without yielding")
            figures.append(Figure(f"{label}: rows on screen after the list", to_rows, "ms", kind="max",
                                  limit=1000.0, note="from the list's last page read to the emulator's screen"))
            if not v2:
                figures.append(Figure(f"{label}: first-screen rows not detailed first", float(outside), "rows",
                                      kind="max", limit=0.0, note=f"of the first {len(early)} detail requests"))
            figures.append(Figure(f"{label}: first poll over after the list", applied, "ms", kind="info",
                                  note="the list applied; details read after it, in their own task"))
            figures.append(Figure(f"{label}: first load, details fetched", float(len(details)), "requests",
                                  kind="info", note=f"{len(records)} requests; " + (
                                      f"{loaded:.1f} s to the last" if loaded_at is not None else
                                      f"still reading after {load_timeout:.0f} s")))
            figures.append(Figure(f"{label}: longest loop block while details stream in, CPU",
                                  streaming["cpu_max"] * 1000, "ms", kind="max", limit=LAG_LIMIT.get(size, 10.0),
                                  note="the second after the rows were on screen; "
                                       f"wall {streaming['lag_max'] * 1000:.1f} ms"))

            time.sleep(1.2)
            pty.drain(0.1, 1.0)
            pty.signal(signal.SIGUSR2)
            idle = probe.wait("idle", pty)["lag_max"] * 1000

            rng = random.Random(size)
            lags, cpu_lags, panes, durations = [], [], [], []
            unfinished = False
            for _ in range(rounds):
                if listed:
                    changes = {}
                    for endpoint_id in rng.sample(sorted(listed), max(1, size // 20)):
                        changes[endpoint_id] = rng.choice(("STARTED", "STOPPED"))
                    sim.set_states(changes)
                pty.drain(0.2, 2.0)
                pty.signal(signal.SIGUSR1)
                try:
                    poll = probe.wait("poll", pty, timeout=load_timeout)
                except TimeoutError:
                    # Still fetching what the first load left: the loop's last second is what there is.
                    pty.signal(signal.SIGUSR2)
                    window = probe.wait("idle", pty)
                    lags.append(window["lag_max"] * 1000)
                    cpu_lags.append(window["cpu_max"] * 1000)
                    print(f"    round: the refresh was not over after {load_timeout:.0f} s")
                    unfinished = True
                    break
                by = "TogetherProvider" if v2 else "TogetherV1Provider"
                phases = [e for e in probe.events() if e["ev"] in ("list", "listed") and e.get("read", e.get("at"))
                          >= poll["start"] and e.get("by", by) == by]
                read = max((e["read"] for e in phases if e["ev"] == "list"), default=poll["start"])
                done = max((e["at"] for e in phases if e["ev"] == "listed"), default=read)
                print(f"    round: list read +{(read - poll['start']) * 1000:.0f} ms, parsed +"
                      f"{(done - poll['start']) * 1000:.0f} ms, poll {(poll['end'] - poll['start']) * 1000:.0f} ms;"
                      f" longest gaps (start ms, length ms) {poll['worst']}")
                lags.append(poll["lag_max"] * 1000)
                cpu_lags.append(poll["cpu_max"] * 1000)
                panes.append(poll["pane"] * 1000)
                durations.append((poll["end"] - poll["start"]) * 1000)
            steady: list[dict[str, Any]] = []
            pages = 0
            if not unfinished:
                # Steady: once the reads the rounds' changes asked for are over (or the first load's, if it is
                # still going: then only what reads an endpoint again counts against the poll).
                wait_reads_over(probe, pty, time.monotonic() + 30.0)
                seen.update(detail_paths(sim.requests()))
                sim.clear_requests()
                pty.drain(0.2, 2.0)
                pty.signal(signal.SIGUSR1)
                try:
                    probe.wait("poll", pty, timeout=load_timeout)
                    pty.drain(0.2, 1.0)
                    window = sim.requests()
                    pages = list_requests(window)
                    first_reads = [r for r in window if detail_paths([r]) and detail_paths([r])[0] not in seen]
                    steady = [r for r in window if r not in first_reads]
                    if first_reads:
                        print(f"    steady poll: {len(first_reads)} first-load reads still going beside it")
                except TimeoutError:
                    unfinished = True
            if diagnosis:
                events = probe.events()
                print_slow(events, first_list)
                polls = [e for e in events if e["ev"] == "poll"]
                if len(polls) > 1:
                    print("    in the refreshes:")
                    # The refreshes' slow callbacks (the start-up's layouts were printed above).
                    in_refreshes = [e for e in events if e["ev"] == "gc" or (e["ev"] == "slow" and any(
                        p["start"] <= e["at"] <= p["end"] + 0.3 for p in polls[1:]))]
                    print_slow(in_refreshes, first_list, count=4)
    print(f"{label}: one refresh, {len(lags)} round(s): longest loop gap {' '.join(f'{v:.1f}' for v in lags)} ms, "
          f"CPU run without yielding {' '.join(f'{v:.1f}' for v in cpu_lags)} ms (idle floor {idle:.1f} ms); "
          f"panes' listeners {' '.join(f'{v:.0f}' for v in panes)} ms; poll {' '.join(f'{v:.0f}' for v in durations)}"
          f" ms; steady poll: " + (f"{len(steady)} requests, {pages} list pages" if not unfinished else "not reached"))
    limit = LAG_LIMIT.get(size, 10.0)
    where = "a refresh that did not finish" if unfinished else f"median of {len(lags)} refreshes"
    figures.append(Figure(f"{label}: longest loop block in one refresh", median(lags), "ms", idle, kind="max",
                          limit=limit, note=f"{where}, worst {max(lags):.1f} ms; baseline: idle"))
    figures.append(Figure(f"{label}: longest loop block in one refresh, CPU", median(cpu_lags), "ms", kind="max",
                          limit=limit, note="CPU run without yielding: the machine's load left out"))
    if panes:
        figures.append(Figure(f"{label}: panes' work in one refresh", median(panes), "ms", kind="info",
                              note=f"poll {median(durations):.0f} ms end to end"))
    figures.append(Figure(f"{label}: requests per steady poll", float(len(steady)) if not unfinished else math.nan,
                          "requests", float(pages) if pages else None, kind="ratio", limit=1.0,
                          note="baseline: the list pages it needs" if not unfinished else "never steady"))
    return figures


def print_slow(events: list[dict[str, Any]], since: float, count: int = 8) -> None:
    """The longest callbacks the probe named (``BENCH_PROBE_SLOW``), each with where its samples were."""
    collections = [e for e in events if e["ev"] == "gc"]
    if collections:
        worst = max(collections, key=lambda e: e["cpu"])
        print(f"    garbage collections over a quarter of the threshold: {len(collections)}, the longest "
              f"{worst['cpu'] * 1000:.1f} ms CPU (generation {worst['generation']}) "
              f"at +{(worst['at'] - since) * 1000:.0f} ms, {worst.get('collected')} objects freed, "
              f"{worst.get('tracked')} left in the oldest generation")
    for e in (e for e in events if e["ev"] == "layout" and e["at"] - since < 2.0):
        print(f"    layout asked at +{(e['at'] - since) * 1000:.0f} ms by {e['widget']}: {' < '.join(e['by'])}")
    slow = sorted((e for e in events if e["ev"] == "slow"), key=lambda e: -e["cpu"])[:count]
    for e in slow:
        print(f"    slow callback at +{(e['at'] - since) * 1000:.0f} ms: {e['cpu'] * 1000:.1f} ms CPU "
              f"({e['samples']} samples) {e['what']}")
        for name, samples in e["top"][:int(os.environ.get("BENCH_PROBE_LINES", "14"))]:
            print(f"        {samples:>6} {name}")


def store_alone(size: int, rounds: int) -> list[Figure]:
    """The store by itself (no views, no HTTP): the longest callback of its own, in CPU time, while a list of
    ``size`` v1 endpoints is applied and their details stream in, and in a refresh where 5% change state. What
    the pty figures add on top is the API layer's parsing and the panes' work."""
    import asyncio
    from dataclasses import replace
    from datetime import UTC, datetime

    from tui.api.domain import Endpoint, Phase
    from tui.core.store import EndpointStore

    full = {f"e{i:05}": Endpoint(f"e{i:05}", f"acme/e{i:05}", "m", "STARTED", Phase.READY, display_name=f"E {i}",
                                 hardware_id="1x_nvidia_h100_80gb_sxm", min_replicas=1, max_replicas=2,
                                 detailed=True) for i in range(size)}
    listing = {key: replace(e, display_name=None, hardware_id=None, min_replicas=None, max_replicas=None,
                            detailed=False) for key, e in full.items()}

    class Provider:
        label = "in memory"

        async def list_endpoints(self, *, include_serverless: bool = False) -> list[Endpoint]:
            return list(listing.values())

        async def get_endpoint(self, endpoint_id: str) -> Endpoint:
            await asyncio.sleep(0.002)
            return full[endpoint_id]

    worst: list[float] = []
    handle_run = asyncio.events.Handle._run

    def timed(handle: Any) -> None:
        started = time.thread_time()
        handle_run(handle)
        worst.append(time.thread_time() - started)

    async def run() -> tuple[float, float, float]:
        store = EndpointStore(Provider(), clock=lambda: datetime.now(UTC), slow=3600, fast=3600)  # type: ignore[arg-type]
        store._pace = 0.0005  # the reads' own cost, not the pace's wait
        task = asyncio.ensure_future(store.run())
        worst.clear()
        for _ in range(100_000):
            if store.loaded:
                break
            await asyncio.sleep(0.001)
        applied = max(worst)
        worst.clear()
        await store.settled()
        streamed = max(worst)
        refreshes = []
        for k in range(rounds):
            state, phase = ("STOPPED", Phase.STOPPED) if k % 2 == 0 else ("STARTED", Phase.READY)
            for key in list(listing)[::20]:
                listing[key] = replace(listing[key], state=state, phase=phase)
                full[key] = replace(full[key], state=state, phase=phase)
            await asyncio.sleep(0)  # this benchmark's own work ends its callback before the count starts
            worst.clear()
            store.poll_now()
            await asyncio.sleep(0.01)
            await store.settled()
            refreshes.append(max(worst))
        task.cancel()
        return applied, streamed, median(refreshes)

    asyncio.events.Handle._run = timed  # type: ignore[method-assign]
    try:
        applied, streamed, refresh = asyncio.run(run())
    finally:
        asyncio.events.Handle._run = handle_run  # type: ignore[method-assign]
    label = f"store alone, v1 {size:,}"
    print(f"{label}: longest callback {applied * 1000:.1f} ms CPU applying the first list, {streamed * 1000:.1f} ms "
          f"while its details streamed in, {refresh * 1000:.1f} ms in a refresh (median of {rounds})")
    limit = LAG_LIMIT.get(size, 10.0)
    return [Figure(f"{label}: longest store callback, first list", applied * 1000, "ms", kind="max", limit=limit,
                   note="CPU; in-memory provider, no views"),
            Figure(f"{label}: longest store callback, details streaming", streamed * 1000, "ms", kind="max",
                   limit=limit, note="CPU"),
            Figure(f"{label}: longest store callback, one refresh", refresh * 1000, "ms", kind="max", limit=limit,
                   note="CPU; 5% changed state, their details read again")]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenarios", default="v1:1000,v1:5000,v2:1000x3")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--load-timeout", type=float, default=120.0,
                        help="seconds the first load (list and every detail) may take before it counts as failed")
    args = parser.parse_args()
    for spec in args.scenarios.split(","):
        kind, _, size = spec.partition(":")
        count, _, deployments = size.partition("x")
        try:
            if kind == "store":
                figures = store_alone(int(count), args.rounds)
                for figure in figures:
                    emit(figure)
                continue
            figures = scenario(kind, int(count), int(deployments or 3), args.rounds, args.load_timeout)
        except (RuntimeError, TimeoutError) as exc:
            # One account that cannot be measured must not cost the others' figures.
            print(f"{spec}: not measured: {str(exc).splitlines()[0]}")
            figures = [Figure(f"{spec}: measured", math.nan, "", kind="max", limit=0.0, note="see its output")]
        for figure in figures:
            emit(figure)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
