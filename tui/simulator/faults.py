"""Fault injection: the ways the real service misbehaves, on demand.

Every fault is off by default. Rates are probabilities drawn from the simulator's seeded RNG, so
a test that sends the same requests sees the same faults. `route` narrows *all* faults to
requests whose path contains that substring (e.g. `/chat`); admin routes under `/_sim` are
never faulted. `cut_after`, `error_after` and `stall_after` apply to streamed chat completions
only; `malformed` applies to 2xx JSON bodies and to each SSE data payload; `extra_fields` to
every JSON object, error bodies included; `unknown_enums` to endpoint `state`, model `type` and
hardware `availability.status` (not to stream chunks).

Order of checks on a faulted request: latency, then auth (401), then rate limit (429), then
`error_status`: an unauthenticated client sees 401 before any injected error.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from typing import Any

_ALIASES = {
    "status": "error_status",
    "rate": "error_rate",
    "unknown_enum": "unknown_enums",
    "extra_field": "extra_fields",
}


@dataclass
class Faults:
    latency: float = 0.0
    """Seconds added before every faulted request is answered."""
    error_status: int | None = None
    """HTTP status answered instead of the real response (with a Together-shaped body)."""
    error_rate: float = 1.0
    """Probability that `error_status` applies to a request."""
    route: str | None = None
    rate_limit: float = 0.0
    """Probability of a 429 with Retry-After and x-ratelimit-* headers."""
    retry_after: float = 1.0
    cut_after: int | None = None
    """Chat streams close the connection abruptly after this many tokens (no [DONE])."""
    error_after: int | None = None
    """Chat streams send a `data: {"error": ...}` event after this many tokens, then end."""
    stall_after: int | None = None
    """Chat streams stop sending (connection held open) after this many tokens."""
    malformed: float = 0.0
    """Probability that a JSON body (or one SSE data payload) is truncated into invalid JSON."""
    unknown_enums: bool = False
    """Endpoint state DEGRADED, model type quantum, hardware availability reserved-only."""
    extra_fields: bool = False
    """Every JSON object gains unknown fields, as a newer API version would send."""

    def __post_init__(self) -> None:
        self.validate()

    def validate(self) -> None:
        for name in ("latency", "retry_after"):
            value = getattr(self, name)
            if not (isinstance(value, int | float) and not isinstance(value, bool)) or value < 0:
                raise ValueError(f"{name} must be a non-negative number")
            if math.isnan(value) or math.isinf(value):
                raise ValueError(f"{name} must be finite")
        for name in ("error_rate", "rate_limit", "malformed"):
            value = getattr(self, name)
            if not (isinstance(value, int | float) and not isinstance(value, bool)) or not 0 <= value <= 1:
                raise ValueError(f"{name} must be a probability between 0 and 1")
        for name in ("cut_after", "error_after", "stall_after"):
            value = getattr(self, name)
            if value is not None and (not isinstance(value, int) or isinstance(value, bool) or value < 0):
                raise ValueError(f"{name} must be a non-negative integer")
        if self.error_status is not None and (
            not isinstance(self.error_status, int) or not 400 <= self.error_status <= 599
        ):
            raise ValueError("error_status must be an HTTP error status (400-599)")
        if self.route is not None and not isinstance(self.route, str):
            raise ValueError("route must be a string")

    def applies_to(self, path: str) -> bool:
        return self.route is None or self.route in path

    @property
    def active(self) -> bool:
        return self != Faults()

    # -- (de)serialisation for the CLI and the /_sim/faults admin route -----------------------

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Faults:
        if not isinstance(data, dict):
            raise ValueError("faults must be a JSON object")
        known = {f.name for f in dataclasses.fields(cls)}
        kwargs: dict[str, Any] = {}
        for key, value in data.items():
            name = _ALIASES.get(key, key)
            if name not in known:
                raise ValueError(f"unknown fault {key!r}")
            kwargs[name] = value
        return cls(**kwargs)

    @classmethod
    def parse(cls, spec: str) -> Faults:
        """Parse `latency=0.2,status=503,rate=0.5,route=/chat,unknown_enums,...`.

        A bare name turns a boolean fault on; `name=false` turns it off.
        """
        fields = {f.name: f for f in dataclasses.fields(cls)}
        kwargs: dict[str, Any] = {}
        for raw in spec.split(","):
            item = raw.strip()
            if not item:
                continue
            key, sep, value = item.partition("=")
            name = _ALIASES.get(key.strip(), key.strip())
            if name not in fields:
                raise ValueError(f"unknown fault {key.strip()!r} (known: {', '.join(sorted(fields))})")
            value = value.strip()
            if name in ("unknown_enums", "extra_fields"):
                kwargs[name] = _parse_bool(value) if sep else True
            elif not sep:
                raise ValueError(f"fault {name!r} needs a value ({name}=...)")
            elif name == "route":
                kwargs[name] = value or None
            elif name in ("error_status", "cut_after", "error_after", "stall_after"):
                try:
                    kwargs[name] = int(value)
                except ValueError:
                    raise ValueError(f"fault {name!r} needs an integer, got {value!r}") from None
            else:
                try:
                    kwargs[name] = float(value)
                except ValueError:
                    raise ValueError(f"fault {name!r} needs a number, got {value!r}") from None
        return cls(**kwargs)


def _parse_bool(value: str) -> bool:
    lowered = value.lower()
    if lowered in ("1", "true", "yes", "on"):
        return True
    if lowered in ("0", "false", "no", "off"):
        return False
    raise ValueError(f"expected a boolean, got {value!r}")
