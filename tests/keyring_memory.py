"""A keyring backend that keeps passwords in a dict, so no test touches the real OS keyring.

Install it with `keyring.set_keyring(MemoryKeyring())`; for a subprocess, set
PYTHON_KEYRING_BACKEND=tests.keyring_memory.MemoryKeyring (with the repository root on sys.path).
"""

from __future__ import annotations

from keyring.backend import KeyringBackend
from keyring.compat import properties
from keyring.errors import PasswordDeleteError


class MemoryKeyring(KeyringBackend):
    # Positive, so keyring counts it as viable; below the real backends, which rank 1 and up.
    @properties.classproperty
    def priority(cls) -> float:
        return 0.5

    def __init__(self) -> None:
        super().__init__()
        self.passwords: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.passwords.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.passwords[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        try:
            del self.passwords[(service, username)]
        except KeyError:
            # What the real backends do for a missing entry.
            raise PasswordDeleteError("Password not found") from None
