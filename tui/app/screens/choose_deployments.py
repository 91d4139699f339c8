"""Which deployments an action on an endpoint row means, when the endpoint has several: one, or all of them."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from tui.api.domain import Deployment, Endpoint
from tui.app.bindings import bindings
from tui.app.widgets.state_badge import state_text
from tui.core.tree import bounds_text, ready_text, state_label

ALL = "*all*"


def _line(deployment: Deployment) -> Text:
    text = Text(no_wrap=True, overflow="ellipsis")
    text.append(deployment.title, style="bold")
    text.append("  ")
    text.append_text(state_text(state_label(deployment.state), deployment.phase))
    text.append(f"  ready {ready_text(deployment)} · min-max "
                f"{bounds_text(deployment.min_replicas, deployment.max_replicas)}", style="dim")
    return text


class ChooseDeploymentsScreen(ModalScreen[list[str] | None]):
    """Answers the ids chosen (one, or all), or None when cancelled."""

    BINDINGS: ClassVar[list[BindingType]] = list(bindings("choose_deployments"))

    def __init__(self, verb: str, endpoint: Endpoint, deployments: Sequence[Deployment], *,
                 allow_all: bool = True) -> None:
        super().__init__()
        self.verb = verb
        self.endpoint = endpoint
        self.deployments = list(deployments)
        self.allow_all = allow_all

    def compose(self) -> ComposeResult:
        with Vertical(id="choose-dialog"):
            title = Text(f"{self.verb.capitalize()} which deployment of ", style="bold")
            title.append(self.endpoint.name, style="bold cyan")
            title.append("?", style="bold")
            yield Static(title, id="choose-title")
            options = []
            if self.allow_all:
                options.append(Option(Text(f"All {len(self.deployments)} deployments", style="bold"), id=ALL))
            options.extend(Option(_line(d), id=d.id) for d in self.deployments)
            yield OptionList(*options, id="choose-list")
            yield Static(Text("enter picks · escape cancels", style="dim"), id="choose-keys")

    def on_mount(self) -> None:
        options = self.query_one("#choose-list", OptionList)
        options.highlighted = 0
        options.focus()

    @on(OptionList.OptionSelected, "#choose-list")
    def _picked(self, event: OptionList.OptionSelected) -> None:
        picked = event.option.id
        self.dismiss([d.id for d in self.deployments] if picked == ALL else [str(picked)])

    def action_cancel(self) -> None:
        self.dismiss(None)
