"""When the next list request goes out, and what the status line says about the last one.

Fast while anything changes state, slow when all is steady, exponential back-off on errors (never shorter
than a 429's Retry-After), so a broken network or a rate limit is never hammered; a request unanswered for
long is said to be hung rather than shown as a green "updated 2 min ago".
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from tui.api.errors import (
    APIError,
    AuthenticationError,
    ConnectionFailedError,
    InvalidResponseError,
    RateLimitError,
    ServerError,
)
from tui.core.format import format_ago

#: A list request unanswered for this long is shown as hung (not as a green "updated 2 min ago").
HUNG_AFTER_SECONDS = 10.0


def describe_error(error: BaseException) -> str:
    """A short phrase for a status line: ``429 rate limited``, ``connection failed``."""
    if isinstance(error, APIError):
        if error.status and error.status >= 400:
            return f"{error.status} {error.kind}"
        return error.kind
    return f"unexpected error ({type(error).__name__})"


def error_advice(error: BaseException) -> str:
    """What the user can do about it, in one sentence."""
    if isinstance(error, AuthenticationError):
        return "Check the API key of this profile; it may be wrong, revoked or lack permission."
    if isinstance(error, RateLimitError):
        return "The service asked for fewer requests; polling slows down until it answers again."
    if isinstance(error, ConnectionFailedError):
        return "No answer from the API: is the network up? Retrying by itself."
    if isinstance(error, ServerError):
        return "The API is failing on its side; usually passing. Retrying by itself."
    if isinstance(error, InvalidResponseError):
        return "The API answered with something this app cannot read; retrying by itself."
    return "Retrying by itself."


@dataclass
class PollScheduler:
    """When the next list request goes out, and what the status line says meanwhile.

    Fast while anything is changing state, slow when all is steady, exponential back-off on errors
    (never shorter than a 429's Retry-After), so a broken network or a rate limit is never hammered.
    """

    slow: float
    fast: float
    max_backoff: float = 60.0
    failures: int = 0
    last_success: datetime | None = None
    last_error: BaseException | None = None
    next_due: datetime | None = None
    #: When the list request in flight went out; None between polls.
    in_flight_since: datetime | None = None
    #: A poll unanswered this long is said to be hung, whatever the request's own deadline.
    hung_after: float = HUNG_AFTER_SECONDS

    def sent(self, at: datetime) -> None:
        self.in_flight_since = at

    def answered(self) -> None:
        """The request in flight ended (well, badly or cancelled)."""
        self.in_flight_since = None

    def waited(self, now: datetime) -> float | None:
        """Seconds the poll in flight has gone unanswered, once that is long enough to say so."""
        if self.in_flight_since is None:
            return None
        waited = (now - self.in_flight_since).total_seconds()
        return waited if waited >= self.hung_after else None

    def hung(self, now: datetime) -> bool:
        return self.waited(now) is not None

    def succeeded(self, at: datetime) -> None:
        self.failures = 0
        self.last_error = None
        self.last_success = at

    def failed(self, error: BaseException) -> None:
        self.failures += 1
        self.last_error = error

    def ok(self, now: datetime) -> bool:
        return self.last_error is None and not self.hung(now)

    def stale(self, now: datetime) -> bool:
        """There is data on screen, but the last attempt to refresh it failed or has not answered."""
        return self.last_success is not None and (self.last_error is not None or self.hung(now))

    def interval(self, *, busy: bool) -> float:
        if self.failures == 0:
            return self.fast if busy else self.slow
        backoff = max(self.fast, 1.0) * 2**self.failures
        delay = min(backoff, max(self.max_backoff, self.slow))
        if isinstance(self.last_error, RateLimitError) and self.last_error.retry_after:
            delay = max(delay, self.last_error.retry_after)
        return delay

    def schedule(self, at: datetime, *, busy: bool) -> float:
        delay = self.interval(busy=busy)
        self.next_due = at + timedelta(seconds=delay)
        return delay

    def retry_in(self, now: datetime) -> float | None:
        if self.next_due is None:
            return None
        return max(0.0, (self.next_due - now).total_seconds())

    def status(self, now: datetime) -> str:
        waited = self.waited(now)
        if waited is not None:
            text = f"no answer for {int(waited)} s — r tries again"
            if self.last_success is not None:
                text += f" · stale, updated {format_ago(now - self.last_success)}"
            return text
        if self.last_error is None:
            if self.last_success is None:
                return "connecting…"
            return f"updated {format_ago(now - self.last_success)}"
        text = describe_error(self.last_error)
        remaining = self.retry_in(now)
        if remaining is not None:
            text += f" — retrying in {math.ceil(remaining)} s"
        if self.last_success is not None:
            text += f" · stale, updated {format_ago(now - self.last_success)}"
        return text
