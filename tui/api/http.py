"""The HTTP session every provider client shares: auth, URL safety, retries, deadlines, size caps, parsing.

``ApiSession`` is the one place that talks HTTP, so each limit holds for every client built on it:

* **Deadlines.** httpx's timeouts are per read, so a body trickling a byte every few seconds never times
  out. Every request here has an overall deadline (reads ~15 s, actions ~30 s) that covers connecting,
  retries, the waits between them and reading the whole body; a stream has an idle deadline between events.
* **Size caps.** Bodies are read in chunks and refused past ``max_body_bytes`` (20 MB) without reading the
  rest; event-stream lines and events past ``max_event_bytes`` (1 MB) likewise (``tui.api.sse``).
* **Errors.** Every error carries display-safe text with the key masked (``tui.api.error_mapping``).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncGenerator, Awaitable, Callable, Mapping
from dataclasses import replace
from typing import Any, TypeVar

import httpx
from pydantic import BaseModel, ValidationError

from tui import __version__
from tui.api import errors
from tui.api.auth import BearerAuth, SecretLike, mask_key, maskable, reveal
from tui.api.error_mapping import error_from_response, error_from_transport, host_of, request_id_of, safe_message
from tui.api.retry import IDEMPOTENT_METHODS, RETRY_STATUSES, RetryPolicy, retry_after_seconds
from tui.api.sse import IdleWatchdog, ServerSentEvent, SSEDecoder, StreamOrigin, format_size
from tui.api.tls import ssl_context
from tui.api.urls import check_base_url_safe, trust_env_for
from tui.keys.secret import ApiKey

__all__ = [
    "IDEMPOTENT_METHODS",
    "RETRY_STATUSES",
    "ApiSession",
    "BearerAuth",
    "RetryPolicy",
    "SecretLike",
    "ServerSentEvent",
    "Sleep",
    "default_sleep",
    "error_from_response",
    "error_from_transport",
    "mask_key",
    "request_id_of",
    "retry_after_seconds",
    "reveal",
]

Sleep = Callable[[float], Awaitable[None]]
default_sleep: Sleep = asyncio.sleep

#: Per-operation limits of httpx (the official SDK's: 60 s, 5 s to connect); the deadlines below are tighter.
DEFAULT_TIMEOUT = httpx.Timeout(60.0, connect=5.0)
#: A list or a get that has not finished by then is shown as failing rather than left "updating".
READ_DEADLINE = 15.0
#: Creates, updates, deletes: the service may take a while to accept them, but not forever.
ACTION_DEADLINE = 30.0
#: A stream that sends no event for this long is dead (a model thinking still sends keep-alives).
STREAM_IDLE_TIMEOUT = 60.0
MAX_BODY_BYTES = 20 * 1024 * 1024
MAX_EVENT_BYTES = 1024 * 1024

_READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# Describe the decoded body that replaces the streamed one; the original values describe compressed bytes.
_BODY_HEADERS = frozenset({"content-encoding", "content-length", "transfer-encoding"})

M = TypeVar("M", bound=BaseModel)


class ApiSession:
    """One ``httpx.AsyncClient`` with the key, the base URL and every limit; methods raise ``tui.api.errors``."""

    def __init__(
        self,
        api_key: str | SecretLike,
        base_url: str,
        *,
        headers: Mapping[str, str] | None = None,
        timeout: httpx.Timeout | float = DEFAULT_TIMEOUT,
        retry: RetryPolicy | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        sleep: Sleep = default_sleep,
        read_deadline: float = READ_DEADLINE,
        action_deadline: float = ACTION_DEADLINE,
        stream_idle_timeout: float = STREAM_IDLE_TIMEOUT,
        max_body_bytes: int = MAX_BODY_BYTES,
        max_event_bytes: int = MAX_EVENT_BYTES,
    ) -> None:
        # Raises InsecureBaseURLError (a ValueError): a key never goes out in clear text.
        check_base_url_safe(base_url)
        self.base_url = base_url.rstrip("/")
        self.read_deadline = read_deadline
        self.action_deadline = action_deadline
        self.stream_idle_timeout = stream_idle_timeout
        self.max_body_bytes = max_body_bytes
        self.max_event_bytes = max_event_bytes
        # Held as an ApiKey even when given as a str, so vars() and crash reports show it masked.
        self._key: SecretLike | str = ApiKey(api_key) if isinstance(api_key, str) and api_key else api_key
        self._retry = retry or RetryPolicy()
        self._sleep = sleep
        trust_env = trust_env_for(base_url)
        self._http = httpx.AsyncClient(
            base_url=self.base_url,
            auth=BearerAuth(self._key),
            timeout=timeout,
            transport=transport,
            verify=ssl_context(trust_env=trust_env),
            # HTTP_PROXY must not see the key sent in clear text to a loopback simulator.
            trust_env=trust_env,
            follow_redirects=False,
            headers={"User-Agent": f"together-tui/{__version__}", "Accept": "application/json", **(headers or {})},
        )

    def __repr__(self) -> str:
        return f"ApiSession(base_url={self.base_url!r})"

    async def aclose(self) -> None:
        await self._http.aclose()

    async def __aenter__(self) -> ApiSession:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    def safe_message(self, text: str) -> str:
        """``text`` as one display-safe line with this session's key masked."""
        return safe_message(text, self._key)

    # Requests

    async def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, str] | None = None,
        json_body: Any = None,
        headers: Mapping[str, str] | None = None,
        retry: bool | None = None,
        deadline: float | None = None,
    ) -> httpx.Response:
        """Send and read the whole (capped) body; a status >= 400 raises its mapped error.

        ``path`` is relative to the base URL, or an absolute URL (another host of the same provider, which
        must pass the same safety check). Retried only when ``retry`` says so, by default for idempotent
        methods; everything, retries and waits included, ends within ``deadline`` seconds (by default
        ``read_deadline`` for GET, ``action_deadline`` otherwise).
        """
        url = self._url(path)
        method = method.upper()
        may_retry = method in IDEMPOTENT_METHODS if retry is None else retry
        limit = deadline if deadline is not None else self._deadline_for(method)
        loop = asyncio.get_running_loop()
        ends = loop.time() + limit
        attempt = 0
        while True:
            try:
                async with asyncio.timeout_at(ends):
                    response = await self._send_and_read(method, url, params, json_body, headers)
            except TimeoutError:
                raise self._deadline_error(url, limit) from None
            except httpx.TransportError as exc:
                error = error_from_transport(exc, url, key=self._key)
                delay = self._retry.delay(attempt, None) if may_retry else None
            else:
                if response.status_code < 400:
                    return response
                error = error_from_response(response, key=self._key)
                retryable = may_retry and response.status_code in RETRY_STATUSES
                delay = self._retry.delay(attempt, response) if retryable else None
            if delay is None or loop.time() + delay >= ends:
                raise error
            await self._sleep(delay)
            attempt += 1

    async def stream_events(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, str] | None = None,
        json_body: Any = None,
        headers: Mapping[str, str] | None = None,
        deadline: float | None = None,
        idle_timeout: float | None = None,
    ) -> AsyncGenerator[ServerSentEvent, None]:
        """Yield the events of an event-stream answer. Never retried (a stream is a billed completion).

        The answer's headers must arrive within ``deadline`` (``action_deadline``), then each event within
        ``idle_timeout`` (``stream_idle_timeout``) of the previous one. An HTTP error raises its mapped error;
        a connection broken after the first event raises StreamTruncatedError (what arrived stays valid).
        """
        url = self._url(path)
        limit = deadline if deadline is not None else self.action_deadline
        idle = idle_timeout if idle_timeout is not None else self.stream_idle_timeout
        request = self._http.build_request(
            method.upper(),
            url,
            params=params,
            json=json_body,
            headers={**(headers or {}), "Accept": "text/event-stream", "Cache-Control": "no-store"},
        )
        loop = asyncio.get_running_loop()
        try:
            async with asyncio.timeout(limit):
                response = await self._http.send(request, stream=True)
        except TimeoutError:
            raise self._deadline_error(url, limit) from None
        except httpx.TransportError as exc:
            raise error_from_transport(exc, url, key=self._key) from None
        received = 0
        watchdog: IdleWatchdog | None = None
        try:
            if response.status_code >= 400:
                async with asyncio.timeout(limit):
                    body = await self._read_capped(response)
                raise error_from_response(_with_body(response, body), key=self._key)
            content_type = response.headers.get("content-type", "").partition(";")[0].strip()
            if content_type != "text/event-stream":
                raise self.invalid(response, f"expected an event stream, got {content_type or 'no content type'}")
            origin = StreamOrigin(response.request.url.path, response.status_code, request_id_of(response))
            decoder = SSEDecoder(self.max_event_bytes, origin)
            chunks = response.aiter_bytes()
            secret = maskable(self._key)
            watchdog = IdleWatchdog(idle, loop)
            while True:
                watchdog.reading()
                try:
                    chunk = await anext(chunks)
                except StopAsyncIteration:
                    return
                except (TimeoutError, asyncio.CancelledError) as exc:
                    if watchdog.read() or isinstance(exc, TimeoutError):
                        raise errors.APITimeoutError(
                            f"No event from {host_of(url)} for {idle:g} s", status=response.status_code,
                            request_id=origin.request_id,
                        ) from None
                    raise
                except httpx.TransportError as exc:
                    if received and not isinstance(exc, httpx.TimeoutException):
                        raise errors.StreamTruncatedError(
                            f"The connection broke mid-answer ({type(exc).__name__})", chunks_received=received,
                            request_id=origin.request_id,
                        ) from None
                    raise error_from_transport(exc, url, key=self._key) from None
                finally:
                    watchdog.read()
                for event in decoder.feed(chunk):
                    received += 1
                    yield _masked_event(event, secret) if secret else event
                    watchdog.progress()
        finally:
            if watchdog is not None:
                watchdog.close()
            await response.aclose()

    # Bodies

    def body(self, response: httpx.Response) -> bytes:
        """The response's bytes with the key masked: a server that echoes it in data (a status message, a
        name) must not put it on screen. One substring search per body (the key is ASCII, JSON quotes it
        verbatim; an escaped spelling such as ``\\u0041…`` is not caught)."""
        content = response.content
        if (value := maskable(self._key)) and (secret := value.encode()) in content:
            content = content.replace(secret, ApiKey(value).masked.encode())
        return content

    def json(self, response: httpx.Response) -> Any:
        try:
            return json.loads(self.body(response))
        except (ValueError, RecursionError):
            raise self.invalid(response, "the body is not valid JSON") from None

    def parse(self, response: httpx.Response, model: type[M]) -> M:
        return self.validate(response, model, self.json(response))

    def validate(self, response: httpx.Response, model: type[M], payload: Any) -> M:
        try:
            return model.model_validate(payload)
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(part) for part in first["loc"]) or "body"
            raise self.invalid(response, f"unexpected {model.__name__} ({where}: {first['msg']})") from None
        except RecursionError:
            raise self.invalid(response, f"unexpected {model.__name__} (nested too deeply)") from None

    def invalid(self, response: httpx.Response, detail: str) -> errors.InvalidResponseError:
        path = response.request.url.path if response.request else ""
        return errors.InvalidResponseError(
            self.safe_message(f"{path}: {detail}"), status=response.status_code, request_id=request_id_of(response)
        )

    def stream_invalid(self, event: ServerSentEvent, detail: str) -> errors.InvalidResponseError:
        """As ``invalid``, for an event whose payload is not what the API promises (its stream's path and id)."""
        origin = event.origin or StreamOrigin("")
        return errors.InvalidResponseError(
            self.safe_message(origin.describe(detail)), status=origin.status, request_id=origin.request_id
        )

    # Plumbing

    def _url(self, path: str) -> str:
        if "://" in path:
            check_base_url_safe(path)
            return path
        return self.base_url + path

    def _deadline_for(self, method: str) -> float:
        return self.read_deadline if method in _READ_METHODS else self.action_deadline

    def _deadline_error(self, url: str, limit: float) -> errors.APITimeoutError:
        return errors.APITimeoutError(f"No complete answer from {host_of(url)} within {limit:g} s")

    async def _send_and_read(
        self,
        method: str,
        url: str,
        params: Mapping[str, str] | None,
        json_body: Any,
        headers: Mapping[str, str] | None,
    ) -> httpx.Response:
        request = self._http.build_request(method, url, params=params, json=json_body, headers=headers)
        response = await self._http.send(request, stream=True)
        try:
            body = await self._read_capped(response)
        finally:
            await response.aclose()
        return _with_body(response, body)

    async def _read_capped(self, response: httpx.Response) -> bytes:
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > self.max_body_bytes:
            raise self._too_large(response)
        body = bytearray()
        async for chunk in response.aiter_bytes():  # decoded: a compressed bomb is capped too
            body += chunk
            if len(body) > self.max_body_bytes:
                raise self._too_large(response)
        return bytes(body)

    def _too_large(self, response: httpx.Response) -> errors.ResponseTooLargeError:
        path = response.request.url.path if response.request else ""
        return errors.ResponseTooLargeError(
            self.safe_message(f"response too large: {path} sent more than {format_size(self.max_body_bytes)}"),
            status=response.status_code,
            request_id=request_id_of(response),
        )


def _masked_event(event: ServerSentEvent, secret: str) -> ServerSentEvent:
    """``event`` with the key (``secret``, from ``maskable``: looked up once per stream) masked in its data."""
    if secret not in event.data:
        return event
    return replace(event, data=mask_key(event.data, secret))


def _with_body(streamed: httpx.Response, body: bytes) -> httpx.Response:
    """A complete response holding ``body`` (already decoded), for parsing and error mapping."""
    headers = [(name, value) for name, value in streamed.headers.multi_items() if name.lower() not in _BODY_HEADERS]
    return httpx.Response(
        streamed.status_code,
        headers=headers,
        content=body,
        request=streamed.request,
        # The reason phrase and HTTP version live here.
        extensions=streamed.extensions,
    )
