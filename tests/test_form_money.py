"""Money rules of the endpoint forms: nothing billable goes out by accident, and every number is bounded.

Each test drives the real form against the simulator and checks what reached it.
"""

from __future__ import annotations

from apptools import make_app
from formtools import (
    GPT_OSS_20B,
    LLAMA,
    an_endpoint,
    banner,
    cheapest_available,
    message,
    open_create,
    patches,
    posts,
    settle,
    until,
)
from textual.widgets import Button, Checkbox, Input, Static

from tui.api.domain import Endpoint
from tui.app.screens.endpoint_form import UpdateEndpointScreen
from tui.simulator import Faults, SimulatorServer

HUGE = "99999999999999999999"


def summary(form: object) -> str:
    return str(form.query_one("#form-summary", Static).render())  # type: ignore[attr-defined]


async def test_enter_in_a_text_field_moves_on_and_never_creates(sim_server: SimulatorServer) -> None:
    app = make_app(sim_server)
    async with app.run_test(size=(120, 36)) as pilot:
        results: list[Endpoint | None] = []
        hardware = cheapest_available(sim_server, LLAMA)
        form = await open_create(pilot, results, model=LLAMA, hardware_id=hardware)
        order = ["#f-display-name", "#f-min", "#f-max", "#f-timeout"]
        assert app.focused is form.query_one(order[0])
        for here, after in zip(order, [*order[1:], "#f-speculative"], strict=True):
            assert app.focused is form.query_one(here)
            await pilot.press("enter")
            await settle(pilot)
            assert app.focused is form.query_one(after), here
        # A valid form, every field passed with enter: still nothing sent, the form still open.
        assert app.screen is form and posts(sim_server) == [] and results == []
        # The focused Create button is a deliberate choice: enter on it sends.
        form.query_one("#form-submit", Button).focus()
        await pilot.press("enter")
        await until(pilot, lambda: results, "the form to close")
        assert len(posts(sim_server)) == 1


async def test_enter_in_the_update_form_never_saves(sim_server: SimulatorServer) -> None:
    app = make_app(sim_server)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        endpoint = await an_endpoint(app, GPT_OSS_20B)
        app.push_screen(UpdateEndpointScreen(app.context, endpoint))
        await settle(pilot)
        form = app.screen
        assert isinstance(form, UpdateEndpointScreen)
        await pilot.press("tab", "tab", "5", "enter")
        await settle(pilot)
        assert app.focused is form.query_one("#f-timeout")
        assert patches(sim_server) == [] and app.screen is form
        await pilot.press("ctrl+s")
        await until(pilot, lambda: patches(sim_server), "the PATCH")
        assert patches(sim_server)[0].json_body == {"autoscaling": {"min_replicas": 1, "max_replicas": 5}}


async def test_huge_numbers_are_field_errors_never_an_estimate(sim_server: SimulatorServer) -> None:
    app = make_app(sim_server)
    async with app.run_test(size=(120, 36)) as pilot:
        form = await open_create(pilot, [], model=LLAMA, hardware_id=cheapest_available(sim_server, LLAMA))
        form.query_one("#f-max", Input).value = HUGE
        form.query_one("#f-timeout", Input).value = "999999999"
        await settle(pilot)
        assert message(form, "max_replicas") == "✗ Max replicas must be at most 100."
        assert message(form, "inactive_timeout") == "✗ Inactive timeout must be at most 1,440 minutes (a day)."
        assert "at max" not in summary(form) and "/month" not in summary(form)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert banner(form) == "✗ 2 fields to fix before anything is sent."
        assert posts(sim_server) == []


async def test_switches_say_on_and_off_and_created_stopped_bills_nothing(sim_server: SimulatorServer) -> None:
    app = make_app(sim_server)
    async with app.run_test(size=(120, 36)) as pilot:
        results: list[Endpoint | None] = []
        form = await open_create(pilot, results, model=LLAMA, hardware_id=cheapest_available(sim_server, LLAMA))
        start = form.query_one("#f-start", Checkbox)
        speculative = form.query_one("#f-speculative", Checkbox)
        assert str(start.label).startswith("On: start now")
        assert str(speculative.label).startswith("On: ")
        assert "/h with 1 replica" in summary(form)
        start.focus()
        await pilot.press("space")
        await settle(pilot)
        assert str(start.label) == "Off: create it stopped (not billed)"
        assert summary(form).startswith("Estimate: created stopped: nothing billed until started")
        speculative.value = False
        await settle(pilot)
        assert str(speculative.label).startswith("Off: ")
        await pilot.press("ctrl+s")
        await until(pilot, lambda: results, "the form to close")
        body = posts(sim_server)[0].json_body
        assert body["state"] == "STOPPED" and body["disable_speculative_decoding"] is True


async def test_a_refusal_clears_once_its_field_is_edited(sim_server: SimulatorServer) -> None:
    app = make_app(sim_server)
    async with app.run_test(size=(120, 36)) as pilot:
        form = await open_create(pilot, [], model=LLAMA, hardware_id=cheapest_available(sim_server, LLAMA))
        sim_server.sim.faults = Faults(error_status=400, route="/v1/endpoints")
        await pilot.press("ctrl+s")
        await until(pilot, lambda: banner(form), "the refusal")
        assert banner(form).startswith("✗ The API refused the request (400)")
        # A refusal that names no field is about the request as typed: any edit answers it.
        form.query_one("#f-display-name", Input).value = "another try"
        await settle(pilot)
        assert banner(form) == ""
        # A local refusal's count follows a fix made in any kind of field, not only text boxes.
        form.query_one("#f-min", Input).value = "x"
        await settle(pilot)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert banner(form) == "✗ 1 field to fix before anything is sent."
        form.query_one("#f-min", Input).value = "1"
        await settle(pilot)
        assert banner(form) == "" and message(form, "min_replicas") == ""
