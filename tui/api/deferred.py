"""A provider that stands for one built later, its first answers read ahead by someone else.

``tui.head_start`` reads the first list and the hardware list in a child process while the app's own
process loads Textual; the app starts on this stand-in. It answers at once what a provider answers without a
request (its label, base URL and capabilities, which attributes it has), gives the first call of each read
ahead its answer, and builds the real provider (on a thread: the HTTP stack and the wire models import
there) on the first call that needs it. From then on every attribute is the real provider's.

An attribute the real provider lacks is lacking here too, so ``isinstance`` checks against the provider
protocols (``DeployingProvider``, ``EventSource``...) answer as they would on the real one.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

from tui.api.domain import Capabilities
from tui.api.provider import Provider

#: What every provider has (the protocol's members).
_EVERY_PROVIDERS = frozenset(name for name in dir(Provider) if not name.startswith("_"))

#: A read made ahead: the arguments it was made with, and how to wait for its answer ((True, value) when
#: it was read, (False, None) when it could not be: the real provider then asks again).
ReadAhead = tuple[tuple[tuple[Any, ...], dict[str, Any]], Callable[[], Awaitable[tuple[bool, Any]]]]


@dataclass(frozen=True)
class Description:
    """What a provider answers without a request: its name for people, its capabilities, and which of its
    public attributes are coroutine functions, stream functions (an async iterator, not awaited) or else."""

    label: str
    capabilities: Capabilities | None
    coroutines: frozenset[str]
    streams: frozenset[str]
    others: frozenset[str]


class DeferredProvider:
    """``described``: the description, waited for on its first use (it may still be on its way when the app
    is built; None if it never came: the real provider, built then, describes itself)."""

    def __init__(self, *, base_url: str, described: Callable[[], Description | None], build: Callable[[], Any],
                 read_ahead: Mapping[str, ReadAhead] | None = None) -> None:
        self.base_url = base_url
        self._described = described
        self._description: Description | None = None
        self._build = build
        self._read_ahead = dict(read_ahead or {})
        self._real: Any = None
        self._lock = threading.Lock()
        self._building: asyncio.Future[Any] | None = None
        self._closed = False

    @property
    def built(self) -> bool:
        return self._real is not None

    @property
    def description(self) -> Description:
        if self._description is None:
            known = self._described()
            if known is None:
                real = self._build_once()
                names = {name for name in dir(real) if not name.startswith("_")}
                known = Description(real.label, getattr(real, "capabilities", None), frozenset(names),
                                    frozenset(), frozenset())
            self._description = known
        return self._description

    @property
    def label(self) -> str:
        return self.description.label

    @property
    def capabilities(self) -> Capabilities:
        capabilities = self.description.capabilities
        if capabilities is None:
            raise AttributeError("capabilities")  # as the real provider, which has none
        return capabilities

    def _build_once(self) -> Any:
        with self._lock:  # the thread's build and a synchronous one never make two providers
            if self._real is None:
                self._real = self._build()
            return self._real

    async def real(self) -> Any:
        """The real provider, built on a thread the first time (the loop runs meanwhile)."""
        if self._real is not None:
            return self._real
        if self._building is None:
            self._building = asyncio.ensure_future(asyncio.to_thread(self._build_once))
        return await asyncio.shield(self._building)

    def __getattr__(self, name: str) -> Any:
        # Only for what __init__ did not set: the real provider's attributes.
        real = self.__dict__.get("_real")
        if real is not None:
            return getattr(real, name)
        if name.startswith("_") or "_described" not in self.__dict__:
            raise AttributeError(name)
        if name in self.__dict__["_read_ahead"] and name in _EVERY_PROVIDERS:
            # Every provider has it, and it was read ahead: no need to wait for the description.
            return self._deferred_call(name)
        described = self.description
        real = self.__dict__.get("_real")
        if real is not None:  # built to describe itself
            return getattr(real, name)
        if name in described.coroutines:
            return self._deferred_call(name)
        if name in described.streams:
            return self._deferred_stream(name)
        if name in described.others:
            # A plain method or a value cannot wait: the provider is built now, on the loop (nothing in the
            # app asks for one before the first frame's reads are in).
            return getattr(self._build_once(), name)
        raise AttributeError(name)

    def _deferred_call(self, name: str) -> Callable[..., Awaitable[Any]]:
        async def call(*args: Any, **kwargs: Any) -> Any:
            ahead = self._read_ahead.get(name)
            if ahead is not None and ahead[0] == (args, kwargs):
                del self._read_ahead[name]  # the first such call only: the next one asks again
                read, value = await ahead[1]()
                if read:
                    return value
            return await getattr(await self.real(), name)(*args, **kwargs)

        return call

    def _deferred_stream(self, name: str) -> Callable[..., AsyncIterator[Any]]:
        def stream(*args: Any, **kwargs: Any) -> AsyncIterator[Any]:
            async def events() -> AsyncIterator[Any]:
                real = await self.real()
                async for event in getattr(real, name)(*args, **kwargs):
                    yield event

            return events()

        return stream

    async def aclose(self) -> None:
        """Closes the real provider if it was built (or is being built); nothing was opened otherwise."""
        self._closed = True
        if self._building is not None:
            try:
                await asyncio.shield(self._building)
            except Exception:  # a build that failed opened nothing
                return
        if self._real is not None:
            await self._real.aclose()
