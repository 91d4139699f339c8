"""What the Endpoints pane does with the user's keys: each action checked, confirmed where it bills or
destroys, handed to the store, and said at once ("Starting X…").

A mixin of ``EndpointsPane``, kept apart so the pane module stays about drawing; the attributes below are
the pane's, named here for the type checker.
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from textual import work
from textual.widget import Widget

from tui.api.domain import Endpoint, HardwareOption, Phase
from tui.api.errors import APIError
from tui.app.messages import OpenChat, OpenCreateForm, OpenUpdateForm
from tui.app.screens.confirm_delete import ConfirmDeleteScreen, needs_typed_name
from tui.app.screens.confirm_start import ConfirmStartScreen
from tui.core.advice import smoke_test_refusal
from tui.core.chat import SmokeResult
from tui.core.chat_turns import smoke_test
from tui.core.costs import cost_at_max, cost_once_started
from tui.core.store import Decision

if TYPE_CHECKING:
    from tui.app.context import AppContext
    from tui.app.widgets.endpoint_rows import EndpointRows
    from tui.app.widgets.endpoint_table import EndpointTable
    from tui.core.store import EndpointStore

MUTATING = frozenset({"start", "stop", "delete", "new", "edit"})
NEEDS_SELECTION = frozenset({"start", "stop", "delete", "edit", "chat", "smoke_test", "copy_name"})


class EndpointActions(Widget):
    if TYPE_CHECKING:
        context: AppContext
        store: EndpointStore
        _rows: EndpointRows
        _smoke: dict[str, SmokeResult]
        _filter_text: str
        _kept: set[str]

        @property
        def _table(self) -> EndpointTable: ...

        def focus_default(self) -> None: ...

        def _hardware_for(self, endpoint: Endpoint) -> HardwareOption | None: ...

        def _render_rows(self) -> None: ...

        def _show_detail(self) -> None: ...

        def _ensure_hardware(self) -> None: ...

    # Actions

    def _can_list_serverless(self) -> bool:
        capabilities = self.store.capabilities
        return capabilities is None or capabilities.serverless_listing

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        read_only = self.context.read_only
        if action == "refuse_read_only":
            return read_only
        if action in MUTATING and read_only:
            return False
        if action == "toggle_serverless" and not self._can_list_serverless():
            return False  # this control plane has no serverless listing: the key does nothing, so hide it
        if action == "clear_filter":
            return bool(self._filter_text) or self.has_class("-filtering")
        if action in NEEDS_SELECTION and self._selected() is None:
            return None
        return True

    def _selected(self) -> Endpoint | None:
        if not self.is_mounted:
            return None
        key = self._table.selected_key
        return self.store.get(key) if key else None

    def _dedicated_selected(self, verb: str) -> Endpoint | None:
        endpoint = self._selected()
        if endpoint is None:
            return None
        if not endpoint.dedicated:
            self._say(f"{endpoint.title} is a serverless model: there is nothing to {verb}.", severity="warning")
            return None
        return endpoint

    def action_refuse_read_only(self) -> None:
        self._refuse_read_only()

    def _refuse_read_only(self) -> None:
        self._say("Read-only mode: changes are disabled (--read-only or the read_only setting).",
                  severity="warning")

    def action_start(self) -> None:
        if self.context.read_only:
            self._refuse_read_only()
            return
        endpoint = self._dedicated_selected("start")
        if endpoint is None:
            return
        # Nothing is confirmed when nothing would be sent: the store then only says why.
        already = self.store.in_flight(endpoint.id) or endpoint.phase in (Phase.READY, Phase.PENDING, Phase.STARTING)
        if already or not getattr(self.context.config, "confirm_start", True):
            self._act("start", endpoint.id)
            return
        hardware = self._hardware_for(endpoint)
        self.app.push_screen(
            ConfirmStartScreen(
                endpoint,
                per_hour=cost_once_started(endpoint, hardware),
                at_max=cost_at_max(endpoint, hardware),
                hardware=self._rows.hardware_text(endpoint, hardware),
            ),
            callback=partial(self._start_answer, endpoint.id),
        )

    def _start_answer(self, endpoint_id: str, confirmed: bool | None) -> None:
        if confirmed:
            self._act("start", endpoint_id)
        self.focus_default()

    def action_stop(self) -> None:
        if self.context.read_only:
            self._refuse_read_only()
            return
        endpoint = self._dedicated_selected("stop")
        if endpoint is not None:
            self._act("stop", endpoint.id)

    def action_delete(self) -> None:
        if self.context.read_only:
            self._refuse_read_only()
            return
        endpoint = self._dedicated_selected("delete")
        if endpoint is None:
            return
        if self.store.in_flight(endpoint.id):
            self._act("delete", endpoint.id)  # refused by the store, which says why
            return
        typed = needs_typed_name(endpoint, self.context.config.confirm_delete)
        self.app.push_screen(ConfirmDeleteScreen(endpoint, typed=typed),
                             callback=partial(self._delete_answer, endpoint.id))

    def _delete_answer(self, endpoint_id: str, confirmed: bool | None) -> None:
        if confirmed:
            self._act("delete", endpoint_id)
        self.focus_default()

    def _act(self, verb: str, endpoint_id: str) -> Decision:
        """Hand the action to the store and say at once what became of it."""
        store = self.store
        decision: Decision = {"start": store.start, "stop": store.stop, "delete": store.delete}[verb](endpoint_id)
        if decision.sent:
            if self._filter_text:
                self._kept.add(endpoint_id)
            self._say(decision.message, title=verb.capitalize(), timeout=4)
        elif decision.message:
            self._say(decision.message, title=verb.capitalize(), severity=decision.severity)
        self._render_rows()
        self.refresh_bindings()
        return decision

    def action_new(self) -> None:
        self.post_message(OpenCreateForm())

    def action_edit(self) -> None:
        endpoint = self._dedicated_selected("edit")
        if endpoint is not None:
            self.post_message(OpenUpdateForm(endpoint))

    def action_chat(self) -> None:
        endpoint = self._selected()
        if endpoint is not None:
            self.post_message(OpenChat(endpoint))

    def action_copy_name(self) -> None:
        endpoint = self._selected()
        if endpoint is None:
            return
        self.app.copy_to_clipboard(endpoint.name)
        self._say(f"{endpoint.name}\nPass it as model in API requests (copied via OSC 52).", title="Copied")

    def action_refresh(self) -> None:
        # The store abandons a hung poll instead of queueing behind it.
        self.store.poll_now(details=True)
        self._ensure_hardware()

    def action_smoke_test(self) -> None:
        endpoint = self._selected()
        if endpoint is None:
            return
        refusal = smoke_test_refusal(endpoint, read_only=self.context.read_only)
        if refusal is not None:
            self._say(refusal, title="Smoke test", severity="warning")
            return
        self._run_smoke_test(endpoint)

    @work(group="endpoints-smoke", exit_on_error=False)
    async def _run_smoke_test(self, endpoint: Endpoint) -> None:
        self._say(f"Sending a short prompt to {endpoint.title}…", title="Smoke test", timeout=3)
        try:
            result = await smoke_test(self.context.provider, endpoint.inference_model, base_model=endpoint.model)
        except APIError as exc:
            self._say(f"{endpoint.title}: {exc}", title="Smoke test failed", severity="error", timeout=12)
            return
        self._smoke[endpoint.id] = result
        reply = result.reply if len(result.reply) <= 80 else result.reply[:79] + "…"
        self._say(f"{endpoint.title}: {result.summary}\n“{reply}”", title="Smoke test passed", timeout=12)
        self._show_detail()

    def _say(
        self, message: str, *, title: str = "", severity: str = "information", timeout: float | None = None
    ) -> None:
        # Endpoint names are user text: never let a "[" in one be read as markup.
        self.app.notify(message, title=title, severity=severity, timeout=timeout, markup=False)  # type: ignore[arg-type]
