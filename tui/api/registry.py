"""Which control planes the app can talk to, and how to build the provider for a profile.

One table, ``PROVIDERS``: a kind (what a profile's ``provider = "..."`` names) -> how to build it, its
default base URL, the environment variable its key is read from by default, and its label. The CLI, the
demo, the key check and the settings validation all read this table, so adding a control plane is one
entry here and nowhere else.

Importing this module is cheap (no httpx): the settings validation and the key code read the table before
anything talks HTTP; each factory imports its provider when it is called.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from tui.api.urls import NEBIUS_BASE_URL, TOGETHER_BASE_URL

if TYPE_CHECKING:
    import httpx

    from tui.api.auth import SecretLike
    from tui.api.provider import Provider

__all__ = [
    "DEFAULT_KIND",
    "NEBIUS_BASE_URL",
    "PROVIDERS",
    "TOGETHER_API_DEFAULT",
    "TOGETHER_BASE_URL",
    "ProviderKind",
    "ProviderOptions",
    "UnknownProviderError",
    "build_provider",
    "entry_for",
    "kinds",
    "unknown_provider_problem",
]

DEFAULT_KIND = "together"

#: Which Together API the "together" kind builds when the profile does not say. "v2": the combined provider
#: (v2 endpoints with their deployments beside the account's legacy v1 ones), Together as it is today;
#: ``together_api = "v1"`` in a profile keeps the v1-only provider (an account, or a proxy, without v2).
TOGETHER_API_DEFAULT: Literal["v1", "v2"] = "v2"


@dataclass(frozen=True)
class ProviderOptions:
    """Everything beyond key and base URL a factory may use; each kind reads what it knows."""

    #: Replaces the network (tests, the demo's loopback simulator needs none).
    transport: httpx.AsyncBaseTransport | None = None
    #: The environment to read provider variables from (None: the process's); tests pass ``{}``.
    environ: Mapping[str, str] | None = None
    #: The most a read may take, retries included (the key check wants an answer sooner than the app).
    read_deadline: float | None = None
    #: Where chat goes when it is not the management host (Together v2's inference host, Nebius's region).
    inference_url: str | None = None
    #: GPU type -> US dollars per hour, from ``[prices.<kind>]``, for a control plane that sends no prices.
    prices: Mapping[str, float] = field(default_factory=dict)
    #: Kind-specific profile settings (Together: ``together_api`` = "v1" | "v2", ``project_id``).
    settings: Mapping[str, Any] = field(default_factory=dict)


ProviderFactory = Callable[["SecretLike | str", str, ProviderOptions], "Provider"]


@dataclass(frozen=True)
class ProviderKind:
    kind: str
    #: For people: "Together", shown in the header and the key prompts.
    label: str
    default_base_url: str
    #: The environment variable a profile's key is read from unless it names another.
    key_env_var: str
    factory: ProviderFactory
    #: The environment variable that overrides the base URL (Together's own tools read TOGETHER_BASE_URL).
    base_url_env_var: str | None = None


class UnknownProviderError(ValueError):
    """A profile names a provider kind nobody registered; the message has a did-you-mean."""


def _together(key: SecretLike | str, base_url: str, options: ProviderOptions) -> Provider:
    from tui.api.http import READ_DEADLINE

    api = options.settings.get("together_api") or TOGETHER_API_DEFAULT
    deadline = READ_DEADLINE if options.read_deadline is None else options.read_deadline
    if api == "v2":
        from tui.api.together.combined import TogetherProvider

        return TogetherProvider.connect(
            key,
            base_url,
            inference_url=options.inference_url,
            project_id=options.settings.get("project_id"),
            environ=options.environ,
            transport=options.transport,
            read_deadline=deadline,
        )
    if api != "v1":
        raise ValueError(f"together_api must be 'v1' or 'v2', not {api!r}")
    from tui.api.together.client import TogetherClient
    from tui.api.together.provider import TogetherV1Provider

    return TogetherV1Provider(TogetherClient(key, base_url, transport=options.transport, read_deadline=deadline))




def _nebius(key: SecretLike | str, base_url: str, options: ProviderOptions) -> Provider:
    from tui.api.nebius import create_provider

    return create_provider(
        key,
        base_url,
        {
            "prices": dict(options.prices),
            "inference_url": options.inference_url,
            "project_id": options.settings.get("project_id"),
            "transport": options.transport,
            "read_deadline": options.read_deadline,
        },
    )


#: kind -> its entry. A new control plane adds one entry (and its factory) here.
PROVIDERS: dict[str, ProviderKind] = {
    "together": ProviderKind(
        kind="together",
        label="Together",
        default_base_url=TOGETHER_BASE_URL,
        key_env_var="TOGETHER_API_KEY",
        factory=_together,
        base_url_env_var="TOGETHER_BASE_URL",
    ),
    "nebius": ProviderKind(
        kind="nebius",
        label="Nebius Token Factory",
        default_base_url=NEBIUS_BASE_URL,
        # Not NEBIUS_API_KEY: Nebius's own tools keep IAM tokens there, which Token Factory does not take.
        key_env_var="NEBIUS_TOKEN_FACTORY_API_KEY",
        factory=_nebius,
    ),
}


def kinds() -> tuple[str, ...]:
    return tuple(PROVIDERS)


def unknown_provider_problem(kind: str) -> str | None:
    """None for a registered kind; else the problem, with the nearest kind ("did you mean 'nebius'?")."""
    if kind in PROVIDERS:
        return None
    close = difflib.get_close_matches(kind.lower(), list(PROVIDERS), n=1, cutoff=0.6)
    hint = f"did you mean {close[0]!r}?" if close else f"one of {', '.join(repr(k) for k in PROVIDERS)}"
    return f"unknown provider {kind!r} ({hint})"


def entry_for(kind: str) -> ProviderKind:
    problem = unknown_provider_problem(kind)
    if problem is not None:
        raise UnknownProviderError(problem)
    return PROVIDERS[kind]


def build_provider(
    kind: str, key: SecretLike | str, base_url: str | None = None, options: ProviderOptions | None = None
) -> Provider:
    """The provider of ``kind`` for this key, at ``base_url`` (None: the kind's default).

    Raises UnknownProviderError for an unregistered kind and InsecureBaseURLError (a ValueError) before
    anything is sent when the key may not go to ``base_url``.
    """
    entry = entry_for(kind)
    return entry.factory(key, base_url or entry.default_base_url, options or ProviderOptions())
