"""Long loops on the UI's event loop, cut into slices that let it run in between.

Applying a list of 5,000 endpoints takes tens of milliseconds of Python: done at once it holds the loop (keys,
drawing) for all of them. A loop over such a list asks ``due()`` after each item and awaits ``pause()`` when
it says so; the slices are measured in real time (what the loop feels), not counted.
"""

from __future__ import annotations

import asyncio
import time

#: The longest a slice holds the loop, in seconds.
SLICE_BUDGET = 0.003
#: Items between two looks at the clock (a look costs about as much as a cheap item).
CHECK_EVERY = 16


class Slices:
    def __init__(self, budget: float = SLICE_BUDGET) -> None:
        self.budget = budget
        self._count = 0
        self._began = time.perf_counter()

    def due(self) -> bool:
        self._count += 1
        if self._count % CHECK_EVERY:
            return False
        return time.perf_counter() - self._began >= self.budget

    async def pause(self) -> None:
        await asyncio.sleep(0)
        self._began = time.perf_counter()
