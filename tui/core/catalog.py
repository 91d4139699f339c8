"""The catalogue: models, hardware with prices, zones. One fetch path for every pane and form.

Each question is asked of the provider once while it is in flight (a second asker shares the first
request) and its answer is kept for a while: the Endpoints pane's prices, the Hardware pane's table, the
create form's pickers and the chat's targets all read the same answers. A failure is not kept, so the
next asker tries again.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from tui.api.domain import DeployOption, HardwareOption, ModelOption
from tui.api.errors import APIError
from tui.core.listeners import Listeners

if TYPE_CHECKING:
    from tui.api.provider import Provider

T = TypeVar("T")

#: Prices and offerings change rarely; availability more often, but a form asks again when it opens.
DEFAULT_TTL = 300.0


@dataclass
class _Entry:
    value: Any
    at: float


class Catalog:
    def __init__(
        self, provider: Provider, *, ttl: float = DEFAULT_TTL, monotonic: Callable[[], float] = time.monotonic
    ) -> None:
        self._provider = provider
        self._ttl = ttl
        self._monotonic = monotonic
        self._answers: dict[Hashable, _Entry] = {}
        self._in_flight: dict[Hashable, asyncio.Future[Any]] = {}
        self._listeners: Listeners[[]] = Listeners("catalogue")

    def subscribe(self, listener: Callable[[], None]) -> Callable[[], None]:
        """Called whenever a new answer arrives (prices known, say); returns the unsubscribe function."""
        return self._listeners.subscribe(listener)

    async def hardware(self, model: str | None = None, *, fresh: bool = False) -> list[HardwareOption]:
        """What can be deployed (for a model, when given). Unfiltered, the legacy hardware's prices are
        fetched beside it (``known_hardware``), so the account's v1 endpoints are priced too."""
        if fresh:
            self._provider_refresh()
        options = await self._ask(("hardware", model), lambda: self._provider.list_hardware(model), fresh=fresh)
        if model is None:
            await self._legacy_prices(fresh=fresh)
        return options

    async def _legacy_prices(self, *, fresh: bool) -> None:
        fetch = getattr(self._provider, "legacy_hardware", None)
        if fetch is None:
            return
        try:
            await self._ask(("legacy_hardware",), fetch, fresh=fresh)
        except APIError:
            return  # a nicety: legacy rows read "?" until the next ask

    async def models(self, *, dedicated_only: bool = False, fresh: bool = False) -> list[ModelOption]:
        return await self._ask(
            ("models", dedicated_only),
            lambda: self._provider.list_models(dedicated_only=dedicated_only),
            fresh=fresh,
        )

    async def deploy_options(self, model: str, *, fresh: bool = False) -> list[DeployOption]:
        """A model's deploy profiles (providers with ``capabilities.deploy_profiles``)."""
        fetch = getattr(self._provider, "deploy_options", None)
        if fetch is None:
            return []
        if fresh:
            self._provider_refresh()
        return await self._ask(("deploy_options", model), lambda: fetch(model), fresh=fresh)

    async def zones(self, *, fresh: bool = False) -> list[str]:
        if fresh:
            self._provider_refresh()
        return await self._ask(("zones",), self._provider.list_availability_zones, fresh=fresh)

    def _provider_refresh(self) -> None:
        """The user asked for fresh data: a provider that keeps a catalogue of its own (v2's instance types and
        models, read once per start) reads it again for this ask."""
        forget = getattr(self._provider, "forget_catalogue", None)
        if forget is not None:
            forget()

    def known_hardware(self) -> dict[str, HardwareOption] | None:
        """Every hardware option (with its price) from the last unfiltered answer, the legacy ones too (a
        v1 endpoint's hardware id), without asking; None until one arrived."""
        entry = self._answers.get(("hardware", None))
        if entry is None:
            return None
        legacy = self._answers.get(("legacy_hardware",))
        known = {option.id: option for option in legacy.value} if legacy is not None else {}
        known.update((option.id, option) for option in entry.value)
        return known

    def price_of(self, hardware_id: str | None) -> float | None:
        known = self.known_hardware()
        if not known or hardware_id is None or hardware_id not in known:
            return None
        return known[hardware_id].price_per_hour

    def forget(self) -> None:
        """Drop every kept answer (a profile switch, or the user asked for fresh data)."""
        self._answers.clear()

    async def _ask(self, key: Hashable, fetch: Callable[[], Awaitable[T]], *, fresh: bool) -> T:
        entry = self._answers.get(key)
        if entry is not None and not fresh and self._monotonic() - entry.at < self._ttl:
            return entry.value
        pending = self._in_flight.get(key)
        if pending is None:
            pending = asyncio.ensure_future(self._fetch(key, fetch))
            self._in_flight[key] = pending
        # A caller cancelled (a closed form) must not cancel the request others wait on.
        return await asyncio.shield(pending)

    async def _fetch(self, key: Hashable, fetch: Callable[[], Awaitable[T]]) -> T:
        try:
            value = await fetch()
        finally:
            self._in_flight.pop(key, None)
        self._answers[key] = _Entry(value, self._monotonic())
        self._listeners.emit()
        return value
