"""Cold start: process start to the first frame that shows endpoints, against a bare Textual app's first frame.

    python benchmarks/cold_start.py [--runs 7]

Both run in a pseudo-terminal (120x36) read by a terminal emulator (pyte), interleaved run by run (the
order alternates), after one warm-up run each that is not counted. Ours is ``python -m tui`` on the v1
simulator's hand-made account (7 endpoints, served from another process): timed to the first screen
with the table title and a state. The floor is ``benchmarks/bare_app.py`` (Header + DataTable + Footer
with 7 rows made up in-process): timed to the first screen with its rows.
"""

from __future__ import annotations

import argparse
import sys

from common import Figure, SimOptions, SimProcess, app_env, emit, median, temp_home
from ptyscreen import PtyScreen

HERE = __file__.rsplit("/", 1)[0]


def ours_drawn(lines: list[str]) -> bool:
    text = "\n".join(lines)
    return "Endpoints 7 " in text and "STARTED" in text


def bare_drawn(lines: list[str]) -> bool:
    text = "\n".join(lines)
    return "bare-endpoint-00000" in text and "STARTED" in text


def first_frame(argv: list[str], env: dict[str, str], drawn: object) -> float:
    with PtyScreen(argv, env) as pty:
        at = pty.wait_until(drawn, timeout=60)  # type: ignore[arg-type]
        if at is None:
            raise RuntimeError(f"{argv[1:]} never drew its first frame:\n{pty.text()}")
        return at - pty.started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    ours_argv = [sys.executable, "-m", "tui"]
    bare_argv = [sys.executable, f"{HERE}/bare_app.py", "--rows", "7"]
    ours: list[float] = []
    bare: list[float] = []
    with SimProcess(SimOptions(legacy_v1=True)) as sim, temp_home() as home:
        env = app_env(sim, home)
        first_frame(ours_argv, env, ours_drawn)
        first_frame(bare_argv, env, bare_drawn)
        for run in range(args.runs):
            order = [(ours_argv, ours_drawn, ours), (bare_argv, bare_drawn, bare)]
            for argv, drawn, samples in order if run % 2 == 0 else reversed(order):
                samples.append(first_frame(argv, env, drawn))
    print(f"cold start to the first frame with rows, median of {args.runs} (ms):")
    print(f"  together-tui (7 endpoints over HTTP)  {median(ours) * 1000:7.0f}   "
          f"runs {' '.join(f'{s * 1000:.0f}' for s in ours)}")
    print(f"  bare Header+DataTable+Footer (7 rows) {median(bare) * 1000:7.0f}   "
          f"runs {' '.join(f'{s * 1000:.0f}' for s in bare)}")
    emit(Figure("cold start: first frame with endpoints", median(ours) * 1000, "ms", median(bare) * 1000,
                limit=1.5, note=f"median of {args.runs}, pty+pyte, interleaved"))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
