"""Every test runs cut off from the user's machine: no real keyring, no real config, no real key."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from typing import Any

import keyring
import pytest
from keyring_memory import MemoryKeyring

from tui.simulator import DEMO_API_KEY, ManualClock, Simulator, SimulatorConfig, SimulatorServer

#: 2026-01-15T12:00:00Z: a fixed "now" for simulators and app clocks in tests and snapshots.
FIXED_EPOCH = 1768478400.0

_ENV_TO_CLEAR = (
    "TOGETHER_API_KEY",
    "TOGETHER_BASE_URL",
    "TOGETHER_TUI_CONFIG",
    "NO_COLOR",
    "TEXTUAL_THEME",
    "TEXTUAL_ANIMATIONS",
    "COLORTERM",
)


@pytest.fixture(autouse=True)
def isolated_environment(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    for name in _ENV_TO_CLEAR:
        monkeypatch.delenv(name, raising=False)
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(home))
    for name in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME", "XDG_STATE_HOME"):
        monkeypatch.setenv(name, str(home / name.lower()))
    # Subprocesses (CLI tests) must not reach the real keyring either.
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")
    previous = keyring.get_keyring()
    keyring.set_keyring(MemoryKeyring())
    yield
    keyring.set_keyring(previous)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(start=FIXED_EPOCH)


@pytest.fixture
def start_simulator(clock: ManualClock) -> Iterator[Callable[..., SimulatorServer]]:
    """Start simulators on loopback; by default with the test clock, instant transitions, no token delay."""
    servers: list[SimulatorServer] = []

    def start(**overrides: Any) -> SimulatorServer:
        options: dict[str, Any] = {
            "api_key": DEMO_API_KEY,
            "speed": math.inf,
            "seed": 0,
            "tokens_per_second": 0.0,
            "clock": clock,
            # The app's screens still speak v1 with create and start (until they move to v2).
            "legacy_v1": True,
        }
        options.update(overrides)
        server = SimulatorServer(Simulator(SimulatorConfig(**options)))
        server.start()
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()


@pytest.fixture
def sim_server(start_simulator: Callable[..., SimulatorServer]) -> SimulatorServer:
    return start_simulator()
