"""Every session verifies certificates with one store loaded once per process (tui.api.tls, tui.api.http)."""

from __future__ import annotations

import shutil
import ssl
import threading
from pathlib import Path

import certifi
import pytest

from tui.api import tls
from tui.api.http import ApiSession


def _context_of(session: ApiSession) -> ssl.SSLContext:
    return session._http._transport._pool._ssl_context  # type: ignore[attr-defined,no-any-return]


@pytest.fixture
def fresh_stores(monkeypatch: pytest.MonkeyPatch) -> dict[tls.Source, object]:
    stores: dict[tls.Source, object] = {}
    monkeypatch.setattr(tls, "_stores", stores)
    monkeypatch.delenv("SSL_CERT_FILE", raising=False)
    monkeypatch.delenv("SSL_CERT_DIR", raising=False)
    return stores


async def test_sessions_share_one_verifying_context(fresh_stores: dict[tls.Source, object]) -> None:
    first = ApiSession("sk-test-key-0123456789", "https://api.together.xyz/v1")
    second = ApiSession("sk-test-key-0123456789", "https://api.tokenfactory.nebius.com/v1")
    try:
        context = _context_of(first)
        assert context is _context_of(second) is tls.ssl_context(trust_env=True)
        # httpx's default verification, not a weakened one.
        assert context.verify_mode == ssl.CERT_REQUIRED and context.check_hostname
        assert list(fresh_stores) == [(certifi.where(), None)]
    finally:
        await first.aclose()
        await second.aclose()


async def test_a_session_that_ignores_the_environment_ignores_its_certificates(
    fresh_stores: dict[tls.Source, object], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    bundle = tmp_path / "corporate.pem"
    shutil.copy(certifi.where(), bundle)
    monkeypatch.setenv("SSL_CERT_FILE", str(bundle))
    remote = ApiSession("sk-test-key-0123456789", "https://api.together.xyz/v1")
    loopback = ApiSession("sk-test-key-0123456789", "http://127.0.0.1:9/v1")
    try:
        assert _context_of(remote) is not _context_of(loopback)
        assert set(fresh_stores) == {(str(bundle), None), (certifi.where(), None)}
        assert _context_of(loopback).verify_mode == ssl.CERT_REQUIRED
    finally:
        await remote.aclose()
        await loopback.aclose()


def test_a_preloaded_store_is_the_one_a_session_gets(
    fresh_stores: dict[tls.Source, object], monkeypatch: pytest.MonkeyPatch
) -> None:
    loaded_on: list[str] = []
    real_load = tls._load

    def recording_load(source: tls.Source, future: object) -> None:
        loaded_on.append(threading.current_thread().name)
        real_load(source, future)  # type: ignore[arg-type]

    monkeypatch.setattr(tls, "_load", recording_load)
    tls.preload()
    context = tls.ssl_context(trust_env=True)
    assert tls.ssl_context(trust_env=False) is context  # no SSL_CERT_FILE: the same certificates
    assert loaded_on == ["tls-preload"]


def test_a_store_that_cannot_load_fails_its_session_not_the_preload(
    fresh_stores: dict[tls.Source, object], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("SSL_CERT_FILE", str(tmp_path / "missing.pem"))
    tls.preload()  # never raises: the command line goes on to say what is wrong at the session
    with pytest.raises(OSError):
        tls.ssl_context(trust_env=True)
