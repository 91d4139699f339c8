"""Numbers typed into forms, and the bounds they must stay within.

Every number a person types that ends up in a request, or in a cost, has an upper bound as well as a
lower one, and the message names it: ``99999999999999999999`` replicas is a typo, never a request for
$549,000,000,000,000,000,000 an hour. The bounds come from the API where it states one (a model's
context length) and are otherwise generous caps no real use comes near.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

#: Replicas per endpoint: far above any account's GPU quota, far below a typo's value.
MAX_REPLICAS_CAP = 100
#: A day, in minutes: an idle endpoint kept longer than that is better switched off (0 = never).
MAX_INACTIVE_TIMEOUT_MINUTES = 1440
#: Max tokens when the model's context length is not known.
MAX_TOKENS_CAP = 131_072
HOURS_PER_DAY = 24


def parse_whole_number(
    text: str, label: str, *, minimum: int = 0, maximum: int | None = None, unit: str = ""
) -> tuple[int | None, str | None]:
    """An integer within [``minimum``, ``maximum``], or the message that says what is wrong with ``text``."""
    stripped = text.strip()
    if not stripped:
        return None, f"{label} is required."
    if not re.fullmatch(r"[+-]?\d+", stripped):
        return None, f"{label} must be a whole number."
    # A digit string this long is over every bound; int() on it would be slow as well as pointless.
    value: float = int(stripped) if len(stripped) <= 30 else -math.inf if stripped[0] == "-" else math.inf
    if value < minimum:
        if minimum == 0:
            return None, f"{label} cannot be negative."
        return None, f"{label} must be at least {minimum}."
    if maximum is not None and value > maximum:
        suffix = f" {unit}" if unit else ""
        return None, f"{label} must be at most {maximum:,}{suffix}."
    return int(value), None


def parse_replicas(text: str, label: str, *, minimum: int) -> tuple[int | None, str | None]:
    return parse_whole_number(text, label, minimum=minimum, maximum=MAX_REPLICAS_CAP)


def parse_inactive_timeout(text: str) -> tuple[int | None, str | None]:
    """Empty -> None (not sent); otherwise minutes in [0, a day] where 0 switches auto-stop off."""
    if not text.strip():
        return None, None
    return parse_whole_number(
        text, "Inactive timeout", minimum=0, maximum=MAX_INACTIVE_TIMEOUT_MINUTES, unit="minutes (a day)"
    )


def describe_inactive_timeout(text: str, *, empty_means: str) -> str:
    """What the timeout as typed will do, so empty and 0 never look alike."""
    if not text.strip():
        return empty_means
    minutes, error = parse_inactive_timeout(text)
    if error is not None or minutes is None:
        return f"Whole minutes up to {MAX_INACTIVE_TIMEOUT_MINUTES:,}: 0 switches auto-stop off."
    if minutes == 0:
        return "0 = never auto-stop: billed until you stop it."
    hours = f" ({minutes / 60:g} h)" if minutes >= 60 else ""
    return f"Stops after {minutes} idle minute{'s' if minutes != 1 else ''}{hours}."


def max_tokens_limit(context_length: int | None) -> int:
    """The largest ``max_tokens`` worth sending: the model's context when known, else a cap."""
    return context_length if context_length and context_length > 0 else MAX_TOKENS_CAP


def parse_max_tokens(text: str, context_length: int | None) -> tuple[int | None, str | None]:
    """Empty -> None (the service's default); otherwise 1 up to the model's context length."""
    if not text.strip():
        return None, None
    limit = max_tokens_limit(context_length)
    value, error = parse_whole_number(text, "Max tokens", minimum=1, maximum=limit)
    if error is not None and context_length and "at most" in error:
        error = f"Max tokens must be at most {limit:,} (the model's context length)."
    return value, error


@dataclass(frozen=True, slots=True)
class CalculatorInput:
    replicas: int | None
    hours_per_day: float | None
    error: str | None = None


def parse_calculator(replicas_text: str, hours_text: str) -> CalculatorInput:
    replicas, replicas_error = parse_replicas(replicas_text, "Replicas", minimum=1)
    hours: float | None = None
    hours_error: str | None = None
    text = hours_text.strip()
    if not text:
        hours_error = "Hours per day is required."
    else:
        try:
            hours = float(text)
        except ValueError:
            hours_error = "Hours per day must be a number."
        else:
            if not 0 <= hours <= HOURS_PER_DAY:  # also refuses NaN
                hours, hours_error = None, f"Hours per day must be between 0 and {HOURS_PER_DAY}."
    return CalculatorInput(replicas, hours, replicas_error or hours_error)
