"""v2 wire models and the adapter: tolerant parsing, cleaned text, phases, prices, deploy options."""

from __future__ import annotations

from typing import Any

import pytest
from hostile import HOSTILE_STRINGS

from tui.api.domain import Availability, Phase
from tui.api.safe_text import clean_multiline
from tui.api.together.v2 import adapter, insight
from tui.api.together.v2.adapter import Catalogue
from tui.api.together.v2.wire import (
    AutoscalingRequest,
    DeploymentUpdate,
    DeploymentV2,
    EndpointEvent,
    EndpointUpdate,
    EndpointV2,
    InstanceType,
    Page,
    SupportedModel,
    duration,
    parse_duration,
    update_mask,
)

H100 = {
    "id": "it_1",
    "name": "1xnvidia-h100-80gb",
    "gpuType": "H100",
    "gpuCount": 1,
    "gpuMemoryGib": 80,
    "priceCentsPerHour": 549,
    "regions": [
        {"name": "us-east-1", "headroom": {"relation": "RELATION_GTE", "value": 3}},
        {"name": "eu-west-1", "headroom": {"relation": "RELATION_EQ", "value": 0}},
    ],
}
MODEL = {
    "id": "sm_1",
    "name": "openai/gpt-oss-20b",
    "displayName": "GPT OSS 20B",
    "contextLength": "131072",
    "capabilities": ["CAPABILITY_CHAT"],
    "deploymentProfiles": [
        {
            "profileId": "prof_1",
            "config": "projects/plat/configs/cr_1",
            "model": "projects/plat/models/ml_1/revisions/rv_1",
            "modelName": "openai/gpt-oss-20b",
            "gpuType": "H100",
            "gpuCount": 1,
        }
    ],
}


def catalogue() -> Catalogue:
    return Catalogue([InstanceType.model_validate(H100)], [SupportedModel.model_validate(MODEL)])


def summary(deployment_id: str, state: str, **extra: Any) -> dict[str, Any]:
    return {
        "id": deployment_id,
        "name": f"acme/ep/{deployment_id}",
        "model": "projects/plat/models/ml_1/revisions/rv_1",
        "autoscaling": {"minReplicas": 1, "maxReplicas": 2},
        "state": state,
        "hardware": "1xnvidia-h100-80gb",
        **extra,
    }


def endpoint(*deployments: dict[str, Any], **extra: Any) -> EndpointV2:
    return EndpointV2.model_validate(
        {"id": "ep_1", "name": "acme/ep", "deployments": list(deployments), "etag": "e1", **extra}
    )


def test_an_endpoint_carries_its_deployments_prices_weights_and_model_names() -> None:
    wire = endpoint(
        summary(
            "dep_a", "DEPLOYMENT_STATE_READY", readyReplicas=2, desiredReplicas=2, estimatedEffectiveTrafficShare=0.9
        ),
        summary("dep_b", "DEPLOYMENT_STATE_READY", desiredReplicas="1", estimatedEffectiveTrafficShare=0.1),
        trafficSplit=[{"deploymentId": "dep_a", "weight": 0.9}],
        createdAt="2026-01-15T12:00:00Z",
    )
    result = adapter.endpoint_from_wire(wire, catalogue())
    assert (result.api, result.name, result.display_name, result.version) == ("v2", "acme/ep", "ep", "e1")
    assert (result.phase, result.model, result.hardware_id) == (Phase.READY, "openai/gpt-oss-20b", "1xnvidia-h100-80gb")
    assert (result.min_replicas, result.max_replicas) == (2, 4)
    a, b = result.deployments
    # Ready replicas bill; when the API gives none, the desired count is the estimate.
    assert (a.dollars_per_hour, b.dollars_per_hour) == (pytest.approx(10.98), pytest.approx(5.49))
    assert (a.traffic_weight, b.traffic_weight) == (0.9, 0.0)
    assert (a.estimated_share, b.desired_replicas, a.model) == (0.9, 1, "openai/gpt-oss-20b")


@pytest.mark.parametrize(
    ("states", "phase", "state"),
    [
        (["READY", "FAILED", "SCALING"], Phase.FAILED, "DEPLOYMENT_STATE_FAILED"),
        (["STOPPED", "STOPPED"], Phase.STOPPED, "DEPLOYMENT_STATE_STOPPED"),
        (["READY", "STOPPING"], Phase.STOPPING, "DEPLOYMENT_STATE_STOPPING"),
        (["STOPPING", "PROVISIONING"], Phase.STARTING, "DEPLOYMENT_STATE_PROVISIONING"),
        (["READY", "SCALING", "DEGRADED"], Phase.SCALING, "DEPLOYMENT_STATE_SCALING"),
        (["READY", "DEGRADED"], Phase.DEGRADED, "DEPLOYMENT_STATE_DEGRADED"),
        (["READY", "STOPPED"], Phase.READY, "DEPLOYMENT_STATE_READY"),
        (["READY", "NEW_THING"], Phase.UNKNOWN, "DEPLOYMENT_STATE_NEW_THING"),
    ],
)
def test_an_endpoints_phase_summarises_its_deployments(states: list[str], phase: Phase, state: str) -> None:
    wire = endpoint(*(summary(f"dep_{i}", f"DEPLOYMENT_STATE_{s}") for i, s in enumerate(states)))
    result = adapter.endpoint_from_wire(wire, catalogue())
    assert (result.phase, result.state) == (phase, state)


def test_an_endpoint_with_no_deployments_is_stopped_and_says_why() -> None:
    result = adapter.endpoint_from_wire(endpoint(), catalogue())
    assert (result.phase, result.state, result.min_replicas) == (Phase.STOPPED, adapter.NO_DEPLOYMENTS, None)
    assert result.status_message and "deploy" in result.status_message


def test_full_deployments_bring_messages_timeouts_and_etags() -> None:
    full = {
        "id": "dep_a",
        "name": "acme/ep/a",
        "hardware": "unknown-hardware",
        "autoscaling": {"minReplicas": 0, "maxReplicas": 0},
        "status": {"state": "DEPLOYMENT_STATE_DEGRADED", "message": "Cannot place\nreplicas", "readyReplicas": 0},
        "inactiveTimeout": 60,
        "etag": "d1",
    }
    wire = endpoint(summary("dep_a", "DEPLOYMENT_STATE_READY"))
    details = [DeploymentV2.model_validate(full)]
    result = adapter.endpoint_from_wire(wire, catalogue(), details)
    [deployment] = result.deployments
    assert (deployment.phase, deployment.status_message, deployment.version) == (
        Phase.DEGRADED,
        "Cannot place\nreplicas",
        "d1",
    )
    # An instance type the catalogue does not know has no price, rather than a wrong one.
    assert (deployment.inactive_timeout, deployment.dollars_per_hour) == (60, None)
    assert result.status_message == "Cannot place\nreplicas"


@pytest.mark.parametrize("hostile", HOSTILE_STRINGS)
def test_every_string_from_the_wire_is_display_safe(hostile: str) -> None:
    wire = endpoint(
        summary("dep_a", hostile, hardware=hostile, model=hostile, name=hostile),
        name=hostile,
        visibility=hostile,
        id=hostile,
    )
    result = adapter.endpoint_from_wire(wire, Catalogue())
    texts = [result.id, result.name, result.state, result.model, str(result.extra)]
    texts += [result.deployments[0].state, result.deployments[0].hardware, result.deployments[0].name]
    event = insight.event_from_wire(
        EndpointEvent.model_validate({"id": hostile, "type": hostile, "level": hostile, "message": hostile})
    )
    texts += [event.id, event.type, event.level, event.message]
    for text in texts:
        assert clean_multiline(text) == text and not {"\x1b", "\x9b", "\x00"} & set(text), repr(text[:80])


def test_numbers_tolerate_strings_and_nonsense_is_unknown() -> None:
    wire = endpoint(summary("dep_a", "DEPLOYMENT_STATE_READY", readyReplicas="2", desiredReplicas="lots"))
    [deployment] = adapter.endpoint_from_wire(wire, catalogue()).deployments
    assert (deployment.ready_replicas, deployment.desired_replicas) == (2, None)
    bad_price = InstanceType.model_validate({**H100, "priceCentsPerHour": "NaN"})
    assert adapter.dollars_per_hour(bad_price, 1) is None


def test_hardware_labels_read_as_the_cli_writes_them() -> None:
    assert adapter.hardware_label("1xnvidia-h100-80gb") == "1x H100 80GB"
    assert adapter.hardware_label("8xnvidia-b200-180gb") == "8x B200 180GB"
    odd = InstanceType.model_validate({"id": "x", "name": "weird", "gpuType": "MI300X", "gpuCount": 2})
    assert adapter.hardware_label("weird", odd) == "2x MI300X"
    assert adapter.hardware_label("weird") == "weird"


def test_deploy_options_are_the_profiles_with_price_regions_and_room() -> None:
    [option] = adapter.deploy_options(SupportedModel.model_validate(MODEL), catalogue())
    assert (option.model, option.hardware_label, option.gpu_type, option.gpu_count) == (
        "openai/gpt-oss-20b",
        "1x H100 80GB",
        "H100",
        1,
    )
    assert (option.dollars_per_hour, option.regions, option.availability) == (5.49, ("us-east-1",), "available")
    assert adapter.parse_option_id(option.id) == (
        "projects/plat/configs/cr_1",
        "projects/plat/models/ml_1/revisions/rv_1",
    )
    with pytest.raises(ValueError, match="not a v2 deploy option"):
        adapter.parse_option_id("1x_nvidia_h100_80gb_sxm")


def test_availability_comes_from_region_headroom() -> None:
    full = InstanceType.model_validate({**H100, "regions": [{"name": "r", "headroom": {"relation": "RELATION_EQ"}}]})
    none_left = InstanceType.model_validate(
        {**H100, "regions": [{"name": "r", "headroom": {"relation": "RELATION_EQ", "value": 0}}]}
    )
    assert adapter.availability_of(full) is Availability.UNKNOWN
    assert adapter.availability_of(none_left) is Availability.INSUFFICIENT
    assert adapter.availability_of(InstanceType.model_validate(H100)) is Availability.AVAILABLE


def test_the_update_mask_names_exactly_the_fields_set_in_camel_case() -> None:
    request = DeploymentUpdate(
        etag="e",
        autoscaling=AutoscalingRequest(min_replicas=0, max_replicas=0),
        max_concurrent_requests_per_replica="4",
    )
    assert update_mask(request) == "autoscaling,maxConcurrentRequestsPerReplica"
    assert request.body() == {
        "etag": "e",
        "autoscaling": {"minReplicas": 0, "maxReplicas": 0},
        "maxConcurrentRequestsPerReplica": "4",
    }
    assert update_mask(EndpointUpdate(traffic_split=[])) == "trafficSplit"


def test_durations_are_seconds_strings_both_ways() -> None:
    assert (duration(300), duration(0.5)) == ("300s", "0.5s")
    assert (parse_duration("300s"), parse_duration("5m"), parse_duration(None)) == (300.0, None, None)
    with pytest.raises(ValueError):
        duration(-1)


def test_pages_read_the_snake_case_cursor() -> None:
    page = Page[EndpointV2].model_validate({"data": [], "next_cursor": "cur_1", "nextCursor": "wrong"})
    assert page.next_cursor == "cur_1"
