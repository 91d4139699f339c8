"""One account as the app sees it: its provider, the endpoint store and the catalogue over it.

The app opens one at start and one per profile switch. The CLI opens the first itself and begins it (the
first list and the prices on their way) before it loads the app's modules: on a real network those round
trips (``/v3/whoami`` before the v2 list, TLS before both) then pass while Textual is imported, not after.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Protocol

from tui.api.errors import APIError
from tui.core.catalog import Catalog
from tui.core.store import EndpointStore

if TYPE_CHECKING:
    from tui.api.provider import Provider

log = logging.getLogger(__name__)


class PollSettings(Protocol):
    """What the store needs of the app's configuration (``tui.core.app_config.AppConfig`` has it)."""

    @property
    def clock(self) -> Callable[[], datetime]: ...
    @property
    def refresh_interval(self) -> float: ...
    @property
    def fast_refresh_interval(self) -> float: ...
    @property
    def wait_timeout_minutes(self) -> float: ...


@dataclass
class Account:
    provider: Provider
    store: EndpointStore
    catalog: Catalog
    _prices: asyncio.Task[None] | None = field(default=None, repr=False)

    @classmethod
    def open(cls, provider: Provider, settings: PollSettings) -> Account:
        store = EndpointStore(
            provider, clock=settings.clock, slow=settings.refresh_interval, fast=settings.fast_refresh_interval,
            wait_timeout=timedelta(minutes=settings.wait_timeout_minutes),
        )
        return cls(provider, store, Catalog(provider))

    def begin(self) -> None:
        """Ask for the first list and the prices now, with no view yet (in a running loop): the store's
        ``run`` takes that list as its first poll, and the Endpoints pane's ask for prices joins theirs."""
        self.store.begin()
        if self._prices is None:
            self._prices = asyncio.ensure_future(self._ask_prices())

    async def _ask_prices(self) -> None:
        try:
            await self.catalog.hardware()
        except APIError as exc:
            # The Endpoints pane asks again once the list is in, and says nothing either: prices are a nicety.
            log.info("prices at start unavailable: %s", exc)
        except Exception:  # never "exception was never retrieved" on the terminal
            log.exception("prices at start failed")

    async def aclose(self) -> None:
        """Nothing of the start left in flight, the connections closed: what the app does as it ends, for
        an app that ended (or never ran) before it took the account over. Closing twice is harmless."""
        if self._prices is not None:
            self._prices.cancel()
            await asyncio.gather(self._prices, return_exceptions=True)
        await self.store.aclose()
        await self.provider.aclose()
