"""The panel under the endpoints table: everything known about the selected endpoint.

Every field, the hardware's GPU specs and price, the name to pass as ``model``, what it costs now
and at full scale, and the states seen in this session with time-to-ready. Times are shown in UTC
so what the panel says does not depend on the machine's time zone.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from rich.console import Group, RenderableType
from rich.segment import Segment
from rich.table import Table
from rich.text import Text
from textual.content import Content
from textual.geometry import Size
from textual.scroll_view import ScrollView
from textual.strip import Strip

from tui.api.domain import Deployment, Endpoint, HardwareOption, Phase
from tui.api.safe_text import clean
from tui.app.widgets.detail_grid import FieldGrid, SideBySide
from tui.app.widgets.laid_out import LaidOutScrollbars
from tui.app.widgets.state_badge import state_text
from tui.app.widgets.tree_detail import LEGACY_NOTE, deployment_fields, endpoint_fields, next_step
from tui.core.costs import is_tree
from tui.core.format import format_age, format_duration, format_price, gpu_name, known_amount, known_count, link_label
from tui.core.store_events import Steps
from tui.core.timeline import Observation
from tui.core.tree import state_label
from tui.core.waits import Expected, Wait

#: Below this width the timeline goes under the fields instead of beside them.
SIDE_BY_SIDE_WIDTH = 100


@dataclass(frozen=True)
class DetailView:
    endpoint: Endpoint
    hardware: HardwareOption | None
    cost: float | None
    cost_at_max: float | None
    history: tuple[Observation, ...]
    time_to_ready: timedelta | None
    now: datetime
    expected: Expected | None = None
    waiting: Wait | None = None
    loading: bool = False
    #: The last smoke test's summary line, when one ran in this session.
    smoke: str | None = None
    #: The selected deployment of a v2 endpoint (None: the endpoint's own row).
    deployment: Deployment | None = None
    prices: Mapping[str, HardwareOption] | None = None
    details_age: timedelta | None = None
    #: A delete's steps so far (lines, done, error), when one ran on this row.
    steps: tuple[tuple[str, ...], bool, str | None] | None = None
    #: A v1 endpoint on a control plane that no longer restarts it.
    legacy: bool = False


def steps_seen(steps: Steps | None) -> tuple[tuple[str, ...], bool, str | None] | None:
    """A copy of a delete's progress as it is now (the store keeps adding to its own)."""
    return None if steps is None else (tuple(steps.lines), steps.done, steps.error)


def _utc(moment: datetime) -> str:
    return moment.strftime("%H:%M:%S")


def _fields(view: DetailView) -> FieldGrid:
    endpoint = view.endpoint
    grid = FieldGrid()

    def row(label: str, *value: str | Text) -> None:
        # Labels include field names the server made up (extra fields): never read them as markup.
        grid.add_row(Text(label), Text.assemble(*value))

    if view.steps is not None:
        lines, done, error = view.steps
        progress = Text("\n".join(lines) or "sent…")
        if error:
            progress.append(f"\nStopped: {error}", style="bold red")
        elif not done:
            progress.append("\n…", style="dim")
        row("Deleting", progress)
    if is_tree(endpoint):
        if view.deployment is not None:
            deployment_fields(row, endpoint, view.deployment, view.prices, view.details_age)
        else:
            endpoint_fields(row, endpoint, view.prices, view.details_age)
        if endpoint.created_at is not None:
            created = endpoint.created_at.strftime("%Y-%m-%d %H:%M UTC")
            row("Created", f"{created} ({format_age(view.now - endpoint.created_at)} ago)")
        if view.smoke:
            row("Smoke test", view.smoke)
        return grid
    if view.legacy:
        row("v1", Text(LEGACY_NOTE, style="bold yellow"))

    row("Name", Text(endpoint.title, style="bold"))
    row("Use as model", Text(endpoint.name, style="bold cyan"))
    row("ID", endpoint.id)
    row("Model", endpoint.model)
    if view.expected is not None:
        state = state_text(view.expected.state, view.expected.phase, expected=True)
        state.append(f"  (was {endpoint.state})", style="dim")
    else:
        state = state_text(endpoint.state, endpoint.phase)
    if view.waiting is not None:
        target = "STARTED" if view.waiting.target == "ready" else "STOPPED"
        waited = format_duration((view.now - view.waiting.since).total_seconds())
        state.append(f"  waiting for {target} ({waited})", style="italic")
    row("State", state)
    if endpoint.phase is Phase.FAILED or endpoint.status_message:
        row("Status", Text(endpoint.status_message or "the API gave no reason", style="bold"))
    if endpoint.dedicated and (step := next_step(endpoint.phase, deployment=False)) is not None:
        row("Next step", Text(step, style="yellow"))
    if not endpoint.dedicated:
        row("Hardware", Text("serverless: billed per token, nothing to start or stop", style="dim"))
    else:
        row("Hardware", *_hardware(view))
        # While the details load, the rows they bring are there already: the panel keeps its height when
        # they come (no jump, and no scrollbar arriving a moment after the first frame).
        loading = Text("loading…", style="dim")
        if endpoint.hardware_id is not None:
            row("Hardware id", Text(endpoint.hardware_id, style="dim"))
        elif view.loading:
            row("Hardware id", loading)
        if view.hardware is not None:
            row("Price", f"{format_price(view.hardware.price_per_hour, cents=True)}/h per replica")
        elif view.loading:
            row("Price", loading)
        if endpoint.min_replicas is not None:
            row("Replicas", f"min {endpoint.min_replicas} · max {known_count(endpoint.max_replicas)}")
        elif view.loading:
            row("Replicas", loading)
        row("Cost", *_cost(view))
    if endpoint.created_at is not None:
        created = endpoint.created_at.strftime("%Y-%m-%d %H:%M UTC")
        row("Created", f"{created} ({format_age(view.now - endpoint.created_at)} ago)")
    row("Type", f"{endpoint.kind} · owner {endpoint.owner or '?'}")
    # The provider's own documented fields (Nebius: region, flavor, readiness), in its order; cleaned again
    # here because they are the server's text, and shown as Text, never markup.
    for label, value in endpoint.facts:
        row(clean(label, limit=40), Text(clean(value, limit=500)))
    if view.smoke:
        row("Smoke test", view.smoke)
    for key, value in sorted(endpoint.extra.items()):
        row(clean(key, limit=40), Text(_short(value), style="italic"), Text("  (not in the API contract)", style="dim"))
    return grid


def _hardware(view: DetailView) -> list[str | Text]:
    endpoint, hardware = view.endpoint, view.hardware
    if endpoint.hardware_id is None:
        return [Text("loading…" if view.loading else "unknown", style="dim")]
    if hardware is None:
        return [Text("not in the hardware list: GPU and price unknown", style="dim")]
    specs = [f"{hardware.gpu_count or '?'}x {gpu_name(hardware)}"]
    if memory := known_amount(hardware.gpu_memory_gb):
        specs.append(f"{memory:g} GB each")
    if total := known_amount(hardware.total_memory_gb):
        specs.append(f"{total:g} GB total")
    if hardware.gpu_link:
        specs.append(link_label(hardware.gpu_link))
    return [Text(" · ".join(specs), style="bold")]


def _cost(view: DetailView) -> list[str | Text]:
    if view.cost is None:
        return [Text("unknown until the hardware price and replicas are known", style="dim")]
    parts: list[str | Text] = [
        Text(f"{format_price(view.cost, cents=True)}/h now", style="bold"),
        f" · {format_price(view.cost * 24, cents=True)}/day",
    ]
    if view.cost_at_max is not None and view.cost_at_max != view.cost:
        parts.append(Text(f" · up to {format_price(view.cost_at_max, cents=True)}/h at max", style="dim"))
    return parts


def _timeline(view: DetailView) -> RenderableType:
    grid = Table.grid(padding=(0, 1))
    grid.add_column(style="dim", no_wrap=True)
    grid.add_column(no_wrap=True, overflow="ellipsis")
    grid.add_column(style="dim", no_wrap=True)
    previous: datetime | None = None
    for observation in view.history:
        since = ""
        if previous is not None and observation.at > previous:
            since = f"+{format_duration((observation.at - previous).total_seconds())}"
        what: Text
        if observation.phase is None:
            what = Text(observation.state, style="italic")
        else:
            what = state_text(state_label(observation.state), observation.phase)
        grid.add_row(_utc(observation.at), what, since)
        previous = observation.at
    heading = Text("Seen this session (UTC)", style="bold")
    parts: list[RenderableType] = [heading]
    if view.history:
        parts.append(grid)
    else:
        parts.append(Text("nothing yet", style="dim"))
    if view.time_to_ready is not None:
        parts.append(Text(f"ready in {format_duration(view.time_to_ready.total_seconds())}", style="bold green"))
    return Group(*parts)


def render_detail(view: DetailView, width: int) -> SideBySide | Group:
    fields, timeline = _fields(view), _timeline(view)
    if width >= SIDE_BY_SIDE_WIDTH:
        return SideBySide(fields, timeline)
    return Group(fields, Text(""), timeline)


def _short(value: Any, limit: int = 60) -> str:
    # Fields outside the contract skip the adapter's cleaning of known fields: clean them here.
    return clean(repr(value) if not isinstance(value, str) else value, limit=limit)


#: The fields an endpoint's details show, as ``skeleton`` shows them before the first list.
SKELETON_FIELDS = ("Name", "Use as model", "ID", "Model", "State", "Hardware", "Hardware id", "Price", "Replicas",
                   "Cost", "Created", "Type")


def skeleton(message: str) -> Group:
    """The panel before the first list: ``message`` over the fields to come, as tall as an endpoint's
    details, so their coming neither moves the panel's text nor brings a scrollbar (a layout of the
    screen, 10-20 ms at 120x36, in the second the rows arrive)."""
    grid = FieldGrid()
    for label in SKELETON_FIELDS:
        grid.add_row(Text(label, style="dim"), Text("…", style="dim"))
    return Group(Text(message, style="dim"), grid)


class EndpointDetail(LaidOutScrollbars, ScrollView):
    """Scrollable (focus it with tab) so a long timeline or many extra fields stay readable at 80x24.

    It draws its own lines (the Line API), each selection laid out once per width: a new selection, or
    details of another height, repaints the panel without a layout of the screen (a Static in a scrolling
    container asked for one, then a second for the container's new size, then a third for its scrollbar's:
    ~10-15 ms each at 120x36). Only a scrollbar coming or going lays the screen out (``_scroll_update``).
    """

    DEFAULT_CSS = """
    EndpointDetail {
        overflow-x: hidden;
    }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._view: DetailView | None = None
        self._empty = ""
        #: What is on screen now; an update that would draw the same is skipped.
        self._drawn: tuple[DetailView | None, str, bool, int] | None = None
        self._loading = False
        self._key: str | None = None
        self._title: str | None = None
        self._content: RenderableType = Text("")
        self._lines: list[Strip] = []

    @property
    def showing(self) -> bool:
        """Whether an endpoint's (or a deployment's) details are shown, not the placeholder."""
        return self._view is not None

    @property
    def content(self) -> RenderableType:
        """What the panel shows: the selection's details, or the placeholder when nothing is selected."""
        return self._content

    def show_endpoint(self, view: DetailView | None, *, empty: str = "No endpoint selected.",
                      key: str | None = None, loading: bool = False) -> None:
        """``view``'s details, or ``empty`` when there is none; ``loading``: the first list is on its way,
        and under ``empty`` the fields an endpoint will fill stand ready (``skeleton``)."""
        self._view, self._empty, self._loading = view, empty, loading
        if key != self._key:
            # Another row: its details start at the top, not at the last one's scroll offset.
            self._key = key
            self.scroll_home(animate=False)
        self._render_body()

    def on_resize(self) -> None:
        self._render_body()

    def watch_show_vertical_scrollbar(self) -> None:
        # The scrollbar takes a column from the text (or gives it back) without resizing the panel.
        self._render_body()

    def _render_body(self) -> None:
        if not self.is_mounted:
            return
        width = self.scrollable_content_region.width
        drawn = (self._view, self._empty, self._loading, width)
        if drawn == self._drawn:
            return
        self._drawn = drawn
        if self._view is None:
            self._set_title("Details")
            self._show(skeleton(self._empty) if self._loading else Text(self._empty, style="dim"), width)
            return
        deployment = self._view.deployment
        title = self._view.endpoint.title + (f"/{deployment.title}" if deployment is not None else "")
        self._set_title(f"Details · {title}")
        self._show(render_detail(self._view, width), width)

    def _show(self, renderable: RenderableType, width: int) -> None:
        self._content = renderable
        if width <= 0:
            self._lines = []
        else:
            app = self.app
            options = app.console_options.update(highlight=False).update_width(width)
            segments = app.console.render(renderable, options)
            self._lines = [Strip(line) for line in
                           Segment.split_and_crop_lines(segments, width, include_new_lines=False, pad=False)]
        size = Size(width, len(self._lines))
        if size != self.virtual_size:
            # The scroll range follows the text; the screen is laid out only if a scrollbar comes or goes.
            self.set_reactive(ScrollView.virtual_size, size)
            self._scroll_update(size)
        self.refresh()

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        index = y + self.scroll_offset.y
        style = self.rich_style
        if index >= len(self._lines):
            return Strip.blank(width, style)
        # What a Static draws: the widget's style beneath each segment's own.
        return self._lines[index].apply_style(style).extend_cell_length(width, style).crop(0, width)

    def _set_title(self, title: str) -> None:
        # Setting a border title repaints the whole panel, even to the same title (the ages' redraws).
        if title != self._title:
            self._title = title
            # A str border title is parsed as markup; the display name is the server's text, so Content.
            self.border_title = Content(title)
