"""Creating a Nebius endpoint through the shared deploy form (the form any provider with deploy options gets),
against the Nebius simulator: one POST of the chosen flavor, GPUs and region, and only after the review."""

from __future__ import annotations

from collections.abc import Callable
from time import monotonic
from typing import Any

import pytest
from textual.widgets import Input, Select, Static

from tests.apptools import settle
from tests.nebius_tools import make_nebius_app, schema_errors, start_nebius  # noqa: F401 (fixture)
from tui.app.messages import OpenCreateForm
from tui.app.screens.deploy_confirm import ConfirmDeployScreen
from tui.app.screens.deploy_form import DeployScreen
from tui.core.deploy_form import REGION
from tui.simulator import ManualClock
from tui.simulator.nebius.app import NebiusSimulator
from tui.simulator.server import SimulatorServer

MODEL = "openai/gpt-oss-20b"
CREATE = ("POST", "/v0/dedicated_endpoints")


@pytest.fixture
def nebius(
    start_nebius: Callable[..., SimulatorServer[NebiusSimulator]], clock: ManualClock,  # noqa: F811
) -> SimulatorServer[NebiusSimulator]:
    return start_nebius(clock=clock)


async def until(pilot: Any, condition: Callable[[], object], what: str) -> None:
    """Wait for an outcome that depends on a request, rather than for a guessed time."""
    deadline = monotonic() + 15
    while not condition():
        assert monotonic() < deadline, f"timed out waiting for {what}"
        await pilot.pause(0.02)
    await settle(pilot)


async def open_form(pilot: Any) -> DeployScreen:
    """The form with the model chosen, as the Hardware pane opens it for a model; its options loaded."""
    app = pilot.app
    await until(pilot, lambda: app.context.store.loaded, "the first list of endpoints")
    app.post_message(OpenCreateForm(model=MODEL))
    await until(pilot, lambda: isinstance(app.screen, DeployScreen), "the deploy form")
    form = app.screen
    assert isinstance(form, DeployScreen)
    await until(pilot, lambda: form.options is not None or form.options_error, "the deploy options")
    return form


async def fill(pilot: Any, form: DeployScreen, *, option: str, region: str | None, name: str = "support-bot-2") -> None:
    form.query_one("#f-option", Select).value = option
    await settle(pilot)  # the option's regions fill the region picker
    if region is None:
        form.query_one("#f-region", Select).clear()
    else:
        form.query_one("#f-region", Select).value = region
    form.query_one("#f-endpoint-name", Input).value = name
    form.query_one("#f-min", Input).value = "1"
    form.query_one("#f-max", Input).value = "2"


async def test_a_nebius_endpoint_is_created_through_the_deploy_form_after_its_review(
    nebius: SimulatorServer[NebiusSimulator],
) -> None:
    app = make_nebius_app(nebius)
    async with app.run_test(size=(120, 40)) as pilot:
        form = await open_form(pilot)
        assert form.options is not None
        assert set(form.options) == {"base:1xgpu-l40s-d", "base:1xgpu-h100-sxm", "fast:1xgpu-h100-sxm"}
        await fill(pilot, form, option="base:1xgpu-h100-sxm", region="eu-west1")
        await settle(pilot)
        await pilot.press("ctrl+s")
        await until(pilot, lambda: isinstance(app.screen, ConfirmDeployScreen), "the review")
        assert nebius.sim.requests(*CREATE) == [], "nothing is sent before the review is accepted"
        await pilot.press("y")
        await until(pilot, lambda: not isinstance(app.screen, (ConfirmDeployScreen, DeployScreen)), "the create")
        [post] = nebius.sim.requests(*CREATE)
        assert schema_errors("create", post.json_body) == []
        assert {k: post.json_body[k] for k in ("name", "model_name", "flavor_name", "gpu_type", "gpu_count",
                                                 "region", "scaling")} == {
            "name": "support-bot-2", "model_name": MODEL, "flavor_name": "base", "gpu_type": "gpu-h100-sxm",
            "gpu_count": 1, "region": "eu-west1", "scaling": {"min_replicas": 1, "max_replicas": 2},
        }
        created = next(e for e in app.context.store.endpoints.values() if e.display_name == "support-bot-2")
        assert created.hardware_id == "base:1xgpu-h100-sxm@eu-west1"


async def test_an_option_offered_in_several_regions_is_not_sent_with_the_region_cleared(
    nebius: SimulatorServer[NebiusSimulator],
) -> None:
    app = make_nebius_app(nebius)
    async with app.run_test(size=(120, 40)) as pilot:
        form = await open_form(pilot)
        await fill(pilot, form, option="base:1xgpu-h100-sxm", region=None)
        await settle(pilot)
        await pilot.press("ctrl+s")
        await settle(pilot)
        # capabilities.region_required: the form refuses it itself, before the review.
        assert isinstance(app.screen, DeployScreen) and not form.submitting
        said = str(form.query_one("#form-banner", Static).render())
        said += str(form.rows()[REGION].query_one(".field-message", Static).render())
        assert "eu-north1, eu-west1, us-central1" in said and "region" in said.lower()
        assert nebius.sim.requests(*CREATE) == []


def test_the_deploy_form_on_nebius_filled(snap_compare: Any, nebius: SimulatorServer[NebiusSimulator]) -> None:
    async def run_before(pilot: Any) -> None:
        form = await open_form(pilot)
        await fill(pilot, form, option="fast:1xgpu-h100-sxm", region="eu-north1")
        await settle(pilot)

    assert snap_compare(make_nebius_app(nebius), terminal_size=(120, 40), run_before=run_before)
