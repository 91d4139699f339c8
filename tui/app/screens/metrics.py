"""An endpoint's health over a window: requests, latency, tokens, use, with sparklines, and what the window
really used beside what it is configured to burn.

Shown only where the provider has analytics (``capabilities.metrics``); otherwise the screen says so.
It asks again by itself at most once a minute while it is the screen shown (``RefreshPacer``); a new
window is asked for at once.
"""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Footer, Sparkline, Static

from tui.api import errors
from tui.api.analytics import EndpointMetrics, Percentiles
from tui.api.domain import Endpoint
from tui.app.bindings import bindings
from tui.app.context import AppContext
from tui.core import metrics as model
from tui.core.events_feed import EventSource
from tui.core.format import format_money, format_tokens

#: The time series drawn, by the name the API gives it (UNVERIFIED names; others are listed, not drawn).
SERIES = (("requests", "Requests"), ("outputTokens", "Output tokens"))
_SECONDS_PER_CHECK = 5.0


def _ms(value: float | None) -> str:
    if value is None:
        return "?"
    return f"{value:,.0f} ms" if value >= 10 else f"{value:.1f} ms"


def _count(value: int | None) -> str:
    return "?" if value is None else f"{value:,}"


def _rate(value: float | None, unit: str) -> str:
    return "?" if value is None else f"{value:,.2f} {unit}"


def _percent(value: float | None) -> str:
    shown = model.utilisation_percent(value)
    return "?" if shown is None else f"{shown:.0f}%"


class MetricsScreen(Screen[None]):
    BINDINGS: ClassVar[list[BindingType]] = list(bindings("metrics"))
    DEFAULT_CSS = """
    MetricsScreen { layout: vertical; }
    #metrics-title { height: 1; background: $panel; padding: 0 1; text-style: bold; }
    #metrics-body { height: 1fr; }
    #metrics-figures { height: auto; padding: 0 1; }
    .metrics-spark-row { height: 2; padding: 0 1; }
    .metrics-spark-label { width: 22; }
    .metrics-spark { width: 1fr; height: 2; }
    #metrics-cost { height: auto; padding: 0 1; margin-top: 1; }
    #metrics-deployments { height: auto; padding: 0 1; margin-top: 1; }
    #metrics-status { height: 1; padding: 0 1; color: $text-muted; }
    """

    def __init__(
        self,
        context: AppContext,
        endpoint: Endpoint,
        deployment_id: str | None = None,
        *,
        refresh_seconds: float = model.REFRESH_SECONDS,
        check_seconds: float = _SECONDS_PER_CHECK,
    ) -> None:
        super().__init__()
        self.context = context
        self.endpoint = endpoint
        self.deployment_id = deployment_id
        capabilities = context.store.capabilities
        provider = context.provider
        self.source: model.AnalyticsSource | None = (
            provider
            if capabilities is not None and capabilities.metrics and isinstance(provider, model.AnalyticsSource)
            else None
        )
        self.window = model.WINDOWS[0]
        self.pacer = model.RefreshPacer(refresh_seconds)
        self.check_seconds = check_seconds
        self.metrics: EndpointMetrics | None = None
        self.usage: model.Usage | None = None
        self.problem: str | None = None
        self.fetches = 0
        self.fetched_at: datetime | None = None
        self._timer: Timer | None = None

    def compose(self) -> ComposeResult:
        yield Static(self._title(), id="metrics-title")
        with VerticalScroll(id="metrics-body"):
            yield Static("", id="metrics-figures")
            for name, label in SERIES:
                with Horizontal(classes="metrics-spark-row"):
                    yield Static(label, classes="metrics-spark-label", id=f"metrics-label-{name}")
                    yield Sparkline([], classes="metrics-spark", id=f"metrics-spark-{name}")
            yield Static("", id="metrics-deployments")
            with Vertical():
                yield Static("", id="metrics-cost")
        yield Static("", id="metrics-status")
        yield Footer(compact=True)

    def _title(self) -> Text:
        title = Text("Metrics · ", style="bold")
        title.append(self.endpoint.title)
        if self.deployment_id:
            title.append(f" · {self._deployment_name(self.deployment_id)} only")
        title.append(f" · last {self.window.label} (per {self.window.granularity})")
        return title

    def _deployment_name(self, deployment_id: str) -> str:
        for deployment in self._endpoint().deployments:
            if deployment.id == deployment_id:
                return deployment.title
        return deployment_id

    def _endpoint(self) -> Endpoint:
        return self.context.store.get(self.endpoint.id) or self.endpoint

    def on_mount(self) -> None:
        if self.source is None:
            self.query_one("#metrics-figures", Static).update(
                Text(f"{self.context.provider.label} reports no metrics for its endpoints.")
            )
            return
        # Checks often, asks only when the pacer allows (so a resume after a dialog asks if it is due).
        self._timer = self.set_interval(min(self.check_seconds, self.pacer.seconds), self._maybe_fetch)
        self._fetch()

    def on_screen_suspend(self) -> None:
        if self._timer is not None:
            self._timer.pause()

    def on_screen_resume(self) -> None:
        if self._timer is not None and self.is_mounted:
            self._timer.resume()

    def _maybe_fetch(self) -> None:
        if self.pacer.due(self.context.now()):
            self._fetch()

    def _fetch(self) -> None:
        if self.source is None:
            return
        self.pacer.mark(self.context.now())
        self.run_worker(self._load(self.source), group="metrics", exclusive=True, exit_on_error=False)

    async def _load(self, source: model.AnalyticsSource) -> None:
        now = self.context.now()
        window = self.window
        try:
            figures = await model.fetch(source, self.endpoint.id, window, now, self.deployment_id)
            usage = await self._usage(now, window)
        except errors.APIError as exc:
            self.problem = f"Could not fetch metrics: {exc}"
        else:
            if window is not self.window:
                return
            self.metrics, self.usage, self.problem = figures, usage, None
            self.fetches += 1
            self.fetched_at = now
        self.refresh_view()

    async def _usage(self, now: datetime, window: model.Window) -> model.Usage | None:
        provider = self.context.provider
        if not isinstance(provider, EventSource):
            return None
        start = now - window.span
        events, partial = await model.window_events(provider, self.endpoint.id, start)
        hardware = {h.id: h.price_per_hour for h in (self.context.catalog.known_hardware() or {}).values()}
        endpoint = self._endpoint()
        prices = {d.id: model.price_per_replica(d, hardware) for d in endpoint.deployments}
        return model.usage(events, endpoint, start, now, prices, deployment_id=self.deployment_id, partial=partial)

    # Showing

    def refresh_view(self) -> None:
        if not self.is_mounted:
            return
        self.query_one("#metrics-title", Static).update(self._title())
        figures = self.metrics
        if figures is not None:
            self.query_one("#metrics-figures", Static).update(self._figures(figures))
            for name, label in SERIES:
                values = figures.series_of(name)
                self.query_one(f"#metrics-spark-{name}", Sparkline).data = values
                peak = max(values, default=0.0)
                shown_peak = format_tokens(peak) if name != "requests" else f"{peak:,.0f}"
                self.query_one(f"#metrics-label-{name}", Static).update(
                    Text(f"{label} per {self.window.granularity}\npeak {shown_peak}")
                )
            self.query_one("#metrics-deployments", Static).update(self._by_deployment(figures))
        self.query_one("#metrics-cost", Static).update(self._cost())
        self.query_one("#metrics-status", Static).update(self._status())

    def _figures(self, figures: EndpointMetrics) -> Table:
        table = Table.grid(padding=(0, 2))
        for _ in range(4):
            table.add_column()
        statuses = ", ".join(f"{code}: {count:,}" for code, count in sorted(figures.requests_by_status.items()))
        table.add_row(
            Text("Requests", style="bold"),
            Text(_count(figures.total_requests)),
            Text(f"{_rate(figures.requests_per_second, '/s')}"),
            Text(f"failed {_count(figures.failed_requests)}", style="red" if figures.failed_requests else ""),
        )
        table.add_row(Text("By status", style="bold"), Text(statuses or "none"), Text(""), Text(""))
        table.add_row(Text("Latency", style="bold"), Text("p50"), Text("p90"), Text("p99"))
        for label, values in (("TTFT", figures.ttft_ms), ("End to end", figures.latency_ms),
                              ("Inter-token", figures.itl_ms)):
            table.add_row(*self._percentiles(label, values))
        table.add_row(
            Text("Tokens", style="bold"),
            Text(f"in {format_tokens(figures.input_tokens)}"),
            Text(f"out {format_tokens(figures.output_tokens)}"),
            Text(_rate(figures.tokens_per_second, "tok/s avg")),
        )
        table.add_row(
            Text("GPU", style="bold"),
            Text(f"use {_percent(figures.gpu_utilization)}"),
            Text(f"memory {_percent(figures.gpu_memory_utilization)}"),
            Text(""),
        )
        return table

    def _by_deployment(self, figures: EndpointMetrics) -> Table | Text:
        """Each deployment beside the others: how a candidate compares with the one serving today."""
        if self.deployment_id or len(figures.deployments) < 2:
            return Text("")
        table = Table(box=None, padding=(0, 1), show_edge=False, header_style="bold", title_justify="left",
                      title="By deployment (latency p50)", title_style="bold")
        for header in ("", "req", "failed", "TTFT", "e2e", "ITL", "out tok"):
            table.add_column(header, justify="left" if not header else "right", no_wrap=True)
        for part in figures.deployments:
            name = self._deployment_name(part.deployment_id) if part.deployment_id else "?"
            table.add_row(
                Text(name, overflow="ellipsis"),
                Text(_count(part.total_requests)),
                Text(_count(part.failed_requests), style="red" if part.failed_requests else ""),
                Text(_ms(part.ttft_ms.p50)),
                Text(_ms(part.latency_ms.p50)),
                Text(_ms(part.itl_ms.p50)),
                Text(format_tokens(part.output_tokens)),
            )
        return table

    def _percentiles(self, label: str, values: Percentiles) -> tuple[Text, ...]:
        return (Text(f"  {label}"), Text(_ms(values.p50)), Text(_ms(values.p90)), Text(_ms(values.p99)))

    def _cost(self) -> Text:
        text = Text()
        burn = model.configured_burn(self._endpoint(), self.deployment_id)
        text.append("Cost  ", style="bold")
        text.append(f"configured burn now {format_money(burn)}/h")
        usage = self.usage
        if usage is not None:
            text.append(f" · used in the last {self.window.label}: {usage.replica_hours:,.1f} replica-hours")
            text.append(f", {format_money(usage.dollars)}")
            text.append("\n(replica-hours from the scaling events: desired replicas over the window", style="dim")
            text.append("; the feed was longer than was read)" if usage.partial else ")", style="dim")
        return text

    def _status(self) -> Text:
        if self.problem:
            return Text(self.problem, style="bold red")
        if self.source is None:
            return Text("")
        if self.fetched_at is None:
            return Text("Loading…")
        return Text(
            f"w: {' / '.join(w.label for w in model.WINDOWS)} · refreshes itself at most every "
            f"{self.pacer.seconds:g} s while shown"
        )

    # Actions

    def action_close(self) -> None:
        if self._timer is not None:
            self._timer.stop()
        self.app.pop_screen()

    def action_next_window(self) -> None:
        index = model.WINDOWS.index(self.window)
        self.window = model.WINDOWS[(index + 1) % len(model.WINDOWS)]
        self.metrics = None
        self.usage = None
        self.query_one("#metrics-title", Static).update(self._title())
        self._fetch()
