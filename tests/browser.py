"""A headless Chromium driven over the DevTools protocol, and `together-tui serve` started for it.

Only what the browser test needs: start Chromium, open a page, read the text xterm.js holds, press keys,
take a screenshot. The protocol is spoken with aiohttp's websocket client (aiohttp comes with
textual-serve), so there is no driver binary and no browser download.

The terminal's text: textual-serve's page draws on a canvas (xterm.js), so the DOM holds no text, and
the page keeps its `Terminal` in a local variable. A script run before the page's own stores whatever is
assigned to a property named `terminal` (textual.js does `this.terminal = new Terminal(...)`) in
`window.__terminals`; the test reads `buffer.active` from there, which is exactly what is drawn.

Run as a script to regenerate the README's screenshot:

    .venv/bin/python tests/browser.py --screenshot screenshots/browser.png
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import contextlib
import fcntl
import itertools
import json
import os
import queue
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import IO, Any

import aiohttp

CHROMIUM_CANDIDATES = ("/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome")
#: The flags that work on this project's machines (closed network, root, no GPU).
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--remote-debugging-port=0",
    "--window-size=1280,800",
)
APT_INSTALL_TIMEOUT = 600.0
DEVTOOLS_LISTENING = re.compile(r"DevTools listening on (ws://\S+)")

#: Runs before the page's own scripts: keep every object textual.js assigns as `something.terminal`.
CAPTURE_TERMINAL = """
(() => {
  window.__terminals = [];
  Object.defineProperty(Object.prototype, "terminal", {
    configurable: true,
    set(value) {
      Object.defineProperty(this, "terminal", {value, writable: true, configurable: true, enumerable: true});
      if (value && value.buffer && value.buffer.active) window.__terminals.push(value);
    },
  });
})();
"""
#: The terminal's visible lines, or null until a terminal exists.
READ_SCREEN = """
(() => {
  const term = (window.__terminals || [])[0];
  if (!term) return null;
  const buffer = term.buffer.active, lines = [];
  for (let y = 0; y < term.rows; y++) {
    const line = buffer.getLine(buffer.viewportY + y);
    lines.push(line ? line.translateToString(true) : "");
  }
  return lines.join("\\n");
})()
"""


class BrowserError(RuntimeError):
    pass


def find_chromium() -> str | None:
    for candidate in (os.environ.get("CHROMIUM"), *CHROMIUM_CANDIDATES):
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    return shutil.which("chromium")


def install_chromium() -> tuple[str | None, str]:
    """Install Debian's chromium where that is possible (root, apt-get); the path, or None and why not."""
    if found := find_chromium():
        return found, ""
    if not hasattr(os, "geteuid") or os.geteuid() != 0 or shutil.which("apt-get") is None:
        return None, "Chromium is not installed (/usr/bin/chromium) and apt-get as root is not available"
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    # Test workers (xdist) may ask at once: one installs, the others wait and find it installed.
    # The lock lives in the checkout: each worker's temporary directory is its own.
    with (Path(__file__).resolve().parent.parent / ".chromium-install.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if found := find_chromium():
            return found, ""
        return _apt_install_chromium(env)


def _apt_install_chromium(env: dict[str, str]) -> tuple[str | None, str]:
    try:
        for command in (["apt-get", "update", "-qq"], ["apt-get", "install", "-y", "-qq", "chromium"]):
            done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=APT_INSTALL_TIMEOUT)
            if done.returncode != 0:
                return None, f"{' '.join(command)} failed: {done.stderr.strip()[-500:]}"
    except subprocess.TimeoutExpired as exc:
        return None, f"{' '.join(exc.cmd)} took more than {APT_INSTALL_TIMEOUT:.0f} s"
    found = find_chromium()
    return found, "" if found else "apt-get installed chromium but no executable was found"


async def _read_line_matching(stream: asyncio.StreamReader, pattern: re.Pattern[str], what: str) -> re.Match[str]:
    seen: list[str] = []
    while line := await stream.readline():
        text = line.decode("utf-8", "replace")
        seen.append(text)
        if match := pattern.search(text):
            return match
    raise BrowserError(f"{what} ended without saying where it listens:\n{''.join(seen)[-2000:]}")


class Page:
    """One tab, attached with a flat session on the browser's connection."""

    def __init__(self, browser: Browser, session_id: str) -> None:
        self._browser = browser
        self._session_id = session_id

    async def send(self, method: str, **params: Any) -> dict[str, Any]:
        return await self._browser.send(method, params, session_id=self._session_id)

    async def evaluate(self, expression: str) -> Any:
        reply = await self.send("Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True)
        if "exceptionDetails" in reply:
            raise BrowserError(f"{expression!r} threw: {reply['exceptionDetails']}")
        return reply["result"].get("value")

    async def goto(self, url: str) -> None:
        await self.send("Page.addScriptToEvaluateOnNewDocument", source=CAPTURE_TERMINAL)
        reply = await self.send("Page.navigate", url=url)
        if reply.get("errorText"):
            raise BrowserError(f"could not open {url}: {reply['errorText']}")

    def events(self, method: str) -> list[dict[str, Any]]:
        """The parameters of every `method` event this page has sent so far."""
        return [
            event["params"]
            for event in self._browser.events
            if event["method"] == method and event.get("sessionId") == self._session_id
        ]

    def requests(self) -> tuple[list[str], list[str]]:
        """The URLs this page asked for: (sent, blocked by the browser, e.g. by the page's policy)."""
        urls = {event["requestId"]: event["request"]["url"] for event in self.events("Network.requestWillBeSent")}
        blocked = {event["requestId"] for event in self.events("Network.loadingFailed") if event.get("blockedReason")}
        return [url for rid, url in urls.items() if rid not in blocked], [urls[rid] for rid in blocked if rid in urls]

    async def html(self) -> str:
        return str(await self.evaluate("document.documentElement.outerHTML"))

    async def screen(self) -> str:
        """The text on the terminal's screen ('' until the terminal exists)."""
        return str(await self.evaluate(READ_SCREEN) or "")

    async def wait_for_screen(self, *needles: str, seconds: float = 20.0) -> str:
        """Poll the terminal's text until it holds every needle; the screen, or BrowserError with the last."""
        screen = ""
        try:
            async with asyncio.timeout(seconds):
                while True:
                    screen = await self.screen()
                    if all(needle in screen for needle in needles):
                        return screen
                    await asyncio.sleep(0.1)
        except TimeoutError:
            raise BrowserError(f"{needles} not on the screen after {seconds:.0f} s; it shows:\n{screen}") from None

    async def press(self, key: str) -> None:
        """Type one printable key into the terminal, as a user would with the page focused."""
        # Headless tabs start unfocused; xterm.js reads keys from its hidden textarea.
        await self.evaluate("window.__terminals[0].focus()")
        code = f"Digit{key}" if key.isdigit() else f"Key{key.upper()}"
        common = {"key": key, "code": code, "windowsVirtualKeyCode": ord(key.upper())}
        await self.send("Input.dispatchKeyEvent", type="keyDown", text=key, **common)
        await self.send("Input.dispatchKeyEvent", type="keyUp", **common)

    async def screenshot(self) -> bytes:
        """What the page shows, as PNG."""
        reply = await self.send("Page.captureScreenshot", format="png")
        return base64.b64decode(reply["data"])


class Browser:
    """A headless Chromium and one DevTools connection to it."""

    def __init__(self, process: asyncio.subprocess.Process, http: aiohttp.ClientSession, ws: Any) -> None:
        self._process = process
        self._http = http
        self._ws = ws
        self._ids = itertools.count(1)
        self._waiting: dict[int, asyncio.Future[dict[str, Any]]] = {}
        #: Every event the browser sent, in order (a page's events carry its sessionId).
        self.events: list[dict[str, Any]] = []
        self._reader = asyncio.create_task(self._read())

    @classmethod
    @contextlib.asynccontextmanager
    async def launch(cls, executable: str, profile_dir: Path) -> AsyncIterator[Browser]:
        process = await asyncio.create_subprocess_exec(
            executable,
            *CHROMIUM_FLAGS,
            f"--user-data-dir={profile_dir}",
            "about:blank",
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.PIPE,
        )
        http = aiohttp.ClientSession()
        browser: Browser | None = None
        drain: asyncio.Task[bytes] | None = None
        try:
            assert process.stderr is not None
            async with asyncio.timeout(30):
                match = await _read_line_matching(process.stderr, DEVTOOLS_LISTENING, "Chromium")
                ws = await http.ws_connect(match.group(1), max_msg_size=0)
            # Keep draining stderr so Chromium never blocks on a full pipe.
            drain = asyncio.create_task(process.stderr.read())
            browser = cls(process, http, ws)
            yield browser
        finally:
            if browser is not None:
                await browser._close()
            await http.close()
            if process.returncode is None:
                process.terminate()
                try:
                    async with asyncio.timeout(10):
                        await process.wait()
                except TimeoutError:
                    process.kill()
                    await process.wait()
            if drain is not None:
                drain.cancel()

    async def _read(self) -> None:
        async for message in self._ws:
            if message.type != aiohttp.WSMsgType.TEXT:
                continue
            data = json.loads(message.data)
            if "method" in data:
                self.events.append(data)
                continue
            future = self._waiting.pop(data.get("id", -1), None)
            if future is not None and not future.done():
                future.set_result(data)
        for future in self._waiting.values():
            if not future.done():
                future.set_exception(BrowserError("the DevTools connection closed"))

    async def send(self, method: str, params: dict[str, Any] | None = None, *, session_id: str | None = None) -> Any:
        message_id = next(self._ids)
        message: dict[str, Any] = {"id": message_id, "method": method, "params": params or {}}
        if session_id is not None:
            message["sessionId"] = session_id
        future: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self._waiting[message_id] = future
        await self._ws.send_str(json.dumps(message))
        async with asyncio.timeout(30):
            reply = await future
        if "error" in reply:
            raise BrowserError(f"{method}: {reply['error']}")
        return reply.get("result", {})

    async def new_page(self, width: int = 1280, height: int = 800) -> Page:
        target = await self.send("Target.createTarget", {"url": "about:blank"})
        attached = await self.send("Target.attachToTarget", {"targetId": target["targetId"], "flatten": True})
        page = Page(self, attached["sessionId"])
        for domain in ("Page.enable", "Runtime.enable", "Network.enable"):
            await page.send(domain)
        await page.send(
            "Emulation.setDeviceMetricsOverride", width=width, height=height, deviceScaleFactor=1, mobile=False
        )
        return page

    async def _close(self) -> None:
        with contextlib.suppress(Exception):
            await self.send("Browser.close")
        await self._ws.close()
        self._reader.cancel()


def _pump(stream: IO[str] | None, lines: queue.Queue[str | None]) -> None:
    if stream is not None:
        for line in stream:
            lines.put(line)
    lines.put(None)


def _await_url(lines: queue.Queue[str | None], seconds: float) -> str:
    """The URL `serve` prints once it listens; BrowserError with what it printed instead."""
    seen: list[str] = []
    deadline = time.monotonic() + seconds
    while True:
        try:
            line = lines.get(timeout=max(deadline - time.monotonic(), 0.0))
        except queue.Empty:
            raise BrowserError(f"serve printed no URL within {seconds:.0f} s:\n{''.join(seen)}") from None
        if line is None:
            raise BrowserError(f"serve ended without a URL:\n{''.join(seen)}")
        seen.append(line)
        if line.startswith("together-tui in a browser at "):
            return line.split(" at ", 1)[1].split()[0]


@contextlib.contextmanager
def served(*, demo: bool = True, env: dict[str, str] | None = None) -> Iterator[tuple[str, subprocess.Popen[str]]]:
    """`together-tui serve [--demo] --port 0` as a subprocess: its URL and process, ended (SIGTERM) on exit."""
    process = subprocess.Popen(
        [sys.executable, "-m", "tui", "serve", "--port", "0", *(["--demo"] if demo else [])],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
        start_new_session=True,
    )
    # Read in a thread for as long as the server runs: its pipe must never fill up and block it.
    lines: queue.Queue[str | None] = queue.Queue()
    threading.Thread(target=_pump, args=(process.stdout, lines), daemon=True).start()
    try:
        url = _await_url(lines, seconds=30.0)
        yield url, process
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        if process.stdout is not None:
            process.stdout.close()


async def capture_demo() -> bytes:
    """The demo's Endpoints pane in Chromium, as PNG, once its first refresh has landed."""
    executable, why = install_chromium()
    if executable is None:
        raise SystemExit(why)
    with served() as (url, _), tempfile.TemporaryDirectory() as profile:
        async with Browser.launch(executable, Path(profile)) as browser:
            page = await browser.new_page(width=1200, height=760)
            await page.goto(url)
            await page.wait_for_screen("Endpoints", "STARTED", "updated")
            return await page.screenshot()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--screenshot", type=Path, required=True, help="PNG to write")
    args = parser.parse_args()
    png = asyncio.run(capture_demo())
    args.screenshot.parent.mkdir(parents=True, exist_ok=True)
    args.screenshot.write_bytes(png)
    print(f"wrote {args.screenshot}")


if __name__ == "__main__":
    main()
