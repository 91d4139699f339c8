"""Architecture and code-quality checks that CI runs with the rest of the suite."""

from __future__ import annotations

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
