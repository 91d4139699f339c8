"""Cross-pane requests: one place that knows how panes and screens connect.

A pane posts a message (``tui.app.messages``) and the App, through this mixin, decides which screen opens
for the provider's capabilities: the deploy form or the v1 create form, a deployment's settings or the v1
update form, and the screens of their own (events, metrics, traffic split, side by side).
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from textual import work

from tui.app.messages import (
    OpenChat,
    OpenCompareChat,
    OpenCreateForm,
    OpenEvents,
    OpenMetrics,
    OpenTrafficSplit,
    OpenUpdateForm,
)

if TYPE_CHECKING:
    from textual.app import App

    from tui.api import Endpoint
    from tui.app.context import AppContext
    from tui.app.panes.chat import ChatPane
    from tui.app.panes.endpoints import EndpointsPane

    _AppBase = App[None]
else:
    _AppBase = object


class CrossPaneRequests(_AppBase):
    if TYPE_CHECKING:
        context: AppContext
        read_only: bool

        @property
        def chat_pane(self) -> ChatPane: ...

        @property
        def endpoints_pane(self) -> EndpointsPane: ...

        def action_show_pane(self, pane: str) -> None: ...

        async def ensure_pane(self, name: str) -> object: ...

        def notify_read_only(self) -> None: ...

    async def on_open_chat(self, message: OpenChat) -> None:
        self.action_show_pane("chat")
        if message.endpoint is not None:
            # The chat pane may be built only now: its widgets first, then the target.
            await self.ensure_pane("chat")
            self.chat_pane.set_endpoint_target(message.endpoint, message.deployment_id)

    def on_open_create_form(self, message: OpenCreateForm) -> None:
        capabilities = self.context.store.capabilities
        if capabilities is None or not capabilities.deploy_profiles:
            self.open_create_form(model=message.model, hardware_id=message.hardware_id, clone_of=message.clone_of)
            return
        if self.read_only:
            self.notify_read_only()
            return
        from tui.app.screens.deploy_form import DeployScreen

        legacy = message.redeploy_of
        model = message.model or (legacy.model if legacy is not None else None)
        if model is None and message.clone_of is not None:
            model = message.clone_of.model
        self.push_screen(
            DeployScreen(self.context, model=model, option_id=message.option_id, endpoint=message.endpoint,
                         redeploy_of=legacy),
            callback=partial(self._deployed, legacy),
        )

    def _deployed(self, legacy: Endpoint | None, endpoint: Endpoint | None) -> None:
        if endpoint is None:
            return
        self._endpoint_created(endpoint)
        if legacy is not None:
            self._offer_to_stop_legacy(legacy, endpoint)

    @work(group="migration", exit_on_error=False)
    async def _offer_to_stop_legacy(self, legacy: Endpoint, replacement: Endpoint) -> None:
        """Both bill while both run: once the replacement serves, offer to stop the v1 endpoint it replaces."""
        from tui.app.screens.migration_offer import MigrationOffer
        from tui.core.waits import WaitResult

        outcome = await self.context.store.wait_until_ready(replacement.id)
        if outcome.result is not WaitResult.REACHED:
            return  # the store already said how the wait ended; the v1 endpoint keeps serving
        current = self.context.store.get(legacy.id)
        if current is None or not current.phase.billing:
            return
        ready = self.context.store.get(replacement.id) or replacement
        self.push_screen(MigrationOffer(self.context, legacy=current, replacement=ready),
                         callback=partial(self._legacy_answer, current.id))

    def _legacy_answer(self, legacy_id: str, stop: bool | None) -> None:
        if stop:
            decision = self.context.store.stop(legacy_id)
            self.notify(decision.message, severity=decision.severity,  # type: ignore[arg-type]
                        markup=False)

    def open_create_form(
        self, *, model: str | None = None, hardware_id: str | None = None, clone_of: Endpoint | None = None
    ) -> None:
        if self.read_only:
            self.notify_read_only()
            return
        from tui.app.screens.endpoint_form import CreateEndpointScreen

        self.push_screen(
            CreateEndpointScreen(self.context, model=model, hardware_id=hardware_id, clone_of=clone_of),
            callback=self._endpoint_created,
        )

    def _endpoint_created(self, endpoint: Endpoint | None) -> None:
        if endpoint is not None:
            self.context.store.adopt(endpoint, created=True)
            self.action_show_pane("endpoints")
            self.endpoints_pane.show_endpoint(endpoint.id)

    def on_open_update_form(self, message: OpenUpdateForm) -> None:
        if self.read_only:
            self.notify_read_only()
            return
        capabilities = self.context.store.capabilities
        if capabilities is not None and capabilities.deployments and message.endpoint.deployments:
            # A v2 endpoint changes through its deployments' settings (bounds, windows, weight), one at a time.
            from tui.app.screens.deployment_update import DeploymentUpdateScreen

            self.push_screen(
                DeploymentUpdateScreen(self.context, message.endpoint, deployment_id=message.deployment_id),
                callback=self._endpoint_updated,
            )
            return
        from tui.app.screens.endpoint_form import UpdateEndpointScreen

        self.push_screen(UpdateEndpointScreen(self.context, message.endpoint), callback=self._endpoint_updated)

    def _endpoint_updated(self, endpoint: Endpoint | None) -> None:
        if endpoint is not None:
            self.context.store.adopt(endpoint)

    def on_open_events(self, message: OpenEvents) -> None:
        from tui.app.screens.events import EventsScreen

        self.push_screen(EventsScreen(self.context, message.endpoint, message.deployment_id))

    def on_open_metrics(self, message: OpenMetrics) -> None:
        from tui.app.screens.metrics import MetricsScreen

        self.push_screen(MetricsScreen(self.context, message.endpoint, message.deployment_id))

    def on_open_traffic_split(self, message: OpenTrafficSplit) -> None:
        from tui.app.screens.traffic_split import TrafficSplitScreen

        self.push_screen(TrafficSplitScreen(self.context, message.endpoint), callback=self._endpoint_updated)

    def on_open_compare_chat(self, message: OpenCompareChat) -> None:
        from tui.app.screens.compare_chat import CompareChatScreen

        self.push_screen(CompareChatScreen(self.context, message.endpoint, message.deployment_id))
