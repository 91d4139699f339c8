"""The first frame: what start-up avoids doing twice."""

from __future__ import annotations

import pytest
from fakes import FakeProvider, endpoint

from tui.app.app import TogetherApp
from tui.app.config import AppConfig


async def test_the_first_screen_wears_its_height_class_before_its_first_styles(monkeypatch: pytest.MonkeyPatch) -> None:
    """The Resize that follows the first compose finds the breakpoint class already there (added after the
    first style pass, it restyled every widget once more before the first frame)."""
    classes_at_compose: list[set[str]] = []
    compose = TogetherApp.compose

    def composing(self: TogetherApp):  # type: ignore[no-untyped-def]
        classes_at_compose.append(set(self.screen.classes))
        yield from compose(self)

    monkeypatch.setattr(TogetherApp, "compose", composing)
    for height, wanted, other in ((36, "-tall", "-short"), (16, "-short", "-tall")):
        app = TogetherApp(FakeProvider.with_endpoints(endpoint("ep-1")), AppConfig(refresh_interval=60))  # type: ignore[arg-type]
        async with app.run_test(size=(120, height)) as pilot:
            await pilot.pause()
            assert app.screen.has_class(wanted) and not app.screen.has_class(other)
        assert wanted in classes_at_compose[-1] and other not in classes_at_compose[-1]


async def test_the_endpoints_keys_are_in_the_footer_before_the_first_rows() -> None:
    """The table has the focus from the first frame: its keys are in the footer, dimmed, before the first
    rows come, and light up with them (mounted as the rows came in, they cost a screen layout then)."""
    import asyncio

    from textual.widgets._footer import FooterKey

    from tui.app.widgets.endpoint_table import EndpointTable

    provider = FakeProvider.with_endpoints(*(endpoint(f"ep-{index}") for index in range(30)))
    app = TogetherApp(provider, AppConfig(refresh_interval=60))  # type: ignore[arg-type]
    async with app.run_test(size=(120, 36)) as pilot:
        table = app.query_one(EndpointTable)
        footer_when_rows_came: set[str] | None = None
        for _ in range(400):
            await asyncio.sleep(0.002)
            if table.row_count:
                footer_when_rows_came = {key.key for key in app.query(FooterKey)}
                break
        assert footer_when_rows_came is not None and "s" in footer_when_rows_came
        mounted = {key.key: id(key) for key in app.query(FooterKey)}
        await pilot.pause(0.3)
        keys = {key.key: key for key in app.query(FooterKey)}
        assert not keys["s"]._disabled
        assert id(keys["s"]) == mounted["s"], "the same key, lit up, not mounted anew"


async def test_a_modal_closed_with_no_focus_on_another_pane_leaves_that_pane_showing() -> None:
    """The table's focus at start is for the first frame only: later, with nothing focused on the Chat
    pane, closing a modal must not focus the hidden table (which would bring the Endpoints tab back)."""
    from textual.widgets import TabbedContent

    from tui.app.screens.help import HelpScreen

    app = TogetherApp(FakeProvider.with_endpoints(endpoint("ep-1")), AppConfig(refresh_interval=60))  # type: ignore[arg-type]
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        app.action_show_pane("chat")
        for _ in range(5):
            await pilot.pause()
        assert app.query_one("#panes", TabbedContent).active == "chat"
        app.set_focus(None)
        await app.push_screen(HelpScreen())
        await pilot.pause()
        app.pop_screen()
        for _ in range(5):
            await pilot.pause()
        assert app.query_one("#panes", TabbedContent).active == "chat"
