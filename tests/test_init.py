"""The public surface: a small, tested ``__all__`` and a light ``import mockkit``."""

from __future__ import annotations

import subprocess
import sys

import mockkit


def test_all_names_exist():
    assert len(mockkit.__all__) == len(set(mockkit.__all__))
    for name in mockkit.__all__:
        assert hasattr(mockkit, name), name


def test_import_is_light():
    code = (
        "import sys, mockkit\n"
        "heavy = [m for m in ('pandas', 'ipywidgets', 'faker', 'tornado', 'httpx') if m in sys.modules]\n"
        "print(','.join(heavy))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60)
    assert out.stdout.strip() == ""


def test_errors_form_one_tree():
    for name in ("CollectionError", "RequestError", "ServerError"):
        assert issubclass(getattr(mockkit, name), mockkit.MockkitError)
