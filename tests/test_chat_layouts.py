"""How often a chat turn lays the screen out (issue 16): a layout of the whole screen is what a turn costs
most, so the exchange mounts in one, and the first token fills lines already laid out for it.

Driven as a user drives the pane (a prompt sent from its box) on an in-memory provider whose stream gives
each event only when the test says so; layouts are counted, never timed.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import pytest
from apptools import settle
from fakes import FakeProvider
from test_chat_pane import view_of, wait_until
from test_chat_routing import make_app
from textual.pilot import Pilot
from textual.widget import Widget

from tui.api.domain import ChatEvent, ChatMessage, ChatParams, ModelOption
from tui.app.panes.chat import ConversationLog, PromptInput
from tui.app.widgets.key_bar import KeyBar
from tui.app.widgets.markdown_view import MarkdownPart
from tui.core.chat import ChatTarget, TurnState

MODEL = "meta-llama/Llama-3.3-70B-Instruct-Turbo"


@dataclass
class GatedProvider(FakeProvider):
    """Streams what the test puts in ``events`` (None ends the stream)."""

    events: asyncio.Queue[ChatEvent | None] = field(default_factory=asyncio.Queue)
    streaming: asyncio.Event = field(default_factory=asyncio.Event)

    async def stream_chat(
        self, model: str, messages: Sequence[ChatMessage], params: ChatParams | None = None
    ) -> AsyncIterator[ChatEvent]:
        self.streaming.set()
        while (event := await self.events.get()) is not None:
            yield event


class Layouts:
    """The screen's layouts from now on, and the layouts that the conversation's widgets ask for."""

    def __init__(self, pilot: Pilot[None], monkeypatch: pytest.MonkeyPatch,
                 probe: Callable[[], bool] = lambda: True) -> None:
        screen: Any = pilot.app.screen
        self.log = pilot.app.query_one(ConversationLog)  # type: ignore[attr-defined]
        #: Per screen layout: whether every widget of the conversation was mounted by then.
        self.screen: list[bool] = []
        #: Per screen layout: what ``probe`` said as it began.
        self.probed: list[bool] = []
        #: The conversation's widgets that asked for a layout once the screen was first laid out.
        self.asked: list[str] = []
        layout = screen._refresh_layout

        def counted(*args: Any, **kwargs: Any) -> None:
            self.screen.append(all(widget.is_mounted for widget in self.log.walk_children()))
            self.probed.append(probe())
            layout(*args, **kwargs)

        screen._refresh_layout = counted
        refresh = Widget.refresh
        log = self.log

        def spied(widget: Widget, *regions: Any, **options: Any) -> Any:
            if options.get("layout") and self.screen and log in widget.ancestors:
                self.asked.append(type(widget).__name__)
            return refresh(widget, *regions, **options)

        monkeypatch.setattr(Widget, "refresh", spied)


async def chat_ready(pilot: Pilot[None]) -> Any:
    app: Any = pilot.app
    await settle(pilot)
    app.action_show_pane("chat")
    await settle(pilot)
    pane = app.chat_pane
    pane.set_target(ChatTarget.for_model(ModelOption(id=MODEL, kind="chat")))
    prompt = pane.query_one(PromptInput)
    prompt.focus()
    prompt.insert("Say something")
    await settle(pilot)
    return pane


async def quiet(pilot: Pilot[None]) -> None:
    """Until the screen has nothing left to lay out or draw (a streaming turn keeps a worker busy)."""
    for _ in range(5):
        await pilot.pause(0.02)
    screen: Any = pilot.app.screen
    await wait_until(lambda: not (screen._layout_required or screen._dirty_widgets))
    await pilot.pause(0.02)


async def test_a_prompt_and_its_first_token_cost_one_layout_of_the_screen(monkeypatch: pytest.MonkeyPatch) -> None:
    provider = GatedProvider.with_endpoints()
    async with make_app(provider).run_test(size=(100, 30)) as pilot:
        pane = await chat_ready(pilot)
        # A first exchange, so that the footer holds the keys a conversation brings (its first keys'
        # own sizes are Textual's footer's business).
        pane.query_one(PromptInput).action_send()
        await wait_until(provider.streaming.is_set)
        provider.events.put_nowait(ChatEvent(content="First."))
        provider.events.put_nowait(None)
        await wait_until(lambda: pane.conversation.last.state is TurnState.DONE)
        await quiet(pilot)
        provider.streaming.clear()
        pane.query_one(PromptInput).insert("And again")
        await quiet(pilot)
        layouts = Layouts(pilot, monkeypatch)
        pane.query_one(PromptInput).action_send()
        await wait_until(provider.streaming.is_set)
        await quiet(pilot)
        # The exchange laid out once it is whole: its widgets mount level by level, and without a batch
        # the screen was laid out between the levels (the first token then came with the rest).
        assert layouts.screen and layouts.screen[0]
        # ... and once only: each new line's first size asked for one more layout of the screen, and so
        # did the footer's esc Stop when it was a widget (the key bar repaints its line).
        assert layouts.asked == []
        assert len(layouts.screen) == 1
        view = view_of(pane)
        part = view.query_one(MarkdownPart)
        assert part.size.height == view.FIRST_LINES  # kept for the first token
        provider.events.put_nowait(ChatEvent(content="Hello"))
        await wait_until(lambda: view.answer_source == "Hello")
        await quiet(pilot)
        # The first token fills the lines kept for it: a repaint, no layout on its way to the screen.
        assert layouts.asked == []
        assert "Hello" in part.plain
        before = len(layouts.screen)
        provider.events.put_nowait(None)
        await wait_until(lambda: pane.conversation.last.state is TurnState.DONE)
        await quiet(pilot)
        assert view.answer_source == "Hello"
        # The end (the figures, the state) in one layout; the keys' change (esc Stop goes, ^r Retry comes)
        # is a repaint of the key bar's line (as widgets, the new key's first size asked for one more).
        assert len(layouts.screen) - before == 1
        keys = [key.key for key in pilot.app.screen.query_one(KeyBar).keys]
        assert "ctrl+r" in keys and "escape" not in keys


async def test_the_request_is_out_before_the_exchange_is_laid_out(monkeypatch: pytest.MonkeyPatch) -> None:
    provider = GatedProvider.with_endpoints()
    async with make_app(provider).run_test(size=(100, 30)) as pilot:
        pane = await chat_ready(pilot)
        layouts = Layouts(pilot, monkeypatch, probe=provider.streaming.is_set)
        app: Any = pilot.app
        end_batch = app._end_batch

        def lay_out_at_once() -> None:
            # As when the screen's frame is due the moment the exchange's batch ends (a busy loop).
            end_batch()
            if not app._batch_count:
                app.screen._on_timer_update()

        monkeypatch.setattr(app, "_end_batch", lay_out_at_once)
        pane.query_one(PromptInput).action_send()
        await wait_until(provider.streaming.is_set)
        await quiet(pilot)
        # The request was out before the screen laid the exchange out: after it, it went as late as the
        # layout took (and every token with it).
        assert layouts.probed and layouts.probed[0]


async def test_an_answer_that_never_came_keeps_no_blank_lines() -> None:
    provider = GatedProvider.with_endpoints()
    async with make_app(provider).run_test(size=(100, 30)) as pilot:
        pane = await chat_ready(pilot)
        pane.query_one(PromptInput).action_send()
        await wait_until(provider.streaming.is_set)
        await quiet(pilot)
        view = view_of(pane)
        part = view.query_one(MarkdownPart)
        assert part.size.height == view.FIRST_LINES
        await pilot.press("escape")  # stopped before any token
        await wait_until(lambda: pane.conversation.last.state is TurnState.STOPPED)
        await quiet(pilot)
        assert view.answer_source == "" and part.size.height == 0
