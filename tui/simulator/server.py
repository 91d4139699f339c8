"""Serving a Simulator over real loopback HTTP, so that streams really stream.

`httpx.ASGITransport` buffers whole responses (see textual-notes.md), so anything that needs to
observe token-by-token arrival or a client timeout talks to uvicorn on an ephemeral port.
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import socket
import threading
import time
from types import TracebackType
from typing import Any, Generic, Protocol, TypeVar

import uvicorn


class Servable(Protocol):
    """What a server serves: the Together ``Simulator`` or the ``NebiusSimulator`` (an ASGI ``app``)."""

    app: Any


S = TypeVar("S", bound=Servable)


def bind_socket(host: str, port: int) -> socket.socket:
    """Bind before uvicorn starts, so an ephemeral port is known up front and errors are ours."""
    family = socket.AF_INET6 if _is_ipv6(host) else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        # Accepted sockets inherit this on Linux. Without it, uvicorn's separate writes of
        # headers and body meet the client's delayed ACK and every response takes ~40 ms.
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        sock.bind((host, port))
        sock.listen(128)
        sock.setblocking(False)
    except OSError:
        sock.close()
        raise
    return sock


def _is_ipv6(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).version == 6
    except ValueError:
        return False


def base_url_for(host: str, port: int) -> str:
    shown = f"[{host}]" if _is_ipv6(host) else host
    return f"http://{shown}:{port}/v1"


def uvicorn_config(sim: Servable, *, log_level: str = "warning") -> uvicorn.Config:
    return uvicorn.Config(
        sim.app,
        log_level=log_level,
        access_log=False,
        lifespan="off",
        # A stalled stream (fault injection) would otherwise hold shutdown forever.
        timeout_graceful_shutdown=1,
        # Longer than httpx's 5 s keep-alive expiry: at uvicorn's default (also 5 s) the server could close
        # an idle connection just as a client reused it, and an action's write (never retried) failed
        # with a ReadError the real API gives no reason to expect.
        timeout_keep_alive=30,
    )


class _QuickServer(uvicorn.Server):
    """uvicorn, minus the fixed 0.1 s sleeps on its way out.

    Stock shutdown takes about 0.2 s (a 0.1 s tick to notice `should_exit`, then a fixed 0.1 s
    pause); test suites start a server per test, so that adds up. Here `stop()` wakes the loop
    at once and shutdown polls in small steps with the same grace period.
    """

    _loop: asyncio.AbstractEventLoop | None = None
    _wakeup: asyncio.Event | None = None

    async def main_loop(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._wakeup = asyncio.Event()
        counter = 0
        should_exit = await self.on_tick(counter)
        while not should_exit:
            counter = (counter + 1) % 864000
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wakeup.wait(), 0.1)
            should_exit = await self.on_tick(counter)

    def wake(self) -> None:
        loop, event = self._loop, self._wakeup
        if loop is not None and event is not None and not loop.is_closed():
            with contextlib.suppress(RuntimeError):  # the loop closed in between
                loop.call_soon_threadsafe(event.set)

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        state = getattr(self, "server_state", None)
        if state is None or not hasattr(state, "connections") or not hasattr(state, "tasks"):
            await super().shutdown(sockets)  # a uvicorn whose internals moved: the slow path
            return
        for server in self.servers:
            server.close()
        for sock in sockets or []:
            sock.close()
        for connection in list(state.connections):
            connection.shutdown()
        loop = asyncio.get_running_loop()
        deadline = loop.time() + (self.config.timeout_graceful_shutdown or 0)
        # uvicorn signals neither "connections closed" nor "tasks done": poll, finely.
        while (state.connections or state.tasks) and not self.force_exit and loop.time() < deadline:  # noqa: ASYNC110
            await asyncio.sleep(0.005)
        for task in list(state.tasks):
            task.cancel()


class SimulatorServer(Generic[S]):
    """uvicorn in a daemon thread on an ephemeral loopback port."""

    def __init__(self, sim: S, host: str = "127.0.0.1", port: int = 0) -> None:
        self.sim = sim
        self.host = host
        self.port = port
        self._server: _QuickServer | None = None
        self._thread: threading.Thread | None = None
        self._socket: socket.socket | None = None
        self._error: BaseException | None = None

    @property
    def started(self) -> bool:
        return self._server is not None and self._server.started

    @property
    def base_url(self) -> str:
        """`http://127.0.0.1:PORT/v1`: what a client uses as its Together base URL."""
        return base_url_for(self.host, self.port)

    @property
    def root_url(self) -> str:
        """`http://127.0.0.1:PORT`: for the /_sim admin routes."""
        return self.base_url.removesuffix("/v1")

    def start(self, timeout: float = 10.0) -> SimulatorServer[S]:
        if self._thread is not None:
            raise RuntimeError("server already started")
        self._socket = bind_socket(self.host, self.port)
        self.port = self._socket.getsockname()[1]
        self._server = _QuickServer(uvicorn_config(self.sim))
        self._thread = threading.Thread(target=self._run, name=f"simulator-{self.port}", daemon=True)
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not self._server.started:
            if not self._thread.is_alive():
                self._close_socket()
                raise RuntimeError(f"simulator server failed to start: {self._error!r}")
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError("simulator server did not start in time")
            time.sleep(0.005)
        return self

    def _run(self) -> None:
        assert self._server is not None and self._socket is not None
        try:
            self._server.run(sockets=[self._socket])
        except BaseException as exc:  # SystemExit from uvicorn included: report it to start()
            self._error = exc

    def stop(self, timeout: float = 5.0) -> None:
        if self._server is not None:
            self._server.should_exit = True
            self._server.wake()
        if self._thread is not None:
            self._thread.join(timeout)
            if self._thread.is_alive() and self._server is not None:
                self._server.force_exit = True
                self._thread.join(timeout)
        self._thread = None
        self._close_socket()

    def _close_socket(self) -> None:
        if self._socket is not None:
            self._socket.close()
            self._socket = None

    def __enter__(self) -> SimulatorServer[S]:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
