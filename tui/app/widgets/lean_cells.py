"""How LeanTable draws a one-line ``Text`` cell: without Rich's layers of padding, styling and line splitting
(the same segments as DataTable's, in a tenth of the time), each text laid out once per content and width.

DataTable styles each segment of a cell with the row's style, the cell's meta (where a click lands) and
the cursor's style, then the post style: sums unique to each cell, so Rich's cache of sums never holds
them. Here a cell is laid out once per content (rows repeat their neighbours' models, hardware, states
and prices), styled once per content and row styles, and its meta is added last: the same styles, as meta
adds nothing but itself. Anything else (the header, labels, fixed rows and columns, other data) is
DataTable's own drawing. ``tests/test_lean_table_drawing.py`` compares every line with DataTable's.
"""

from __future__ import annotations

from typing import Any, TypeVar

from rich._pick import pick_bool
from rich.cells import _is_single_cell_widths, get_character_cell_size
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.cache import LRUCache
from textual.coordinate import Coordinate
from textual.widgets import DataTable
from textual.widgets.data_table import ColumnKey, RowKey

CellType = TypeVar("CellType")

#: Drawn lines kept: a few screens' worth, so scrolling back and forth draws nothing again.
LINES_KEPT = 2000
_JOINER = Text("\n")
#: The layouts ``_lay_out_plain`` makes by slicing; "ignore" and "full" skip or add steps of Rich's own.
_PLAIN_JUSTIFY = frozenset({"default", "left", "right"})
_PLAIN_OVERFLOW = frozenset({"ellipsis", "crop", "fold"})


def _single_cells(plain: str) -> bool:
    """Every character is a grapheme one cell wide (Rich's measure): slicing the string is cutting it to a
    width. The table's own marks ("…", "—", "●") are outside Rich's quick set, so each is measured."""
    if _is_single_cell_widths(plain):
        return True
    return ("\u200d" not in plain and "\ufe0f" not in plain
            and all(get_character_cell_size(character) == 1 for character in plain))


class LeanCells(DataTable[CellType]):
    """DataTable's cells of one-line text, drawn directly (LeanTable's base)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # Before DataTable's own set-up: its watchers may clear the caches while it runs.
        #: Each cell's text laid out at its width (before the row's styles): (cell, width, segments).
        self._laid_out: LRUCache[tuple[RowKey, ColumnKey], tuple[object, int, list[Segment]]] = LRUCache(
            LINES_KEPT * 8)
        #: Laid-out cells by content and width (what ``_lay_out`` makes of a text depends on nothing else).
        self._by_content: LRUCache[tuple[object, ...], list[Segment]] = LRUCache(LINES_KEPT * 4)
        #: Laid-out cells under their row's styles: (content, its styled segments), by id of the content.
        self._styled_cells: LRUCache[tuple[object, ...], tuple[list[Segment], list[tuple[str, Style]]]] = (
            LRUCache(LINES_KEPT * 4))
        self._metas: LRUCache[tuple[int, int], Style] = LRUCache(LINES_KEPT * 8)
        self._plain_styles: dict[str | Style, Style | None] = {}
        super().__init__(*args, **kwargs)

    def _clear_caches(self) -> None:
        super()._clear_caches()
        self._laid_out.clear()
        self._by_content.clear()
        self._styled_cells.clear()
        self._plain_styles.clear()

    def _render_line_in_row(self, row_key: RowKey, line_no: int, base_style: Style, cursor_location: Coordinate,
                            hover_location: Coordinate) -> tuple[list[list[Segment]], list[list[Segment]]]:
        """DataTable's for a data row under a row cursor, with no fixed rows or columns and no row labels: the
        same cells and filler, with what is the same for every cell of the row looked up once."""
        row_index = self._row_locations.get(row_key) if row_key is not self._header_row_key else None
        if (row_index is None or self.cursor_type != "row" or self.fixed_columns or row_index < self.fixed_rows
                or (self._labelled_row_exists and self.show_row_labels) or self.rows[row_key].height != 1):
            return super()._render_line_in_row(row_key, line_no, base_style, cursor_location, hover_location)
        row_style = self._get_row_style(row_index, base_style)
        cursor = cursor_location.row == row_index
        hover = hover_location.row == row_index
        show_cursor, show_hover = self.show_cursor, self._show_hover_cursor
        # Under a row cursor every cell of a row is highlighted alike: one pair of styles for the row.
        component_style, post_style = self._get_styles_to_render_cell(
            False, False, False, hover, cursor, show_cursor, show_hover,
            self.cursor_foreground_priority == "css", self.cursor_background_priority == "css",
        )
        pad = self.cell_padding
        data = self._data[row_key]
        # DataTable styles each segment with row style + the cell's meta + the cursor's style, then the post
        # style: every sum unique to its cell, so never found in Rich's cache of sums. The same styles come
        # out of (row + cursor + segment + post) + meta, meta adding nothing but itself; the part before the
        # meta is the same for every cell of the same text in rows styled alike, so it is kept.
        cell_style = row_style + component_style
        scrollable_row = []
        table_width = self._row_label_column_width
        for column_index, column in enumerate(self.ordered_columns):
            width = column.content_width if column.auto_width else column.width
            width += 2 * pad
            table_width += width
            cell = data.get(column.key)
            inner = width - 2 * pad
            if not isinstance(cell, Text) or inner < 1 or "\n" in cell.plain:
                scrollable_row.append(self._render_cell(row_index, column_index, row_style, width, cursor=cursor,
                                                        hover=hover)[line_no])
                continue
            content = self._cell_content(row_key, column.key, cell, inner)
            meta = self._meta_style(row_index, column_index)
            scrollable_row.append([Segment(text, style + meta) for text, style in
                                   self._styled(content, pad, cell_style, post_style)])
        extend_style, _ = self._get_styles_to_render_cell(
            False, False, False, hover, cursor, show_cursor, show_hover, False, False)
        extend_style = row_style + extend_style + Style.from_meta({"row": row_index, "column": 0,
                                                                   "out_of_bounds": True})
        scrollable_row.append([Segment(" " * max(0, self.size.width - table_width), extend_style)])
        return [], scrollable_row

    def _styled(self, content: list[Segment], pad: int, style: Style, post_style: Style | None
                ) -> list[tuple[str, Style]]:
        """A laid-out cell, padded, under these styles (before its meta), its like segments joined: looked
        up by the laid-out list, which cells of the same text share (``_lay_out``)."""
        key = (id(content), pad, style, post_style)
        kept = self._styled_cells.get(key)
        if kept is not None and kept[0] is content:
            return kept[1]
        padding = [Segment(" " * pad)] if pad else []
        line = Segment.apply_style([*padding, *content, *padding], style, post_style)
        styled = [(text, line_style or Style.null()) for text, line_style, _ in Segment.simplify(line)]
        self._styled_cells.set(key, (content, styled))
        return styled

    def _meta_style(self, row_index: int, column_index: int) -> Style:
        """The meta a cell's segments carry (where a click lands), one style per place."""
        key = (row_index, column_index)
        meta = self._metas.get(key)
        if meta is None:
            meta = Style.from_meta({"row": row_index, "column": column_index})
            self._metas.set(key, meta)
        return meta

    def _render_cell(self, row_index: int, column_index: int, base_style: Style, width: int, cursor: bool = False,
                     hover: bool = False) -> list[list[Segment]]:
        """DataTable's cell for a one-line ``Text`` in a data row: what ``Styled(Padding(cell))`` through
        ``render_lines`` gives, built directly. Anything else (header, labels, fixed cells, other data) is
        DataTable's own."""
        pad = self.cell_padding
        inner = width - 2 * pad
        if row_index < self.fixed_rows or column_index < self.fixed_columns or inner < 1:
            return super()._render_cell(row_index, column_index, base_style, width, cursor, hover)
        row_key = self._row_locations.get_key(row_index)
        column_key = self._column_locations.get_key(column_index)
        row = self.rows.get(row_key) if row_key is not None else None
        if row_key is None or column_key is None or row is None or row.height != 1:
            return super()._render_cell(row_index, column_index, base_style, width, cursor, hover)
        cell = self._data[row_key].get(column_key)
        if not isinstance(cell, Text) or "\n" in cell.plain:
            return super()._render_cell(row_index, column_index, base_style, width, cursor, hover)
        content = self._cell_content(row_key, column_key, cell, inner)
        component_style, post_style = self._get_styles_to_render_cell(
            False, False, False, hover, cursor, self.show_cursor, self._show_hover_cursor,
            self.cursor_foreground_priority == "css", self.cursor_background_priority == "css",
        )
        meta = self._meta_style(row_index, column_index)
        return [[Segment(text, style + meta) for text, style in
                 self._styled(content, pad, base_style + component_style, post_style)]]

    def _cell_content(self, row_key: RowKey, column_key: ColumnKey, cell: Text, inner: int) -> list[Segment]:
        """The cell laid out at ``inner``, kept per cell while it is the same Text at the same width."""
        seen = self._laid_out.get((row_key, column_key))
        if seen is not None and seen[0] is cell and seen[1] == inner:
            return seen[2]
        content = self._lay_out(cell, inner)
        self._laid_out.set((row_key, column_key), (cell, inner, content))
        return content

    def _lay_out(self, cell: Text, width: int) -> list[Segment]:
        """The cell's first line at ``width``, as ``Text.__rich_console__`` under no_wrap would lay it out;
        looked up by content first: rows repeat their neighbours' models, hardware, states and prices."""
        key = (cell.plain, cell.style, tuple(cell.spans), cell.justify, cell.overflow, cell.no_wrap,
               cell.tab_size, cell.end, width)
        segments = self._by_content.get(key)
        if segments is None:
            segments = self._lay_out_text(cell, width)
            self._by_content.set(key, segments)
        return segments

    def _lay_out_text(self, cell: Text, width: int) -> list[Segment]:
        if not cell.plain:
            return [Segment(" " * width)]
        if (quick := self._lay_out_plain(cell, width)) is not None:
            return quick
        return self._lay_out_rich(cell, width)

    def _lay_out_rich(self, cell: Text, width: int) -> list[Segment]:
        """Rich's own layout of the cell: what every other layout here must equal."""
        console = self.app.console
        options = self.app.console_options
        lines = cell.wrap(
            console, width, justify=cell.justify or options.justify or "default",
            overflow=cell.overflow or options.overflow or "fold",
            tab_size=(console.tab_size if cell.tab_size is None else cell.tab_size) or 8,
            no_wrap=pick_bool(cell.no_wrap, True, False),
        )
        # Joined as Text.__rich_console__ joins its lines: a line's own style becomes a span (``render``
        # alone leaves a span-less text's style out).
        segments = list(_JOINER.join(lines[:1]).render(console, end=""))
        return Segment.adjust_line_length(segments, width)

    def _lay_out_plain(self, cell: Text, width: int) -> list[Segment] | None:
        """What ``_lay_out_text`` makes of a text of one style and one-cell characters, made by slicing (a
        twentieth of the time: a first load's details bring new prices and hardware to every row on screen);
        None for anything else. Its style is the one Rich's own layout gives it (``_plain_style``)."""
        plain = cell.plain
        options = self.app.console_options
        justify = cell.justify or options.justify or "default"
        overflow = cell.overflow or options.overflow or "fold"
        if (not plain or cell.spans or justify not in _PLAIN_JUSTIFY or overflow not in _PLAIN_OVERFLOW or "\t" in plain
                or not _single_cells(plain)):
            return None
        if justify == "right":
            plain = plain.rstrip()
        if len(plain) > width:
            plain = plain[:width - 1] + "…" if overflow == "ellipsis" else plain[:width]
        style = self._plain_style(cell)
        if justify == "left":
            return [Segment(plain.ljust(width), style)]
        if justify == "right":
            return [Segment(plain.rjust(width), style)]
        if len(plain) < width:
            return [Segment(plain, style), Segment(" " * (width - len(plain)))]
        return [Segment(plain, style)]

    def _plain_style(self, cell: Text) -> Style | None:
        """The style Rich's layout gives a span-less text of this style: learnt from one character of it."""
        key = cell.style
        if key not in self._plain_styles:
            probe = Text("x", style=cell.style, justify="default", overflow="crop", no_wrap=True, end="")
            self._plain_styles[key] = self._lay_out_rich(probe, 1)[0].style
        return self._plain_styles[key]
