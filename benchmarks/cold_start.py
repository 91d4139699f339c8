"""Cold start: process start to the first frame that lists endpoints, against the simulator over loopback.

Side by side with the official CLI (`together endpoints list`, 2.x) against the same simulator, so the
ratio is measured on the same machine in the same run. Prints medians over several runs.

    python benchmarks/cold_start.py [--runs 5]
"""

from __future__ import annotations

import argparse
import fcntl
import os
import pty
import select
import shutil
import signal
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import time
from pathlib import Path

from tui.simulator import DEMO_API_KEY, Simulator, SimulatorConfig, SimulatorServer

# A display name of the simulator's default seed: on screen means the endpoint list has been drawn.
MARKER = b"GPT-OSS 20B"


def isolated_env(base_url: str, home: str) -> dict[str, str]:
    return {
        **os.environ,
        "TOGETHER_API_KEY": DEMO_API_KEY,
        "TOGETHER_BASE_URL": base_url,
        "TOGETHER_PROJECT_ID": "proj-simulator",
        "TOGETHER_DISABLE_VERSION_CHECK": "1",
        "TOGETHER_CREDENTIALS_PATH": str(Path(home) / "no-credentials.json"),
        "HOME": home,
        "XDG_CONFIG_HOME": str(Path(home) / "config"),
        "XDG_CACHE_HOME": str(Path(home) / "cache"),
        "TERM": "xterm-256color",
        "COLUMNS": "120",
        "LINES": "36",
    }


def time_tui(env: dict[str, str], timeout: float = 30.0) -> float:
    """Seconds from fork to the marker appearing on the pty."""
    started = time.perf_counter()
    pid, fd = pty.fork()
    if pid == 0:  # child
        os.execvpe(sys.executable, [sys.executable, "-m", "tui"], env)
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 36, 120, 0, 0))
    seen = b""
    try:
        while time.perf_counter() - started < timeout:
            ready, _, _ = select.select([fd], [], [], 0.05)
            if not ready:
                continue
            try:
                chunk = os.read(fd, 65536)
            except OSError:
                break
            seen = seen[-200:] + chunk
            if MARKER in seen:
                return time.perf_counter() - started
        raise RuntimeError("together-tui never drew the endpoint list")
    finally:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        os.close(fd)


def time_cli(cli: str, env: dict[str, str]) -> float:
    started = time.perf_counter()
    result = subprocess.run([cli, "endpoints", "list", "--no-json"], env=env, capture_output=True, timeout=60)
    elapsed = time.perf_counter() - started
    if result.returncode != 0 or b"endpoint-" not in result.stdout:
        raise RuntimeError(f"together CLI failed: {result.stderr.decode(errors='replace')[-500:]}")
    return elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    cli = shutil.which("together", path=str(Path(sys.executable).parent))
    with SimulatorServer(Simulator(SimulatorConfig(speed=20))) as server, tempfile.TemporaryDirectory() as home:
        env = isolated_env(server.base_url, home)
        tui_times = [time_tui(env) for _ in range(args.runs)]
        cli_times = [time_cli(cli, env) for _ in range(args.runs)] if cli else []
    tui_median = statistics.median(tui_times)
    print(f"cold start, median of {args.runs}")
    print(f"  together-tui first frame with endpoints   {tui_median * 1000:7.0f} ms")
    if cli_times:
        cli_median = statistics.median(cli_times)
        print(f"  together endpoints list (CLI 2.x, exits)  {cli_median * 1000:7.0f} ms")
        print(f"  ratio tui / cli                           {tui_median / cli_median:7.2f}")
    else:
        print("  together CLI not installed (pip install -e '.[test]'): no comparison")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
