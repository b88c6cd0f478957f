"""Where a collection or environment comes from, read one way: a path, JSON text, bytes or an
already-parsed dict, decoded and parsed with errors that name the source.

``read_json(source)`` returns ``(data, label)``: the parsed JSON and the *source label* every
error uses (the file path, ``<string>``, ``<bytes>`` or ``<dict>``). ``read_text(path)`` is a
file's text, for the YAML reader. Text is UTF-8 (a BOM is allowed) or UTF-16 with a BOM
(spec 9.17); JSON is parsed by ``safejson`` (bounded nesting). ``is_v3_source`` tells a v3
folder tree or ``.yaml`` file from JSON. Every failure is a ``CollectionError``.
"""

from __future__ import annotations

import codecs
import json
import os
from pathlib import Path
from typing import Any

from .. import safejson
from ..errors import CollectionError

__all__ = ["read_json", "read_text", "decode_text", "is_v3_source", "MAX_DEPTH"]

MAX_DEPTH = 100
"""Folders nested deeper than this are refused, in either format (real collections rarely go past 5)."""


def read_json(source: Any) -> tuple[object, str]:
    """Parse ``source`` (path, JSON text, bytes or parsed dict); return ``(data, source_label)``."""
    if isinstance(source, (dict, list)):
        return source, f"<{type(source).__name__}>"
    if isinstance(source, (bytes, bytearray, memoryview)):
        return _parse(decode_text(bytes(source), "<bytes>"), "<bytes>"), "<bytes>"
    if isinstance(source, str) and not source.strip():
        raise CollectionError("<string>", "", "empty: expected a file path or JSON text")
    if isinstance(source, str) and source.lstrip(" \t\r\n\ufeff")[:1] in ("{", "["):
        return _parse(source.lstrip(" \t\r\n\ufeff"), "<string>"), "<string>"
    if isinstance(source, (str, os.PathLike)):
        try:
            label = os.fsdecode(os.fspath(source))
        except (TypeError, ValueError) as exc:
            raise CollectionError(repr(source), "", f"expected a file path ({exc})") from None
        return _parse(decode_text(read_bytes(label), label), label), label
    raise CollectionError(
        f"<{type(source).__name__}>", "", "expected a file path, JSON text, bytes or a parsed dict"
    )


def read_bytes(label: str) -> bytes:
    """The bytes of file ``label`` (``CollectionError`` saying why it cannot be read)."""
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


def decode_text(data: bytes, label: str) -> str:
    """``data`` as text: UTF-8 (BOM optional) or UTF-16 with a BOM (spec 9.17); anything else is
    refused with a ``CollectionError`` naming ``label``."""
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


def read_text(path: str) -> str:
    """The text of file ``path`` (UTF-8 or UTF-16 with a BOM; ``CollectionError`` naming the file)."""
    return decode_text(read_bytes(path), path)


def is_v3_source(source: object) -> bool:
    """A path (not JSON text) to a folder or to a ``.yaml``/``.yml`` file: read as Postman v3."""
    if not isinstance(source, (str, os.PathLike)) or str(source).lstrip()[:1] in ("{", "["):
        return False
    try:
        return os.path.isdir(source) or os.fspath(source).lower().endswith((".yaml", ".yml"))
    except (TypeError, ValueError):
        return False
