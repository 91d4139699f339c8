"""``together-tui``: the app, the simulator (``simulate``) and key management (``auth``).

Imports are deferred to the command that needs them: the app's first frame should not wait for the
simulator's web stack or for keyring backends.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from tui import __version__


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="together-tui",
        description="A keyboard-driven terminal app for Together AI dedicated inference endpoints.",
        epilog="With no API key configured, a first-run screen asks for one (or starts the demo).",
    )
    parser.add_argument("--version", action="version", version=f"together-tui {__version__}")
    parser.add_argument(
        "--demo", action="store_true", help="run offline against the built-in simulator (no key, no network)"
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
        "--refresh", type=float, metavar="SECONDS", help="poll interval while all endpoints are steady"
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    simulate = commands.add_parser(
        "simulate",
        help="serve a local simulator of the Together v1 API",
        description="Serve a local simulator of the Together v1 API on loopback.",
    )
    from tui.simulator.cli import configure_parser as configure_simulate

    configure_simulate(simulate)
    from tui.keys.auth_cli import configure_parser as configure_auth

    configure_auth(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command == "simulate":
        from tui.simulator.cli import run as run_simulate

        return run_simulate(args)
    if args.command == "auth":
        from tui.keys.auth_cli import run as run_auth

        return run_auth(args)
    return run_app(args)


def run_app(args: argparse.Namespace) -> int:
    from tui.app.config import AppConfig
    from tui.keys.resolve import resolve_base_url
    from tui.keys.urls import InsecureBaseURLError, check_base_url_safe
    from tui.settings import load_settings

    loaded = load_settings()
    settings = loaded.settings
    problems = list(loaded.problems)
    notices: list[str] = []
    profile_name = args.profile or settings.default_profile
    base_url, _ = resolve_base_url(profile_name, override=args.base_url, settings=settings)
    demo = bool(args.demo)
    key = None
    if not demo:
        try:
            check_base_url_safe(base_url)
        except InsecureBaseURLError as exc:
            print(f"together-tui: {exc}", file=sys.stderr)
            return 2
        from tui.keys.resolve import ENV_VAR, env_name_for, resolve_api_key

        env_name = env_name_for(profile_name, override=args.api_key_env, settings=settings)
        resolved = resolve_api_key(profile_name, env_name=env_name)
        if resolved is not None:
            key = resolved.key
        else:
            from tui.app.first_run import FirstRunApp
            from tui.keys.store import default_store

            choice = FirstRunApp(
                base_url=base_url, profile=profile_name, store=default_store(), env_name=env_name or ENV_VAR
            ).run()
            if choice is None:
                return 0
            if choice.demo:
                demo = True
            else:
                key = choice.key
                notices.append(f"API key {key.masked if key else ''} saved: {choice.stored_in}.")

    backend = None
    if demo:
        from tui.demo import start_demo_backend

        backend = start_demo_backend()
        provider = backend.provider
        base_url = backend.server.base_url
    else:
        from tui.api.together import TogetherClient, TogetherV1Provider

        assert key is not None
        provider = TogetherV1Provider(TogetherClient(key, base_url))

    config = AppConfig(
        base_url=base_url,
        profile=profile_name,
        demo=demo,
        read_only=bool(args.read_only or settings.read_only),
        refresh_interval=args.refresh or settings.refresh_interval,
        fast_refresh_interval=settings.fast_refresh_interval,
        notifications=settings.notifications,
        bell=settings.bell,
        confirm_delete=settings.confirm_delete,
        wait_timeout_minutes=settings.wait_timeout_minutes,
        theme=settings.theme,
        chat=settings.chat,
        keymap=dict(settings.keymap),
        settings_problems=tuple(problems),
        notices=tuple(notices),
    )
    from tui.app.app import TogetherApp

    try:
        TogetherApp(provider, config).run()
    finally:
        if backend is not None:
            backend.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
