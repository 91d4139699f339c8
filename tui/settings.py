"""User settings: `settings.toml` in the config directory, or the file named by TOGETHER_TUI_CONFIG.

A bad file never stops the app: every problem becomes a message naming the file, the key and
what is wrong, the bad key falls back to its default, and all valid keys are kept. This module holds what
the settings are and how each value is checked; reading TOML past its syntax errors and writing one key
back into the user's file are ``tui.settings_toml``'s.
"""

from __future__ import annotations

import copy
import os
import typing
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from tui.api.registry import DEFAULT_KIND, unknown_provider_problem
from tui.keys.store import config_dir, display_path
from tui.settings_toml import (
    DEFAULT_THEME,
    MAX_REPAIRS,
    SettingsError,
    parse_leniently,
    set_top_level_key,
    theme_problem,
)

__all__ = [
    "SETTINGS_ENV",
    "ChatDefaults",
    "LoadedSettings",
    "Profile",
    "Settings",
    "SettingsError",
    "load_settings",
    "save_setting",
    "settings_path",
]

SETTINGS_ENV = "TOGETHER_TUI_CONFIG"
SETTINGS_FILE_NAME = "settings.toml"


class _Section(BaseModel):
    # A misspelt key would otherwise be dropped without a word; forbidding extras turns it into
    # an "unknown key" problem the user gets to see. Strict: `bell = "no"` or `read_only = 1` is a
    # mistake to report, not a truthy value to guess at; nan and inf are never a sane interval or price.
    # Validators are built on first use, not at import: with no settings file the app starts without them.
    model_config = ConfigDict(extra="forbid", strict=True, allow_inf_nan=False, defer_build=True)


#: A price in US dollars per hour: finite (the config forbids nan and inf) and positive (a free GPU is a typo).
Price = Annotated[float, Field(gt=0)]

#: The most a chat answer may ask for; the model's context bounds it further when known.
MAX_TOKENS_CAP = 1_000_000


class ChatDefaults(_Section):
    system_prompt: str = ""
    temperature: float | None = Field(default=0.7, ge=0, le=2)
    max_tokens: int | None = Field(default=1024, ge=1, le=MAX_TOKENS_CAP)
    top_p: float | None = Field(default=None, ge=0, le=1)
    reasoning_effort: Literal["low", "medium", "high"] | None = None


class Profile(_Section):
    provider: str = DEFAULT_KIND
    """The control plane this profile's key belongs to: a kind of ``tui.api.registry`` ("together", ...).
    Checked after validation: an unknown one is reported and never replaced by the default (that would
    send this profile's key to another company's API)."""
    base_url: str | None = None
    """Where this profile's requests go; None means the provider's default URL."""
    api_key_env: str | None = Field(default=None, pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")
    """An environment variable holding this profile's key, read instead of the provider's default one."""
    together_api: Literal["v1", "v2"] | None = None
    """Together only: which API the app drives; None means the registry's default."""


class Settings(_Section):
    refresh_interval: float = Field(default=10.0, ge=1, le=3600)
    """Steady-state poll interval in seconds."""
    fast_refresh_interval: float = Field(default=2.0, ge=0.5, le=600)
    """Poll interval while anything is transitional (starting, stopping)."""
    theme: str = DEFAULT_THEME
    """A Textual theme name; checked against the themes the app knows when the caller passes them."""
    read_only: bool = False
    notifications: bool = True
    bell: bool = False
    confirm_start: bool = True
    """Starting an endpoint (billing begins) asks a one-key confirmation showing its $/hour."""
    confirm_delete: Literal["typed-when-running", "always-typed", "simple"] = "typed-when-running"
    wait_timeout_minutes: float = Field(default=30.0, gt=0, le=24 * 60)
    chat: ChatDefaults = Field(default_factory=ChatDefaults)
    keymap: dict[str, str] = Field(default_factory=dict)
    """Binding id -> keys, passed to App.set_keymap."""
    default_profile: str = "default"
    profiles: dict[str, Profile] = Field(default_factory=dict)
    prices: dict[str, dict[str, Price]] = Field(default_factory=dict)
    """Provider kind -> GPU type -> US dollars per hour, for a control plane whose API sends no prices."""


@dataclass(frozen=True)
class LoadedSettings:
    settings: Settings
    path: Path
    problems: list[str] = field(default_factory=list)
    """One message per problem, each naming the file and the key; empty when all is well."""


def settings_path(environ: Mapping[str, str] = os.environ) -> Path:
    override = environ.get(SETTINGS_ENV)
    if override:
        return Path(override).expanduser()
    return config_dir() / SETTINGS_FILE_NAME


# --------------------------------------------------------------------------------------------
# Loading

def _section_at(path: tuple[int | str, ...]) -> type[BaseModel] | None:
    """The settings table found along ``path`` (``("profiles", "work")`` -> Profile), if it is one."""
    model: type[BaseModel] | None = Settings
    parts = list(path)
    while parts and model is not None:
        info = model.model_fields.get(str(parts.pop(0)))
        annotation = info.annotation if info is not None else None
        if typing.get_origin(annotation) is dict and parts:
            parts.pop(0)  # the entry's own name, e.g. the profile's
            annotation = typing.get_args(annotation)[1]
        model = annotation if isinstance(annotation, type) and issubclass(annotation, BaseModel) else None
    return model


def _describe_default(loc: tuple[int | str, ...]) -> str:
    model = _section_at(loc[:-1])
    if model is None:
        return "ignoring it"
    info = model.model_fields.get(str(loc[-1]))
    if info is None:
        return "ignoring it"
    default = info.get_default(call_default_factory=True)
    if isinstance(default, BaseModel):
        return "using the defaults"
    if default is None or default == {}:
        return "ignoring it"
    return f"using the default, {default!r}"


def _delete_at(data: dict[str, Any], loc: tuple[int | str, ...]) -> bool:
    """Remove the deepest item of `data` found along `loc`; False if not even the first is there.

    Normally that is exactly `loc`. A scalar where a table belongs, or a table missing the next
    part, is itself the bad value and goes.
    """
    node: Any = data
    found: tuple[dict[str, Any], str] | None = None
    for part in loc:
        if not (isinstance(node, dict) and isinstance(part, str) and part in node):
            break
        found = (node, part)
        node = node[part]
    if found is None:
        return False
    container, part = found
    del container[part]
    return True


def _did_you_mean(loc: tuple[int | str, ...]) -> str:
    """`` (did you mean 'bell'?)`` for a misspelt key, from the keys of the table it sits in."""
    import difflib

    if len(loc) == 1 and unknown_provider_problem(str(loc[0])) is None:
        # `[nebius.prices]` (or `[nebius]`): a provider's table goes under the setting it is for.
        return f" (a provider's prices go under [prices.{loc[0]}])"
    model = _section_at(loc[:-1])
    if model is None:
        return ""
    close = difflib.get_close_matches(str(loc[-1]), list(model.model_fields), n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _check_theme(settings: Settings, themes: Collection[str], where: str, problems: list[str]) -> Settings:
    problem = theme_problem(settings.theme, themes, where)
    if problem is None:
        return settings
    problems.append(problem)
    return settings.model_copy(update={"theme": DEFAULT_THEME})


def _check_providers(settings: Settings, where: str, problems: list[str]) -> Settings:
    """Unknown provider kinds: a profile keeps its (bad) kind, so using it fails loudly instead of sending its
    key elsewhere; a price table for nobody is dropped."""
    for name, profile in settings.profiles.items():
        problem = unknown_provider_problem(profile.provider)
        if problem is not None:
            problems.append(f"{where}: profiles.{name}.provider: {problem}; this profile cannot be used until fixed")
    prices = dict(settings.prices)
    for kind in list(prices):
        problem = unknown_provider_problem(kind)
        if problem is not None:
            problems.append(f"{where}: prices.{kind}: {problem}; ignoring it")
            del prices[kind]
    return settings if prices == settings.prices else settings.model_copy(update={"prices": prices})


def _check_keymap(settings: Settings, where: str, problems: list[str]) -> Settings:
    """Every ``[keymap]`` id against the one binding table (an unknown one would be ignored without a word)."""
    # The table is plain data (no Textual), so reading it here keeps the settings headless.
    from tui.core.keymap import unknown_binding_problem

    keymap = dict(settings.keymap)
    for binding_id, keys in settings.keymap.items():
        problem = unknown_binding_problem(binding_id)
        if problem is None and not keys.strip():
            problem = f"no keys given for {binding_id!r}"
        if problem is not None:
            problems.append(f"{where}: keymap: {problem}; ignoring it")
            del keymap[binding_id]
    return settings if keymap == settings.keymap else settings.model_copy(update={"keymap": keymap})


def _defaults() -> Settings:
    """The default settings, equal to ``Settings()``, without building the validators: an absent or empty
    file (most users' case) costs the app's start nothing."""
    return Settings.model_construct(chat=ChatDefaults.model_construct())


def _validate_leniently(data: dict[str, Any], where: str, problems: list[str]) -> Settings:
    if not data:
        return _defaults()
    data = copy.deepcopy(data)
    for _attempt in range(MAX_REPAIRS):
        try:
            return Settings.model_validate(data)
        except ValidationError as exc:
            errors = exc.errors(include_url=False, include_input=False)
        progressed = False
        for error in errors:
            loc = tuple(error["loc"])
            dotted = ".".join(str(part) for part in loc)
            if error["type"] == "extra_forbidden":
                problems.append(f"{where}: unknown key {dotted!r}{_did_you_mean(loc)}; ignoring it")
            else:
                problems.append(f"{where}: {dotted}: {error['msg']}; {_describe_default(loc)}")
            progressed = _delete_at(data, loc) or progressed
        if not progressed:
            break
    problems.append(f"{where}: could not make sense of the settings; using the default settings")
    return Settings()


def load_settings(path: Path | None = None, *, themes: Collection[str] | None = None) -> LoadedSettings:
    """Read the settings file. Never raises for a bad or unreadable file: see `problems`.

    `themes`, when given, are the theme names the app knows (Textual's, which this module does not
    import: the headless layers stay free of Textual); an unknown `theme` is then reported and replaced.
    """
    if path is None:
        path = settings_path()
    where = display_path(path)
    problems: list[str] = []
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return LoadedSettings(_defaults(), path, problems)
    except (OSError, UnicodeDecodeError) as exc:
        detail = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        problems.append(f"{where}: cannot read the settings file ({detail}); using the default settings")
        return LoadedSettings(_defaults(), path, problems)
    data = parse_leniently(text, where, problems)
    settings = _validate_leniently(data, where, problems)
    settings = _check_providers(settings, where, problems)
    settings = _check_keymap(settings, where, problems)
    if themes is not None:
        settings = _check_theme(settings, themes, where, problems)
    return LoadedSettings(settings, path, problems)


def check_theme(loaded: LoadedSettings, themes: Collection[str]) -> LoadedSettings:
    """``loaded`` with its theme checked against ``themes`` (as ``load_settings(themes=...)`` would): for a
    caller that reads the settings before Textual, which knows the themes, is imported."""
    problems = list(loaded.problems)
    settings = _check_theme(loaded.settings, themes, display_path(loaded.path), problems)
    return LoadedSettings(settings, loaded.path, problems)


# --------------------------------------------------------------------------------------------
# Saving


def _to_toml_value(value: Any) -> Any:
    if isinstance(value, BaseModel):
        # TOML has no null: an unset optional is written by leaving it out.
        return value.model_dump(mode="json", exclude_none=True)
    if isinstance(value, dict):
        return {k: _to_toml_value(v) for k, v in value.items() if v is not None}
    return value


def save_setting(key: str, value: Any, path: Path | None = None) -> Path:
    """Set one top-level key in the settings file (e.g. the theme the user picked), keeping the
    rest of the file, comments included, as the user wrote it. `value=None` removes the key, so the
    default applies. Returns the file written.

    Raises SettingsError for an unknown key, an invalid value, or a file that is not valid TOML
    (which is left untouched rather than overwritten).
    """
    if key not in Settings.model_fields:
        raise SettingsError(f"unknown setting {key!r}")
    value = _to_toml_value(value)
    if value is not None:
        try:
            Settings.model_validate({key: value})
        except ValidationError as exc:
            first = exc.errors(include_url=False, include_input=False)[0]
            where = ".".join(str(part) for part in first["loc"])
            raise SettingsError(f"invalid value for {where}: {first['msg']}") from None
    if path is None:
        path = settings_path()
    set_top_level_key(path, key, value)
    return path


