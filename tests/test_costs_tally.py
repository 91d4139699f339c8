"""The header's burn kept between paints (``BurnTally``) says what ``burn_per_hour`` says, after every change."""

from __future__ import annotations

from dataclasses import replace

from fakes import H100, endpoint

from tui.api.domain import Deployment, Endpoint, HardwareOption, Phase
from tui.core.costs import Burn, BurnTally, burn_per_hour

A100 = HardwareOption("1x_nvidia_a100_80gb_sxm", "a100-80gb", 1, 80, "sxm", price_per_hour=2.5)
PRICES = {H100.id: H100, A100.id: A100}


def account() -> dict[str, Endpoint]:
    rows = [endpoint(f"ep-{i}", Phase.READY if i % 3 else Phase.STOPPED, hardware_id=(H100 if i % 2 else A100).id,
                     min_replicas=1 + i % 2, max_replicas=3) for i in range(12)]
    rows.append(endpoint("ep-unknown", Phase.UNKNOWN, hardware_id=H100.id, min_replicas=1, max_replicas=1))
    rows.append(endpoint("ep-serverless", Phase.READY, kind="serverless"))
    tree = endpoint("ep-tree", Phase.READY, api="v2", deployments=(
        Deployment("dep-1", "me/ep-tree/dep-1", "m", H100.id, "Ready", Phase.READY, ready_replicas=2),
        Deployment("dep-2", "me/ep-tree/dep-2", "m", A100.id, "Stopped", Phase.STOPPED),
    ))
    rows.append(tree)
    return {row.id: row for row in rows}


def told(tally: BurnTally, endpoints: dict[str, Endpoint], prices: dict[str, HardwareOption] | None) -> Burn:
    tally.changed()
    return tally.burn(endpoints, prices)


def test_the_tally_adds_up_what_burn_per_hour_does_through_every_kind_of_change() -> None:
    endpoints = account()
    tally = BurnTally()
    assert told(tally, endpoints, PRICES) == burn_per_hour(endpoints.values(), PRICES)
    assert tally.burn(endpoints, PRICES).known > 0 and tally.burn(endpoints, PRICES).unknown == 1
    # A state change (a new object for that endpoint), one gone, one new, the prices unknown, then back.
    endpoints["ep-1"] = replace(endpoints["ep-1"], phase=Phase.STOPPED, state="STOPPED")
    assert told(tally, endpoints, PRICES) == burn_per_hour(endpoints.values(), PRICES)
    del endpoints["ep-2"]
    endpoints["ep-new"] = endpoint("ep-new", Phase.READY, hardware_id=A100.id, min_replicas=4, max_replicas=4)
    assert told(tally, endpoints, PRICES) == burn_per_hour(endpoints.values(), PRICES)
    assert told(tally, endpoints, None) == burn_per_hour(endpoints.values(), None)
    cheaper = {H100.id: replace(H100, price_per_hour=1.0), A100.id: A100}
    assert told(tally, endpoints, cheaper) == burn_per_hour(endpoints.values(), cheaper)
    # Every endpoint a new object alike (a poll's list): the same sum again.
    fresh = {key: replace(row) for key, row in endpoints.items()}
    assert told(tally, fresh, cheaper) == burn_per_hour(fresh.values(), cheaper)


def test_the_tally_adds_up_again_only_once_told_of_a_change() -> None:
    endpoints = account()
    tally = BurnTally()
    before = told(tally, endpoints, PRICES)
    endpoints["ep-1"] = replace(endpoints["ep-1"], min_replicas=9)
    # Between two store events a paint reuses the sum: the store tells its views of every change.
    assert tally.burn(endpoints, PRICES) is before
    after = told(tally, endpoints, PRICES)
    assert after == burn_per_hour(endpoints.values(), PRICES) and after != before
    # New prices are a change of their own, told or not.
    assert tally.burn(endpoints, None) == burn_per_hour(endpoints.values(), None)
