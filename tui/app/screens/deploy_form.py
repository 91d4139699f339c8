"""``n`` where endpoints are made from deploy profiles: model -> profile -> endpoint -> bounds -> review -> deploy.

Every check in ``tui.core.deploy_form`` runs as the user types. ctrl+s first asks the API to check the
deployment without creating it (``validateOnly``, where the provider has it), then opens a review with the
cost; only a second, deliberate key there sends anything, and each step of the deploy is shown as it
happens. A provider with profiles but no ``deploy`` (Nebius) gets one ``create_endpoint`` of the chosen option.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, cast

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Vertical, VerticalScroll
from textual.widgets import Input, Select

from tui.api.domain import Capabilities, DeployOption, DeploySpec, Endpoint
from tui.api.errors import APIError
from tui.api.provider import DeployingProvider
from tui.app.bindings import bindings
from tui.app.screens.deploy_confirm import ConfirmDeployScreen
from tui.app.screens.deploy_summary import (
    deploy_option_label,
    progress_text,
    region_prompt,
    review_text,
    send,
    summary_text,
    target_choices,
)
from tui.app.screens.endpoint_form_base import EndpointFormScreen
from tui.app.screens.migration_offer import endpoint_rate, legacy_prices
from tui.app.widgets.form_fields import FieldRow, Note
from tui.app.widgets.model_picker import ModelField, dedicated_models
from tui.core import deploy_form as model
from tui.core import forms
from tui.core.deploy_form import (
    DEPLOYMENT_NAME,
    ENDPOINT_NAME,
    INACTIVE_TIMEOUT,
    MAX_CONCURRENT,
    MAX_REPLICAS,
    MIN_REPLICAS,
    MODEL,
    OPTION,
    REGION,
    TRAFFIC_WEIGHT,
    DeployFormInput,
)
from tui.core.format import format_price

if TYPE_CHECKING:
    from tui.app.context import AppContext

NEW_ENDPOINT = "__new_endpoint__"
TIMEOUT_HINT = "Empty or 0 = never stops by itself; otherwise 30 to 1,440 idle minutes."


class DeployScreen(EndpointFormScreen):
    """Dismisses with the Endpoint the deployment serves behind, or None when cancelled."""

    SUBMIT_LABEL = "Review"
    SUBMITTING_LABEL = "Checking…"
    GUARD_UNSAVED = True
    BINDINGS: ClassVar[list[BindingType]] = [*bindings("form.deploy")]
    DEFAULT_CSS = """
    DeployScreen { align: center middle; }
    #deploy-progress { height: auto; display: none; }
    #deploy-progress.-shown { display: block; margin-top: 1; }
    """
    INPUT_FIELDS: ClassVar[dict[str, str]] = {
        "f-endpoint-name": ENDPOINT_NAME,
        "f-deployment-name": DEPLOYMENT_NAME,
        "f-min": MIN_REPLICAS,
        "f-max": MAX_REPLICAS,
        "f-timeout": INACTIVE_TIMEOUT,
        "f-concurrent": MAX_CONCURRENT,
        "f-weight": TRAFFIC_WEIGHT,
    }

    def __init__(
        self,
        context: AppContext,
        *,
        model: str | None = None,
        option_id: str | None = None,
        endpoint: Endpoint | None = None,
        redeploy_of: Endpoint | None = None,
    ) -> None:
        super().__init__(context)
        self.redeploy_of = redeploy_of
        self.initial_model = model or (redeploy_of.model if redeploy_of is not None else None)
        #: The profile asked for (the Hardware pane's row) until the model's list confirms it.
        self.wanted_option = option_id
        self.target = endpoint
        #: The model's deploy options by id, cheapest available first; None while unknown.
        self.options: dict[str, DeployOption] | None = None
        self.options_error: str | None = None
        self.deploying = isinstance(context.provider, DeployingProvider)
        self.capabilities = context.store.capabilities or Capabilities()
        #: Steps of the deploy as the provider reports them.
        self.steps: list[str] = []
        #: v1 hardware prices, for what a redeployed endpoint bills meanwhile.
        self.legacy_prices: dict[str, float | None] = {}
        self._touched = {MODEL} if self.initial_model else set()

    # Building the form

    def compose(self) -> ComposeResult:
        legacy = self.redeploy_of
        name = model.suggest_endpoint_name(legacy.title) if legacy is not None else ""
        low = str(legacy.min_replicas) if legacy is not None and legacy.min_replicas else "1"
        high = str(legacy.max_replicas) if legacy is not None and legacy.max_replicas else low
        with Vertical(id="form-dialog", classes="endpoint-form") as dialog:
            dialog.border_title = f"Redeploy {legacy.title} on v2" if legacy is not None else "Deploy a model"
            dialog.border_subtitle = "tab moves · ctrl+s reviews (nothing is sent yet) · esc cancels"
            with VerticalScroll(id="form-body"):
                yield FieldRow("Model", ModelField(self.context, self.initial_model, id="f-model"), field=MODEL)
                yield FieldRow("Profile", Select[str]([], prompt="Pick a model first", id="f-option", compact=True),
                               field=OPTION)
                if self.deploying and self.capabilities.deployments:
                    yield FieldRow("Endpoint", Select[str](self._targets(), allow_blank=False, id="f-target",
                                                           compact=True), field="target")
                rule = ("any name, 1 to 100 characters" if self.capabilities.endpoint_names == model.DISPLAY_NAMES
                        else "lowercase letters, digits and -")
                yield FieldRow("Endpoint name", Input(name, placeholder=rule, id="f-endpoint-name", compact=True),
                               field=ENDPOINT_NAME, hint="")
                if self.deploying:
                    yield FieldRow("Deployment name", Input(placeholder="optional · empty = <model>-<8 hex>",
                                                            id="f-deployment-name", compact=True),
                                   field=DEPLOYMENT_NAME)
                yield FieldRow("Region", Select[str]([], prompt=region_prompt(self.capabilities, None), id="f-region",
                                                     compact=True), field=REGION)
                yield FieldRow("Min replicas", Input(low, id="f-min", compact=True), field=MIN_REPLICAS)
                yield FieldRow("Max replicas", Input(high, id="f-max", compact=True), field=MAX_REPLICAS)
                if self.capabilities.inactive_timeout:
                    yield FieldRow("Inactive timeout", Input(placeholder="minutes", id="f-timeout", compact=True),
                                   field=INACTIVE_TIMEOUT, hint=TIMEOUT_HINT)
                if self.deploying:
                    yield FieldRow("Max concurrent", Input(placeholder="requests per replica · empty = default",
                                                           id="f-concurrent", compact=True), field=MAX_CONCURRENT)
                if self.deploying and self.capabilities.traffic_split:
                    yield FieldRow("Traffic weight", Input("1", id="f-weight", compact=True), field=TRAFFIC_WEIGHT,
                                   hint="Its share of the endpoint's traffic, relative to the others' weights.")
            yield Note(id="form-summary")
            yield Note(id="deploy-progress")
            yield Note(id="form-banner")
            yield from self.buttons()
        yield from self.compose_footer()

    def _targets(self) -> list[tuple[Text, str]]:
        return target_choices(self.context.store.endpoints.values(), self.target, NEW_ENDPOINT)

    def on_mount(self) -> None:
        self.query_one("#f-option", Select).disabled = True
        if self.target is not None:
            self.query_one("#f-target", Select).value = self.target.id
        self._show_target_rows()
        self._load_models()
        if self.redeploy_of is not None:
            self._load_legacy_prices()
        # The profile list is disabled until it loads; focus moves there then, unless the user moved on.
        self.query_one("#f-model").focus()
        if self.initial_model:
            self._load_options(self.initial_model)
        self.refresh_form()

    # Reading the form

    def _value(self, selector: str, default: str = "") -> str:
        found = self.query(selector)
        return cast("Input", found.first()).value if found else default

    def _selection(self, selector: str) -> str | None:
        found = self.query(selector)
        return cast("str | None", cast("Select[str]", found.first()).selection) if found else None

    @property
    def target_id(self) -> str | None:
        chosen = self._selection("#f-target")
        return None if chosen in (None, NEW_ENDPOINT) else chosen

    def form_input(self) -> DeployFormInput:
        return DeployFormInput(
            model=self.query_one("#f-model", ModelField).model_id,
            option_id=self._selection("#f-option") or (self.wanted_option if self.options is None else None),
            target=self.target_id,
            endpoint_name=self._value("#f-endpoint-name"),
            deployment_name=self._value("#f-deployment-name"),
            min_replicas=self._value("#f-min", "1"),
            max_replicas=self._value("#f-max", "1"),
            inactive_timeout=self._value("#f-timeout"),
            max_concurrent=self._value("#f-concurrent"),
            traffic_weight=self._value("#f-weight", "1"),
            region=self._selection("#f-region"),
        )

    @property
    def slug(self) -> str | None:
        # The project's DNS-friendly prefix, once the provider knows it (v2: from whoami).
        slug = getattr(self.provider, "project_slug", None)
        return slug if isinstance(slug, str) and slug else None

    def validate(self) -> forms.FormResult[DeploySpec]:
        names = [e.name.rpartition("/")[2] for e in self.context.store.endpoints.values() if e.api == "v2"]
        capabilities = self.capabilities
        result = model.validate_deploy(self.form_input(), self.options, slug=self.slug, existing_names=names,
                                       name_rule=capabilities.endpoint_names,
                                       region_required=capabilities.region_required)
        if self.options_error and MODEL not in result.errors:
            return forms.FormResult(None, {**result.errors, OPTION: self.options_error}, result.warnings)
        return result

    def refresh_form(self) -> forms.FormResult[DeploySpec]:
        result = self.validate()
        self.show_messages(result.errors, result.warnings)
        form = self.form_input()
        name_row = self.rows()[ENDPOINT_NAME]
        name, _ = model.check_endpoint_name(form.endpoint_name, self.slug, self.capabilities.endpoint_names)
        if not self.deploying:
            name_row.set_hint("Its display name.")
        elif name:
            name_row.set_hint(f"Chat requests will use model {self.slug or '<project>'}/{name}")
        else:
            name_row.set_hint("Becomes <project>/<name>: the model string chat requests use.")
        option = (self.options or {}).get(form.option_id or "")
        self.query_one("#form-summary", Note).show(
            summary_text(option, form, legacy=self.redeploy_of, legacy_rate=self._legacy_rate())
        )
        return result

    def _legacy_rate(self) -> float | None:
        legacy = self.redeploy_of
        return None if legacy is None else endpoint_rate(self.context, legacy, self.legacy_prices)

    @work(group="deploy-legacy-prices", exit_on_error=False)
    async def _load_legacy_prices(self) -> None:
        self.legacy_prices = await legacy_prices(self.context)
        self.refresh_form()

    def _show_target_rows(self) -> None:
        self.rows()[ENDPOINT_NAME].display = self.target_id is None

    # Loading what the pickers offer

    @work(group="deploy-models", exit_on_error=False)
    async def _load_models(self, refresh: bool = False) -> None:
        try:
            models = await dedicated_models(self.context.catalog, refresh=refresh)
        except APIError:
            return  # the picker says why when opened; the profiles still load for a prefilled model
        self.query_one("#f-model", ModelField).resolve(models)
        self.refresh_form()

    @work(exclusive=True, group="deploy-options", exit_on_error=False)
    async def _load_options(self, model_id: str) -> None:
        select = self.query_one("#f-option", Select)
        self.options, self.options_error = None, None
        select.disabled = True
        select.prompt = "Loading this model's deployment profiles…"
        self.refresh_form()
        provider = self.provider
        try:
            options = await provider.deploy_options(model_id)  # type: ignore[attr-defined]
        except APIError as error:
            self.options_error = f"Could not load the profiles: {error} (ctrl+r retries)."
            select.prompt = "Profiles unavailable"
            self.refresh_form()
            return
        if model_id != self.query_one("#f-model", ModelField).model_id:
            return
        self._show_options(model.cheapest_available_first(options))

    def _show_options(self, ordered: list[DeployOption]) -> None:
        select = self.query_one("#f-option", Select)
        self.options = {option.id: option for option in ordered}
        width = max((len(format_price(o.dollars_per_hour, cents=True)) + 2 for o in ordered), default=0)
        wanted = self.wanted_option
        if wanted is None and self.redeploy_of is not None:
            matching = model.matching_option(ordered, self.redeploy_of.hardware_id)
            wanted = matching.id if matching is not None else None
        with select.prevent(Select.Changed):
            select.set_options([(deploy_option_label(option, width), option.id) for option in ordered])
            select.prompt = "Pick a profile (cheapest available first)" if ordered else "No profiles for this model"
            select.disabled = not ordered
            if wanted in self.options:
                select.value = wanted
            elif ordered and ordered[0].availability.value == "available":
                select.value = ordered[0].id
        self.wanted_option = None
        self._show_regions()
        self.refresh_form()
        if not select.disabled and self.focused in (None, self.query_one("#f-model")):
            select.focus()

    def _show_regions(self) -> None:
        select = self.query_one("#f-region", Select)
        option = (self.options or {}).get(self._selection("#f-option") or "")
        regions = option.regions if option is not None else ()
        chosen = select.selection
        with select.prevent(Select.Changed):
            select.set_options([(Text(region), region) for region in regions])
            select.prompt = region_prompt(self.capabilities, option)
            if chosen in regions:
                select.value = chosen
            elif regions and not self.deploying:
                # A one-step create fixes the region for good (Nebius): start from the first with room.
                select.value = regions[0]

    def action_reload(self) -> None:
        self._load_models(refresh=True)
        model_id = self.query_one("#f-model", ModelField).model_id
        if model_id:
            self.wanted_option = self._selection("#f-option")
            self._load_options(model_id)

    # Reacting to edits

    @on(ModelField.Changed, "#f-model")
    def _model_changed(self, event: ModelField.Changed) -> None:
        event.stop()
        select = self.query_one("#f-option", Select)
        with select.prevent(Select.Changed):
            select.set_options([])
        self.options = None
        if event.model is not None:
            self._load_options(event.model.id)
        self.edited((MODEL,), forget=(OPTION,))

    @on(Select.Changed, "#f-option")
    def _option_changed(self, event: Select.Changed) -> None:
        event.stop()
        self._show_regions()
        self.edited((OPTION,))

    @on(Select.Changed, "#f-target")
    def _target_changed(self, event: Select.Changed) -> None:
        event.stop()
        self._show_target_rows()
        self.edited((), forget=(ENDPOINT_NAME,))

    @on(Select.Changed, "#f-region")
    def _region_changed(self, event: Select.Changed) -> None:
        event.stop()
        self.edited((), forget=(REGION,))

    # Sending: check, review, then deploy

    def send_checked(self, value: DeploySpec) -> None:
        self._review(value)

    @work(group="form-submit", exit_on_error=False)
    async def _review(self, spec: DeploySpec) -> None:
        checked: bool | None = None
        validate = getattr(self.provider, "validate_deploy", None)
        if validate is not None:
            self.set_banner(Text("Asking the API to check it (validateOnly: nothing is created)…", style="italic"))
            try:
                checked = await validate(spec)
            except APIError as error:
                self.set_submitting(False)
                self.show_refusal(forms.refusal_text(error, creating=False) + "\n  Nothing was created.", error)
                return
            self.set_banner(None)
        option = (self.options or {}).get(spec.option_id)
        review = review_text(spec, option, model_name=self.form_input().model or "", slug=self.slug,
                             checked=checked, legacy=self.redeploy_of, legacy_rate=self._legacy_rate(),
                             deploying=self.deploying)
        # A callback, not push_screen_wait: no worker stays parked on the review while the user reads it.
        self.app.push_screen(ConfirmDeployScreen(review), callback=lambda go: self._reviewed(spec, bool(go)))

    def _reviewed(self, spec: DeploySpec, go: bool) -> None:
        if not go:
            self.set_submitting(False)
            self.set_banner(Text("Not sent: change what you like, then ctrl+s again.", style="yellow"))
            return
        self.SUBMITTING_LABEL = "Deploying…"
        self.set_submitting(True)
        self._deploy(spec)

    @work(group="form-submit", exit_on_error=False)
    async def _deploy(self, spec: DeploySpec) -> None:
        try:
            endpoint = await send(self.provider, spec, self.form_input().model or "", self._step)
        except APIError as error:
            self.set_submitting(False)
            self._step("Stopped: the API refused it (below).")
            self.show_refusal(forms.refusal_text(error, creating=True), error)
            return
        self.notify(f"Deploying to {endpoint.name}: {', '.join(self.steps)}. It bills from when replicas run.",
                    title="Deploy sent", markup=False)
        self.dismiss(endpoint)

    def _step(self, step: str) -> None:
        self.steps.append(step)
        progress = self.query_one("#deploy-progress", Note)
        progress.add_class("-shown")
        progress.show(progress_text(self.steps))
