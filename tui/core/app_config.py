"""What the app needs to know at start, gathered from flags and the settings file by the CLI (plain data:
the head start's child makes it without loading Textual)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from datetime import UTC, datetime
from typing import Any

__all__ = ["AppConfig", "ChatDefaults", "utc_now"]


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class ChatDefaults:
    """A new conversation's parameters: the settings file's ``[chat]``, validated there (``tui.settings``).
    Plain data, not the settings' model: the app's modules load without pydantic (``tui.head_start``)."""

    system_prompt: str = ""
    temperature: float | None = 0.7
    max_tokens: int | None = 1024
    top_p: float | None = None
    reasoning_effort: str | None = None

    @classmethod
    def of(cls, section: Any) -> ChatDefaults:
        """From the settings' ``chat`` section (or anything with the same attributes)."""
        return cls(**{item.name: getattr(section, item.name) for item in fields(cls)})


@dataclass(frozen=True)
class AppConfig:
    #: Shown in the header: where requests go and as whom.
    base_url: str = "https://api.together.ai/v1"
    profile: str = "default"
    #: The profile's control plane: its registry kind and its name for people (the header shows it).
    provider: str = "together"
    provider_label: str = "Together"
    #: GPU type -> US dollars per hour from ``[prices.<provider>]``, for prices the API does not send.
    prices: Mapping[str, float] = field(default_factory=dict)
    demo: bool = False
    read_only: bool = False
    #: Poll interval while every endpoint is steady, and while any is changing state.
    refresh_interval: float = 10.0
    fast_refresh_interval: float = 2.0
    notifications: bool = True
    bell: bool = False
    #: Starting an endpoint (billing begins) asks a one-key confirmation showing its $/hour.
    confirm_start: bool = True
    confirm_delete: str = "typed-when-running"
    wait_timeout_minutes: float = 30.0
    theme: str = "textual-dark"
    #: Write a theme picked in the palette back to the settings file (off in tests and screenshots).
    remember_theme: bool = True
    chat: ChatDefaults = field(default_factory=ChatDefaults)
    keymap: dict[str, str] = field(default_factory=dict)
    #: Problems found in the settings file, shown once the app is up.
    settings_problems: tuple[str, ...] = ()
    #: One-off information for the user once the app is up (e.g. where a new key was stored).
    notices: tuple[str, ...] = ()
    #: Injected so snapshots and tests can freeze time (ages, "updated N s ago").
    clock: Callable[[], datetime] = utc_now
