"""How the endpoint table filters, sorts and fits its columns to the terminal, with no widget in it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from tui.api.domain import Deployment, Endpoint, Phase


def filter_terms(text: str) -> list[str]:
    return text.lower().split()


def matches(endpoint: Endpoint, hardware_text: str, terms: Sequence[str]) -> bool:
    """Every term must appear in the name, model, hardware, state or id (case-insensitive)."""
    if not terms:
        return True
    haystack = " ".join(
        (
            endpoint.title,
            endpoint.name,
            endpoint.model,
            endpoint.hardware_id or "",
            hardware_text,
            endpoint.state,
            endpoint.id,
        )
    ).lower()
    return all(term in haystack for term in terms)


def deployment_matches(deployment: Deployment, terms: Sequence[str], *, state_label: str = "") -> bool:
    """As ``matches``, over a deployment's own words (a matching deployment shows with its endpoint)."""
    if not terms:
        return True
    haystack = " ".join(
        (deployment.name, deployment.model, deployment.hardware, deployment.hardware_label or "",
         deployment.state, state_label, deployment.id)
    ).lower()
    return all(term in haystack for term in terms)


#: The order states sort in: what needs attention first.
STATE_RANK = {
    Phase.FAILED: 0,
    Phase.UNKNOWN: 1,
    Phase.PENDING: 2,
    Phase.STARTING: 3,
    Phase.STOPPING: 4,
    Phase.READY: 5,
    Phase.STOPPED: 6,
    Phase.DEGRADED: 0,
    Phase.SCALING: 4,
    Phase.UPDATING: 4,
}


def sort_keys(endpoint: Endpoint, hardware_text: str, cost: float | None) -> dict[str, tuple[Any, ...]]:
    """One comparable key per column; ties fall back to the name, then the id, so order is stable."""
    tie = (endpoint.title.lower(), endpoint.id)
    created = endpoint.created_at.timestamp() if endpoint.created_at else 0.0
    return {
        "name": tie,
        "model": (endpoint.model.lower(), *tie),
        "hardware": (hardware_text.lower(), *tie),
        "replicas": (endpoint.min_replicas or 0, endpoint.max_replicas or 0, *tie),
        "ready": (sum(d.ready_replicas or 0 for d in endpoint.deployments), *tie),
        "traffic": (sum(d.estimated_share or 0.0 for d in endpoint.deployments), *tie),
        "state": (STATE_RANK.get(endpoint.phase, 1), endpoint.state, *tie),
        "cost": (-1.0 if cost is None else cost, *tie),
        # Youngest first when ascending: age grows as creation time shrinks.
        "age": (-created, *tie),
    }


# Column layout


@dataclass(frozen=True)
class ColumnSpec:
    key: str
    label: str
    width: int
    max_width: int | None = None

    @property
    def flexible(self) -> bool:
        return self.max_width is not None


# Widths leave room for the sort arrow (``Age ▲``), so a sorted header never reads ``Age…``.
COLUMNS: tuple[ColumnSpec, ...] = (
    ColumnSpec("name", "Name", 14, max_width=36),
    ColumnSpec("model", "Model", 12, max_width=44),
    ColumnSpec("hardware", "Hardware", 12),
    # Min-max, not "Repl 1/1", which reads like ready/desired.
    ColumnSpec("replicas", "Min-max", 9),
    ColumnSpec("state", "State", 11),
    ColumnSpec("cost", "$/hour", 9),
    ColumnSpec("age", "Age", 5),
)
#: An account whose endpoints are made of deployments: their replicas ready/desired and traffic too.
TREE_COLUMNS: tuple[ColumnSpec, ...] = (
    ColumnSpec("name", "Name", 16, max_width=44),
    ColumnSpec("model", "Model", 12, max_width=40),
    ColumnSpec("hardware", "Hardware", 13),
    ColumnSpec("state", "State", 15),
    ColumnSpec("ready", "Ready", 7),
    ColumnSpec("replicas", "Min-max", 9),
    ColumnSpec("traffic", "Traffic", 10),
    ColumnSpec("cost", "$/hour", 9),
    ColumnSpec("age", "Age", 5),
)
COLUMNS_BY_KEY = {spec.key: spec for spec in TREE_COLUMNS} | {spec.key: spec for spec in COLUMNS}
#: Which columns survive as the terminal narrows, most essential first.
COLUMN_PRIORITY = ("name", "state", "cost", "model", "hardware", "replicas", "age")
ESSENTIAL = frozenset({"state", "cost"})
MIN_NAME_WIDTH = 8
TREE_PRIORITY = ("name", "state", "cost", "ready", "model", "hardware", "traffic", "replicas", "age")


def plan_columns(width: int, *, padding: int = 1, tree: bool = False) -> dict[str, int]:
    """Column widths (in table order) that fit ``width`` cells, dropping the least essential first."""
    columns = TREE_COLUMNS if tree else COLUMNS
    by_key = {spec.key: spec for spec in columns}
    chosen: dict[str, int] = {}
    used = 0
    for key in TREE_PRIORITY if tree else COLUMN_PRIORITY:
        need = by_key[key].width + 2 * padding
        if chosen and used + need > width:
            # State and price are never dropped while the name can give up room for them.
            short = used + need - width
            if key in ESSENTIAL and chosen["name"] - short >= MIN_NAME_WIDTH:
                chosen["name"] -= short
                used -= short
            else:
                break
        chosen[key] = by_key[key].width
        used += need
    spare = max(0, width - used)
    flexible = [key for key in ("name", "model") if key in chosen]
    # Share the spare room between the name and the model, then give what one cannot take to the other.
    for index, key in enumerate(flexible):
        share = spare // (len(flexible) - index) if index < len(flexible) - 1 else spare
        grow = _grow(chosen, by_key[key], share)
        spare -= grow
    for key in flexible:
        spare -= _grow(chosen, by_key[key], spare)
    return {spec.key: chosen[spec.key] for spec in columns if spec.key in chosen}


def _grow(chosen: dict[str, int], spec: ColumnSpec, room: int) -> int:
    key = spec.key
    limit = spec.max_width or chosen[key]
    grow = max(0, min(room, limit - chosen[key]))
    chosen[key] += grow
    return grow
