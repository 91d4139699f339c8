"""Side-by-side chat against the v2 simulator: one prompt to two targets (the endpoint by its split and a
pinned deployment), both answered with figures; pick, swap, repeat; a stopped target is never started."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from apptools import settle
from formtools import until
from insight_tools import account, endpoint_named, loaded, show, text_of, v2_app
from textual.widgets import Input
from v2_tools import Start, requests_to

from tui.app.messages import OpenCompareChat
from tui.app.screens.compare_chat import CompareChatScreen
from tui.core import compare
from tui.core.chat import TurnState
from tui.simulator import ManualClock, SimulatorServer


def chats(server: SimulatorServer) -> list[str]:
    return [r.json_body["model"] for r in requests_to(server, "POST", "/chat/completions")]


def scripted(step: float = 0.05) -> Any:
    ticks: Iterator[int] = iter(range(1_000_000))
    return lambda: next(ticks) * step


def compare_screen(name: str) -> Any:
    def make(app: Any) -> CompareChatScreen:
        screen = CompareChatScreen(app.context, endpoint_named(app, name))
        for runner in screen.runners.values():
            runner.clock = scripted()
        return screen

    return make


async def ask(pilot: Any, screen: CompareChatScreen, prompt: str) -> None:
    screen.query_one("#compare-prompt", Input).value = prompt
    await pilot.press("enter")
    await until(pilot, lambda: not screen.busy and not any(t.state.busy for t in screen.rounds[-1]), "both answers")


async def test_one_prompt_streams_from_both_with_figures(start_simulator: Start, clock: ManualClock) -> None:
    server = account(start_simulator)
    app = v2_app(server, clock)
    async with app.run_test(size=(120, 36)) as pilot:
        await loaded(pilot)
        app.post_message(OpenCompareChat(endpoint_named(app, "support-bot")))
        await until(pilot, lambda: isinstance(app.screen, CompareChatScreen), "the side-by-side chat")
        screen = app.screen
        assert isinstance(screen, CompareChatScreen)
        assert "A: support-bot" in text_of(screen, "#compare-target-a")
        assert "B: support-bot / gpt-oss-20b-h200" in text_of(screen, "#compare-target-b")
        await ask(pilot, screen, "Say hello")
        assert sorted(chats(server)) == ["demo-project/support-bot", "demo-project/support-bot/gpt-oss-20b-h200"]
        for side in ("a", "b"):
            shown = text_of(screen, f"#compare-figures-{side}")
            assert shown.startswith("done ") and "TTFT" in shown and "tok/s" in shown and "finish: stop" in shown
            assert "completion tokens" in shown and "billed by the hour, $" in shown
            assert "Here is a short overview" in text_of(screen, f"#compare-answer-{side}")


async def test_pick_swap_and_repeat(start_simulator: Start, clock: ManualClock) -> None:
    server = account(start_simulator)
    app = v2_app(server, clock)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await show(pilot, compare_screen("support-bot"), lambda s: True)
        first_b = screen.b
        await pilot.press("ctrl+t")
        await settle(pilot)
        assert screen.b is not None and first_b is not None and screen.b.key != first_b.key
        assert screen.b.key != screen.a.key  # type: ignore[union-attr]
        a, b = screen.a, screen.b
        await pilot.press("ctrl+o")
        await settle(pilot)
        assert (screen.a, screen.b) == (b, a)
        assert text_of(screen, "#compare-target-a").startswith(f"A: {b.label}")
        await pilot.press("ctrl+r")
        await settle(pilot)
        assert chats(server) == [], "nothing to repeat before a first prompt"
        # Back to the endpoint against its canary, then ask and repeat.
        screen.a, screen.b = compare.first_pair(screen.choices, a.endpoint_id)  # type: ignore[union-attr]
        await ask(pilot, screen, "Once")
        await pilot.press("ctrl+r")
        await until(pilot, lambda: len(screen.rounds) == 2 and not screen.busy, "the repeat")
        assert len(chats(server)) == 4 and screen.rounds[1][0].prompt == "Once"
        text = compare.markdown(screen.rounds)
        assert text.count("## Prompt") == 2 and text.count("### A: support-bot") == 2
        assert "### B: support-bot / gpt-oss-20b-h200 (`demo-project/support-bot/gpt-oss-20b-h200`)" in text


async def test_a_stopped_target_is_not_started_and_nothing_is_sent_to_it(
    start_simulator: Start, clock: ManualClock
) -> None:
    server = account(start_simulator)
    app = v2_app(server, clock)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await show(pilot, compare_screen("llama-staging"), lambda s: True)
        assert screen.a is not None and screen.a.label == endpoint_named(app, "llama-staging").title
        await ask(pilot, screen, "Are you up?")
        stopped = screen.rounds[0][0]
        assert stopped.state in (TurnState.NEEDS_START, TurnState.NOT_SENT)
        assert "demo-project/llama-staging" not in chats(server)
        assert requests_to(server, "PATCH") == [], "nothing was started"
        assert text_of(screen, "#compare-figures-a").startswith(str(stopped.state))


def _asked(clock: ManualClock) -> Any:
    async def run_before(pilot: Any) -> None:
        screen = await show(pilot, compare_screen("support-bot"), lambda s: True)
        screen.query_one("#compare-prompt", Input).cursor_blink = False
        await ask(pilot, screen, "Say hello")
        # Where the followed answers end depends on when their last redraws came: start both at the top.
        for scroll in screen.query(".compare-scroll"):
            scroll.anchor(False)
            scroll.scroll_home(animate=False, immediate=True)
        await settle(pilot)

    return run_before


def test_snapshot_compare_wide(snap_compare: Any, start_simulator: Start, clock: ManualClock) -> None:
    app = v2_app(account(start_simulator), clock)
    assert snap_compare(app, terminal_size=(120, 36), run_before=_asked(clock))


def test_snapshot_compare_80x24(snap_compare: Any, start_simulator: Start, clock: ManualClock) -> None:
    app = v2_app(account(start_simulator), clock)
    assert snap_compare(app, terminal_size=(80, 24), run_before=_asked(clock))
