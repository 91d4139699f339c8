"""Once a redeploy of a legacy v1 endpoint is Ready on v2: offer to stop the v1 one (both bill meanwhile).

It names both endpoints with their $/hour, says what stopping v1 means (it can never start again on v1:
Together retired v1 restarts) and that the application's ``model`` string must move to the new name.
"Keep both" is focused and escape answers it; only the Stop button stops, so no stray key stops anything.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Static

from tui.api.domain import Endpoint
from tui.api.errors import APIError
from tui.app.bindings import bindings
from tui.core.costs import hourly_cost
from tui.core.format import format_price

if TYPE_CHECKING:
    from tui.app.context import AppContext


def endpoint_rate(context: AppContext, endpoint: Endpoint, legacy_prices: dict[str, float | None] | None = None
                  ) -> float | None:
    """$/hour now: the sum of a v2 endpoint's deployments, else its hardware's price times its replicas (the
    legacy API's own price list when given, else the catalogue's)."""
    if endpoint.deployments:
        rates = [d.dollars_per_hour for d in endpoint.deployments]
        return None if any(r is None for r in rates) else sum(r for r in rates if r is not None)
    known = context.catalog.known_hardware() or {}
    option = known.get(endpoint.hardware_id or "")
    price = (legacy_prices or {}).get(endpoint.hardware_id or "")
    if price is not None:
        replicas = endpoint.min_replicas if endpoint.phase.billing else 0
        return None if replicas is None else price * replicas
    return hourly_cost(endpoint, option)


async def legacy_prices(context: AppContext) -> dict[str, float | None]:
    """The legacy (v1) hardware prices where the provider still lists them; {} otherwise or on failure."""
    fetch = getattr(context.provider, "legacy_hardware", None)
    if fetch is None:
        return {}
    try:
        return {option.id: option.price_per_hour for option in await fetch()}
    except APIError:
        return {}


def offer_text(legacy: Endpoint, replacement: Endpoint, legacy_rate: float | None,
               replacement_rate: float | None) -> Text:
    text = Text()
    text.append(replacement.name, style="bold")
    text.append(" is Ready on v2 and bills ")
    text.append(f"{format_price(replacement_rate, cents=True)}/h", style="bold")
    text.append(".\nThe v1 endpoint it replaces, ")
    text.append(legacy.title, style="bold")
    text.append(f" ({legacy.name})", style="dim")
    text.append(", still runs and bills ")
    text.append(f"{format_price(legacy_rate, cents=True)}/h", style="bold")
    text.append(".\n\nBoth bill while both run: ")
    total = None if legacy_rate is None or replacement_rate is None else legacy_rate + replacement_rate
    text.append(f"{format_price(total, cents=True)}/h together.", style="bold yellow")
    text.append("\n\nStopping the v1 endpoint cannot be undone: ", style="bold")
    text.append("v1 no longer starts endpoints, so once stopped it only serves again as a v2 deployment.")
    text.append("\nFirst move your application's ")
    text.append("model", style="italic")
    text.append(" string from ")
    text.append(legacy.inference_model, style="bold")
    text.append(" to ")
    text.append(replacement.inference_model, style="bold")
    text.append(".")
    return text


class MigrationOffer(ModalScreen[bool]):
    """Dismisses True to stop the legacy v1 endpoint, False to keep both running."""

    BINDINGS: ClassVar[list[BindingType]] = list(bindings("migration_offer"))
    DEFAULT_CSS = """
    MigrationOffer { align: center middle; }
    #migration-dialog { width: 84; max-width: 100%; height: auto; max-height: 100%; border: thick $warning;
                        background: $surface; padding: 0 2; }
    #migration-buttons { height: 1; margin-top: 1; align-horizontal: right; }
    #migration-buttons > Button { margin-left: 2; }
    """

    def __init__(self, context: AppContext, *, legacy: Endpoint, replacement: Endpoint) -> None:
        super().__init__()
        self.context = context
        self.legacy = legacy
        self.replacement = replacement

    def _text(self, prices: dict[str, float | None] | None = None) -> Text:
        return offer_text(self.legacy, self.replacement, endpoint_rate(self.context, self.legacy, prices),
                          endpoint_rate(self.context, self.replacement))

    def compose(self) -> ComposeResult:
        text = self._text()
        with Vertical(id="migration-dialog") as dialog:
            dialog.border_title = "Stop the v1 endpoint now?"
            yield Static(text, id="migration-text")
            with Horizontal(id="migration-buttons"):
                yield Button("Keep both  esc", id="migration-keep", variant="primary", compact=True)
                yield Button("Stop the v1 endpoint", id="migration-stop", variant="error", compact=True)

    def on_mount(self) -> None:
        self.query_one("#migration-keep", Button).focus()
        self._load_legacy_price()

    @work(group="migration-price", exit_on_error=False)
    async def _load_legacy_price(self) -> None:
        prices = await legacy_prices(self.context)
        if prices:
            self.query_one("#migration-text", Static).update(self._text(prices))

    def action_keep(self) -> None:
        self.dismiss(False)

    @on(Button.Pressed, "#migration-keep")
    def _keep(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(False)

    @on(Button.Pressed, "#migration-stop")
    def _stop(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(True)
