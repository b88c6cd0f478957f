"""The API reference (issue 13): it builds, and every public name is documented.

* ``mkdocs build --strict`` builds the reference (``mkdocs.yml``, ``docs/``) from the docstrings
  with mkdocstrings; any warning (a broken link, a documented parameter the signature lacks, a
  page that names an object that does not exist) fails the test.
* Every name in ``mockkit.__all__``, and every public method and property of those classes
  (their mockkit base classes included), has a Google-style docstring, checked by its sections
  as mkdocstrings parses them (griffe), not by its length:
  - ``Args:`` names exactly the parameters of the signature (a class documents its constructor's;
    a dataclass its fields, under ``Attributes:``);
  - ``Returns:`` when it returns something;
  - ``Raises:`` names every exception it raises: those raised in its body or in the private
    helpers it calls (one level, minus those it catches itself), ``CollectionError`` where it
    takes a ``collection`` to load, ``ConfigError`` where it takes options as keywords;
  - ``Examples:`` with at least one ```` ```python ```` block, which must parse, and whose
    ``mockkit.<name>`` references must exist.
"""

from __future__ import annotations

import ast
import dataclasses
import importlib.util
import inspect
import logging
import re
import subprocess
import sys
import textwrap
from collections.abc import Callable, Iterator
from functools import cache
from pathlib import Path
from typing import Any, NamedTuple

import pytest

import mockkit

ROOT = Path(__file__).resolve().parents[1]
HAS_MKDOCS = importlib.util.find_spec("mkdocs") is not None and importlib.util.find_spec("mkdocstrings") is not None
HAS_GRIFFE = importlib.util.find_spec("griffe") is not None
CODE_BLOCK = re.compile(r"```python\n(.*?)```", re.S)


@pytest.mark.skipif(not HAS_MKDOCS, reason="mkdocs/mkdocstrings not installed: pip install -e '.[docs]'")
def test_reference_builds_without_warnings(tmp_path):
    done = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--config-file", str(ROOT / "mkdocs.yml"),
         "--site-dir", str(tmp_path / "site")],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )
    problems = [line for line in done.stderr.splitlines() if line.startswith(("WARNING", "ERROR"))]
    assert done.returncode == 0 and not problems, "mkdocs build --strict failed:\n" + "\n".join(
        problems or [done.stdout[-3000:], done.stderr[-3000:]])
    for page in ("reference/serving", "reference/options", "reference/hub", "reference/errors", "pytest-plugin"):
        html = (tmp_path / "site" / page / "index.html").read_text(encoding="utf-8")
        assert "<h1" in html, page
    serving = (tmp_path / "site" / "reference" / "serving" / "index.html").read_text(encoding="utf-8")
    assert "assert_called_once" in serving and "Raises" in serving  # inherited call assertions, sections rendered


# ------------------------------------------------------------------------------ completeness


class Target(NamedTuple):
    name: str  # "serve", "MockServer.get", "MockServer.running"
    obj: Any  # the function, class, or property
    kind: str  # "function", "class", "property"
    owner: type | None  # the class a method or property belongs to


def _own_members(cls: type) -> Iterator[tuple[str, Any, type]]:
    """Public methods and properties defined by ``cls`` or its mockkit base classes."""
    seen: set[str] = set()
    for base in cls.__mro__:
        if not base.__module__.startswith("mockkit"):
            continue
        for name, value in vars(base).items():
            if name.startswith("_") or name in seen:
                continue
            seen.add(name)
            if isinstance(value, (staticmethod, classmethod)):
                value = value.__func__
            if inspect.isfunction(value) or isinstance(value, property):
                yield name, value, base


def targets() -> list[Target]:
    found = []
    for name in mockkit.__all__:
        obj = getattr(mockkit, name)
        if inspect.isclass(obj):
            found.append(Target(name, obj, "class", None))
            for member, value, base in _own_members(obj):
                kind = "property" if isinstance(value, property) else "function"
                found.append(Target(f"{name}.{member}", value, kind, base))
        else:
            found.append(Target(name, obj, "function", None))
    return found


def _parse(doc: str) -> dict[str, Any]:
    import griffe

    logging.getLogger("griffe").setLevel(logging.ERROR)  # "no type for parameter": the signature has it
    return {section.kind.value: section.value for section in griffe.Docstring(doc).parse("google")}


def _source_tree(func: Callable[..., Any]) -> ast.FunctionDef | ast.AsyncFunctionDef | None:
    try:
        source = textwrap.dedent(inspect.getsource(func))
    except (OSError, TypeError):
        return None
    node = ast.parse(source).body[0]
    return node if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) else None


def _caught(handlers: list[ast.ExceptHandler]) -> set[str]:
    names: set[str] = set()
    for handler in handlers:
        kinds = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
        names |= {ast.unparse(k).rsplit(".", 1)[-1] for k in kinds if k is not None}
    return names


def _raised_name(node: ast.Raise, namespace: dict[str, Any]) -> str | None:
    """The exception class a ``raise`` names: ``raise X(...)``, ``raise X``, or ``raise f(...)``
    where ``f`` is annotated to return an exception (``-> HubError``). None for a re-raise."""
    exc = node.exc
    if exc is None:
        return None
    target = exc.func if isinstance(exc, ast.Call) else exc
    name = ast.unparse(target).rsplit(".", 1)[-1]
    if name[:1].isupper():
        return name
    helper = namespace.get(name)
    returns = getattr(helper, "__annotations__", {}).get("return") if callable(helper) else None
    return str(returns).strip("'\"") if returns and str(returns)[:1].isupper() else None


def _raises(func: Callable[..., Any], owner: type | None, depth: int = 1) -> set[str]:
    """Exceptions ``func`` raises itself or through the private helpers it calls (``_name(...)``
    in its module, ``self._name(...)`` of its class), ``depth`` levels down, minus those it
    catches around the raise or the call."""
    tree = _source_tree(func)
    if tree is None:
        return set()
    namespace = vars(sys.modules[func.__module__])
    found: set[str] = set()

    def walk(node: ast.AST, caught: set[str]) -> None:
        if isinstance(node, ast.Try):
            inner = caught | _caught(node.handlers)
            for child in node.body:
                walk(child, inner)
            for child in (*node.handlers, *node.orelse, *node.finalbody):
                walk(child, caught)
            return
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)) and node is not tree:
            return  # a nested function raises when it is called, not here
        if isinstance(node, ast.Raise):
            name = _raised_name(node, namespace)
            if name and not _is_caught(name, caught, namespace):
                found.add(name)
        if isinstance(node, ast.Call) and depth > 0:
            helper = _private_helper(node.func, namespace, owner)
            if helper is not None:
                found.update(n for n in _raises(helper, owner, depth - 1) if not _is_caught(n, caught, namespace))
        for child in ast.iter_child_nodes(node):
            walk(child, caught)

    walk(tree, set())
    return found


def _is_caught(name: str, caught: set[str], namespace: dict[str, Any]) -> bool:
    exc = namespace.get(name) or getattr(mockkit, name, None) or getattr(__builtins__, name, None)
    for handler in caught:
        kind = namespace.get(handler) or getattr(mockkit, handler, None) or getattr(__builtins__, handler, None)
        if handler == name or (inspect.isclass(exc) and inspect.isclass(kind) and issubclass(exc, kind)):
            return True
    return False


def _private_helper(call: ast.expr, namespace: dict[str, Any], owner: type | None) -> Callable[..., Any] | None:
    if isinstance(call, ast.Name) and call.id.startswith("_") and not call.id.startswith("__"):
        helper = namespace.get(call.id)
        return helper if inspect.isfunction(helper) else None
    if (isinstance(call, ast.Attribute) and isinstance(call.value, ast.Name) and call.value.id == "self"
            and call.attr.startswith("_") and not call.attr.startswith("__") and owner is not None):
        helper = inspect.getattr_static(owner, call.attr, None)
        return helper if inspect.isfunction(helper) else None
    return None


def _parameters(func: Callable[..., Any]) -> list[str]:
    out = []
    for p in inspect.signature(func).parameters.values():
        if p.name in ("self", "cls"):
            continue
        stars = {p.VAR_POSITIONAL: "*", p.VAR_KEYWORD: "**"}.get(p.kind, "")
        out.append(stars + p.name)
    return out


def _returns_something(func: Callable[..., Any]) -> bool:
    annotation = inspect.signature(func).return_annotation
    return annotation not in (None, "None", inspect.Signature.empty)


def _check_examples(sections: dict[str, Any], problems: list[str]) -> None:
    text = "\n".join(part[1] for part in sections.get("examples", []) if isinstance(part, tuple))
    blocks = CODE_BLOCK.findall(text)
    if not blocks:
        problems.append("no Examples: section with a ```python block (a singular ``Example:`` is read as an "
                        "admonition: write ``Examples:``)")
    for block in blocks:
        try:
            tree = ast.parse(textwrap.dedent(block))
        except SyntaxError as exc:
            problems.append(f"an example does not parse: {exc}")
            continue
        for node in ast.walk(tree):
            if (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "mockkit"
                    and not hasattr(mockkit, node.attr)):
                problems.append(f"an example uses mockkit.{node.attr}, which does not exist")


def _check_raises(func: Callable[..., Any], owner: type | None, params: list[str], sections: dict[str, Any],
                  problems: list[str]) -> None:
    documented = {str(r.annotation).rsplit(".", 1)[-1] for r in sections.get("raises", [])}
    expected = _raises(func, owner)
    collection = inspect.signature(func).parameters.get("collection")
    if collection is not None and collection.annotation not in ("str", str):  # a file, not a hub's uid
        expected.add("CollectionError")
    if "**overrides" in params:
        expected.add("ConfigError")
    missing = sorted(expected - documented)
    if missing:
        problems.append(f"Raises: does not name {', '.join(missing)}")


def problems_of(target: Target) -> list[str]:
    doc = inspect.getdoc(target.obj)
    if not doc or not doc.strip():
        return ["no docstring"]
    sections = _parse(doc)
    problems: list[str] = []
    if not str(sections.get("text", "")).strip():
        problems.append("no summary line")
    if target.kind == "property":
        if target.obj.fget is not None:
            _check_raises(target.obj.fget, target.owner, [], sections, problems)
        return problems
    if target.kind == "class":
        cls = target.obj
        if dataclasses.is_dataclass(cls):
            fields = [f.name for f in dataclasses.fields(cls)]
            documented = [a.name for a in sections.get("attributes", [])]
            if sorted(fields) != sorted(documented):
                problems.append(f"Attributes: lists {documented}, the fields are {fields}")
        elif "__init__" in vars(cls) or any("__init__" in vars(b) for b in cls.__mro__[1:]
                                            if b.__module__.startswith("mockkit")):
            params = _parameters(cls.__init__)
            documented = [p.name for p in sections.get("parameters", [])]
            if params != documented:
                problems.append(f"Args: lists {documented}, the constructor takes {params}")
            _check_raises(cls.__init__, cls, params, sections, problems)
        _check_examples(sections, problems)
        return problems
    func = target.obj
    params = _parameters(func)
    documented = [p.name for p in sections.get("parameters", [])]
    if params != documented:
        problems.append(f"Args: lists {documented}, the signature takes {params}")
    if _returns_something(func) and "returns" not in sections:
        problems.append("no Returns: section")
    _check_raises(func, target.owner, params, sections, problems)
    _check_examples(sections, problems)
    return problems


@pytest.mark.skipif(not HAS_GRIFFE, reason="griffe (mkdocstrings' parser) not installed: pip install -e '.[docs]'")
def test_every_public_name_is_documented():
    report = []
    for target in targets():
        report.extend(f"{target.name}: {problem}" for problem in problems_of(target))
    assert not report, f"{len(report)} docstring problem(s) (Google style: Args/Returns/Raises/Examples):\n" + \
        "\n".join(report)


def test_the_checker_finds_what_is_missing():
    """The checker itself: a docstring without sections fails on each missing one."""
    if not HAS_GRIFFE:
        pytest.skip("griffe (mkdocstrings' parser) not installed: pip install -e '.[docs]'")

    def load(path: str, options: Any = None) -> int:
        """Load it."""
        if not path:
            raise mockkit.ConfigError("path", "must not be empty")
        return 1

    problems = problems_of(Target("load", load, "function", None))
    assert any("Args:" in p for p in problems)
    assert "no Returns: section" in problems
    assert any("ConfigError" in p for p in problems)
    assert any("Examples:" in p for p in problems)

    def good(path: str) -> int:
        """Load it.

        Args:
            path: where.

        Returns:
            One.

        Raises:
            ConfigError: for an empty path.

        Examples:
            ```python
            good("x")
            ```
        """
        if not path:
            raise mockkit.ConfigError("path", "must not be empty")
        return 1

    assert problems_of(Target("good", good, "function", None)) == []

    def broken_example() -> None:
        """Do nothing.

        Examples:
            ```python
            mockkit.no_such_name(
            ```
        """

    assert any("does not parse" in p for p in problems_of(Target("b", broken_example, "function", None)))


TABLE_ROW = re.compile(r"^\s*\| `(\w+)` \| ([\w\[\], ]+?) \|", re.M)


def _frames() -> list[tuple[str, str, dict[str, str]]]:
    from mockkit import report
    from mockkit.explanation import Explanation
    from mockkit.frames import CHECK_COLUMNS
    from mockkit.mock import MockServer

    return [
        ("Explanation", Explanation.__doc__ or "", report.RANKING_COLUMNS),
        ("Explanation.steps", Explanation.steps.__doc__ or "", CHECK_COLUMNS),
        ("examples", mockkit.examples.__doc__ or "", report.EXAMPLE_COLUMNS),
        ("MockServer.calls", MockServer.calls.__doc__ or "", report.CALL_COLUMNS),
        ("check", mockkit.check.__doc__ or "", report.FINDING_COLUMNS),
    ]


@pytest.mark.parametrize("name", ["Explanation", "Explanation.steps", "examples", "MockServer.calls", "check"])
def test_dataframe_columns_are_documented_with_their_dtypes(name):
    """The column tables in the docstrings are the columns the frames have (``report`` pins
    them), in order, with their dtypes: a renamed or added column fails here until documented."""
    doc, columns = next((doc, cols) for label, doc, cols in _frames() if label == name)
    documented = {m.group(1): m.group(2).strip() for m in TABLE_ROW.finditer(doc)}
    assert list(documented.items()) == list(columns.items())


def test_every_exported_name_has_a_reference_entry():
    """Each name in ``mockkit.__all__`` is rendered on a reference page (a ``::: path`` line of
    ``docs/reference/*.md``, or a ``::: module`` whose ``__all__`` holds it)."""
    import importlib

    rendered: set[str] = set()
    for page in sorted((ROOT / "docs" / "reference").glob("*.md")):
        for line in page.read_text(encoding="utf-8").splitlines():
            if not line.startswith("::: "):
                continue
            path = line[4:].strip()
            try:
                obj: Any = importlib.import_module(path)
            except ImportError:
                module, _, name = path.rpartition(".")
                obj = getattr(importlib.import_module(module), name)
            rendered.update(getattr(obj, "__all__", ()) if inspect.ismodule(obj) else (obj.__name__,))
    assert sorted(set(mockkit.__all__) - rendered) == []


def test_readme_layout_names_every_module():
    """README's layout table names each module and subpackage of ``mockkit/`` (so it keeps
    matching the code as modules are added, split or moved)."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    layout = readme[readme.index("## Layout"):]
    package = ROOT / "mockkit"
    names = [f"`{p.name}`" for p in package.glob("*.py") if p.name not in ("__init__.py", "__main__.py")]
    names += [f"`{p.name}/`" for p in package.iterdir() if (p / "__init__.py").is_file()]
    assert [n for n in sorted(names) if n not in layout] == []
