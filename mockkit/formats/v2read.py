"""Postman Collection v2.0/v2.1 and environment JSON -> model, once ``sources`` has read the
file: the item tree flattened into ``Collection.examples`` and ``Collection.requests`` (an
explicit stack, at most ``MAX_DEPTH`` folders deep), the API's ``{"collection": {...}}`` wrapper
removed, v1 files refused with a way to convert them. Values are read by ``v2fields``.
"""

from __future__ import annotations

import re
from http import HTTPStatus
from typing import Any

from ..model import Collection, Environment, Example, RequestItem, SavedResponse, Variable
from .sources import MAX_DEPTH
from .v2fields import (
    Invalid,
    as_list,
    as_object,
    as_text,
    fail,
    guard,
    join_path,
    read_headers,
    read_request,
    read_variables,
    text_of,
)

__all__ = ["parse_collection", "parse_environment", "unwrap", "is_environment", "MAX_DEPTH", "V1_MESSAGE",
           "ENV_AS_COLLECTION", "COLLECTION_AS_ENV"]

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



# --- examples and the item tree -------------------------------------------------------------


def _status(code: object, status: object, path: str) -> tuple[int, str]:
    """The example's code and reason phrase (spec 9.11: no code -> 200 OK)."""
    if code is None or code == "":
        return 200, "OK" if status in (None, "") else as_text(status, path + ".status")
    number = None
    if isinstance(code, int) and not isinstance(code, bool):
        number = code
    elif isinstance(code, float) and code.is_integer():
        number = int(code)
    elif isinstance(code, str) and _NUMERIC_CODE.fullmatch(code):
        number = int(code)
    if number is None or not 100 <= number <= 599:
        fail(path + ".code", "expected an HTTP status code (integer 100–599)", code)
    if status not in (None, ""):
        return number, as_text(status, path + ".status")
    try:
        return number, HTTPStatus(number).phrase
    except ValueError:
        return number, ""


def _response(entry: dict[str, Any], path: str) -> SavedResponse:
    code, status = _status(entry.get("code"), entry.get("status"), path)
    body = entry.get("body") if "body" in entry else entry.get("data")  # "data": legacy exports
    return SavedResponse(
        code=code,
        status=status,
        headers=read_headers(entry.get("header"), path + ".header"),
        body=body if type(body) is str else as_text(body, path + (".body" if "body" in entry else ".data")),
        preview_language=text_of(entry, "_postman_previewlanguage", path),
    )


def _request_item(entry: dict[str, Any], path: str, folder: tuple[str, ...], first: int
                  ) -> tuple[RequestItem, list[Example]]:
    """A request item and its examples (``response`` may be a list or a single object)."""
    name = text_of(entry, "name", path)
    item_id = as_text(entry.get("id", entry.get("_postman_id")), path + ".id")
    request = read_request(entry.get("request"), path + ".request")
    responses = entry.get("response")
    if isinstance(responses, dict):
        responses = [responses]
    examples: list[Example] = []
    for i, ex in enumerate(as_list(responses, path + ".response", "expected a list of saved examples")):
        p = join_path(path + ".response", i)
        if ex is None:
            continue
        if not isinstance(ex, dict):
            fail(p, "expected a saved example (an object with code, header, body)", ex)
        examples.append(Example(
            id=text_of(ex, "id", p),
            name=text_of(ex, "name", p) or name,
            request_name=name,
            folder=folder,
            request=read_request(ex.get("originalRequest"), p + ".originalRequest", request),
            response=_response(ex, p),
            position=first + len(examples),
            json_path=p,
            uid=text_of(ex, "uid", p),
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
    root: tuple[str, ...] = ()
    stack = [(iter(enumerate(as_list(items, path, expected))), path, root)]
    while stack:
        entries, list_path, folder = stack[-1]
        i, entry = next(entries, (None, None))
        if i is None:
            stack.pop()
            continue
        p = join_path(list_path, i)
        if not isinstance(entry, dict):
            fail(p, "expected an item: a request {name, request} or a folder {name, item}", entry)
        if "item" in entry:  # a folder (F2)
            if len(stack) > MAX_DEPTH:
                raise Invalid(p, f"folders nested deeper than {MAX_DEPTH} levels")
            children = as_list(entry["item"], p + ".item", expected)
            name = as_text(entry.get("name"), p + ".name")
            stack.append((iter(enumerate(children)), p + ".item", folder + (name,)))
        else:
            item, found = guard(p, _request_item, entry, p, folder, len(examples))
            requests.append(item)
            examples.extend(found)
    return examples, requests


# --- documents --------------------------------------------------------------------------------


def unwrap(data: object, key: str) -> tuple[object, str]:
    """The Postman API wraps exports as {"collection": {...}} / {"environment": {...}}."""
    if isinstance(data, dict) and isinstance(data.get(key), dict):
        if not {"item", "info", "values"} & data.keys():
            return data[key], key
    return data, ""


def _is_v1(data: dict[str, Any]) -> bool:
    v1_keys = {"requests", "folders", "order"}
    return "info" not in data and "item" not in data and bool(v1_keys & data.keys())


def is_environment(data: dict[str, Any]) -> bool:
    return "item" not in data and "info" not in data and ("values" in data or "environment" in data)


def _description(value: object, path: str) -> str:
    if isinstance(value, dict):
        return as_text(value.get("content"), path + ".content")
    return as_text(value, path)


def parse_collection(data: object, label: str) -> Collection:
    data, prefix = unwrap(data, "collection")
    if not isinstance(data, dict):
        fail(prefix, "expected a Postman collection (a JSON object with 'info' and 'item')", data)
    if _is_v1(data):
        raise Invalid(prefix, V1_MESSAGE)
    if is_environment(data):
        raise Invalid(prefix, ENV_AS_COLLECTION)
    if "info" not in data and "item" not in data:
        raise Invalid(prefix, "expected a Postman collection: an object with 'info' and an 'item' list")
    info_path = join_path(prefix, "info")
    info = as_object(data.get("info"), info_path, "expected the collection's info object {name, schema}")
    schema = info.get("schema")
    if isinstance(schema, str) and "v1.0.0" in schema:
        raise Invalid(info_path + ".schema", V1_MESSAGE)
    examples, requests = _walk(data.get("item"), join_path(prefix, "item"))
    var_key = "variable" if "variable" in data else "variables"
    variables = guard(join_path(prefix, var_key), read_variables, data.get(var_key), join_path(prefix, var_key))
    return Collection(
        name=as_text(info.get("name"), info_path + ".name"),
        examples=tuple(examples),
        requests=tuple(requests),
        variables=tuple(Variable(k, v) for k, v in variables),
        id=as_text(info.get("_postman_id", info.get("id")), info_path + "._postman_id"),
        schema="v2.0.0" if isinstance(schema, str) and "v2.0.0" in schema else "v2.1.0",
        description=_description(info.get("description"), info_path + ".description"),
        source=label,
    )


def parse_environment(data: object, label: str) -> Environment:
    data, prefix = unwrap(data, "environment")
    if not isinstance(data, dict):
        fail(prefix, "expected a Postman environment (a JSON object with a 'values' list)", data)
    if "item" in data or "info" in data or _is_v1(data):
        raise Invalid(prefix, COLLECTION_AS_ENV)
    if "values" not in data and "_postman_variable_scope" not in data:
        raise Invalid(prefix, "expected a Postman environment: an object with a 'values' list")
    values: dict[str, str] = {}
    for key, value in read_variables(data.get("values"), join_path(prefix, "values")):
        values[key] = value  # a repeated key keeps its first position and takes the last value
    return Environment(
        name=as_text(data.get("name"), join_path(prefix, "name")),
        variables=tuple(Variable(k, v) for k, v in values.items()),
        id=as_text(data.get("id"), join_path(prefix, "id")),
        source=label,
    )
