"""The package's import graph, read statically with ``ast`` (issue 13): no cycle, and no pandas,
Tornado, httpx or ipywidgets in the core.

Every ``import`` / ``from ... import`` of every module counts, at module level and inside
functions alike (a function-level import is a cycle postponed, not removed); only imports under
``if TYPE_CHECKING:`` are left out, since they never run. Importing ``mockkit.a.b`` also runs
the package ``mockkit.a`` (its ``__init__``), so that is an edge too.

* no cycle anywhere in the package;
* the core (the model, the matching and explaining modules, templating and fake data, the
  engine, the call log, options, answers, and the file formats) never reaches pandas, Tornado,
  httpx or ipywidgets, neither directly nor through another mockkit module, and importing all of
  it in a fresh interpreter loads none of them;
* the layers of the matching core (issue 13b): nothing below ``explaining`` reaches up to the
  modules that write or show sentences, and no core module imports another's private names.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from functools import cache
from pathlib import Path
from typing import NamedTuple

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "mockkit"
HEAVY = ("pandas", "tornado", "httpx", "ipywidgets")
CORE = (
    "model", "urls", "wildcards", "bodies", "index", "ladder", "pathsteps", "scoring", "lookups", "matching",
    "sentences", "explaining", "templating", "jsontemplate", "fakes", "safejson", "engine", "journal", "options",
    "answers", "collection", "formats.sources", "formats.v2read", "formats.v2fields", "formats.v3read",
    "formats.v3fields", "formats.yamlnodes", "formats.repo",
)
BELOW_EXPLAINING = ("ladder", "urls", "wildcards", "index", "pathsteps", "scoring", "lookups", "matching")
WORDS = ("explaining", "sentences", "report", "explanation", "console", "widgets", "widget_parts")
MATCHING_CORE = (*BELOW_EXPLAINING, "sentences", "explaining")


class Import(NamedTuple):
    target: str  # a module of the package ("mockkit.formats.v3read") or a library's top name ("pandas")
    names: tuple[str, ...]  # the names imported from it (empty for ``import x``)
    where: str  # "module" (runs at import time), "function" (runs when called) or "typing" (never runs)


def module_name(path: Path) -> str:
    parts = ("mockkit", *path.relative_to(PACKAGE).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


@cache
def modules() -> dict[str, Path]:
    return {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def _resolve(module: str, node: ast.ImportFrom) -> list[tuple[str, tuple[str, ...]]]:
    """What ``from X import a, b`` in ``module`` imports: package modules (``a`` may itself be a
    module) or a library."""
    if node.level == 0:
        base = node.module or ""
        if base.split(".")[0] != "mockkit":
            return [(base.split(".")[0], tuple(a.name for a in node.names))]
    else:
        package = module.split(".") if modules()[module].name == "__init__.py" else module.split(".")[:-1]
        package = package[: len(package) - (node.level - 1)]
        base = ".".join([*package, *([node.module] if node.module else [])])
    out = []
    for alias in node.names:
        submodule = f"{base}.{alias.name}"
        out.append((submodule, ()) if submodule in modules() else (base, (alias.name,)))
    return out


@cache
def imports_of(module: str) -> tuple[Import, ...]:
    """Every import in ``module``, wherever it is written."""
    found: list[Import] = []

    def visit(node: ast.AST, where: str) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and "TYPE_CHECKING" in ast.unparse(child.test):
                visit(ast.Module(body=child.body, type_ignores=[]), "typing")
                visit(ast.Module(body=child.orelse, type_ignores=[]), where)
                continue
            inner = where
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)) and where == "module":
                inner = "function"
            if isinstance(child, ast.ImportFrom):
                found.extend(Import(t, names, inner) for t, names in _resolve(module, child))
            elif isinstance(child, ast.Import):
                for alias in child.names:
                    top = alias.name.split(".")[0]
                    found.append(Import(alias.name if top == "mockkit" else top, (), inner))
            visit(child, inner)

    visit(ast.parse(modules()[module].read_text(encoding="utf-8")), "module")
    return tuple(found)


def _with_packages(target: str, importer: str) -> list[str]:
    """``target`` and the packages importing it runs first (those not already running the importer)."""
    parts = target.split(".")
    chain = [".".join(parts[:i]) for i in range(2, len(parts) + 1)]
    return [m for m in chain if m in modules() and m != importer and not importer.startswith(m + ".")]


@cache
def graph(runs_at: tuple[str, ...] = ("module", "function")) -> dict[str, frozenset[str]]:
    """module -> the package modules it imports (imports written ``where`` in ``runs_at``)."""
    return {m: frozenset(t for i in imports_of(m) if i.where in runs_at and i.target.startswith("mockkit")
                         for t in _with_packages(i.target, m))
            for m in modules()}


def cycles(edges: dict[str, frozenset[str]]) -> list[list[str]]:
    """One cycle (as a path a -> ... -> a) through each strongly connected part of the graph."""
    order: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def connect(v: str) -> None:  # Tarjan's algorithm; the package is small, recursion is fine
        order[v] = low[v] = len(order)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(edges[v]):
            if w not in order:
                connect(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], order[w])
        if low[v] == order[v]:
            part = set()
            while True:
                w = stack.pop()
                on_stack.discard(w)
                part.add(w)
                if w == v:
                    break
            if len(part) > 1 or v in edges[v]:
                found.append(_path_within(part, v, edges))

    for v in sorted(edges):
        if v not in order:
            connect(v)
    return found


def _path_within(part: set[str], start: str, edges: dict[str, frozenset[str]]) -> list[str]:
    """A shortest path from ``start`` back to itself inside ``part`` (breadth first)."""
    parent: dict[str, str | None] = {start: None}
    todo = [start]
    while todo:
        v = todo.pop(0)
        for w in sorted(edges[v] & part):
            if w == start:
                path = [v]
                while (up := parent[path[-1]]) is not None:
                    path.append(up)
                return [*reversed(path), start]
            if w not in parent:
                parent[w] = v
                todo.append(w)
    return [start]


def reached(start: str, runs_at: tuple[str, ...] = ("module", "function")) -> dict[str, list[str]]:
    """Every package module ``start`` reaches, with the import chain that reaches it."""
    edges = graph(runs_at)
    chains = {start: [start]}
    todo = [start]
    while todo:
        v = todo.pop(0)
        for w in sorted(edges[v]):
            if w not in chains:
                chains[w] = [*chains[v], w]
                todo.append(w)
    return chains


def full(name: str) -> str:
    return f"mockkit.{name}"


# --- the reader itself ---------------------------------------------------------------------------


def test_the_reader_sees_every_kind_of_import():
    found = {(i.target, i.where) for i in imports_of("mockkit.collection")}
    assert ("mockkit.formats.v2read", "module") in found  # from .formats.v2read import ...
    assert ("mockkit.formats.v3read", "function") in found  # inside load_collection
    hub = {(i.target, i.where) for i in imports_of("mockkit.hub")}
    assert ("mockkit.hub.client", "typing") in hub  # under TYPE_CHECKING: never runs
    assert ("mockkit.errors", "module") in hub  # from ..errors import HubError
    assert ("pandas", "typing") in {(i.target, i.where) for i in imports_of("mockkit.offline")}
    assert ("mockkit.hub.runner", "typing") in {(i.target, i.where) for i in imports_of("mockkit")}  # _typing.TYPE_CHECKING
    assert graph()["mockkit.collection"] >= {"mockkit.formats", "mockkit.formats.v2read", "mockkit.formats.v3read"}


def test_the_cycle_finder_finds_cycles():
    edges = {"a": frozenset({"b"}), "b": frozenset({"c"}), "c": frozenset({"a"}), "d": frozenset({"a"}),
             "e": frozenset({"e"})}
    assert sorted(map(tuple, cycles(edges))) == [("a", "b", "c", "a"), ("e", "e")]
    assert cycles({"a": frozenset({"b"}), "b": frozenset()}) == []


def test_every_module_named_here_exists():
    for name in (*CORE, *BELOW_EXPLAINING, *WORDS):
        assert full(name) in modules(), f"mockkit.{name} is gone: update tests/test_imports.py"


# --- the rules -----------------------------------------------------------------------------------


def test_no_import_cycle():
    found = cycles(graph())
    assert not found, "import cycles (function-level imports included): " + "; ".join(
        " -> ".join(c.removeprefix("mockkit.") for c in cycle) for cycle in found)


@pytest.mark.parametrize("module", CORE)
def test_the_core_never_reaches_pandas_tornado_httpx_or_ipywidgets(module):
    chains = reached(full(module))
    bad = [f"{' -> '.join(chain)} -> {i.target}" for m, chain in chains.items() for i in imports_of(m)
           if i.where != "typing" and i.target in HEAVY]
    assert not bad, f"mockkit.{module} reaches a library the core must not use: {bad}"


def test_importing_the_whole_core_loads_none_of_them():
    code = (f"import sys, importlib\nfor m in {[full(m) for m in CORE]!r}:\n    importlib.import_module(m)\n"
            f"print(sorted(h for h in {HEAVY!r} if h in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True)
    assert out.stdout.strip() == "[]", out.stdout + out.stderr


def test_the_engine_runs_without_pandas():
    code = ("import sys, mockkit.engine as e; m = e.MockEngine({'info': {'name': 'x', 'schema': "
            "'https://schema.getpostman.com/json/collection/v2.1.0/collection.json'}, 'item': []}); "
            "m.explain(e.MockRequest('GET', '/', (), (), b'')); "
            "print(sorted(n for n in ('pandas', 'ipywidgets', 'mockkit.report') if n in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True)
    assert out.stdout.strip() == "[]", out.stdout + out.stderr


@pytest.mark.parametrize("module", BELOW_EXPLAINING)
def test_matching_never_reaches_up_to_the_words(module):
    direct = {i.target.removeprefix("mockkit.") for i in imports_of(full(module))}
    assert not direct & set(WORDS), f"{module} imports {sorted(direct & set(WORDS))}"
    assert not direct & {"pandas", "ipywidgets", "tornado", "httpx", "rich", "engine"}, module
    up = {m.removeprefix("mockkit.") for m in reached(full(module))} & set(WORDS)
    assert not up, f"{module} reaches {sorted(up)} through its imports"


@pytest.mark.parametrize("module", MATCHING_CORE)
def test_no_core_module_imports_a_private_name(module):
    private = [(i.target, n) for i in imports_of(full(module)) for n in i.names if n.startswith("_")]
    assert not private, f"{module} imports private names: {private}"
