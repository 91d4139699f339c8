"""The Chat pane: check that an endpoint, one of its deployments or a serverless model answers, and how fast.

A view over the core: the targets are the store's endpoints (live, through its subscription), their v2
deployments (a pinned one is asked by its qualified name) and the catalogue's chat models. This module
lays the pane out and keeps its target; sending, the offers, stop, retry and new chat are its other half
(``tui.app.panes.chat_sending``). Each answer streams into its own Markdown widget, reasoning first, then
TTFT, tokens/s and the usage under it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.widgets import Input, Select, Static
from textual.worker import Worker

from tui.api.domain import Endpoint, ModelOption, Phase
from tui.api.errors import APIError
from tui.app.bindings import bindings
from tui.app.panes.chat_sending import ChatSending
from tui.app.widgets.chat_params import ChatParamsPanel
from tui.app.widgets.chat_prompt import EMPTY_TEXT, ConversationLog, PromptInput
from tui.app.widgets.chat_target import TargetBar, TargetPicker
from tui.core.chat import ChatTarget, TurnState, advise
from tui.core.chat_text import conversation_markdown
from tui.core.chat_turns import smoke_test
from tui.core.store import Changed

if TYPE_CHECKING:
    from pathlib import Path

    from tui.app.context import AppContext
    from tui.core.store import StoreEvent

__all__ = ["ChatPane", "ConversationLog", "PromptInput"]


class ChatPane(ChatSending):
    BINDINGS: ClassVar[list[BindingType]] = [*bindings("chat")]

    def __init__(self, context: AppContext) -> None:
        super().__init__(context)
        #: The catalogue's chat models (what the picker offers serverless).
        self._models: list[ModelOption] = []
        #: Every model's kind, chat or not: an endpoint serving an embedding model is not offered.
        self._kinds: dict[str, str | None] = {}
        self._models_problem = ""
        self._unsubscribe = lambda: None

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
            picker.set_choices(self._endpoints, self._models, self._models_problem, kinds=self._kinds)
        target = self.target
        if target is None:
            ready = next((e for e in self._endpoints if e.phase is Phase.READY and self._can_chat(e)), None)
            if ready is not None:
                self.set_target(self._endpoint_target(ready))
            return
        if target.endpoint_id is not None:
            self.query_one(TargetBar).show(target, self.context.store.get(target.endpoint_id))
            last = self.conversation.last
            if last is not None and last.state is TurnState.NEEDS_START and last.start_cost is None:
                self._price_offer(last)

    def _can_chat(self, endpoint: Endpoint) -> bool:
        return self._endpoint_target(endpoint).can_chat

    def _endpoint_target(self, endpoint: Endpoint) -> ChatTarget:
        return ChatTarget.for_endpoint(endpoint, self._kinds.get(endpoint.model))

    # The shell's entry points

    def focus_default(self) -> None:
        picker = self.query_one(TargetPicker)
        if picker.display:
            picker.query_one("#target-filter").focus()
        else:
            self.query_one(PromptInput).focus()

    def set_endpoint_target(self, endpoint: Endpoint, deployment_id: str | None = None) -> None:
        """Chat with ``endpoint``, or with one of its deployments pinned (the Endpoints pane's deployment row)."""
        # The store's copy carries the details a list row may lack (a v1 list has no display names).
        known = self.context.store.get(endpoint.id) or endpoint
        deployment = next((d for d in known.deployments if d.id == deployment_id), None) if deployment_id else None
        if deployment is not None:
            self.set_target(ChatTarget.for_deployment(known, deployment, self._kinds.get(deployment.model)))
        else:
            self.set_target(self._endpoint_target(known))
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
            self._kinds = {m.id: m.kind for m in models}
            target = self.target
            if target is not None:
                self.query_one(ChatParamsPanel).set_context_length(self._context_length(target))
                if target.kind is None and target.base_model in self._kinds:
                    # Known now: a target set before the models arrived learns whether it can chat.
                    self.target = ChatTarget(target.model, target.label, target.base_model, target.endpoint_id,
                                             target.deployment_id, self._kinds[target.base_model])
        self._show_endpoints()

    def action_choose_target(self) -> None:
        picker = self.query_one(TargetPicker)
        status = self._models_problem or ("" if self.context.store.loaded else "loading…")
        picker.set_choices(self._endpoints, self._models, status, kinds=self._kinds)
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
        chat_target = self._endpoint_target(target) if isinstance(target, Endpoint) else target
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

    # Focus

    def action_focus_prompt(self) -> None:
        self.query_one(PromptInput).focus()
