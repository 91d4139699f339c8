"""What both endpoint forms share: a modal that sends exactly one request, and only a valid one.

Everything is checked before anything is sent (required fields, whole numbers, min <= max, max >= 1,
timeout >= 0, hardware offered for the model), with the message next to the field. A refusal from the
API is shown in the form in the API's words and the form keeps what was typed. A form dismisses with
the Endpoint it created or changed (or None); the App adopts it into the store and shows it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Horizontal
from textual.screen import ModalScreen
from textual.widgets import Button, Checkbox, Footer, Input

from tui.api.domain import Endpoint
from tui.api.errors import APIError
from tui.app.bindings import bindings
from tui.app.widgets.form_fields import FieldRow, Note
from tui.app.widgets.model_picker import ModelField
from tui.core import forms
from tui.core.forms import DISPLAY_NAME, INACTIVE_TIMEOUT, MAX_REPLICAS, MIN_REPLICAS

if TYPE_CHECKING:
    from tui.api.provider import Provider
    from tui.app.context import AppContext


class EndpointFormScreen(ModalScreen[Endpoint | None]):
    """What both forms share: the dialog frame, field messages, the banner and the one-shot submit."""

    BINDINGS: ClassVar[list[BindingType]] = [*bindings("form")]

    SUBMIT_LABEL = "Submit"
    SUBMITTING_LABEL = "Sending…"
    #: Escape in a form the user has typed into asks before discarding it (the create and deploy forms).
    GUARD_UNSAVED: ClassVar[bool] = False
    #: The text boxes both forms have, by widget id.
    INPUT_FIELDS: ClassVar[dict[str, str]] = {
        "f-display-name": DISPLAY_NAME,
        "f-min": MIN_REPLICAS,
        "f-max": MAX_REPLICAS,
        "f-timeout": INACTIVE_TIMEOUT,
    }

    def __init__(self, context: AppContext) -> None:
        super().__init__()
        self.context = context
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
        #: What the text boxes and the model said when the form opened: the unsaved-work guard compares.
        self._opened_with: tuple[str, ...] | None = None

    def on_mount(self) -> None:
        self._opened_with = self.typed()

    def typed(self) -> tuple[str, ...]:
        """What the user can type or pick in this form, as text (the guard's notion of "changed")."""
        boxes = [box.value for box in self.query(Input) if box.id in self.INPUT_FIELDS]
        return (*boxes, *(field.model_id or "" for field in self.query(ModelField)))

    @property
    def unsaved(self) -> bool:
        return self._opened_with is not None and self.typed() != self._opened_with

    @property
    def provider(self) -> Provider:
        return self.context.provider

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
        field = forms.refused_field(error)
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

    def refresh_form(self) -> forms.FormResult[Any]:
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
        if self.GUARD_UNSAVED and self.unsaved:
            from tui.app.screens.confirm_discard import ConfirmDiscardScreen

            def answered(discard: bool | None) -> None:
                if discard:
                    self.dismiss(None)

            self.app.push_screen(ConfirmDiscardScreen(), callback=answered)
            return
        self.dismiss(None)

    def action_submit(self) -> None:
        """Every field checked; only a form without problems goes on to ``send_checked``, never twice at once."""
        if self.submitting:
            return
        self._show_all = True
        result = self.refresh_form()
        if not result.ok or result.value is None:
            self.refuse_locally(result.errors)
            return
        self.set_banner(None)
        self.set_submitting(True)
        self.send_checked(result.value)

    def send_checked(self, value: Any) -> None:
        """What the form does with a value that passed every check (create, review a deploy, ...)."""
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
