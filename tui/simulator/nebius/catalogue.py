"""The static side of the simulated Nebius Token Factory account: enums and deployment templates.

The enums are the API reference's (nebius-api.md §B3.1, §B2). The template *response shape* is
provisional (docs-derived, unverified against the live API): the reference knows each template has
``name``, ``type``, ``metadata`` and ``flavors`` as a map of flavor name to details, but not what the
details hold. The simulator's choice (UNVERIFIED) is::

    {"name": "openai/gpt-oss-120b", "type": "chat", "metadata": {...},
     "flavors": {"base": {"description": "...", "hardware": [
         {"gpu_type": "gpu-h100-sxm", "gpu_count": 1, "regions": ["eu-north1", "us-central1"]}]}}}

Which models, GPUs and regions are offered together is invented for the demo (plausible sizes:
a 120B model on one H100, DeepSeek V3.1 on eight H200).
"""

from __future__ import annotations

from dataclasses import dataclass

GPU_TYPES: tuple[str, ...] = (
    "gpu-l40s-d",
    "gpu-l40s-a",
    "gpu-h100-sxm",
    "gpu-h200-sxm",
    "gpu-b200-sxm",
    "gpu-b200-sxm-a",
    "gpu-b300-sxm",
)
REGIONS: tuple[str, ...] = (
    "eu-north1",
    "us-central1",
    "eu-west1",
    "me-west1",
    "uk-south1",
    "tf-us1",
    "tf-us2",
    "tf-ca1",
)
FLAVOR_DESCRIPTIONS = {
    "base": "Throughput-optimised serving",
    "fast": "Low-latency serving with speculative decoding",
}

#: (gpu_type, region) pairs with no capacity: an endpoint there starts, then fails (the demo's ERROR).
CAPACITY_SHORT: frozenset[tuple[str, str]] = frozenset({("gpu-b300-sxm", "us-central1")})


@dataclass(frozen=True)
class Hardware:
    gpu_type: str
    gpu_count: int
    regions: tuple[str, ...]


@dataclass(frozen=True)
class Template:
    name: str
    vendor: str
    context_window_k: int
    size_b: float
    license_name: str
    #: None, "always" or "hybrid", as the Together simulator's chat generator understands it.
    reasoning: str | None
    flavors: dict[str, tuple[Hardware, ...]]

    def to_json(self) -> dict[str, object]:
        return {
            "name": self.name,
            "type": "chat",
            "metadata": {
                "vendor": self.vendor,
                "context_window_k": self.context_window_k,
                "size_b": self.size_b,
                "huggingface_url": f"https://huggingface.co/{self.name}",
                "license": {"name": self.license_name, "url": f"https://huggingface.co/{self.name}/blob/main/LICENSE"},
            },
            "flavors": {
                flavor: {
                    "description": FLAVOR_DESCRIPTIONS.get(flavor, flavor),
                    "hardware": [
                        {"gpu_type": h.gpu_type, "gpu_count": h.gpu_count, "regions": list(h.regions)}
                        for h in hardware
                    ],
                }
                for flavor, hardware in self.flavors.items()
            },
        }


_EU_US = ("eu-north1", "us-central1")

TEMPLATES: tuple[Template, ...] = (
    Template(
        "openai/gpt-oss-120b", "OpenAI", 128, 117, "apache-2.0", "always",
        {
            "base": (
                Hardware("gpu-h100-sxm", 1, ("eu-north1", "us-central1", "eu-west1")),
                Hardware("gpu-h200-sxm", 1, _EU_US),
                Hardware("gpu-b200-sxm", 1, ("us-central1",)),
            ),
            "fast": (Hardware("gpu-h200-sxm", 2, ("eu-north1",)), Hardware("gpu-b200-sxm", 1, _EU_US)),
        },
    ),
    Template(
        "openai/gpt-oss-20b", "OpenAI", 128, 21, "apache-2.0", "always",
        {
            "base": (
                Hardware("gpu-l40s-d", 1, ("eu-north1",)),
                Hardware("gpu-h100-sxm", 1, ("eu-north1", "eu-west1", "us-central1")),
            ),
            "fast": (Hardware("gpu-h100-sxm", 1, ("eu-north1",)),),
        },
    ),
    Template(
        "deepseek-ai/DeepSeek-V3.1", "DeepSeek", 128, 671, "mit", "hybrid",
        {
            "base": (Hardware("gpu-h200-sxm", 8, _EU_US), Hardware("gpu-b200-sxm", 8, ("us-central1",))),
            "fast": (Hardware("gpu-b300-sxm", 8, ("us-central1", "tf-us1")),),
        },
    ),
    Template(
        "meta-llama/Llama-3.3-70B-Instruct", "Meta", 128, 70, "llama3.3", None,
        {
            "base": (
                Hardware("gpu-h100-sxm", 2, ("eu-north1", "eu-west1")),
                Hardware("gpu-l40s-a", 4, ("uk-south1",)),
            ),
            "fast": (Hardware("gpu-h200-sxm", 2, ("eu-north1",)),),
        },
    ),
    Template(
        "Qwen/Qwen3-32B", "Qwen", 40, 32.8, "apache-2.0", "hybrid",
        {"base": (Hardware("gpu-h100-sxm", 1, ("eu-north1", "me-west1", "tf-ca1")),)},
    ),
)
TEMPLATES_BY_NAME = {t.name: t for t in TEMPLATES}


def offers(model: str, flavor: str, gpu_type: str, gpu_count: int, region: str) -> bool:
    """Whether the templates allow this exact combination (the API's "source of truth")."""
    template = TEMPLATES_BY_NAME.get(model)
    if template is None:
        return False
    return any(
        h.gpu_type == gpu_type and h.gpu_count == gpu_count and region in h.regions
        for h in template.flavors.get(flavor, ())
    )


def templates_json() -> dict[str, object]:
    """``GET /v0/dedicated_endpoints/templates``: provisional (docs-derived, unverified against live API)."""
    return {"data": [t.to_json() for t in TEMPLATES], "object": "list"}
