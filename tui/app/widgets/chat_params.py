"""The request options of the chat: system prompt, temperature, max tokens, top_p, reasoning effort.

Starts from the settings file's chat defaults; an empty field means "the service's default" and is
left out of the request.
"""

from __future__ import annotations

from dataclasses import dataclass

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.widgets import Input, Label, Select

from tui.api.domain import ChatParams
from tui.core.app_config import ChatDefaults
from tui.core.chat import REASONING_EFFORTS
from tui.core.numbers import max_tokens_limit, parse_max_tokens


class InvalidParameter(ValueError):
    def __init__(self, field_id: str, message: str) -> None:
        super().__init__(message)
        self.field_id = field_id


@dataclass(frozen=True, slots=True)
class ChatOptions:
    system_prompt: str
    params: ChatParams


def _number_text(value: float | int | None) -> str:
    return "" if value is None else f"{value:g}"


def _parse_float(field_id: str, name: str, text: str, low: float, high: float) -> float | None:
    text = text.strip()
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        raise InvalidParameter(field_id, f"{name} must be a number, not {text!r}.") from None
    if not low <= value <= high:
        raise InvalidParameter(field_id, f"{name} must be between {low:g} and {high:g}.")
    return value


def _parse_max_tokens(field_id: str, text: str, context_length: int | None) -> int | None:
    value, error = parse_max_tokens(text, context_length)
    if error is not None:
        raise InvalidParameter(field_id, error)
    return value


class ChatParamsPanel(Vertical):
    """Hidden until ``ctrl+o``; a one-line summary under the prompt shows the values meanwhile."""

    def __init__(self, defaults: ChatDefaults, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.defaults = defaults
        self._reasoning_supported = False
        #: The target model's context length when the API gave it: the bound of max tokens.
        self.context_length: int | None = None

    def compose(self) -> ComposeResult:
        with Horizontal(classes="param-row"):
            yield Label("System prompt", classes="param-label")
            yield Input(self.defaults.system_prompt, placeholder="none", id="system-prompt",
                        tooltip="Sent first in every request of this conversation")
        with Horizontal(classes="param-row"):
            with Vertical(classes="param"):
                yield Label("Temperature (0-2)")
                yield Input(_number_text(self.defaults.temperature), placeholder="default", id="temperature",
                            type="number", compact=True)
            with Vertical(classes="param"):
                yield Label("Max tokens")
                yield Input(_number_text(self.defaults.max_tokens), placeholder="default", id="max-tokens",
                            type="integer", compact=True)
            with Vertical(classes="param"):
                yield Label("top_p (0-1)")
                yield Input(_number_text(self.defaults.top_p), placeholder="default", id="top-p",
                            type="number", compact=True)
            with Vertical(classes="param"):
                yield Label("Reasoning effort")
                effort = self.defaults.reasoning_effort if self.defaults.reasoning_effort in REASONING_EFFORTS else None
                yield Select(
                    [(word, word) for word in REASONING_EFFORTS],
                    prompt="default",
                    value=effort if effort is not None else Select.NULL,
                    id="reasoning-effort",
                    compact=True,
                    tooltip="Only for models with adjustable reasoning (gpt-oss)",
                )

    def on_mount(self) -> None:
        self.set_reasoning_supported(self._reasoning_supported)

    def set_reasoning_supported(self, supported: bool) -> None:
        self._reasoning_supported = supported
        if self.is_mounted:
            self.query_one("#reasoning-effort", Select).disabled = not supported

    def set_context_length(self, context_length: int | None) -> None:
        self.context_length = context_length
        if self.is_mounted:
            self.query_one("#max-tokens", Input).tooltip = f"1 to {max_tokens_limit(context_length):,}"

    def read(self) -> ChatOptions:
        """The options as typed; raises InvalidParameter naming the field at fault."""
        temperature = _parse_float("temperature", "Temperature", self.query_one("#temperature", Input).value, 0, 2)
        max_tokens = _parse_max_tokens("max-tokens", self.query_one("#max-tokens", Input).value, self.context_length)
        top_p = _parse_float("top-p", "top_p", self.query_one("#top-p", Input).value, 0, 1)
        effort_value = self.query_one("#reasoning-effort", Select).value
        effort = effort_value if isinstance(effort_value, str) and self._reasoning_supported else None
        return ChatOptions(
            system_prompt=self.query_one("#system-prompt", Input).value,
            params=ChatParams(temperature=temperature, max_tokens=max_tokens, top_p=top_p, reasoning_effort=effort),
        )

    def focus_field(self, field_id: str) -> None:
        self.query_one(f"#{field_id}").focus()

    def focus_first(self) -> None:
        self.query_one("#system-prompt", Input).focus()


def options_summary(options: ChatOptions | None, error: str | None, reasoning_supported: bool) -> Content:
    """The line under the prompt: what the next request will carry."""
    if error is not None:
        return Content.assemble(("✗ ", "$text-error"), (error, "$text-error"), "  ctrl+o to fix")
    assert options is not None
    params = options.params

    def value(text: str | None) -> tuple[str, str]:
        return (text, "bold") if text is not None else ("default", "dim")

    parts: list[str | tuple[str, str]] = [
        "temperature ", value(_number_text(params.temperature) or None),
        " · max tokens ", value(_number_text(params.max_tokens) or None),
        " · top_p ", value(_number_text(params.top_p) or None),
    ]
    if reasoning_supported:
        parts += [" · effort ", value(params.reasoning_effort)]
    system = options.system_prompt.strip()
    if system:
        shown = system if len(system) <= 24 else system[:23] + "…"
        parts += [" · system ", (f"“{shown}”", "bold")]
    else:
        parts += [" · system ", ("none", "dim")]
    parts += [("   ctrl+o options", "dim")]
    return Content.assemble(*parts)
