"""What a row of the endpoints table holds and how its cells fit their columns (``endpoint_table`` draws them).

A row is a ``RowView``: its cells by column, what each column sorts it by, and for a deployment its
endpoint; the name and model cells are cut in the middle, where the ends that tell them apart stay.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from rich.text import Span, Text

from tui.core.listing import COLUMNS_BY_KEY


class KeyedText(Text):
    """The name cell, which also knows its row: DataTable.sort() hands the key function cells only."""

    __slots__ = ("row_key",)

    def __init__(self, text: str, row_key: str, **kwargs: Any) -> None:
        super().__init__(text, **kwargs)
        self.row_key = row_key


@dataclass(frozen=True)
class RowView:
    key: str
    cells: Mapping[str, Text]
    sort_keys: Mapping[str, tuple[Any, ...]]
    #: A deployment row's endpoint: it sorts under it, in ``order``, whatever the column.
    parent: str | None = None
    order: int = 0
    #: Waiting for its details (a v1 row from the list alone): its sort key may change when they come.
    loading: bool = False


@dataclass
class SyncReport:
    added: int = 0
    removed: int = 0
    updated: int = 0
    resorted: bool = False


def same_text(a: Text, b: Text) -> bool:
    # Text.__eq__ ignores the base style, and a state change may change only the colour.
    return a.plain == b.plain and a.style == b.style and a.spans == b.spans


#: Columns whose long values are cut in the middle: two names that share a prefix stay apart.
MIDDLE_CUT = frozenset({"name", "model"})


def middle_fit(cell: Text, width: int) -> Text:
    """``demo-user/…gpt-oss-20b-c4dca652``: the head kept short, the distinguishing tail kept long."""
    if width < 4 or cell.cell_len <= width:
        return cell
    keep = width - 1
    head = keep // 3
    tail = keep - head
    plain = cell.plain
    fitted = KeyedText("", cell.row_key, no_wrap=True, end="") if isinstance(cell, KeyedText) else Text(
        no_wrap=True, end="")
    fitted.style = cell.style
    if cell.spans:
        # ``cell[:head]`` and ``cell[-tail:]`` (Text.divide, the dearer part of a first fill of a tree),
        # cut directly: each part's spans clipped to it.
        start = len(plain) - tail
        front = cell.copy()
        front.right_crop(len(plain) - head)
        front.spans = [span for span in front.spans if span.end > span.start]
        back = cell.blank_copy(plain[start:])
        back.spans = [Span(max(0, span.start - start), span.end - start, span.style) for span in cell.spans
                      if span.end > start and span.end > span.start]
        fitted.append_text(front)
        fitted.append("…", style="dim")
        fitted.append_text(back)
        return fitted
    # What the slices above make of a text without spans, without slicing a Text (a first fill of 5,000
    # rows spent a second on it): its style as a span over each part.
    style = cell.style or None
    fitted.append(plain[:head], style=style)
    fitted.append("…", style="dim")
    fitted.append(plain[len(plain) - tail:], style=style)
    return fitted


def column_label(key: str, *, sorted_by: str, reverse: bool) -> Text:
    spec = COLUMNS_BY_KEY[key]
    label = spec.label
    if key == sorted_by:
        label += " ▼" if reverse else " ▲"
    justify = "right" if key in ("replicas", "cost", "age", "ready", "traffic") else "left"
    return Text(label, no_wrap=True, overflow="ellipsis", justify=justify)  # type: ignore[arg-type]
