"""Where an API key may be sent: https anywhere, plain http only to this machine.

Part of the API layer (every provider's HTTP session checks it) and free of httpx, so the key code can use
it without loading the HTTP stack (``tui.keys.urls`` re-exports it).
"""

from __future__ import annotations

from urllib.parse import urlsplit

__all__ = ["InsecureBaseURLError", "check_base_url_safe", "is_loopback_host", "trust_env_for"]


class InsecureBaseURLError(ValueError):
    """The base URL would send the API key in clear text over a network, or is not a usable URL."""


#: Where each control plane's management API lives unless a profile or flag says otherwise. Here, in this
#: leaf module, so the registry and the clients read one value without importing each other.
TOGETHER_BASE_URL = "https://api.together.ai/v1"
NEBIUS_BASE_URL = "https://api.tokenfactory.nebius.com"


def is_loopback_host(host: str) -> bool:
    """True for `localhost`, 127.0.0.0/8 and ::1 (also written as an IPv4-mapped address).

    Only literal addresses and the exact name `localhost` count: a name such as
    `localhost.example.com` or `127.0.0.1.nip.io` is resolved by DNS and can point anywhere.
    """
    host = host.lower().rstrip(".")
    if host == "localhost":
        return True
    import ipaddress

    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped.is_loopback
    return address.is_loopback


def is_loopback_name(host: str) -> bool:
    """``is_loopback_host`` for a name a browser sends or a user types: ``[::1]`` with its brackets, and any
    ``*.localhost`` name, which browsers resolve to loopback themselves (RFC 6761) without asking DNS."""
    name = host.strip().lower()
    if name.startswith("[") and name.endswith("]"):
        name = name[1:-1]
    return name.endswith(".localhost") or is_loopback_host(name)


def check_base_url_safe(url: str) -> None:
    """Raise InsecureBaseURLError unless an API key may be sent to `url`.

    Allowed: https:// to any host; http:// only to a loopback host (a local simulator or proxy),
    where the traffic never leaves the machine.
    """
    try:
        parts = urlsplit(url)
        host = parts.hostname
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number
    except ValueError as exc:
        raise InsecureBaseURLError(f"The base URL {url!r} is not a valid URL ({exc}).") from None
    scheme = parts.scheme.lower()
    if scheme not in ("https", "http") or not host:
        raise InsecureBaseURLError(
            f"The base URL {url!r} is not an http(s) URL with a host; expected something like https://api.example.com/v1."
        )
    if scheme == "http" and not is_loopback_host(host):
        raise InsecureBaseURLError(
            f"Refusing to send the API key to {url}: plain http would expose it on the network. "
            "Use an https:// URL (http:// is allowed only for localhost, 127.0.0.0/8 and ::1)."
        )


def trust_env_for(base_url: str) -> bool:
    """The httpx `trust_env` to use when sending a key to `base_url`.

    False over plain http to a loopback host: honouring HTTP_PROXY there would carry the key in
    clear text off the machine. Over https a proxy only sees an encrypted tunnel.
    """
    parts = urlsplit(base_url)
    return not (parts.scheme.lower() == "http" and is_loopback_host(parts.hostname or ""))
