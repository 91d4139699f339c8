"""A corpus of hostile strings and values, as a hostile or broken API server might send them.

Shared by every test that feeds server data to a screen, a CLI command or an export: each entry is legal
JSON text, and none of it may ever reach the terminal as control, run an action, or crash anything.
"""

from __future__ import annotations

#: Markup of every kind Textual or Rich would act on if a string were parsed as markup.
MARKUP = (
    "[@click=app.quit]X[/]",
    "[@click=app.screenshot('pwned','/tmp')]shot[/]",
    "[@click=app.simulate_key('x')]stop[/]",
    "[link='file:///etc/passwd']passwd[/link]",
    "a [/] v2",
    "my model [/b]",
    "[bold red]loud[/]",
    "[b]unclosed",
    "$variable [$accent]x[/]",
    "[on red]",
    "\\[escaped]",
)

#: Terminal control: each would change the terminal outside the app's drawing if it got through.
TERMINAL = (
    "\x1b]52;c;cHduZWQ=\x07clipboard",  # OSC 52 writes the clipboard
    "\x1b]0;pwned title\x07t0",  # OSC 0 sets the window title
    "\x1b]2;pwned title\x1b\\t2",  # OSC 2, ST-terminated
    "clear\x1b[2Jscreen",  # CSI 2J clears the screen
    "\x1b[31mred\x1b[0m",
    "\x1b]8;;file:///etc/passwd\x1b\\link\x1b]8;;\x1b\\",  # OSC 8 hyperlink
    "\x9b2J c1 csi",  # 8-bit CSI
    "nul\x00byte",
    "bell\x07bell",
    "back\x08space",
    "carriage\rreturn",
    "del\x7fete",
    "\u202eright-to-left override\u202c",
    "zero\u200bwidth\u2060joiner\ufeff",
    "\x1bc reset",
)

#: Legal text that layouts must survive.
WIDE = ("日本語のモデル名", "🚀 emoji 👨\u200d👩\u200d👧", "Ω≈ç√∫", "x" * 10_000)

HOSTILE_STRINGS = MARKUP + TERMINAL + WIDE

#: Markers that must never be written to the terminal by the app (Textual itself emits none of them).
FORBIDDEN_TERMINAL_BYTES = (
    b"\x1b]52;",
    b"\x1b]0;pwned",
    b"\x1b]2;pwned",
    b"\x1b]8;;file:",
    b"\x1bc",
    b"\x9b2J",
    b"\x00byte",
)

#: Numbers a broken server may send where a price, a size or a count belongs.
BAD_NUMBERS = (float("nan"), float("inf"), float("-inf"), -3.0, "12", "NaN", 1e308, -1)

#: Timestamps without a zone, or not timestamps at all.
BAD_TIMESTAMPS = ("2026-01-15T12:00:00", "2026-01-15 12:00", "yesterday", "", "9999-99-99T99:99:99Z", 0)

#: An HTML page of the kind a proxy returns, echoing request headers (the key among them).
def html_error_page(key: str) -> str:
    return (
        "<html><head><title>502 Bad Gateway</title></head><body><h1>Bad Gateway</h1>"
        f"<pre>Authorization: Bearer {key}\nHost: api.together.ai</pre></body></html>"
    )


def echoed_key_message(key: str) -> str:
    return f"Invalid API key provided: {key}. You can find your API key at https://api.together.ai/settings."
