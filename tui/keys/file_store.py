"""The opt-in plain-text key file: `credentials.toml` in the config directory, mode 0600 from the first byte."""

from __future__ import annotations

import contextlib
import os
import stat
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tui.keys.paths import config_dir, display_path
from tui.keys.secret import ApiKey, InvalidApiKeyError

__all__ = ["CREDENTIALS_FILE_NAME", "FileStore", "FileStoreError"]

CREDENTIALS_FILE_NAME = "credentials.toml"


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
