"""Every performance figure in one command, each beside its baseline from the same run, in one table.

    python benchmarks/run.py            # the full set (about 10 minutes on 2 cores)
    python benchmarks/run.py --quick    # fewer repeats and tokens, shorter time-outs (about two minutes)
    python benchmarks/run.py --only cold_start,keypress

Each benchmark runs in its own process, one after the other (their own tables are shown as they go,
``--quiet`` hides them); the table at the end holds every figure: ours, its baseline, the ratio, the
target (issue 16) and whether it is met. Each has a time budget: one that overruns it is stopped, the
figures it printed are kept and a "did not finish" row says so (a first load that never ends costs its
budget, not the run). Figures depend on the machine and its load: compare the columns within one run,
not across machines. Benchmarks judge nothing in the test suite.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from common import FIGURE_PREFIX, Figure  # noqa: E402

#: (title, command, time budget in seconds on an idle machine; run.py scales it by the load).
FULL = [
    ("cold start", ["cold_start.py", "--runs", "7"], 120),
    # For information: a real network's round trips, which the start overlaps with loading the app.
    ("cold start at 100 ms a request", ["cold_start.py", "--runs", "5", "--latency", "100"], 120),
    ("the v1 list in the API layer", ["list_parse.py", "--repeats", "5"], 120),
    ("large accounts and the UI loop", ["accounts.py", "--rounds", "3"], 600),
    ("key latency", ["keypress.py", "--presses", "100"], 300),
    ("chat streaming", ["chat_stream.py", "--tokens", "5000", "--rates", "50,200,1000,5000"], 400),
    ("memory", ["memory.py", "--tokens", "20000"], 120),
]
QUICK = [
    # Three apps (ours, the bare one, the bare one with our dependencies' floor), a warm-up each, 3 runs.
    ("cold start", ["cold_start.py", "--runs", "3", "--timeout", "20"], 40),
    ("cold start at 100 ms a request", ["cold_start.py", "--runs", "3", "--timeout", "20", "--latency", "100"], 40),
    # About 20 s on this machine in the evening of December 1 (it ran about half as fast as that morning).
    ("the v1 list in the API layer", ["list_parse.py", "--repeats", "3"], 40),
    ("large accounts and the UI loop", ["accounts.py", "--rounds", "1", "--load-timeout", "15"], 90),
    # Up to ~10 s to the app's first frame and up to 15 s of first load, then 40 presses of ~0.3 s in each app
    # (20 gave medians 1.2x to 1.5x the bare app's from run to run where 60 alone gave 1.12x to 1.16x).
    ("key latency", ["keypress.py", "--presses", "40", "--load-timeout", "15"], 75),
    # 50 tokens/s is the slow end of the screen-lag target: 500 tokens take 10 s at that rate.
    ("chat streaming", ["chat_stream.py", "--tokens", "500", "--rates", "50,1000,5000"], 30),
    ("memory", ["memory.py", "--tokens", "20000"], 25),
]


def budget_for(seconds: float) -> float:
    """A budget measured idle, stretched by the load: on 2 CPUs shared by 10 runnable processes every
    process runs at a fraction of its speed, so a fixed limit would stop benchmarks for the machine's
    sake, not the app's."""
    cpus = os.cpu_count() or 1
    return seconds * max(1.0, os.getloadavg()[0] / cpus)


def number(value: float | None, unit: str = "") -> str:
    if value is None:
        return ""
    if math.isnan(value):
        return "n/a"
    text = f"{value:,.0f}" if abs(value) >= 100 else f"{value:.2f}" if abs(value) < 10 else f"{value:.1f}"
    return f"{text} {unit}".strip()


def table(figures: list[Figure]) -> str:
    rows = [("figure", "ours", "baseline", "ratio", "target", "result")]
    for figure in figures:
        ratio = figure.ratio
        result = {True: "pass", False: "FAIL", None: ""}[figure.passed]
        if figure.kind == "max" and not math.isnan(figure.ours) and figure.passed is None:
            result = ""
        if math.isnan(figure.ours) and figure.kind != "info":
            result = "FAIL"
        rows.append((figure.name, number(figure.ours, figure.unit), number(figure.baseline, figure.unit),
                     "" if ratio is None else f"{ratio:.2f}x", figure.target, result))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = []
    for index, row in enumerate(rows):
        cells = [row[0].ljust(widths[0]), *(cell.rjust(width) for cell, width in zip(row[1:], widths[1:], strict=True))]
        lines.append("  ".join(cells).rstrip())
        if index == 0:
            lines.append("  ".join("-" * width for width in widths))
    return "\n".join(lines)


def saved_figures(paths: list[Path]) -> list[Figure]:
    figures = []
    for path in paths:
        text = path.read_text()
        if text.lstrip().startswith("["):
            figures.extend(Figure(**item) for item in json.loads(text))
            continue
        figures.extend(Figure(**json.loads(line[len(FIGURE_PREFIX):])) for line in text.splitlines()
                       if line.startswith(FIGURE_PREFIX))
    return figures


def stop(process: subprocess.Popen[str]) -> None:
    """End the benchmark and everything it started (its own session: the app in its pty, the simulator)."""
    if process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(timeout=10)


def overrun(overran: threading.Event, process: subprocess.Popen[str]) -> None:
    overran.set()
    stop(process)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--quiet", action="store_true", help="only the final table")
    parser.add_argument("--only", default="", help="comma-separated script names, e.g. cold_start,memory")
    parser.add_argument("--json", type=Path, help="also write every figure to this file")
    parser.add_argument("--no-budget", action="store_true", help="let every benchmark run to its end")
    parser.add_argument("--table", type=Path, nargs="+", metavar="FILE",
                        help="measure nothing: print the table of figures saved by --json or printed as FIGURE lines")
    args = parser.parse_args()
    if args.table:
        print(table(saved_figures(args.table)))
        return 0
    chosen = [entry for entry in (QUICK if args.quick else FULL)
              if not args.only or entry[1][0].removesuffix(".py") in args.only.split(",")]
    if args.no_budget:
        chosen = [(title, command, math.inf) for title, command, _ in chosen]
    figures: list[Figure] = []
    failed: list[str] = []
    load_before = os.getloadavg()[0]
    started_all = time.monotonic()
    for title, command, idle_budget in chosen:
        if not args.quiet:
            print(f"\n== {title} ==", flush=True)
        started = time.monotonic()
        budget = budget_for(idle_budget)
        process = subprocess.Popen([sys.executable, str(HERE / command[0]), *command[1:]], cwd=HERE,
                                   stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                   env={**os.environ, "PYTHONUNBUFFERED": "1"}, start_new_session=True)
        # Stopped at its budget (with whatever it started: the app, the simulator), its figures so far kept.
        overran = threading.Event()
        timer = threading.Timer(budget, overrun, (overran, process))
        timer.start()
        assert process.stdout is not None
        tail: list[str] = []
        try:
            for line in process.stdout:
                if line.startswith(FIGURE_PREFIX):
                    figures.append(Figure(**json.loads(line[len(FIGURE_PREFIX):])))
                    continue
                tail = [*tail[-30:], line]
                if not args.quiet:
                    print(line, end="", flush=True)
            process.wait()
        finally:
            timer.cancel()
            stop(process)
        took = time.monotonic() - started
        if overran.is_set():
            failed.append(f"{title} (stopped at its {budget:.0f} s budget)")
            figures.append(Figure(f"{title}: did not finish", math.nan, "s", kind="max", limit=budget,
                                  note=f"stopped after {took:.0f} s; the figures above it were measured"))
            print(f"   {title}: stopped at its budget of {budget:.0f} s", flush=True)
        elif process.returncode != 0:
            failed.append(title)
            if args.quiet:
                print("".join(tail), end="")
            print(f"   {title}: exited with {process.returncode}", flush=True)
        elif not args.quiet:
            print(f"   ({took:.0f} s)", flush=True)
    print(f"\nEvery figure, {time.monotonic() - started_all:.0f} s on {os.cpu_count()} CPUs, load average "
          f"{load_before:.1f} at the start and {os.getloadavg()[0]:.1f} at the end "
          f"({'quick' if args.quick else 'full'} run):\n")
    print(table(figures))
    met = sum(1 for f in figures if f.passed)
    judged = sum(1 for f in figures if f.passed is not None or (math.isnan(f.ours) and f.kind != "info"))
    failures = f"; benchmarks that failed to run: {', '.join(failed)}" if failed else ""
    print(f"\n{met} of {judged} targets met{failures}")
    if args.json:
        args.json.write_text(json.dumps([f.to_json() for f in figures], indent=2))
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
