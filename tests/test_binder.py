"""Binder's set-up, proven without Docker.

repo2docker reads ``binder/``: ``runtime.txt`` picks the Python, and ``requirements.txt`` is
installed with pip from the repository root. This test does the same in a fresh venv (Python 3.12
when this machine has one, else the Python running the tests), then runs every tutorial in a
kernel of that venv, with the notebooks folder as working directory. The package is installed
from the requirements file alone (not in editable mode), so the test also proves that the wheel
carries what the notebooks need (the bundled demo collection, the pytest plugin).

It downloads packages from the package index, so it takes a minute or two.
"""

from __future__ import annotations

import glob
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from test_notebooks import (
    NOTEBOOKS,
    NOTEBOOKS_DIR,
    execute,
    stderr_of,
    write_kernelspec,
)

ROOT = Path(__file__).resolve().parent.parent
BINDER = ROOT / "binder"
RUNTIME = "python-3.12"
INSTALL_TIMEOUT = 900  # seconds: a cold pip cache downloads pandas, faker, jupyter packages


def test_runtime_is_python_312() -> None:
    assert (BINDER / "runtime.txt").read_text(encoding="utf-8").strip() == RUNTIME


def test_requirements_install_this_repository() -> None:
    lines = [
        line.strip()
        for line in (BINDER / "requirements.txt").read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    ]
    # "." (or ".[extras]", "-e .") is the repository root, where repo2docker runs pip.
    assert any(re.fullmatch(r"(-e\s+)?\.(\[[\w,\s-]+\])?", line) for line in lines), lines


def _version(python: str) -> tuple[int, int] | None:
    try:
        out = subprocess.run(
            [python, "-c", "import sys; print(*sys.version_info[:2])"],
            capture_output=True, text=True, timeout=30, check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    parts = out.stdout.split()
    return (int(parts[0]), int(parts[1])) if out.returncode == 0 and len(parts) == 2 else None


def binder_base_python() -> str:
    """A Python 3.12 (what runtime.txt asks for) if this machine has one, else ours."""
    candidates = [shutil.which("python3.12")]
    pyenv_root = os.environ.get("PYENV_ROOT") or os.path.expanduser("~/.pyenv")
    candidates += sorted(glob.glob(os.path.join(pyenv_root, "versions", "3.12*", "bin", "python3.12")))
    for candidate in candidates:
        if candidate and _version(candidate) == (3, 12):
            return candidate
    return sys.executable


@pytest.fixture(scope="module")
def binder_venv(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A fresh venv with binder/requirements.txt installed; yields the name of its kernel."""
    folder = tmp_path_factory.mktemp("binder")
    venv = folder / "venv"
    subprocess.run([binder_base_python(), "-m", "venv", str(venv)], check=True, timeout=300)
    python = str(venv / ("Scripts/python.exe" if os.name == "nt" else "bin/python"))
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME")}
    install = subprocess.run(
        [python, "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
         "-r", "binder/requirements.txt"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=INSTALL_TIMEOUT, check=False,
    )
    assert install.returncode == 0, f"pip install -r binder/requirements.txt failed:\n{install.stdout}\n{install.stderr}"
    # repo2docker's image always has ipykernel (it runs the notebooks' kernel); make sure of it.
    if subprocess.run([python, "-c", "import ipykernel"], env=env, check=False).returncode != 0:
        subprocess.run([python, "-m", "pip", "install", "--quiet", "ipykernel"], env=env, check=True,
                       timeout=INSTALL_TIMEOUT)
    jupyter = folder / "jupyter"
    write_kernelspec(jupyter, python, name="binder-python3")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("JUPYTER_PATH", str(jupyter))
        mp.setenv("PYDEVD_DISABLE_FILE_VALIDATION", "1")
        for name in ("PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME"):
            mp.delenv(name, raising=False)
        yield python


def test_the_package_is_installed_not_borrowed(binder_venv: str) -> None:
    """mockkit comes from the venv's site-packages, with its demo and its pytest plugin."""
    script = (
        "import sys, mockkit, mockkit.demo, importlib.metadata as m; "
        "print(sys.version_info >= (3, 11)); print(mockkit.__file__); "
        "print(mockkit.demo.DEMO_COLLECTION.is_file()); "
        "print([e.value for e in m.entry_points(group='pytest11') if e.name == 'mockkit'])"
    )
    out = subprocess.run([binder_venv, "-c", script], cwd=NOTEBOOKS_DIR, capture_output=True, text=True,
                         timeout=60, check=False)
    assert out.returncode == 0, out.stderr
    supported, location, demo, plugin = out.stdout.strip().splitlines()
    assert supported == "True"
    assert Path(binder_venv).parent.parent in Path(location).parents, location
    assert demo == "True"
    assert plugin == "['mockkit.testing.pytest_plugin']"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_runs_on_binder(path: Path, binder_venv: str) -> None:
    nb = execute(path, "binder-python3")
    assert not stderr_of(nb), "\n".join(stderr_of(nb))
