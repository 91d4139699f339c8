"""A searchable picker over the models that can run on a dedicated endpoint (``GET /models?dedicated=true``).

Three layers, so other panes can reuse as much as they need:

* ``dedicated_models(catalog)``: the list, from the catalogue every picker and pane shares;
* ``ModelPicker``: a search box over an option list (type to narrow, up/down to move, enter to pick);
* ``ModelPickerScreen``: the picker as a modal that dismisses with a ``ModelChoice`` (or None on escape);
* ``ModelField``: a one-line form field that shows the choice and opens the modal on enter.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Vertical
from textual.message import Message
from textual.reactive import reactive
from textual.screen import ModalScreen
from textual.widget import Widget
from textual.widgets import Footer, Input, OptionList, Static
from textual.widgets.option_list import Option

from tui.api.errors import APIError
from tui.app.bindings import bindings
from tui.core.format import format_context, format_price

if TYPE_CHECKING:
    from tui.api import ModelOption
    from tui.app.context import AppContext
    from tui.core.catalog import Catalog

ANY_MODEL_ID = "__any_model__"


async def dedicated_models(catalog: Catalog, *, refresh: bool = False) -> list[ModelOption]:
    """The deployable models, the provider's recommended ones first, then by name: the catalogue asks once
    (pickers open often) and shares the answer."""
    models = await catalog.models(dedicated_only=True, fresh=refresh)
    return sorted(models, key=lambda model: (not model.recommended, model.title.lower(), model.id))


def find_model(models: Iterable[ModelOption], model_id: str | None) -> ModelOption | None:
    if model_id is None:
        return None
    return next((model for model in models if model.id == model_id), None)


def match_models(models: Sequence[ModelOption], query: str) -> list[ModelOption]:
    """Models whose id, name or organisation contain every word of ``query``; best matches first."""
    words = query.lower().split()
    if not words:
        return list(models)
    matches: list[tuple[int, ModelOption]] = []
    for model in models:
        haystack = f"{model.id} {model.display_name or ''} {model.organization or ''}".lower()
        if not all(word in haystack for word in words):
            continue
        needle = " ".join(words)
        ident = model.id.lower()
        title = model.title.lower()
        if needle in (ident, title):
            rank = 0
        elif ident.startswith(needle) or title.startswith(needle) or ident.split("/")[-1].startswith(needle):
            rank = 1
        else:
            rank = 2
        matches.append((rank, model))
    return [model for _, model in sorted(matches, key=lambda item: item[0])]


def serverless_price_text(model: ModelOption) -> str:
    if model.input_price_per_m is None and model.output_price_per_m is None:
        return "no serverless price"
    return (
        f"serverless {format_price(model.input_price_per_m)} in / "
        f"{format_price(model.output_price_per_m)} out per 1M"
    )


def model_prompt(model: ModelOption) -> Text:
    """One line: the name people know, the id the API wants, who made it, how much context."""
    text = Text(no_wrap=True, overflow="ellipsis")
    text.append(model.title, style="bold")
    if model.display_name and model.display_name != model.id:
        text.append(f"  {model.id}", style="dim")
    details = [part for part in (model.organization, format_context(model.context_length)) if part]
    if model.kind and not model.is_chat:
        details.append(model.kind)
    if model.input_price_per_m is not None or model.output_price_per_m is not None:
        details.append(f"serverless {format_price(model.input_price_per_m)}/{format_price(model.output_price_per_m)}"
                       " per 1M")
    if model.recommended:
        text.append("  ★ recommended", style="bold green")
    if details:
        text.append("  · " + " · ".join(details))
    return text


@dataclass(frozen=True, slots=True)
class ModelChoice:
    """What the picker answers: a model, or ``None`` for "any model" where that is offered."""

    model: ModelOption | None


class ModelPicker(Vertical):
    """Search box + list. Posts ``ModelPicker.Picked``; the list loads itself from the catalogue."""

    BINDINGS: ClassVar[list[BindingType]] = [*bindings("model_picker")]

    class Picked(Message):
        def __init__(self, picker: ModelPicker, choice: ModelChoice) -> None:
            super().__init__()
            self.picker = picker
            self.choice = choice

        @property
        def control(self) -> ModelPicker:
            return self.picker

    models: reactive[tuple[ModelOption, ...]] = reactive((), init=False, always_update=True)

    def __init__(
        self,
        catalog: Catalog,
        *,
        current: str | None = None,
        allow_any: bool = False,
        any_label: str = "Any model: show all hardware",
        chat_only: bool = False,
        query: str = "",
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(id=id, classes=classes)
        self.catalog = catalog
        self.current = current
        self.allow_any = allow_any
        self.any_label = any_label
        self.chat_only = chat_only
        self._initial_query = query
        self._shown: list[ModelOption] = []

    def compose(self) -> ComposeResult:
        yield Input(
            self._initial_query,
            placeholder="Search models: name, organisation or id",
            id="model-search",
            compact=True,
        )
        yield OptionList(id="model-options")
        yield Static("Loading models…", id="model-status")

    def on_mount(self) -> None:
        self._load()

    def focus_search(self) -> None:
        self.query_one("#model-search", Input).focus()

    @work(exclusive=True, group="models", exit_on_error=False)
    async def _load(self, refresh: bool = False) -> None:
        status = self.query_one("#model-status", Static)
        status.update("Loading models…")
        try:
            models = await dedicated_models(self.catalog, refresh=refresh)
        except APIError as error:
            status.update(Text(f"✗ Could not load models: {error} · ctrl+r retries", style="bold red"))
            return
        if self.chat_only:
            models = [model for model in models if model.is_chat]
        self.models = tuple(models)

    def action_reload(self) -> None:
        self._load(refresh=True)

    def watch_models(self) -> None:
        self._refill(keep_current=True)

    @on(Input.Changed, "#model-search")
    def _search_changed(self, event: Input.Changed) -> None:
        event.stop()
        self._refill(keep_current=False)

    def _refill(self, *, keep_current: bool) -> None:
        options = self.query_one("#model-options", OptionList)
        query = self.query_one("#model-search", Input).value
        self._shown = match_models(self.models, query)
        entries: list[Option] = []
        if self.allow_any and not query.strip():
            entries.append(Option(Text(self.any_label, style="italic"), id=ANY_MODEL_ID))
        entries.extend(Option(model_prompt(model), id=model.id) for model in self._shown)
        options.set_options(entries)
        highlight = 0 if entries else None
        if keep_current and self.current is not None:
            ids = [entry.id for entry in entries]
            if self.current in ids:
                highlight = ids.index(self.current)
        options.highlighted = highlight
        status = self.query_one("#model-status", Static)
        if not self.models:
            status.update("No deployable models found.")
        elif not self._shown:
            status.update(Text(f"No model matches “{query.strip()}”", style="yellow"))
        else:
            total = len(self.models)
            count = f"{len(self._shown)} of {total} models" if len(self._shown) != total else f"{total} models"
            status.update(f"{count} · ↑↓ move · enter picks · esc cancels")

    def action_move(self, step: int) -> None:
        options = self.query_one("#model-options", OptionList)
        if options.option_count == 0:
            return
        current = options.highlighted if options.highlighted is not None else -1 if step > 0 else 0
        options.highlighted = max(0, min(options.option_count - 1, current + step))

    @on(Input.Submitted, "#model-search")
    def _search_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self._pick_highlighted()

    @on(OptionList.OptionSelected, "#model-options")
    def _option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self._pick_highlighted()

    def _pick_highlighted(self) -> None:
        options = self.query_one("#model-options", OptionList)
        option = options.highlighted_option
        if option is None:
            return
        if option.id == ANY_MODEL_ID:
            self.post_message(self.Picked(self, ModelChoice(None)))
            return
        model = find_model(self.models, option.id)
        if model is not None:
            self.post_message(self.Picked(self, ModelChoice(model)))


class ModelPickerScreen(ModalScreen["ModelChoice | None"]):
    """The picker as a modal: dismisses with the ``ModelChoice``, or None when cancelled."""

    BINDINGS: ClassVar[list[BindingType]] = [*bindings("model_picker.screen")]

    def __init__(
        self,
        context: AppContext,
        *,
        current: str | None = None,
        allow_any: bool = False,
        any_label: str = "Any model: show all hardware",
        chat_only: bool = False,
        title: str = "Pick a model",
    ) -> None:
        super().__init__()
        self.context = context
        self._picker_options: dict[str, Any] = {
            "current": current,
            "allow_any": allow_any,
            "any_label": any_label,
            "chat_only": chat_only,
        }
        self._title = title

    def compose(self) -> ComposeResult:
        picker = ModelPicker(self.context.catalog, id="model-picker", **self._picker_options)
        picker.border_title = self._title
        yield picker
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(ModelPicker).focus_search()

    def action_cancel(self) -> None:
        self.dismiss(None)

    @on(ModelPicker.Picked)
    def _picked(self, event: ModelPicker.Picked) -> None:
        event.stop()
        self.dismiss(event.choice)


class ModelField(Widget, can_focus=True):
    """A form field showing the chosen model; enter (or a click) opens the picker."""

    BINDINGS: ClassVar[list[BindingType]] = [*bindings("model_field")]

    class Changed(Message):
        def __init__(self, field: ModelField, model: ModelOption | None) -> None:
            super().__init__()
            self.field = field
            self.model = model

        @property
        def control(self) -> ModelField:
            return self.field

    #: The chosen model's id; may be set before the models list has arrived (a prefilled form).
    model_id: reactive[str | None] = reactive(None, init=False)

    def __init__(
        self, context: AppContext, model_id: str | None = None, *, placeholder: str = "Pick a model… (enter)",
        id: str | None = None, disabled: bool = False,
    ) -> None:
        super().__init__(id=id, disabled=disabled)
        self.context = context
        self.placeholder = placeholder
        self.set_reactive(ModelField.model_id, model_id)
        self.model: ModelOption | None = None

    def render(self) -> Text:
        if self.model is not None:
            text = model_prompt(self.model)
        elif self.model_id:
            text = Text(self.model_id, no_wrap=True, overflow="ellipsis")
        else:
            return Text(self.placeholder, style="dim italic", no_wrap=True, overflow="ellipsis")
        text.append("  ▼", style="dim")
        return text

    def set_model(self, model: ModelOption | None, *, announce: bool = True) -> None:
        changed = (model.id if model else None) != self.model_id
        self.model = model
        self.set_reactive(ModelField.model_id, model.id if model else None)
        self.refresh()
        if announce and changed:
            self.post_message(self.Changed(self, model))

    def resolve(self, models: Iterable[ModelOption]) -> None:
        """Attach the full ``ModelOption`` once the list is known (for a prefilled id)."""
        if self.model is None and self.model_id:
            self.model = find_model(models, self.model_id)
            self.refresh()

    def action_pick(self) -> None:
        def picked(choice: ModelChoice | None) -> None:
            if choice is not None:
                self.set_model(choice.model)

        self.app.push_screen(ModelPickerScreen(self.context, current=self.model_id), callback=picked)

    def on_click(self) -> None:
        self.focus()
        self.action_pick()
