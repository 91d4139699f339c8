"""Every number a form sends or prices has an upper bound, and the message names it."""

from __future__ import annotations

import pytest

from tui.core import forms as logic
from tui.core import numbers
from tui.core.forms import INACTIVE_TIMEOUT, MAX_REPLICAS, MIN_REPLICAS, CreateFormInput

HUGE = "99999999999999999999"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("100", (100, None)),
        ("101", (None, "Replicas must be at most 100.")),
        (HUGE, (None, "Replicas must be at most 100.")),
        ("9" * 5000, (None, "Replicas must be at most 100.")),  # longer than int() accepts
        ("-" + "9" * 5000, (None, "Replicas must be at least 1.")),
    ],
)
def test_replicas_are_capped(text: str, expected: tuple[int | None, str | None]) -> None:
    assert numbers.parse_replicas(text, "Replicas", minimum=1) == expected


def test_create_form_refuses_huge_replicas_and_timeouts_naming_the_bound() -> None:
    form = CreateFormInput(model="m", hardware_id="h", min_replicas=HUGE, max_replicas=HUGE,
                           inactive_timeout="999999999")
    result = logic.validate_create(form, None)
    assert result.value is None
    assert result.errors[MIN_REPLICAS] == "Min replicas must be at most 100."
    assert result.errors[MAX_REPLICAS] == "Max replicas must be at most 100."
    assert result.errors[INACTIVE_TIMEOUT] == "Inactive timeout must be at most 1,440 minutes (a day)."


def test_inactive_timeout_bounds() -> None:
    assert numbers.parse_inactive_timeout("1440") == (1440, None)
    assert numbers.parse_inactive_timeout("1441")[1] == "Inactive timeout must be at most 1,440 minutes (a day)."
    assert numbers.parse_inactive_timeout("") == (None, None)


def test_estimate_never_prices_a_huge_replica_count() -> None:
    line = logic.estimate_line(5.49, "1", HUGE)
    assert line == "Estimate: $5.49/h per replica."


def test_estimate_of_an_endpoint_created_stopped_bills_nothing() -> None:
    assert logic.estimate_line(3.99, "1", "3", start=False) == (
        "Estimate: created stopped: nothing billed until started (then $3.99/h per replica)."
    )
    stopped = "Estimate: created stopped: nothing billed until started."
    assert logic.estimate_line(None, "1", "1", start=False) == stopped


@pytest.mark.parametrize(
    ("text", "context", "expected"),
    [
        ("", 8192, (None, None)),
        ("8192", 8192, (8192, None)),
        ("8193", 8192, (None, "Max tokens must be at most 8,192 (the model's context length).")),
        ("999999999", None, (None, "Max tokens must be at most 131,072.")),
        ("131072", None, (131072, None)),
        ("0", None, (None, "Max tokens must be at least 1.")),
    ],
)
def test_max_tokens_within_the_context(text: str, context: int | None, expected: tuple[int | None, str | None]) -> None:
    assert numbers.parse_max_tokens(text, context) == expected


@pytest.mark.parametrize(
    ("replicas", "hours", "error"),
    [
        (HUGE, "24", "Replicas must be at most 100."),
        ("1", "999", "Hours per day must be between 0 and 24."),
        ("1", "nan", "Hours per day must be between 0 and 24."),
    ],
)
def test_calculator_inputs_are_bounded(replicas: str, hours: str, error: str) -> None:
    assert numbers.parse_calculator(replicas, hours).error == error
