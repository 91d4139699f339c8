"""The Hardware pane driven by keyboard against the simulator: lists, model picker, filters, sort, calculator.

Related scenarios share one app session: starting the app costs more than most scenarios.
"""

from __future__ import annotations

from collections.abc import Callable

from apptools import make_app, settle
from textual.pilot import Pilot
from textual.widgets import Input, Static

from tui.api.domain import ModelOption
from tui.api.http import RetryPolicy
from tui.app.panes.hardware import HardwarePane
from tui.app.screens.endpoint_form import CreateEndpointScreen
from tui.app.widgets.cost_calculator import CostCalculator
from tui.app.widgets.hardware_table import HardwareTable
from tui.app.widgets.model_picker import ModelPickerScreen
from tui.core.format import format_money, format_tokens
from tui.simulator import Faults, SimulatorServer
from tui.simulator.catalogue import HARDWARE, HARDWARE_BY_ID, MODELS_BY_ID

LLAMA = "meta-llama/Llama-3.3-70B-Instruct-Turbo"
GPT_OSS_20B = "openai/gpt-oss-20b"
RANK = {"available": 0, "insufficient": 1, "unavailable": 3}


def price(hardware_id: str) -> float:
    hardware = HARDWARE_BY_ID[hardware_id]
    return hardware.count * hardware.family.dollars_per_hour


def row_ids(table: HardwareTable) -> list[str]:
    return [str(row.key.value) for row in table.ordered_rows]


def cell_text(table: HardwareTable, row: str, column: str) -> str:
    return str(table.get_cell(row, column))


def static_text(app: object, selector: str) -> str:
    return str(app.query_one(selector, Static).render())  # type: ignore[attr-defined]


async def open_pane(pilot: Pilot[None]) -> HardwareTable:
    await settle(pilot)
    await pilot.press("2")
    await settle(pilot)
    return pilot.app.query_one(HardwareTable)


async def pick_model(pilot: Pilot[None], search: str, *moves: str) -> None:
    await pilot.press("m")
    await settle(pilot)
    assert isinstance(pilot.app.screen, ModelPickerScreen)
    await pilot.press(*search, *moves)
    await pilot.press("enter")
    await settle(pilot)


async def test_all_hardware_sorted_filtered_and_refreshed(sim_server: SimulatorServer) -> None:
    sim = sim_server.sim
    app = make_app(sim_server, client_options={"retry": RetryPolicy(max_retries=0)})
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        # The Endpoints pane asked for prices once; the Hardware pane is not built before it is opened.
        assert len(sim.requests("GET", "/v1/hardware")) == 1
        assert not app.query(HardwareTable)
        # Opened, it shows the catalogue's answer: the same request serves both panes.
        table = await open_pane(pilot)
        assert len(sim.requests("GET", "/v1/hardware")) == 1 and row_ids(table)
        # r asks the API again, not the catalogue; an error says so, and r asks again.
        before = len(sim.requests("GET", "/v1/hardware"))
        sim.faults = Faults(error_status=500, route="/v1/hardware")
        await pilot.press("r")
        await settle(pilot)
        status = static_text(app, "#hw-status")
        assert "✗" in status and "Internal server error" in status and "r retries" in status
        sim.faults = Faults()
        await pilot.press("r")
        await settle(pilot)
        assert "✗" not in static_text(app, "#hw-status")
        requests = sim.requests("GET", "/v1/hardware")[before:]
        assert [r.status for r in requests] == [500, 200] and "model" not in requests[1].query
        assert app.focused is table
        ids = row_ids(table)
        assert sorted(ids) == sorted(h.id for h in HARDWARE)
        prices = [price(hardware_id) for hardware_id in ids]
        assert prices == sorted(prices)
        columns = [str(column.key.value) for column in table.ordered_columns]
        assert columns == ["id", "gpu", "count", "memory", "total", "link", "hour", "month", "cents"]
        cheapest = ids[0]
        assert cell_text(table, cheapest, "hour") == format_money(price(cheapest), cents=True)
        assert cell_text(table, cheapest, "month") == format_money(price(cheapest) * 730, cents=False)
        # The raw figure exactly as the API sent it (US cents per minute).
        assert cell_text(table, cheapest, "cents") == f"{HARDWARE_BY_ID[cheapest].cents_per_minute:.2f}"
        assert "any" in static_text(app, "#hw-model")
        assert "24 · by price ↑" in static_text(app, "#hw-status")
        # Without a model there is no availability to hide.
        await pilot.press("u")
        assert len(row_ids(table)) == len(HARDWARE) and not table.hide_unavailable

        # Sorting keeps the cursor on its row.
        await pilot.press("down", "down", "down")
        chosen = table.highlighted
        assert chosen is not None and row_ids(table).index(chosen.id) == 3
        await pilot.press("o")  # price -> total memory
        assert table.order.value == "total memory"
        memories = [HARDWARE_BY_ID[i].total_memory for i in row_ids(table)]
        assert memories == sorted(memories)
        assert table.highlighted is not None and table.highlighted.id == chosen.id
        await pilot.press("O")
        memories = [HARDWARE_BY_ID[i].total_memory for i in row_ids(table)]
        assert memories == sorted(memories, reverse=True)
        assert table.highlighted is not None and table.highlighted.id == chosen.id
        assert "by total memory ↓" in static_text(app, "#hw-status")
        # A refresh with the same answer changes cells in place: same rows, same order, same cursor row.
        ordered = row_ids(table)
        await pilot.press("r")
        await settle(pilot)
        assert row_ids(table) == ordered
        assert table.highlighted is not None and table.highlighted.id == chosen.id
        # Without a model the cycle skips "cheapest available" and comes back to price.
        await pilot.press("o", "o", "o", "o")
        assert table.order.value == "price"

        # / filters on every word; enter keeps the filter, escape clears it.
        box = app.query_one("#hw-filter", Input)
        assert not box.display
        await pilot.press("slash")
        assert box.display and box.has_focus
        await pilot.press(*"h1 2x")
        assert row_ids(table) == ["2x_nvidia_h100_80gb_sxm"]
        await pilot.press("enter")
        assert table.has_focus and box.value == "h1 2x"
        assert "filter “h1 2x”" in static_text(app, "#hw-status")
        await pilot.press("escape")
        assert box.value == "" and not box.display
        assert len(row_ids(table)) == len(HARDWARE)
        await pilot.press("slash", *"b3")
        assert row_ids(table) == []
        assert "Cost calculator: select a hardware row." in static_text(app, "#calc-title")
        await pilot.press("escape")
        assert len(row_ids(table)) == len(HARDWARE)
        # Switching panes does not ask again.
        asked = len(sim.requests("GET", "/v1/hardware"))
        await pilot.press("1", "2")
        await settle(pilot)
        assert len(sim.requests("GET", "/v1/hardware")) == asked

        # n without a model: the form asks for one and keeps the hardware.
        await pilot.press("n")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, CreateEndpointScreen)
        assert form.model_id is None
        assert form.hardware_id == row_ids(table)[0] == "1x_nvidia_a100_80gb_pcie"
        assert form.query_one("#f-model").has_focus


async def test_a_model_narrows_the_table_to_its_hardware_with_availability(sim_server: SimulatorServer) -> None:
    sim = sim_server.sim
    offered = sim.catalogue.offered(LLAMA)
    unavailable = {i for i, status in offered.items() if status == "unavailable"}
    assert unavailable, "the seeded catalogue always has an unavailable configuration"
    app = make_app(sim_server)
    async with app.run_test(size=(120, 36)) as pilot:
        table = await open_pane(pilot)
        await pick_model(pilot, "3.3")
        pane = app.query_one(HardwarePane)
        assert pane.model is not None and pane.model.id == LLAMA
        assert sim.requests("GET", "/v1/hardware")[-1].query == {"model": LLAMA}
        ids = row_ids(table)
        assert sorted(ids) == sorted(offered)
        # Cheapest available first: availability rank, then price.
        keys = [(RANK[offered[i]], price(i)) for i in ids]
        assert keys == sorted(keys)
        assert offered[ids[0]] == "available"
        glyphs = {"available": "✓ available", "insufficient": "⚠ insufficient", "unavailable": "✗ unavailable"}
        for hardware_id in ids:
            assert cell_text(table, hardware_id, "availability") == glyphs[offered[hardware_id]]
        assert "Meta Llama 3.3 70B Instruct Turbo" in static_text(app, "#hw-model")
        assert "by cheapest available" in static_text(app, "#hw-status")

        # u hides what the model cannot get right now, and shows it again.
        await pilot.press("u")
        assert set(row_ids(table)) == set(offered) - unavailable
        assert f"{len(unavailable)} unavailable hidden" in static_text(app, "#hw-status")
        await pilot.press("u")
        assert set(row_ids(table)) == set(offered)

        # n and enter open the create form with this model and hardware.
        await pilot.press("down")
        chosen = table.highlighted
        assert chosen is not None
        await pilot.press("n")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, CreateEndpointScreen)
        assert form.model_id == LLAMA and form.hardware_id == chosen.id
        await pilot.press("escape")
        await settle(pilot)
        assert not isinstance(app.screen, CreateEndpointScreen)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, CreateEndpointScreen)
        assert app.screen.hardware_id == chosen.id
        await pilot.press("escape")
        await settle(pilot)

        # Back to every configuration with the picker's first entry (it opens on the current model).
        await pick_model(pilot, "", "pageup")
        assert pane.model is None
        assert len(row_ids(table)) == len(HARDWARE)
        assert "availability" not in [str(c.key.value) for c in table.ordered_columns]


async def test_calculator_prices_the_selected_row_against_serverless(sim_server: SimulatorServer) -> None:
    app = make_app(sim_server)
    async with app.run_test(size=(120, 36)) as pilot:
        table = await open_pane(pilot)
        assert "pick a model (m)" in static_text(app, "#calc-serverless")
        await pick_model(pilot, "oss-20")
        pane = app.query_one(HardwarePane)
        assert pane.model is not None and pane.model.id == GPT_OSS_20B
        await pilot.press("down")
        selected = table.highlighted
        assert selected is not None and selected.price_per_hour is not None
        await pilot.press("c")
        assert app.query_one("#calc-replicas", Input).has_focus
        await pilot.press("3", "tab", "8")
        per_day = selected.price_per_hour * 3 * 8
        result = static_text(app, "#calc-result")
        assert f"{format_money(per_day)}/day" in result
        assert f"{format_money(per_day * 730 / 24)}/month" in result
        model = MODELS_BY_ID[GPT_OSS_20B]
        blended = 0.75 * model.input_price + 0.25 * model.output_price
        serverless = static_text(app, "#calc-serverless")
        assert f"{format_tokens(per_day / blended * 1e6)} tokens/day" in serverless
        assert "$0.05 in / $0.20 out per 1M" in serverless
        # Out-of-range input says why instead of showing a number.
        await pilot.press("backspace", "3", "0")
        assert "Hours per day must be between 0 and 24." in static_text(app, "#calc-result")
        # escape goes back to the table; another row recomputes with the same inputs.
        await pilot.press("escape", "down")
        assert table.has_focus
        calculator = app.query_one(CostCalculator)
        assert calculator.hardware is not None and calculator.hardware.id != selected.id

        # Other panes can point the pane at a model; one with no per-token price says so.
        await pane.show_model("google/gemma-3-27b-it")
        await settle(pilot)
        assert isinstance(pane.model, ModelOption) and pane.model.title == "Gemma 3 27B Instruct"
        assert set(row_ids(table)) == set(sim_server.sim.catalogue.offered("google/gemma-3-27b-it"))
        assert "has no per-token price" in static_text(app, "#calc-serverless")

        # 80x24 over SSH: the least useful columns go, the ones that decide stay.
        await pane.show_model(LLAMA)
        await pilot.resize_terminal(80, 24)
        await settle(pilot)
        columns = [str(column.key.value) for column in table.ordered_columns]
        assert columns[0] == "id"
        assert {"gpu", "memory", "hour", "availability"} <= set(columns)
        assert "cents" not in columns and "link" not in columns
        assert sum(column.get_render_width(table) for column in table.ordered_columns) <= 80
        await pilot.resize_terminal(160, 40)
        await settle(pilot)
        assert "cents" in [str(column.key.value) for column in table.ordered_columns]


async def test_read_only_hides_new_endpoint(start_simulator: Callable[..., SimulatorServer]) -> None:
    server = start_simulator()
    app = make_app(server, read_only=True)
    async with app.run_test(size=(120, 36)) as pilot:
        await open_pane(pilot)
        pane = app.query_one(HardwarePane)
        # Hidden from the footer, help and palette, as the Endpoints pane hides its changing actions.
        assert pane.check_action("create", ()) is False
        assert "New endpoint" not in app.export_screenshot()
        await pilot.press("n", "enter")
        await settle(pilot)
        assert not isinstance(app.screen, CreateEndpointScreen)
        assert server.sim.requests("POST", "/v1/endpoints") == []
