"""k9s and lazydocker habits in every table: ``j``/``k`` move the cursor, ``g``/``G`` and Home/End go to the
first and last row. One extra base class gives a DataTable these keys, from the binding table (remappable,
listed in help): ``class EndpointTable(TableKeys, DataTable[Text])``.

A DataTable itself, not a plain mixin: Textual merges ``BINDINGS`` only from DOMNode classes in the MRO,
and follows the first DOMNode base for CSS and component classes, so a bare Widget base placed first
would cut DataTable's styles off. Placed before DataTable, its Home and End replace DataTable's (which
scroll sideways in a row-cursor table).
"""

from __future__ import annotations

from typing import ClassVar, TypeVar

from textual.binding import BindingType
from textual.widgets import DataTable

from tui.app.bindings import bindings

CellType = TypeVar("CellType")


class TableKeys(DataTable[CellType]):
    """Bindings only: the actions are DataTable's own (``cursor_down``, ``scroll_top``, ...)."""

    BINDINGS: ClassVar[list[BindingType]] = list(bindings("table"))
