"""Yield to the event loop by time, not by count: large lists are parsed, built and applied in loop-sized pieces.

An item's cost varies by a factor of ten (an endpoint with one deployment or eight, a loaded machine), so a
fixed slice is either too long somewhere or yields needlessly everywhere. A ``Pacer`` yields once its
budget of wall time has passed since the last yield: each piece stays within it whatever the items. Wall
time, not CPU: on a loaded machine the time the scheduler gave others counts too, so it yields sooner.
"""

from __future__ import annotations

import asyncio
import time

#: Work between two yields. asyncio runs a task's next step before a timer that fell due meanwhile, so a
#: waiting callback can sit behind two pieces: half the 10 ms target each, with room for the machine.
BUDGET = 0.002


class Pacer:
    def __init__(self, budget: float | None = None) -> None:
        self.budget = BUDGET if budget is None else budget
        self._since = time.perf_counter()

    async def pause(self) -> None:
        """Yield to the loop if this piece of work has had its budget; otherwise return at once."""
        if time.perf_counter() - self._since >= self.budget:
            await asyncio.sleep(0)
            self._since = time.perf_counter()
