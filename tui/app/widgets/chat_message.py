"""One message of the conversation: the user's prompt, or an answer that streams in.

An answer is a ``StreamedDocument`` of a few ``MarkdownPart`` widgets (one widget per couple of
thousand characters, not one per Markdown block: see ``markdown_view``), with the reasoning in its own
collapsible block above it. The stream only appends to a buffer here; the documents are fed on a
timer (at once for the first token, then a few times a second, and a last time when the stream ends),
so reading the stream never waits for drawing. Imported only when the first message is shown.
"""

from __future__ import annotations

import time
from typing import ClassVar

from textual.app import ComposeResult
from textual.color import Color
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.css.query import NoMatches
from textual.message import Message
from textual.timer import Timer
from textual.widgets import Button, Collapsible, Static

from tui.api.domain import ChatEvent
from tui.app.widgets.chat_lines import Line
from tui.app.widgets.chat_notice import STATE_BADGES, next_step_label, notice_text
from tui.app.widgets.markdown_view import StreamedDocument
from tui.core.chat import Turn, TurnState, figures_line
from tui.core.format import format_timing


class UserMessage(Vertical):
    """The prompt as typed (plain text: a prompt is not rendered as Markdown)."""


    def __init__(self, prompt: str) -> None:
        super().__init__(classes="chat-message")
        self.prompt = prompt

    def compose(self) -> ComposeResult:
        yield Line(Content.styled("You", "bold"), classes="message-header")
        yield Line(Content(self.prompt), classes="user-text")


class TargetDivider(Line):
    """Marks where the conversation moved to another target."""

    def __init__(self, label: str, model: str) -> None:
        # The history goes along with the next prompt (its tokens are billed): say so, and how not to.
        super().__init__(
            Content.assemble(
                "── now chatting with ", (label, "bold"), f" ({model}) · the conversation above is sent too;"
                " ctrl+n starts afresh ──"
            )
        )


class ReasoningBlock(Collapsible):
    """The model's reasoning, collapsed once the answer starts.

    Unlike a plain Collapsible it does not scroll itself into view when it folds: that would pull
    the conversation away from the bottom and stop it following the stream.
    """

    def _watch_collapsed(self, collapsed: bool) -> None:
        self._update_collapsed(collapsed)
        self.post_message(self.Collapsed(self) if collapsed else self.Expanded(self))


class AssistantMessage(Vertical):
    """An answer: header, reasoning, Markdown body, then the figures or what went wrong."""

    class StartRequested(Message):
        """The user pressed "Start endpoint and send" under a prompt waiting for its endpoint."""

    class WaitCancelled(Message):
        """The user gave up on a prompt waiting for its endpoint."""

    class NextStepRequested(Message):
        """The user pressed the button under a prompt that was not sent ("Redeploy on v2", "Edit traffic split")."""

    DEFAULT_CLASSES = "chat-message"
    #: Seconds between live updates of the figures line while streaming.
    PROGRESS_INTERVAL: ClassVar[float] = 0.25
    #: Shortest and longest time between appends to the documents while streaming: at the shortest, with
    #: an append and its screen update of a few milliseconds, the screen stays within 100 ms of the stream.
    FLUSH_INTERVAL: ClassVar[float] = 1 / 12
    MAX_FLUSH_INTERVAL: ClassVar[float] = 1 / 4
    #: Share of the time an append and its screen update may take: the rest is the stream's.
    DRAW_SHARE: ClassVar[float] = 0.25

    def __init__(self, turn: Turn) -> None:
        super().__init__()
        self.turn = turn
        self._answer_started = False
        self._reasoning_started = False
        self._pending_content: list[str] = []
        self._pending_reasoning: list[str] = []
        self._last_flush = float("-inf")
        self._flush_timer: Timer | None = None
        self._flush_interval = self.FLUSH_INTERVAL
        self._flush_started_cpu: float | None = None
        self._last_progress = float("-inf")
        #: The stream's clock at its last event (the runner's, for the live line).
        self._progress_at: float | None = None
        #: Built here, not queried: the stream may write before the message is composed.
        self._answer = StreamedDocument(id="answer-text")
        self._reasoning = StreamedDocument(id="reasoning-text")
        #: Mounted when the first reasoning arrives: most models send none.
        self._reasoning_block: ReasoningBlock | None = None
        self._border: str | None = None
        #: Flushes into the documents so far (tests bound the screen updates per batch by it).
        self.flushes = 0

    def compose(self) -> ComposeResult:
        with Horizontal(classes="message-header", id="answer-header"):
            yield Line(Content.styled(self.turn.target.label, "bold"), id="answer-title")
            yield Line(id="answer-state")
        yield self._answer
        yield Line(id="answer-notice")
        # Their buttons are mounted the first time they are offered: most answers never need them, and
        # styling three buttons was a good part of what mounting an answer cost.
        yield Horizontal(id="start-offer")
        yield Horizontal(id="next-step")
        yield Line(id="answer-progress")
        yield Line(id="answer-figures")

    def on_mount(self) -> None:
        if self._reasoning_started:
            self._show_reasoning()
            if self._answer_started:
                self._fold_reasoning()
        self.show_state()
        # On a loaded machine the header's children can still be mounting here (the benchmark saw
        # NoMatches): show the state again once they are all on screen.
        self.call_after_refresh(self.show_state)

    # Streaming

    def write(self, event: ChatEvent) -> None:
        """Take one streamed event: into the documents at once when the last append is long enough ago
        (the first token, the first after a pause), else buffered for a timer.

        Every append re-parses the answer's open block and lays the conversation out, which costs far
        more than a token: batching keeps the pane ahead of fast endpoints (thousands of tokens/s) and
        coalesces only under load. The appends are at most every flush interval, 1/12 s or what the
        last append and its screen update cost over DRAW_SHARE (up to MAX_FLUSH_INTERVAL), as in a long
        conversation or on a slow machine. Real time, not the pane's injectable clock: this paces the
        screen, it is no figure.
        """
        if event.reasoning:
            self._pending_reasoning.append(event.reasoning)
        if event.content:
            self._pending_content.append(event.content)
        if self._flush_timer is None and (self._pending_content or self._pending_reasoning):
            wait = self._last_flush + self._flush_interval - time.perf_counter()
            if wait <= 0 and self.is_mounted:
                # Idle: a timer would only add its wait and a turn of the loop to the first token's way.
                self._timed_flush()
            else:
                # Never 0: a Textual timer of no interval divides by it and dies silently.
                self._flush_timer = self.set_timer(max(wait, 0.001), self._timed_flush, name="chat flush")

    def _timed_flush(self) -> None:
        self._flush_timer = None
        if self._flush_started_cpu is None:
            self._flush_started_cpu = time.process_time()
            self.call_after_refresh(self._pace)
        self.flush()

    def _pace(self) -> None:
        """Space the appends by what the last one cost, append and screen update together.

        CPU time, not wall time: on a loaded machine the wall clock stretches for every process,
        and an interval that followed it would draw more often just when there is least to spare.
        """
        started, self._flush_started_cpu = self._flush_started_cpu, None
        if started is None:
            return
        cost = time.process_time() - started
        self._flush_interval = min(max(cost / self.DRAW_SHARE, self.FLUSH_INTERVAL), self.MAX_FLUSH_INTERVAL)

    def flush(self) -> None:
        """Put what waits into the documents (one append each, whatever the number of events)."""
        if self._flush_timer is not None:
            self._flush_timer.stop()
            self._flush_timer = None
        if not (self._pending_reasoning or self._pending_content):
            return
        self.flushes += 1
        if self._pending_reasoning:
            reasoning = "".join(self._pending_reasoning)
            self._pending_reasoning.clear()
            if not self._reasoning_started:
                self._reasoning_started = True
                if self.is_mounted:
                    self._show_reasoning()
            self._reasoning.write(reasoning)
        if self._pending_content:
            content = "".join(self._pending_content)
            self._pending_content.clear()
            if not self._answer_started:
                self._answer_started = True
                if self._reasoning_started and self.is_mounted:
                    self._fold_reasoning()
            self._answer.write(content)
        self._last_flush = time.perf_counter()
        self._show_progress()

    @property
    def answer_source(self) -> str:
        """The answer's Markdown as shown, across its parts."""
        return self._answer.source

    @property
    def reasoning_source(self) -> str:
        return self._reasoning.source

    def _show_reasoning(self) -> None:
        if self._reasoning_block is None:
            self._reasoning_block = ReasoningBlock(self._reasoning, title="Reasoning", collapsed=False, id="reasoning")
            self.mount(self._reasoning_block, before=self._answer)

    def _fold_reasoning(self) -> None:
        block = self._reasoning_block
        if block is None:
            return
        block.collapsed = True
        metrics = self.turn.metrics
        took = ""
        if metrics is not None and metrics.first_token is not None and metrics.first_content is not None:
            took = f", {format_timing(metrics.first_content - metrics.first_token)}"
        words = len(self.turn.reasoning.split())
        block.title = f"Reasoning ({words:,} words{took})"

    async def close_streams(self) -> None:
        """Flush what is pending into the documents; safe to call more than once."""
        self.flush()
        # The stream is over: what the last parts kept for appends is only memory now.
        self._answer.finish()
        self._reasoning.finish()

    async def reset(self) -> None:
        """Clear a previous attempt before a retry."""
        self.flush()
        self._last_flush = float("-inf")
        self._answer_started = self._reasoning_started = False
        await self._answer.clear()
        if self._reasoning_block is not None:
            await self._reasoning_block.remove()
            self._reasoning_block = None
        self._reasoning = StreamedDocument(id="reasoning-text")
        self.show_state()

    def show_progress(self, now: float) -> None:
        """The live line while an answer streams, at most every PROGRESS_INTERVAL seconds.

        With an append coming, drawn with it: one screen update for both, not one more of its own.
        """
        self._progress_at = now
        if self._flush_timer is None:
            self._show_progress()

    def _show_progress(self) -> None:
        now = self._progress_at
        if now is None or now - self._last_progress < self.PROGRESS_INTERVAL or not self.is_mounted:
            return
        self._last_progress = now
        metrics = self.turn.metrics
        if metrics is None:
            return
        parts = [f"{metrics.completion_tokens:,} tok"]
        speed = metrics.tokens_per_second(now)
        if speed is not None:
            parts.append(f"{speed:,.1f} tok/s")
        if metrics.ttft is not None:
            parts.append(f"TTFT {format_timing(metrics.ttft)}")
        # One line of fixed height: repainting it needs no layout of the conversation.
        progress = Content.styled("answering… " + " · ".join(parts), "dim")
        self.query_one("#answer-progress", Static).update(progress, layout=False)

    # State

    def show_state(self) -> None:
        try:
            self._show_state()
        except NoMatches:
            if self.is_attached:
                self.call_after_refresh(self.show_state)

    #: The answer's left border while it is in these states (the CSS one otherwise), by theme colour.
    BORDER_COLOURS: ClassVar[dict[TurnState, str]] = {
        TurnState.STREAMING: "accent", TurnState.FAILED: "error", TurnState.STOPPED: "warning",
    }

    def _show_state(self) -> None:
        turn = self.turn
        glyph, word, style = STATE_BADGES[turn.state]
        # One line each, the title as wide as the header leaves it: only a state of another width moves
        # anything (a stream's start and end are then repaints, not layouts of the screen).
        self.query_one("#answer-title", Line).show(Content.styled(turn.target.label, "bold"), layout=False)
        self.query_one("#answer-state", Line).show(Content.styled(f"{glyph} {word}", style))
        self._show_border(self.BORDER_COLOURS.get(turn.state))
        self._keep_first_lines(turn.state is TurnState.STREAMING and not self._answer_started)

        notice = self.query_one("#answer-notice", Static)
        notice_content = notice_text(turn, read_only=self._read_only)
        if notice_content is not None:
            notice.update(notice_content)
        notice.display = notice_content is not None
        notice.set_class(turn.state is TurnState.FAILED, "-failed")

        offer = self.query_one("#start-offer")
        offered = turn.state is TurnState.NEEDS_START and not self._read_only
        if offered and not offer.children:
            offer.mount_all([
                Button("Start endpoint and send", id="start-endpoint", variant="primary",
                       tooltip="Start the endpoint (billing begins) and send this prompt once it is ready"),
                Button("Cancel", id="cancel-wait", tooltip="Drop this prompt"),
            ])
        offer.display = offered
        for button in offer.query("#start-endpoint").results(Button):
            button.disabled = turn.state is not TurnState.NEEDS_START
        label = next_step_label(turn)
        step = self.query_one("#next-step")
        step.display = label is not None and not self._read_only
        if label is not None:
            if not step.children:
                step.mount(Button(label, id="next-step-button", variant="primary",
                                  tooltip="Open the form that fixes this (nothing changes until you confirm there)"))
            else:
                step.query_one("#next-step-button", Button).label = label

        self.query_one("#answer-progress").display = turn.state is TurnState.STREAMING
        figures_widget = self.query_one("#answer-figures", Static)
        if turn.metrics is not None and turn.state.finished and turn.metrics.first_token is not None:
            line = figures_line(turn.metrics)
            figures_widget.update(Content.styled(line, "dim"))
            figures_widget.display = bool(line)
        else:
            figures_widget.display = False

    #: Lines kept for the answer before its first token: a paragraph's first line and the gap after it.
    FIRST_LINES: ClassVar[int] = 2

    def _keep_first_lines(self, keep: bool) -> None:
        """While the answer streams and no text came yet, its first lines are kept for it: the first token
        then fills lines already laid out (a repaint, not a layout of the screen on its way)."""
        part = self._answer.parts[0]
        if (part.styles.min_height is not None) != keep:
            part.styles.min_height = self.FIRST_LINES if keep else None

    def _show_border(self, colour: str | None) -> None:
        # An inline style, not a class: a class change restyles every widget of the answer.
        if colour == self._border:
            return
        self._border = colour
        value = self.app.theme_variables.get(colour) if colour is not None else None
        if value is None:
            # Unlike setting a rule, clearing one asks for no repaint: without this the old colour stayed
            # until something else happened to redraw the answer.
            self.styles.clear_rule("border_left")
            self.refresh()
        else:
            self.styles.border_left = ("outer", Color.parse(value))

    @property
    def _read_only(self) -> bool:
        return bool(getattr(self.app, "read_only", False))

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "start-endpoint":
            self.post_message(self.StartRequested())
        elif event.button.id == "cancel-wait":
            self.post_message(self.WaitCancelled())
        elif event.button.id == "next-step-button":
            self.post_message(self.NextStepRequested())

    def focus_start_offer(self) -> None:
        for button in self.query("#start-endpoint").results(Button):
            button.focus()
