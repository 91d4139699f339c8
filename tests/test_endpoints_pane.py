"""The Endpoints pane driven as a user drives it, against the simulator."""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import pytest
from apptools import make_app, select_row, settle
from rich.console import Console
from textual.message import Message
from textual.widgets import Button, Input, Static

from tui.api.http import RetryPolicy
from tui.app.app import TogetherApp
from tui.app.messages import OpenChat, OpenCreateForm, OpenUpdateForm
from tui.app.panes.endpoints import EndpointsPane
from tui.app.screens.confirm_delete import ConfirmDeleteScreen
from tui.app.widgets.endpoint_detail import EndpointDetail
from tui.app.widgets.endpoint_table import EndpointTable
from tui.core.store import Changed, EndpointStore, StoreEvent
from tui.simulator import Faults, ManualClock, SimulatorServer
from tui.simulator.catalogue import HARDWARE_BY_ID

SIZE = (120, 36)
NO_RETRY = {"retry": RetryPolicy(max_retries=0)}


@dataclass
class Said:
    """Everything the app told the user (notifications and announcements)."""

    messages: list[dict[str, Any]] = field(default_factory=list)

    def texts(self) -> list[str]:
        return [str(m["message"]) for m in self.messages]

    def joined(self) -> str:
        return "\n".join(self.texts())


def record(app: TogetherApp) -> Said:
    said = Said()
    original = app.notify

    def notify(message: str, **kwargs: Any) -> None:
        said.messages.append({"message": message, **kwargs})
        original(message, **kwargs)

    app.notify = notify  # type: ignore[method-assign]
    return said


def pane_of(app: TogetherApp) -> EndpointsPane:
    return app.endpoints_pane


def table_of(app: TogetherApp) -> EndpointTable:
    return app.query_one("#endpoints-table", EndpointTable)


def cell(app: TogetherApp, endpoint_id: str, column: str) -> str:
    return table_of(app).get_cell(endpoint_id, column).plain


def find(app: TogetherApp, title_part: str) -> str:
    for endpoint in app.context.store.endpoints.values():
        if title_part in endpoint.title:
            return endpoint.id
    raise AssertionError(f"no endpoint like {title_part!r}")


async def select(app: TogetherApp, pilot: Any, endpoint_id: str) -> None:
    await select_row(app, pilot, endpoint_id)


def detail_text(app: TogetherApp, width: int = 120) -> str:
    body = app.query_one("#endpoints-detail", EndpointDetail)
    console = Console(width=width, record=True, file=io.StringIO())
    console.print(body.content)
    return console.export_text()


def requests(server: SimulatorServer, method: str | None = None, prefix: str = "/v1/endpoints") -> list[Any]:
    return [r for r in server.sim.request_log if r.path.startswith(prefix) and (method is None or r.method == method)]


def app_clock_following(clock: ManualClock) -> Callable[[], datetime]:
    return lambda: datetime.fromtimestamp(clock(), UTC)


# The table


async def test_table_lists_dedicated_endpoints_with_details_costs_and_burn(sim_server: SimulatorServer) -> None:
    app = make_app(sim_server)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        table = table_of(app)
        assert table.row_count == len(sim_server.sim.endpoint_ids()) == 7
        assert table.column_keys == ["name", "model", "hardware", "replicas", "state", "cost", "age"]
        expected_burn = 0.0
        for endpoint_id in sim_server.sim.endpoint_ids():
            truth = sim_server.sim.endpoint(endpoint_id)
            assert truth is not None
            hardware = HARDWARE_BY_ID[str(truth["hardware"])]
            price = hardware.cents_per_minute * 60 / 100
            replicas = truth["autoscaling"]["min_replicas"]  # type: ignore[index]
            assert cell(app, endpoint_id, "name") == truth["display_name"]
            # min-max, not "1/2" (which reads like ready/desired)
            assert cell(app, endpoint_id, "replicas") == f"{replicas}-{truth['autoscaling']['max_replicas']}"  # type: ignore[index]
            assert cell(app, endpoint_id, "state").endswith(str(truth["state"]))
            assert cell(app, endpoint_id, "hardware").startswith(f"{hardware.count}x ")
            if truth["state"] == "STARTED":
                expected_burn += price * replicas
                assert cell(app, endpoint_id, "cost") == f"${price * replicas:,.2f}"
            else:
                assert cell(app, endpoint_id, "cost") == "$0.00"
        assert app.context.burn() is not None and app.context.burn().certain
        assert app.context.burn().known == pytest.approx(expected_burn)
        assert app.context.store.ok() and app.context.store.status() == "updated just now"


async def test_steady_state_poll_is_one_list_request_and_r_refetches_details(sim_server: SimulatorServer) -> None:
    app = make_app(sim_server)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        changes: list[StoreEvent] = []
        app.context.store.subscribe(changes.append)
        sim_server.sim.clear_request_log()
        app.context.store.poll_now()
        await settle(pilot)
        assert [(r.method, r.path) for r in requests(sim_server)] == [("GET", "/v1/endpoints")]
        # Nothing changed: the views hear the poll's status, not a re-sync of every row.
        assert not any(isinstance(event, Changed) and event.rows for event in changes)
        assert any(isinstance(event, Changed) and event.status for event in changes)
        sim_server.sim.clear_request_log()
        await pilot.press("r")
        await settle(pilot)
        details = [r for r in requests(sim_server, "GET") if r.path != "/v1/endpoints"]
        assert len(details) == 7


async def test_a_state_change_refetches_only_that_endpoints_details(sim_server: SimulatorServer) -> None:
    app = make_app(sim_server)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        target = find(app, "Qwen 7B")
        sim_server.sim.set_state(target, "STOPPED")
        sim_server.sim.clear_request_log()
        app.context.store.poll_now()
        await settle(pilot)
        paths = [r.path for r in requests(sim_server, "GET")]
        assert paths == ["/v1/endpoints", f"/v1/endpoints/{target}"]
        assert cell(app, target, "state") == "○ STOPPED"
        assert cell(app, target, "cost") == "$0.00"


async def test_refresh_keeps_cursor_sort_and_filter_and_never_clears(
    sim_server: SimulatorServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = make_app(sim_server)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        table = table_of(app)
        await pilot.press("o")  # sort by state
        assert table.sort_column == "state"
        await pilot.press("slash", *"started", "enter")
        await pilot.pause()
        started = [e.id for e in app.context.store.endpoints.values() if e.state == "STARTED"]
        assert sorted(table.keys) == sorted(started)
        cursor_on = table.keys[-1]
        await select(app, pilot, cursor_on)
        # Another STARTED endpoint fails: it sorts before the others but still matches no filter term...
        other = next(i for i in started if i != cursor_on)
        sim_server.sim.set_state(other, "ERROR")
        clears: list[bool] = []
        monkeypatch.setattr(EndpointTable, "clear", lambda self, columns=False: clears.append(columns))
        app.context.store.poll_now()
        await settle(pilot)
        assert clears == []
        assert table.selected_key == cursor_on
        assert table.sort_column == "state"
        assert pane_of(app)._filter_text == "started"
        # ...so the filter drops it, and the rest stay sorted by state.
        assert other not in table.keys
        assert set(table.keys) == set(started) - {other}


async def test_sort_moves_rows_but_the_cursor_stays_on_its_endpoint(sim_server: SimulatorServer) -> None:
    app = make_app(sim_server)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        table = table_of(app)
        names = [app.context.store.get(k).title for k in table.keys]  # type: ignore[union-attr]
        assert names == sorted(names, key=str.lower)
        chosen = find(app, "Gemma")
        await select(app, pilot, chosen)
        await pilot.press("o", "o")  # state, then $/hour
        assert table.sort_column == "cost"
        costs = [app.context.store.get(k) for k in table.keys]
        assert table.selected_key == chosen
        await pilot.press("O")
        assert table.sort_reverse and table.keys[-1] != table.keys[0]
        assert table.selected_key == chosen
        assert len(costs) == 7


async def test_filter_matches_name_model_hardware_and_state_and_escape_clears(sim_server: SimulatorServer) -> None:
    app = make_app(sim_server)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        table = table_of(app)
        await pilot.press("slash", *"llama")
        assert [app.context.store.get(k).title for k in table.keys] == ["Llama 3.3 70B staging"]  # type: ignore[union-attr]
        filter_input = app.query_one("#endpoints-filter", Input)
        filter_input.value = "error"
        await pilot.pause()
        assert [app.context.store.get(k).state for k in table.keys] == ["ERROR"]  # type: ignore[union-attr]
        filter_input.value = "h100"
        await pilot.pause()
        assert table.row_count >= 1
        assert all("H100" in cell(app, k, "hardware") for k in table.keys)
        await pilot.press("escape")
        assert table.row_count == 7 and filter_input.value == ""
        assert app.focused is table


async def test_serverless_toggle(sim_server: SimulatorServer) -> None:
    app = make_app(sim_server)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("a")
        await settle(pilot)
        table = table_of(app)
        serverless = [e for e in app.context.store.endpoints.values() if not e.dedicated]
        assert serverless and table.row_count == 7 + len(serverless)
        assert cell(app, serverless[0].id, "hardware") == "serverless"
        await pilot.press("a")
        await settle(pilot)
        assert table.row_count == 7


async def test_narrow_terminal_drops_columns_but_keeps_name_state_and_cost(sim_server: SimulatorServer) -> None:
    app = make_app(sim_server)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        keys = table_of(app).column_keys
        assert {"name", "state", "cost", "model"} <= set(keys)
        assert "age" not in keys
        await pilot.resize_terminal(60, 20)
        await pilot.pause()
        await pilot.pause()
        assert table_of(app).column_keys[:1] == ["name"]
        assert "state" in table_of(app).column_keys
        await pilot.resize_terminal(140, 40)
        await pilot.pause()
        await pilot.pause()
        assert len(table_of(app).column_keys) == 7


# Actions


async def test_start_shows_the_expected_transition_at_once_then_the_real_state(start_simulator: Any) -> None:
    server = start_simulator()
    app = make_app(server)
    said = record(app)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        target = find(app, "Gemma")
        await select(app, pilot, target)
        # The PATCH answers slowly, far slower than the keys take even on a loaded machine: what the row
        # shows before the answer is the expected transition.
        server.sim.faults = Faults(latency=3.0, route="/endpoints/")
        await pilot.press("s", "y")  # start, and confirm its $/hour
        await pilot.pause(0.1)
        assert cell(app, target, "state") == "◐ PENDING…"
        await settle(pilot)
        patches = requests(server, "PATCH")
        assert [(r.path, r.json_body) for r in patches] == [(f"/v1/endpoints/{target}", {"state": "STARTED"})]
        assert cell(app, target, "state") == "● STARTED"
        assert "is STARTED" in said.joined()


async def test_stop_and_notification_when_stopped(sim_server: SimulatorServer) -> None:
    app = make_app(sim_server)
    said = record(app)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        target = find(app, "Qwen 7B")
        await select(app, pilot, target)
        await pilot.press("x")
        await settle(pilot)
        assert [r.json_body for r in requests(sim_server, "PATCH")] == [{"state": "STOPPED"}]
        assert cell(app, target, "state") == "○ STOPPED"
        assert cell(app, target, "cost") == "$0.00"
        assert any("is STOPPED" in text for text in said.texts())
        # Stopping again sends nothing and says why.
        await pilot.press("x")
        await settle(pilot)
        assert len(requests(sim_server, "PATCH")) == 1
        assert "already STOPPED" in said.joined()


async def test_start_waits_through_real_transitions_and_reports_time_to_ready(
    start_simulator: Any, clock: ManualClock
) -> None:
    server = start_simulator(speed=1.0)
    app = make_app(server, clock=app_clock_following(clock))
    said = record(app)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        store = app.context.store
        target = find(app, "Gemma")
        await select(app, pilot, target)
        await pilot.press("s", "y")  # start, and confirm its $/hour
        await settle(pilot)
        assert cell(app, target, "state").endswith("PENDING")
        assert store.busy
        clock.advance(31)
        app.context.store.poll_now()
        await settle(pilot)
        assert cell(app, target, "state").endswith("STARTING")
        assert not any("is STARTED" in t for t in said.texts())
        clock.advance(150)
        app.context.store.poll_now()
        await settle(pilot)
        assert cell(app, target, "state") == "● STARTED"
        assert any("is STARTED after 3 min 1 s" in t for t in said.texts())
        history = [o.state for o in store.timeline.history(target)]
        assert history == ["STOPPED", "start requested", "PENDING", "STARTING", "STARTED"]
        ready = store.timeline.time_to_ready(target)
        assert ready is not None and ready.total_seconds() == 181


async def test_a_wait_stops_on_error(start_simulator: Any, clock: ManualClock) -> None:
    server = start_simulator(speed=1.0)
    app = make_app(server, clock=app_clock_following(clock))
    said = record(app)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        target = find(app, "canary")  # its hardware is unavailable: a start ends in ERROR
        await select(app, pilot, target)
        await pilot.press("s", "y")  # start, and confirm its $/hour
        await settle(pilot)
        clock.advance(46)
        app.context.store.poll_now()
        await settle(pilot)
        errors = [m for m in said.messages if "went to ERROR" in str(m["message"])]
        assert errors and errors[0]["severity"] == "error"
        assert target not in app.context.store.waits


async def test_a_wait_times_out(start_simulator: Any, clock: ManualClock) -> None:
    server = start_simulator(speed=1.0)
    app = make_app(server, clock=app_clock_following(clock), wait_timeout_minutes=1)
    said = record(app)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        target = find(app, "Gemma")
        await select(app, pilot, target)
        await pilot.press("s", "y")  # start, and confirm its $/hour
        await settle(pilot)
        clock.advance(61)
        app.context.store.poll_now()
        await settle(pilot)
        assert any("is still STARTING after 1 min 1 s" in t for t in said.texts())
        assert target not in app.context.store.waits


async def test_delete_asks_with_cancel_focused_and_cancel_sends_nothing(sim_server: SimulatorServer) -> None:
    app = make_app(sim_server)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        target = find(app, "Gemma")  # STOPPED: no typed name needed
        await select(app, pilot, target)
        await pilot.press("d")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDeleteScreen)
        assert not app.screen.typed
        assert isinstance(app.focused, Button) and app.focused.id == "confirm-delete-cancel"
        await pilot.press("enter")
        await settle(pilot)
        assert not isinstance(app.screen, ConfirmDeleteScreen)
        assert requests(sim_server, "DELETE") == []
        assert table_of(app).row_count == 7
        await pilot.press("d")
        await pilot.pause()
        await pilot.press("escape")
        await settle(pilot)
        assert requests(sim_server, "DELETE") == []


async def test_delete_a_stopped_endpoint(sim_server: SimulatorServer) -> None:
    app = make_app(sim_server)
    said = record(app)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        target = find(app, "Gemma")
        await select(app, pilot, target)
        await pilot.press("d")
        await pilot.pause()
        await pilot.press("tab", "enter")
        await settle(pilot)
        assert [r.path for r in requests(sim_server, "DELETE")] == [f"/v1/endpoints/{target}"]
        assert target not in table_of(app).keys
        assert app.context.store.get(target) is None
        assert table_of(app).row_count == 6
        assert any("is deleted" in t for t in said.texts())
        app.context.store.poll_now()
        await settle(pilot)
        assert table_of(app).row_count == 6


async def test_deleting_a_started_endpoint_needs_its_name_typed(sim_server: SimulatorServer) -> None:
    app = make_app(sim_server)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        target = find(app, "Qwen 7B")
        await select(app, pilot, target)
        await pilot.press("d")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ConfirmDeleteScreen) and screen.typed
        delete = screen.query_one("#confirm-delete-confirm", Button)
        assert delete.disabled
        assert isinstance(app.focused, Button) and app.focused.id == "confirm-delete-cancel"
        # Typing goes to the name field even though Cancel has the focus.
        await pilot.press(*"Qwen")
        name_input = screen.query_one("#confirm-delete-name", Input)
        assert name_input.value == "Qwen" and app.focused is name_input
        assert delete.disabled
        await pilot.press("enter")  # a wrong name deletes nothing, and says why
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDeleteScreen)
        assert "That is not the name" in str(screen.query_one("#confirm-delete-prompt", Static).render())
        assert requests(sim_server, "DELETE") == []
        # The whole name typed in one burst from Cancel, spaces included, lands in the field.
        name_input.value = ""
        screen.query_one("#confirm-delete-cancel", Button).focus()
        await pilot.pause()
        await pilot.press(*"Qwen 7B classifier")
        assert name_input.value == "Qwen 7B classifier"
        assert not delete.disabled
        await pilot.press("enter")
        await settle(pilot)
        assert [r.path for r in requests(sim_server, "DELETE")] == [f"/v1/endpoints/{target}"]
        assert target not in table_of(app).keys


async def test_confirm_delete_setting_simple_never_asks_for_the_name(sim_server: SimulatorServer) -> None:
    app = make_app(sim_server, confirm_delete="simple")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await select(app, pilot, find(app, "Qwen 7B"))
        await pilot.press("d")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDeleteScreen) and not app.screen.typed


async def test_a_refused_action_says_why_and_restores_the_row(sim_server: SimulatorServer) -> None:
    app = make_app(sim_server, client_options=NO_RETRY)
    said = record(app)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        target = find(app, "Gemma")
        await select(app, pilot, target)
        sim_server.sim.faults = Faults(error_status=500, route=f"/endpoints/{target}")
        await pilot.press("s", "y")  # start, and confirm its $/hour
        await settle(pilot)
        assert cell(app, target, "state") == "○ STOPPED"
        failures = [m for m in said.messages if m.get("title") == "Start failed"]
        assert failures and "500" in str(failures[0]["message"])


async def test_new_edit_and_chat_keys_ask_the_shell_with_the_selection(sim_server: SimulatorServer) -> None:
    # The forms and the chat pane belong to the shell and their own issues (and are tested there):
    # this pane's part is to ask for them, with the right endpoint.
    app = make_app(sim_server)
    asked: list[Message] = []
    async with app.run_test(size=SIZE, message_hook=asked.append) as pilot:
        await settle(pilot)
        target = find(app, "Qwen 7B")
        await select(app, pilot, target)
        for key in ("n", "e"):
            await pilot.press(key)
            await settle(pilot)
            # The shell opened the form asked for; close it, as the user would, to press the next key.
            await app.screen.dismiss(None)
            await settle(pilot)
        await pilot.press("c")
        # The hook sees a message at each node it bubbles through: count each once.
        wanted = (OpenCreateForm, OpenUpdateForm, OpenChat)
        requests_made = list({id(m): m for m in asked if isinstance(m, wanted)}.values())
        assert [type(m) for m in requests_made] == list(wanted)
        create, update, chat = requests_made
        assert isinstance(create, OpenCreateForm) and create.model is None and create.clone_of is None
        assert isinstance(update, OpenUpdateForm) and update.endpoint.id == target
        assert isinstance(chat, OpenChat) and chat.endpoint is not None and chat.endpoint.id == target


async def test_copy_puts_the_inference_name_on_the_clipboard(sim_server: SimulatorServer) -> None:
    app = make_app(sim_server)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        target = find(app, "Qwen 7B")
        await select(app, pilot, target)
        await pilot.press("y")
        endpoint = app.context.store.get(target)
        assert endpoint is not None and app.clipboard == endpoint.name
        assert endpoint.name.startswith("demo-user/Qwen/")


async def test_smoke_test_reports_ttft_and_speed_without_leaving_the_table(sim_server: SimulatorServer) -> None:
    app = make_app(sim_server)
    said = record(app)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        target = find(app, "Qwen 7B")
        await select(app, pilot, target)
        await pilot.press("t")
        await settle(pilot)
        passed = [m for m in said.messages if m.get("title") == "Smoke test passed"]
        assert passed and "TTFT" in str(passed[0]["message"]) and "tokens" in str(passed[0]["message"])
        chats = requests(sim_server, "POST", prefix="/v1/chat/completions")
        endpoint = app.context.store.get(target)
        assert endpoint is not None and chats[0].json_body["model"] == endpoint.name
        assert app.active_pane == "endpoints" and app.focused is table_of(app)
        await select(app, pilot, find(app, "Gemma"))
        await pilot.press("t")
        await settle(pilot)
        assert len(requests(sim_server, "POST", prefix="/v1/chat/completions")) == 1
        assert "cannot answer yet" in said.joined()


async def test_a_start_through_the_store_shows_in_the_table(sim_server: SimulatorServer) -> None:
    # The chat starts endpoints through the store, not through this pane: the table still follows.
    app = make_app(sim_server)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        store = app.context.store
        target = find(app, "Gemma")
        assert store.start(target).sent
        await settle(pilot)
        endpoint = store.get(target)
        assert endpoint is not None and endpoint.state == "STARTED"
        assert cell(app, target, "state") == "● STARTED"
        assert not store.start(target).sent  # already running: nothing sent
        assert len(requests(sim_server, "PATCH")) == 1


async def test_what_a_form_created_or_changed_shows_at_once(sim_server: SimulatorServer) -> None:
    from tui.api.domain import EndpointChanges, EndpointSpec

    app = make_app(sim_server)
    said = record(app)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        created = await app.provider.create_endpoint(
            EndpointSpec(model="openai/gpt-oss-20b", hardware_id="1x_nvidia_h100_80gb_sxm", display_name="new one")
        )
        # The create form dismissed with what it created: the shell hands it to the store.
        app.post_message(OpenCreateForm())
        await settle(pilot)
        await app.screen.dismiss(created)
        await settle(pilot)
        assert table_of(app).selected_key == created.id
        assert any("new one is STARTED" in t for t in said.texts())
        updated = await app.provider.update_endpoint(created.id, EndpointChanges(display_name="renamed"))
        app.post_message(OpenUpdateForm(created))
        await settle(pilot)
        await app.screen.dismiss(updated)
        await pilot.pause()
        assert cell(app, created.id, "name") == "renamed"


# Read-only


async def test_read_only_hides_mutating_keys_and_refuses_them(sim_server: SimulatorServer) -> None:
    app = make_app(sim_server, read_only=True)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        pane = pane_of(app)
        await select(app, pilot, find(app, "Gemma"))
        for action in ("start", "stop", "delete", "new", "edit"):
            assert pane.check_action(action, ()) is False
        for action in ("chat", "smoke_test", "copy_name", "refresh", "filter"):
            assert pane.check_action(action, ()) is True
        shown = {b.binding.action for b in app.screen.active_bindings.values()}
        # Hidden from the footer, the help screen and the palette (which list active bindings).
        assert not shown & {"start", "stop", "delete", "new", "edit"}
        assert {"chat", "smoke_test", "copy_name", "refresh"} <= shown
        await pilot.press("s", "x", "d", "n", "e")
        await settle(pilot)
        assert requests(sim_server, "PATCH") == [] and requests(sim_server, "DELETE") == []
        assert not isinstance(app.screen, ConfirmDeleteScreen)
        assert "read-only" in str(app.query_one("#endpoints-title").render())


# Errors: each keeps the last good table, marks it stale, and recovers by itself


async def _load_then_fail(app: TogetherApp, pilot: Any, server: SimulatorServer, faults: Faults) -> None:
    await settle(pilot)
    assert table_of(app).row_count == 7
    server.sim.faults = faults
    app.context.store.poll_now()
    await settle(pilot)


async def _assert_stale_then_recovers(app: TogetherApp, pilot: Any, server: SimulatorServer, phrase: str) -> None:
    pane = pane_of(app)
    assert not app.context.store.ok()
    assert phrase in app.context.store.status() and "stale" in app.context.store.status()
    assert pane.has_class("-stale") and pane.has_class("-error")
    banner = str(app.query_one("#endpoints-error").render())
    assert "Couldn't refresh" in banner and phrase in banner
    assert table_of(app).row_count == 7
    server.sim.faults = Faults()
    app.context.store.poll_now()
    await settle(pilot)
    assert app.context.store.ok() and app.context.store.status() == "updated just now"
    assert not pane.has_class("-stale") and not pane.has_class("-error")
    assert table_of(app).row_count == 7


@pytest.mark.parametrize(
    ("faults", "phrase"),
    [
        (Faults(error_status=503), "503 server error"),
        (Faults(error_status=500), "500 server error"),
        (Faults(error_status=401), "401 authentication failed"),
        (Faults(malformed=1.0), "invalid response"),
    ],
    ids=["503", "500", "401", "malformed"],
)
async def test_api_errors_keep_the_table_stale_and_recover(
    sim_server: SimulatorServer, faults: Faults, phrase: str
) -> None:
    app = make_app(sim_server, client_options=NO_RETRY)
    async with app.run_test(size=SIZE) as pilot:
        await _load_then_fail(app, pilot, sim_server, faults)
        await _assert_stale_then_recovers(app, pilot, sim_server, phrase)


async def test_rate_limit_backs_off_for_at_least_retry_after(sim_server: SimulatorServer) -> None:
    app = make_app(sim_server, client_options=NO_RETRY, refresh_interval=10.0, fast_refresh_interval=2.0)
    async with app.run_test(size=SIZE) as pilot:
        await _load_then_fail(app, pilot, sim_server, Faults(rate_limit=1.0, retry_after=8))
        assert "429 rate limited — retrying in 8 s" in app.context.store.status()
        await _assert_stale_then_recovers(app, pilot, sim_server, "429 rate limited")


async def test_network_down_keeps_the_table_and_recovers_when_it_is_back(sim_server: SimulatorServer) -> None:
    app = make_app(sim_server, client_options=NO_RETRY)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        sim_server.stop()
        app.context.store.poll_now()
        await settle(pilot)
        pane = pane_of(app)
        assert not app.context.store.ok() and "connection failed" in app.context.store.status()
        assert pane.has_class("-stale") and table_of(app).row_count == 7
        sim_server.start()
        app.context.store.poll_now()
        await settle(pilot)
        assert app.context.store.ok() and not pane.has_class("-stale")


async def test_wrong_key_shows_a_clear_message_and_no_crash(sim_server: SimulatorServer) -> None:
    app = make_app(sim_server, api_key="wrong", client_options=NO_RETRY)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert not app.context.store.ok() and "401 authentication failed" in app.context.store.status()
        banner = str(app.query_one("#endpoints-error").render())
        assert "Check the API key" in banner
        assert table_of(app).row_count == 0
        assert "stale" not in app.context.store.status()  # there was never good data


async def test_unknown_states_and_extra_fields_are_shown_not_fatal(sim_server: SimulatorServer) -> None:
    app = make_app(sim_server)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        sim_server.sim.faults = Faults(unknown_enums=True, extra_fields=True)
        app.context.store.poll_now()
        await settle(pilot)
        assert app.context.store.ok()
        states = {cell(app, key, "state") for key in table_of(app).keys}
        assert "? DEGRADED" in states
        odd = next(e for e in app.context.store.endpoints.values() if e.state == "DEGRADED")
        assert cell(app, odd.id, "cost") == "?"  # unknown state: cost unknown, not guessed
        assert odd.extra
        await select(app, pilot, odd.id)
        text = detail_text(app)
        assert "? DEGRADED" in text
        for key in odd.extra:
            assert key in text
        assert "not in the API contract" in text
        sim_server.sim.faults = Faults()
        app.context.store.poll_now()
        await settle(pilot)
        assert "? DEGRADED" not in {cell(app, key, "state") for key in table_of(app).keys}
        assert app.context.store.ok()


# Polling rhythm, spinner, detail panel, palette


async def test_polls_never_overlap_and_requests_in_flight_are_coalesced(start_simulator: Any) -> None:
    server = start_simulator(faults=Faults(latency=0.2, route="/v1/endpoints"))
    app = make_app(server)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        server.sim.clear_request_log()
        for _ in range(5):
            app.context.store.poll_now()
            await pilot.pause(0.02)
        await settle(pilot)
        lists = [r for r in requests(server, "GET") if r.path == "/v1/endpoints"]
        assert len(lists) == 2


@pytest.mark.parametrize(("speed", "interval"), [(1.0, 2.0), (float("inf"), 10.0)], ids=["changing", "steady"])
async def test_poll_interval_is_fast_while_anything_changes(
    start_simulator: Any, speed: float, interval: float
) -> None:
    server = start_simulator(speed=speed)
    app = make_app(server, refresh_interval=10.0, fast_refresh_interval=2.0)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        due = app.context.store.scheduler.next_due
        assert due is not None and (due - app.now()).total_seconds() == interval


async def test_spinner_turns_transitional_states_only_when_animation_is_on(start_simulator: Any) -> None:
    server = start_simulator(speed=1.0)
    app = make_app(server)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        pane = pane_of(app)
        starting = find(app, "DeepSeek")
        steady = find(app, "Qwen 7B")
        assert cell(app, starting, "state") == "◐ STARTING"
        assert pane._spinner is not None and not pane._spinner._active.is_set()
        app.animation_level = "full"
        pane._update_spinner()
        assert pane._spinner._active.is_set()
        pane._spin()
        assert cell(app, starting, "state") == "◓ STARTING"
        assert cell(app, steady, "state") == "● STARTED"


async def test_detail_panel_shows_every_field_specs_price_and_model_name(sim_server: SimulatorServer) -> None:
    app = make_app(sim_server)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        target = find(app, "Qwen 7B")
        await select(app, pilot, target)
        endpoint = app.context.store.get(target)
        assert endpoint is not None
        text = detail_text(app)
        for expected in (
            "Qwen 7B classifier", endpoint.name, endpoint.id, "Qwen/Qwen2.5-7B-Instruct-Turbo", "● STARTED",
            "2x H100 · 80 GB each · 160 GB total · SXM", "2x_nvidia_h100_80gb_sxm", "$7.98/h per replica",
            "min 2 · max 4", "$15.96/h now", "$383.04/day", "up to $31.92/h at max", "(90d ago)",
            "dedicated · owner demo-user", "Seen this session (UTC)",
        ):
            assert expected in text, expected


async def test_palette_offers_every_endpoint_action_with_its_tooltip(sim_server: SimulatorServer) -> None:
    app = make_app(sim_server)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        commands = {c.title: c.help for c in app.get_system_commands(app.screen)}
        for title in ("Start", "Stop", "Delete", "New", "Edit", "Chat", "Test", "Copy", "Filter", "Refresh", "Sort"):
            assert f"Endpoints: {title}" in commands, title
        assert "TTFT" in commands["Endpoints: Test"]


async def test_clicking_a_header_sorts_by_it_and_again_reverses(sim_server: SimulatorServer) -> None:
    from rich.text import Text
    from textual.widgets import DataTable
    from textual.widgets.data_table import ColumnKey

    app = make_app(sim_server)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        table = table_of(app)
        index = table.column_keys.index("cost")
        for _ in range(2):
            table.post_message(DataTable.HeaderSelected(table, ColumnKey("cost"), index, Text("$/hour")))
            await pilot.pause()
        assert table.sort_column == "cost" and table.sort_reverse
        costs = [hourly for key in table.keys if (hourly := cell(app, key, "cost"))]
        assert costs[0] == "$79.60"  # the most expensive first


async def test_a_bug_while_refreshing_is_reported_and_polling_goes_on(
    sim_server: SimulatorServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = make_app(sim_server)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        original = EndpointStore._apply_list

        def broken(self: EndpointStore, listed: list[Any]) -> None:
            raise RuntimeError("bug")

        monkeypatch.setattr(EndpointStore, "_apply_list", broken)
        app.context.store.poll_now()
        await settle(pilot)
        assert "unexpected error (RuntimeError)" in app.context.store.status()
        assert table_of(app).row_count == 7 and app.context.store.idle
        monkeypatch.setattr(EndpointStore, "_apply_list", original)
        app.context.store.poll_now()
        await settle(pilot)
        assert app.context.store.ok()
