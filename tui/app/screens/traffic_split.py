"""The editor of an endpoint's traffic split: a weight per deployment, and the share each would really get
(``weight x readyReplicas``, normalised) as you type.

Nothing is sent by a single key: ctrl+s checks the split (one that would route nothing is refused with
the reason) and opens a review; ``y`` there sends it, with the etag the endpoint was loaded with, so a
split changed meanwhile is refused (409) and ctrl+r loads it as it is now.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar, Protocol, runtime_checkable

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Footer, Input, Static

from tui.api import errors
from tui.api.domain import Endpoint
from tui.app.bindings import bindings
from tui.app.context import AppContext
from tui.core import traffic as model


@runtime_checkable
class SplitSetter(Protocol):
    async def set_traffic_split(
        self, endpoint_id: str, weights: Mapping[str, float], *, version: str | None = None
    ) -> Endpoint: ...

    async def get_endpoint(self, endpoint_id: str) -> Endpoint: ...


def _percent(share: float) -> str:
    return f"{share * 100:.0f}%" if share * 100 >= 1 or share == 0 else f"{share * 100:.1f}%"


class ConfirmSplitScreen(ModalScreen[bool]):
    """Dismisses True to send the split, False to go back to the editor (focused by default)."""

    BINDINGS: ClassVar[list[BindingType]] = list(bindings("confirm_split"))
    DEFAULT_CSS = """
    ConfirmSplitScreen { align: center middle; }
    #split-confirm { width: 76; max-width: 100%; height: auto; border: thick $warning;
                     background: $surface; padding: 0 2; }
    """

    def __init__(self, summary: Text) -> None:
        super().__init__()
        self.summary = summary

    def compose(self) -> ComposeResult:
        with Vertical(id="split-confirm") as box:
            box.border_title = "Send this traffic split?"
            yield Static(self.summary, id="split-confirm-summary")
            yield Static(Text("y sends · n or escape goes back", style="bold"))

    def action_answer(self, send: bool) -> None:
        self.dismiss(send)


class TrafficSplitScreen(ModalScreen[Endpoint | None]):
    """Dismisses the endpoint as the API answered after a split was sent, None when nothing was."""

    BINDINGS: ClassVar[list[BindingType]] = list(bindings("traffic"))
    DEFAULT_CSS = """
    TrafficSplitScreen { align: center middle; background: $background; }
    #split-dialog { width: 100; max-width: 100%; height: auto; max-height: 100%; border: thick $primary;
                    background: $surface; padding: 0 1; }
    #split-rows { height: auto; max-height: 12; }
    .split-row { height: 1; }
    .split-name { width: 1fr; }
    .split-weight { width: 10; border: none; height: 1; padding: 0 1; }
    .split-ready { width: 10; padding-left: 1; }
    .split-share { width: 2fr; }
    #split-head { height: 1; text-style: bold; }
    #split-summary { height: auto; margin-top: 1; }
    #split-banner { height: auto; }
    """

    def __init__(self, context: AppContext, endpoint: Endpoint) -> None:
        super().__init__()
        self.context = context
        self.endpoint = context.store.get(endpoint.id) or endpoint
        self.loaded = model.rows_of(self.endpoint)
        self.banner: Text = Text(model.PROPAGATION, style="dim")
        self.sending = False
        provider = context.provider
        capabilities = context.store.capabilities
        self.setter: SplitSetter | None = (
            provider
            if capabilities is not None and capabilities.traffic_split and isinstance(provider, SplitSetter)
            else None
        )

    def compose(self) -> ComposeResult:
        with Vertical(id="split-dialog") as dialog:
            dialog.border_title = f"Traffic split · {self.endpoint.title}"
            yield Static(self._head(), id="split-head")
            with VerticalScroll(id="split-rows"):
                for index, row in enumerate(self.loaded):
                    with Horizontal(classes="split-row"):
                        yield Static(Text(row.title, overflow="ellipsis", no_wrap=True), classes="split-name")
                        yield Input(f"{row.weight:g}", id=f"split-weight-{index}", classes="split-weight",
                                    compact=True, select_on_focus=True)
                        yield Static("", id=f"split-ready-{index}", classes="split-ready")
                        yield Static("", id=f"split-share-{index}", classes="split-share")
            yield Static("", id="split-summary")
            yield Static(self.banner, id="split-banner")
            yield Footer(compact=True)

    def _head(self) -> Text:
        return Text("Deployment · weight · ready · share (weight x ready, normalised)")

    def on_mount(self) -> None:
        if self.loaded:
            self.query_one("#split-weight-0", Input).focus()
        self.refresh_view()

    # The model of what is typed

    def typed(self) -> tuple[list[model.SplitRow], list[str]]:
        """The rows with the weights as typed, and what is wrong with any of them."""
        weights: dict[str, float] = {}
        problems: list[str] = []
        for index, row in enumerate(self.loaded):
            value, problem = model.parse_weight(self.query_one(f"#split-weight-{index}", Input).value)
            if problem:
                problems.append(f"{row.title}: {problem}")
            weights[row.deployment_id] = value if value is not None else row.weight
        return model.with_weights(self.loaded, weights), problems

    @on(Input.Changed)
    def _typed(self, event: Input.Changed) -> None:
        event.stop()
        self.refresh_view()

    def refresh_view(self) -> None:
        rows, problems = self.typed()
        shares = model.shares(rows)
        for index, row in enumerate(rows):
            ready = Text(f"{row.ready} ready", style="green" if row.ready else "yellow")
            self.query_one(f"#split-ready-{index}", Static).update(ready)
            share = Text(_percent(shares[row.deployment_id]), style="bold")
            if row.flag:
                share.append(f"  ⚠ {row.flag}", style="yellow")
            self.query_one(f"#split-share-{index}", Static).update(share)
        summary = Text()
        if problems:
            summary.append("✗ " + "; ".join(problems), style="bold red")
        elif reason := model.refusal(rows):
            summary.append("✗ Refused before sending: " + reason, style="bold red")
        elif not model.changed(self.loaded, rows):
            summary.append("Unchanged. Type new weights; ctrl+s reviews them before anything is sent.")
        else:
            summary.append("Would send: ", style="bold")
            summary.append(model.describe(rows))
        self.query_one("#split-summary", Static).update(summary)

    # Actions

    def action_cancel(self) -> None:
        self.dismiss(None)

    def action_submit(self) -> None:
        if self.sending:
            return
        if self.context.read_only:
            self._say(Text("Read-only mode: the split is shown, nothing can be sent.", style="bold yellow"))
            return
        if self.setter is None:
            self._say(Text(f"{self.context.provider.label} has no traffic split to edit.", style="bold yellow"))
            return
        rows, problems = self.typed()
        if problems or model.refusal(rows):
            # The reason is the summary's, just above.
            self._say(Text("Not sent: this split is refused (the reason is above).", style="bold red"))
            return
        if not model.changed(self.loaded, rows):
            self._say(Text("Not sent: nothing changed.", style="yellow"))
            return
        shares = model.shares(rows)
        summary = Text()
        summary.append(f"{self.endpoint.title}\n", style="bold")
        before = {r.deployment_id: r.weight for r in self.loaded}
        for row in rows:
            share = _percent(shares[row.deployment_id])
            summary.append(f"  {row.title}: weight {row.weight:g}, {row.ready} ready → {share}")
            summary.append(f"  (was {before[row.deployment_id]:g})\n", style="dim")
        summary.append("PATCH updateMask=trafficSplit with the etag loaded. No replica starts or stops: the "
                       "cost per hour does not change.\n" + model.PROPAGATION)
        setter = self.setter
        self.app.push_screen(ConfirmSplitScreen(summary), callback=lambda go: self._confirmed(go, setter, rows))

    def _confirmed(self, go: bool | None, setter: SplitSetter, rows: list[model.SplitRow]) -> None:
        if not go:
            self._say(Text("Not sent.", style="yellow"))
            return
        self.sending = True
        self._say(Text(f"Sending traffic split for {self.endpoint.title}: {model.describe(rows)}…", style="bold"))
        self.run_worker(self._send(setter, rows), group="traffic-split", exclusive=True, exit_on_error=False)

    async def _send(self, setter: SplitSetter, rows: list[model.SplitRow]) -> None:
        weights = {r.deployment_id: r.weight for r in rows}
        try:
            updated = await setter.set_traffic_split(self.endpoint.id, weights, version=self.endpoint.version)
        except errors.ConflictError as exc:
            self._say(Text(f"Not applied: {exc.message} ctrl+r loads the split as it is now.", style="bold red"))
        except errors.APIError as exc:
            self._say(Text(f"Not applied: {exc}", style="bold red"))
        else:
            self.app.notify(
                f"Sent traffic split for {self.endpoint.title}: {model.describe(rows)}. {model.PROPAGATION}",
                markup=False,
            )
            self.dismiss(updated)
        finally:
            self.sending = False

    def action_reload(self) -> None:
        if self.setter is None:
            return
        setter = self.setter
        self._say(Text("Loading the split as it is now…"))

        async def reload() -> None:
            try:
                fresh = await setter.get_endpoint(self.endpoint.id)
            except errors.APIError as exc:
                self._say(Text(f"Could not reload: {exc}", style="bold red"))
                return
            self.context.store.adopt(fresh)
            self.endpoint = fresh
            self.loaded = model.rows_of(fresh)
            await self.recompose()
            self.banner = Text("Reloaded: these are the weights as they are now. " + model.PROPAGATION)
            self._say(self.banner)
            self.on_mount()

        self.run_worker(reload(), group="traffic-reload", exclusive=True, exit_on_error=False)

    def _say(self, text: Text) -> None:
        self.banner = text
        if self.is_mounted:
            self.query_one("#split-banner", Static).update(text)
