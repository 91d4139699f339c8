"""Issue 10 on today's default provider: what the hostile server's v2 half sends becomes display-safe domain data.

The real ``TogetherProvider`` (v2 beside legacy v1) against tests/hostile_server.py over loopback HTTP: every
string in every domain object it returns (endpoints, deployments, details, events, metrics, deploy options,
hardware, models, regions) is clean, every number is finite and not negative (or unknown), every timestamp
has a zone (or is unknown), nothing raises but a mapped API error, and nothing is sent that was not asked for.
The pty test (test_hostile_terminal.py) checks the same server through the terminal.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hostile_server import HostileServer
from hostile_v2 import SHORT, endpoint_ids

from tui.api import errors
from tui.api.safe_text import clean, clean_multiline
from tui.api.together.combined import TogetherProvider

API_KEY = "hostile-v2-key-0123456789abcdef"
# Free text that may keep line breaks (what the wire reads as ``Message``); every other string is one line.
_MULTILINE_FIELDS = {"status_message", "message"}


@pytest.fixture
def server() -> Iterator[HostileServer]:
    running = HostileServer(api_key=API_KEY).start()
    yield running
    running.stop()


@pytest.fixture
async def provider(server: HostileServer) -> AsyncIterator[TogetherProvider]:
    together = TogetherProvider.connect(API_KEY, server.base_url, inference_url=server.root_url, environ={})
    yield together
    await together.aclose()


def values_of(value: Any, name: str = "") -> Iterator[tuple[str, Any]]:
    """(field name, leaf value) for everything inside a domain object, nested ones and ``extra`` included."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        for item in dataclasses.fields(value):
            yield from values_of(getattr(value, item.name), item.name)
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from values_of(key, name)
            yield from values_of(item, name)
    elif isinstance(value, (list, tuple, set, frozenset)):
        for item in value:
            yield from values_of(item, name)
    else:
        yield name, value


def assert_safe(value: Any) -> None:
    for name, leaf in values_of(value):
        if isinstance(leaf, str):
            expected = clean_multiline(leaf) if name in _MULTILINE_FIELDS else clean(leaf)
            assert leaf == expected, f"{name}: {leaf[:80]!r}"
            assert API_KEY not in leaf, name
        elif isinstance(leaf, bool) or leaf is None:
            continue
        elif isinstance(leaf, (int, float)):
            assert math.isfinite(leaf), f"{name}: {leaf!r}"
            assert leaf >= 0, f"{name}: {leaf!r}"
        elif isinstance(leaf, datetime):
            assert leaf.tzinfo is not None, name


async def test_every_v2_endpoint_and_deployment_is_display_safe(provider: TogetherProvider) -> None:
    listed = await provider.list_endpoints()
    v2 = [e for e in listed if e.api == "v2"]
    assert len(v2) == len(SHORT) and len(listed) == 2 * len(SHORT)
    assert all(len(e.deployments) == 2 for e in v2)
    assert_safe(listed)
    # Markup in names stays the characters sent; the control in the slug is gone, its markup is not.
    names = {e.name for e in v2}
    assert "[b]slug/[@click=app.quit]X[/]" in names and "[b]slug/a [/] v2" in names
    for endpoint_id in endpoint_ids():
        detailed = await provider.get_endpoint(endpoint_id)
        assert_safe(detailed)
        for deployment in detailed.deployments:
            assert_safe(await provider.get_deployment(deployment.id))


async def test_events_and_metrics_are_display_safe_or_a_masked_error(provider: TogetherProvider) -> None:
    end = datetime.now(UTC)
    failures = 0
    for endpoint_id in endpoint_ids():
        try:
            events, _cursor = await provider.list_events(endpoint_id)
        except errors.APIError as exc:
            failures += 1
            assert_safe(str(exc))
            assert "…cdef" in str(exc)  # the echoed key, masked
        else:
            assert len(events) == len(SHORT)
            assert_safe(events)
        try:
            metrics = await provider.analytics(endpoint_id, start=end - timedelta(hours=1), end=end, granularity="1m")
        except errors.APIError as exc:
            assert API_KEY not in str(exc) and "\x1b" not in str(exc)
        else:
            assert_safe(metrics)
    assert failures, "no events answer was an error: the masked-key branch went unchecked"


async def test_catalogue_hardware_models_regions_and_deploy_options_are_display_safe(
    provider: TogetherProvider,
) -> None:
    hardware = await provider.list_hardware()
    assert len(hardware) == len(SHORT)
    assert_safe(hardware)
    models = await provider.list_models(dedicated_only=True)
    assert len(models) == len(SHORT)
    assert_safe(models)
    assert_safe(await provider.list_availability_zones())
    for model in models:
        assert_safe(await provider.deploy_options(model.id))


async def test_reading_a_hostile_v2_account_sends_nothing(provider: TogetherProvider, server: HostileServer) -> None:
    await provider.list_endpoints()
    await provider.get_endpoint(endpoint_ids()[0])
    await provider.list_hardware()
    assert server.mutating_requests == []
    assert any(path.startswith("/v2/projects/") for _, path in server.requests)


async def test_a_key_echoed_in_a_deployment_status_message_is_masked(server: HostileServer) -> None:
    server.echo_key = True
    together = TogetherProvider.connect(API_KEY, server.base_url, inference_url=server.root_url, environ={})
    try:
        detailed = await together.get_endpoint(endpoint_ids()[0])
    finally:
        await together.aclose()
    messages = [d.status_message or "" for d in detailed.deployments]
    assert any("Invalid API key provided" in message for message in messages), messages
    assert all(API_KEY not in message for message in messages)
