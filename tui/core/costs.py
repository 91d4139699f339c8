"""What endpoints cost, and how to say it without ever being confidently wrong.

A price the API sent as NaN, infinite or negative is no price: it reads as unknown (``?``), never
``$nan`` or ``-$3.00/h``. A sum with unknown parts says so (``$5.40/h + ?``) rather than reading as a
confident total, since an endpoint whose rate is unknown may well be billing. Rates keep their cents
(``$3,326.69/day``): a burn is read to the cent and compared from one poll to the next.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from tui.api.domain import Deployment, Endpoint, HardwareOption, Phase
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


def deployment_cost(deployment: Deployment, hardware: HardwareOption | None = None) -> float | None:
    """What a deployment bills now: the provider's figure, else its replicas at the hardware's price."""
    if (known := known_amount(deployment.dollars_per_hour)) is not None:
        return known
    if deployment.phase is Phase.STOPPED:
        return 0.0
    replicas = deployment.ready_replicas if deployment.ready_replicas is not None else deployment.desired_replicas
    price = price_per_hour(hardware)
    if replicas is None or price is None:
        return None
    return price * replicas


def deployment_range(deployment: Deployment, price: float | None, bounds: tuple[int, int] | None = None
                     ) -> tuple[float, float] | None:
    """($/hour at the minimum, at the maximum) of these bounds (the deployment's own unless given)."""
    minimum, maximum = bounds or (deployment.min_replicas, deployment.max_replicas)
    if price is None or minimum is None or maximum is None:
        return None
    return price * minimum, price * maximum


def is_tree(endpoint: Endpoint) -> bool:
    """An endpoint made of deployments (v2): its cost is theirs."""
    return endpoint.api == "v2" or bool(endpoint.deployments)


def tree_cost(endpoint: Endpoint, hardware: Mapping[str, HardwareOption] | None = None) -> float | None:
    """The sum of the deployments' costs; None when any one of them is unknown (a sum must not look certain)."""
    total = 0.0
    for deployment in endpoint.deployments:
        option = hardware.get(deployment.hardware) if hardware is not None else None
        cost = deployment_cost(deployment, option)
        if cost is None:
            return None
        total += cost
    return total


def hourly_cost(endpoint: Endpoint, hardware: HardwareOption | None) -> float | None:
    """US dollars per hour this endpoint costs now; None when it cannot be known (yet)."""
    if not endpoint.dedicated:
        return None
    if is_tree(endpoint):
        return tree_cost(endpoint, {hardware.id: hardware} if hardware is not None else None)
    replicas = running_replicas(endpoint)
    if replicas == 0:
        return 0.0
    price = price_per_hour(hardware)
    if replicas is None or price is None:
        return None
    return price * replicas


def cost_at_max(endpoint: Endpoint, hardware: HardwareOption | None) -> float | None:
    if is_tree(endpoint):
        return _tree_bound(endpoint, hardware, maximum=True)
    price = price_per_hour(hardware)
    if price is None or endpoint.max_replicas is None:
        return None
    return price * endpoint.max_replicas


def cost_once_started(endpoint: Endpoint, hardware: HardwareOption | None) -> float | None:
    """What starting this endpoint will bill per hour: its minimum replicas at the hardware's price."""
    if is_tree(endpoint):
        return _tree_bound(endpoint, hardware, maximum=False)
    price = price_per_hour(hardware)
    if price is None or endpoint.min_replicas is None:
        return None
    return price * endpoint.min_replicas


def _tree_bound(endpoint: Endpoint, hardware: HardwareOption | None, *, maximum: bool) -> float | None:
    total = 0.0
    for deployment in endpoint.deployments:
        option = hardware if hardware is not None and hardware.id == deployment.hardware else None
        price = price_per_hour(option) if option is not None else _price_from(deployment)
        replicas = deployment.max_replicas if maximum else deployment.min_replicas
        if price is None or replicas is None:
            return None
        total += price * replicas
    return total


def _price_from(deployment: Deployment) -> float | None:
    """One replica's price from what the deployment bills now, when replicas run."""
    cost = known_amount(deployment.dollars_per_hour)
    replicas = deployment.ready_replicas if deployment.ready_replicas is not None else deployment.desired_replicas
    if cost is None or not replicas:
        return None
    return cost / replicas


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
        share = burn_share(endpoint, hardware)
        if share is None:
            unknown += 1
        else:
            known += share
    return Burn(known, unknown)


def burn_share(endpoint: Endpoint, hardware: Mapping[str, HardwareOption] | None) -> float | None:
    """What one endpoint adds to the burn per hour: 0 when it bills nothing, None when it may bill unknown."""
    if not endpoint.dedicated:
        return 0.0
    if is_tree(endpoint):
        # DEGRADED and SCALING bill too: a deployment's own figure says what runs.
        return tree_cost(endpoint, hardware)
    replicas = running_replicas(endpoint)
    if replicas == 0:
        return 0.0
    option = hardware.get(endpoint.hardware_id) if hardware is not None and endpoint.hardware_id else None
    return hourly_cost(endpoint, option)


class BurnTally:
    """``burn_per_hour`` for a view that shows it on every paint: worked out again only after ``changed()``,
    and then each endpoint's share only when the endpoint is another object than last time (a v1
    endpoint's share by what it depends on, shared by the many endpoints alike). 5,000 endpoints added
    up from scratch took 18 ms on this machine; a paint of the header has a frame's budget."""

    def __init__(self) -> None:
        self._shares: dict[str, tuple[Endpoint, float | None]] = {}
        self._by_facts: dict[tuple[object, ...], float | None] = {}
        self._hardware: Mapping[str, HardwareOption] | None = None
        self._burn: Burn | None = None

    def changed(self) -> None:
        self._burn = None

    def burn(self, endpoints: Mapping[str, Endpoint], hardware: Mapping[str, HardwareOption] | None) -> Burn:
        if hardware != self._hardware:
            self._hardware = hardware
            self._shares.clear()
            self._by_facts.clear()
            self._burn = None
        if self._burn is not None:
            return self._burn
        shares, by_facts = self._shares, self._by_facts
        known = 0.0
        unknown = 0
        for endpoint_id, endpoint in endpoints.items():
            seen = shares.get(endpoint_id)
            if seen is not None and seen[0] is endpoint:
                share = seen[1]
            else:
                if is_tree(endpoint):
                    share = burn_share(endpoint, hardware)
                else:
                    facts = (endpoint.kind, endpoint.phase, endpoint.min_replicas, endpoint.hardware_id)
                    if facts in by_facts:
                        share = by_facts[facts]
                    else:
                        share = by_facts[facts] = burn_share(endpoint, hardware)
                shares[endpoint_id] = (endpoint, share)
            if share is None:
                unknown += 1
            else:
                known += share
        if len(shares) > len(endpoints):
            for gone in [key for key in shares if key not in endpoints]:
                del shares[gone]
        self._burn = Burn(known, unknown)
        return self._burn
