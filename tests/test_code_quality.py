"""Ruff and mypy run with the suite, so the README's one test command checks them too.

Ruff looks for errors, not taste (pyproject.toml [tool.ruff]); mypy is strict on the pure
domain (tui/core) and the review session (tui/session), the code every layer trusts.
Each check is shown able to fail on a copy with a planted mistake.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TOOLS = Path(sys.executable).parent


def run(tool: str, *args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    command = [str(TOOLS / tool)] if (TOOLS / tool).exists() else [sys.executable, "-m", tool]
    env = {**os.environ, "PYTHONPATH": str(cwd)}
    return subprocess.run([*command, *args], capture_output=True, text=True, cwd=cwd, env=env, timeout=600)


def copy_of_the_project(tmp_path: Path) -> Path:
    shutil.copytree(ROOT / "tui", tmp_path / "tui", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path)
    return tmp_path


def test_ruff_finds_no_errors():
    result = run("ruff", "check", "tui", "tests", "bench")
    assert result.returncode == 0, result.stdout + result.stderr


def test_ruff_fails_on_an_undefined_name(tmp_path):
    root = copy_of_the_project(tmp_path)
    (root / "tui" / "core" / "timefmt.py").write_text("def f():\n    return undefined_name\n")
    result = run("ruff", "check", "tui", cwd=root)
    assert result.returncode != 0 and "F821" in result.stdout


def test_mypy_is_clean_and_strict_on_the_domain_and_the_review_session():
    result = run("mypy", "tui/core", "tui/session")
    assert result.returncode == 0, result.stdout + result.stderr


def test_mypy_fails_on_an_untyped_function_in_the_domain(tmp_path):
    root = copy_of_the_project(tmp_path)
    timefmt = root / "tui" / "core" / "timefmt.py"
    timefmt.write_text(timefmt.read_text() + "\n\ndef untyped(x):\n    return x\n")
    result = run("mypy", "tui/core", cwd=root)
    assert result.returncode != 0 and "no-untyped-def" in result.stdout
