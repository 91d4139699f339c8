"""Server text is data: display names, models and hardware ids full of markup are shown as typed,
never run an action, never crash the Endpoints pane, its detail panel, dialogs or help."""

from __future__ import annotations

from apptools import settle
from fakes import FakeProvider, titled
from hostile import HOSTILE_STRINGS, MARKUP, WIDE
from test_chat_pane import wait_until
from test_endpoints_money import make, rendered, table
from textual.content import Content

from tui.app.screens.confirm_delete import ConfirmDeleteScreen
from tui.app.screens.confirm_start import ConfirmStartScreen
from tui.app.widgets.endpoint_detail import EndpointDetail


def hostile_provider() -> FakeProvider:
    # The stand-in skips the adapter's cleaning on purpose: the views must hold on their own.
    return FakeProvider.with_endpoints(*(
        titled(f"ep-{index:02d}", text, model=text, hardware_id=text)
        for index, text in enumerate(HOSTILE_STRINGS)
    ))


async def test_every_hostile_string_shows_as_typed_and_runs_nothing() -> None:
    provider = hostile_provider()
    app = make(provider, confirm_delete="simple")
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        detail = app.query_one("#endpoints-detail", EndpointDetail)
        for index, text in enumerate(HOSTILE_STRINGS):
            assert table(app).select(f"ep-{index:02d}")
            # The panel follows the cursor once the table has painted (after a pause when rows go by fast).
            await wait_until(lambda i=index: detail._key == f"ep-{i:02d}", within=10)
            # What the border draws (the public getter hands back markup, whose round trip is lossy).
            title = detail._border_title
            assert isinstance(title, Content)
            if text in MARKUP or text in WIDE:
                # Content, not markup: the characters themselves, and no action to click.
                assert title.plain == f"Details · {text}"
                assert not any("@click" in str(span.style) for span in title.spans)
                if text in MARKUP:
                    # The row holds the name as typed; the cell may cut it in the middle to fit its column.
                    view = table(app).view(f"ep-{index:02d}")
                    assert view is not None and text in view.cells["name"].plain
                    shown = table(app).get_cell(f"ep-{index:02d}", "name").plain
                    assert shown == text or (shown[0] == text[0] and shown[-1] == text[-1] and "…" in shown)
        # A click on the title line runs nothing.
        await pilot.click(EndpointDetail, offset=(12, 0))
        await settle(pilot)
        assert app.is_running and provider.actions == []


async def test_dialogs_and_help_show_a_markup_name_as_typed() -> None:
    name = "[@click=app.quit]X[/] a [/] v2"
    provider = FakeProvider.with_endpoints(titled("ep-a", name))
    app = make(provider, confirm_delete="simple")
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await pilot.press("s")
        assert isinstance(app.screen, ConfirmStartScreen)
        assert name in rendered(app.screen.query_one("#confirm-start-summary").render())
        await pilot.press("escape", "d")
        assert isinstance(app.screen, ConfirmDeleteScreen)
        assert name in rendered(app.screen.query_one("#confirm-delete-summary").render())
        await pilot.press("escape", "question_mark")
        await pilot.press("escape")
        await settle(pilot)
        assert app.is_running and provider.actions == []
