"""Small Postman v2.1 collection builders shared by test_matching.py and test_engine.py.

    coll(ex("/users/1", name="one", id="a"), ex("/users/{{id}}", name="any"))

``ex`` describes one saved example; ``coll`` makes one request item per example. Each example's
``originalRequest.url`` is written either as ``{"raw": ...}`` only (``url_style="raw"``) or as a
full object with ``host``/``path``/``query`` arrays (``url_style="path"``, the default).
"""

from __future__ import annotations

import json
from typing import Any

SCHEMA = "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"


def url(target: str, *, style: str = "path", host: str = "{{baseUrl}}", query: list | None = None,
        variables: dict[str, str] | None = None) -> dict:
    """A v2.1 url object for ``target`` ("/users/1?x=1"), written as ``raw`` only or with arrays."""
    path, _, qs = target.partition("?")
    raw = host + path + ("?" + qs if qs else "")
    if style == "raw":
        out: dict[str, Any] = {"raw": raw}
    else:
        if query is None:
            query = []
            for part in qs.split("&") if qs else []:
                key, _, value = part.partition("=")
                query.append({"key": key, "value": value})
        out = {
            "raw": raw,
            "host": [host] if host else [],
            "path": path.lstrip("/").split("/") if path != "/" else [],  # "/a/" -> ["a", ""]
            "query": query,
        }
    if variables is not None:
        out["variable"] = [{"key": k, "value": v} for k, v in variables.items()]
    return out


# --- request bodies (originalRequest.body) ---------------------------------------------------

def raw_json(value: Any) -> dict:
    return {"mode": "raw", "raw": json.dumps(value), "options": {"raw": {"language": "json"}}}


def raw_text(text: str, language: str = "text") -> dict:
    return {"mode": "raw", "raw": text, "options": {"raw": {"language": language}}}


def urlencoded(*fields: tuple) -> dict:
    """Fields as (key, value) or (key, value, "disabled")."""
    return {"mode": "urlencoded", "urlencoded": [
        {"key": f[0], "value": f[1], **({"disabled": True} if len(f) > 2 else {})} for f in fields]}


def formdata(*fields: tuple) -> dict:
    """Text fields as (key, value); file fields as (key, "@file", src)."""
    out = []
    for f in fields:
        if f[1] == "@file":
            out.append({"key": f[0], "type": "file", "src": f[2]})
        else:
            out.append({"key": f[0], "value": f[1], "type": "text"})
    return {"mode": "formdata", "formdata": out}


def graphql(query: str, variables: dict | None = None) -> dict:
    return {"mode": "graphql", "graphql": {"query": query, "variables": json.dumps(variables or {})}}


# --- examples and collections ----------------------------------------------------------------


def ex(target: str, *, name: str | None = None, method: str = "GET", code: Any = 200,
       id: str | None = None, uid: str | None = None, headers: dict | None = None,
       body: dict | None = None, response_body: str = "", response_headers: dict | list | None = None,
       preview: str | None = None, url_style: str = "path", host: str = "{{baseUrl}}",
       query: list | None = None, url_variables: dict | None = None) -> dict:
    """One saved example (an entry of ``item.response[]``). ``code=None`` leaves ``code`` out."""
    request: dict[str, Any] = {
        "method": method,
        "header": [{"key": k, "value": v} for k, v in (headers or {}).items()],
        "url": url(target, style=url_style, host=host, query=query, variables=url_variables),
    }
    if body is not None:
        request["body"] = body
    if isinstance(response_headers, dict):
        response_headers = [{"key": k, "value": v} for k, v in response_headers.items()]
    example: dict[str, Any] = {
        "name": name or f"{method} {target}",
        "originalRequest": request,
        "header": response_headers or [],
        "body": response_body,
    }
    if code is not None:
        example["code"] = code
    if id is not None:
        example["id"] = id
    if uid is not None:
        example["uid"] = uid
    if preview is not None:
        example["_postman_previewlanguage"] = preview
    return example


def coll(*examples: dict, variables: dict[str, Any] | None = None, name: str = "tests") -> dict:
    """A v2.1 collection with one request item per example (the item's request = the example's)."""
    items = []
    for i, e in enumerate(examples):
        items.append({
            "name": f"request {i}",
            "request": e["originalRequest"],
            "response": [e],
        })
    out: dict[str, Any] = {"info": {"name": name, "schema": SCHEMA}, "item": items}
    if variables:
        out["variable"] = [
            {"key": k, "value": v} if not isinstance(v, dict) else {"key": k, **v}
            for k, v in variables.items()
        ]
    return out


def env(values: dict[str, str], name: str = "env") -> dict:
    """A Postman environment export."""
    return {
        "name": name,
        "values": [{"key": k, "value": v, "type": "default", "enabled": True} for k, v in values.items()],
        "_postman_variable_scope": "environment",
    }


def colon_path(name: str, base_url: str, value: str, query: str = "") -> dict:
    """A collection with one example saved for ``{{baseUrl}}/notes/:id`` (``id`` = ``value``,
    optional ``query`` such as ``full=yes``), ``baseUrl`` carrying a base path."""
    raw = "{{baseUrl}}/notes/:id" + (f"?{query}" if query else "")
    url: dict[str, Any] = {"raw": raw, "host": ["{{baseUrl}}"], "path": ["notes", ":id"],
                           "variable": [{"key": "id", "value": value}]}
    if query:
        url["query"] = [{"key": k, "value": v} for k, _, v in (p.partition("=") for p in query.split("&"))]
    return {"info": {"name": "served", "schema": SCHEMA}, "variable": [{"key": "baseUrl", "value": base_url}],
            "item": [{"name": "note", "request": {"method": "GET", "url": "{{baseUrl}}/notes/:id"},
                      "response": [{"name": name, "code": 200, "body": "{}",
                                    "originalRequest": {"method": "GET", "url": url}}]}]}
