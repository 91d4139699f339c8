"""Memory (RSS) of the app with 1,000 endpoints listed and a 20,000-token conversation on screen.

    python benchmarks/memory.py [--endpoints 1000] [--tokens 20000] [--turns 4]

The simulator runs in another process, so only the app's own memory is counted. The app runs headless
(120x36) in this process; the baseline is this process before the app is built (Python, Textual and the
app's modules imported).
"""

from __future__ import annotations

import argparse
import asyncio
import math
import resource
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import Figure, SimOptions, SimProcess, emit

MODEL = "meta-llama/Llama-3.3-70B-Instruct-Turbo"  # serverless in the simulator, no reasoning


def rss_mib() -> float:
    with open("/proc/self/statm") as statm:
        pages = int(statm.read().split()[1])
    return pages * resource.getpagesize() / 2**20


def peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


async def idle(app: Any, pilot: Any, *, until: Any = None, limit: float = 300.0) -> None:
    from tui.app.app import STORE_WORKER_GROUP

    for _ in range(int(limit / 0.05)):
        await pilot.pause(0.05)
        if not app.is_running:
            raise RuntimeError("the app stopped (it crashed: see above)")
        busy = [w for w in app.workers if w.group != STORE_WORKER_GROUP and not w.is_finished]
        if not busy and app.context.store.idle and (until is None or until()):
            return


async def measure(base_url: str, endpoints: int, tokens: int, turns: int) -> list[tuple[str, float, float]]:
    from textual.widgets import Input

    from tui.api.domain import ModelOption
    from tui.api.together import TogetherClient, TogetherV1Provider
    from tui.app.app import TogetherApp
    from tui.app.panes.chat import PromptInput
    from tui.app.widgets.markdown_view import MarkdownPart
    from tui.core.app_config import AppConfig
    from tui.core.chat import ChatTarget
    from tui.simulator import DEMO_API_KEY

    figures = [("python + imports (baseline)", rss_mib(), peak_mib())]
    per_turn = tokens // turns
    app = TogetherApp(TogetherV1Provider(TogetherClient(DEMO_API_KEY, base_url, timeout=120)),
                      AppConfig(base_url=base_url, demo=True, refresh_interval=3600, fast_refresh_interval=3600,
                                remember_theme=False))
    app.animation_level = "none"
    async with app.run_test(size=(120, 36), notifications=False) as pilot:
        store = app.context.store
        # Until the first poll is over: list and details (a detail batch that stops on a timeout ends it too).
        await idle(app, pilot, until=lambda: len(store.endpoints) >= endpoints)
        detailed = sum(1 for e in store.endpoints.values() if e.detailed)
        figures.append((f"{len(store.endpoints)} endpoints listed ({detailed} with details)", rss_mib(), peak_mib()))
        app.action_show_pane("chat")
        await idle(app, pilot)
        pane = app.chat_pane
        pane.set_target(ChatTarget.for_model(ModelOption(id=MODEL, kind="chat")))
        pane.query_one("#max-tokens", Input).value = str(per_turn + 100)
        for turn in range(turns):
            prompt = pane.query_one(PromptInput)
            prompt.insert(f"Write at length, part {turn + 1}. [sim:tokens={per_turn}]")
            prompt.action_send()
            await idle(app, pilot, until=lambda: bool(pane.conversation.turns) and not pane.conversation.busy)
        words = sum(len(m.source.split()) for m in pane.query(MarkdownPart))
        figures.append((f"+ conversation of {turns} x {per_turn:,} tokens (~{words:,} words on screen)",
                        rss_mib(), peak_mib()))
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--endpoints", type=int, default=1000)
    parser.add_argument("--tokens", type=int, default=20000)
    parser.add_argument("--turns", type=int, default=4)
    args = parser.parse_args()
    with SimProcess(SimOptions(endpoints=args.endpoints, legacy_v1=True, tokens_per_second=0)) as sim:
        try:
            figures = asyncio.run(measure(sim.base_url, args.endpoints, args.tokens, args.turns))
        except Exception as exc:  # the app crashed (its bug, reported as a figure not measured)
            print(f"memory not measured: {type(exc).__name__}: {exc}")
            emit(Figure("memory: measured", math.nan, "MiB", kind="max", limit=150.0, note="the app failed"))
            return 0
    print("memory of the app process (MiB)")
    print(f"  {'after':66} {'RSS':>8} {'peak':>8}")
    for label, rss, peak in figures:
        print(f"  {label:66} {rss:8.1f} {peak:8.1f}")
    emit(Figure(f"memory: {args.endpoints:,} endpoints + {args.tokens:,}-token chat", figures[-1][1], "MiB",
                figures[0][1], kind="max", limit=150.0, note=f"RSS; peak {figures[-1][2]:.0f} MiB; baseline: imports"))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
