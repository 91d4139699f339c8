"""Who is told of news (the store's changes, the catalogue's answers), each in the context it subscribed from.

News is told from whichever task brought it, and some of those tasks are older than the app: the first list
and the prices are asked for while Textual is still loading (``Account.begin``), so their tasks hold none of
the app's context variables. A view's callback run in such a task made timers that died on their first tick
(Textual's timer reads the active app from its task's context) and surfaced as a traceback at exit. Run in
the context it subscribed from, a callback sees what it would see in its own message handler, whoever
emits.
"""

from __future__ import annotations

import contextvars
import logging
from collections.abc import Callable
from typing import Generic, ParamSpec

P = ParamSpec("P")

log = logging.getLogger(__name__)


class Listeners(Generic[P]):
    def __init__(self, what: str) -> None:
        self._what = what
        self._entries: list[tuple[Callable[P, None], contextvars.Context]] = []

    def __len__(self) -> int:
        return len(self._entries)

    def subscribe(self, listener: Callable[P, None]) -> Callable[[], None]:
        """Tell ``listener`` of each piece of news from now on; returns the unsubscribe function."""
        entry = (listener, contextvars.copy_context())
        self._entries.append(entry)

        def unsubscribe() -> None:
            if entry in self._entries:
                self._entries.remove(entry)

        return unsubscribe

    def emit(self, *args: P.args, **kwargs: P.kwargs) -> None:
        """Call every listener (in the order they came); one that fails is logged and the rest still hear."""
        for listener, context in list(self._entries):
            try:
                # A copy each time: a listener's news may make more news (entering a context twice is an
                # error), and what one call sets must not leak into the next.
                context.copy().run(listener, *args, **kwargs)
            except Exception:  # a view's bug must not stop the store or lose the catalogue's answer
                log.exception("%s listener failed", self._what)
