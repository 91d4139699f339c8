"""The answer view under a fast stream: events are buffered and fed in batches, an answer is a few
``MarkdownPart`` widgets (not a widget per Markdown block), and its text stays whole (issue 16)."""

from __future__ import annotations

from datetime import UTC, datetime

from apptools import make_app
from test_chat_pane import endpoint_for, open_chat, send, view_of
from textual.app import App, ComposeResult
from textual.widgets import Markdown

from tui.api.domain import ChatEvent, ChatParams
from tui.app.widgets.chat_message import AssistantMessage
from tui.app.widgets.markdown_view import MarkdownPart, MarkdownVisual, markdown_blocks
from tui.core.chat import ChatTarget, Turn, TurnState
from tui.core.chat_text import conversation_markdown
from tui.simulator import SimulatorServer


class Host(App[None]):
    def __init__(self, view: AssistantMessage) -> None:
        super().__init__()
        self.view = view

    def compose(self) -> ComposeResult:
        yield self.view


def a_turn() -> Turn:
    return Turn(prompt="p", target=ChatTarget("model", "Model", "model"), params=ChatParams())


def paragraphs(words: int) -> list[str]:
    return [f"w{i}" + ("\n\n" if i % 25 == 24 else " ") for i in range(words)]


async def test_a_burst_of_events_is_buffered_and_fed_in_one_append() -> None:
    view = AssistantMessage(a_turn())
    async with Host(view).run_test(size=(80, 24)) as pilot:
        tokens = paragraphs(3000)
        for token in tokens:
            view.write(ChatEvent(content=token))
        # The first token goes in at once (nothing was appended lately); the rest of the burst only
        # buffers: nothing was parsed or laid out per event.
        assert view.flushes == 1 and view.answer_source == tokens[0]
        await view.close_streams()
        assert view.flushes == 2
        assert view.answer_source == "".join(tokens)
        more = paragraphs(10)
        view._flush_interval = 3600  # as under load: the next append is a while off
        for token in more:
            view.write(ChatEvent(reasoning=token))
        # Soon after an append: buffered for the timer, whatever the number of events.
        assert view.flushes == 2 and view.reasoning_source == ""
        await view.close_streams()
        await view.close_streams()  # nothing pending: no append
        assert view.flushes == 3 and view.reasoning_source == "".join(more)
        await pilot.pause()
        parts = list(view.query(MarkdownPart))
        answer = view.query_one("#answer-text")
        # Several parts of bounded size, one widget each; no Markdown widget tree.
        assert len(answer.children) >= 5 and all(isinstance(part, MarkdownPart) for part in answer.children)
        assert len(parts) == len(answer.children) + 1  # and the reasoning's one
        assert not view.query(Markdown)


async def test_a_finished_long_answer_is_a_few_widgets_with_its_text_whole(sim_server: SimulatorServer) -> None:
    endpoint = await endpoint_for(sim_server, "Qwen/Qwen2.5-7B-Instruct-Turbo")
    app = make_app(sim_server)
    async with app.run_test(size=(100, 30)) as pilot:
        pane = await open_chat(pilot, endpoint)
        await send(pilot, "Write at length [sim:tokens=1000]")
        turn = pane.conversation.last
        assert turn is not None and turn.state is TurnState.DONE and len(turn.content) > 3_000
        view = view_of(pane)
        assert view.answer_source == turn.content
        widgets = list(view.query("*"))
        parts = view.query_one("#answer-text").children
        # The answer's widgets: its header, notice, figures... and one per part (not one per block).
        assert len(widgets) <= 16 + len(parts)
        shown = "".join(part.plain for part in view.query(MarkdownPart))
        last_words = turn.content.split()[-3:]
        assert all(word.strip("*`.,:") in shown for word in last_words)
        exported = conversation_markdown(pane.conversation, datetime(2026, 1, 1, tzinfo=UTC))
        assert turn.content.rstrip() in exported


def lines_at(source: str, width: int) -> list[str]:
    return MarkdownVisual(markdown_blocks(source)).lines(width).plain.split("\n")


def test_list_items_wrap_under_their_text_and_code_is_folded_not_rewrapped() -> None:
    source = "- one two three four five six seven eight nine ten\n- b\n\n```\nabcdefghijklmnopqrstuvwxyz\n```\n"
    lines = lines_at(source, 20)
    assert lines[0].startswith("• one two")
    assert lines[1].startswith("  ") and not lines[1].startswith("   ")  # the hanging indent of the bullet
    assert "• b" in lines
    code = [line for line in lines if line.startswith("abc") or line.startswith("uvw")]
    assert [line.rstrip() for line in code] == ["abcdefghijklmnopqrst", "uvwxyz"]
    assert all(len(line) <= 20 for line in lines)


def test_markup_and_numbers_in_an_answer_are_text() -> None:
    lines = lines_at("1. [bold]x[/] and [@click=app.quit]q[/]\n2. second\n\n> quoted\n\n# Title\n", 60)
    assert lines[0] == "1. [bold]x[/] and [@click=app.quit]q[/]"
    assert lines[1] == "2. second"
    assert "▌ quoted" in lines and "Title" in lines
