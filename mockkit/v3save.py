"""Recorded examples added to a Postman v3 collection folder, as new files (issue 16).

``add_to_tree(root, changes)`` writes, for each recorded example, a new
``.resources/<request>.resources/examples/<name>.example.yaml`` under its request; a request that
does not exist yet gets its ``<name>.request.yaml`` (and a folder that does not exist its
``<name>/.resources/definition.yaml``). Names follow ``v3write`` (Postman's file-name rule, unique
without case in their folder) and ``order`` continues after the folder's highest, so the new files
read back after what was there. Only a refresh (record mode ``all``) rewrites a file: the example
file it refreshes (its ``response``; the rest of the document is kept). Files are written through
``atomicfile.atomic_write``; no ``.bak`` files are left in the tree (it is under version control).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from .model import Example
from .recorded import Placement
from .recording import Change
from .formats.v3fields import EXAMPLE_SUFFIXES, REQUEST_SUFFIXES, stem_of
from .formats.v3write import UniqueNames, dump_yaml, example_doc, request_fields, response_fields

__all__ = ["add_to_tree", "ORDER_STEP"]

ORDER_STEP = 1000
"""The ``order`` gap between siblings (as ``v3write`` and Postman's migrator write them)."""
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _read(path: Path) -> dict[str, Any]:
    try:
        doc = yaml.load(path.read_text(encoding="utf-8-sig"), Loader=_Loader)
    except (OSError, yaml.YAMLError, UnicodeDecodeError):
        return {}
    return doc if isinstance(doc, dict) else {}


def _order(doc: dict[str, Any]) -> float:
    value = doc.get("order")
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else 0.0


def _next_order(orders: list[float]) -> int:
    return int(max(orders, default=0) // ORDER_STEP + 1) * ORDER_STEP


def _taken(folder: Path) -> set[str]:
    """Names in ``folder`` without their suffixes, case-folded (what a new name must avoid)."""
    if not folder.is_dir():
        return set()
    suffixes = REQUEST_SUFFIXES + EXAMPLE_SUFFIXES + (".yaml", ".yml")
    return {stem_of(entry.name, suffixes).casefold() for entry in folder.iterdir()}


def _request_files(folder: Path) -> list[Path]:
    """The request files of ``folder`` (``*.request.yaml`` or ``.yml``, as the v3 reader takes them)."""
    return sorted(p for p in folder.iterdir() if p.is_file() and p.name.lower().endswith(REQUEST_SUFFIXES))


def _write(path: Path, doc: dict[str, Any], written: list[Path]) -> None:
    from .atomicfile import atomic_write

    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(path, dump_yaml(doc).encode("utf-8"), backup=False)
    written.append(path)


def _children_orders(folder: Path) -> list[float]:
    orders = [_order(_read(p)) for p in _request_files(folder)]
    for sub in folder.iterdir():
        if sub.is_dir() and not sub.name.startswith("."):
            orders.append(_order(_read(sub / ".resources" / "definition.yaml")))
    return orders


def _folder(root: Path, name: str, written: list[Path]) -> Path:
    """The top-level folder called ``name`` (by its definition's name, else its folder name),
    made when there is none."""
    for sub in sorted(root.iterdir()):
        if sub.is_dir() and not sub.name.startswith("."):
            definition = _read(sub / ".resources" / "definition.yaml")
            if (definition.get("name") or sub.name) == name:
                return sub
    stem = UniqueNames(_taken(root)).claim(name, "collection")
    doc: dict[str, Any] = {"$kind": "collection"}
    if stem != name:
        doc["name"] = name
    doc["order"] = _next_order(_children_orders(root))
    _write(root / stem / ".resources" / "definition.yaml", doc, written)
    return root / stem


def _examples_dir(folder: Path, request_file: Path, doc: dict[str, Any]) -> Path:
    stem = stem_of(request_file.name, REQUEST_SUFFIXES)
    given = doc.get("examples")
    if isinstance(given, str) and given.strip():
        return (folder / given).resolve()
    return folder / ".resources" / f"{stem}.resources" / "examples"


def _request(folder: Path, where: Placement, example: Example, written: list[Path]) -> Path:
    """The examples folder of the request called ``where.request`` in ``folder`` (its request
    file made when there is none)."""
    for path in _request_files(folder):
        found = _read(path)
        if (found.get("name") or stem_of(path.name, REQUEST_SUFFIXES)) == where.request:
            return _examples_dir(folder, path, found)
    stem = UniqueNames(_taken(folder)).claim(where.request, "http-request")
    doc: dict[str, Any] = {"$kind": "http-request"}
    if stem != where.request:
        doc["name"] = where.request
    if example.item_id:
        doc["id"] = example.item_id
    doc.update(request_fields(example.request))
    doc["examples"] = f"./.resources/{stem}.resources/examples"
    doc["order"] = _next_order(_children_orders(folder))
    _write(folder / f"{stem}.request.yaml", doc, written)
    return folder / ".resources" / f"{stem}.resources" / "examples"


def _refresh(root: Path, change: Change, written: list[Path]) -> bool:
    """Replace the ``response`` of the example file ``change`` refreshes; False when that file
    is gone (the example is then added as a new one)."""
    old = change.replaces
    if old is None or not old.location:
        return False
    path = root / old.location
    doc = _read(path) if path.is_file() else {}
    if doc.get("$kind") != "http-example":
        return False
    doc["response"] = response_fields(change.example.response)
    _write(path, doc, written)
    return True


def add_to_tree(root: Path, changes: list[Change]) -> list[Path]:
    """Write ``changes`` into the v3 collection folder ``root`` (Postman's Git-native layout, as
    ``v3write`` writes it): a new ``*.example.yaml`` file per recorded example, with a
    ``*.request.yaml`` file and a folder (``.resources/definition.yaml``) made for a request or
    folder that is not there yet; a refresh (record mode ``all``) rewrites only its example file.
    The user's other files are not touched.

    Args:
        root (Path): the collection's folder.
        changes (list[Change]): the changes, in the order recorded.

    Returns:
        list[Path]: the files written.

    Raises:
        OSError: when a file cannot be written.

    Examples:
        ```python
        add_to_tree(Path("postman/collections/Shop"), list(recorder.changes))
        # [.../users/.resources/definition.yaml, .../users/GET -users-7.request.yaml, ...]
        ```
    """
    written: list[Path] = []
    for change in changes:
        if change.replaces is not None and _refresh(root, change, written):
            continue
        e = change.example
        where = change.placement
        folder = _folder(root, where.folder, written) if where.folder else root
        examples = _request(folder, where, e, written)
        orders = ([_order(_read(p)) for p in examples.iterdir() if p.name.lower().endswith(EXAMPLE_SUFFIXES)]
                  if examples.is_dir() else [])
        stem = UniqueNames(_taken(examples)).claim(e.name, "example")
        _write(examples / f"{stem}.example.yaml", example_doc(e, stem, _next_order(orders)), written)
    return written
