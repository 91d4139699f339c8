"""The idle watchdog of a stream (``tui.api.sse.IdleWatchdog``, issue 16) and the event decoder's fast path.

The watchdog is one timer re-armed only when it fires and finds progress, in place of a timeout per read:
it must still end a stream that sends no event for ``idle`` seconds, never one whose events keep coming
(however long it lasts in all), never count the time the consumer holds an event, and tell its own cancel
from the user's. A scripted clock drives it, so nothing here depends on how fast the machine is.
"""

from __future__ import annotations

import asyncio
import random
import re
from collections.abc import Callable

import pytest

from tui.api.sse import IdleWatchdog, ServerSentEvent, SSEDecoder


class ScriptedHandle:
    def __init__(self, when: float, callback: Callable[[], None]) -> None:
        self.when = when
        self.callback = callback
        self.cancelled = False

    def cancel(self) -> None:
        self.cancelled = True


class ScriptedLoop:
    """The two things the watchdog asks of its loop, on a clock the test moves."""

    def __init__(self) -> None:
        self.now = 0.0
        self.timers: list[ScriptedHandle] = []
        self.armed = 0

    def time(self) -> float:
        return self.now

    def call_at(self, when: float, callback: Callable[[], None]) -> ScriptedHandle:
        self.armed += 1
        handle = ScriptedHandle(when, callback)
        self.timers.append(handle)
        return handle

    def advance(self, to: float) -> None:
        """Move the clock to ``to``, running each timer due by then at its own time, in order."""
        while True:
            due = sorted((h for h in self.timers if not h.cancelled and h.when <= to), key=lambda h: h.when)
            if not due:
                break
            handle = due[0]
            self.timers.remove(handle)
            self.now = max(self.now, handle.when)
            handle.callback()
        self.now = to


class Reader:
    """Reads like ``ApiSession.stream_events``: a read per chunk, each bracketed; one event per chunk."""

    def __init__(self, watchdog: IdleWatchdog) -> None:
        self.watchdog = watchdog
        self.chunk: asyncio.Future[bool] | None = None
        self.events = 0
        self.outcome = ""

    async def run(self, hold: Callable[[], object] | None = None) -> None:
        watchdog = self.watchdog
        try:
            while True:
                self.chunk = asyncio.get_running_loop().create_future()
                watchdog.reading()
                try:
                    more = await self.chunk
                except asyncio.CancelledError:
                    self.outcome = "timed out" if watchdog.read() else "cancelled"
                    if self.outcome == "cancelled":
                        raise
                    return
                finally:
                    watchdog.read()
                if not more:
                    self.outcome = "ended"
                    return
                self.events += 1
                if hold is not None:
                    await hold()  # the consumer's own time with the event
                watchdog.progress()
        finally:
            watchdog.close()


async def settle() -> None:
    for _ in range(5):
        await asyncio.sleep(0)


async def send(reader: Reader, more: bool = True) -> None:
    assert reader.chunk is not None and not reader.chunk.done()
    reader.chunk.set_result(more)
    await settle()


async def test_a_stream_with_no_event_for_the_idle_time_is_ended() -> None:
    clock = ScriptedLoop()
    reader = Reader(IdleWatchdog(1.0, clock))  # type: ignore[arg-type]
    task = asyncio.create_task(reader.run())
    await settle()
    clock.now = 0.5
    await send(reader)
    clock.advance(1.4)  # 0.9 s after the event: not yet
    await settle()
    assert not task.done() and reader.outcome == ""
    clock.advance(1.6)
    await settle()
    assert task.done()
    await task
    assert reader.outcome == "timed out" and reader.events == 1
    assert task.cancelling() == 0  # the watchdog's cancel is taken back, as asyncio.timeout does


async def test_a_slow_but_progressing_stream_never_times_out() -> None:
    clock = ScriptedLoop()
    reader = Reader(IdleWatchdog(1.0, clock))  # type: ignore[arg-type]
    task = asyncio.create_task(reader.run())
    await settle()
    # An event every 0.9 s for 90 s: each within the idle time of the last, far beyond it in all.
    for step in range(1, 101):
        clock.advance(step * 0.9)
        await settle()
        await send(reader)
    await send(reader, more=False)
    assert task.done()
    await task
    assert reader.outcome == "ended" and reader.events == 100


async def test_many_events_within_the_idle_time_arm_the_timer_once() -> None:
    clock = ScriptedLoop()
    reader = Reader(IdleWatchdog(60.0, clock))  # type: ignore[arg-type]
    task = asyncio.create_task(reader.run())
    await settle()
    for step in range(1, 1001):
        clock.now = step * 0.001
        await send(reader)
    await send(reader, more=False)
    await task
    assert reader.events == 1000 and clock.armed == 1 and all(h.cancelled for h in clock.timers)


async def test_the_consumers_time_with_an_event_does_not_count() -> None:
    clock = ScriptedLoop()
    reader = Reader(IdleWatchdog(1.0, clock))  # type: ignore[arg-type]
    held = asyncio.Event()
    release = asyncio.Event()

    async def hold() -> None:
        held.set()
        await release.wait()

    task = asyncio.create_task(reader.run(hold))
    await settle()
    clock.now = 0.2
    await send(reader)
    assert held.is_set()
    clock.advance(5.0)  # the consumer keeps the event 4.8 s: the timer fires while no read waits
    await settle()
    release.set()
    await settle()
    assert not task.done() and reader.outcome == ""
    clock.advance(5.9)  # 0.9 s after the consumer asked for the next event
    await settle()
    assert not task.done()
    clock.advance(6.1)
    await settle()
    assert task.done()
    await task
    assert reader.outcome == "timed out"


async def test_a_cancel_from_outside_stays_a_cancel() -> None:
    clock = ScriptedLoop()
    reader = Reader(IdleWatchdog(1.0, clock))  # type: ignore[arg-type]
    task = asyncio.create_task(reader.run())
    await settle()
    task.cancel()
    await settle()
    assert task.cancelled() and reader.outcome == "cancelled"
    assert all(h.cancelled for h in clock.timers)


async def test_a_cancel_from_outside_beside_an_expiry_stays_a_cancel() -> None:
    clock = ScriptedLoop()
    reader = Reader(IdleWatchdog(1.0, clock))  # type: ignore[arg-type]
    task = asyncio.create_task(reader.run())
    await settle()
    task.cancel()  # the user stops it, and the idle time runs out in the same turn of the loop
    clock.advance(2.0)
    await settle()
    assert task.cancelled() and reader.outcome == "cancelled"


# The decoder's fast path (a chunk with no \r and shorter than the cap is decoded whole) must give
# exactly the events the line-by-line reading of the standard gives, however the bytes are split.


def reference_events(stream: bytes) -> list[ServerSentEvent]:
    events: list[ServerSentEvent] = []
    data: list[str] = []
    name = ""
    last_id: str | None = None
    retry: int | None = None
    lines = re.split(rb"\r\n|\r|\n", stream)
    for raw in lines[:-1]:  # the last piece has no line end yet
        line = raw.decode("utf-8", errors="replace")
        if not line:
            if data or name:
                events.append(ServerSentEvent(name or "message", "\n".join(data), last_id, retry))
            data, name = [], ""
            continue
        if line.startswith(":"):
            continue
        field, _, value = line.partition(":")
        value = value.removeprefix(" ")
        if field == "data":
            data.append(value)
        elif field == "event":
            name = value
        elif field == "id" and "\0" not in value:
            last_id = value
        elif field == "retry" and value.isdigit():
            retry = int(value)
    return events


PIECES = [b"data: ", b"data:", b"hello", b" ", b"\n", b"\n", b"\r\n", b"\r", b"event: ping", b"id: 7",
          b"retry: 30", b": keep-alive", "日本".encode(), b"\xe6\x97", b"\xa5", b"\xff", b'{"a": 1}', b"data"]


@pytest.mark.parametrize("seed", range(40))
def test_the_decoder_gives_the_standards_events_however_the_bytes_are_split(seed: int) -> None:
    rng = random.Random(seed)
    stream = b"".join(rng.choice(PIECES) for _ in range(rng.randint(5, 120)))
    if seed % 2:
        stream = stream.replace(b"\r", b"")  # the usual stream: every chunk takes the fast path
    cuts = sorted(rng.sample(range(len(stream) + 1), min(len(stream) + 1, rng.randint(0, 12))))
    chunks = [stream[a:b] for a, b in zip([0, *cuts], [*cuts, len(stream)], strict=True)]
    decoder = SSEDecoder(1 << 20)
    got = [event for chunk in chunks for event in decoder.feed(chunk)]
    assert got == reference_events(stream), (stream, chunks)


async def test_a_stream_over_http_that_lasts_past_the_idle_time_but_keeps_sending_is_read_whole() -> None:
    from tests.test_http_limits import SSE_HEADERS, serving, session

    async def steady(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(SSE_HEADERS)
        for index in range(60):  # 1.5 s in all, an event every 25 ms, the idle time 1 s
            writer.write(b"data: %d\n\n" % index)
            await writer.drain()
            await asyncio.sleep(0.025)

    async with serving(steady) as url, session(url, stream_idle_timeout=1.0) as api:
        received = [event.data async for event in api.stream_events("POST", "/chat/completions", json_body={})]
    assert received == [str(index) for index in range(60)]
