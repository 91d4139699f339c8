"""The API layer: provider-neutral domain objects, the provider interface, and its implementations.

Nothing under ``tui.api`` imports Textual (a test checks it), so the layer can be reused by scripts and
benchmarks and keeps the app's start-up light.
"""

from tui.api import errors
from tui.api.domain import (
    UNSET,
    Availability,
    ChatEvent,
    ChatMessage,
    ChatParams,
    ChatReply,
    ChatUsage,
    Endpoint,
    EndpointChanges,
    EndpointSpec,
    HardwareOption,
    ModelOption,
    Phase,
)
from tui.api.errors import (
    APIError,
    EndpointNotRunningError,
    InvalidResponseError,
    ResponseTooLargeError,
    V1RetiredError,
)
from tui.api.provider import Provider

__all__ = [
    "UNSET",
    "APIError",
    "Availability",
    "ChatEvent",
    "ChatMessage",
    "ChatParams",
    "ChatReply",
    "ChatUsage",
    "Endpoint",
    "EndpointChanges",
    "EndpointNotRunningError",
    "EndpointSpec",
    "HardwareOption",
    "InvalidResponseError",
    "ModelOption",
    "Phase",
    "Provider",
    "ResponseTooLargeError",
    "V1RetiredError",
    "errors",
]
