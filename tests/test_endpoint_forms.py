"""The create and update forms, driven by keyboard alone against the simulator.

Every test checks what reached the simulator (``request_log``): a form that shows the right thing but
sends the wrong request, or two, fails here. Related scenarios share one app session: starting the app
costs more than most scenarios.
"""

from __future__ import annotations

from apptools import make_app
from formtools import (
    GPT_OSS_20B,
    LLAMA,
    an_endpoint,
    banner,
    cheapest_available,
    hint,
    message,
    offered_with,
    open_create,
    patches,
    posts,
    settle,
    until,
)
from textual.widgets import Button, Checkbox, Input, Select, Static

from tui.api.domain import Endpoint
from tui.api.http import RetryPolicy
from tui.app.messages import OpenUpdateForm
from tui.app.screens.confirm_discard import ConfirmDiscardScreen
from tui.app.screens.endpoint_form import CreateEndpointScreen, UpdateEndpointScreen
from tui.app.widgets.model_picker import ModelField, ModelPickerScreen
from tui.simulator import Faults, SimulatorServer
from tui.simulator.catalogue import AVAILABILITY_ZONES, HARDWARE_BY_ID

# Create


async def test_create_by_keyboard_alone_sends_one_post_with_what_was_typed(sim_server: SimulatorServer) -> None:
    existing = set(sim_server.sim.endpoint_ids())
    app = make_app(sim_server)
    async with app.run_test(size=(120, 36)) as pilot:
        form = await open_create(pilot)
        assert app.focused is form.query_one("#f-model")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ModelPickerScreen)
        await pilot.press(*"oss-20", "enter")
        await settle(pilot)
        assert app.screen is form and form.model_id == GPT_OSS_20B
        # The cheapest available configuration is chosen for the user, and focus moves to it.
        assert form.hardware_id == cheapest_available(sim_server, GPT_OSS_20B)
        assert app.focused is form.query_one("#f-hardware")
        await pilot.press("tab", *"bot", "tab", "1", "tab", "3", "tab", *"45")
        assert "Stops after 45 idle minutes." in hint(form, "inactive_timeout")
        summary = str(form.query_one("#form-summary", Static).render())
        chosen = HARDWARE_BY_ID[form.hardware_id or ""]
        price = chosen.count * chosen.family.dollars_per_hour
        assert f"${price:,.2f}/h at min (1)" in summary and f"${price * 3:,.2f}/h at max (3)" in summary
        await pilot.press("ctrl+s")
        await until(pilot, lambda: not isinstance(app.screen, CreateEndpointScreen), "the form to close")
        sent = posts(sim_server)
        assert len(sent) == 1
        assert sent[0].json_body == {
            "model": GPT_OSS_20B,
            "hardware": chosen.id,
            "autoscaling": {"min_replicas": 1, "max_replicas": 3},
            "display_name": "bot",
            "inactive_timeout": 45,
        }
        assert sent[0].status == 200
        (new_id,) = set(sim_server.sim.endpoint_ids()) - existing
        assert (sim_server.sim.endpoint(new_id) or {})["display_name"] == "bot"
        # The shell hands the new endpoint to the Endpoints pane, which now knows it.
        assert app.context.store.get(new_id) is not None


async def test_defaults_and_every_option_reach_the_request(sim_server: SimulatorServer) -> None:
    app = make_app(sim_server)
    async with app.run_test(size=(120, 36)) as pilot:
        results: list[Endpoint | None] = []
        form = await open_create(pilot, results, model=LLAMA)
        # Untouched: an empty timeout is not sent, nor are the switches left at their defaults.
        assert hint(form, "inactive_timeout") == "Empty = not sent: the service's default auto-stop applies."
        await pilot.press("ctrl+s")
        await until(pilot, lambda: results, "the form to close")
        body = posts(sim_server)[0].json_body
        assert set(body) == {"model", "hardware", "autoscaling"}
        assert body["autoscaling"] == {"min_replicas": 1, "max_replicas": 1}

        form = await open_create(pilot, results, model=LLAMA)
        form.query_one("#f-timeout", Input).focus()
        await pilot.press("0")
        # 0 is sent, and the form says what it means: not the same as empty.
        assert "never auto-stop" in hint(form, "inactive_timeout")
        await pilot.press("tab", "space")  # speculative decoding off
        assert form.query_one("#f-speculative", Checkbox).value is False
        await pilot.press("tab", "enter", "down", "down", "enter")  # the second zone
        assert form.query_one("#f-zone", Select).value == AVAILABILITY_ZONES[1]
        await pilot.press("tab", "space")  # create stopped
        assert form.query_one("#f-start", Checkbox).value is False
        await pilot.press("ctrl+s")
        await until(pilot, lambda: len(results) == 2, "the form to close")
        body = posts(sim_server)[1].json_body
        assert body["inactive_timeout"] == 0
        assert body["disable_speculative_decoding"] is True
        assert body["availability_zone"] == AVAILABILITY_ZONES[1]
        assert body["state"] == "STOPPED"
        # Prompt cache is deprecated by the API: never offered, never sent.
        assert "disable_prompt_cache" not in body
        assert results[1] is not None and results[1].state == "STOPPED"


CREATE_CASES = [
    ("#f-min", "", "min_replicas", "✗ Min replicas is required."),
    ("#f-min", "two", "min_replicas", "✗ Min replicas must be a whole number."),
    ("#f-min", "-1", "min_replicas", "✗ Min replicas cannot be negative."),
    ("#f-min", "5", "max_replicas", "✗ Max replicas must be at least min replicas (5)."),
    ("#f-max", "0", "max_replicas", "✗ Max replicas must be at least 1."),
    ("#f-max", "1.5", "max_replicas", "✗ Max replicas must be a whole number."),
    ("#f-max", "", "max_replicas", "✗ Max replicas is required."),
    ("#f-timeout", "-5", "inactive_timeout", "✗ Inactive timeout cannot be negative."),
    ("#f-timeout", "soon", "inactive_timeout", "✗ Inactive timeout must be a whole number."),
]


async def test_every_validation_message_shows_inline_and_nothing_is_sent(sim_server: SimulatorServer) -> None:
    app = make_app(sim_server)
    async with app.run_test(size=(120, 36)) as pilot:
        results: list[Endpoint | None] = []
        form = await open_create(pilot, results)
        # Untouched required fields stay quiet until the user tries to send.
        assert message(form, "model") == ""
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert message(form, "model") == "✗ Pick a model (enter opens the model picker)."
        assert message(form, "hardware") == "✗ Pick the hardware to run on."
        assert banner(form) == "✗ 2 fields to fix before anything is sent."
        assert app.focused is form.query_one("#f-model")
        await pilot.press("escape")
        await settle(pilot)
        assert results == [None]

        form = await open_create(pilot, results, model=LLAMA)
        defaults = {"#f-min": "1", "#f-max": "1", "#f-timeout": ""}
        for field_id, typed, field, expected in CREATE_CASES:
            # Focusing a field selects its whole value (typing replaces it, backspace clears it).
            form.set_focus(None)
            form.query_one(field_id, Input).focus()
            await pilot.press(*(typed or ["backspace"]))
            # Shown as soon as the field is edited, before any submit.
            assert message(form, field) == expected, (field_id, typed)
            await pilot.press("ctrl+s")
            assert app.screen is form
            assert banner(form) == "✗ 1 field to fix before anything is sent."
            assert app.focused is form.rows()[field].control
            form.query_one(field_id, Input).value = defaults[field_id]
            await pilot.pause()
            assert message(form, field) == ""
            # The count follows the fixes live: nothing left to fix, no banner.
            assert banner(form) == ""
        assert posts(sim_server) == []
        await pilot.press("ctrl+s")
        await until(pilot, lambda: len(results) == 2, "the form to close")
        # Only the last, valid, form was sent.
        assert len(posts(sim_server)) == 1


async def test_hardware_is_narrowed_to_the_model_and_checked_before_sending(sim_server: SimulatorServer) -> None:
    offered = sim_server.sim.catalogue.offered(LLAMA)
    not_offered = next(i for i in HARDWARE_BY_ID if i not in offered)
    unavailable = offered_with(sim_server, LLAMA, "unavailable")
    app = make_app(sim_server)
    async with app.run_test(size=(120, 36)) as pilot:
        results: list[Endpoint | None] = []
        form = await open_create(pilot, results, model=LLAMA, hardware_id=not_offered)
        assert sim_server.sim.requests("GET", "/v1/hardware")[-1].query == {"model": LLAMA}
        select = form.query_one("#f-hardware", Select)
        values = [value for _, value in select._options if value is not Select.NULL]
        assert sorted(values) == sorted(offered)
        rank = {"available": 0, "insufficient": 1, "unavailable": 3}

        def price(i: str) -> float:
            return HARDWARE_BY_ID[i].count * HARDWARE_BY_ID[i].family.dollars_per_hour

        keys = [(rank[offered[v]], price(v)) for v in values]
        assert keys == sorted(keys), "cheapest available first"
        assert message(form, "hardware") == f"✗ {not_offered} is not offered for {LLAMA}."
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert posts(sim_server) == []
        assert app.focused is select
        # Picking from the list fixes it.
        await pilot.press("enter", "down", "enter")
        await settle(pilot)
        assert form.hardware_id in offered
        assert not message(form, "hardware").startswith("✗")
        # escape in a form with typing in it asks first: escape again keeps the work, y discards it.
        await pilot.press("tab", *"half", "escape")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmDiscardScreen) and results == []
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is form and results == []
        await pilot.press("escape", "y")
        await settle(pilot)
        assert results == [None] and posts(sim_server) == []

        # Scarce hardware warns but does not block.
        form = await open_create(pilot, results, model=LLAMA, hardware_id=unavailable)
        assert message(form, "hardware") == "⚠ Unavailable right now: the endpoint will probably fail to start."
        await pilot.press("ctrl+s")
        await until(pilot, lambda: len(results) == 2, "the form to close")
        assert len(posts(sim_server)) == 1 and results[1] is not None


async def test_model_picker_in_the_form(sim_server: SimulatorServer) -> None:
    hardware = cheapest_available(sim_server, LLAMA)
    app = make_app(sim_server)
    async with app.run_test(size=(120, 36)) as pilot:
        # From the Hardware pane without a model: the hardware waits for a model to check it against.
        form = await open_create(pilot, hardware_id=hardware)
        select = form.query_one("#f-hardware", Select)
        assert select.disabled and form.hardware_id == hardware
        await pilot.press("enter", *"3.3", "enter")
        await settle(pilot)
        assert form.model_id == LLAMA
        assert select.value == hardware and not select.disabled
        # escape in the picker keeps the model.
        form.query_one("#f-model").focus()
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press(*"zzz")
        await pilot.pause()
        assert "No model matches" in str(app.screen.query_one("#model-status", Static).render())
        await pilot.press("enter", "escape")
        await settle(pilot)
        assert app.screen is form and form.model_id == LLAMA
        # Another model keeps the hardware where that model runs on it too.
        form.query_one("#f-model").focus()
        await pilot.press("enter", *"oss-12", "enter")
        await settle(pilot)
        assert form.model_id == "openai/gpt-oss-120b"
        if hardware in sim_server.sim.catalogue.offered("openai/gpt-oss-120b"):
            assert form.hardware_id == hardware
        else:
            assert message(form, "hardware").startswith(f"✗ {hardware} is not offered")


async def test_submit_twice_fast_sends_exactly_one_post(sim_server: SimulatorServer) -> None:
    app = make_app(sim_server)
    async with app.run_test(size=(120, 36)) as pilot:
        results: list[Endpoint | None] = []
        form = await open_create(pilot, results, model=LLAMA)
        # A slow answer leaves time for the second ctrl+s to land while the first is in flight.
        sim_server.sim.faults = Faults(latency=1.5, route="/v1/endpoints")
        form.query_one("#f-display-name", Input).focus()
        await pilot.press("ctrl+s", "ctrl+s")
        assert form.submitting
        assert form.query_one("#form-submit", Button).disabled
        # escape cannot abandon a request in flight either.
        await pilot.press("escape", "ctrl+s")
        await until(pilot, lambda: results, "the form to close")
        assert len(posts(sim_server)) == 1
        assert len(results) == 1 and results[0] is not None


async def test_refused_requests_show_the_api_message_and_keep_the_input(sim_server: SimulatorServer) -> None:
    # Retries on for other calls: POST /endpoints must still go out once.
    app = make_app(sim_server, client_options={"retry": RetryPolicy(max_retries=3)})
    async with app.run_test(size=(120, 36)) as pilot:
        results: list[Endpoint | None] = []
        form = await open_create(pilot, results, model=LLAMA)
        await pilot.press("tab", *"kept")
        sim_server.sim.faults = Faults(error_status=400, route="/v1/endpoints")
        await pilot.press("ctrl+s")
        await until(pilot, lambda: banner(form), "the refusal")
        assert app.screen is form
        assert banner(form).startswith("✗ The API refused the request (400): Bad request · request id ")
        assert form.query_one("#f-display-name", Input).value == "kept"
        assert not form.submitting and not form.query_one("#form-submit", Button).disabled
        # Fixed on the service's side: the same form goes through on the next ctrl+s.
        sim_server.sim.faults = Faults()
        await pilot.press("ctrl+s")
        await until(pilot, lambda: results, "the form to close")
        assert [r.status for r in posts(sim_server)] == [400, 200]
        assert results[0] is not None and results[0].display_name == "kept"

        # The service stops offering the hardware between the list and the submit.
        hardware = cheapest_available(sim_server, LLAMA)
        form = await open_create(pilot, results, model=LLAMA, hardware_id=hardware)
        assert form.hardware_id == hardware and message(form, "hardware") == ""
        sim_server.sim.catalogue.offered(LLAMA).pop(hardware)
        await pilot.press("ctrl+s")
        await until(pilot, lambda: "Available for this model" in banner(form), "the list after the refusal")
        assert app.screen is form
        text = banner(form)
        assert f"Invalid hardware provided: {hardware} cannot serve {LLAMA}" in text
        available = text.split("Available for this model:")[1]
        assert hardware not in available and cheapest_available(sim_server, LLAMA) in available
        assert message(form, "hardware") == f"✗ {hardware} is not offered for {LLAMA}."
        assert len(posts(sim_server)) == 3

        # A 503 is not retried, and nobody knows whether the endpoint was created: the form says so.
        form.set_focus(None)
        await pilot.press("escape")
        await settle(pilot)
        form = await open_create(pilot, results, model=LLAMA)
        sim_server.sim.faults = Faults(error_status=503, route="/v1/endpoints")
        await pilot.press("ctrl+s")
        await until(pilot, lambda: banner(form), "the failure")
        assert len(posts(sim_server)) == 4
        text = banner(form)
        assert "Server error (503): The server is overloaded or not ready yet." in text
        assert "not known whether the endpoint was created" in text


# Update


async def test_update_preview_patch_only_the_changes_and_clone(sim_server: SimulatorServer) -> None:
    app = make_app(sim_server)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        endpoint = await an_endpoint(app)
        assert (endpoint.min_replicas, endpoint.max_replicas) == (1, 2)
        hardware = HARDWARE_BY_ID[endpoint.hardware_id or ""]
        price = hardware.count * hardware.family.dollars_per_hour
        results: list[Endpoint | None] = []
        app.push_screen(UpdateEndpointScreen(app.context, endpoint), callback=results.append)
        await settle(pilot)
        form = app.screen
        assert isinstance(form, UpdateEndpointScreen)
        preview = form.query_one("#form-preview", Static)
        assert "No changes yet" in str(preview.render())
        assert app.focused is form.query_one("#f-display-name")
        await pilot.press("tab", "2", "tab", "4")
        await pilot.pause()
        text = str(preview.render())
        assert "Replicas         1-2 → 2-4" in text
        assert f"${price:,.2f}-${price * 2:,.2f}/h → ${price * 2:,.2f}-${price * 4:,.2f}/h" in text
        assert f"+${price:,.2f} at min, +${price * 2:,.2f} at max" in text
        assert patches(sim_server) == []
        await pilot.press("ctrl+s")
        await until(pilot, lambda: results, "the form to close")
        sent = patches(sim_server)
        assert len(sent) == 1
        assert sent[0].path == f"/v1/endpoints/{endpoint.id}"
        assert sent[0].json_body == {"autoscaling": {"min_replicas": 2, "max_replicas": 4}}
        updated = results[0]
        assert updated is not None and updated.max_replicas == 4

        # One bound changed: both are still sent (partial autoscaling merging is unverified).
        app.post_message(OpenUpdateForm(updated))
        await settle(pilot)
        await pilot.press("tab", "tab", "3", "tab", "0", "ctrl+s")
        await until(pilot, lambda: len(patches(sim_server)) == 2, "the PATCH")
        assert patches(sim_server)[1].json_body == {
            "autoscaling": {"min_replicas": 2, "max_replicas": 3},
            "inactive_timeout": 0,
        }

        # Model, hardware and speculative decoding cannot change in place: ctrl+n clones instead.
        current = await app.provider.get_endpoint(endpoint.id)
        app.post_message(OpenUpdateForm(current))
        await settle(pilot)
        await pilot.press("ctrl+n")
        await settle(pilot)
        clone = app.screen
        assert isinstance(clone, CreateEndpointScreen)
        assert clone.model_id == endpoint.model
        assert clone.hardware_id == endpoint.hardware_id
        assert clone.query_one("#f-display-name", Input).value == f"{endpoint.title} (copy)"
        assert clone.query_one("#f-min", Input).value == "2"
        assert clone.query_one("#f-max", Input).value == "3"
        assert clone.query_one(ModelField).model is not None
        await pilot.press("ctrl+s")
        await until(pilot, lambda: posts(sim_server), "the POST")
        assert posts(sim_server)[0].json_body == {
            "model": endpoint.model,
            "hardware": endpoint.hardware_id,
            "autoscaling": {"min_replicas": 2, "max_replicas": 3},
            "display_name": f"{endpoint.title} (copy)",
        }
        assert len(patches(sim_server)) == 2


UPDATE_CASES = [
    ("#f-display-name", "", "display_name", "✗ Display name cannot be empty."),
    ("#f-min", "9", "max_replicas", "✗ Max replicas must be at least min replicas (9)."),
    ("#f-max", "0", "max_replicas", "✗ Max replicas must be at least 1."),
    ("#f-max", "x", "max_replicas", "✗ Max replicas must be a whole number."),
    ("#f-timeout", "-1", "inactive_timeout", "✗ Inactive timeout cannot be negative."),
]


async def test_update_validation_and_nothing_to_change(sim_server: SimulatorServer) -> None:
    app = make_app(sim_server)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        # A listed endpoint carries no replicas: the form fetches them before anything can be sent.
        listed = next(e for e in await app.provider.list_endpoints() if e.model == GPT_OSS_20B)
        assert not listed.detailed and listed.min_replicas is None
        app.post_message(OpenUpdateForm(listed))
        await settle(pilot)
        form = app.screen
        assert isinstance(form, UpdateEndpointScreen)
        values = {"#f-display-name": "GPT-OSS 20B (support bot)", "#f-min": "1", "#f-max": "2", "#f-timeout": ""}
        for field_id, value in values.items():
            assert form.query_one(field_id, Input).value == value
        assert GPT_OSS_20B in str(form.query_one("#form-fixed", Static).render())
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is form
        assert banner(form) == "Nothing to change: edit a field first (or esc to close)."
        for field_id, typed, field, expected in UPDATE_CASES:
            form.set_focus(None)
            form.query_one(field_id, Input).focus()
            await pilot.press(*(typed or ["backspace"]))
            assert message(form, field) == expected, (field_id, typed)
            assert "fix the fields above" in str(form.query_one("#form-preview", Static).render())
            await pilot.press("ctrl+s")
            assert banner(form) == "✗ 1 field to fix before anything is sent."
            form.query_one(field_id, Input).value = values[field_id]
            await pilot.pause()
            assert message(form, field) == ""
        assert patches(sim_server) == []

        # A refusal is shown in the API's words and the form keeps what was typed.
        sim_server.sim.faults = Faults(error_status=400, route="/v1/endpoints/")
        form.set_focus(None)
        form.query_one("#f-display-name", Input).focus()
        await pilot.press(*"new", "ctrl+s")
        await until(pilot, lambda: banner(form).startswith("✗ The API"), "the refusal")
        assert app.screen is form
        assert banner(form).startswith("✗ The API refused the request (400): Bad request")
        assert form.query_one("#f-display-name", Input).value == "new"
        assert [r.status for r in patches(sim_server)] == [400]
        await pilot.press("escape")
        await settle(pilot)
        assert not isinstance(app.screen, UpdateEndpointScreen)
