"""The cyclic garbage collector, paused while the app starts and told to skip what start-up built.

Start-up allocates hundreds of thousands of long-lived objects (modules, classes, CSS rules, widgets) and
almost no cyclic garbage; the collector would walk them again and again as they pile up (about a tenth of
the CPU to the first frame, measured by ``benchmarks/cold_start.py``). So ``tui.cli`` pauses it on
import and the app resumes it once its first frame with endpoints is drawn (or after a deadline, whatever
happens). Resuming first freezes what exists then: a later full collection, which runs on the UI loop,
does not walk the start-up objects again (one less long block while the user types). The price: cyclic
garbage made during start-up is never freed (kilobytes; ``benchmarks/memory.py`` watches the total).

The first load then reads every endpoint's details, and a full pass walks all of them on the UI loop (up
to 117 ms CPU at 5,000 endpoints, 23 ms at 1,000, by ``benchmarks/probed_app.py``'s slow-callback probe).
Once that load is over the app calls ``freeze_loaded``: the young generations are collected first (most
of a load's garbage dies young), then what is alive is left out of later full passes, which walk only
what changed since. What of it becomes cyclic garbage later is not freed (a row's data is freed by its
reference count; widgets and tasks of the moment are what would stay).
"""

from __future__ import annotations

import gc

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
