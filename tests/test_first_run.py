"""The first-run screen: a key typed masked, checked against the API, stored; or the demo instead."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from apptools import settle
from keyring.backends import fail
from keyring_memory import MemoryKeyring

from tui.app.first_run import FirstRunApp, FirstRunResult
from tui.keys.store import FileStore, KeyringStore, KeyStore
from tui.simulator import DEMO_API_KEY, SimulatorServer


def make_store(tmp_path: Path, backend: object | None = None) -> KeyStore:
    return KeyStore(KeyringStore(backend=backend or MemoryKeyring()), FileStore(tmp_path / "credentials.toml"))


def first_run(server: SimulatorServer, store: KeyStore) -> FirstRunApp:
    app = FirstRunApp(base_url=server.base_url, profile="default", store=store)
    app.animation_level = "none"
    return app


async def type_key(pilot: object, app: FirstRunApp, text: str) -> None:
    app.query_one("#key").value = text  # type: ignore[attr-defined]
    await pilot.press("enter")  # type: ignore[attr-defined]
    await settle(pilot)
    await pilot.pause()  # type: ignore[attr-defined]


async def test_a_working_key_is_checked_and_stored_in_the_keyring(sim_server: SimulatorServer, tmp_path: Path) -> None:
    backend = MemoryKeyring()
    store = make_store(tmp_path, backend)
    app = first_run(sim_server, store)
    async with app.run_test() as pilot:
        await pilot.pause()
        await pilot.press(*DEMO_API_KEY)
        await pilot.pause()
        assert DEMO_API_KEY not in app.export_screenshot()
        await pilot.press("enter")
        await settle(pilot)
        await pilot.pause()
    result = app.return_value
    assert isinstance(result, FirstRunResult) and result.key is not None
    assert result.key.reveal() == DEMO_API_KEY
    assert backend.passwords == {("together-tui", "default"): DEMO_API_KEY}
    assert "keyring" in result.stored_in.lower()
    # The key is checked the way the default Together provider checks it: v2's whoami, one request.
    assert [r.path for r in sim_server.sim.request_log] == ["/v3/whoami"]


async def test_a_refused_key_says_so_stores_nothing_and_allows_a_retry(
    sim_server: SimulatorServer, tmp_path: Path
) -> None:
    backend = MemoryKeyring()
    app = first_run(sim_server, make_store(tmp_path, backend))
    async with app.run_test() as pilot:
        await pilot.pause()
        await type_key(pilot, app, "wrong-key-1234")
        message = str(app.query_one("#key-message").render())
        assert "refused this key" in message and "401" in message
        assert app.query_one("#key").value == ""  # type: ignore[attr-defined]
        assert not app.query_one("#save").disabled
        assert backend.passwords == {}
        await type_key(pilot, app, DEMO_API_KEY)
    assert app.return_value is not None and app.return_value.key is not None
    assert backend.passwords == {("together-tui", "default"): DEMO_API_KEY}


async def test_an_empty_key_is_refused_inline_without_a_request(sim_server: SimulatorServer, tmp_path: Path) -> None:
    app = first_run(sim_server, make_store(tmp_path))
    async with app.run_test() as pilot:
        await pilot.pause()
        await type_key(pilot, app, "   ")
        assert "empty" in str(app.query_one("#key-message").render()).lower()
    assert sim_server.sim.request_log == []


async def test_the_demo_can_be_chosen_instead(sim_server: SimulatorServer, tmp_path: Path) -> None:
    app = first_run(sim_server, make_store(tmp_path))
    async with app.run_test() as pilot:
        await pilot.pause()
        await pilot.press("ctrl+d")
    assert app.return_value == FirstRunResult(demo=True)


async def test_without_a_keyring_it_says_so_and_stores_in_a_file_only_when_asked(
    sim_server: SimulatorServer, tmp_path: Path
) -> None:
    store = make_store(tmp_path, fail.Keyring())
    app = first_run(sim_server, store)
    async with app.run_test() as pilot:
        await settle(pilot)
        await pilot.pause()
        warning = str(app.query_one("#keyring-warning").render())
        assert "No working OS keyring" in warning and "TOGETHER_API_KEY" in warning
        checkbox = app.query_one("#file-store")
        assert checkbox.display and not checkbox.value  # type: ignore[attr-defined]
        checkbox.value = True  # type: ignore[attr-defined]
        await type_key(pilot, app, DEMO_API_KEY)
    assert app.return_value is not None and "credentials.toml" in app.return_value.stored_in
    assert store.file.get("default") is not None
    assert stat.S_IMODE(store.file.path.stat().st_mode) == 0o600


async def test_without_a_keyring_and_no_opt_in_the_key_is_for_this_session_only(
    sim_server: SimulatorServer, tmp_path: Path
) -> None:
    store = make_store(tmp_path, fail.Keyring())
    app = first_run(sim_server, store)
    async with app.run_test() as pilot:
        await settle(pilot)
        await pilot.pause()
        await type_key(pilot, app, DEMO_API_KEY)
    assert app.return_value is not None and app.return_value.stored_in == "this session only"
    assert not store.file.exists()


@pytest.mark.parametrize("size", [(80, 24), (120, 36)])
def test_first_run_snapshot(snap_compare, size: tuple[int, int]) -> None:
    # Fixed URL and (never written) path: the screen shows both, and a temp path or port changes every run.
    app = FirstRunApp(base_url="https://api.together.ai/v1", profile="default",
                      store=make_store(Path("/nonexistent/config")))

    async def run_before(pilot: object) -> None:
        await settle(pilot)
        app.query_one("#key").cursor_blink = False  # type: ignore[attr-defined]
        await pilot.press(*"secret-key-never-shown")  # type: ignore[attr-defined]

    assert snap_compare(app, terminal_size=size, run_before=run_before)
