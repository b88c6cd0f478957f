"""The package type-checks: ``mypy --strict`` on ``mockkit/`` with zero errors (issue 13).

mypy runs as a subprocess with the project's ``[tool.mypy]`` configuration (pyproject.toml:
``strict = true``, ``files = ["mockkit"]``), so this test, ``.ci/run`` and a developer typing
``mypy`` in the repository check the same thing. The ``py.typed`` marker (PEP 561) tells
type checkers in users' projects to read mockkit's annotations.
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def test_package_carries_py_typed_marker():
    assert (ROOT / "mockkit" / "py.typed").is_file()
    # the wheel takes the whole mockkit/ folder (hatchling includes every file not ignored by git)
    wheel = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["hatch"]["build"]["targets"]["wheel"]
    assert wheel["packages"] == ["mockkit"]
    if (ROOT / ".git").exists():
        ignored = subprocess.run(["git", "check-ignore", "-q", "mockkit/py.typed"], cwd=ROOT, timeout=30)
        assert ignored.returncode == 1, "mockkit/py.typed is git-ignored, so hatchling leaves it out of the wheel"


def test_mypy_strict_is_configured():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["mypy"]
    assert config["strict"] is True
    assert config["files"] == ["mockkit"]


def test_mypy_strict_finds_no_errors(tmp_path):
    if importlib.util.find_spec("mypy") is None:
        pytest.skip("mypy is not installed: pip install -e '.[test]' installs it")
    env = {**os.environ, "MYPY_CACHE_DIR": str(tmp_path / "mypy-cache")}
    done = subprocess.run(
        [sys.executable, "-m", "mypy", "--no-error-summary", "--hide-error-context", "--no-color-output"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=600,
    )
    errors = [line for line in done.stdout.splitlines() if ": error:" in line]
    assert done.returncode == 0 and not errors, (
        f"mypy --strict found {len(errors)} error(s) in mockkit/:\n" + "\n".join(errors or [done.stdout, done.stderr])
    )
