"""Markdown parsed into flat blocks for ``markdown_view``: the same parser as Textual's (markdown-it,
"gfm-like"), nested lists and quotes flattened into each block's prefixes (bullet, number, quote bar,
indent). Every string is the model's: it becomes ``Content``, never markup.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from markdown_it import MarkdownIt
from markdown_it.token import Token
from textual.content import Content, Span
from textual.highlight import highlight
from textual.style import Style

HEADING_STYLES = {
    "h1": "bold $markdown-h1-color",
    "h2": "underline $markdown-h2-color",
    "h3": "bold $markdown-h3-color",
    "h4": "bold $markdown-h4-color",
    "h5": "$markdown-h5-color",
    "h6": "underline $markdown-h6-color",
}
CODE_INLINE = "$text-warning on $warning 10%"
FENCE = "on $boost"
QUOTE_BAR = Content.styled("▌ ", "$text-primary 50%")
BULLETS = ("• ", "▪ ", "‣ ", "⭑ ", "◦ ")
_SPACES = re.compile(r"\s+")
EMPTY = Content("")


@dataclass(frozen=True, slots=True)
class Block:
    """One wrapped paragraph of the document: its text, the prefix of its first and later lines."""

    body: Content
    first: Content = EMPTY
    rest: Content = EMPTY
    #: A blank line after it (the gap between blocks).
    gap: bool = True
    #: Lines kept as they are and filled to the width (a code block), not wrapped at words.
    code: bool = False


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    parser = MarkdownIt("gfm-like")
    # Its first text compiles the inline rules (~10 ms): paid here, as an answer is mounted before its
    # request goes out, not between the first token's arrival and the screen.
    parser.parse("A *b* `c` [d](e)\n\n- f\n")
    return parser


@lru_cache(maxsize=64)
def _highlighted(code: str, language: str) -> Content:
    # A streaming part's open tail is parsed again on every append: a code block in it is highlighted once.
    return highlight(code, language=language or None)


def inline_content(token: Token) -> Content:
    """An inline token's text with its emphasis, code and links as spans (never markup)."""
    parts: list[str] = []
    spans: list[Span] = []
    stack: list[tuple[str | Style, int]] = []
    position = 0

    def add(text: str) -> None:
        nonlocal position
        parts.append(text)
        position += len(text)

    def close() -> None:
        if stack:
            style, start = stack.pop()
            spans.append(Span(start, position, style))

    for child in token.children or ():
        kind = child.type
        if kind == "text":
            add(_SPACES.sub(" ", child.content))
        elif kind == "hardbreak":
            add("\n")
        elif kind == "softbreak":
            add(" ")
        elif kind == "code_inline":
            stack.append((CODE_INLINE, position))
            add(child.content)
            close()
        elif kind == "em_open":
            stack.append(("italic", position))
        elif kind == "strong_open":
            stack.append(("bold", position))
        elif kind == "s_open":
            stack.append(("strike", position))
        elif kind in ("link_open", "image"):
            # The href rides as a quoted string in our own action: the click only says where it points.
            href = str(child.attrs.get("href") or child.attrs.get("src") or "")
            stack.append((Style.from_meta({"@click": f"link({href!r})"}) + Style(underline=True), position))
            if kind == "image":
                add("🖼  " + (f"({child.content})" if child.content else ""))
                close()
        elif kind.endswith("_close"):
            close()
        elif kind in ("html_inline",):
            add(child.content)
    return Content("".join(parts), spans=spans)


def markdown_blocks(source: str) -> list[Block]:
    """The document's blocks in order, nested lists and quotes flattened into prefixes."""
    blocks: list[Block] = []
    # Each open container adds to the prefix: [its first line's, its later lines'].
    prefixes: list[list[Content]] = []
    numbers: list[int | None] = []  # per open list: the next item's number (None: bullets)
    heading: str | None = None
    tight = False  # inside a paragraph of a tight list: no blank line after it
    cells: list[Content] | None = None

    def add(body: Content, *, gap: bool = True, code: bool = False) -> None:
        first = Content("").join(p[0] for p in prefixes)
        rest = Content("").join(p[1] for p in prefixes)
        for p in prefixes:
            p[0] = p[1]  # an item's bullet is on its first line only
        blocks.append(Block(body, first, rest, gap=gap, code=code))

    def end_with_gap() -> None:
        if blocks and not blocks[-1].gap:
            last = blocks[-1]
            blocks[-1] = Block(last.body, last.first, last.rest, gap=True, code=last.code)

    for token in _parser().parse(source):
        kind = token.type
        if kind == "heading_open":
            heading = token.tag
        elif kind == "heading_close":
            heading = None
        elif kind == "paragraph_open":
            tight = token.hidden
        elif kind == "inline":
            body = inline_content(token)
            if heading is not None:
                body = body.stylize(HEADING_STYLES.get(heading, "bold"))
            if cells is not None:
                cells.append(body)
            else:
                add(body, gap=not tight)
        elif kind in ("bullet_list_open", "ordered_list_open"):
            numbers.append(int(token.attrs.get("start") or 1) if kind == "ordered_list_open" else None)
        elif kind in ("bullet_list_close", "ordered_list_close"):
            numbers.pop()
            if not numbers:
                end_with_gap()
        elif kind == "list_item_open":
            number = numbers[-1] if numbers else None
            if number is not None:
                marker = Content(f"{number}. ")
                numbers[-1] = number + 1
            else:
                depth = sum(1 for n in numbers if n is None) - 1
                marker = Content.styled(BULLETS[depth % len(BULLETS)], "$text-primary")
            prefixes.append([marker, Content(" " * marker.cell_length)])
        elif kind == "list_item_close":
            prefixes.pop()
        elif kind == "blockquote_open":
            prefixes.append([QUOTE_BAR, QUOTE_BAR])
        elif kind == "blockquote_close":
            prefixes.pop()
            end_with_gap()
        elif kind in ("fence", "code_block"):
            code = token.content.rstrip("\n")
            add(_highlighted(code, token.info.strip()) if code else Content(" "), code=True)
        elif kind == "hr":
            add(Content.styled("─" * 40, "$secondary"))
        elif kind == "tr_open":
            cells = []
        elif kind == "tr_close" and cells is not None:
            add(Content(" │ ").join(cells), gap=False)
            cells = None
        elif kind == "table_close":
            end_with_gap()
        elif kind == "html_block":
            add(Content(token.content.rstrip("\n")))
    return blocks


__all__ = ["BULLETS", "EMPTY", "FENCE", "Block", "inline_content", "markdown_blocks"]
