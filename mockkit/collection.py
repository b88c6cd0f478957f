"""Postman JSON -> model; the only file reader.

``read_json`` turns a path, JSON text, bytes or an already-parsed dict into parsed JSON plus a
*source label* (the file path, ``<string>``, ``<bytes>`` or ``<dict>``) used in every error.
``load_collection`` accepts Collection v2.0/v2.1 exports (also the Postman API's
``{"collection": {...}}`` wrapper; ``v2read`` reads them, ``v2fields`` their parts) and v3 folder
trees (``v3read``), flattened into ``Collection.examples`` and ``Collection.requests``;
``load_environment`` reads environment exports. Strings are kept as written: ``{{variables}}``
are resolved later, by the engine. Whatever the input, the only exception that leaves this
module is ``CollectionError(source, json_path, expected)``.
"""

from __future__ import annotations

import codecs
import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from . import safejson
from .errors import CollectionError
from .model import Collection, Environment
from .v2fields import Invalid, guard
from .v2read import COLLECTION_AS_ENV, ENV_AS_COLLECTION, MAX_DEPTH, parse_collection, parse_environment

__all__ = ["load_collection", "load_environment", "read_json", "MAX_DEPTH"]


Source = str | os.PathLike | bytes | dict
T = TypeVar("T")

# --- reading files --------------------------------------------------------------------------


def read_json(source: Any) -> tuple[object, str]:
    """Parse ``source`` (path, JSON text, bytes or parsed dict); return ``(data, source_label)``."""
    if isinstance(source, (dict, list)):
        return source, f"<{type(source).__name__}>"
    if isinstance(source, (bytes, bytearray, memoryview)):
        return _parse(_decode(bytes(source), "<bytes>"), "<bytes>"), "<bytes>"
    if isinstance(source, str) and not source.strip():
        raise CollectionError("<string>", "", "empty: expected a file path or JSON text")
    if isinstance(source, str) and source.lstrip(" \t\r\n\ufeff")[:1] in ("{", "["):
        return _parse(source.lstrip(" \t\r\n\ufeff"), "<string>"), "<string>"
    if isinstance(source, (str, os.PathLike)):
        try:
            label = os.fsdecode(os.fspath(source))
        except (TypeError, ValueError) as exc:
            raise CollectionError(repr(source), "", f"expected a file path ({exc})") from None
        return _parse(_decode(_read_bytes(label), label), label), label
    raise CollectionError(
        f"<{type(source).__name__}>", "", "expected a file path, JSON text, bytes or a parsed dict"
    )


def _read_bytes(label: str) -> bytes:
    try:
        return Path(label).read_bytes()
    except FileNotFoundError:
        reason = "no such file"
    except IsADirectoryError:
        reason = "is a directory; expected a collection or environment file"
    except PermissionError:
        reason = "permission denied while reading the file"
    except (OSError, ValueError) as exc:
        reason = f"cannot read the file ({getattr(exc, 'strerror', None) or exc})"
    raise CollectionError(label, "", reason)


def _decode(data: bytes, label: str) -> str:
    """UTF-8 (BOM optional) or UTF-16 with a BOM (spec 9.17); anything else is refused."""
    bad = "not UTF-8 or UTF-16 text: re-save it as UTF-8"
    if data.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        raise CollectionError(label, "", bad + " (found a UTF-32 byte-order mark)")
    for bom, encoding in ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"),
                          (codecs.BOM_UTF16_BE, "utf-16-be"), (b"", "utf-8")):
        if data.startswith(bom):
            break
    if not bom and b"\x00" in data:
        raise CollectionError(label, "", bad + " (UTF-16 without a byte-order mark is not read)")
    try:
        return data[len(bom):].decode(encoding)
    except UnicodeDecodeError as exc:
        raise CollectionError(label, "", f"{bad} (byte {exc.start} is not valid {encoding})") from None


def _parse(text: str, label: str) -> object:
    if not text.strip():
        raise CollectionError(label, "", "empty: expected a Postman collection or environment in JSON")
    try:
        return safejson.loads(text)
    except safejson.TooDeep as exc:
        raise CollectionError(label, exc.path, f"{exc.reason} (line {exc.lineno}, column {exc.colno}): "
                              "mockkit cannot read it; flatten this value") from None
    except json.JSONDecodeError as exc:
        where = f"invalid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}"
        raise CollectionError(label, "", where) from None
    except ValueError as exc:  # e.g. an integer longer than Python's digit limit
        raise CollectionError(label, "", f"invalid JSON: {exc}") from None


Stamp = tuple[int, int] | tuple[tuple[str, int, int], ...] | None


def file_stamps(paths: list[str | os.PathLike[str]]) -> tuple[Stamp, ...]:
    """What watchers compare to notice an edit: for each file its (mtime in ns, size); for a
    folder (a v3 collection) the sorted (relative path, mtime in ns, size) of everything under it,
    so new, deleted and renamed files count; None for a path that cannot be read."""
    out: list[Stamp] = []
    for path in paths:
        try:
            st = os.stat(path)
        except OSError:
            out.append(None)
            continue
        if os.path.isdir(path):
            from .repo import tree_stamp

            out.append(tree_stamp(path))
        else:
            out.append((st.st_mtime_ns, st.st_size))
    return tuple(out)


# --- public loaders -------------------------------------------------------------------------


def load_collection(source: Source | Collection) -> Collection:
    """Load a Postman collection into a ``Collection``: v2.0/v2.1 JSON (plain or API-wrapped; a
    path, JSON text, bytes or a dict), or a v3 collection folder (``mockkit.v3read``)."""
    if isinstance(source, Collection):
        return source
    if isinstance(source, Environment):
        raise CollectionError(source.source, "", ENV_AS_COLLECTION)
    if _is_yaml_source(source):  # issue 14: v3 folder trees
        from .v3read import load_tree

        return load_tree(source)  # type: ignore[arg-type]
    data, label = read_json(source)
    return _convert(parse_collection, data, label)


def load_environment(source: Source | Environment) -> Environment:
    """Load a Postman environment (enabled values only; the last duplicate wins): a JSON export,
    or a ``*.environment.yaml`` file (``mockkit.v3read``)."""
    if isinstance(source, Environment):
        return source
    if isinstance(source, Collection):
        raise CollectionError(source.source, "", COLLECTION_AS_ENV)
    if _is_yaml_source(source):  # issue 14
        from .v3read import load_yaml_environment

        return load_yaml_environment(source)  # type: ignore[arg-type]
    data, label = read_json(source)
    return _convert(parse_environment, data, label)


def _is_yaml_source(source: object) -> bool:
    """A path (not JSON text) to a folder or to a ``.yaml``/``.yml`` file: read as Postman v3."""
    if not isinstance(source, (str, os.PathLike)) or str(source).lstrip()[:1] in ("{", "["):
        return False
    try:
        return os.path.isdir(source) or os.fspath(source).lower().endswith((".yaml", ".yml"))
    except (TypeError, ValueError):
        return False


def _convert(build: Callable[[object, str], T], data: object, label: str) -> T:
    try:
        return guard("", build, data, label)
    except Invalid as exc:
        raise CollectionError(label, exc.path, exc.expected) from None
