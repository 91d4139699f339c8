"""Profile names and where together-tui keeps its files: the rules every key store shares."""

from __future__ import annotations

import re
from pathlib import Path

__all__ = ["DEFAULT_PROFILE", "config_dir", "display_path", "validate_profile_name"]

DEFAULT_PROFILE = "default"

_PROFILE_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")


def validate_profile_name(name: str) -> str:
    """Return `name`, or raise ValueError: profile names become keyring user names and TOML keys."""
    if not _PROFILE_RE.fullmatch(name):
        raise ValueError(
            f"Invalid profile name {name!r}: use 1-64 letters, digits, '_', '.' or '-', "
            "starting with a letter or digit."
        )
    return name


def config_dir() -> Path:
    """together-tui's config directory (`~/.config/together-tui` on Linux)."""
    import platformdirs  # deferred: keeps `import tui.keys` cheap

    return Path(platformdirs.user_config_dir("together-tui"))


def display_path(path: Path) -> str:
    """`path` with the home directory written as `~`, for messages."""
    try:
        return "~/" + path.relative_to(Path.home()).as_posix()
    except (ValueError, RuntimeError):
        return str(path)
