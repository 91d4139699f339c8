"""The footer follows the bindings in force by changing only the keys that changed, and ends as a
recompose would leave it: the same keys, in the same order, with the same enabled states."""

from __future__ import annotations

from typing import Any, ClassVar

from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import Static
from textual.widgets._footer import FooterKey

from tui.app.widgets.footer_keys import keys_of, signature
from tui.app.widgets.shell_footer import ShellFooter


class Pane(Static, can_focus=True):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("a", "alpha", "Alpha"),
        Binding("s", "stop", "Stop"),
        Binding("r", "retry", "Retry"),
        Binding("e", "export", "Export"),
    ]
    busy = False
    exportable = False

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "stop":
            return self.busy
        if action == "retry":
            return not self.busy
        if action == "export":
            return True if self.exportable else None
        return True


class KeysApp(App[None]):
    BINDINGS: ClassVar[list[BindingType]] = [Binding("ctrl+q", "quit", "Quit")]

    def compose(self) -> ComposeResult:
        yield Pane("pane")
        yield ShellFooter()

    def on_mount(self) -> None:
        self.query_one(Pane).focus()


def entries(footer: ShellFooter) -> list[tuple[Any, ...]]:
    return [(signature(key), key.has_class("-disabled")) for key in footer.query(FooterKey)]


async def recomposed(app: KeysApp) -> list[tuple[Any, ...]]:
    """What Textual's own recompose shows for the same bindings (on a second footer)."""
    reference = ShellFooter()
    await app.mount(reference)
    reference._bindings_ready = True
    with reference._context():
        await reference.recompose()
    shown = entries(reference)
    await reference.remove()
    return shown


async def test_a_key_that_comes_and_goes_is_mounted_and_removed_alone() -> None:
    app = KeysApp()
    async with app.run_test(size=(100, 10)) as pilot:
        await pilot.pause()
        footer = app.query_one(ShellFooter)
        pane = app.query_one(Pane)
        before = {key.action: key for key in footer.query(FooterKey)}
        assert "retry" in before and "stop" not in before

        pane.busy = True
        pane.refresh_bindings()
        await pilot.pause()
        await pilot.pause()
        after = {key.action: key for key in footer.query(FooterKey)}
        assert "stop" in after and "retry" not in after
        assert entries(footer) == await recomposed(app)
        # The keys that did not change are the same widgets: nothing was rebuilt but Stop.
        assert after["alpha"] is before["alpha"] and after["quit"] is before["quit"]

        pane.busy = False
        pane.refresh_bindings()
        await pilot.pause()
        await pilot.pause()
        assert [key.action for key in footer.query(FooterKey)] == list(before)
        assert entries(footer) == await recomposed(app)


async def test_a_key_that_is_enabled_changes_its_state_in_place() -> None:
    app = KeysApp()
    async with app.run_test(size=(100, 10)) as pilot:
        await pilot.pause()
        footer = app.query_one(ShellFooter)
        pane = app.query_one(Pane)
        export = next(key for key in footer.query(FooterKey) if key.action == "export")
        assert export.has_class("-disabled")
        dimmed = str(export.render())
        dimmed_style = export.rich_style

        pane.exportable = True
        pane.refresh_bindings()
        await pilot.pause()
        await pilot.pause()
        assert next(key for key in footer.query(FooterKey) if key.action == "export") is export
        assert not export.has_class("-disabled") and not export._disabled
        # Restyled too (the keys that change are restyled together): it no longer looks disabled.
        assert str(export.render()) == dimmed and export.rich_style != dimmed_style
        assert entries(footer) == await recomposed(app)


async def test_keys_are_compact_before_their_first_styles() -> None:
    """Textual's key takes ``-compact`` from a watcher once its messages run, after its first styles; a
    key laid out in between kept the wide size and look (the Hardware pane's footer, one start in three)."""
    app = KeysApp()
    async with app.run_test(size=(100, 10)) as pilot:
        await pilot.pause()
        footer = app.query_one(ShellFooter)
        with footer._context():
            composed = [key for widget in footer.compose() for key in keys_of(widget)]
        assert composed and all(key.has_class("-compact") for key in composed)

        pane = app.query_one(Pane)
        pane.busy = True
        pane.refresh_bindings()
        await pilot.pause()
        await pilot.pause()
        stop = next(key for key in footer.query(FooterKey) if key.action == "stop")
        assert stop.size.width == len("s Stop")


async def test_the_app_s_first_frame_has_every_key_it_will_show() -> None:
    """The table's keys come with its focus, which Textual turns into a bindings refresh after the next
    frame; the quit and palette keys sit in a group that mounts its keys a turn later. Both used to come one
    and two frames after the first, each laying the whole screen out while the first details came in."""
    from fakes import FakeProvider, endpoint

    from tui.app.app import TogetherApp
    from tui.app.config import AppConfig

    provider = FakeProvider.with_endpoints(endpoint("ep-0"), endpoint("ep-1"))
    app = TogetherApp(provider, AppConfig(refresh_interval=60))  # type: ignore[arg-type]
    first_frame: list[list[str]] = []
    display = app._display

    def recording(screen: Any, update: Any) -> None:
        if not first_frame:
            footer = screen.query_one(ShellFooter)
            first_frame.append([key.key_display or key.key for key in footer.query(FooterKey) if key.region])
        display(screen, update)

    app._display = recording  # type: ignore[method-assign]
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        footer = app.screen.query_one(ShellFooter)
        settled = [key.key_display or key.key for key in footer.query(FooterKey) if key.region]
    assert "s" in settled and "^q" in settled and "^p" in settled
    assert first_frame == [settled]
