"""A program in a pseudo-terminal, its output fed to a terminal emulator (pyte) as it arrives.

The same idea as ``tests/pty_app.py``, but built for timing: one thread reads, feeds the emulator and
checks a condition after every chunk, so "the screen showed X" is timed to the read that made it true
(the emulator's cost is the same for every program measured this way).
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import select
import signal
import struct
import termios
import time
from collections.abc import Callable, Mapping, Sequence

import pyte

Condition = Callable[[list[str]], bool]


class PtyScreen:
    def __init__(self, argv: Sequence[str], env: Mapping[str, str], *, columns: int = 120, rows: int = 36,
                 cwd: str | None = None) -> None:
        self.columns, self.rows = columns, rows
        self.screen = pyte.Screen(columns, rows)
        self.stream = pyte.ByteStream(self.screen)
        self.started = time.monotonic()
        pid, fd = os.forkpty()
        if pid == 0:  # the child: the pty's slave is its terminal
            try:
                fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", rows, columns, 0, 0))
                if cwd:
                    os.chdir(cwd)
                os.execve(argv[0], list(argv), {**env, "TERM": "xterm-256color", "COLORTERM": "truecolor"})
            finally:
                os._exit(127)
        self.pid, self.fd = pid, fd
        self.received = 0
        self.exited = False

    def lines(self) -> list[str]:
        return list(self.screen.display)

    def cells(self, first: int = 0) -> list[tuple[object, ...]]:
        """Every cell from line ``first`` on, with its colours and attributes (a cursor that moves changes
        only colours)."""
        buffer, width = self.screen.buffer, self.columns
        return [tuple(buffer[y][x] for x in range(width)) for y in range(first, self.rows)]

    def wait_for_change(self, first: int = 0, timeout: float = 10.0,
                        before_waiting: Callable[[], None] | None = None) -> float | None:
        """When the screen from line ``first`` on (colours included) first differs from how it is now
        (``before_waiting`` runs once that is noted: the key press being timed)."""
        before = self.cells(first)
        if before_waiting is not None:
            before_waiting()
        deadline = time.monotonic() + timeout
        while not self.exited and (left := deadline - time.monotonic()) > 0:
            at = self.pump(min(left, 0.05))
            if at is not None and self.cells(first) != before:
                return at
        return None

    def text(self) -> str:
        return "\n".join(self.screen.display)

    def pump(self, timeout: float) -> float | None:
        """Read what is there (waiting up to ``timeout``), feed it; the time it was read, or None."""
        try:
            ready, _, _ = select.select([self.fd], [], [], timeout)
        except InterruptedError:
            return None
        if not ready:
            return None
        try:
            chunk = os.read(self.fd, 1 << 16)
        except OSError:
            self.exited = True
            return None
        if not chunk:
            self.exited = True
            return None
        at = time.monotonic()
        self.received += len(chunk)
        self.stream.feed(chunk)
        return at

    def wait_until(self, condition: Condition, timeout: float = 60.0) -> float | None:
        """When (monotonic) the screen first met ``condition``; None if it did not before ``timeout``."""
        if condition(self.lines()):
            return time.monotonic()
        deadline = time.monotonic() + timeout
        while not self.exited and (left := deadline - time.monotonic()) > 0:
            at = self.pump(min(left, 0.05))
            if at is not None and condition(self.lines()):
                return at
        return None

    def drain(self, quiet: float = 0.3, limit: float = 10.0) -> None:
        """Read until nothing arrives for ``quiet`` seconds (the program went idle)."""
        deadline = time.monotonic() + limit
        while time.monotonic() < deadline and not self.exited:
            if self.pump(quiet) is None:
                return

    def send(self, keys: bytes) -> float:
        os.write(self.fd, keys)
        return time.monotonic()

    def signal(self, signum: int) -> None:
        os.kill(self.pid, signum)

    def close(self) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.kill(self.pid, signal.SIGKILL)
        with contextlib.suppress(ChildProcessError):
            os.waitpid(self.pid, 0)
        with contextlib.suppress(OSError):
            os.close(self.fd)

    def __enter__(self) -> PtyScreen:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
