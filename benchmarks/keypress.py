"""Key latency through a real pty and a terminal emulator: ``down`` pressed to the screen changing.

    python benchmarks/keypress.py [--endpoints 1000] [--presses 100]

Ours: ``python -m tui --refresh 2`` on a v1 simulator (another process) with ``--endpoints`` endpoints,
measured once the first load (every detail) is over, so it polls every 2 s in steady state. The floor:
``benchmarks/bare_app.py`` with the same number of rows, and as many of them on screen as our table shows
(read from our screen: the lines between the table's header and the details panel), so both start to
scroll at the same press (``--full-bare`` gives the bare table the whole screen, as the figure was first
measured: at 120x36 it then shows ~15 rows more and starts to scroll that many presses later, so more of
its samples are two-row frames). Both at 120x36, read by pyte. Each sample is
the time from writing the key to the pty to the read after which the emulator's screen, colours included (the
top line excepted: our header counts seconds), differs from before the key; then a random pause of 0.1-0.4 s, so
presses land anywhere in the poll cycle.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import sys
import time

from common import ROOT, Figure, SimOptions, SimProcess, app_env, emit, median, percentile, temp_home
from ptyscreen import PtyScreen

HERE = __file__.rsplit("/", 1)[0]
DOWN = b"\x1b[B"


def presses(pty: PtyScreen, count: int, seed: int) -> list[float]:
    rng = random.Random(seed)
    samples = []
    for _ in range(count):
        pty.drain(0.05, 2.0)
        # Snapshot first (wait_for_change does), then the key: a change is timed from the write.
        sent = 0.0

        def send() -> None:
            nonlocal sent
            sent = pty.send(DOWN)

        changed = pty.wait_for_change(first=1, timeout=10, before_waiting=send)
        if changed is None:
            raise RuntimeError(f"the screen did not change after a key press:\n{pty.text()}")
        samples.append(changed - sent)
        deadline = time.monotonic() + rng.uniform(0.1, 0.4)
        while (left := deadline - time.monotonic()) > 0:
            pty.pump(left)
    return samples


def cpu_seconds(pid: int) -> float:
    """The process's CPU time so far (user + system), from /proc: 0 where there is none."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rpartition(")")[2].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def rows_on_screen(lines: list[str]) -> int | None:
    """The lines our table has for rows: between its column header and the details panel's top border."""
    header = next((i for i, line in enumerate(lines) if " Name" in line and " State" in line), None)
    panel = next((i for i, line in enumerate(lines) if line.lstrip(" ─━╸╺").startswith("Details")), None)
    if header is None or panel is None or panel <= header + 1:
        return None
    return panel - header - 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--endpoints", type=int, default=1000)
    parser.add_argument("--presses", type=int, default=100)
    parser.add_argument("--load-timeout", type=float, default=300.0,
                        help="seconds to wait for the first load (every detail) before pressing anyway")
    parser.add_argument("--full-bare", action="store_true",
                        help="the bare table on the whole screen (not as many rows on screen as ours)")
    args = parser.parse_args()
    size = args.endpoints
    started = time.monotonic()
    with SimProcess(SimOptions(endpoints=size, legacy_v1=True, seed=2)) as sim, temp_home() as home:
        env = app_env(sim, home)
        with PtyScreen([sys.executable, "-m", "tui", "--refresh", "2"], env, cwd=str(ROOT)) as pty:
            if pty.wait_until(lambda lines: f"Endpoints {size} " in "\n".join(lines), timeout=120) is None:
                raise RuntimeError(f"the table never showed {size} endpoints:\n{pty.text()}")
            # Steady state: every detail fetched (one request per endpoint), then one list every 2 s.
            deadline = time.monotonic() + args.load_timeout
            while time.monotonic() < deadline:
                done = sum(1 for r in sim.requests() if re.fullmatch(r"/v1/endpoints/[^/]+", r["path"]))
                if done >= size:
                    break
                pty.pump(1.0)
            else:
                print(f"  (the first load was not over after {args.load_timeout:.0f} s: {done} of {size} details; "
                      "pressing while it goes on)")
            pty.drain(0.5, 5.0)
            sim.clear_requests()
            shown = rows_on_screen(pty.lines())
            if shown is None and not args.full_bare:
                print("  (our table's rows on screen not found: the bare table gets the whole screen)")
            loaded, ours_cpu = time.monotonic(), cpu_seconds(pty.pid)
            ours = presses(pty, args.presses, 1)
            ours_done, ours_cpu = time.monotonic(), cpu_seconds(pty.pid) - ours_cpu
            polls = sum(1 for r in sim.requests() if r["path"] == "/v1/endpoints")
        bare_argv = [sys.executable, f"{HERE}/bare_app.py", "--rows", str(size)]
        if shown is not None and not args.full_bare:
            bare_argv += ["--rows-on-screen", str(shown)]
        with PtyScreen(bare_argv, env, cwd=str(ROOT)) as pty:
            if pty.wait_until(lambda lines: "bare-endpoint-00000" in "\n".join(lines), timeout=60) is None:
                raise RuntimeError(f"the bare app never drew:\n{pty.text()}")
            pty.drain(0.5, 5.0)
            bare_started, bare_cpu = time.monotonic(), cpu_seconds(pty.pid)
            bare = presses(pty, args.presses, 1)
            bare_cpu = cpu_seconds(pty.pid) - bare_cpu
    print(f"  ({loaded - started:.1f} s to the simulator, the app and its first load; presses "
          f"{ours_done - loaded:.1f} s ours, {time.monotonic() - bare_started:.1f} s bare; "
          f"{time.monotonic() - started:.1f} s in all)")
    on_screen = "the whole screen" if args.full_bare or shown is None else f"{shown}"
    print(f"key press (down) to the screen changing, {args.presses} presses, {size} rows, rows on screen: ours "
          f"{shown if shown is not None else '?'}, bare {on_screen} (ms):")
    # CPU while pressing, per press: ours includes its polls (the bare app has none), so it is the cost of
    # a key press with everything else the app does meanwhile, the figure to compare across changes.
    print(f"{'':36} {'p50':>7} {'p90':>7} {'p99':>7} {'max':>7} {'CPU/press':>10}")
    rows = ((f"together-tui, polling every 2 s ({polls} polls)", ours, ours_cpu), ("bare DataTable", bare, bare_cpu))
    for label, samples, cpu in rows:
        print(f"  {label:34} {median(samples) * 1000:7.1f} {percentile(samples, 0.9) * 1000:7.1f} "
              f"{percentile(samples, 0.99) * 1000:7.1f} {max(samples) * 1000:7.1f} {cpu / len(samples) * 1000:10.1f}")
    emit(Figure(f"key latency p50, {size:,} endpoints", median(ours) * 1000, "ms", median(bare) * 1000, limit=1.2,
                note=f"{args.presses} presses, pty+pyte, polling every 2 s, bare rows on screen: {on_screen}"))
    emit(Figure(f"key latency p99, {size:,} endpoints", percentile(ours, 0.99) * 1000, "ms",
                percentile(bare, 0.99) * 1000, limit=1.5, note=f"{args.presses} presses"))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
