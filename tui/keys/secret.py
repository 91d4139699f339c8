"""The ApiKey secret type: a string that refuses to show itself.

Every way Python and Rich usually display an object (repr, str, format, pretty-printed
locals in a crash report, pickling, vars()) yields a masked form; only `reveal()` returns the
value, so each place that really needs the key is easy to find with grep.
"""

from __future__ import annotations

from typing import Any, NoReturn, final

__all__ = ["ApiKey", "InvalidApiKeyError", "scrub"]

# Showing the last four characters of a 32+ character key gives away nothing useful; on a short
# key the same four characters would be a large share of it, so show fewer.
_FULL_TAIL_MIN_LENGTH = 16


class InvalidApiKeyError(ValueError):
    """The text cannot be an API key. The message never contains the text."""


def _tail_length(length: int) -> int:
    return 4 if length >= _FULL_TAIL_MIN_LENGTH else length // 4


@final
class ApiKey:
    """An API key. `repr()`, `str()` and `format()` show only `…` and at most the last 4 characters."""

    # No __dict__: vars() raises, and nothing generic that walks instance dicts finds the value.
    __slots__ = ("__value",)

    __value: str

    def __init__(self, value: str) -> None:
        if not isinstance(value, str):
            raise TypeError(f"ApiKey needs a str, not {type(value).__name__}")
        if not value:
            raise InvalidApiKeyError("an API key cannot be empty")
        object.__setattr__(self, "_ApiKey__value", value)

    @classmethod
    def parse(cls, text: str) -> ApiKey:
        """Build a key from user input: surrounding whitespace is dropped, and text that cannot be a
        key (empty, inner spaces, control or non-ASCII characters) raises InvalidApiKeyError."""
        stripped = text.strip()
        if not stripped:
            raise InvalidApiKeyError("the key is empty")
        # HTTP header values must be visible ASCII; anything else is a paste accident, and sending
        # it would only earn a confusing 401 (or an exception from the HTTP library).
        if not all("!" <= ch <= "~" for ch in stripped):
            raise InvalidApiKeyError("the key contains spaces, control characters or non-ASCII characters")
        return cls(stripped)

    def reveal(self) -> str:
        """The key itself. Call this only where the key leaves the process (an HTTP header, the
        keyring, the opt-in credentials file)."""
        return self.__value

    @property
    def last4(self) -> str:
        """The visible tail: the last 4 characters, fewer for keys shorter than 16 characters."""
        n = _tail_length(len(self.__value))
        return self.__value[-n:] if n else ""

    @property
    def masked(self) -> str:
        return "…" + self.last4

    def __repr__(self) -> str:
        return f"ApiKey({self.masked!r})"

    def __str__(self) -> str:
        return self.masked

    def __format__(self, format_spec: str) -> str:
        return format(self.masked, format_spec)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, ApiKey):
            return NotImplemented
        import hmac  # deferred, like every import here that only some callers need

        return hmac.compare_digest(self.__value.encode(), other.__value.encode())

    def __hash__(self) -> int:
        return hash((ApiKey, self.__value))

    def __setattr__(self, name: str, value: Any) -> NoReturn:
        raise AttributeError("ApiKey is immutable")

    def __delattr__(self, name: str) -> NoReturn:
        raise AttributeError("ApiKey is immutable")

    # Pickle would write the value to wherever the pickle goes (a cache, a multiprocessing pipe).
    def __reduce_ex__(self, protocol: Any) -> NoReturn:
        raise TypeError("ApiKey cannot be pickled: keep keys in the keyring, not in serialized data")

    def __reduce__(self) -> NoReturn:
        raise TypeError("ApiKey cannot be pickled: keep keys in the keyring, not in serialized data")

    def __getstate__(self) -> NoReturn:
        raise TypeError("ApiKey cannot be pickled: keep keys in the keyring, not in serialized data")

    # copy falls back on __reduce_ex__, which refuses; an immutable value can simply be shared.
    def __copy__(self) -> ApiKey:
        return self

    def __deepcopy__(self, memo: dict[int, Any]) -> ApiKey:
        return self


def scrub(text: str, key: ApiKey | None) -> str:
    """`text` with every occurrence of the key replaced by its masked form, for relaying messages
    from third-party code (keyring backends, HTTP errors) that might quote what they were given."""
    if key is None:
        return text
    return text.replace(key.reveal(), key.masked)
