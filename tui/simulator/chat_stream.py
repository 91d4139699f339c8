"""The simulator's SSE framing for chat: one ``data:`` event per token at the configured rate, with the
faults that a real stream shows (a cut connection, an error event, a stall, malformed JSON)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any

from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from tui.simulator import engine_shapes
from tui.simulator.catalogue import Model
from tui.simulator.chat import CONTENT, Completion, chunk, final_chunk, token_id
from tui.simulator.wire import add_extra_fields, dumps, malform


class StreamCut(Exception):
    """Raised inside a response stream to make the server drop the connection mid-body."""


class _HideStreamCut(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return not (record.exc_info and isinstance(record.exc_info[1], StreamCut))


_HIDE_STREAM_CUT = _HideStreamCut()


def hide_stream_cut_tracebacks() -> None:
    """uvicorn logs any exception escaping the app; a deliberate cut is not worth a traceback."""
    logger = logging.getLogger("uvicorn.error")
    if _HIDE_STREAM_CUT not in logger.filters:
        logger.addFilter(_HIDE_STREAM_CUT)


@dataclass
class StreamPlan:
    completion: Completion
    model: Model
    name: str
    completion_id: str
    created: int
    tokens_per_second: float
    cut_after: int | None = None
    error_after: int | None = None
    stall_after: int | None = None
    extra_fields: bool = False
    malformed: Callable[[], bool] | None = None
    request_id: str = ""
    current_engine: bool = False
    """Stream the current engine's shape (see `engine_shapes`) instead of the older one."""


def _event(payload: dict[str, Any], plan: StreamPlan) -> bytes:
    if plan.extra_fields:
        payload = add_extra_fields(payload)
    data = dumps(payload)
    if plan.malformed is not None and plan.malformed():
        data = malform(data)
    return b"data: " + data + b"\n\n"


async def stream_events(plan: StreamPlan) -> AsyncIterator[bytes]:
    loop = asyncio.get_running_loop()
    interval = 1 / plan.tokens_per_second if plan.tokens_per_second > 0 else 0.0
    started = loop.time()
    shapes = engine_shapes if plan.current_engine else None
    if shapes:
        template = chunk(completion_id=plan.completion_id, created=plan.created, model=plan.name, kind=CONTENT,
                         text="", token=0)
        yield _event(shapes.first_chunk(template), plan)
    for index, (kind, text) in enumerate(plan.completion.tokens):
        if plan.stall_after is not None and index >= plan.stall_after:
            # Hold the connection open and send nothing: the client's read timeout must fire.
            await asyncio.Event().wait()
        if plan.cut_after is not None and index >= plan.cut_after:
            raise StreamCut()
        if plan.error_after is not None and index >= plan.error_after:
            error = {
                "message": "Internal error while generating the response. Please retry.",
                "type": "server_error",
                "param": None,
                "code": None,
            }
            yield _event({"error": error}, plan)
            return
        if interval:
            # An absolute schedule, so that slow writes do not make the stream drift.
            delay = started + index * interval - loop.time()
            await asyncio.sleep(max(delay, 0.0))
        else:
            await asyncio.sleep(0)
        payload = chunk(
            completion_id=plan.completion_id,
            created=plan.created,
            model=plan.name,
            kind=kind,
            text=text,
            token=token_id(text),
        )
        yield _event(shapes.chunk(payload) if shapes else payload, plan)
    count = len(plan.completion.tokens)
    if plan.stall_after is not None and count >= plan.stall_after:
        await asyncio.Event().wait()
    if plan.cut_after is not None and count >= plan.cut_after:
        raise StreamCut()
    if interval:
        await asyncio.sleep(max(started + count * interval - loop.time(), 0.0))
    final = final_chunk(
        plan.completion,
        completion_id=plan.completion_id,
        created=plan.created,
        model=plan.model,
        name=plan.name,
    )
    if shapes:
        trailer = shapes.usage_chunk(final, plan.completion)
        yield _event(shapes.chunk(final), plan)
        yield _event(trailer, plan)
    else:
        yield _event(final, plan)
    yield b"data: [DONE]\n\n"


class EventStreamResponse(Response):
    """An SSE response that sends each event as its own body message, and stops on disconnect.

    Unlike Starlette's StreamingResponse under ASGI >= 2.4, it always watches for the client
    going away, so a stalled stream does not outlive its client.
    """

    media_type = "text/event-stream"

    def __init__(self, events: AsyncIterator[bytes], headers: dict[str, str]) -> None:
        self.events = events
        self.status_code = 200
        self.background = None
        self.init_headers({"cache-control": "no-cache", **headers})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": self.status_code, "headers": self.raw_headers})

        async def pump() -> None:
            async for data in self.events:
                await send({"type": "http.response.body", "body": data, "more_body": True})
            await send({"type": "http.response.body", "body": b"", "more_body": False})

        async def wait_disconnect() -> None:
            while (await receive())["type"] != "http.disconnect":
                pass

        pump_task = asyncio.ensure_future(pump())
        watch_task = asyncio.ensure_future(wait_disconnect())
        try:
            await asyncio.wait({pump_task, watch_task}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in (pump_task, watch_task):
                if not task.done():
                    task.cancel()
            await asyncio.gather(pump_task, watch_task, return_exceptions=True)
        if pump_task.done() and not pump_task.cancelled():
            exc = pump_task.exception()
            if exc is not None and not isinstance(exc, OSError):
                raise exc
