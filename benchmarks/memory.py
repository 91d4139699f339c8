"""Peak memory (RSS) of the app with 1,000 endpoints listed and a 20,000-token conversation.

The simulator runs in another process, so only the app's own memory is counted.

    python benchmarks/memory.py [--endpoints 1000] [--tokens 20000] [--turns 4]
"""

from __future__ import annotations

import argparse
import asyncio
import math
import multiprocessing
import resource
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def serve(endpoints: int, ready: multiprocessing.Queue, stop: multiprocessing.Event) -> None:  # type: ignore[type-arg]
    from tui.simulator import Simulator, SimulatorConfig, SimulatorServer

    server = SimulatorServer(Simulator(SimulatorConfig(speed=math.inf, seed=0, endpoints=endpoints,
                                                       tokens_per_second=0)))
    server.start()
    ready.put(server.base_url)
    stop.wait()
    server.stop()


def rss_mib() -> float:
    """Current resident set size (Linux /proc), in MiB."""
    with open("/proc/self/statm") as statm:
        pages = int(statm.read().split()[1])
    return pages * resource.getpagesize() / 2**20


def peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


async def measure(base_url: str, tokens: int, turns: int) -> list[tuple[str, float, float]]:
    from textual.widgets import Markdown

    from tui.api import Phase
    from tui.api.together import TogetherClient, TogetherV1Provider
    from tui.app.app import TogetherApp
    from tui.app.config import AppConfig, ChatDefaults
    from tui.app.panes.chat import PromptInput
    from tui.simulator import DEMO_API_KEY

    figures = [("python + imports", rss_mib(), peak_mib())]
    provider = TogetherV1Provider(TogetherClient(DEMO_API_KEY, base_url))
    per_turn = tokens // turns
    app = TogetherApp(provider, AppConfig(base_url=base_url, demo=True, refresh_interval=3600,
                                          fast_refresh_interval=3600, remember_theme=False,
                                          chat=ChatDefaults(max_tokens=per_turn + 100)))
    app.animation_level = "none"
    async with app.run_test(size=(120, 36), notifications=False) as pilot:
        pane = app.endpoints_pane
        # Wait until the list and every row's details are in.
        for _ in range(600):
            await app.workers.wait_for_complete()
            await pilot.pause(0.05)
            if pane._endpoints and all(e.detailed for e in pane._endpoints.values()):
                break
        figures.append((f"{len(await provider.list_endpoints())} endpoints listed", rss_mib(), peak_mib()))
        # A model without reasoning, so every token lands in the answer's Markdown.
        running = next(e for e in await provider.list_endpoints()
                       if e.phase is Phase.READY and "Llama" in e.model)
        app.open_chat(await provider.get_endpoint(running.id))
        await app.workers.wait_for_complete()
        await pilot.pause()
        for turn in range(turns):
            prompt = app.chat_pane.query_one(PromptInput)
            prompt.insert(f"Write at length, part {turn + 1}. [sim:tokens={per_turn}]")
            await pilot.press("enter")
            await app.workers.wait_for_complete()
            await pilot.pause()
        words = sum(len(m.source.split()) for m in app.chat_pane.query(Markdown))
        figures.append((f"+ conversation of {turns} x {per_turn} tokens (~{words:,} words)", rss_mib(), peak_mib()))
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--endpoints", type=int, default=1000)
    parser.add_argument("--tokens", type=int, default=20000)
    parser.add_argument("--turns", type=int, default=4)
    args = parser.parse_args()
    context = multiprocessing.get_context("spawn")
    ready, stop = context.Queue(), context.Event()
    server = context.Process(target=serve, args=(args.endpoints, ready, stop), daemon=True)
    server.start()
    try:
        figures = asyncio.run(measure(ready.get(timeout=60), args.tokens, args.turns))
    finally:
        stop.set()
        server.join(timeout=10)
    print("memory of the app process (MiB)")
    print(f"  {'after':58} {'RSS':>8} {'peak':>8}")
    for label, rss, peak in figures:
        print(f"  {label:58} {rss:8.1f} {peak:8.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
