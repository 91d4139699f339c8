"""``together-tui``: the app, the app in a browser (``serve``), the simulators (``simulate``) and key
management (``auth``).

Imports are deferred to the command that needs them: the app's first frame should not wait for the
simulator's web stack or for keyring backends.
"""

from __future__ import annotations

import argparse
import asyncio
import math
import os
import sys
import types
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, NoReturn

from tui import __version__
from tui.collector import pause_collector, resume_collector

if TYPE_CHECKING:
    from tui.api.provider import Provider
    from tui.app.app import TogetherApp
    from tui.core.app_config import AppConfig
    from tui.settings import LoadedSettings


def _defer_httpx_cli() -> None:
    """httpx's package imports its command-line client to export ``httpx.main`` (click, pygments and
    rich's syntax and progress modules: tens of milliseconds before the first frame), which this app never
    calls. A stand-in takes its place and loads the real one if it is ever called."""
    if "httpx" in sys.modules or "httpx._main" in sys.modules:
        return
    stand_in = types.ModuleType("httpx._main")

    def main(*args: object, **kwargs: object) -> object:
        del sys.modules["httpx._main"]
        from httpx._main import main as real_main

        return real_main(*args, **kwargs)

    stand_in.main = main  # type: ignore[attr-defined]
    sys.modules["httpx._main"] = stand_in


_defer_httpx_cli()

#: The bounds settings.toml puts on refresh_interval: a poll every few milliseconds is a busy loop.
REFRESH_BOUNDS = (1.0, 3600.0)


def refresh_seconds(text: str) -> float:
    """``--refresh``: seconds between polls, a finite number within REFRESH_BOUNDS."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    low, high = REFRESH_BOUNDS
    if not math.isfinite(value) or not low <= value <= high:
        raise argparse.ArgumentTypeError(f"{text!r}: the interval must be between {low:g} and {high:g} seconds")
    return value


#: The subcommands; their parsers import their modules (the simulator, the web server, key management).
COMMANDS = ("simulate", "serve", "auth")


class _NotTheAppsOwn(Exception):
    """The app's short parser cannot parse this command line: the full parser answers it."""


class _ShortParser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise _NotTheAppsOwn(message)


def build_parser(*, commands: bool = True) -> argparse.ArgumentParser:
    """The command line; ``commands=False`` leaves out the subcommands, whose parsers import their
    modules (what ``together-tui`` alone, the app, never needs before its first frame)."""
    parser = (argparse.ArgumentParser if commands else _ShortParser)(
        prog="together-tui",
        description="A keyboard-driven terminal app for Together AI dedicated inference endpoints.",
        epilog="With no API key configured, a first-run screen asks for one (or starts the demo).",
    )
    parser.add_argument("--version", action="version", version=f"together-tui {__version__}")
    parser.add_argument(
        "--demo", action="store_true", help="run offline against the built-in simulator (no key, no network)"
    )
    parser.add_argument(
        "--provider",
        dest="demo_provider",
        choices=("together", "nebius"),
        default=None,
        help="with --demo: which control plane's simulator to run (default: together; nebius = Token Factory)",
    )
    parser.add_argument(
        "--base-url",
        metavar="URL",
        help="API base URL (default: $TOGETHER_BASE_URL, the profile's, or https://api.together.ai/v1)",
    )
    parser.add_argument("--profile", metavar="NAME", help="named key and base URL to use (default: 'default')")
    parser.add_argument(
        "--api-key-env", metavar="NAME", help="read the API key from this environment variable"
    )
    parser.add_argument("--read-only", action="store_true", help="disable every action that changes anything")
    parser.add_argument(
        "--no-confirm-start",
        dest="confirm_start",
        action="store_false",
        default=None,
        help="start endpoints without the one-key confirmation of their $/hour (also a setting)",
    )
    parser.add_argument(
        "--refresh",
        type=refresh_seconds,
        metavar="SECONDS",
        help="poll interval while all endpoints are steady (1 to 3600)",
    )
    if not commands:
        parser.set_defaults(command=None)
        return parser
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    simulate = subparsers.add_parser(
        "simulate",
        help="serve a local simulator of Together (v1 and v2) or Nebius Token Factory",
        description="Serve a local simulator of the Together API (v1 and v2 on one port) or, with --provider "
        "nebius, of Nebius Token Factory, on loopback.",
    )
    from tui.simulator.cli import configure_parser as configure_simulate

    configure_simulate(simulate)
    from tui.keys.auth_cli import configure_parser as configure_auth

    configure_auth(subparsers)
    from tui.serve import configure_parser as configure_serve

    configure_serve(subparsers)
    return parser


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """The app's own options are parsed without the subcommands' parsers; anything else (a command, help,
    a mistake) goes to the full parser, so its answers and errors are the same as ever."""
    words = list(sys.argv[1:] if argv is None else argv)
    if not any(word in (*COMMANDS, "-h", "--help") for word in words):
        try:
            args, rest = build_parser(commands=False).parse_known_args(words)
        except _NotTheAppsOwn:
            rest = words
        if not rest:
            return args
    return build_parser().parse_args(words)


def main(argv: Sequence[str] | None = None) -> int:
    # Until the app's first frame (tui.collector says why); the other commands get it back at once.
    pause_collector()
    # Pydantic would scan every installed distribution's entry points for its plugins (~20 ms before the
    # first list is parsed); a plugin's output would also land on the app's screen. Set it to "" to allow them.
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
    try:
        return _run_command(parse_args(argv))
    except KeyboardInterrupt:
        # Ctrl+C while the app loads (once it runs, Textual reads ctrl+c as a key): the terminal is as it
        # was, and a traceback of whatever import it cut would only alarm.
        print("together-tui: interrupted", file=sys.stderr)
        return 130
    finally:
        resume_collector()


def _run_command(args: argparse.Namespace) -> int:
    if args.command is not None:
        resume_collector()
    if args.command == "simulate":
        from tui.simulator.cli import run as run_simulate

        return run_simulate(args)
    if args.command == "serve":
        from tui.serve import run as run_serve

        return run_serve(args)
    if args.command == "auth":
        from tui.keys.auth_cli import run as run_auth

        return run_auth(args)
    return run_app(args)


def run_app(args: argparse.Namespace) -> int:
    from tui import head_start

    begun = head_start.take(args)
    if begun is not None:
        # Textual and the app load here while the child resolves the settings and reads the first list.
        app_class = _load_app()
        facts = begun.facts()
        if facts is not None:
            return asyncio.run(head_start.run(begun, facts, app_class, args))
    return _run_app_here(args)


def _run_app_here(args: argparse.Namespace) -> int:
    from tui.api.tls import preload

    # On another core while settings, pydantic and httpx import: the first session takes the store ready.
    preload()
    from tui.api.registry import DEFAULT_KIND, ProviderOptions, build_provider, entry_for
    from tui.start_config import app_config, resolve

    resolved = resolve(args)
    if isinstance(resolved, str):
        print(f"together-tui: {resolved}", file=sys.stderr)
        return 2
    notices: list[str] = []
    kind, settings = resolved.kind, resolved.settings
    demo, demo_kind, key = resolved.demo, resolved.demo_kind, resolved.key
    if not demo and key is None:
        from tui.app.first_run import FirstRunApp  # Textual: the key's screen is the first frame
        from tui.keys.store import default_store

        first_run = FirstRunApp(
            base_url=resolved.base_url, profile=resolved.profile, store=default_store(),
            env_name=resolved.env_name or kind.key_env_var,
        )
        resume_collector()  # the first-run screen waits for a person, not for a frame
        choice = first_run.run()
        if choice is None:
            return first_run.return_code or 0
        if choice.demo:
            demo = resolved.demo = True
        else:
            key = choice.key
            notices.append(f"API key {key.masked if key else ''} saved: {choice.stored_in}.")

    backend = None
    if demo:
        from tui.demo import DEMO_KINDS, start_demo_backend

        if demo_kind is None:
            # `--demo` is Together's; a demo chosen on the first-run screen is the profile's provider's.
            demo_kind = kind.kind if not args.demo and kind.kind in DEMO_KINDS else DEFAULT_KIND
        if demo_kind != kind.kind:
            kind = resolved.kind = entry_for(demo_kind)
        # The user's price table for that control plane (Nebius sends none); the profile's own options
        # (Together's API choice, a project) do not apply to a simulator.
        resolved.options = ProviderOptions(prices=dict(settings.prices.get(demo_kind, {})))
        backend = start_demo_backend(kind=demo_kind, prices=resolved.options.prices)
        provider = backend.provider
        resolved.base_url = provider.base_url
    else:
        assert key is not None
        provider = build_provider(kind.kind, key, resolved.base_url, resolved.options)

    config = app_config(args, resolved, notices=notices)
    try:
        return asyncio.run(run_begun(provider, config, resolved.loaded))
    finally:
        if backend is not None:
            backend.stop()


def _load_app() -> type[TogetherApp]:
    from tui.app.app import TogetherApp

    return TogetherApp


async def run_begun(provider: Provider, config: AppConfig, loaded: LoadedSettings, *,
                    load_app: Callable[[], type[TogetherApp]] = _load_app) -> int:
    """The app on an account begun before the app's modules load: the first list and the prices are
    asked for at once, and Textual and the app are imported in a thread meanwhile (the loop answers the
    sockets between the import's bytecode; the import waits for no reply)."""
    from tui.core.account import Account

    account = Account.open(provider, config)
    account.begin()
    try:
        app_class = await asyncio.to_thread(load_app)
        from textual.theme import BUILTIN_THEMES  # loaded with the app: no cost here

        from tui.settings import check_theme

        checked = check_theme(loaded, frozenset(BUILTIN_THEMES))
        config = replace(config, theme=checked.settings.theme, settings_problems=tuple(checked.problems))
        app = app_class(provider, config, account=account)
        await app.run_async()
    finally:
        await account.aclose()
    # Non-zero after a crash (Textual sets 1 for an unhandled exception) or a signal (128 + its number).
    return app.return_code or 0


if __name__ == "__main__":
    raise SystemExit(main())
