"""tui.settings: loading with per-key fallback and clear problems, and saving one key while keeping
the user's comments."""

from __future__ import annotations

import os
import stat
import sys
import tomllib
from pathlib import Path

import pytest

from tui.settings import (
    SETTINGS_ENV,
    ChatDefaults,
    LoadedSettings,
    Profile,
    Settings,
    SettingsError,
    load_settings,
    save_setting,
    settings_path,
)


@pytest.fixture(autouse=True)
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(SETTINGS_ENV, raising=False)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))


def load_text(tmp_path: Path, text: str) -> LoadedSettings:
    path = tmp_path / "settings.toml"
    path.write_text(text, encoding="utf-8")
    return load_settings(path)


def test_missing_file_gives_defaults_without_problems(tmp_path: Path) -> None:
    loaded = load_settings(tmp_path / "nope.toml")
    assert loaded.settings == Settings()
    assert loaded.problems == []
    assert loaded.path == tmp_path / "nope.toml"


def test_defaults() -> None:
    settings = Settings()
    assert settings.refresh_interval == 10.0
    assert settings.fast_refresh_interval == 2.0
    assert settings.theme == "textual-dark"
    assert settings.confirm_delete == "typed-when-running"
    assert settings.chat == ChatDefaults(system_prompt="", temperature=0.7, max_tokens=1024)
    assert settings.default_profile == "default"
    assert settings.profiles == {} and settings.keymap == {}


def test_settings_path_default_and_override(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert settings_path() == tmp_path / "config" / "together-tui" / "settings.toml"
    monkeypatch.setenv(SETTINGS_ENV, str(tmp_path / "elsewhere.toml"))
    assert settings_path() == tmp_path / "elsewhere.toml"
    (tmp_path / "elsewhere.toml").write_text('theme = "nord"\n')
    loaded = load_settings()
    assert loaded.settings.theme == "nord"
    assert loaded.path == tmp_path / "elsewhere.toml"


def test_full_valid_file(tmp_path: Path) -> None:
    loaded = load_text(
        tmp_path,
        """\
# comment
refresh_interval = 5
fast_refresh_interval = 0.5
theme = "nord"
read_only = true
notifications = false
bell = true
confirm_delete = "always-typed"
wait_timeout_minutes = 45
default_profile = "work"

[chat]
system_prompt = "Be brief."
temperature = 0.2
max_tokens = 256
top_p = 0.9
reasoning_effort = "high"

[keymap]
"app.quit" = "ctrl+q"
"endpoints.start" = "s,ctrl+s"

[profiles.work]
provider = "together"
base_url = "https://proxy.example.com/v1"
api_key_env = "WORK_TOGETHER_KEY"
together_api = "v2"

[prices.together]
"h100-80gb" = 3.99
"a100-80gb" = 2

[profiles.personal]
""",
    )
    assert loaded.problems == []
    s = loaded.settings
    assert (s.refresh_interval, s.fast_refresh_interval, s.theme) == (5.0, 0.5, "nord")
    assert (s.read_only, s.notifications, s.bell) == (True, False, True)
    assert s.confirm_delete == "always-typed"
    assert s.wait_timeout_minutes == 45.0
    assert s.chat == ChatDefaults(
        system_prompt="Be brief.", temperature=0.2, max_tokens=256, top_p=0.9, reasoning_effort="high"
    )
    assert s.keymap == {"app.quit": "ctrl+q", "endpoints.start": "s,ctrl+s"}
    assert s.default_profile == "work"
    assert s.profiles == {
        "work": Profile(
            provider="together",
            base_url="https://proxy.example.com/v1",
            api_key_env="WORK_TOGETHER_KEY",
            together_api="v2",
        ),
        "personal": Profile(),
    }
    assert s.prices == {"together": {"h100-80gb": 3.99, "a100-80gb": 2.0}}


def test_bad_toml_names_file_line_and_key_and_keeps_the_rest(tmp_path: Path) -> None:
    loaded = load_text(
        tmp_path,
        """\
refresh_interval = 5
theme = nord
bell = true

[chat]
temperature = hot
max_tokens = 99
""",
    )
    assert loaded.settings.refresh_interval == 5.0
    assert loaded.settings.bell is True
    assert loaded.settings.theme == "textual-dark"
    assert loaded.settings.chat.max_tokens == 99
    assert loaded.settings.chat.temperature == 0.7
    assert len(loaded.problems) == 2
    first, second = loaded.problems
    assert first.startswith(f"{tmp_path / 'settings.toml'}, line 2: invalid TOML (key theme)")
    assert "ignoring this line" in first
    assert "line 6" in second and "(key chat.temperature)" in second


def test_broken_table_header_drops_that_table_only(tmp_path: Path) -> None:
    loaded = load_text(
        tmp_path,
        """\
theme = "nord"

[profiles.work]
base_url = "https://work.example.com/v1"

[profiles.personal
base_url = "https://personal.example.com/v1"

[chat]
max_tokens = 77
""",
    )
    # The personal base URL must not land in the work profile.
    assert loaded.settings.profiles == {"work": Profile(base_url="https://work.example.com/v1")}
    assert loaded.settings.chat.max_tokens == 77
    assert loaded.settings.theme == "nord"
    (problem,) = loaded.problems
    assert "line 6" in problem and "profiles.personal" in problem and "ignoring lines 6-8" in problem


def test_unrecoverable_toml_falls_back_to_defaults(tmp_path: Path) -> None:
    loaded = load_text(tmp_path, 'theme = "nord"\nsystem_prompt = """never closed\n')
    assert loaded.settings == Settings()
    assert len(loaded.problems) == 1
    assert "invalid TOML" in loaded.problems[0] and "using the default settings" in loaded.problems[0]


def test_error_on_last_line_without_newline_still_has_a_line(tmp_path: Path) -> None:
    loaded = load_text(tmp_path, 'theme = "nord"\ntheme = "dracula"')
    assert loaded.settings.theme == "nord"
    assert "line 2" in loaded.problems[0]


def test_byte_order_mark_is_accepted(tmp_path: Path) -> None:
    loaded = load_text(tmp_path, '\ufefftheme = "nord"\n')
    assert loaded.problems == [] and loaded.settings.theme == "nord"


def test_wrong_type_names_the_key_and_uses_its_default(tmp_path: Path) -> None:
    loaded = load_text(
        tmp_path, 'refresh_interval = "fast"\ntheme = "nord"\n[chat]\ntemperature = "warm"\ntop_p = 0.5\n'
    )
    assert loaded.settings.refresh_interval == 10.0
    assert loaded.settings.theme == "nord"
    assert loaded.settings.chat.temperature == 0.7
    assert loaded.settings.chat.top_p == 0.5
    path = tmp_path / "settings.toml"
    assert loaded.problems == [
        f"{path}: refresh_interval: Input should be a valid number; using the default, 10.0",
        f"{path}: chat.temperature: Input should be a valid number; using the default, 0.7",
    ]


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("refresh_interval = 0.2", "refresh_interval"),
        ("fast_refresh_interval = 0.1", "fast_refresh_interval"),
        ("wait_timeout_minutes = 0", "wait_timeout_minutes"),
        ('confirm_delete = "never"', "confirm_delete"),
        ("read_only = 3", "read_only"),
        ('[chat]\nreasoning_effort = "max"', "chat.reasoning_effort"),
        ("[chat]\nmax_tokens = 0", "chat.max_tokens"),
        ("[chat]\ntop_p = 1.5", "chat.top_p"),
        ('[profiles.work]\napi_key_env = "$WORK_KEY"', "profiles.work.api_key_env"),
        ("[keymap]\nquit = 5", "keymap.quit"),
        ('[profiles.work]\ntogether_api = "v3"', "profiles.work.together_api"),
        ('[prices.together]\n"h100-80gb" = nan', "prices.together.h100-80gb"),
        ('[prices.together]\n"h100-80gb" = inf', "prices.together.h100-80gb"),
        ('[prices.together]\n"h100-80gb" = 0', "prices.together.h100-80gb"),
        ('[prices.together]\n"h100-80gb" = -2.95', "prices.together.h100-80gb"),
        ('[prices.together]\n"h100-80gb" = "2.95"', "prices.together.h100-80gb"),
        ("prices = 3", "prices"),
        ('bell = "yes"', "bell"),
        ("notifications = 1", "notifications"),
        ("refresh_interval = nan", "refresh_interval"),
        ("refresh_interval = inf", "refresh_interval"),
        ("refresh_interval = -5", "refresh_interval"),
        ("fast_refresh_interval = 0", "fast_refresh_interval"),
        ("wait_timeout_minutes = -1", "wait_timeout_minutes"),
        ('confirm_start = "no"', "confirm_start"),
        ("[chat]\ntemperature = 2.5", "chat.temperature"),
        ("[chat]\ntemperature = -0.1", "chat.temperature"),
        ("[chat]\nmax_tokens = -3", "chat.max_tokens"),
        ("[chat]\nmax_tokens = 1.5", "chat.max_tokens"),
        ("[chat]\nmax_tokens = 999999999", "chat.max_tokens"),
        ("[chat]\nsystem_prompt = 3", "chat.system_prompt"),
    ],
)
def test_invalid_values_are_named_and_dropped(tmp_path: Path, text: str, key: str) -> None:
    loaded = load_text(tmp_path, 'theme = "nord"\n' + text + "\n")
    assert loaded.settings.theme == "nord"
    (problem,) = loaded.problems
    assert problem.startswith(f"{tmp_path / 'settings.toml'}: {key}: ")


def test_invalid_entries_inside_tables_keep_their_siblings(tmp_path: Path) -> None:
    loaded = load_text(
        tmp_path,
        '[keymap]\nquit = 5\n"app.help" = "f1"\n[profiles.work]\nbase_url = 7\napi_key_env = "WORK"\n',
    )
    assert loaded.settings.keymap == {"app.help": "f1"}
    assert loaded.settings.profiles == {"work": Profile(api_key_env="WORK")}
    assert len(loaded.problems) == 2


def test_table_of_the_wrong_type_uses_defaults(tmp_path: Path) -> None:
    loaded = load_text(tmp_path, 'chat = 5\nprofiles = "x"\ntheme = "nord"\n')
    assert loaded.settings.chat == ChatDefaults()
    assert loaded.settings.profiles == {}
    assert loaded.settings.theme == "nord"
    assert any("chat:" in p and "using the defaults" in p for p in loaded.problems)
    assert len(loaded.problems) == 2


def test_unknown_keys_are_warned_about_and_ignored(tmp_path: Path) -> None:
    secret = "tgp_v1_do-not-print-me-0123456789"
    loaded = load_text(
        tmp_path,
        f'them = "nord"\n[chat]\ntemprature = 0.1\n[profiles.work]\napi_key = "{secret}"\n',
    )
    path = tmp_path / "settings.toml"
    assert sorted(loaded.problems) == sorted(
        [
            f"{path}: unknown key 'them' (did you mean 'theme'?); ignoring it",
            f"{path}: unknown key 'chat.temprature' (did you mean 'temperature'?); ignoring it",
            f"{path}: unknown key 'profiles.work.api_key' (did you mean 'api_key_env'?); ignoring it",
        ]
    )
    assert loaded.settings.profiles == {"work": Profile()}
    # Values are never quoted back: a misplaced key must not end up in a log or on screen.
    assert not any(secret in p for p in loaded.problems)


def test_unreadable_file_is_a_problem_not_a_crash(tmp_path: Path) -> None:
    path = tmp_path / "settings.toml"
    path.mkdir()
    loaded = load_settings(path)
    assert loaded.settings == Settings()
    assert len(loaded.problems) == 1 and "cannot read" in loaded.problems[0]
    (tmp_path / "latin1.toml").write_bytes(b'theme = "caf\xe9"\n')
    loaded = load_settings(tmp_path / "latin1.toml")
    assert loaded.settings == Settings() and "cannot read" in loaded.problems[0]


def test_problems_use_tilde_for_home(tmp_path: Path) -> None:
    home_config = tmp_path / "home" / "cfg"
    home_config.mkdir(parents=True)
    (home_config / "settings.toml").write_text("theme = 5\n")
    loaded = load_settings(home_config / "settings.toml")
    assert loaded.problems[0].startswith("~/cfg/settings.toml: theme: ")


# --------------------------------------------------------------------------------------------
# save_setting

USER_FILE = """\
# My together-tui settings.
refresh_interval = 5  # I like it fast
theme = "nord"  # picked by hand

[chat]
# Keep answers short.
system_prompt = "Be brief."
"""


def test_save_setting_keeps_comments_and_other_keys(tmp_path: Path) -> None:
    path = tmp_path / "settings.toml"
    path.write_text(USER_FILE)
    save_setting("theme", "dracula", path)
    text = path.read_text()
    assert text == USER_FILE.replace('theme = "nord"', 'theme = "dracula"')
    save_setting("bell", True, path)
    text = path.read_text()
    assert "# Keep answers short." in text and "# I like it fast" in text
    loaded = load_settings(path)
    assert loaded.problems == []
    assert loaded.settings.theme == "dracula" and loaded.settings.bell is True
    assert loaded.settings.chat.system_prompt == "Be brief."
    assert tomllib.loads(text)["bell"] is True


def test_save_setting_creates_the_file_and_directory(tmp_path: Path) -> None:
    written = save_setting("theme", "gruvbox")
    assert written == tmp_path / "config" / "together-tui" / "settings.toml"
    assert load_settings().settings.theme == "gruvbox"


def test_save_setting_follows_the_override(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(SETTINGS_ENV, str(tmp_path / "custom.toml"))
    save_setting("theme", "monokai")
    assert tomllib.loads((tmp_path / "custom.toml").read_text()) == {"theme": "monokai"}


def test_save_setting_none_removes_the_key(tmp_path: Path) -> None:
    path = tmp_path / "settings.toml"
    path.write_text(USER_FILE)
    save_setting("theme", None, path)
    assert load_settings(path).settings.theme == "textual-dark"
    assert "# My together-tui settings." in path.read_text()


def test_save_setting_writes_models_without_nulls(tmp_path: Path) -> None:
    path = tmp_path / "settings.toml"
    save_setting("chat", ChatDefaults(system_prompt="Hi", top_p=None), path)
    assert tomllib.loads(path.read_text()) == {"chat": {"system_prompt": "Hi", "temperature": 0.7, "max_tokens": 1024}}
    assert load_settings(path).settings.chat.system_prompt == "Hi"


def test_save_setting_rejects_unknown_keys_and_bad_values(tmp_path: Path) -> None:
    path = tmp_path / "settings.toml"
    with pytest.raises(SettingsError, match="unknown setting 'colour'"):
        save_setting("colour", "red", path)
    with pytest.raises(SettingsError, match="refresh_interval"):
        save_setting("refresh_interval", 0.1, path)
    assert not path.exists()


def test_save_setting_leaves_an_invalid_file_alone(tmp_path: Path) -> None:
    path = tmp_path / "settings.toml"
    path.write_text("theme = nord\n")
    with pytest.raises(SettingsError, match="not valid TOML"):
        save_setting("theme", "dracula", path)
    assert path.read_text() == "theme = nord\n"


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX symlinks and modes")
def test_save_setting_keeps_symlinks_and_mode(tmp_path: Path) -> None:
    real = tmp_path / "dotfiles" / "together-tui.toml"
    real.parent.mkdir()
    real.write_text(USER_FILE)
    real.chmod(0o640)
    link = tmp_path / "settings.toml"
    link.symlink_to(real)
    save_setting("theme", "dracula", link)
    assert link.is_symlink()
    assert 'theme = "dracula"' in real.read_text()
    assert stat.S_IMODE(real.stat().st_mode) == 0o640
    assert sorted(os.listdir(real.parent)) == ["together-tui.toml"]


def test_an_unknown_theme_is_reported_with_a_suggestion_and_replaced(tmp_path: Path) -> None:
    (tmp_path / "settings.toml").write_text('theme = "nrod"\nbell = true\n')
    loaded = load_settings(tmp_path / "settings.toml", themes={"nord", "textual-dark", "dracula"})
    assert loaded.settings.theme == "textual-dark" and loaded.settings.bell is True
    assert loaded.problems == [
        f"{tmp_path / 'settings.toml'}: theme: unknown theme 'nrod' (did you mean 'nord'?); "
        "using the default, 'textual-dark'"
    ]


def test_a_known_theme_is_kept_and_unchecked_without_a_list(tmp_path: Path) -> None:
    (tmp_path / "settings.toml").write_text('theme = "nord"\n')
    assert load_settings(tmp_path / "settings.toml", themes={"nord"}).problems == []
    (tmp_path / "settings.toml").write_text('theme = "anything"\n')
    assert load_settings(tmp_path / "settings.toml").settings.theme == "anything"


def test_confirm_start_defaults_on_and_can_be_turned_off(tmp_path: Path) -> None:
    assert Settings().confirm_start is True
    assert load_text(tmp_path, "confirm_start = false\n").settings.confirm_start is False


# Profiles name their provider; prices per provider; the keymap against the one binding table


def test_a_profile_is_a_together_profile_unless_it_says_otherwise(tmp_path: Path) -> None:
    loaded = load_text(tmp_path, "[profiles.work]\n")
    assert loaded.problems == []
    assert loaded.settings.profiles["work"].provider == "together"
    assert loaded.settings.profiles["work"].together_api is None


def test_an_unknown_provider_is_named_with_a_did_you_mean_and_never_replaced(tmp_path: Path) -> None:
    loaded = load_text(tmp_path, '[profiles.work]\nprovider = "togehter"\napi_key_env = "WORK"\n')
    path = tmp_path / "settings.toml"
    assert loaded.problems == [
        f"{path}: profiles.work.provider: unknown provider 'togehter' (did you mean 'together'?); "
        "this profile cannot be used until fixed"
    ]
    # Falling back to Together would send this profile's key to the wrong company: the kind stays, and
    # building its provider fails loudly (tui.api.registry.entry_for).
    assert loaded.settings.profiles["work"] == Profile(provider="togehter", api_key_env="WORK")


def test_a_price_table_for_an_unknown_provider_is_dropped(tmp_path: Path) -> None:
    loaded = load_text(tmp_path, '[prices.nowhere]\n"h100" = 2.0\n[prices.together]\n"h100-80gb" = 3.0\n')
    (problem,) = loaded.problems
    # Nothing close: the problem lists every registered kind (Together among them).
    assert problem.startswith(f"{tmp_path / 'settings.toml'}: prices.nowhere: unknown provider 'nowhere' (one of ")
    assert "'together'" in problem and problem.endswith("); ignoring it")
    assert loaded.settings.prices == {"together": {"h100-80gb": 3.0}}


def test_one_bad_price_keeps_the_rest_of_its_table(tmp_path: Path) -> None:
    loaded = load_text(tmp_path, '[prices.together]\n"h100-80gb" = -1\n"l40s-48gb" = 1.25\n')
    (problem,) = loaded.problems
    assert "prices.together.h100-80gb: Input should be greater than 0" in problem
    assert loaded.settings.prices == {"together": {"l40s-48gb": 1.25}}


def test_an_unknown_binding_id_is_named_with_the_id_it_probably_meant(tmp_path: Path) -> None:
    loaded = load_text(tmp_path, '[keymap]\nquit = "q"\n"endpoints.delte" = "D"\n"app.help" = "f1"\n')
    path = tmp_path / "settings.toml"
    assert loaded.problems == [
        f"{path}: keymap: unknown binding id 'quit'; did you mean app.quit?; ignoring it",
        f"{path}: keymap: unknown binding id 'endpoints.delte'; did you mean endpoints.delete?; ignoring it",
    ]
    assert loaded.settings.keymap == {"app.help": "f1"}


def test_a_binding_with_no_keys_is_refused(tmp_path: Path) -> None:
    loaded = load_text(tmp_path, '[keymap]\n"app.help" = " "\n')
    assert loaded.problems == [f"{tmp_path / 'settings.toml'}: keymap: no keys given for 'app.help'; ignoring it"]
    assert loaded.settings.keymap == {}


async def test_a_nebius_price_table_in_the_file_prices_the_nebius_rows(tmp_path: Path) -> None:
    import httpx

    from tui.api.registry import ProviderOptions, build_provider
    from tui.keys.resolve import options_for

    loaded = load_text(
        tmp_path,
        '[profiles.nb]\nprovider = "nebius"\n[prices.nebius]\nh100 = 2.95\n"gpu-b200-sxm-a" = 6.5\n',
    )
    assert loaded.problems == []
    templates = {"data": [{"name": "m", "flavors": {"base": {"hardware": [
        {"gpu_type": t, "gpu_count": 2, "regions": ["eu-north1"]} for t in ("gpu-h100-sxm", "gpu-b200-sxm-a",
                                                                              "gpu-l40s-d")
    ]}}}]}
    transport = httpx.MockTransport(lambda request: httpx.Response(200, json=templates))
    options = ProviderOptions(transport=transport, prices=options_for("nb", loaded.settings).prices)
    provider = build_provider("nebius", "nb-key-0123456789", None, options)
    rows = {row.id: (row.price_per_hour, row.price_from_api) for row in await provider.list_hardware("m")}
    await provider.aclose()
    assert rows == {
        "base:2xgpu-h100-sxm@eu-north1": (5.9, False),
        "base:2xgpu-b200-sxm-a@eu-north1": (13.0, False),
        # Not in the table: unknown, never $0.
        "base:2xgpu-l40s-d@eu-north1": (None, False),
    }


def test_a_price_table_under_the_providers_name_says_where_it_goes(tmp_path: Path) -> None:
    loaded = load_text(tmp_path, '[nebius.prices]\nh100 = 2.95\n')
    assert loaded.problems == [
        f"{tmp_path / 'settings.toml'}: unknown key 'nebius' (a provider's prices go under [prices.nebius]); "
        "ignoring it"
    ]
    assert loaded.settings.prices == {}
