"""The Nebius provider against the Nebius simulator over loopback; every request checked against the schema."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable

import pytest

from tests.nebius_tools import SIM_KEY, schema_errors, start_nebius  # noqa: F401 (fixture)
from tui.api import errors
from tui.api.domain import ChatMessage, EndpointChanges, EndpointSpec, Phase
from tui.api.nebius import NebiusProvider, adapter, create_provider
from tui.simulator.nebius.app import NebiusSimulator
from tui.simulator.nebius.catalogue import TEMPLATES
from tui.simulator.nebius.world import Timings
from tui.simulator.server import SimulatorServer

T = Timings()
SCHEMA_OF = {("POST", "/v0/dedicated_endpoints"): "create", ("POST", "/v1/chat/completions"): "chat"}


@pytest.fixture
async def world(
    start_nebius: Callable[..., SimulatorServer[NebiusSimulator]],  # noqa: F811
) -> AsyncIterator[tuple[NebiusProvider, NebiusSimulator]]:
    server = start_nebius(endpoints=0)
    provider = create_provider(SIM_KEY, server.root_url, {"inference_url": server.root_url,
                                                          "prices": {"gpu-h100-sxm": 2.5}})
    yield provider, server.sim
    await provider.aclose()
    # Every body the provider sent is one the reference allows.
    for record in server.sim.requests():
        kind = "update" if record.method == "PATCH" else SCHEMA_OF.get((record.method, record.path))
        if kind:
            assert schema_errors(kind, record.json_body) == [], record


async def test_create_watch_chat_scale_stop_start_delete(world: tuple[NebiusProvider, NebiusSimulator]) -> None:
    provider, sim = world
    [option] = [o for o in await provider.deploy_options("openai/gpt-oss-20b") if o.id == "base:1xgpu-h100-sxm"]
    assert option.dollars_per_hour == 2.5 and "eu-west1" in option.regions
    created = await provider.create_endpoint(EndpointSpec(
        model="openai/gpt-oss-20b", hardware_id=option.id, availability_zone="eu-west1", display_name="demo",
        min_replicas=1, max_replicas=2,
    ))
    assert len(sim.requests("POST", "/v0/dedicated_endpoints")) == 1
    assert (created.phase, created.display_name, created.region) == (Phase.STARTING, "demo", "eu-west1")
    with pytest.raises(errors.EndpointNotRunningError):
        await provider.chat(created.inference_model, [ChatMessage("user", "hi")])

    sim.advance(T.provisioning)
    ready = await provider.get_endpoint(created.id)
    assert (ready.phase, ready.state) == (Phase.READY, "running/ready")
    events = [e async for e in provider.stream_chat(ready.inference_model, [ChatMessage("user", "Explain GPUs")])]
    assert "".join(e.content for e in events).strip()
    assert events[-1].finish_reason == "stop" and events[-1].usage is not None

    scaled = await provider.update_endpoint(created.id, EndpointChanges(min_replicas=2))
    assert (scaled.min_replicas, scaled.max_replicas, scaled.phase) == (2, 2, Phase.UPDATING)
    assert sim.requests("PATCH")[-1].json_body == {"scaling": {"min_replicas": 2, "max_replicas": 2}}
    sim.advance(T.per_replica)
    assert (await provider.get_endpoint(created.id)).phase is Phase.READY

    stopping = await provider.stop_endpoint(created.id)
    assert stopping.phase is Phase.STOPPING
    sim.advance(T.stopping)
    assert (await provider.get_endpoint(created.id)).phase is Phase.STOPPED
    assert (await provider.start_endpoint(created.id)).phase is Phase.STARTING
    assert [r.json_body for r in sim.requests("PATCH")][-2:] == [{"enabled": False}, {"enabled": True}]

    await provider.delete_endpoint(created.id)
    assert await provider.list_endpoints() == []
    with pytest.raises(errors.NotFoundError):
        await provider.delete_endpoint(created.id)


async def test_a_hardware_row_creates_in_its_region_and_stopped(world: tuple[NebiusProvider, NebiusSimulator]) -> None:
    provider, sim = world
    rows = await provider.list_hardware("openai/gpt-oss-120b")
    row = next(r for r in rows if r.id.endswith("@us-central1"))
    created = await provider.create_endpoint(EndpointSpec(model="openai/gpt-oss-120b", hardware_id=row.id, start=False))
    assert created.phase is Phase.STOPPED and created.region == "us-central1"
    assert sim.requests("POST", "/v0/dedicated_endpoints")[0].json_body["enabled"] is False


async def test_the_services_refusal_reaches_the_caller_with_its_field(
    world: tuple[NebiusProvider, NebiusSimulator],
) -> None:
    provider, _ = world
    [row] = [r for r in await provider.list_hardware("openai/gpt-oss-20b") if r.id == "base:1xgpu-h100-sxm@eu-north1"]
    created = await provider.create_endpoint(EndpointSpec(model="openai/gpt-oss-20b", hardware_id=row.id))
    with pytest.raises(errors.BadRequestError) as caught:
        await provider.update_endpoint(created.id, EndpointChanges(min_replicas=9, max_replicas=3))
    assert (caught.value.status, caught.value.param) == (422, "scaling")
    assert "max_replicas must be greater than or equal to min_replicas" in caught.value.message


async def test_capabilities_regions_models_and_a_wrong_key(
    world: tuple[NebiusProvider, NebiusSimulator], start_nebius: Callable[..., SimulatorServer[NebiusSimulator]],  # noqa: F811
) -> None:
    provider, _ = world
    caps = provider.capabilities
    assert (caps.get_by_id, caps.placement, caps.speculative_decoding, caps.serverless_listing) == (
        False, "regions", False, False,
    )
    # The region is fixed for the endpoint's life and never guessed (create refuses without one).
    assert caps.region_required and caps.deploy_profiles
    assert "eu-north1" in await provider.list_availability_zones()
    models = await provider.list_models()
    assert {m.id for m in models} >= {"openai/gpt-oss-120b", "deepseek-ai/DeepSeek-V3.1"}
    assert all(m.is_chat and m.context_length for m in models)
    wrong = create_provider("not-the-key", provider.base_url)
    with pytest.raises(errors.AuthenticationError):
        await wrong.check_access()
    await wrong.aclose()


async def test_the_demo_account_lists_a_running_a_stopped_and_a_starting_endpoint(
    start_nebius: Callable[..., SimulatorServer[NebiusSimulator]],  # noqa: F811
) -> None:
    server = start_nebius(speed=20.0)
    provider = create_provider(SIM_KEY, server.root_url, {"inference_url": server.root_url})
    phases = {e.title: e.phase for e in await provider.list_endpoints()}
    await provider.aclose()
    assert phases == {"support-bot": Phase.READY, "batch-summaries": Phase.STOPPED, "deepseek-eval": Phase.STARTING}


def test_the_request_schema_refuses_what_the_reference_does() -> None:
    body = {"name": "n", "model_name": "m", "flavor_name": "base", "gpu_type": "gpu-h100-sxm", "gpu_count": 1,
            "region": "eu-north1", "scaling": {"min_replicas": 1, "max_replicas": 1}}
    assert schema_errors("create", body) == []
    assert schema_errors("create", {**body, "gpu_type": "h100"})
    assert schema_errors("create", {k: v for k, v in body.items() if k != "region"})
    assert schema_errors("create", {**body, "hardware": "x"})
    assert schema_errors("update", {"region": "eu-north1"})
    assert schema_errors("update", {"scaling": {"max_replicas": 2}})
    assert schema_errors("update", {})


async def test_deploy_options_are_one_per_flavor_gpu_type_and_count_with_their_regions(
    world: tuple[NebiusProvider, NebiusSimulator],
) -> None:
    provider, _ = world
    for template in TEMPLATES:
        expected = {
            (f"{flavor}:{h.gpu_count}x{h.gpu_type}", h.regions) for flavor, hardware in template.flavors.items()
            for h in hardware
        }
        options = await provider.deploy_options(template.name)
        assert {(o.id, o.regions) for o in options} == expected and len(options) == len(expected)
        assert all(o.model == template.name and not o.price_from_api for o in options)
        # Priced from the user's table (H100 at 2.50 per GPU), unknown otherwise: never $0.
        for option in options:
            assert option.gpu_type == adapter.shown_gpu_type(option.id.partition("x")[2])
            priced = 2.5 * (option.gpu_count or 0) if option.id.endswith("xgpu-h100-sxm") else None
            assert option.dollars_per_hour == priced, option
    labels = {o.id: o.hardware_label for o in await provider.deploy_options("openai/gpt-oss-120b")}
    assert labels["fast:2xgpu-h200-sxm"] == "fast · 2x H200" and labels["base:1xgpu-h100-sxm"] == "base · 1x H100"
    assert all(not row.price_from_api for row in await provider.list_hardware())
    # Each hardware row of a model is one of its options in one region: a form opened from it knows both.
    for template in TEMPLATES:
        options = {o.id: o for o in await provider.deploy_options(template.name)}
        rows = await provider.list_hardware(template.name)
        assert len(rows) == sum(len(o.regions) for o in options.values())
        for row in rows:
            region = row.id.rpartition("@")[2]
            assert row.regions == (), "templates say where an option is offered, not where there is room"
            assert row.deploy_option_id in options and region in options[row.deploy_option_id].regions
            assert row.id == f"{row.deploy_option_id}@{region}"
            assert row.label == f"{options[row.deploy_option_id].hardware_label} · {region}"


async def test_every_option_creates_in_each_of_its_regions_and_nothing_else_is_sent(
    world: tuple[NebiusProvider, NebiusSimulator],
) -> None:
    provider, sim = world
    model = "openai/gpt-oss-120b"
    sent = 0
    for option in await provider.deploy_options(model):
        for region in option.regions:
            created = await provider.create_endpoint(EndpointSpec(
                model=model, hardware_id=option.id, availability_zone=region, display_name=f"{option.id} {region}",
                min_replicas=1, max_replicas=2,
            ))
            sent += 1
            body = sim.requests("POST", "/v0/dedicated_endpoints")[-1].json_body
            flavor, _, gpus = option.id.partition(":")
            assert (body["flavor_name"], f"{body['gpu_count']}x{body['gpu_type']}", body["region"]) == (
                flavor, gpus, region,
            )
            assert body["scaling"] == {"min_replicas": 1, "max_replicas": 2}
            assert created.hardware_id == f"{option.id}@{region}" and created.region == region
    assert len(sim.requests("POST", "/v0/dedicated_endpoints")) == sent > 5
    [multi] = [o for o in await provider.deploy_options(model) if o.id == "base:1xgpu-h100-sxm"]
    for region, words in ((None, "Pick a region"), ("tf-us1", "offered in")):
        with pytest.raises(errors.BadRequestError, match=words):
            await provider.create_endpoint(EndpointSpec(model=model, hardware_id=multi.id, availability_zone=region))
    with pytest.raises(errors.BadRequestError, match="No Nebius template"):
        await provider.create_endpoint(EndpointSpec(model="openai/gpt-oss-20b", hardware_id="fast:2xgpu-h200-sxm",
                                                    availability_zone="eu-north1"))
    assert len(sim.requests("POST", "/v0/dedicated_endpoints")) == sent
