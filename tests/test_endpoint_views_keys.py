"""The Endpoints pane opens what an endpoint is doing by key: v events, M metrics, w traffic split, C side by
side, each for the row under the cursor (a deployment row narrows events and metrics to that deployment);
on a legacy v1 row the v2-only views are not offered and nothing opens."""

from __future__ import annotations

from apptools import settle
from formtools import until
from insight_tools import account, endpoint_named, loaded, v2_app
from v2_tools import Start

from tui.app.screens.compare_chat import CompareChatScreen
from tui.app.screens.events import EventsScreen
from tui.app.screens.metrics import MetricsScreen
from tui.app.screens.traffic_split import TrafficSplitScreen
from tui.simulator import ManualClock


async def test_each_key_opens_its_view_for_the_selected_row(start_simulator: Start, clock: ManualClock) -> None:
    server = account(start_simulator)
    app = v2_app(server, clock)
    async with app.run_test(size=(120, 36)) as pilot:
        await loaded(pilot)
        await settle(pilot)
        endpoint = endpoint_named(app, "support-bot")
        app.endpoints_pane.show_endpoint(endpoint.id)
        await settle(pilot)
        for key, screen_type in (("v", EventsScreen), ("M", MetricsScreen), ("w", TrafficSplitScreen),
                                 ("C", CompareChatScreen)):
            await pilot.press(key)
            await until(pilot, lambda screen_type=screen_type: isinstance(app.screen, screen_type),
                        f"{screen_type.__name__} to open")
            shown = getattr(app.screen, "endpoint", None)  # side by side holds targets, not one endpoint
            assert shown is None or shown.id == endpoint.id
            await pilot.press("escape")
            await until(pilot, lambda: app.screen is app.screen_stack[0], "the view to close")
        # A deployment row: events of that deployment only.
        await pilot.press("down")
        await settle(pilot)
        await pilot.press("v")
        await until(pilot, lambda: isinstance(app.screen, EventsScreen), "the deployment's events")
        assert app.screen.deployment_id == endpoint.deployments[0].id  # type: ignore[attr-defined]


async def test_a_legacy_v1_row_opens_no_v2_view(start_simulator: Start, clock: ManualClock) -> None:
    server = account(start_simulator)
    app = v2_app(server, clock)
    async with app.run_test(size=(120, 36)) as pilot:
        await loaded(pilot)
        await settle(pilot)
        legacy = next(e for e in app.context.store.endpoints.values() if e.api == "v1" and e.dedicated)
        app.endpoints_pane.show_endpoint(legacy.id)
        await settle(pilot)
        for key in ("v", "M", "w"):
            await pilot.press(key)
            await settle(pilot)
            assert app.screen is app.screen_stack[0], key
