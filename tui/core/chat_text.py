"""What the chat writes as text, without Textual: the Markdown export and the streamed answer's parts.

An export is read in a terminal too (``cat``, ``less -R``), so it holds no control character the service
sent; a streamed answer is cut into parts so the pane's Markdown widgets stay cheap to lay out.
"""

from __future__ import annotations

import re
from datetime import datetime

from tui.api.domain import ChatParams
from tui.api.safe_text import clean_multiline
from tui.core.chat import ChatTarget, Conversation, TurnState, figures, figures_line


def _params_text(params: ChatParams) -> str:
    parts = []
    if params.temperature is not None:
        parts.append(f"temperature {params.temperature:g}")
    if params.max_tokens is not None:
        parts.append(f"max tokens {params.max_tokens}")
    if params.top_p is not None:
        parts.append(f"top_p {params.top_p:g}")
    if params.reasoning_effort:
        parts.append(f"reasoning effort {params.reasoning_effort}")
    return ", ".join(parts) or "service defaults"


def _quote(text: str) -> str:
    return "\n".join(f"> {line}" if line else ">" for line in text.splitlines() or [""])


def conversation_markdown(conversation: Conversation, exported_at: datetime) -> str:
    """The whole conversation as a Markdown file: targets, system prompt, each exchange with its figures."""
    targets: list[ChatTarget] = []
    for turn in conversation.turns:
        if turn.target not in targets:
            targets.append(turn.target)
    title = targets[0].label if len(targets) == 1 else "several targets" if targets else "nobody yet"
    lines = [f"# Chat with {title}", "", f"Exported {exported_at.strftime('%Y-%m-%d %H:%M:%S %Z').strip()}."]
    for target in targets:
        where = f"endpoint `{target.endpoint_id}`" if target.endpoint_id else "serverless"
        lines.append(f"- `{target.model}` ({where})")
    lines.append("")
    if conversation.system_prompt.strip():
        lines += ["## System", "", conversation.system_prompt.strip(), ""]
    for number, turn in enumerate(conversation.turns, 1):
        lines += [f"## {number}. You", "", turn.prompt.rstrip(), ""]
        lines += [f"## {number}. {turn.target.label}", ""]
        lines += [f"*`{turn.target.model}`, {_params_text(turn.params)}*", ""]
        if turn.reasoning:
            lines += ["<details><summary>Reasoning</summary>", "", turn.reasoning.strip(), "", "</details>", ""]
        if turn.content:
            lines += [turn.content.rstrip(), ""]
        if turn.state is TurnState.STOPPED:
            lines += ["*Stopped by the user; the answer above is partial.*", ""]
        elif turn.state is TurnState.FAILED and turn.advice is not None:
            lines += [_quote(f"**{turn.advice.title}**: {turn.advice.detail}"), ""]
        elif turn.state is TurnState.NOT_SENT:
            why = f": **{turn.advice.title}**: {turn.advice.detail}" if turn.advice is not None else "."
            lines += [_quote(f"Not sent{why}"), ""]
        elif not turn.state.finished:
            lines += [f"*Still {turn.state.value} at export time.*", ""]
        if turn.metrics is not None and figures(turn.metrics):
            lines += [f"*{figures_line(turn.metrics)}*", ""]
    # A file is read in a terminal too (cat, less -R): what the service sent must not reach it as control.
    return clean_multiline("\n".join(lines).rstrip()) + "\n"


class MarkdownParts:
    """Cuts a streamed Markdown answer into parts of about ``size`` characters, each a whole document.

    The pane shows each part in its own Markdown widget: appending to a small document and laying it
    out again stays cheap however long the answer grows. A cut falls only where a new top-level block
    starts: after a blank line, outside a code fence, before a line that is not indented (an indented
    one may continue a list item).
    """

    def __init__(self, size: int) -> None:
        self.size = size
        self._part_chars = 0
        self._line = ""
        self._in_fence = False
        self._after_blank = False

    def feed(self, text: str) -> list[str]:
        """Split the next piece of the answer: every piece but the last ends its part."""
        pieces: list[str] = []
        start = 0
        for index, char in enumerate(text):
            if self._after_blank and char != "\n":
                self._after_blank = False
                if char not in " \t" and self._part_chars + index - start >= self.size:
                    pieces.append(text[start:index])
                    start = index
                    self._part_chars = 0
            if char == "\n":
                line = self._line.strip()
                self._line = ""
                if line.startswith(("```", "~~~")):
                    self._in_fence = not self._in_fence
                elif not line and not self._in_fence:
                    self._after_blank = True
            elif len(self._line.lstrip()) < 3:
                # Only the start of a line matters (blank? a fence?): keep no more of it than that.
                self._line += char
        self._part_chars += len(text) - start
        pieces.append(text[start:])
        return pieces


#: A line that may carry on the block above it across a blank line: a list item, a quote, or what is
#: still too short to tell.
_MAY_CONTINUE = re.compile(r"[-*+>]|\d{1,9}(?:[.)]|$)")
_FENCE = re.compile(r" {0,3}(`{3,}|~{3,})")


def settled_length(text: str) -> int:
    """How much of ``text``, a Markdown document's start, is whole top-level blocks that no later text
    can change: up to the last blank line (outside a code fence) that a new block's first line follows.

    A streamed part parses only what comes after it again. The line after the blank must start at the
    margin (an indented one continues a list item) and be no list item nor quote (either may be the
    same list or quote going on, its numbering and spacing with it). Link reference definitions are
    the one thing a later block still changes; answers do not use them.
    """
    settled = 0
    position = 0
    fence = ""
    after_blank = False
    lines = text.split("\n")  # Markdown's line ends only (str.splitlines knows a dozen more)
    for index, line in enumerate(lines):
        start = position
        complete = index < len(lines) - 1
        position += len(line) + complete
        body = line.rstrip("\r")
        if fence:
            stripped = body.strip()
            if complete and stripped.startswith(fence) and not stripped.strip(fence[0]):
                fence = ""
            continue
        if not body.strip():
            after_blank = complete
            continue
        if body.lstrip(" ").startswith("<"):
            break  # raw HTML: a comment or a <pre> block runs through blank lines; settle nothing after it
        if after_blank and body[0] not in " \t" and not _MAY_CONTINUE.match(body):
            settled = start
        after_blank = False
        opening = _FENCE.match(body)
        if opening is not None and complete:
            fence = opening.group(1)
        elif opening is not None:
            break  # an opening fence still arriving: nothing after it is known yet
    return settled
