"""One cheap authenticated request to tell whether a key works. Imports httpx: import lazily."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Literal

import httpx

from tui import __version__
from tui.api import errors
from tui.api.error_mapping import error_from_response, safe_message
from tui.api.http import BearerAuth
from tui.api.safe_text import clean
from tui.keys.secret import ApiKey
from tui.keys.urls import check_base_url_safe, trust_env_for

__all__ = ["VERIFY_PATH", "VERIFY_TIMEOUT", "VerifyResult", "verify_key"]

# The caller's own dedicated endpoints: small, unlike /models (hundreds of entries).
VERIFY_PATH = "/endpoints?type=dedicated"
VERIFY_TIMEOUT = 10.0
# An error envelope is a few hundred bytes; a page past this is not read further.
_MAX_BODY_BYTES = 64 * 1024


@dataclass(frozen=True)
class VerifyResult:
    outcome: Literal["ok", "refused", "unreachable", "unexpected"]
    detail: str
    """For people: "200 OK", "refused (HTTP 401)", "unreachable (ConnectError: …)", "unexpected HTTP 500"."""
    status_code: int | None = None

    @property
    def ok(self) -> bool:
        return self.outcome == "ok"


def verify_key(
    key: ApiKey,
    base_url: str,
    *,
    transport: httpx.BaseTransport | None = None,
    timeout: float = VERIFY_TIMEOUT,
) -> VerifyResult:
    """GET {base_url}/endpoints?type=dedicated with the key. Raises InsecureBaseURLError first if
    the key may not be sent to `base_url`; never raises for HTTP or network failures.

    Whatever the server sends back is untrusted: the detail holds only cleaned, key-masked text, and
    the whole check ends within about `timeout` seconds even if the body trickles in.
    """
    check_base_url_safe(base_url)
    url = base_url.rstrip("/") + VERIFY_PATH
    ends = time.monotonic() + timeout
    try:
        with httpx.Client(
            transport=transport,
            timeout=timeout,
            headers={"User-Agent": f"together-tui/{__version__}", "Accept": "application/json"},
            trust_env=trust_env_for(base_url),
            follow_redirects=False,
        ) as client, client.stream("GET", url, auth=BearerAuth(key)) as streamed:
            body = bytearray()
            for chunk in streamed.iter_bytes():
                body += chunk
                if len(body) > _MAX_BODY_BYTES or time.monotonic() > ends:
                    break  # enough to judge by: a status line and the start of an error
            response = httpx.Response(
                streamed.status_code, content=bytes(body), request=streamed.request, extensions=streamed.extensions
            )
    except httpx.HTTPError as exc:
        message = safe_message(str(exc), key)
        name = type(exc).__name__
        detail = f"unreachable ({name}: {message})" if message else f"unreachable ({name})"
        return VerifyResult("unreachable", detail)
    code = response.status_code
    phrase = clean(response.reason_phrase, limit=60)
    if 200 <= code < 300:
        return VerifyResult("ok", f"{code} {phrase}".strip(), code)
    error = error_from_response(response, key=key)
    if isinstance(error, errors.V1RetiredError):
        # The key was accepted: only v1's create and restart are gone.
        return VerifyResult("ok", f"key accepted (HTTP {code}: {error.message})", code)
    if code in (401, 403):
        # The service's own words when it gave some (never the bare reason phrase twice).
        said = f": {error.message}" if error.message not in (phrase, f"HTTP {code}") else ""
        return VerifyResult("refused", f"refused (HTTP {code}{said})", code)
    return VerifyResult("unexpected", f"unexpected HTTP {code} {phrase}".strip(), code)

