"""The provider registry: one table of control planes, and what a profile's settings make of it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from keyring_memory import MemoryKeyring
from stand_in_api import StandInApi

from tui.api.provider import Provider
from tui.api.registry import (
    PROVIDERS,
    TOGETHER_BASE_URL,
    ProviderKind,
    ProviderOptions,
    UnknownProviderError,
    build_provider,
    entry_for,
    kinds,
    unknown_provider_problem,
)
from tui.api.together.combined import TogetherProvider
from tui.api.together.provider import TogetherV1Provider
from tui.api.urls import InsecureBaseURLError
from tui.keys.resolve import default_env_for, options_for, provider_for, resolve_api_key, resolve_base_url
from tui.keys.store import FileStore, KeyringStore, KeyStore
from tui.settings import Profile, Settings

KEY = "tgp_v1_registry-test-key-0123456789"


def test_together_is_registered_with_its_own_defaults() -> None:
    together = entry_for("together")
    assert "together" in kinds()
    assert (together.default_base_url, together.key_env_var, together.base_url_env_var) == (
        TOGETHER_BASE_URL,
        "TOGETHER_API_KEY",
        "TOGETHER_BASE_URL",
    )


def test_an_unknown_kind_is_refused_with_the_nearest_one() -> None:
    assert unknown_provider_problem("together") is None
    assert unknown_provider_problem("Togther") == "unknown provider 'Togther' (did you mean 'together'?)"
    with pytest.raises(UnknownProviderError, match="did you mean 'together'"):
        build_provider("togehter", KEY)


async def test_together_builds_v2_beside_v1_unless_the_profile_asks_for_v1_only() -> None:
    v2 = build_provider("together", KEY, options=ProviderOptions(environ={}))
    assert type(v2) is TogetherProvider and v2.base_url == "https://api.together.ai"
    v1 = build_provider("together", KEY, options=ProviderOptions(environ={}, settings={"together_api": "v1"}))
    assert type(v1) is TogetherV1Provider and v1.base_url == TOGETHER_BASE_URL
    for provider in (v1, v2):
        assert isinstance(provider, Provider)
        await provider.aclose()
    with pytest.raises(ValueError, match="together_api must be 'v1' or 'v2'"):
        build_provider("together", KEY, options=ProviderOptions(settings={"together_api": "v3"}))


def test_an_insecure_base_url_is_refused_before_a_provider_exists() -> None:
    with pytest.raises(InsecureBaseURLError):
        build_provider("together", KEY, "http://api.together.ai/v1")


async def test_the_options_reach_the_provider_the_transport_and_deadline_included() -> None:
    api = StandInApi(200)
    provider = build_provider(
        "together", KEY,
        options=ProviderOptions(transport=api.transport, read_deadline=3.0, settings={"together_api": "v1"}),
    )
    assert isinstance(provider, TogetherV1Provider)
    await provider.check_access()
    assert [r.url.path for r in api.requests] == ["/v1/endpoints"]
    assert provider.client.session.read_deadline == 3.0
    await provider.aclose()


# A second kind, registered for the test as the Nebius entry will be: what a profile of it resolves to.


@pytest.fixture
def other_kind(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str, ProviderOptions]]:
    built: list[tuple[str, str, ProviderOptions]] = []

    def factory(key: Any, base_url: str, options: ProviderOptions) -> Any:
        built.append((str(key), base_url, options))
        return object()

    entry = ProviderKind("other", "Other Cloud", "https://api.other.example/v0", "OTHER_API_KEY", factory)
    monkeypatch.setitem(PROVIDERS, "other", entry)
    return built


SETTINGS = Settings(
    profiles={"neb": Profile(provider="other"), "tog": Profile(together_api="v2")},
    prices={"other": {"gpu-h100-sxm": 2.95}, "together": {"h100-80gb": 4.0}},
)


def test_a_profile_of_another_kind_gets_that_kinds_defaults(other_kind: list[Any]) -> None:
    assert provider_for("neb", SETTINGS).kind == "other"
    assert default_env_for("neb", SETTINGS) == "OTHER_API_KEY"
    assert default_env_for("tog", SETTINGS) == "TOGETHER_API_KEY"
    assert default_env_for("unlisted", SETTINGS) == "TOGETHER_API_KEY"
    assert resolve_base_url("neb", settings=SETTINGS, environ={}) == ("https://api.other.example/v0", "default")


def test_together_base_url_from_the_environment_never_redirects_another_kinds_key(other_kind: list[Any]) -> None:
    environ = {"TOGETHER_BASE_URL": "https://proxy.example/v1"}
    assert resolve_base_url("neb", settings=SETTINGS, environ=environ)[0] == "https://api.other.example/v0"
    assert resolve_base_url("tog", settings=SETTINGS, environ=environ)[0] == "https://proxy.example/v1"


def test_a_profiles_key_comes_from_its_kinds_variable(other_kind: list[Any], tmp_path: Path) -> None:
    environ = {"TOGETHER_API_KEY": KEY, "OTHER_API_KEY": "other-key-0123456789abcdef"}
    store = KeyStore(KeyringStore(backend=MemoryKeyring()), FileStore(tmp_path / "credentials.toml"))
    found = resolve_api_key("neb", environ=environ, store=store, default_env=default_env_for("neb", SETTINGS))
    assert found is not None and found.source == "environment variable OTHER_API_KEY"


def test_a_profiles_prices_and_options_are_its_kinds(other_kind: list[Any]) -> None:
    neb, tog = options_for("neb", SETTINGS), options_for("tog", SETTINGS)
    assert (dict(neb.prices), dict(neb.settings)) == ({"gpu-h100-sxm": 2.95}, {})
    assert (dict(tog.prices), dict(tog.settings)) == ({"h100-80gb": 4.0}, {"together_api": "v2"})
    build_provider("other", KEY, options=neb)
    [(key, base_url, options)] = other_kind
    assert (key, base_url, options.prices) == (KEY, "https://api.other.example/v0", {"gpu-h100-sxm": 2.95})


def test_a_profile_of_an_unregistered_kind_resolves_to_nothing() -> None:
    settings = Settings(profiles={"x": Profile(provider="nebuis")})
    for resolve in (provider_for, default_env_for, options_for):
        with pytest.raises(UnknownProviderError):
            resolve("x", settings)
    with pytest.raises(UnknownProviderError):
        resolve_base_url("x", settings=settings, environ={})


def test_the_registry_imports_no_http_stack() -> None:
    import subprocess
    import sys

    code = "import sys, tui.api.registry, tui.keys.resolve, tui.settings; print('httpx' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"


def test_nebius_is_registered_with_the_nebius_packages_own_defaults() -> None:
    import tui.api.nebius as nebius

    entry = entry_for("nebius")
    assert entry.default_base_url == nebius.DEFAULT_BASE_URL
    assert entry.key_env_var == nebius.KEY_ENV == "NEBIUS_TOKEN_FACTORY_API_KEY"
    # TOGETHER_BASE_URL is Together's; nothing in the environment redirects a Nebius key.
    assert entry.base_url_env_var is None


async def test_a_nebius_profile_builds_the_nebius_provider_with_its_prices() -> None:
    from tui.api.nebius import NebiusProvider

    settings = Settings(profiles={"neb": Profile(provider="nebius")}, prices={"nebius": {"gpu-h100-sxm": 2.95}})
    api = StandInApi(200)
    options = ProviderOptions(transport=api.transport, prices=options_for("neb", settings).prices, read_deadline=4.0)
    provider = build_provider("nebius", KEY, None, options)
    assert isinstance(provider, NebiusProvider) and isinstance(provider, Provider)
    assert provider.prices == {"gpu-h100-sxm": 2.95}
    # The key check's shorter deadline reaches Nebius's session too.
    assert provider.client.session.read_deadline == 4.0
    await provider.check_access()
    assert api.requests and all(r.url.host == "api.tokenfactory.nebius.com" for r in api.requests)
    await provider.aclose()


def test_a_nebius_profile_reads_its_own_variable_never_nebius_api_key(tmp_path: Path) -> None:
    settings = Settings(profiles={"neb": Profile(provider="nebius")})
    environ = {"NEBIUS_API_KEY": "iam-token-0123456789abcdef", "TOGETHER_API_KEY": KEY}
    store = KeyStore(KeyringStore(backend=MemoryKeyring()), FileStore(tmp_path / "credentials.toml"))
    default = default_env_for("neb", settings)
    assert resolve_api_key("neb", environ=environ, store=store, default_env=default) is None
    environ["NEBIUS_TOKEN_FACTORY_API_KEY"] = "tf-key-0123456789abcdef"
    found = resolve_api_key("neb", environ=environ, store=store, default_env=default)
    assert found is not None and found.source == "environment variable NEBIUS_TOKEN_FACTORY_API_KEY"
