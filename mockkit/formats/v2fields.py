"""The parts of a Postman v2.0/v2.1 document (``v2read``): values checked and converted, with
the JSON path of each in its error.

Each converter takes a JSON value and its JSON path (``item[3].request.url``) and returns a model
value, or raises ``Invalid(path, expected)``, which ``collection`` turns into ``CollectionError``
once the file is known. Lenient where real exports are (null headers and bodies, headers written
as one string, description objects), strict where a value cannot be used.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, NoReturn, TypeVar

from .. import safejson
from ..model import Body, Pairs, SavedRequest, Url

__all__ = ["Invalid", "guard", "fail", "join_path", "as_text", "text_of", "as_object", "as_list", "is_off", "enabled_entries",
           "read_headers", "read_fields", "read_variables", "read_url", "read_method", "read_body", "read_request",
           "check_depth"]

T = TypeVar("T")


class Invalid(Exception):
    """Raised inside the module; turned into ``CollectionError`` once the source label is known."""

    def __init__(self, path: str, expected: str) -> None:
        super().__init__(path, expected)
        self.path = path
        self.expected = expected


def guard(path: str, fn: Callable[..., T], *args: Any) -> T:
    """Run ``fn``; an unforeseen exception becomes ``Invalid`` at ``path``."""
    try:
        return fn(*args)
    except Invalid:
        raise
    except Exception as exc:  # noqa: BLE001 - the loader's promise: only CollectionError escapes
        raise Invalid(path, f"could not read this value ({type(exc).__name__}: {exc})") from exc


# --- small converters -----------------------------------------------------------------------


def described(value: object) -> str:
    """A short description of a JSON value for error messages."""
    if value is None or isinstance(value, bool):
        return json.dumps(value)
    if isinstance(value, (dict, list)):
        return "an object" if isinstance(value, dict) else "a list"
    text = repr(value)
    return text if len(text) <= 40 else text[:40] + "..."


def fail(path: str, expected: str, value: object) -> NoReturn:
    raise Invalid(path, f"{expected}; got {described(value)}")


def join_path(path: str, key: str | int) -> str:
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else key


def as_text(value: object, path: str) -> str:
    """A value as text: str as is, null -> "", booleans/numbers as JSON, objects/lists as JSON."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, (bool, int, float, dict, list, tuple)):
        try:
            return json.dumps(value, ensure_ascii=False)
        except (TypeError, ValueError, RecursionError) as exc:
            raise Invalid(path, f"expected a value that can be written as JSON text ({exc})") from None
    fail(path, "expected text", value)


def text_of(entry: dict[str, Any], key: str, path: str, name: str = "") -> str:
    """``as_text(entry.get(key), path + "." + (name or key))``, without building the path for a
    string (the common case: a collection of 50,000 examples has about a million of them)."""
    value = entry.get(key)
    if type(value) is str:
        return value
    return as_text(value, f"{path}.{name or key}")


def as_object(value: object, path: str, expected: str) -> dict[str, Any]:
    """An object, or {} for null; anything else is an error."""
    if value is not None and not isinstance(value, dict):
        fail(path, expected, value)
    return value or {}


def as_list(value: object, path: str, expected: str) -> list[Any]:
    """A list, or [] for null; anything else is an error."""
    if value is not None and not isinstance(value, list):
        fail(path, expected, value)
    return value or []


def is_off(entry: dict[str, Any]) -> bool:
    return entry.get("disabled") is True or entry.get("enabled") is False


def enabled_entries(value: object, path: str, expected: str) -> list[tuple[str, dict[str, Any]]]:
    """The enabled object entries of a list (null entries skipped), with their JSON paths."""
    out = []
    for i, entry in enumerate(as_list(value, path, expected)):
        if entry is None:
            continue
        if not isinstance(entry, dict):
            fail(join_path(path, i), "expected an object {key, value}", entry)
        if not is_off(entry):
            out.append((join_path(path, i), entry))
    return out


# --- request parts --------------------------------------------------------------------------


def header_lines(text: str) -> list[tuple[str, str]]:
    """Headers written as one string: "Key: value" lines; "//" lines are disabled ones."""
    out = []
    for line in text.splitlines():
        key, _, value = line.partition(":")
        if key.strip() and not line.lstrip().startswith("//"):
            out.append((key.strip(), value.strip()))
    return out


def read_headers(value: object, path: str) -> Pairs:
    if isinstance(value, str):
        return tuple(header_lines(value))
    if value is not None and not isinstance(value, list):
        fail(path, "expected a list of headers ({key, value} objects) or a 'Key: value' string", value)
    out: list[tuple[str, str]] = []
    for i, entry in enumerate(value or []):
        p = join_path(path, i)
        if isinstance(entry, str):
            out.extend(header_lines(entry))
        elif isinstance(entry, dict):
            if not is_off(entry) and entry.get("key") not in (None, ""):
                out.append((as_text(entry["key"], p + ".key"), as_text(entry.get("value"), p + ".value")))
        elif entry is not None:
            fail(p, "expected a header object {key, value} or a 'Key: value' string", entry)
    return tuple(out)


def read_fields(value: object, path: str, skip_files: bool = False) -> Pairs:
    """Enabled {key, value} pairs: query parameters, urlencoded and formdata fields."""
    out = []
    for p, entry in enabled_entries(value, path, "expected a list of {key, value} objects"):
        if skip_files and entry.get("type") == "file":
            continue
        out.append((as_text(entry.get("key"), p + ".key"), as_text(entry.get("value"), p + ".value")))
    return tuple(out)


def read_variables(value: object, path: str) -> Pairs:
    """Enabled variables named by ``key`` (or ``id``); values as text."""
    out = []
    for p, entry in enabled_entries(value, path, "expected a list of variables {key, value}"):
        name = entry.get("key") if entry.get("key") is not None else entry.get("id")
        if name not in (None, ""):
            out.append((as_text(name, p + ".key"), as_text(entry.get("value"), p + ".value")))
    return tuple(out)


def read_host(value: object, path: str) -> str:
    if isinstance(value, list):
        if all(type(label) is str for label in value):  # the common case: no conversions, no paths
            return ".".join(value)
        return ".".join(as_text(label, join_path(path, i)) for i, label in enumerate(value))
    if value is not None and not isinstance(value, str):
        fail(path, "expected the host as a string or a list of labels", value)
    return value or ""


def read_path(value: object, path: str) -> tuple[str, ...] | None:
    if value is None:
        return None
    if isinstance(value, str):
        value = value.removeprefix("/")
        return tuple(value.split("/")) if value else ()
    if type(value) is list and all(type(seg) is str for seg in value):  # the common case
        return tuple(value)
    segments = []
    for i, seg in enumerate(as_list(value, path, "expected the path as a string or a list of segments")):
        if isinstance(seg, dict):
            seg = seg.get("value")
        if isinstance(seg, (list, dict)):
            fail(join_path(path, i), "expected a path segment (a string or {type, value})", seg)
        segments.append(as_text(seg, join_path(path, i)))
    return tuple(segments)


def read_url(value: object, path: str) -> Url:
    if value is None:
        return Url()
    if isinstance(value, str):
        return Url(raw=value)
    if not isinstance(value, dict):
        fail(path, "expected a URL string or a URL object {raw, host, path, query}", value)
    raw = value.get("raw")
    if raw is not None and not isinstance(raw, str):
        fail(path + ".raw", "expected the raw URL as a string", raw)
    query, variable = value.get("query"), value.get("variable")
    return Url(
        raw=raw or "",
        host=read_host(value.get("host"), path + ".host"),
        path=read_path(value.get("path"), path + ".path"),
        query=None if query is None else () if query == [] else read_fields(query, path + ".query"),
        variables=() if variable is None or variable == [] else read_variables(variable, path + ".variable"),
    )


def read_method(value: object, path: str) -> str:
    if value is None:
        return "GET"
    if not isinstance(value, str):
        fail(path, "expected an HTTP method name such as 'GET'", value)
    return value.strip().upper() or "GET"


def read_body(value: object, path: str) -> Body | None:
    body = as_object(value, path, "expected a body object {mode, raw|urlencoded|formdata|file|graphql}")
    if body.get("disabled") is True:
        return None
    mode = body.get("mode")
    if mode is not None and not isinstance(mode, str):
        fail(path + ".mode", "expected the body mode as a string (raw, urlencoded, formdata, ...)", mode)
    if mode == "raw":
        options = as_object(body.get("options"), path + ".options", "expected body options as an object")
        raw_opts = as_object(options.get("raw"), path + ".options.raw", "expected raw options as an object")
        return Body("raw", raw=as_text(body.get("raw"), path + ".raw"),
                    language=as_text(raw_opts.get("language"), path + ".options.raw.language"))
    if mode in ("urlencoded", "formdata"):
        return Body(mode, fields=read_fields(body.get(mode), f"{path}.{mode}", mode == "formdata"))
    if mode == "file":
        file = as_object(body.get("file"), path + ".file", "expected the file body as an object {src}")
        return Body("file", file_src=as_text(file.get("src"), path + ".file.src"))
    if mode == "graphql":
        gql = as_object(body.get("graphql"), path + ".graphql", "expected a graphql object {query, variables}")
        return Body("graphql", raw=as_text(gql.get("query"), path + ".graphql.query"),
                    graphql_variables=as_text(gql.get("variables"), path + ".graphql.variables"))
    return None  # no mode (an empty {} body) or a mode mockkit does not know


def read_request(value: object, path: str, fallback: SavedRequest | None = None) -> SavedRequest:
    """A request (F3): an object, a bare URL string, or null/missing (-> ``fallback``)."""
    if value is None:
        return fallback or SavedRequest()
    if isinstance(value, str):
        return SavedRequest(url=Url(raw=value))
    if not isinstance(value, dict):
        fail(path, "expected a request object {method, url, header, body} or a URL string", value)
    body_key = "body" if "body" in value or not isinstance(value.get("data"), dict) else "data"
    method, header, body = value.get("method"), value.get("header"), value.get(body_key)
    request = SavedRequest(
        method=method.strip().upper() or "GET" if type(method) is str else read_method(method, path + ".method"),
        url=read_url(value.get("url"), path + ".url"),
        headers=() if header is None or header == [] else read_headers(header, path + ".header"),
        body=None if body is None else read_body(body, f"{path}.{body_key}"),
    )
    if request.body is not None:
        check_depth(request, f"{path}.{body_key}")
    return request


def check_depth(request: SavedRequest, path: str) -> None:
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
            raise Invalid(path + key, f"JSON nested deeper than {safejson.MAX_DEPTH} levels{inner}: "
                                       "mockkit cannot compare it; flatten the saved body") from None
        except ValueError:
            pass  # not JSON (or not yet: {{variables}}): compared as text
