"""The real app in a real pty against a hostile API: what reaches the terminal is only the app's drawing.

Every byte the app writes is checked against an allowlist of the escape sequences Textual itself emits
(colours, cursor moves, the terminal modes it sets and restores, its pointer-shape OSC 22). Anything
else (an OSC 52 clipboard write, a window title, a screen clear, a hyperlink, a raw control character)
could only have come from server data, and fails the test. The key must not appear anywhere either.
"""

from __future__ import annotations

import re
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


def run_against(server: HostileServer, home: Path) -> PtyApp:
    # The hostile server speaks v1 only: the profile says so (the v2 adapter's cleaning has its own tests).
    settings = home / "settings.toml"
    settings.write_text('[profiles.default]\ntogether_api = "v1"\n')
    env = isolated_env(home, TOGETHER_API_KEY=API_KEY, TOGETHER_TUI_CONFIG=str(settings))
    return PtyApp(["--base-url", server.base_url], env)


def assert_clean(app: PtyApp) -> None:
    data = app.data
    assert data, "the app wrote nothing"
    for marker in FORBIDDEN_TERMINAL_BYTES:
        assert marker not in data, f"{marker!r} reached the terminal"
    assert foreign_bytes(data) == []
    assert API_KEY.encode() not in data
    assert API_KEY[-12:].encode() not in data


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
        assert app.wait() == 0
    finally:
        app.close()
    assert_clean(app)
    assert hostile.mutating_requests == []


@pytest.mark.parametrize("mode", ["401-echo", "html"])
def test_an_error_that_echoes_the_key_never_shows_it(hostile: HostileServer, tmp_path: Path, mode: str) -> None:
    hostile.mode = mode
    app = run_against(hostile, tmp_path)
    try:
        expected = "401" if mode == "401-echo" else "502"
        assert app.wait_for(expected), app.screen_text()[-2000:]
        app.send("r", pause=1.5)
        assert app.returncode is None
        app.send("\x11")
        assert app.wait() == 0
    finally:
        app.close()
    assert_clean(app)
    assert "<html>" not in app.screen_text()
