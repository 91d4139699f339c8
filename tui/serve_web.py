"""textual-serve's server, guarded for an app that holds an API key.

textual-serve (1.1) runs `command` in a shell for every websocket connection, with this process's
environment, and relays its terminal. Its server has no authentication and no checks on who connects.
On top of its handlers this adds:

- a Host check: unless serving remotely was asked for, only loopback names are served, so a web page
  whose domain is re-pointed at 127.0.0.1 (DNS rebinding) cannot read the page or open the websocket;
- an Origin check on the websocket: browsers let any site open a websocket to localhost, so one opened
  by a page of another origin is refused (clients that send no Origin, i.e. not browsers, are let in);
- URLs in the page taken from the request's Host, so `ssh -L 9000:localhost:8000` works on any local port;
- headers that keep the page out of frames and its address out of referrers;
- logging without local variables (textual-serve's own shows them, and a frame that copies the
  environment for the child holds the key).
"""

from __future__ import annotations

import asyncio
import logging
import socket
from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp_jinja2
import jinja2
from aiohttp import web
from textual_serve.server import Server
from yarl import URL

from tui.api.urls import is_loopback_name as is_loopback_host

log = logging.getLogger("together-tui.serve")

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

#: How long a stopping server waits for its app processes to quit.
SESSION_STOP_SECONDS = 10.0

#: Sent with every response: no framing (clickjacking), no referrer, no guessing content types.
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; frame-ancestors 'none'",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
}


def page_policy(request: web.Request) -> str:
    """The page may load and connect to this server only.

    textual-serve's page also asks fonts.googleapis.com for a stylesheet: blocked, so that opening the
    app makes no request elsewhere (xterm.js falls back to a local monospace font). Its scripts and
    styles are partly inline. The websocket is named as well as 'self' for browsers where 'self' does
    not cover ws: URLs.
    """
    return "; ".join(
        [
            "default-src 'self'",
            "script-src 'self' 'unsafe-inline'",
            "style-src 'self' 'unsafe-inline'",
            "img-src 'self' data:",
            "font-src 'self' data:",
            f"connect-src 'self' {websocket_origin(request)}",
            "frame-ancestors 'none'",
            "base-uri 'none'",
            "form-action 'none'",
        ]
    )


def websocket_origin(request: web.Request) -> str:
    """ws://HOST[:PORT] (wss: behind https) for the Host the browser used."""
    scheme, _, _ = request_origin(request)
    return ("wss" if scheme == "https" else "ws") + f"://{request.host}"


def request_origin(request: web.Request) -> tuple[str, str, int | None]:
    """(scheme, host, port) of the page as the browser addressed it (its Host header)."""
    url = request.url
    return url.scheme, (url.host or "").lower(), url.port


def same_origin(origin: str, request: web.Request) -> bool:
    """Whether an Origin header names the page this server served for `request`."""
    try:
        parsed = URL(origin)
    except ValueError:
        return False
    if parsed.scheme not in ("http", "https") or not parsed.host:
        return False
    return (parsed.scheme, parsed.host.lower(), parsed.port) == request_origin(request)


class AppServer(Server):
    """One app process per browser connection, served on a socket bound by the caller."""

    def __init__(self, command: str, *, title: str, any_host: bool = False) -> None:
        super().__init__(command, title=title)
        #: Serve whatever Host the browser used (asked for with --allow-remote), not only loopback names.
        self.any_host = any_host
        #: The tasks serving open websockets (one app process each), ended on shutdown.
        self._sessions: set[asyncio.Task[Any]] = set()

    def initialize_logging(self) -> None:
        logging.basicConfig(level="DEBUG" if self.debug else "INFO", format="%(levelname)s %(name)s: %(message)s")

    async def on_startup(self, app: web.Application) -> None:
        """textual-serve prints a banner with the command here; the CLI prints the URL instead."""

    async def on_shutdown(self, app: web.Application) -> None:
        """End every session: textual-serve then tells its app to quit and waits for it.

        Without this, aiohttp waits for open websockets to close by themselves, so a server with a tab
        open would not stop on SIGTERM or Ctrl-C until its shutdown timeout."""
        sessions = [task for task in self._sessions if not task.done()]
        for task in sessions:
            task.cancel()
        if sessions:
            await asyncio.wait(sessions, timeout=SESSION_STOP_SECONDS)

    def refusal(self, request: web.Request) -> str | None:
        """Why `request` is refused, or None."""
        try:
            host = request.url.host
        except ValueError:
            return "malformed Host header"
        if not host:
            return "no Host header"
        if not self.any_host and not is_loopback_host(host):
            return f"Host {host!r} is not a loopback name"
        if request.path == "/ws":
            origin = request.headers.get("Origin")
            if origin is not None and not same_origin(origin, request):
                return f"websocket opened from another origin ({origin!r})"
        return None

    @web.middleware
    async def guard(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        if reason := self.refusal(request):
            log.warning("refused %s %s: %s", request.method, request.path, reason)
            raise web.HTTPForbidden(text=f"Forbidden: {reason}.\n", headers=SECURITY_HEADERS)
        if request.path == "/ws" and (task := asyncio.current_task()) is not None:
            self._sessions.add(task)
            try:
                return await handler(request)
            finally:
                self._sessions.discard(task)
        response = await handler(request)
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        return response

    def make_app(self) -> web.Application:
        app = web.Application(middlewares=[self.guard])
        aiohttp_jinja2.setup(app, loader=jinja2.FileSystemLoader(self.templates_path))
        app.add_routes(
            [
                web.get("/", self.serve_index, name="index"),
                web.get("/ws", self.handle_websocket, name="websocket"),
                web.get("/download/{key}", self.handle_download, name="download"),
                web.static("/static", self.statics_path, name="static"),
            ]
        )
        app.on_startup.append(self.on_startup)
        app.on_shutdown.append(self.on_shutdown)
        return app

    def page_context(self, request: web.Request) -> dict[str, Any]:
        """What textual-serve's page template is given: the app's name and URLs, nothing else."""
        scheme, _, _ = request_origin(request)
        base = f"{scheme}://{request.host}"
        return {
            "font_size": _font_size(request.query.get("fontsize", "16")),
            "app_websocket_url": f"{websocket_origin(request)}/ws",
            "config": {"static": {"url": f"{base}/static/"}},
            "application": {"name": self.title},
        }

    async def serve_index(self, request: web.Request) -> web.Response:
        response = aiohttp_jinja2.render_template("app_index.html", request, self.page_context(request))
        response.headers["Content-Security-Policy"] = page_policy(request)
        return response

    def serve_on(self, sock: socket.socket) -> None:
        """Serve on a listening socket until SIGINT or SIGTERM; every app process is told to quit."""
        self.initialize_logging()
        web.run_app(
            self.make_app(),
            sock=sock,
            print=None,
            handle_signals=True,
            access_log=None,
            shutdown_timeout=SESSION_STOP_SECONDS,
        )


def _font_size(text: str) -> int:
    try:
        return min(max(int(text), 6), 64)
    except ValueError:
        return 16
