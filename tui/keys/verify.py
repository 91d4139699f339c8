"""Whether a key works: the provider's own ``check_access()``, whatever the provider. Imports httpx: import lazily.

The first-run screen and ``auth login/status`` call this from synchronous code (a worker thread, the CLI),
so it runs the provider's one request on its own event loop and turns the outcome into words.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Literal

import httpx

from tui.api import errors
from tui.api.registry import DEFAULT_KIND, ProviderOptions, build_provider, entry_for
from tui.api.urls import check_base_url_safe
from tui.keys.secret import ApiKey

__all__ = ["VERIFY_TIMEOUT", "VerifyResult", "verify_key"]

#: Seconds the whole check may take, the body included, however slowly it trickles.
VERIFY_TIMEOUT = 10.0


@dataclass(frozen=True)
class VerifyResult:
    outcome: Literal["ok", "refused", "unreachable", "unexpected"]
    detail: str
    """For people: "accepted", "refused (HTTP 401)", "unreachable (…)", "unexpected HTTP 500 …"."""
    status_code: int | None = None

    @property
    def ok(self) -> bool:
        return self.outcome == "ok"


def verify_key(
    key: ApiKey,
    base_url: str | None = None,
    *,
    provider: str = DEFAULT_KIND,
    transport: httpx.AsyncBaseTransport | httpx.BaseTransport | None = None,
    timeout: float = VERIFY_TIMEOUT,
) -> VerifyResult:
    """Ask the ``provider`` at ``base_url`` (None: its default) whether it accepts ``key``.

    Raises InsecureBaseURLError first if the key may not be sent to ``base_url``, and UnknownProviderError
    for an unregistered provider; never raises for HTTP or network failures. Everything in the detail is
    cleaned and key-masked by the error mapping (what the server sent is untrusted).
    """
    url = base_url or entry_for(provider).default_base_url
    check_base_url_safe(url)
    if transport is not None and not isinstance(transport, httpx.AsyncBaseTransport):
        # The providers are async; httpx.MockTransport (what tests pass) is both.
        raise TypeError("verify_key needs an async-capable transport")
    options = ProviderOptions(transport=transport, read_deadline=timeout)
    return asyncio.run(_check(key, provider, url, options))


async def _check(key: ApiKey, kind: str, base_url: str, options: ProviderOptions) -> VerifyResult:
    provider = build_provider(kind, key, base_url, options)
    try:
        await provider.check_access()
    except errors.AuthenticationError as exc:
        return VerifyResult("refused", _refused(exc), exc.status)
    except (errors.ConnectionFailedError, errors.APITimeoutError) as exc:
        return VerifyResult("unreachable", f"unreachable ({exc.message})", exc.status)
    except errors.APIError as exc:
        what = f"HTTP {exc.status} {exc.message}" if exc.status else f"answer ({exc.message})"
        return VerifyResult("unexpected", f"unexpected {what}".strip(), exc.status)
    finally:
        await provider.aclose()
    return VerifyResult("ok", "accepted")


def _refused(error: errors.APIError) -> str:
    # The service's own words when it gave some (not the bare reason phrase again).
    status = error.status or 0
    generic = error.message in ("", f"HTTP {status}", httpx.codes.get_reason_phrase(status))
    said = "" if generic else f": {error.message}"
    return f"refused (HTTP {error.status}{said})"
