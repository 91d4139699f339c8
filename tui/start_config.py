"""What a start of the app resolves from its command line and the settings file, before anything starts:
whose account, where, with what key, and the app's configuration. Shared by the start on its own
(``tui.cli``) and the head start's child (``tui.head_start``)."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tui.api.registry import ProviderKind, ProviderOptions
    from tui.core.app_config import AppConfig
    from tui.keys.secret import ApiKey
    from tui.settings import LoadedSettings, Settings


@dataclass
class Resolved:
    """What the command line and the settings file say to start with: whose account, where, with what."""

    kind: ProviderKind
    profile: str
    base_url: str
    options: ProviderOptions
    settings: Settings
    loaded: LoadedSettings
    problems: list[str]
    demo: bool
    demo_kind: str | None
    env_name: str | None = None
    key: ApiKey | None = None


def resolve(args: argparse.Namespace) -> Resolved | str:
    """The start's settings, profile, base URL and key (None: none found, the first-run screen asks), or
    what is wrong with them, for the caller to print (exit status 2). Reads the settings file and the key
    store; starts nothing."""
    from tui.api.registry import UnknownProviderError
    from tui.keys.resolve import options_for, provider_for, resolve_base_url
    from tui.keys.urls import InsecureBaseURLError, check_base_url_safe
    from tui.settings import load_settings

    # The theme is checked once Textual, which knows the themes, is loaded (run_begun).
    loaded = load_settings()
    settings = loaded.settings
    profile_name = args.profile or settings.default_profile
    try:
        kind = provider_for(profile_name, settings)
    except UnknownProviderError as exc:
        # Never another provider's defaults: they would send this profile's key to the wrong service.
        return f"profile {profile_name!r}: {exc}"
    base_url, _ = resolve_base_url(profile_name, override=args.base_url, settings=settings)
    demo = bool(args.demo)
    demo_kind = getattr(args, "demo_provider", None)
    if demo_kind is not None and not demo and demo_kind != kind.kind:
        # Never a way to send this profile's key to another service: the profile names its provider.
        return (f"--provider chooses the demo's simulator (with --demo); profile {profile_name!r} "
                f"is a {kind.label} profile (set provider = \"...\" in its settings to change that)")
    resolved = Resolved(kind, profile_name, base_url, options_for(profile_name, settings), settings, loaded,
                        list(loaded.problems), demo, demo_kind)
    if not demo:
        try:
            check_base_url_safe(base_url)
        except InsecureBaseURLError as exc:
            return str(exc)
        from tui.keys.resolve import env_name_for, resolve_api_key

        resolved.env_name = env_name_for(profile_name, override=args.api_key_env, settings=settings)
        found = resolve_api_key(profile_name, env_name=resolved.env_name, default_env=kind.key_env_var)
        resolved.key = found.key if found is not None else None
    return resolved


def app_config(args: argparse.Namespace, resolved: Resolved, *, notices: Sequence[str] = ()) -> AppConfig:
    """The app's configuration from the command line and the settings (the theme still unchecked)."""
    from tui.core.app_config import AppConfig, ChatDefaults

    settings, options = resolved.settings, resolved.options
    return AppConfig(
        base_url=resolved.base_url,
        profile=resolved.profile,
        provider=resolved.kind.kind,
        provider_label=resolved.kind.label,
        prices=dict(options.prices),
        demo=resolved.demo,
        read_only=bool(args.read_only or settings.read_only),
        refresh_interval=args.refresh or settings.refresh_interval,
        fast_refresh_interval=settings.fast_refresh_interval,
        notifications=settings.notifications,
        bell=settings.bell,
        confirm_start=settings.confirm_start if args.confirm_start is None else args.confirm_start,
        confirm_delete=settings.confirm_delete,
        wait_timeout_minutes=settings.wait_timeout_minutes,
        theme=settings.theme,
        chat=ChatDefaults.of(settings.chat),
        keymap=dict(settings.keymap),
        settings_problems=tuple(resolved.problems),
        notices=tuple(notices),
    )


