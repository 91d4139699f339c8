"""Does the Chat pane keep up with a fast endpoint?

    .venv/bin/python benchmarks/chat_stream.py [--tokens 5000] [--rates 200,1000,5000] [--size 120x36]

A simulator in another process (so its CPU is not counted here) streams ``--tokens`` answer tokens at each
rate to three consumers, one after the other, over real loopback HTTP:

* httpx: a plain ``httpx`` loop reading the SSE lines and decoding each JSON chunk (the floor);
* provider: the app's API layer alone (``TogetherV1Provider.stream_chat``: SSE parsing, pydantic
  validation, domain events), no UI;
* app: the real app, headless, sending the prompt from its Chat pane: metrics, the stream read into a
  buffer, the answer fed from it into ``MarkdownPart`` widgets of about 2,000 characters each (text
  goes in at once when nothing went in for a flush interval, as the first token; else every 1/12 s
  or four times what the last update cost, up to 1/4 s; each append parses only the part's open
  blocks), the live figures line (drawn with the appends), and the screen refreshes.

The app runs with the collector as ``together-tui`` runs it (``app_loop``: paused before the app starts,
given back by the app at its first frame with start-up frozen), after a collection of what the runs before
it left: a full pass of this process's collector otherwise landed in one turn out of two or three and
walked the whole app and every run before it (80-140 ms of CPU, a gen-2 pass the CLI's app does not make).

For each it prints when the last token arrived (seconds after the request; the ideal is tokens/rate),
for the app how long after that arrival the screen showed the whole answer (the render lag: the first
screen refresh after the Markdown document holds the last token), and the CPU time of this process
from the request to the end (for the app: to that refresh).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import multiprocessing
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import Figure, emit

MODEL = "meta-llama/Llama-3.3-70B-Instruct-Turbo"  # serverless in the simulator, no reasoning


def serve(rate: float, ready: multiprocessing.Queue, stop: multiprocessing.Event) -> None:  # type: ignore[type-arg]
    from tui.simulator import Simulator, SimulatorConfig, SimulatorServer

    server = SimulatorServer(Simulator(SimulatorConfig(speed=math.inf, seed=0, tokens_per_second=rate)))
    server.start()
    ready.put(server.base_url)
    stop.wait()
    server.stop()


@dataclass
class Run:
    consumer: str
    tokens: int
    last_token: float
    shown: float | None
    cpu: float
    #: The first token's arrival to the screen showing it (the app only).
    first_lag: float | None = None


def prompt_for(tokens: int) -> str:
    return f"Write at length about endpoints. [sim:tokens={tokens}]"


async def httpx_loop(base_url: str, tokens: int) -> Run:
    import httpx

    from tui.simulator import DEMO_API_KEY

    body = {"model": MODEL, "messages": [{"role": "user", "content": prompt_for(tokens)}], "stream": True,
            "max_tokens": tokens + 100}
    count = 0
    async with httpx.AsyncClient(base_url=base_url, headers={"Authorization": f"Bearer {DEMO_API_KEY}"},
                                 timeout=120) as client:
        cpu = time.process_time()
        start = time.perf_counter()
        last = start
        async with client.stream("POST", "/chat/completions", json=body) as response:
            async for line in response.aiter_lines():
                if not line.startswith("data:"):
                    continue
                data = line[5:].strip()
                if data == "[DONE]":
                    break
                chunk = json.loads(data)
                if chunk["choices"] and chunk["choices"][0]["delta"].get("content"):
                    count += 1
                    last = time.perf_counter()
        return Run("httpx", count, last - start, None, time.process_time() - cpu)


async def provider_loop(base_url: str, tokens: int) -> Run:
    from tui.api.domain import ChatMessage, ChatParams
    from tui.api.together import TogetherClient, TogetherV1Provider
    from tui.simulator import DEMO_API_KEY

    provider = TogetherV1Provider(TogetherClient(DEMO_API_KEY, base_url, timeout=120))
    count = 0
    try:
        cpu = time.process_time()
        start = time.perf_counter()
        last = start
        messages = [ChatMessage("user", prompt_for(tokens))]
        async for event in provider.stream_chat(MODEL, messages, ChatParams(max_tokens=tokens + 100)):
            if event.content:
                count += 1
                last = time.perf_counter()
        return Run("provider", count, last - start, None, time.process_time() - cpu)
    finally:
        await provider.aclose()


async def app_loop(base_url: str, tokens: int, size: tuple[int, int], flush_fps: float | None = None) -> Run:
    """The app as ``together-tui`` runs it, collector included: ``tui.cli.main`` pauses the collector before
    the app starts and the app gives it back at its first frame, start-up frozen (``tui.collector``). An
    app run inside this process otherwise keeps its collector as it is, and a full pass in the middle of
    the turn walked every object of the app's start-up and of the runs before it: 80-140 ms of CPU on
    this machine, in one run out of two or three, where the CLI's app walks only what came since."""
    import gc

    from tui.collector import pause_collector, resume_collector

    gc.collect()  # the runs before this one: garbage a fresh process would not hold
    pause_collector()
    try:
        return await _app_turn(base_url, tokens, size, flush_fps)
    finally:
        resume_collector()  # if the app did not (it does at its first frame)
        gc.unfreeze()  # what this run froze is garbage now


async def _app_turn(base_url: str, tokens: int, size: tuple[int, int], flush_fps: float | None) -> Run:
    from datetime import UTC, datetime

    from textual.widgets import Input

    from tui.api.domain import ModelOption
    from tui.api.together import TogetherClient, TogetherV1Provider
    from tui.app.app import TogetherApp
    from tui.app.panes.chat import PromptInput
    from tui.app.widgets.chat_message import AssistantMessage
    from tui.core.app_config import AppConfig
    from tui.core.chat import ChatTarget
    from tui.simulator import DEMO_API_KEY

    if flush_fps:
        AssistantMessage.FLUSH_INTERVAL = 1 / flush_fps
        AssistantMessage.MAX_FLUSH_INTERVAL = max(AssistantMessage.MAX_FLUSH_INTERVAL, 1 / flush_fps)

    now = datetime(2026, 1, 15, 12, tzinfo=UTC)
    config = AppConfig(base_url=base_url, demo=True, refresh_interval=3600.0, fast_refresh_interval=3600.0,
                       clock=lambda: now, remember_theme=False)
    app = TogetherApp(TogetherV1Provider(TogetherClient(DEMO_API_KEY, base_url, timeout=120)), config)
    app.animation_level = "none"
    async with app.run_test(size=size, notifications=False) as pilot:
        await idle(app, pilot)
        app.action_show_pane("chat")
        await idle(app, pilot)
        await chat_on_screen(app, pilot)
        pane = app.chat_pane
        pane.set_target(ChatTarget.for_model(ModelOption(id=MODEL, kind="chat")))
        pane.query_one("#max-tokens", Input).value = str(tokens + 100)
        prompt = pane.query_one(PromptInput)
        prompt.insert(prompt_for(tokens))
        await idle(app, pilot)

        cpu = time.process_time()
        prompt.action_send()
        # The pane publishes no "turn started" event: its view exists once the turn is mounted.
        while not pane.conversation.turns or id(pane.conversation.turns[-1]) not in pane._views:  # noqa: ASYNC110
            await asyncio.sleep(0.001)
        turn = pane.conversation.turns[-1]
        view = pane._views[id(turn)]
        # The first token on screen: the first refresh after the answer's document holds text.
        while not view.answer_source and turn.state.busy:  # noqa: ASYNC110
            await asyncio.sleep(0.001)
        first_shown_at = await painted(app)
        # The pane publishes no "turn finished" event; polling every 5 ms adds at most 5 ms to the lag.
        while turn.state.busy:  # noqa: ASYNC110
            await asyncio.sleep(0.005)
        # The stream is closed (pending Markdown flushed) when the turn leaves STREAMING; the next
        # refresh puts the last token on screen.
        shown_at = await painted(app)
        cpu_used = time.process_time() - cpu
        metrics = turn.metrics
        assert metrics is not None and metrics.last_token is not None, turn.advice
        first = metrics.first_content if metrics.first_content is not None else metrics.first_token
        return Run("app", metrics.text_events, metrics.last_token - metrics.started, shown_at - metrics.started,
                   cpu_used, first_lag=None if first is None else first_shown_at - first)


def painted(app: Any) -> asyncio.Future[float]:
    """When the screen has drawn what is there now: the first refresh after this, not held in a batch.

    A callback after a refresh also runs while a batch holds the screen back (``App.batch_update``:
    Textual skips the layout and the paint, not the callbacks), when nothing new was drawn yet: then it
    waits for the next one."""
    shown: asyncio.Future[float] = asyncio.get_running_loop().create_future()

    def check() -> None:
        if app._batch_count:
            app.call_after_refresh(check)
        elif not shown.done():
            shown.set_result(time.perf_counter())

    app.call_after_refresh(check)
    return shown


async def chat_on_screen(app: Any, pilot: Any) -> None:
    """The Chat pane is the one shown. A turn streamed into a hidden pane draws nothing, and costs a third
    to a half less CPU: runs before December 1 (evening) measured that way whenever the Endpoints tab came
    back after the switch (a race at start-up: the Endpoints table took the focus again, and a TabPane with
    the focus in it was made active, before the pane tabs were the app's own)."""
    for attempt in range(20):
        if app.active_pane == "chat" and app.chat_pane.region.height > 0:
            if attempt:
                print(f"  (the Chat pane showed after {attempt} more switch(es) to it)", flush=True)
            return
        app.action_show_pane("chat")
        await idle(app, pilot)
    raise RuntimeError("the Chat pane never showed: its turn would stream off screen")


async def idle(app: Any, pilot: Any) -> None:
    """Until no worker but the store's poll loop runs (that one runs for the app's lifetime)."""
    from tui.app.app import STORE_WORKER_GROUP

    for _ in range(200):
        await pilot.pause(0.02)
        busy = [w for w in app.workers if w.group != STORE_WORKER_GROUP and not w.is_finished]
        if not busy and app.context.store.idle:
            return


def median_run(runs: list[Run]) -> tuple[Run, float | None]:
    """The run with the median CPU time, and the worst render lag over all the repeats."""
    ordered = sorted(runs, key=lambda run: run.cpu)
    lags = [run.shown - run.last_token for run in runs if run.shown is not None]
    return ordered[len(ordered) // 2], max(lags) if lags else None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tokens", type=int, default=5000)
    parser.add_argument("--rates", default="50,200,1000,5000")
    parser.add_argument("--size", default="120x36")
    parser.add_argument("--repeats", type=int, default=1, help="runs per consumer and rate; medians are printed")
    parser.add_argument("--flush-fps", type=float, default=None,
                        help="override how many times a second the pane feeds the Markdown documents")
    parser.add_argument("--app-only", action="store_true", help="skip the httpx and provider loops")
    args = parser.parse_args()
    width, height = (int(part) for part in args.size.split("x"))
    rates = [float(rate) for rate in args.rates.split(",")]

    from tui.app.widgets.chat_message import AssistantMessage

    if args.flush_fps:
        pacing = f"Markdown fed every 1/{args.flush_fps:g} s at least"
    else:
        shortest, longest = AssistantMessage.FLUSH_INTERVAL, AssistantMessage.MAX_FLUSH_INTERVAL
        pacing = f"Markdown fed every {shortest:.2f}-{longest:.2f} s (paced by the cost of an update)"
    print(f"{args.tokens:,} tokens per answer, app at {width}x{height}, {pacing}, simulator in its own process, "
          f"median of {args.repeats} run(s) (by CPU); lag max over all runs")
    print(f"{'rate tok/s':>10} {'consumer':>9} {'tokens':>7} {'ideal s':>8} {'last token s':>13} "
          f"{'screen s':>9} {'lag ms':>8} {'lag max':>8} {'CPU s':>7} {'CPU/httpx':>9}")
    context = multiprocessing.get_context("spawn")
    for rate in rates:
        ready: multiprocessing.Queue = context.Queue()  # type: ignore[type-arg]
        stop = context.Event()
        process = context.Process(target=serve, args=(rate, ready, stop), daemon=True)
        process.start()
        results: dict[str, list[Run]] = {}
        try:
            base_url = ready.get(timeout=30)
            # A slow stream is about lag, not CPU: a few seconds of it is enough.
            tokens = min(args.tokens, int(rate * 4)) if rate < 1000 else args.tokens
            for _ in range(args.repeats):
                if not args.app_only:
                    results.setdefault("httpx", []).append(asyncio.run(httpx_loop(base_url, tokens)))
                    results.setdefault("provider", []).append(asyncio.run(provider_loop(base_url, tokens)))
                for attempt in range(3):
                    try:
                        results.setdefault("app", []).append(
                            asyncio.run(app_loop(base_url, tokens, (width, height), args.flush_fps))
                        )
                        break
                    except Exception as exc:  # the app crashed: say so, and try again (an app bug, not ours)
                        print(f"  (the app failed at {rate:g} tokens/s, attempt {attempt + 1}: "
                              f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''})")
        finally:
            stop.set()
            process.join(timeout=10)
        ideal = tokens / rate
        floor = median_run(results["httpx"])[0].cpu if "httpx" in results else math.nan
        for runs in results.values():
            run, worst = median_run(runs)
            lag = "" if run.shown is None else f"{(run.shown - run.last_token) * 1000:8.0f}"
            lag_max = "" if worst is None else f"{worst * 1000:8.0f}"
            screen = "" if run.shown is None else f"{run.shown:9.2f}"
            print(f"{rate:10.0f} {run.consumer:>9} {run.tokens:7,} {ideal:8.2f} {run.last_token:13.2f} "
                  f"{screen:>9} {lag:>8} {lag_max:>8} {run.cpu:7.2f} {run.cpu / floor:9.1f}")
        if not results.get("app"):
            emit(Figure(f"chat at {rate:,.0f} tok/s: measured", math.nan, "", kind="max", limit=0.0,
                        note="the app failed three times"))
            continue
        app_run, worst_lag = median_run(results["app"])
        first_lags = [r.first_lag for r in results["app"] if r.first_lag is not None]
        if app_run.shown is not None and "httpx" in results:
            # Behind the stream, not behind what the app managed to read: a consumer that falls behind
            # reads its last token late, and the bare consumer shows when it was there to read.
            stream_end = median_run(results["httpx"])[0].last_token
            emit(Figure(f"chat at {rate:,.0f} tok/s: screen behind the stream's end", (app_run.shown - stream_end)
                        * 1000, "ms", kind="max", limit=100.0,
                        note=f"{tokens:,} tokens; {(worst_lag or 0) * 1000:.0f} ms after the app read the last; "
                             "headless"))
        if first_lags:
            emit(Figure(f"chat at {rate:,.0f} tok/s: first token on screen", max(first_lags) * 1000, "ms",
                        kind="max", limit=50.0, note="after it arrived, headless"))
        if rate >= 1000 and "httpx" in results:
            emit(Figure(f"chat at {rate:,.0f} tok/s: app CPU", app_run.cpu, "s", floor,
                        limit=3.0 if rate < 5000 else 5.0, note=f"{tokens:,} tokens; baseline: bare httpx consumer"))


if __name__ == "__main__":
    main()
