"""``n``: the create form. Models, hardware and zones come from the catalogue the whole app shares.

After a refused hardware choice it lists what the model can run on. POST /endpoints is never retried and
a second ctrl+s while it is in flight does nothing: one submission, one endpoint.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, ClassVar, cast

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.widgets import Checkbox, Input, Select

from tui.api.domain import Endpoint, EndpointSpec, HardwareOption
from tui.api.errors import APIError, BadRequestError
from tui.app.bindings import bindings
from tui.app.screens.endpoint_form_base import EndpointFormScreen
from tui.app.widgets.form_fields import FieldRow, Note, Switch, hardware_option_label
from tui.app.widgets.model_picker import ModelField, dedicated_models
from tui.core import forms
from tui.core.format import format_price
from tui.core.forms import (
    AVAILABILITY_ZONE,
    DISPLAY_NAME,
    HARDWARE,
    INACTIVE_TIMEOUT,
    MAX_REPLICAS,
    MIN_REPLICAS,
    MODEL,
    CreateFormInput,
)
from tui.core.hardware_choice import cheapest_available_first
from tui.core.numbers import describe_inactive_timeout

if TYPE_CHECKING:
    from tui.app.context import AppContext


class CreateEndpointScreen(EndpointFormScreen):
    """``n``: a new dedicated endpoint. Dismisses with the created Endpoint, or None when cancelled."""

    SUBMIT_LABEL = "Create"
    SUBMITTING_LABEL = "Creating…"
    GUARD_UNSAVED = True
    BINDINGS: ClassVar[list[BindingType]] = [*bindings("form.create")]

    def __init__(
        self,
        context: AppContext,
        *,
        model: str | None = None,
        hardware_id: str | None = None,
        clone_of: Endpoint | None = None,
    ) -> None:
        super().__init__(context)
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
                yield FieldRow("Model", ModelField(self.context, self.initial_model, id="f-model"), field=MODEL)
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
                    hint=forms.CREATE_TIMEOUT_EMPTY,
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

    def validate(self) -> forms.FormResult[EndpointSpec]:
        result = forms.validate_create(self.form_input(), self.offered, known_models=self.known_models)
        if self.hardware_error and self.model_id and HARDWARE not in result.errors:
            # The hardware list could not be fetched: nothing can be checked, so nothing is sent.
            errors = {**result.errors, HARDWARE: self.hardware_error}
            return forms.FormResult(None, errors, result.warnings)
        return result

    def refresh_form(self) -> forms.FormResult[EndpointSpec]:
        result = self.validate()
        self.show_messages(result.errors, result.warnings)
        form = self.form_input()
        timeout_row = self.rows()[INACTIVE_TIMEOUT]
        timeout_row.set_hint(
            describe_inactive_timeout(form.inactive_timeout, empty_means=forms.CREATE_TIMEOUT_EMPTY)
        )
        option = (self.offered or {}).get(form.hardware_id or "")
        summary = forms.estimate_line(option.price_per_hour if option else None, form.min_replicas,
                                      form.max_replicas, start=form.start)
        self.query_one("#form-summary", Note).show(summary)
        return result

    # Loading what the pickers offer

    @work(group="form-models", exit_on_error=False)
    async def _load_models(self, refresh: bool = False) -> None:
        try:
            models = await dedicated_models(self.context.catalog, refresh=refresh)
        except APIError:
            # The picker shows its own error; validation then falls back to the hardware check.
            return
        self.known_models = [model.id for model in models]
        self.query_one("#f-model", ModelField).resolve(models)
        self.refresh_form()

    @work(group="form-zones", exit_on_error=False)
    async def _load_zones(self, refresh: bool = False) -> None:
        select = self.query_one("#f-zone", Select)
        try:
            zones = await self.context.catalog.zones(fresh=refresh)
        except APIError as error:
            select.prompt = f"Any zone (zones unavailable: {error.kind})"
            return
        chosen = select.selection
        with select.prevent(Select.Changed):
            select.set_options([(Text(zone), zone) for zone in zones])
            if chosen in zones:
                select.value = chosen

    @work(exclusive=True, group="form-hardware", exit_on_error=False)
    async def _load_hardware(self, model_id: str, after_refusal: bool = False, fresh: bool = False) -> None:
        select = self.query_one("#f-hardware", Select)
        self.offered = None
        self.hardware_error = None
        select.disabled = True
        select.prompt = "Loading hardware for this model…"
        self.refresh_form()
        try:
            options = await self.context.catalog.hardware(model_id, fresh=fresh)
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
                Text(f"{self._refusal}\n  {forms.available_for_model(options)}", style="bold red")
            )

    def show_hardware(self, options: Sequence[HardwareOption]) -> None:
        select = self.query_one("#f-hardware", Select)
        ordered = cheapest_available_first(options)
        self.offered = {option.id: option for option in ordered}
        wanted = self.wanted_hardware
        price_width = max((len(format_price(o.price_per_hour, cents=True)) + 2 for o in ordered), default=0)
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
        self._load_zones(refresh=True)
        if self.model_id:
            self._load_hardware(self.model_id, fresh=True)

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

    def send_checked(self, value: EndpointSpec) -> None:
        self._create(value)

    @work(group="form-submit", exit_on_error=False)
    async def _create(self, spec: EndpointSpec) -> None:
        try:
            endpoint = await self.provider.create_endpoint(spec)
        except APIError as error:
            self.set_submitting(False)
            self._refusal = forms.refusal_text(error, creating=True)
            self.show_refusal(self._refusal, error)
            if isinstance(error, BadRequestError) and forms.is_hardware_refusal(error):
                # What the model can run on may have changed since the list was fetched: ask again.
                self.wanted_hardware = spec.hardware_id
                self._load_hardware(spec.model, after_refusal=True, fresh=True)
            return
        self.dismiss(endpoint)
