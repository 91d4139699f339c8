"""What endpoints cost, and how to say it without ever being confidently wrong.

A price the API sent as NaN, infinite or negative is no price: it reads as unknown (``?``), never
``$nan`` or ``-$3.00/h``. A sum with unknown parts says so (``$5.40/h + ?``) rather than reading as a
confident total, since an endpoint whose rate is unknown may well be billing. Rates keep their cents
(``$3,326.69/day``): a burn is read to the cent and compared from one poll to the next.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from tui.api.domain import Endpoint, HardwareOption, Phase
from tui.core.format import format_price, known_amount


def price_per_hour(hardware: HardwareOption | None) -> float | None:
    """One replica's price, when the hardware list gave a usable one."""
    return None if hardware is None else known_amount(hardware.price_per_hour)


def running_replicas(endpoint: Endpoint) -> int | None:
    """Replicas billed now: min_replicas while STARTED, none when not running, unknown otherwise."""
    if endpoint.phase is Phase.READY:
        return endpoint.min_replicas
    if endpoint.phase is Phase.UNKNOWN:
        return None
    return 0


def hourly_cost(endpoint: Endpoint, hardware: HardwareOption | None) -> float | None:
    """US dollars per hour this endpoint costs now; None when it cannot be known (yet)."""
    if not endpoint.dedicated:
        return None
    replicas = running_replicas(endpoint)
    if replicas == 0:
        return 0.0
    price = price_per_hour(hardware)
    if replicas is None or price is None:
        return None
    return price * replicas


def cost_at_max(endpoint: Endpoint, hardware: HardwareOption | None) -> float | None:
    price = price_per_hour(hardware)
    if price is None or endpoint.max_replicas is None:
        return None
    return price * endpoint.max_replicas


def cost_once_started(endpoint: Endpoint, hardware: HardwareOption | None) -> float | None:
    """What starting this endpoint will bill per hour: its minimum replicas at the hardware's price."""
    price = price_per_hour(hardware)
    if price is None or endpoint.min_replicas is None:
        return None
    return price * endpoint.min_replicas


@dataclass(frozen=True)
class Burn:
    """The account's spend per hour: what is known, and how many endpoints may add to it unseen."""

    known: float = 0.0
    #: Dedicated endpoints that are (or may be) running at a rate this app cannot tell.
    unknown: int = 0

    @property
    def certain(self) -> bool:
        return self.unknown == 0

    def per_hour(self) -> str:
        return self._say(self.known, "/h")

    def per_day(self) -> str:
        return self._say(self.known * 24, "/day")

    def _say(self, amount: float, unit: str) -> str:
        if self.certain:
            return f"{format_price(amount, cents=True)}{unit}"
        if amount == 0:
            return f"?{unit}"
        return f"{format_price(amount, cents=True)}{unit} + ?"


def burn_per_hour(endpoints: Iterable[Endpoint], hardware: Mapping[str, HardwareOption] | None) -> Burn:
    """The total of every STARTED dedicated endpoint. An endpoint that may be billing at a rate not
    known (no hardware list, no price, an unknown state) is counted as unknown, never as $0."""
    known = 0.0
    unknown = 0
    for endpoint in endpoints:
        if not endpoint.dedicated:
            continue
        replicas = running_replicas(endpoint)
        if replicas == 0:
            continue
        option = hardware.get(endpoint.hardware_id) if hardware is not None and endpoint.hardware_id else None
        cost = hourly_cost(endpoint, option)
        if cost is None:
            unknown += 1
        else:
            known += cost
    return Burn(known, unknown)
