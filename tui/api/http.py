"""HTTP plumbing any provider can reuse: auth that keeps the key out of reprs, retry policy, error mapping."""

from __future__ import annotations

import asyncio
import email.utils
import json
import random
import time
from collections.abc import Awaitable, Callable, Generator
from dataclasses import dataclass
from typing import Any, Protocol
from urllib.parse import urlsplit

import httpx

from tui.api import errors

#: Methods safe to send twice; POST is not (a repeated create is a second billable endpoint).
IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "PATCH", "DELETE"})
RETRY_STATUSES = frozenset({408, 429, 500, 502, 503, 504})


class SecretLike(Protocol):
    def reveal(self) -> str: ...


def reveal(key: str | SecretLike) -> str:
    return key if isinstance(key, str) else key.reveal()


class BearerAuth(httpx.Auth):
    """Adds the key at send time only, so no header dict holding it sits in a frame or a repr."""

    __slots__ = ("_key",)

    def __init__(self, key: str | SecretLike) -> None:
        self._key = key

    def __repr__(self) -> str:
        return "BearerAuth(<hidden>)"

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers["Authorization"] = "Bearer " + reveal(self._key)
        yield request


@dataclass(frozen=True)
class RetryPolicy:
    max_retries: int = 2
    base_delay: float = 0.5
    max_delay: float = 8.0
    #: A server asking for a longer wait than this is not waited for here: the caller gets the
    #: RateLimitError with ``retry_after`` and decides (a poller backs off, a form says so).
    max_retry_after: float = 20.0

    def delay(self, attempt: int, response: httpx.Response | None) -> float | None:
        """Seconds to wait before retry number ``attempt`` (0-based), or None not to retry."""
        if attempt >= self.max_retries:
            return None
        asked = retry_after_seconds(response.headers) if response is not None else None
        if asked is not None:
            return asked if asked <= self.max_retry_after else None
        backoff = min(self.base_delay * 2**attempt, self.max_delay)
        return backoff * (0.75 + random.random() * 0.5)


def retry_after_seconds(headers: httpx.Headers) -> float | None:
    """``retry-after-ms``, then ``retry-after`` as seconds or an HTTP date."""
    if value := headers.get("retry-after-ms"):
        try:
            return max(float(value) / 1000.0, 0.0)
        except ValueError:
            pass
    value = headers.get("retry-after")
    if not value:
        return None
    try:
        return max(float(value), 0.0)
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(when.timestamp() - time.time(), 0.0)


def request_id_of(response: httpx.Response, body: Any = None) -> str | None:
    for header in ("x-request-id", "x-together-request-id", "cf-ray"):
        if value := response.headers.get(header):
            return value
    if isinstance(body, dict) and isinstance(body.get("id"), str):
        return body["id"]
    return None


def error_from_response(response: httpx.Response) -> errors.APIError:
    """Map an error response to the hierarchy, keeping the service's message and request id."""
    status = response.status_code
    body: Any = None
    message = code = error_type = param = None
    try:
        body = json.loads(response.content) if response.content else None
    except ValueError:
        body = None
    if isinstance(body, dict):
        detail = body.get("error", body)
        if isinstance(detail, dict):
            message = _text(detail.get("message"))
            code = _text(detail.get("code"))
            error_type = _text(detail.get("type"))
            param = _text(detail.get("param"))
        elif isinstance(detail, str):
            message = detail
    if not message:
        text = response.text.strip() if body is None and response.content else ""
        message = text[:300] if text else (response.reason_phrase or f"HTTP {status}")
    kwargs: dict[str, Any] = {
        "status": status,
        "code": code,
        "error_type": error_type,
        "param": param,
        "request_id": request_id_of(response, body),
    }
    if status in (401, 403):
        return errors.AuthenticationError(message, **kwargs)
    if status == 404:
        return errors.NotFoundError(message, **kwargs)
    if status == 429:
        return errors.RateLimitError(message, retry_after=retry_after_seconds(response.headers), **kwargs)
    if status == 402:
        return errors.PaymentRequiredError(message, **kwargs)
    if status == 409:
        return errors.ConflictError(message, **kwargs)
    if status == 408:
        return errors.APITimeoutError(message, **kwargs)
    if status >= 500:
        return errors.ServerError(message, **kwargs)
    if status in (400, 422):
        if code == "model_not_available":
            return errors.EndpointNotRunningError(message, **kwargs)
        return errors.BadRequestError(message, **kwargs)
    return errors.APIError(message, **kwargs)


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def error_from_transport(exc: httpx.TransportError, url: str) -> errors.APIError:
    if isinstance(exc, httpx.TimeoutException):
        phase = {
            httpx.ConnectTimeout: "connecting to",
            httpx.ReadTimeout: "waiting for an answer from",
            httpx.WriteTimeout: "sending to",
            httpx.PoolTimeout: "waiting for a free connection to",
        }.get(type(exc), "talking to")
        return errors.APITimeoutError(f"Timed out {phase} {_host(url)}")
    if isinstance(exc, httpx.RemoteProtocolError):
        return errors.ConnectionFailedError(f"{_host(url)} closed the connection unexpectedly")
    detail = str(exc) or type(exc).__name__
    return errors.ConnectionFailedError(f"Could not reach {_host(url)}: {detail}")


def _host(url: str) -> str:
    parts = urlsplit(url)
    return parts.netloc or url


Sleep = Callable[[float], Awaitable[None]]
default_sleep: Sleep = asyncio.sleep
