"""Where API keys are kept: the OS keyring, or (only when the user asks) a plain-text file.

The keyring service name is `together-tui` and the keyring user name is the profile name.
"""

from __future__ import annotations

import contextlib
import os
import re
import stat
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from tui.keys.secret import ApiKey, InvalidApiKeyError, scrub

if TYPE_CHECKING:
    from keyring.backend import KeyringBackend

__all__ = [
    "DEFAULT_PROFILE",
    "KEYRING_TIMEOUT",
    "SERVICE_NAME",
    "FileStore",
    "FileStoreError",
    "KeyStore",
    "KeyringStatus",
    "KeyringStore",
    "KeyringUnavailableError",
    "config_dir",
    "default_store",
    "display_path",
    "validate_profile_name",
]

SERVICE_NAME = "together-tui"
DEFAULT_PROFILE = "default"
# A broken D-Bus activation was seen to hang a keyring call for more than 30 s.
KEYRING_TIMEOUT = 5.0
CREDENTIALS_FILE_NAME = "credentials.toml"

_PROFILE_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")

_T = TypeVar("_T")


def validate_profile_name(name: str) -> str:
    """Return `name`, or raise ValueError: profile names become keyring user names and TOML keys."""
    if not _PROFILE_RE.fullmatch(name):
        raise ValueError(
            f"Invalid profile name {name!r}: use 1-64 letters, digits, '_', '.' or '-', "
            "starting with a letter or digit."
        )
    return name


def config_dir() -> Path:
    """together-tui's config directory (`~/.config/together-tui` on Linux)."""
    import platformdirs  # deferred: keeps `import tui.keys` cheap

    return Path(platformdirs.user_config_dir("together-tui"))


def display_path(path: Path) -> str:
    """`path` with the home directory written as `~`, for messages."""
    try:
        return "~/" + path.relative_to(Path.home()).as_posix()
    except (ValueError, RuntimeError):
        return str(path)


# --------------------------------------------------------------------------------------------
# OS keyring


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


# --------------------------------------------------------------------------------------------
# Opt-in plain-text file


class FileStoreError(Exception):
    """The credentials file exists but cannot be read or written; the message says why."""


_FILE_HEADER = """\
# together-tui API keys, stored in PLAIN TEXT because `together-tui auth login --file-store`
# was used (no working OS keyring). Anyone who can read this file can use these keys.
# Remove a key with `together-tui auth logout --profile NAME`.
"""


def _toml_string(text: str) -> str:
    out = ['"']
    for ch in text:
        if ch in '"\\':
            out.append("\\" + ch)
        elif ch < " " or ch == "\x7f":
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


@dataclass
class FileStore:
    """`credentials.toml` in the config directory, mode 0600. Used only after an explicit opt-in:
    nothing but `auth login --file-store` creates it, so its existence is the opt-in."""

    path: Path = field(default_factory=lambda: config_dir() / CREDENTIALS_FILE_NAME)

    def describe(self) -> str:
        return f"file {display_path(self.path)}"

    def exists(self) -> bool:
        return self.path.is_file()

    def ensure_private(self) -> str | None:
        """Make the file 0600 if group or others can read it; returns a note when it changed it."""
        if sys.platform == "win32":
            return None
        try:
            mode = stat.S_IMODE(self.path.stat().st_mode)
        except OSError:
            return None
        if not mode & 0o077:
            return None
        try:
            os.chmod(self.path, 0o600)
        except OSError as exc:
            return (
                f"{display_path(self.path)} is readable by other users (mode {mode:04o}) and could "
                f"not be changed to 0600: {exc.strerror or exc}"
            )
        return f"{display_path(self.path)} was readable by other users (mode {mode:04o}); changed it to 0600"

    def _load(self) -> dict[str, Any]:
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return {}
        except (OSError, UnicodeDecodeError) as exc:
            raise FileStoreError(f"cannot read {display_path(self.path)}: {exc}") from None
        import tomllib

        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            # The message carries only a position, never the offending text.
            raise FileStoreError(f"{display_path(self.path)} is not valid TOML: {exc}") from None
        finally:
            del text
        return data

    def _profiles(self) -> dict[str, Any]:
        profiles = self._load().get("profiles", {})
        if not isinstance(profiles, dict):
            raise FileStoreError(f"{display_path(self.path)}: 'profiles' is not a table")
        return profiles

    def profiles(self) -> list[str]:
        return sorted(name for name, entry in self._profiles().items() if isinstance(entry, dict))

    def get(self, profile: str) -> ApiKey | None:
        entry = self._profiles().get(profile)
        if not isinstance(entry, dict) or not isinstance(entry.get("api_key"), str):
            return None
        try:
            return ApiKey.parse(entry["api_key"])
        except InvalidApiKeyError:
            return None

    def _keys(self, *, drop: str | None = None) -> dict[str, str]:
        return {
            name: entry["api_key"]
            for name, entry in self._profiles().items()
            if name != drop and isinstance(entry, dict) and isinstance(entry.get("api_key"), str)
        }

    # set and delete never bind the dict of raw keys to a local, and turn OSError into a
    # FileStoreError raised outside the except block (so without the original as __context__):
    # a crash report printing locals then finds no key in any frame.

    def set(self, profile: str, key: ApiKey) -> None:
        """Store the key. Raises FileStoreError."""
        problem = None
        try:
            self._write(self._keys(drop=profile) | {profile: key.reveal()})
        except OSError as exc:
            problem = f"cannot write {display_path(self.path)}: {exc.strerror or type(exc).__name__}"
        if problem is not None:
            raise FileStoreError(problem)

    def delete(self, profile: str) -> bool:
        """Remove the profile's key; the file goes too once it holds no key (withdrawing the opt-in).
        Raises FileStoreError."""
        if not self.exists() or profile not in self._profiles():
            return False
        problem = None
        try:
            if len(self._keys(drop=profile)) > 0:
                self._write(self._keys(drop=profile))
            else:
                self.path.unlink()
        except OSError as exc:
            problem = f"cannot update {display_path(self.path)}: {exc.strerror or type(exc).__name__}"
        if problem is not None:
            raise FileStoreError(problem)
        return True

    def _write(self, profiles: dict[str, str]) -> None:
        data = (
            _FILE_HEADER
            + "".join(
                f"\n[profiles.{_toml_string(name)}]\napi_key = {_toml_string(profiles[name])}\n"
                for name in sorted(profiles)
            )
        ).encode("utf-8")
        directory = self.path.parent
        directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        tmp = directory / f".{self.path.name}.{os.getpid()}.tmp"
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        # Created 0600 from the first byte: a chmod after writing would leave a window.
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, self.path)
        except BaseException:
            with contextlib.suppress(OSError):
                tmp.unlink()
            raise
        finally:
            del data, profiles
        self.ensure_private()


# --------------------------------------------------------------------------------------------


@dataclass
class KeyStore:
    """The two places a key can be stored. Inject one into resolve_api_key and the CLI in tests."""

    keyring: KeyringStore = field(default_factory=KeyringStore)
    file: FileStore = field(default_factory=FileStore)


def default_store(*, keyring_timeout: float = KEYRING_TIMEOUT) -> KeyStore:
    return KeyStore(KeyringStore(timeout=keyring_timeout), FileStore())
