"""The Chat pane's turns: sending a prompt, the offers under a prompt that cannot go yet, stop, retry, new chat.

The pane (``tui.app.panes.chat``) lays the chat out and keeps its target; this half carries each prompt
through ``TurnRunner`` (readiness, starting and waiting all through the store) into its ``AssistantMessage``.
A prompt held for a stopped endpoint sits under a priced start offer, which is the confirmation: it belongs
to its target and is withdrawn when the target changes. A prompt that nothing could answer (no traffic, a
retired v1 endpoint, a model that does not chat) is explained and not sent; where one form fixes why, ctrl+g
opens it: a stopped v1 endpoint's deploy form (``OpenCreateForm(redeploy_of=...)``), an unrouted endpoint's
traffic split (``OpenTrafficSplit``). Each asks before it changes anything.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from textual import on
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Static
from textual.worker import Worker

from tui.app.messages import OpenCreateForm, OpenTrafficSplit
from tui.app.widgets.chat_notice import offers_redeploy, offers_traffic
from tui.app.widgets.chat_params import ChatOptions, ChatParamsPanel, InvalidParameter, options_summary
from tui.app.widgets.chat_prompt import EMPTY_TEXT, ConversationLog, PromptInput
from tui.app.widgets.key_bar import follow_now
from tui.core.chat import ChatTarget, Clock, Conversation, Turn, TurnState
from tui.core.chat_turns import TurnRunner

if TYPE_CHECKING:
    from tui.api.domain import Endpoint
    from tui.app.context import AppContext
    from tui.app.widgets.chat_message import AssistantMessage

READ_ONLY = "Read-only mode: changes are disabled (--read-only or the read_only setting)."


class ChatSending(Vertical):
    def __init__(self, context: AppContext) -> None:
        super().__init__()
        self.context = context
        self.conversation = Conversation()
        self.target: ChatTarget | None = None
        self.runner = TurnRunner(
            context.provider, context.store, context.catalog, say=self._say, changed=self.refresh_bindings
        )
        self._views: dict[int, AssistantMessage] = {}
        self._turn_worker: Worker[None] | None = None
        self._options_error: str | None = None

    @property
    def perf_counter(self) -> Clock:
        """The monotonic clock of every figure; tests replace it with a scripted one."""
        return self.runner.clock

    @perf_counter.setter
    def perf_counter(self, clock: Clock) -> None:
        self.runner.clock = clock

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

    def _options_refused(self) -> None:
        self.app.notify(self._options_error or "Invalid option.", title="Options", severity="error", markup=False)

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
            await self.run_action("choose_target")
            return
        options = self._read_options()
        self._update_summary()
        if options is None:
            self.query_one(ChatParamsPanel).display = True
            self._options_refused()
            return
        self._drop_pending_start()
        self.conversation.system_prompt = options.system_prompt
        turn = self.conversation.add(Turn(prompt=text, target=self.target, params=options.params))
        # One layout for the whole exchange: its widgets mount level by level, and the screen laid out
        # what had mounted between the levels (twice per prompt, the second as the first token came).
        with self.app.batch_update():
            # The keys the turn brings (esc Stop, export, new chat) come with the exchange, not after it.
            self._keys_changed()
            await self._mount_turn(turn)
            event.prompt.clear()
            self._start_turn(turn)
            # A turn of the loop for the turn's worker: the request goes out before the screen lays the
            # exchange out, not after (the answer's first bytes wait in the socket meanwhile).
            await asyncio.sleep(0)

    async def _mount_turn(self, turn: Turn) -> None:
        from tui.app.widgets.chat_message import AssistantMessage, UserMessage

        log = self.query_one(ConversationLog)
        for empty in log.query("#chat-empty"):
            await empty.remove()
        view = AssistantMessage(turn)
        self._views[id(turn)] = view
        await log.mount_all([UserMessage(turn.prompt), view])
        log.anchor()

    def _keys_changed(self) -> None:
        """The keys in force change as a turn starts and ends (esc Stop comes and goes, ^r Retry goes and
        comes): the key bar shows it in the frame that shows the change, a repaint of its line."""
        self.refresh_bindings()
        if self.is_attached:
            follow_now(self.screen)

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

    # The offers

    def _offer_is_current(self, turn: Turn | None) -> bool:
        """Only the last prompt's offer, and only while its target is still the chat's."""
        return turn is not None and self.target is not None and turn.target.key == self.target.key

    def action_start_endpoint(self) -> None:
        turn = self.conversation.last
        if turn is None or turn.state is not TurnState.NEEDS_START:
            return
        if not self._offer_is_current(turn):
            return  # withdrawn with the target change; never start what is no longer the target
        if self.context.read_only:
            self.app.notify(READ_ONLY, severity="warning")
            return
        turn.reset_answer()
        self._start_turn(turn, start_endpoint=True)

    def action_redeploy(self) -> None:
        """A stopped v1 endpoint cannot start again: open the deploy form filled from it (which asks first)."""
        turn = self.conversation.last
        if turn is not None and offers_redeploy(turn) and (endpoint := self._offered_endpoint(turn)) is not None:
            self.post_message(OpenCreateForm(redeploy_of=endpoint))

    def action_give_traffic(self) -> None:
        """Deployments serve but nothing routes to them: open the endpoint's traffic split (which asks first)."""
        turn = self.conversation.last
        if turn is not None and offers_traffic(turn) and (endpoint := self._offered_endpoint(turn)) is not None:
            self.post_message(OpenTrafficSplit(endpoint))

    def _offered_endpoint(self, turn: Turn) -> Endpoint | None:
        if not self._offer_is_current(turn):
            return None
        if self.context.read_only:
            self.app.notify(READ_ONLY, severity="warning")
            return None
        endpoint_id = turn.target.endpoint_id
        endpoint = self.context.store.get(endpoint_id) if endpoint_id is not None else None
        if endpoint is None:
            self.app.notify(f"{turn.target.label} is no longer listed.", severity="warning", markup=False)
        return endpoint

    # Named after AssistantMessage's messages, so the Markdown machinery is imported only when used.
    def on_assistant_message_start_requested(self, message: Message) -> None:
        message.stop()
        self.action_start_endpoint()

    def on_assistant_message_wait_cancelled(self, message: Message) -> None:
        message.stop()
        self.action_stop()

    def on_assistant_message_next_step_requested(self, message: Message) -> None:
        message.stop()
        last = self.conversation.last
        if last is not None and offers_redeploy(last):
            self.action_redeploy()
        else:
            self.action_give_traffic()

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
            await self.run_action("choose_target")
            return
        options = self._read_options()
        if options is None:
            self._options_refused()
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
        """Asks first when there is a conversation to lose (the dialog offers ctrl+s's export too)."""
        if not self.conversation.turns:
            return
        from tui.app.screens.confirm_new_chat import ConfirmNewChatScreen

        exchanges = len(self.conversation.turns)
        self.app.push_screen(ConfirmNewChatScreen(exchanges, busy=self.conversation.busy), callback=self._new_chat)

    async def _new_chat(self, clear: bool | None) -> None:
        if not clear:
            return
        if self._turn_worker is not None:
            self._turn_worker.cancel()
        self.conversation.clear()
        self._views.clear()
        log = self.query_one(ConversationLog)
        # Unanchored first: an anchored log scrolls to the end of what it held, leaving the help text out of view
        # below an empty log. The next prompt anchors it again.
        log.anchor(False)
        await log.remove_children()
        await log.mount(Static(EMPTY_TEXT, id="chat-empty"))
        self.call_after_refresh(log.scroll_to, y=0, animate=False, force=True)
        self.refresh_bindings()

    # The keys in force

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        last = self.conversation.last
        if action == "stop":
            # A prompt waiting for a decision is dropped with its Cancel button or by sending another.
            return last is not None and last.state.busy
        if action == "start_endpoint":
            return (
                last is not None and last.state is TurnState.NEEDS_START and not self.context.read_only
                and self._offer_is_current(last)
            )
        if action in ("redeploy", "give_traffic"):
            offered = offers_redeploy if action == "redeploy" else offers_traffic
            return last is not None and offered(last) and not self.context.read_only and self._offer_is_current(last)
        if action == "retry":
            return last is not None and not last.state.busy
        if action == "copy_answer":
            return True if self.conversation.last_answer() is not None else None
        if action in ("export", "new_chat"):
            return True if self.conversation.turns else None
        return True
