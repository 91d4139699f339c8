"""What the Endpoints pane does with the user's keys: each action checked, confirmed where it bills or
destroys, handed to the store, and said at once ("Starting X…").

A mixin of ``EndpointsPane``, kept apart so the pane module stays about drawing; the attributes below are
the pane's, named here for the type checker. The confirmation screens are imported when first asked for
(here and in ``deployment_actions``): the first frame never needs them (~3.5 ms of the start).
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from rich.text import Text
from textual import work

from tui.api.domain import Deployment, Endpoint, HardwareOption, Phase
from tui.api.errors import APIError
from tui.app.messages import (
    OpenChat,
    OpenCompareChat,
    OpenCreateForm,
    OpenEvents,
    OpenMetrics,
    OpenTrafficSplit,
    OpenUpdateForm,
)
from tui.app.panes.deployment_actions import DeploymentActions
from tui.core.advice import smoke_test_refusal
from tui.core.costs import cost_at_max, cost_once_started, is_tree
from tui.core.store import Decision

if TYPE_CHECKING:
    from tui.app.context import AppContext
    from tui.app.widgets.endpoint_rows import EndpointRows
    from tui.app.widgets.endpoint_table import EndpointTable
    from tui.core.chat import SmokeResult
    from tui.core.store import EndpointStore

MUTATING = frozenset({"start", "stop", "delete", "new", "edit", "scale"})
NEEDS_SELECTION = frozenset({"start", "stop", "delete", "edit", "chat", "smoke_test", "copy_name", "scale",
                             "events", "metrics", "traffic", "compare"})
#: Need a v2 endpoint or deployment under the cursor.
TREE_ONLY = frozenset({"scale", "events", "metrics", "traffic"})
V1_STOP_WARNING = ("Together's v1 no longer restarts endpoints: once stopped, this one cannot start again on v1; "
                   "only a redeploy on v2 brings it back (s on its row, later).")


class EndpointActions(DeploymentActions):
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
        if action in TREE_ONLY:
            capabilities = self.store.capabilities
            if capabilities is None or not capabilities.deployments:
                return False  # no deployments on this control plane: the key does nothing, so hide it
        if action == "clear_filter":
            return bool(self._filter_text) or self.has_class("-filtering")
        if action in NEEDS_SELECTION:
            located = self._selected_row()
            if located is None:
                return None
            endpoint, deployment = located
            if action in TREE_ONLY and not is_tree(endpoint):
                return None
            if action == "edit" and deployment is None and is_tree(endpoint) and len(endpoint.deployments) != 1:
                return None  # the update form changes one deployment: pick its row
        return True

    def _selected_row(self) -> tuple[Endpoint, Deployment | None] | None:
        """The endpoint under the cursor, with the deployment when the cursor is on one; None when no row is
        selected or the selected row is not on screen (a terminal too small must not act on rows it hides)."""
        if not self.is_mounted:
            return None
        table = self._table
        key = table.selected_key
        if not key or not table.selected_visible():
            return None
        return self.store.locate(key)

    def _selected(self) -> Endpoint | None:
        located = self._selected_row()
        return located[0] if located is not None else None

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
        located = self._selected_row()
        deployment = located[1] if located is not None else None
        capabilities = self.store.capabilities
        if capabilities is not None and capabilities.redeploys_legacy and endpoint.api == "v1":
            # Nothing is sent: v1 refuses restarts. The deploy form opens filled from this endpoint.
            self._say(f"v1 no longer restarts endpoints: redeploy {endpoint.title} on v2 instead. The deploy form "
                      "opens with its model and replica bounds.", title="Redeploy on v2", timeout=8)
            self.post_message(OpenCreateForm(redeploy_of=endpoint))
            return
        if is_tree(endpoint):
            if self.store.in_flight(endpoint.id):
                self._act("start", endpoint.id)  # refused by the store, which says why
                return
            self._start_tree(endpoint, deployment)
            return
        # Nothing is confirmed when nothing would be sent: the store then only says why.
        already = self.store.in_flight(endpoint.id) or endpoint.phase in (Phase.READY, Phase.PENDING, Phase.STARTING)
        if already or not getattr(self.context.config, "confirm_start", True):
            self._act("start", endpoint.id)
            return
        from tui.app.screens.confirm_start import ConfirmStartScreen

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
        if endpoint is None:
            return
        located = self._selected_row()
        if is_tree(endpoint) and not self.store.in_flight(endpoint.id):
            self._stop_tree(endpoint, located[1] if located is not None else None)
            return
        capabilities = self.store.capabilities
        legacy = capabilities is not None and capabilities.redeploys_legacy and endpoint.api == "v1"
        if legacy and not self.store.in_flight(endpoint.id) and endpoint.phase not in (Phase.STOPPED, Phase.STOPPING):
            from tui.app.screens.confirm_start import ConfirmStartScreen

            summary = Text(endpoint.title, style="bold")
            summary.append(f"\n{endpoint.name}\n\n", style="dim")
            summary.append(V1_STOP_WARNING, style="bold yellow")
            self.app.push_screen(
                ConfirmStartScreen(endpoint, summary=summary, title="Stop this v1 endpoint for good?", verb="stops"),
                callback=partial(self._stop_answer, endpoint.id),
            )
            return
        self._act("stop", endpoint.id)

    def _stop_answer(self, endpoint_id: str, confirmed: bool | None) -> None:
        if confirmed:
            self._act("stop", endpoint_id)
        self.focus_default()

    def action_scale(self) -> None:
        if self.context.read_only:
            self._refuse_read_only()
            return
        located = self._selected_row()
        if located is None or not is_tree(located[0]):
            return
        if self.store.in_flight(located[0].id):
            self._say(f"{located[0].title}: a request is already in flight.", title="Scale", severity="warning")
            return
        self._scale_tree(*located)

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
        located = self._selected_row()
        if is_tree(endpoint) and located is not None:
            self._delete_tree(*located)
            return
        from tui.app.screens.confirm_delete import ConfirmDeleteScreen, needs_typed_name

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
        # On a deployment row: that deployment's settings; on an endpoint row: the form asks which.
        located = self._selected_row()
        if located is None or self._dedicated_selected("edit") is None:
            return
        endpoint, deployment = located
        self.post_message(OpenUpdateForm(endpoint, deployment_id=deployment.id if deployment is not None else None))

    # Screens of their own (events, metrics, the traffic split, side by side), opened by the App on request.

    def action_events(self) -> None:
        if located := self._selected_row():
            endpoint, deployment = located
            self.post_message(OpenEvents(endpoint, deployment.id if deployment is not None else None))

    def action_metrics(self) -> None:
        if located := self._selected_row():
            endpoint, deployment = located
            self.post_message(OpenMetrics(endpoint, deployment.id if deployment is not None else None))

    def action_traffic(self) -> None:
        if located := self._selected_row():
            self.post_message(OpenTrafficSplit(located[0]))

    def action_compare(self) -> None:
        if located := self._selected_row():
            endpoint, deployment = located
            self.post_message(OpenCompareChat(endpoint, deployment.id if deployment is not None else None))

    def action_chat(self) -> None:
        endpoint = self._selected()
        if endpoint is not None:
            self.post_message(OpenChat(endpoint))

    def action_copy_name(self) -> None:
        located = self._selected_row()
        if located is None:
            return
        endpoint, deployment = located
        if deployment is not None:
            self.app.copy_to_clipboard(deployment.name)
            self._say(f"{deployment.name}\nPass it as model to pin this deployment (copied via OSC 52).",
                      title="Copied")
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
        # The chat modules come with the first smoke test, not with the first frame.
        from tui.core.chat_turns import smoke_test

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
