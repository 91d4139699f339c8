"""tui.keys: the ApiKey type, base URL safety, the keyring and file stores, key resolution and
verification. No test touches the real keyring, the network or the user's files."""

from __future__ import annotations

import copy
import io
import os
import pickle
import stat
import subprocess
import sys
import threading
import time
import tomllib
from pathlib import Path

import httpx
import keyring
import keyring.core
import pytest
from keyring.backend import KeyringBackend
from keyring.backends import chainer, fail, null
from keyring.compat import properties
from keyring.errors import InitError, PasswordSetError
from keyring_memory import MemoryKeyring
from rich.console import Console
from rich.pretty import pretty_repr
from rich.traceback import Traceback
from stand_in_api import StandInApi

from tui.api.http import BearerAuth
from tui.keys import (
    DEFAULT_BASE_URL,
    SERVICE_NAME,
    ApiKey,
    FileStore,
    FileStoreError,
    InsecureBaseURLError,
    InvalidApiKeyError,
    KeyringStore,
    KeyringUnavailableError,
    KeyStore,
    ResolvedKey,
    check_base_url_safe,
    env_name_for,
    resolve_api_key,
    resolve_base_url,
    scrub,
    validate_profile_name,
)
from tui.keys.urls import trust_env_for
from tui.keys.verify import verify_key
from tui.settings import Profile, Settings

KEY = "tgp_v1_Zx9Qm2Lr8Tb4Wc6Yd1Fe3Gh5Jk7Np0Rs-abcd"
OTHER_KEY = "tgp_v1_Pp4Oo5Ii6Uu7Yy8Tt9Rr0Ee1Ww2Qq3Aa-wxyz"


def assert_no_leak(text: str, secret: str = KEY) -> None:
    assert secret not in text
    # A stretch from the middle too: finding it would mean a partial leak.
    assert secret[7:19] not in text


@pytest.fixture(autouse=True)
def memory_keyring(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> MemoryKeyring:
    for name in ("TOGETHER_API_KEY", "TOGETHER_BASE_URL", "TOGETHER_TUI_CONFIG", "PYTHON_KEYRING_BACKEND"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    backend = MemoryKeyring()
    monkeypatch.setattr(keyring.core, "_keyring_backend", backend)
    return backend


def make_store(tmp_path: Path, backend: KeyringBackend | None = None, timeout: float = 5.0) -> KeyStore:
    return KeyStore(KeyringStore(backend=backend, timeout=timeout), FileStore(tmp_path / "cfg" / "credentials.toml"))


# --------------------------------------------------------------------------------------------
# ApiKey


def test_api_key_masks_repr_str_and_format() -> None:
    key = ApiKey(KEY)
    assert repr(key) == "ApiKey('…abcd')"
    assert str(key) == "…abcd"
    assert f"{key}" == "…abcd"
    assert f"[{key:>7}]" == "[  …abcd]"
    assert "%s %r" % (key, key) == "…abcd ApiKey('…abcd')"  # noqa: UP031 - %-formatting is what logging uses
    assert key.masked == "…abcd"
    assert key.last4 == "abcd"
    assert key.reveal() == KEY


@pytest.mark.parametrize(
    ("value", "tail"),
    [
        ("a" * 40 + "wxyz", "wxyz"),
        ("0123456789abcdef", "cdef"),
        ("0123456789abcde", "cde"),
        ("abcdefgh", "gh"),
        ("abc", ""),
    ],
)
def test_api_key_shows_fewer_characters_of_short_keys(value: str, tail: str) -> None:
    key = ApiKey(value)
    assert key.last4 == tail
    assert key.masked == "…" + tail


def test_api_key_rejects_empty_and_non_str() -> None:
    with pytest.raises(InvalidApiKeyError):
        ApiKey("")
    with pytest.raises(TypeError):
        ApiKey(b"bytes-key")  # type: ignore[arg-type]


def test_api_key_cannot_be_pickled_or_seen_through_vars() -> None:
    key = ApiKey(KEY)
    for protocol in range(pickle.HIGHEST_PROTOCOL + 1):
        with pytest.raises(TypeError) as excinfo:
            pickle.dumps(key, protocol=protocol)
        assert_no_leak(str(excinfo.value))
    with pytest.raises(TypeError):
        vars(key)
    assert not hasattr(key, "__dict__")
    assert_no_leak(repr(dir(key)))
    with pytest.raises(AttributeError):
        key.anything = 1


def test_api_key_copies_are_the_same_object() -> None:
    key = ApiKey(KEY)
    assert copy.copy(key) is key
    assert copy.deepcopy({"k": key})["k"] is key


def test_api_key_equality_and_hash() -> None:
    assert ApiKey(KEY) == ApiKey(KEY)
    assert ApiKey(KEY) != ApiKey(OTHER_KEY)
    assert ApiKey(KEY) != KEY
    assert len({ApiKey(KEY), ApiKey(KEY), ApiKey(OTHER_KEY)}) == 2


def test_api_key_parse_strips_and_validates_without_echoing() -> None:
    assert ApiKey.parse(f"  {KEY}\n").reveal() == KEY
    for bad in ["", "   \n", f"{KEY} extra", f"{KEY}\x00", f"{KEY}é", f"{KEY[:10]}\t{KEY[10:]}"]:
        with pytest.raises(InvalidApiKeyError) as excinfo:
            ApiKey.parse(bad)
        assert_no_leak(str(excinfo.value))


def test_scrub_masks_the_key_in_foreign_messages() -> None:
    key = ApiKey(KEY)
    assert scrub(f"backend said: bad password {KEY}!", key) == "backend said: bad password …abcd!"
    assert scrub("nothing here", None) == "nothing here"


def _raise_with_key_in_locals() -> None:
    api_key = ApiKey(KEY)
    plain_marker = "plain-local-value-7f3a"
    holder = {"key": api_key, "nested": [api_key]}
    raise RuntimeError(f"boom {api_key} {plain_marker} {len(holder)}")


def test_rich_traceback_with_locals_does_not_show_the_key() -> None:
    try:
        _raise_with_key_in_locals()
    except RuntimeError as exc:
        traceback = Traceback.from_exception(type(exc), exc, exc.__traceback__, show_locals=True)
    console = Console(file=io.StringIO(), width=200, color_system=None)
    console.print(traceback)
    rendered = console.file.getvalue()  # type: ignore[attr-defined]
    # The locals panel is really there: a plain string local shows up, and so does the masked key.
    assert "plain-local-value-7f3a" in rendered
    assert "ApiKey('…abcd')" in rendered
    assert_no_leak(rendered)


def test_rich_pretty_and_dataclass_reprs_are_masked() -> None:
    key = ApiKey(KEY)
    resolved = ResolvedKey(key, "environment variable TOGETHER_API_KEY", "env")
    for text in (pretty_repr({"key": key, "items": [key]}), repr(resolved), pretty_repr(resolved)):
        assert "…abcd" in text
        assert_no_leak(text)


def test_importing_keys_and_settings_stays_cheap() -> None:
    code = (
        "import sys, tui.keys, tui.settings, tui.keys.auth_cli\n"
        "heavy = [m for m in ('textual', 'keyring', 'httpx', 'platformdirs', 'tomlkit') if m in sys.modules]\n"
        "print(','.join(heavy))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).resolve().parents[1],
    )
    assert result.stdout.strip() == ""


# --------------------------------------------------------------------------------------------
# Base URL safety


@pytest.mark.parametrize(
    "url",
    [
        "https://api.together.ai/v1",
        "HTTPS://API.TOGETHER.AI/v1",
        "https://10.1.2.3:8443/v1",
        "http://localhost:8000/v1",
        "http://LOCALHOST./v1",
        "http://127.0.0.1:9/v1",
        "http://127.45.6.7/v1",
        "http://[::1]:8080/v1",
        "http://[::ffff:127.0.0.1]/v1",
    ],
)
def test_safe_base_urls(url: str) -> None:
    check_base_url_safe(url)


@pytest.mark.parametrize(
    "url",
    [
        "http://api.together.ai/v1",
        "http://localhost.example.com/v1",
        "http://127.0.0.1.nip.io/v1",
        "http://0.0.0.0:8000/v1",
        "http://10.0.0.1/v1",
        "http://[::2]/v1",
        "http://2130706433/v1",
        "http://0177.0.0.1/v1",
        "ftp://api.together.ai/v1",
        "api.together.ai/v1",
        "https:///v1",
        "",
        "http://localhost:notaport/v1",
    ],
)
def test_unsafe_base_urls(url: str) -> None:
    with pytest.raises(InsecureBaseURLError):
        check_base_url_safe(url)


def test_insecure_base_url_message_explains_the_rule() -> None:
    with pytest.raises(InsecureBaseURLError) as excinfo:
        check_base_url_safe("http://api.example.com/v1")
    message = str(excinfo.value)
    assert "http://api.example.com/v1" in message
    assert "https://" in message
    assert "localhost" in message


# --------------------------------------------------------------------------------------------
# Keyring store


def test_keyring_store_round_trip_uses_service_and_profile(memory_keyring: MemoryKeyring) -> None:
    store = KeyringStore()  # the globally configured backend, i.e. the memory one
    assert store.status().available
    assert store.get("work") is None
    store.set("work", ApiKey(KEY))
    assert memory_keyring.passwords == {(SERVICE_NAME, "work"): KEY}
    assert store.get("work") == ApiKey(KEY)
    assert store.get("personal") is None
    assert store.delete("work") is True
    assert store.delete("work") is False
    assert memory_keyring.passwords == {}
    assert store.describe("work") == "OS keyring (service together-tui, profile work)"


def test_fail_backend_means_no_working_keyring() -> None:
    store = KeyringStore(backend=fail.Keyring())
    status = store.status()
    assert not status.available
    assert "no usable backend" in (status.reason or "")
    with pytest.raises(KeyringUnavailableError):
        store.get("default")
    with pytest.raises(KeyringUnavailableError):
        store.set("default", ApiKey(KEY))


def test_globally_configured_fail_backend_is_detected(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(keyring.core, "_keyring_backend", fail.Keyring())
    assert not KeyringStore().status().available


def test_null_backend_is_never_used(tmp_path: Path) -> None:
    store = KeyringStore(backend=null.Keyring())
    status = store.status()
    assert not status.available
    assert "null backend" in (status.reason or "")
    assert "silently discards" in (status.reason or "")
    with pytest.raises(KeyringUnavailableError):
        store.set("default", ApiKey(KEY))


def test_empty_chainer_is_no_keyring(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(chainer.ChainerBackend, "backends", [])
    assert not KeyringStore(backend=chainer.ChainerBackend()).status().available


class _UnrankedBackend(KeyringBackend):
    # Never viable, so keyring's auto-detection can never pick these test doubles.
    @properties.classproperty
    def priority(cls) -> float:
        raise RuntimeError("test backend")

    def get_password(self, service: str, username: str) -> str | None:
        raise NotImplementedError

    def set_password(self, service: str, username: str, password: str) -> None:
        raise NotImplementedError

    def delete_password(self, service: str, username: str) -> None:
        raise NotImplementedError


class LockedKeyring(_UnrankedBackend):
    """A locked GNOME keyring with no display to unlock it."""

    def get_password(self, service: str, username: str) -> str | None:
        raise InitError("Failed to unlock the collection!")

    def set_password(self, service: str, username: str, password: str) -> None:
        raise InitError("Failed to unlock the collection!")


class HangingKeyring(_UnrankedBackend):
    """A keyring behind a hung D-Bus activation."""

    def __init__(self) -> None:
        super().__init__()
        self.release = threading.Event()
        self.calls = 0

    def get_password(self, service: str, username: str) -> str | None:
        self.calls += 1
        self.release.wait(30)
        return None


class LeakyErrorKeyring(_UnrankedBackend):
    """Quotes the password in its error, as careless backends might."""

    def get_password(self, service: str, username: str) -> str | None:
        return None

    def set_password(self, service: str, username: str, password: str) -> None:
        raise PasswordSetError(f"could not store {password!r}")


class DroppingKeyring(_UnrankedBackend):
    """Accepts writes and forgets them, like the null backend under another name."""

    def get_password(self, service: str, username: str) -> str | None:
        return None

    def set_password(self, service: str, username: str, password: str) -> None:
        return None


class BrokenKeyring(_UnrankedBackend):
    def get_password(self, service: str, username: str) -> str | None:
        raise OSError("dbus socket vanished")


def test_init_error_is_reported_as_unavailable() -> None:
    assert not issubclass(InitError, RuntimeError)  # why KeyringError must be caught, not RuntimeError
    store = KeyringStore(backend=LockedKeyring())
    assert store.status().available  # the backend is real; it fails when used
    with pytest.raises(KeyringUnavailableError) as excinfo:
        store.get("default")
    assert "could not be opened or unlocked" in excinfo.value.reason
    assert "InitError" in excinfo.value.reason


def test_unexpected_backend_errors_are_reported_as_unavailable() -> None:
    with pytest.raises(KeyringUnavailableError) as excinfo:
        KeyringStore(backend=BrokenKeyring()).get("default")
    assert "OSError" in excinfo.value.reason


def test_keyring_errors_never_carry_the_key_or_its_traceback() -> None:
    with pytest.raises(KeyringUnavailableError) as excinfo:
        KeyringStore(backend=LeakyErrorKeyring()).set("default", ApiKey(KEY))
    assert_no_leak(str(excinfo.value))
    assert "…abcd" in str(excinfo.value)
    # The backend's exception (whose frames hold the password) is not chained on.
    assert excinfo.value.__cause__ is None
    assert excinfo.value.__context__ is None


def test_backend_that_drops_writes_is_caught_by_read_back() -> None:
    with pytest.raises(KeyringUnavailableError) as excinfo:
        KeyringStore(backend=DroppingKeyring()).set("default", ApiKey(KEY))
    assert "did not keep it" in excinfo.value.reason


def test_hanging_keyring_times_out_once_then_stays_unavailable() -> None:
    backend = HangingKeyring()
    store = KeyringStore(backend=backend, timeout=0.05)
    try:
        started = time.monotonic()
        with pytest.raises(KeyringUnavailableError) as excinfo:
            store.get("default")
        assert "did not answer within 0.05 s" in excinfo.value.reason
        with pytest.raises(KeyringUnavailableError):
            store.get("default")
        assert time.monotonic() - started < 2
        assert backend.calls == 1
        assert not store.status().available
    finally:
        backend.release.set()


def test_hanging_backend_detection_times_out(monkeypatch: pytest.MonkeyPatch) -> None:
    release = threading.Event()

    def hang() -> KeyringBackend:
        release.wait(30)
        return MemoryKeyring()

    monkeypatch.setattr(keyring, "get_keyring", hang)
    try:
        status = KeyringStore(timeout=0.05).status()
        assert not status.available
        assert "did not answer" in (status.reason or "")
    finally:
        release.set()


# --------------------------------------------------------------------------------------------
# File store


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX permissions")
def test_file_store_creates_0600_file(tmp_path: Path) -> None:
    store = FileStore(tmp_path / "cfg" / "credentials.toml")
    assert not store.exists()
    old_umask = os.umask(0)  # even a permissive umask must not widen the file
    try:
        store.set("default", ApiKey(KEY))
    finally:
        os.umask(old_umask)
    assert _mode(store.path) == 0o600
    data = tomllib.loads(store.path.read_text())
    assert data == {"profiles": {"default": {"api_key": KEY}}}
    assert "PLAIN TEXT" in store.path.read_text()
    assert store.get("default") == ApiKey(KEY)
    assert list(store.path.parent.iterdir()) == [store.path]  # no temp file left behind


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX permissions")
def test_file_store_fixes_loose_permissions(tmp_path: Path) -> None:
    store = FileStore(tmp_path / "credentials.toml")
    store.set("default", ApiKey(KEY))
    store.path.chmod(0o644)
    note = store.ensure_private()
    assert note is not None and "0644" in note and "0600" in note
    assert _mode(store.path) == 0o600
    assert store.ensure_private() is None


def test_file_store_keeps_other_profiles_and_removes_itself_when_empty(tmp_path: Path) -> None:
    store = FileStore(tmp_path / "credentials.toml")
    store.set("personal", ApiKey(KEY))
    store.set("work", ApiKey(OTHER_KEY))
    store.set("personal", ApiKey(KEY))  # overwrite in place
    assert store.profiles() == ["personal", "work"]
    assert store.delete("personal") is True
    assert store.get("personal") is None
    assert store.get("work") == ApiKey(OTHER_KEY)
    assert store.delete("personal") is False
    assert store.delete("work") is True
    assert not store.exists()  # the opt-in goes with the last key
    assert store.delete("work") is False


def test_file_store_quotes_odd_profile_names(tmp_path: Path) -> None:
    store = FileStore(tmp_path / "credentials.toml")
    odd = 'we"ird\\name.x'
    store.set(odd, ApiKey(KEY))
    assert store.get(odd) == ApiKey(KEY)


def test_corrupt_file_store_error_does_not_quote_the_file(tmp_path: Path) -> None:
    path = tmp_path / "credentials.toml"
    path.write_text(f'[profiles.default]\napi_key = "{KEY}\n')
    store = FileStore(path)
    with pytest.raises(FileStoreError) as excinfo:
        store.get("default")
    assert_no_leak(str(excinfo.value))


def test_profile_names_are_validated() -> None:
    assert validate_profile_name("work-2.eu_1") == "work-2.eu_1"
    for bad in ["", "-x", "a b", "x" * 65, "naïve", "a/b"]:
        with pytest.raises(ValueError):
            validate_profile_name(bad)


# --------------------------------------------------------------------------------------------
# Resolution


def test_environment_variable_comes_first(tmp_path: Path) -> None:
    store = make_store(tmp_path, MemoryKeyring())
    store.keyring.set("default", ApiKey(OTHER_KEY))
    store.file.set("default", ApiKey(OTHER_KEY))
    resolved = resolve_api_key("default", environ={"TOGETHER_API_KEY": f" {KEY}\n"}, store=store)
    assert resolved == ResolvedKey(ApiKey(KEY), "environment variable TOGETHER_API_KEY", "env")


def test_api_key_env_names_the_variable(tmp_path: Path) -> None:
    store = make_store(tmp_path, MemoryKeyring())
    environ = {"TOGETHER_API_KEY": OTHER_KEY, "WORK_KEY": KEY}
    resolved = resolve_api_key("work", env_name="WORK_KEY", environ=environ, store=store)
    assert resolved is not None
    assert resolved.key == ApiKey(KEY)
    assert resolved.source == "environment variable WORK_KEY"


def test_unset_api_key_env_does_not_fall_back_to_together_api_key(tmp_path: Path) -> None:
    store = make_store(tmp_path, MemoryKeyring())
    notes: list[str] = []
    resolved = resolve_api_key(
        "work", env_name="WORK_KEY", environ={"TOGETHER_API_KEY": OTHER_KEY}, store=store, notes=notes
    )
    assert resolved is None
    assert notes == ["environment variable WORK_KEY is not set"]
    store.keyring.set("work", ApiKey(KEY))
    resolved = resolve_api_key("work", env_name="WORK_KEY", environ={"TOGETHER_API_KEY": OTHER_KEY}, store=store)
    assert resolved is not None and resolved.key == ApiKey(KEY) and resolved.kind == "keyring"


def test_empty_or_unusable_environment_variable_is_skipped_with_a_note(tmp_path: Path) -> None:
    store = make_store(tmp_path, MemoryKeyring())
    store.keyring.set("default", ApiKey(KEY))
    for value in ["", "   ", "two words"]:
        notes: list[str] = []
        resolved = resolve_api_key("default", environ={"TOGETHER_API_KEY": value}, store=store, notes=notes)
        assert resolved is not None and resolved.kind == "keyring"
        assert len(notes) == 1 and "TOGETHER_API_KEY is set but is not usable" in notes[0]


def test_keyring_comes_before_the_file_store(tmp_path: Path) -> None:
    store = make_store(tmp_path, MemoryKeyring())
    store.keyring.set("work", ApiKey(KEY))
    store.file.set("work", ApiKey(OTHER_KEY))
    resolved = resolve_api_key("work", environ={}, store=store)
    assert resolved == ResolvedKey(ApiKey(KEY), "OS keyring (service together-tui, profile work)", "keyring")


def test_file_store_is_used_after_the_keyring(tmp_path: Path) -> None:
    store = make_store(tmp_path, MemoryKeyring())
    store.file.set("work", ApiKey(OTHER_KEY))
    resolved = resolve_api_key("work", environ={}, store=store)
    assert resolved is not None
    assert resolved.key == ApiKey(OTHER_KEY)
    assert resolved.kind == "file"
    assert resolved.source == f"file {store.file.path}"


def test_file_store_source_phrase_uses_tilde(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "home" / ".config"))
    store = FileStore()
    assert store.path == tmp_path / "home" / ".config" / "together-tui" / "credentials.toml"
    assert store.describe() == "file ~/.config/together-tui/credentials.toml"


def test_keys_are_per_profile(tmp_path: Path) -> None:
    store = make_store(tmp_path, MemoryKeyring())
    store.keyring.set("work", ApiKey(KEY))
    assert resolve_api_key("personal", environ={}, store=store) is None


def test_nothing_found_without_keyring_and_without_opt_in(tmp_path: Path) -> None:
    store = make_store(tmp_path, fail.Keyring())
    notes: list[str] = []
    assert resolve_api_key("default", environ={}, store=store, notes=notes) is None
    assert len(notes) == 1 and notes[0].startswith("no working OS keyring: ")
    assert not store.file.path.exists()  # resolving never creates the file store


def test_file_store_works_without_keyring_once_opted_in(tmp_path: Path) -> None:
    store = make_store(tmp_path, fail.Keyring())
    store.file.set("default", ApiKey(KEY))
    resolved = resolve_api_key("default", environ={}, store=store)
    assert resolved is not None and resolved.kind == "file"


def test_resolution_survives_a_hanging_keyring(tmp_path: Path) -> None:
    backend = HangingKeyring()
    store = make_store(tmp_path, backend, timeout=0.05)
    store.file.set("default", ApiKey(KEY))
    try:
        notes: list[str] = []
        resolved = resolve_api_key("default", environ={}, store=store, notes=notes)
        assert resolved is not None and resolved.kind == "file"
        assert "did not answer" in notes[0]
    finally:
        backend.release.set()


def test_resolution_survives_a_locked_keyring_and_a_corrupt_file(tmp_path: Path) -> None:
    store = make_store(tmp_path, LockedKeyring())
    store.file.path.parent.mkdir(parents=True)
    store.file.path.write_text("not = [valid")
    store.file.path.chmod(0o600)
    notes: list[str] = []
    assert resolve_api_key("default", environ={}, store=store, notes=notes) is None
    assert len(notes) == 2


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX permissions")
def test_resolution_fixes_file_store_permissions(tmp_path: Path) -> None:
    store = make_store(tmp_path, MemoryKeyring())
    store.file.set("default", ApiKey(KEY))
    store.file.path.chmod(0o640)
    notes: list[str] = []
    assert resolve_api_key("default", environ={}, store=store, notes=notes) is not None
    assert _mode(store.file.path) == 0o600
    assert "0640" in notes[0]


def test_default_store_uses_the_global_keyring_and_config_dir(memory_keyring: MemoryKeyring) -> None:
    memory_keyring.set_password(SERVICE_NAME, "default", KEY)
    resolved = resolve_api_key("default", environ={})
    assert resolved is not None and resolved.key == ApiKey(KEY)


def test_env_name_and_base_url_from_settings() -> None:
    settings = Settings(profiles={"work": Profile(base_url="https://proxy.example/v1", api_key_env="WORK_KEY")})
    assert env_name_for("work", settings=settings) == "WORK_KEY"
    assert env_name_for("work", override="OTHER", settings=settings) == "OTHER"
    assert env_name_for("personal", settings=settings) is None
    assert resolve_base_url("work", settings=settings) == (
        "https://proxy.example/v1",
        "settings, profiles.work.base_url",
    )
    assert resolve_base_url("work", override="http://localhost:1/v1", settings=settings)[1] == "--base-url"
    assert resolve_base_url("personal", settings=settings) == (DEFAULT_BASE_URL, "default")
    assert resolve_base_url("personal") == (DEFAULT_BASE_URL, "default")


# --------------------------------------------------------------------------------------------
# Verification




def test_verify_key_asks_the_provider_once_with_the_bearer_key() -> None:
    recorder = StandInApi(200)
    result = verify_key(ApiKey(KEY), "https://api.together.ai/v1/", transport=recorder.transport)
    assert result.ok and result.detail == "accepted"
    # The default Together provider's check_access: v2's whoami, asked once (a key check is not retried).
    (request,) = recorder.requests
    assert str(request.url) == "https://api.together.ai/v3/whoami"
    assert request.method == "GET"
    assert request.headers["authorization"] == f"Bearer {KEY}"


def test_verify_key_without_a_base_url_uses_the_providers_default() -> None:
    recorder = StandInApi(200)
    assert verify_key(ApiKey(KEY), provider="together", transport=recorder.transport).ok
    assert recorder.requests[0].url.host == "api.together.ai"


def test_verify_key_refuses_an_unknown_provider_before_sending() -> None:
    from tui.api.registry import UnknownProviderError

    recorder = StandInApi(200)
    with pytest.raises(UnknownProviderError, match="did you mean 'together'"):
        verify_key(ApiKey(KEY), provider="togther", transport=recorder.transport)
    assert recorder.requests == []


@pytest.mark.parametrize("code", [401, 403])
def test_verify_key_refused(code: int) -> None:
    result = verify_key(ApiKey(KEY), DEFAULT_BASE_URL, transport=StandInApi(code).transport)
    assert result.outcome == "refused"
    assert result.detail == f"refused (HTTP {code})"


def test_verify_key_unexpected_status() -> None:
    result = verify_key(ApiKey(KEY), DEFAULT_BASE_URL, transport=StandInApi(500).transport)
    assert result.outcome == "unexpected"
    assert result.detail == "unexpected HTTP 500 Internal Server Error"
    assert result.status_code == 500


def test_verify_key_unreachable_names_the_error_class_and_scrubs() -> None:
    error = httpx.ConnectError(f"connection refused while sending {KEY}")
    result = verify_key(ApiKey(KEY), DEFAULT_BASE_URL, transport=StandInApi(error=error).transport)
    assert result.outcome == "unreachable"
    assert result.detail.startswith("unreachable (Could not reach api.together.ai: connection refused")
    assert_no_leak(result.detail)


def test_verify_key_refuses_insecure_base_url_before_sending() -> None:
    recorder = StandInApi(200)
    with pytest.raises(InsecureBaseURLError):
        verify_key(ApiKey(KEY), "http://api.together.ai/v1", transport=recorder.transport)
    assert recorder.requests == []


def test_verify_key_against_loopback_http() -> None:
    recorder = StandInApi(200)
    assert verify_key(ApiKey(KEY), "http://127.0.0.1:8765/v1", transport=recorder.transport).ok


def test_proxies_are_ignored_only_for_plain_http_loopback() -> None:
    assert trust_env_for("https://api.together.ai/v1") is True
    assert trust_env_for("http://localhost:8000/v1") is False
    assert trust_env_for("http://[::1]:8000/v1") is False


def test_bearer_auth_adds_the_header_at_send_time() -> None:
    recorder = StandInApi(200)
    with httpx.Client(transport=recorder.transport, auth=BearerAuth(ApiKey(KEY))) as client:
        assert "authorization" not in client.headers
        client.get("https://api.together.ai/v1/models")
    assert recorder.requests[0].headers["authorization"] == f"Bearer {KEY}"
    # httpx masks the header in reprs too.
    assert_no_leak(repr(recorder.requests[0].headers))


def test_crash_during_resolution_does_not_show_the_environment(tmp_path: Path) -> None:
    class ExplodingKeyring(KeyringStore):
        def get(self, profile: str) -> ApiKey | None:
            raise RuntimeError("unexpected bug")

    store = KeyStore(ExplodingKeyring(), FileStore(tmp_path / "credentials.toml"))
    try:
        # A secret elsewhere in the environment, as os.environ would hold it (not bound to a local
        # here: this frame's locals are printed too).
        resolve_api_key("default", environ={"TOGETHER_API_KEY": "", "SOME_OTHER_SECRET": KEY}, store=store)
    except RuntimeError as exc:
        traceback = Traceback.from_exception(type(exc), exc, exc.__traceback__, show_locals=True)
    console = Console(file=io.StringIO(), width=200, color_system=None)
    console.print(traceback)
    rendered = console.file.getvalue()  # type: ignore[attr-defined]
    assert "resolve_api_key" in rendered and "'default'" in rendered  # the frame and its locals are shown
    assert_no_leak(rendered)


@pytest.mark.skipif(sys.platform == "win32" or os.geteuid() == 0, reason="POSIX permissions, not as root")
def test_file_store_write_failure_is_a_clean_error(tmp_path: Path) -> None:
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        with pytest.raises(FileStoreError) as excinfo:
            FileStore(locked / "credentials.toml").set("default", ApiKey(KEY))
    finally:
        locked.chmod(0o700)
    assert "cannot write" in str(excinfo.value)
    assert excinfo.value.__context__ is None


def test_file_store_write_failure_drops_the_original_exception(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> int:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(os, "open", refuse)
    with pytest.raises(FileStoreError) as excinfo:
        FileStore(tmp_path / "credentials.toml").set("default", ApiKey(KEY))
    assert str(excinfo.value).endswith("credentials.toml: Permission denied")
    # The OSError's traceback holds the frames that had the raw key; it is not chained on.
    assert excinfo.value.__context__ is None and excinfo.value.__cause__ is None


def test_base_url_from_environment_comes_after_the_flag() -> None:
    settings = Settings(profiles={"work": Profile(base_url="https://proxy.example/v1")})
    environ = {"TOGETHER_BASE_URL": "http://127.0.0.1:8000/v1"}
    assert resolve_base_url("work", settings=settings, environ=environ) == (
        "http://127.0.0.1:8000/v1",
        "environment variable TOGETHER_BASE_URL",
    )
    assert resolve_base_url("work", override="https://x.example/v1", settings=settings, environ=environ)[0] == (
        "https://x.example/v1"
    )


# What a hostile or retired server answers to the key check


def _answering(response: httpx.Response) -> httpx.MockTransport:
    return httpx.MockTransport(lambda request: response)


def test_verify_key_masks_an_echoed_key_and_cleans_the_message() -> None:
    from tests.hostile import echoed_key_message

    body = {"error": {"message": echoed_key_message(KEY) + "\x1b]0;pwned\x07"}}
    result = verify_key(ApiKey(KEY), DEFAULT_BASE_URL, transport=_answering(httpx.Response(401, json=body)))
    assert result.outcome == "refused" and "Invalid API key provided" in result.detail
    assert_no_leak(result.detail)
    assert "\x1b" not in result.detail


def test_verify_key_cleans_a_hostile_reason_phrase() -> None:
    response = httpx.Response(500, extensions={"reason_phrase": b"\x1b]2;pwned\x1b\\Oops\x1b[2J"})
    result = verify_key(ApiKey(KEY), DEFAULT_BASE_URL, transport=_answering(response))
    assert result.detail == "unexpected HTTP 500 Oops"


def test_verify_key_reads_an_html_page_as_a_sentence() -> None:
    from tests.hostile import html_error_page

    response = httpx.Response(403, content=html_error_page(KEY).encode())
    result = verify_key(ApiKey(KEY), DEFAULT_BASE_URL, transport=_answering(response))
    assert result.detail == "refused (HTTP 403: the server answered with an HTML page (HTTP 403))"


def test_a_v1_only_profiles_key_check_does_not_read_v1_retirement_as_a_refused_key() -> None:
    import asyncio

    from tui.api.registry import ProviderOptions, build_provider

    body = {"error": {"message": "Forbidden", "code": "endpoints_v1_create_access_disabled"}}
    options = ProviderOptions(transport=_answering(httpx.Response(403, json=body)), environ={},
                              settings={"together_api": "v1"})
    provider = build_provider("together", ApiKey(KEY), DEFAULT_BASE_URL, options)

    async def check() -> None:
        try:
            await provider.check_access()  # no AuthenticationError: the key is fine, v1 is retired
        finally:
            await provider.aclose()

    asyncio.run(check())
