"""`together-tui serve`: the same app in a web browser, through textual-serve.

textual-serve runs one shell command per browser connection and relays its terminal over a websocket.
The command built here is this interpreter running `-m tui` with the app's own options; it never holds
the API key: each app process finds the key the usual way (environment, keyring, opted-in file), which
it inherits from this process. Nothing in the page, its URLs or the command line carries it.

textual-serve has no authentication: whoever reaches the port drives the app with your key. So the
server listens on loopback unless --allow-remote is given (over SSH: `ssh -L 8000:localhost:8000 host`),
and refuses requests whose Host is not a loopback name (DNS rebinding) and websockets opened by another
site's page (see tui/serve_web.py).

Wired into the top-level parser by `configure_parser(subparsers)`; dispatch with `run(args)`. Only the
standard library is imported here: the web stack is imported by `run`.
"""

from __future__ import annotations

import argparse
import shlex
import socket
import sys
from typing import Any

from tui.api.urls import is_loopback_name as is_loopback_host

__all__ = ["DEFAULT_HOST", "DEFAULT_PORT", "app_command", "configure_parser", "is_loopback_host", "run"]

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000
TITLE = "together-tui"
REMOTE_WARNING = (
    "warning: serving on {where}, reachable from other machines. textual-serve has no authentication: "
    "anyone who can reach this address drives the app{with_key}. Prefer the default loopback address and "
    "`ssh -L {port}:localhost:{port} <this host>`."
)


def _port(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a port number: {text!r}") from None
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"{value} is not between 0 and 65535")
    return value


def configure_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Add the `serve` command to `subparsers` (from `parser.add_subparsers()`)."""
    serve = subparsers.add_parser(
        "serve",
        help="serve the app in a web browser (loopback only unless --allow-remote)",
        description=(
            "Serve the app to web browsers with textual-serve: each browser tab runs its own app. It listens "
            "on loopback; from another machine, forward the port over SSH (ssh -L 8000:localhost:8000 HOST) "
            "and open http://localhost:8000. The app options given before `serve` (--profile, --base-url, "
            "--api-key-env, --read-only, --refresh, --no-confirm-start) apply to every tab."
        ),
    )
    serve.add_argument("--host", default=DEFAULT_HOST, help=f"address to listen on (default: {DEFAULT_HOST})")
    serve.add_argument(
        "--port", type=_port, default=DEFAULT_PORT, help=f"port to listen on (default: {DEFAULT_PORT}; 0 = any free)"
    )
    serve.add_argument(
        "--allow-remote",
        action="store_true",
        help="allow a non-loopback --host: textual-serve has no authentication, anyone reaching it uses your key",
    )
    # SUPPRESS: when not given here, the top-level parser's value stands (`together-tui --demo serve`).
    serve.add_argument(
        "--demo", action="store_true", default=argparse.SUPPRESS, help="serve the demo (offline simulator, no key)"
    )
    serve.add_argument(
        "--read-only",
        action="store_true",
        default=argparse.SUPPRESS,
        help="disable every action that changes anything",
    )
    return serve


def app_command(args: argparse.Namespace, python: str = sys.executable) -> list[str]:
    """The command each browser connection runs: the app with the options it was given, never a key."""
    command = [python, "-m", "tui"]
    if getattr(args, "demo", False):
        command.append("--demo")
    if provider := getattr(args, "demo_provider", None):
        command += ["--provider", provider]
    for option, dest in (("--base-url", "base_url"), ("--profile", "profile"), ("--api-key-env", "api_key_env")):
        value = getattr(args, dest, None)
        if value:
            command += [option, value]
    if getattr(args, "read_only", False):
        command.append("--read-only")
    refresh = getattr(args, "refresh", None)
    if refresh:
        command += ["--refresh", repr(float(refresh))]
    if getattr(args, "confirm_start", None) is False:
        command.append("--no-confirm-start")
    return command


def _refuse_unsafe_base_url(args: argparse.Namespace) -> str | None:
    """Why the app would refuse its base URL (before any browser connects), else None."""
    if getattr(args, "demo", False):
        return None
    from tui.keys.resolve import resolve_base_url
    from tui.keys.urls import InsecureBaseURLError, check_base_url_safe
    from tui.settings import load_settings

    settings = load_settings().settings
    profile = getattr(args, "profile", None) or settings.default_profile
    base_url, _ = resolve_base_url(profile, override=getattr(args, "base_url", None), settings=settings)
    try:
        check_base_url_safe(base_url)
    except InsecureBaseURLError as exc:
        return str(exc)
    return None


def bind(host: str, port: int) -> socket.socket:
    """A listening socket, bound here so that port 0 is resolved before the URL is printed."""
    name = host[1:-1] if host.startswith("[") and host.endswith("]") else host
    info = socket.getaddrinfo(name, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    family, kind, proto, _, address = info[0]
    sock = socket.socket(family, kind, proto)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
        sock.listen(128)
        sock.setblocking(False)
    except OSError:
        sock.close()
        raise
    return sock


def url_for(sock: socket.socket) -> str:
    host, port = sock.getsockname()[:2]
    if sock.family == socket.AF_INET6:
        host = f"[{host}]"
    if host in ("0.0.0.0", "[::]"):
        host = socket.gethostname()
    return f"http://{host}:{port}"


def run(args: argparse.Namespace) -> int:
    """Serve until SIGINT or SIGTERM. Exit codes: 0 stopped, 1 cannot listen, 2 refused."""
    remote = not is_loopback_host(args.host)
    if remote and not args.allow_remote:
        demo = getattr(args, "demo", False)
        print(
            f"error: refusing to serve on non-loopback address {args.host!r}: textual-serve has no "
            f"authentication, so anyone who can reach it would drive the app{'' if demo else ' with your API key'}. "
            f"Use the default {DEFAULT_HOST} with `ssh -L {args.port or DEFAULT_PORT}:localhost:"
            f"{args.port or DEFAULT_PORT} <this host>` from your machine, or pass --allow-remote to do it anyway.",
            file=sys.stderr,
        )
        return 2
    if problem := _refuse_unsafe_base_url(args):
        print(f"error: {problem}", file=sys.stderr)
        return 2
    try:
        sock = bind(args.host, args.port)
    except OSError as exc:
        print(f"error: cannot listen on {args.host}:{args.port}: {exc}", file=sys.stderr)
        return 1
    url = url_for(sock)
    if remote:
        with_key = "" if getattr(args, "demo", False) else " with your API key"
        print(REMOTE_WARNING.format(where=url, with_key=with_key, port=sock.getsockname()[1]), file=sys.stderr)
    from tui.serve_web import AppServer

    server = AppServer(shlex.join(app_command(args)), title=TITLE, any_host=remote)
    print(f"together-tui in a browser at {url} (Ctrl-C to stop)", flush=True)
    try:
        server.serve_on(sock)
    finally:
        sock.close()
    return 0


def main(argv: list[str] | None = None) -> int:
    """`python -m tui.serve [options]`: the command on its own, with only its own options."""
    parser = argparse.ArgumentParser(prog="together-tui")
    configure_parser(parser.add_subparsers(dest="command", required=True))
    return run(parser.parse_args(["serve", *(sys.argv[1:] if argv is None else argv)]))


if __name__ == "__main__":
    raise SystemExit(main())
