"""`together-tui auth login|status|logout`, run through argparse and `run(args)` with the keyring,
stdin, environment and HTTP replaced. The key must never appear in any output."""

from __future__ import annotations

import argparse
import getpass
import io
import json
import stat
import sys
from dataclasses import dataclass
from pathlib import Path

import httpx
import keyring.core
import pytest
from keyring.backend import KeyringBackend
from keyring.backends import fail
from keyring_memory import MemoryKeyring
from stand_in_api import StandInApi

from tui.keys import SERVICE_NAME, ApiKey, FileStore, KeyringStore, KeyStore
from tui.keys.auth_cli import configure_parser, run
from tui.settings import Profile, Settings

KEY = "tgp_v1_Zx9Qm2Lr8Tb4Wc6Yd1Fe3Gh5Jk7Np0Rs-abcd"
OTHER_KEY = "tgp_v1_Pp4Oo5Ii6Uu7Yy8Tt9Rr0Ee1Ww2Qq3Aa-wxyz"


@pytest.fixture(autouse=True)
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("TOGETHER_API_KEY", "TOGETHER_BASE_URL", "TOGETHER_TUI_CONFIG"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setattr(keyring.core, "_keyring_backend", MemoryKeyring())

    def no_prompt(prompt: str = "") -> str:
        raise AssertionError("getpass must not be used when stdin is not a terminal")

    monkeypatch.setattr(getpass, "getpass", no_prompt)


def build_parser() -> argparse.ArgumentParser:
    """The global options as tui/cli.py defines them, plus the auth group."""
    parser = argparse.ArgumentParser(prog="together-tui")
    parser.add_argument("--profile")
    parser.add_argument("--api-key-env")
    parser.add_argument("--base-url")
    configure_parser(parser.add_subparsers(dest="command"))
    return parser




class TerminalStdin(io.StringIO):
    def isatty(self) -> bool:
        return True


@dataclass
class Result:
    code: int
    out: str
    err: str

    @property
    def text(self) -> str:
        return self.out + self.err


@dataclass
class Cli:
    tmp_path: Path
    backend: KeyringBackend
    api: StandInApi
    environ: dict[str, str]
    settings: Settings

    @property
    def store(self) -> KeyStore:
        return KeyStore(KeyringStore(backend=self.backend), FileStore(self.tmp_path / "cfg" / "credentials.toml"))

    def __call__(self, *argv: str, stdin: io.StringIO | None = None, settings: Settings | None = None) -> Result:
        args = build_parser().parse_args(argv)
        out, err = io.StringIO(), io.StringIO()
        code = run(
            args,
            store=self.store,
            environ=self.environ,
            stdin=stdin if stdin is not None else io.StringIO(""),
            stdout=out,
            stderr=err,
            transport=self.api.transport,
            settings=settings if settings is not None else self.settings,
        )
        result = Result(code, out.getvalue(), err.getvalue())
        for secret in (KEY, OTHER_KEY):
            assert secret not in result.text
            assert secret[7:19] not in result.text
        return result


@pytest.fixture
def cli(tmp_path: Path) -> Cli:
    return Cli(tmp_path, MemoryKeyring(), StandInApi(), {}, Settings())


def stored(cli: Cli, profile: str = "default") -> str | None:
    return cli.backend.get_password(SERVICE_NAME, profile)


# --------------------------------------------------------------------------------------------
# login


def test_login_reads_one_line_from_piped_stdin_and_stores_in_keyring(cli: Cli) -> None:
    result = cli("auth", "login", stdin=io.StringIO(f"  {KEY}  \nsecond line\n"))
    assert result.code == 0, result.err
    assert stored(cli) == KEY
    assert "…abcd" in result.out
    assert "OS keyring (service together-tui, profile default)" in result.out
    assert "The key …abcd works: https://api.together.ai/v1 accepted it." in result.out
    (request,) = cli.api.requests
    assert request.url == "https://api.together.ai/v3/whoami"
    assert request.headers["authorization"] == f"Bearer {KEY}"


def test_login_prompts_without_echo_on_a_terminal(cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    prompts: list[str] = []

    def fake_getpass(prompt: str = "") -> str:
        prompts.append(prompt)
        return KEY

    monkeypatch.setattr(getpass, "getpass", fake_getpass)
    stdin = TerminalStdin("this must not be read\n")
    result = cli("auth", "login", "--profile", "work", stdin=stdin)
    assert result.code == 0, result.err
    assert prompts == ["Together API key for profile 'work' (input hidden): "]
    assert stdin.read() == "this must not be read\n"
    assert stored(cli, "work") == KEY


def test_login_cancelled_at_the_prompt(cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    def interrupted(prompt: str = "") -> str:
        raise KeyboardInterrupt

    monkeypatch.setattr(getpass, "getpass", interrupted)
    result = cli("auth", "login", stdin=TerminalStdin(""))
    assert result.code == 2
    assert "Cancelled" in result.err
    assert stored(cli) is None


@pytest.mark.parametrize("text", ["", "\n", "   \n", "two words\n"])
def test_login_refuses_empty_or_malformed_input(cli: Cli, text: str) -> None:
    result = cli("auth", "login", stdin=io.StringIO(text))
    assert result.code == 2
    assert "Not storing anything" in result.err
    assert stored(cli) is None
    assert cli.api.requests == []


def test_login_refused_key_is_not_stored(cli: Cli) -> None:
    cli.api.status = 401
    result = cli("auth", "login", stdin=io.StringIO(KEY))
    assert result.code == 1
    assert "refused the key …abcd" in result.err and "HTTP 401" in result.err
    assert "Nothing was stored" in result.err
    assert stored(cli) is None


def test_login_forbidden_key_is_not_stored(cli: Cli) -> None:
    cli.api.status = 403
    assert cli("auth", "login", stdin=io.StringIO(KEY)).code == 1
    assert stored(cli) is None


def test_login_stores_anyway_when_the_api_is_unreachable(cli: Cli) -> None:
    cli.api.error = httpx.ConnectError("Name or service not known")
    result = cli("auth", "login", stdin=io.StringIO(KEY))
    assert result.code == 0
    said = "Could not check the key: unreachable (Could not reach api.together.ai: Name or service not known)"
    assert said in result.err
    assert stored(cli) == KEY


def test_login_no_verify_sends_nothing(cli: Cli) -> None:
    result = cli("auth", "login", "--no-verify", stdin=io.StringIO(KEY))
    assert result.code == 0
    assert cli.api.requests == []
    assert stored(cli) == KEY


def test_login_refuses_an_insecure_base_url_before_reading_the_key(cli: Cli) -> None:
    stdin = io.StringIO(KEY)
    result = cli("--base-url", "http://api.example.com/v1", "auth", "login", stdin=stdin)
    assert result.code == 2
    assert "Refusing to send the API key" in result.err
    assert stdin.read() == KEY
    assert cli.api.requests == []


def test_login_verifies_against_the_profile_base_url(cli: Cli) -> None:
    settings = Settings(profiles={"local": Profile(base_url="http://127.0.0.1:8765/v1")})
    result = cli("auth", "login", "--profile", "local", stdin=io.StringIO(KEY), settings=settings)
    assert result.code == 0
    assert str(cli.api.requests[0].url) == "http://127.0.0.1:8765/v3/whoami"


def test_login_says_what_it_replaced(cli: Cli) -> None:
    cli.backend.set_password(SERVICE_NAME, "default", OTHER_KEY)
    result = cli("auth", "login", stdin=io.StringIO(KEY))
    assert "It replaces the key …wxyz." in result.out
    assert stored(cli) == KEY


def test_login_notes_that_the_environment_variable_wins(cli: Cli) -> None:
    cli.environ["TOGETHER_API_KEY"] = OTHER_KEY
    result = cli("auth", "login", stdin=io.StringIO(KEY))
    assert result.code == 0
    assert "TOGETHER_API_KEY is set in this environment and takes precedence" in result.err


def test_login_without_a_working_keyring_explains_and_stores_nothing(cli: Cli) -> None:
    cli.backend = fail.Keyring()
    stdin = io.StringIO(KEY)
    result = cli("auth", "login", "--profile", "work", stdin=stdin)
    assert result.code == 1
    assert result.err.startswith("No working OS keyring: keyring found no usable backend")
    assert "TOGETHER_API_KEY" in result.err
    assert "together-tui auth login --profile work --file-store" in result.err
    assert "plain-text" in result.err
    assert stdin.read() == KEY  # the key was not even read
    assert not cli.store.file.path.exists()  # and never silently written to the file store


def test_login_with_a_null_keyring_is_refused(cli: Cli) -> None:
    from keyring.backends import null

    cli.backend = null.Keyring()
    result = cli("auth", "login", stdin=io.StringIO(KEY))
    assert result.code == 1
    assert "null backend" in result.err
    assert not cli.store.file.path.exists()


def test_login_file_store_is_explicit_0600_and_warns(cli: Cli) -> None:
    cli.backend = fail.Keyring()
    result = cli("auth", "login", "--file-store", stdin=io.StringIO(KEY))
    assert result.code == 0, result.err
    path = cli.store.file.path
    assert "PLAIN TEXT" in result.err
    assert f"file {path}" in result.out
    if sys.platform != "win32":
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert cli.store.file.get("default") == ApiKey(KEY)


def test_login_file_store_mentions_a_working_keyring(cli: Cli) -> None:
    result = cli("auth", "login", "--file-store", "--no-verify", stdin=io.StringIO(KEY))
    assert result.code == 0
    assert "works on this machine" in result.err
    assert stored(cli) is None


def test_bad_profile_name_is_a_usage_error(cli: Cli) -> None:
    result = cli("--profile", "my profile", "auth", "status", "--no-verify")
    assert result.code == 2
    assert "Invalid profile name" in result.err


def test_default_profile_comes_from_settings(cli: Cli) -> None:
    result = cli("auth", "login", "--no-verify", stdin=io.StringIO(KEY), settings=Settings(default_profile="work"))
    assert result.code == 0
    assert stored(cli, "work") == KEY


def test_subcommand_options_override_top_level_ones(cli: Cli) -> None:
    result = cli("--profile", "a", "auth", "login", "--profile", "b", "--no-verify", stdin=io.StringIO(KEY))
    assert result.code == 0
    assert stored(cli, "b") == KEY and stored(cli, "a") is None
    # And when not repeated, the top-level value stands.
    cli("--profile", "a", "auth", "login", "--no-verify", stdin=io.StringIO(KEY))
    assert stored(cli, "a") == KEY


# --------------------------------------------------------------------------------------------
# status


def test_status_from_keyring_checks_the_key(cli: Cli) -> None:
    cli.backend.set_password(SERVICE_NAME, "default", KEY)
    result = cli("auth", "status")
    assert result.code == 0
    assert result.out.splitlines()[:6] == [
        "Profile:  default",
        "Provider: Together",
        "Key:      …abcd, from OS keyring (service together-tui, profile default)",
        "Base URL: https://api.together.ai/v1 (default)",
        "Keyring:  keyring memory MemoryKeyring",
        "Check:    accepted",
    ]


def test_status_from_environment(cli: Cli) -> None:
    cli.environ["TOGETHER_API_KEY"] = KEY
    result = cli("auth", "status", "--no-verify")
    assert result.code == 0
    assert "Key:      …abcd, from environment variable TOGETHER_API_KEY" in result.out
    assert "Check:    skipped (--no-verify)" in result.out
    assert cli.api.requests == []


def test_status_from_named_environment_variable_and_profile_base_url(cli: Cli) -> None:
    cli.environ["WORK_KEY"] = KEY
    settings = Settings(profiles={"work": Profile(base_url="https://proxy.example/v1", api_key_env="WORK_KEY")})
    result = cli("auth", "status", "--profile", "work", settings=settings)
    assert "from environment variable WORK_KEY" in result.out
    assert "Base URL: https://proxy.example/v1 (settings, profiles.work.base_url)" in result.out
    assert str(cli.api.requests[0].url) == "https://proxy.example/v3/whoami"


def test_status_base_url_from_environment(cli: Cli) -> None:
    cli.environ["TOGETHER_BASE_URL"] = "http://localhost:9999/v1"
    result = cli("auth", "status", "--no-verify")
    assert "Base URL: http://localhost:9999/v1 (environment variable TOGETHER_BASE_URL)" in result.out


def test_status_from_file_store(cli: Cli) -> None:
    cli.backend = fail.Keyring()
    cli.store.file.set("default", ApiKey(KEY))
    result = cli("auth", "status", "--no-verify")
    assert result.code == 0
    assert f"Key:      …abcd, from file {cli.store.file.path}" in result.out
    assert "Keyring:  not working: keyring found no usable backend" in result.out


@pytest.mark.parametrize("code", [401, 403])
def test_status_reports_a_refused_key(cli: Cli, code: int) -> None:
    cli.environ["TOGETHER_API_KEY"] = KEY
    cli.api.status = code
    result = cli("auth", "status")
    assert result.code == 1
    assert f"Check:    refused (HTTP {code})" in result.out


def test_status_reports_an_unreachable_api(cli: Cli) -> None:
    cli.environ["TOGETHER_API_KEY"] = KEY
    cli.api.error = httpx.ConnectTimeout("timed out")
    result = cli("auth", "status")
    assert result.code == 1
    assert "Check:    unreachable (Timed out connecting to api.together.ai)" in result.out


def test_status_does_not_send_the_key_to_an_insecure_url(cli: Cli) -> None:
    cli.environ["TOGETHER_API_KEY"] = KEY
    result = cli("--base-url", "http://10.0.0.5:8000/v1", "auth", "status")
    assert result.code == 1
    assert "Check:    not done (Refusing to send the API key" in result.out
    assert cli.api.requests == []


def test_status_without_a_key(cli: Cli) -> None:
    result = cli("auth", "status", "--profile", "work")
    assert result.code == 1
    assert "Key:      none found" in result.out
    assert "together-tui auth login --profile work" in result.out
    assert cli.api.requests == []


def test_status_notes_why_sources_were_skipped(cli: Cli) -> None:
    cli.backend = fail.Keyring()
    cli.environ["TOGETHER_API_KEY"] = ""
    result = cli("auth", "status")
    assert "Note:     environment variable TOGETHER_API_KEY is set but is not usable" in result.out
    assert "Keyring:  not working: keyring found no usable backend" in result.out
    assert "Note:     no working OS keyring" not in result.out  # said once is enough


# --------------------------------------------------------------------------------------------
# logout


def test_logout_removes_from_keyring_and_file(cli: Cli) -> None:
    cli.backend.set_password(SERVICE_NAME, "work", KEY)
    cli.backend.set_password(SERVICE_NAME, "personal", OTHER_KEY)
    cli.store.file.set("work", ApiKey(KEY))
    result = cli("auth", "logout", "--profile", "work")
    assert result.code == 0
    assert "Removed the key for profile work from the OS keyring (service together-tui)." in result.out
    assert "from file" in result.out and "It held no other key and was deleted." in result.out
    assert stored(cli, "work") is None
    assert stored(cli, "personal") == OTHER_KEY
    assert not cli.store.file.path.exists()


def test_logout_with_nothing_stored(cli: Cli) -> None:
    result = cli("auth", "logout")
    assert result.code == 0
    assert "The OS keyring holds no key for profile default." in result.out


def test_logout_notes_the_environment_variable(cli: Cli) -> None:
    cli.environ["TOGETHER_API_KEY"] = KEY
    cli.backend.set_password(SERVICE_NAME, "default", KEY)
    result = cli("auth", "logout")
    assert result.code == 0
    assert "TOGETHER_API_KEY is still set" in result.err
    assert "unset TOGETHER_API_KEY" in result.err


def test_logout_without_keyring_still_clears_the_file_store(cli: Cli) -> None:
    cli.backend = fail.Keyring()
    cli.store.file.set("default", ApiKey(KEY))
    cli.store.file.set("work", ApiKey(OTHER_KEY))
    result = cli("auth", "logout")
    assert result.code == 0
    assert "No working OS keyring" in result.out
    assert cli.store.file.get("default") is None
    assert cli.store.file.get("work") == ApiKey(OTHER_KEY)


def test_logout_reports_a_keyring_that_fails(cli: Cli) -> None:
    from keyring.errors import InitError

    class Locked(MemoryKeyring):
        def get_password(self, service: str, username: str) -> str | None:
            raise InitError("Failed to unlock the collection!")

    cli.backend = Locked()
    result = cli("auth", "logout")
    assert result.code == 1
    assert "could not be opened or unlocked" in result.err


# --------------------------------------------------------------------------------------------
# The real world, wired in


def test_settings_problems_are_printed_when_run_loads_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = tmp_path / "settings.toml"
    config.write_text("refresh_interval = 0\n")
    monkeypatch.setenv("TOGETHER_TUI_CONFIG", str(config))
    monkeypatch.setenv("TOGETHER_API_KEY", KEY)
    out, err = io.StringIO(), io.StringIO()
    code = run(build_parser().parse_args(["auth", "status", "--no-verify"]), stdout=out, stderr=err)
    assert code == 0
    assert err.getvalue().startswith(f"warning: {config}: refresh_interval: ")
    assert "…abcd, from environment variable TOGETHER_API_KEY" in out.getvalue()
    assert KEY not in out.getvalue() + err.getvalue()


def test_default_store_is_the_global_keyring(monkeypatch: pytest.MonkeyPatch) -> None:
    backend = MemoryKeyring()
    monkeypatch.setattr(keyring.core, "_keyring_backend", backend)
    out, err = io.StringIO(), io.StringIO()
    args = build_parser().parse_args(["auth", "login", "--no-verify"])
    assert run(args, stdin=io.StringIO(KEY), stdout=out, stderr=err, environ={}, settings=Settings()) == 0
    assert backend.get_password(SERVICE_NAME, "default") == KEY


def test_through_the_real_command_line(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    from tui.cli import main

    monkeypatch.setattr(sys, "stdin", io.StringIO(KEY + "\n"))
    assert main(["auth", "login", "--profile", "work", "--no-verify"]) == 0
    assert main(["--profile", "work", "auth", "status", "--no-verify"]) == 0
    assert main(["auth", "logout", "--profile", "work"]) == 0
    captured = capsys.readouterr()
    assert "…abcd, from OS keyring (service together-tui, profile work)" in captured.out
    assert "Removed the key for profile work" in captured.out
    assert KEY not in captured.out + captured.err


def test_login_file_store_write_failure_stores_nothing(cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    def refuse(*args: object, **kwargs: object) -> int:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(os, "open", refuse)
    result = cli("auth", "login", "--file-store", "--no-verify", stdin=io.StringIO(KEY))
    assert result.code == 1
    assert "Nothing was stored: cannot write" in result.err
    assert "PLAIN TEXT" not in result.err


# --------------------------------------------------------------------------------------------
# a hostile server: nothing it says reaches the terminal raw


class HostileApi(StandInApi):
    """Answers with a status, a reason phrase and a body of the test's choosing."""

    def __init__(self, status: int, reason: bytes, body: bytes) -> None:
        super().__init__(status)
        self.reason, self.body = reason, body

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return httpx.Response(self.status, content=self.body, extensions={"reason_phrase": self.reason})


@pytest.mark.parametrize("status", [200, 401, 500])
def test_status_and_login_print_nothing_raw_from_the_server(cli: Cli, status: int) -> None:
    from tests.hostile import echoed_key_message

    body = json.dumps({"error": {"message": echoed_key_message(KEY) + "\x1b]52;c;cHduZWQ=\x07"}}).encode()
    cli.api = HostileApi(status, b"OK\x1b]0;pwned title\x07\x1b[2J", body)
    cli.environ["TOGETHER_API_KEY"] = KEY
    results = [cli("auth", "status"), cli("auth", "login", stdin=io.StringIO(KEY + "\n"))]
    for result in results:  # the Cli wrapper has already checked that the key is not in the output
        assert "\x1b" not in result.text and "\x07" not in result.text, result.text
    if status == 401:
        assert "Invalid API key provided: …abcd" in results[0].out


def test_a_profile_with_an_unknown_provider_is_refused_before_anything_is_read(cli: Cli) -> None:
    cli.settings = Settings(profiles={"work": Profile(provider="nebuis")})
    result = cli("auth", "login", "--profile", "work", stdin=io.StringIO(KEY))
    assert result.code == 2
    assert "profile 'work': unknown provider 'nebuis'" in result.err
    assert cli.api.requests == [] and stored(cli, "work") is None
