"""One cheap authenticated request to tell whether a key works. Imports httpx: import lazily."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import httpx

from tui import __version__
from tui.api.http import BearerAuth
from tui.keys.secret import ApiKey, scrub
from tui.keys.urls import check_base_url_safe, trust_env_for

__all__ = ["VERIFY_PATH", "VERIFY_TIMEOUT", "VerifyResult", "verify_key"]

# The caller's own dedicated endpoints: small, unlike /models (hundreds of entries).
VERIFY_PATH = "/endpoints?type=dedicated"
VERIFY_TIMEOUT = 10.0


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
    the key may not be sent to `base_url`; never raises for HTTP or network failures."""
    check_base_url_safe(base_url)
    url = base_url.rstrip("/") + VERIFY_PATH
    try:
        with httpx.Client(
            transport=transport,
            timeout=timeout,
            headers={"User-Agent": f"together-tui/{__version__}", "Accept": "application/json"},
            trust_env=trust_env_for(base_url),
            follow_redirects=False,
        ) as client:
            response = client.get(url, auth=BearerAuth(key))
    except httpx.HTTPError as exc:
        message = scrub(str(exc), key).strip()
        name = type(exc).__name__
        detail = f"unreachable ({name}: {message})" if message else f"unreachable ({name})"
        return VerifyResult("unreachable", detail)
    code = response.status_code
    phrase = response.reason_phrase or ""
    if 200 <= code < 300:
        return VerifyResult("ok", f"{code} {phrase}".strip(), code)
    if code in (401, 403):
        return VerifyResult("refused", f"refused (HTTP {code})", code)
    return VerifyResult("unexpected", f"unexpected HTTP {code} {phrase}".strip(), code)
