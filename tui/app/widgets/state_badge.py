"""How an endpoint state looks: a glyph, the state word, and a colour that is never the only signal.

Colours are the 16 ANSI ones (green, yellow, red, magenta, dim), so they survive 256- and 16-colour
terminals over SSH; the glyph and the word carry the meaning on their own.
"""

from __future__ import annotations

from rich.text import Text

from tui.api.domain import Phase

#: Transitional states turn through these; with animation off they show the first one.
SPINNER_FRAMES = ("◐", "◓", "◑", "◒")

_STEADY: dict[Phase, tuple[str, str]] = {
    Phase.READY: ("●", "bold green"),
    Phase.STOPPED: ("○", "dim"),
    Phase.FAILED: ("✗", "bold red"),
    # Below the capacity asked for (v2): it may still serve, so not the failure cross.
    Phase.DEGRADED: ("▲", "bold red"),
    Phase.UNKNOWN: ("?", "bold magenta"),
}
_TRANSITIONAL_STYLE = "yellow"


def state_glyph(phase: Phase, frame: int = 0) -> str:
    if phase.transitional:
        return SPINNER_FRAMES[frame % len(SPINNER_FRAMES)]
    return _STEADY.get(phase, _STEADY[Phase.UNKNOWN])[0]


def state_style(phase: Phase) -> str:
    if phase.transitional:
        return _TRANSITIONAL_STYLE
    return _STEADY.get(phase, _STEADY[Phase.UNKNOWN])[1]


def state_text(state: str, phase: Phase, *, frame: int = 0, expected: bool = False) -> Text:
    """``● STARTED``; ``◐ PENDING…`` in italics while the app expects a state the API has not shown yet."""
    style = state_style(phase)
    if expected:
        style += " italic"
    word = state or "—"
    text = Text(no_wrap=True, overflow="ellipsis", end="")
    text.append(state_glyph(phase, frame), style=style)
    text.append(" ")
    text.append(word + ("…" if expected else ""), style=style)
    return text
