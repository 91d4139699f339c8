"""The official clients, unmodified, drive the simulator over loopback.

If the `together` 2.x SDK, its CLI and the `openai` SDK accept what the simulator sends, the
simulator's shapes, status codes and SSE framing are the ones those clients were built against.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import openai
import pytest
import together
from openai import AsyncOpenAI, OpenAI
from openai.types.chat import ChatCompletionMessageParam
from together import Together
from together.types.chat.completion_create_params import Message

from tui.simulator import DEMO_API_KEY, Faults, ManualClock, Simulator, SimulatorConfig, SimulatorServer

EPOCH = 1_768_478_400.0
H100 = "1x_nvidia_h100_80gb_sxm"


@pytest.fixture
def server() -> Iterator[SimulatorServer]:
    sim = Simulator(SimulatorConfig(clock=ManualClock(EPOCH), tokens_per_second=0, legacy_v1=True))
    with SimulatorServer(sim) as running:
        yield running


@pytest.fixture
def tg(server: SimulatorServer) -> Iterator[Together]:
    client = Together(base_url=server.base_url, api_key=DEMO_API_KEY, max_retries=0)
    yield client
    client.close()


@pytest.fixture
def oa(server: SimulatorServer) -> Iterator[OpenAI]:
    client = OpenAI(base_url=server.base_url, api_key=DEMO_API_KEY, max_retries=0)
    yield client
    client.close()


def advance(server: SimulatorServer, seconds: float) -> None:
    server.sim.advance(seconds)


# -- together SDK: endpoints ------------------------------------------------------------------------------


def test_together_list_endpoints(tg: Together) -> None:
    everything = tg.endpoints.list()
    assert everything.object == "list"
    assert {e.type for e in everything.data} == {"dedicated", "serverless"}
    mine = tg.endpoints.list(type="dedicated", mine=True)
    assert mine.data and all(e.type == "dedicated" and e.owner == "demo-user" for e in mine.data)
    assert {e.state for e in mine.data} >= {"STARTED", "STOPPED", "PENDING", "STARTING", "ERROR"}
    assert all(e.created_at.tzinfo is not None for e in mine.data)
    reserved = tg.endpoints.list(type="dedicated", usage_type="reserved")
    assert len(reserved.data) == 1


def test_together_hardware_and_zones(tg: Together) -> None:
    every = tg.endpoints.list_hardware()
    assert len(every.data) == 24 and all(h.availability is None for h in every.data)
    h100 = next(h for h in every.data if h.id == H100)
    assert h100.pricing.cents_per_minute == 6.65
    assert (h100.specs.gpu_type, h100.specs.gpu_link, h100.specs.gpu_memory, h100.specs.gpu_count) == (
        "h100-80gb", "sxm", 80, 1,
    )  # fmt: skip
    for_model = tg.endpoints.list_hardware(model="openai/gpt-oss-120b")
    assert for_model.data and all(h.availability is not None for h in for_model.data)
    assert {h.availability.status for h in for_model.data if h.availability} >= {"available", "unavailable"}
    zones = tg.endpoints.list_avzones()
    assert "us-central-4b" in zones.avzones


def test_together_endpoint_lifecycle(tg: Together, server: SimulatorServer) -> None:
    created = tg.endpoints.create(
        model="openai/gpt-oss-20b",
        hardware=H100,
        autoscaling={"min_replicas": 1, "max_replicas": 2},
        display_name="SDK endpoint",
        inactive_timeout=60,
        availability_zone="us-east-1a",
    )
    assert created.state == "PENDING" and created.display_name == "SDK endpoint"
    assert created.id.startswith("endpoint-") and created.name.startswith("demo-user/openai/gpt-oss-20b-")
    assert server.sim.requests("POST", "/v1/endpoints")[0].json_body["autoscaling"] == {
        "min_replicas": 1, "max_replicas": 2,
    }  # fmt: skip

    advance(server, 30)
    assert tg.endpoints.retrieve(created.id).state == "STARTING"
    advance(server, 150)
    assert tg.endpoints.retrieve(created.id).state == "STARTED"

    updated = tg.endpoints.update(
        created.id, display_name="Renamed", autoscaling={"min_replicas": 2, "max_replicas": 3}, inactive_timeout=0
    )
    assert updated.display_name == "Renamed"
    assert (updated.autoscaling.min_replicas, updated.autoscaling.max_replicas) == (2, 3)

    assert tg.endpoints.update(created.id, state="STOPPED").state == "STOPPING"
    advance(server, 20)
    assert tg.endpoints.retrieve(created.id).state == "STOPPED"
    assert tg.endpoints.update(created.id, state="STARTED").state == "PENDING"
    advance(server, 180)
    assert tg.endpoints.retrieve(created.id).state == "STARTED"

    tg.endpoints.delete(created.id)
    assert server.sim.requests("DELETE")[-1].status == 204
    with pytest.raises(together.NotFoundError):
        tg.endpoints.retrieve(created.id)
    assert len(server.sim.requests("POST", "/v1/endpoints")) == 1


def test_together_errors_map_to_sdk_exceptions(tg: Together, server: SimulatorServer) -> None:
    with pytest.raises(together.BadRequestError) as bad:
        tg.endpoints.create(
            model="openai/gpt-oss-20b", hardware="1x_nvidia_tpu", autoscaling={"min_replicas": 1, "max_replicas": 1}
        )
    assert "check the hardware api" in str(bad.value).lower()
    with pytest.raises(together.NotFoundError):
        tg.endpoints.update("endpoint-nope", state="STOPPED")
    bad_key = Together(base_url=server.base_url, api_key="wrong", max_retries=0)
    with pytest.raises(together.AuthenticationError):
        bad_key.endpoints.list()
    bad_key.close()
    server.sim.faults = Faults(rate_limit=1.0, retry_after=1)
    with pytest.raises(together.RateLimitError) as limited:
        tg.endpoints.list()
    assert limited.value.response.headers["retry-after"] == "1"
    server.sim.faults = Faults(error_status=503)
    with pytest.raises(together.InternalServerError):
        tg.models.list()


def test_together_models(tg: Together) -> None:
    models = tg.models.list()
    by_id = {m.id: m for m in models}
    assert by_id["openai/gpt-oss-20b"].type == "chat"
    assert by_id["openai/gpt-oss-20b"].pricing is not None
    dedicated = tg.models.list(dedicated=True)
    assert 0 < len(dedicated) < len(models)


def test_together_survives_unknown_enums_and_extra_fields(tg: Together, server: SimulatorServer) -> None:
    """Stainless models keep unknown fields and do not validate Literals: neither should break a client."""
    server.sim.faults = Faults(unknown_enums=True, extra_fields=True)
    listed = tg.endpoints.list()
    assert {e.state for e in listed.data} == {"DEGRADED"}
    assert listed.data[0].model_extra and "x_sim_extra" in listed.data[0].model_extra


# -- together SDK: chat ----------------------------------------------------------------------------------


def test_together_chat_stream_with_reasoning(tg: Together) -> None:
    stream = tg.chat.completions.create(
        model="openai/gpt-oss-20b",
        messages=[{"role": "user", "content": "What is a dedicated endpoint?"}],
        stream=True,
    )
    reasoning: list[str] = []
    content: list[str] = []
    finish, usage = None, None
    for chunk in stream:
        delta = chunk.choices[0].delta
        if delta.reasoning:
            assert not content, "reasoning after content"
            reasoning.append(delta.reasoning)
        if delta.content:
            content.append(delta.content)
        finish = chunk.choices[0].finish_reason or finish
        usage = chunk.usage or usage
    assert reasoning and content and finish == "stop"
    assert usage is not None and usage.completion_tokens == len(reasoning) + len(content)


def test_together_chat_with_an_endpoint_and_errors(tg: Together, server: SimulatorServer) -> None:
    created = tg.endpoints.create(
        model="meta-llama/Llama-3.3-70B-Instruct-Turbo",
        hardware=server.sim.catalogue.pick_hardware("meta-llama/Llama-3.3-70B-Instruct-Turbo", "available") or "",
        autoscaling={"min_replicas": 1, "max_replicas": 1},
    )
    messages: list[Message] = [{"role": "user", "content": "hello"}]
    with pytest.raises(together.BadRequestError) as not_ready:
        tg.chat.completions.create(model=created.name, messages=messages)
    assert "model_not_available" in str(not_ready.value.body)
    advance(server, 180)
    reply = tg.chat.completions.create(model=created.name, messages=messages, max_tokens=9)
    assert reply.choices[0].finish_reason == "length" and reply.usage and reply.usage.completion_tokens == 9
    server.sim.faults = Faults(error_after=4)
    with pytest.raises(together.APIError, match="Internal error"):
        for _ in tg.chat.completions.create(model=created.name, messages=messages, stream=True):
            pass


# -- openai SDK -----------------------------------------------------------------------------------------------


def test_openai_streams_a_chat_completion(oa: OpenAI) -> None:
    messages: list[ChatCompletionMessageParam] = [{"role": "user", "content": "Tell me about autoscaling"}]
    stream = oa.chat.completions.create(
        model="meta-llama/Llama-3.3-70B-Instruct-Turbo",
        messages=messages,
        stream=True,
    )
    chunks = list(stream)
    text = "".join(c.choices[0].delta.content or "" for c in chunks)
    assert chunks[-1].choices[0].finish_reason == "stop"
    assert chunks[-1].usage is not None and chunks[-1].usage.completion_tokens == len(chunks) - 1
    whole = oa.chat.completions.create(model="meta-llama/Llama-3.3-70B-Instruct-Turbo", messages=messages)
    assert whole.choices[0].message.content == text
    assert whole.usage is not None and whole.usage.total_tokens > whole.usage.prompt_tokens


def test_openai_error_codes(oa: OpenAI, server: SimulatorServer) -> None:
    messages: list[ChatCompletionMessageParam] = [{"role": "user", "content": "x"}]
    with pytest.raises(openai.BadRequestError) as unavailable:
        oa.chat.completions.create(model="mistralai/Mixtral-8x7B-Instruct-v0.1", messages=messages)
    assert unavailable.value.code == "model_not_available"
    with pytest.raises(openai.NotFoundError):
        oa.chat.completions.create(model="acme/unknown", messages=messages)
    bad_key = OpenAI(base_url=server.base_url, api_key="wrong", max_retries=0)
    with pytest.raises(openai.AuthenticationError) as auth:
        bad_key.chat.completions.create(model="openai/gpt-oss-20b", messages=messages)
    assert auth.value.code == "invalid_api_key"
    bad_key.close()


def test_openai_sees_a_cut_stream_as_an_error(oa: OpenAI, server: SimulatorServer) -> None:
    server.sim.faults = Faults(cut_after=3)
    received = []
    stream = oa.chat.completions.create(
        model="openai/gpt-oss-20b",
        messages=[{"role": "user", "content": "x"}],
        stream=True,
    )
    with pytest.raises(openai.APIConnectionError):
        for chunk in stream:
            received.append(chunk)
    assert len(received) == 3


async def test_async_openai_streams(server: SimulatorServer) -> None:
    client = AsyncOpenAI(base_url=server.base_url, api_key=DEMO_API_KEY, max_retries=0)
    try:
        stream = await client.chat.completions.create(
            model="deepseek-ai/DeepSeek-V3.1",
            messages=[{"role": "user", "content": "hi"}],
            stream=True,
            max_tokens=6,
        )
        chunks = [chunk async for chunk in stream]
    finally:
        await client.close()
    assert len(chunks) == 7 and chunks[-1].choices[0].finish_reason == "length"


# -- the together CLI (2.x) ---------------------------------------------------------------------------------


def _together_cli() -> Path | None:
    candidate = Path(sys.executable).with_name("together")
    return candidate if candidate.exists() else None


@pytest.mark.skipif(_together_cli() is None, reason="the together CLI is not installed next to this Python")
def test_together_cli_lists_endpoints_and_explains_bad_hardware(server: SimulatorServer, tmp_path: Path) -> None:
    cli = str(_together_cli())
    env = {
        **os.environ,
        "TOGETHER_API_KEY": DEMO_API_KEY,
        "TOGETHER_BASE_URL": server.base_url,
        # With a project id the CLI skips its /v3/whoami project lookup, which is not a v1 route.
        "TOGETHER_PROJECT_ID": "proj-simulator",
        "TOGETHER_DISABLE_VERSION_CHECK": "1",
        "TOGETHER_CREDENTIALS_PATH": str(tmp_path / "no-credentials.json"),
        "HOME": str(tmp_path),
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "XDG_CACHE_HOME": str(tmp_path / "cache"),
        "COLUMNS": "200",
    }
    listed = subprocess.run([cli, "endpoints", "list", "--json"], env=env, capture_output=True, text=True, timeout=60)
    assert listed.returncode == 0, listed.stderr
    for item in server.sim.endpoint_ids():
        assert item in listed.stdout
    bad = subprocess.run(
        [cli, "endpoints", "create", "--model", "openai/gpt-oss-20b", "--hardware", "1x_nvidia_tpu", "--no-json"],
        env=env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert bad.returncode != 0
    assert "Invalid hardware selected." in bad.stdout
    assert H100 in bad.stdout  # it fetched and printed the hardware for the model
    requests = [(r.method, r.path, r.query) for r in server.sim.request_log]
    assert ("GET", "/v1/endpoints", {"type": "dedicated", "mine": "true"}) in requests
    assert ("GET", "/v1/hardware", {"model": "openai/gpt-oss-20b"}) in requests
