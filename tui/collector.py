"""The cyclic garbage collector: paused while the app starts, then told to skip what start-up and the first load built.

Start-up allocates hundreds of thousands of long-lived objects (modules, classes, CSS rules, widgets) and
almost no cyclic garbage; the collector would walk them again and again as they pile up (about a tenth of
the CPU to the first frame, measured by ``benchmarks/cold_start.py``). So ``tui.cli.main`` pauses it and the
app resumes it once its first frame with endpoints is drawn and a large first fill's rows, drawn in slices
after that frame, are all in (or after a deadline, whatever happens). Resuming first freezes what exists
then: a later full collection, which runs on the UI loop, does not walk the start-up objects again (one less
long block while the user types). The price: cyclic garbage made during start-up is never freed (kilobytes;
``benchmarks/memory.py`` watches the total).

The first load then reads every endpoint's details, and each full pass walks all that is loaded so far
on the UI loop: at 5,000 endpoints seven passes of 18, 22, 40, 62, 78, 94 and 110 ms CPU during the load
and one of 135 ms after it (a collector trace beside ``benchmarks/accounts.py``). So while the first load
runs, the app calls ``freeze_loaded`` every second: the young generations are collected first (most of a
load's garbage dies young), then what is alive is left out of later full passes, so a full pass walks at
most a second of what the load built. ``FreezeAfterFullPasses`` also freezes what survived a full pass
that came between two seconds. With both, the longest collection during a load of 5,000 endpoints went
from 30-45 ms CPU (a full pass over the ~45,000 objects the rows' drawing had left since the last one)
to 3-4 ms (a young one); the process's memory at the load's end was 137.3 MB against 139.6 without the
per-second freezes (``docs/benchmarks.md``, session 14). A load still running after two minutes (details
failing again and again) is frozen no more: what is in flight at each freeze and dies later in a cycle
would never be freed. The price: what of a frozen object becomes cyclic garbage later is not freed (a
row's data is freed by its reference count; widgets and tasks of the moment are what would stay).
"""

from __future__ import annotations

import gc
from collections.abc import Callable

_paused = False


def pause_collector() -> None:
    """Stop automatic collections until ``resume_collector`` (a no-op if someone already disabled them)."""
    global _paused
    if gc.isenabled():
        gc.disable()
        _paused = True


def resume_collector() -> None:
    """Freeze what start-up built and collect automatically again. Safe to call any number of times;
    does nothing if this module did not pause the collector."""
    global _paused
    if not _paused:
        return
    _paused = False
    gc.freeze()
    gc.enable()


def collector_paused() -> bool:
    return _paused


def freeze_loaded() -> None:
    """Leave what exists now out of later full passes (after collecting the young generations)."""
    if gc.isenabled():
        gc.collect(1)
        gc.freeze()


class FreezeAfterFullPasses:
    """While installed, what survives a full pass is frozen right after it (on the loop, not inside the
    collector's callback): the next full pass walks only what was allocated since. Meant for a bounded
    stretch (the first load): cyclic garbage among frozen objects is never freed."""

    def __init__(self, call_soon: Callable[[Callable[[], None]], object]) -> None:
        self._call_soon = call_soon
        self.frozen = 0

    def _heard(self, phase: str, info: dict[str, int]) -> None:
        # Any thread's allocation may run the collector (a worker's), hence a thread-safe call_soon; a loop
        # already closed is no reason to print "Exception ignored in gc callback" over the screen.
        if phase == "stop" and info.get("generation") == 2:
            try:
                self._call_soon(self._freeze)
            except RuntimeError:
                self.remove()

    def _freeze(self) -> None:
        gc.freeze()
        self.frozen += 1

    def install(self) -> None:
        if self._heard not in gc.callbacks:
            gc.callbacks.append(self._heard)

    def remove(self) -> None:
        if self._heard in gc.callbacks:
            gc.callbacks.remove(self._heard)
