"""Cold start: process start to the first frame that shows endpoints, against a bare Textual app's first frame.

    python benchmarks/cold_start.py [--runs 7]

Both run in a pseudo-terminal (120x36) read by a terminal emulator (pyte), interleaved run by run (the
order alternates), after one warm-up run each that is not counted. Ours is ``python -m tui`` on the
simulator's hand-made account (the default Together provider: v2 endpoints beside the legacy v1 ones,
served from another process): timed to the first screen whose table title counts endpoints with a state
badge on a row below it. The floor is ``benchmarks/bare_app.py`` (Header + DataTable + Footer, as many
rows as our first screen showed, made up in-process): timed to the first screen with its rows. Also
timed, for what it tells: the same bare app importing httpx and pydantic and showing its rows once it
has read and validated the simulator's v1 list (``bare_app.py --fetch``): the floor our dependencies set. Beside
the wall time, the CPU time each process had used by then (``/proc``), which the machine's load does not
stretch. A start that does not draw within ``--timeout`` is reported as not measured.
"""

from __future__ import annotations

import argparse
import math
import os
import re
import sys

from common import Figure, SimOptions, SimProcess, app_env, emit, median, temp_home
from ptyscreen import PtyScreen

HERE = __file__.rsplit("/", 1)[0]


#: The Endpoints table's title once the first list is in: "Endpoints 11 · 6 running · sort Name ▲".
TITLE = re.compile(r"^\s*Endpoints (\d+)\b")
#: A state badge in a row (glyph, space, state word): v1's "● STARTED", v2's "▲ Degraded", a spinner's "◐ PENDING".
BADGE = re.compile(r"[●○✗▲?◐◓◑◒] [A-Za-z]{3,}")


def ours_drawn(lines: list[str]) -> bool:
    """The title counts endpoints and a row below it shows a state: the header's "● updated" above the
    title never counts, nor a title still saying it is loading."""
    for index, line in enumerate(lines):
        match = TITLE.match(line)
        if match and int(match.group(1)) > 0:
            return any(BADGE.search(below) for below in lines[index + 1:])
    return False


def bare_drawn(lines: list[str]) -> bool:
    text = "\n".join(lines)
    return "bare-endpoint-00000" in text and "STARTED" in text


def cpu_seconds(pid: int) -> float:
    """The CPU time (user + system) the process has used so far: what the machine's load does not stretch."""
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def first_frame(argv: list[str], env: dict[str, str], drawn: object, timeout: float) -> tuple[float, float]:
    """Wall seconds from fork to the first screen meeting ``drawn``, and the CPU seconds used by then."""
    with PtyScreen(argv, env) as pty:
        at = pty.wait_until(drawn, timeout=timeout)  # type: ignore[arg-type]
        if at is None:
            raise RuntimeError(f"{argv[1:]} did not draw its first frame within {timeout:g} s:\n{pty.text()}")
        return at - pty.started, cpu_seconds(pty.pid)


def rows_shown(lines: list[str]) -> int:
    """Table rows with a state badge on our first screen (endpoints and their deployment rows), so the
    bare app is measured with as many rows."""
    for index, line in enumerate(lines):
        if TITLE.match(line):
            below = lines[index + 1:]
            end = next((i for i, text in enumerate(below) if text.lstrip("─").startswith("Details")), len(below))
            return sum(1 for text in below[:end] if BADGE.search(text))
    return 0


def warm_up(argv: list[str], env: dict[str, str], timeout: float) -> int:
    with PtyScreen(argv, env) as pty:
        if pty.wait_until(ours_drawn, timeout=timeout) is None:
            raise RuntimeError(f"{argv[1:]} did not draw its first frame within {timeout:g} s:\n{pty.text()}")
        pty.drain(quiet=0.3, limit=5)
        return rows_shown(pty.lines())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--timeout", type=float, default=30.0,
                        help="seconds a start may take before it counts as not measured")
    parser.add_argument("--latency", type=float, default=0.0, metavar="MS",
                        help="the simulator answers each request this much later, as a network's round trip "
                             "would (figures then named for it, for information)")
    args = parser.parse_args()
    extra: dict[str, object] = {}
    if args.latency:
        from tui.simulator.faults import Faults

        extra["faults"] = Faults(latency=args.latency / 1000)
    ours_argv = [sys.executable, "-m", "tui"]
    ours: list[tuple[float, float]] = []
    bare: list[tuple[float, float]] = []
    fetching: list[tuple[float, float]] = []
    problem = ""
    with SimProcess(SimOptions(legacy_v1=True, extra=extra)) as sim, temp_home() as home:
        env = app_env(sim, home)
        try:
            rows = max(1, warm_up(ours_argv, env, args.timeout))
            bare_argv = [sys.executable, f"{HERE}/bare_app.py", "--rows", str(rows)]
            fetch_argv = [*bare_argv, "--fetch", f"{sim.base_url}/endpoints"]
            first_frame(bare_argv, env, bare_drawn, args.timeout)
            floor_argv: list[str] | None = fetch_argv
            try:
                first_frame(fetch_argv, env, bare_drawn, args.timeout)
            except RuntimeError as exc:
                # The floor is for what it tells: without it the figures that matter are still measured.
                print(f"the dependencies' floor is not measured: {exc}", file=sys.stderr)
                floor_argv = None
            for run in range(args.runs):
                order = [(ours_argv, ours_drawn, ours), (bare_argv, bare_drawn, bare)]
                if floor_argv is not None:
                    order.append((floor_argv, bare_drawn, fetching))
                for argv, drawn, samples in order if run % 2 == 0 else reversed(order):
                    try:
                        samples.append(first_frame(argv, env, drawn, args.timeout))
                    except RuntimeError:
                        if samples is not fetching:
                            raise
        except RuntimeError as exc:
            problem = str(exc)
            print(problem, file=sys.stderr)
    if problem:
        # Still a row in run.py's table: not measured, so not met.
        emit(Figure("cold start: first frame with endpoints", math.nan, "ms", limit=1.5, note=problem.splitlines()[0]))
        return 0
    walls = [wall for wall, _ in ours], [wall for wall, _ in bare], [wall for wall, _ in fetching]
    cpus = [cpu for _, cpu in ours], [cpu for _, cpu in bare], [cpu for _, cpu in fetching]
    print(f"cold start to the first frame with rows, median of {args.runs} (ms), "
          f"load average {os.getloadavg()[0]:.1f}:")
    shown = [(f"together-tui ({rows} rows over HTTP)", walls[0], cpus[0]),
             (f"bare Header+DataTable+Footer ({rows} rows)", walls[1], cpus[1])]
    if fetching:
        shown.append(("the same + httpx, pydantic, the v1 list read", walls[2], cpus[2]))
    for label, wall, cpu in shown:
        print(f"  {label:42} wall {median(wall) * 1000:6.0f}  CPU {median(cpu) * 1000:6.0f}   "
              f"runs {' '.join(f'{s * 1000:.0f}' for s in wall)}")
    note = f"median of {args.runs}, pty+pyte, interleaved, {rows} rows"
    if args.latency:
        # Not the target's figure: the bare app reads nothing, so only the floor compares.
        named = f"cold start, {args.latency:g} ms a request"
        emit(Figure(f"{named}: first frame with endpoints", median(walls[0]) * 1000, "ms", median(walls[1]) * 1000,
                    kind="info", note=note))
        if fetching:
            emit(Figure(f"{named}: bare app + httpx, pydantic and the list", median(walls[2]) * 1000, "ms",
                        median(walls[1]) * 1000, kind="info", note=f"median of {len(fetching)}; one request"))
        return 0
    emit(Figure("cold start: first frame with endpoints", median(walls[0]) * 1000, "ms", median(walls[1]) * 1000,
                limit=1.5, note=note))
    emit(Figure("cold start: CPU to the first frame", median(cpus[0]) * 1000, "ms", median(cpus[1]) * 1000,
                kind="info", note=note + "; user+system time by the first frame (the load does not stretch it)"))
    if fetching:
        emit(Figure("cold start: bare app + httpx, pydantic and the list", median(walls[2]) * 1000, "ms",
                    median(walls[1]) * 1000, kind="info",
                    note=f"median of {len(fetching)}; the floor our dependencies set: bare_app.py --fetch, "
                         "beside the bare app"))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
