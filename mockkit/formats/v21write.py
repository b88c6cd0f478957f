"""A loaded collection written as a Postman Collection v2.1 JSON export (``mockkit convert --to
v2.1``), and an environment as a v2.x environment export.

The export holds everything mockkit reads, so loading it again gives the same answers: names,
folders (in order), ids, each example's saved request (method, URL with its query and path
variables, headers, body by mode) and response (code, status, headers, body, preview language),
and the collection variables. A v3 URL, one string, is written as ``raw`` plus ``query`` and
``variable`` lists.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from ..errors import MockkitError
from ..model import Body, Collection, Environment, Example, Pairs, SavedRequest, SavedResponse, Url
from .outline import Folder, Request, outline

__all__ = ["collection_json", "environment_json", "dumps", "write_json", "SCHEMA", "request_json", "example_json"]

SCHEMA = "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"


def _pairs(pairs: Pairs) -> list[dict[str, str]]:
    return [{"key": k, "value": v} for k, v in pairs]


def _url(url: Url) -> dict[str, Any]:
    out: dict[str, Any] = {"raw": url.raw}
    if url.path is not None:
        if url.host:
            out["host"] = url.host.split(".")
        out["path"] = list(url.path)
    if url.query is not None:
        out["query"] = _pairs(url.query)
    if url.variables:
        out["variable"] = _pairs(url.variables)
    return out


def _body(body: Body | None) -> dict[str, Any] | None:
    if body is None or not body.mode:
        return None
    if body.mode == "raw":
        out: dict[str, Any] = {"mode": "raw", "raw": body.raw}
        if body.language:
            out["options"] = {"raw": {"language": body.language}}
        return out
    if body.mode == "urlencoded":
        return {"mode": "urlencoded", "urlencoded": _pairs(body.fields)}
    if body.mode == "formdata":
        return {"mode": "formdata", "formdata": [{"key": k, "value": v, "type": "text"} for k, v in body.fields]}
    if body.mode == "file":
        return {"mode": "file", "file": {"src": body.file_src}}
    return {"mode": "graphql", "graphql": {"query": body.raw, "variables": body.graphql_variables}}


def _request(request: SavedRequest) -> dict[str, Any]:
    out: dict[str, Any] = {"method": request.method, "header": _pairs(request.headers), "url": _url(request.url)}
    body = _body(request.body)
    if body is not None:
        out["body"] = body
    return out


def _response(response: SavedResponse) -> dict[str, Any]:
    out: dict[str, Any] = {"status": response.status, "code": response.code}
    if response.preview_language:
        out["_postman_previewlanguage"] = response.preview_language
    out["header"] = _pairs(response.headers)
    out["body"] = response.body
    return out


def request_json(request: SavedRequest) -> dict[str, Any]:
    """A saved request as a v2.1 ``request`` object (Postman collection format v2.1.0).

    Args:
        request (SavedRequest): the saved request.

    Returns:
        dict[str, Any]: ``{"method", "header", "url", "body"}`` as a v2.1 export writes them.

    Examples:
        ```python
        request_json(example.request)["url"]["raw"]      # 'http://127.0.0.1:8080/users/7'
        ```
    """
    return _request(request)


def example_json(e: Example) -> dict[str, Any]:
    """An example as a v2.1 saved response (an item's ``response[]`` entry, Postman collection format
    v2.1.0).

    Args:
        e (Example): the example.

    Returns:
        dict[str, Any]: name, id, uid, ``originalRequest``, status, code, preview language, header
        and body.

    Examples:
        ```python
        example_json(example)["code"]      # 200
        ```
    """
    response: dict[str, Any] = {"name": e.name}
    if e.id:
        response["id"] = e.id
    if e.uid:
        response["uid"] = e.uid
    response["originalRequest"] = _request(e.request)
    response.update(_response(e.response))
    return response


def _item(request: Request) -> dict[str, Any]:
    item = request.item
    out: dict[str, Any] = {"name": item.name}
    if item.id:
        out["id"] = item.id
    out["request"] = _request(item.request)
    out["response"] = [example_json(e) for e in request.examples]
    return out


def _items(folder: Folder) -> list[dict[str, Any]]:
    return [{"name": c.name, "item": _items(c)} if isinstance(c, Folder) else _item(c) for c in folder.children]


def collection_json(collection: Collection) -> dict[str, Any]:
    """The collection as a v2.1 export (a JSON-ready dict)."""
    info: dict[str, Any] = {}
    if collection.id:
        info["_postman_id"] = collection.id
    info["name"] = collection.name
    if collection.description:
        info["description"] = collection.description
    info["schema"] = SCHEMA
    out: dict[str, Any] = {"info": info, "item": _items(outline(collection))}
    if collection.variables:
        out["variable"] = [{"key": v.key, "value": v.value} for v in collection.variables]
    return out


def environment_json(environment: Environment) -> dict[str, Any]:
    """The environment as a Postman environment export (a JSON-ready dict)."""
    out: dict[str, Any] = {}
    if environment.id:
        out["id"] = environment.id
    out["name"] = environment.name
    out["values"] = [{"key": v.key, "value": v.value, "type": "default", "enabled": True}
                     for v in environment.variables]
    out["_postman_variable_scope"] = "environment"
    return out


def dumps(data: dict[str, Any]) -> bytes:
    """UTF-8 JSON with tabs, as Postman exports; a lone surrogate is kept as a ``\\uXXXX`` escape."""
    return (json.dumps(data, ensure_ascii=False, indent="\t") + "\n").encode("utf-8", "backslashreplace")


def write_json(data: dict[str, Any], dest: str | os.PathLike[str], *, force: bool = False) -> Path:
    """Write ``data`` to ``dest``; an existing file is kept unless ``force`` (``MockkitError``)."""
    path = Path(dest)
    if path.exists() and (path.is_dir() or not force):
        raise MockkitError(f"{path}: already exists; choose another file name (or --force to replace a file)")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(dumps(data))
    return path
