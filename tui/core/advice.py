"""What the user is told when an action cannot be done, or its outcome is not known."""

from __future__ import annotations

from tui.api.domain import Endpoint, Phase
from tui.api.errors import APITimeoutError, ConnectionFailedError, InvalidResponseError


def outcome_unknown(error: Exception) -> bool:
    """A timeout, an unreadable 2xx or a connection closed mid-answer: the request may have been carried out."""
    return isinstance(error, (APITimeoutError, InvalidResponseError)) or (
        isinstance(error, ConnectionFailedError) and "closed the connection" in error.message
    )


def smoke_test_refusal(endpoint: Endpoint, *, read_only: bool) -> str | None:
    """Why this endpoint cannot take a smoke test now, or None when it can (or might)."""
    if endpoint.phase in (Phase.READY, Phase.UNKNOWN):
        return None
    if endpoint.phase in (Phase.PENDING, Phase.STARTING):
        hint = " It is on its way up: try again once it is STARTED."
    elif endpoint.phase is Phase.FAILED:
        hint = " Its last start failed; the details (i) show its history."
    else:
        hint = "" if read_only else " Start it first (s)."
    return f"{endpoint.title} is {endpoint.state}: it cannot answer yet.{hint}"


def empty_table_message(
    *, loaded: bool, failed: bool, any_endpoints: bool, filter_text: str, read_only: bool, serverless: bool
) -> str:
    """What the detail panel says when no row is selected."""
    if not loaded:
        return "No endpoint data: the API did not answer (see above)." if failed else "Loading endpoints…"
    if any_endpoints and filter_text:
        return f"No endpoint matches “{filter_text}”. Escape clears the filter."
    if any_endpoints:
        return "No endpoint selected."
    hint = "" if read_only else " Press n to create one."
    also = "" if serverless else " Press a to list serverless models too."
    return f"No dedicated endpoints in this account.{hint}{also}"
