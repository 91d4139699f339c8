"""The create and update forms: modal screens that send exactly one request, and only a valid one.

Everything is checked before anything is sent (required fields, whole numbers, min <= max, max >= 1,
timeout >= 0, hardware offered for the model), with the message next to the field. A refusal from the
API is shown in the form in the API's words and the form keeps what was typed; after a refused
hardware choice it lists what the model can run on. POST /endpoints is never retried and a second
enter while it is in flight does nothing: one submission, one endpoint.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, ClassVar, cast

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Checkbox, Footer, Input, Select, Static

from tui.api.domain import Endpoint, HardwareOption
from tui.api.errors import APIError, BadRequestError
from tui.app import endpoint_forms_logic as logic
from tui.app.endpoint_forms_logic import (
    AVAILABILITY_ZONE,
    DISPLAY_NAME,
    HARDWARE,
    INACTIVE_TIMEOUT,
    MAX_REPLICAS,
    MIN_REPLICAS,
    MODEL,
    CreateFormInput,
    UpdateFormInput,
)
from tui.app.form_numbers import describe_inactive_timeout
from tui.app.widgets.form_fields import FieldRow, Note, Switch, hardware_option_label
from tui.app.widgets.model_picker import ModelField, dedicated_models

if TYPE_CHECKING:
    from tui.api import Provider
    from tui.app.app import TogetherApp

#: Which form field an API ``param`` names, to mark the field the service refused.
PARAM_FIELDS = {
    "model": MODEL,
    "hardware": HARDWARE,
    "display_name": DISPLAY_NAME,
    "autoscaling.min_replicas": MIN_REPLICAS,
    "autoscaling.max_replicas": MAX_REPLICAS,
    "autoscaling": MAX_REPLICAS,
    "inactive_timeout": INACTIVE_TIMEOUT,
    "availability_zone": AVAILABILITY_ZONE,
}


class EndpointFormScreen(ModalScreen["Endpoint | None"]):
    """What both forms share: the dialog frame, field messages, the banner and the one-shot submit."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "submit", "Submit", id="form.submit",
                tooltip="Send the form (enter in a text box only moves on)"),
        Binding("escape", "cancel", "Cancel", id="form.cancel", tooltip="Close without sending anything"),
    ]

    SUBMIT_LABEL = "Submit"
    SUBMITTING_LABEL = "Sending…"
    #: The text boxes both forms have, by widget id.
    INPUT_FIELDS: ClassVar[dict[str, str]] = {
        "f-display-name": DISPLAY_NAME,
        "f-min": MIN_REPLICAS,
        "f-max": MAX_REPLICAS,
        "f-timeout": INACTIVE_TIMEOUT,
    }

    def __init__(self) -> None:
        super().__init__()
        #: True from the moment a request is sent until its answer: the double-submit guard.
        self.submitting = False
        self._touched: set[str] = set()
        self._show_all = False
        self._server_errors: dict[str, str] = {}
        #: After a refused submit, the banner counts the fields still to fix.
        self._count_errors_in_banner = False
        #: The banner holds the API's refusal, about this field (None: about the request as a whole).
        self._refusal_shown = False
        self._refused_field: str | None = None

    @property
    def tapp(self) -> TogetherApp:
        return cast("TogetherApp", self.app)

    @property
    def provider(self) -> Provider:
        return self.tapp.provider

    def rows(self) -> dict[str, FieldRow]:
        return {row.field: row for row in self.query(FieldRow)}

    def buttons(self) -> ComposeResult:
        with Horizontal(id="form-buttons"):
            yield Button(f"{self.SUBMIT_LABEL}  ctrl+s", id="form-submit", variant="primary", compact=True)
            yield Button("Cancel  esc", id="form-cancel", compact=True)

    def compose_footer(self) -> ComposeResult:
        # The form's own keys, not those of the pane underneath.
        yield Footer()

    def show_messages(self, errors: Mapping[str, str], warnings: Mapping[str, str]) -> None:
        for name, row in self.rows().items():
            visible = self._show_all or name in self._touched
            if visible and name in errors:
                row.set_message(errors[name])
            elif name in self._server_errors:
                row.set_message(self._server_errors[name])
            elif name in warnings:
                row.set_message(warnings[name], "warning")
            else:
                row.set_message(None)

    def set_banner(self, text: str | Text | None) -> None:
        banner = self.query_one("#form-banner", Note)
        banner.set_class(bool(text), "-shown")
        banner.show(text or "")

    def set_submitting(self, submitting: bool) -> None:
        self.submitting = submitting
        button = self.query_one("#form-submit", Button)
        button.disabled = submitting
        button.label = self.SUBMITTING_LABEL if submitting else f"{self.SUBMIT_LABEL}  ctrl+s"

    def focus_first_error(self, errors: Mapping[str, str]) -> None:
        for name, row in self.rows().items():
            if name in errors or name in self._server_errors:
                row.control.focus()
                return

    def show_refusal(self, text: str, error: APIError) -> None:
        """The API's refusal in the banner, and on the field it names, until that field is edited."""
        self.set_banner(Text(text, style="bold red"))
        field = PARAM_FIELDS.get(error.param or "")
        if field is None and logic.is_hardware_refusal(error):
            field = HARDWARE
        if field is not None and field not in self.rows():
            field = None
        if field is not None:
            self._server_errors[field] = "Refused by the API (see below)."
        self._refusal_shown = True
        self._refused_field = field
        self.refresh_form()

    def edited(self, touched: Iterable[str], *, forget: Iterable[str] = ()) -> None:
        """The user changed a field: what the API said about it no longer holds, and it is checked again.

        A refusal naming no field goes with any edit; one naming a field goes when that field changes.
        """
        touched = set(touched)
        self._touched |= touched
        forgotten = touched | set(forget)
        for field in forgotten:
            self._server_errors.pop(field, None)
        if self._refusal_shown and (self._refused_field is None or self._refused_field in forgotten):
            self._refusal_shown = False
            self.set_banner(None)
        result = self.refresh_form()
        # After a refused submit the banner counts what is left to fix, live, until nothing is.
        if self._count_errors_in_banner:
            self._show_error_count(result.errors)

    def refresh_form(self) -> logic.FormResult[Any]:
        """Validate what is typed and show every message, hint and estimate that follows from it."""
        raise NotImplementedError

    def refuse_locally(self, errors: Mapping[str, str]) -> None:
        self._count_errors_in_banner = True
        self._show_error_count(errors)
        self.focus_first_error(errors)

    def _show_error_count(self, errors: Mapping[str, str]) -> None:
        count = len(errors)
        if not count:
            self._count_errors_in_banner = False
            self.set_banner(None)
            return
        self.set_banner(Text(f"✗ {count} field{'s' if count != 1 else ''} to fix before anything is sent.",
                             style="bold red"))

    @on(Input.Changed)
    def _input_changed(self, event: Input.Changed) -> None:
        event.stop()
        field = self.INPUT_FIELDS.get(event.input.id or "")
        if field is None:
            return
        # The replica bounds are checked together: editing one can fix the other's message.
        self.edited((MIN_REPLICAS, MAX_REPLICAS) if field in (MIN_REPLICAS, MAX_REPLICAS) else (field,))

    @on(Checkbox.Changed)
    def _switch_changed(self, event: Checkbox.Changed) -> None:
        event.stop()
        self.edited(())

    # Keys and buttons

    def action_cancel(self) -> None:
        if self.submitting:
            # Dismissing would cancel the request mid-flight and hide whether it happened.
            self.notify("Waiting for the API's answer; escape works again once it arrives.", severity="warning")
            return
        self.dismiss(None)

    def action_submit(self) -> None:
        raise NotImplementedError

    @on(Button.Pressed, "#form-submit")
    def _submit_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_submit()

    @on(Button.Pressed, "#form-cancel")
    def _cancel_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_cancel()

    @on(Input.Submitted)
    def _input_submitted(self, event: Input.Submitted) -> None:
        # Enter ends a field, never the form: a stray one must not create (and bill) an endpoint.
        event.stop()
        self.focus_next()


class CreateEndpointScreen(EndpointFormScreen):
    """``n``: a new dedicated endpoint. Dismisses with the created Endpoint, or None when cancelled."""

    SUBMIT_LABEL = "Create"
    SUBMITTING_LABEL = "Creating…"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "submit", "Create", id="form.create",
                tooltip="Create the endpoint; sent once, never retried (enter in a text box only moves on)"),
        Binding("ctrl+r", "reload", "Reload lists", id="form.reload", show=False,
                tooltip="Ask the API again for models, hardware and zones"),
    ]

    def __init__(
        self, *, model: str | None = None, hardware_id: str | None = None, clone_of: Endpoint | None = None
    ) -> None:
        super().__init__()
        self.clone_of = clone_of
        if clone_of is not None:
            model = model or clone_of.model
            hardware_id = hardware_id or clone_of.hardware_id
        self.initial_model = model
        #: The hardware asked for (prefilled, or picked before the model changed) until the list confirms it.
        self.wanted_hardware = hardware_id
        #: ``GET /hardware?model=`` by id for the chosen model; None while unknown.
        self.offered: dict[str, HardwareOption] | None = None
        self.hardware_error: str | None = None
        self.known_models: list[str] | None = None
        #: The last refusal, kept so the list of usable hardware can be added under it.
        self._refusal = ""
        self._touched = {name for name, given in ((MODEL, model), (HARDWARE, hardware_id)) if given}
        #: Move focus to the hardware list once it has loaded (the user just picked a model).
        self._focus_hardware_when_loaded = False

    def compose(self) -> ComposeResult:
        clone = self.clone_of
        display_name = f"{clone.title} (copy)" if clone else ""
        min_replicas = str(clone.min_replicas) if clone and clone.min_replicas is not None else "1"
        max_replicas = str(clone.max_replicas) if clone and clone.max_replicas is not None else "1"
        with Vertical(id="form-dialog", classes="endpoint-form") as dialog:
            dialog.border_title = (
                Content.assemble("Clone ", clone.title, " as a new endpoint") if clone else "New dedicated endpoint"
            )
            dialog.border_subtitle = "tab moves · ctrl+s creates · esc cancels"
            with VerticalScroll(id="form-body"):
                yield FieldRow("Model", ModelField(self.initial_model, id="f-model"), field=MODEL)
                yield FieldRow(
                    "Hardware",
                    Select[str]([], prompt="Pick a model first", id="f-hardware", compact=True),
                    field=HARDWARE,
                )
                yield FieldRow(
                    "Display name",
                    Input(display_name, placeholder="optional: how lists show it", id="f-display-name",
                          compact=True),
                    field=DISPLAY_NAME,
                )
                yield FieldRow("Min replicas", Input(min_replicas, id="f-min", compact=True), field=MIN_REPLICAS)
                yield FieldRow("Max replicas", Input(max_replicas, id="f-max", compact=True), field=MAX_REPLICAS)
                yield FieldRow(
                    "Inactive timeout",
                    Input(placeholder="minutes · empty = default · 0 = never", id="f-timeout", compact=True),
                    field=INACTIVE_TIMEOUT,
                    hint=logic.CREATE_TIMEOUT_EMPTY,
                )
                yield FieldRow(
                    "Spec. decoding",
                    Switch("faster answers; rarely worth turning off", "every token from the model itself",
                           id="f-speculative"),
                    field="speculative_decoding",
                )
                yield FieldRow(
                    "Avail. zone",
                    Select[str]([], prompt="Any zone (the service picks)", id="f-zone", compact=True),
                    field=AVAILABILITY_ZONE,
                )
                yield FieldRow(
                    "Start",
                    Switch("start now (billed once running)", "create it stopped (not billed)", id="f-start"),
                    field="start",
                )
            yield Note(id="form-summary")
            yield Note(id="form-banner")
            yield from self.buttons()
        yield from self.compose_footer()

    def on_mount(self) -> None:
        self.query_one("#f-hardware", Select).disabled = True
        self._load_models()
        self._load_zones()
        if self.initial_model:
            self._load_hardware(self.initial_model)
        self.refresh_form()
        if self.initial_model and self.wanted_hardware:
            self.query_one("#f-display-name").focus()
        else:
            # The hardware list is disabled until it loads; focus moves there then, unless the user
            # has moved on.
            self._focus_hardware_when_loaded = bool(self.initial_model)
            self.query_one("#f-model").focus()

    # Reading the form

    @property
    def model_id(self) -> str | None:
        return self.query_one("#f-model", ModelField).model_id

    @property
    def hardware_id(self) -> str | None:
        selection = self.query_one("#f-hardware", Select).selection
        return cast("str | None", selection) or self.wanted_hardware

    def form_input(self) -> CreateFormInput:
        zone = self.query_one("#f-zone", Select).selection
        return CreateFormInput(
            model=self.model_id,
            hardware_id=self.hardware_id,
            display_name=self.query_one("#f-display-name", Input).value,
            min_replicas=self.query_one("#f-min", Input).value,
            max_replicas=self.query_one("#f-max", Input).value,
            inactive_timeout=self.query_one("#f-timeout", Input).value,
            speculative_decoding=self.query_one("#f-speculative", Checkbox).value,
            availability_zone=cast("str | None", zone),
            start=self.query_one("#f-start", Checkbox).value,
        )

    def validate(self) -> logic.FormResult[logic.EndpointSpec]:
        result = logic.validate_create(self.form_input(), self.offered, known_models=self.known_models)
        if self.hardware_error and self.model_id and HARDWARE not in result.errors:
            # The hardware list could not be fetched: nothing can be checked, so nothing is sent.
            errors = {**result.errors, HARDWARE: self.hardware_error}
            return logic.FormResult(None, errors, result.warnings)
        return result

    def refresh_form(self) -> logic.FormResult[logic.EndpointSpec]:
        result = self.validate()
        self.show_messages(result.errors, result.warnings)
        form = self.form_input()
        timeout_row = self.rows()[INACTIVE_TIMEOUT]
        timeout_row.set_hint(
            describe_inactive_timeout(form.inactive_timeout, empty_means=logic.CREATE_TIMEOUT_EMPTY)
        )
        option = (self.offered or {}).get(form.hardware_id or "")
        summary = logic.estimate_line(option.price_per_hour if option else None, form.min_replicas,
                                      form.max_replicas, start=form.start)
        self.query_one("#form-summary", Note).show(summary)
        return result

    # Loading what the pickers offer

    @work(group="form-models", exit_on_error=False)
    async def _load_models(self, refresh: bool = False) -> None:
        try:
            models = await dedicated_models(self.provider, refresh=refresh)
        except APIError:
            # The picker shows its own error; validation then falls back to the hardware check.
            return
        self.known_models = [model.id for model in models]
        self.query_one("#f-model", ModelField).resolve(models)
        self.refresh_form()

    @work(group="form-zones", exit_on_error=False)
    async def _load_zones(self) -> None:
        select = self.query_one("#f-zone", Select)
        try:
            zones = await self.provider.list_availability_zones()
        except APIError as error:
            select.prompt = f"Any zone (zones unavailable: {error.kind})"
            return
        chosen = select.selection
        with select.prevent(Select.Changed):
            select.set_options([(Text(zone), zone) for zone in zones])
            if chosen in zones:
                select.value = chosen

    @work(exclusive=True, group="form-hardware", exit_on_error=False)
    async def _load_hardware(self, model_id: str, after_refusal: bool = False) -> None:
        select = self.query_one("#f-hardware", Select)
        self.offered = None
        self.hardware_error = None
        select.disabled = True
        select.prompt = "Loading hardware for this model…"
        self.refresh_form()
        try:
            options = await self.provider.list_hardware(model_id)
        except APIError as error:
            self.hardware_error = f"Could not load hardware for this model: {error} (ctrl+r retries)."
            select.prompt = "Hardware list unavailable"
            self.refresh_form()
            return
        if model_id != self.model_id:
            return
        self.show_hardware(options)
        if after_refusal and self._refusal_shown:
            self.set_banner(
                Text(f"{self._refusal}\n  {logic.available_for_model(options)}", style="bold red")
            )

    def show_hardware(self, options: Sequence[HardwareOption]) -> None:
        select = self.query_one("#f-hardware", Select)
        ordered = logic.cheapest_available_first(options)
        self.offered = {option.id: option for option in ordered}
        wanted = self.wanted_hardware
        price_width = max((len(logic.format_money(o.price_per_hour, cents=True)) + 2 for o in ordered), default=0)
        with select.prevent(Select.Changed):
            select.set_options([(hardware_option_label(option, price_width), option.id) for option in ordered])
            select.prompt = "Pick hardware (cheapest available first)" if ordered else "No hardware for this model"
            select.disabled = not ordered
            if wanted in self.offered:
                select.value = wanted
                self.wanted_hardware = None
            elif wanted is None and ordered:
                first = ordered[0]
                if first.availability is None or first.availability.value == "available":
                    select.value = first.id
        self.refresh_form()
        if self._focus_hardware_when_loaded and not select.disabled:
            self._focus_hardware_when_loaded = False
            if self.focused in (None, self.query_one("#f-model")):
                select.focus()

    def action_reload(self) -> None:
        self._load_models(refresh=True)
        self._load_zones()
        if self.model_id:
            self._load_hardware(self.model_id)

    # Reacting to edits

    @on(ModelField.Changed, "#f-model")
    def _model_changed(self, event: ModelField.Changed) -> None:
        event.stop()
        select = self.query_one("#f-hardware", Select)
        # Keep the hardware asked for: it stays chosen if the new model runs on it too.
        self.wanted_hardware = cast("str | None", select.selection) or self.wanted_hardware
        with select.prevent(Select.Changed):
            select.set_options([])
        self.offered = None
        if event.model is not None:
            self._focus_hardware_when_loaded = True
            self._load_hardware(event.model.id)
        self.edited((MODEL,), forget=(HARDWARE,))

    @on(Select.Changed, "#f-hardware")
    def _hardware_changed(self, event: Select.Changed) -> None:
        event.stop()
        if event.value is not Select.NULL:
            self.wanted_hardware = None
        self.edited((HARDWARE,))

    @on(Select.Changed, "#f-zone")
    def _zone_changed(self, event: Select.Changed) -> None:
        event.stop()
        self.edited((), forget=(AVAILABILITY_ZONE,))

    # Sending

    def action_submit(self) -> None:
        if self.submitting:
            return
        self._show_all = True
        result = self.refresh_form()
        if not result.ok or result.value is None:
            self.refuse_locally(result.errors)
            return
        self.set_banner(None)
        self.set_submitting(True)
        self._create(result.value)

    @work(group="form-submit", exit_on_error=False)
    async def _create(self, spec: logic.EndpointSpec) -> None:
        try:
            endpoint = await self.provider.create_endpoint(spec)
        except APIError as error:
            self.set_submitting(False)
            self._refusal = logic.refusal_text(error, creating=True)
            self.show_refusal(self._refusal, error)
            if isinstance(error, BadRequestError) and logic.is_hardware_refusal(error):
                # What the model can run on may have changed since the list was fetched: ask again.
                self.wanted_hardware = spec.hardware_id
                self._load_hardware(spec.model, after_refusal=True)
            return
        self.dismiss(endpoint)


class UpdateEndpointScreen(EndpointFormScreen):
    """``e``: resize or rename an endpoint. Dismisses with the updated Endpoint, or None when cancelled."""

    SUBMIT_LABEL = "Save"
    SUBMITTING_LABEL = "Saving…"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "submit", "Save", id="form.save",
                tooltip="Send the changes shown in the preview (enter in a text box only moves on)"),
        Binding("ctrl+n", "clone", "Clone as new", id="form.clone",
                tooltip="Model, hardware and speculative decoding cannot change in place: "
                        "open the create form pre-filled from this endpoint"),
    ]

    def __init__(self, endpoint: Endpoint) -> None:
        super().__init__()
        self.endpoint = endpoint
        timeout = endpoint.extra.get("inactive_timeout")
        #: The API does not report it (spec: DedicatedEndpoint has no such field) unless a newer one does.
        self.current_timeout: int | None = timeout if isinstance(timeout, int) else None
        self.price_per_hour: float | None = None

    def compose(self) -> ComposeResult:
        endpoint = self.endpoint
        defaults = logic.update_form_defaults(endpoint, self.current_timeout)
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
                yield FieldRow(
                    "Inactive timeout",
                    Input(defaults.inactive_timeout, placeholder="minutes · empty = unchanged · 0 = never",
                          id="f-timeout", compact=True),
                    field=INACTIVE_TIMEOUT,
                    hint=logic.UPDATE_TIMEOUT_EMPTY,
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
        speculative = endpoint.extra.get("disable_speculative_decoding")
        rows = [
            ("Endpoint", endpoint.id),
            ("Name", endpoint.name),
            ("State", endpoint.state),
            ("Model", endpoint.model),
            ("Hardware", (endpoint.hardware_id or "loading…")
             + (f"  {logic.format_money(self.price_per_hour, cents=True)}/h per replica"
                if self.price_per_hour is not None else "")),
            ("Spec. decoding", "off" if speculative is True else "on" if speculative is False
             else "as created (not reported by the API)"),
        ]
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
            inactive_timeout=self.query_one("#f-timeout", Input).value,
        )

    def refresh_form(self) -> logic.FormResult[logic.EndpointChanges]:
        form = self.form_input()
        result = logic.validate_update(form, self.endpoint, current_timeout=self.current_timeout)
        self.show_messages(result.errors, result.warnings)
        self.rows()[INACTIVE_TIMEOUT].set_hint(
            describe_inactive_timeout(form.inactive_timeout, empty_means=logic.UPDATE_TIMEOUT_EMPTY)
        )
        self.query_one("#form-preview", Note).show(self._preview(result))
        return result

    def _preview(self, result: logic.FormResult[logic.EndpointChanges]) -> Text:
        text = Text()
        changes = result.value
        if changes is None:
            text.append("Preview: fix the fields above to see what will change.", style="dim")
            return text
        if not self.endpoint.detailed:
            text.append("Preview: loading the endpoint's current settings…", style="dim")
            return text
        lines = logic.update_preview(self.endpoint, changes, self.price_per_hour,
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
                difference = logic.cost_difference(self.endpoint, changes, self.price_per_hour)
                if difference is not None:
                    at_min, at_max = difference
                    style = "red" if max(at_min, at_max) > 0 else "green"
                    text.append(
                        f"  {logic.format_signed_money(at_min)} at min, {logic.format_signed_money(at_max)} at max",
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
        defaults = logic.update_form_defaults(fresh, self.current_timeout)
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
        option: HardwareOption | None = None
        try:
            for model in (self.endpoint.model, None):
                options = await self.provider.list_hardware(model)
                option = next((o for o in options if o.id == hardware_id), None)
                if option is not None:
                    break
        except APIError:
            # The preview then shows "?" for cost; replicas and names still work.
            return
        if option is not None:
            self.price_per_hour = option.price_per_hour
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
    async def _update(self, changes: logic.EndpointChanges) -> None:
        try:
            endpoint = await self.provider.update_endpoint(self.endpoint.id, changes)
        except APIError as error:
            self.set_submitting(False)
            self.show_refusal(logic.refusal_text(error, creating=False), error)
            return
        self.dismiss(endpoint)

    def action_clone(self) -> None:
        if self.submitting:
            return
        endpoint = self.endpoint
        app = self.tapp
        self.dismiss(None)
        app.call_later(app.open_create_form, clone_of=endpoint)

    @on(Button.Pressed, "#form-clone")
    def _clone_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_clone()


__all__ = ["CreateEndpointScreen", "FieldRow", "UpdateEndpointScreen"]
