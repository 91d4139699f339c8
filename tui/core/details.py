"""Details the endpoint list does not carry, and how to fetch them without flooding the API.

In steady state a poll costs one list request and nothing else: a detail is fetched once per endpoint,
again when its state changes or the user refreshes, with a bounded number of requests in flight.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import replace
from typing import TypeVar

from tui.api.domain import Deployment, Endpoint
from tui.api.errors import APIError

T = TypeVar("T")


def complete(endpoint: Endpoint) -> bool:
    """Every detail is known: a v1 endpoint read one by one, a v2 one with its full deployments."""
    return endpoint.detailed and all(d.detailed for d in endpoint.deployments)


def _shape(endpoint: Endpoint) -> frozenset[tuple[str, str, int | None, int | None]]:
    """What a v2 list says of each deployment that makes its details (message, etag) worth reading again.

    A set, not a sequence: the endpoint's summaries and its deployments' own list need not come in the
    same order (the simulator's do not; the real API's orders are UNVERIFIED), and a read whose order
    differed from the list's made the row look changed at every poll, so it was read again every poll.
    """
    return frozenset((d.id, d.state, d.min_replicas, d.max_replicas) for d in endpoint.deployments)


def progress(endpoint: Endpoint) -> frozenset[tuple[str, str, int | None, int | None, int | None, int | None]]:
    """What a v2 list says of each deployment of a moving endpoint: its state, bounds and replicas ready and
    desired (``_shape`` and the replica counts), by deployment id."""
    return frozenset((d.id, d.state, d.min_replicas, d.max_replicas, d.ready_replicas, d.desired_replicas)
                     for d in endpoint.deployments)


def _with_details(listed: Deployment, cached: Deployment | None) -> Deployment:
    """A listed deployment (fresh state, replicas, share) with what only its full read says."""
    if cached is None:
        return listed
    same = (cached.state, cached.min_replicas, cached.max_replicas) == (
        listed.state, listed.min_replicas, listed.max_replicas)
    return replace(
        listed,
        # The message and the etag belong to the state they were read in.
        status_message=cached.status_message if same else None,
        version=cached.version if same else None,
        detailed=same,
        inactive_timeout=cached.inactive_timeout,
        engine=cached.engine,
        quantization=cached.quantization,
        parallelism=cached.parallelism,
        max_concurrent_requests=cached.max_concurrent_requests,
        scale_up_window=cached.scale_up_window,
        scale_down_window=cached.scale_down_window,
        hardware_label=listed.hardware_label or cached.hardware_label,
    )


class DetailCache:
    """Per-endpoint details the list does not carry (hardware, autoscaling, display name).

    Fetched once per endpoint, again when its state changes or when the user refreshes; in steady
    state a poll costs one list request and nothing else.
    """

    def __init__(self) -> None:
        self._details: dict[str, Endpoint] = {}
        self._stale: set[str] = set()
        #: The last merge per endpoint, reused while neither side changed (most polls, most rows).
        self._merged: dict[str, tuple[Endpoint, Endpoint, Endpoint]] = {}

    def __contains__(self, endpoint_id: object) -> bool:
        return endpoint_id in self._details

    def __len__(self) -> int:
        return len(self._details)

    def get(self, endpoint_id: str) -> Endpoint | None:
        return self._details.get(endpoint_id)

    def store(self, endpoint: Endpoint) -> None:
        if complete(endpoint):
            self._details[endpoint.id] = endpoint
            self._stale.discard(endpoint.id)

    def forget(self, endpoint_id: str) -> None:
        self._details.pop(endpoint_id, None)
        self._merged.pop(endpoint_id, None)
        self._stale.discard(endpoint_id)

    def invalidate(self, endpoint_ids: Iterable[str] | None = None) -> None:
        self._stale.update(self._details if endpoint_ids is None else endpoint_ids)

    def prune(self, present: Iterable[str]) -> None:
        keep = set(present)
        for endpoint_id in [i for i in self._details if i not in keep]:
            self.forget(endpoint_id)

    def wanted(self, listed: Iterable[Endpoint]) -> list[str]:
        """Ids worth a detail request, in the order given."""
        return [endpoint.id for endpoint in listed if self.needs(endpoint)]

    def needs(self, endpoint: Endpoint) -> bool:
        """This listed endpoint is worth a detail request: never read, changed since, or refreshed by the user."""
        if not endpoint.dedicated or complete(endpoint):
            return False
        cached = self._details.get(endpoint.id)
        if cached is None or endpoint.id in self._stale:
            return True
        return cached.state != endpoint.state or _shape(cached) != _shape(endpoint)

    def merge(self, listed: Endpoint) -> Endpoint:
        """The listed endpoint (fresh state) with the cached details filled in."""
        if complete(listed):
            self.store(listed)
            return listed
        cached = self._details.get(listed.id)
        if cached is None:
            return listed
        previous = self._merged.get(listed.id)
        if previous is not None and previous[1] is cached and (previous[0] is listed or previous[0] == listed):
            return previous[2]
        if listed.deployments or listed.api == "v2":
            merged = self._merge_tree(listed, cached)
            self._merged[listed.id] = (listed, cached, merged)
            return merged
        merged = replace(
            listed,
            display_name=cached.display_name,
            hardware_id=cached.hardware_id,
            min_replicas=cached.min_replicas,
            max_replicas=cached.max_replicas,
            detailed=True,
            extra={**cached.extra, **listed.extra},
        )
        self._merged[listed.id] = (listed, cached, merged)
        return merged

    @staticmethod
    def _merge_tree(listed: Endpoint, cached: Endpoint) -> Endpoint:
        known = {d.id: d for d in cached.deployments}
        deployments = tuple(_with_details(d, known.get(d.id)) for d in listed.deployments)
        deciding = next((d.status_message for d in deployments if d.state == listed.state and d.status_message),
                        None)
        return replace(
            listed,
            deployments=deployments,
            status_message=deciding or (cached.status_message if cached.state == listed.state else None),
            inactive_timeout=listed.inactive_timeout or cached.inactive_timeout,
            extra={**cached.extra, **listed.extra},
        )


async def fetch_bounded(
    ids: Sequence[str],
    fetch: Callable[[str], Awaitable[T]],
    *,
    concurrency: int,
    on_result: Callable[[str, T], None],
    on_error: Callable[[str, APIError], bool],
) -> None:
    """Fetch ``ids`` with at most ``concurrency`` requests in flight.

    ``on_error`` returns whether to go on: a rate limit or an outage stops the batch rather than
    sending hundreds of requests that will fail the same way.
    """
    pending = iter(ids)
    stopped = False

    async def runner() -> None:
        nonlocal stopped
        for endpoint_id in pending:
            if stopped:
                return
            try:
                result = await fetch(endpoint_id)
            except APIError as exc:
                if not on_error(endpoint_id, exc):
                    stopped = True
                    return
                continue
            on_result(endpoint_id, result)

    await asyncio.gather(*(runner() for _ in range(max(1, min(concurrency, len(ids))))))
