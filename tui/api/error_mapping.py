"""From an HTTP answer (or its absence) to the error hierarchy, with a message that is safe to show.

Everything a server puts in an error (its message, reason phrase, an HTML page from a proxy) is untrusted
text: it is cleaned with ``safe_text`` and the API key is masked in it before any error object exists, so no
screen, log line or crash report can show the key or pass terminal control through an error.
"""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import urlsplit

import httpx

from tui.api import errors
from tui.api.auth import SecretLike, mask_key
from tui.api.retry import retry_after_seconds
from tui.api.safe_text import clean, truncate

#: Long enough for any real API message, short enough for a banner.
MESSAGE_LIMIT = 300
_REQUEST_ID_HEADERS = ("x-request-id", "x-together-request-id", "request-id", "cf-ray")
_HTML_START = re.compile(rb"\s*<(!doctype\s+html|html|head|body)\b", re.IGNORECASE)

#: Together's refusal to create or restart a v1 endpoint (v1 is retired for those: redeploy on v2). Mapped
#: here, not in the Together adapter, because its 403 would otherwise read as "key refused" to every caller.
V1_RETIRED_CODE = "endpoints_v1_create_access_disabled"


def request_id_of(response: httpx.Response, body: Any = None) -> str | None:
    """The request id to quote to support: a header, else the body's ``id`` (Together's chat errors)."""
    for header in _REQUEST_ID_HEADERS:
        if value := response.headers.get(header):
            return clean(value, limit=100) or None
    if isinstance(body, dict) and isinstance(body.get("id"), str):
        return clean(body["id"], limit=100) or None
    return None


def safe_message(text: str, key: str | SecretLike | None) -> str:
    """``text`` as one display-safe line with the key masked; the key is masked before cleaning so a
    control character inserted into it cannot split it past the mask, and after, in case cleaning joined it."""
    return truncate(mask_key(clean(mask_key(text, key)), key), MESSAGE_LIMIT)


def error_from_response(response: httpx.Response, *, key: str | SecretLike | None = None) -> errors.APIError:
    """Map an error response to the hierarchy, keeping the service's (cleaned, key-masked) message."""
    status = response.status_code
    body = _json_or_none(response.content)
    message, code, error_type, param = _envelope(body)
    if not message:
        message = _fallback_message(response, body)
    message = safe_message(message, key)
    kwargs: dict[str, Any] = {
        "status": status,
        "code": _field(code, key),
        "error_type": _field(error_type, key),
        "param": _field(param, key),
        "request_id": request_id_of(response, body),
    }
    codes = {kwargs["code"], kwargs["error_type"]}
    if V1_RETIRED_CODE in codes:
        return errors.V1RetiredError(message, **kwargs)
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
        # Which codes mean "not running" is each provider's own (tui.api.together.errors).
        return errors.BadRequestError(message, **kwargs)
    return errors.APIError(message, **kwargs)


def _json_or_none(content: bytes) -> Any:
    if not content:
        return None
    try:
        return json.loads(content)
    except (ValueError, RecursionError):
        return None


def _envelope(body: Any) -> tuple[str | None, Any, Any, Any]:
    """(message, code, type, param) from any envelope the providers use.

    OpenAI style: ``{"error": {"message", "type", "param", "code"}}`` (or ``{"error": "text"}``);
    FastAPI style (Nebius): ``{"detail": "text"}`` or a 422's ``{"detail": [{"loc", "msg", "type"}, ...]}``;
    RPC style (gRPC gateway): ``{"message": str, "code": int, "details": [{"detail": str}, ...]}``, where
    the details say more than the message when present (as Together's own CLI shows them).
    """
    if not isinstance(body, dict):
        return None, None, None, None
    detail = body.get("error")
    if isinstance(detail, dict):
        return _text(detail.get("message")), detail.get("code"), detail.get("type"), detail.get("param")
    if isinstance(detail, str) and detail:
        return detail, body.get("code"), None, None
    fastapi = _fastapi_detail(body.get("detail"))
    if fastapi is not None:
        return fastapi
    details = body.get("details")
    notes = [
        item["detail"]
        for item in (details if isinstance(details, list) else [])
        if isinstance(item, dict) and isinstance(item.get("detail"), str) and item["detail"]
    ]
    message = "; ".join(notes) if notes else _text(body.get("message"))
    return message, body.get("code"), body.get("reason"), None


def _fastapi_detail(detail: Any) -> tuple[str, None, str | None, str | None] | None:
    """FastAPI's ``detail``: a string is the message; a validation list is joined as ``field: msg`` with the
    first item's type and field kept (a form marks that field); anything else is not this envelope."""
    if isinstance(detail, str):
        return (detail, None, None, None) if detail else None
    if not isinstance(detail, list):
        return None
    notes: list[str] = []
    first: tuple[str | None, str | None] | None = None
    for item in detail:
        if not isinstance(item, dict) or not isinstance(item.get("msg"), str):
            continue
        loc = item["loc"] if isinstance(item.get("loc"), list) else []
        # "body" / "query" / "path" say where the field was, not which: the field is the rest.
        where = ".".join(str(part) for part in loc if part not in ("body", "query", "path"))
        notes.append(f"{where}: {item['msg']}" if where else item["msg"])
        if first is None:
            first = (item["type"] if isinstance(item.get("type"), str) else None, where or None)
    if not notes or first is None:
        return None
    return "; ".join(notes), None, first[0], first[1]


def _fallback_message(response: httpx.Response, body: Any) -> str:
    status = response.status_code
    content = response.content
    if content and _HTML_START.match(content[:512]):
        # A proxy's page: its text is noise at best and may list the request headers (the key among them).
        return f"the server answered with an HTML page (HTTP {status})"
    if content and body is None:
        text = content[: MESSAGE_LIMIT * 4].decode("utf-8", errors="replace").strip()
        if text:
            return text
    return response.reason_phrase or f"HTTP {status}"


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _field(value: Any, key: str | SecretLike | None) -> str | None:
    """A short machine field (code, type, param): a string or a number, cleaned; anything else is dropped."""
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        return None
    return safe_message(str(value), key)[:100] or None


def error_from_transport(
    exc: httpx.TransportError, url: str, *, key: str | SecretLike | None = None
) -> errors.APIError:
    host = host_of(url)
    if isinstance(exc, httpx.TimeoutException):
        phase = {
            httpx.ConnectTimeout: "connecting to",
            httpx.ReadTimeout: "waiting for an answer from",
            httpx.WriteTimeout: "sending to",
            httpx.PoolTimeout: "waiting for a free connection to",
        }.get(type(exc), "talking to")
        return errors.APITimeoutError(f"Timed out {phase} {host}")
    if isinstance(exc, httpx.RemoteProtocolError):
        return errors.ConnectionFailedError(f"{host} closed the connection unexpectedly")
    detail = str(exc) or type(exc).__name__
    return errors.ConnectionFailedError(safe_message(f"Could not reach {host}: {detail}", key))


def host_of(url: str) -> str:
    parts = urlsplit(url)
    return clean(parts.netloc or url, limit=200)
