"""The real CLI (``python -m tui``) with instruments inside, for benchmarks that run it in a pty.

    BENCH_PROBE_OUT=/tmp/probe.jsonl python benchmarks/probed_app.py [app options]

Nothing in the app changes; this wraps a few of its methods before it starts and writes JSON lines:

* a loop-lag probe: a callback scheduled every 1 ms; a gap between two runs is time the loop could not
  run anything (the longest is the figure), and the CPU time its thread ran in that gap is the work
  done without yielding (the same figure without the machine's load);
* ``list``: when each list request's response was read in full (before parsing);
* ``poll``: each poll of the store (list, parsing, applying it, the views' work; details are read in a task of
  their own), and once it is over plus 0.3 s of drawing, the longest loop gap in that window and the time
  spent in the store's listeners (the panes' own work, drawing excluded);
* ``details``: each run of the store's detail reads, when it ended and how many endpoints were detailed then;
* ``idle``: on SIGUSR2, the longest gap over the last second (the probe's floor).

SIGUSR1 asks the store for a poll now (what a poll timer does; ``r`` would also refetch every detail).

With ``BENCH_PROBE_SLOW=ms`` (a diagnosis, off by default: the sampling costs a little), every loop callback
that ran longer than that in CPU writes a ``slow`` line: what it was and where its time went, from a thread
sampling the loop's stack every millisecond (functions by share of the samples inside that callback).
With ``BENCH_PROBE_PROFILE=1`` beside it, each callback runs under ``cProfile`` instead of being sampled: the
counts become milliseconds of CPU each function spent inside the callback, in all (exact names, not a few
samples, at the price of running many times as slowly: for names, not times).
``BENCH_PROBE_SPANS=module:Class.method,...`` instead times those functions alone (CPU, inclusive, with
their call counts) inside each slow callback, at almost no cost: the way to split a callback the profile has named.
``BENCH_PROBE_LAYOUTS=1`` writes a ``layout`` line for every ``refresh(layout=True)``: which widget asked and
the app's own frames that made it ask (a layout of the whole screen follows each burst of them).
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
import time
from collections import deque
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

OUT = open(os.environ["BENCH_PROBE_OUT"], "a", buffering=1)  # noqa: SIM115 - open for the process's life
GAPS: deque[tuple[float, float]] = deque(maxlen=200_000)
#: (when, CPU seconds the loop's thread ran between two ticks): the work done without yielding, which the
#: machine's load does not stretch (a wall gap on a loaded machine also holds other processes' turns).
CPU_GAPS: deque[tuple[float, float]] = deque(maxlen=200_000)
LISTENER_TIME: deque[tuple[float, float]] = deque(maxlen=200_000)
STORES: list[object] = []
TICK = 0.001


def write(event: str, **fields: object) -> None:
    OUT.write(json.dumps({"ev": event, **fields}) + "\n")


def longest_gap(since: float, until: float, gaps: deque[tuple[float, float]] = GAPS) -> float:
    """The longest gap inside [since, until]: a gap is kept by when it ended, and one that began before
    ``since`` counts from ``since`` (the first frame's drawing, running on after its rows reached the
    screen, is the cold start's figure, not the second after it). A CPU gap is clipped as its wall span."""
    return max((min(gap, at - since) for at, gap in gaps if since <= at <= until), default=0.0)


def probe() -> None:
    loop = asyncio.get_running_loop()
    last, last_cpu = time.monotonic(), time.thread_time()

    def tick() -> None:
        nonlocal last, last_cpu
        now, cpu = time.monotonic(), time.thread_time()
        gap = now - last - TICK
        if gap > 0.0005:
            GAPS.append((now, gap))
        if cpu - last_cpu > 0.0005:
            CPU_GAPS.append((now, cpu - last_cpu))
        last, last_cpu = now, cpu
        loop.call_later(TICK, tick)

    loop.call_later(TICK, tick)


def span(target: str, spans: dict[str, list[float]]) -> None:
    """Wrap ``module:Class.method`` (or ``module:function``) so that its CPU time and calls add up in ``spans``
    (the outermost call only, when it recurses)."""
    import importlib

    module_name, _, qualname = target.partition(":")
    owner: object = importlib.import_module(module_name)
    *path, name = qualname.split(".")
    for part in path:
        owner = getattr(owner, part)
    original = getattr(owner, name)
    depth = [0]

    def timed(*args: object, **kwargs: object) -> object:
        if depth[0]:
            return original(*args, **kwargs)
        depth[0] += 1
        started = time.thread_time()
        try:
            return original(*args, **kwargs)
        finally:
            depth[0] -= 1
            total = spans.setdefault(qualname, [0.0, 0])
            total[0] += time.thread_time() - started
            total[1] += 1

    setattr(owner, name, timed)


def watch_slow(threshold: float) -> None:
    """Name the callbacks that hold the loop: wrap each one's run, and sample the loop thread's stack."""
    import threading

    main = threading.get_ident()
    samples: deque[tuple[float, tuple[object, ...]]] = deque(maxlen=100_000)

    def sample() -> None:
        while True:
            time.sleep(0.001)
            frame = sys._current_frames().get(main)
            codes = []
            while frame is not None:
                codes.append(frame.f_code)
                frame = frame.f_back
            samples.append((time.monotonic(), tuple(codes)))

    profiling = bool(os.environ.get("BENCH_PROBE_PROFILE"))
    #: CPU seconds and calls of each function named in BENCH_PROBE_SPANS, inside the callback running now.
    spans: dict[str, list[float]] = {}
    targets = [target for target in os.environ.get("BENCH_PROBE_SPANS", "").split(",") if target]
    for target in targets:
        span(target, spans)
    if not (profiling or targets):
        # Only the stack samples name a slow callback's functions then.
        threading.Thread(target=sample, daemon=True).start()
    import gc

    collecting: list[float] = []

    def collected(phase: str, info: dict[str, int]) -> None:
        # A full collection over a large heap holds the loop too: named apart, not blamed on the code it hit.
        if phase == "start":
            collecting[:] = [time.thread_time(), time.monotonic()]
        elif collecting and (spent := time.thread_time() - collecting[0]) >= threshold / 4:
            write("gc", at=collecting[1], cpu=spent, generation=info.get("generation"), collected=info.get("collected"),
                  counts=gc.get_count(), tracked=len(gc.get_objects(2)) if info.get("generation") == 2 else None)

    gc.callbacks.append(collected)
    handle_run = asyncio.events.Handle._run

    def where_file(path: str) -> str:
        return path.split("site-packages/")[-1].split("/work/main/")[-1]

    def where(code: object) -> str:
        return f"{getattr(code, 'co_qualname', '?')} ({where_file(str(getattr(code, 'co_filename', '')))})"

    def timed(handle: asyncio.Handle) -> None:
        started, cpu = time.monotonic(), time.thread_time()
        spans.clear()
        if profiling:
            import cProfile
            import pstats

            profile = cProfile.Profile(time.thread_time)
            profile.runcall(handle_run, handle)
        else:
            handle_run(handle)
        spent = time.thread_time() - cpu
        if spent < threshold:
            return
        ended = time.monotonic()
        if targets:
            write("slow", at=started, cpu=spent, wall=ended - started, what=repr(handle)[:200], samples=-1,
                  top=[(f"{name} x{int(calls)}", round(total * 1000, 2)) for name, (total, calls) in
                       sorted(spans.items(), key=lambda item: -item[1][0])])
            return
        if profiling:
            stats = pstats.Stats(profile).stats  # type: ignore[attr-defined]
            by_total = sorted(stats.items(), key=lambda item: -item[1][3])[:60]
            top = [(f"{func} ({where_file(path)}:{line})", round(cumulative * 1000, 1))
                   for (path, line, func), (_, _, _, cumulative, _) in by_total]
            write("slow", at=started, cpu=spent, wall=ended - started, what=repr(handle)[:200], samples=-1,
                  top=[item for item in top if "tui/" in item[0] or "textual/" in item[0] or "rich/" in item[0]][:40])
            return
        inside = []
        for at, codes in reversed(samples.copy()):  # a copy: the sampling thread appends meanwhile
            if at < started:
                break
            if at <= ended:
                inside.append(codes)
        counts: dict[str, int] = {}
        for codes in inside:
            for name in {where(code) for code in codes}:
                counts[name] = counts.get(name, 0) + 1
        top = sorted(counts.items(), key=lambda item: -item[1])[:40]
        write("slow", at=started, cpu=spent, wall=ended - started, what=repr(handle)[:200], samples=len(inside),
              top=[(name, count) for name, count in top if count < len(inside) or "tui/" in name][:30])

    asyncio.events.Handle._run = timed  # type: ignore[method-assign]


def trace_layouts() -> None:
    """Write who asks for a layout of the screen: the widget, and the nearest of the app's frames."""
    from textual.widget import Widget

    refresh = Widget.refresh

    def traced(self, *regions, **kwargs):  # type: ignore[no-untyped-def]
        if kwargs.get("layout") or kwargs.get("recompose"):
            frame, callers = sys._getframe(1), []
            while frame is not None and len(callers) < 4:
                path = frame.f_code.co_filename
                if "/tui/" in path or ("textual/" in path and not callers):
                    callers.append(f"{frame.f_code.co_qualname}:{frame.f_lineno}")
                frame = frame.f_back
            write("layout", at=time.monotonic(), widget=f"{type(self).__name__}#{self.id}", by=callers)
        return refresh(self, *regions, **kwargs)

    Widget.refresh = traced  # type: ignore[method-assign]

    from textual.screen import Screen

    refresh_layout = Screen._refresh_layout

    def ran(self, size=None, scroll=False):  # type: ignore[no-untyped-def]
        # The layouts run (a scroll's reflow aside), with the frames that ran them: several can run in one
        # callback, each writing a frame to the terminal.
        if not scroll:
            frame, callers = sys._getframe(1), []
            while frame is not None and len(callers) < 6:
                callers.append(f"{frame.f_code.co_qualname}:{frame.f_lineno}")
                frame = frame.f_back
            write("layout", at=time.monotonic(), widget="(a layout ran)", by=callers)
        return refresh_layout(self, size, scroll)

    Screen._refresh_layout = ran  # type: ignore[method-assign]

    on_layout = Screen._on_layout

    async def layout_message(self, message):  # type: ignore[no-untyped-def]
        # A request reaches the screen as a message: one asked before a layout can be read after it and
        # lay the screen out once more.
        write("layout", at=time.monotonic(), widget=f"(its message read) {type(message.widget).__name__}",
              by=[])
        return await on_layout(self, message)

    Screen._on_layout = layout_message  # type: ignore[method-assign]


def install() -> None:
    from tui.api.http import ApiSession
    from tui.app.app import TogetherApp
    from tui.core.store import EndpointStore

    request = ApiSession.request

    async def timed_request(self, method, path, *args, **kwargs):  # type: ignore[no-untyped-def]
        sent = time.monotonic()
        response = await request(self, method, path, *args, **kwargs)
        tail = str(path).split("?")[0].rstrip("/")
        if method.upper() == "GET" and tail.endswith("/endpoints"):
            write("list", path=tail, sent=sent, read=time.monotonic(), bytes=len(response.content))
        return response

    ApiSession.request = timed_request  # type: ignore[method-assign]

    from tui import head_start

    read_ahead = head_start.Begun.read

    async def timed_read_ahead(self, name):  # type: ignore[no-untyped-def]
        # The first list read by the head start's child: "read" is when it reached the app's process.
        answer = await read_ahead(self, name)
        if name == "list_endpoints" and answer[0] and self.reads_at is not None:
            write("list", path="/endpoints (head start)", sent=None, read=self.reads_at, bytes=0)
            write("listed", at=time.monotonic(), count=len(answer[1]), by="head start")
        return answer

    head_start.Begun.read = timed_read_ahead  # type: ignore[method-assign]

    init = EndpointStore.__init__

    def remember(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        init(self, *args, **kwargs)
        STORES.append(self)

    EndpointStore.__init__ = remember  # type: ignore[method-assign]

    emit = EndpointStore._emit

    def timed_emit(self, event):  # type: ignore[no-untyped-def]
        started = time.monotonic()
        emit(self, event)
        LISTENER_TIME.append((started, time.monotonic() - started))

    EndpointStore._emit = timed_emit  # type: ignore[method-assign]

    from tui.api.together.combined import TogetherProvider
    from tui.api.together.provider import TogetherV1Provider

    for provider_class in (TogetherV1Provider, TogetherProvider):
        def timed_list(self, *args, _list=provider_class.list_endpoints, **kwargs):  # type: ignore[no-untyped-def]
            async def run():  # type: ignore[no-untyped-def]
                endpoints = await _list(self, *args, **kwargs)
                write("listed", at=time.monotonic(), count=len(endpoints), by=type(self).__name__)
                return endpoints
            return run()

        provider_class.list_endpoints = timed_list  # type: ignore[method-assign]

    poll_once = EndpointStore._poll_once

    async def timed_poll(self):  # type: ignore[no-untyped-def]
        started = time.monotonic()
        try:
            await poll_once(self)
        finally:
            ended = time.monotonic()

            def report() -> None:
                until = ended + 0.3
                listeners = sum(spent for at, spent in LISTENER_TIME if started <= at <= until)
                worst = sorted(((gap, at) for at, gap in GAPS if started <= at <= until), reverse=True)[:4]
                write("poll", start=started, end=ended, lag_max=longest_gap(started, until), pane=listeners,
                      cpu_max=longest_gap(started, until, CPU_GAPS),
                      worst=[(round((at - gap - started) * 1000, 1), round(gap * 1000, 1)) for gap, at in worst],
                      endpoints=len(self.endpoints), detailed=sum(1 for e in self.endpoints.values() if e.detailed))

            asyncio.get_running_loop().call_later(0.3, report)

    EndpointStore._poll_once = timed_poll  # type: ignore[method-assign]

    work_details = EndpointStore._work_details

    async def timed_details(self):  # type: ignore[no-untyped-def]
        started = time.monotonic()
        write("details_begin", at=started)
        try:
            await work_details(self)
        finally:
            write("details", start=started, end=time.monotonic(), endpoints=len(self.endpoints),
                  detailed=sum(1 for e in self.endpoints.values() if e.detailed))

    EndpointStore._work_details = timed_details  # type: ignore[method-assign]

    on_mount = TogetherApp.on_mount

    def mounted(self):  # type: ignore[no-untyped-def]
        on_mount(self)
        probe()
        if slow := os.environ.get("BENCH_PROBE_SLOW"):
            watch_slow(float(slow) / 1000)
        loop = asyncio.get_running_loop()
        loop.add_signal_handler(signal.SIGUSR1, lambda: [store.poll_now() for store in STORES])  # type: ignore[attr-defined]

        def idle() -> None:
            now = time.monotonic()
            write("idle", lag_max=longest_gap(now - 1.0, now), cpu_max=longest_gap(now - 1.0, now, CPU_GAPS))

        loop.add_signal_handler(signal.SIGUSR2, idle)
        write("mounted", at=time.monotonic())
        if os.environ.get("BENCH_PROBE_LAYOUTS"):
            trace_layouts()

    TogetherApp.on_mount = mounted  # type: ignore[method-assign]


if __name__ == "__main__":
    from tui.head_start import early
    from tui.launch import parse

    early(sys.argv[1:], parse)  # as tui.launch does, before the probe's threads: the real start's head start
    install()
    from tui.cli import main

    raise SystemExit(main(sys.argv[1:]))
