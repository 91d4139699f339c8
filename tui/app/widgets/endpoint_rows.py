"""What the Endpoints pane's table and title line say, built from the store's endpoints.

Most polls change no row, and a table of hundreds of rows is rebuilt on each one: a row is built again
only when something it shows changed (the endpoint, its hardware, cost, age, expected state or spinner
frame), and each hardware label is worked out once.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from rich.text import Text

from tui.api.domain import TRANSITIONAL_PHASES, Endpoint, HardwareOption, Phase
from tui.app.widgets.endpoint_cells import KeyedText, RowView
from tui.app.widgets.state_badge import state_text
from tui.core.costs import hourly_cost
from tui.core.format import format_age, format_price, hardware_label
from tui.core.listing import COLUMNS_BY_KEY, sort_keys
from tui.core.waits import Expected

#: Cells alike are one object: most cells of a large account repeat (a model, "…" while loading, "1-2"),
#: and a first fill of 5,000 rows spent a third of its time making Texts. Nothing changes a cell once
#: made (the table fits a copy), so sharing one is safe.
_CELLS: dict[tuple[str, str, str], Text] = {}
CELLS_KEPT = 4096


def _cell(text: str, style: str = "", *, justify: Any = "left") -> Text:
    key = (text, style, justify)
    cell = _CELLS.get(key)
    if cell is None:
        if len(_CELLS) >= CELLS_KEPT:
            _CELLS.clear()
        cell = _CELLS[key] = Text(text, style=style, no_wrap=True, overflow="ellipsis", justify=justify, end="")
    return cell


_STATES: dict[tuple[str, Phase, int, bool], Text] = {}


def _state_cell(state: str, phase: Phase, frame: int, expected: bool) -> Text:
    key = (state, phase, frame, expected)
    cell = _STATES.get(key)
    if cell is None:
        if len(_STATES) >= CELLS_KEPT:
            _STATES.clear()
        cell = _STATES[key] = state_text(state, phase, frame=frame, expected=expected)
    return cell


def endpoint_row(
    endpoint: Endpoint,
    *,
    hardware_text: str,
    cost: float | None,
    now: datetime,
    sort_keys: Mapping[str, tuple[Any, ...]],
    frame: int = 0,
    expected: Expected | None = None,
) -> RowView:
    dedicated = endpoint.dedicated
    loading = dedicated and not endpoint.detailed
    name = KeyedText(endpoint.title, endpoint.id, no_wrap=True, overflow="ellipsis", end="")
    if not dedicated:
        hardware = _cell("serverless", "dim")
    elif hardware_text:
        hardware = _cell(hardware_text)
    else:
        hardware = _cell("…" if loading else "?", "dim")
    if endpoint.min_replicas is not None and endpoint.max_replicas is not None:
        replicas = _cell(f"{endpoint.min_replicas}-{endpoint.max_replicas}", justify="right")
    else:
        replicas = _cell("…" if loading else "—", "dim", justify="right")
    if expected is not None:
        state = _state_cell(expected.state, expected.phase, frame, True)
    else:
        state = _state_cell(endpoint.state, endpoint.phase, frame, False)
    if cost is None:
        price = _cell("…" if loading else ("—" if not dedicated else "?"), "dim", justify="right")
    elif cost == 0:
        price = _cell(format_price(0.0, cents=True), "dim", justify="right")
    else:
        price = _cell(format_price(cost, cents=True), "bold", justify="right")
    age = _cell(format_age(now - endpoint.created_at) if endpoint.created_at else "?", justify="right")
    return RowView(
        endpoint.id,
        {
            "name": name,
            "model": _cell(endpoint.model),
            "hardware": hardware,
            "replicas": replicas,
            "state": state,
            "cost": price,
            "age": age,
        },
        sort_keys,
        loading=loading,
    )


class EndpointRows:
    def __init__(self) -> None:
        self._rows: dict[str, tuple[tuple[object, ...], RowView]] = {}
        self._labels: dict[tuple[str | None, HardwareOption | None], str] = {}

    def hardware_text(self, endpoint: Endpoint, hardware: HardwareOption | None) -> str:
        key = (endpoint.hardware_id, hardware)
        text = self._labels.get(key)
        if text is None:
            text = self._labels[key] = hardware_label(hardware, endpoint.hardware_id)
        return text

    def row(
        self, endpoint: Endpoint, hardware: HardwareOption | None, expected: Expected | None, now: datetime,
        frame: int,
    ) -> tuple[RowView, str]:
        """The row and its hardware label (which the filter matches on)."""
        hardware_text = self.hardware_text(endpoint, hardware)
        cost = hourly_cost(endpoint, hardware)
        moving = expected is not None or endpoint.phase in TRANSITIONAL_PHASES
        age = format_age(now - endpoint.created_at) if endpoint.created_at else ""
        frame = frame if moving else 0
        cache_key = (endpoint, hardware_text, cost, age, expected, frame)
        cached = self._rows.get(endpoint.id)
        if cached is not None and cached[0] == cache_key:
            return cached[1], hardware_text
        view = endpoint_row(
            endpoint, hardware_text=hardware_text, cost=cost, now=now,
            sort_keys=sort_keys(endpoint, hardware_text, cost), frame=frame, expected=expected,
        )
        self._rows[endpoint.id] = (cache_key, view)
        return view, hardware_text

    def prune(self, present: Iterable[str]) -> None:
        keep = set(present)
        for endpoint_id in [key for key in self._rows if key not in keep]:
            del self._rows[endpoint_id]


@dataclass(frozen=True)
class TitleCounts:
    """The title's figures, counted when the rows change (not on each tick of the status line: 5,000 rows)."""

    total: int = 0
    running: int = 0
    moving: int = 0

    @classmethod
    def of(cls, endpoints: Iterable[Endpoint]) -> TitleCounts:
        # Counted after every batch of details: at 5,000 endpoints the properties' calls were most of it.
        total = running = moving = 0
        ready, transitional = Phase.READY, TRANSITIONAL_PHASES
        for endpoint in endpoints:
            total += 1
            phase = endpoint.phase
            if phase is ready:
                running += endpoint.kind == "dedicated"
            elif phase in transitional:
                moving += 1
        return cls(total, running, moving)


def endpoints_title(
    endpoints: Iterable[Endpoint] | TitleCounts, *, shown: int, sort_column: str, reverse: bool, filter_text: str,
    serverless: bool, stale: bool, read_only: bool, loaded: bool = True,
) -> Text:
    """``Endpoints 3/12 · 2 running · 1 changing · STALE · sort Name ▲ · filter “llama”``.

    Staleness comes right after the counts: it matters more than the sort, and 40 columns still show it.
    """
    counts = endpoints if isinstance(endpoints, TitleCounts) else TitleCounts.of(endpoints)
    total, running, moving = counts.total, counts.running, counts.moving
    title = Text(no_wrap=True, overflow="ellipsis")
    title.append("Endpoints ", style="bold")
    if not loaded:
        # Not "0 · 0 running": nothing is known yet.
        title.append("loading…", style="dim italic")
        return title
    title.append(f"{shown}/{total}" if shown != total else f"{total}")
    title.append(f" · {running} running", style="green")
    if moving:
        title.append(f" · {moving} changing", style="yellow")
    if stale:
        title.append(" · STALE", style="bold reverse yellow")
    arrow = "▼" if reverse else "▲"
    title.append(f" · sort {COLUMNS_BY_KEY[sort_column].label} {arrow}", style="dim")
    if filter_text:
        title.append(f" · filter “{filter_text}”", style="bold")
    if serverless:
        title.append(" · +serverless", style="dim")
    if read_only:
        title.append(" · read-only: s x d n e off", style="magenta")
    return title
