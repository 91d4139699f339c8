"""The pieces the endpoint forms are built from: a message line, a labelled field, an On/Off switch, and
the hardware choice's label.

Much of what these show comes from the API (model ids, hardware ids, refusal messages), so nothing
here is ever parsed as markup: a plain string becomes plain ``Content``, and a ``[`` in a name stays
the character the service sent.
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.widget import Widget
from textual.widgets import Checkbox, Label, Static

from tui.api.domain import HardwareOption
from tui.app.widgets.hardware_table import TONE_STYLES
from tui.core.format import format_price, hardware_summary
from tui.core.hardware_choice import availability_look

#: What a form shows: a plain string (never read as markup), or text already styled.
Shown = str | Text | Content


def _visual(content: Shown) -> Text | Content:
    return Content(content) if isinstance(content, str) else content


class Note(Static):
    """A Static that shows text literally and skips identical updates: each keystroke re-validates the
    whole form, and every real ``update`` of an auto-height Static costs a layout pass of the dialog."""

    def __init__(self, content: Shown = "", *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(_visual(content), id=id, classes=classes)
        self._shown: Shown = content

    @property
    def shown(self) -> Shown:
        return self._shown

    def show(self, content: Shown) -> None:
        if content != self._shown:
            self._shown = content
            self.update(_visual(content))


class FieldRow(Vertical):
    """A labelled field with a message line under it (error or warning, each with its glyph)."""

    def __init__(self, label: str, control: Widget, *, field: str, hint: str | None = None) -> None:
        super().__init__(classes="field-row", id=f"row-{field.replace('_', '-')}")
        self.label = label
        self.control = control
        self.field = field
        self.hint = hint

    def compose(self) -> ComposeResult:
        with Horizontal(classes="field-line"):
            yield Label(self.label, classes="field-label", markup=False)
            yield self.control
        yield Note(classes="field-message")
        if self.hint is not None:
            yield Note(self.hint, classes="field-hint")

    @property
    def message(self) -> str:
        """The message shown under the field, as plain text ("" when none)."""
        shown = self.query_one(".field-message", Note).shown
        return shown if isinstance(shown, str) else shown.plain

    def set_message(self, text: str | None, tone: str = "error") -> None:
        message = self.query_one(".field-message", Note)
        message.set_class(bool(text) and tone == "error", "-error")
        message.set_class(bool(text) and tone == "warning", "-warning")
        glyph = "✗" if tone == "error" else "⚠"
        message.show(f"{glyph} {text}" if text else "")

    def set_hint(self, text: str) -> None:
        self.query_one(".field-hint", Note).show(text)


class Switch(Checkbox):
    """A checkbox whose label says what the box means now, in words: ``On: …`` or ``Off: …``.

    A tick alone reads badly in 16 colours and over SSH; the word also says what follows from it.
    """

    def __init__(self, on: str, off: str, value: bool = True, *, id: str | None = None) -> None:
        self.on_words = on
        self.off_words = off
        super().__init__(self._words(value), value, id=id, compact=True)

    def _words(self, value: bool) -> Content:
        return Content(f"On: {self.on_words}" if value else f"Off: {self.off_words}")

    def watch_value(self) -> None:
        super().watch_value()
        self.label = self._words(self.value)


def hardware_option_label(option: HardwareOption, price_width: int = 0) -> Text:
    """``$3.25/h  2x A100 80 GB SXM  ✓ available  2x_nvidia_a100_80gb_sxm``, prices right-aligned."""
    look = availability_look(option)
    text = Text(no_wrap=True, overflow="ellipsis")
    text.append(f"{format_price(option.price_per_hour, cents=True)}/h".rjust(price_width), style="bold")
    text.append("  ")
    text.append(f"{hardware_summary(option)}  ")
    text.append(look.text, style=TONE_STYLES[look.tone])
    text.append(f"  {option.id}", style="dim")
    return text


__all__ = ["FieldRow", "Note", "Shown", "Switch", "hardware_option_label"]
