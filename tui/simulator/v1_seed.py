"""The simulated v1 account as it starts: the hand-made endpoints (one in almost every state), the
names generated for large accounts, and the serverless models listed beside them."""

from __future__ import annotations

from dataclasses import dataclass

from tui.simulator.catalogue import AVAILABLE, UNAVAILABLE
from tui.simulator.v1_states import ERROR, PENDING, STARTED, STARTING, STOPPED


@dataclass
class SeedSpec:
    state: str
    model: str
    display_name: str
    hardware_status: str = AVAILABLE
    min_replicas: int = 1
    max_replicas: int = 1
    age_days: float = 3.0
    into_state: float = 0.35
    """How far through a transitional state the endpoint is at start-up (fraction)."""
    inactive_timeout: int | None = None
    usage_type: str = "on-demand"


# The hand-made default account: one endpoint in (almost) every state, on varied models.
DEFAULT_SEEDS: tuple[SeedSpec, ...] = (
    SeedSpec(
        STARTED, "openai/gpt-oss-20b", "GPT-OSS 20B (support bot)", age_days=41, max_replicas=2, inactive_timeout=60
    ),
    SeedSpec(
        STOPPED,
        "meta-llama/Llama-3.3-70B-Instruct-Turbo",
        "Llama 3.3 70B staging",
        age_days=18,
        min_replicas=1,
        max_replicas=3,
    ),
    SeedSpec(STARTING, "deepseek-ai/DeepSeek-V3.1", "DeepSeek V3.1 eval", age_days=0.01, into_state=0.2),
    SeedSpec(PENDING, "mistralai/Mixtral-8x7B-Instruct-v0.1", "Mixtral batch jobs", age_days=0.001, into_state=0.3),
    SeedSpec(ERROR, "openai/gpt-oss-120b", "GPT-OSS 120B canary", hardware_status=UNAVAILABLE, age_days=2),
    SeedSpec(
        STARTED,
        "Qwen/Qwen2.5-7B-Instruct-Turbo",
        "Qwen 7B classifier",
        age_days=90,
        min_replicas=2,
        max_replicas=4,
        usage_type="reserved",
    ),
    SeedSpec(STOPPED, "google/gemma-3-27b-it", "Gemma 3 27B playground", age_days=7),
)

# Today's account (v1 retired): the two legacy endpoints still listed, one running and one stopped.
TODAY_SEEDS = DEFAULT_SEEDS[:2]

ADJECTIVES = ("support", "batch", "eval", "canary", "prod", "staging", "research", "search", "agent", "docs")
NOUNS = ("bot", "pipeline", "sandbox", "replica", "worker", "service", "api", "demo", "backend", "lab")
SERVERLESS_MODELS = (
    "meta-llama/Llama-3.3-70B-Instruct-Turbo",
    "openai/gpt-oss-20b",
    "openai/gpt-oss-120b",
    "deepseek-ai/DeepSeek-V3.1",
    "BAAI/bge-large-en-v1.5",
)
