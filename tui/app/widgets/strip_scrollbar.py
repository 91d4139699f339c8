"""A vertical scrollbar drawn straight into strips: the same cells as Textual's, without the trip through Rich.

Textual draws a scrollbar as a Rich renderable (``ScrollBarRender``) rendered by a console into lines, then
styles every line through the widget's styles cache: ~0.4 ms for a bar of 30 rows on this machine. A
conversation that follows a stream moves its bar at every append (its size, then its position: two
drawings an append), which was a tenth of the app's CPU at 1,000 tokens/s (``docs/benchmarks.md``,
session 15). Here the bar's rows come from the same ``render_bar`` (its glyphs, colours and the mouse
actions in their styles), each put on the widget's base style as Textual's visual would and through the
app's line filters; rows that are the same segment share one strip, and the last drawing is kept for a
bar that has not changed. Anything this does not know how to draw (a horizontal bar, a tint, an opacity,
padding, borders, a renderer of another kind) is drawn by Textual as before.

UNVERIFIED past Textual 8.2.8: the cells match Textual's own drawing (``tests/test_strip_scrollbar.py``
compares them over sizes, positions, hover and grab, themes and ANSI colours).
"""

from __future__ import annotations

from rich.color import Color as RichColor
from rich.segment import Segment
from textual.geometry import Region, Spacing
from textual.scrollbar import ScrollBar, ScrollBarRender
from textual.strip import Strip

#: Textual's colours for a renderer style without them (``ScrollBarRender.__rich_console__``).
_BACK = RichColor.parse("#555555")
_BAR = RichColor.parse("bright_magenta")
_NO_SPACING = Spacing(0, 0, 0, 0)


class StripScrollBar(ScrollBar):
    """A ``ScrollBar`` whose vertical bar is drawn without Rich (see the module's docstring)."""

    _drawn: tuple[tuple[object, ...], list[Strip]] | None = None

    def render_lines(self, crop: Region) -> list[Strip]:
        strips = self._bar_strips()
        if strips is None:
            return super().render_lines(crop)
        rows = strips[crop.y:crop.bottom]
        x1, x2 = crop.column_span
        if (x1, x2) != (0, self.size.width):
            rows = [strip.crop(x1, x2) for strip in rows]
        return rows

    def _bar_strips(self) -> list[Strip] | None:
        """Every row of the bar, or None where Textual must draw it."""
        width, height = self.size
        styles = self.styles
        if not (self.vertical and width and height) or self.BLANK or self.opacity != 1.0:
            return None
        if styles.tint.a or styles.text_opacity != 1.0 or styles.gutter != _NO_SPACING:
            return None
        if (styles.has_rule("hatch") and styles.hatch != "none") or any(edge for edge, _ in styles.outline):
            return None
        renderer = self.render()
        if not isinstance(renderer, ScrollBarRender) or (
                type(renderer).__rich_console__ is not ScrollBarRender.__rich_console__):
            return None  # another renderer draws its own way
        style = renderer.style
        if isinstance(style, str):
            return None
        base = self.visual_style.rich_style
        filters = self.get_line_filters()
        background = self.background_colors[1]
        key = (width, height, renderer.virtual_size, renderer.window_size, renderer.position, style, base,
               tuple(map(id, filters)), background)
        if self._drawn is not None and self._drawn[0] == key:
            return self._drawn[1]
        bar = renderer.render_bar(
            size=height, window_size=renderer.window_size, virtual_size=renderer.virtual_size,
            position=renderer.position, vertical=True, thickness=width,
            back_color=style.bgcolor or _BACK, bar_color=style.color or _BAR,
        )
        made: dict[int, Strip] = {}
        strips = []
        for segment in bar.segments:
            strip = made.get(id(segment))
            if strip is None:
                strip = Strip([Segment(segment.text, base + segment.style)], width)
                for line_filter in filters:
                    strip = strip.apply_filter(line_filter, background)
                made[id(segment)] = strip
            strips.append(strip)
        self._drawn = (key, strips)
        return strips
