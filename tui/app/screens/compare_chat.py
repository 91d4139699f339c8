"""One prompt to two targets, both answers streaming side by side, each with TTFT, tokens/s, total time,
tokens, finish reason and what it cost where the price is known.

The two sides go through the chat core's ``TurnRunner`` (readiness by the store, advice on failure);
nothing is ever started from here: a target that is not running says so and nothing is sent to it.
Each prompt is sent on its own (no history), so both sides answer exactly the same request.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Footer, Input, Static
from textual.worker import Worker

from tui.api import errors
from tui.api.domain import ChatEvent, ChatParams, Endpoint, ModelOption
from tui.app.bindings import bindings
from tui.app.context import AppContext
from tui.core import compare
from tui.core.chat import ChatTarget, Conversation, Turn, TurnState, figures
from tui.core.chat_turns import TurnRunner

SIDES = ("a", "b")


class AnswerSide(Vertical):
    """One side: its target, the answer as plain text (never markup), and its figures."""

    #: Seconds between redraws of a streaming answer.
    DRAW_INTERVAL: ClassVar[float] = 1 / 20

    def __init__(self, side: str) -> None:
        super().__init__(classes="compare-side", id=f"compare-{side}")
        self.side = side
        self.turn: Turn | None = None
        self.price = compare.Price()
        self._draw_timer: Timer | None = None

    def compose(self) -> ComposeResult:
        yield Static("", classes="compare-target", id=f"compare-target-{self.side}")
        with VerticalScroll(classes="compare-scroll"):
            yield Static("", classes="compare-answer", id=f"compare-answer-{self.side}")
        yield Static("", classes="compare-figures", id=f"compare-figures-{self.side}")

    def show_target(self, target: ChatTarget | None, price: compare.Price) -> None:
        self.price = price
        line = Text(f"{self.side.upper()}: ", style="bold")
        if target is None:
            line.append("no target (ctrl+t picks one)", style="yellow")
        else:
            line.append(target.label)
            line.append(f"  {target.model}", style="dim")
        self.query_one(f"#compare-target-{self.side}", Static).update(line)

    # TurnView

    def show_state(self) -> None:
        self._draw()

    def write(self, event: ChatEvent) -> None:
        # The whole answer is drawn again on each redraw: at most every DRAW_INTERVAL, never per token.
        if self._draw_timer is None:
            self._draw_timer = self.set_timer(self.DRAW_INTERVAL, self._timed_draw, name="compare draw")

    def _timed_draw(self) -> None:
        self._draw_timer = None
        self._draw()

    def show_progress(self, now: float) -> None:
        return None

    async def close_streams(self) -> None:
        if self._draw_timer is not None:
            self._draw_timer.stop()
            self._draw_timer = None
        self._draw()

    def _draw(self) -> None:
        turn = self.turn
        answer = Text()
        status = Text()
        if turn is not None:
            if turn.reasoning:
                answer.append(turn.reasoning + "\n\n", style="dim italic")
            answer.append(turn.content)
            if turn.advice is not None:
                answer.append(f"\n{turn.advice.title}: {turn.advice.detail} {turn.advice.hint}", style="yellow")
            elif turn.state is TurnState.NEEDS_START:
                answer.append("\nNot running: nothing was sent (start it from the Endpoints pane).", style="yellow")
            status.append(f"{turn.state} ", style="bold")
            if turn.metrics is not None:
                status.append(" · ".join(figures(turn.metrics)))
                if turn.state is TurnState.DONE:
                    status.append(f" · {self.price.answer_cost(turn)}")
        self.query_one(f"#compare-answer-{self.side}", Static).update(answer)
        self.query_one(f"#compare-figures-{self.side}", Static).update(status)


class CompareChatScreen(Screen[None]):
    BINDINGS: ClassVar[list[BindingType]] = list(bindings("compare_chat"))
    DEFAULT_CSS = """
    CompareChatScreen { layout: vertical; }
    #compare-title { height: 1; background: $panel; padding: 0 1; text-style: bold; }
    #compare-columns { height: 1fr; }
    .compare-side { width: 1fr; border: round $primary 50%; padding: 0 1; }
    .compare-target { height: auto; max-height: 2; }
    .compare-scroll { height: 1fr; }
    .compare-figures { height: auto; max-height: 4; color: $text-muted; }
    #compare-prompt { height: 3; }
    """

    def __init__(self, context: AppContext, endpoint: Endpoint | None = None, deployment_id: str | None = None) -> None:
        super().__init__()
        self.context = context
        #: One runner a side: each side's figures on its own clock (tests script them one by one).
        self.runners = {
            side: TurnRunner(context.provider, context.store, context.catalog, say=self._say) for side in SIDES
        }
        self.models: list[ModelOption] = []
        self.choices = compare.targets(context.store.endpoints.values())
        self.a, self.b = compare.first_pair(self.choices, endpoint.id if endpoint else None, deployment_id)
        self.rounds: list[tuple[Turn, Turn]] = []
        self.last_prompt: str | None = None
        self._workers: list[Worker[None]] = []

    def compose(self) -> ComposeResult:
        yield Static(Text("Side by side · one prompt, two targets, the same request to both"), id="compare-title")
        with Horizontal(id="compare-columns"):
            yield AnswerSide("a")
            yield AnswerSide("b")
        yield Input(placeholder="Prompt for both (enter sends)", id="compare-prompt")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.query_one("#compare-prompt", Input).focus()
        self._show_targets()
        self.run_worker(self._load_models(), group="compare-models", exit_on_error=False)

    async def _load_models(self) -> None:
        try:
            self.models = [m for m in await self.context.catalog.models() if m.is_chat]
        except errors.APIError:
            return
        self.choices = compare.targets(self.context.store.endpoints.values(), self.models)

    def side(self, name: str) -> AnswerSide:
        return self.query_one(f"#compare-{name}", AnswerSide)

    def _show_targets(self) -> None:
        endpoints = dict(self.context.store.endpoints)
        models = {m.id: m for m in self.models}
        for name, target in (("a", self.a), ("b", self.b)):
            price = compare.price_of(target, endpoints, models) if target is not None else compare.Price()
            self.side(name).show_target(target, price)

    @property
    def busy(self) -> bool:
        return any(w.is_running for w in self._workers)

    # Sending

    async def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        prompt = event.value.strip()
        if prompt:
            event.input.clear()
            self.send(prompt)

    def send(self, prompt: str) -> None:
        if self.busy:
            self.notify("Both answers are still coming: escape stops them.", severity="warning")
            return
        if self.a is None or self.b is None:
            self.notify("Pick two targets first (ctrl+t).", severity="warning")
            return
        self._show_targets()
        chat = self.context.config.chat
        params = ChatParams(temperature=chat.temperature, max_tokens=chat.max_tokens, top_p=chat.top_p)
        turns = (Turn(prompt=prompt, target=self.a, params=params), Turn(prompt=prompt, target=self.b, params=params))
        self.rounds.append(turns)
        self.last_prompt = prompt
        self._workers = []
        for name, turn in zip(SIDES, turns, strict=True):
            view = self.side(name)
            view.turn = turn
            # Follows the answer as it grows, as the chat pane does, until the user scrolls up.
            view.query_one(".compare-scroll", VerticalScroll).anchor()
            conversation = Conversation(system_prompt=chat.system_prompt)
            conversation.add(turn)
            view.show_state()
            self._workers.append(
                self.run_worker(
                    self.runners[name].run(conversation, turn, view), group=f"compare-{name}", exit_on_error=False
                )
            )
        said = Text("Sent ", style="bold")
        said.append(f"{prompt[:60]!r} to A ({self.a.label}) and B ({self.b.label})")
        self.query_one("#compare-title", Static).update(said)

    def _say(self, message: str, severity: str) -> None:
        self.notify(message, severity=severity, markup=False)  # type: ignore[arg-type]

    # Actions

    def action_close(self) -> None:
        if self.busy:
            for worker in self._workers:
                worker.cancel()
            self.notify("Stopped both answers (what arrived stays).")
            return
        self.app.pop_screen()

    def action_pick_target(self) -> None:
        if self.busy:
            return
        self.b = compare.next_target(self.choices, self.b, skip=self.a)
        self._show_targets()

    def action_swap(self) -> None:
        if self.busy:
            return
        self.a, self.b = self.b, self.a
        self._show_targets()

    def action_repeat(self) -> None:
        if self.last_prompt is None:
            self.notify("Nothing to repeat yet.", severity="warning")
            return
        self.send(self.last_prompt)

    def action_export(self) -> None:
        if not self.rounds:
            self.notify("Nothing to export yet.", severity="warning")
            return
        from tui.app.screens.export_chat import ExportChatScreen

        self.app.push_screen(ExportChatScreen("side-by-side.md"), callback=self._write_export)

    def _write_export(self, path: Path | None) -> None:
        if path is None:
            return
        text = compare.markdown(self.rounds)

        async def write() -> None:
            try:
                await asyncio.to_thread(path.write_text, text, encoding="utf-8")
            except OSError as exc:
                self.notify(f"Could not write {path}: {exc.strerror}", severity="error", markup=False)
                return
            self.notify(f"Saved both answers to {path}", markup=False)

        self.run_worker(write(), group="compare-export", exit_on_error=False)
