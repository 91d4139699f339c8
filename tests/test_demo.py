"""Demo mode: the in-process simulator really streams, and the CLI starts the demo without a key."""

from __future__ import annotations

import itertools
import time
from pathlib import Path

import pytest

from tui.api import ChatMessage, ChatParams, Phase
from tui.core.app_config import AppConfig
from tui.demo import start_demo_backend
from tui.simulator import SimulatorServer


async def test_the_demo_backend_streams_token_by_token() -> None:
    backend = start_demo_backend(tokens_per_second=50.0)
    try:
        provider = backend.provider
        running = next(e for e in await provider.list_endpoints() if e.phase is Phase.READY)
        arrivals: list[float] = []
        async for event in provider.stream_chat(
            running.name, [ChatMessage("user", "hello")], ChatParams(max_tokens=40)
        ):
            if event.content or event.reasoning:
                arrivals.append(time.perf_counter())
        await provider.aclose()
    finally:
        backend.stop()
    assert len(arrivals) >= 20
    # Buffered (as through httpx.ASGITransport) every token would land within a few milliseconds of the
    # first; streamed at 50 tokens/s, they spread over (n - 1) / 50 seconds. Half of that is a generous bar.
    spread = arrivals[-1] - arrivals[0]
    assert spread > 0.5 * (len(arrivals) - 1) / 50.0
    gaps = [b - a for a, b in itertools.pairwise(arrivals)]
    assert sum(gap > 0.005 for gap in gaps) > len(gaps) / 2, "tokens arrived in bursts, not one by one"


def test_the_cli_help_and_version(capsys: pytest.CaptureFixture[str]) -> None:
    from tui.cli import main

    with pytest.raises(SystemExit) as caught:
        main(["--version"])
    assert caught.value.code == 0
    with pytest.raises(SystemExit):
        main(["--help"])
    out = capsys.readouterr().out
    assert "--demo" in out and "simulate" in out and "auth" in out


class Captured:
    def __init__(self) -> None:
        self.configs: list[AppConfig] = []
        self.providers: list[object] = []


def capture_app_runs(monkeypatch: pytest.MonkeyPatch) -> Captured:
    from tui.app.app import TogetherApp

    captured = Captured()

    async def run_async(app: TogetherApp, *args: object, **kwargs: object) -> None:
        # What the CLI awaits: the app as built, never run on the terminal.
        captured.configs.append(app.config)
        captured.providers.append(app.provider)

    monkeypatch.setattr(TogetherApp, "run_async", run_async)
    return captured


def test_a_key_in_the_environment_runs_against_the_given_api(
    monkeypatch: pytest.MonkeyPatch, sim_server: SimulatorServer
) -> None:
    from tui.cli import main

    captured = capture_app_runs(monkeypatch)
    monkeypatch.setenv("TOGETHER_API_KEY", "sim-demo-key")
    assert main(["--base-url", sim_server.base_url, "--read-only", "--refresh", "5"]) == 0
    [config] = captured.configs
    assert (config.demo, config.read_only, config.refresh_interval) == (False, True, 5)
    assert config.base_url == sim_server.base_url


def test_no_key_shows_the_first_run_screen_and_can_start_the_demo(monkeypatch: pytest.MonkeyPatch) -> None:
    from tui.app.first_run import FirstRunApp, FirstRunResult
    from tui.cli import main

    captured = capture_app_runs(monkeypatch)
    monkeypatch.setattr(FirstRunApp, "run", lambda self, *a, **k: FirstRunResult(demo=True))
    assert main([]) == 0
    [config] = captured.configs
    assert config.demo and config.base_url.startswith("http://127.0.0.1:")


def test_quitting_the_first_run_screen_quits(monkeypatch: pytest.MonkeyPatch) -> None:
    from tui.app.first_run import FirstRunApp
    from tui.cli import main

    captured = capture_app_runs(monkeypatch)
    monkeypatch.setattr(FirstRunApp, "run", lambda self, *a, **k: None)
    assert main([]) == 0 and captured.configs == []


def test_an_insecure_base_url_is_refused_before_anything_runs(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from tui.cli import main

    captured = capture_app_runs(monkeypatch)
    monkeypatch.setenv("TOGETHER_API_KEY", "k")
    assert main(["--base-url", "http://api.together.ai/v1"]) == 2
    assert "plain http" in capsys.readouterr().err and captured.configs == []


def test_the_profile_names_the_provider_and_its_prices_reach_the_app(
    monkeypatch: pytest.MonkeyPatch, sim_server: SimulatorServer, tmp_path: Path
) -> None:
    from tui.cli import main

    settings = tmp_path / "settings.toml"
    settings.write_text('[profiles.work]\nprovider = "together"\n[prices.together]\n"h100-80gb" = 2.5\n')
    monkeypatch.setenv("TOGETHER_TUI_CONFIG", str(settings))
    monkeypatch.setenv("TOGETHER_API_KEY", "sim-demo-key")
    captured = capture_app_runs(monkeypatch)
    assert main(["--profile", "work", "--base-url", sim_server.base_url]) == 0
    [config] = captured.configs
    assert (config.profile, config.provider, config.provider_label) == ("work", "together", "Together")
    assert config.prices == {"h100-80gb": 2.5} and config.settings_problems == ()


def test_a_profile_with_an_unknown_provider_is_refused_before_any_key_is_read(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    from tui.cli import main

    settings = tmp_path / "settings.toml"
    settings.write_text('[profiles.work]\nprovider = "togther"\n')
    monkeypatch.setenv("TOGETHER_TUI_CONFIG", str(settings))
    monkeypatch.setenv("TOGETHER_API_KEY", "k")
    captured = capture_app_runs(monkeypatch)
    assert main(["--profile", "work"]) == 2
    assert "profile 'work': unknown provider 'togther' (did you mean 'together'?)" in capsys.readouterr().err
    assert captured.configs == []


def test_the_demo_builds_the_registrys_together_provider_on_the_matching_simulator() -> None:
    from tui.api.registry import TOGETHER_API_DEFAULT
    from tui.api.together.combined import TogetherProvider
    from tui.api.together.provider import TogetherV1Provider

    backend = start_demo_backend()
    try:
        expected = TogetherV1Provider if TOGETHER_API_DEFAULT == "v1" else TogetherProvider
        assert type(backend.provider) is expected
        # v1 screens need the v1 account as it was (create and start work); v2 needs Together as it is.
        assert backend.simulator.config.legacy_v1 is (TOGETHER_API_DEFAULT == "v1")
        assert backend.provider.base_url.startswith("http://127.0.0.1:")
    finally:
        backend.stop()


async def test_the_nebius_demo_serves_its_account_and_chats_by_routing_key() -> None:
    from tui.api.nebius import NebiusProvider

    backend = start_demo_backend(kind="nebius", tokens_per_second=0.0, prices={"h100": 2.95})
    try:
        provider = backend.provider
        assert isinstance(provider, NebiusProvider) and backend.kind == "nebius"
        assert provider.base_url == backend.server.root_url and provider.base_url.startswith("http://127.0.0.1:")
        endpoints = await provider.list_endpoints()
        running = next(e for e in endpoints if e.phase is Phase.READY)
        events = [e async for e in provider.stream_chat(running.inference_model, [ChatMessage("user", "hi")])]
        assert "".join(e.content for e in events).strip()
        rows = await provider.list_hardware()
        h100 = [r for r in rows if "xgpu-h100-sxm@" in r.id]
        assert {r.gpu_type for r in h100} == {"h100"} and {r.gpu_link for r in h100} == {"sxm"}
        assert h100 and all(r.price_per_hour == 2.95 * (r.gpu_count or 0) and not r.price_from_api for r in h100)
        assert all(r.price_per_hour is None for r in rows if "xgpu-b300-sxm@" in r.id)
        await provider.aclose()
    finally:
        backend.stop()


def test_demo_with_provider_nebius_runs_the_app_on_the_nebius_simulator_with_the_users_prices(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from tui.api.nebius import NebiusProvider
    from tui.cli import main

    settings = tmp_path / "settings.toml"
    settings.write_text('[prices.nebius]\nh100 = 2.95\n')
    monkeypatch.setenv("TOGETHER_TUI_CONFIG", str(settings))
    monkeypatch.delenv("NEBIUS_TOKEN_FACTORY_API_KEY", raising=False)
    captured = capture_app_runs(monkeypatch)
    assert main(["--demo", "--provider", "nebius"]) == 0
    [config] = captured.configs
    assert (config.demo, config.provider, config.provider_label) == (True, "nebius", "Nebius Token Factory")
    assert config.base_url.startswith("http://127.0.0.1:") and not config.base_url.endswith("/v1")
    assert config.prices == {"h100": 2.95}
    [provider] = captured.providers
    assert isinstance(provider, NebiusProvider) and provider.prices == {"h100": 2.95}


def test_the_plain_demo_is_still_together(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from tui.cli import main

    settings = tmp_path / "settings.toml"
    settings.write_text('default_profile = "nb"\n[profiles.nb]\nprovider = "nebius"\n')
    monkeypatch.setenv("TOGETHER_TUI_CONFIG", str(settings))
    captured = capture_app_runs(monkeypatch)
    assert main(["--demo"]) == 0
    [config] = captured.configs
    assert (config.provider, config.provider_label, config.profile) == ("together", "Together", "nb")
    # Together as it is today: v2 and the legacy v1 endpoints, from the simulator's root on loopback.
    assert config.base_url.startswith("http://127.0.0.1:") and not config.base_url.endswith("/v1")


def test_a_demo_chosen_on_the_first_run_screen_of_a_nebius_profile_is_nebius(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from tui.app.first_run import FirstRunApp, FirstRunResult
    from tui.cli import main

    settings = tmp_path / "settings.toml"
    settings.write_text('[profiles.nb]\nprovider = "nebius"\n')
    monkeypatch.setenv("TOGETHER_TUI_CONFIG", str(settings))
    monkeypatch.delenv("NEBIUS_TOKEN_FACTORY_API_KEY", raising=False)
    monkeypatch.setattr(FirstRunApp, "run", lambda self, *a, **k: FirstRunResult(demo=True))
    captured = capture_app_runs(monkeypatch)
    assert main(["--profile", "nb"]) == 0
    [config] = captured.configs
    assert (config.demo, config.provider) == (True, "nebius")


def test_provider_without_demo_never_sends_a_profiles_key_elsewhere(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from tui.cli import main

    monkeypatch.setenv("TOGETHER_API_KEY", "k")
    captured = capture_app_runs(monkeypatch)
    assert main(["--provider", "nebius"]) == 2
    assert "--provider chooses the demo's simulator" in capsys.readouterr().err and captured.configs == []
