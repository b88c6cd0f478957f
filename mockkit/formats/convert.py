"""``mockkit convert``: a collection or environment from one Postman format to the other.

    convert("api.postman_collection.json", "v3", "postman/collections/My API")   # a v3 folder tree
    convert("postman/collections/My API", "v2.1", "api.postman_collection.json")  # one JSON export
    convert("Staging.environment.yaml", "v2.1", "staging.postman_environment.json")

Both directions keep everything mockkit reads, so a mock of the result answers every request as
a mock of the source does (see ``v3write`` and ``v21write`` for the few spellings that change).
"""

from __future__ import annotations

import os
from pathlib import Path

from ..collection import load_collection, load_environment
from ..errors import MockkitError
from ..model import Collection, Environment
from .sources import is_v3_source, read_json
from .v2read import is_environment, unwrap

__all__ = ["convert", "load_any", "FORMATS"]

FORMATS = {"v3": "v3", "3": "v3", "v2.1": "v2.1", "2.1": "v2.1", "v2.1.0": "v2.1", "v2": "v2.1"}
"""Accepted ``to`` spellings -> the format written."""


def load_any(source: str | os.PathLike[str]) -> Collection | Environment:
    """A collection or an environment, whichever ``source`` holds (any format mockkit reads)."""
    text = os.fspath(source)
    if text.lower().endswith((".environment.yaml", ".environment.yml")):
        return load_environment(text)
    if is_v3_source(text):
        return load_collection(text)
    data, _ = read_json(text)
    data, _ = unwrap(unwrap(data, "environment")[0], "collection")
    if isinstance(data, dict) and is_environment(data):
        return load_environment(text)
    return load_collection(text)


def convert(source: str | os.PathLike[str] | Collection | Environment, to: str,
            dest: str | os.PathLike[str], *, force: bool = False) -> list[Path]:
    """Write ``source`` in format ``to`` (``"v3"`` or ``"v2.1"``) at ``dest``; returns the files.

    v3: a collection becomes a folder tree at ``dest`` (absent or empty), an environment the file
    ``dest`` if it ends in ``.yaml``, else ``dest/<name>.environment.yaml``. v2.1: one JSON file
    (``force`` replaces an existing one). Raises ``CollectionError`` for an unreadable source and
    ``MockkitError`` for an unknown format or an occupied destination.
    """
    fmt = FORMATS.get(to.strip().lower())
    if fmt is None:
        raise MockkitError(f"--to must be v3 or v2.1, got {to!r}")
    item = source if isinstance(source, (Collection, Environment)) else load_any(source)
    if fmt == "v2.1":
        from .v21write import collection_json, environment_json, write_json

        data = collection_json(item) if isinstance(item, Collection) else environment_json(item)
        return [write_json(data, dest, force=force)]
    from .v3write import environment_yaml, file_stem, write_tree

    if isinstance(item, Collection):
        return write_tree(item, dest)
    path = Path(dest)
    if not path.name.lower().endswith((".yaml", ".yml")):
        path = path / f"{file_stem(item.name, 'environment')}.environment.yaml"
    if path.exists() and not force:
        raise MockkitError(f"{path}: already exists; choose another file name (or --force to replace it)")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(environment_yaml(item), encoding="utf-8", newline="\n")
    return [path]
