"""One rule for each way the app writes a figure."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tui.api.domain import HardwareOption
from tui.core import format as fmt


@pytest.mark.parametrize(
    ("amount", "text"),
    [(3.99, "$3.99"), (0, "$0.00"), (999.994, "$999.99"), (2913.4, "$2,913"), (-5.4, "-$5.40"),
     (None, "?"), (float("nan"), "?"), (float("inf"), "?")],
)
def test_money(amount: float | None, text: str) -> None:
    assert fmt.format_money(amount) == text


def test_a_negative_or_broken_price_is_unknown_but_a_negative_difference_is_not() -> None:
    assert fmt.format_price(-3.0) == fmt.format_price(float("nan")) == "?"
    assert fmt.format_price(5.4) == "$5.40"
    assert fmt.format_signed_money(-5.4) == "-$5.40" and fmt.format_signed_money(2.7) == "+$2.70"
    assert fmt.format_money(1234.5, cents=True) == "$1,234.50"


def test_counts_and_sizes() -> None:
    assert [fmt.format_tokens(n) for n in (850, 850_000, 12_300_000, None, float("nan"))] == [
        "850", "850k", "12.3M", "?", "?"]
    assert fmt.format_context(131072) == "128k ctx" and fmt.format_context(None) == ""
    assert fmt.format_memory(80) == "80 GB" and fmt.format_memory(float("inf")) == "?"


def test_times() -> None:
    assert [fmt.format_age(timedelta(seconds=s)) for s in (40, 720, 18000, 41 * 86400, -5)] == [
        "40s", "12m", "5h", "41d", "0s"]
    assert fmt.format_ago(timedelta(seconds=1)) == "just now"
    assert fmt.format_ago(timedelta(seconds=200)) == "3 min ago"
    assert fmt.format_duration(182) == "3 min 2 s" and fmt.format_duration(3900) == "1 h 5 min"
    assert fmt.format_timing(0.35) == "350 ms" and fmt.format_timing(2.345) == "2.35 s"


def test_one_hardware_label_rule() -> None:
    pcie = HardwareOption("2x_h100_pcie", "h100-80gb", 2, 80, "pcie", 10.8)
    sxm = HardwareOption("1x_a100", "a100-80gb", 1, 80, "sxm", 2.4)
    assert fmt.hardware_label(pcie) == "2x H100 PCIe"
    assert fmt.hardware_summary(pcie) == "2x H100 80 GB PCIe"
    assert fmt.hardware_label(sxm) == "1x A100 SXM"
    assert fmt.hardware_label(None, "raw_id") == "raw_id"
    broken = HardwareOption("x", "h100-80gb", None, float("nan"), None, None)
    assert fmt.hardware_summary(broken) == "?x H100"
