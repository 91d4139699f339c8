"""Together AI's v1 dedicated-endpoints API: wire models, HTTP client, provider adapter."""

from tui.api.together.client import DEFAULT_BASE_URL, TogetherClient
from tui.api.together.provider import TogetherV1Provider

__all__ = ["DEFAULT_BASE_URL", "TogetherClient", "TogetherV1Provider"]
