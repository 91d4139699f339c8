"""A Provider that answers from memory, for tests that need endpoints the simulator would not make
(hostile names, broken prices) or a list request that never answers. It records every change asked."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from tui.api.domain import Endpoint, HardwareOption, Phase
from tui.api.errors import NotFoundError

H100 = HardwareOption("1x_nvidia_h100_80gb_sxm", "h100-80gb", 1, 80, "sxm", price_per_hour=3.99)


def endpoint(id: str, display_name: str, *, state: str = "STOPPED", **fields: Any) -> Endpoint:
    phases = {"STOPPED": Phase.STOPPED, "STARTED": Phase.READY, "PENDING": Phase.PENDING}
    base = Endpoint(
        id=id, name=f"me/{id}", model="openai/gpt-oss-20b", state=state, phase=phases.get(state, Phase.UNKNOWN),
        owner="me", created_at=datetime(2026, 1, 12, tzinfo=UTC) - timedelta(hours=1), display_name=display_name,
        hardware_id=H100.id, min_replicas=1, max_replicas=2, detailed=True,
    )
    return replace(base, **fields)


@dataclass
class FakeProvider:
    endpoints: dict[str, Endpoint] = field(default_factory=dict)
    hardware: list[HardwareOption] = field(default_factory=lambda: [H100])
    #: Every change asked for, as (verb, endpoint id).
    actions: list[tuple[str, str]] = field(default_factory=list)
    list_calls: int = 0
    #: While set, list requests wait on it: a server that accepted the request and never answers.
    hold_lists: asyncio.Event | None = None
    cancelled_lists: int = 0

    @classmethod
    def with_endpoints(cls, *endpoints: Endpoint, **options: Any) -> FakeProvider:
        return cls(endpoints={e.id: e for e in endpoints}, **options)

    async def list_endpoints(self, *, include_serverless: bool = False) -> list[Endpoint]:
        self.list_calls += 1
        if self.hold_lists is not None:
            try:
                await self.hold_lists.wait()
            except asyncio.CancelledError:
                self.cancelled_lists += 1
                raise
        return list(self.endpoints.values())

    async def get_endpoint(self, endpoint_id: str) -> Endpoint:
        if endpoint_id not in self.endpoints:
            raise NotFoundError("no such endpoint", status=404)
        return self.endpoints[endpoint_id]

    async def start_endpoint(self, endpoint_id: str) -> Endpoint:
        self.actions.append(("start", endpoint_id))
        started = replace(self.endpoints[endpoint_id], state="PENDING", phase=Phase.PENDING)
        self.endpoints[endpoint_id] = started
        return started

    async def stop_endpoint(self, endpoint_id: str) -> Endpoint:
        self.actions.append(("stop", endpoint_id))
        stopped = replace(self.endpoints[endpoint_id], state="STOPPED", phase=Phase.STOPPED)
        self.endpoints[endpoint_id] = stopped
        return stopped

    async def delete_endpoint(self, endpoint_id: str) -> None:
        self.actions.append(("delete", endpoint_id))
        self.endpoints.pop(endpoint_id, None)

    async def list_hardware(self, model: str | None = None) -> list[HardwareOption]:
        return list(self.hardware)

    async def list_availability_zones(self) -> list[str]:
        return []

    async def list_models(self, *, dedicated_only: bool = False) -> list[Any]:
        return []

    async def aclose(self) -> None:
        return None
