"""When a request may be sent again, and how long to wait first."""

from __future__ import annotations

import email.utils
import random
import time
from dataclasses import dataclass

import httpx

#: Methods safe to send twice; POST is not (a repeated create is a second billable endpoint).
IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "PATCH", "DELETE"})
RETRY_STATUSES = frozenset({408, 429, 500, 502, 503, 504})


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
    """``retry-after-ms``, then ``retry-after`` as seconds or an HTTP date; None for nonsense (NaN, inf)."""
    if value := headers.get("retry-after-ms"):
        seconds = _finite(value)
        if seconds is not None:
            return max(seconds / 1000.0, 0.0)
    value = headers.get("retry-after")
    if not value:
        return None
    seconds = _finite(value)
    if seconds is not None:
        return max(seconds, 0.0)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    return max(when.timestamp() - time.time(), 0.0)


def _finite(text: str) -> float | None:
    try:
        number = float(text)
    except ValueError:
        return None
    return number if number == number and abs(number) != float("inf") else None
