"""The fields of Postman v3 files, read into mockkit's model values (``mockkit.formats.v3read`` walks
the tree; this module reads one file's values).

Both spellings Postman uses are read: the list ``[{key, value, description?, disabled?}]`` of the
``collection-schema-v3`` reference and the mapping ``{Name: value}`` its migrator writes (a
mapping cannot hold a disabled entry or a repeated name, so the migrator falls back to the list
for those). A request's ``url`` is one string with its query; ``queryParams``, when present,
are the query mockkit compares (they also list disabled parameters), else the URL's own. Text is kept as written (``mockkit.formats.yamlnodes``); every failure is a ``YamlInvalid``
with the key path and position, which ``within`` turns into a ``CollectionError`` naming the file.
"""

from __future__ import annotations

from collections.abc import Callable
from http import HTTPStatus
from typing import TypeVar

from ..errors import CollectionError
from ..model import Body, Pairs, SavedRequest, SavedResponse, Url
from .sources import read_text
from .yamlnodes import Value, YamlInvalid, parse_yaml

__all__ = ["REQUEST_SUFFIXES", "EXAMPLE_SUFFIXES", "ENVIRONMENT_SUFFIXES", "RAW_TYPES", "RESPONSE_TYPES",
           "BODY_TYPES", "LANGUAGE_KEY", "GRAPHQL_KEY", "read_file", "within", "stem_of", "kind_of", "text_of", "name_of", "pairs",
           "read_request", "request_fields", "read_response", "read_order"]

REQUEST_SUFFIXES = (".request.yaml", ".request.yml")
EXAMPLE_SUFFIXES = (".example.yaml", ".example.yml")
ENVIRONMENT_SUFFIXES = (".environment.yaml", ".environment.yml")
RAW_TYPES = ("json", "text", "xml", "html", "javascript", "yaml")
"""Body types whose ``content`` is text (``yaml`` only on responses, in Postman's reference)."""
RESPONSE_TYPES = RAW_TYPES
"""The response ``body.type`` values ``postman collection lint`` accepts."""
LANGUAGE_KEY = "x-mockkit-preview-language"
"""mockkit's own key in a response ``body``: the v2.x preview language when v3 has no spelling for
it (written by ``mockkit convert`` only for responses without a Content-Type; Postman drops it)."""
GRAPHQL_KEY = "x-mockkit-graphql"
"""mockkit's own key in a request ``body`` (``type: json``): a v2.x GraphQL body's ``query`` and
``variables`` as written, so it is compared as GraphQL again (linters drop the key)."""
BODY_TYPES = (*RAW_TYPES, "urlencoded", "formdata", "file", "graphql", "none")
T = TypeVar("T")


# --- files ------------------------------------------------------------------------------------


def read_file(path: str) -> dict[str, Value]:
    """One YAML file's top-level fields (``CollectionError`` naming the file if it cannot be read
    or is not a mapping)."""
    doc = Value(parse_yaml(read_text(path), path))
    return within(path, lambda: doc.mapping("a YAML mapping of Postman fields ($kind, name, ...)"))


def within(path: str, read: Callable[[], T]) -> T:
    """Run ``read`` on values of file ``path``; every failure becomes a ``CollectionError``
    naming the file (and, for a bad value, its key path, line and column)."""
    try:
        return read()
    except YamlInvalid as exc:
        raise exc.error(path) from None
    except CollectionError:
        raise
    except Exception as exc:  # noqa: BLE001 - the loader's promise: only CollectionError escapes
        raise CollectionError(path, "", f"could not read this file ({type(exc).__name__}: {exc})") from exc


def stem_of(filename: str, suffixes: tuple[str, ...]) -> str:
    """``List books.request.yaml`` -> ``List books`` (suffixes compared case-insensitively)."""
    lower = filename.lower()
    for suffix in suffixes:
        if lower.endswith(suffix):
            return filename[: -len(suffix)]
    return filename


def kind_of(doc: dict[str, Value]) -> str:
    """The file's ``$kind``; a file without one is an error (Postman requires it)."""
    kind = doc.get("$kind")
    if kind is None or kind.is_null:
        raise YamlInvalid("$kind", "expected a `$kind` field (http-request, http-example, collection)", 1, 1)
    return kind.text("the kind as text")


def text_of(doc: dict[str, Value], key: str) -> str:
    """A text field, "" when absent."""
    return doc[key].text() if key in doc else ""


def name_of(doc: dict[str, Value], stem: str) -> str:
    """``name`` as written (even empty), else the file or folder name it was saved under."""
    value = doc.get("name")
    return stem if value is None or value.is_null else value.text("the name as text")


# --- values -----------------------------------------------------------------------------------


def _off(entry: dict[str, Value]) -> bool:
    disabled, enabled = entry.get("disabled"), entry.get("enabled")
    return (disabled is not None and disabled.flag()) or (enabled is not None and not enabled.is_null
                                                          and not enabled.flag())


def pairs(value: Value | None, what: str, *, skip_empty: bool = False, skip_files: bool = False) -> Pairs:
    """Enabled (key, value) pairs from either form: ``{Name: value}`` or ``[{key, value, disabled?}]``."""
    if value is None or value.is_null:
        return ()
    if value.is_mapping:
        out = [(k, v.text("a value (text)")) for k, v in value.mapping().items()]
    elif value.is_sequence:
        out = []
        for entry in value.items():
            if entry.is_null:
                continue
            fields = entry.mapping("an entry {key, value, disabled?}")
            if _off(fields) or (skip_files and fields.get("type") is not None
                                and fields["type"].text() == "file"):
                continue
            key = fields["key"].text("the key as text") if "key" in fields else ""
            out.append((key, fields["value"].text("the value as text") if "value" in fields else ""))
    else:
        value.fail(f"expected {what}: a mapping (Name: value) or a list of {{key, value}} entries")
    return tuple((k, v) for k, v in out if k or not skip_empty)


def _method(value: Value | None) -> str:
    if value is None or value.is_null:
        return "GET"
    return value.text("an HTTP method such as GET").strip().upper() or "GET"


def _body(value: Value | None) -> Body | None:
    """``{type, content}``. A v2.x GraphQL body: ``x-mockkit-graphql: {query, variables}`` beside
    its JSON (what ``mockkit convert`` writes), or ``type: graphql`` with that ``content``."""
    if value is None or value.is_null:
        return None
    body = value.mapping("a body {type, content}")
    kind = body["type"].text("the body type") if "type" in body else ""
    content = body.get("content") or Value(None, value.path + ".content")
    if GRAPHQL_KEY in body:
        kind, content = "graphql", body[GRAPHQL_KEY]
    if kind in RAW_TYPES or (not kind and content.is_scalar):
        return Body("raw", raw=content.text("the body as text (a `|-` block keeps it as written)"),
                    language=kind)
    if kind in ("urlencoded", "formdata"):
        return Body(kind, fields=pairs(content, "the form fields", skip_files=kind == "formdata"))
    if kind == "file":
        src = content.mapping("the file as {src: path}").get("src") if not content.is_scalar else content
        return Body("file", file_src=src.text("the file path") if src is not None else "")
    if kind == "graphql":
        gql = content.mapping("a GraphQL body {query, variables}")
        text = {k: gql[k].text() if k in gql else "" for k in ("query", "variables")}
        return Body("graphql", raw=text["query"], graphql_variables=text["variables"])
    if kind in ("none", ""):
        return None
    body["type"].fail(f"expected a body type: one of {', '.join(BODY_TYPES)}")


def read_request(value: Value | None) -> SavedRequest:
    """An example's ``request`` (none -> no URL, GET: nothing is borrowed from the request file)."""
    if value is None or value.is_null:
        return SavedRequest()
    return request_fields(value.mapping("a request {url, method, headers, queryParams, pathVariables, body}"))


def request_fields(fields: dict[str, Value]) -> SavedRequest:
    """A request as its file writes it (an http-request file, or an example's ``request``)."""
    url = fields.get("url")
    query = fields.get("queryParams")
    return SavedRequest(
        method=_method(fields.get("method")),
        url=Url(
            raw=url.text("the URL as text") if url is not None else "",
            query=None if query is None else pairs(query, "query parameters"),
            variables=pairs(fields.get("pathVariables"), "path variables", skip_empty=True),
        ),
        headers=pairs(fields.get("headers"), "headers", skip_empty=True),
        body=_body(fields.get("body")),
    )


def _status(fields: dict[str, Value], path: str) -> tuple[int, str]:
    """``statusCode`` (none -> 200 OK, spec 9.11) and ``statusText`` (none -> the HTTP phrase)."""
    code_value = fields.get("statusCode") or Value(None, path + ".statusCode")
    digits = code_value.integer_text()
    if code_value.is_null:
        code = 200
    elif digits is None or not 100 <= int(digits) <= 599:
        code_value.fail("expected an HTTP status code (a number 100–599)")
    else:
        code = int(digits)
    text = fields["statusText"].text() if "statusText" in fields else ""
    if not text:
        try:
            text = HTTPStatus(code).phrase
        except ValueError:
            text = ""
    return code, text


def read_response(value: Value | None) -> SavedResponse:
    """An example's ``response`` (required, as in Postman's schema)."""
    if value is None or value.is_null:
        raise YamlInvalid("response", "expected a `response` {statusCode, statusText, headers, body}", 1, 1)
    fields = value.mapping("a response {statusCode, statusText, headers, body}")
    code, status = _status(fields, value.path)
    body = fields.get("body")
    parts = body.mapping("a body {type, content}") if body is not None else {}
    content = parts.get("content")
    return SavedResponse(
        code=code,
        status=status,
        headers=pairs(fields.get("headers"), "headers", skip_empty=True),
        body=content.text("the body as text (a `|-` block keeps it as written)") if content else "",
        preview_language=parts[key].text("the body type") if (key := _language_key(parts)) else "",
    )


def _language_key(parts: dict[str, Value]) -> str:
    return LANGUAGE_KEY if LANGUAGE_KEY in parts else "type" if "type" in parts else ""


def read_order(doc: dict[str, Value]) -> float | None:
    """``order``: a bare number, None when absent (sorted last)."""
    value = doc.get("order")
    return None if value is None else value.number("a bare number (order: 1000)")


