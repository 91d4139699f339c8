"""The Chat pane: check that an endpoint (or a serverless model) answers, and how fast.

A view over the core: the targets are the store's endpoints (live, through its subscription) and the
catalogue's chat models; a turn is run by ``TurnRunner`` (readiness, starting and waiting all through
the store). For an endpoint that is not running the pane holds the prompt under a priced offer, which
is the confirmation: it belongs to its target and is withdrawn when the target changes. Each answer
streams into its own Markdown widget, reasoning first, then TTFT, tokens/s and the usage under it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Input, Select, Static
from textual.worker import Worker

from tui.api.domain import Endpoint, ModelOption, Phase
from tui.api.errors import APIError
from tui.app.bindings import bindings
from tui.app.widgets.chat_params import ChatOptions, ChatParamsPanel, InvalidParameter, options_summary
from tui.app.widgets.chat_prompt import EMPTY_TEXT, ConversationLog, PromptInput
from tui.app.widgets.chat_target import TargetBar, TargetPicker
from tui.core.chat import ChatTarget, Clock, Conversation, Turn, TurnState, advise
from tui.core.chat_text import conversation_markdown
from tui.core.chat_turns import TurnRunner, smoke_test
from tui.core.store import Changed

if TYPE_CHECKING:
    from pathlib import Path

    from tui.app.context import AppContext
    from tui.app.widgets.chat_message import AssistantMessage
    from tui.core.store import StoreEvent

__all__ = ["ChatPane", "ConversationLog", "PromptInput"]


class ChatPane(Vertical):
    BINDINGS: ClassVar[list[BindingType]] = [*bindings("chat")]

    def __init__(self, context: AppContext) -> None:
        super().__init__()
        self.context = context
        self.conversation = Conversation()
        self.target: ChatTarget | None = None
        self.runner = TurnRunner(
            context.provider, context.store, context.catalog, say=self._say, changed=self.refresh_bindings
        )
        self._models: list[ModelOption] = []
        self._models_problem = ""
        self._views: dict[int, AssistantMessage] = {}
        self._turn_worker: Worker[None] | None = None
        self._options_error: str | None = None
        self._unsubscribe = lambda: None

    @property
    def perf_counter(self) -> Clock:
        """The monotonic clock of every figure; tests replace it with a scripted one."""
        return self.runner.clock

    @perf_counter.setter
    def perf_counter(self, clock: Clock) -> None:
        self.runner.clock = clock

    def compose(self) -> ComposeResult:
        yield TargetBar(id="chat-target")
        yield TargetPicker(id="target-picker")
        with ConversationLog(id="conversation"):
            yield Static(EMPTY_TEXT, id="chat-empty")
        yield ChatParamsPanel(self.context.config.chat, id="chat-options")
        yield PromptInput(id="chat-prompt", soft_wrap=True,
                          placeholder="Ask something… (enter sends, shift+enter or ctrl+j: new line)")
        yield Static(id="chat-summary")

    def on_mount(self) -> None:
        self.query_one(TargetPicker).display = False
        self.query_one(ChatParamsPanel).display = False
        self._update_summary()
        self._unsubscribe = self.context.store.subscribe(self._store_changed)

    def on_show(self) -> None:
        # Models are asked for when the chat is first shown, not at start: the first frame and the
        # Endpoints pane's first poll owe nothing to the chat.
        if not self._models and not self._models_problem:
            self._load_models()

    def on_unmount(self) -> None:
        self._unsubscribe()

    def _store_changed(self, event: StoreEvent) -> None:
        if isinstance(event, Changed) and event.rows:
            self._show_endpoints()

    @property
    def _endpoints(self) -> list[Endpoint]:
        return [endpoint for endpoint in self.context.store.endpoints.values() if endpoint.dedicated]

    def _show_endpoints(self) -> None:
        """The store has news: the picker's list, the target's state, and the offer's price follow it."""
        picker = self.query_one(TargetPicker)
        # The picker is rebuilt only while it is open (it is filled afresh when it opens): with thousands of
        # endpoints, rebuilding it on every detail batch would starve the loop.
        if picker.display:
            picker.set_choices(self._endpoints, self._models, self._models_problem)
        target = self.target
        if target is None:
            ready = next((e for e in self._endpoints if e.phase is Phase.READY), None)
            if ready is not None:
                self.set_target(ChatTarget.for_endpoint(ready))
            return
        if target.endpoint_id is not None:
            self.query_one(TargetBar).show(target, self.context.store.get(target.endpoint_id))
            last = self.conversation.last
            if last is not None and last.state is TurnState.NEEDS_START and last.start_cost is None:
                self._price_offer(last)

    # The shell's entry points

    def focus_default(self) -> None:
        picker = self.query_one(TargetPicker)
        if picker.display:
            picker.query_one("#target-filter").focus()
        else:
            self.query_one(PromptInput).focus()

    def set_endpoint_target(self, endpoint: Endpoint) -> None:
        # The store's copy carries the details a list row may lack (a v1 list has no display names).
        self.set_target(ChatTarget.for_endpoint(self.context.store.get(endpoint.id) or endpoint))
        self.query_one(TargetPicker).close()

    # Target

    def set_target(self, target: ChatTarget) -> None:
        """Chat with ``target`` from the next prompt on."""
        previous = self.target
        self.target = target
        endpoint = self.context.store.get(target.endpoint_id) if target.endpoint_id is not None else None
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

    def _load_models(self) -> None:
        self.run_worker(self._fetch_models(), group="chat-models", exclusive=True, exit_on_error=False)

    async def _fetch_models(self) -> None:
        try:
            models = await self.context.catalog.models()
        except APIError as error:
            # The next opening of the picker asks again (the catalogue keeps no failure).
            self._models_problem = f"Models not loaded: {error}"
        else:
            self._models_problem = ""
            self._models = [m for m in models if m.is_chat]
            if self.target is not None:
                self.query_one(ChatParamsPanel).set_context_length(self._context_length(self.target))
        self._show_endpoints()

    def action_choose_target(self) -> None:
        picker = self.query_one(TargetPicker)
        status = self._models_problem or ("" if self.context.store.loaded else "loading…")
        picker.set_choices(self._endpoints, self._models, status)
        picker.open(self.target)
        if self._models_problem or not self._models:
            self._load_models()

    @on(TargetBar.ChangeRequested)
    def _bar_clicked(self) -> None:
        self.action_choose_target()

    @on(TargetPicker.Chosen)
    def _target_chosen(self, event: TargetPicker.Chosen) -> None:
        event.stop()
        self.set_target(event.target)
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
        await self.runner.run(self.conversation, turn, self._view(turn), start=start_endpoint)
        if turn.state is TurnState.NEEDS_START:
            self._price_offer(turn)

    def _price_offer(self, turn: Turn) -> None:
        self.run_worker(self._show_price(turn), group="chat-start-cost", exclusive=True, exit_on_error=False)

    async def _show_price(self, turn: Turn) -> None:
        cost = await self.runner.price_offer(turn)
        view = self._views.get(id(turn))
        if cost is not None and view is not None and turn.state is TurnState.NEEDS_START:
            turn.start_cost = cost
            view.show_state()

    def _say(self, message: str, severity: str) -> None:
        # Endpoint names are the service's text: never markup.
        self.app.notify(message, severity=severity, markup=False)  # type: ignore[arg-type]

    def action_start_endpoint(self) -> None:
        turn = self.conversation.last
        if turn is None or turn.state is not TurnState.NEEDS_START:
            return
        if self.target is None or turn.target.key != self.target.key:
            return  # withdrawn with the target change; never start what is no longer the target
        if self.context.read_only:
            self.app.notify("Read-only mode: changes are disabled (--read-only or the read_only setting).",
                            severity="warning")
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

        name = f"chat-{self.context.now().strftime('%Y%m%d-%H%M%S')}.md"
        self.app.push_screen(ExportChatScreen(name), callback=self._write_export)

    def _write_export(self, path: Path | None) -> None:
        if path is None:
            return
        text = conversation_markdown(self.conversation, self.context.now())
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
                self.context.provider, target.model, clock=self.perf_counter, base_model=target.base_model
            )
        except APIError as error:
            advice = advise(error, target)
            self.context.announce(f"{advice.title}: {advice.detail}", title=f"Smoke test: {target.label}",
                              severity="error")
            return
        self.context.announce(result.summary, title=f"Smoke test: {target.label}")

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
                last is not None and last.state is TurnState.NEEDS_START and not self.context.read_only
                and self.target is not None and last.target.key == self.target.key
            )
        if action == "retry":
            return last is not None and not last.state.busy
        if action == "copy_answer":
            return True if self.conversation.last_answer() is not None else None
        if action == "export":
            return True if self.conversation.turns else None
        return True
