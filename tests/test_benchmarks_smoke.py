"""The benchmark command starts and its table judges figures as the issue's targets say (no timing here:
figures live in ``benchmarks/run.py``, never in tests)."""

from __future__ import annotations

import math
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

from common import Figure, percentile  # noqa: E402
from run import table  # noqa: E402


def test_the_benchmark_command_describes_itself() -> None:
    result = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "run.py"), "--help"], capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 0 and "--quick" in result.stdout


def test_a_ratio_target_compares_ours_with_the_baseline() -> None:
    assert Figure("start", 300.0, "ms", 200.0, limit=1.5).passed is True
    assert Figure("start", 301.0, "ms", 200.0, limit=1.5).passed is False
    assert Figure("start", 10.0, "ms", None, limit=1.5).passed is None


def test_a_ceiling_target_judges_ours_alone() -> None:
    assert Figure("lag", 9.9, "ms", 50.0, kind="max", limit=10.0).passed is True
    assert Figure("lag", 10.1, "ms", 1.0, kind="max", limit=10.0).passed is False
    assert Figure("lag", math.nan, "ms", kind="max", limit=10.0).passed is None
    assert Figure("details", 5000.0, "requests", kind="info").passed is None


def test_the_table_shows_each_figure_with_its_baseline_ratio_and_result() -> None:
    text = table([Figure("cold start", 300.0, "ms", 200.0, limit=1.5),
                  Figure("loop block", 20.0, "ms", 2.0, kind="max", limit=10.0),
                  Figure("never finished", math.nan, "s", kind="max", limit=60.0)])
    header, _, met, failed, unknown = text.splitlines()
    assert header.split() == ["figure", "ours", "baseline", "ratio", "target", "result"]
    assert met.split() == ["cold", "start", "300", "ms", "200", "ms", "1.50x", "<=", "1.5x", "pass"]
    assert failed.split() == ["loop", "block", "20.0", "ms", "2.00", "ms", "10.00x", "<=", "10", "ms", "FAIL"]
    assert unknown.split() == ["never", "finished", "n/a", "<=", "60", "s", "FAIL"]


def test_percentiles_are_nearest_rank() -> None:
    samples = [float(i) for i in range(1, 101)]
    assert percentile(samples, 0.99) == 99.0
    assert percentile(samples, 0.5) == 50.0
    assert percentile([3.0], 0.99) == 3.0
