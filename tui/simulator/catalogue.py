"""The static side of the simulated account: models, hardware, availability zones.

Prices follow Together's published figures where there are some (1x H100 80GB $3.99/h, 1x H200
$5.49/h, 1x B200 $9.95/h; the 2x A100 SXM price is the spec's own example, 5.42 cents/minute).
L40S and A100 PCIe prices are plausible guesses (UNVERIFIED).

Hardware ids follow `{n}x_nvidia_{gpu}_{vram}_{link}` except L40S, whose ids (`1x_nvidia_l40s`)
follow the SDK 1.x CLI map and deliberately break the pattern: clients must read `specs`.
"""

from __future__ import annotations

import dataclasses
import random
from dataclasses import dataclass

AVAILABLE = "available"
INSUFFICIENT = "insufficient"
UNAVAILABLE = "unavailable"

AVAILABILITY_ZONES: tuple[str, ...] = (
    "us-central-4b",
    "us-central-8a",
    "us-east-1a",
    "us-west-2b",
    "eu-west-2a",
    "eu-central-1a",
)


@dataclass(frozen=True)
class Model:
    id: str
    display_name: str
    organization: str
    type: str
    context_length: int
    input_price: float
    output_price: float
    created: int
    serverless: bool
    dedicated: bool
    min_memory_gb: float
    reasoning: str | None = None
    """None, "always" (reasoning-only models) or "hybrid" (toggled by `reasoning.enabled`)."""
    license: str = "other"
    link: str = ""
    base_price: float = 0.0
    eos_token_id: int = 2

    @property
    def is_chat(self) -> bool:
        return self.type in ("chat", "language", "code")

    def to_json(self) -> dict[str, object]:
        item: dict[str, object] = {
            "id": self.id,
            "object": "model",
            "created": self.created,
            "type": self.type,
            "display_name": self.display_name,
            "organization": self.organization,
            "link": self.link or f"https://huggingface.co/{self.id}",
            "license": self.license,
            "context_length": self.context_length,
            "pricing": {
                "hourly": 0,
                "input": self.input_price,
                "output": self.output_price,
                "base": self.base_price,
                "finetune": 0,
            },
        }
        return item


MODELS: tuple[Model, ...] = (
    Model(
        "openai/gpt-oss-20b",
        "OpenAI GPT-OSS 20B",
        "OpenAI",
        "chat",
        131072,
        0.05,
        0.20,
        1754438400,
        serverless=True,
        dedicated=True,
        min_memory_gb=24,
        reasoning="always",
        license="apache-2.0",
        eos_token_id=200002,
    ),
    Model(
        "openai/gpt-oss-120b",
        "OpenAI GPT-OSS 120B",
        "OpenAI",
        "chat",
        131072,
        0.15,
        0.60,
        1754438400,
        serverless=True,
        dedicated=True,
        min_memory_gb=80,
        reasoning="always",
        license="apache-2.0",
        eos_token_id=200002,
    ),
    Model(
        "meta-llama/Llama-3.3-70B-Instruct-Turbo",
        "Meta Llama 3.3 70B Instruct Turbo",
        "Meta",
        "chat",
        131072,
        0.88,
        0.88,
        1733443200,
        serverless=True,
        dedicated=True,
        min_memory_gb=140,
        license="llama3.3",
        eos_token_id=128009,
    ),
    Model(
        "mistralai/Mixtral-8x7B-Instruct-v0.1",
        "Mixtral-8x7B Instruct v0.1",
        "mistralai",
        "chat",
        32768,
        0.60,
        0.60,
        1702339200,
        serverless=False,
        dedicated=True,
        min_memory_gb=100,
        license="apache-2.0",
    ),
    Model(
        "deepseek-ai/DeepSeek-V3.1",
        "DeepSeek V3.1",
        "DeepSeek",
        "chat",
        131072,
        0.60,
        1.70,
        1755820800,
        serverless=True,
        dedicated=True,
        min_memory_gb=700,
        reasoning="hybrid",
        license="mit",
        eos_token_id=1,
    ),
    Model(
        "deepseek-ai/DeepSeek-R1",
        "DeepSeek R1",
        "DeepSeek",
        "chat",
        163840,
        3.00,
        7.00,
        1737331200,
        serverless=True,
        dedicated=True,
        min_memory_gb=700,
        reasoning="always",
        license="mit",
        eos_token_id=1,
    ),
    Model(
        "Qwen/Qwen2.5-7B-Instruct-Turbo",
        "Qwen2.5 7B Instruct Turbo",
        "Qwen",
        "chat",
        32768,
        0.30,
        0.30,
        1726617600,
        serverless=True,
        dedicated=True,
        min_memory_gb=24,
        license="apache-2.0",
        eos_token_id=151645,
    ),
    Model(
        "Qwen/Qwen3-VL-8B-Instruct",
        "Qwen3 VL 8B Instruct",
        "Qwen",
        "chat",
        262144,
        0.0,
        0.0,
        1760745600,
        serverless=False,
        dedicated=True,
        min_memory_gb=24,
        license="apache-2.0",
        eos_token_id=151645,
    ),
    Model(
        "google/gemma-3-27b-it",
        "Gemma 3 27B Instruct",
        "Google",
        "chat",
        131072,
        0.0,
        0.0,
        1741737600,
        serverless=False,
        dedicated=True,
        min_memory_gb=60,
        license="gemma",
        eos_token_id=1,
    ),
    Model(
        "meta-llama/Meta-Llama-3-8B",
        "Meta Llama 3 8B (base)",
        "Meta",
        "language",
        8192,
        0.0,
        0.0,
        1713398400,
        serverless=False,
        dedicated=True,
        min_memory_gb=24,
        license="llama3",
        eos_token_id=128001,
    ),
    Model(
        "BAAI/bge-large-en-v1.5",
        "BAAI-Bge-Large-1.5",
        "BAAI",
        "embedding",
        512,
        0.02,
        0.0,
        1695254400,
        serverless=True,
        dedicated=True,
        min_memory_gb=8,
        license="mit",
    ),
    Model(
        "Salesforce/Llama-Rank-V1",
        "Salesforce Llama Rank V1 (8B)",
        "Salesforce",
        "rerank",
        8192,
        0.10,
        0.10,
        1724976000,
        serverless=True,
        dedicated=False,
        min_memory_gb=24,
        license="llama3",
    ),
    Model(
        "black-forest-labs/FLUX.1-schnell",
        "FLUX.1 [schnell]",
        "Black Forest Labs",
        "image",
        0,
        0.0,
        0.0,
        1722470400,
        serverless=True,
        dedicated=False,
        min_memory_gb=40,
        license="apache-2.0",
        base_price=0.0027,
    ),
)

MODELS_BY_ID: dict[str, Model] = {m.id: m for m in MODELS}


@dataclass(frozen=True)
class GpuFamily:
    id_stem: str
    gpu_type: str
    gpu_link: str
    gpu_memory: float
    dollars_per_hour: float


GPU_FAMILIES: tuple[GpuFamily, ...] = (
    GpuFamily("nvidia_a100_80gb_pcie", "a100-80gb", "pcie", 80, 1.50),
    GpuFamily("nvidia_a100_80gb_sxm", "a100-80gb", "sxm", 80, 1.626),
    GpuFamily("nvidia_h100_80gb_sxm", "h100-80gb", "sxm", 80, 3.99),
    # The id says 140gb, Together's docs say 141GB: both are real and disagree.
    GpuFamily("nvidia_h200_140gb_sxm", "h200-140gb", "sxm", 141, 5.49),
    GpuFamily("nvidia_b200_180gb_sxm", "b200-180gb", "sxm", 180, 9.95),
    GpuFamily("nvidia_l40s", "l40s-48gb", "pcie", 48, 2.00),
)
GPU_COUNTS = (1, 2, 4, 8)


@dataclass(frozen=True)
class Hardware:
    id: str
    family: GpuFamily
    count: int

    @property
    def total_memory(self) -> float:
        return self.family.gpu_memory * self.count

    @property
    def cents_per_minute(self) -> float:
        return round(self.count * self.family.dollars_per_hour * 100 / 60, 2)

    def fits(self, model: Model) -> bool:
        return model.dedicated and self.total_memory >= model.min_memory_gb

    def to_json(self, updated_at: str, availability: str | None = None) -> dict[str, object]:
        item: dict[str, object] = {
            "object": "hardware",
            "id": self.id,
            "pricing": {"cents_per_minute": self.cents_per_minute},
            "specs": {
                "gpu_type": self.family.gpu_type,
                "gpu_link": self.family.gpu_link,
                "gpu_memory": self.family.gpu_memory,
                "gpu_count": self.count,
            },
        }
        if availability is not None:
            item["availability"] = {"status": availability}
        item["updated_at"] = updated_at
        return item


HARDWARE: tuple[Hardware, ...] = tuple(
    Hardware(f"{count}x_{family.id_stem}", family, count) for family in GPU_FAMILIES for count in GPU_COUNTS
)
HARDWARE_BY_ID: dict[str, Hardware] = {h.id: h for h in HARDWARE}

# v1 as observed in 2026-10 (together-v2-api.md §0): 1x H100 at 9 cents/minute ($5.40/h), and no
# A100, L40 or L40S for new deployments. H200 and B200 keep their earlier prices (UNVERIFIED).
_RETIRED_FAMILIES = ("a100-80gb", "l40s-48gb")
TODAY_HARDWARE: tuple[Hardware, ...] = tuple(
    Hardware(h.id, dataclasses.replace(h.family, dollars_per_hour=5.40), h.count)
    if h.family.gpu_type == "h100-80gb"
    else h
    for h in HARDWARE
    if h.family.gpu_type not in _RETIRED_FAMILIES
)


class Catalogue:
    """Models and hardware plus the per-model availability drawn from the seed."""

    def __init__(self, seed: int, *, hardware: tuple[Hardware, ...] = HARDWARE) -> None:
        self.seed = seed
        self.hardware_list = hardware
        self._hardware_by_id = {h.id: h for h in hardware}
        self._availability: dict[str, dict[str, str]] = {}
        for model in MODELS:
            self._availability[model.id] = self._draw_availability(model)

    def _draw_availability(self, model: Model) -> dict[str, str]:
        offered = [h for h in self.hardware_list if h.fits(model)]
        # A string seed is hashed with SHA-512 by random.Random: stable across processes,
        # unlike hash().
        rng = random.Random(f"availability:{self.seed}:{model.id}")
        statuses: dict[str, str] = {}
        for hardware in offered:
            roll = rng.random()
            statuses[hardware.id] = AVAILABLE if roll < 0.7 else INSUFFICIENT if roll < 0.85 else UNAVAILABLE
        if len(offered) >= 2:
            if UNAVAILABLE not in statuses.values():
                statuses[rng.choice(offered).id] = UNAVAILABLE
            if AVAILABLE not in statuses.values():
                candidates = [h for h in offered if statuses[h.id] != UNAVAILABLE]
                statuses[rng.choice(candidates).id] = AVAILABLE
        elif offered:
            statuses[offered[0].id] = AVAILABLE
        return statuses

    def model(self, model_id: str) -> Model | None:
        return MODELS_BY_ID.get(model_id)

    def hardware(self, hardware_id: str) -> Hardware | None:
        return self._hardware_by_id.get(hardware_id)

    def offered(self, model_id: str) -> dict[str, str]:
        """Hardware id -> availability for every configuration the model can be deployed on."""
        return self._availability.get(model_id, {})

    def availability(self, model_id: str, hardware_id: str) -> str | None:
        return self._availability.get(model_id, {}).get(hardware_id)

    def pick_hardware(self, model_id: str, status: str, rng: random.Random | None = None) -> str | None:
        choices = [hw for hw, st in self.offered(model_id).items() if st == status]
        if not choices:
            return None
        return rng.choice(choices) if rng else choices[0]
