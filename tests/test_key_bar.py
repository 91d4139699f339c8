"""The key bar: the keys Textual's compact footer would show for the bindings in force, on one line that a
change of the bindings repaints and never lays out; a click presses a key, the pointer highlights one."""

from __future__ import annotations

from typing import Any, ClassVar

from apptools import screen_text
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import Footer, Static
from textual.widgets._footer import FooterKey

from tui.api.safe_text import clean
from tui.app.widgets.key_bar import KeyBar, follow_now


class Pane(Static, can_focus=True):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("a", "alpha", "Alpha", tooltip="The first letter"),
        Binding("s", "stop", "Stop"),
        Binding("r", "retry", "Retry"),
        Binding("e", "export", "Export"),
        Binding("b", "alpha", "Alpha again"),  # a second key for an action: Textual shows the first
        Binding("h", "hidden", "Hidden", show=False),
        Binding("m", "markup", "[red]not markup[/red] \x1b[2J"),
    ]
    busy = False
    exportable = False
    pressed: ClassVar[list[str]] = []

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "stop":
            return self.busy
        if action == "retry":
            return not self.busy
        if action == "export":
            return True if self.exportable else None
        return True

    def action_alpha(self) -> None:
        self.pressed.append("alpha")

    def action_export(self) -> None:
        self.pressed.append("export")


class KeysApp(App[None]):
    BINDINGS: ClassVar[list[BindingType]] = [Binding("ctrl+q", "quit", "Quit")]

    def compose(self) -> ComposeResult:
        yield Pane("pane")
        yield KeyBar()

    def on_mount(self) -> None:
        self.query_one(Pane).focus()


async def textual_footer_keys(app: App[Any]) -> list[tuple[str, str, str, bool]]:
    """What Textual's own compact footer composes for the same bindings: (key, shown, description, enabled)."""
    reference = Footer(compact=True)
    await app.mount(reference)
    reference._bindings_ready = True
    with reference._context():  # its keys bind to the footer's own reactives
        await reference.recompose()
    # As the bar shows them: as text with any control character taken out.
    keys = [(key.key, clean(key.key_display), clean(key.description), not key.has_class("-disabled"))
            for key in reference.query(FooterKey)]
    await reference.remove()
    return keys


def shown(bar: KeyBar) -> list[tuple[str, str, str, bool]]:
    return [(key.key, key.display, key.description, key.enabled) for key in bar.keys]


def quit_and_palette_last(keys: list[tuple[str, str, str, bool]]) -> list[tuple[str, str, str, bool]]:
    """Textual's order with the quit key moved beside the palette key, at the end."""
    quit_key = [key for key in keys if key[0] == "ctrl+q"]
    return [key for key in keys if key[0] not in ("ctrl+q", "ctrl+p")] + quit_key + [keys[-1]]


async def test_the_bar_shows_what_textual_s_footer_shows_for_the_same_bindings() -> None:
    app = KeysApp()
    async with app.run_test(size=(140, 10)) as pilot:
        await pilot.pause()
        bar = app.query_one(KeyBar)
        reference = await textual_footer_keys(app)
        assert reference[-1][0] == "ctrl+p" and ("h", "h", "Hidden", True) not in reference
        assert shown(bar) == quit_and_palette_last(reference)
        assert [key.right for key in bar.keys] == [False] * (len(bar.keys) - 2) + [True, True]


async def test_a_change_of_the_bindings_repaints_the_line_and_lays_nothing_out() -> None:
    app = KeysApp()
    async with app.run_test(size=(140, 10)) as pilot:
        await pilot.pause()
        bar = app.query_one(KeyBar)
        pane = app.query_one(Pane)
        asked: list[dict[str, Any]] = []
        refresh = bar.refresh

        def recording(*args: Any, **kwargs: Any) -> Any:
            asked.append(kwargs)
            return refresh(*args, **kwargs)

        bar.refresh = recording  # type: ignore[method-assign]
        before = screen_text(app).splitlines()[-1]
        assert "r Retry" in before and "s Stop" not in before

        pane.busy = True
        pane.refresh_bindings()
        await pilot.pause()
        await pilot.pause()
        after = screen_text(app).splitlines()[-1]
        assert "s Stop" in after and "r Retry" not in after
        assert shown(bar) == quit_and_palette_last(await textual_footer_keys(app))
        assert asked and not any(kwargs.get("layout") for kwargs in asked)
        assert bar.follow() is False, "nothing changed since: no repaint"


async def test_a_disabled_key_is_dimmed_and_its_click_rings_the_bell() -> None:
    app = KeysApp()
    Pane.pressed = []
    bells: list[None] = []
    async with app.run_test(size=(140, 10)) as pilot:
        await pilot.pause()
        app.bell = lambda: bells.append(None)  # type: ignore[method-assign]
        bar = app.query_one(KeyBar)
        export = next(span for span in bar._spans if span.shown.action == "export")
        assert not export.shown.enabled
        line = bar.render()
        assert all(line.get_style_at_offset(app.console, x).dim for x in range(export.start, export.end))
        alpha = next(span for span in bar._spans if span.shown.action == "alpha")
        assert not line.get_style_at_offset(app.console, alpha.start).dim

        await pilot.click(KeyBar, offset=(export.start, 0))
        await pilot.click(KeyBar, offset=(alpha.start + 1, 0))
        await pilot.pause()
        assert bells == [None] and Pane.pressed == ["alpha"]

        app.query_one(Pane).exportable = True
        app.query_one(Pane).refresh_bindings()
        await pilot.pause()
        await pilot.pause()
        export = next(span for span in bar._spans if span.shown.action == "export")
        assert export.shown.enabled and not bar.render().get_style_at_offset(app.console, export.start).dim
        await pilot.click(KeyBar, offset=(export.start, 0))
        await pilot.pause()
        assert Pane.pressed == ["alpha", "export"] and bells == [None]


async def test_the_key_under_the_pointer_is_highlighted_with_its_tooltip() -> None:
    app = KeysApp()
    async with app.run_test(size=(140, 10)) as pilot:
        await pilot.pause()
        bar = app.query_one(KeyBar)
        alpha = next(span for span in bar._spans if span.shown.action == "alpha")
        plain = bar.render().get_style_at_offset(app.console, alpha.start)
        await pilot.hover(KeyBar, offset=(alpha.start + 2, 0))
        await pilot.pause()
        assert bar._hovered == alpha.shown and bar.tooltip == "The first letter"
        lit = bar.render().get_style_at_offset(app.console, alpha.start)
        assert lit.bgcolor != plain.bgcolor and lit.color == plain.color
        await pilot.hover(Pane)
        await pilot.pause()
        assert bar._hovered is None and bar.tooltip is None


async def test_descriptions_are_shown_as_text_never_as_markup_or_control_sequences() -> None:
    app = KeysApp()
    async with app.run_test(size=(200, 10)) as pilot:
        await pilot.pause()
        footer = screen_text(app).splitlines()[-1]
        assert "[red]not markup[/red]" in footer and "\x1b" not in footer
        assert footer.endswith("▏^q Quit ▏^p palette "), "the line's cells are where the bar counted them"


async def test_follow_now_shows_the_keys_before_textual_publishes_them() -> None:
    app = KeysApp()
    async with app.run_test(size=(140, 10)) as pilot:
        await pilot.pause()
        bar = app.query_one(KeyBar)
        app.query_one(Pane).busy = True
        follow_now(app.screen)
        assert "stop" in {key.action for key in bar.keys}


async def test_the_app_s_first_frame_has_every_key_it_will_show() -> None:
    """The table has the focus from the first frame, and the bar shows its keys in that frame: no key comes a
    frame later (each used to cost a layout of the whole screen while the first details came in)."""
    from fakes import FakeProvider, endpoint

    from tui.app.app import TogetherApp
    from tui.core.app_config import AppConfig

    provider = FakeProvider.with_endpoints(endpoint("ep-0"), endpoint("ep-1"))
    app = TogetherApp(provider, AppConfig(refresh_interval=60))  # type: ignore[arg-type]
    first_frame: list[list[str]] = []
    display = app._display

    def recording(screen: Any, update: Any) -> None:
        if not first_frame:
            first_frame.append([key.display for key in screen.query_one(KeyBar).keys])
        display(screen, update)

    app._display = recording  # type: ignore[method-assign]
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        settled = [key.display for key in app.screen.query_one(KeyBar).keys]
    assert "s" in settled and "^q" in settled and "^p" in settled
    assert first_frame == [settled]
