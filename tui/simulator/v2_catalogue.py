"""The static side of the simulated Together v2 account: identity, instance types, supported models.

Prices: 1x H100 80GB $5.49/h and 1x B200 $8.99/h per replica-GPU were seen live (2026-10, reference
§0); H200 at $6.99/h is a plausible guess (UNVERIFIED). Multi-GPU types cost the single-GPU price times
the count (UNVERIFIED). A100, L40 and L40S are not offered on v2.

Capacity (UNVERIFIED, chosen to make DEGRADED reachable): every region reports its headroom as
`RELATION_GTE n`; 8x B200 has none anywhere, so a deployment on it never places its replicas.

One deployment profile is deliberately broken (`quantization: "fp4-experimental"` on DeepSeek V3.1):
its replicas stall while loading weights, the deployment goes DEGRADED and then FAILED after the
readiness timeout, like a config that never gets ready.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from tui.simulator.catalogue import MODELS, MODELS_BY_ID, Model

PLATFORM_PROJECT_ID = "proj_together_platform"
"""Public models and configs live in Together's own project, not the caller's."""

REGIONS: tuple[str, ...] = ("us-central-1", "us-east-1", "eu-west-1")


def stable_hex(*parts: str, length: int = 12) -> str:
    """A deterministic id fragment (not `hash()`, which changes between processes)."""
    return hashlib.sha256(":".join(parts).encode()).hexdigest()[:length]


@dataclass(frozen=True)
class InstanceType:
    gpu_type: str
    accelerator: str
    gpu_memory_gib: int
    count: int
    dollars_per_gpu_hour: float
    headroom: tuple[int, ...]
    """Replicas that can still be placed, per region in REGIONS order."""

    @property
    def name(self) -> str:
        return f"{self.count}x{self.accelerator}"

    @property
    def id(self) -> str:
        return f"it_{stable_hex('instance', self.name)}"

    @property
    def price_cents_per_hour(self) -> int:
        return round(self.dollars_per_gpu_hour * 100 * self.count)

    @property
    def total_memory(self) -> int:
        return self.gpu_memory_gib * self.count

    @property
    def capacity(self) -> int:
        return sum(self.headroom)

    def to_json(self) -> dict[str, object]:
        return {
            "id": self.id,
            "name": self.name,
            "description": f"{self.count}x NVIDIA {self.gpu_type} {self.gpu_memory_gib}GB",
            "gpuType": self.gpu_type,
            "gpuCount": self.count,
            "gpuMemoryGib": self.gpu_memory_gib,
            "priceCentsPerHour": self.price_cents_per_hour,
            "regions": [
                {"name": region, "headroom": {"relation": "RELATION_GTE", "value": room}}
                for region, room in zip(REGIONS, self.headroom, strict=True)
            ],
        }


def _family(gpu: str, accelerator: str, memory: int, price: float) -> list[InstanceType]:
    types = []
    for count in (1, 2, 4, 8):
        headroom = (0, 0, 0) if (gpu, count) == ("B200", 8) else (max(1, 16 // count), max(1, 8 // count), 2)
        types.append(InstanceType(gpu, accelerator, memory, count, price, headroom))
    return types


INSTANCE_TYPES: tuple[InstanceType, ...] = (
    *_family("H100", "nvidia-h100-80gb", 80, 5.49),
    *_family("H200", "nvidia-h200-141gb", 141, 6.99),
    *_family("B200", "nvidia-b200-180gb", 180, 8.99),
)
INSTANCE_TYPES_BY_NAME: dict[str, InstanceType] = {t.name: t for t in INSTANCE_TYPES}

BROKEN_QUANTIZATION = "fp4-experimental"


@dataclass(frozen=True)
class Profile:
    model: Model
    instance: InstanceType
    quantization: str

    @property
    def model_id(self) -> str:
        return f"ml_{stable_hex('model', self.model.id)}"

    @property
    def model_revision_id(self) -> str:
        return f"rv_{stable_hex('revision', self.model.id)}"

    @property
    def config_id(self) -> str:
        return f"cr_{stable_hex('config', self.model.id, self.instance.name, self.quantization)}"

    @property
    def model_resource(self) -> str:
        return f"projects/{PLATFORM_PROJECT_ID}/models/{self.model_id}/revisions/{self.model_revision_id}"

    @property
    def config_resource(self) -> str:
        return f"projects/{PLATFORM_PROJECT_ID}/configs/{self.config_id}"

    @property
    def never_ready(self) -> bool:
        return self.quantization == BROKEN_QUANTIZATION

    def to_json(self) -> dict[str, object]:
        return {
            "profileId": f"prof_{stable_hex('profile', self.config_id)}",
            "config": self.config_resource,
            "model": self.model_resource,
            "modelName": self.model.id,
            "gpuType": self.instance.gpu_type,
            "gpuCount": self.instance.count,
            "quantization": self.quantization,
            "parallelism": f"tp{self.instance.count}",
            "certifiedConfigRevisionId": self.config_id,
            "certifiedModelRevisionId": self.model_revision_id,
            "performanceBenchmarks": {
                "decodingSpeedTps": round(9000 / max(self.model.min_memory_gb, 10) * self.instance.count, 1),
                "timeToFirstTokenMs": 180 + int(self.model.min_memory_gb),
                "maxContextLength": str(self.model.context_length),
            },
        }

    def config_json(self) -> dict[str, object]:
        """The config as GET /v2/projects/{p}/configs/{id} shows it."""
        return {
            "id": self.config_id,
            "projectId": PLATFORM_PROJECT_ID,
            "referenceModel": f"projects/{PLATFORM_PROJECT_ID}/models/{self.model_id}",
            "referenceModelId": self.model_id,
            "selectors": [
                {"key": "accelerator_type", "value": self.instance.accelerator},
                {"key": "accelerator_count", "value": str(self.instance.count)},
            ],
            "certifications": [],
        }


def _profiles_for(model: Model) -> list[Profile]:
    fitting = [t for t in INSTANCE_TYPES if t.total_memory >= model.min_memory_gb]
    # The cheapest two of each GPU family that fits, like a certified set (UNVERIFIED).
    chosen: list[InstanceType] = []
    for gpu in ("H100", "H200", "B200"):
        chosen.extend([t for t in fitting if t.gpu_type == gpu][:1])
    profiles = [Profile(model, t, "fp8") for t in chosen]
    if model.id == "deepseek-ai/DeepSeek-V3.1" and chosen:
        profiles.append(Profile(model, chosen[-1], BROKEN_QUANTIZATION))
    if model.id == "openai/gpt-oss-120b":
        profiles.append(Profile(model, INSTANCE_TYPES_BY_NAME["8xnvidia-b200-180gb"], "bf16"))
    return profiles


SUPPORTED: tuple[Model, ...] = tuple(m for m in MODELS if m.dedicated and m.is_chat)
PROFILES: dict[str, list[Profile]] = {m.id: _profiles_for(m) for m in SUPPORTED}
PROFILES_BY_CONFIG: dict[str, Profile] = {p.config_id: p for ps in PROFILES.values() for p in ps}


def supported_model_json(model: Model, created_at: str) -> dict[str, object]:
    return {
        "id": f"sm_{stable_hex('supported', model.id)}",
        "name": model.id,
        "displayName": model.display_name,
        "displayType": model.type,
        "publisher": model.organization,
        "baseModel": f"projects/{PLATFORM_PROJECT_ID}/models/ml_{stable_hex('model', model.id)}",
        "baseModelId": f"ml_{stable_hex('model', model.id)}",
        "status": "SUPPORTED_MODEL_STATUS_RECOMMENDED"
        if model.id.startswith("openai/")
        else "SUPPORTED_MODEL_STATUS_SUPPORTED",
        "products": ["PRODUCT_DEDICATED", *(["PRODUCT_SERVERLESS"] if model.serverless else [])],
        "capabilities": ["CAPABILITY_CHAT"],
        "inputModalities": ["MODALITY_TEXT"],
        "outputModalities": ["MODALITY_TEXT"],
        "contextLength": str(model.context_length),
        "features": ["FEATURE_REASONING"] if model.reasoning else [],
        "pricing": {"input": model.input_price, "output": model.output_price},
        "deploymentProfiles": [p.to_json() for p in PROFILES[model.id]],
        "createdAt": created_at,
        "updatedAt": created_at,
    }


def model_for(profile_model_name: str) -> Model | None:
    return MODELS_BY_ID.get(profile_model_name)
