"""``e`` on a v2 endpoint or deployment: change one deployment in place, sending only what changed.

The form loads the deployment as it is (with its etag and the endpoint's), previews old -> new with the
$/hour difference, and sends only the changed fields (``updateMask``) with the etags it was loaded with.
When the API answers 409 the deployment changed since the form opened: the form says so and ctrl+r
reloads it, keeping what the user typed in the fields they touched.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, cast

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.widgets import Input, Select

from tui.api.domain import DeploymentChanges, DeploymentSettings, Endpoint
from tui.api.errors import APIError, ConflictError
from tui.app.bindings import bindings
from tui.app.screens.endpoint_form_base import EndpointFormScreen
from tui.app.widgets.form_fields import FieldRow, Note
from tui.core import deployment_form as model
from tui.core import forms
from tui.core.deploy_form import INACTIVE_TIMEOUT, MAX_CONCURRENT, MAX_REPLICAS, MIN_REPLICAS, TRAFFIC_WEIGHT
from tui.core.deployment_form import SCALE_DOWN_WINDOW, SCALE_UP_WINDOW, DeploymentFormInput
from tui.core.format import format_price, format_signed_money

if TYPE_CHECKING:
    from tui.app.context import AppContext

#: Widget id -> field, in the order the form shows them.
BOXES = {
    "f-min": MIN_REPLICAS,
    "f-max": MAX_REPLICAS,
    "f-up-window": SCALE_UP_WINDOW,
    "f-down-window": SCALE_DOWN_WINDOW,
    "f-timeout": INACTIVE_TIMEOUT,
    "f-concurrent": MAX_CONCURRENT,
    "f-weight": TRAFFIC_WEIGHT,
}
LABELS = {
    MIN_REPLICAS: ("Min replicas", ""),
    MAX_REPLICAS: ("Max replicas", ""),
    SCALE_UP_WINDOW: ("Scale-up window", "seconds · empty = unchanged"),
    SCALE_DOWN_WINDOW: ("Scale-down window", "seconds · empty = unchanged"),
    INACTIVE_TIMEOUT: ("Inactive timeout", "minutes · 0 = never · 30-1440"),
    MAX_CONCURRENT: ("Max concurrent", "requests per replica · empty = unchanged"),
    TRAFFIC_WEIGHT: ("Traffic weight", "0 = not routed"),
}
STALE = ("✗ This deployment changed since the form opened (the API refused the stale version, 409). "
         "Nothing was changed. ctrl+r reloads it as it is now and keeps what you typed.")


class DeploymentUpdateScreen(EndpointFormScreen):
    """Dismisses with the endpoint after the change, or None when cancelled."""

    SUBMIT_LABEL = "Save"
    SUBMITTING_LABEL = "Saving…"
    BINDINGS: ClassVar[list[BindingType]] = [*bindings("form.deployment")]
    DEFAULT_CSS = "DeploymentUpdateScreen { align: center middle; }"
    INPUT_FIELDS: ClassVar[dict[str, str]] = BOXES

    def __init__(self, context: AppContext, endpoint: Endpoint, *, deployment_id: str | None = None) -> None:
        super().__init__(context)
        self.endpoint = endpoint
        ids = [d.id for d in endpoint.deployments]
        self.deployment_id = deployment_id if deployment_id in ids else (ids[0] if ids else deployment_id)
        #: The deployment as loaded; None until it is.
        self.current: DeploymentSettings | None = None
        self.stale = False

    def compose(self) -> ComposeResult:
        with Vertical(id="form-dialog", classes="endpoint-form") as dialog:
            dialog.border_title = Content.assemble("Update ", self.endpoint.name)
            dialog.border_subtitle = "ctrl+s saves the changes shown · ctrl+r reloads · esc cancels"
            with VerticalScroll(id="form-body"):
                if len(self.endpoint.deployments) > 1:
                    choices = [(Text(d.name.rpartition("/")[2] or d.id), d.id) for d in self.endpoint.deployments]
                    chosen = self.deployment_id or Select.NULL
                    yield FieldRow("Deployment", Select[str](choices, allow_blank=False, value=chosen,
                                                             id="f-deployment", compact=True), field="deployment")
                yield Note(id="form-fixed")
                for box_id, field in BOXES.items():
                    label, placeholder = LABELS[field]
                    yield FieldRow(label, Input(placeholder=placeholder, id=box_id, compact=True, disabled=True),
                                   field=field)
            yield Note(id="form-preview")
            yield Note(id="form-banner")
            yield from self.buttons()
        yield from self.compose_footer()

    def on_mount(self) -> None:
        self.refresh_form()
        self._load()

    # Loading

    @work(exclusive=True, group="deployment-settings", exit_on_error=False)
    async def _load(self) -> None:
        loader = getattr(self.provider, "deployment_settings", None)
        if loader is None or self.deployment_id is None:
            self.set_banner(Text("✗ This provider cannot change a deployment in place.", style="bold red"))
            return
        self.query_one("#form-fixed", Note).show(Text("Loading the deployment as it is now…", style="italic"))
        try:
            current = await loader(self.deployment_id)
        except APIError as error:
            self.set_banner(Text(f"✗ Could not load the deployment: {error} · ctrl+r retries", style="bold red"))
            return
        self._show_loaded(current)

    def _show_loaded(self, current: DeploymentSettings) -> None:
        self.current = current
        defaults = model.form_defaults(current)
        for box_id, field in BOXES.items():
            box = self.query_one(f"#{box_id}", Input)
            box.disabled = False
            if field not in self._touched:
                with box.prevent(Input.Changed):
                    box.value = getattr(defaults, _ATTRIBUTES[field])
        self._opened_with = self.typed()
        fixed = Text()
        price = format_price(current.price_per_replica_hour, cents=True)
        rows = (("Name", current.name), ("Model", current.model),
                ("Hardware", f"{current.hardware}  {price}/h per replica"))
        for label, value in rows:
            fixed.append(f"{label:<18}", style="dim")
            fixed.append(value + ("\n" if label != "Hardware" else ""))
        self.query_one("#form-fixed", Note).show(fixed)
        if self.stale:
            self.stale = False
            self.set_banner(Text("Reloaded: the preview now compares with the deployment as it is.", style="green"))
        self.refresh_form()
        if self.focused is None or self.focused.id not in BOXES:
            self.query_one("#f-min").focus()

    def action_reload(self) -> None:
        self._load()

    @on(Select.Changed, "#f-deployment")
    def _deployment_changed(self, event: Select.Changed) -> None:
        event.stop()
        self.deployment_id = cast("str", event.value)
        self._touched.clear()
        self.current = None
        self._load()

    # Reading and previewing

    def form_input(self) -> DeploymentFormInput:
        values = {_ATTRIBUTES[field]: self.query_one(f"#{box_id}", Input).value for box_id, field in BOXES.items()}
        return DeploymentFormInput(**values)

    def refresh_form(self) -> forms.FormResult[DeploymentChanges]:
        current = self.current
        if current is None:
            self.query_one("#form-preview", Note).show(Text("Preview: loading the deployment…", style="dim"))
            return forms.FormResult(None, {})
        result = model.validate_changes(self.form_input(), current)
        self.show_messages(result.errors, result.warnings)
        self.query_one("#form-preview", Note).show(self._preview(current, result))
        return result

    def _preview(self, current: DeploymentSettings, result: forms.FormResult[DeploymentChanges]) -> Text:
        text = Text()
        changes = result.value
        if changes is None:
            text.append("Preview: fix the fields above to see what will change.", style="dim")
            return text
        lines = model.preview(current, changes)
        if not lines:
            text.append("No changes yet: edit a field to see old → new here.", style="dim")
            return text
        text.append("Will change (only these are sent):\n", style="bold")
        for index, line in enumerate(lines):
            text.append(f"  {line.label:<18}", style="dim")
            text.append(line.old)
            text.append(" → ", style="bold")
            text.append(line.new, style="bold")
            difference = model.cost_difference(current, changes) if line.label == "Cost" else None
            if difference is not None:
                at_min, at_max = difference
                parts = [f"{format_signed_money(amount)}/h at {where}"
                         for amount, where in ((at_min, "min"), (at_max, "max")) if amount]
                text.append(f"  {', '.join(parts)}", style="red" if max(at_min, at_max) > 0 else "green")
            if index < len(lines) - 1:
                text.append("\n")
        return text

    # Sending

    def action_submit(self) -> None:
        if self.submitting:
            return
        if self.current is None:
            self.set_banner(Text("Still loading the deployment…", style="yellow"))
            return
        self._show_all = True
        result = self.refresh_form()
        if result.value is None:
            self.refuse_locally(result.errors)
            return
        if result.value.empty:
            self.set_banner(Text("Nothing to change: edit a field first (or esc to close).", style="yellow"))
            return
        self.set_banner(None)
        self.set_submitting(True)
        self._send(self.current, result.value)

    @work(group="form-submit", exit_on_error=False)
    async def _send(self, current: DeploymentSettings, changes: DeploymentChanges) -> None:
        try:
            endpoint = await self.provider.update_deployment(current, changes)  # type: ignore[attr-defined]
        except ConflictError as error:
            self.set_submitting(False)
            self.stale = True
            self.show_refusal(STALE, error)
            return
        except APIError as error:
            self.set_submitting(False)
            self.show_refusal(forms.refusal_text(error, creating=False), error)
            return
        sent = ", ".join(line.label.lower() for line in model.preview(current, changes) if line.label != "Cost")
        self.notify(f"Sent to {current.name}: {sent}.", title="Deployment updated", markup=False)
        self.dismiss(endpoint)


_ATTRIBUTES = {
    MIN_REPLICAS: "min_replicas",
    MAX_REPLICAS: "max_replicas",
    SCALE_UP_WINDOW: "scale_up_window",
    SCALE_DOWN_WINDOW: "scale_down_window",
    INACTIVE_TIMEOUT: "inactive_timeout",
    MAX_CONCURRENT: "max_concurrent",
    TRAFFIC_WEIGHT: "traffic_weight",
}
