"""Choosing hardware, without Textual: how availability reads, the orders and filters the Hardware pane
and the create form offer, and what a configuration costs to run against the serverless alternative.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from tui.api.domain import HOURS_PER_MONTH, Availability, DeployOption, HardwareOption, ModelOption
from tui.core.format import gpu_name, hardware_summary

#: 730 h / 24 h: the month the API's prices and the header's burn rate use.
DAYS_PER_MONTH = HOURS_PER_MONTH / 24

#: Share of input tokens assumed when one serverless price has to stand for two (3 in : 1 out).
DEFAULT_INPUT_SHARE = 0.75


@dataclass(frozen=True, slots=True)
class AvailabilityLook:
    glyph: str
    word: str
    #: A class name the stylesheets and Rich styles key on.
    tone: str

    @property
    def text(self) -> str:
        return f"{self.glyph} {self.word}"


def availability_look(option: HardwareOption) -> AvailabilityLook:
    """Every availability gets a glyph and a word, so it reads without colour (16 colours, NO_COLOR)."""
    status = option.availability
    if status is None:
        return AvailabilityLook("·", "ask per model", "none")
    if status is Availability.AVAILABLE:
        return AvailabilityLook("✓", "available", "ok")
    if status is Availability.INSUFFICIENT:
        return AvailabilityLook("⚠", "insufficient", "warn")
    if status is Availability.UNAVAILABLE:
        return AvailabilityLook("✗", "unavailable", "bad")
    return AvailabilityLook("?", (option.availability_raw or "unknown").lower(), "unknown")


# Ordering and filtering hardware

_AVAILABILITY_RANK = {
    Availability.AVAILABLE: 0,
    Availability.INSUFFICIENT: 1,
    None: 2,
    Availability.UNKNOWN: 2,
    Availability.UNAVAILABLE: 3,
}


class HardwareSort(StrEnum):
    """The orders the Hardware pane offers, in the order ``s`` cycles through them."""

    CHEAPEST_AVAILABLE = "cheapest available"
    PRICE = "price"
    MEMORY = "total memory"
    GPU = "GPU"
    COUNT = "GPU count"
    ID = "id"


def _price_key(option: HardwareOption) -> tuple[bool, float]:
    return (option.price_per_hour is None, option.price_per_hour or 0.0)


def sort_key(order: HardwareSort) -> Callable[[HardwareOption], tuple[Any, ...]]:
    def key(option: HardwareOption) -> tuple[Any, ...]:
        if order is HardwareSort.CHEAPEST_AVAILABLE:
            return (_AVAILABILITY_RANK.get(option.availability, 2), *_price_key(option), option.id)
        if order is HardwareSort.PRICE:
            return (*_price_key(option), option.id)
        if order is HardwareSort.MEMORY:
            return (option.total_memory_gb or 0.0, *_price_key(option), option.id)
        if order is HardwareSort.GPU:
            return (gpu_name(option), option.gpu_count or 0, option.id)
        if order is HardwareSort.COUNT:
            return (option.gpu_count or 0, *_price_key(option), option.id)
        return (option.id,)

    return key


def sort_hardware(
    options: Iterable[HardwareOption], order: HardwareSort = HardwareSort.PRICE, *, reverse: bool = False
) -> list[HardwareOption]:
    return sorted(options, key=sort_key(order), reverse=reverse)


def cheapest_available_first(options: Iterable[HardwareOption]) -> list[HardwareOption]:
    """Available, then insufficient, then unknown, then unavailable; cheapest first within each."""
    return sort_hardware(options, HardwareSort.CHEAPEST_AVAILABLE)


def hardware_haystack(option: HardwareOption) -> str:
    look = availability_look(option)
    return " ".join(
        part
        for part in (option.id, option.label or "", hardware_summary(option), option.gpu_type or "", look.word,
                     *option.regions)
        if part
    ).lower()


def filter_hardware(
    options: Iterable[HardwareOption], query: str = "", *, hide_unavailable: bool = False
) -> list[HardwareOption]:
    """Every word of ``query`` must appear (id, GPU, memory, link or availability); order is kept."""
    words = query.lower().split()
    kept = []
    for option in options:
        if hide_unavailable and option.availability is Availability.UNAVAILABLE:
            continue
        haystack = hardware_haystack(option)
        if all(word in haystack for word in words):
            kept.append(option)
    return kept


def profile_rows(options: Iterable[DeployOption], instances: Iterable[HardwareOption] = ()) -> list[HardwareOption]:
    """A model's deploy profiles as rows of the hardware table: keyed by the option's id, named by its hardware
    and engine (``1x H100 80GB · fp8 · tp1``), memory from the instance type of the same GPU and count."""
    by_shape = {((i.gpu_type or "").upper(), i.gpu_count): i for i in instances}
    rows = []
    for option in options:
        instance = by_shape.get(((option.gpu_type or "").upper(), option.gpu_count))
        engine = " · ".join(part for part in (option.quantization, option.parallelism) if part)
        rows.append(
            HardwareOption(
                id=option.id,
                gpu_type=option.gpu_type,
                gpu_count=option.gpu_count,
                gpu_memory_gb=instance.gpu_memory_gb if instance is not None else None,
                gpu_link=None,
                price_per_hour=option.dollars_per_hour,
                availability=option.availability,
                regions=option.regions,
                label=option.hardware_label + (f" · {engine}" if engine else ""),
                price_from_api=option.price_from_api,
            )
        )
    return rows


# Cost arithmetic


@dataclass(frozen=True, slots=True)
class RunningCost:
    per_hour: float
    per_day: float
    per_month: float


def running_cost(price_per_hour: float, replicas: int, hours_per_day: float) -> RunningCost:
    per_hour = price_per_hour * replicas
    per_day = per_hour * hours_per_day
    return RunningCost(per_hour=per_hour, per_day=per_day, per_month=per_day * DAYS_PER_MONTH)


def blended_price_per_million(model: ModelOption, input_share: float = DEFAULT_INPUT_SHARE) -> float | None:
    """One serverless $/1M-token figure for a mix of input and output; None when unpriced."""
    if model.input_price_per_m is None and model.output_price_per_m is None:
        return None
    # A model priced on one side only (embeddings: input) costs that on every token.
    input_price = model.input_price_per_m if model.input_price_per_m is not None else model.output_price_per_m
    output_price = model.output_price_per_m if model.output_price_per_m is not None else input_price
    assert input_price is not None and output_price is not None
    return input_share * input_price + (1 - input_share) * output_price


def serverless_cost_per_day(
    model: ModelOption, tokens_per_day: float, input_share: float = DEFAULT_INPUT_SHARE
) -> float | None:
    price = blended_price_per_million(model, input_share)
    return None if price is None else tokens_per_day / 1e6 * price


def break_even_tokens_per_day(
    dedicated_per_day: float, model: ModelOption, input_share: float = DEFAULT_INPUT_SHARE
) -> float | None:
    """Tokens a day above which the dedicated endpoint costs less than the serverless model."""
    price = blended_price_per_million(model, input_share)
    if price is None or price <= 0:
        return None
    return dedicated_per_day / price * 1e6
