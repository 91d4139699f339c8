"""The API key on the wire: added to a request only at send time, and masked in any text that quotes it."""

from __future__ import annotations

from collections.abc import Generator
from typing import Protocol

import httpx

from tui.keys.secret import ApiKey

# Masking a key of one to three characters would rewrite every occurrence of those letters in a message,
# and such a "key" (a test stand-in) protects nothing anyway.
_MIN_MASKED_LENGTH = 4


class SecretLike(Protocol):
    def reveal(self) -> str: ...


def reveal(key: str | SecretLike) -> str:
    return key if isinstance(key, str) else key.reveal()


def maskable(key: str | SecretLike | None) -> str:
    """The key's text when it is long enough to be masked, else "" (nothing to look for)."""
    value = reveal(key) if key else ""
    return value if len(value) >= _MIN_MASKED_LENGTH else ""


def mask_key(text: str, key: str | SecretLike | None) -> str:
    """``text`` with every occurrence of the key replaced by its masked form (``…`` and the last 4)."""
    value = maskable(key)
    if not value or value not in text:
        return text
    return text.replace(value, ApiKey(value).masked)


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
