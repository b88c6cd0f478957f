"""The public surface: a small, tested ``__all__`` and a light ``import mockkit``."""

from __future__ import annotations

import subprocess
import sys

import mockkit


def test_all_names_exist():
    assert len(mockkit.__all__) == len(set(mockkit.__all__))
    for name in mockkit.__all__:
        assert hasattr(mockkit, name), name


def python(code: str) -> str:
    """What ``code`` prints, run in a fresh Python process (nothing imported yet)."""
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                          timeout=120).stdout.strip()


def test_import_is_light():
    assert python("import sys, mockkit\n"
                  "heavy = [m for m in ('pandas', 'ipywidgets', 'faker', 'tornado', 'httpx') if m in sys.modules]\n"
                  "print(','.join(heavy))\n") == ""


def test_errors_form_one_tree():
    for name in ("CollectionError", "RequestError", "ServerError"):
        assert issubclass(getattr(mockkit, name), mockkit.MockkitError)
    exported = [getattr(mockkit, n) for n in mockkit.__all__]
    errors = [e for e in exported if isinstance(e, type) and issubclass(e, BaseException)]
    assert len(errors) >= 7 and all(issubclass(e, mockkit.MockkitError) for e in errors), errors


def _public_names() -> set[str]:
    """The public names of the package namespace: not starting with ``_``, not a submodule,
    and the names ``__getattr__`` loads on first use (PEP 562), loaded or not."""
    import inspect

    names = {n for n, v in vars(mockkit).items() if not n.startswith("_") and not inspect.ismodule(v)}
    return names | set(mockkit._LAZY)


def test_all_is_the_sorted_public_namespace():
    """As httpx does: ``__all__`` is exactly the public names, sorted (case-folded), so nothing
    public goes unexported (and undocumented: tests/test_docs.py checks every name in it)."""
    assert mockkit.__all__ == sorted(_public_names(), key=str.casefold)


def test_all_holds_the_same_names_after_every_lazy_name_loads():
    assert python("import inspect, mockkit\n"
                  "for name in mockkit.__all__: getattr(mockkit, name)\n"
                  "public = {n for n, v in vars(mockkit).items() if not n.startswith('_') and not inspect.ismodule(v)}\n"
                  "print(sorted(public ^ set(mockkit.__all__)))\n") == "[]"


def test_version_is_kept_out_of_all_and_matches_the_package():
    """``__version__`` is a module dunder, not API: left out of ``__all__`` (``from mockkit import
    *`` does not bind it; httpx lists its version, we decided otherwise), and it is the installed
    distribution's version."""
    from importlib.metadata import version

    assert "__version__" not in mockkit.__all__
    assert mockkit.__version__ == version("mockkit")


def test_deprecated_alias_is_not_exported():
    assert "MatchOptions" not in mockkit.__all__
    assert "MatchOptions" not in _public_names()
