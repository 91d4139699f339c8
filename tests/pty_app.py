"""Run the real CLI in a pseudo-terminal, as a person's terminal would, and keep every byte it writes.

Pilot drives the app inside the test process and never shows what reaches a terminal; these tests need
exactly that: the bytes (escape sequences included) and the process's exit.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import re
import select
import signal
import struct
import sys
import termios
import threading
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
_ANSI = re.compile(rb"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-Z\\-_]")


def plain(data: bytes) -> str:
    """What a person would read: the bytes without escape sequences."""
    return _ANSI.sub(b"", data).decode("utf-8", "replace")


class PtyApp:
    def __init__(
        self, args: Sequence[str], env: Mapping[str, str], *, columns: int = 120, rows: int = 40
    ) -> None:
        argv = [sys.executable, "-m", "tui", *args]
        pid, fd = os.forkpty()
        if pid == 0:  # the child: the pty's slave is its terminal
            fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", rows, columns, 0, 0))
            os.chdir(ROOT)
            os.execve(sys.executable, argv, {**env, "TERM": "xterm-256color", "COLUMNS": str(columns),
                                             "LINES": str(rows)})
        self.pid = pid
        self.fd = fd
        self.columns = columns
        self.rows = rows
        self._emulator: Any = None
        self._emulator_stream: Any = None
        self._fed = 0
        self.output = bytearray()
        self._lock = threading.Lock()
        self.returncode: int | None = None
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        while True:
            try:
                ready, _, _ = select.select([self.fd], [], [], 0.2)
                if not ready:
                    if self._exited():
                        return
                    continue
                chunk = os.read(self.fd, 65536)
            except OSError:
                return
            if not chunk:
                return
            with self._lock:
                self.output.extend(chunk)

    def _exited(self) -> bool:
        if self.returncode is not None:
            return True
        pid, status = os.waitpid(self.pid, os.WNOHANG)
        if pid == 0:
            return False
        self.returncode = os.waitstatus_to_exitcode(status)
        return True

    @property
    def data(self) -> bytes:
        with self._lock:
            return bytes(self.output)

    def screen_text(self) -> str:
        """Everything written so far, as text (a marker found here was drawn at some point)."""
        return plain(self.data)

    def screen(self) -> list[str]:
        """The screen as it stands now, rendered by a terminal emulator (pyte), line by line."""
        import pyte

        if self._emulator is None:
            self._emulator = pyte.Screen(self.columns, self.rows)
            self._emulator_stream = pyte.ByteStream(self._emulator)
        data = self.data
        self._emulator_stream.feed(data[self._fed :])
        self._fed = len(data)
        return list(self._emulator.display)

    def wait_for_screen(self, *texts: str, timeout: float = 30.0) -> bool:
        """Whether every one of ``texts`` is on the screen at once before the (generous) deadline."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            drawn = "\n".join(self.screen())
            if all(text in drawn for text in texts):
                return True
            if self._exited():
                return False
            time.sleep(0.2)
        return False

    def wait_for_any(self, texts: Sequence[str], timeout: float = 30.0) -> str | None:
        """The first of ``texts`` seen on the screen before the (generous) deadline, or None."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            drawn = "\n".join(self.screen())
            found = next((text for text in texts if text in drawn), None)
            if found is not None or self._exited():
                return found
            time.sleep(0.2)
        return None

    def wait_for_screen_without(self, text: str, timeout: float = 30.0) -> bool:
        """Whether ``text`` is off the screen (a closed dialog) before the (generous) deadline."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if text not in "\n".join(self.screen()):
                return True
            if self._exited():
                return False
            time.sleep(0.2)
        return False

    def wait_for(self, text: str, timeout: float = 30.0) -> bool:
        """Whether ``text`` appeared on screen before the (generous) deadline; never a speed claim."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if text in self.screen_text():
                return True
            if self._exited():
                return text in self.screen_text()
            time.sleep(0.1)
        return False

    def send(self, keys: str | bytes, pause: float = 0.3) -> None:
        os.write(self.fd, keys.encode() if isinstance(keys, str) else keys)
        time.sleep(pause)

    def signal(self, signum: int) -> None:
        os.kill(self.pid, signum)

    def wait(self, timeout: float = 20.0) -> int | None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._exited():
                self._reader.join(timeout=2)
                return self.returncode
            time.sleep(0.1)
        return None

    def close(self) -> None:
        if not self._exited():
            os.kill(self.pid, signal.SIGKILL)
            self.wait(5)
        with contextlib.suppress(OSError):
            os.close(self.fd)


def isolated_env(home: Path, **extra: str) -> dict[str, str]:
    """An environment cut off from the user's: temp home and config, no keyring, no proxies."""
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(home),
        "XDG_CONFIG_HOME": str(home / "config"),
        "XDG_DATA_HOME": str(home / "data"),
        "XDG_CACHE_HOME": str(home / "cache"),
        "XDG_STATE_HOME": str(home / "state"),
        "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring",
        "PYTHONPATH": str(ROOT),
        "LANG": "C.UTF-8",
    }
    env.update(extra)
    return env
