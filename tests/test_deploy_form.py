"""The deploy form (``n`` on a v2 account) against the v2 simulator: profiles, checks, review, deploy."""

from __future__ import annotations

from time import monotonic

from deploy_tools import choose, make_v2_app, open_deploy, settle, type_into
from formtools import banner, message, until
from v2_tools import GPT_OSS_20B, Start, requests_to, today

from tui.app.screens.deploy_confirm import ConfirmDeployScreen
from tui.app.screens.deploy_form import DeployScreen
from tui.app.screens.migration_offer import MigrationOffer
from tui.core import deploy_form as model


async def polled(pilot, condition, what: str) -> None:  # type: ignore[no-untyped-def]
    deadline = monotonic() + 15
    while not condition():
        assert monotonic() < deadline, f"timed out waiting for {what}"
        await pilot.pause(0.02)


def deployments_created(server) -> list:  # type: ignore[no-untyped-def]
    return [r for r in requests_to(server, "POST", "/deployments") if r.query.get("validateOnly") != "true"]


async def test_deploy_a_model_to_a_new_endpoint_shows_cost_asks_and_appears(start_simulator: Start) -> None:
    server = today(start_simulator)
    app = make_v2_app(server)
    async with app.run_test(size=(120, 40)) as pilot:
        form = await open_deploy(pilot, model=GPT_OSS_20B)
        options = list(form.options or {})
        assert options, "the model's profiles are offered"
        # Cheapest available first, and chosen for the user.
        ordered = model.cheapest_available_first((form.options or {}).values())
        assert form.form_input().option_id == ordered[0].id
        type_into(form, "#f-endpoint-name", "Bad Name")
        await settle(pilot)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert message(form, "endpoint_name").startswith("✗ Use lowercase letters")
        assert requests_to(server, "POST") == []
        type_into(form, "#f-endpoint-name", "fresh-bot")
        type_into(form, "#f-max", "2")
        await settle(pilot)
        summary = str(form.query_one("#form-summary").render())
        price = ordered[0].dollars_per_hour
        assert price is not None
        assert f"${price:,.2f}/h - ${price * 2:,.2f}/h" in summary
        hint = form.rows()["endpoint_name"].query_one(".field-hint").render()
        assert "demo-project/fresh-bot" in str(hint)
        await pilot.press("ctrl+s")
        await until(pilot, lambda: isinstance(app.screen, ConfirmDeployScreen), "the review")
        review = str(app.screen.query_one("#deploy-confirm-summary").render())
        assert "demo-project/fresh-bot (new)" in review and "no dry run for a new endpoint" in review
        # Nothing sent yet: enter on the focused Back returns to the form.
        assert requests_to(server, "POST") == []
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen is form and "Not sent" in banner(form)
        await pilot.press("ctrl+s")
        await until(pilot, lambda: isinstance(app.screen, ConfirmDeployScreen), "the review again")
        await pilot.press("y")
        await until(pilot, lambda: not isinstance(app.screen, (DeployScreen, ConfirmDeployScreen)), "the deploy")
        [created] = deployments_created(server)
        assert created.json_body["autoscaling"] == {"minReplicas": 1, "maxReplicas": 2}
        names = [e.name for e in app.context.store.endpoints.values()]
        assert "demo-project/fresh-bot" in names


async def test_a_refusal_from_validate_only_comes_before_anything_is_created(start_simulator: Start) -> None:
    server = today(start_simulator)
    app = make_v2_app(server)
    async with app.run_test(size=(120, 40)) as pilot:
        form = await open_deploy(pilot, model=GPT_OSS_20B)
        support = next(e for e in app.context.store.endpoints.values() if e.name.endswith("/support-bot"))
        taken = support.deployments[0].name.rpartition("/")[2]
        choose(form, "#f-target", support.id)
        type_into(form, "#f-deployment-name", taken)
        await settle(pilot)
        assert not form.rows()["endpoint_name"].display
        await pilot.press("ctrl+s")
        await until(pilot, lambda: not form.submitting, "the API's check")
        assert isinstance(app.screen, DeployScreen)
        assert "already exists" in banner(form) and "Nothing was created" in banner(form)
        [checked] = requests_to(server, "POST", "/deployments")
        assert checked.query == {"validateOnly": "true"}
        assert deployments_created(server) == []
        # A free name passes the check and reaches the review, still with nothing created.
        type_into(form, "#f-deployment-name", "canary-3")
        await settle(pilot)
        await pilot.press("ctrl+s")
        await until(pilot, lambda: isinstance(app.screen, ConfirmDeployScreen), "the review")
        assert "The API checked this deployment" in str(app.screen.query_one("#deploy-confirm-summary").render())
        await pilot.press("y")
        await until(pilot, lambda: not isinstance(app.screen, (DeployScreen, ConfirmDeployScreen)), "the deploy")
        [created] = deployments_created(server)
        assert created.json_body["name"] == "canary-3"


async def test_redeploy_of_a_v1_endpoint_is_filled_says_both_bill_and_offers_to_stop_v1(start_simulator: Start) -> None:
    server = today(start_simulator)
    app = make_v2_app(server, fast_refresh_interval=0.05)
    async with app.run_test(size=(120, 40)) as pilot:
        await until(pilot, lambda: app.context.store.loaded, "the first list")
        legacy = next(e for e in app.context.store.endpoints.values() if e.api == "v1" and e.phase.billing)
        form = await open_deploy(pilot, redeploy_of=legacy)
        typed = form.form_input()
        assert typed.model == legacy.model
        assert (typed.min_replicas, typed.max_replicas) == (str(legacy.min_replicas), str(legacy.max_replicas))
        option = (form.options or {})[typed.option_id or ""]
        # The same GPU as on v1 (the profiles offer it at the count the model needs, which may differ).
        assert legacy.hardware_id and (option.gpu_type or "").lower() in legacy.hardware_id
        assert typed.endpoint_name == model.suggest_endpoint_name(legacy.title)
        summary = str(form.query_one("#form-summary").render())
        assert "Both bill while both run" in summary and legacy.title in summary
        assert "cannot restart on v1" in summary
        await pilot.press("ctrl+s")
        await until(pilot, lambda: isinstance(app.screen, ConfirmDeployScreen), "the review")
        assert "keeps billing" in str(app.screen.query_one("#deploy-confirm-summary").render())
        await pilot.press("y")
        # The app's offer runs in a worker parked on the dialog, so settle() would wait for the answer: poll.
        await polled(pilot, lambda: isinstance(app.screen, MigrationOffer), "the offer to stop the v1 endpoint")
        offer = str(app.screen.query_one("#migration-text").render())
        assert legacy.name in offer and "cannot be undone" in offer and "Both bill while both run" in offer
        # Keep both is focused: enter keeps the v1 endpoint running.
        assert app.screen.focused is app.screen.query_one("#migration-keep")
        await pilot.press("enter")
        await settle(pilot)
        assert not isinstance(app.screen, MigrationOffer)
        assert [r for r in server.sim.requests() if r.method in ("PATCH", "POST") and "/v1/" in r.path] == []
