"""Nebius Token Factory dedicated endpoints (``/v0/dedicated_endpoints``) behind the provider interface."""

from tui.api.nebius.client import DEFAULT_BASE_URL, NebiusClient, chat_base_url
from tui.api.nebius.provider import KEY_ENV, NebiusProvider, create_provider

__all__ = ["DEFAULT_BASE_URL", "KEY_ENV", "NebiusClient", "NebiusProvider", "chat_base_url", "create_provider"]
