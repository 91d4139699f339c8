"""``GET /v1/hardware?model=`` for a model no dedicated hardware serves: an error from the API (reference
together-v2-api.md §0.1), an empty choice in the app (never a failure shown as if the catalogue were down)."""

from __future__ import annotations

import httpx

from tui.api.together import TogetherClient
from tui.simulator import DEMO_API_KEY, SimulatorServer


async def test_the_simulator_answers_an_error_for_a_model_with_no_dedicated_configuration(
    sim_server: SimulatorServer,
) -> None:
    async with httpx.AsyncClient(base_url=sim_server.base_url) as http:
        headers = {"Authorization": f"Bearer {DEMO_API_KEY}"}
        refused = await http.get("/hardware", params={"model": "no-such/model"}, headers=headers)
        offered = await http.get("/hardware", params={"model": "openai/gpt-oss-20b"}, headers=headers)
    assert refused.status_code == 400
    assert "No GPU configurations found for model no-such/model" in refused.json()["error"]["message"]
    assert offered.status_code == 200 and offered.json()["data"]


async def test_the_client_reads_that_error_as_no_hardware(
    sim_server: SimulatorServer,
) -> None:
    client = TogetherClient(DEMO_API_KEY, base_url=sim_server.base_url)
    try:
        assert await client.list_hardware("no-such/model") == []
        assert await client.list_hardware("openai/gpt-oss-20b")
    finally:
        await client.aclose()
