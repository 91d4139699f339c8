"""What starting the chat's endpoint will cost, for the start offer under a prompt that is waiting.

The offer is the confirmation (one key, ``ctrl+g``, accepts it), so it states the price before billing
begins: the hardware's $/hour per replica times the replicas that start, and how high it can scale.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

from tui.api.errors import APIError
from tui.app.endpoint_forms_logic import format_money

if TYPE_CHECKING:
    from tui.api import Provider
    from tui.api.domain import Endpoint


@dataclass(frozen=True, slots=True)
class StartCost:
    """$/hour per replica (None: not known) and the endpoint's replica bounds."""

    per_replica: float | None
    min_replicas: int | None = None
    max_replicas: int | None = None

    @property
    def words(self) -> str:
        """``$3.98/h (2 replicas x $1.99/h; up to $7.96/h at 4)``, or why the price is not known."""
        price = self.per_replica
        if price is None:
            return "$/hour unknown (the hardware's price could not be read)"
        replicas = max(self.min_replicas or 1, 1)
        details = []
        if replicas > 1:
            details.append(f"{replicas} replicas x {format_money(price)}/h")
        if self.max_replicas is not None and self.max_replicas > replicas:
            details.append(f"up to {format_money(price * self.max_replicas)}/h at {self.max_replicas}")
        text = f"{format_money(price * replicas)}/h"
        return f"{text} ({'; '.join(details)})" if details else text


def _usable_price(value: float | None) -> float | None:
    # A price that is not a finite, non-negative number says nothing: "unknown", never "$nan/h".
    if value is None or not math.isfinite(value) or value < 0:
        return None
    return value


async def start_cost(provider: Provider, endpoint: Endpoint) -> StartCost:
    """The price of starting ``endpoint``; asks for the model's hardware, then all hardware."""
    per_replica: float | None = None
    if endpoint.hardware_id:
        try:
            for model in (endpoint.model, None):
                options = await provider.list_hardware(model)
                option = next((o for o in options if o.id == endpoint.hardware_id), None)
                if option is not None:
                    per_replica = _usable_price(option.price_per_hour)
                    break
        except APIError:
            per_replica = None
    return StartCost(per_replica, endpoint.min_replicas, endpoint.max_replicas)
