"""``e``: the update form. Resize or rename an endpoint, with a preview of old -> new and the $/hour
difference; only what changed is sent. Model and hardware cannot change in place, so it offers "clone as
new", which asks the App for the create form (``OpenCreateForm``) and closes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.widgets import Button, Input, Static

from tui.api.domain import Endpoint, EndpointChanges
from tui.api.errors import APIError
from tui.app.bindings import bindings
from tui.app.messages import OpenCreateForm
from tui.app.screens.endpoint_form_base import EndpointFormScreen
from tui.app.widgets.form_fields import FieldRow, Note
from tui.core import forms
from tui.core.format import format_price, format_signed_money
from tui.core.forms import DISPLAY_NAME, INACTIVE_TIMEOUT, MAX_REPLICAS, MIN_REPLICAS, UpdateFormInput
from tui.core.numbers import describe_inactive_timeout

if TYPE_CHECKING:
    from tui.app.context import AppContext


class UpdateEndpointScreen(EndpointFormScreen):
    """``e``: resize or rename an endpoint. Dismisses with the updated Endpoint, or None when cancelled."""

    SUBMIT_LABEL = "Save"
    SUBMITTING_LABEL = "Saving…"
    BINDINGS: ClassVar[list[BindingType]] = [*bindings("form.update")]

    def __init__(self, context: AppContext, endpoint: Endpoint) -> None:
        super().__init__(context)
        # The store's copy may carry the details a list row lacks (hardware, replicas).
        known = context.store.get(endpoint.id)
        if known is not None and known.detailed and not endpoint.detailed:
            endpoint = known
        self.endpoint = endpoint
        #: The v1 API does not report it (spec: DedicatedEndpoint has no such field) unless a newer one does.
        self.current_timeout: int | None = endpoint.inactive_timeout
        self.price_per_hour: float | None = None
        # The v1-only provider declares no capabilities: it has every v1 field.
        capabilities = context.store.capabilities
        self.has_timeout = capabilities is None or capabilities.inactive_timeout
        # Shown where the provider has the setting, or where the API reported it on this endpoint anyway.
        self.has_speculative = (capabilities is None or capabilities.speculative_decoding
                                or endpoint.speculative_decoding is not None)

    def compose(self) -> ComposeResult:
        endpoint = self.endpoint
        defaults = forms.update_form_defaults(endpoint, self.current_timeout)
        with Vertical(id="form-dialog", classes="endpoint-form") as dialog:
            dialog.border_title = Content.assemble("Update ", endpoint.title)
            dialog.border_subtitle = "ctrl+s saves · ctrl+n clones · esc cancels"
            with VerticalScroll(id="form-body"):
                yield Note(id="form-fixed")
                with Horizontal(id="form-clone-line"):
                    yield Static("These cannot change in place: clone to change them.", id="form-fixed-note")
                    yield Button("Clone as new  ctrl+n", id="form-clone", compact=True)
                yield FieldRow(
                    "Display name", Input(defaults.display_name, id="f-display-name", compact=True),
                    field=DISPLAY_NAME,
                )
                yield FieldRow("Min replicas", Input(defaults.min_replicas, id="f-min", compact=True),
                               field=MIN_REPLICAS)
                yield FieldRow("Max replicas", Input(defaults.max_replicas, id="f-max", compact=True),
                               field=MAX_REPLICAS)
                if self.has_timeout:
                    yield FieldRow(
                        "Inactive timeout",
                        Input(defaults.inactive_timeout, placeholder="minutes · empty = unchanged · 0 = never",
                              id="f-timeout", compact=True),
                        field=INACTIVE_TIMEOUT,
                        hint=forms.UPDATE_TIMEOUT_EMPTY,
                    )
            yield Note(id="form-preview")
            yield Note(id="form-banner")
            yield from self.buttons()
        yield from self.compose_footer()

    def on_mount(self) -> None:
        self._show_fixed()
        self.refresh_form()
        if not self.endpoint.detailed:
            self._load_details()
        self._load_price()
        self.query_one("#f-display-name").focus()

    def _show_fixed(self) -> None:
        endpoint = self.endpoint
        grid = Text()
        speculative = endpoint.speculative_decoding
        rows = [
            ("Endpoint", endpoint.id),
            ("Name", endpoint.name),
            ("State", endpoint.state),
            ("Model", endpoint.model),
            ("Hardware", (endpoint.hardware_id or "loading…")
             + (f"  {format_price(self.price_per_hour, cents=True)}/h per replica"
                if self.price_per_hour is not None else "")),
        ]
        if self.has_speculative:
            rows.append(("Spec. decoding", "on" if speculative is True else "off" if speculative is False
                         else "as created (not reported by the API)"))
        if endpoint.region:
            rows.append(("Region", endpoint.region))
        for index, (label, value) in enumerate(rows):
            grid.append(f"{label:<17}", style="dim")
            grid.append(value)
            if index < len(rows) - 1:
                grid.append("\n")
        self.query_one("#form-fixed", Note).show(grid)

    def form_input(self) -> UpdateFormInput:
        return UpdateFormInput(
            display_name=self.query_one("#f-display-name", Input).value,
            min_replicas=self.query_one("#f-min", Input).value,
            max_replicas=self.query_one("#f-max", Input).value,
            # Without the field nothing is typed, and an empty timeout is never sent.
            inactive_timeout=self.query_one("#f-timeout", Input).value if self.has_timeout else "",
        )

    def refresh_form(self) -> forms.FormResult[EndpointChanges]:
        form = self.form_input()
        result = forms.validate_update(form, self.endpoint, current_timeout=self.current_timeout)
        self.show_messages(result.errors, result.warnings)
        if self.has_timeout:
            self.rows()[INACTIVE_TIMEOUT].set_hint(
                describe_inactive_timeout(form.inactive_timeout, empty_means=forms.UPDATE_TIMEOUT_EMPTY)
            )
        self.query_one("#form-preview", Note).show(self._preview(result))
        return result

    def _preview(self, result: forms.FormResult[EndpointChanges]) -> Text:
        text = Text()
        changes = result.value
        if changes is None:
            text.append("Preview: fix the fields above to see what will change.", style="dim")
            return text
        if not self.endpoint.detailed:
            text.append("Preview: loading the endpoint's current settings…", style="dim")
            return text
        lines = forms.update_preview(self.endpoint, changes, self.price_per_hour,
                                     current_timeout=self.current_timeout)
        if not lines:
            text.append("No changes yet: edit a field to see old → new here.", style="dim")
            return text
        text.append("Will change:\n", style="bold")
        for index, line in enumerate(lines):
            text.append(f"  {line.label:<17}", style="dim")
            text.append(line.old)
            text.append(" → ", style="bold")
            text.append(line.new, style="bold")
            if line.label == "Cost":
                difference = forms.cost_difference(self.endpoint, changes, self.price_per_hour)
                if difference is not None:
                    at_min, at_max = difference
                    style = "red" if max(at_min, at_max) > 0 else "green"
                    text.append(
                        f"  {format_signed_money(at_min)} at min, {format_signed_money(at_max)} at max",
                        style=style,
                    )
            if index < len(lines) - 1:
                text.append("\n")
        return text

    @work(group="form-details", exit_on_error=False)
    async def _load_details(self) -> None:
        try:
            fresh = await self.provider.get_endpoint(self.endpoint.id)
        except APIError as error:
            self.set_banner(Text(f"✗ Could not load the endpoint's settings: {error}", style="bold red"))
            return
        self.endpoint = fresh
        defaults = forms.update_form_defaults(fresh, self.current_timeout)
        for input_id, field, value in (
            ("#f-display-name", DISPLAY_NAME, defaults.display_name),
            ("#f-min", MIN_REPLICAS, defaults.min_replicas),
            ("#f-max", MAX_REPLICAS, defaults.max_replicas),
        ):
            if field not in self._touched:
                box = self.query_one(input_id, Input)
                with box.prevent(Input.Changed):
                    box.value = value
        self._show_fixed()
        self.refresh_form()
        if self.price_per_hour is None:
            self._load_price()

    @work(exclusive=True, group="form-price", exit_on_error=False)
    async def _load_price(self) -> None:
        hardware_id = self.endpoint.hardware_id
        if not hardware_id:
            return
        price = self.context.catalog.price_of(hardware_id)
        if price is None:
            try:
                # What the catalogue has not priced yet: the model's options first, then every option.
                for model in (self.endpoint.model, None):
                    option = next((o for o in await self.context.catalog.hardware(model) if o.id == hardware_id),
                                  None)
                    if option is not None:
                        price = option.price_per_hour
                        break
            except APIError:
                # The preview then shows "?" for cost; replicas and names still work.
                return
        if price is not None:
            self.price_per_hour = price
            self._show_fixed()
            self.refresh_form()

    def action_submit(self) -> None:
        if self.submitting:
            return
        self._show_all = True
        result = self.refresh_form()
        if result.value is None:
            self.refuse_locally(result.errors)
            return
        if not self.endpoint.detailed:
            self.set_banner(Text("Still loading the endpoint's current settings…", style="yellow"))
            return
        if result.value.empty:
            self.set_banner(Text("Nothing to change: edit a field first (or esc to close).", style="yellow"))
            return
        self.set_banner(None)
        self.set_submitting(True)
        self._update(result.value)

    @work(group="form-submit", exit_on_error=False)
    async def _update(self, changes: EndpointChanges) -> None:
        try:
            endpoint = await self.provider.update_endpoint(self.endpoint.id, changes)
        except APIError as error:
            self.set_submitting(False)
            self.show_refusal(forms.refusal_text(error, creating=False), error)
            return
        self.dismiss(endpoint)

    def action_clone(self) -> None:
        if self.submitting:
            return
        # Posted from the screen below: this one is gone once dismissed, and the App opens the create form.
        self.app.post_message(OpenCreateForm(clone_of=self.endpoint))
        self.dismiss(None)

    @on(Button.Pressed, "#form-clone")
    def _clone_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_clone()
