"""The real app in a real pty against a hostile API: what reaches the terminal is only the app's drawing.

Every byte the app writes is checked against an allowlist of the escape sequences Textual itself emits
(colours, cursor moves, the terminal modes it sets and restores, its pointer-shape OSC 22). Anything
else (an OSC 52 clipboard write, a window title, a screen clear, a hyperlink, a raw control character)
could only have come from server data, and fails the test. The key must not appear anywhere either.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from hostile import FORBIDDEN_TERMINAL_BYTES
from hostile_server import SHORT, HostileServer
from pty_app import PtyApp, isolated_env

API_KEY = "hostile-test-key-0123456789abcdef"

# Sequences Textual 8 writes by itself: SGR colours, cursor positioning, private modes it sets and resets
# (alternate screen, mouse, focus events, bracketed paste, sync output queries), the kitty keyboard
# protocol push/pop, and OSC 22 (pointer shape).
_ALLOWED = re.compile(
    rb"\x1b\[[0-9;]*[mH]"
    rb"|\x1b\[\?[0-9;]+[hl]"
    rb"|\x1b\[\?[0-9]+\$p"
    rb"|\x1b\[>[0-9]+u|\x1b\[<u"
    rb"|\x1b\]22;[a-z-]*(?:\x07|\x1b\\)"
)
_CONTROL = re.compile(rb"[\x00-\x09\x0b\x0c\x0e-\x1f\x7f]|\xc2[\x80-\x9f]")


def foreign_bytes(data: bytes) -> list[bytes]:
    """Control bytes and escape sequences that Textual did not write (with a little context)."""
    rest = _ALLOWED.sub(b"", data)
    return [rest[max(match.start() - 12, 0) : match.end() + 12] for match in _CONTROL.finditer(rest)][:10]


@pytest.fixture
def hostile() -> Iterator[HostileServer]:
    server = HostileServer(api_key=API_KEY).start()
    yield server
    server.stop()


def run_against(server: HostileServer, home: Path, api: str = "v1") -> PtyApp:
    """The app on a profile that speaks ``api``: "v1" (the v1-only provider) or "v2" (today's default, v2 beside
    the legacy v1 endpoints); the hostile server is its management and its inference host alike."""
    settings = home / "settings.toml"
    settings.write_text(f'[profiles.default]\ntogether_api = "{api}"\n')
    env = isolated_env(
        home, TOGETHER_API_KEY=API_KEY, TOGETHER_TUI_CONFIG=str(settings), TOGETHER_INFERENCE_URL=server.root_url
    )
    return PtyApp(["--base-url", server.base_url], env)


def assert_clean(app: PtyApp) -> None:
    data = app.data
    assert data, "the app wrote nothing"
    for marker in FORBIDDEN_TERMINAL_BYTES:
        assert marker not in data, f"{marker!r} reached the terminal"
    assert foreign_bytes(data) == []
    assert API_KEY.encode() not in data
    assert API_KEY[-12:].encode() not in data
    assert b"Traceback" not in data, "a traceback reached the terminal"


def test_hostile_names_models_hardware_and_chat_reach_the_terminal_only_as_text(
    hostile: HostileServer, tmp_path: Path
) -> None:
    app = run_against(hostile, tmp_path)
    try:
        # Every hostile endpoint listed; then walk every row: the detail panel renders each one's
        # hostile display name and hardware.
        # Markup in data is shown as the characters themselves, never acted on.
        # (Long names are cut in the middle by the table: the link is checked by its visible start.)
        literal = ("[@click=app.quit]X[/]", "a [/] v2", "my model [/b]", "[link='fi")
        assert app.wait_for_screen(f"Endpoints {len(SHORT)}", *literal), "\n".join(app.screen())
        for _ in range(len(SHORT) + 2):
            app.send("\x1b[B", pause=0.15)
        app.send("\x1b[A" * 3, pause=0.5)
        app.send("2", pause=1.5)  # Hardware: hostile ids, GPU types, NaN and negative prices
        app.send("o", pause=0.5)
        app.send("1", pause=0.5)
        app.send("c", pause=1.0)  # chat with the selected endpoint: a hostile stream
        app.send("hello\r", pause=3.0)
        assert app.returncode is None, "the app died on hostile data"
        app.send("\x11")  # ctrl+q
        assert app.wait() == 0, app.screen_text()[-4000:]
    finally:
        app.close()
    assert_clean(app)
    assert hostile.mutating_requests == []


@pytest.mark.parametrize("api", ["v1", "v2"])
@pytest.mark.parametrize("mode", ["401-echo", "html"])
def test_an_error_that_echoes_the_key_never_shows_it(
    hostile: HostileServer, tmp_path: Path, mode: str, api: str
) -> None:
    hostile.mode = mode
    app = run_against(hostile, tmp_path, api)
    try:
        expected = "401" if mode == "401-echo" else "502"
        assert app.wait_for(expected), app.screen_text()[-2000:]
        app.send("r", pause=1.5)
        assert app.returncode is None
        app.send("\x11")
        assert app.wait() == 0, app.screen_text()[-4000:]
    finally:
        app.close()
    assert_clean(app)
    assert "<html>" not in app.screen_text()


_TABLE_KEYS = "s Start x Stop"
# What each kind of row opens in the v2 walk, and a line that shows the screen or dialog is up.
_V2_SCREENS: dict[str, tuple[tuple[str, str], ...]] = {
    "endpoint": (("v", "events feed"), ("M", "Metrics · "), ("w", "Traffic split · "), ("d", "Will go, in this order")),
    "deployment": (("v", "events feed"), ("M", "Metrics · "), ("S", "Now: min"), ("e", "saves the changes shown")),
    "v1": (),
}


def visit(app: PtyApp, key: str, marker: str, shots: list[str]) -> bool:
    """Open a screen with ``key``; once ``marker`` shows (or not at all), close it with escape.

    The events feed is kept open until its first answer is drawn (events, or the error), and that screen is
    added to ``shots``.
    """
    app.send(key, pause=0.1)
    opened = app.wait_for_screen(marker, timeout=15)
    if opened and key == "v":
        app.wait_for_any(("events · level", "Could not fetch events"), timeout=15)
        shots.append("\n".join(app.screen()))
    app.send("\x1b", pause=0.1)
    # Back on the table (its footer shows) before the next key, so no key lands on a closing screen.
    assert app.wait_for_screen_without(marker, timeout=15) and app.wait_for_screen(_TABLE_KEYS, timeout=15), key
    return opened


def next_row(app: PtyApp) -> str:
    """Move the cursor down one row and wait until the details panel follows it; what the row is."""
    before = _details_title(app)
    app.send("j", pause=0.2)
    deadline = time.monotonic() + 15
    while _details_title(app) == before and time.monotonic() < deadline:
        time.sleep(0.2)
    drawn = "\n".join(app.screen())
    # The details panel says what the row is: a deployment, a v2 endpoint, or a legacy v1 one.
    return "deployment" if "Pin as model" in drawn else "v1" if "Legacy v1" in drawn else "endpoint"


def _details_title(app: PtyApp) -> str:
    return next((line for line in app.screen() if line.startswith("─Details")), "")


def test_v2_endpoints_deployments_events_metrics_and_forms_reach_the_terminal_only_as_text(
    hostile: HostileServer, tmp_path: Path
) -> None:
    """Today's default profile: v2 endpoints with their deployments beside the legacy v1 ones, all hostile.

    Every v2 screen a row opens is visited (details, events, metrics, traffic split, scale, settings, smart
    delete, the deploy form and its model picker, Hardware from the instance types, chat on the inference
    host) and closed without sending anything.
    """
    app = run_against(hostile, tmp_path, "v2")
    try:
        # Both APIs listed (29 v2 endpoints, 29 v1); the project slug, deployment names, hardware and states
        # keep their markup as the characters sent.
        literal = ("[b]slug/", "\\[escaped]", "[on red]", "[bold red]")
        assert app.wait_for_screen(f"Endpoints {2 * len(SHORT)}", *literal), "\n".join(app.screen())
        seen: set[str] = set()
        shots: list[str] = []
        app.send("k", pause=0.2)  # on the first row already: k keeps it there
        kind = "endpoint"
        for _ in range(8):
            for key, marker in _V2_SCREENS[kind]:
                if visit(app, key, marker, shots):
                    seen.add(marker)
            kind = next_row(app)
        assert seen == {marker for screens in _V2_SCREENS.values() for _, marker in screens}, seen
        # The events of some endpoints answer an error that echoes the key: shown, but masked.
        assert any("Invalid API key provided: …" in shot for shot in shots), shots
        assert any("events · level" in shot for shot in shots), shots
        app.send("n", pause=1.5)  # the deploy form: hostile supported models and profiles
        app.send("\r", pause=1.5)  # its model picker
        assert app.wait_for("Pick a model")
        app.send("\x1b", pause=0.5)
        app.send("\x1b", pause=0.5)
        app.send("2", pause=1.5)  # Hardware from the v2 instance types: hostile names, NaN and negative prices
        app.send("1", pause=0.5)
        app.send("c", pause=1.0)  # chat with the selected row, on the inference host
        app.send("hello\r", pause=3.0)
        assert app.returncode is None, "the app died on hostile v2 data"
        app.send("\x11")
        assert app.wait() == 0, app.screen_text()[-4000:]
    finally:
        app.close()
    assert_clean(app)
    assert hostile.mutating_requests == []
    # The v2 routes were really read (not only v1's).
    paths = {path.split("?", 1)[0] for _, path in hostile.requests}
    assert "/v3/whoami" in paths and "/v2/supported-models" in paths and "/v2/public/inference-instance-types" in paths
    assert any(path.endswith("/events") for path in paths) and any(path.endswith("/analytics") for path in paths)
