"""Postman JSON -> model; the only file reader.

``read_json`` turns a path, JSON text, bytes or an already-parsed dict into parsed JSON plus a
*source label* (the file path, ``<string>``, ``<bytes>`` or ``<dict>``) used in every error.
``load_collection`` accepts Collection v2.0/v2.1 exports (also the Postman API's
``{"collection": {...}}`` wrapper) and flattens the folder tree into ``Collection.examples`` and
``Collection.requests``; ``load_environment`` reads environment exports. Strings are kept as
written: ``{{variables}}`` are resolved later, by the engine.

The loader is lenient where real exports are (null headers and bodies, missing urls or
``originalRequest``, a single example object instead of a list, description objects) and strict
where a value cannot be used. Whatever the input, the only exception that leaves this module is
``CollectionError(source, json_path, expected)``.
"""

from __future__ import annotations

import codecs
import json
import os
import re
from collections.abc import Callable
from http import HTTPStatus
from pathlib import Path
from typing import Any, NoReturn, TypeVar

from . import safejson
from .errors import CollectionError
from .model import (
    Body,
    Collection,
    Environment,
    Example,
    Pairs,
    RequestItem,
    SavedRequest,
    SavedResponse,
    Url,
    Variable,
)

__all__ = ["load_collection", "load_environment", "read_json", "MAX_DEPTH"]

MAX_DEPTH = 100
"""Folders nested deeper than this are refused (real collections rarely go past 5)."""

Source = str | os.PathLike | bytes | dict
T = TypeVar("T")

V1_MESSAGE = (
    "this is a Postman Collection v1 file; mockkit reads Collection v2.0 and v2.1. Convert it: in "
    "Postman, import it and choose Export -> Collection v2.1, or run `npx postman-collection-transformer "
    "convert -i in.json -o out.json -j 1.0.0 -p 2.1.0 -P`"
)
ENV_AS_COLLECTION = (
    "expected a Postman collection, got a Postman environment (it has 'values' and no 'item'): "
    "pass it as environment=, not as the collection"
)
COLLECTION_AS_ENV = (
    "expected a Postman environment (an object with a 'values' list), got a Postman collection: "
    "pass it as the collection, not as environment="
)
_NUMERIC_CODE = re.compile(r"\s*\d{1,3}\s*", re.ASCII)


class _Invalid(Exception):
    """Raised inside the module; turned into ``CollectionError`` once the source label is known."""

    def __init__(self, path: str, expected: str) -> None:
        super().__init__(path, expected)
        self.path = path
        self.expected = expected


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
    return _convert(_collection, data, label)


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
    return _convert(_environment, data, label)


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
        return _guard("", build, data, label)
    except _Invalid as exc:
        raise CollectionError(label, exc.path, exc.expected) from None


def _guard(path: str, fn: Callable[..., T], *args: Any) -> T:
    """Run ``fn``; an unforeseen exception becomes ``_Invalid`` at ``path``."""
    try:
        return fn(*args)
    except _Invalid:
        raise
    except Exception as exc:  # noqa: BLE001 - the loader's promise: only CollectionError escapes
        raise _Invalid(path, f"could not read this value ({type(exc).__name__}: {exc})") from exc


# --- small converters -----------------------------------------------------------------------


def _got(value: object) -> str:
    """A short description of a JSON value for error messages."""
    if value is None or isinstance(value, bool):
        return json.dumps(value)
    if isinstance(value, (dict, list)):
        return "an object" if isinstance(value, dict) else "a list"
    text = repr(value)
    return text if len(text) <= 40 else text[:40] + "..."


def _fail(path: str, expected: str, value: object) -> NoReturn:
    raise _Invalid(path, f"{expected}; got {_got(value)}")


def _join(path: str, key: str | int) -> str:
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else key


def _text(value: object, path: str) -> str:
    """A value as text: str as is, null -> "", booleans/numbers as JSON, objects/lists as JSON."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, (bool, int, float, dict, list, tuple)):
        try:
            return json.dumps(value, ensure_ascii=False)
        except (TypeError, ValueError, RecursionError) as exc:
            raise _Invalid(path, f"expected a value that can be written as JSON text ({exc})") from None
    _fail(path, "expected text", value)


def _obj(value: object, path: str, expected: str) -> dict:
    """An object, or {} for null; anything else is an error."""
    if value is not None and not isinstance(value, dict):
        _fail(path, expected, value)
    return value or {}


def _list(value: object, path: str, expected: str) -> list:
    """A list, or [] for null; anything else is an error."""
    if value is not None and not isinstance(value, list):
        _fail(path, expected, value)
    return value or []


def _off(entry: dict) -> bool:
    return entry.get("disabled") is True or entry.get("enabled") is False


def _entries(value: object, path: str, expected: str) -> list[tuple[str, dict]]:
    """The enabled object entries of a list (null entries skipped), with their JSON paths."""
    out = []
    for i, entry in enumerate(_list(value, path, expected)):
        if entry is None:
            continue
        if not isinstance(entry, dict):
            _fail(_join(path, i), "expected an object {key, value}", entry)
        if not _off(entry):
            out.append((_join(path, i), entry))
    return out


# --- request parts --------------------------------------------------------------------------


def _header_text(text: str) -> list[tuple[str, str]]:
    """Headers written as one string: "Key: value" lines; "//" lines are disabled ones."""
    out = []
    for line in text.splitlines():
        key, _, value = line.partition(":")
        if key.strip() and not line.lstrip().startswith("//"):
            out.append((key.strip(), value.strip()))
    return out


def _headers(value: object, path: str) -> Pairs:
    if isinstance(value, str):
        return tuple(_header_text(value))
    if value is not None and not isinstance(value, list):
        _fail(path, "expected a list of headers ({key, value} objects) or a 'Key: value' string", value)
    out: list[tuple[str, str]] = []
    for i, entry in enumerate(value or []):
        p = _join(path, i)
        if isinstance(entry, str):
            out.extend(_header_text(entry))
        elif isinstance(entry, dict):
            if not _off(entry) and entry.get("key") not in (None, ""):
                out.append((_text(entry["key"], p + ".key"), _text(entry.get("value"), p + ".value")))
        elif entry is not None:
            _fail(p, "expected a header object {key, value} or a 'Key: value' string", entry)
    return tuple(out)


def _fields(value: object, path: str, skip_files: bool = False) -> Pairs:
    """Enabled {key, value} pairs: query parameters, urlencoded and formdata fields."""
    out = []
    for p, entry in _entries(value, path, "expected a list of {key, value} objects"):
        if skip_files and entry.get("type") == "file":
            continue
        out.append((_text(entry.get("key"), p + ".key"), _text(entry.get("value"), p + ".value")))
    return tuple(out)


def _variable_pairs(value: object, path: str) -> Pairs:
    """Enabled variables named by ``key`` (or ``id``); values as text."""
    out = []
    for p, entry in _entries(value, path, "expected a list of variables {key, value}"):
        name = entry.get("key") if entry.get("key") is not None else entry.get("id")
        if name not in (None, ""):
            out.append((_text(name, p + ".key"), _text(entry.get("value"), p + ".value")))
    return tuple(out)


def _host(value: object, path: str) -> str:
    if isinstance(value, list):
        return ".".join(_text(label, _join(path, i)) for i, label in enumerate(value))
    if value is not None and not isinstance(value, str):
        _fail(path, "expected the host as a string or a list of labels", value)
    return value or ""


def _path(value: object, path: str) -> tuple[str, ...] | None:
    if value is None:
        return None
    if isinstance(value, str):
        value = value.removeprefix("/")
        return tuple(value.split("/")) if value else ()
    segments = []
    for i, seg in enumerate(_list(value, path, "expected the path as a string or a list of segments")):
        if isinstance(seg, dict):
            seg = seg.get("value")
        if isinstance(seg, (list, dict)):
            _fail(_join(path, i), "expected a path segment (a string or {type, value})", seg)
        segments.append(_text(seg, _join(path, i)))
    return tuple(segments)


def _url(value: object, path: str) -> Url:
    if value is None:
        return Url()
    if isinstance(value, str):
        return Url(raw=value)
    if not isinstance(value, dict):
        _fail(path, "expected a URL string or a URL object {raw, host, path, query}", value)
    raw = value.get("raw")
    if raw is not None and not isinstance(raw, str):
        _fail(path + ".raw", "expected the raw URL as a string", raw)
    query = value.get("query")
    return Url(
        raw=raw or "",
        host=_host(value.get("host"), path + ".host"),
        path=_path(value.get("path"), path + ".path"),
        query=None if query is None else _fields(query, path + ".query"),
        variables=_variable_pairs(value.get("variable"), path + ".variable"),
    )


def _method(value: object, path: str) -> str:
    if value is None:
        return "GET"
    if not isinstance(value, str):
        _fail(path, "expected an HTTP method name such as 'GET'", value)
    return value.strip().upper() or "GET"


def _body(value: object, path: str) -> Body | None:
    body = _obj(value, path, "expected a body object {mode, raw|urlencoded|formdata|file|graphql}")
    if body.get("disabled") is True:
        return None
    mode = body.get("mode")
    if mode is not None and not isinstance(mode, str):
        _fail(path + ".mode", "expected the body mode as a string (raw, urlencoded, formdata, ...)", mode)
    if mode == "raw":
        options = _obj(body.get("options"), path + ".options", "expected body options as an object")
        raw_opts = _obj(options.get("raw"), path + ".options.raw", "expected raw options as an object")
        return Body("raw", raw=_text(body.get("raw"), path + ".raw"),
                    language=_text(raw_opts.get("language"), path + ".options.raw.language"))
    if mode in ("urlencoded", "formdata"):
        return Body(mode, fields=_fields(body.get(mode), f"{path}.{mode}", mode == "formdata"))
    if mode == "file":
        file = _obj(body.get("file"), path + ".file", "expected the file body as an object {src}")
        return Body("file", file_src=_text(file.get("src"), path + ".file.src"))
    if mode == "graphql":
        gql = _obj(body.get("graphql"), path + ".graphql", "expected a graphql object {query, variables}")
        return Body("graphql", raw=_text(gql.get("query"), path + ".graphql.query"),
                    graphql_variables=_text(gql.get("variables"), path + ".graphql.variables"))
    return None  # no mode (an empty {} body) or a mode mockkit does not know


def _request(value: object, path: str, fallback: SavedRequest | None = None) -> SavedRequest:
    """A request (F3): an object, a bare URL string, or null/missing (-> ``fallback``)."""
    if value is None:
        return fallback or SavedRequest()
    if isinstance(value, str):
        return SavedRequest(url=Url(raw=value))
    if not isinstance(value, dict):
        _fail(path, "expected a request object {method, url, header, body} or a URL string", value)
    body_key = "body" if "body" in value or not isinstance(value.get("data"), dict) else "data"
    request = SavedRequest(
        method=_method(value.get("method"), path + ".method"),
        url=_url(value.get("url"), path + ".url"),
        headers=_headers(value.get("header"), path + ".header"),
        body=_body(value.get(body_key), f"{path}.{body_key}"),
    )
    _check_depth(request, f"{path}.{body_key}")
    return request


def _check_depth(request: SavedRequest, path: str) -> None:
    """A saved body that is JSON nested past ``safejson.MAX_DEPTH`` cannot be compared: refuse it
    now, naming it, rather than treat it as text at every request."""
    body = request.body
    if body is None or body.mode not in ("raw", "graphql"):
        return
    ctype = next((v for k, v in request.headers if k.lower() == "content-type"), "")
    texts = [(".graphql.variables", body.graphql_variables)] if body.mode == "graphql" else []
    if body.mode == "raw" and (body.language.lower() == "json" or "json" in ctype.lower()):
        texts.append((".raw", body.raw))
    for key, text in texts:
        if text.count("[") + text.count("{") <= safejson.MAX_DEPTH:
            continue
        try:
            safejson.loads(text)
        except safejson.TooDeep as exc:
            inner = f" (at {exc.path} inside it)" if exc.path else ""
            raise _Invalid(path + key, f"JSON nested deeper than {safejson.MAX_DEPTH} levels{inner}: "
                                       "mockkit cannot compare it; flatten the saved body") from None
        except ValueError:
            pass  # not JSON (or not yet: {{variables}}): compared as text


# --- examples and the item tree -------------------------------------------------------------


def _status(code: object, status: object, path: str) -> tuple[int, str]:
    """The example's code and reason phrase (spec 9.11: no code -> 200 OK)."""
    if code is None or code == "":
        return 200, "OK" if status in (None, "") else _text(status, path + ".status")
    number = None
    if isinstance(code, int) and not isinstance(code, bool):
        number = code
    elif isinstance(code, float) and code.is_integer():
        number = int(code)
    elif isinstance(code, str) and _NUMERIC_CODE.fullmatch(code):
        number = int(code)
    if number is None or not 100 <= number <= 599:
        _fail(path + ".code", "expected an HTTP status code (integer 100–599)", code)
    if status not in (None, ""):
        return number, _text(status, path + ".status")
    try:
        return number, HTTPStatus(number).phrase
    except ValueError:
        return number, ""


def _response(entry: dict, path: str) -> SavedResponse:
    code, status = _status(entry.get("code"), entry.get("status"), path)
    body = entry.get("body") if "body" in entry else entry.get("data")  # "data": legacy exports
    return SavedResponse(
        code=code,
        status=status,
        headers=_headers(entry.get("header"), path + ".header"),
        body=_text(body, path + (".body" if "body" in entry else ".data")),
        preview_language=_text(entry.get("_postman_previewlanguage"), path + "._postman_previewlanguage"),
    )


def _request_item(entry: dict, path: str, folder: tuple[str, ...], first: int
                  ) -> tuple[RequestItem, list[Example]]:
    """A request item and its examples (``response`` may be a list or a single object)."""
    name = _text(entry.get("name"), path + ".name")
    item_id = _text(entry.get("id", entry.get("_postman_id")), path + ".id")
    request = _request(entry.get("request"), path + ".request")
    responses = entry.get("response")
    if isinstance(responses, dict):
        responses = [responses]
    examples = []
    for i, ex in enumerate(_list(responses, path + ".response", "expected a list of saved examples")):
        p = _join(path + ".response", i)
        if ex is None:
            continue
        if not isinstance(ex, dict):
            _fail(p, "expected a saved example (an object with code, header, body)", ex)
        examples.append(Example(
            id=_text(ex.get("id"), p + ".id"),
            name=_text(ex.get("name"), p + ".name") or name,
            request_name=name,
            folder=folder,
            request=_request(ex.get("originalRequest"), p + ".originalRequest", request),
            response=_response(ex, p),
            position=first + len(examples),
            json_path=p,
            uid=_text(ex.get("uid"), p + ".uid"),
            item_id=item_id,
            location=p,
        ))
    item = RequestItem(name, folder, request, path, len(examples), item_id)
    return item, examples


def _walk(items: object, path: str) -> tuple[list[Example], list[RequestItem]]:
    """Flatten the item tree in collection order, with an explicit stack (no recursion)."""
    expected = "expected a list of items (an object with an 'item' list is a folder)"
    examples: list[Example] = []
    requests: list[RequestItem] = []
    stack = [(iter(enumerate(_list(items, path, expected))), path, ())]
    while stack:
        entries, list_path, folder = stack[-1]
        i, entry = next(entries, (None, None))
        if i is None:
            stack.pop()
            continue
        p = _join(list_path, i)
        if not isinstance(entry, dict):
            _fail(p, "expected an item: a request {name, request} or a folder {name, item}", entry)
        if "item" in entry:  # a folder (F2)
            if len(stack) > MAX_DEPTH:
                raise _Invalid(p, f"folders nested deeper than {MAX_DEPTH} levels")
            children = _list(entry["item"], p + ".item", expected)
            name = _text(entry.get("name"), p + ".name")
            stack.append((iter(enumerate(children)), p + ".item", folder + (name,)))
        else:
            item, found = _guard(p, _request_item, entry, p, folder, len(examples))
            requests.append(item)
            examples.extend(found)
    return examples, requests


# --- documents --------------------------------------------------------------------------------


def _unwrap(data: object, key: str) -> tuple[object, str]:
    """The Postman API wraps exports as {"collection": {...}} / {"environment": {...}}."""
    if isinstance(data, dict) and isinstance(data.get(key), dict):
        if not {"item", "info", "values"} & data.keys():
            return data[key], key
    return data, ""


def _is_v1(data: dict) -> bool:
    v1_keys = {"requests", "folders", "order"}
    return "info" not in data and "item" not in data and bool(v1_keys & data.keys())


def _is_environment(data: dict) -> bool:
    return "item" not in data and "info" not in data and ("values" in data or "environment" in data)


def _description(value: object, path: str) -> str:
    if isinstance(value, dict):
        return _text(value.get("content"), path + ".content")
    return _text(value, path)


def _collection(data: object, label: str) -> Collection:
    data, prefix = _unwrap(data, "collection")
    if not isinstance(data, dict):
        _fail(prefix, "expected a Postman collection (a JSON object with 'info' and 'item')", data)
    if _is_v1(data):
        raise _Invalid(prefix, V1_MESSAGE)
    if _is_environment(data):
        raise _Invalid(prefix, ENV_AS_COLLECTION)
    if "info" not in data and "item" not in data:
        raise _Invalid(prefix, "expected a Postman collection: an object with 'info' and an 'item' list")
    info_path = _join(prefix, "info")
    info = _obj(data.get("info"), info_path, "expected the collection's info object {name, schema}")
    schema = info.get("schema")
    if isinstance(schema, str) and "v1.0.0" in schema:
        raise _Invalid(info_path + ".schema", V1_MESSAGE)
    examples, requests = _walk(data.get("item"), _join(prefix, "item"))
    var_key = "variable" if "variable" in data else "variables"
    variables = _guard(_join(prefix, var_key), _variable_pairs, data.get(var_key), _join(prefix, var_key))
    return Collection(
        name=_text(info.get("name"), info_path + ".name"),
        examples=tuple(examples),
        requests=tuple(requests),
        variables=tuple(Variable(k, v) for k, v in variables),
        id=_text(info.get("_postman_id", info.get("id")), info_path + "._postman_id"),
        schema="v2.0.0" if isinstance(schema, str) and "v2.0.0" in schema else "v2.1.0",
        description=_description(info.get("description"), info_path + ".description"),
        source=label,
    )


def _environment(data: object, label: str) -> Environment:
    data, prefix = _unwrap(data, "environment")
    if not isinstance(data, dict):
        _fail(prefix, "expected a Postman environment (a JSON object with a 'values' list)", data)
    if "item" in data or "info" in data or _is_v1(data):
        raise _Invalid(prefix, COLLECTION_AS_ENV)
    if "values" not in data and "_postman_variable_scope" not in data:
        raise _Invalid(prefix, "expected a Postman environment: an object with a 'values' list")
    values: dict[str, str] = {}
    for key, value in _variable_pairs(data.get("values"), _join(prefix, "values")):
        values[key] = value  # a repeated key keeps its first position and takes the last value
    return Environment(
        name=_text(data.get("name"), _join(prefix, "name")),
        variables=tuple(Variable(k, v) for k, v in values.items()),
        id=_text(data.get("id"), _join(prefix, "id")),
        source=label,
    )
