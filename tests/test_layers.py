"""Architecture and code-quality checks that CI runs with the rest of the suite."""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize(
    "module", ["tui.api", "tui.api.together", "tui.simulator", "tui.keys", "tui.settings", "tui.core", "tui.core.store"]
)
def test_headless_layers_do_not_import_textual(module: str) -> None:
    code = f"import sys, {module}; print('textual' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert result.stdout.strip() == "False", f"{module} pulled in Textual"


def test_api_layer_does_not_import_the_simulator_or_the_app() -> None:
    code = (
        "import sys, tui.api.together; "
        "print(sorted(m for m in sys.modules if m.startswith(('tui.app', 'tui.simulator'))))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert result.stdout.strip() == "[]"


def _tool(name: str) -> str:
    found = shutil.which(name, path=str(Path(sys.executable).parent))
    if found is None:
        pytest.skip(f"{name} is not installed in this environment (it is in the test extra)")
    return found


def test_ruff_is_clean() -> None:
    result = subprocess.run([_tool("ruff"), "check", "tui", "tests"], capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stdout + result.stderr


def test_mypy_is_clean() -> None:
    result = subprocess.run([_tool("mypy"), "tui"], capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stdout + result.stderr


def test_describing_the_cli_does_not_load_the_simulators_web_stack() -> None:
    # Every start of the app builds the parser; Starlette and uvicorn cost ~0.1 s and are only for `simulate`.
    code = (
        "import sys; from tui.cli import build_parser; build_parser(); "
        "print(sorted(m for m in ('starlette', 'uvicorn', 'textual') if m in sys.modules))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert result.stdout.strip() == "[]"


#: What the app's first frame (the Endpoints table) never needs: the other panes, the simulator's and the
#: web server's stacks, key management's CLI, and httpx's command-line client (click, pygments).
NOT_BEFORE_THE_FIRST_FRAME = (
    "tui.app.panes.chat", "tui.app.panes.hardware", "tui.app.widgets.chat_message", "tui.app.widgets.hardware_table",
    "tui.app.profile_switch", "tui.simulator", "tui.serve", "tui.keys.auth_cli", "starlette", "uvicorn", "click",
    "pygments", "keyring", "tui.core.chat", "tui.core.chat_turns", "tui.api.analytics",
    "tui.api.together.v2.analytics_wire", "tui.api.together.v2.insight",
    # The confirmation and scale screens: imported when an action first asks.
    "tui.app.screens.confirm_start", "tui.app.screens.confirm_delete", "tui.app.screens.scale",
    "tui.app.screens.choose_deployments",
)


def test_starting_the_app_imports_only_what_its_first_frame_needs() -> None:
    # The path `together-tui` takes to its first frame: the options, the settings, a provider, the App.
    code = (
        "import sys; from tui.cli import parse_args; parse_args([]); "
        "from tui.settings import load_settings; load_settings(); "
        "from tui.api.registry import build_provider; build_provider('together', 'key', 'http://127.0.0.1:1/v1'); "
        "import tui.app.app; "
        f"print(sorted(m for m in {NOT_BEFORE_THE_FIRST_FRAME!r} if m in sys.modules))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True,
                            env={"PATH": "/usr/bin:/bin", "TOGETHER_TUI_CONFIG": "/nonexistent/settings.toml"})
    assert result.stdout.strip() == "[]"


def test_the_head_starts_child_reads_ahead_without_textual(tmp_path: Path) -> None:
    # The child's whole path to its first requests (tui.head_start._read_ahead): Textual is the parent's
    # half of the start, and importing it here too (~90 ms, through tui.app's package) delayed the list.
    code = (
        "import sys, pickle; from tui.launch import parse; args = parse([]); "
        "from tui.head_start import Facts, _provider_facts; from tui.keys.store import display_path; "
        "from tui.start_config import app_config, resolve; from tui.api.registry import build_provider; "
        "resolved = resolve(args); "
        "facts = Facts(app_config(args, resolved), resolved.kind.kind, resolved.profile, resolved.base_url, "
        "display_path(resolved.loaded.path)); pickle.dumps(facts); "
        "provider = build_provider(resolved.kind.kind, resolved.key, resolved.base_url, resolved.options); "
        "pickle.dumps(_provider_facts(provider)); "
        "print(sorted(m for m in ('textual', 'rich', 'tui.app') if m in sys.modules))"
    )
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "TOGETHER_TUI_CONFIG": str(tmp_path / "settings.toml"),
           "TOGETHER_API_KEY": "layer-test-key", "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"}
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True,
                            env=env)
    assert result.stdout.strip() == "[]", result.stderr


def test_the_head_starts_facts_with_a_known_theme_import_no_settings_modules() -> None:
    # The app's process checks the child's theme once Textual is loaded; a known theme needs neither the
    # settings file's modules nor the key stores they import (~5 ms of the start).
    code = (
        "import sys; from tui.head_start import Facts; from tui.core.app_config import AppConfig; "
        "config = AppConfig(theme='nord'); facts = Facts(config, 'together', 'default', 'https://x', 'settings.toml'); "
        "assert facts.checked({'nord'}) is config; "
        "print(sorted(m for m in ('tui.settings_toml', 'tomllib', 'tui.keys') if m in sys.modules)); "
        "print(facts.checked({'textual-dark'}).theme, 'tui.settings_toml' in sys.modules)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert result.stdout.split("\n")[:2] == ["[]", "textual-dark True"], result.stdout + result.stderr


def test_the_apps_options_are_parsed_without_the_subcommands_modules() -> None:
    code = (
        "import sys; from tui.cli import parse_args; args = parse_args(['--read-only', '--refresh', '5']); "
        "print(args.read_only, args.refresh, args.command, "
        "sorted(m for m in ('tui.simulator', 'tui.serve', 'tui.keys.auth_cli') if m in sys.modules))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert result.stdout.strip() == "True 5.0 None []"


def _imports_at_run_time(path: Path, module: str) -> set[str]:
    """The tui modules ``path`` imports when it runs, also inside functions (a deferred import hides a cycle, it
    does not remove it); ``if TYPE_CHECKING:`` blocks are left out (they never run)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]

    def visit(node: ast.AST) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and "TYPE_CHECKING" in ast.unparse(child.test):
                for other in child.orelse:
                    visit(other)
                continue
            if isinstance(child, ast.Import):
                found.update(alias.name for alias in child.names)
            elif isinstance(child, ast.ImportFrom):
                base = child.module or ""
                if child.level:
                    parts = package.split(".")
                    base = ".".join(parts[: len(parts) - child.level + 1] + ([base] if base else []))
                found.add(base)
                found.update(f"{base}.{alias.name}" for alias in child.names)
            visit(child)

    visit(tree)
    return {name for name in found if name == "tui" or name.startswith("tui.")}


def test_the_package_has_no_import_cycle() -> None:
    modules = {
        ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__"): path
        for path in (ROOT / "tui").rglob("*.py")
    }
    graph = {name: {dep for dep in _imports_at_run_time(path, name) if dep in modules and dep != name}
             for name, path in modules.items()}
    # A package's __init__ importing its own modules is not a cycle worth reporting; a module importing
    # another that (through any chain) imports it back is.
    for name in graph:
        graph[name] = {dep for dep in graph[name] if not name.startswith(dep + ".")}
    cycles: list[list[str]] = []
    state: dict[str, int] = {}
    path: list[str] = []

    def walk(name: str) -> None:
        state[name] = 1
        path.append(name)
        for dep in sorted(graph[name]):
            if state.get(dep) == 1:
                cycles.append([*path[path.index(dep):], dep])
            elif dep not in state:
                walk(dep)
        path.pop()
        state[name] = 2

    for name in sorted(graph):
        if name not in state:
            walk(name)
    assert cycles == [], "import cycles:\n" + "\n".join(" -> ".join(cycle) for cycle in cycles)
