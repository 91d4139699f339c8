"""Server-sent events from a byte stream, with a cap on every line and every event.

httpx-sse buffers a line until its newline arrives, so a server that sends 100 MB without one makes the
client hold 100 MB. This decoder works on bytes and refuses a line (or an event made of many ``data:``
lines) past ``max_event_bytes`` as soon as the buffer passes it, without reading the rest.

Each event carries its ``StreamOrigin`` (the request's path and id), so an error about an event, raised here
or by the client that reads its data, names the request like every other error does.
"""

from __future__ import annotations

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
