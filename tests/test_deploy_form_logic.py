"""The deploy and v2 update forms' model without Textual: the API's rules, each with the message it names."""

from __future__ import annotations

import dataclasses

from tui.api.domain import UNSET, Availability, DeploymentSettings, DeployOption, DeploySpec
from tui.core import deploy_form as model
from tui.core import deployment_form as update
from tui.core.deploy_form import DeployFormInput

H100 = DeployOption("h100", "m", "1x H100 80GB", "H100", 1, ("us-east-1",), 5.49, Availability.AVAILABLE)
B200 = DeployOption("b200", "m", "8x B200 180GB", "B200", 8, (), 71.92, Availability.INSUFFICIENT)
OPTIONS = {o.id: o for o in (H100, B200)}


def errors(**typed: object) -> dict[str, str]:
    form = DeployFormInput(**{"model": "m", "option_id": "h100", "endpoint_name": "bot", **typed})  # type: ignore[arg-type]
    return model.validate_deploy(form, OPTIONS, slug="acme").errors


def test_endpoint_names_follow_the_api() -> None:
    assert errors() == {}
    assert "Use lowercase letters" in errors(endpoint_name="Bot")["endpoint_name"]
    assert "Use lowercase letters" in errors(endpoint_name="-bot")["endpoint_name"]
    assert "Use lowercase letters" in errors(endpoint_name="b" * 64)["endpoint_name"]
    assert errors(endpoint_name="acme/bot") == {}
    assert "The project is acme" in errors(endpoint_name="other/bot")["endpoint_name"]
    assert "Name the new endpoint" in errors(endpoint_name=" ")["endpoint_name"]
    # Adding to an existing endpoint needs no name.
    assert errors(endpoint_name="", target="ep_1") == {}
    assert "at most 128" in errors(deployment_name="-x")["deployment_name"]


def test_bounds_timeout_concurrency_and_weight() -> None:
    assert "Min 0 needs max 0 too" in errors(min_replicas="0", max_replicas="2")["min_replicas"]
    assert errors(min_replicas="0", max_replicas="0") == {}
    assert "at least min replicas" in errors(min_replicas="3", max_replicas="2")["max_replicas"]
    assert "at most 100" in errors(max_replicas="101")["max_replicas"]
    assert errors(inactive_timeout="0") == {} and errors(inactive_timeout="30") == {}
    assert "0 (never) or from 30" in errors(inactive_timeout="29")["inactive_timeout"]
    assert "at most 1,440" in errors(inactive_timeout="1441")["inactive_timeout"]
    assert "at least 1" in errors(max_concurrent="0")["max_concurrent"]
    assert "at most 10,000" in errors(max_concurrent="10001")["max_concurrent"]
    assert "at least 0" in errors(traffic_weight="-1")["traffic_weight"]
    assert "a number" in errors(traffic_weight="nan?")["traffic_weight"]
    assert "at least 0" in errors(traffic_weight="inf")["traffic_weight"]


def test_the_spec_is_exactly_what_was_typed() -> None:
    form = DeployFormInput(model="m", option_id="h100", endpoint_name="acme/bot", min_replicas="1", max_replicas="3",
                           inactive_timeout="60", max_concurrent="8", traffic_weight="0.5", region="us-east-1",
                           deployment_name="canary")
    result = model.validate_deploy(form, OPTIONS, slug="acme")
    assert result.value == DeploySpec(option_id="h100", endpoint="bot", deployment_name="canary", min_replicas=1,
                                      max_replicas=3, inactive_timeout=60, traffic_weight=0.5,
                                      regions=("us-east-1",), max_concurrent_requests=8)
    # Not loaded yet: nothing to send.
    assert model.validate_deploy(form, None).value is None
    full = model.validate_deploy(DeployFormInput(model="m", option_id="b200", endpoint_name="x"), OPTIONS)
    assert "No region has room" in full.warnings["option"]


def test_a_display_name_rule_takes_any_text_of_1_to_100_characters() -> None:
    """Nebius names an endpoint by its display name (capabilities.endpoint_names), not the v2 DNS rule."""
    def named(name: str) -> tuple[str | None, dict[str, str]]:
        form = DeployFormInput(model="m", option_id="h100", endpoint_name=name, region="us-east-1")
        result = model.validate_deploy(form, OPTIONS, name_rule=model.DISPLAY_NAMES)
        return (result.value.endpoint if result.value else None), result.errors

    assert named("Support Bot (EU) / v2") == ("Support Bot (EU) / v2", {})
    assert named("x" * 100)[0] == "x" * 100
    assert "At most 100 characters (101 now)" in named("x" * 101)[1]["endpoint_name"]
    assert "1 to 100 characters" in named("   ")[1]["endpoint_name"]
    # The same names under the v2 rule are refused.
    assert "Use lowercase letters" in errors(endpoint_name="Support Bot")["endpoint_name"]


def test_a_required_region_is_refused_empty_before_anything_is_sent() -> None:
    form = DeployFormInput(model="m", option_id="h100", endpoint_name="bot")
    refused = model.validate_deploy(form, OPTIONS, region_required=True)
    assert refused.value is None
    assert refused.errors == {"region": "Pick the region it runs in (offered: us-east-1): it cannot change later."}
    chosen = model.validate_deploy(dataclasses.replace(form, region="us-east-1"), OPTIONS, region_required=True)
    assert chosen.value is not None and chosen.value.regions == ("us-east-1",)
    # Where the provider places it, an empty region is "any region with room".
    assert model.validate_deploy(form, OPTIONS).value is not None


def test_costs_order_and_the_nearest_profile_of_a_v1_endpoint() -> None:
    assert model.cost_range(5.49, 1, 2) == "$5.49/h - $10.98/h · $4,008 - $8,015/month"
    assert model.cost_range(5.49, 0, 0).startswith("Deployed stopped")
    assert model.cost_range(None, 1, 1) == "? (no price for this profile)"
    assert model.price_words(DeployOption("n", "m", "x", price_from_api=False, dollars_per_hour=2.5)) == (
        "$2.50/h per replica (price not from the API)")
    cheap_full = DeployOption("c", "m", "1x H200", "H200", 1, (), 1.0, Availability.INSUFFICIENT)
    assert [o.id for o in model.cheapest_available_first([B200, cheap_full, H100])] == ["h100", "c", "b200"]
    assert model.matching_option([B200, H100], "2x_nvidia_h100_80gb_sxm") is H100
    assert model.matching_option([B200, H100], "8x_nvidia_b200_180gb_sxm") is B200
    assert model.matching_option([H100], "1x_nvidia_a100_80gb_pcie") is None
    assert model.suggest_endpoint_name("GPT-OSS 20B (support bot)") == "gpt-oss-20b-support-bot"


CURRENT = DeploymentSettings(id="dep_1", endpoint_id="ep_1", name="acme/bot/d", model="m", hardware="1xh100",
                             min_replicas=1, max_replicas=2, scale_down_window=300.0, inactive_timeout=0,
                             max_concurrent_requests=8, traffic_weight=1.0, price_per_replica_hour=5.49,
                             version="e1", endpoint_version="e2")


def test_update_sends_only_what_differs() -> None:
    unchanged = update.validate_changes(update.form_defaults(CURRENT), CURRENT)
    assert unchanged.value is not None and unchanged.value.empty
    typed = update.DeploymentFormInput(min_replicas="1", max_replicas="4", scale_down_window="300",
                                       inactive_timeout="0", max_concurrent="8", traffic_weight="0.5")
    changed = update.validate_changes(typed, CURRENT).value
    assert changed is not None
    assert (changed.min_replicas, changed.max_replicas, changed.traffic_weight) == (UNSET, 4, 0.5)
    assert changed.deployment_fields and not changed.empty
    assert update.cost_difference(CURRENT, changed) == (0.0, 2 * 5.49)
    labels = [line.label for line in update.preview(CURRENT, changed)]
    assert labels == ["Replicas", "Cost", "Traffic weight"]
