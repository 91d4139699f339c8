"""Small terminals (40x12, 60x20, 80x24) and wide ones: the header keeps the connection and the burn and
never cuts a part mid-way, the error banner leaves the table room, the footer's last column is its own,
help lists the app's keys only, and the first-run screen shows its buttons."""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar

import pytest
from apptools import make_app, screen_text, settle
from keyring.backends import fail
from keyring_memory import MemoryKeyring
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType

from tui.api.http import RetryPolicy
from tui.app.first_run import FirstRunApp
from tui.app.screens.help import HelpBody
from tui.app.widgets.key_bar import KeyBar
from tui.app.widgets.status_header import HeaderFacts, header_text
from tui.keys.store import FileStore, KeyringStore, KeyStore
from tui.simulator import Faults, SimulatorServer

SIZES = [(40, 12), (60, 20), (80, 24)]
ERROR_PHRASES = (
    "503 server error — retrying in 4 s · stale, updated just now",
    "503 server error — retrying in 4 s",
    "503 server error · retry 4 s",
    "503 · retry 4 s",
    "retry 4 s",
)


def facts(**overrides: Any) -> HeaderFacts:
    base: dict[str, Any] = dict(
        demo=False, profile="work", base_url="https://api.together.ai/v1", ok=False, connection=ERROR_PHRASES,
        read_only=True, burn_per_hour="$138.61/h", burn_per_day="$3,326.69/day", provider_label="Together",
    )
    return HeaderFacts(**{**base, **overrides})


@pytest.mark.parametrize("width", [40, 50, 60, 70, 80, 100, 120, 160])
def test_the_header_always_keeps_the_connection_and_the_burn_and_cuts_no_part(width: int) -> None:
    text = header_text(facts(), width).plain
    assert len(text) <= width
    assert "✗" in text and "$138.61/h" in text
    # A phrase is there whole or not at all: never "retrying in" without its number.
    assert "retry" in text
    assert not text.rstrip().endswith(("retrying in", "retry", "burn", "—", "·"))
    assert any(phrase in text for phrase in ERROR_PHRASES)


def test_narrower_than_any_shape_the_header_is_the_glyph_and_the_burn() -> None:
    assert header_text(facts(), 20).plain == "✗ $138.61/h"


def test_the_header_drops_the_lesser_parts_first() -> None:
    wide = header_text(facts(), 200).plain
    assert "https://api.together.ai/v1" in wide and "updated just now" in wide and "/day" in wide
    assert "together-tui" in wide and "READ-ONLY" in wide and "Together" in wide
    at_80 = header_text(facts(), 80).plain
    # The URL and the "updated" age go before the burn per day and the app's name.
    assert "https://" not in at_80 and "updated" not in at_80 and "retrying in 4 s" in at_80
    at_40 = header_text(facts(), 40).plain
    assert "/day" not in at_40 and "together-tui" not in at_40 and "$138.61/h" in at_40 and "retry 4 s" in at_40


def test_a_steady_header_at_40_columns_keeps_the_demo_mark_and_the_burn() -> None:
    steady = facts(demo=True, ok=True, connection=("updated just now", ""), read_only=False)
    text = header_text(steady, 40).plain
    assert "DEMO" in text and "●" in text and "$138.61/h" in text


def error_app(server: SimulatorServer) -> Any:
    # A profile with its URL, as outside the demo; the URL is shown, never used (the provider has the server's).
    return make_app(server, client_options={"retry": RetryPolicy(max_retries=0)}, refresh_interval=10.0,
                    fast_refresh_interval=2.0, demo=False, profile="work", base_url="https://api.together.ai/v1")


async def fail_polls(pilot: Any, server: SimulatorServer) -> None:
    await settle(pilot)
    server.sim.faults = Faults(error_status=503)
    pilot.app.context.store.poll_now()
    await settle(pilot)
    pilot.app.clear_notifications()
    await pilot.pause()


@pytest.mark.parametrize("size", [*SIZES, (120, 40)], ids=lambda size: f"{size[0]}x{size[1]}")
async def test_at_every_size_the_header_and_banner_leave_the_table_room(sim_server: SimulatorServer,
                                                                       size: tuple[int, int]) -> None:
    app = error_app(sim_server)
    async with app.run_test(size=size) as pilot:
        await fail_polls(pilot, sim_server)
        lines = screen_text(app).splitlines()
        header = lines[0]
        assert "✗" in header and "burn $138.61/h" in header
        assert "retrying in" not in header or "retrying in 4 s" in header
        banner = app.query_one("#endpoints-error")
        # 1 line at 12 rows, 2 at 20, 3 at 24 (all 4 of it at 40): the table below keeps its rows.
        assert banner.size.height == {12: 1, 20: 2, 24: 3, 40: 4}[size[1]]
        assert "Couldn't refresh the endpoints" in lines[3]
        assert any("$/hour" in line for line in lines), "the table's price column is on screen"


@pytest.mark.parametrize("size", [(40, 12), (60, 20), (80, 24), (100, 30)], ids=lambda s: f"{s[0]}x{s[1]}")
async def test_the_footers_last_column_is_its_own_whatever_the_keys(sim_server: SimulatorServer,
                                                                   size: tuple[int, int]) -> None:
    """Textual's compact footer left its last cell to whichever scrolled-off key lay beneath the palette
    key (``▏^p palettee``, ``▏^p paletteC``), and that cell changed as the keys did."""
    app = make_app(sim_server)
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        for pane in ("1", "2", "3", "1"):
            await pilot.press(pane)
            await settle(pilot)
            footer = screen_text(app).splitlines()[-1]
            assert footer.endswith("▏^p palette "), repr(footer)


def test_endpoints_with_an_error_at_40x12(snap_compare: Any, sim_server: SimulatorServer) -> None:
    assert snap_compare(error_app(sim_server), terminal_size=(40, 12),
                        run_before=lambda pilot: fail_polls(pilot, sim_server))


def test_endpoints_with_an_error_at_60x20(snap_compare: Any, sim_server: SimulatorServer) -> None:
    assert snap_compare(error_app(sim_server), terminal_size=(60, 20),
                        run_before=lambda pilot: fail_polls(pilot, sim_server))


def test_endpoints_with_an_error_at_80x24(snap_compare: Any, sim_server: SimulatorServer) -> None:
    assert snap_compare(error_app(sim_server), terminal_size=(80, 24),
                        run_before=lambda pilot: fail_polls(pilot, sim_server))


def test_help_at_80x24(snap_compare: Any, sim_server: SimulatorServer) -> None:
    """The top of help as it opens. Its scrollbar is left out of the picture: the thumb's length follows the
    whole list, so any key added anywhere changed this snapshot; that it scrolls is the test below."""

    async def run_before(pilot: Any) -> None:
        await settle(pilot)
        await pilot.press("question_mark")
        await settle(pilot)
        pilot.app.screen.query_one(HelpBody).styles.scrollbar_size_vertical = 0
        await pilot.pause()

    assert snap_compare(make_app(sim_server), terminal_size=(80, 24), run_before=run_before)


async def test_help_at_80x24_shows_a_scrollbar_and_scrolls_to_its_last_key(sim_server: SimulatorServer) -> None:
    app = make_app(sim_server)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        await settle(pilot)
        body = app.screen.query_one(HelpBody)
        assert body.max_scroll_y > 0 and body.show_vertical_scrollbar
        assert body.vertical_scrollbar.region.height > 0, "the scrollbar says there is more"
        await pilot.press("G")
        await settle(pilot)
        assert body.scroll_y == body.max_scroll_y


def first_run_app(backend: object) -> FirstRunApp:
    store = KeyStore(KeyringStore(backend=backend), FileStore(Path("/nonexistent/config/credentials.toml")))
    app = FirstRunApp(base_url="https://api.together.ai/v1", profile="default", store=store)
    app.animation_level = "none"
    return app


@pytest.mark.parametrize("keyring_works", [True, False], ids=["keyring", "no-keyring"])
async def test_the_first_run_buttons_show_at_80x24(keyring_works: bool) -> None:
    app = first_run_app(MemoryKeyring() if keyring_works else fail.Keyring())
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.pause()
        text = screen_text(app)
        assert "Check and save" in text and "Start the demo" in text and "Quit" in text
        assert ("No working OS keyring" in text) is not keyring_works
        assert "^q Quit" in text.splitlines()[-1]


def test_first_run_without_a_keyring_at_80x24(snap_compare: Any) -> None:
    app = first_run_app(fail.Keyring())

    async def run_before(pilot: Any) -> None:
        await settle(pilot)
        app.query_one("#key").cursor_blink = False  # type: ignore[attr-defined]

    assert snap_compare(app, terminal_size=(80, 24), run_before=run_before)


class ManyKeys(App[None]):
    """More footer keys than 40 columns hold, the app's quit among the last (as in the real shell)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        *(Binding(letter, "bell", f"Action {letter}") for letter in "abcdefgh"),
        Binding("ctrl+q", "quit", "Quit", priority=True),
    ]

    def compose(self) -> ComposeResult:
        yield KeyBar()


@pytest.mark.parametrize("width", [40, 60, 80])
async def test_the_key_bar_keeps_quit_in_view_at_the_right(width: int) -> None:
    app = ManyKeys()
    async with app.run_test(size=(width, 5)) as pilot:
        await pilot.pause()
        footer = screen_text(app).splitlines()[-1]
        assert footer.endswith("▏^q Quit ▏^p palette "), repr(footer)
        assert footer.startswith("a Action a"), "the other keys keep their order from the left"


@pytest.mark.parametrize("size", [(40, 12), (60, 20)], ids=lambda size: f"{size[0]}x{size[1]}")
@pytest.mark.parametrize("keyring_works", [True, False], ids=["keyring", "no-keyring"])
async def test_every_first_run_button_is_on_screen_at_small_sizes(keyring_works: bool, size: tuple[int, int]) -> None:
    """Textual rows do not wrap: at 40 columns the third button was pushed past the right edge."""
    app = first_run_app(MemoryKeyring() if keyring_works else fail.Keyring())
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        await pilot.pause()
        body = app.query_one("#first-run")
        for button_id in ("save", "demo", "quit"):
            button = app.query_one(f"#{button_id}")
            region = button.region
            assert region.width > 0 and region.height > 0, button_id
            # Inside the dialog's scrolled view, not under its border or past the screen's edge.
            assert body.content_region.contains_region(region), (button_id, region, body.content_region)
        text = screen_text(app)
        assert "Check and save" in text and "Start the demo" in text and "Quit" in text.split("\n^d")[0]


def test_first_run_at_40x12(snap_compare: Any) -> None:
    app = first_run_app(MemoryKeyring())

    async def run_before(pilot: Any) -> None:
        await settle(pilot)
        app.query_one("#key").cursor_blink = False  # type: ignore[attr-defined]

    assert snap_compare(app, terminal_size=(40, 12), run_before=run_before)


def test_first_run_without_a_keyring_at_60x20(snap_compare: Any) -> None:
    app = first_run_app(fail.Keyring())

    async def run_before(pilot: Any) -> None:
        await settle(pilot)
        app.query_one("#key").cursor_blink = False  # type: ignore[attr-defined]

    assert snap_compare(app, terminal_size=(60, 20), run_before=run_before)


@pytest.mark.parametrize("width", [40, 60])
async def test_a_stale_table_says_so_before_its_sort_at_narrow_widths(sim_server: SimulatorServer,
                                                                      width: int) -> None:
    app = error_app(sim_server)
    async with app.run_test(size=(width, 20)) as pilot:
        await fail_polls(pilot, sim_server)
        title = next(line.strip() for line in screen_text(app).splitlines() if line.strip().startswith("Endpoints "))
        assert "STALE" in title, title
        assert "sort" not in title or title.index("STALE") < title.index("sort")


async def test_j_typed_at_once_after_slash_goes_into_the_filter(sim_server: SimulatorServer) -> None:
    """"/j" in one burst: focus() is deferred to the next refresh, so the "j" moved the table cursor."""
    from textual import events
    from textual.widgets import Input

    from tui.app.widgets.endpoint_table import EndpointTable

    app = make_app(sim_server)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        table = app.query_one(EndpointTable)
        assert app.screen.focused is table
        before = table.cursor_row
        for key, character in (("slash", "/"), ("j", "j")):
            app.post_message(events.Key(key, character))
        await settle(pilot)
        filter_box = app.query_one("#endpoints-filter", Input)
        assert app.screen.focused is filter_box
        assert filter_box.value == "j"
        assert table.cursor_row == before
