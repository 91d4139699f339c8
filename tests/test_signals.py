"""SIGTERM and SIGHUP (a dropped SSH connection) end the app with the terminal restored: normal screen,
mouse tracking off, cursor shown. Run for real in a pseudo-terminal, in demo mode (offline)."""

from __future__ import annotations

import fcntl
import os
import pty
import select
import signal
import struct
import sys
import termios
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
#: Generous bounds for a loaded 2-core machine: they bound the wait, they do not measure speed.
FIRST_FRAME_WITHIN = 60.0
EXIT_WITHIN = 30.0


def _read_until(fd: int, wanted: bytes, within: float, seen: bytearray) -> bool:
    deadline = time.monotonic() + within
    while wanted not in seen:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return False
        ready, _, _ = select.select([fd], [], [], remaining)
        if not ready:
            continue
        try:
            chunk = os.read(fd, 65536)
        except OSError:  # the child closed the terminal
            return wanted in seen
        if not chunk:
            return wanted in seen
        seen.extend(chunk)
    return True


def _drain(fd: int, seen: bytearray, within: float) -> None:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], 0.2)
        if not ready:
            continue
        try:
            chunk = os.read(fd, 65536)
        except OSError:
            return
        if not chunk:
            return
        seen.extend(chunk)


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals and pseudo-terminals")
@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP], ids=["SIGTERM", "SIGHUP"])
def test_a_signal_ends_the_app_with_the_terminal_restored(signum: int, tmp_path: Path) -> None:
    env = {
        **os.environ,
        "TERM": "xterm-256color",
        "HOME": str(tmp_path),
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "TOGETHER_TUI_CONFIG": str(tmp_path / "settings.toml"),
        "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring",
    }
    env.pop("TOGETHER_API_KEY", None)
    pid, fd = pty.fork()
    if pid == 0:  # the child: becomes the app, on the pty as its terminal
        os.chdir(ROOT)
        os.execve(sys.executable, [sys.executable, "-m", "tui", "--demo"], env)
    try:
        fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
        seen = bytearray()
        # The first frame has the tab bar; the alternate screen and mouse tracking are on by then.
        assert _read_until(fd, b"Endpoints", FIRST_FRAME_WITHIN, seen), bytes(seen[-400:])
        assert b"\x1b[?1049h" in seen and b"\x1b[?1000h" in seen
        _drain(fd, seen, 1.0)
        start = len(seen)
        os.kill(pid, signum)
        deadline = time.monotonic() + EXIT_WITHIN
        status = None
        while time.monotonic() < deadline:
            _drain(fd, seen, 0.5)
            finished, status = os.waitpid(pid, os.WNOHANG)
            if finished:
                break
        else:
            pytest.fail(f"the app did not exit within {EXIT_WITHIN} s of {signal.Signals(signum).name}")
        _drain(fd, seen, 0.5)
        after = bytes(seen[start:])
        assert status is not None and os.WIFEXITED(status), "killed by the signal, not ended by the app"
        assert os.WEXITSTATUS(status) == 128 + signum
        for restore in (b"\x1b[?1049l", b"\x1b[?1000l", b"\x1b[?25h"):
            assert restore in after, (restore, after[-400:])
    finally:
        try:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
        except (ProcessLookupError, ChildProcessError):
            pass
        os.close(fd)
