"""The start's head start: a forked child reads the settings, the key and the first list while this process
loads Textual and the app.

What the first frame needs splits in two halves of about the same CPU: Textual and the app (the bare
Textual app's floor), and the settings, the HTTP stack, the wire models and the first list (pydantic and
httpx alone cost ~0.7x of the bare app's start). One after the other they made the first frame ~2x the bare
app's; side by side, on two cores, the app's process reaches its first frame about as the bare app does
(``docs/benchmarks.md``, session 13: the app's process alone, handed the list, 445 ms against the bare
app's 410).

The child, forked before any thread starts, resolves the start exactly as a start without it does
(``tui.start_config.resolve``), builds the provider, sends the first list and the hardware list (the prices) on
their way, and writes to a pipe, pickled: first the facts (the app's configuration, theme checked, and what
the app asks of a provider before it has one), then what the two reads returned. Then it exits. It never
writes to the terminal (its standard streams are /dev/null). No key (the first-run screen), the demo, a
mistake in the settings, a child that dies or sends nothing within ``FACTS_TIMEOUT``: the app starts as
before, on its own, and says what is wrong as before.

The app then runs on a ``DeferredProvider``: the first list and prices are the child's, and its own
provider is built on a thread at the first call that needs it, after the first frame. The key is read
again for that (a key is never pickled: ``tui.keys.secret`` refuses, and it never leaves this process's
memory but for the child's own copy, which exits).

Linux only, with two cores or more: UNVERIFIED elsewhere (macOS forbids much in a forked child).
``TOGETHER_TUI_HEAD_START=0`` turns it off.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import signal
import sys
import threading
import time
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, BinaryIO

#: The command line's words that are not the app's start (a command, its help, the demo).
NOT_THE_APP = frozenset({"simulate", "serve", "auth", "-h", "--help", "--version", "--demo"})

if TYPE_CHECKING:
    import argparse

    from tui.api.deferred import DeferredProvider
    from tui.api.domain import Capabilities
    from tui.app.app import TogetherApp
    from tui.core.app_config import AppConfig

#: Seconds the app waits for the child's facts before starting on its own (a keyring that prompts).
FACTS_TIMEOUT = 10.0
#: The reads made ahead, with the arguments the store and the catalogue make them with.
READS: dict[str, tuple[tuple[Any, ...], dict[str, Any]]] = {
    "list_endpoints": ((), {"include_serverless": False}),
    "list_hardware": ((None,), {}),
    # Together's legacy (v1) prices, beside v2's: a provider without it answers nothing here.
    "legacy_hardware": ((), {}),
}
#: Provider attributes that return an async iterator without being awaited.
STREAMS = frozenset({"stream_chat"})


@dataclass(frozen=True)
class Facts:
    """What the app is built with, from the child's first message (once the settings are read)."""

    config: AppConfig
    kind: str
    profile: str
    base_url: str
    #: The settings file, as its problems name it.
    settings_where: str

    def checked(self, themes: Collection[str]) -> AppConfig:
        """The configuration with its theme checked against the themes Textual knows (as ``check_theme``)."""
        if self.config.theme in themes:
            return self.config  # without importing the settings' modules (tomllib, the key stores: ~5 ms)
        from tui.settings_toml import DEFAULT_THEME, theme_problem

        problem = theme_problem(self.config.theme, themes, self.settings_where)
        if problem is None:
            return self.config
        return replace(self.config, theme=DEFAULT_THEME, settings_problems=(*self.config.settings_problems, problem))


@dataclass(frozen=True)
class ProviderFacts:
    """What the app asks of a provider before it has one, from the child's second message (once it has
    built its provider): the app's own is built after the first frame."""

    label: str
    capabilities: Capabilities | None
    coroutines: frozenset[str]
    streams: frozenset[str]
    others: frozenset[str]


#: The head start under way in this process, begun by ``early`` (the command line's first step).
_begun: Begun | None = None


def early(argv: Sequence[str], parse: Callable[[Sequence[str]], argparse.Namespace]) -> None:
    """Fork the child now, before the command line is parsed (``python -m tui`` and ``together-tui``
    call this first): everything the child does then runs beside this process's own imports. ``parse``:
    the command line's parser, which the child imports and runs (``tui.launch`` passes it)."""
    global _begun
    if not eligible(argv, os.environ) or threading.active_count() != 1:  # fork only a single thread
        return
    read, write = os.pipe()
    try:
        pid = os.fork()
    except OSError:
        os.close(read)
        os.close(write)
        return
    if pid == 0:  # the child
        os.close(read)
        try:
            _child(list(argv), write, parse)
        finally:
            os._exit(0)
    os.close(write)
    _begun = Begun(pid, os.fdopen(read, "rb"))


def eligible(argv: Sequence[str], environ: Mapping[str, str]) -> bool:
    """Whether a start with this command line may have a head start: the app itself (not a command, its
    help or the demo, which runs its simulator in this process), on Linux with two cores or more."""
    return (sys.platform.startswith("linux") and hasattr(os, "fork") and not NOT_THE_APP & set(argv)
            and environ.get("TOGETHER_TUI_HEAD_START", "1") != "0" and (os.cpu_count() or 1) > 1)


def take(args: argparse.Namespace) -> Begun | None:
    """The head start for this start, if one was begun and the parsed command line is the app's."""
    global _begun
    begun, _begun = _begun, None
    if begun is not None and (args.command is not None or args.demo):
        begun.abandon()
        return None
    return begun


class Begun:
    """The parent's side: a thread reads the child's two messages as they come."""

    def __init__(self, pid: int, pipe: BinaryIO) -> None:
        self.pid = pid
        self._pipe = pipe
        self._facts: Facts | None = None
        self._provider_facts: ProviderFacts | None = None
        self._reads: dict[str, tuple[bool, Any]] = {}
        #: When the reads reached this process (monotonic), for the benchmarks' probe.
        self.reads_at: float | None = None
        self._facts_in = threading.Event()
        self._provider_facts_in = threading.Event()
        self._reads_in = threading.Event()
        threading.Thread(target=self._read, name="head-start", daemon=True).start()

    def _read(self) -> None:
        try:
            try:
                facts = pickle.load(self._pipe)
                self._facts = facts if isinstance(facts, Facts) else None
            except Exception:  # EOF: the child had nothing to say (the app starts on its own)
                self._facts = None
            finally:
                self._facts_in.set()
            if self._facts is not None:
                try:
                    described = pickle.load(self._pipe)
                    self._provider_facts = described if isinstance(described, ProviderFacts) else None
                finally:
                    self._provider_facts_in.set()
                if self._provider_facts is not None:
                    reads = pickle.load(self._pipe)
                    self._reads = reads if isinstance(reads, dict) else {}
                    self.reads_at = time.monotonic()
        except Exception:  # what did not come is asked for by the app itself
            pass
        finally:
            self._facts_in.set()
            self._provider_facts_in.set()
            self._reads_in.set()
            self._pipe.close()
            with contextlib.suppress(ChildProcessError):
                os.waitpid(self.pid, 0)

    def facts(self, timeout: float = FACTS_TIMEOUT) -> Facts | None:
        if not self._facts_in.wait(timeout):
            self.abandon()
            return None
        return self._facts

    def provider_facts(self, timeout: float = FACTS_TIMEOUT) -> ProviderFacts | None:
        self._provider_facts_in.wait(timeout)
        return self._provider_facts

    async def read(self, name: str) -> tuple[bool, Any]:
        """What the child's read ``name`` returned: (True, value), or (False, None) if it could not read it."""
        import asyncio

        if not self._reads_in.is_set():
            await asyncio.to_thread(self._reads_in.wait)
        answer = self._reads.get(name)
        return answer if isinstance(answer, tuple) and len(answer) == 2 and answer[0] is True else (False, None)

    def abandon(self) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.kill(self.pid, signal.SIGKILL)


def provider_for(begun: Begun, facts: Facts, args: argparse.Namespace) -> DeferredProvider:
    from tui.api.deferred import DeferredProvider, Description

    def build() -> Any:
        from tui.api.registry import build_provider
        from tui.start_config import resolve

        resolved = resolve(args)
        if isinstance(resolved, str) or resolved.key is None:
            raise RuntimeError(f"the start's settings changed: {resolved if isinstance(resolved, str) else 'no key'}")
        if (resolved.kind.kind, resolved.base_url) != (facts.kind, facts.base_url):
            # Never this profile's key to a service the first list did not come from.
            raise RuntimeError("the settings changed while the app started: restart it")
        provider = build_provider(resolved.kind.kind, resolved.key, resolved.base_url, resolved.options)
        _warm_up()
        return provider

    def waiting(name: str) -> Any:
        return lambda: begun.read(name)

    def described() -> Description | None:
        known = begun.provider_facts()
        if known is None:
            return None
        return Description(known.label, known.capabilities, known.coroutines, known.streams, known.others)

    return DeferredProvider(
        base_url=facts.base_url, described=described, build=build,
        read_ahead={name: (arguments, waiting(name)) for name, arguments in READS.items()},
    )


def _warm_up() -> None:
    """What the provider's first requests would build on the loop, built here on the build's thread: the
    asyncio backend httpcore imports from anyio on its first request (~20 ms) and the wire models'
    validators, built on their first use (the list's at a refresh: ~30 ms at 5,000 endpoints). The first
    list, which built them on a start without a head start, was the child's. UNVERIFIED past anyio 4 and
    pydantic 2.14 (``model_rebuild(force=True)`` builds a model made with ``defer_build``)."""
    import importlib

    from pydantic import BaseModel

    with contextlib.suppress(ImportError):
        importlib.import_module("anyio._backends._asyncio")
    for name, module in list(sys.modules.items()):
        if not name.startswith("tui.api.") or module is None:
            continue
        for value in list(vars(module).values()):
            if (isinstance(value, type) and issubclass(value, BaseModel) and value.__module__ == name
                    and not value.__pydantic_complete__):
                with contextlib.suppress(Exception):  # a model that cannot build yet builds on its first use
                    value.model_rebuild(force=True)


async def run(begun: Begun, facts: Facts, app_class: type[TogetherApp], args: argparse.Namespace) -> int:
    """The app on the child's facts and first reads (as ``tui.cli.run_begun`` on its own)."""
    from textual.theme import BUILTIN_THEMES  # loaded with the app

    from tui.core.account import Account

    config = facts.checked(frozenset(BUILTIN_THEMES))
    provider = provider_for(begun, facts, args)
    # The stand-in answers the provider protocols through __getattr__, which a type checker cannot see.
    account = Account.open(provider, config)  # type: ignore[arg-type]
    account.begin()
    try:
        app = app_class(provider, config, account=account)  # type: ignore[arg-type]
        await app.run_async()
    finally:
        await account.aclose()
    return app.return_code or 0


# The child.


def _child(argv: list[str], fd: int, parse: Callable[[Sequence[str]], argparse.Namespace]) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # ctrl+c is the app's to answer
    null = os.open(os.devnull, os.O_RDWR)
    for stream in (0, 1, 2):
        os.dup2(null, stream)
    with os.fdopen(fd, "wb") as pipe:
        try:
            from tui.collector import pause_collector

            pause_collector()  # as the app's own start (tui.cli.main says why)
            os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
            import asyncio

            args = parse(argv)
            if args.command is None and not args.demo:
                asyncio.run(_read_ahead(args, pipe))
        except BaseException:  # nothing sent, or only the facts: the app reads for itself
            return


async def _read_ahead(args: argparse.Namespace, pipe: BinaryIO) -> None:
    import asyncio

    from tui.api.registry import build_provider
    from tui.keys.store import display_path
    from tui.start_config import app_config, resolve

    resolved = resolve(args)
    if isinstance(resolved, str) or resolved.demo or resolved.key is None:
        return
    # The theme is checked by the app's process, which has Textual.
    facts = Facts(app_config(args, resolved), resolved.kind.kind, resolved.profile, resolved.base_url,
                  display_path(resolved.loaded.path))
    pickle.dump(facts, pipe)
    pipe.flush()  # the app is built with it while this process builds its provider
    provider = build_provider(resolved.kind.kind, resolved.key, resolved.base_url, resolved.options)
    try:
        reads = {name: asyncio.ensure_future(_answer(getattr(provider, name), *arguments))
                 for name, arguments in READS.items() if hasattr(provider, name)}
        await asyncio.sleep(0)  # the requests on their way before the facts are made
        pickle.dump(_provider_facts(provider), pipe)
        pipe.flush()
        answers = {name: await task for name, task in reads.items()}
        pickle.dump(answers, pipe)
        pipe.flush()
    finally:
        await provider.aclose()


async def _answer(call: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> tuple[bool, Any]:
    try:
        return True, await call(*args, **kwargs)
    except Exception:  # the app's own provider asks again, and shows what went wrong
        return False, None


def _provider_facts(provider: Any) -> ProviderFacts:
    import asyncio

    names = {name for name in dir(provider) if not name.startswith("_")}
    coroutines = frozenset(name for name in names if asyncio.iscoroutinefunction(getattr(type(provider), name, None)))
    streams = frozenset(names & STREAMS)
    own = {"label", "base_url", "capabilities"}
    return ProviderFacts(provider.label, getattr(provider, "capabilities", None), coroutines, streams,
                         frozenset(names - coroutines - streams - own))
