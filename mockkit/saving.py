"""``mock.save()``: recorded examples written back to the collection's files (issue 16).

* **A v2.x JSON file**: the file is read again, each recorded example is put in its folder and
  request (``recorded.placement``: the first top-level folder and the first request of that name,
  made at the end when there is none) and each refreshed one replaced where it is; everything else
  in the file (scripts, auth, descriptions, key order) is kept. The new text (the file's own
  indentation) is written to a temporary file in the same folder, flushed to disk, and renamed
  over the file; the previous file is kept next to it as ``<name>.bak``. A reader never sees half
  a file.
* **A v3 folder**: new ``*.example.yaml`` files (and ``*.request.yaml`` files and folders for new
  requests: ``v3save``); the user's other files are not rewritten, except the example file a
  refresh replaces (record mode ``all``).
* **A collection that is not a file** (a dict, JSON text, the demo): ``save("api.json")`` writes a
  whole v2.1 export (a path ending in ``.json``) or a new v3 tree (a folder); so does a ``dest``
  that is not the collection's own file.

After writing, the collection is read back from what was written and becomes the mock's next
engine generation (recorded examples get their real JSON path or file as ``location``), so what
the mock answers is what a mock of the saved files answers.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import safejson
from .atomicfile import atomic_write
from .collection import load_collection
from .errors import MockkitError
from .recorder import Recorder
from .recording import Change
from .formats.v21write import collection_json, example_json, request_json

if TYPE_CHECKING:  # pragma: no cover
    from .engine import MockEngine

__all__ = ["save", "apply_to_document"]

_STEP = re.compile(r"([A-Za-z_$][\w$]*)?((?:\[\d+\])*)")


# --------------------------------------------------------------------------- v2.x documents


def _node(doc: Any, json_path: str) -> Any:
    """The value at ``json_path`` (``item[2].item[0].response[1]``) in ``doc``, or None."""
    node = doc
    for part in json_path.split("."):
        found = _STEP.fullmatch(part)
        if found is None:
            return None
        if found.group(1):
            node = node.get(found.group(1)) if isinstance(node, dict) else None
        for index in re.findall(r"\[(\d+)\]", found.group(2)):
            node = node[int(index)] if isinstance(node, list) and int(index) < len(node) else None
    return node


def _named(items: list[Any], name: str, *, folder: bool) -> dict[str, Any] | None:
    return next((i for i in items if isinstance(i, dict) and ("item" in i) == folder and i.get("name") == name), None)


def _place(items: list[Any], change: Change) -> None:
    """Add ``change``'s example under its folder and request in an item list (made when absent)."""
    e = change.example
    where = change.placement
    if where.folder:
        folder = _named(items, where.folder, folder=True)
        if folder is None or not isinstance(folder.get("item"), list):
            folder = {"name": where.folder, "item": []}
            items.append(folder)
        items = folder["item"]
    request = _named(items, where.request, folder=False)
    if request is None:
        request = {"name": where.request, "id": e.item_id, "request": request_json(e.request), "response": []}
        items.append(request)
    if not isinstance(request.get("response"), list):
        request["response"] = [request["response"]] if isinstance(request.get("response"), dict) else []
    request["response"].append(example_json(e))


def apply_to_document(doc: dict[str, Any], changes: list[Change]) -> None:
    """Apply ``changes`` to a parsed v2.x collection, in place: a refreshed example is replaced
    where its JSON path says (when that still names the same example; else it is added), a
    recorded one is placed by ``recorded.placement`` (the first top-level folder and the first
    request of that name, made at the end when there is none). Everything else is kept.

    Args:
        doc (dict[str, Any]): the collection document, plain or ``{"collection": ...}``-wrapped.
        changes (list[Change]): the changes, in the order recorded.

    Examples:
        ```python
        doc = json.loads(Path("api.json").read_text())
        apply_to_document(doc, list(mock.engine.recorder.changes))
        ```
    """
    root = doc["collection"] if isinstance(doc.get("collection"), dict) and "item" not in doc else doc
    items = root.setdefault("item", [])
    for change in changes:
        old = change.replaces
        if old is not None:
            node = _node(doc, old.json_path)
            if isinstance(node, dict) and (node.get("name") or "") in (old.name, "") and node.get("id", "") == old.id:
                fresh = example_json(change.example)
                for key in ("status", "code", "_postman_previewlanguage", "header", "body"):
                    if key in fresh:
                        node[key] = fresh[key]
                    else:
                        node.pop(key, None)
                continue
        _place(items, change)


def _indent(text: str) -> str | int:
    """The indentation a JSON text uses (a tab, or a number of spaces); Postman's tab by default."""
    found = re.search(r"\n([ \t]+)\S", text)
    if found is None:
        return "\t"
    unit = found.group(1)
    return "\t" if unit.startswith("\t") else len(unit)


def _save_json(path: Path, changes: list[Change]) -> list[Path]:
    text = path.read_bytes().decode("utf-8-sig")
    try:
        doc = safejson.loads(text)
    except ValueError as exc:
        raise MockkitError(f"{path}: cannot save into it: it is no longer valid JSON ({exc})") from None
    if not isinstance(doc, dict):
        raise MockkitError(f"{path}: cannot save into it: it is no longer a Postman collection")
    apply_to_document(doc, changes)
    return _write_json(path, doc, _indent(text), newline=text.endswith("\n"))


def _write_json(path: Path, doc: dict[str, Any], indent: str | int | None, *, newline: bool) -> list[Path]:
    """``doc`` as JSON into ``path`` atomically; the paths written (the file, then its backup)."""
    data = json.dumps(doc, ensure_ascii=False, indent=indent) + ("\n" if newline else "")
    backup = atomic_write(path, data.encode("utf-8", "backslashreplace"))
    return [path] + ([backup] if backup is not None else [])


# ------------------------------------------------------------------------------------ save


def _file_source(source: object) -> Path | None:
    if isinstance(source, (str, os.PathLike)) and not str(source).lstrip().startswith(("{", "[")):
        return Path(source)
    return None


def _write_new(dest: Path, recorder: Recorder) -> list[Path]:
    """``dest`` is not the collection's file: a whole v2.1 export (``.json``) or a new v3 tree
    (a folder that is absent or empty), each recording in its folder and request."""
    doc = collection_json(recorder.base)
    apply_to_document(doc, list(recorder.changes))
    if dest.suffix.lower() == ".json":
        return _write_json(dest, doc, "\t", newline=True)
    from .formats.v3write import write_tree

    return write_tree(load_collection(doc), dest)  # refuses a folder that is not empty


def save(engine: MockEngine, dest: str | os.PathLike[str] | None = None) -> list[Path]:
    """Write ``engine``'s recordings (see the module docstring) and make the collection read back
    from the files the engine's next generation.

    Args:
        engine (MockEngine): a recording mock's engine (``MockOptions.record`` not ``none``).
        dest (str | os.PathLike[str] | None): where, when not the collection's own file or
            folder: a ``.json`` file (a whole v2.1 export) or a folder that is absent or empty (a
            new v3 tree).

    Returns:
        list[Path]: the files written (a v2.x file's backup last); empty when nothing was recorded
        since the last save.

    Raises:
        MockkitError: when the mock does not record, when the collection was not read from a file
            and no ``dest`` is given, or when its file is no longer a readable collection.
        OSError: when a file cannot be written.
        CollectionError: when what was written cannot be read back (a v2.x file's ``.bak`` then
            holds the previous version).

    Examples:
        ```python
        save(mock.engine)       # [PosixPath('api.json'), PosixPath('api.json.bak')]
        ```
    """
    recorder = engine.recorder
    if recorder is None:
        raise MockkitError("nothing to save: this mock does not record (start it with proxy=URL and "
                           "record='new_episodes', 'all' or 'once')")
    with recorder.writing():
        source = _file_source(recorder.source)
        target = Path(dest) if dest is not None else source
        if target is None:
            raise MockkitError("this collection was not read from a file: give save() a destination, "
                               "a .json file (v2.1) or a folder (a v3 tree)")
        own = source is not None and target.exists() and source.exists() and target.resolve() == source.resolve()
        if own and not recorder.changes:
            return []
        if own and target.is_dir():
            from .v3save import add_to_tree

            written = add_to_tree(target, list(recorder.changes))
        elif own and target.suffix.lower() in (".yaml", ".yml"):
            raise MockkitError(f"{target}: a v3 collection is saved into its folder, not one of its files")
        elif own:
            written = _save_json(target, list(recorder.changes))
        else:
            written = _write_new(target, recorder)
        recorder.source = str(target)
        recorder.saved(load_collection(str(target)))
        if recorder.engine is not None:
            recorder.engine._successor(recorder.live(), recorded=True)
    return written
