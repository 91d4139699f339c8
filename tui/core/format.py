"""How the app writes money, sizes, counts, times and hardware: one rule each, for every pane and form.

An amount the API sent as NaN, infinite or negative is no amount: it reads as unknown (``?``), never
``$nan``, ``$inf`` or ``-$3.00/h``. Cents are shown under $1,000 and dropped above, where they stop
mattering (``$3.99``, ``$2,913``). Hardware reads as a person names it (``2x H100 SXM``).
"""

from __future__ import annotations

import math
from datetime import timedelta

from tui.api.domain import HardwareOption, gpu_family

UNKNOWN = "?"


def known_count(count: int | None) -> str:
    """A replica count the API did not send reads ``?``, never ``None``."""
    return "?" if count is None else str(count)


def known_amount(value: object) -> float | None:
    """``value`` if it is a usable amount (a finite, non-negative number), else None."""
    if value is None or isinstance(value, bool) or not isinstance(value, int | float):
        return None
    if not math.isfinite(value) or value < 0:
        return None
    return float(value)


def format_money(amount: float | None, *, cents: bool | None = None) -> str:
    """``$3.99`` under $1,000, ``$2,913`` above; ``?`` when unknown. ``cents`` forces either way."""
    if amount is None or isinstance(amount, bool) or not math.isfinite(amount):
        return UNKNOWN
    show_cents = abs(amount) < 1000 if cents is None else cents
    sign = "-" if amount < 0 else ""
    return f"{sign}${abs(amount):,.2f}" if show_cents else f"{sign}${abs(amount):,.0f}"


def format_price(amount: float | None, *, cents: bool | None = None) -> str:
    """A price: like ``format_money``, but a negative one is as unknown as NaN."""
    return format_money(known_amount(amount), cents=cents)


def format_signed_money(amount: float) -> str:
    """A difference: ``+$2.70``, ``-$5.40``."""
    return ("+" if amount >= 0 else "") + format_money(amount)


def format_tokens(count: float | None) -> str:
    """Token counts as people say them: ``850k``, ``12.3M``, ``2.55B``."""
    count = known_amount(count)
    if count is None:
        return UNKNOWN
    for limit, suffix in ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "k")):
        if count >= limit:
            return f"{count / limit:.3g}{suffix}"
    return f"{count:.0f}"


def format_context(length: int | None) -> str:
    """``128k ctx``; empty when unknown (it is a detail, not a figure anybody needs a ``?`` for)."""
    if not length or known_amount(length) is None:
        return ""
    return f"{length // 1024}k ctx" if length >= 1024 else f"{length} ctx"


def format_memory(gigabytes: float | None) -> str:
    gigabytes = known_amount(gigabytes)
    if gigabytes is None:
        return UNKNOWN
    return f"{gigabytes:,.0f} GB" if gigabytes == int(gigabytes) else f"{gigabytes:,.1f} GB"


# Time


def format_age(delta: timedelta) -> str:
    """A compact age for a table cell: ``40s``, ``12m``, ``5h``, ``41d``."""
    seconds = max(0, int(delta.total_seconds()))
    if seconds < 60:
        return f"{seconds}s"
    if seconds < 3600:
        return f"{seconds // 60}m"
    if seconds < 86400:
        return f"{seconds // 3600}h"
    return f"{seconds // 86400}d"


def format_ago(delta: timedelta) -> str:
    """How long ago, for status lines: ``just now``, ``12 s ago``, ``3 min ago``."""
    seconds = delta.total_seconds()
    if seconds < 2:
        return "just now"
    if seconds < 60:
        return f"{int(seconds)} s ago"
    if seconds < 3600:
        return f"{int(seconds // 60)} min ago"
    return f"{int(seconds // 3600)} h ago"


def format_duration(seconds: float) -> str:
    """A duration in whole units, for sentences: ``45 s``, ``3 min 2 s``, ``1 h 5 min``."""
    whole = max(0, round(seconds))
    if whole < 60:
        return f"{whole} s"
    minutes, secs = divmod(whole, 60)
    if minutes < 60:
        return f"{minutes} min {secs} s" if secs else f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes} min" if minutes else f"{hours} h"


def format_timing(seconds: float) -> str:
    """A measured latency, precise where it matters: ``350 ms``, ``2.35 s``, ``1 min 5 s``."""
    if seconds < 1:
        return f"{seconds * 1000:.0f} ms"
    if seconds < 60:
        return f"{seconds:.2f} s"
    minutes, rest = divmod(seconds, 60)
    return f"{int(minutes)} min {rest:.0f} s"


# Hardware


def link_label(link: str | None) -> str:
    """``pcie`` -> ``PCIe``, ``sxm`` -> ``SXM``: the interconnect as NVIDIA writes it."""
    if not link:
        return ""
    return "PCIe" if link.lower() == "pcie" else link.upper()


def gpu_name(option: HardwareOption) -> str:
    """``h100-80gb`` -> ``H100``; ``?`` when the specs are missing."""
    return gpu_family(option.gpu_type) or UNKNOWN


def hardware_label(hardware: HardwareOption | None, hardware_id: str | None = None) -> str:
    """``2x H100 SXM`` from the specs (for table cells); the raw id when the specs are unknown."""
    if hardware is not None and hardware.gpu_type:
        parts = [f"{hardware.gpu_count or UNKNOWN}x", gpu_name(hardware)]
        if hardware.gpu_link:
            parts.append(link_label(hardware.gpu_link))
        return " ".join(parts)
    return hardware_id or (hardware.id if hardware is not None else "")


def hardware_summary(option: HardwareOption) -> str:
    """``2x H100 80 GB SXM``: the configuration with its memory per GPU (for pickers and details)."""
    parts = [f"{option.gpu_count or UNKNOWN}x {gpu_name(option)}"]
    if known_amount(option.gpu_memory_gb) is not None:
        parts.append(format_memory(option.gpu_memory_gb))
    if option.gpu_link:
        parts.append(link_label(option.gpu_link))
    return " ".join(parts)
