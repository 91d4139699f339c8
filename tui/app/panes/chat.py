"""The Chat pane: check that an endpoint (or a serverless model) answers, and how fast.

A turn goes: (for an endpoint) make sure it is STARTED, offering to start it and queueing the prompt
until it is; then stream the answer into its own Markdown widget, reasoning first; then show TTFT,
tokens/s and the usage under it. Every failure keeps what arrived, says what happened and can be
retried with ``ctrl+r``. Timings use ``perf_counter`` (an attribute, so tests can script the clock).
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import inspect
import time
from typing import TYPE_CHECKING, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.dom import DOMNode
from textual.message import Message
from textual.widgets import Input, Select, Static
from textual.worker import Worker, WorkerCancelled, WorkerFailed

from tui.api.domain import Endpoint, ModelOption, Phase
from tui.api.errors import APIError, AuthenticationError, NotFoundError
from tui.app.chat_start import StartCost, start_cost
from tui.app.conversation import (
    ChatTarget,
    Clock,
    Conversation,
    ErrorAdvice,
    Readiness,
    StreamMetrics,
    Turn,
    TurnState,
    advise,
    readiness,
    smoke_test,
)
from tui.app.widgets.chat_params import ChatOptions, ChatParamsPanel, InvalidParameter, options_summary
from tui.app.widgets.chat_prompt import EMPTY_TEXT, ConversationLog, PromptInput
from tui.app.widgets.chat_target import TargetBar, TargetPicker

if TYPE_CHECKING:
    from pathlib import Path

    from tui.app.app import TogetherApp
    from tui.app.widgets.chat_message import AssistantMessage

class ChatPane(Vertical):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+t", "choose_target", "Target", id="chat.target",
                tooltip="Choose the endpoint or serverless model to chat with"),
        Binding("escape", "stop", "Stop", id="chat.stop",
                tooltip="Stop the answer now (what arrived stays) or drop a queued prompt"),
        Binding("ctrl+g", "start_endpoint", "Start endpoint", id="chat.start_endpoint",
                tooltip="Start the stopped endpoint and send the prompt once it is ready"),
        Binding("ctrl+r", "retry", "Retry", id="chat.retry", tooltip="Send the last prompt again"),
        Binding("y", "copy_answer", "Copy answer", id="chat.copy",
                tooltip="Copy the last answer to the clipboard (OSC 52, works over SSH)"),
        Binding("ctrl+s", "export", "Export", id="chat.export",
                tooltip="Save the conversation as a Markdown file"),
        Binding("ctrl+o", "toggle_options", "Options", id="chat.options",
                tooltip="System prompt, temperature, max tokens, top_p, reasoning effort"),
        Binding("ctrl+n", "new_chat", "New chat", id="chat.new", show=False,
                tooltip="Clear the conversation (the target and options stay)"),
        Binding("i", "focus_prompt", "Write", id="chat.prompt", show=False,
                tooltip="Move to the prompt box"),
        Binding("ctrl+k", "smoke_test", "Smoke test", id="chat.smoke_test", show=False,
                tooltip="Send a short fixed prompt to the target and report TTFT and tokens/s"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.conversation = Conversation()
        self.target: ChatTarget | None = None
        #: Monotonic clock for every figure and deadline; tests replace it with a scripted one.
        self.perf_counter: Clock = time.perf_counter
        #: Seconds between state checks while a prompt waits for its endpoint.
        self.readiness_poll_interval = 2.0
        #: How long a just-started endpoint may still read STOPPED before the start counts as refused.
        self.start_grace = 30.0
        self._target_endpoint: Endpoint | None = None
        self._endpoints: list[Endpoint] = []
        self._models: list[ModelOption] = []
        self._targets_requested = False
        self._views: dict[int, AssistantMessage] = {}
        self._turn_worker: Worker[None] | None = None
        self._endpoint_news: asyncio.Event | None = None
        self._options_error: str | None = None

    @property
    def tui(self) -> TogetherApp:
        return self.app  # type: ignore[return-value]

    def compose(self) -> ComposeResult:
        yield TargetBar(id="chat-target")
        yield TargetPicker(id="target-picker")
        with ConversationLog(id="conversation"):
            yield Static(EMPTY_TEXT, id="chat-empty")
        yield ChatParamsPanel(self.tui.config.chat, id="chat-options")
        yield PromptInput(id="chat-prompt", soft_wrap=True,
                          placeholder="Ask something… (enter sends, shift+enter or ctrl+j: new line)")
        yield Static(id="chat-summary")

    def on_mount(self) -> None:
        self._endpoint_news = asyncio.Event()
        self.query_one(TargetPicker).display = False
        self.query_one(ChatParamsPanel).display = False
        self._update_summary()
        self._watch_endpoints_pane()

    def _watch_endpoints_pane(self) -> None:
        """Follow the Endpoints pane's polls, when it publishes them, to keep the target's state fresh."""
        pane = self._endpoints_pane()
        if isinstance(pane, DOMNode) and "generation" in getattr(type(pane), "_reactives", {}):
            self.watch(pane, "generation", self._endpoints_refreshed, init=False)

    def _endpoints_refreshed(self) -> None:
        if self._endpoint_news is not None:
            self._endpoint_news.set()
        if self.target is not None and self.target.endpoint_id is not None:
            known = self.tui.endpoint(self.target.endpoint_id)
            if known is not None:
                self._note_endpoint(known)

    # The shell's entry points

    def focus_default(self) -> None:
        self._request_targets()
        picker = self.query_one(TargetPicker)
        if picker.display:
            picker.query_one("#target-filter").focus()
        else:
            self.query_one(PromptInput).focus()

    def set_endpoint_target(self, endpoint: Endpoint) -> None:
        endpoint = self._with_details(endpoint)
        self.set_target(ChatTarget.for_endpoint(endpoint), endpoint)
        self.query_one(TargetPicker).close()
        self._request_targets()

    # Target

    def set_target(self, target: ChatTarget, endpoint: Endpoint | None = None) -> None:
        """Chat with ``target`` from the next prompt on (an endpoint's last known state goes with it)."""
        previous = self.target
        self.target = target
        self._target_endpoint = endpoint
        self.query_one(TargetBar).show(target, endpoint)
        panel = self.query_one(ChatParamsPanel)
        panel.set_reasoning_supported(target.reasoning_effort)
        panel.set_context_length(self._context_length(target))
        self._update_summary()
        if previous is not None and previous.key != target.key:
            # An offer to start the old target's endpoint is not an offer for the new one.
            self._drop_pending_start()
            if self.conversation.turns:
                from tui.app.widgets.chat_message import TargetDivider

                self.query_one(ConversationLog).mount(TargetDivider(target.label, target.model))
        self.refresh_bindings()

    def _context_length(self, target: ChatTarget) -> int | None:
        return next((m.context_length for m in self._models if m.id == target.base_model), None)

    def _note_endpoint(self, endpoint: Endpoint) -> None:
        """Record the latest state seen for the target endpoint and show it in the bar."""
        if self.target is not None and self.target.endpoint_id == endpoint.id:
            self._target_endpoint = endpoint
            self.query_one(TargetBar).show(self.target, endpoint)
        self._endpoints = [endpoint if e.id == endpoint.id else e for e in self._endpoints]

    def _request_targets(self, *, force: bool = False) -> None:
        if self._targets_requested and not force:
            return
        self._targets_requested = True
        self.run_worker(self._load_targets(), group="chat-targets", exclusive=True, exit_on_error=False)

    async def _load_targets(self) -> None:
        provider = self.tui.provider
        endpoints, models = await asyncio.gather(
            provider.list_endpoints(), provider.list_models(), return_exceptions=True
        )
        problems: list[str] = []
        if isinstance(endpoints, APIError):
            problems.append(f"Endpoints not loaded: {endpoints}")
        elif isinstance(endpoints, BaseException):
            raise endpoints
        else:
            self._endpoints = [self._with_details(e) for e in endpoints if e.dedicated]
        if isinstance(models, APIError):
            problems.append(f"Models not loaded: {models}")
        elif isinstance(models, BaseException):
            raise models
        else:
            self._models = [m for m in models if m.is_chat]
            if self.target is not None:
                self.query_one(ChatParamsPanel).set_context_length(self._context_length(self.target))
        if problems:
            # Let the next opening of the picker try again.
            self._targets_requested = False
        self.query_one(TargetPicker).set_choices(self._endpoints, self._models, "  ".join(problems))
        if self.target is None:
            ready = next((e for e in self._endpoints if e.phase is Phase.READY), None)
            if ready is not None:
                self.set_target(ChatTarget.for_endpoint(ready), ready)
        elif self.target.endpoint_id is not None:
            known = next((e for e in self._endpoints if e.id == self.target.endpoint_id), None)
            if known is not None:
                self._note_endpoint(known)

    def _with_details(self, listed: Endpoint) -> Endpoint:
        """A v1 list carries no display names: borrow the Endpoints pane's details, keep the fresh state."""
        known = self.tui.endpoint(listed.id)
        if known is None or not known.detailed:
            return listed
        return dataclasses.replace(known, state=listed.state, phase=listed.phase)

    def action_choose_target(self) -> None:
        picker = self.query_one(TargetPicker)
        picker.set_choices(self._endpoints, self._models, "" if self._targets_requested else "loading…")
        picker.open(self.target)
        self._request_targets(force=True)

    @on(TargetBar.ChangeRequested)
    def _bar_clicked(self) -> None:
        self.action_choose_target()

    @on(TargetPicker.Chosen)
    def _target_chosen(self, event: TargetPicker.Chosen) -> None:
        event.stop()
        self.set_target(event.target, event.endpoint)
        self.query_one(TargetPicker).close()
        self.query_one(PromptInput).focus()

    @on(TargetPicker.Closed)
    def _picker_closed(self, event: TargetPicker.Closed) -> None:
        event.stop()
        self.query_one(TargetPicker).close()
        self.query_one(PromptInput).focus()

    # Options

    def _read_options(self) -> ChatOptions | None:
        try:
            options = self.query_one(ChatParamsPanel).read()
        except InvalidParameter as problem:
            self._options_error = str(problem)
            return None
        self._options_error = None
        return options

    def _update_summary(self) -> None:
        options = self._read_options()
        supported = self.target is not None and self.target.reasoning_effort
        self.query_one("#chat-summary", Static).update(options_summary(options, self._options_error, supported))

    @on(Input.Changed, "#chat-options Input")
    @on(Select.Changed, "#chat-options Select")
    def _options_changed(self) -> None:
        self._update_summary()

    def action_toggle_options(self) -> None:
        panel = self.query_one(ChatParamsPanel)
        panel.display = not panel.display
        if panel.display:
            panel.focus_first()
        else:
            self._update_summary()
            self.query_one(PromptInput).focus()

    # Sending

    @on(PromptInput.Submitted)
    async def _prompt_submitted(self, event: PromptInput.Submitted) -> None:
        event.stop()
        text = event.text.strip()
        if not text:
            return
        if self.conversation.busy:
            self.app.notify("An answer is still coming: esc stops it.", severity="warning")
            return
        if self.target is None:
            self.app.notify("Choose what to chat with first.", severity="warning")
            self.action_choose_target()
            return
        options = self._read_options()
        self._update_summary()
        if options is None:
            panel = self.query_one(ChatParamsPanel)
            panel.display = True
            self.app.notify(self._options_error or "Invalid option.", title="Options", severity="error",
                            markup=False)
            return
        self._drop_pending_start()
        self.conversation.system_prompt = options.system_prompt
        turn = self.conversation.add(Turn(prompt=text, target=self.target, params=options.params))
        await self._mount_turn(turn)
        event.prompt.clear()
        self._start_turn(turn)

    async def _mount_turn(self, turn: Turn) -> None:
        from tui.app.widgets.chat_message import AssistantMessage, UserMessage

        log = self.query_one(ConversationLog)
        for empty in log.query("#chat-empty"):
            await empty.remove()
        view = AssistantMessage(turn)
        self._views[id(turn)] = view
        await log.mount_all([UserMessage(turn.prompt), view])
        log.anchor()

    def _view(self, turn: Turn) -> AssistantMessage:
        return self._views[id(turn)]

    def _drop_pending_start(self) -> None:
        """A new prompt replaces one still waiting for the user to start its endpoint."""
        last = self.conversation.last
        if last is not None and last.state is TurnState.NEEDS_START:
            last.state = TurnState.STOPPED
            self._view(last).show_state()
            self.refresh_bindings()

    def _start_turn(self, turn: Turn, *, start_endpoint: bool = False) -> None:
        self._turn_worker = self.run_worker(
            self._run_turn(turn, start_endpoint), group="chat-turn", exclusive=True, exit_on_error=False,
            name="chat turn",
        )
        self.refresh_bindings()

    async def _run_turn(self, turn: Turn, start_endpoint: bool) -> None:
        view = self._view(turn)
        try:
            if turn.target.endpoint_id is not None:
                if start_endpoint:
                    ready = await self._start_and_wait(turn, view)
                else:
                    ready = await self._ensure_ready(turn, view)
                if not ready:
                    return
            await self._stream(turn, view)
        except APIError as error:
            self._fail(turn, error)
        except asyncio.CancelledError:
            raise
        except Exception as error:
            turn.state = TurnState.FAILED
            turn.advice = ErrorAdvice("Unexpected error", f"{type(error).__name__}: {error}", "Retry with ctrl+r.")
            self.log.error(f"chat turn failed: {error!r}")
        finally:
            if turn.state in (TurnState.WAITING, TurnState.STREAMING):
                turn.state = TurnState.STOPPED
            view.show_state()
            self.refresh_bindings()

    async def _stream(self, turn: Turn, view: AssistantMessage) -> None:
        turn.state = TurnState.STREAMING
        metrics = turn.metrics = StreamMetrics(started=self.perf_counter())
        view.show_state()
        self.refresh_bindings()
        messages = self.conversation.messages_for(turn)
        try:
            async for event in self.tui.provider.stream_chat(turn.target.model, messages, turn.params):
                now = self.perf_counter()
                metrics.record(event, now)
                turn.add(event)
                await view.write(event)
                view.show_progress(now)
            turn.state = TurnState.DONE
        except APIError as error:
            self._fail(turn, error)
        finally:
            metrics.finish(self.perf_counter())
            await view.close_streams()

    def _fail(self, turn: Turn, error: APIError) -> None:
        turn.fail(error)
        advice = turn.advice
        if advice is not None and advice.offer_start and turn.target.endpoint_id is not None:
            known = self._target_endpoint
            if known is not None and known.id == turn.target.endpoint_id:
                turn.endpoint_state = known.state
            self._offer_start(turn, known if known is not None and known.id == turn.target.endpoint_id else None)

    def _offer_start(self, turn: Turn, endpoint: Endpoint | None) -> None:
        """Hold the prompt and offer to start its endpoint, priced as soon as the price is known."""
        turn.state = TurnState.NEEDS_START
        turn.start_cost = None
        self.run_worker(self._price_start(turn, endpoint), group="chat-start-cost", exit_on_error=False)

    async def _price_start(self, turn: Turn, endpoint: Endpoint | None) -> None:
        assert turn.target.endpoint_id is not None
        if endpoint is None or not endpoint.detailed:
            try:
                endpoint = await self.tui.provider.get_endpoint(turn.target.endpoint_id)
            except APIError:
                endpoint = None
        turn.start_cost = StartCost(None) if endpoint is None else await start_cost(self.tui.provider, endpoint)
        view = self._views.get(id(turn))
        if view is not None and turn.state is TurnState.NEEDS_START:
            view.show_state()

    # Endpoint readiness

    async def _current_endpoint(self, endpoint_id: str, *, trust_known: bool) -> Endpoint:
        """The endpoint's state: the Endpoints pane's if it is fresh enough to trust, else asked for."""
        if trust_known:
            known = self.tui.endpoint(endpoint_id)
            if known is not None and known.phase is Phase.READY:
                return known
        endpoint = await self.tui.provider.get_endpoint(endpoint_id)
        self._note_endpoint(endpoint)
        return endpoint

    async def _ensure_ready(self, turn: Turn, view: AssistantMessage) -> bool:
        assert turn.target.endpoint_id is not None
        endpoint = await self._current_endpoint(turn.target.endpoint_id, trust_known=True)
        self._note_endpoint(endpoint)
        state = readiness(endpoint.phase)
        if state is Readiness.READY:
            return True
        turn.endpoint_state = endpoint.state
        if state is Readiness.COMING_UP:
            turn.state = TurnState.WAITING
            view.show_state()
            return await self._wait_until_ready(turn, view)
        self._offer_start(turn, endpoint)
        view.show_state()
        return False

    async def _start_and_wait(self, turn: Turn, view: AssistantMessage) -> bool:
        assert turn.target.endpoint_id is not None
        turn.state = TurnState.WAITING
        turn.endpoint_state = "starting"
        view.show_state()
        started = await self._request_start(turn.target.endpoint_id)
        if started is not None:
            self._note_endpoint(started)
            turn.endpoint_state = started.state
            view.show_state()
        return await self._wait_until_ready(turn, view)

    async def _request_start(self, endpoint_id: str) -> Endpoint | None:
        """Start the endpoint, through the Endpoints pane when it can (it then shows and announces the
        wait), else directly.

        The pane only starts what its last poll saw stopped; when its view is stale (it thinks the
        endpoint is running or starting, or does not know it) it would send nothing, so the chat, which
        has just seen it stopped, sends the start itself and hands the result to the pane.
        """
        pane = self._endpoints_pane()
        known = self.tui.endpoint(endpoint_id)
        delegate = getattr(pane, "start_endpoint", None)
        if callable(delegate) and known is not None and readiness(known.phase) is Readiness.NEEDS_START:
            result = delegate(endpoint_id)
            if isinstance(result, Worker):
                # The pane reports its own failures; the polling below sees what came of it.
                with contextlib.suppress(WorkerFailed, WorkerCancelled):
                    await result.wait()
                return None
            if inspect.isawaitable(result):
                result = await result
            if isinstance(result, Endpoint):
                return result
            if result is not None:
                return None
        started = await self.tui.provider.start_endpoint(endpoint_id)
        track = getattr(pane, "track_updated", None)
        if callable(track):
            track(started)
        return started

    def _endpoints_pane(self) -> object | None:
        try:
            return self.tui.endpoints_pane
        except Exception:
            return None

    async def _wait_until_ready(self, turn: Turn, view: AssistantMessage) -> bool:
        assert turn.target.endpoint_id is not None
        endpoint_id = turn.target.endpoint_id
        began = self.perf_counter()
        deadline = began + self.tui.config.wait_timeout_minutes * 60
        while True:
            await self._pause_for_news()
            try:
                endpoint = await self._current_endpoint(endpoint_id, trust_known=False)
            except (AuthenticationError, NotFoundError):
                raise
            except APIError as error:
                # A failed check is not a failed endpoint: say so and keep waiting.
                turn.endpoint_state = f"not checked ({error.kind})"
                view.show_state()
                endpoint = None
            now = self.perf_counter()
            if endpoint is not None:
                turn.endpoint_state = endpoint.state
                view.show_state()
                if readiness(endpoint.phase) is Readiness.READY:
                    return True
                if endpoint.phase is Phase.FAILED:
                    turn.state = TurnState.FAILED
                    turn.advice = ErrorAdvice(
                        f"Endpoint went to {endpoint.state}",
                        f"{turn.target.label} failed while starting.",
                        "See the Endpoints pane for details, or pick another target (ctrl+t).",
                    )
                    return False
                if endpoint.phase in (Phase.STOPPED, Phase.STOPPING) and now - began > self.start_grace:
                    turn.state = TurnState.FAILED
                    turn.advice = ErrorAdvice(
                        f"Endpoint still {endpoint.state}",
                        f"{turn.target.label} did not start.",
                        "The start may have been cancelled or refused: ctrl+r to try again.",
                    )
                    return False
            if now >= deadline:
                turn.state = TurnState.FAILED
                minutes = self.tui.config.wait_timeout_minutes
                turn.advice = ErrorAdvice(
                    "Endpoint not ready in time",
                    f"{turn.target.label} was still {turn.endpoint_state} after {minutes:g} min.",
                    "Retry to keep waiting (ctrl+r), or pick another target (ctrl+t).",
                )
                return False

    async def _pause_for_news(self) -> None:
        """Sleep one poll interval, or less if the Endpoints pane has just refreshed."""
        news = self._endpoint_news
        if news is None:
            await asyncio.sleep(self.readiness_poll_interval)
            return
        news.clear()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(news.wait(), self.readiness_poll_interval)

    def action_start_endpoint(self) -> None:
        turn = self.conversation.last
        if turn is None or turn.state is not TurnState.NEEDS_START:
            return
        if self.target is None or turn.target.key != self.target.key:
            return  # withdrawn with the target change; never start what is no longer the target
        if self.tui.read_only:
            self.tui.notify_read_only()
            return
        turn.reset_answer()
        self._start_turn(turn, start_endpoint=True)

    # Named after AssistantMessage's messages, so the Markdown machinery is imported only when used.
    def on_assistant_message_start_requested(self, message: Message) -> None:
        message.stop()
        self.action_start_endpoint()

    def on_assistant_message_wait_cancelled(self, message: Message) -> None:
        message.stop()
        self.action_stop()

    # Stopping, retrying, clearing

    def action_stop(self) -> None:
        turn = self.conversation.last
        if turn is None or not (turn.state.busy or turn.state is TurnState.NEEDS_START):
            return
        turn.state = TurnState.STOPPED
        if turn.metrics is not None:
            turn.metrics.finish(self.perf_counter())
        self._view(turn).show_state()
        if self._turn_worker is not None:
            self._turn_worker.cancel()
        self.refresh_bindings()

    async def action_retry(self) -> None:
        turn = self.conversation.last
        if turn is None or turn.state.busy:
            return
        if self.target is None:
            self.action_choose_target()
            return
        options = self._read_options()
        if options is None:
            self.app.notify(self._options_error or "Invalid option.", title="Options", severity="error",
                            markup=False)
            return
        self.conversation.system_prompt = options.system_prompt
        turn.reset_answer()
        turn.target = self.target
        turn.params = options.params
        turn.state = TurnState.STREAMING
        view = self._view(turn)
        await view.reset()
        self.query_one(ConversationLog).anchor()
        self._start_turn(turn)

    async def action_new_chat(self) -> None:
        if self._turn_worker is not None:
            self._turn_worker.cancel()
        self.conversation.clear()
        self._views.clear()
        log = self.query_one(ConversationLog)
        await log.remove_children()
        await log.mount(Static(EMPTY_TEXT, id="chat-empty"))
        self.refresh_bindings()

    # Copy and export

    def action_copy_answer(self) -> None:
        answer = self.conversation.last_answer()
        if answer is None:
            self.app.notify("No answer to copy yet.", severity="warning")
            return
        self.app.copy_to_clipboard(answer)
        self.app.notify(f"Copied the last answer ({len(answer):,} characters).", title="Clipboard")

    def action_export(self) -> None:
        if not self.conversation.turns:
            self.app.notify("Nothing to export yet.", severity="warning")
            return
        from tui.app.screens.export_chat import ExportChatScreen

        name = f"chat-{self.tui.now().strftime('%Y%m%d-%H%M%S')}.md"
        self.app.push_screen(ExportChatScreen(name), callback=self._write_export)

    def _write_export(self, path: Path | None) -> None:
        if path is None:
            return
        text = self.conversation.to_markdown(self.tui.now())
        try:
            path.write_text(text, encoding="utf-8")
        except OSError as error:
            self.app.notify(f"Could not write {path}: {error.strerror or error}", title="Export", severity="error",
                            markup=False)
            return
        self.app.notify(f"Saved {len(self.conversation.turns)} exchange(s) to {path}", title="Export", markup=False)

    # Smoke test

    def action_smoke_test(self) -> None:
        if self.target is None:
            self.app.notify("Choose a target first (ctrl+t).", severity="warning")
            return
        self.smoke_test(self.target)

    def smoke_test(self, target: ChatTarget | Endpoint) -> Worker[None]:
        """Send a short fixed prompt to ``target`` in the background and announce TTFT and tokens/s.

        For the Endpoints pane and the palette: the user stays where they are.
        """
        chat_target = ChatTarget.for_endpoint(target) if isinstance(target, Endpoint) else target
        return self.run_worker(self._smoke_test(chat_target), group="chat-smoke", exit_on_error=False)

    async def _smoke_test(self, target: ChatTarget) -> None:
        try:
            result = await smoke_test(
                self.tui.provider, target.model, clock=self.perf_counter, base_model=target.base_model
            )
        except APIError as error:
            advice = advise(error, target)
            self.tui.announce(f"{advice.title}: {advice.detail}", title=f"Smoke test: {target.label}",
                              severity="error")
            return
        self.tui.announce(result.summary, title=f"Smoke test: {target.label}")

    # Focus and keys

    def action_focus_prompt(self) -> None:
        self.query_one(PromptInput).focus()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        last = self.conversation.last
        if action == "stop":
            # A prompt waiting for a decision is dropped with its Cancel button or by sending another.
            return last is not None and last.state.busy
        if action == "start_endpoint":
            return (
                last is not None and last.state is TurnState.NEEDS_START and not self.tui.read_only
                and self.target is not None and last.target.key == self.target.key
            )
        if action == "retry":
            return last is not None and not last.state.busy
        if action == "copy_answer":
            return True if self.conversation.last_answer() is not None else None
        if action == "export":
            return True if self.conversation.turns else None
        return True
