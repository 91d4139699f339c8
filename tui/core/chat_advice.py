"""What went wrong with a chat request, in the user's terms, and what they can do about it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from tui.api.errors import (
    APIError,
    APITimeoutError,
    AuthenticationError,
    ConnectionFailedError,
    EndpointNotRunningError,
    NotFoundError,
    PaymentRequiredError,
    RateLimitError,
    ServerError,
    StreamError,
    StreamTruncatedError,
)

if TYPE_CHECKING:
    from tui.core.chat import ChatTarget


@dataclass(frozen=True, slots=True)
class ErrorAdvice:
    """What went wrong, in the user's terms, and what they can do about it."""

    title: str
    detail: str
    hint: str
    #: The endpoint is not running: the pane offers to start it.
    offer_start: bool = False
    #: A legacy endpoint that can no longer start: the pane offers to redeploy it (the deploy form).
    offer_redeploy: bool = False
    #: Deployments serve but the split routes nothing to them: the pane offers the traffic split editor.
    offer_traffic: bool = False


def advise(error: APIError, target: ChatTarget) -> ErrorAdvice:
    detail = error.message
    if error.request_id:
        detail = f"{detail} (request {error.request_id})"
    if isinstance(error, EndpointNotRunningError):
        if target.is_endpoint:
            return ErrorAdvice(
                "Endpoint not running",
                detail,
                f"It has no running replica ({error.code or 'model_not_available'}): start it, then retry.",
                offer_start=True,
            )
        return ErrorAdvice(
            "Model not available serverless",
            detail,
            "This model needs a dedicated endpoint: create one from the Hardware pane, or pick another target.",
        )
    if isinstance(error, AuthenticationError):
        return ErrorAdvice(
            f"API key refused ({error.status or 401})",
            detail,
            "Check the key of this profile (together-tui auth), then retry.",
        )
    if isinstance(error, RateLimitError):
        wait = f" in {error.retry_after:.0f} s" if error.retry_after else " in a moment"
        return ErrorAdvice(f"Rate limited ({error.status or 429})", detail, f"Retry{wait}.")
    if isinstance(error, StreamTruncatedError):
        return ErrorAdvice(
            "Stream cut", detail, "The answer above is incomplete (no [DONE] arrived). Retry for a full answer."
        )
    if isinstance(error, StreamError):
        return ErrorAdvice(
            "Error during the answer", detail, "The service failed mid-answer; what arrived is kept. Retry."
        )
    if isinstance(error, ServerError):
        return ErrorAdvice(f"Server error ({error.status or '5xx'})", detail, "Usually passing: retry.")
    if isinstance(error, PaymentRequiredError):
        return ErrorAdvice("Payment required (402)", detail, "Check the account's credits or spending limit.")
    if isinstance(error, NotFoundError):
        return ErrorAdvice(
            "Not found (404)", detail, "The endpoint or model no longer exists: pick another target."
        )
    if isinstance(error, APITimeoutError):
        return ErrorAdvice("Timed out", detail, "No answer in time: retry.")
    if isinstance(error, ConnectionFailedError):
        return ErrorAdvice("Connection failed", detail, "Check the network or base URL, then retry.")
    status = f" ({error.status})" if error.status else ""
    return ErrorAdvice(f"{error.kind.capitalize()}{status}", detail, "Retry, or change the request.")


__all__ = ["ErrorAdvice", "advise"]
