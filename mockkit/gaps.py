"""``check`` findings about what a collection's files hold but mockkit does not serve, and what
an example's saved request leaves out (issue 14).

* ``skipped``: v3 requests of other protocols (GraphQL, gRPC, WebSocket, ...) are listed (info);
  example files whose request file is missing, e.g. after a rename, are a warning;
* ``no-url``: an example whose saved request has no URL answers only requests for ``/``
  (Postman's migrator writes ``url: ""`` for an example saved without its request) (warning);
* ``missing-header`` / ``missing-body``: an example keeps only the request fields it saved (v3
  examples never borrow from their request file; a v2.x ``originalRequest`` neither). When header
  or body matching is on (``MockOptions.match_headers``/``match_body``), each example that lacks
  a header or body its request has gets a note: a call that sends it skips that example (often on
  purpose: a 200 without ``if-none-match`` beside a 304 with it). When they are off, one note per
  kind says how many would be affected (``x-mock-match-request-headers``/``-body`` turn them on
  per call).
"""

from __future__ import annotations

from .findings import Finding
from .engine import MockEngine
from .model import Example, SavedRequest
from .formats.outline import _requests

__all__ = ["file_findings"]


def _has_url(request: SavedRequest) -> bool:
    return bool(request.url.raw.strip() or request.url.host or request.url.path)


def _body(request: SavedRequest) -> bool:
    b = request.body
    return b is not None and bool(b.mode) and bool(b.raw or b.fields or b.file_src)


def file_findings(engine: MockEngine) -> list[Finding]:
    """Findings for ``engine``'s collection: skipped items, then gaps in examples' requests."""
    collection, options = engine.collection, engine.options
    out = [Finding("warning" if s.kind == "http-example" else "info", "skipped", s.location, s.name, s.reason)
           for s in collection.skipped]
    lacking: dict[str, list[tuple[Example, str]]] = {"missing-header": [], "missing-body": []}
    for group in _requests(collection):
        parent = group.item.request
        parent_headers = {k.lower(): k for k, _ in parent.headers}
        for e in group.examples:
            if not _has_url(e.request) and _has_url(parent):
                out.append(Finding("warning", "no-url", e.location, e.name,
                                   "its saved request has no URL, so it answers only requests for /; copy the "
                                   f"request's URL into the example (the request '{group.item.name}' has one)"))
            mine = {k.lower() for k, _ in e.request.headers}
            names = [parent_headers[n] for n in parent_headers if n not in mine]
            if names:
                lacking["missing-header"].append((e, ", ".join(names)))
            if _body(parent) and not _body(e.request):
                lacking["missing-body"].append((e, ""))
    for e, joined in lacking["missing-header"]:
        wanted = [n for n in joined.split(", ") if n.lower() in options.match_headers]
        if wanted:
            out.append(Finding("info", "missing-header", e.location, e.name,
                               f"header matching compares {', '.join(wanted)}, which its request sends but the "
                               "example's saved request lacks: calls that send it skip this example (add the "
                               "header to the example's request unless that is the point)"))
    for e, _ in lacking["missing-body"] if options.match_body else ():
        out.append(Finding("info", "missing-body", e.location, e.name,
                           "body matching is on and the example saves no request body (its request has one): "
                           "calls with a body skip this example (add the body to the example's request unless "
                           "that is the point)"))
    out.extend(_summary(lacking, options.match_body))
    return out


def _summary(lacking: dict[str, list[tuple[Example, str]]], match_body: bool) -> list[Finding]:
    """One info line per kind of gap that matching does not use yet."""
    out = []
    headers = lacking["missing-header"]
    if headers:
        e = headers[0][0]
        out.append(Finding("info", "missing-header", e.location, e.name,
                           f"{len(headers)} example(s) do not save headers their request sends (first: "
                           f"{headers[0][1]}); with header matching (x-mock-match-request-headers, "
                           "--match-headers) a call sending those headers skips them"))
    bodies = lacking["missing-body"]
    if bodies and not match_body:
        e = bodies[0][0]
        out.append(Finding("info", "missing-body", e.location, e.name,
                           f"{len(bodies)} example(s) save no request body although their request has one; "
                           "with body matching (x-mock-match-request-body: true, --match-body) a call with a "
                           "body skips them"))
    return out
