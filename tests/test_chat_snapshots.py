"""What the Chat pane looks like: empty, after a finished exchange with its figures, after a failure, and
when its endpoint is stopped (at 80x24, as over SSH).

Timings come from a scripted clock, so the figures under an answer are the same on every run.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from apptools import make_app, settle
from textual.pilot import Pilot

from tui.api.domain import Phase
from tui.app.app import TogetherApp
from tui.app.messages import OpenChat
from tui.app.panes.chat import PromptInput
from tui.simulator import Faults, SimulatorServer

SnapCompare = Callable[..., bool]


class ScriptedClock:
    def __init__(self, step: float) -> None:
        self.step = step
        self.calls = 0

    def __call__(self) -> float:
        self.calls += 1
        return self.calls * self.step


def chat_about(model: str, prompt: str | None, phase: Phase = Phase.READY) -> Callable[[Pilot[None]], Awaitable[None]]:
    """Open the chat on the first endpoint serving ``model`` in ``phase``, then send ``prompt``."""

    async def run_before(pilot: Pilot[None]) -> None:
        app: TogetherApp = pilot.app  # type: ignore[assignment]
        await settle(pilot)
        endpoints = await app.provider.list_endpoints()
        endpoint = next(e for e in endpoints if e.model == model and e.phase is phase)
        app.post_message(OpenChat(endpoint))
        await settle(pilot)
        pane = app.chat_pane
        pane.perf_counter = ScriptedClock(0.02)
        # A blinking cursor would be caught on or off at random.
        pane.query_one(PromptInput).cursor_blink = False
        if prompt is not None:
            pane.query_one(PromptInput).insert(prompt)
            await pilot.press("enter")
            await settle(pilot)

    return run_before


def test_empty_chat(snap_compare: SnapCompare, sim_server: SimulatorServer) -> None:
    assert snap_compare(make_app(sim_server), terminal_size=(100, 30),
                        run_before=chat_about("openai/gpt-oss-20b", None))


def test_finished_exchange_with_reasoning_and_figures(snap_compare: SnapCompare, sim_server: SimulatorServer) -> None:
    assert snap_compare(make_app(sim_server), terminal_size=(100, 34),
                        run_before=chat_about("openai/gpt-oss-20b", "Why use a dedicated endpoint? [sim:tokens=30]"))


def test_stream_cut_mid_answer(snap_compare: SnapCompare, start_simulator: Callable[..., SimulatorServer]) -> None:
    server = start_simulator(faults=Faults(cut_after=24, route="/chat"))
    assert snap_compare(make_app(server), terminal_size=(100, 30),
                        run_before=chat_about("Qwen/Qwen2.5-7B-Instruct-Turbo", "Explain autoscaling"))


def test_stopped_endpoint_offers_a_start_at_80x24(
    snap_compare: SnapCompare, start_simulator: Callable[..., SimulatorServer]
) -> None:
    server = start_simulator(speed=1.0)
    assert snap_compare(make_app(server), terminal_size=(80, 24),
                        run_before=chat_about("meta-llama/Llama-3.3-70B-Instruct-Turbo", "Are you up?", Phase.STOPPED))
