"""The fault matrix: every failure the simulator injects, in every pane, driven as a user drives the app.

Each cell checks five things: the app keeps running (and no worker dies with an unhandled error), the user is
told what went wrong where they are looking, the last good data stays on screen, the pane works again once the
fault clears, and no request that costs money (``POST /v1/endpoints``, ``POST /v1/chat/completions``) goes out
more than once per user action. Cells that cannot apply are skipped with the reason; a cell that fails because
of a bug in a pane is a strict xfail naming the bug, so that fixing it turns the cell red until the mark goes.

Paid requests are counted as the client sent them (a counting transport), so a POST that never reached the
server (connection refused) or was given up on (timeout) counts too, and are checked against the simulator's
``request_log`` wherever the server could see them. Reads are retried (once, at once: the real policy's shape
without its back-off sleeps), which makes "a paid POST is never retried" something this suite can catch breaking.

Starting the app costs more than most cells, so cells share one running app per simulator (the seeded account,
then one with 2,000 endpoints), pane by pane, each cell first undoing what an earlier one may have left; an app
a cell leaves dead is replaced. ``docs/fault-matrix.md`` is generated from these cells and what they saw::

    UPDATE_FAULT_MATRIX=1 .venv/bin/pytest tests/test_fault_matrix.py
"""

from __future__ import annotations

import asyncio
import contextvars
import io
import math
import os
import re
from collections.abc import AsyncIterator, Awaitable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar, TypeVar

import httpx
import pytest
import pytest_asyncio
from apptools import FROZEN_NOW, make_app, settle
from rich.console import Console
from textual.message import Message
from textual.notifications import Notify
from textual.pilot import Pilot
from textual.widgets import Input
from textual.worker import Worker, WorkerState

from tui.api.http import RetryPolicy
from tui.app.app import TogetherApp
from tui.app.messages import OpenChat, OpenCreateForm
from tui.app.panes.chat import PromptInput
from tui.app.screens.create_endpoint import CreateEndpointScreen
from tui.app.widgets.chat_message import AssistantMessage
from tui.app.widgets.endpoint_detail import EndpointDetail
from tui.app.widgets.endpoint_table import EndpointTable
from tui.app.widgets.hardware_table import HardwareTable
from tui.app.widgets.status_header import StatusHeader
from tui.core.chat import TurnState
from tui.simulator import DEMO_API_KEY, Faults, ManualClock, Simulator, SimulatorConfig, SimulatorServer

#: The smallest terminal the app supports (SSH): the cells also check the narrow layout, and render fastest.
SIZE = (80, 24)
#: The client gives up after TIMEOUT; the "timeout" fault answers after LATENCY. Well apart: a server applies a
#: request its client gave up on when its latency is over, and with 0.1 s between them a loaded CI machine's
#: late timer or next poll let a cell see the request succeed (the endpoint stopped, the form closed).
TIMEOUT = 0.5
LATENCY = 2.0
RETRY = RetryPolicy(max_retries=1, base_delay=0.0, max_delay=0.0)
#: Longer than RetryPolicy.max_retry_after, so the client hands the 429 to the pane rather than sleeping.
RETRY_AFTER = 30
LARGE = 2000
LLAMA = "meta-llama/Llama-3.3-70B-Instruct-Turbo"
CHAT_MODEL = "Qwen/Qwen2.5-7B-Instruct-Turbo"
ANSWER_TOKENS = 12
#: Longer than any step takes; a worker still running after this is stuck (say, waiting for an endpoint).
SETTLE_WITHIN = 20.0
#: Where the stream faults break an answer.
BREAK_AT = 5
PAID = frozenset({("POST", "/v1/endpoints"), ("POST", "/v1/chat/completions")})
DOC = Path(__file__).resolve().parent.parent / "docs" / "fault-matrix.md"

T = TypeVar("T")


# The faults


@dataclass(frozen=True)
class Fault:
    id: str
    title: str
    faults: Faults | None = None
    refused: bool = False
    large: bool = False

    @property
    def breaks(self) -> bool:
        """Whether the user's action is expected to fail (rather than work with odd data)."""
        return self.refused or (
            self.faults is not None and not (self.faults.extra_fields or self.faults.unknown_enums)
        )


FAULTS = [
    Fault("refused", "Connection refused (server down)", refused=True),
    Fault("timeout", f"Timeout (answer after {LATENCY:g} s, client gives up at {TIMEOUT:g} s)",
          Faults(latency=LATENCY)),
    Fault("401", "401 Unauthorized", Faults(error_status=401)),
    Fault("403", "403 Forbidden", Faults(error_status=403)),
    Fault("404", "404 Not Found", Faults(error_status=404)),
    Fault("429", f"429 with Retry-After: {RETRY_AFTER}", Faults(rate_limit=1.0, retry_after=RETRY_AFTER)),
    Fault("500", "500 Internal Server Error", Faults(error_status=500)),
    Fault("503", "503 Service Unavailable", Faults(error_status=503)),
    Fault("malformed", "Malformed JSON (every body and SSE payload)", Faults(malformed=1.0)),
    Fault("extra_fields", "Extra fields in every JSON object", Faults(extra_fields=True)),
    Fault("unknown_enums", "Unknown state DEGRADED, model type quantum, availability reserved-only",
          Faults(unknown_enums=True)),
    Fault("stream_cut", f"Stream cut after {BREAK_AT} tokens (no [DONE])", Faults(cut_after=BREAK_AT)),
    Fault("stream_error", f"error event after {BREAK_AT} tokens", Faults(error_after=BREAK_AT)),
    Fault("large_list", f"{LARGE:,} endpoints", large=True),
]
FAULTS_BY_ID = {fault.id: fault for fault in FAULTS}


# A running app that cells share


class CountingTransport(httpx.AsyncBaseTransport):
    """Real loopback HTTP, with a record of every request the client sent, whether it arrived or not."""

    def __init__(self) -> None:
        self._inner = httpx.AsyncHTTPTransport()
        self.sent: list[tuple[str, str]] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.sent.append((request.method, request.url.path))
        return await self._inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self._inner.aclose()


@dataclass(frozen=True)
class Mark:
    """Where the requests, log entries and notifications of one step begin."""

    sent: int = 0
    logged: int = 0
    told: int = 0


class Session:
    """One app against one simulator, run in a context of its own so that it can outlive a test."""

    def __init__(self, *, large: bool) -> None:
        self.large = large
        self.sim = Simulator(SimulatorConfig(
            api_key=DEMO_API_KEY, speed=math.inf, seed=0, tokens_per_second=0.0,
            clock=ManualClock(start=FROZEN_NOW.timestamp()), endpoints=LARGE if large else None,
            # The v1 screens still create and start through v1 (the v2 screens come with issue 13).
            legacy_v1=True,
        ))
        self.server = SimulatorServer(self.sim).start()
        self.server_up = True
        self.transport = CountingTransport()
        self.app: TogetherApp = make_app(
            self.server,
            client_options={"timeout": httpx.Timeout(TIMEOUT), "retry": RETRY, "transport": self.transport},
        )
        #: Every notification shown, as "title: message".
        self.told: list[str] = []
        #: Workers that ended with an exception nothing handled.
        self.worker_errors: list[str] = []
        self._runner = self.app.run_test(size=SIZE, message_hook=self._hook)
        # run_test sets Textual's context variables for the code that drives the app; pytest-asyncio gives each
        # test a fresh context, so the session keeps its own and runs every step in it.
        self._context = contextvars.copy_context()
        self.pilot: Pilot[None] | None = None

    def _hook(self, message: Message) -> None:
        if isinstance(message, Notify):
            title, text = message.notification.title, message.notification.message
            self.told.append(f"{title}: {text}" if title else text)
        elif isinstance(message, Worker.StateChanged) and message.state is WorkerState.ERROR:
            self.worker_errors.append(f"{message.worker.name}: {message.worker.error!r}")

    async def run(self, work: Awaitable[T]) -> T:
        async def step() -> T:
            return await work

        return await asyncio.get_running_loop().create_task(step(), context=self._context)

    async def open(self) -> Session:
        self.pilot = await self.run(self._runner.__aenter__())
        await self.run(self.settle())
        return self

    async def close(self) -> None:
        try:
            await self.run(self._runner.__aexit__(None, None, None))
        finally:
            self.server.stop()

    @property
    def alive(self) -> bool:
        return self.app.is_running and self.app.return_code is None

    async def settle(self) -> None:
        """The one settle helper, bounded: a cell that never settles fails and names what still runs."""
        assert self.pilot is not None
        try:
            async with asyncio.timeout(SETTLE_WITHIN):
                await settle(self.pilot)
        except TimeoutError:
            running = [worker.name for worker in self.app.workers if worker.is_running]
            raise AssertionError(f"not settled after {SETTLE_WITHIN} s: {running}") from None

    async def press(self, *keys: str) -> None:
        assert self.pilot is not None
        await self.pilot.press(*keys)
        await self.settle()

    # Faults

    def apply(self, fault: Fault) -> None:
        if fault.refused:
            self.server.stop()
            self.server_up = False
        elif fault.faults is not None:
            self.sim.faults = fault.faults

    def clear(self) -> None:
        self.sim.faults = Faults()
        if not self.server_up:
            self.server.start()  # on the same port: the app's client cannot be pointed elsewhere
            self.server_up = True

    async def reset(self) -> None:
        """Undo what an earlier (failed) cell may have left: a fault, the server down, a dialog, an answer."""
        self.clear()
        app = self.app
        chat = app.chat_pane
        turn = chat.conversation.last
        if turn is not None and turn.state.busy:
            chat.action_stop()
        while len(app.screen_stack) > 1:
            await app.pop_screen()
        self.worker_errors.clear()
        await self.settle()

    # What happened

    def mark(self) -> Mark:
        return Mark(len(self.transport.sent), len(self.sim.request_log), len(self.told))

    def sent_since(self, mark: Mark) -> list[tuple[str, str]]:
        return self.transport.sent[mark.sent:]

    def paid_since(self, mark: Mark) -> int:
        return sum(1 for request in self.sent_since(mark) if request in PAID)

    def logged_paid_since(self, mark: Mark) -> int:
        return sum(1 for r in self.sim.request_log[mark.logged:] if (r.method, r.path) in PAID)

    def told_since(self, mark: Mark) -> str:
        return "\n".join(self.told[mark.told:])

    async def drain(self, mark: Mark) -> None:
        """Wait until the simulator has logged every request sent since ``mark`` that could reach it.

        A request the client gave up on is logged when the server finishes it, up to LATENCY later; moving on
        sooner would let its effect (a stop, a create) land in the next cell.
        """
        if not self.server_up:
            return
        wanted = len(self.sent_since(mark))
        loop = asyncio.get_running_loop()
        deadline = loop.time() + LATENCY + 5
        while len(self.sim.request_log) - mark.logged < wanted:
            assert loop.time() < deadline, "the simulator never saw some of the requests sent"
            await asyncio.sleep(0.02)

    def assert_alive(self) -> None:
        assert self.alive, f"the app exited (return code {self.app.return_code})"
        assert not self.worker_errors, f"a worker died with an unhandled error: {self.worker_errors}"


class Sessions:
    """Hands each cell a running app for its simulator, replacing one that a cell left dead."""

    def __init__(self) -> None:
        self.current: Session | None = None

    async def get(self, *, large: bool) -> Session:
        current = self.current
        if current is not None and (current.large != large or not current.alive):
            self.current = None
            await current.close()
        if self.current is None:
            self.current = await Session(large=large).open()
        return self.current

    async def close(self) -> None:
        if self.current is not None:
            await self.current.close()
            self.current = None


@pytest.fixture(scope="module")
def module_home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """The shared app outlives conftest's per-test isolation: give it a throwaway home of its own."""
    home = tmp_path_factory.mktemp("fault-matrix-home")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("HOME", str(home))
        for name in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME", "XDG_STATE_HOME"):
            patch.setenv(name, str(home / name.lower()))
        yield


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def sessions(module_home: None) -> AsyncIterator[Sessions]:
    manager = Sessions()
    yield manager
    await manager.close()


# Reading the screen


def plain(widget: Any) -> str:
    return str(widget.render())


def rendered(content: Any) -> str:
    console = Console(width=SIZE[0], record=True, file=io.StringIO())
    console.print(content)
    return console.export_text()


def endpoint_table(app: TogetherApp) -> EndpointTable:
    return app.query_one("#endpoints-table", EndpointTable)


def state_cell(app: TogetherApp, endpoint_id: str) -> str:
    return endpoint_table(app).get_cell(endpoint_id, "state").plain


def header(app: TogetherApp) -> str:
    return "[header] " + plain(app.query_one(StatusHeader)).strip()


# The panes


class WrongMessage(AssertionError):
    """What the user is told is missing something, or says something wrong.

    The known bugs are all of this kind: their cells expect exactly this failure, so any other one in them
    (a crash, lost data, a repeated POST) still fails the suite.
    """


@dataclass(frozen=True)
class Expect:
    """Phrases of what the user sees after the action under the fault."""

    says: str
    also: tuple[str, ...] = ()
    #: Phrases that would be wrong to show.
    never: tuple[str, ...] = ()


class Scenario:
    id: ClassVar[str]
    title: ClassVar[str]
    action: ClassVar[str]
    #: Paid requests one user action sends.
    paid_per_action: ClassVar[int] = 0
    expect: ClassVar[dict[str, Expect]]
    #: Where the action under the fault began.
    mark = Mark()

    async def prepare(self, s: Session, fault: Fault) -> None:
        """Show good data, and remember it, before the fault."""
        raise NotImplementedError

    async def act(self, s: Session, fault: Fault) -> None:
        raise NotImplementedError

    def sees(self, s: Session) -> str:
        """What the user is shown after the action, where they are looking."""
        raise NotImplementedError

    def check_failed(self, s: Session, fault: Fault) -> str:
        """The action failed: assert that the last good data is still shown, and say what was kept."""
        raise NotImplementedError

    def check_worked(self, s: Session, fault: Fault) -> str:
        """The action worked despite the odd answer: assert what it shows, and say it."""
        raise NotImplementedError

    async def recover(self, s: Session, fault: Fault) -> str:
        """The fault is gone: do what the user would do next, assert that it works, and say how."""
        raise NotImplementedError


def error_phrases(suffix: tuple[str, ...] = ()) -> dict[str, Expect]:
    """The error as ``str(APIError)`` words it, which the Endpoints and Hardware panes quote."""
    phrases = {
        "refused": "connection failed: Could not reach 127.0.0.1",
        "timeout": "timed out: Timed out waiting for an answer",
        "401": "401 authentication failed: Invalid API key",
        "403": "403 authentication failed: You do not have permission",
        "404": "404 not found: Not found",
        "429": "429 rate limited: Rate limit exceeded",
        "500": "500 server error: Internal server error",
        "503": "503 server error: The server is overloaded",
        "malformed": "invalid response: ",
    }
    return {key: Expect(value, suffix) for key, value in phrases.items()}


class EndpointsPoll(Scenario):
    id = "endpoints_poll"
    title = "Endpoints: poll"
    action = "the list is polled, as the refresh timer does"
    expect: ClassVar[dict[str, Expect]] = {
        **error_phrases(("Couldn't refresh the endpoints", "(stale)")),
        "extra_fields": Expect("not in the API contract"),
        # Unknown states cost "?" in their rows; a total of $0.00 would say that nothing is billed.
        "unknown_enums": Expect("? DEGRADED", never=("burn $0.00/h",)),
        "large_list": Expect(f"Endpoints {LARGE} ·"),
    }

    def __init__(self) -> None:
        self.rows: list[str] = []

    async def prepare(self, s: Session, fault: Fault) -> None:
        s.app.action_show_pane("endpoints")
        s.app.context.store.poll_now()
        await s.settle()
        assert s.app.context.store.ok()
        self.rows = endpoint_table(s.app).keys
        assert self.rows

    async def act(self, s: Session, fault: Fault) -> None:
        s.app.context.store.poll_now()
        await s.settle()

    def sees(self, s: Session) -> str:
        app = s.app
        pane = app.endpoints_pane
        parts = [plain(app.query_one("#endpoints-error"))] if pane.has_class("-error") else []
        parts += [plain(app.query_one("#endpoints-title")), header(app)]
        table = endpoint_table(app)
        parts.append("[states] " + ", ".join(sorted({state_cell(app, key) for key in table.keys})))
        selected = pane.context.store.get(table.selected_key or "")
        if selected is not None and selected.extra:
            parts.append(rendered(app.query_one("#endpoints-detail", EndpointDetail).content))
        return "\n".join(parts)

    def check_failed(self, s: Session, fault: Fault) -> str:
        app = s.app
        assert endpoint_table(app).keys == self.rows
        assert not app.context.store.ok() and "stale" in app.context.store.status()
        assert "STALE" in plain(app.query_one("#endpoints-title"))
        return f"all {len(self.rows)} rows, marked STALE (title and header)"

    def check_worked(self, s: Session, fault: Fault) -> str:
        app = s.app
        assert app.context.store.ok()
        assert sorted(endpoint_table(app).keys) == sorted(self.rows)
        if fault.large:
            # Steady state: one list request a poll, no per-endpoint requests.
            assert s.sent_since(self.mark) == [("GET", "/v1/endpoints")]
            return f"all {LARGE:,} rows; a poll is one request"
        return f"all {len(self.rows)} rows"

    async def recover(self, s: Session, fault: Fault) -> str:
        app = s.app
        app.context.store.poll_now()
        await s.settle()
        assert app.context.store.ok() and app.context.store.status() == "updated just now"
        assert not app.endpoints_pane.has_class("-error")
        assert "STALE" not in plain(app.query_one("#endpoints-title"))
        assert sorted(endpoint_table(app).keys) == sorted(self.rows)
        assert "? DEGRADED" not in {state_cell(app, key) for key in self.rows}
        if fault.breaks:
            return "next poll: banner and STALE gone, header “updated just now”"
        return "next poll: the real states"


class EndpointsStop(Scenario):
    id = "endpoints_stop"
    title = "Endpoints: stop"
    action = "x on a STARTED endpoint"
    expect: ClassVar[dict[str, Expect]] = {
        **{key: Expect(value.says, ("Stop failed: Couldn't stop",)) for key, value in error_phrases().items()},
        "extra_fields": Expect("[row] ○ STOPPED"),
        "unknown_enums": Expect("[row] ? DEGRADED"),
        "large_list": Expect("[row] ○ STOPPED"),
    }

    def __init__(self) -> None:
        self.target = ""
        self.rows = 0

    async def prepare(self, s: Session, fault: Fault) -> None:
        sim = s.sim
        if self.target not in sim.endpoint_ids():
            self.target = next(
                i for i in sim.endpoint_ids()
                if sim.endpoint(i)["state"] == "STARTED" and sim.endpoint(i)["model"] != CHAT_MODEL  # type: ignore[index]
            )
        sim.set_state(self.target, "STARTED")
        s.app.action_show_pane("endpoints")
        s.app.context.store.poll_now()
        await s.settle()
        table = endpoint_table(s.app)
        assert table.select(self.target)
        await s.settle()
        assert s.app.focused is table
        assert state_cell(s.app, self.target) == "● STARTED"
        self.rows = table.row_count

    async def act(self, s: Session, fault: Fault) -> None:
        await s.press("x")

    def sees(self, s: Session) -> str:
        return f"{s.told_since(self.mark)}\n[row] {state_cell(s.app, self.target)}"

    def check_failed(self, s: Session, fault: Fault) -> str:
        assert endpoint_table(s.app).row_count == self.rows
        assert state_cell(s.app, self.target) == "● STARTED"
        return "the row goes back to its last known state"

    def check_worked(self, s: Session, fault: Fault) -> str:
        return f"the row shows {state_cell(s.app, self.target)}"

    async def recover(self, s: Session, fault: Fault) -> str:
        app = s.app
        app.context.store.poll_now()
        await s.settle()
        how = "next poll: ○ STOPPED (the request had been carried out)"
        if fault.breaks and state_cell(app, self.target) == "● STARTED":
            await s.press("x")
            how = "x again: ○ STOPPED"
        elif not fault.breaks:
            how = "next poll: ○ STOPPED"
        assert s.sim.endpoint(self.target)["state"] == "STOPPED"  # type: ignore[index]
        assert state_cell(app, self.target) == "○ STOPPED"
        return how


class HardwareLoad(Scenario):
    action = "r (reload) in the Hardware pane"
    model: ClassVar[str | None]

    def __init__(self) -> None:
        self.rows: list[str] = []

    def _rows(self, s: Session) -> list[str]:
        return [str(row.key.value) for row in s.app.query_one(HardwareTable).ordered_rows]

    async def prepare(self, s: Session, fault: Fault) -> None:
        app = s.app
        app.action_show_pane("hardware")
        await s.settle()
        pane = app.hardware_pane
        if pane.model is None or pane.model.id != self.model or pane.error:
            await s.run(pane.show_model(self.model))  # what picking it with m does
            await s.settle()
        assert app.focused is app.query_one(HardwareTable)
        assert pane.error is None
        self.rows = self._rows(s)
        assert self.rows

    async def act(self, s: Session, fault: Fault) -> None:
        await s.press("r")

    def sees(self, s: Session) -> str:
        text = plain(s.app.query_one("#hw-status"))
        if self.model is not None:
            table = s.app.query_one(HardwareTable)
            cells = sorted({str(table.get_cell(row, "availability")) for row in self.rows})
            text += "\n[availability] " + ", ".join(cells)
        return text

    def check_failed(self, s: Session, fault: Fault) -> str:
        assert self._rows(s) == self.rows
        return f"all {len(self.rows)} rows, in order"

    def check_worked(self, s: Session, fault: Fault) -> str:
        assert sorted(self._rows(s)) == sorted(self.rows)
        return f"all {len(self.rows)} rows"

    async def recover(self, s: Session, fault: Fault) -> str:
        await s.press("r")
        assert s.app.hardware_pane.error is None
        assert "✗" not in plain(s.app.query_one("#hw-status"))
        assert sorted(self._rows(s)) == sorted(self.rows)
        assert "reserved-only" not in self.sees(s)
        return "r: ✗ gone, rows reloaded" if fault.breaks else "r: the real availability"


class HardwareAll(HardwareLoad):
    id = "hardware_all"
    title = "Hardware: all"
    model = None
    expect: ClassVar[dict[str, Expect]] = {
        **error_phrases(("· r retries",)),
        "extra_fields": Expect("by price"),
    }


class HardwareModel(HardwareLoad):
    id = "hardware_model"
    title = "Hardware: model picked"
    model = LLAMA
    expect: ClassVar[dict[str, Expect]] = {
        **error_phrases(("· r retries",)),
        "extra_fields": Expect("by cheapest available"),
        "unknown_enums": Expect("? reserved-only"),
    }


class Chat(Scenario):
    id = "chat"
    title = "Chat: send"
    action = "enter on a prompt to a STARTED endpoint, after an answered one"
    paid_per_action = 1
    expect: ClassVar[dict[str, Expect]] = {
        "refused": Expect("✗ Connection failed", ("Could not reach", "ctrl+r retry")),
        "timeout": Expect("✗ Timed out", ("No answer in time", "ctrl+r retry")),
        "401": Expect("✗ API key refused (401)", ("Check the key",)),
        "403": Expect("✗ API key refused (403)", ("Check the key",)),
        "404": Expect("✗ Not found (404)", ("ctrl+r retry",)),
        "429": Expect("✗ Rate limited (429)", (f"Retry in {RETRY_AFTER} s.",)),
        "500": Expect("✗ Server error (500)", ("ctrl+r retry",)),
        "503": Expect("✗ Server error (503)", ("ctrl+r retry",)),
        "malformed": Expect("✗ Invalid response", ("malformed JSON in the stream",)),
        "extra_fields": Expect("✓ done"),
        "unknown_enums": Expect("✓ done"),
        "stream_cut": Expect("✗ Stream cut", ("incomplete",)),
        "stream_error": Expect("✗ Error during the answer", ("what arrived is kept",)),
        "large_list": Expect("✓ done"),
    }
    #: Past this many turns the conversation starts over: each prompt sends the whole history.
    MAX_TURNS = 6

    def __init__(self) -> None:
        self.target = ""
        self.good_answer = ""
        self.good_index = 0

    def _views(self, s: Session) -> list[AssistantMessage]:
        return list(s.app.chat_pane.query(AssistantMessage))

    async def _send(self, s: Session, text: str) -> None:
        prompt = s.app.chat_pane.query_one(PromptInput)
        prompt.focus()
        prompt.insert(text)
        await s.press("enter")

    async def prepare(self, s: Session, fault: Fault) -> None:
        app, sim = s.app, s.sim
        if self.target not in sim.endpoint_ids():
            self.target = next(
                i for i in sim.endpoint_ids()
                if sim.endpoint(i)["model"] == CHAT_MODEL and sim.endpoint(i)["state"] == "STARTED"  # type: ignore[index]
            )
        sim.set_state(self.target, "STARTED")
        app.context.store.poll_now()
        await s.settle()
        pane = app.chat_pane
        if app.active_pane != "chat" or pane.target is None or pane.target.endpoint_id != self.target:
            endpoint = app.context.store.get(self.target)
            assert endpoint is not None
            app.post_message(OpenChat(endpoint))  # what c on the endpoint's row asks
            await s.settle()
        if len(pane.conversation.turns) > self.MAX_TURNS:
            await s.press("ctrl+n")
            await s.press("y")  # a new chat asks first when there is a conversation to lose
            assert not pane.conversation.turns
        last = pane.conversation.last
        if last is None or last.state is not TurnState.DONE:
            await self._send(s, f"warm-up [sim:tokens={ANSWER_TOKENS}]")
            last = pane.conversation.last
        assert last is not None and last.state is TurnState.DONE and last.content
        self.good_answer = last.content
        self.good_index = len(self._views(s)) - 1
        assert self._views(s)[self.good_index].answer_source == self.good_answer

    async def act(self, s: Session, fault: Fault) -> None:
        if not fault.breaks:
            # The Endpoints pane polls all the time, and the chat goes by what its last poll saw: here, odd states.
            # (A failed poll keeps the last good data, as the Endpoints cells show: the chat would see no change.)
            s.app.context.store.poll_now()
            await s.settle()
        await self._send(s, f"under a fault [sim:tokens={ANSWER_TOKENS}]")

    def sees(self, s: Session) -> str:
        view = self._views(s)[-1]
        return f"{plain(view.query_one('#answer-state'))}\n{plain(view.query_one('#answer-notice'))}"

    def _earlier_answer_kept(self, s: Session) -> None:
        assert self._views(s)[self.good_index].answer_source == self.good_answer

    def check_failed(self, s: Session, fault: Fault) -> str:
        self._earlier_answer_kept(s)
        turn = s.app.chat_pane.conversation.last
        assert turn is not None and turn.state is TurnState.FAILED
        if fault.id in ("stream_cut", "stream_error"):
            assert turn.metrics is not None and turn.metrics.text_events == BREAK_AT
            assert turn.content and self._views(s)[-1].answer_source == turn.content
            return f"the earlier answer, and the {BREAK_AT} tokens that arrived"
        return "the earlier answer"

    def check_worked(self, s: Session, fault: Fault) -> str:
        self._earlier_answer_kept(s)
        turn = s.app.chat_pane.conversation.last
        assert turn is not None and turn.state is TurnState.DONE and turn.content
        assert self._views(s)[-1].answer_source == turn.content
        return "the earlier answer, and the new one"

    async def recover(self, s: Session, fault: Fault) -> str:
        if not fault.breaks:
            # Nothing failed, so nothing is sent again: the target's state word comes back with the next poll.
            s.app.context.store.poll_now()
            await s.settle()
            assert "STARTED" in plain(s.app.chat_pane.query_one("#target-state"))
            return "nothing to resend; next poll: the target reads STARTED"
        await s.press("ctrl+r")
        turn = s.app.chat_pane.conversation.last
        assert turn is not None and turn.state is TurnState.DONE and turn.content
        assert self._views(s)[-1].answer_source == turn.content
        self._earlier_answer_kept(s)
        return "ctrl+r: the whole answer, in place of the failed one"


#: One key: each key typed costs Pilot two waits for an idle CPU. (Cells tell their endpoints apart by id.)
DISPLAY_NAME = "m"


class CreateForm(Scenario):
    id = "create"
    title = "Create form: submit"
    action = "ctrl+s on a valid create form"
    paid_per_action = 1
    #: What the form adds when nobody can know whether the request was carried out.
    UNKNOWN_OUTCOME = "not known whether the endpoint was created"
    expect: ClassVar[dict[str, Expect]] = {
        "refused": Expect("✗ Connection failed: Could not reach 127.0.0.1"),
        "timeout": Expect("✗ Timed out: Timed out waiting for an answer", (UNKNOWN_OUTCOME,)),
        "401": Expect("✗ Authentication failed (401): Invalid API key"),
        "403": Expect("✗ Authentication failed (403): You do not have permission"),
        "404": Expect("✗ Not found (404): Not found"),
        "429": Expect("✗ Rate limited (429): Rate limit exceeded"),
        "500": Expect("✗ Server error (500): Internal server error", (UNKNOWN_OUTCOME,)),
        "503": Expect("✗ Server error (503): The server is overloaded", (UNKNOWN_OUTCOME,)),
        # A 2xx whose body cannot be read: the endpoint exists, so the form must say so before a second ctrl+s.
        "malformed": Expect("✗ Invalid response", ("check the Endpoints pane",)),
        "extra_fields": Expect(f"[new row] {DISPLAY_NAME} · ● STARTED"),
        "unknown_enums": Expect(f"[new row] {DISPLAY_NAME} · ? DEGRADED"),
        "large_list": Expect(f"Endpoints {LARGE + 1} ·"),
    }

    def __init__(self) -> None:
        self.before: set[str] = set()

    def _form(self, s: Session) -> CreateEndpointScreen:
        screen = s.app.screen
        assert isinstance(screen, CreateEndpointScreen)
        return screen

    def _created(self, s: Session) -> list[str]:
        return [i for i in s.sim.endpoint_ids() if i not in self.before]

    async def prepare(self, s: Session, fault: Fault) -> None:
        app, sim = s.app, s.sim
        hardware = sorted(i for i, status in sim.catalogue.offered(LLAMA).items() if status == "available")[0]
        self.before = set(sim.endpoint_ids())
        app.post_message(OpenCreateForm(model=LLAMA, hardware_id=hardware))
        await s.settle()
        form = self._form(s)
        assert form.model_id == LLAMA and form.hardware_id == hardware
        assert app.focused is form.query_one("#f-display-name")
        await s.press(DISPLAY_NAME)
        assert form.query_one("#f-display-name", Input).value == DISPLAY_NAME

    async def act(self, s: Session, fault: Fault) -> None:
        await s.press("ctrl+s")

    def sees(self, s: Session) -> str:
        app = s.app
        if isinstance(app.screen, CreateEndpointScreen):
            return plain(app.screen.query_one("#form-banner"))
        key = endpoint_table(app).selected_key or ""
        name = endpoint_table(app).get_cell(key, "name").plain
        return f"{plain(app.query_one('#endpoints-title'))}\n[new row] {name} · {state_cell(app, key)}"

    def check_failed(self, s: Session, fault: Fault) -> str:
        form = self._form(s)
        assert not form.submitting
        assert form.query_one("#f-display-name", Input).value == DISPLAY_NAME
        assert form.model_id == LLAMA
        return "the form stays open, as typed"

    def check_worked(self, s: Session, fault: Fault) -> str:
        app = s.app
        assert not isinstance(app.screen, CreateEndpointScreen)
        (created,) = self._created(s)
        assert endpoint_table(app).selected_key == created
        assert endpoint_table(app).get_cell(created, "name").plain == DISPLAY_NAME
        return "the form closes; the new endpoint is selected in Endpoints"

    async def recover(self, s: Session, fault: Fault) -> str:
        app = s.app
        if not fault.breaks:
            app.context.store.poll_now()
            await s.settle()
            (created,) = self._created(s)
            assert state_cell(app, created) == "● STARTED"
            return "next poll: the new row reads ● STARTED"
        if self._created(s):
            # The failed request was carried out after all: the user looks in Endpoints, as the form told them.
            await s.press("escape")
            app.action_show_pane("endpoints")
            app.context.store.poll_now()
            await s.settle()
            (created,) = self._created(s)
            assert endpoint_table(app).get_cell(created, "name").plain == DISPLAY_NAME
            return "it had been created: esc, and Endpoints lists it (nothing resent)"
        await s.press("ctrl+s")
        (created,) = self._created(s)
        assert not isinstance(app.screen, CreateEndpointScreen)
        assert endpoint_table(app).selected_key == created
        return "ctrl+s again: created, selected in Endpoints"


SCENARIOS: dict[str, Scenario] = {
    scenario.id: scenario
    for scenario in (EndpointsPoll(), EndpointsStop(), HardwareAll(), HardwareModel(), Chat(), CreateForm())
}


# Cells that do not apply, and cells that fail because of a bug in a pane

STREAM_ONLY = "Only chat streams (/v1/chat/completions is the one streamed route): stream faults cannot reach this."
FIXED_CATALOGUE = "The hardware list is a fixed catalogue: the number of endpoints never reaches this pane."
NOT_APPLICABLE: dict[tuple[str, str], str] = {
    **{(fault, pane): STREAM_ONLY
       for fault in ("stream_cut", "stream_error")
       for pane in ("endpoints_poll", "endpoints_stop", "hardware_all", "hardware_model", "create")},
    ("large_list", "hardware_all"): FIXED_CATALOGUE,
    ("large_list", "hardware_model"): FIXED_CATALOGUE,
    ("unknown_enums", "hardware_all"): "GET /hardware without a model has no enum in it: availability comes with a "
                                       "model only (the Hardware: model picked column covers it).",
}
BUGS: dict[tuple[str, str], str] = {
    # (fault id, pane) -> the bug, for a cell that fails because of a known bug. Empty: none known.
}


def cells() -> Iterator[Any]:
    """Pane by pane (a pane's cells reuse what the previous cell left on screen); the large account last."""
    order = [(fault, pane) for pane in SCENARIOS for fault in FAULTS if not fault.large]
    order += [(fault, pane) for pane in SCENARIOS for fault in FAULTS if fault.large]
    for fault, pane in order:
        key = (fault.id, pane)
        marks: list[pytest.MarkDecorator] = []
        if key in NOT_APPLICABLE:
            marks.append(pytest.mark.skip(reason=NOT_APPLICABLE[key]))
        elif key in BUGS:
            marks.append(pytest.mark.xfail(strict=True, raises=WrongMessage, reason=BUGS[key]))
        yield pytest.param(fault.id, pane, marks=marks, id=f"{fault.id}-{pane}")


@dataclass
class Observed:
    """What a cell saw, for the documentation."""

    sees: str = ""
    kept: str = ""
    recovery: str = ""
    paid: str = ""


OBSERVED: dict[tuple[str, str], Observed] = {}


@pytest.mark.asyncio(loop_scope="module")
@pytest.mark.parametrize(("fault_id", "pane"), list(cells()))
async def test_fault_matrix(sessions: Sessions, fault_id: str, pane: str) -> None:
    fault = FAULTS_BY_ID[fault_id]
    session = await sessions.get(large=fault.large)
    await session.run(run_cell(session, fault, SCENARIOS[pane]))


async def run_cell(s: Session, fault: Fault, scenario: Scenario) -> None:
    observed = OBSERVED[(fault.id, scenario.id)] = Observed()
    await s.reset()
    await scenario.prepare(s, fault)
    s.assert_alive()

    mark = scenario.mark = s.mark()
    s.apply(fault)
    await scenario.act(s, fault)
    s.assert_alive()
    seen = scenario.sees(s)
    observed.sees = normalise(seen)
    observed.kept = scenario.check_failed(s, fault) if fault.breaks else scenario.check_worked(s, fault)
    paid = s.paid_since(mark)
    assert paid == scenario.paid_per_action, f"{paid} paid requests for one action"
    await s.drain(mark)
    assert s.logged_paid_since(mark) == (paid if s.server_up else 0)

    retried = 0
    if fault.large:
        observed.recovery = "— (nothing to clear)"
    else:
        s.clear()
        again = s.mark()
        observed.recovery = await scenario.recover(s, fault)
        await s.drain(again)
        s.assert_alive()
        retried = s.paid_since(again)
        assert retried <= scenario.paid_per_action, f"{retried} paid requests for one retry"
        assert s.logged_paid_since(again) == retried
    observed.paid = describe_paid(scenario, paid, retried)
    # Last, so that a cell failing here (a known bug) has had every other property checked first.
    expect = scenario.expect[fault.id]
    for phrase in (expect.says, *expect.also):
        if phrase not in seen:
            raise WrongMessage(f"{phrase!r} is not in what the user sees:\n{seen}")
    for phrase in expect.never:
        if phrase in seen:
            raise WrongMessage(f"{phrase!r} is wrong, yet the user sees it:\n{seen}")


def describe_paid(scenario: Scenario, first: int, retried: int) -> str:
    if scenario.paid_per_action == 0:
        return "none"
    what = "POST /v1/chat/completions" if isinstance(scenario, Chat) else "POST /v1/endpoints"
    return f"{first} {what}" + (f", then {retried} on the user's retry" if retried else "")


# The documentation


def normalise(text: str) -> str:
    """The message as documented: the same on every run and machine, on one line."""
    text = re.sub(r"127\.0\.0\.1:\d+", "127.0.0.1:PORT", text)
    text = re.sub(r"\b[A-Za-z0-9]{7}-[A-Za-z0-9]{6}-[0-9a-f]{16}\b", "REQUEST-ID", text)
    text = re.sub(r"endpoint-[0-9a-f-]{36}", "endpoint-ID", text)
    return " ⏎ ".join(line.strip() for line in text.strip().splitlines() if line.strip())


def md(text: str) -> str:
    return text.replace("|", "\\|").replace("`", "'") if text else "—"


def render_matrix() -> str:
    lines = [
        "# The fault matrix",
        "",
        "What together-tui does when the API misbehaves, pane by pane. Generated from",
        "[`tests/test_fault_matrix.py`](../tests/test_fault_matrix.py), which drives the real app by keyboard",
        f"in a terminal of {SIZE[0]}x{SIZE[1]} against the simulator's fault injection (`tui/simulator/faults.py`)",
        "and asserts every cell; the messages quoted are what those tests read on screen. Regenerate with",
        "`UPDATE_FAULT_MATRIX=1 .venv/bin/pytest tests/test_fault_matrix.py` (the suite fails while this file",
        "is out of date).",
        "",
        "Every ✓ cell asserts that:",
        "",
        "- the app keeps running, and no worker dies with an unhandled error;",
        "- the message quoted is on screen where the user is looking (banner, status line, notification, the",
        "  answer's notice or the form's banner);",
        "- the last good data stays (rows, the earlier answer, what was typed);",
        "- the pane works again once the fault clears;",
        "- each user action sends at most one paid request (`POST /v1/endpoints`, `POST /v1/chat/completions`),",
        "  counted as the client sent them and checked against the simulator's request log. Reads may be",
        "  retried (once, in the suite); a paid POST never is.",
        "",
        f"In the suite the client gives up after {TIMEOUT:g} s and the Endpoints pane polls only when told to",
        "(hence \"next try in 3600 s\" below; with the default settings it is the back-off, at least the",
        "Retry-After).",
        "",
        "✓ passes · ✗ bug: fails because of a known bug (a strict xfail: fixing the bug turns it red until the",
        "mark is removed) · n/a: cannot apply (reason in the pane's table)",
        "",
        "| Fault | " + " | ".join(s.title for s in SCENARIOS.values()) + " |",
        "|---|" + "---|" * len(SCENARIOS),
    ]
    for fault in FAULTS:
        row = []
        for pane in SCENARIOS:
            key = (fault.id, pane)
            row.append("n/a" if key in NOT_APPLICABLE else "✗ bug" if key in BUGS else "✓")
        lines.append(f"| {md(fault.title)} | " + " | ".join(row) + " |")
    for scenario in SCENARIOS.values():
        lines += [
            "",
            f"## {scenario.title}",
            "",
            f"Under the fault: {scenario.action}.",
            "",
            "| Fault | What the user sees | Kept | Once the fault clears | Paid requests |",
            "|---|---|---|---|---|",
        ]
        for fault in FAULTS:
            key = (fault.id, scenario.id)
            if key in NOT_APPLICABLE:
                lines.append(f"| {md(fault.title)} | n/a: {md(NOT_APPLICABLE[key])} | | | |")
                continue
            seen = OBSERVED.get(key, Observed())
            cells = [md(seen.sees), md(seen.kept), md(seen.recovery), md(seen.paid)]
            if key in BUGS:
                cells[0] = f"**✗ bug:** {md(BUGS[key])}<br>Seen: {md(seen.sees)}"
            lines.append(f"| {md(fault.title)} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def test_the_documented_matrix_is_current() -> None:
    wanted = {(f.id, p) for f in FAULTS for p in SCENARIOS if (f.id, p) not in NOT_APPLICABLE}
    if set(OBSERVED) != wanted:
        pytest.skip("only part of the matrix ran in this session: the documentation needs all of it")
    text = render_matrix()
    if os.environ.get("UPDATE_FAULT_MATRIX"):
        DOC.parent.mkdir(exist_ok=True)
        DOC.write_text(text, encoding="utf-8")
    assert DOC.exists() and DOC.read_text(encoding="utf-8") == text, (
        "docs/fault-matrix.md is out of date: rerun with UPDATE_FAULT_MATRIX=1"
    )
