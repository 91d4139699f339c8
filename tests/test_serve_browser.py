"""`together-tui serve` in a real headless Chromium: the page shows the app, keys reach it, the key stays out.

Chromium comes from Debian's package: /usr/bin/chromium if present, else installed with apt-get when
running as root (as CI does), else these tests are skipped with the reason.
"""

from __future__ import annotations

import os
import tempfile
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest
from browser import Browser, Page, install_chromium, served

from tui.simulator import SimulatorServer

SENTINEL_KEY = "tgp_v1_browser-sentinel-0123456789abcdef"


@pytest.fixture(scope="session")
def chromium() -> str:
    executable, why = install_chromium()
    if executable is None:
        pytest.skip(f"no headless browser: {why}")
    return executable


@pytest.fixture
async def page(chromium: str) -> AsyncIterator[Page]:
    with tempfile.TemporaryDirectory(prefix="chromium-") as profile:
        async with Browser.launch(chromium, Path(profile)) as browser:
            yield await browser.new_page(width=1200, height=760)


def test_without_chromium_or_root_the_reason_is_given(monkeypatch: pytest.MonkeyPatch) -> None:
    import browser

    monkeypatch.setattr(browser, "find_chromium", lambda: None)
    monkeypatch.setattr(os, "geteuid", lambda: 1000)
    assert browser.install_chromium() == (
        None,
        "Chromium is not installed (/usr/bin/chromium) and apt-get as root is not available",
    )


def descendants(pid: int) -> list[int]:
    """Every live process below `pid` (textual-serve's shell and the app it runs, per connection)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # pid (comm) state ppid ...: comm may hold spaces and parentheses, so split after the last ')'.
        parent = int(stat.rpartition(")")[2].split()[1])
        children.setdefault(parent, []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def argv_of(pid: int) -> list[str]:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().decode("utf-8", "replace").rstrip("\0").split("\0")
    except OSError:
        return []


def wait_until(condition: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"{what} after {timeout:.0f} s")
        time.sleep(0.05)


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads process arguments from /proc")
async def test_the_demo_in_a_browser_shows_endpoints_and_takes_keys(page: Page, tmp_path: Path) -> None:
    # In the server's environment, as when a user serves with the variable set: the children inherit it.
    env = {**os.environ, "TOGETHER_API_KEY": SENTINEL_KEY}
    with served(env=env) as (url, server):
        await page.goto(url)
        # The endpoints table, with the demo's running endpoints in it; not the Hardware pane.
        screen = await page.wait_for_screen("Endpoints", "$/hour", "STARTED")
        assert "$/month" not in screen

        await page.press("2")
        hardware = await page.wait_for_screen("$/month")
        assert "STARTED" not in hardware

        png = await page.screenshot()
        assert png.startswith(b"\x89PNG\r\n\x1a\n")
        (tmp_path / "browser.png").write_bytes(png)

        # Everything the page loaded came from the server; textual-serve's Google Fonts stylesheet is blocked.
        sent, blocked = page.requests()
        assert sent and all(request.startswith(f"{url}/") for request in sent), sent
        assert all(request.startswith("https://fonts.googleapis.com/") for request in blocked), blocked

        html = await page.html()
        assert SENTINEL_KEY not in html and SENTINEL_KEY not in url
        apps = [argv_of(pid) for pid in descendants(server.pid)]
        assert any(argv[-3:] == ["-m", "tui", "--demo"] for argv in apps), apps
        assert all(SENTINEL_KEY not in " ".join(argv) for argv in apps)
        children = descendants(server.pid)
    # The server stopped (SIGTERM) and told every app to quit: nothing is left running.
    assert server.returncode == 0
    wait_until(lambda: not any(Path(f"/proc/{pid}").exists() for pid in children), 15, "app processes left running")


async def test_a_served_app_reads_the_key_from_its_environment(
    page: Page, start_simulator: Callable[..., SimulatorServer]
) -> None:
    """Not the demo: every tab's app finds the key as the app always does, and the page never holds it."""
    sim = start_simulator(api_key=SENTINEL_KEY)
    env = {**os.environ, "TOGETHER_API_KEY": SENTINEL_KEY, "TOGETHER_BASE_URL": sim.base_url}
    with served(demo=False, env=env) as (url, server):
        await page.goto(url)
        screen = await page.wait_for_screen("Endpoints", "STARTED")
        assert "DEMO" not in screen.splitlines()[0]
        assert SENTINEL_KEY not in await page.html()
        apps = [argv_of(pid) for pid in descendants(server.pid)]
        assert any(argv[-2:] == ["-m", "tui"] for argv in apps), apps
        assert all(SENTINEL_KEY not in " ".join(argv) for argv in apps)
