"""The layering (pyproject.toml's import-linter contracts), checked, and shown to be able to fail."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest


@pytest.mark.parametrize("module", ["tui.core.model", "tui.core.timeline", "tui.core.analytics", "tui.session.review", "tui.services.workspace", "tui.cli"])
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


PLANTED = [
    # (file that gets the import, the import, what the linter must report)
    ("core/timefmt.py", "from tui.app import app", "tui.core.timefmt -> tui.app"),
    ("session/review.py", "from tui import cli", "tui.session.review -> tui.cli"),
    ("services/workspace.py", "from tui.services import batch", "tui.services.workspace -> tui.services.batch"),
    ("media/probe.py", "from tui.store import files", "tui.media.probe -> tui.store.files"),
    ("core/model.py", "import numpy", "tui.core.model -> numpy"),
    ("session/review.py", "import textual", "tui.session.review -> textual"),
]


@pytest.mark.parametrize(("target", "line", "reported"), PLANTED, ids=[p[2] for p in PLANTED])
def test_each_contract_can_fail(tmp_path, target, line, reported):
    """The check above can fail: the same linter on a copy with one import that breaks one contract."""
    shutil.copytree(ROOT / "tui", tmp_path / "tui", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path)
    planted = tmp_path / "tui" / target
    planted.write_text(planted.read_text() + f"\n{line}  # noqa\n")
    result = lint(tmp_path)
    assert result.returncode != 0
    assert "BROKEN" in result.stdout and reported in result.stdout
