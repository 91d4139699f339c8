"""`together-tui auth login|status|logout`.

Wired into the top-level parser by `configure_parser(subparsers)`; dispatch with `run(args)`.
The top-level parser provides `args.profile`, `args.api_key_env` and `args.base_url`; each
subcommand also accepts them after its name (`auth login --profile work`).

Exit codes: 0 success; 1 the key is missing, refused, unreachable or could not be stored or
removed; 2 bad input (empty key, bad profile name, base URL that may not receive the key).
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from typing import IO, TYPE_CHECKING, Any

from tui.api.registry import ProviderKind, UnknownProviderError
from tui.api.safe_text import clean_multiline
from tui.keys.resolve import ENV_VAR, env_name_for, provider_for, resolve_api_key, resolve_base_url
from tui.keys.secret import ApiKey, InvalidApiKeyError
from tui.keys.store import (
    DEFAULT_PROFILE,
    SERVICE_NAME,
    FileStoreError,
    KeyringUnavailableError,
    KeyStore,
    default_store,
    display_path,
    validate_profile_name,
)
from tui.keys.urls import InsecureBaseURLError, check_base_url_safe

if TYPE_CHECKING:
    import httpx

    from tui.keys.verify import VerifyResult
    from tui.settings import Settings

__all__ = ["configure_parser", "run"]

_EXIT_OK, _EXIT_FAIL, _EXIT_USAGE = 0, 1, 2


def configure_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Add the `auth` command group to `subparsers` (from `parser.add_subparsers()`)."""
    auth = subparsers.add_parser(
        "auth",
        help="store, check or remove the Together API key",
        description=(
            f"Manage the Together API key. Keys live in the OS keyring (service {SERVICE_NAME}, "
            f"one entry per profile; the default profile is {DEFAULT_PROFILE!r}). "
            f"{ENV_VAR}, when set, takes precedence over any stored key."
        ),
    )
    commands = auth.add_subparsers(dest="auth_command", metavar="{login,status,logout}", required=True)

    login = commands.add_parser(
        "login",
        help="store a key in the OS keyring",
        description=(
            "Store an API key. On a terminal the key is prompted for without echo; otherwise one line "
            "is read from standard input (echo $KEY | together-tui auth login)."
        ),
    )
    login.add_argument(
        "--file-store",
        action="store_true",
        help="store the key in a plain-text file (mode 0600) instead of the OS keyring; for hosts "
        "without a working keyring",
    )
    login.add_argument("--no-verify", action="store_true", help="store the key without checking it first")

    status = commands.add_parser("status", help="show where the key comes from and whether it works")
    status.add_argument("--no-verify", action="store_true", help="do not contact the API")

    commands.add_parser("logout", help="remove the stored key of the profile")

    for sub in (login, status, commands.choices["logout"]):
        # SUPPRESS: when not given here, the top-level parser's value stands.
        sub.add_argument("--profile", default=argparse.SUPPRESS, help="profile name (default: default)")
        sub.add_argument(
            "--api-key-env",
            default=argparse.SUPPRESS,
            metavar="NAME",
            help=f"read the key from environment variable NAME instead of {ENV_VAR}",
        )
        sub.add_argument("--base-url", default=argparse.SUPPRESS, help="API base URL")
    auth.set_defaults(func=run)
    return auth


@dataclass
class _Context:
    profile: str
    provider: ProviderKind
    env_name: str | None
    base_url: str
    base_url_source: str
    store: KeyStore
    environ: Mapping[str, str]
    stdin: IO[str] | None
    out: IO[str]
    err: IO[str]
    transport: httpx.BaseTransport | None

    # Messages quote servers, keyring backends and environment values: nothing reaches the terminal
    # as control, whatever they held (the verifier has already masked the key in what it relays).
    def say(self, message: str = "") -> None:
        print(clean_multiline(message), file=self.out)

    def warn(self, message: str) -> None:
        print(clean_multiline(message), file=self.err)

    @property
    def effective_env(self) -> str:
        return self.env_name or self.provider.key_env_var

    def profile_flag(self) -> str:
        return "" if self.profile == DEFAULT_PROFILE else f" --profile {self.profile}"


def run(
    args: argparse.Namespace,
    *,
    store: KeyStore | None = None,
    environ: Mapping[str, str] | None = None,
    stdin: IO[str] | None = None,
    stdout: IO[str] | None = None,
    stderr: IO[str] | None = None,
    transport: httpx.BaseTransport | None = None,
    settings: Settings | None = None,
) -> int:
    """Run `auth <args.auth_command>`. The keyword arguments replace the real world in tests."""
    out = stdout if stdout is not None else sys.stdout
    err = stderr if stderr is not None else sys.stderr
    if settings is None:
        from tui.settings import load_settings

        loaded = load_settings()
        for problem in loaded.problems:
            print(f"warning: {problem}", file=err)
        settings = loaded.settings
    profile = getattr(args, "profile", None) or settings.default_profile
    try:
        validate_profile_name(profile)
    except ValueError as exc:
        print(exc, file=err)
        return _EXIT_USAGE
    if environ is None:
        environ = os.environ
    try:
        provider = provider_for(profile, settings)
    except UnknownProviderError as exc:
        print(f"profile {profile!r}: {exc}", file=err)
        return _EXIT_USAGE
    base_url, base_url_source = resolve_base_url(
        profile, override=getattr(args, "base_url", None), settings=settings, environ=environ
    )
    ctx = _Context(
        profile=profile,
        provider=provider,
        env_name=env_name_for(profile, override=getattr(args, "api_key_env", None), settings=settings),
        base_url=base_url,
        base_url_source=base_url_source,
        store=store if store is not None else default_store(),
        environ=environ,
        stdin=stdin if stdin is not None else sys.stdin,
        out=out,
        err=err,
        transport=transport,
    )
    command = getattr(args, "auth_command", None)
    if command == "login":
        return _login(ctx, file_store=args.file_store, verify=not args.no_verify)
    if command == "status":
        return _status(ctx, verify=not args.no_verify)
    if command == "logout":
        return _logout(ctx)
    print("usage: together-tui auth {login,status,logout}", file=err)
    return _EXIT_USAGE


def _verify(ctx: _Context, key: ApiKey) -> VerifyResult:
    from tui.keys.verify import verify_key  # deferred: imports httpx

    return verify_key(key, ctx.base_url, provider=ctx.provider.kind, transport=ctx.transport)


def _explain_no_keyring(ctx: _Context, reason: str) -> None:
    ctx.warn(f"No working OS keyring: {reason}.")
    ctx.warn("Nothing was stored. Either:")
    ctx.warn(f"  - set {ctx.effective_env} in your environment (it is read before any stored key), or")
    ctx.warn(
        f"  - run `together-tui auth login{ctx.profile_flag()} --file-store` to keep the key in the "
        f"plain-text file {display_path(ctx.store.file.path)} (mode 0600) instead."
    )


def _read_key(ctx: _Context) -> ApiKey | None:
    stdin = ctx.stdin
    interactive = stdin is not None and not stdin.closed and stdin.isatty()
    try:
        if interactive:
            text = getpass.getpass(f"{ctx.provider.label} API key for profile {ctx.profile!r} (input hidden): ")
        else:
            text = stdin.readline() if stdin is not None and not stdin.closed else ""
    except (EOFError, KeyboardInterrupt):
        ctx.warn("\nCancelled; nothing was stored.")
        return None
    try:
        return ApiKey.parse(text)
    except InvalidApiKeyError as exc:
        hint = "" if interactive else " (pipe the key in: echo $KEY | together-tui auth login)"
        ctx.warn(f"Not storing anything: {exc}{hint}.")
        return None
    finally:
        del text


def _login(ctx: _Context, *, file_store: bool, verify: bool) -> int:
    if verify:
        try:
            check_base_url_safe(ctx.base_url)
        except InsecureBaseURLError as exc:
            ctx.warn(str(exc))
            return _EXIT_USAGE
    previous: ApiKey | None = None
    if file_store:
        status = ctx.store.keyring.status()
        if status.available:
            ctx.warn(f"Note: the OS keyring ({status.backend}) works on this machine; it is safer than --file-store.")
    else:
        # Ask the keyring before the user types the key, so a broken keyring costs no typing.
        try:
            status = ctx.store.keyring.status()
            if not status.available:
                raise KeyringUnavailableError(status.reason or "unknown reason")
            previous = ctx.store.keyring.get(ctx.profile)
        except KeyringUnavailableError as exc:
            _explain_no_keyring(ctx, exc.reason)
            return _EXIT_FAIL

    key = _read_key(ctx)
    if key is None:
        return _EXIT_USAGE

    if verify:
        result = _verify(ctx, key)
        if result.outcome == "refused":
            ctx.warn(f"{ctx.base_url} refused the key {key.masked}: {result.detail}. Nothing was stored.")
            return _EXIT_FAIL
        if result.ok:
            ctx.say(f"The key {key.masked} works: {ctx.base_url} {result.detail} it.")
        else:
            ctx.warn(
                f"Could not check the key: {result.detail}. Storing it anyway; check it later with "
                f"`together-tui auth status{ctx.profile_flag()}`."
            )

    if file_store:
        try:
            ctx.store.file.set(ctx.profile, key)
        except (OSError, FileStoreError) as exc:
            ctx.warn(f"Nothing was stored: {exc}.")
            return _EXIT_FAIL
        ctx.say(f"Stored the key {key.masked} for profile {ctx.profile} in {ctx.store.file.describe()}.")
        ctx.warn(
            f"Warning: the key is stored in PLAIN TEXT in {display_path(ctx.store.file.path)} "
            "(readable only by your user, mode 0600). Anyone with access to your account or its "
            "backups can read it."
        )
    else:
        try:
            ctx.store.keyring.set(ctx.profile, key)
        except KeyringUnavailableError as exc:
            _explain_no_keyring(ctx, exc.reason)
            return _EXIT_FAIL
        ctx.say(f"Stored the key {key.masked} in the {ctx.store.keyring.describe(ctx.profile)}.")
        if previous is not None and previous != key:
            ctx.say(f"It replaces the key {previous.masked}.")

    if ctx.effective_env in ctx.environ:
        ctx.warn(f"Note: {ctx.effective_env} is set in this environment and takes precedence over the stored key.")
    return _EXIT_OK


def _status(ctx: _Context, *, verify: bool) -> int:
    notes: list[str] = []
    resolved = resolve_api_key(
        ctx.profile,
        env_name=ctx.env_name,
        environ=ctx.environ,
        store=ctx.store,
        notes=notes,
        default_env=ctx.effective_env,
    )
    keyring_status = ctx.store.keyring.status()
    try:
        check_base_url_safe(ctx.base_url)
        url_problem = None
    except InsecureBaseURLError as exc:
        url_problem = str(exc)

    ctx.say(f"Profile:  {ctx.profile}")
    ctx.say(f"Provider: {ctx.provider.label}")
    if resolved is None:
        ctx.say("Key:      none found")
    else:
        ctx.say(f"Key:      {resolved.key.masked}, from {resolved.source}")
    ctx.say(f"Base URL: {ctx.base_url} ({ctx.base_url_source})")
    if keyring_status.available:
        ctx.say(f"Keyring:  {keyring_status.backend}")
    else:
        reason = keyring_status.reason or "unknown reason"
        ctx.say(f"Keyring:  not working: {reason}")
        # The Keyring line has said it already.
        notes = [note for note in notes if reason not in note]

    code = _EXIT_OK
    if resolved is None:
        ctx.say("Check:    not done (no key)")
        code = _EXIT_FAIL
    elif url_problem is not None:
        ctx.say(f"Check:    not done ({url_problem})")
        code = _EXIT_FAIL
    elif not verify:
        ctx.say("Check:    skipped (--no-verify)")
    else:
        result = _verify(ctx, resolved.key)
        ctx.say(f"Check:    {result.detail}")
        if not result.ok:
            code = _EXIT_FAIL
    for note in notes:
        ctx.say(f"Note:     {note}")
    if resolved is None:
        ctx.say(f"\nTo add a key, run `together-tui auth login{ctx.profile_flag()}` or set {ctx.effective_env}.")
    return code


def _logout(ctx: _Context) -> int:
    removed = False
    failed = False
    keyring_status = ctx.store.keyring.status()
    if keyring_status.available:
        try:
            if ctx.store.keyring.delete(ctx.profile):
                removed = True
                ctx.say(f"Removed the key for profile {ctx.profile} from the OS keyring (service {SERVICE_NAME}).")
            else:
                ctx.say(f"The OS keyring holds no key for profile {ctx.profile}.")
        except KeyringUnavailableError as exc:
            failed = True
            ctx.warn(f"Could not remove the key from the OS keyring: {exc.reason}.")
    else:
        ctx.say(f"No working OS keyring ({keyring_status.reason}); nothing to remove there.")

    file = ctx.store.file
    if file.exists():
        try:
            if file.delete(ctx.profile):
                removed = True
                gone = "" if file.exists() else " It held no other key and was deleted."
                ctx.say(f"Removed the key for profile {ctx.profile} from {file.describe()}.{gone}")
            else:
                ctx.say(f"{file.describe().capitalize()} holds no key for profile {ctx.profile}.")
        except (OSError, FileStoreError) as exc:
            failed = True
            ctx.warn(f"Could not remove the key from {file.describe()}: {exc}.")

    if ctx.effective_env in ctx.environ:
        ctx.warn(
            f"Note: {ctx.effective_env} is still set in this environment, so together-tui will keep "
            f"using that key. Remove it with `unset {ctx.effective_env}` (and from your shell profile)."
        )
    return _EXIT_FAIL if failed and not removed else _EXIT_OK
