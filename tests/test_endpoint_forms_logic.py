"""The UI-free decisions behind the Hardware pane and the endpoint forms (tui.core.forms, hardware_choice,
numbers); the formatting rules they use are tested in test_format.py."""

from __future__ import annotations

import pytest

from tui.api.domain import UNSET, Availability, Endpoint, EndpointChanges, HardwareOption, ModelOption, Phase
from tui.api.errors import BadRequestError, ConnectionFailedError, NotFoundError, ServerError
from tui.core import forms as logic
from tui.core import hardware_choice as choice
from tui.core import numbers
from tui.core.format import gpu_name, hardware_summary
from tui.core.forms import (
    HARDWARE,
    INACTIVE_TIMEOUT,
    MAX_REPLICAS,
    MIN_REPLICAS,
    MODEL,
    CreateFormInput,
    UpdateFormInput,
)
from tui.core.hardware_choice import HardwareSort


def hw(
    id: str,
    price: float | None,
    availability: Availability | None = None,
    *,
    gpu: str = "h100-80gb",
    count: int = 1,
    memory: float = 80,
    link: str = "sxm",
) -> HardwareOption:
    return HardwareOption(
        id=id,
        gpu_type=gpu,
        gpu_count=count,
        gpu_memory_gb=memory,
        gpu_link=link,
        price_per_hour=price,
        availability=availability,
        cents_per_minute=None if price is None else round(price * 100 / 60, 2),
    )


A = Availability
OFFERED = {
    option.id: option
    for option in (
        hw("1x_h100", 3.99, A.AVAILABLE),
        hw("2x_h100", 7.98, A.INSUFFICIENT, count=2),
        hw("8x_h100", 31.92, A.UNAVAILABLE, count=8),
    )
}


def endpoint(**overrides: object) -> Endpoint:
    values: dict[str, object] = {
        "id": "endpoint-1",
        "name": "me/model-abc",
        "model": "org/model",
        "state": "STARTED",
        "phase": Phase.READY,
        "display_name": "Support bot",
        "hardware_id": "1x_h100",
        "min_replicas": 1,
        "max_replicas": 2,
        "detailed": True,
    }
    values.update(overrides)
    return Endpoint(**values)  # type: ignore[arg-type]


def create_form(**overrides: object) -> CreateFormInput:
    values: dict[str, object] = {"model": "org/model", "hardware_id": "1x_h100"}
    values.update(overrides)
    return CreateFormInput(**values)  # type: ignore[arg-type]


# Whole numbers


@pytest.mark.parametrize(
    ("text", "minimum", "expected"),
    [
        ("3", 0, (3, None)),
        (" 12 ", 1, (12, None)),
        ("+2", 0, (2, None)),
        ("", 0, (None, "Replicas is required.")),
        ("   ", 0, (None, "Replicas is required.")),
        ("abc", 0, (None, "Replicas must be a whole number.")),
        ("2.5", 0, (None, "Replicas must be a whole number.")),
        ("1e3", 0, (None, "Replicas must be a whole number.")),
        ("-1", 0, (None, "Replicas cannot be negative.")),
        ("0", 1, (None, "Replicas must be at least 1.")),
    ],
)
def test_parse_whole_number(text: str, minimum: int, expected: tuple[int | None, str | None]) -> None:
    assert numbers.parse_whole_number(text, "Replicas", minimum=minimum) == expected


# Create form


def test_valid_create_form_gives_the_spec_the_user_typed() -> None:
    result = logic.validate_create(
        create_form(
            display_name="  Support bot  ",
            min_replicas="1",
            max_replicas="3",
            inactive_timeout="45",
            speculative_decoding=False,
            availability_zone="us-east-1a",
            start=False,
        ),
        OFFERED,
        known_models=["org/model"],
    )
    assert result.ok
    assert result.errors == {} and result.warnings == {}
    spec = result.value
    assert spec is not None
    assert (spec.model, spec.hardware_id, spec.min_replicas, spec.max_replicas) == ("org/model", "1x_h100", 1, 3)
    assert spec.display_name == "Support bot"
    assert spec.inactive_timeout == 45
    assert spec.speculative_decoding is False
    assert spec.availability_zone == "us-east-1a"
    assert spec.start is False


def test_empty_timeout_is_not_sent_and_zero_is_sent_as_disabled() -> None:
    empty = logic.validate_create(create_form(inactive_timeout=""), OFFERED).value
    zero = logic.validate_create(create_form(inactive_timeout="0"), OFFERED).value
    assert empty is not None and empty.inactive_timeout is None
    assert zero is not None and zero.inactive_timeout == 0


def test_blank_display_name_and_zone_become_none() -> None:
    spec = logic.validate_create(create_form(display_name="   ", availability_zone=""), OFFERED).value
    assert spec is not None
    assert spec.display_name is None and spec.availability_zone is None


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"model": None}, MODEL, "Pick a model (enter opens the model picker)."),
        ({"hardware_id": None}, HARDWARE, "Pick the hardware to run on."),
        ({"hardware_id": "4x_b200"}, HARDWARE, "4x_b200 is not offered for org/model."),
        ({"min_replicas": ""}, MIN_REPLICAS, "Min replicas is required."),
        ({"min_replicas": "two"}, MIN_REPLICAS, "Min replicas must be a whole number."),
        ({"min_replicas": "-1"}, MIN_REPLICAS, "Min replicas cannot be negative."),
        ({"max_replicas": ""}, MAX_REPLICAS, "Max replicas is required."),
        ({"max_replicas": "1.5"}, MAX_REPLICAS, "Max replicas must be a whole number."),
        ({"max_replicas": "0", "min_replicas": "0"}, MAX_REPLICAS, "Max replicas must be at least 1."),
        ({"min_replicas": "3", "max_replicas": "2"}, MAX_REPLICAS, "Max replicas must be at least min replicas (3)."),
        ({"inactive_timeout": "-5"}, INACTIVE_TIMEOUT, "Inactive timeout cannot be negative."),
        ({"inactive_timeout": "1h"}, INACTIVE_TIMEOUT, "Inactive timeout must be a whole number."),
    ],
)
def test_every_create_validation_message(overrides: dict[str, object], field: str, message: str) -> None:
    result = logic.validate_create(create_form(**overrides), OFFERED)
    assert not result.ok
    assert result.value is None
    assert result.errors == {field: message}


def test_model_not_offered_for_dedicated_endpoints() -> None:
    result = logic.validate_create(create_form(model="org/serverless-only"), OFFERED, known_models=["org/model"])
    assert result.errors[MODEL] == "org/serverless-only is not offered for dedicated endpoints."
    # The hardware cannot be judged against a model that cannot be deployed.
    assert HARDWARE not in result.errors


def test_hardware_unchecked_until_the_list_for_the_model_arrives() -> None:
    result = logic.validate_create(create_form(), None)
    assert result.errors == {HARDWARE: "Still checking which hardware this model runs on…"}


def test_model_with_no_hardware_at_all() -> None:
    result = logic.validate_create(create_form(), {})
    assert result.errors == {HARDWARE: "No hardware is offered for org/model."}


@pytest.mark.parametrize(
    ("hardware_id", "warning"),
    [
        ("2x_h100", "Insufficient capacity right now: it may wait in PENDING for a while."),
        ("8x_h100", "Unavailable right now: the endpoint will probably fail to start."),
    ],
)
def test_scarce_hardware_warns_but_does_not_block(hardware_id: str, warning: str) -> None:
    result = logic.validate_create(create_form(hardware_id=hardware_id), OFFERED)
    assert result.ok
    assert result.warnings == {HARDWARE: warning}


def test_several_problems_reported_at_once() -> None:
    result = logic.validate_create(
        create_form(model=None, hardware_id=None, min_replicas="x", inactive_timeout="-1"), OFFERED
    )
    assert set(result.errors) == {MODEL, HARDWARE, MIN_REPLICAS, INACTIVE_TIMEOUT}


def test_describe_inactive_timeout_tells_empty_from_zero() -> None:
    empty = numbers.describe_inactive_timeout("", empty_means=logic.CREATE_TIMEOUT_EMPTY)
    zero = numbers.describe_inactive_timeout("0", empty_means=logic.CREATE_TIMEOUT_EMPTY)
    assert empty == logic.CREATE_TIMEOUT_EMPTY
    assert "never auto-stop" in zero
    assert empty != zero
    assert numbers.describe_inactive_timeout("1", empty_means="") == "Stops after 1 idle minute."
    assert numbers.describe_inactive_timeout("90", empty_means="") == "Stops after 90 idle minutes (1.5 h)."
    assert numbers.describe_inactive_timeout("x", empty_means="") == (
        "Whole minutes up to 1,440: 0 switches auto-stop off."
    )


# Update form


def test_update_sends_only_what_changed() -> None:
    current = endpoint()
    same = logic.validate_update(logic.update_form_defaults(current), current)
    assert same.ok and same.value is not None and same.value.empty

    renamed = logic.validate_update(UpdateFormInput("New name", "1", "2"), current).value
    assert renamed == EndpointChanges(display_name="New name")

    resized = logic.validate_update(UpdateFormInput("Support bot", "1", "4"), current).value
    assert resized is not None
    assert resized.max_replicas == 4 and resized.min_replicas is UNSET and resized.display_name is UNSET


def test_update_timeout_empty_leaves_it_alone_and_zero_disables() -> None:
    current = endpoint()
    untouched = logic.validate_update(UpdateFormInput("Support bot", "1", "2", ""), current).value
    assert untouched is not None and untouched.inactive_timeout is UNSET
    disabled = logic.validate_update(UpdateFormInput("Support bot", "1", "2", "0"), current).value
    assert disabled is not None and disabled.inactive_timeout == 0
    # Known and unchanged: not sent.
    same = logic.validate_update(UpdateFormInput("Support bot", "1", "2", "30"), current, current_timeout=30).value
    assert same is not None and same.empty


@pytest.mark.parametrize(
    ("form", "field", "message"),
    [
        (UpdateFormInput("  ", "1", "2"), "display_name", "Display name cannot be empty."),
        (UpdateFormInput("a", "x", "2"), MIN_REPLICAS, "Min replicas must be a whole number."),
        (UpdateFormInput("a", "3", "2"), MAX_REPLICAS, "Max replicas must be at least min replicas (3)."),
        (UpdateFormInput("a", "0", "0"), MAX_REPLICAS, "Max replicas must be at least 1."),
        (UpdateFormInput("a", "1", "2", "-3"), INACTIVE_TIMEOUT, "Inactive timeout cannot be negative."),
    ],
)
def test_every_update_validation_message(form: UpdateFormInput, field: str, message: str) -> None:
    result = logic.validate_update(form, endpoint())
    assert result.value is None
    assert result.errors == {field: message}


def test_update_preview_old_to_new_with_cost() -> None:
    current = endpoint()
    changes = EndpointChanges(display_name="Renamed", min_replicas=2, max_replicas=4, inactive_timeout=0)
    lines = logic.update_preview(current, changes, 3.99)
    assert [(line.label, line.old, line.new) for line in lines] == [
        ("Display name", "Support bot", "Renamed"),
        ("Replicas", "1-2", "2-4"),
        ("Cost", "$3.99-$7.98/h", "$7.98-$15.96/h"),
        ("Inactive timeout", "unknown", "off"),
    ]
    assert logic.cost_difference(current, changes, 3.99) == pytest.approx((3.99, 7.98))
    assert logic.cost_difference(current, changes, None) is None


def test_update_preview_of_one_bound_keeps_the_other() -> None:
    lines = logic.update_preview(endpoint(), EndpointChanges(max_replicas=1), 2.0)
    assert [(line.label, line.old, line.new) for line in lines] == [
        ("Replicas", "1-2", "1"),
        ("Cost", "$2.00-$4.00/h", "$2.00/h"),
    ]


# Hardware ordering and filtering


def test_cheapest_available_first() -> None:
    options = [
        hw("unavailable-cheap", 1.0, A.UNAVAILABLE),
        hw("insufficient", 2.0, A.INSUFFICIENT),
        hw("available-dear", 9.0, A.AVAILABLE),
        hw("available-cheap", 3.0, A.AVAILABLE),
        hw("unknown", 0.5, A.UNKNOWN),
        hw("no-price", None, A.AVAILABLE),
    ]
    assert [o.id for o in choice.cheapest_available_first(options)] == [
        "available-cheap",
        "available-dear",
        "no-price",
        "insufficient",
        "unknown",
        "unavailable-cheap",
    ]


def test_sort_orders_and_reverse() -> None:
    options = [
        hw("b", 5.0, count=2, memory=80),
        hw("a", 9.0, gpu="b200-180gb", count=1, memory=180),
        hw("c", 1.0, gpu="a100-80gb", count=8, memory=80),
    ]
    assert [o.id for o in choice.sort_hardware(options, HardwareSort.PRICE)] == ["c", "b", "a"]
    assert [o.id for o in choice.sort_hardware(options, HardwareSort.PRICE, reverse=True)] == ["a", "b", "c"]
    assert [o.id for o in choice.sort_hardware(options, HardwareSort.MEMORY)] == ["b", "a", "c"]
    assert [o.id for o in choice.sort_hardware(options, HardwareSort.GPU)] == ["c", "a", "b"]
    assert [o.id for o in choice.sort_hardware(options, HardwareSort.COUNT)] == ["a", "b", "c"]
    assert [o.id for o in choice.sort_hardware(options, HardwareSort.ID)] == ["a", "b", "c"]


def test_filter_needs_every_word_and_can_hide_unavailable() -> None:
    options = [
        hw("1x_nvidia_h100_80gb_sxm", 3.99, A.AVAILABLE),
        hw("8x_nvidia_h100_80gb_sxm", 31.92, A.UNAVAILABLE, count=8),
        hw("1x_nvidia_l40s", 2.0, A.INSUFFICIENT, gpu="l40s-48gb", memory=48, link="pcie"),
    ]
    assert [o.id for o in choice.filter_hardware(options, "H100")] == [
        "1x_nvidia_h100_80gb_sxm",
        "8x_nvidia_h100_80gb_sxm",
    ]
    assert [o.id for o in choice.filter_hardware(options, "h100 8x")] == ["8x_nvidia_h100_80gb_sxm"]
    assert [o.id for o in choice.filter_hardware(options, "pcie")] == ["1x_nvidia_l40s"]
    assert [o.id for o in choice.filter_hardware(options, "insufficient")] == ["1x_nvidia_l40s"]
    assert [o.id for o in choice.filter_hardware(options, "", hide_unavailable=True)] == [
        "1x_nvidia_h100_80gb_sxm",
        "1x_nvidia_l40s",
    ]
    assert choice.filter_hardware(options, "b200") == []


def test_hardware_words() -> None:
    option = hw("2x_nvidia_h200_140gb_sxm", 10.98, gpu="h200-140gb", count=2, memory=141)
    assert gpu_name(option) == "H200"
    assert hardware_summary(option) == "2x H200 141 GB SXM"
    assert choice.availability_look(option).text == "· ask per model"
    assert choice.availability_look(hw("x", 1, A.AVAILABLE)).text == "✓ available"
    assert choice.availability_look(hw("x", 1, A.INSUFFICIENT)).text == "⚠ insufficient"
    assert choice.availability_look(hw("x", 1, A.UNAVAILABLE)).text == "✗ unavailable"
    odd = HardwareOption("x", None, None, None, None, None, A.UNKNOWN, availability_raw="RESERVED-ONLY")
    assert choice.availability_look(odd).text == "? reserved-only"
    assert gpu_name(odd) == "?"


# Costs


def test_running_cost() -> None:
    cost = choice.running_cost(3.99, replicas=2, hours_per_day=8)
    assert cost.per_hour == pytest.approx(7.98)
    assert cost.per_day == pytest.approx(63.84)
    # A month is 730 hours, as HardwareOption.price_per_month counts it.
    assert choice.running_cost(3.99, 1, 24).per_month == pytest.approx(3.99 * 730)


def test_break_even_against_serverless() -> None:
    model = ModelOption("openai/gpt-oss-20b", input_price_per_m=0.05, output_price_per_m=0.20)
    blended = 0.75 * 0.05 + 0.25 * 0.20
    assert choice.blended_price_per_million(model) == pytest.approx(blended)
    tokens = choice.break_even_tokens_per_day(95.76, model)
    assert tokens == pytest.approx(95.76 / blended * 1e6)
    # At break-even the serverless bill for those tokens equals the dedicated one.
    assert choice.serverless_cost_per_day(model, tokens or 0) == pytest.approx(95.76)
    all_output = choice.break_even_tokens_per_day(95.76, model, input_share=0.0)
    assert all_output == pytest.approx(95.76 / 0.20 * 1e6)


def test_break_even_with_one_sided_or_missing_prices() -> None:
    embeddings = ModelOption("bge", input_price_per_m=0.02)
    assert choice.blended_price_per_million(embeddings) == pytest.approx(0.02)
    unpriced = ModelOption("gemma")
    assert choice.blended_price_per_million(unpriced) is None
    assert choice.break_even_tokens_per_day(10.0, unpriced) is None
    assert choice.serverless_cost_per_day(unpriced, 1e6) is None


@pytest.mark.parametrize(
    ("replicas", "hours", "expected"),
    [
        ("2", "8", numbers.CalculatorInput(2, 8.0)),
        ("1", "24", numbers.CalculatorInput(1, 24.0)),
        ("0", "8", numbers.CalculatorInput(None, 8.0, "Replicas must be at least 1.")),
        ("", "8", numbers.CalculatorInput(None, 8.0, "Replicas is required.")),
        ("1", "25", numbers.CalculatorInput(1, None, "Hours per day must be between 0 and 24.")),
        ("1", "", numbers.CalculatorInput(1, None, "Hours per day is required.")),
        ("1", "1.2.3", numbers.CalculatorInput(1, None, "Hours per day must be a number.")),
    ],
)
def test_parse_calculator(replicas: str, hours: str, expected: numbers.CalculatorInput) -> None:
    assert numbers.parse_calculator(replicas, hours) == expected


def test_estimate_line() -> None:
    assert logic.estimate_line(None, "1", "1") == "Estimate: pick a model and hardware to see the price."
    assert logic.estimate_line(3.99, "1", "1") == "Estimate: $3.99/h with 1 replica · $2,913/month if always on."
    assert logic.estimate_line(3.99, "1", "3") == (
        "Estimate: $3.99/h at min (1) · $11.97/h at max (3) · up to $8,738/month."
    )
    assert logic.estimate_line(3.99, "x", "3") == "Estimate: $3.99/h per replica."
    # Bounds the wrong way round are an error to fix, not a price range.
    assert logic.estimate_line(3.99, "2", "1") == "Estimate: $3.99/h per replica."
    # A price the API sent as NaN is no price: never "$nan/h".
    assert logic.estimate_line(float("nan"), "1", "1") == "Estimate: pick a model and hardware to see the price."


# Refusals


def test_hardware_refusals_are_recognised() -> None:
    by_param = BadRequestError("nope", status=400, param="hardware")
    by_words = BadRequestError("Invalid hardware provided: x cannot serve y.", status=400)
    configuration = BadRequestError("The selected configuration is not available", status=400)
    other = BadRequestError("autoscaling.max_replicas must be >= 1", status=400, param="autoscaling")
    assert logic.is_hardware_refusal(by_param)
    assert logic.is_hardware_refusal(by_words)
    assert logic.is_hardware_refusal(configuration)
    assert not logic.is_hardware_refusal(other)
    assert not logic.is_hardware_refusal(NotFoundError("hardware not found", status=404))


def test_refusal_text_keeps_the_api_words_and_flags_unknown_outcomes() -> None:
    refused = BadRequestError("Hardware is required.", status=400, request_id="req-1")
    assert logic.refusal_text(refused, creating=True) == (
        "✗ The API refused the request (400): Hardware is required. · request id req-1"
    )
    failed = ServerError("The server is overloaded or not ready yet.", status=503)
    text = logic.refusal_text(failed, creating=True)
    assert text.startswith("✗ Server error (503): The server is overloaded or not ready yet.")
    assert "not known whether the endpoint was created" in text
    assert "not known" not in logic.refusal_text(failed, creating=False)
    assert "not known" in logic.refusal_text(ConnectionFailedError("reset"), creating=True)


def test_available_for_model_lists_usable_hardware_cheapest_first() -> None:
    assert logic.available_for_model(list(OFFERED.values())) == (
        "Available for this model: 1x_h100 ($3.99/h), 2x_h100 ($7.98/h)."
    )
    assert logic.available_for_model([hw("x", 1.0, A.UNAVAILABLE)]) == (
        "No hardware is available for this model right now."
    )
    many = [hw(f"h{i}", float(i), A.AVAILABLE) for i in range(1, 9)]
    assert logic.available_for_model(many, limit=2) == (
        "Available for this model: h1 ($1.00/h), h2 ($2.00/h) and 6 more."
    )
