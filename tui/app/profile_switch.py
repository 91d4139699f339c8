"""Palette: "Switch profile" - another profile's account (Together or Nebius) in the same window.

The profiles are the settings file's, read afresh when the palette asks. Choosing one resolves its key as
the CLI does (its environment variable, the OS keyring, the opted-in file; never shown, only where it came
from), builds its provider through the registry, checks the key with one cheap read, and only then hands
the provider to the app, which replaces its store, catalogue and context and composes the panes afresh.
Anything that stops a switch (no key, an unknown provider, a refused key, an unsafe URL) is said, and the
current account stays as it was: a switch never leaves the app half on one account and half on another.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, replace
from functools import partial
from typing import TYPE_CHECKING, Protocol

from textual.command import SimpleCommand
from textual.markup import escape

from tui.api import errors
from tui.api.registry import ProviderKind, UnknownProviderError, build_provider

if TYPE_CHECKING:
    from textual.app import App
    from textual.screen import Screen

    from tui.api.provider import Provider
    from tui.core.app_config import AppConfig
    from tui.settings import Settings

#: The worker group of a switch in progress: a second choice replaces the first.
SWITCH_GROUP = "profile-switch"
#: The profile the settings always have, named or not (Together's default key).
DEFAULT_PROFILE = "default"


class SwitchingApp(Protocol):
    """What a switch needs of the app (no module imports the App)."""

    config: AppConfig

    async def use_provider(self, provider: Provider, config: AppConfig) -> None: ...


class SwitchRefused(Exception):
    """Why a profile cannot be used now, in words for the user (never holding the key)."""


@dataclass(frozen=True)
class ProfileChoice:
    name: str
    #: The registry entry of its provider; None when the settings name a provider nobody registered.
    kind: ProviderKind | None
    #: Why it cannot be chosen (an unknown provider), else None.
    problem: str | None
    current: bool

    @property
    def label(self) -> str:
        return self.kind.label if self.kind is not None else "unknown provider"


@dataclass(frozen=True)
class Prepared:
    provider: Provider
    config: AppConfig
    #: Where the key came from, in words ("OS keyring (service together-tui, profile work)").
    key_source: str


def profile_choices(settings: Settings, config: AppConfig) -> list[ProfileChoice]:
    """Every profile of the settings (and the default one), the current one first."""
    from tui.keys.resolve import provider_for

    names = dict.fromkeys([config.profile, *sorted(settings.profiles), settings.default_profile, DEFAULT_PROFILE])
    choices = []
    for name in names:
        try:
            kind: ProviderKind | None = provider_for(name, settings)
            problem = None
        except UnknownProviderError as exc:
            kind, problem = None, str(exc)
        choices.append(ProfileChoice(name, kind, problem, current=name == config.profile and not config.demo))
    return choices


def prepare(profile: str, settings: Settings, current: AppConfig) -> Prepared:
    """The provider and app configuration of ``profile``. Blocking (the keyring): run it in a thread.

    Raises SwitchRefused with the reason when the profile cannot be used.
    """
    from tui.keys.resolve import env_name_for, options_for, provider_for, resolve_api_key, resolve_base_url
    from tui.keys.urls import InsecureBaseURLError, check_base_url_safe

    try:
        kind = provider_for(profile, settings)
    except UnknownProviderError as exc:
        # Never another provider's defaults: they would send this profile's key to the wrong service.
        raise SwitchRefused(f"Profile {profile!r}: {exc}; fix it in the settings file.") from None
    base_url, _ = resolve_base_url(profile, settings=settings)
    try:
        check_base_url_safe(base_url)
    except InsecureBaseURLError as exc:
        raise SwitchRefused(f"Profile {profile!r}: {exc}") from None
    env_name = env_name_for(profile, settings=settings)
    resolved = resolve_api_key(profile, env_name=env_name, default_env=kind.key_env_var)
    if resolved is None:
        raise SwitchRefused(
            f"Profile {profile!r} ({kind.label}) has no API key: run `together-tui auth login --profile {profile}`"
            f" or set {env_name or kind.key_env_var}."
        )
    options = options_for(profile, settings)
    try:
        provider = build_provider(kind.kind, resolved.key, base_url, options)
    except ValueError as exc:
        raise SwitchRefused(f"Profile {profile!r}: {exc}") from None
    config = replace(
        current, profile=profile, provider=kind.kind, provider_label=kind.label, base_url=base_url,
        prices=dict(options.prices), demo=False, settings_problems=(), notices=(),
    )
    return Prepared(provider, config, resolved.source)


async def switch_profile(app: SwitchingApp, profile: str, settings: Settings) -> bool:
    """Move the app to ``profile``'s account; True when it did. Every outcome is said."""
    notify = partial(_notify, app)
    current = app.config
    if profile == current.profile and not current.demo:
        notify(f"Already on profile {profile}.")
        return False
    notify(f"Switching to profile {profile}…")
    try:
        prepared = await asyncio.to_thread(prepare, profile, settings, current)
    except SwitchRefused as exc:
        notify(f"{exc} Still on {_where(current)}.", severity="error")
        return False
    provider = prepared.provider
    try:
        # One cheap read: a refused key is said now, not as an empty, failing table after the switch.
        await provider.check_access()
    except errors.APIError as exc:
        await provider.aclose()
        notify(f"Profile {profile}: {exc.kind}: {exc.message} Still on {_where(current)}.", severity="error")
        return False
    except BaseException:
        await provider.aclose()
        raise
    if app.screen is not app.screen_stack[0]:  # type: ignore[attr-defined]
        # A dialog opened while the key was checked: its work belongs to the current account.
        await provider.aclose()
        notify(f"Not switched to {profile}: close the open dialog first. Still on {_where(current)}.",
               severity="warning")
        return False
    await app.use_provider(provider, prepared.config)
    notify(f"Now on profile {profile}: {prepared.config.provider_label} at {prepared.config.base_url} "
           f"(key from {prepared.key_source}).")
    return True


def open_switcher(app: App[None], screen: Screen[object] | None = None) -> None:
    """Show the profiles in a palette of their own (as Textual's "Change theme" shows themes)."""
    from tui.settings import load_settings

    settings = load_settings().settings
    config: AppConfig = app.config  # type: ignore[attr-defined]
    commands = []
    for choice in profile_choices(settings, config):
        if choice.problem is not None:
            help_text = choice.problem
        elif choice.current:
            help_text = f"{choice.label} · the current profile"
        else:
            help_text = choice.label
        # Profile names and problems come from the user's file: a "[" in one is text, not markup.
        commands.append(SimpleCommand(escape(choice.name), partial(_start, app, choice, settings), escape(help_text)))
    app.search_commands(commands, placeholder="Switch to which profile…")


def _start(app: App[None], choice: ProfileChoice, settings: Settings) -> None:
    if choice.problem is not None:
        _notify(app, f"Profile {choice.name!r}: {choice.problem}; fix it in the settings file.", severity="error")
        return
    switching: SwitchingApp = app  # type: ignore[assignment]
    app.run_worker(switch_profile(switching, choice.name, settings), group=SWITCH_GROUP, exclusive=True,
                   exit_on_error=False)


def _where(config: AppConfig) -> str:
    return "the demo" if config.demo else f"profile {config.profile}"


def _notify(app: object, message: str, *, severity: str = "information") -> None:
    # Profile names, URLs and the service's words are data: never markup.
    # A refusal stays longer: it says why nothing changed and what to do.
    timeout = 12 if severity == "error" else 8
    app.notify(message, severity=severity, markup=False, timeout=timeout)  # type: ignore[attr-defined]
