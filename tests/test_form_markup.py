"""Names are data: whatever a user types as a display name is sent, and shown back, exactly as typed.

A name like ``a [/] v2`` once crashed the app (MarkupError) and ``[@click=app.quit]X[/]`` became a
clickable action in a dialog title; the forms build every title and line from data, never from markup.
"""

from __future__ import annotations

import pytest
from apptools import make_app
from formtools import LLAMA, cheapest_available, open_create, posts, settle, until
from hostile import MARKUP, WIDE
from textual import events
from textual.content import Content
from textual.widgets import Input, Select, Static

from tui.api.domain import Endpoint
from tui.app.screens.endpoint_form import CreateEndpointScreen, UpdateEndpointScreen
from tui.simulator import SimulatorServer

NAMES = (*MARKUP, *WIDE[:3])


def title_of(screen: object) -> str:
    """The dialog's title as drawn. (``border_title`` reads back as markup, and Textual's markup escaping
    does not round-trip every string, e.g. ``[$accent]``: read the Content the border is drawn from.)"""
    dialog = screen.query_one("#form-dialog")  # type: ignore[attr-defined]
    title = dialog._border_title
    assert isinstance(title, Content)
    return title.plain


@pytest.mark.parametrize("name", NAMES, ids=[f"name-{index}" for index in range(len(NAMES))])
async def test_any_display_name_round_trips_through_create_update_and_clone(sim_server: SimulatorServer,
                                                                            name: str) -> None:
    # One app per name: the names are independent cases, and xdist spreads them over its workers.
    app = make_app(sim_server)
    async with app.run_test(size=(120, 36)) as pilot:
        hardware = cheapest_available(sim_server, LLAMA)
        sent_before = len(posts(sim_server))
        results: list[Endpoint | None] = []
        form = await open_create(pilot, results, model=LLAMA, hardware_id=hardware)
        box = form.query_one("#f-display-name", Input)
        box.focus()
        if name.isascii():
            await pilot.press(*name)
        else:
            # Pilot cannot press every character (a zero-width joiner, some symbols): paste them.
            box.post_message(events.Paste(name))
            await settle(pilot)
        assert form.query_one("#f-display-name", Input).value == name
        await pilot.press("ctrl+s")
        await until(pilot, lambda results=results: results, "the form to close")  # type: ignore[misc]
        assert posts(sim_server)[-1].json_body["display_name"] == name.strip()
        assert len(posts(sim_server)) == sent_before + 1
        created = results[0]
        assert created is not None and created.display_name == name.strip()

        app.push_screen(UpdateEndpointScreen(app.context, created))
        await settle(pilot)
        update = app.screen
        assert isinstance(update, UpdateEndpointScreen)
        assert title_of(update) == f"Update {name.strip()}"
        assert update.query_one("#f-display-name", Input).value == name.strip()
        # The preview shows old -> new literally too.
        update.query_one("#f-display-name", Input).value = "plain"
        await settle(pilot)
        preview = str(update.query_one("#form-preview", Static).render())
        assert f"Display name     {name.strip()} → plain" in preview
        update.dismiss(None)
        await settle(pilot)

        app.push_screen(CreateEndpointScreen(app.context, clone_of=created), callback=results.append)
        await settle(pilot)
        clone = app.screen
        assert isinstance(clone, CreateEndpointScreen)
        assert title_of(clone) == f"Clone {name.strip()} as a new endpoint"
        assert clone.query_one("#f-display-name", Input).value == f"{name.strip()} (copy)"
        clone.dismiss(None)
        await settle(pilot)


async def test_zone_names_are_shown_literally(sim_server: SimulatorServer, monkeypatch: pytest.MonkeyPatch) -> None:
    zones = ["[@click=app.quit]zone[/]", "a [/] v2"]

    async def hostile_zones() -> list[str]:
        return zones

    app = make_app(sim_server)
    monkeypatch.setattr(app.provider, "list_availability_zones", hostile_zones)
    async with app.run_test(size=(120, 36)) as pilot:
        form = await open_create(pilot, [], model=LLAMA, hardware_id=cheapest_available(sim_server, LLAMA))
        select = form.query_one("#f-zone", Select)
        for zone in zones:
            select.value = zone
            await settle(pilot)
            assert str(select.query_one("SelectCurrent #label", Static).render()) == zone
