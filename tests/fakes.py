"""An in-memory provider for store and pane tests: scripted phases, recorded calls, injectable failures.

It speaks the provider interface with domain objects only, so a test says what the account looks like
and what happens next ("the start is accepted, then the endpoint goes STARTING, then STARTED") without any
wire format. Time moves only when the test calls ``advance()``.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from tui.api.domain import (
    ChatEvent,
    ChatMessage,
    ChatParams,
    ChatReply,
    Endpoint,
    EndpointChanges,
    EndpointSpec,
    HardwareOption,
    ModelOption,
    Phase,
)
from tui.api.errors import APIError, NotFoundError

#: The Together v1 state words for each phase: what the fake reports as the raw state.
STATE_OF = {
    Phase.PENDING: "PENDING",
    Phase.STARTING: "STARTING",
    Phase.READY: "STARTED",
    Phase.STOPPING: "STOPPING",
    Phase.STOPPED: "STOPPED",
    Phase.FAILED: "ERROR",
}


#: One H100 at the price the pane tests add up.
H100 = HardwareOption("1x_nvidia_h100_80gb_sxm", "h100-80gb", 1, 80, "sxm", price_per_hour=3.99)
PHASE_OF = {state: phase for phase, state in STATE_OF.items()}


def titled(endpoint_id: str, title: str, *, state: str = "STOPPED", **fields: Any) -> Endpoint:
    """An endpoint as the Endpoints pane tests see one: a display name, a state word, one or two H100s."""
    values: dict[str, Any] = {
        "owner": "me", "name": f"me/{endpoint_id}", "model": "openai/gpt-oss-20b", "display_name": title,
        "created_at": datetime(2026, 1, 12, tzinfo=UTC) - timedelta(hours=1), "hardware_id": H100.id,
        "min_replicas": 1, "max_replicas": 2, "state": state,
    }
    values.update(fields)
    return endpoint(endpoint_id, PHASE_OF.get(state, Phase.UNKNOWN), **values)


def endpoint(endpoint_id: str, phase: Phase = Phase.READY, **fields: Any) -> Endpoint:
    values: dict[str, Any] = {
        "id": endpoint_id,
        "name": f"acme/{endpoint_id}",
        "model": "meta-llama/Llama-3.3-70B-Instruct-Turbo",
        "state": STATE_OF.get(phase, "UNKNOWN"),
        "phase": phase,
        "hardware_id": "1x_nvidia_h100_80gb_sxm",
        "min_replicas": 1,
        "max_replicas": 1,
        "detailed": True,
    }
    values.update(fields)
    return Endpoint(**values)


@dataclass
class FakeProvider:
    label: str = "Fake"
    base_url: str = "https://fake.invalid/v1"
    accounts: dict[str, Endpoint] = field(default_factory=dict)
    hardware: list[HardwareOption] = field(default_factory=list)
    models: list[ModelOption] = field(default_factory=list)
    #: Every call, in order: (method name, positional arguments).
    calls: list[tuple[str, tuple[Any, ...]]] = field(default_factory=list)
    #: Errors to raise, per method name, consumed one per call.
    failures: dict[str, list[APIError]] = field(default_factory=dict)
    #: Phases each endpoint passes through on successive ``advance()`` calls.
    scripts: dict[str, list[Phase]] = field(default_factory=dict)
    #: While set, list_endpoints waits on it (a hung server).
    hang_list: asyncio.Event | None = None
    #: When False, list items carry no details (as v1 lists do) and get_endpoint must fill them in.
    detailed_lists: bool = True
    #: List requests abandoned while hung (cancelled by the caller).
    cancelled_lists: int = 0

    @classmethod
    def with_endpoints(cls, *endpoints: Endpoint, hardware: list[HardwareOption] | None = None,
                       **options: Any) -> FakeProvider:
        """An account holding ``endpoints``, priced from ``hardware`` (one H100 unless told)."""
        return cls(hardware=[H100] if hardware is None else hardware, **options).add(*endpoints)

    @property
    def actions(self) -> list[tuple[str, str]]:
        """Every change asked for, in order, as (verb, endpoint id)."""
        verbs = {"start_endpoint": "start", "stop_endpoint": "stop", "delete_endpoint": "delete"}
        return [(verbs[name], args[0]) for name, args in self.calls if name in verbs]

    @property
    def list_calls(self) -> int:
        return len(self.called("list_endpoints"))

    def add(self, *endpoints: Endpoint) -> FakeProvider:
        for item in endpoints:
            self.accounts[item.id] = item
        return self

    def advance(self) -> None:
        """One step of time: each scripted endpoint moves to its next phase."""
        for endpoint_id, phases in self.scripts.items():
            if phases and endpoint_id in self.accounts:
                self._set_phase(endpoint_id, phases.pop(0))

    def _set_phase(self, endpoint_id: str, phase: Phase) -> Endpoint:
        updated = replace(self.accounts[endpoint_id], phase=phase, state=STATE_OF.get(phase, "UNKNOWN"))
        self.accounts[endpoint_id] = updated
        return updated

    def _called(self, name: str, *args: Any) -> None:
        self.calls.append((name, args))
        queue = self.failures.get(name)
        if queue:
            raise queue.pop(0)

    def called(self, name: str) -> list[tuple[Any, ...]]:
        return [args for method, args in self.calls if method == name]

    def _get(self, endpoint_id: str) -> Endpoint:
        if endpoint_id not in self.accounts:
            raise NotFoundError(f"Endpoint {endpoint_id} not found", status=404)
        return self.accounts[endpoint_id]

    async def list_endpoints(self, *, include_serverless: bool = False) -> list[Endpoint]:
        self._called("list_endpoints", include_serverless)
        if self.hang_list is not None:
            try:
                await self.hang_list.wait()
            except asyncio.CancelledError:
                self.cancelled_lists += 1
                raise
        items = [item for item in self.accounts.values() if include_serverless or item.dedicated]
        if self.detailed_lists:
            return items
        return [replace(item, detailed=False, hardware_id=None, min_replicas=None, max_replicas=None)
                for item in items]

    async def get_endpoint(self, endpoint_id: str) -> Endpoint:
        self._called("get_endpoint", endpoint_id)
        return self._get(endpoint_id)

    async def create_endpoint(self, spec: EndpointSpec) -> Endpoint:
        self._called("create_endpoint", spec)
        new_id = f"endpoint-{len(self.accounts) + 1}"
        created = endpoint(new_id, Phase.PENDING if spec.start else Phase.STOPPED, model=spec.model,
                           hardware_id=spec.hardware_id, display_name=spec.display_name,
                           min_replicas=spec.min_replicas, max_replicas=spec.max_replicas)
        self.accounts[new_id] = created
        return created

    async def update_endpoint(self, endpoint_id: str, changes: EndpointChanges) -> Endpoint:
        self._called("update_endpoint", endpoint_id, changes)
        current = self._get(endpoint_id)
        fields = {name: getattr(changes, name) for name in ("display_name", "min_replicas", "max_replicas")
                  if getattr(changes, name) is not None and not _unset(getattr(changes, name))}
        self.accounts[endpoint_id] = replace(current, **fields)
        return self.accounts[endpoint_id]

    async def start_endpoint(self, endpoint_id: str) -> Endpoint:
        self._called("start_endpoint", endpoint_id)
        self._get(endpoint_id)
        return self._set_phase(endpoint_id, Phase.PENDING)

    async def stop_endpoint(self, endpoint_id: str) -> Endpoint:
        self._called("stop_endpoint", endpoint_id)
        self._get(endpoint_id)
        return self._set_phase(endpoint_id, Phase.STOPPING)

    async def delete_endpoint(self, endpoint_id: str) -> None:
        self._called("delete_endpoint", endpoint_id)
        self._get(endpoint_id)
        del self.accounts[endpoint_id]

    async def list_hardware(self, model: str | None = None) -> list[HardwareOption]:
        self._called("list_hardware", model)
        return list(self.hardware)

    async def list_availability_zones(self) -> list[str]:
        self._called("list_availability_zones")
        return ["us-central-1"]

    async def list_models(self, *, dedicated_only: bool = False) -> list[ModelOption]:
        self._called("list_models", dedicated_only)
        return list(self.models)

    async def stream_chat(
        self, model: str, messages: Sequence[ChatMessage], params: ChatParams | None = None
    ) -> AsyncIterator[ChatEvent]:
        self._called("stream_chat", model)
        for word in ("Hello", " from", " the", " fake."):
            yield ChatEvent(content=word)
        yield ChatEvent(finish_reason="stop")

    async def chat(
        self, model: str, messages: Sequence[ChatMessage], params: ChatParams | None = None
    ) -> ChatReply:
        self._called("chat", model)
        return ChatReply(content="Hello from the fake.", finish_reason="stop")

    async def aclose(self) -> None:
        pass


def _unset(value: object) -> bool:
    return repr(value) == "UNSET"
