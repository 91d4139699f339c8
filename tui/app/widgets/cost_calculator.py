"""What a hardware row costs to run: replicas x hours a day -> $/day and $/month, against serverless.

The serverless side uses the model's per-token prices from ``GET /models`` and a stated input:output
mix, and answers the question people actually have: how many tokens a day make the dedicated endpoint
the cheaper choice.
"""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Input, Label, Static

from tui.api.domain import HardwareOption, ModelOption
from tui.core.format import format_money, format_price, format_tokens, hardware_summary
from tui.core.hardware_choice import (
    DEFAULT_INPUT_SHARE,
    blended_price_per_million,
    break_even_tokens_per_day,
    running_cost,
)
from tui.core.numbers import MAX_REPLICAS_CAP, CalculatorInput, parse_calculator


def _mix_words(input_share: float) -> str:
    inputs = round(input_share * 4)
    return f"{inputs}:{4 - inputs} in:out"


class CostCalculator(Vertical):
    """Recomputes as the replicas or hours change, or the pane selects another row or model."""

    def __init__(self, *, id: str | None = None, input_share: float = DEFAULT_INPUT_SHARE) -> None:
        super().__init__(id=id)
        self.hardware: HardwareOption | None = None
        self.model: ModelOption | None = None
        self.input_share = input_share

    def compose(self) -> ComposeResult:
        yield Static(id="calc-title")
        with Horizontal(id="calc-inputs"):
            yield Label("Replicas ")
            yield Input("1", id="calc-replicas", restrict=r"\d*", compact=True,
                        tooltip=f"How many replicas run at once (1 to {MAX_REPLICAS_CAP})")
            yield Label("  x hours/day ")
            yield Input("24", id="calc-hours", restrict=r"[\d.]*", compact=True,
                        tooltip="How many hours a day the endpoint runs (24 = always on)")
            yield Static(id="calc-result")
        yield Static(id="calc-serverless")

    def on_mount(self) -> None:
        self.recompute()

    def set_hardware(self, hardware: HardwareOption | None) -> None:
        self.hardware = hardware
        self.recompute()

    def set_model(self, model: ModelOption | None) -> None:
        self.model = model
        self.recompute()

    @on(Input.Changed)
    def _inputs_changed(self, event: Input.Changed) -> None:
        event.stop()
        self.recompute()

    def focus_replicas(self) -> None:
        self.query_one("#calc-replicas", Input).focus()

    @property
    def per_day(self) -> float | None:
        if self.hardware is None or self.hardware.price_per_hour is None:
            return None
        parsed = self._parsed()
        if parsed.error or parsed.replicas is None or parsed.hours_per_day is None:
            return None
        return running_cost(self.hardware.price_per_hour, parsed.replicas, parsed.hours_per_day).per_day

    def _parsed(self) -> CalculatorInput:
        return parse_calculator(
            self.query_one("#calc-replicas", Input).value, self.query_one("#calc-hours", Input).value
        )

    def recompute(self) -> None:
        hardware = self.hardware
        if hardware is None:
            self._show(Text("Cost calculator: select a hardware row.", style="dim"), "", "")
            return
        heading = Text(no_wrap=True, overflow="ellipsis")
        heading.append("Cost of ", style="dim")
        # A deploy profile's id is opaque: its label says what it is.
        heading.append(hardware.label or hardware.id, style="bold")
        if hardware.label is None:
            heading.append(f" ({hardware_summary(hardware)})", style="dim")
        heading.append(f" · {format_price(hardware.price_per_hour, cents=True)}/h per replica")
        parsed = self._parsed()
        line: Text
        if hardware.price_per_hour is None:
            line = Text("  no price from the API", style="yellow")
        elif parsed.error:
            line = Text(f"  ✗ {parsed.error}", style="bold red")
        else:
            assert parsed.replicas is not None and parsed.hours_per_day is not None
            cost = running_cost(hardware.price_per_hour, parsed.replicas, parsed.hours_per_day)
            line = Text("  = ", no_wrap=True, overflow="ellipsis")
            line.append(f"{format_money(cost.per_day)}/day", style="bold")
            line.append(" · ")
            line.append(f"{format_money(cost.per_month)}/month", style="bold")
        self._show(heading, line, self._serverless_text())

    def _show(self, title: Text, result: Text | str, serverless: Text | str) -> None:
        # Every line has a fixed size: moving through the table must not cost a layout pass per row.
        for selector, content in (("#calc-title", title), ("#calc-result", result), ("#calc-serverless", serverless)):
            self.query_one(selector, Static).update(content, layout=False)

    def _serverless_text(self) -> Text:
        model = self.model
        text = Text(no_wrap=True, overflow="ellipsis")
        if model is None:
            text.append("Serverless: pick a model (m) to compare with its per-token price.", style="dim")
            return text
        price = blended_price_per_million(model, self.input_share)
        if price is None:
            text.append(f"Serverless: {model.title} has no per-token price (dedicated only).", style="dim")
            return text
        per_day = self.per_day
        tokens = None if per_day is None else break_even_tokens_per_day(per_day, model, self.input_share)
        # The break-even first: a narrow terminal cuts the end of the line, and it is the answer people want.
        if tokens is not None:
            text.append("Break-even ", style="dim")
            text.append(f"{format_tokens(tokens)} tokens/day", style="bold")
            text.append(f" ({_mix_words(self.input_share)}) vs serverless ", style="dim")
        else:
            text.append("Serverless ", style="dim")
        text.append(
            f"{format_price(model.input_price_per_m)} in / {format_price(model.output_price_per_m)} out per 1M"
        )
        return text
