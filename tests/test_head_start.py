"""The head start (``tui.head_start``): a forked child's first list and prices, and the stand-in provider the
app starts on (``tui.api.deferred``) until its own provider is built."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest
from fakes import FakeProvider, endpoint

from tui.api.deferred import DeferredProvider, Description
from tui.api.provider import DeployingProvider, Provider
from tui.api.registry import ProviderOptions, build_provider
from tui.core.events_feed import EventSource
from tui.core.metrics import AnalyticsSource
from tui.head_start import READS, eligible
from tui.keys.secret import ApiKey
from tui.simulator import DEMO_API_KEY, SimulatorServer

ROOT = Path(__file__).resolve().parents[1]


def described(provider: Any) -> Description:
    """What the child sends of ``provider`` (tui.head_start._provider_facts)."""
    from tui.head_start import _provider_facts

    facts = _provider_facts(provider)
    return Description(facts.label, facts.capabilities, facts.coroutines, facts.streams, facts.others)


def stand_in(real: Any, *, reads: dict[str, tuple[bool, Any]] | None = None,
             builds: list[Any] | None = None) -> DeferredProvider:
    built = builds if builds is not None else []

    def build() -> Any:
        built.append(real)
        return real

    def waiting(answer: tuple[bool, Any]) -> Any:
        async def read() -> tuple[bool, Any]:
            return answer

        return read

    ahead = {name: (READS[name], waiting(answer)) for name, answer in (reads or {}).items()}
    return DeferredProvider(base_url="http://127.0.0.1:1/v1", described=lambda: described(real), build=build,
                            read_ahead=ahead)


async def test_the_first_list_is_the_one_read_ahead_and_the_next_is_asked_for() -> None:
    real = FakeProvider.with_endpoints(endpoint("ep-now"))
    ahead = [endpoint("ep-read-ahead")]
    builds: list[Any] = []
    provider = stand_in(real, reads={"list_endpoints": (True, ahead)}, builds=builds)

    assert await provider.list_endpoints(include_serverless=False) == ahead
    assert builds == [] and not provider.built, "a read made ahead needs no provider"
    again = await provider.list_endpoints(include_serverless=False)
    assert [item.id for item in again] == ["ep-now"] and builds == [real]
    assert provider.built


async def test_a_read_that_failed_ahead_or_other_arguments_are_asked_of_the_real_provider() -> None:
    real = FakeProvider.with_endpoints(endpoint("ep-now"))
    provider = stand_in(real, reads={"list_endpoints": (False, None)})
    assert [item.id for item in await provider.list_endpoints(include_serverless=False)] == ["ep-now"]

    other = stand_in(real, reads={"list_endpoints": (True, [endpoint("ep-read-ahead")])})
    listed = await other.list_endpoints(include_serverless=True)  # not what was read ahead
    assert [item.id for item in listed] == ["ep-now"]


async def test_the_stand_in_answers_as_the_real_provider_would(sim_server: SimulatorServer) -> None:
    real = build_provider("together", ApiKey(DEMO_API_KEY), sim_server.base_url, ProviderOptions())
    try:
        builds: list[Any] = []
        provider = stand_in(real, builds=builds)
        assert provider.label == real.label and provider.capabilities == real.capabilities
        for protocol in (Provider, DeployingProvider, EventSource, AnalyticsSource):
            assert isinstance(provider, protocol) == isinstance(real, protocol), protocol
        assert builds == [], "described, not built"
        assert not hasattr(provider, "no_such_method")
        # A coroutine is awaited on the real provider once it is built (on a thread).
        listed = await provider.list_endpoints()
        assert {item.id for item in listed} == {item.id for item in await real.list_endpoints()}
        assert builds == [real]
        # Once built, every attribute is the real one's.
        assert provider.v1 is real.v1
    finally:
        await real.aclose()


async def test_a_plain_attribute_or_a_stream_before_the_build_builds_the_provider() -> None:
    real = FakeProvider.with_endpoints(endpoint("ep-0"))
    real.note = "plain"  # type: ignore[attr-defined]
    builds: list[Any] = []
    provider = stand_in(real, builds=builds)
    assert provider.note == "plain" and builds == [real]

    streaming = stand_in(FakeProvider.with_endpoints(endpoint("ep-0")))
    from tui.api.domain import ChatMessage

    events = [event async for event in streaming.stream_chat("model", [ChatMessage("user", "hi")])]
    assert events, "the stream is the real provider's"


async def test_closing_a_stand_in_never_built_builds_nothing() -> None:
    builds: list[Any] = []
    provider = stand_in(FakeProvider.with_endpoints(), builds=builds)
    await provider.aclose()
    assert builds == []

    real = FakeProvider.with_endpoints(endpoint("ep-0"))
    closed: list[bool] = []

    async def aclose() -> None:
        closed.append(True)

    real.aclose = aclose  # type: ignore[method-assign]
    built = stand_in(real)
    await built.get_endpoint("ep-0")
    await built.aclose()
    assert closed == [True]


async def test_a_description_that_never_came_is_the_real_provider_s_own() -> None:
    real = FakeProvider.with_endpoints(endpoint("ep-0"))
    provider = DeferredProvider(base_url="http://127.0.0.1:1/v1", described=lambda: None, build=lambda: real)
    assert provider.label == real.label
    assert [item.id for item in await provider.list_endpoints()] == ["ep-0"]


@pytest.mark.parametrize(("argv", "environ", "expected"), [
    ([], {}, True),
    (["--read-only", "--refresh", "5"], {}, True),
    (["--demo"], {}, False),
    (["simulate"], {}, False),
    (["auth", "login"], {}, False),
    (["--help"], {}, False),
    (["--version"], {}, False),
    ([], {"TOGETHER_TUI_HEAD_START": "0"}, False),
])
def test_only_the_app_s_own_start_has_a_head_start(argv: list[str], environ: dict[str, str],
                                                    expected: bool) -> None:
    assert eligible(argv, environ) is (expected and sys.platform.startswith("linux") and (os.cpu_count() or 1) > 1)


CHILD = textwrap.dedent("""
    import asyncio, json, sys
    from tui import head_start
    from tui.launch import parse
    head_start.early(sys.argv[1:], parse)
    from tui.cli import parse_args
    args = parse_args(sys.argv[1:])
    begun = head_start.take(args)
    if begun is None:
        print(json.dumps({"begun": False}))
        raise SystemExit
    facts = begun.facts(timeout=60)
    if facts is None:
        print(json.dumps({"begun": True, "facts": None}))
        raise SystemExit
    async def reads():
        return {name: await begun.read(name) for name in head_start.READS}
    answers = asyncio.run(reads())
    provider = begun.provider_facts()
    config = facts.checked({"textual-dark", "nord"})
    print(json.dumps({
        "begun": True, "kind": facts.kind, "base_url": facts.base_url, "theme": config.theme,
        "problems": list(config.settings_problems), "label": provider.label,
        "list": sorted(item.id for item in answers["list_endpoints"][1]) if answers["list_endpoints"][0] else None,
        "hardware": answers["list_hardware"][0],
    }))
""")


def run_child(sim: SimulatorServer, tmp_path: Path, *argv: str, key: bool = True, settings: str = "") -> dict[str, Any]:
    config = tmp_path / "settings.toml"
    config.write_text(settings)
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(tmp_path), "PYTHONPATH": str(ROOT),
        "XDG_CONFIG_HOME": str(tmp_path / "config"), "XDG_DATA_HOME": str(tmp_path / "data"),
        "TOGETHER_TUI_CONFIG": str(config), "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring",
        "TOGETHER_BASE_URL": sim.base_url, "TOGETHER_INFERENCE_URL": sim.base_url.removesuffix("/v1"),
    }
    if key:
        env["TOGETHER_API_KEY"] = DEMO_API_KEY
    done = subprocess.run([sys.executable, "-c", CHILD, *argv], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.skipif(not eligible([], {}), reason="the head start is for Linux with two cores or more")
async def test_the_child_reads_the_account_s_first_list_and_prices(sim_server: SimulatorServer,
                                                                    tmp_path: Path) -> None:
    answer = await asyncio.to_thread(run_child, sim_server, tmp_path, settings='theme = "no-such-theme"\n')
    real = build_provider("together", ApiKey(DEMO_API_KEY), sim_server.base_url, ProviderOptions())
    try:
        expected = sorted(item.id for item in await real.list_endpoints(include_serverless=False))
    finally:
        await real.aclose()
    assert answer["begun"] and answer["kind"] == "together" and answer["base_url"] == sim_server.base_url
    assert answer["list"] == expected and answer["hardware"] is True
    assert answer["label"] == real.label
    # The theme is checked by the app's process, as a start without a head start checks it.
    assert answer["theme"] == "textual-dark"
    assert any("unknown theme 'no-such-theme'" in problem for problem in answer["problems"])


@pytest.mark.skipif(not eligible([], {}), reason="the head start is for Linux with two cores or more")
async def test_without_a_key_the_child_says_nothing_and_the_app_starts_on_its_own(
        sim_server: SimulatorServer, tmp_path: Path) -> None:
    answer = await asyncio.to_thread(run_child, sim_server, tmp_path, key=False)
    assert answer == {"begun": True, "facts": None}
    demo = await asyncio.to_thread(run_child, sim_server, tmp_path, "--demo")
    assert demo == {"begun": False}


def test_the_app_s_process_loads_the_app_without_pydantic_or_httpx() -> None:
    """What the head start is for: the app's own process reaches its first frame without the settings'
    models, pydantic, httpx or the wire models (the child loads them); a module of the app's start that
    imported one of them would cost that back."""
    script = ("import sys; import tui.launch, tui.head_start, tui.api.deferred, tui.app.app, tui.core.account; "
              "print(sorted(m for m in ('pydantic', 'httpx', 'tui.settings', 'tui.api.together.models') "
              "if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", script], env={**os.environ, "PYTHONPATH": str(ROOT)},
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
