"""Where API keys are kept: the OS keyring, or (only when the user asks) a plain-text file.

The backends are ``tui.keys.keyring_store`` and ``tui.keys.file_store``; profile names and the config
directory are ``tui.keys.paths``. This module joins them (``KeyStore``) and is where callers import them from.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from tui.keys.file_store import CREDENTIALS_FILE_NAME, FileStore, FileStoreError
from tui.keys.keyring_store import (
    KEYRING_TIMEOUT,
    SERVICE_NAME,
    KeyringStatus,
    KeyringStore,
    KeyringUnavailableError,
)
from tui.keys.paths import DEFAULT_PROFILE, config_dir, display_path, validate_profile_name

__all__ = [
    "CREDENTIALS_FILE_NAME",
    "DEFAULT_PROFILE",
    "KEYRING_TIMEOUT",
    "SERVICE_NAME",
    "FileStore",
    "FileStoreError",
    "KeyStore",
    "KeyringStatus",
    "KeyringStore",
    "KeyringUnavailableError",
    "config_dir",
    "default_store",
    "display_path",
    "validate_profile_name",
]


@dataclass
class KeyStore:
    """The two places a key can be stored. Inject one into resolve_api_key and the CLI in tests."""

    keyring: KeyringStore = field(default_factory=KeyringStore)
    file: FileStore = field(default_factory=FileStore)


def default_store(*, keyring_timeout: float = KEYRING_TIMEOUT) -> KeyStore:
    return KeyStore(KeyringStore(timeout=keyring_timeout), FileStore())
