"""The traffic split editor against the v2 simulator: live shares as you type, flags, the refused split,
the review before sending, what is sent (updateMask + etag), and a 409 when the split changed meanwhile."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from apptools import settle
from formtools import until
from insight_tools import account, endpoint_named, loaded, show, text_of, v2_app
from textual.widgets import Input
from v2_tools import Start, provider_for, requests_to

from tui.app.messages import OpenTrafficSplit
from tui.app.screens.traffic_split import ConfirmSplitScreen, TrafficSplitScreen
from tui.simulator import ManualClock, SimulatorServer


def split_screen(name: str) -> Any:
    def make(app: Any) -> TrafficSplitScreen:
        return TrafficSplitScreen(app.context, endpoint_named(app, name))

    return make


def patches(server: SimulatorServer) -> list[Any]:
    return requests_to(server, "PATCH", "/endpoints/")


def type_weight(screen: TrafficSplitScreen, index: int, text: str) -> None:
    screen.query_one(f"#split-weight-{index}", Input).value = text


def share(screen: TrafficSplitScreen, index: int) -> str:
    return text_of(screen, f"#split-share-{index}")


async def test_shares_follow_the_weights_as_typed_and_odd_rows_are_flagged(
    start_simulator: Start, clock: ManualClock
) -> None:
    server = account(start_simulator)
    app = v2_app(server, clock)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await show(pilot, split_screen("support-bot"), lambda s: True)
        assert share(screen, 0).startswith("90%") and share(screen, 1).startswith("10%")
        assert "1 ready" in text_of(screen, "#split-ready-0")
        assert "Unchanged" in text_of(screen, "#split-summary")
        type_weight(screen, 1, "0")
        await settle(pilot)
        assert share(screen, 0).startswith("100%")
        assert share(screen, 1) == "0%  ⚠ ready, weight 0: gets no traffic"
        type_weight(screen, 1, "3")
        type_weight(screen, 0, "1")
        await settle(pilot)
        assert share(screen, 0).startswith("25%") and share(screen, 1).startswith("75%")
        assert "Would send: gpt-oss-20b-h100 1 · gpt-oss-20b-h200 3" in text_of(screen, "#split-summary")
        type_weight(screen, 0, "lots")
        await settle(pilot)
        assert "gpt-oss-20b-h100: 'lots' is not a number" in text_of(screen, "#split-summary")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert not isinstance(app.screen, ConfirmSplitScreen) and patches(server) == []


async def test_a_split_that_would_route_nothing_is_refused_with_the_reason(
    start_simulator: Start, clock: ManualClock
) -> None:
    server = account(start_simulator)
    app = v2_app(server, clock)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await show(pilot, split_screen("support-bot"), lambda s: True)
        type_weight(screen, 0, "0")
        type_weight(screen, 1, "0")
        await settle(pilot)
        assert "Every weight is 0: the endpoint would route nothing" in text_of(screen, "#split-summary")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "Not sent: this split is refused" in text_of(screen, "#split-banner")
        assert app.screen is screen and patches(server) == []
        await pilot.press("escape")
        await settle(pilot)
        # qwen-eval's only deployment is still provisioning: its weight routes nothing.
        evaluation = await show(pilot, split_screen("qwen-eval"), lambda s: True)
        type_weight(evaluation, 0, "2")
        await settle(pilot)
        summary = text_of(evaluation, "#split-summary")
        assert "All the weight is on deployments with no ready replica (qwen-7b)" in summary
        assert share(evaluation, 0) == "0%  ⚠ no ready replica: routes nothing"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert patches(server) == []


async def test_asks_then_sends_the_split_with_update_mask_and_etag(start_simulator: Start, clock: ManualClock) -> None:
    server = account(start_simulator)
    app = v2_app(server, clock)
    async with app.run_test(size=(120, 36)) as pilot:
        await loaded(pilot)
        support = endpoint_named(app, "support-bot")
        app.post_message(OpenTrafficSplit(support))
        await until(pilot, lambda: isinstance(app.screen, TrafficSplitScreen), "the editor")
        screen = app.screen
        assert isinstance(screen, TrafficSplitScreen)
        type_weight(screen, 0, "1")
        type_weight(screen, 1, "1")
        await settle(pilot)
        await pilot.press("ctrl+s")
        await until(pilot, lambda: isinstance(app.screen, ConfirmSplitScreen), "the review")
        review = text_of(app.screen, "#split-confirm-summary")
        assert "gpt-oss-20b-h100: weight 1, 1 ready → 50%" in review and "(was 0.9)" in review
        assert "updateMask=trafficSplit" in review and "10-30 s" in review
        await pilot.press("n")
        await settle(pilot)
        assert app.screen is screen and patches(server) == [] and "Not sent." in text_of(screen, "#split-banner")
        await pilot.press("ctrl+s")
        await until(pilot, lambda: isinstance(app.screen, ConfirmSplitScreen), "the review again")
        await pilot.press("y")
        await until(pilot, lambda: not isinstance(app.screen, TrafficSplitScreen), "the split sent")
        [sent] = patches(server)
        assert sent.query == {"updateMask": "trafficSplit"}
        assert sent.json_body["etag"] == support.version
        assert sent.json_body["trafficSplit"] == [
            {"deploymentId": support.deployments[0].id, "weight": 1.0},
            {"deploymentId": support.deployments[1].id, "weight": 1.0},
        ]
        shown = app.context.store.get(support.id)
        assert shown is not None and [d.traffic_weight for d in shown.deployments] == [1.0, 1.0]


async def test_a_split_changed_since_loaded_is_refused_and_reload_offered(
    start_simulator: Start, clock: ManualClock
) -> None:
    server = account(start_simulator)
    app = v2_app(server, clock)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await show(pilot, split_screen("support-bot"), lambda s: True)
        support = screen.endpoint
        elsewhere = provider_for(server)
        try:
            # Someone else moves the traffic meanwhile (no etag: it just applies), so the etag changes.
            await elsewhere.set_traffic_split(support.id, {d.id: 0.5 for d in support.deployments})
        finally:
            await elsewhere.aclose()
        type_weight(screen, 0, "0.8")
        type_weight(screen, 1, "0.2")
        await settle(pilot)
        await pilot.press("ctrl+s")
        await until(pilot, lambda: isinstance(app.screen, ConfirmSplitScreen), "the review")
        await pilot.press("y")
        await until(pilot, lambda: "Not applied" in text_of(screen, "#split-banner"), "the 409")
        banner = text_of(screen, "#split-banner")
        assert "changed since you loaded it" in banner and "ctrl+r" in banner
        assert app.screen is screen
        await pilot.press("ctrl+r")
        await until(pilot, lambda: "Reloaded" in text_of(app.screen, "#split-banner"), "the reload")
        assert [app.screen.query_one(f"#split-weight-{i}", Input).value for i in (0, 1)] == ["0.5", "0.5"]


def _typed(pilot_presses: tuple[str, ...]) -> Any:
    async def run_before(pilot: Any) -> None:
        screen = await show(pilot, split_screen("support-bot"), lambda s: True)
        for box in screen.query(Input):
            box.cursor_blink = False
        await pilot.press(*pilot_presses)
        await settle(pilot)

    return run_before


def test_snapshot_split_wide(snap_compare: Any, start_simulator: Start, clock: ManualClock) -> None:
    app = v2_app(account(start_simulator), clock)
    assert snap_compare(app, terminal_size=(120, 36), run_before=_typed(("tab", "0")))


def test_snapshot_split_80x24(snap_compare: Any, start_simulator: Start, clock: ManualClock) -> None:
    app = v2_app(account(start_simulator), clock)
    assert snap_compare(app, terminal_size=(80, 24), run_before=_typed(("tab", "0")))


async def test_read_only_shows_the_split_and_sends_nothing(start_simulator: Start, clock: ManualClock) -> None:
    server = account(start_simulator)
    app = v2_app(server, clock)
    app.config = replace(app.config, read_only=True)
    app.context = replace(app.context, config=app.config)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await show(pilot, split_screen("support-bot"), lambda s: True)
        type_weight(screen, 0, "1")
        await settle(pilot)
        assert share(screen, 0).startswith("91%")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "Read-only mode" in text_of(screen, "#split-banner")
        assert not isinstance(app.screen, ConfirmSplitScreen) and patches(server) == []
