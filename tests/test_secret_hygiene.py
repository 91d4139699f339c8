"""The key appears nowhere: not on screen, not in a crash report, not in committed snapshots or screenshots."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from apptools import make_app, settle
from rich.console import Console
from textual.app import App

from tui.app.app import TogetherApp
from tui.keys.secret import ApiKey
from tui.simulator import SimulatorServer

ROOT = Path(__file__).resolve().parents[1]
# Shaped like a real Together key, so a scan for the prefix finds any leak of this kind.
SECRET = "tgp_v1_" + "Zx9Qw3Er7Ty1Ui5Op2As6Df0Gh4Jk8Lz"


def crash_with_the_key_in_a_frame() -> None:
    # What httpcore's frames hold while a request is in flight.
    headers = [(b"Authorization", b"Bearer " + SECRET.encode())]  # noqa: F841 - the local is the point
    raise RuntimeError("boom inside the transport")


def crash_report(app: App) -> str:  # type: ignore[type-arg]
    try:
        crash_with_the_key_in_a_frame()
    except RuntimeError:
        app._fatal_error()
    console = Console(record=True, width=200, file=open("/dev/null", "w"))  # noqa: SIM115
    for renderable in app._exit_renderables:
        console.print(renderable)
    return console.export_text()


def test_textuals_default_crash_report_would_print_the_key() -> None:
    # The hazard the app guards against: keep this true, or the next test proves nothing.
    assert SECRET in crash_report(App())


def test_the_apps_crash_report_keeps_the_traceback_but_not_the_key(sim_server: SimulatorServer) -> None:
    report = crash_report(make_app(sim_server))
    assert "RuntimeError" in report and "boom inside the transport" in report
    assert "crash_with_the_key_in_a_frame" in report
    assert SECRET not in report


def test_the_first_run_apps_crash_report_does_not_print_the_key(tmp_path: Path) -> None:
    from tui.app.first_run import FirstRunApp
    from tui.keys.store import FileStore, KeyringStore, KeyStore

    app = FirstRunApp(base_url="https://api.together.ai/v1", profile="default",
                      store=KeyStore(KeyringStore(), FileStore(tmp_path / "c.toml")))
    assert SECRET not in crash_report(app)


async def test_the_key_is_never_on_screen(start_simulator: Callable[..., SimulatorServer]) -> None:
    server = start_simulator(api_key=SECRET)
    app: TogetherApp = make_app(server, api_key=SECRET)  # type: ignore[arg-type]
    app.provider.client.session._http.auth._key = ApiKey(SECRET)  # type: ignore[attr-defined]
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        for keys in (["1"], ["2"], ["3"], ["question_mark"]):
            await pilot.press(*keys)
            await settle(pilot)
            assert SECRET not in app.export_screenshot()
            assert SECRET[-8:] not in app.export_screenshot()
        await pilot.press("escape")
        assert server.sim.requests(), "the app did talk to the API with the key"


def test_no_committed_snapshot_or_screenshot_holds_a_key() -> None:
    files = [*ROOT.joinpath("tests", "__snapshots__").rglob("*.svg"), *ROOT.joinpath("screenshots").rglob("*")]
    for path in files:
        if path.is_file():
            text = path.read_text(errors="replace")
            assert "tgp_v1_" not in text and "Bearer " not in text, path


async def test_an_exported_conversation_does_not_hold_the_key(
    start_simulator: Callable[..., SimulatorServer], tmp_path: Path
) -> None:
    from textual.widgets import Input

    from tui.api import Phase
    from tui.app.messages import OpenChat
    from tui.app.panes.chat import PromptInput

    server = start_simulator(api_key=SECRET)
    app: TogetherApp = make_app(server, api_key=SECRET)  # type: ignore[arg-type]
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        running = next(e for e in await app.provider.list_endpoints() if e.phase is Phase.READY)
        app.post_message(OpenChat(await app.provider.get_endpoint(running.id)))
        await settle(pilot)
        prompt = app.chat_pane.query_one(PromptInput)
        prompt.focus()
        prompt.insert("Which key am I using? [sim:tokens=20]")
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("ctrl+s")
        for _ in range(50):
            await pilot.pause()
            if app.screen.query("#export-path"):
                break
        app.screen.query_one("#export-path", Input).value = str(tmp_path / "chat")
        await pilot.press("enter")
        await pilot.pause()
    saved = (tmp_path / "chat.md").read_text()
    assert "Which key am I using?" in saved
    assert SECRET not in saved and SECRET[-8:] not in saved
