"""The one boundary for text that comes from outside: every string an API sends passes through here.

What a server sends is data. Shown raw it could reach the terminal (an ESC sequence that sets the window
title, writes the clipboard through OSC 52 or clears the screen), hide or reorder what the user reads
(bidi overrides, zero-width characters) or break the layout (tabs, carriage returns, NUL). Adapters
clean every string once, where it enters, so the layers above hold only display-safe text. Markup is a
separate matter: the views never parse data as markup (they build ``Content``/``Text`` from it), so a
``[`` in a name stays the character the user typed.

The same functions serve what the CLI prints and what a chat export writes.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

__all__ = ["ELLIPSIS", "clean", "clean_multiline", "clean_optional", "truncate"]

ELLIPSIS = "…"

# ESC-introduced sequences, removed whole so no parameter bytes are left behind as text:
# CSI (ESC [ ... final), OSC / DCS / SOS / PM / APC strings (ended by BEL or ST, or by the end of the text:
# an unterminated one still swallows what a terminal would), and two-byte escapes (ESC 7, ESC c, ...).
# The 8-bit C1 introducers (0x9b CSI, 0x9d OSC, 0x90 DCS, ...) mean the same to some terminals.
_ESCAPE_SEQUENCE = re.compile(
    r"""
    (?:\x1b\[|\x9b)[\x30-\x3f]*[\x20-\x2f]*[\x40-\x7e]?       # CSI
    | (?:\x1b[\]PX^_]|[\x90\x98\x9d\x9e\x9f]).*?(?:\x07|\x1b\\|\x9c|$)   # OSC, DCS, SOS, PM, APC
    | \x1b[\x20-\x2f]*[\x30-\x7e]?                             # other escapes (and a lone ESC)
    """,
    re.VERBOSE | re.DOTALL,
)

# Format characters (Unicode category Cf) that are safe and meaningful: the zero-width joiner inside
# emoji sequences, and the tag characters of subdivision flags. Everything else of category Cf
# (bidi embeddings, overrides and isolates, zero-width spaces, the BOM, soft hyphens) is removed.
_ZWJ = "\u200d"
_TAGS = range(0xE0020, 0xE0080)
_LINE_BREAKS = {"\n", "\u2028", "\u2029", "\x85", "\x0b", "\x0c"}


def _is_emoji(char: str) -> bool:
    code = ord(char)
    return code >= 0x1F000 or 0x2600 <= code <= 0x27BF or code == 0xFE0F or 0x1F3FB <= code <= 0x1F3FF


def _clean(text: str, multiline: bool) -> str:
    if text.isascii() and text.isprintable():
        return text  # the common case costs one scan
    text = _ESCAPE_SEQUENCE.sub("", text.replace("\r\n", "\n"))
    out: list[str] = []
    last = len(text) - 1
    for index, char in enumerate(text):
        if char.isprintable():
            out.append(char)
            continue
        if char in _LINE_BREAKS:
            out.append("\n" if multiline else " ")
        elif char == "\t":
            out.append("\t" if multiline else " ")
        elif char == _ZWJ:
            if 0 < index < last and _is_emoji(text[index - 1]) and _is_emoji(text[index + 1]):
                out.append(char)
        elif ord(char) in _TAGS:
            out.append(char)
        elif char == " " or unicodedata.category(char) in ("Zs",):
            out.append(" ")
        # Everything else not printable: C0 and C1 controls, DEL, NUL, surrogates, bidi controls,
        # zero-width spaces and the BOM are dropped.
    return "".join(out)


def clean(value: Any, *, limit: int | None = None) -> str:
    """A single line of display-safe text from anything an API sent (None becomes "")."""
    if value is None:
        return ""
    text = _clean(value if isinstance(value, str) else str(value), multiline=False)
    return truncate(text, limit) if limit is not None else text


def clean_optional(value: Any, *, limit: int | None = None) -> str | None:
    """Like ``clean``, but None (and a string that cleans to nothing) stays None."""
    if value is None:
        return None
    text = clean(value, limit=limit)
    return text or None


def clean_multiline(value: Any, *, limit: int | None = None) -> str:
    """Display-safe text that may keep line breaks and tabs (chat content, reasoning, long messages)."""
    if value is None:
        return ""
    text = _clean(value if isinstance(value, str) else str(value), multiline=True)
    return truncate(text, limit) if limit is not None else text


def truncate(text: str, limit: int) -> str:
    """At most ``limit`` characters, the last one an ellipsis when something was cut."""
    if limit <= 0:
        return ""
    return text if len(text) <= limit else text[: limit - 1] + ELLIPSIS
