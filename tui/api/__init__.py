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
from tui.api.provider import Provider

__all__ = [
    "UNSET",
    "Availability",
    "ChatEvent",
    "ChatMessage",
    "ChatParams",
    "ChatReply",
    "ChatUsage",
    "Endpoint",
    "EndpointChanges",
    "EndpointSpec",
    "HardwareOption",
    "ModelOption",
    "Phase",
    "Provider",
    "errors",
]
