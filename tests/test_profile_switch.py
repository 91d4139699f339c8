"""Palette "Switch profile": from a Together account to a Nebius one and back without restarting, by keys."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from time import monotonic
from typing import Any

import pytest
from textual.command import CommandList, CommandPalette

from tests.apptools import make_app, settle
from tests.nebius_tools import SIM_KEY, start_nebius  # noqa: F401 (fixture)
from tui.api.nebius import NebiusProvider
from tui.app.app import STORE_WORKER_GROUP
from tui.app.panes.endpoints import EndpointsPane
from tui.app.profile_switch import profile_choices
from tui.keys.secret import ApiKey
from tui.keys.store import default_store
from tui.settings import load_settings
from tui.simulator import SimulatorServer
from tui.simulator.nebius.app import NebiusSimulator

NEBIUS_KEY = "nb-switch-key-0123456789"


@pytest.fixture
def nebius(start_nebius: Callable[..., SimulatorServer[NebiusSimulator]]) -> SimulatorServer[NebiusSimulator]:  # noqa: F811
    return start_nebius(speed=20.0, api_key=NEBIUS_KEY)


@pytest.fixture
def settings_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, sim_server: SimulatorServer, nebius: SimulatorServer
) -> Path:
    path = tmp_path / "settings.toml"
    path.write_text(
        'default_profile = "work"\n'
        f'[profiles.work]\nprovider = "together"\nbase_url = "{sim_server.base_url}"\ntogether_api = "v1"\n'
        f'[profiles.nb]\nprovider = "nebius"\nbase_url = "{nebius.root_url}"\n'
        '[profiles.nokey]\nprovider = "nebius"\napi_key_env = "NO_SUCH_KEY_VARIABLE"\n'
        '[profiles.typo]\nprovider = "nebuis"\n'
        '[prices.nebius]\nh100 = 2.95\n'
    )
    monkeypatch.setenv("TOGETHER_TUI_CONFIG", str(path))
    monkeypatch.setenv("TOGETHER_API_KEY", SIM_KEY)
    monkeypatch.delenv("NEBIUS_TOKEN_FACTORY_API_KEY", raising=False)
    monkeypatch.delenv("NO_SUCH_KEY_VARIABLE", raising=False)
    # The Nebius key lives in the (test's in-memory) OS keyring under its profile, as `auth login` puts it.
    default_store().keyring.set("nb", ApiKey(NEBIUS_KEY))
    return path


async def first_hit_is(pilot: Any, title: str) -> None:
    """Wait until the palette's search has put ``title`` first (the search runs in the background)."""
    palette = pilot.app.screen
    assert isinstance(palette, CommandPalette)
    deadline = monotonic() + 15
    while True:
        hits = palette.query_one(CommandList)
        first = hits.get_option_at_index(0).prompt if hits.option_count else None
        if first is not None and getattr(first, "plain", str(first)).startswith(title):
            return
        assert monotonic() < deadline, f"the palette never offered {title!r} first"
        await pilot.pause(0.05)


async def choose_profile(pilot: Any, name: str) -> None:
    """ctrl+p, "Switch profile", enter, then the profile's name and enter: as a user does it."""
    await pilot.press("ctrl+p")
    await settle(pilot)
    await pilot.press(*"switch profile")
    await first_hit_is(pilot, "Switch profile")
    await pilot.press("enter")
    await settle(pilot)
    assert isinstance(pilot.app.screen, CommandPalette), "the profiles' palette is open"
    await pilot.press(*name)
    await first_hit_is(pilot, name)
    await pilot.press("enter")
    await settle(pilot)


def notices(app: object) -> list[str]:
    return [str(n.message) for n in app._notifications]  # type: ignore[attr-defined]


def titles(app: object) -> set[str]:
    return {e.title for e in app.context.store.endpoints.values()}  # type: ignore[attr-defined]


async def test_switching_to_a_nebius_profile_and_back_replaces_the_account(
    settings_file: Path, sim_server: SimulatorServer, nebius: SimulatorServer[NebiusSimulator]
) -> None:
    app = make_app(sim_server, demo=False, profile="work")
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        together_titles = titles(app)
        first_provider, first_store = app.provider, app.context.store
        assert together_titles and app.config.provider == "together"

        await choose_profile(pilot, "nb")
        assert isinstance(app.provider, NebiusProvider) and app.provider is not first_provider
        assert (app.config.profile, app.config.provider, app.config.provider_label) == (
            "nb", "nebius", "Nebius Token Factory",
        )
        assert app.config.base_url == nebius.root_url and app.config.prices == {"h100": 2.95}
        assert app.provider.prices == {"h100": 2.95}
        assert app.context.store is not first_store
        # One poll loop, the new account's: the old one was cancelled, not left polling Together.
        assert len([w for w in app.workers if w.group == STORE_WORKER_GROUP and w.is_running]) == 1
        assert titles(app) == {"support-bot", "batch-summaries", "deepseek-eval"}
        # The panes are the new account's: the table lists Nebius's endpoints, the header names the profile.
        table_text = app.export_screenshot()
        assert "support-bot" in table_text and "nb" in table_text
        assert app.query_one(EndpointsPane).context is app.context
        # The key is never shown, only where it came from.
        said = notices(app)
        assert any("Now on profile nb: Nebius Token Factory" in n and "keyring" in n for n in said)
        assert not any(NEBIUS_KEY in n or NEBIUS_KEY[-8:] in n for n in said)
        assert nebius.sim.requests("GET", "/v0/dedicated_endpoints")

        await choose_profile(pilot, "work")
        assert (app.config.profile, app.config.provider) == ("work", "together")
        assert titles(app) == together_titles


async def test_a_profile_without_a_key_or_with_an_unknown_provider_leaves_the_account_as_it_was(
    settings_file: Path, sim_server: SimulatorServer
) -> None:
    app = make_app(sim_server, demo=False, profile="work")
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        provider, context = app.provider, app.context
        await choose_profile(pilot, "nokey")
        await choose_profile(pilot, "typo")
        assert app.provider is provider and app.context is context and app.config.profile == "work"
        said = notices(app)
        assert any("Profile 'nokey' (Nebius Token Factory) has no API key" in n and "NO_SUCH_KEY_VARIABLE" in n
                   and "Still on profile work" in n for n in said)
        assert any("unknown provider 'nebuis' (did you mean 'nebius'?)" in n for n in said)


async def test_a_refused_key_is_said_and_nothing_is_switched(
    settings_file: Path, sim_server: SimulatorServer
) -> None:
    default_store().keyring.set("nb", ApiKey("nb-wrong-key-000000000000"))
    app = make_app(sim_server, demo=False, profile="work")
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        provider = app.provider
        await choose_profile(pilot, "nb")
        assert app.provider is provider and app.config.provider == "together"
        said = notices(app)
        assert any(n.startswith("Profile nb: authentication failed") and "Still on profile work" in n for n in said)
        assert not any("nb-wrong-key" in n for n in said)


def test_the_choices_are_every_profile_with_its_provider_the_current_first(settings_file: Path) -> None:
    from tui.core.app_config import AppConfig

    settings = load_settings(settings_file).settings
    choices = profile_choices(settings, AppConfig(profile="work"))
    assert [(c.name, c.label, c.current) for c in choices] == [
        ("work", "Together", True), ("nb", "Nebius Token Factory", False),
        ("nokey", "Nebius Token Factory", False), ("typo", "unknown provider", False),
        ("default", "Together", False),
    ]
    assert choices[3].problem is not None and "did you mean 'nebius'" in choices[3].problem
