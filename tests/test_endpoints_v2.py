"""The Endpoints pane on today's Together account, driven by keys: v2 endpoints with their deployments as a
tree, legacy v1 rows, deployment start/stop/scale, the smart delete, and the requests each poll costs."""

from __future__ import annotations

import asyncio
import io
from typing import Any

from apptools import select_row, settle
from rich.console import Console
from textual.widgets import Button, Input, OptionList
from tree_tools import cell, deployment_id, endpoint_id, make_tree_app, rows, table_of, today
from v2_tools import requests_to

from tui.app.messages import OpenCreateForm, OpenUpdateForm
from tui.app.screens.choose_deployments import ChooseDeploymentsScreen
from tui.app.screens.confirm_delete import ConfirmDeleteScreen
from tui.app.screens.confirm_start import ConfirmStartScreen
from tui.app.screens.scale import ScaleScreen
from tui.app.widgets.endpoint_detail import EndpointDetail
from tui.core.waits import WaitResult

SIZE = (140, 40)


class Said:
    def __init__(self, app: Any) -> None:
        self.texts: list[str] = []
        original = app.notify

        def notify(message: str, **kwargs: Any) -> None:
            self.texts.append(str(message))
            original(message, **kwargs)

        app.notify = notify

    def joined(self) -> str:
        return "\n".join(self.texts)


def detail_text(app: Any) -> str:
    body = app.query_one("#endpoints-detail", EndpointDetail)
    console = Console(width=130, record=True, file=io.StringIO())
    console.print(body.content)
    return console.export_text()


async def select(app: Any, pilot: Any, key: str) -> None:
    await select_row(app, pilot, key)


def patches(server: Any) -> list[tuple[str, Any]]:
    return [(r.path.rpartition("/")[2], r.json_body) for r in requests_to(server, "PATCH", "/deployments/")]


async def test_each_endpoint_is_a_row_with_its_deployments_beneath_and_v1_rows_are_marked(
    start_simulator: Any, clock: Any
) -> None:
    server = today(start_simulator)
    app = make_tree_app(server, clock)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        names = rows(app)
        bot = endpoint_id(app, "support-bot")
        h100, h200 = deployment_id(app, "gpt-oss-20b-h100"), deployment_id(app, "gpt-oss-20b-h200")
        keys = table_of(app).keys
        # The deployments come right under their endpoint, ├ then └.
        assert keys[keys.index(bot) + 1: keys.index(bot) + 3] == [h100, h200]
        assert cell(app, bot, "name") == "demo-project/support-bot"
        assert cell(app, h100, "name") == "├ gpt-oss-20b-h100"
        assert cell(app, h200, "name") == "└ gpt-oss-20b-h200"
        assert cell(app, h100, "hardware") == "1x H100 80GB"
        assert cell(app, h100, "state") == "● Ready"
        assert cell(app, h100, "ready") == "1/1" and cell(app, h100, "replicas") == "1-3"
        assert cell(app, h100, "traffic") == "0.9 · 90%" and cell(app, h200, "traffic") == "0.1 · 10%"
        assert cell(app, h100, "cost") == "$5.49" and cell(app, h200, "cost") == "$6.99"
        # The endpoint: its routed share and its total $/hour.
        assert cell(app, bot, "traffic") == "100%" and cell(app, bot, "cost") == "$12.48"
        assert sum(1 for name in names if name.startswith("v1 ")) == 2
        staging = endpoint_id(app, "llama-staging")
        assert cell(app, staging, "state") == "○ Stopped" and cell(app, staging, "cost") == "$0.00"
        assert "Endpoints 6" in str(app.query_one("#endpoints-title").render())


async def test_sort_and_filter_keep_deployments_under_their_endpoint(start_simulator: Any, clock: Any) -> None:
    server = today(start_simulator)
    app = make_tree_app(server, clock)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        bot = endpoint_id(app, "support-bot")
        h100, h200 = deployment_id(app, "gpt-oss-20b-h100"), deployment_id(app, "gpt-oss-20b-h200")
        table = table_of(app)
        for column, reverse in (("cost", True), ("cost", False), ("name", True)):
            table.set_sort(column, reverse=reverse)
            keys = table.keys
            assert keys[keys.index(bot) + 1: keys.index(bot) + 3] == [h100, h200]
        table.set_sort("cost", reverse=True)
        # The dearest first: the running legacy v1 endpoint (4x H100 at v1's $21.60/h), then support-bot
        # ($12.48/h) with its deployments under it.
        legacy = app.context.store.get(table.keys[0])
        assert legacy is not None and legacy.api == "v1"
        assert table.keys[1:4] == [bot, h100, h200]
        # A filter that only a deployment matches shows it with its endpoint, not its sibling.
        await pilot.press("slash", *"h200", "enter")
        await settle(pilot)
        assert table.keys == [bot, h200]
        assert cell(app, h200, "name") == "└ gpt-oss-20b-h200"
        await pilot.press("escape")
        await settle(pilot)
        assert h100 in table.keys


async def test_steady_polls_cost_one_list_request_per_api_and_no_details(start_simulator: Any, clock: Any) -> None:
    server = today(start_simulator)
    app = make_tree_app(server, clock)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        # The first load reads each endpoint's details once (status messages, etags).
        assert requests_to(server, "GET", "/deployments")
        bot = endpoint_id(app, "support-bot")
        await select(app, pilot, deployment_id(app, "gpt-oss-20b-h100"))
        server.sim.clear_request_log()
        for _ in range(3):
            app.context.store.poll_now()
            await settle(pilot)
        listed = [r.path for r in server.sim.requests("GET")]
        # One list per API per poll (the v2 list carries the deployment summaries), nothing else.
        assert sorted(set(listed)) == ["/v1/endpoints", "/v2/projects/proj_d5397d9df2cdd809/endpoints"]
        assert len(listed) == 6
        assert app.context.store.get(bot) is not None


async def test_stop_on_a_deployment_row_scales_that_deployment_to_zero(start_simulator: Any, clock: Any) -> None:
    server = today(start_simulator)
    app = make_tree_app(server, clock)
    said = Said(app)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        h200 = deployment_id(app, "gpt-oss-20b-h200")
        await select(app, pilot, h200)
        server.sim.clear_request_log()
        await pilot.press("x")
        assert "Stopping support-bot: gpt-oss-20b-h200 to 0/0…" in said.joined()
        await settle(pilot)
        assert patches(server) == [(h200, {"autoscaling": {"minReplicas": 0, "maxReplicas": 0}})]
        app.context.store.poll_now()
        await settle(pilot)
        assert cell(app, h200, "state") == "○ Stopped"
        assert cell(app, deployment_id(app, "gpt-oss-20b-h100"), "state") == "● Ready"
        assert "Deployment stopped" in said.joined() or "no longer billed" in said.joined()


async def test_stop_on_an_endpoint_with_several_deployments_asks_which(start_simulator: Any, clock: Any) -> None:
    server = today(start_simulator)
    app = make_tree_app(server, clock)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await select(app, pilot, endpoint_id(app, "support-bot"))
        server.sim.clear_request_log()
        await pilot.press("x")
        await settle(pilot)
        assert isinstance(app.screen, ChooseDeploymentsScreen)
        assert patches(server) == []  # nothing sent while asking
        options = app.screen.query_one(OptionList)
        assert options.option_count == 3  # all, and each one
        await pilot.press("enter")  # "All 2 deployments" is first
        await settle(pilot)
        zero = {"autoscaling": {"minReplicas": 0, "maxReplicas": 0}}
        stopped = {key for key, body in patches(server) if body == zero}
        assert stopped == {deployment_id(app, "gpt-oss-20b-h100"), deployment_id(app, "gpt-oss-20b-h200")}


async def test_start_of_a_deployment_with_unknown_bounds_asks_them_then_its_price(
    start_simulator: Any, clock: Any
) -> None:
    server = today(start_simulator)
    app = make_tree_app(server, clock)
    said = Said(app)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        staging = deployment_id(app, "llama-3-3-70b")
        await select(app, pilot, staging)
        server.sim.clear_request_log()
        await pilot.press("s")
        await settle(pilot)
        # Stopped before this session: its old bounds are unknown, so they are asked for, with the cost.
        assert isinstance(app.screen, ScaleScreen)
        screen = app.screen
        screen.query_one("#scale-min", Input).value = "1"
        screen.query_one("#scale-max", Input).value = "2"
        await pilot.pause()
        preview = str(screen.query_one("#scale-preview").render())
        assert "$10.98/h - $21.96/h" in preview
        await pilot.press("enter")  # enter in a box moves on, never sends
        assert patches(server) == []
        await pilot.click("#scale-apply")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmStartScreen)
        summary = str(app.screen.query_one("#confirm-start-summary").render())
        assert "$10.98/hour" in summary and "1-2 replicas" in summary
        assert patches(server) == []
        await pilot.press("y")
        await settle(pilot)
        assert patches(server) == [(staging, {"autoscaling": {"minReplicas": 1, "maxReplicas": 2}})]
        assert "Starting llama-staging: llama-3-3-70b at 1-2 replicas…" in said.joined()


async def test_scale_shows_the_cost_range_and_sends_only_when_applied(start_simulator: Any, clock: Any) -> None:
    server = today(start_simulator)
    app = make_tree_app(server, clock)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        qwen = deployment_id(app, "qwen-7b")
        await select(app, pilot, qwen)
        server.sim.clear_request_log()
        await pilot.press("S")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, ScaleScreen)
        screen.query_one("#scale-min", Input).value = "2"
        screen.query_one("#scale-max", Input).value = "4"
        await pilot.pause()
        assert "$10.98/h - $21.96/h" in str(screen.query_one("#scale-preview").render())
        screen.query_one("#scale-max", Input).value = "0"
        await pilot.pause()
        assert screen.query_one("#scale-apply", Button).disabled  # 2/0 is refused before sending
        screen.query_one("#scale-max", Input).value = "4"
        await pilot.pause()
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert patches(server) == [(qwen, {"autoscaling": {"minReplicas": 2, "maxReplicas": 4}})]


async def test_smart_delete_lists_what_goes_asks_the_name_and_shows_each_step(
    start_simulator: Any, clock: Any
) -> None:
    server = today(start_simulator)
    app = make_tree_app(server, clock)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        qwen = endpoint_id(app, "qwen-eval")
        await select(app, pilot, qwen)
        await pilot.press("d")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, ConfirmDeleteScreen)
        doomed = str(dialog.query_one("#confirm-delete-doomed").render())
        assert doomed.index("deployment qwen-7b") < doomed.index("the endpoint demo-project/qwen-eval")
        assert dialog.query_one("#confirm-delete-confirm", Button).disabled  # running: the name must be typed
        server.sim.clear_request_log()
        await pilot.press(*"qwen-eval")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmDeleteScreen)  # stays open, showing the steps
        steps = str(dialog.query_one("#confirm-delete-steps").render())
        assert "Stopping demo-project/qwen-eval/qwen-7b (scaling to 0/0)" in steps
        assert "Deleting endpoint" in steps and "Done" in steps
        deletes = [r.path for r in server.sim.requests("DELETE")]
        assert len(deletes) == 2 and "/deployments/" in deletes[0] and "/deployments/" not in deletes[1]
        await pilot.press("escape")
        await settle(pilot)
        assert qwen not in table_of(app).keys


async def test_deleting_one_deployment_keeps_the_endpoint(start_simulator: Any, clock: Any) -> None:
    server = today(start_simulator)
    app = make_tree_app(server, clock)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        h200 = deployment_id(app, "gpt-oss-20b-h200")
        await select(app, pilot, h200)
        await pilot.press("d")
        await settle(pilot)
        await pilot.press(*"gpt-oss-20b-h200", "enter")
        await settle(pilot)
        deletes = [r.path for r in server.sim.requests("DELETE")]
        assert deletes == [deletes[0]] and deletes[0].endswith(h200)
        await pilot.press("escape")
        app.context.store.poll_now()
        await settle(pilot)
        bot = endpoint_id(app, "support-bot")
        assert bot in table_of(app).keys and h200 not in table_of(app).keys


async def test_start_on_a_v1_row_sends_nothing_and_offers_a_redeploy(start_simulator: Any, clock: Any) -> None:
    server = today(start_simulator)
    app = make_tree_app(server, clock)
    said = Said(app)
    posted: list[Any] = []
    async with app.run_test(size=SIZE, message_hook=posted.append) as pilot:
        await settle(pilot)
        legacy = endpoint_id(app, "Llama-3.3-70B-Instruct-Turbo-2b34a6fc")
        await select(app, pilot, legacy)
        assert "v1 no longer restarts endpoints" in detail_text(app)
        server.sim.clear_request_log()
        await pilot.press("s")
        await pilot.pause()
        forms = [m for m in posted if isinstance(m, OpenCreateForm)]
        assert forms and forms[-1].redeploy_of is not None and forms[-1].redeploy_of.id == legacy
        assert "v1 no longer restarts endpoints" in said.joined()
        assert [r for r in server.sim.request_log if r.method != "GET"] == []


async def test_edit_on_a_deployment_row_opens_the_update_form_of_its_endpoint(start_simulator: Any, clock: Any) -> None:
    server = today(start_simulator)
    app = make_tree_app(server, clock)
    posted: list[Any] = []
    async with app.run_test(size=SIZE, message_hook=posted.append) as pilot:
        await settle(pilot)
        await select(app, pilot, deployment_id(app, "gpt-oss-20b-h200"))
        app.endpoints_pane.action_edit()
        await pilot.pause()
        updates = [m for m in posted if isinstance(m, OpenUpdateForm)]
        assert updates and updates[-1].endpoint.id == endpoint_id(app, "support-bot")


async def test_details_of_a_deployment_and_of_its_endpoint(start_simulator: Any, clock: Any) -> None:
    server = today(start_simulator)
    app = make_tree_app(server, clock)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await select(app, pilot, deployment_id(app, "gpt-oss-20b-h100"))
        text = detail_text(app)
        for expected in ("demo-project/support-bot/gpt-oss-20b-h100", "1x H100 80GB", "vllm 0.11.2", "fp8", "tp1",
                         "All replicas ready", "min 1 · max 3", "weight 0.9 · share 90%", "Etag"):
            assert expected in text, expected
        detail = app.query_one("#endpoints-detail", EndpointDetail)
        detail.scroll_end(animate=False, immediate=True)  # not after the next refresh: after the selection
        assert detail.scroll_y > 0
        await select(app, pilot, endpoint_id(app, "support-bot"))
        for _ in range(40):  # the details follow the cursor once keys pause (HELD_KEY_GAP)
            await pilot.pause(0.05)
            if "Use as model" in detail_text(app):
                break
        assert detail.scroll_y == 0  # another row starts at the top
        text = detail_text(app)
        for expected in ("Use as model", "demo-project/support-bot", "private", "gpt-oss-20b-h200"):
            assert expected in text, expected


async def test_a_store_wait_for_a_v2_endpoint_is_reached_once_a_deployment_serves(
    start_simulator: Any, clock: Any
) -> None:
    server = today(start_simulator)
    app = make_tree_app(server, clock)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        store = app.context.store
        staging = endpoint_id(app, "llama-staging")
        decision = store.start_deployments(staging, {deployment_id(app, "llama-3-3-70b"): (1, 1)})
        assert decision.sent
        # As the App does after a deploy (not as a worker: settle would wait for it).
        waiting = asyncio.ensure_future(store.wait_until_ready(staging))
        await settle(pilot)
        store.poll_now()
        await settle(pilot)
        outcome = await asyncio.wait_for(waiting, 5)
        assert outcome.result is WaitResult.REACHED


async def test_a_terminal_too_small_to_show_rows_does_not_delete_a_hidden_one(start_simulator: Any, clock: Any) -> None:
    server = today(start_simulator)
    app = make_tree_app(server, clock)
    async with app.run_test(size=(30, 7)) as pilot:
        await settle(pilot)
        assert table_of(app).visible_keys() == []  # the premise: no row on screen at this size
        await pilot.press("d")
        await settle(pilot)
        assert not isinstance(app.screen, ConfirmDeleteScreen)
