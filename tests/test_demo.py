"""Demo mode: the in-process simulator really streams, and the CLI starts the demo without a key."""

from __future__ import annotations

import itertools
import time

from tui.api import ChatMessage, ChatParams, Phase
from tui.demo import start_demo_backend


async def test_the_demo_backend_streams_token_by_token() -> None:
    backend = start_demo_backend(tokens_per_second=50.0)
    try:
        provider = backend.provider
        running = next(e for e in await provider.list_endpoints() if e.phase is Phase.READY)
        arrivals: list[float] = []
        async for event in provider.stream_chat(
            running.name, [ChatMessage("user", "hello")], ChatParams(max_tokens=40)
        ):
            if event.content or event.reasoning:
                arrivals.append(time.perf_counter())
        await provider.aclose()
    finally:
        backend.stop()
    assert len(arrivals) >= 20
    # Buffered (as through httpx.ASGITransport) every token would land within a few milliseconds of the
    # first; streamed at 50 tokens/s, they spread over (n - 1) / 50 seconds. Half of that is a generous bar.
    spread = arrivals[-1] - arrivals[0]
    assert spread > 0.5 * (len(arrivals) - 1) / 50.0
    gaps = [b - a for a, b in itertools.pairwise(arrivals)]
    assert sum(gap > 0.005 for gap in gaps) > len(gaps) / 2, "tokens arrived in bursts, not one by one"


def test_the_cli_help_and_version(capsys: object) -> None:
    import pytest

    from tui.cli import main

    with pytest.raises(SystemExit) as caught:
        main(["--version"])
    assert caught.value.code == 0
    with pytest.raises(SystemExit):
        main(["--help"])
    out = capsys.readouterr().out  # type: ignore[attr-defined]
    assert "--demo" in out and "simulate" in out and "auth" in out
