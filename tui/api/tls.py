"""The certificate store every session verifies with: loaded once per process, and early, on a thread.

httpx would load certifi's bundle again for each client and each proxy mount, tens of milliseconds each,
before the first list can be sent. OpenSSL parses the bundle with Python's lock released, so ``preload``
started as the command line begins lets that work run on another core while the interpreter imports
settings, pydantic and httpx; the first session then takes the store ready. The verification is httpx's
default (``httpx.create_ssl_context``): certifi's bundle, or ``SSL_CERT_FILE`` / ``SSL_CERT_DIR`` when the
session trusts the environment. No httpx here: importing it would hold the lock the thread exists to free.
"""

from __future__ import annotations

import os
import ssl
import threading
from concurrent.futures import Future

#: Where a store's certificates come from: (cafile, capath), as ``ssl.create_default_context`` takes them.
Source = tuple[str | None, str | None]

_lock = threading.Lock()
_stores: dict[Source, Future[ssl.SSLContext]] = {}


def source_for(*, trust_env: bool) -> Source:
    """The certificates a session verifies with; the environment counts only when the session trusts it."""
    if trust_env and os.environ.get("SSL_CERT_FILE"):
        return os.environ["SSL_CERT_FILE"], None
    if trust_env and os.environ.get("SSL_CERT_DIR"):
        return None, os.environ["SSL_CERT_DIR"]
    import certifi

    return certifi.where(), None


def _load(source: Source, future: Future[ssl.SSLContext]) -> None:
    try:
        future.set_result(ssl.create_default_context(cafile=source[0], capath=source[1]))
    except BaseException as exc:  # handed to whoever asks for the store, raised there
        future.set_exception(exc)


def _store_for(source: Source, *, on_thread: bool) -> Future[ssl.SSLContext]:
    with _lock:
        future = _stores.get(source)
        if future is not None:
            return future
        future = _stores[source] = Future()
    if on_thread:
        threading.Thread(target=_load, args=(source, future), name="tls-preload", daemon=True).start()
    else:
        _load(source, future)
    return future


def preload(*, trust_env: bool = True) -> None:
    """Begin loading the store a session will ask for, on a thread; never raises (the session will)."""
    try:
        _store_for(source_for(trust_env=trust_env), on_thread=True)
    except Exception:  # a store that cannot load is reported at its session
        return


def ssl_context(*, trust_env: bool) -> ssl.SSLContext:
    """The verifying context for a session: the preloaded one when it is ready or loading, else loaded now.
    A store that failed to load raises its error here, for each session that asks."""
    return _store_for(source_for(trust_env=trust_env), on_thread=False).result()
