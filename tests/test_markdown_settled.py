"""A streamed part parses again only its blocks still open (issue 16): fed in pieces of any size, it
draws exactly what one parse of the whole text draws, and it keeps its settled blocks' lines."""

from __future__ import annotations

import random
from typing import Any

import pytest
from textual.app import App, ComposeResult
from textual.content import Content
from textual.visual import Visual

from tui.app.widgets.markdown_view import MarkdownPart, MarkdownVisual, markdown_blocks
from tui.core.chat_text import settled_length
from tui.simulator.chat import tokenize

DOCUMENTS = [
    # Lazy numbering and a list made loose by a later blank line: both are the same list going on.
    "Intro line.\n\n1. one\n1. two\n\n1. three\n\n- a\n- b\n\n- c\n\nAfter the list.\n",
    "> quoted\n\n> still quoted\n\nplain *emph* and `code` and [link](http://x)\n\n# Title\n\nText.\n",
    "Code:\n\n```python\ndef f():\n\n    return 1\n```\n\nAfter code.\n\n"
    "~~~~\n```\n\nnot closed by that\n~~~~\n\nEnd.\n",
    "<!--\n\na comment\n\n-->\n\nAfter HTML.\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n---\n\nLast.\n",
    "- item\n\n  continued in the item\n\n      indented code in it\n\nback at the margin\n\n2023 was a year.\n\n12\n",
    "Para one goes on for a while so that it wraps at a narrow width, " * 4 + "\n\n" + "Next. " * 30 + "\n",
]


def drawn(visual: MarkdownVisual, width: int) -> tuple[str, list[object]]:
    lines = visual.lines(width)
    return lines.plain, [(span.start, span.end, str(span.style)) for span in lines.spans]


@pytest.mark.parametrize("document", DOCUMENTS)
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_an_appended_part_draws_what_one_parse_of_its_text_draws(document: str, seed: int) -> None:
    rng = random.Random(seed)
    part = MarkdownPart()
    position = 0
    while position < len(document):
        step = rng.choice([1, 2, 3, 7, 20, 60])
        part.append(document[position:position + step])
        position += step
        whole = MarkdownVisual(markdown_blocks(document[:position]))
        for width in (24, 70):
            assert drawn(part._visual, width) == drawn(whole, width), (document[:position], width)


def test_the_settled_blocks_are_parsed_once_and_the_open_one_again() -> None:
    part = MarkdownPart()
    text = "".join(tokenize("First paragraph here.\n\nSecond one, still open"))
    part.append(text)
    settled = part._settled
    assert settled.length == len("First paragraph here.\n\n") and len(settled.blocks) == 1
    first = settled.blocks[0]
    part.append(" and more.\n\nThird")
    assert part._settled is settled and settled.blocks[0] is first and len(settled.blocks) == 2
    # Not an append (a retry's fresh answer): parsed afresh.
    part.set_source("Other text.\n\nAnd more")
    assert part._settled is not settled and part._settled.blocks[0].body.plain == "Other text."


@pytest.mark.parametrize(
    ("text", "settled"),
    [
        ("a\n\nb", "a\n\n"),
        ("a\n\n", ""),  # the next block's first line is not known yet
        ("a\n\n1. x\n\n2. y", ""),  # a list item may be the same list going on
        ("```\nx\n\ny\n```\n\nz", "```\nx\n\ny\n```\n\n"),
        ("```\nx\n\ny\n", ""),  # inside an open fence nothing settles
        ("p\n\n- a\n\n  b\n\nq", "p\n\n- a\n\n  b\n\n"),
        ("<!--\n\nx\n-->\n\ny", ""),  # raw HTML may run through blank lines
        ("p\n\n12", ""),  # "12" may yet be "12. item"
        ("p\n\n2023 was", "p\n\n"),
    ],
)
def test_what_settles(text: str, settled: str) -> None:
    assert text[: settled_length(text)] == settled


class Host(App[None]):
    def compose(self) -> ComposeResult:
        yield MarkdownPart(id="part")


async def streamed(pilot: Any, document: str, step: int) -> MarkdownPart:
    """The part, fed ``document`` ``step`` characters at a time, a frame after each."""
    part = pilot.app.query_one(MarkdownPart)
    for index in range(0, len(document), step):
        part.append(document[index:index + step])
        await pilot.pause()
    return part


async def test_the_kept_strips_are_the_strips_of_a_whole_render() -> None:
    async with Host().run_test(size=(60, 40)) as pilot:
        document = DOCUMENTS[0] + DOCUMENTS[1]
        part = await streamed(pilot, document, 9)
        width = part.content_region.width
        style = part.visual_style
        kept = Visual.to_strips(part, part._visual, width, None, style)
        whole = Visual.to_strips(part, MarkdownVisual(markdown_blocks(document)), width, None, style)
        assert part._settled.strips, "the settled lines' strips are kept"
        assert [strip.text for strip in kept] == [strip.text for strip in whole]
        assert [list(strip) for strip in kept] == [list(strip) for strip in whole]
        assert isinstance(part._visual.lines(width), Content)


def test_a_finished_part_keeps_no_lines_for_appends_and_draws_the_same() -> None:
    part = MarkdownPart()
    for index in range(0, len(DOCUMENTS[1]), 5):
        part.append(DOCUMENTS[1][index:index + 5])
    before = drawn(part._visual, 40)
    assert part._settled.blocks and part._visual.lines(40)
    part.finish()
    assert not part._settled.blocks and not part._settled.lines
    assert drawn(part._visual, 40) == before == drawn(MarkdownVisual(markdown_blocks(DOCUMENTS[1])), 40)


async def test_a_finished_part_draws_only_its_open_blocks_again_and_the_same_as_a_whole_render() -> None:
    async with Host().run_test(size=(60, 40)) as pilot:
        document = DOCUMENTS[0] + DOCUMENTS[5]
        part = await streamed(pilot, document, 11)
        width = part.content_region.width
        style = part.visual_style
        settled_strips = list(part._settled.strips[(width, style)])
        assert settled_strips
        # As at a stream's end: the last text goes in and the part is finished before it is drawn.
        part.append(" The end.")
        document += " The end."
        part.finish()
        finished = Visual.to_strips(part, part._visual, width, None, style)
        # The settled blocks' strips are the ones drawn while streaming, not drawn again.
        (kept,) = part._visual._settled.strips.values()
        assert len(kept) > len(settled_strips) and all(a is b for a, b in zip(kept, settled_strips, strict=False))
        whole = Visual.to_strips(part, MarkdownVisual(markdown_blocks(document)), width, None, style)
        assert [list(strip) for strip in finished] == [list(strip) for strip in whole]
        # Another width is drawn whole, and the same as one parse of the text.
        assert drawn(part._visual, 24) == drawn(MarkdownVisual(markdown_blocks(document)), 24)
        # A theme change drops the kept strips (they have the old colours).
        part.notify_style_update()
        assert not part._visual._settled.strips


async def test_an_append_that_adds_no_line_repaints_the_part_without_a_layout() -> None:
    async with Host().run_test(size=(60, 40)) as pilot:
        part = pilot.app.query_one(MarkdownPart)
        layouts: list[bool] = []
        refresh = part.refresh

        def spy(*regions: object, **options: bool) -> object:
            layouts.append(options.get("layout", False))
            return refresh(*regions, **options)  # type: ignore[arg-type]

        part.refresh = spy  # type: ignore[method-assign]
        part.append("A first")  # from nothing: a line more
        await pilot.pause()
        part.append(" few words")  # the same line
        await pilot.pause()
        part.append(" and then" + " more words" * 8)  # wraps onto a second line
        await pilot.pause()
        part.append(".")
        await pilot.pause()
        assert layouts == [True, False, True, False]
        assert part.size.height == part._visual.get_height(None, part.content_region.width) == 3
        text = [strip.text.rstrip() for strip in pilot.app.screen._compositor.render_strips()]
        whole = MarkdownVisual(markdown_blocks(part.source)).lines(part.content_region.width).plain.split("\n")
        assert text[: len(whole)] == [line.rstrip() for line in whole]


async def test_an_append_draws_again_only_the_open_lines_it_changed() -> None:
    async with Host().run_test(size=(40, 40)) as pilot:
        part = pilot.app.query_one(MarkdownPart)
        paragraph = "An open paragraph that goes on over several lines at this width, " * 3
        part.append(paragraph)  # one open block: nothing is settled yet
        await pilot.pause()
        width, style = part.content_region.width, part.visual_style
        assert part._settled.open is not None
        _, first, _, before = part._settled.open
        assert first == 0 and len(before) >= 4
        part.append("and on")
        await pilot.pause()
        _, _, _, after = part._settled.open
        # Only the last line changed: the lines above it are the strips drawn before.
        assert all(a is b for a, b in zip(after[:-2], before[:-2], strict=True))
        assert after[-2] is not before[-2] or after[-1] is not before[-1]
        drawn_now = Visual.to_strips(part, part._visual, width, None, style)
        whole = Visual.to_strips(part, MarkdownVisual(markdown_blocks(part.source)), width, None, style)
        assert [list(strip) for strip in drawn_now] == [list(strip) for strip in whole]
