"""The layering in DESIGN.md, checked: domain code never pulls in Textual."""

import subprocess
import sys

import pytest


@pytest.mark.parametrize("module", ["tui.core.model", "tui.core.timeline", "tui.core.analytics", "tui.review", "tui.cli"])
def test_domain_and_review_do_not_import_textual(module):
    code = f"import sys, {module}; print('textual' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_import_contracts_hold():
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    result = subprocess.run([sys.executable, "-m", "importlinter.cli", "--config", str(root / "pyproject.toml")],
                            capture_output=True, text=True, cwd=root)
    if "No module named importlinter" in result.stderr:
        pytest.fail("import-linter is a test dependency; install with .[test]")
    assert result.returncode == 0, result.stdout + result.stderr
