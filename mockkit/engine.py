"""MockEngine: a collection compiled once, answering ``MockRequest``s with ``MockResponse``s.

    engine.handle(request) -> rank (matching) -> choose -> render (templating) -> journal

No sockets here: the Tornado server, the httpx transport, the CLI and the widgets all call
``handle`` (to answer) or ``explain`` (to see every candidate). Everything that can be done once
is done in ``__init__``: variables resolved, paths indexed, response templates compiled (a body
without ``{{`` is stored as ready bytes).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from http import HTTPStatus

from . import fakes
from .collection import load_collection, load_environment
from .journal import Call, Journal
from .matching import Candidate, Index, MatchOptions, Ranking, choose, rank
from .model import Collection, Environment, Example, MockRequest, MockResponse
from .templating import TOKEN, RenderContext, Template, compile_template, render, render_header

__all__ = ["MockEngine", "Served", "NOT_FOUND", "error_body", "DELAY_PRESETS", "parse_delay"]

NOT_FOUND = {
    "name": "mockRequestNotFoundError",
    "message": "Double check your method and the request path and try again.",
    "header": "No matching requests",
}
DROPPED_HEADERS = frozenset({"content-length", "transfer-encoding", "content-encoding", "connection"})
PREVIEW_TYPES = {
    "json": "application/json",
    "xml": "application/xml",
    "html": "text/html",
    "text": "text/plain",
    "javascript": "application/javascript",
    "raw": "application/octet-stream",
}
DELAY_PRESETS = {"2G": 300, "3G": 100, "1": 300, "2": 100}
MAX_DELAY_MS = 180_000


def error_body(name: str, message: str, header: str | None = None) -> bytes:
    """Postman's error shape: ``{"error": {"name", "message"[, "header"]}}``."""
    error = {"name": name, "message": message}
    if header is not None:
        error["header"] = header
    return json.dumps({"error": error}).encode()


def parse_delay(value: object) -> int | None:
    """A delay in ms from an int, a numeric string or a preset ("2G", "3G"); None when absent/bad."""
    if value is None or value == "":
        return None
    if isinstance(value, str) and value.strip().upper() in DELAY_PRESETS:
        return DELAY_PRESETS[value.strip().upper()]
    try:
        ms = int(str(value).strip())
    except ValueError:
        return None
    return ms if 1 <= ms <= MAX_DELAY_MS else None


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


@dataclass(frozen=True, slots=True)
class Served:
    """What ``handle`` returns: the response, the ranking behind it, and the call's journal id."""

    response: MockResponse
    ranking: Ranking | None
    winner: Candidate | None
    call_id: str
    delay_ms: int | None
    problems: tuple[str, ...] = ()


def _reason(code: int, status: str) -> str:
    text = "".join(ch for ch in status if 32 <= ord(ch) < 127).strip()
    if text.startswith(str(code)):
        text = text[len(str(code)) :].strip()
    if text:
        return text
    try:
        return HTTPStatus(code).phrase
    except ValueError:
        return "Unknown"


def _compile_response(example: Example, variables: dict[str, str], captures: list[str]) -> CompiledResponse:
    saved = example.response
    problems: list[str] = []
    headers: list[tuple[str, Template]] = []
    names = set()
    for key, value in saved.headers:
        clean = "".join(ch for ch in key if 32 < ord(ch) < 127 and ch != ":")
        if not clean or clean.lower() in DROPPED_HEADERS:
            continue
        template = compile_template(value, variables, captures)
        problems.extend(f"header {clean}: {p}" for p in template.problems)
        headers.append((clean, template))
        names.add(clean.lower())
    if "content-type" not in names and saved.preview_language.lower() in PREVIEW_TYPES:
        ctype = PREVIEW_TYPES[saved.preview_language.lower()]
        headers.append(("Content-Type", compile_template(ctype, {})))
    body = compile_template(saved.body, variables, captures)
    problems.extend(body.problems)
    return CompiledResponse(
        status=saved.code,
        reason=_reason(saved.code, saved.status),
        headers=tuple(headers),
        body=body,
        static_body=body.static.encode("utf-8") if body.static is not None else None,
        has_cors="access-control-allow-origin" in names,
        problems=tuple(dict.fromkeys(problems)),
    )


class MockEngine:
    """A loaded collection, ready to answer requests and to explain each answer."""

    def __init__(
        self,
        collection: Collection | str | bytes | dict,
        environment: Environment | str | bytes | dict | None = None,
        *,
        options: MatchOptions | None = None,
        seed: int | None = None,
        clock: Callable[[], datetime] | None = None,
        cors: bool = True,
        journal_size: int = 1000,
    ) -> None:
        self.collection = load_collection(collection)
        self.environment = load_environment(environment) if environment is not None else None
        self.options = options or MatchOptions()
        self.cors = cors
        self.fake = fakes.FakeContext(seed, clock)
        self.journal = Journal(journal_size)
        self.index = Index(self.collection, self.environment)
        self._responses = {
            id(t): _compile_response(
                t.example,
                self.index.variables,
                [m.group(1).strip() for m in TOKEN.finditer(t.path)],
            )
            for t in self.index.targets
        }

    # ------------------------------------------------------------------ matching and answers

    def rank(self, request: MockRequest) -> Ranking:
        return rank(request, self.index, self.options)

    def explain(self, request: MockRequest) -> Ranking:
        """The full ranking (every example with its reason) for ``request``, sent or not."""
        ranking = self.rank(request)
        ranking.candidates  # noqa: B018 - computes the full table
        return ranking

    def handle(self, request: MockRequest, *, record: bool = True) -> Served:
        """Answer ``request``: rank, choose, render, and record the call in the journal."""
        started = time.perf_counter()
        call_id = self.journal.next_id()
        ranking = self.rank(request)
        winner = choose(ranking)
        problems: tuple[str, ...] = ()
        if winner is None:
            response = self._not_found()
        else:
            compiled = self._responses[id(winner.target)]
            response = self._render(compiled, winner, request)
            problems = compiled.problems
        delay = parse_delay(request.header("x-mock-response-delay"))
        if record:
            self.journal.record(
                Call(
                    id=call_id,
                    time=datetime.now(timezone.utc),
                    request=request,
                    status=response.status,
                    example=winner.example.name if winner else "",
                    example_id=winner.example.id if winner else "",
                    example_position=winner.example.position if winner else -1,
                    score=winner.score if winner else None,
                    decided_by=ranking.decided_by,
                    duration_ms=(time.perf_counter() - started) * 1000,
                    error="" if winner else NOT_FOUND["name"],
                )
            )
        return Served(response, ranking, winner, call_id, delay, problems)

    def _render(self, compiled: CompiledResponse, winner: Candidate, request: MockRequest) -> MockResponse:
        ctx = RenderContext(request, winner.captures, self.fake)
        headers = [(name, render_header(t, ctx)) for name, t in compiled.headers]
        if self.cors and not compiled.has_cors:
            headers.append(("Access-Control-Allow-Origin", "*"))
        body = compiled.static_body
        if body is None:
            body = render(compiled.body, ctx).encode("utf-8")
        return MockResponse(compiled.status, compiled.reason, tuple(headers), body)

    def _not_found(self) -> MockResponse:
        headers = [("Content-Type", "application/json; charset=utf-8")]
        if self.cors:
            headers.append(("Access-Control-Allow-Origin", "*"))
        return MockResponse(404, "Not Found", tuple(headers), error_body(**NOT_FOUND))

    # --------------------------------------------------------------------------- inspection

    def problems(self) -> dict[str, tuple[str, ...]]:
        """Template problems per example (unresolved variables, unknown dynamic variables)."""
        return {
            t.example.json_path: self._responses[id(t)].problems
            for t in self.index.targets
            if self._responses[id(t)].problems
        }

    def replay(self, call_id: str) -> Ranking | None:
        """Re-rank a recorded call (ranking is deterministic) with the full explanation."""
        call = self.journal.get(call_id)
        return None if call is None else self.explain(call.request)
