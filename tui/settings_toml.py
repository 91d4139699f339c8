"""The settings file as TOML text: parsed past its syntax errors, and one key written back in place.

Knows nothing of what the settings mean (``tui.settings`` validates them): a syntax error becomes a message
naming the file, the line and the key it was about, and the rest of the file still applies; a write keeps
the user's comments and layout, follows a symlink and replaces the file atomically with its mode kept.
"""

from __future__ import annotations

import contextlib
import os
import re
import stat
import tomllib
from collections.abc import Collection
from pathlib import Path
from typing import Any

from tui.keys.store import display_path

#: How many broken lines (or invalid values, in ``tui.settings``) are skipped before giving up on the file.
MAX_REPAIRS = 20


class SettingsError(Exception):
    """The settings file could not be updated (or the value is not a setting); the message says why."""


_POSITION_RE = re.compile(r"\s*\(at line (\d+), column (\d+)\)$")
_HEADER_RE = re.compile(r"^\s*\[\[?\s*([^\[\]]+?)\s*\]?\]?\s*(#.*)?$")
_KEY_RE = re.compile(r"^\s*([A-Za-z0-9_\-.\"' ]+?)\s*=")


def _unquote_dotted(key: str) -> str:
    return ".".join(part.strip().strip("\"'") for part in key.split("."))


def _key_at(lines: list[str], index: int) -> str | None:
    """The dotted key that line `index` (0-based) sets or opens, judged from its text."""
    header = _HEADER_RE.match(lines[index])
    if header and lines[index].lstrip().startswith("["):
        return _unquote_dotted(header.group(1))
    match = _KEY_RE.match(lines[index])
    if not match:
        return None
    key = _unquote_dotted(match.group(1))
    for previous in reversed(lines[:index]):
        if previous.lstrip().startswith("["):
            table = _HEADER_RE.match(previous)
            if table:
                return _unquote_dotted(table.group(1)) + "." + key
            break
    return key


def parse_leniently(text: str, where: str, problems: list[str]) -> dict[str, Any]:
    """Parse TOML; on a syntax error, report it and retry without the offending line (or, for a
    broken table header, without that whole table, so its keys cannot land in another table)."""
    if text.startswith("\ufeff"):
        text = text[1:]
    # Without a final newline, tomllib reports errors on the last line as "at end of document".
    lines = (text if text.endswith("\n") else text + "\n").split("\n")
    for _attempt in range(MAX_REPAIRS):
        try:
            return tomllib.loads("\n".join(lines))
        except tomllib.TOMLDecodeError as exc:
            message = str(exc)
            position = _POSITION_RE.search(message)
            reason = _POSITION_RE.sub("", message)
            if position is None:
                problems.append(f"{where}: invalid TOML: {message}; using the default settings")
                return {}
            index = int(position.group(1)) - 1
            if index >= len(lines) or not lines[index].strip():
                problems.append(f"{where}, line {index + 1}: invalid TOML: {reason}; using the default settings")
                return {}
            key = _key_at(lines, index)
            about = f" (key {key})" if key else ""
            if lines[index].lstrip().startswith("["):
                end = index + 1
                while end < len(lines) and not lines[end].lstrip().startswith("["):
                    end += 1
                problems.append(
                    f"{where}, line {index + 1}: invalid TOML{about}: {reason}; ignoring lines {index + 1}-{end}"
                    if end - index > 1
                    else f"{where}, line {index + 1}: invalid TOML{about}: {reason}; ignoring this line"
                )
                for i in range(index, end):
                    lines[i] = ""
            else:
                problems.append(f"{where}, line {index + 1}: invalid TOML{about}: {reason}; ignoring this line")
                lines[index] = ""
    problems.append(f"{where}: too many TOML errors; using the default settings")
    return {}


def set_top_level_key(path: Path, key: str, value: Any) -> None:
    """Set (or, with None, remove) one top-level key of the TOML file at ``path``, keeping the rest as written.

    Raises SettingsError for a file that cannot be read or is not valid TOML (left untouched rather
    than overwritten).
    """
    import tomlkit  # deferred: only needed when something is saved
    from tomlkit.exceptions import TOMLKitError

    # Write through a symlink (dotfile managers link settings files) instead of replacing it.
    target = Path(os.path.realpath(path))
    try:
        text = target.read_text(encoding="utf-8")
        mode = stat.S_IMODE(target.stat().st_mode)
    except FileNotFoundError:
        text, mode = "", None
    except (OSError, UnicodeDecodeError) as exc:
        raise SettingsError(f"cannot read {display_path(path)}: {exc}") from None
    try:
        document = tomlkit.parse(text)
    except TOMLKitError as exc:
        raise SettingsError(f"{display_path(path)} is not valid TOML ({exc}); not changing it") from None
    if value is None:
        document.pop(key, None)
    else:
        document[key] = value
    _write_atomically(target, tomlkit.dumps(document), mode)


def _write_atomically(target: Path, text: str, mode: int | None) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    with contextlib.suppress(FileNotFoundError):
        tmp.unlink()
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666 if mode is None else mode)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        if mode is not None:
            os.chmod(tmp, mode)
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise


#: The theme when the settings name none, or one Textual does not know.
DEFAULT_THEME = "textual-dark"


def theme_problem(theme: str, themes: Collection[str], where: str) -> str | None:
    """What is wrong with ``theme`` (None: it is one of ``themes``), said as the settings' other problems are.
    Here, without pydantic, for a start that checks it once Textual is loaded (``tui.head_start``)."""
    if theme in themes:
        return None
    import difflib

    close = difflib.get_close_matches(theme, list(themes), n=1, cutoff=0.6)
    hint = f"did you mean {close[0]!r}?" if close else f"one of {', '.join(sorted(themes))}"
    return f"{where}: theme: unknown theme {theme!r} ({hint}); using the default, {DEFAULT_THEME!r}"
