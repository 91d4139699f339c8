"""Where an API key may be sent: the API layer's rule (``tui.api.urls``), re-exported for the key code.

The rule lives with the HTTP sessions that enforce it; the key commands and the first-run screen check a
base URL before they even ask for a key, so they import it from here. Neither module imports httpx.
"""

from __future__ import annotations

from tui.api.urls import TOGETHER_BASE_URL as DEFAULT_BASE_URL
from tui.api.urls import InsecureBaseURLError, check_base_url_safe, is_loopback_host, trust_env_for

__all__ = ["DEFAULT_BASE_URL", "InsecureBaseURLError", "check_base_url_safe", "is_loopback_host", "trust_env_for"]
