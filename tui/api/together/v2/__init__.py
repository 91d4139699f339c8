"""Together's v2 dedicated model inference API: wire models, HTTP client, adapter and provider."""

from tui.api.together.v2.client import DEFAULT_INFERENCE_URL, Project, TogetherV2Client, management_root
from tui.api.together.v2.provider import Progress, ReplicaBoundsError, TogetherV2Provider

__all__ = [
    "DEFAULT_INFERENCE_URL",
    "Progress",
    "Project",
    "ReplicaBoundsError",
    "TogetherV2Client",
    "TogetherV2Provider",
    "management_root",
]
