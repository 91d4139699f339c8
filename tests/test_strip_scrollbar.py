"""``StripScrollBar`` draws the same cells as Textual's own scrollbar drawing, in every state it draws."""

from __future__ import annotations

from typing import ClassVar

import pytest
from textual.app import App, ComposeResult
from textual.containers import VerticalScroll
from textual.filter import Monochrome
from textual.geometry import Offset, Region
from textual.widget import Widget
from textual.widgets import Static

from tui.app.widgets.chat_prompt import ConversationLog
from tui.app.widgets.laid_out import LaidOutScrollbars
from tui.app.widgets.strip_scrollbar import StripScrollBar


class Log(LaidOutScrollbars, VerticalScroll):
    DEFAULT_CSS = "Log { scrollbar-size-vertical: 2; }"


class Lines(App[None]):
    CSS: ClassVar[str] = "Log { height: 1fr; }"

    def __init__(self, lines: int) -> None:
        super().__init__()
        self.lines = lines

    def compose(self) -> ComposeResult:
        with Log():
            yield Static("\n".join(f"line {index}" for index in range(self.lines)))


def textuals_drawing(bar: StripScrollBar, crop: Region) -> list[list[tuple[str, object]]]:
    bar._styles_cache.clear()
    bar._set_dirty()
    return [[(segment.text, segment.style) for segment in strip] for strip in Widget.render_lines(bar, crop)]


def ours(bar: StripScrollBar, crop: Region) -> list[list[tuple[str, object]]]:
    assert bar._bar_strips() is not None, "the fast drawing was not used"
    return [[(segment.text, segment.style) for segment in strip] for strip in bar.render_lines(crop)]


@pytest.mark.parametrize("theme", ["textual-dark", "textual-light", "ansi-dark", "nord"])
@pytest.mark.parametrize("lines", [15, 31, 200, 5000])
async def test_the_bar_is_drawn_as_textual_draws_it(theme: str, lines: int) -> None:
    app = Lines(lines)
    async with app.run_test(size=(40, 14)) as pilot:
        app.theme = theme
        await pilot.pause()
        log = app.query_one(Log)
        bar = log.vertical_scrollbar
        assert isinstance(bar, StripScrollBar)
        whole = Region(0, 0, bar.size.width, bar.size.height)
        for y in (0, 0.4, 3.3, log.max_scroll_y / 2 + 0.125, log.max_scroll_y):
            log.scroll_to(y=y, animate=False, immediate=True)
            await pilot.pause()
            assert ours(bar, whole) == textuals_drawing(bar, whole)
            # A crop: the second column, rows from the middle.
            part = Region(1, 2, 1, max(1, bar.size.height - 4))
            assert ours(bar, part) == textuals_drawing(bar, part)
        bar.mouse_over = True
        await pilot.pause()
        assert ours(bar, whole) == textuals_drawing(bar, whole)
        bar.grabbed = Offset(0, 1)
        await pilot.pause()
        assert ours(bar, whole) == textuals_drawing(bar, whole)


async def test_the_apps_line_filters_apply_to_the_bar() -> None:
    app = Lines(100)
    async with app.run_test(size=(40, 14)) as pilot:
        app._filters.append(Monochrome())
        bar = app.query_one(Log).vertical_scrollbar
        assert isinstance(bar, StripScrollBar)
        bar.refresh()
        await pilot.pause()
        whole = Region(0, 0, bar.size.width, bar.size.height)
        drawn = ours(bar, whole)
        assert drawn == textuals_drawing(bar, whole)
        colours = {style.bgcolor.triplet for row in drawn for _, style in row if style.bgcolor}  # type: ignore[attr-defined]
        assert all(red == green == blue for red, green, blue in colours), colours


async def test_a_bar_with_a_tint_is_drawn_by_textual() -> None:
    app = Lines(100)
    async with app.run_test(size=(40, 14)) as pilot:
        bar = app.query_one(Log).vertical_scrollbar
        assert isinstance(bar, StripScrollBar)
        bar.styles.tint = "red 40%"
        await pilot.pause()
        assert bar._bar_strips() is None
        whole = Region(0, 0, bar.size.width, bar.size.height)
        assert len(bar.render_lines(whole)) == bar.size.height


def test_the_conversation_log_has_the_bar() -> None:
    assert issubclass(ConversationLog, LaidOutScrollbars)
