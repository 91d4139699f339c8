"""The rows of an account whose endpoints are made of deployments: each endpoint, its deployments beneath.

An endpoint row says its inference name, its routed share and its total $/hour; a deployment row (``├``,
``└``) its model, hardware, state, replicas ready/desired and min-max, traffic weight and share and $/hour;
a legacy v1 endpoint is marked ``v1``. Rows are rebuilt only when something they show changed.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any

from rich.text import Text

from tui.api.domain import Deployment, Endpoint, HardwareOption, Phase
from tui.app.widgets.endpoint_cells import KeyedText, RowView
from tui.app.widgets.state_badge import state_text
from tui.core.costs import deployment_cost, tree_cost
from tui.core.format import format_age, format_price
from tui.core.listing import sort_keys
from tui.core.tree import (
    TreeRow,
    bounds_text,
    endpoint_ready_text,
    ready_text,
    routed_share,
    share_text,
    short_model,
    state_label,
    traffic_text,
)
from tui.core.waits import Expected

ExpectedOf = Callable[[str], Expected | None]


def _cell(text: str, style: str = "", *, justify: Any = "left") -> Text:
    return Text(text, style=style, no_wrap=True, overflow="ellipsis", justify=justify, end="")


def _price(cost: float | None) -> Text:
    if cost is None:
        return _cell("?", "dim", justify="right")
    if cost == 0:
        return _cell(format_price(0.0, cents=True), "dim", justify="right")
    return _cell(format_price(cost, cents=True), "bold", justify="right")


def _state(state: str, phase: Phase, expected: Expected | None, frame: int) -> Text:
    if expected is not None:
        return state_text(state_label(expected.state), expected.phase, frame=frame, expected=True)
    return state_text(state_label(state), phase, frame=frame)


def tree_endpoint_row(endpoint: Endpoint, hardware: Mapping[str, HardwareOption] | None, expected: ExpectedOf,
                      now: datetime, frame: int) -> RowView:
    cost = tree_cost(endpoint, hardware)
    labels = {d.hardware_label or d.hardware for d in endpoint.deployments}
    if len(labels) == 1:
        hardware_cell = _cell(labels.pop())
    else:
        hardware_cell = _cell(f"{len(endpoint.deployments)} deployments" if labels else "none", "dim")
    share = routed_share(endpoint)
    unrouted = share == 0 and any(d.phase is not Phase.STOPPED for d in endpoint.deployments)
    return RowView(
        endpoint.id,
        {
            "name": KeyedText(endpoint.name, endpoint.id, style="bold", no_wrap=True, overflow="ellipsis", end=""),
            "model": _cell(short_model(endpoint.model)),
            "hardware": hardware_cell,
            "state": _state(endpoint.state, endpoint.phase, expected(endpoint.id), frame),
            "ready": _cell(endpoint_ready_text(endpoint), justify="right"),
            "replicas": _cell(bounds_text(endpoint.min_replicas, endpoint.max_replicas), justify="right"),
            "traffic": _cell("unrouted" if unrouted else share_text(share), "bold red" if unrouted else "",
                             justify="right"),
            "cost": _price(cost),
            "age": _cell(format_age(now - endpoint.created_at) if endpoint.created_at else "?", justify="right"),
        },
        sort_keys(endpoint, "", cost),
    )


def deployment_row(row: TreeRow, deployment: Deployment, hardware: Mapping[str, HardwareOption] | None,
                   expected: ExpectedOf, frame: int, parent_keys: Mapping[str, tuple[Any, ...]],
                   order: int) -> RowView:
    branch = "└ " if row.last else "├ "
    name = KeyedText("", deployment.id, no_wrap=True, overflow="ellipsis", end="")
    name.append(branch, style="dim")
    name.append(deployment.title)
    option = hardware.get(deployment.hardware) if hardware is not None else None
    return RowView(
        deployment.id,
        {
            "name": name,
            "model": _cell(short_model(deployment.model)),
            "hardware": _cell(deployment.hardware_label or deployment.hardware or "?"),
            "state": _state(deployment.state, deployment.phase, expected(deployment.id), frame),
            "ready": _cell(ready_text(deployment), justify="right"),
            "replicas": _cell(bounds_text(deployment.min_replicas, deployment.max_replicas), justify="right"),
            "traffic": _cell(traffic_text(deployment), justify="right"),
            "cost": _price(deployment_cost(deployment, option)),
            "age": _cell(""),
        },
        parent_keys,
        parent=row.endpoint.id,
        order=order,
    )


def mark_legacy(view: RowView, endpoint: Endpoint) -> RowView:
    """A v1 endpoint beside v2 ones: its row as today, marked ``v1``, nothing in the v2-only columns."""
    name = KeyedText("", endpoint.id, no_wrap=True, overflow="ellipsis", end="")
    name.append("v1 ", style="bold magenta")
    name.append(endpoint.title)
    cells = dict(view.cells)
    cells.update(name=name, model=_cell(short_model(endpoint.model)), ready=_cell("—", "dim", justify="right"),
                 traffic=_cell("—", "dim", justify="right"))
    return RowView(view.key, cells, view.sort_keys, loading=view.loading)


class TreeRows:
    """Builds (and caches) every row of one endpoint in tree mode."""

    def __init__(self) -> None:
        self._cache: dict[str, tuple[tuple[object, ...], list[RowView]]] = {}
        self._legacy: dict[str, tuple[RowView, RowView]] = {}

    def legacy(self, view: RowView, endpoint: Endpoint) -> RowView:
        cached = self._legacy.get(endpoint.id)
        if cached is not None and cached[0] is view:
            return cached[1]
        marked = mark_legacy(view, endpoint)
        self._legacy[endpoint.id] = (view, marked)
        return marked

    def rows(self, endpoint: Endpoint, shown: Sequence[TreeRow], hardware: Mapping[str, HardwareOption] | None,
             expected: ExpectedOf, now: datetime, frame: int) -> list[RowView]:
        keys = [row.key for row in shown]
        expectations = tuple(expected(key) for key in keys)
        moving = any(e is not None for e in expectations) or endpoint.phase.transitional or any(
            d.phase.transitional for d in endpoint.deployments)
        age = format_age(now - endpoint.created_at) if endpoint.created_at else ""
        cache_key = (endpoint, tuple(keys), expectations, frame if moving else 0, age, hardware is None)
        cached = self._cache.get(endpoint.id)
        if cached is not None and cached[0] == cache_key:
            return cached[1]
        frame = frame if moving else 0
        head = tree_endpoint_row(endpoint, hardware, expected, now, frame)
        views = [head]
        for order, row in enumerate(shown[1:]):
            if row.deployment is not None:
                views.append(deployment_row(row, row.deployment, hardware, expected, frame, head.sort_keys, order))
        self._cache[endpoint.id] = (cache_key, views)
        return views

    def prune(self, present: Mapping[str, object]) -> None:
        for key in [key for key in self._cache if key not in present]:
            del self._cache[key]
        for key in [key for key in self._legacy if key not in present]:
            del self._legacy[key]
