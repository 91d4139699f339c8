"""Nebius Token Factory in the same screens: the Endpoints table, the Hardware pane's templates with the
user's prices (never the API's), and start / stop / delete by the same keys as Together."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from textual.widgets import Select

from tests.apptools import screen_text, select_row, settle
from tests.nebius_tools import make_nebius_app, start_nebius  # noqa: F401 (fixture)
from tui.api.domain import Phase
from tui.app.screens.confirm_delete import ConfirmDeleteScreen
from tui.app.screens.confirm_start import ConfirmStartScreen
from tui.simulator import ManualClock
from tui.simulator.nebius.app import NebiusSimulator
from tui.simulator.nebius.world import Timings
from tui.simulator.server import SimulatorServer

T = Timings()


@pytest.fixture
def nebius(
    start_nebius: Callable[..., SimulatorServer[NebiusSimulator]], clock: ManualClock,  # noqa: F811
) -> SimulatorServer[NebiusSimulator]:
    """The seeded demo account (running, stopped, starting), its clock frozen at the app's "now"."""
    return start_nebius(clock=clock)


def endpoint_id(app: Any, title: str) -> str:
    return next(e.id for e in app.context.store.endpoints.values() if e.title == title)


async def select(pilot: Any, title: str) -> str:
    target = endpoint_id(pilot.app, title)
    await select_row(pilot.app, pilot, target)
    return target


def patches(server: SimulatorServer[NebiusSimulator]) -> list[Any]:
    return [r.json_body for r in server.sim.requests("PATCH")]


async def poll_after(pilot: Any, clock: ManualClock, seconds: float) -> None:
    clock.advance(seconds)
    pilot.app.context.store.poll_now()
    await settle(pilot)


# The table


def test_the_nebius_table_wide(snap_compare: Any, nebius: SimulatorServer[NebiusSimulator]) -> None:
    async def run_before(pilot: Any) -> None:
        await settle(pilot)
        await select(pilot, "support-bot")

    assert snap_compare(make_nebius_app(nebius), terminal_size=(120, 36), run_before=run_before)


def test_the_nebius_table_80x24(snap_compare: Any, nebius: SimulatorServer[NebiusSimulator]) -> None:
    async def run_before(pilot: Any) -> None:
        await settle(pilot)
        await select(pilot, "deepseek-eval")

    assert snap_compare(make_nebius_app(nebius), terminal_size=(80, 24), run_before=run_before)


def test_the_hardware_pane_lists_the_templates_with_the_users_prices(
    snap_compare: Any, nebius: SimulatorServer[NebiusSimulator]
) -> None:
    async def run_before(pilot: Any) -> None:
        await settle(pilot)
        await pilot.press("2")
        await settle(pilot)

    assert snap_compare(make_nebius_app(nebius), terminal_size=(120, 36), run_before=run_before)


async def test_the_hardware_pane_has_one_row_per_template_option_and_region_priced_from_the_table(
    nebius: SimulatorServer[NebiusSimulator],
) -> None:
    app = make_nebius_app(nebius)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await pilot.press("2")
        await settle(pilot)
        rows = await app.context.catalog.hardware()
        assert rows and all(not row.price_from_api for row in rows)
        h100 = [r for r in rows if "xgpu-h100-sxm@" in r.id]
        assert h100 and {r.price_per_hour for r in h100 if r.gpu_count == 1} == {2.95}
        # A GPU the table does not price is unknown, never $0.
        assert all(r.price_per_hour is None for r in rows if "xgpu-b300-sxm@" in r.id)
        screen = app.export_screenshot()
        assert "$2.95" in screen and "$0.00" not in screen


# The keys


async def test_stop_start_and_delete_a_nebius_endpoint_by_the_usual_keys(
    nebius: SimulatorServer[NebiusSimulator], clock: ManualClock
) -> None:
    app = make_nebius_app(nebius)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        target = await select(pilot, "support-bot")
        store = app.context.store
        assert store.endpoints[target].phase is Phase.READY

        await pilot.press("x")
        await settle(pilot)
        assert patches(nebius) == [{"enabled": False}]
        assert store.endpoints[target].phase is Phase.STOPPING
        await poll_after(pilot, clock, T.stopping)
        assert store.endpoints[target].phase is Phase.STOPPED

        # Starting bills: it asks first, with the $/hour from the user's table.
        await pilot.press("s")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmStartScreen)
        assert "$2.95" in app.export_screenshot()
        await pilot.press("y")
        await settle(pilot)
        assert patches(nebius) == [{"enabled": False}, {"enabled": True}]
        assert store.endpoints[target].phase is Phase.STARTING
        await poll_after(pilot, clock, T.provisioning)
        assert store.endpoints[target].phase is Phase.READY

        await pilot.press("x")
        await settle(pilot)
        await poll_after(pilot, clock, T.stopping)
        await pilot.press("d")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDeleteScreen)
        await pilot.press("tab", "enter")
        await settle(pilot)
        assert [r.path for r in nebius.sim.requests("DELETE")] == [f"/v0/dedicated_endpoints/{target}"]
        assert store.get(target) is None
        assert {e.title for e in store.endpoints.values()} == {"batch-summaries", "deepseek-eval"}


async def test_scaling_a_nebius_endpoint_through_the_update_form_sends_both_bounds(
    nebius: SimulatorServer[NebiusSimulator],
) -> None:
    from textual.widgets import Input

    from tui.app.screens.update_endpoint import UpdateEndpointScreen

    app = make_nebius_app(nebius)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        target = await select(pilot, "support-bot")
        await pilot.press("e")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, UpdateEndpointScreen)
        form.query_one("#f-max", Input).focus()
        await pilot.press("backspace", "3")
        await settle(pilot)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert not isinstance(app.screen, UpdateEndpointScreen)
        assert patches(nebius) == [{"scaling": {"min_replicas": 1, "max_replicas": 3}}]
        scaled = app.context.store.endpoints[target]
        assert (scaled.min_replicas, scaled.max_replicas) == (1, 3)


async def test_a_picked_model_lists_its_options_and_n_opens_the_deploy_form_on_the_highlighted_one(
    nebius: SimulatorServer[NebiusSimulator],
) -> None:
    from tui.app.screens.deploy_form import DeployScreen
    from tui.app.widgets.hardware_table import HardwareTable
    from tui.app.widgets.model_picker import ModelPickerScreen

    app = make_nebius_app(nebius)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await pilot.press("2")
        await settle(pilot)
        await pilot.press("m")
        await settle(pilot)
        assert isinstance(app.screen, ModelPickerScreen)
        await pilot.press(*"gpt-oss-20b", "enter")
        await settle(pilot)
        table = app.query_one(HardwareTable)
        shown = {option.id for option in table.options}
        assert shown == {"base:1xgpu-l40s-d", "base:1xgpu-h100-sxm", "fast:1xgpu-h100-sxm"}
        highlighted = table.highlighted
        assert highlighted is not None
        await pilot.press("n")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, DeployScreen)
        assert form.query_one("#f-option", Select).selection == highlighted.id
        assert nebius.sim.requests("POST") == []


# What Nebius has and has not (capabilities, never the provider's name)


async def test_the_update_form_offers_only_what_nebius_changes_and_never_sends_the_rest(
    nebius: SimulatorServer[NebiusSimulator],
) -> None:
    from textual.widgets import Input

    from tui.app.screens.update_endpoint import UpdateEndpointScreen

    app = make_nebius_app(nebius)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await select(pilot, "support-bot")
        await pilot.press("e")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, UpdateEndpointScreen)
        # capabilities.inactive_timeout and .speculative_decoding are False: neither is offered.
        assert not form.query("#f-timeout") and "inactive_timeout" not in form.rows()
        shown = screen_text(app)
        assert "Inactive timeout" not in shown and "Spec. decoding" not in shown
        assert "eu-north1" in shown, "the region it is fixed in is said"
        name = form.query_one("#f-display-name", Input)
        name.focus()
        await pilot.press("end", *" EU")
        await settle(pilot)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert not isinstance(app.screen, UpdateEndpointScreen)
        assert patches(nebius) == [{"name": "support-bot EU"}]


async def test_n_on_a_hardware_row_without_a_model_opens_the_deploy_form_on_the_rows_option(
    nebius: SimulatorServer[NebiusSimulator],
) -> None:
    from tui.app.screens.deploy_form import DeployScreen
    from tui.app.widgets.hardware_table import HardwareTable

    app = make_nebius_app(nebius)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await pilot.press("2")
        await settle(pilot)
        table = app.query_one(HardwareTable)
        row = table.highlighted
        assert row is not None and row.deploy_option_id is not None and row.deploy_option_id != row.id
        await pilot.press("n")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, DeployScreen)
        # The row's id names one region of the option ("…@eu-north1"); the form takes the option itself.
        assert form.wanted_option == row.deploy_option_id
        assert nebius.sim.requests("POST") == []


async def test_the_hardware_pane_says_whose_prices_and_what_regions_mean(
    nebius: SimulatorServer[NebiusSimulator],
) -> None:
    from tui.app.widgets.hardware_table import HardwareTable

    app = make_nebius_app(nebius)
    async with app.run_test(size=(160, 36)) as pilot:
        await settle(pilot)
        await pilot.press("2")
        await settle(pilot)
        shown = screen_text(app)
        assert "Your $/h" in shown and "your prices, not the API" in shown
        assert "¢/min" not in shown, "no API cents column where no row has them"
        await pilot.press("m")
        await settle(pilot)
        await pilot.press(*"gpt-oss-20b", "enter")
        await settle(pilot)
        table = app.query_one(HardwareTable)
        assert table.options and all(not option.price_from_api for option in table.options)
        headings = [str(column.label) for column in table.columns.values()]
        assert "Offered in" in headings and "Room in" not in headings and "Your $/h" in headings
