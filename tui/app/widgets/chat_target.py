"""What the chat talks to: a one-line bar that always shows it, and an in-pane picker to switch it.

The picker lists the account's dedicated endpoints (with their state, since only a running one answers),
each v2 endpoint's deployments beneath it (choosing one pins it: the request names the deployment, and
the traffic split does not choose), and the service's chat models; typing filters all of them. An
endpoint serving a model that does not chat (embeddings, rerank) is listed, greyed, and cannot be chosen.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.events import Click, Key
from textual.message import Message
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from tui.api.domain import Deployment, Endpoint, ModelOption, Phase
from tui.app.bindings import bindings
from tui.app.widgets.state_badge import state_text
from tui.core.chat import ChatTarget
from tui.core.chat_routing import state_word

#: Kinds are the catalogue's; a model it does not know is offered (the service has the last word).
Kinds = Mapping[str, "str | None"]


def state_badge(item: Endpoint | Deployment) -> Content:
    """The same glyph, word and colour as the Endpoints table, so a state reads alike everywhere."""
    return Content.from_rich_text(state_text(state_word(item.state), item.phase))


class TargetBar(Horizontal):
    """``Target  GPT-OSS 20B (support bot)  demo/openai/gpt-oss-20b-1a2b  ● STARTED      ctrl+t change``."""

    class ChangeRequested(Message):
        """The user clicked the bar."""

    def compose(self) -> ComposeResult:
        yield Static(Content.styled("Target", "bold"), id="target-caption")
        yield Static(id="target-current")
        yield Static(id="target-state")
        yield Static(Content.styled("ctrl+t change", "dim"), id="target-hint")

    def on_mount(self) -> None:
        self.show(None, None)

    def show(self, target: ChatTarget | None, endpoint: Endpoint | None) -> None:
        current = self.query_one("#target-current", Static)
        state = self.query_one("#target-state", Static)
        if target is None:
            current.update(Content.styled("none yet: choose an endpoint or model", "italic $text-muted"))
            state.update("")
            return
        if target.label == target.model:
            current.update(Content.styled(target.label, "bold"))
        else:
            current.update(Content.assemble((target.label, "bold"), "  ", (target.model, "$text-muted")))
        if target.is_endpoint:
            pinned = next((d for d in endpoint.deployments if d.id == target.deployment_id), None) if (
                endpoint is not None and target.deployment_id) else None
            shown: Endpoint | Deployment | None = pinned or endpoint
            state.update(state_badge(shown) if shown is not None else Content.styled("? state unknown", "dim"))
        else:
            state.update(Content.styled("serverless", "$text-muted"))

    def on_click(self, event: Click) -> None:
        event.stop()
        self.post_message(self.ChangeRequested())


class TargetPicker(Vertical):
    """Filter box over a list of endpoints and models; ``enter`` picks, ``escape`` closes."""

    BINDINGS: ClassVar[list[BindingType]] = [*bindings("chat.target")]

    class Chosen(Message):
        def __init__(self, target: ChatTarget, endpoint: Endpoint | None) -> None:
            super().__init__()
            self.target = target
            self.endpoint = endpoint

    class Closed(Message):
        pass

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._endpoints: list[Endpoint] = []
        self._models: list[ModelOption] = []
        self._kinds: Kinds = {}
        self._current: str | None = None
        self._status: str = "loading…"

    def compose(self) -> ComposeResult:
        yield Input(placeholder="Type to filter endpoints and models…", id="target-filter")
        yield OptionList(id="target-options")
        yield Static(id="target-status")

    # Data

    def set_choices(
        self, endpoints: Sequence[Endpoint], models: Sequence[ModelOption], status: str = "", *,
        kinds: Kinds | None = None,
    ) -> None:
        self._endpoints = sorted(endpoints, key=lambda e: (e.phase is not Phase.READY, e.title.lower()))
        self._models = sorted(models, key=lambda m: m.title.lower())
        self._kinds = kinds or {}
        self._status = status
        if self.is_mounted:
            self._rebuild()

    def open(self, current: ChatTarget | None) -> None:
        self._current = current.key if current else None
        self.display = True
        filter_input = self.query_one("#target-filter", Input)
        filter_input.value = ""
        self._rebuild()
        filter_input.focus()

    def close(self) -> None:
        self.display = False

    def _matches(self, query: str, *fields: str | None) -> bool:
        return not query or any(query in field.lower() for field in fields if field)

    def _rebuild(self) -> None:
        query = self.query_one("#target-filter", Input).value.strip().lower()
        options: list[Option] = []
        endpoints = [e for e in self._endpoints if self._matches(query, e.title, e.name, e.model, e.state) or any(
            self._matches(query, d.name, d.model, d.state) for d in e.deployments)]
        models = [m for m in self._models if self._matches(query, m.title, m.id, m.organization)]
        if endpoints:
            options.append(Option(Content.styled(f"Your endpoints ({len(endpoints)})", "bold"), disabled=True))
            for endpoint in endpoints:
                options += self._endpoint_options(endpoint, query)
        if models:
            options.append(Option(Content.styled(f"Serverless models ({len(models)})", "bold"), disabled=True))
            for model in models:
                target = ChatTarget.for_model(model)
                prompt = Content.assemble("  ", (model.title, "bold"), "  ", (model.id, "$text-muted"))
                options.append(Option(prompt, id=target.key))
        option_list = self.query_one("#target-options", OptionList)
        option_list.clear_options()
        option_list.add_options(options)
        status = self._status
        if not endpoints and not models:
            status = status or ("Nothing matches." if query else "No endpoints or chat models.")
        self.query_one("#target-status", Static).update(Content.styled(status, "dim"))
        self._highlight_initial(option_list)

    def _endpoint_options(self, endpoint: Endpoint, query: str) -> list[Option]:
        target = ChatTarget.for_endpoint(endpoint, self._kinds.get(endpoint.model))
        badge = state_badge(endpoint)
        parts: list[str | Content | tuple[str, str]] = [
            "  ", badge.pad_right(max(0, 11 - badge.cell_length)), " ", (endpoint.title, "bold"),
        ]
        # A v1 list has no display names: the title is then the name, which already says the model.
        if endpoint.model not in endpoint.title:
            parts += ["  ", (endpoint.model, "$text-muted")]
        if not target.can_chat:
            parts += ["  ", (f"{target.kind} model: cannot chat", "italic $text-muted")]
        options = [Option(Content.assemble(*parts), id=target.key, disabled=not target.can_chat)]
        # Its deployments follow it (a filter that matched the endpoint shows them all).
        deployments = endpoint.deployments
        if query and not self._matches(query, endpoint.title, endpoint.name, endpoint.model, endpoint.state):
            deployments = tuple(d for d in deployments if self._matches(query, d.name, d.model, d.state))
        for index, deployment in enumerate(deployments):
            pinned = ChatTarget.for_deployment(endpoint, deployment, self._kinds.get(deployment.model))
            branch = "└" if index == len(deployments) - 1 else "├"
            badge = state_badge(deployment)
            weight = deployment.traffic_weight or 0
            line: list[str | Content | tuple[str, str]] = [
                f"    {branch} ", badge.pad_right(max(0, 11 - badge.cell_length)), " ", deployment.title,
                "  ", (f"weight {weight:g}", "$text-muted"), "  ", ("pin", "dim"),
            ]
            options.append(Option(Content.assemble(*line), id=pinned.key, disabled=not pinned.can_chat))
        return options

    def _highlight_initial(self, option_list: OptionList) -> None:
        if option_list.option_count == 0:
            return
        if self._current is not None:
            try:
                option_list.highlighted = option_list.get_option_index(self._current)
                return
            except Exception:
                pass
        for index in range(option_list.option_count):
            if not option_list.get_option_at_index(index).disabled:
                option_list.highlighted = index
                return

    # Events

    @on(Input.Changed, "#target-filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        event.stop()
        self._current = None
        self._rebuild()

    @on(Input.Submitted, "#target-filter")
    def _filter_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        option_list = self.query_one("#target-options", OptionList)
        if option_list.highlighted is not None:
            self._choose(option_list.get_option_at_index(option_list.highlighted))

    @on(OptionList.OptionSelected, "#target-options")
    def _option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self._choose(event.option)

    def on_key(self, event: Key) -> None:
        # Arrows in the filter box move through the list, so typing and choosing need no tab.
        if event.key in ("down", "up", "pagedown", "pageup") and self.query_one("#target-filter").has_focus:
            option_list = self.query_one("#target-options", OptionList)
            actions = {"down": option_list.action_cursor_down, "up": option_list.action_cursor_up,
                       "pagedown": option_list.action_page_down, "pageup": option_list.action_page_up}
            actions[event.key]()
            event.stop()
            event.prevent_default()

    def _choose(self, option: Option) -> None:
        if option.disabled or option.id is None:
            return
        kind, _, key = option.id.partition(":")
        if kind == "endpoint":
            endpoint = next((e for e in self._endpoints if e.id == key), None)
            if endpoint is not None:
                self.post_message(self.Chosen(ChatTarget.for_endpoint(endpoint, self._kinds.get(endpoint.model)),
                                              endpoint))
        elif kind == "deployment":
            endpoint_id, _, deployment_id = key.partition("/")
            endpoint = next((e for e in self._endpoints if e.id == endpoint_id), None)
            deployment = next((d for d in endpoint.deployments if d.id == deployment_id), None) if endpoint else None
            if endpoint is not None and deployment is not None:
                target = ChatTarget.for_deployment(endpoint, deployment, self._kinds.get(deployment.model))
                self.post_message(self.Chosen(target, endpoint))
        else:
            model = next((m for m in self._models if m.id == key), None)
            if model is not None:
                self.post_message(self.Chosen(ChatTarget.for_model(model), None))

    def action_close(self) -> None:
        self.post_message(self.Closed())
