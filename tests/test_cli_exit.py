"""The CLI's contract with the shell: a crash exits non-zero without printing the key; bad flags are refused."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from textual.app import App, ComposeResult

from tui.app.app import TogetherApp
from tui.simulator import SimulatorServer

SECRET = "tgp_v1_" + "Cr4shKeyMustNotPrint0123456789ab"


@pytest.mark.parametrize("value", ["0", "-5", "nan", "inf", "-inf", "0.5", "99999", "soon"])
def test_refresh_must_be_a_sane_positive_interval(value: str, capsys: pytest.CaptureFixture[str]) -> None:
    from tui.cli import main

    with pytest.raises(SystemExit) as caught:
        main(["--refresh", value])
    assert caught.value.code == 2
    assert "--refresh" in capsys.readouterr().err


def recording(configs: list[Any]) -> Any:
    """A stand-in for the app's run (the CLI awaits ``run_async``): what it was given, no terminal."""
    async def run_async(self: TogetherApp, *args: object, **kwargs: object) -> None:
        configs.append(self.config)

    return run_async


def test_a_crash_exits_non_zero_and_its_report_holds_no_key(
    monkeypatch: pytest.MonkeyPatch, sim_server: SimulatorServer, capsys: pytest.CaptureFixture[str]
) -> None:
    from tui.cli import main

    def crash(self: TogetherApp) -> ComposeResult:
        # What httpcore's frames hold while a request is in flight.
        headers = [(b"Authorization", b"Bearer " + SECRET.encode())]  # noqa: F841 - the local is the point
        raise RuntimeError("boom while composing")

    async def run_headless(self: TogetherApp, *args: object, **kwargs: object) -> None:
        await App.run_async(self, headless=True)

    monkeypatch.setattr(TogetherApp, "compose", crash)
    monkeypatch.setattr(TogetherApp, "run_async", run_headless)
    monkeypatch.setenv("TOGETHER_API_KEY", SECRET)
    code = main(["--base-url", sim_server.base_url])
    captured = capsys.readouterr()
    assert code == 1
    assert "boom while composing" in captured.out + captured.err
    assert SECRET not in captured.out + captured.err


def test_confirm_start_comes_from_the_settings_and_the_flag(
    monkeypatch: pytest.MonkeyPatch, sim_server: SimulatorServer, tmp_path: Path
) -> None:
    from tui.cli import main

    configs = []
    monkeypatch.setattr(TogetherApp, "run_async", recording(configs))
    monkeypatch.setenv("TOGETHER_API_KEY", "sim-demo-key")
    settings = tmp_path / "settings.toml"
    settings.write_text("confirm_start = false\n")
    monkeypatch.setenv("TOGETHER_TUI_CONFIG", str(settings))
    assert main(["--base-url", sim_server.base_url]) == 0
    settings.write_text("")
    assert main(["--base-url", sim_server.base_url]) == 0
    assert main(["--base-url", sim_server.base_url, "--no-confirm-start"]) == 0
    assert [config.confirm_start for config in configs] == [False, True, False]


def test_an_unknown_theme_in_the_settings_reaches_the_app_as_a_problem(
    monkeypatch: pytest.MonkeyPatch, sim_server: SimulatorServer, tmp_path: Path
) -> None:
    from tui.cli import main

    configs = []
    monkeypatch.setattr(TogetherApp, "run_async", recording(configs))
    monkeypatch.setenv("TOGETHER_API_KEY", "sim-demo-key")
    settings = tmp_path / "settings.toml"
    settings.write_text('theme = "nordd"\n')
    monkeypatch.setenv("TOGETHER_TUI_CONFIG", str(settings))
    assert main(["--base-url", sim_server.base_url]) == 0
    (config,) = configs
    assert config.theme == "textual-dark"
    assert any("unknown theme 'nordd' (did you mean 'nord'?)" in problem for problem in config.settings_problems)


def test_ctrl_c_while_the_app_loads_exits_130_without_a_traceback(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import tui.cli

    def interrupted(args: object) -> int:
        raise KeyboardInterrupt

    monkeypatch.setattr(tui.cli, "run_app", interrupted)
    assert tui.cli.main([]) == 130
    captured = capsys.readouterr()
    assert captured.err == "together-tui: interrupted\n" and captured.out == ""
