"""Finding the API key (and base URL) for a profile, in the documented order."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from tui.api.registry import DEFAULT_KIND, PROVIDERS, ProviderKind, ProviderOptions, entry_for
from tui.keys.secret import ApiKey, InvalidApiKeyError
from tui.keys.store import FileStoreError, KeyringUnavailableError, KeyStore, default_store

if TYPE_CHECKING:
    from tui.settings import Settings

__all__ = [
    "BASE_URL_ENV_VAR",
    "ENV_VAR",
    "ResolvedKey",
    "default_env_for",
    "env_name_for",
    "options_for",
    "provider_for",
    "resolve_api_key",
    "resolve_base_url",
]

#: Together's (the default provider's) variables; every provider's own are in ``tui.api.registry``.
ENV_VAR = PROVIDERS[DEFAULT_KIND].key_env_var
BASE_URL_ENV_VAR = PROVIDERS[DEFAULT_KIND].base_url_env_var or "TOGETHER_BASE_URL"

KeySourceKind = Literal["env", "keyring", "file"]


@dataclass(frozen=True)
class ResolvedKey:
    key: ApiKey
    source: str
    """Where the key came from, in words: "environment variable TOGETHER_API_KEY",
    "OS keyring (service together-tui, profile work)", "file ~/.config/together-tui/credentials.toml"."""
    kind: KeySourceKind | None = None


def provider_for(profile: str, settings: Settings | None = None) -> ProviderKind:
    """The registry entry of the profile's ``provider`` (Together when the profile or the settings are absent).

    Raises UnknownProviderError (a ValueError, with a did-you-mean) for a kind nobody registered: using
    another provider's defaults would send this profile's key to the wrong service.
    """
    entry = settings.profiles.get(profile) if settings is not None else None
    return entry_for(entry.provider if entry is not None else DEFAULT_KIND)


def options_for(profile: str, settings: Settings | None = None) -> ProviderOptions:
    """What the profile's settings say beyond key and base URL: its provider's price table, its own options."""
    if settings is None:
        return ProviderOptions()
    kind = provider_for(profile, settings).kind
    entry = settings.profiles.get(profile)
    own = {"together_api": entry.together_api} if entry is not None and entry.together_api else {}
    return ProviderOptions(prices=dict(settings.prices.get(kind, {})), settings=own)


def default_env_for(profile: str, settings: Settings | None = None) -> str:
    """The variable a profile's key is read from when neither ``--api-key-env`` nor the profile names one:
    the provider's own (``TOGETHER_API_KEY``, ``NEBIUS_TOKEN_FACTORY_API_KEY``...)."""
    return provider_for(profile, settings).key_env_var


def env_name_for(profile: str, *, override: str | None = None, settings: Settings | None = None) -> str | None:
    """The environment variable to read the key from: `--api-key-env`, else the profile's
    `api_key_env` setting, else None (meaning the provider's default, ``default_env_for``)."""
    if override:
        return override
    if settings is not None:
        entry = settings.profiles.get(profile)
        if entry is not None and entry.api_key_env:
            return entry.api_key_env
    return None


def resolve_base_url(
    profile: str,
    *,
    override: str | None = None,
    settings: Settings | None = None,
    environ: Mapping[str, str] = os.environ,
) -> tuple[str, str]:
    """(base URL, where it came from): `--base-url`, else the provider's variable (TOGETHER_BASE_URL for
    Together: never for another provider's profile), else the profile's `base_url`, else the provider's
    default. Raises UnknownProviderError for a profile whose provider nobody registered."""
    kind = provider_for(profile, settings)
    if override:
        return override, "--base-url"
    variable = kind.base_url_env_var
    if variable and environ.get(variable):
        return environ[variable], f"environment variable {variable}"
    if settings is not None:
        entry = settings.profiles.get(profile)
        if entry is not None and entry.base_url:
            return entry.base_url, f"settings, profiles.{profile}.base_url"
    return kind.default_base_url, "default"


def resolve_api_key(
    profile: str,
    *,
    env_name: str | None = None,
    environ: Mapping[str, str] = os.environ,
    store: KeyStore | None = None,
    notes: list[str] | None = None,
    default_env: str = ENV_VAR,
) -> ResolvedKey | None:
    """The key for `profile`, or None when there is none (the app then shows its first-run screen).

    Order: the environment variable `env_name` if given, else `default_env` (the profile's provider's,
    TOGETHER_API_KEY for Together); then the OS keyring; then the credentials file, which exists only if the
    user opted in with `auth login --file-store`. An `env_name` that is not set does not fall back to
    `default_env`: that variable may well hold another profile's key.

    Never raises for an unusable keyring or file; why a source was skipped is appended to `notes`
    (if given) in words meant for the user. Keyring calls run in a thread with a timeout, but can
    still take that long: call this off the UI loop.
    """
    note: Callable[[str], None] = notes.append if notes is not None else (lambda _message: None)
    name = env_name or default_env
    if name in environ:
        try:
            key = ApiKey.parse(environ[name])
        except InvalidApiKeyError as exc:
            note(f"environment variable {name} is set but is not usable ({exc}); ignoring it")
        else:
            return ResolvedKey(key, f"environment variable {name}", "env")
    elif env_name:
        note(f"environment variable {env_name} is not set")
    # os.environ's repr holds every secret in the environment; a crash report that prints this
    # frame's locals (Textual's does) must not find it during the slower steps below.
    del environ

    if store is None:
        store = default_store()
    try:
        found = store.keyring.get(profile)
    except KeyringUnavailableError as exc:
        note(f"no working OS keyring: {exc.reason}")
    else:
        if found is not None:
            return ResolvedKey(found, store.keyring.describe(profile), "keyring")

    if store.file.exists():
        fixed = store.file.ensure_private()
        if fixed:
            note(fixed)
        try:
            found = store.file.get(profile)
        except FileStoreError as exc:
            note(str(exc))
        else:
            if found is not None:
                return ResolvedKey(found, store.file.describe(), "file")
    return None
