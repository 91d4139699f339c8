"""The banner over the endpoints table when polling is in trouble, and the one-line title widget.

The banner says what went wrong, what to do, how old the rows on screen are and when the next try is;
a poll that has gone unanswered is said to be so (a hung request is not a green "updated 2 min ago").
"""

from __future__ import annotations

from datetime import datetime

from rich.text import Text
from textual.widget import Widget

from tui.api.errors import APIError
from tui.core.polling import PollScheduler, describe_error, error_advice


def poll_banner(scheduler: PollScheduler, now: datetime) -> Text | None:
    """The banner's text, or None when polling is fine.

    One line per thought, the most needed first: what failed, what to do, how old the rows are and when
    the next try is, the request id. On a short terminal the banner's height is capped (``app.tcss``) and
    whole lines go from the bottom; the header keeps the countdown and the title says STALE.
    """
    waited = scheduler.waited(now)
    error = scheduler.last_error
    if waited is None and error is None:
        return None
    lines: list[Text] = []
    if waited is not None:
        lines.append(Text.assemble((f"✗ No answer from the API for {int(waited)} s.", "bold"),
                                   " The request is still waiting; r abandons it and tries again now."))
    elif error is not None:
        lines.append(Text.assemble(("✗ Couldn't refresh the endpoints: ", "bold"),
                                   str(error) if isinstance(error, APIError) else describe_error(error)))
        lines.append(Text(error_advice(error)))
    when = Text()
    if scheduler.last_success is not None:
        when.append(f"Showing the rows from {scheduler.last_success:%H:%M:%S} UTC (stale).")
    if waited is None and (remaining := scheduler.retry_in(now)) is not None:
        when.append(f"{' ' if when else ''}Next try in {round(remaining)} s; r tries now.")
    if when:
        lines.append(when)
    request_id = getattr(error, "request_id", None) if waited is None else None
    if request_id:
        lines.append(Text(f"Request id {request_id}.", style="dim"))
    return Text("\n").join(lines)


class TitleLine(Widget):
    """The one-line summary over the table. Unlike Static.update(), a new text repaints this line only:
    its height never changes, so there is no need to lay the whole screen out again on every poll."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._text = Text()

    def render(self) -> Text:
        return self._text

    def show(self, text: Text) -> None:
        old = self._text
        # Asked every second (the stale check): most ticks say the same, and a repaint is a frame of its own.
        # Text's == ignores the base style, which a state's colour may be.
        if text.plain == old.plain and text.style == old.style and text.spans == old.spans:
            return
        self._text = text
        self.refresh()
