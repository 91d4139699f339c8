"""The v2 catalogue (instance types with prices and room, supported models with names) as the provider keeps it:
read once per start, shared by callers at the same time, read again only when it is old for what asks or the
user asked for fresh data.

The list prices its rows and names their models with the one kept (``get()``); what shows the catalogue
itself (the Hardware pane, deploy profiles, regions) asks with ``max_age``: the kept one serves if it was read
that recently and no fresh data was asked for since (``forget``), so the first poll's read also serves the
prices the Endpoints pane asks right after it, while an ask minutes later (the app's own cache expired) or
after the user's ``r`` reads again.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable

from tui.api.together.v2.adapter import Catalogue

#: Seconds a catalogue read serves the screens that show it.
CATALOGUE_REUSE = 60.0


class CatalogueKeeper:
    def __init__(self, read: Callable[[], Awaitable[Catalogue]]) -> None:
        self._read = read
        self.kept: Catalogue | None = None
        self._reading: asyncio.Future[Catalogue] | None = None
        #: When the kept one's read began (monotonic); -inf once the user asked for fresh data.
        self._at = 0.0

    async def get(self, *, max_age: float | None = None) -> Catalogue:
        """The kept catalogue, or (none kept, or older than ``max_age``) a read shared by the callers at the
        same time; a read already under way is as fresh as a new one."""
        kept = self.kept
        if kept is not None and (max_age is None or time.monotonic() - self._at <= max_age):
            return kept
        # Shielded: a caller given up on (a closed screen) does not cancel the read the others wait for.
        return await asyncio.shield(self.begin())

    def begin(self) -> asyncio.Future[Catalogue]:
        """The read under way, or a new one."""
        reading = self._reading
        if reading is None or reading.done():
            reading = self._reading = asyncio.ensure_future(self._fetch())
            # Begun for a caller that may not wait for it (a list refused meanwhile): its failure is then
            # the next asker's, not an unretrieved exception.
            reading.add_done_callback(lambda done: done.cancelled() or done.exception())
        return reading

    def forget(self) -> None:
        """The user asked for fresh data: the next ask with ``max_age`` reads again."""
        self._at = float("-inf")

    async def _fetch(self) -> Catalogue:
        started = time.monotonic()
        catalogue = await self._read()
        self.kept, self._at = catalogue, started
        return catalogue
