"""The layering (pyproject.toml's import-linter contracts), checked, and shown to be able to fail."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest


@pytest.mark.parametrize("module", ["tui.core.model", "tui.core.timeline", "tui.core.analytics", "tui.review", "tui.cli"])
def test_domain_and_review_do_not_import_textual(module):
    code = f"import sys, {module}; print('textual' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


ROOT = Path(__file__).resolve().parent.parent


def lint(root: Path) -> subprocess.CompletedProcess:
    """import-linter's own entry point on the package under ``root`` (imported from there, not installed)."""
    code = ("import sys; from importlinter.cli import lint_imports; "
            "sys.exit(lint_imports(config_filename='pyproject.toml', no_cache=True))")
    env = {**os.environ, "PYTHONPATH": str(root)}
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=root, env=env)


def test_import_contracts_hold():
    result = lint(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout and "KEPT" in result.stdout


def test_an_import_pointing_up_breaks_the_contracts(tmp_path):
    """The check above can fail: the same linter on a copy with core importing the app."""
    shutil.copytree(ROOT / "tui", tmp_path / "tui", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path)
    timefmt = tmp_path / "tui" / "core" / "timefmt.py"
    timefmt.write_text(timefmt.read_text() + "\nfrom tui.app import app  # noqa\n")
    result = lint(tmp_path)
    assert result.returncode != 0
    assert "BROKEN" in result.stdout and "tui.core.timefmt -> tui.app" in result.stdout
