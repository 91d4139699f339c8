"""The deploy form on the other providers with profiles: Nebius (no ``deploy``: one create of the option) and
the in-memory fake (what is sent, and the unsaved-work guard)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from apptools import frozen_clock
from deploy_tools import open_deploy, settle, type_into
from formtools import until
from nebius_tools import SIM_KEY, start_nebius  # noqa: F401 (fixture)

from tests.fakes import FakeProvider, endpoint
from tui.api.domain import Availability, Capabilities, DeployOption, DeploySpec, Endpoint, ModelOption
from tui.api.nebius import create_provider
from tui.app.app import TogetherApp
from tui.app.screens.confirm_discard import ConfirmDiscardScreen
from tui.app.screens.deploy_confirm import ConfirmDeployScreen
from tui.app.screens.deploy_form import DeployScreen
from tui.core.app_config import AppConfig
from tui.simulator.nebius.app import NebiusSimulator
from tui.simulator.server import SimulatorServer

GPT_OSS_20B = "openai/gpt-oss-20b"
BASE = AppConfig(demo=True, refresh_interval=3600.0, fast_refresh_interval=3600.0, theme="textual-dark",
                 remember_theme=False, clock=frozen_clock)


def app_on(provider: Any) -> TogetherApp:
    app = TogetherApp(provider, replace(BASE, base_url=provider.base_url))
    app.animation_level = "none"
    return app


async def test_nebius_deploys_the_chosen_option_with_one_create(
    start_nebius: Callable[..., SimulatorServer[NebiusSimulator]],  # noqa: F811
) -> None:
    server = start_nebius(endpoints=0)
    provider = create_provider(SIM_KEY, server.root_url, {"inference_url": server.root_url,
                                                          "prices": {"gpu-h100-sxm": 2.5}})
    app = app_on(provider)
    async with app.run_test(size=(120, 40)) as pilot:
        form = await open_deploy(pilot, model=GPT_OSS_20B)
        assert form.options, "the templates' options"
        # Nebius publishes no prices: the user's own say so, and options without one show "?".
        priced = [o for o in form.options.values() if o.dollars_per_hour is not None]
        assert priced and all(not o.price_from_api for o in form.options.values())
        chosen = "base:1xgpu-h100-sxm"
        form.query_one("#f-option").value = chosen  # type: ignore[attr-defined]
        await settle(pilot)
        assert "(price not from the API)" in str(form.query_one("#form-summary").render())
        # No deployment fields where the provider has no deployments.
        assert not form.query("#f-target") and not form.query("#f-weight")
        type_into(form, "#f-endpoint-name", "demo-bot")
        type_into(form, "#f-max", "2")
        await settle(pilot)
        await pilot.press("ctrl+s")
        await until(pilot, lambda: isinstance(app.screen, ConfirmDeployScreen), "the review")
        assert server.sim.requests("POST", "/v0/dedicated_endpoints") == []
        await pilot.press("y")
        await until(pilot, lambda: not isinstance(app.screen, (DeployScreen, ConfirmDeployScreen)), "the create")
        [sent] = server.sim.requests("POST", "/v0/dedicated_endpoints")
        body = sent.json_body
        assert body["name"] == "demo-bot" and body["model_name"] == GPT_OSS_20B
        assert (body["gpu_type"], body["gpu_count"], body["flavor_name"]) == ("gpu-h100-sxm", 1, "base")
        assert body["region"] == form.options[chosen].regions[0]
        assert body["scaling"] == {"min_replicas": 1, "max_replicas": 2}


@dataclass
class FakeDeployer(FakeProvider):
    """The fake with deploy profiles: records each spec it is asked to check or deploy."""

    capabilities: Capabilities = field(default_factory=lambda: Capabilities(
        deploy_profiles=True, deployments=True, traffic_split=True, inactive_timeout=True))
    options: list[DeployOption] = field(default_factory=list)
    checked: list[DeploySpec] = field(default_factory=list)
    deployed: list[DeploySpec] = field(default_factory=list)

    async def check_access(self) -> None:
        return None

    async def deploy_options(self, model: str) -> list[DeployOption]:
        return [o for o in self.options if o.model == model]

    async def validate_deploy(self, spec: DeploySpec) -> bool:
        self.checked.append(spec)
        return False

    async def deploy(self, spec: DeploySpec, progress: Callable[[str], object] = print) -> Endpoint:
        self.deployed.append(spec)
        progress(f"Creating endpoint {spec.endpoint}")
        made = endpoint("ep_new", name=f"acme/{spec.endpoint}", api="v2", model=GPT_OSS_20B)
        self.add(made)
        return made

    async def get_deployment(self, deployment_id: str) -> Any:
        raise NotImplementedError

    async def scale_deployment(self, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError

    async def start_deployment(self, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError

    async def stop_deployment(self, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError

    async def delete(self, target_id: str, progress: Callable[[str], object] = print) -> None:
        raise NotImplementedError

    async def list_events(self, *args: Any, **kwargs: Any) -> Any:
        return [], None


def fake() -> FakeDeployer:
    provider = FakeDeployer(models=[ModelOption(GPT_OSS_20B, kind="chat", display_name="GPT OSS 20B")])
    provider.options = [
        DeployOption("cheap-full", GPT_OSS_20B, "1x H100 80GB", "H100", 1, (), 5.49, Availability.INSUFFICIENT),
        DeployOption("dear", GPT_OSS_20B, "1x B200 180GB", "B200", 1, ("us-east-1",), 8.99, Availability.AVAILABLE,
                     quantization="fp8", parallelism="tp1"),
        DeployOption("cheap", GPT_OSS_20B, "1x H200 141GB", "H200", 1, ("eu-west-1",), 6.99, Availability.AVAILABLE),
    ]
    return provider


async def test_the_fake_gets_exactly_the_spec_the_form_shows() -> None:
    provider = fake()
    app = app_on(provider)
    async with app.run_test(size=(120, 40)) as pilot:
        form = await open_deploy(pilot, model=GPT_OSS_20B)
        # Cheapest available first: room beats price.
        assert list(form.options or {}) == ["cheap", "dear", "cheap-full"]
        assert form.form_input().option_id == "cheap"
        type_into(form, "#f-endpoint-name", "bot")
        type_into(form, "#f-timeout", "60")
        type_into(form, "#f-concurrent", "16")
        type_into(form, "#f-weight", "0.5")
        form.query_one("#f-region").value = "eu-west-1"  # type: ignore[attr-defined]
        await settle(pilot)
        await pilot.press("ctrl+s")
        await until(pilot, lambda: isinstance(app.screen, ConfirmDeployScreen), "the review")
        assert provider.deployed == [] and len(provider.checked) == 1
        await pilot.press("y")
        await until(pilot, lambda: provider.deployed, "the deploy")
        assert provider.deployed == [DeploySpec(option_id="cheap", endpoint="bot", min_replicas=1, max_replicas=1,
                                                inactive_timeout=60, traffic_weight=0.5, regions=("eu-west-1",),
                                                max_concurrent_requests=16)]


async def test_escape_in_a_filled_deploy_form_asks_before_discarding() -> None:
    provider = fake()
    app = app_on(provider)
    async with app.run_test(size=(120, 40)) as pilot:
        form = await open_deploy(pilot, model=GPT_OSS_20B)
        # Untouched (only what it was opened with): escape closes at once.
        await pilot.press("escape")
        await settle(pilot)
        assert not isinstance(app.screen, DeployScreen)
        form = await open_deploy(pilot, model=GPT_OSS_20B)
        type_into(form, "#f-endpoint-name", "half-typed")
        await settle(pilot)
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmDiscardScreen)
        await pilot.press("enter")  # "Keep editing" is focused
        await settle(pilot)
        assert app.screen is form and form.form_input().endpoint_name == "half-typed"
        await pilot.press("escape", "y")
        await settle(pilot)
        assert not isinstance(app.screen, DeployScreen) and provider.deployed == []


async def test_the_migration_offer_stops_only_by_its_button_and_keeps_both_on_escape() -> None:
    from tui.app.screens.migration_offer import MigrationOffer

    legacy = endpoint("endpoint-1", name="me/old", model=GPT_OSS_20B, display_name="old bot")
    replacement = endpoint("ep_new", name="acme/new", api="v2", model=GPT_OSS_20B)
    app = app_on(fake())
    async with app.run_test(size=(100, 30)) as pilot:
        answers: list[bool | None] = []
        app.push_screen(MigrationOffer(app.context, legacy=legacy, replacement=replacement), answers.append)
        await settle(pilot)
        text = str(app.screen.query_one("#migration-text").render())
        assert "acme/new" in text and "me/old" in text and "cannot be undone" in text
        # Letters do nothing; escape keeps both.
        await pilot.press("s", "y", "x", "escape")
        await settle(pilot)
        assert answers == [False]
        app.push_screen(MigrationOffer(app.context, legacy=legacy, replacement=replacement), answers.append)
        await settle(pilot)
        await pilot.press("tab", "enter")  # to "Stop the v1 endpoint", then press it
        await settle(pilot)
        assert answers == [False, True]
