"""The official together 3.1.1 SDK and CLI (the v2 contract) manage the simulator's v2 account end to end.

3.1.1 cannot share the project's environment (which holds the 2.x SDK for v1), so the first run builds
`.venv-together3/` in the project root from the package registry; later runs reuse it. One subprocess
runs every check (tests/together3_contract.py), to keep the run short.
"""

from __future__ import annotations

import fcntl
import json
import math
import subprocess
import sys
from pathlib import Path

import pytest

from tui.simulator import DEMO_API_KEY, Simulator, SimulatorConfig, SimulatorServer

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / ".venv-together3"
PIN = "together==3.1.1"


@pytest.fixture(scope="session")
def together3_python() -> Path:
    python = VENV / "bin" / "python"
    ready = VENV / ".installed"
    with (ROOT / ".venv-together3.lock").open("w") as lock:
        # Two pytest processes (xdist, or two engineers) must not build the same environment at once.
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (ready.exists() and ready.read_text() == PIN):
            subprocess.run([sys.executable, "-m", "venv", "--clear", str(VENV)], check=True)
            subprocess.run([str(python), "-m", "pip", "install", "-q", PIN], check=True, timeout=900)
            ready.write_text(PIN)
    return python


def test_the_official_3_1_1_sdk_and_cli_manage_the_v2_account(together3_python: Path) -> None:
    # Instant transitions: `rm --force` deletes a deployment right after scaling it to 0/0.
    sim = Simulator(SimulatorConfig(speed=math.inf, tokens_per_second=0.0))
    with SimulatorServer(sim) as server:
        done = subprocess.run(
            [str(together3_python), str(ROOT / "tests" / "together3_contract.py"), server.root_url, DEMO_API_KEY],
            capture_output=True,
            text=True,
            timeout=300,
        )
    assert done.returncode == 0, done.stderr[-3000:]
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report["problems"] == []
    for expected in (
        "whoami",
        "hardware.list",
        "cli endpoints deploy",
        "cli endpoints ls",
        "cli endpoints get",
        "cli endpoints update",
        "cli endpoints events",
        "cli endpoints rm",
        "after update 0/0",
    ):
        assert expected in report["checks"], expected
    deletes = [r.path for r in sim.requests("DELETE") if r.status == 200]
    assert any("/deployments/" in path for path in deletes), "the smart delete removed no deployment"
    assert not sim.v2.endpoint_by_name("contract-ep"), "rm --force left the endpoint"
