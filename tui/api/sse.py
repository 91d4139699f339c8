"""Server-sent events from a byte stream, with a cap on every line and every event.

httpx-sse buffers a line until its newline arrives, so a server that sends 100 MB without one makes the
client hold 100 MB. This decoder works on bytes and refuses a line (or an event made of many ``data:``
lines) past ``max_event_bytes`` as soon as the buffer passes it, without reading the rest.

Each event carries its ``StreamOrigin`` (the request's path and id), so an error about an event, raised here
or by the client that reads its data, names the request like every other error does.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

from tui.api import errors


@dataclass(frozen=True, slots=True)
class StreamOrigin:
    """The answer a stream's events belong to: what an error about one of them must name."""

    #: The request's path as sent (``/v1/chat/completions``), not the client's relative one.
    path: str
    status: int | None = None
    request_id: str | None = None

    def describe(self, detail: str) -> str:
        return f"{self.path}: {detail}" if self.path else detail


@dataclass(frozen=True)
class ServerSentEvent:
    event: str = "message"
    data: str = ""
    id: str | None = None
    retry: int | None = None
    origin: StreamOrigin | None = field(default=None, compare=False)


class EventTooLargeError(errors.ResponseTooLargeError):
    """An event line or an event past the cap."""


class SSEDecoder:
    """Feed bytes, get complete events; follows the HTML living standard's event-stream parsing."""

    def __init__(self, max_event_bytes: int, origin: StreamOrigin | None = None) -> None:
        self._max = max_event_bytes
        self._origin = origin
        self._buffer = bytearray()
        self._pending_cr = False
        self._data: list[str] = []
        self._data_size = 0
        self._event = ""
        self._id: str | None = None
        self._retry: int | None = None

    def feed(self, chunk: bytes) -> list[ServerSentEvent]:
        events: list[ServerSentEvent] = []
        start = 0
        if self._pending_cr and chunk.startswith(b"\n"):
            start = 1  # the \n of a \r\n split across two chunks
        self._pending_cr = False
        length = len(chunk)
        if len(self._buffer) + length - start <= self._max and chunk.find(b"\r", start) < 0:
            # The usual chunk (a few whole events ending in \n, no \r): every line in it is shorter than
            # the cap, so it is decoded once and split, not line by line. Same text: a \n byte is never
            # part of a UTF-8 sequence, so decoding across it replaces exactly what per line would.
            end = chunk.rfind(b"\n", start)
            if end < 0:
                self._buffer += chunk[start:]
                return events
            head = chunk[start:end]
            if self._buffer:
                head = bytes(self._buffer) + head
                self._buffer.clear()
            self._buffer += chunk[end + 1:]
            for text in head.decode("utf-8", errors="replace").split("\n"):
                event = self._line(text)
                if event is not None:
                    events.append(event)
            return events
        while start < length:
            cut = _next_break(chunk, start)
            if cut < 0:
                self._buffer += chunk[start:]
                if len(self._buffer) > self._max:
                    raise self._too_large("a line")
                break
            self._buffer += chunk[start:cut]
            if len(self._buffer) > self._max:
                raise self._too_large("a line")
            line = bytes(self._buffer)
            self._buffer.clear()
            if chunk[cut] == 0x0D:  # \r, maybe followed by \n
                if cut + 1 < length:
                    start = cut + 2 if chunk[cut + 1] == 0x0A else cut + 1
                else:
                    self._pending_cr = True
                    start = length
            else:
                start = cut + 1
            event = self._line(line.decode("utf-8", errors="replace"))
            if event is not None:
                events.append(event)
        return events

    def _line(self, line: str) -> ServerSentEvent | None:
        if not line:
            return self._dispatch()
        if line.startswith(":"):
            return None
        name, _, value = line.partition(":")
        value = value.removeprefix(" ")
        if name == "data":
            self._data.append(value)
            self._data_size += len(value) + 1
            if self._data_size > self._max:
                raise self._too_large("an event")
        elif name == "event":
            self._event = value
        elif name == "id":
            if "\0" not in value:
                self._id = value
        elif name == "retry" and value.isdigit():
            self._retry = int(value)
        return None

    def _dispatch(self) -> ServerSentEvent | None:
        if not self._data and not self._event:
            return None
        event = ServerSentEvent(self._event or "message", "\n".join(self._data), self._id, self._retry, self._origin)
        self._data, self._data_size, self._event = [], 0, ""
        return event

    def _too_large(self, what: str) -> EventTooLargeError:
        origin = self._origin or StreamOrigin("")
        return EventTooLargeError(
            origin.describe(f"response too large: {what} in the event stream passed {format_size(self._max)}"),
            status=origin.status,
            request_id=origin.request_id,
        )


class IdleWatchdog:
    """Cancels the task reading a stream once no event has come for ``idle`` seconds while it waits
    for bytes: the time the consumer spends on an event never counts, as with a deadline of the last
    event + ``idle`` around each read.

    One timer for the whole stream, not an ``asyncio.timeout`` per read (that cost a tenth of reading
    a fast stream): it is set for the deadline known when it was armed, and when it fires and finds
    that an event came since, it is set again for the later deadline. It wakes about once per
    ``idle`` seconds whatever the stream's rate. The reader brackets each read with ``reading()`` and
    ``read()`` (which says whether a CancelledError out of it is the watchdog's), calls ``progress()``
    after each event and ``close()`` at the end.
    """

    __slots__ = ("_cancelling", "_handle", "_idle", "_last", "_loop", "_task", "expired")

    def __init__(self, idle: float, loop: asyncio.AbstractEventLoop | None = None) -> None:
        self._loop = loop or asyncio.get_running_loop()
        self._idle = idle
        self._last = self._loop.time()
        self._handle: asyncio.TimerHandle | None = None
        #: The task waiting for bytes, while it waits.
        self._task: asyncio.Task[object] | None = None
        self._cancelling = 0
        self.expired = False

    def progress(self) -> None:
        """An event came (and its consumer asks for the next one): the deadline moves on."""
        self._last = self._loop.time()

    def reading(self) -> None:
        task = asyncio.current_task()
        assert task is not None, "a stream is read in a task"
        self._task = task
        # A cancel already pending (the user's) stays the user's: only one beyond it is ours.
        self._cancelling = task.cancelling()
        if self._handle is None:
            self._handle = self._loop.call_at(self._last + self._idle, self._fire)

    def read(self) -> bool:
        """The read is over, however it ended: whether the watchdog cancelled it (and no one else did,
        as ``asyncio.timeout`` tells them apart). Only the first call after a read answers."""
        task, self._task = self._task, None
        return self.expired and task is not None and task.uncancel() <= self._cancelling

    def close(self) -> None:
        if self._handle is not None:
            self._handle.cancel()
            self._handle = None
        self._task = None

    def _fire(self) -> None:
        self._handle = None
        task = self._task
        if task is None:
            # The consumer has the stream: its next read arms the timer from its last event.
            return
        deadline = self._last + self._idle
        if self._loop.time() < deadline:
            self._handle = self._loop.call_at(deadline, self._fire)
            return
        self.expired = True
        task.cancel()


def _next_break(chunk: bytes, start: int) -> int:
    lf, cr = chunk.find(b"\n", start), chunk.find(b"\r", start)
    if lf < 0:
        return cr
    if cr < 0:
        return lf
    return min(lf, cr)


def format_size(count: int) -> str:
    if count >= 1 << 20:
        return f"{count / (1 << 20):g} MB"
    if count >= 1 << 10:
        return f"{count / (1 << 10):g} KB"
    return f"{count} bytes"
