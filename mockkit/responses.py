"""An example's saved response, compiled once and rendered per call.

``compile_response`` prepares an example's response when an engine is built (spec C8, 9.12):
headers cleaned (``headerclean``) and the hop-by-hop and stale ones dropped, templates compiled
(``templating``), a missing ``Content-Type`` derived from Postman's preview language, and a body
without ``{{`` kept as ready bytes. ``render_response`` fills it for one request, adding the
automatic CORS headers (``answers``) when the mock's ``cors`` option is on. ``server_response``
builds an active server response (spec C5).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from . import answers
from .fakes import FakeContext
from .headerclean import clean_name, to_wire, wire_value
from .model import Example, MockRequest, MockResponse, SavedResponse
from .templating import TOKEN, RenderContext, Template, Token, compile_template, render, render_header

if TYPE_CHECKING:
    from .index import Target

__all__ = ["CompiledResponse", "CompiledResponses", "compile_response", "render_response", "server_response", "has_dynamic",
           "uncaptured_note", "PREVIEW_TYPES", "DROPPED_HEADERS"]

DROPPED_HEADERS = frozenset({"content-length", "transfer-encoding", "content-encoding", "connection"})
PREVIEW_TYPES = {
    "json": "application/json",
    "xml": "application/xml",
    "html": "text/html",
    "text": "text/plain",
    "javascript": "application/javascript",
    "raw": "application/octet-stream",
}


@dataclass(frozen=True, slots=True)
class CompiledResponse:
    """An example's response, ready to render."""

    status: int
    reason: str
    headers: tuple[tuple[str, Template], ...]
    body: Template
    static_body: bytes | None
    has_cors: bool
    problems: tuple[str, ...]


def uncaptured_note(name: str) -> str:
    """Spec 9.13 for a wildcard the request did not fill."""
    return (f"wildcard {{{{{name}}}}} captured nothing (the example was not matched by its path, e.g. it was "
            "picked by x-mock-response-name or -id), so it is left as written")


def has_dynamic(compiled: CompiledResponse) -> bool:
    """Whether rendering uses dynamic variables (``{{$random...}}``: Faker is warmed up for them)."""
    templates = [compiled.body, *(t for _, t in compiled.headers)]
    return any(isinstance(p, Token) and p.kind == "dynamic" for t in templates for p in t.parts)


def labelled_json(saved: SavedResponse) -> bool:
    """A response body labelled JSON: by its Content-Type (``application/json``, ``+json``) or,
    without one, by Postman's preview language."""
    ctype = next((v for k, v in saved.headers if k.strip().lower() == "content-type"), None)
    if ctype is not None:
        return "json" in ctype.lower()
    return saved.preview_language.lower() == "json"


def compile_response(example: Example, variables: dict[str, str], captures: list[str]) -> CompiledResponse:
    """``example``'s response ready to render: ``variables`` (environment and collection, already
    resolved) filled in, ``captures`` (the path's wildcard names) left for ``render_response``."""
    saved = example.response
    problems: list[str] = []
    headers: list[tuple[str, Template]] = []
    names = set()
    for key, value in saved.headers:
        clean = clean_name(key)
        if not clean or clean.lower() in DROPPED_HEADERS:
            continue
        template = compile_template(value, variables, captures)
        problems.extend(f"header {clean}: {p}" for p in template.problems)
        headers.append((clean, template))
        names.add(clean.lower())
    if "content-type" not in names and saved.preview_language.lower() in PREVIEW_TYPES:
        ctype = PREVIEW_TYPES[saved.preview_language.lower()]
        headers.append(("Content-Type", compile_template(ctype, {})))
    body = compile_template(saved.body, variables, captures, json_body=labelled_json(saved))
    problems.extend(body.problems)
    return CompiledResponse(
        status=saved.code,
        reason=answers.reason_phrase(saved.code, saved.status),
        headers=tuple(headers),
        body=body,
        static_body=body.static.encode("utf-8", "replace") if body.static is not None else None,
        has_cors="access-control-allow-origin" in names,
        problems=tuple(dict.fromkeys(problems)),
    )


def templated(saved: SavedResponse) -> bool:
    """Whether a saved response has ``{{`` in its body or a header value: only those can hold
    variables, dynamic variables, helpers or captures (``compile_template`` keeps any other text
    as it is, with no problems)."""
    return "{{" in saved.body or any("{{" in value for _, value in saved.headers)


class CompiledResponses:
    """Every example's ``CompiledResponse`` for one engine (issue 17: load time).

    Responses with ``{{`` (``templated``) are compiled when the engine is built, so their
    problems and dynamic variables are known at once; the rest (plain text: no problems, nothing
    dynamic) are compiled on first use, once, under a lock (a server thread and a notebook
    cell may ask at the same time).
    """

    def __init__(self, targets: Iterable[Target], variables: dict[str, str]) -> None:
        """``targets``: the index's compiled examples (kept alive by the index: keys are their
        ``id``); ``variables``: environment and collection variables, already resolved."""
        self._variables = variables
        self._lock = threading.Lock()
        self._done: dict[int, CompiledResponse] = {}
        self._at: dict[int, Target] = {}  # by example position
        for t in targets:
            self._at[t.example.position] = t
            if templated(t.example.response):
                self._done[id(t)] = self._compile(t)

    def _compile(self, target: Target) -> CompiledResponse:
        captures = [m.group(1).strip() for m in TOKEN.finditer(target.path)]
        return compile_response(target.example, self._variables, captures)

    def of(self, target: Target) -> CompiledResponse:
        """``target``'s compiled response (compiled now if it was not yet)."""
        found = self._done.get(id(target))
        if found is None:
            with self._lock:
                found = self._done.get(id(target))
                if found is None:
                    found = self._done[id(target)] = self._compile(target)
        return found

    def at(self, position: int) -> CompiledResponse | None:
        """The compiled response of the example at ``position`` (``Example.position``), or None."""
        target = self._at.get(position)
        return None if target is None else self.of(target)

    def any_dynamic(self) -> bool:
        """Whether any response uses dynamic variables (``has_dynamic``; the responses not
        compiled yet have no ``{{``, so none)."""
        with self._lock:
            compiled = list(self._done.values())
        return any(has_dynamic(r) for r in compiled)


def render_response(compiled: CompiledResponse, captures: Mapping[str, str], request: MockRequest, fake: FakeContext,
                    *, cors: bool) -> tuple[MockResponse, list[str]]:
    """The example's response filled for ``request`` (``captures``: the path wildcards' values),
    and the wildcards it could not fill. The caller holds the fake-data lock."""
    ctx = RenderContext(request, captures, fake)
    headers = [(name, to_wire(render_header(t, ctx))) for name, t in compiled.headers]
    if cors and not compiled.has_cors:
        headers = answers.with_cors(headers, request.header("origin"))
    body = compiled.static_body
    if body is None:
        body = render(compiled.body, ctx).encode("utf-8", "replace")
    return MockResponse(compiled.status, compiled.reason, tuple(headers), body), ctx.uncaptured


def server_response(status: int, body: str | bytes | dict[str, Any] | list[Any] = "",
                    headers: dict[str, str] | None = None, language: str | None = None) -> MockResponse:
    """A server response (spec C5): ``body`` as given (a dict or list as JSON), ``headers``
    cleaned, and a ``Content-Type`` from ``language`` (Postman's ``text|json|html|xml|javascript``)
    unless the headers give one. CORS headers are added per call (they depend on the Origin)."""
    if isinstance(body, (dict, list)):
        body, language = json.dumps(body), language or "json"
    data = body.encode("utf-8", "replace") if isinstance(body, str) else bytes(body)
    pairs = [(clean_name(k), wire_value(str(v))) for k, v in (headers or {}).items() if clean_name(k)]
    if language and not any(k.lower() == "content-type" for k, _ in pairs):
        pairs.append(("Content-Type", PREVIEW_TYPES.get(language, "text/plain")))
    return MockResponse(status, answers.reason_phrase(status), tuple(pairs), data)
