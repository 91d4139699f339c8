"""The OS keyring as a key store: every call in a daemon thread under a timeout, failures in the user's words.

The keyring service name is `together-tui` and the keyring user name is the profile name.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from tui.keys.secret import ApiKey, InvalidApiKeyError, scrub

if TYPE_CHECKING:
    from keyring.backend import KeyringBackend

__all__ = ["KEYRING_TIMEOUT", "SERVICE_NAME", "KeyringStatus", "KeyringStore", "KeyringUnavailableError"]

SERVICE_NAME = "together-tui"
# A broken D-Bus activation was seen to hang a keyring call for more than 30 s.
KEYRING_TIMEOUT = 5.0

_T = TypeVar("_T")


class KeyringUnavailableError(Exception):
    """The OS keyring cannot be used; `reason` says why, in words meant for the user, to follow
    "No working OS keyring: "."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class KeyringStatus:
    available: bool
    backend: str
    """The backend's display name, e.g. "SecretService Keyring"."""
    reason: str | None = None
    """Why the keyring is unusable (None when available)."""


def _classify_backend(backend: KeyringBackend) -> KeyringStatus:
    from keyring.backends import chainer, fail, null

    name = str(getattr(backend, "name", type(backend).__name__))
    if isinstance(backend, fail.Keyring):
        return KeyringStatus(
            False,
            name,
            "keyring found no usable backend (on a headless host or over SSH there is usually no "
            "D-Bus session for the Secret Service)",
        )
    if isinstance(backend, null.Keyring):
        return KeyringStatus(
            False,
            name,
            "keyring is set to its null backend, which silently discards stored keys (check "
            "PYTHON_KEYRING_BACKEND and keyringrc.cfg)",
        )
    if isinstance(backend, chainer.ChainerBackend):
        usable = [b for b in backend.backends if not isinstance(b, (fail.Keyring, null.Keyring))]
        if not usable:
            return KeyringStatus(False, name, "keyring's chainer backend has no usable backend to chain")
    return KeyringStatus(True, name)


class KeyringStore:
    """The OS keyring, with every call run in a daemon thread under a timeout.

    A call that times out marks the store unavailable for the rest of its life, so a hung D-Bus
    costs one timeout rather than one per call. Daemon threads, not an executor: an executor's
    threads are joined at interpreter exit, and a hung one would stop the app from exiting.
    """

    def __init__(
        self,
        *,
        timeout: float = KEYRING_TIMEOUT,
        backend: KeyringBackend | None = None,
        service: str = SERVICE_NAME,
    ) -> None:
        self.timeout = timeout
        self.service = service
        self._backend = backend
        self._status: KeyringStatus | None = None
        self._broken: str | None = None

    def _call(self, what: str, fn: Callable[[], _T], key: ApiKey | None = None) -> _T:
        if self._broken is not None:
            raise KeyringUnavailableError(self._broken)
        outcome: list[Any] = []

        def work() -> None:
            try:
                outcome.append((True, fn()))
            except BaseException as exc:
                outcome.append((False, exc))

        thread = threading.Thread(target=work, name=f"together-tui keyring {what}", daemon=True)
        thread.start()
        thread.join(self.timeout)
        if not outcome:
            self._broken = f"the keyring did not answer within {self.timeout:g} s (a D-Bus or keyring daemon problem)"
            raise KeyringUnavailableError(self._broken)
        ok, value = outcome.pop()
        if ok:
            return value
        # Only a description leaves this function: the exception's traceback holds the backend's
        # frames, whose locals include the password being stored.
        reason = self._describe(value, key)
        del value
        raise KeyringUnavailableError(reason)

    @staticmethod
    def _describe(exc: BaseException, key: ApiKey | None) -> str:
        from keyring.errors import InitError, KeyringLocked, NoKeyringError

        message = scrub(str(exc), key).strip()
        detail = f"{type(exc).__name__}: {message}" if message else type(exc).__name__
        if isinstance(exc, NoKeyringError):
            return f"keyring has no backend ({detail})"
        if isinstance(exc, (InitError, KeyringLocked)):
            return f"the keyring could not be opened or unlocked ({detail})"
        return f"the keyring failed ({detail})"

    def status(self) -> KeyringStatus:
        """Whether a real keyring backend is configured (the fail and null backends are not)."""
        if self._status is None:
            injected = self._backend

            def detect() -> tuple[KeyringBackend, KeyringStatus]:
                import keyring

                backend = injected if injected is not None else keyring.get_keyring()
                return backend, _classify_backend(backend)

            # Detection talks to D-Bus (backend viability, the chainer's list), so it runs under
            # the same timeout as every other call.
            try:
                self._backend, self._status = self._call("detect", detect)
            except KeyringUnavailableError as exc:
                self._status = KeyringStatus(False, "unknown", exc.reason)
        if self._broken is not None:
            return KeyringStatus(False, self._status.backend, self._broken)
        return self._status

    def _require(self) -> KeyringBackend:
        status = self.status()
        if not status.available or self._backend is None:
            raise KeyringUnavailableError(status.reason or "unknown reason")
        return self._backend

    def get(self, profile: str) -> ApiKey | None:
        """The stored key, or None. Raises KeyringUnavailableError."""
        backend = self._require()

        def read() -> ApiKey | None:
            value = backend.get_password(self.service, profile)
            if value is None:
                return None
            try:
                return ApiKey.parse(value)
            except InvalidApiKeyError:
                return None

        return self._call("get", read)

    def set(self, profile: str, key: ApiKey) -> None:
        """Store the key, then read it back: a backend that accepts and drops writes is no keyring."""
        backend = self._require()
        self._call("set", lambda: backend.set_password(self.service, profile, key.reveal()), key)
        if self.get(profile) != key:
            raise KeyringUnavailableError(
                f"the keyring backend ({self.status().backend}) accepted the key but did not keep it"
            )

    def delete(self, profile: str) -> bool:
        """Remove the key; False if there was none. Raises KeyringUnavailableError."""
        backend = self._require()
        if self.get(profile) is None:
            return False
        self._call("delete", lambda: backend.delete_password(self.service, profile))
        return True

    def describe(self, profile: str) -> str:
        """The source phrase for a key of `profile` found here."""
        return f"OS keyring (service {self.service}, profile {profile})"
