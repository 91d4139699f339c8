"""The Hardware pane on a v2 account: instance types with room per region, a model's deploy profiles, n deploys."""

from __future__ import annotations

from deploy_tools import make_v2_app, settle
from formtools import until
from v2_tools import GPT_OSS_20B, Start, today

from tui.app.panes.hardware import HardwarePane
from tui.app.screens.deploy_form import DeployScreen
from tui.app.widgets.hardware_table import PROFILE_HEADING


def headings(pane: HardwarePane) -> list[str]:
    return [str(column.label) for column in pane.table.columns.values()]


async def test_instance_types_then_a_models_profiles_and_n_opens_the_deploy_form(start_simulator: Start) -> None:
    server = today(start_simulator)
    app = make_v2_app(server)
    async with app.run_test(size=(160, 40)) as pilot:
        await until(pilot, lambda: app.context.store.loaded, "the first list")
        await pilot.press("2")
        pane = app.query_one(HardwarePane)
        await until(pilot, lambda: pane.table.options, "the instance types")
        ids = [option.id for option in pane.table.options]
        assert "1xnvidia-h100-80gb" in ids and "8xnvidia-b200-180gb" in ids
        assert "Room in" in headings(pane) and "Availability" in headings(pane)
        b200 = next(o for o in pane.table.options if o.id == "8xnvidia-b200-180gb")
        assert b200.regions == () and b200.price_per_hour == 8 * 8.99
        h100 = next(o for o in pane.table.options if o.id == "1xnvidia-h100-80gb")
        assert h100.regions and h100.price_per_hour == 5.49

        await pane.show_model(GPT_OSS_20B)
        await until(pilot, lambda: pane.table.options and pane.table.options[0].label, "the profiles")
        assert headings(pane)[0] == PROFILE_HEADING
        profiles = {option.id: option for option in await app.provider.deploy_options(GPT_OSS_20B)}  # type: ignore[attr-defined]
        assert {o.id for o in pane.table.options} == set(profiles)
        first = pane.table.highlighted
        assert first is not None and first.label and "fp8" in first.label
        pane.table.focus()
        await pilot.press("n")
        await until(pilot, lambda: isinstance(app.screen, DeployScreen), "the deploy form")
        form = app.screen
        assert isinstance(form, DeployScreen)
        await until(pilot, lambda: form.options is not None, "the form's profiles")
        await settle(pilot)
        assert form.form_input().model == GPT_OSS_20B
        assert form.form_input().option_id == first.id
