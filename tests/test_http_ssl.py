"""Every session verifies certificates with one store loaded once per process (tui.api.http)."""

from __future__ import annotations

import ssl

from tui.api.http import ApiSession, shared_ssl_context


def _context_of(session: ApiSession) -> ssl.SSLContext:
    return session._http._transport._pool._ssl_context  # type: ignore[attr-defined,no-any-return]


async def test_sessions_share_one_verifying_context() -> None:
    first = ApiSession("sk-test-key-0123456789", "https://api.together.xyz/v1")
    second = ApiSession("sk-test-key-0123456789", "https://api.tokenfactory.nebius.com/v1")
    try:
        context = _context_of(first)
        assert context is _context_of(second) is shared_ssl_context(trust_env=True)
        # httpx's default verification, not a weakened one.
        assert context.verify_mode == ssl.CERT_REQUIRED and context.check_hostname
    finally:
        await first.aclose()
        await second.aclose()


async def test_a_session_that_ignores_the_environment_gets_a_context_that_does_too() -> None:
    loopback = ApiSession("sk-test-key-0123456789", "http://127.0.0.1:9/v1")
    try:
        assert _context_of(loopback) is shared_ssl_context(trust_env=False)
        assert shared_ssl_context(trust_env=False) is not shared_ssl_context(trust_env=True)
        assert _context_of(loopback).verify_mode == ssl.CERT_REQUIRED
    finally:
        await loopback.aclose()
