"""API keys: the ApiKey secret type, where keys are stored (OS keyring, opt-in file), how the key
for a profile is found, and which base URLs may receive it.

Importing this package is cheap: keyring, platformdirs and httpx are imported only when used.
`tui.keys.auth_cli` (the `auth` commands) and `tui.keys.verify` (httpx) are not imported here.
"""

from tui.keys.resolve import BASE_URL_ENV_VAR, ENV_VAR, ResolvedKey, env_name_for, resolve_api_key, resolve_base_url
from tui.keys.secret import ApiKey, InvalidApiKeyError, scrub
from tui.keys.store import (
    DEFAULT_PROFILE,
    KEYRING_TIMEOUT,
    SERVICE_NAME,
    FileStore,
    FileStoreError,
    KeyringStatus,
    KeyringStore,
    KeyringUnavailableError,
    KeyStore,
    default_store,
    validate_profile_name,
)
from tui.keys.urls import DEFAULT_BASE_URL, InsecureBaseURLError, check_base_url_safe, is_loopback_host

__all__ = [
    "BASE_URL_ENV_VAR",
    "DEFAULT_BASE_URL",
    "DEFAULT_PROFILE",
    "ENV_VAR",
    "KEYRING_TIMEOUT",
    "SERVICE_NAME",
    "ApiKey",
    "FileStore",
    "FileStoreError",
    "InsecureBaseURLError",
    "InvalidApiKeyError",
    "KeyStore",
    "KeyringStatus",
    "KeyringStore",
    "KeyringUnavailableError",
    "ResolvedKey",
    "check_base_url_safe",
    "default_store",
    "env_name_for",
    "is_loopback_host",
    "resolve_api_key",
    "resolve_base_url",
    "scrub",
    "validate_profile_name",
]
