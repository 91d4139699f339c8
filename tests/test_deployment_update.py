"""The v2 update form (``e`` on a v2 endpoint or deployment) against the simulator: only changes are sent."""

from __future__ import annotations

from typing import Any

from deploy_tools import make_v2_app, settle, type_into
from formtools import banner, message, until
from v2_tools import Start, requests_to, today

from tui.api.domain import Endpoint
from tui.app.app import TogetherApp
from tui.app.screens.deployment_update import DeploymentUpdateScreen


async def open_update(pilot: Any, results: list[Endpoint | None], **kwargs: Any) -> DeploymentUpdateScreen:
    app = pilot.app
    assert isinstance(app, TogetherApp)
    await until(pilot, lambda: app.context.store.loaded, "the first list")
    support = next(e for e in app.context.store.endpoints.values() if e.name.endswith("/support-bot"))
    app.push_screen(DeploymentUpdateScreen(app.context, support, **kwargs), callback=results.append)
    await until(pilot, lambda: isinstance(app.screen, DeploymentUpdateScreen) and app.screen.current, "the settings")
    form = app.screen
    assert isinstance(form, DeploymentUpdateScreen)
    return form


def preview(form: DeploymentUpdateScreen) -> str:
    return str(form.query_one("#form-preview").render())


async def test_only_what_changed_is_sent_with_the_mask_and_the_etag_loaded(start_simulator: Start) -> None:
    server = today(start_simulator)
    app = make_v2_app(server)
    async with app.run_test(size=(120, 40)) as pilot:
        results: list[Endpoint | None] = []
        form = await open_update(pilot, results)
        current = form.current
        assert current is not None and current.min_replicas and current.max_replicas
        assert "No changes yet" in preview(form)
        raised = current.max_replicas + 1
        type_into(form, "#f-max", str(raised))
        await settle(pilot)
        price = current.price_per_replica_hour
        assert price is not None
        assert f"{current.min_replicas}-{current.max_replicas} → {current.min_replicas}-{raised}" in preview(form)
        assert f"+${price:,.2f}/h at max" in preview(form)
        await pilot.press("ctrl+s")
        await until(pilot, lambda: results, "the form to close")
        [sent] = requests_to(server, "PATCH", "/deployments/")
        assert sent.query == {"updateMask": "autoscaling"}
        assert sent.json_body == {"etag": current.version, "autoscaling": {"maxReplicas": raised}}
        assert requests_to(server, "PATCH", "/endpoints/") == [sent]  # the split was not touched

        # The traffic weight alone is one PATCH of the endpoint's split, with the endpoint's etag as loaded.
        results.clear()
        form = await open_update(pilot, results)
        type_into(form, "#f-weight", "0.5")
        await settle(pilot)
        assert "Traffic weight" in preview(form)
        await pilot.press("ctrl+s")
        await until(pilot, lambda: results, "the form to close")
        split = requests_to(server, "PATCH", "/endpoints/")[-1]
        assert "/deployments" not in split.path and split.query == {"updateMask": "trafficSplit"}
        assert split.json_body["etag"] == form.current.endpoint_version  # type: ignore[union-attr]
        weights = {e["deploymentId"]: e["weight"] for e in split.json_body["trafficSplit"]}
        assert weights[form.current.id] == 0.5  # type: ignore[union-attr]
        assert len(requests_to(server, "PATCH", "/deployments/")) == 1


async def test_a_stale_etag_says_it_changed_and_reload_keeps_what_was_typed(start_simulator: Start) -> None:
    server = today(start_simulator)
    app = make_v2_app(server)
    async with app.run_test(size=(120, 40)) as pilot:
        results: list[Endpoint | None] = []
        form = await open_update(pilot, results)
        current = form.current
        assert current is not None and current.min_replicas and current.max_replicas
        # Someone else changes the deployment after the form loaded it.
        await app.provider.scale_deployment(  # type: ignore[attr-defined]
            current.id, current.min_replicas, current.max_replicas + 2
        )
        type_into(form, "#f-timeout", "45")
        await settle(pilot)
        await pilot.press("ctrl+s")
        await until(pilot, lambda: not form.submitting, "the refusal")
        assert results == [] and "changed since the form opened" in banner(form)
        assert "ctrl+r reloads" in banner(form)
        await pilot.press("ctrl+r")
        await until(pilot, lambda: form.current is not None and form.current.version != current.version, "reload")
        assert form.query_one("#f-timeout").value == "45"  # type: ignore[attr-defined]
        assert form.query_one("#f-max").value == str(current.max_replicas + 2)  # type: ignore[attr-defined]
        assert "Inactive timeout" in preview(form) and "Replicas" not in preview(form)
        await pilot.press("ctrl+s")
        await until(pilot, lambda: results, "the form to close")
        last = requests_to(server, "PATCH", "/deployments/")[-1]
        assert last.query == {"updateMask": "inactiveTimeout"} and last.json_body["inactiveTimeout"] == 45


async def test_bounds_are_checked_as_v2_allows_them(start_simulator: Start) -> None:
    server = today(start_simulator)
    app = make_v2_app(server)
    async with app.run_test(size=(120, 40)) as pilot:
        results: list[Endpoint | None] = []
        form = await open_update(pilot, results)
        type_into(form, "#f-min", "0")
        type_into(form, "#f-timeout", "10")
        await settle(pilot)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert message(form, "min_replicas").startswith("✗ Min 0 needs max 0 too")
        assert message(form, "inactive_timeout").startswith("✗ Inactive timeout must be 0 (never) or from 30")
        assert requests_to(server, "PATCH") == [] and results == []
