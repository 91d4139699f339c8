"""What the screens take from Nebius's own fields: the details panel's facts as plain text, and deploy
profiles that keep saying their price is the user's, not the API's."""

from __future__ import annotations

from datetime import UTC, datetime

from rich.console import Console

from tui.api.domain import DeployOption, Endpoint, Phase
from tui.app.widgets.endpoint_detail import DetailView, render_detail
from tui.core.hardware_choice import profile_rows


def rendered(endpoint: Endpoint) -> str:
    view = DetailView(endpoint=endpoint, hardware=None, cost=None, cost_at_max=None, history=(), time_to_ready=None,
                      now=datetime(2026, 1, 15, tzinfo=UTC))
    console = Console(width=100, record=True, color_system=None, force_terminal=False)
    console.print(render_detail(view, 100))
    return console.export_text()


def test_the_details_panel_shows_the_providers_facts_as_text() -> None:
    endpoint = Endpoint(
        id="ep-1", name="gpt-oss-20b-1", model="openai/gpt-oss-20b", state="running/ready", phase=Phase.READY,
        detailed=True, api="nebius", region="eu-north1",
        facts=(("Region", "eu-north1"), ("Flavor", "fast (low latency, speculative decoding)"),
               ("Description", "[bold red]not markup[/] \x1b]52;c;aGk=\x07tail")),
    )
    text = rendered(endpoint)
    assert "Region" in text and "eu-north1" in text
    assert "fast (low latency, speculative decoding)" in text
    # Server text: a "[" stays a character, and no terminal control reaches the screen.
    assert "[bold red]not markup[/]" in text
    assert "\x1b" not in text and "52;c" not in text and "tail" in text


def test_profile_rows_keep_whose_price_it_is() -> None:
    ours = DeployOption("base:1xgpu-h100-sxm", "m", "base · 1x H100", "h100", 1, ("eu-north1",), 2.95,
                        price_from_api=False)
    theirs = DeployOption("p1", "m", "1x H100 80GB", "H100", 1, (), 5.49)
    rows = {row.id: row for row in profile_rows([ours, theirs])}
    assert rows["base:1xgpu-h100-sxm"].price_from_api is False
    assert rows["p1"].price_from_api is True
    assert rows["base:1xgpu-h100-sxm"].regions == ("eu-north1",)
