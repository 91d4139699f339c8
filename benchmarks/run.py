"""Every performance figure in one command: each benchmark in its own process, one after the other.

    python benchmarks/run.py            # the full set (several minutes)
    python benchmarks/run.py --quick    # fewer repeats and sizes, for a quick look

Figures depend on the machine; compare columns within one run, not across machines.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent

FULL = [
    ("cold start vs the official CLI", ["cold_start.py", "--runs", "5"]),
    ("refresh cost by number of endpoints", ["refresh.py"]),
    ("key-press latency while refreshing", ["keypress.py"]),
    ("requests per minute", ["requests_per_minute.py", "--seconds", "30"]),
    ("chat: screen lag and CPU at 200 / 1,000 / 5,000 tokens/s", ["chat_stream.py"]),
    ("peak memory", ["memory.py"]),
]
QUICK = [
    ("cold start vs the official CLI", ["cold_start.py", "--runs", "2"]),
    ("refresh cost by number of endpoints", ["refresh.py", "--sizes", "10,100,1000", "--repeats", "2"]),
    ("key-press latency while refreshing", ["keypress.py", "--presses", "15"]),
    ("requests per minute", ["requests_per_minute.py", "--seconds", "12"]),
    ("chat: screen lag and CPU", ["chat_stream.py", "--tokens", "2000", "--rates", "1000,5000"]),
    ("peak memory", ["memory.py", "--tokens", "8000"]),
]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    failed = 0
    for title, command in QUICK if args.quick else FULL:
        print(f"\n== {title} ==", flush=True)
        started = time.perf_counter()
        result = subprocess.run([sys.executable, str(HERE / command[0]), *command[1:]], stderr=subprocess.DEVNULL)
        failed += result.returncode != 0
        print(f"   ({time.perf_counter() - started:.0f} s)", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
