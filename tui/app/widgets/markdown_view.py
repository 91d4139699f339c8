"""Markdown shown as one widget's lines, for answers that stream in fast and stay on screen long.

Textual's ``Markdown`` builds a widget per block (a list item is three): mounting an 8,000-character
answer that way costs about a second of CPU and keeps hundreds of widgets (and their caches) alive per
answer, which is what made the chat fall behind a fast endpoint and a long conversation heavy. Here a
document is parsed by the same parser (markdown-it, "gfm-like") into a flat list of blocks, each a
``Content`` with its prefix (bullet, number, quote bar, indent; ``markdown_blocks``), and drawn by one
``Visual`` that wraps them at the widget's width with hanging indents. A streaming part parses, wraps
and renders again only its blocks still open (``Settled`` keeps the rest), so an append costs what the
open paragraph or list costs, not what the part does.

``StreamedDocument`` keeps an answer as parts of about 2,000 characters, so that only the last one is
parsed again while it streams.

Every string is the model's: it becomes ``Content`` (never markup) and a link is only underlined text
whose click says where it points (``action_link``); nothing is opened.
"""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.strip import Strip
from textual.style import Style
from textual.visual import RenderOptions, Visual
from textual.widgets import Static

from tui.api.safe_text import clean
from tui.app.widgets.markdown_blocks import EMPTY, FENCE, Block, markdown_blocks
from tui.core.chat_text import MarkdownParts, settled_length


class Settled:
    """A streamed part's blocks that no later text changes (``settled_length``): parsed once, and their
    lines at each width and their strips kept, so that an append parses, wraps and renders only the
    blocks still open (the last paragraph or list), not the whole part again."""

    __slots__ = ("blocks", "length", "lines", "open", "strips")

    def __init__(self) -> None:
        #: Characters of the source they came from.
        self.length = 0
        self.blocks: list[Block] = []
        #: Per width: the blocks' lines, and after how many lines each block ends.
        self.lines: dict[int, tuple[list[Content], list[int]]] = {}
        #: Per width and style: the strips of the first lines.
        self.strips: dict[tuple[int, Style], list[Strip]] = {}
        #: The open blocks' lines as last drawn (width and style, the first one's place, the lines and their
        #: strips): an append changes the last line or two of the open paragraph, not the lines before it.
        self.open: tuple[tuple[int, Style], int, list[Content], list[Strip]] | None = None

    def lines_of(self, count: int, width: int) -> list[Content]:
        """The lines of the first ``count`` blocks at ``width`` (wrapped once, then kept)."""
        lines, ends = self.lines.setdefault(width, ([], []))
        for block in self.blocks[len(ends):count]:
            lines.extend(_wrapped(block, width))
            ends.append(len(lines))
        return lines[: ends[count - 1]] if count else []

    def strips_of(self, lines: list[Content], width: int, style: Style, options: RenderOptions) -> list[Strip]:
        """The strips of ``lines`` (this part's first lines), rendered once each."""
        strips = self.strips.setdefault((width, style), [])
        if len(strips) < len(lines):
            strips.extend(self.drawn_from(lines, len(strips), width, style, options))
        return strips[: len(lines)]

    def open_strips(self, lines: list[Content], first: int, width: int, style: Style,
                    options: RenderOptions) -> list[Strip]:
        """The strips of ``lines[first:]``, the open blocks' lines, kept for the next append."""
        strips = self.drawn_from(lines, first, width, style, options)
        self.open = ((width, style), first, lines[first:], strips)
        return strips

    def drawn_from(self, lines: list[Content], first: int, width: int, style: Style,
                   options: RenderOptions) -> list[Strip]:
        """The strips of ``lines[first:]``: those the open blocks' last drawing had at the same place with
        the same text and styles, then the rest rendered."""
        same = first
        if self.open is not None and self.open[0] == (width, style):
            _, start, drawn, strips = self.open
            end = min(len(lines), start + len(drawn))
            while start <= same < end and lines[same].is_same(drawn[same - start]):
                same += 1
            if same > first:
                return strips[first - start: same - start] + _render_from(lines, same, width, style, options)
        return _render_from(lines, first, width, style, options)


def _render_from(lines: list[Content], first: int, width: int, style: Style, options: RenderOptions) -> list[Strip]:
    """The strips of ``lines[first:]`` as a render of all the lines draws them: each line's strip carries
    its line number for text selection, so the lines before are there too, blank (a blank one costs
    next to nothing)."""
    return Content("\n").join([EMPTY] * first + lines[first:]).render_strips(width, None, style, options)[first:]


def _wrapped(block: Block, width: int) -> list[Content]:
    room = max(width - block.rest.cell_length, 1)
    if block.code:
        wrapped = [line.pad_right(room - line.cell_length).stylize(FENCE) if line.cell_length < room
                   else line.stylize(FENCE) for line in _code_lines(block.body, room)]
    else:
        wrapped = block.body.wrap(room) or [Content("")]
    out = [(block.first if index == 0 else block.rest) + line for index, line in enumerate(wrapped)]
    if block.gap:
        out.append(Content(""))
    return out


class MarkdownVisual(Visual):
    """Blocks wrapped at the width they are drawn at; the lines of the last width are kept.

    ``blocks`` follow the first ``count`` blocks of ``settled`` (a streamed part's), whose lines and
    strips are kept across appends.
    """

    def __init__(self, blocks: list[Block], settled: Settled | None = None, count: int = 0) -> None:
        self._blocks = blocks
        self._settled = settled if settled is not None else Settled()
        self._count = count
        self._cache: tuple[int, list[Content], int] | None = None

    def _lines(self, width: int) -> tuple[list[Content], int]:
        """The lines at ``width``, and how many of them are the settled blocks'."""
        if self._cache is not None and self._cache[0] == width:
            return self._cache[1], self._cache[2]
        settled = self._settled.lines_of(self._count, width)
        lines = settled + [line for block in self._blocks for line in _wrapped(block, width)]
        self._cache = (width, lines, len(settled))
        return lines, len(settled)

    def lines(self, width: int) -> Content:
        """The document as lines that fit ``width``, one Content with a newline between them."""
        return Content("\n").join(self._lines(width)[0])

    def render_strips(self, width: int, height: int | None, style: Style, options: RenderOptions) -> list[Strip]:
        lines, settled = self._lines(width)
        if options.selection is not None:
            # A selection's offsets are the whole document's: rendered whole, as it is, and not kept.
            return Content("\n").join(lines).render_strips(width, height, style, options)
        strips = self._settled.strips_of(lines[:settled], width, style, options)
        if len(lines) > settled:
            strips = strips + self._settled.open_strips(lines, settled, width, style, options)
        return strips if height is None else strips[:height]

    def get_optimal_width(self, rules: object, container_width: int) -> int:
        return container_width

    def get_height(self, rules: object, width: int) -> int:
        return len(self._lines(width)[0]) if self._count or self._blocks else 0


def _code_lines(code: Content, width: int) -> list[Content]:
    lines: list[Content] = []
    for line in code.split("\n", allow_blank=True):
        lines.extend(line.expand_tabs(4).fold(width) if line.cell_length > width else [line.expand_tabs(4)])
    return lines


class MarkdownPart(Static):
    """A piece of Markdown drawn as one widget; ``append`` parses again only its blocks still open."""

    DEFAULT_CSS = """
    MarkdownPart { width: 1fr; height: auto; }
    """

    def __init__(self, source: str = "", *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.source = ""
        self._settled = Settled()
        self._visual = self._parse(source)
        #: The width the part was last laid out at (a visual just parsed has none yet).
        self._width: int | None = None

    def render(self) -> MarkdownVisual:
        return self._visual

    def append(self, text: str) -> None:
        self.set_source(self.source + text)

    def set_source(self, source: str) -> None:
        drawn = self._visual._cache
        if drawn is not None:
            self._width = drawn[0]
        self._visual = self._parse(source)
        # Text that fits the height the part is laid out at (the last line filled without adding one, or
        # the first line of an answer whose line was kept for it) leaves every height as it was: a repaint
        # of this part, not a layout of the whole screen (at tens of tokens a second, most appends). The
        # lines are wrapped at the width last drawn, which a layout at that width uses as they are. A
        # layout already asked for still comes, and measures the new text.
        size = self.content_size
        same = size.width > 0 and self._visual.get_height(None, size.width) == size.height
        self.refresh(layout=not same)

    def _parse(self, source: str) -> MarkdownVisual:
        settled = self._settled
        if not source.startswith(self.source[: settled.length]):
            settled = self._settled = Settled()  # not an append: start afresh
        tail = source[settled.length:]
        cut = settled_length(tail)
        if cut:
            settled.blocks.extend(markdown_blocks(tail[:cut]))
            settled.length += cut
            tail = tail[cut:]
        self.source = source
        return MarkdownVisual(markdown_blocks(tail), settled, len(settled.blocks))

    def finish(self) -> None:
        """No more text comes: every block is settled, and only the width last drawn keeps its lines and
        strips. The frame that shows the end (of the answer, or of a part when the next one begins)
        then draws only the blocks that were still open, not the whole part again (~10 ms at 2,000
        characters, every 2,000 characters of a fast stream); other widths are drawn whole once."""
        visual = self._visual
        done = Settled()
        done.blocks = visual._settled.blocks[: visual._count] + visual._blocks
        done.length = len(self.source)
        width = visual._cache[0] if visual._cache is not None else self._width
        if width is not None:
            if width in visual._settled.lines:
                done.lines[width] = visual._settled.lines[width]
            done.strips = {key: strips for key, strips in visual._settled.strips.items() if key[0] == width}
            done.open = visual._settled.open
        self._visual = MarkdownVisual([], done, len(done.blocks))
        # An append after this parses the whole part again.
        self._settled = Settled()

    def notify_style_update(self) -> None:
        # A theme or style change: the kept strips have the old colours.
        super().notify_style_update()
        for settled in (self._settled, self._visual._settled):
            settled.strips.clear()
            settled.open = None

    @property
    def plain(self) -> str:
        """The text as drawn at the widget's width (bullets and all)."""
        return self._visual.lines(max(self.content_region.width, 1)).plain

    def action_link(self, href: str) -> None:
        # A model writes these links: a click must never open a file or a page the user did not choose.
        self.app.notify(f"Links in answers are not opened: {clean(href, limit=200)}",
                        title="Link", severity="warning", markup=False)


class StreamedDocument(Vertical):
    """Markdown that arrives in pieces, shown as consecutive ``MarkdownPart`` widgets of bounded size.

    Once a part is about PART_SIZE characters long it is closed at the next block boundary and a new
    one begins: only the last part is parsed again when text arrives, so an append costs the same at
    the end of a 5,000-token answer as at its start. The source is kept here, so it is whole even
    before the parts are mounted.
    """

    #: Characters per part before the next block starts a new one.
    PART_SIZE: ClassVar[int] = 2000

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._splitter = MarkdownParts(self.PART_SIZE)
        self._parts: list[MarkdownPart] = [MarkdownPart()]

    def compose(self) -> ComposeResult:
        yield from self._parts

    @property
    def source(self) -> str:
        return "".join(part.source for part in self._parts)

    @property
    def part_count(self) -> int:
        return len(self._parts)

    @property
    def parts(self) -> list[MarkdownPart]:
        return list(self._parts)

    def write(self, text: str) -> None:
        """Append ``text``: the last part is parsed again, a new part mounted where one ends."""
        pieces = self._splitter.feed(text)
        tail = self._parts[-1]
        tail.set_source(tail.source + pieces[0])
        for piece in pieces[1:]:
            tail.finish()
            part = tail = MarkdownPart(piece)
            self._parts.append(part)
            if self.is_mounted:
                self.mount(part)

    def finish(self) -> None:
        """No more text comes (an append after it still works, at a whole parse's cost)."""
        self._parts[-1].finish()

    async def clear(self) -> None:
        await self.remove_children()
        self._splitter = MarkdownParts(self.PART_SIZE)
        self._parts = [MarkdownPart()]
        await self.mount_all(self._parts)


__all__ = ["Block", "MarkdownPart", "MarkdownVisual", "Settled", "StreamedDocument", "markdown_blocks"]
