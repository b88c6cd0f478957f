"""MockEngine: a collection compiled once, answering ``MockRequest``s with ``MockResponse``s.

    engine.handle(request) -> rank (matching) -> choose -> render (templating) -> journal

No sockets here: the Tornado server, the httpx transport, the CLI and the widgets all call
``handle`` (to answer) or ``explain`` (to see every candidate). Everything that can be done once
is done in ``__init__``: variables resolved, paths indexed, response templates compiled (a body
without ``{{`` is stored as ready bytes).
"""

from __future__ import annotations

import hmac
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from http import HTTPStatus

from . import fakes, gcpause
from .collection import load_collection, load_environment
from .explaining import ExplainedRanking, explain as explain_ranking
from .headerclean import clean_name, to_wire, wire_value
from .journal import JOURNAL_BODY_BYTES, JOURNAL_BYTES, JOURNAL_SIZE, Call, Journal
from .matching import Candidate, Index, MatchOptions, Ranking, rank
from .model import Collection, Environment, Example, MockRequest, MockResponse, Pairs, SavedResponse
from .redact import Redactor
from .strictnum import parse_int
from .templating import (
    TOKEN,
    RenderContext,
    Template,
    Token,
    compile_template,
    render,
    render_header,
)

__all__ = ["CALL_HEADER", "MockEngine", "Served", "NOT_FOUND", "error_body", "DELAY_PRESETS", "parse_delay",
           "cors_headers", "with_cors"]

CALL_HEADER = "x-mockkit-call"
"""Every answer carries its journal id in this header, so ``explain(response)`` can find it."""

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
    return json.dumps({"error": error}, separators=(",", ":")).encode()


def parse_delay(value: object) -> int | None:
    """A delay in ms from an int, a numeric string or a preset ("2G", "3G"); None when absent/bad."""
    if value is None or value == "":
        return None
    if isinstance(value, str) and value.strip().upper() in DELAY_PRESETS:
        return DELAY_PRESETS[value.strip().upper()]
    if isinstance(value, bool):
        return None
    return parse_int(str(value), 1, MAX_DELAY_MS)  # ASCII digits only (strictnum)


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


JSON_BODY_NOTE = ("the response body is JSON with placeholders: values are JSON-escaped inside strings and "
                  "written as JSON values elsewhere, so it stays valid JSON (mockkit's rule, spec 9.18; Postman "
                  "inserts them verbatim)")


def uncaptured_note(name: str) -> str:
    """Spec 9.13 for a wildcard the request did not fill."""
    return (f"wildcard {{{{{name}}}}} captured nothing (the example was not matched by its path, e.g. it was "
            "picked by x-mock-response-name or -id), so it is left as written")


def cors_headers(origin: str | None) -> list[tuple[str, str]]:
    """The automatic CORS headers of an answer (spec 9.9): a request with an ``Origin`` gets it
    echoed, with ``Access-Control-Allow-Credentials: true`` and ``Vary: Origin``, so credentialed
    browser calls (``credentials: 'include'``) work; a request without one gets ``*``."""
    origin = wire_value(origin) if origin else ""
    if origin:
        return [("Access-Control-Allow-Origin", origin), ("Access-Control-Allow-Credentials", "true"),
                ("Vary", "Origin")]
    return [("Access-Control-Allow-Origin", "*")]


def with_cors(headers: list[tuple[str, str]], origin: str | None) -> list[tuple[str, str]]:
    """``headers`` plus the automatic CORS headers, unless they already say which origin may read
    the answer (an ``Access-Control-Allow-Origin`` of their own). ``Vary: Origin`` joins an
    existing ``Vary`` header rather than adding a second one."""
    if any(k.lower() == "access-control-allow-origin" for k, _ in headers):
        return headers
    out = list(headers)
    for key, value in cors_headers(origin):
        if key == "Vary":
            at = next((i for i, (k, _) in enumerate(out) if k.lower() == "vary"), None)
            if at is not None:
                old = out[at][1]
                if "origin" not in old.lower() and old.strip() != "*":
                    out[at] = (out[at][0], f"{old}, Origin" if old.strip() else "Origin")
                continue
        out.append((key, value))
    return out


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


def _has_dynamic(compiled: CompiledResponse) -> bool:
    templates = [compiled.body, *(t for _, t in compiled.headers)]
    return any(isinstance(p, Token) and p.kind == "dynamic" for t in templates for p in t.parts)


def _labelled_json(saved: SavedResponse) -> bool:
    """A response body labelled JSON: by its Content-Type (``application/json``, ``+json``) or,
    without one, by Postman's preview language."""
    ctype = next((v for k, v in saved.headers if k.strip().lower() == "content-type"), None)
    if ctype is not None:
        return "json" in ctype.lower()
    return saved.preview_language.lower() == "json"


def _compile_response(example: Example, variables: dict[str, str], captures: list[str]) -> CompiledResponse:
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
    body = compile_template(saved.body, variables, captures, json_body=_labelled_json(saved))
    problems.extend(body.problems)
    return CompiledResponse(
        status=saved.code,
        reason=_reason(saved.code, saved.status),
        headers=tuple(headers),
        body=body,
        static_body=body.static.encode("utf-8", "replace") if body.static is not None else None,
        has_cors="access-control-allow-origin" in names,
        problems=tuple(dict.fromkeys(problems)),
    )


class MockEngine:
    """A loaded collection, ready to answer requests and to explain each answer."""

    @gcpause.building(lambda engine: len(engine.index))  # no stop-the-world collections while building
    def __init__(
        self,
        collection: Collection | str | bytes | dict,
        environment: Environment | str | bytes | dict | None = None,
        *,
        options: MatchOptions | None = None,
        seed: int | None = None,
        clock: Callable[[], datetime] | None = None,
        cors: bool = True,
        journal_size: int = JOURNAL_SIZE,
        journal_bytes: int = JOURNAL_BYTES,
        journal_body_bytes: int = JOURNAL_BODY_BYTES,
        journal: Journal | None = None,
        api_key: str | None = None,
        delay: int | str | None = None,
    ) -> None:
        self.collection = load_collection(collection)
        self.environment = load_environment(environment) if environment is not None else None
        self.options = options or MatchOptions()
        self.cors = cors
        self.api_key = api_key or None
        self._redact = Redactor(self.api_key) if self.api_key else None
        self.delay = parse_delay(delay)
        if delay is not None and self.delay is None:
            raise ValueError(f"delay must be 1..{MAX_DELAY_MS} ms or one of {sorted(DELAY_PRESETS)}, not {delay!r}")
        self.seed = seed
        self.fake = fakes.FakeContext(seed, clock)
        self._fake_lock = threading.Lock()
        self.journal = journal if journal is not None else Journal(
            journal_size, max_bytes=journal_bytes, max_body=journal_body_bytes)
        self.generation = self.journal.register(self)  # a reload makes a new generation in the same journal
        self.server_response: MockResponse | None = None
        self.index = Index(self.collection, self.environment, colon_wildcards=self.options.colon_wildcards)
        self._responses = {
            id(t): _compile_response(
                t.example,
                self.index.variables,
                [m.group(1).strip() for m in TOKEN.finditer(t.path)],
            )
            for t in self.index.targets
        }
        self._by_position = {t.example.position: self._responses[id(t)] for t in self.index.targets}
        self._warmer: threading.Thread | None = None
        if any(_has_dynamic(r) for r in self._responses.values()):
            # Faker takes ~0.2 s to start; do it now, off the caller's thread, not on the first call.
            # (Its seed was fixed when the context was made, so seeded output does not change.)
            self._warmer = threading.Thread(target=self._warm_fakes, name="mockkit-faker", daemon=True)
            self._warmer.start()

    def _warm_fakes(self) -> None:
        with self._fake_lock:
            self.fake.faker  # noqa: B018 - creates it

    def wait_ready(self, timeout: float = 30.0) -> None:
        """Wait for background warm-up. Call before ``os.fork``: a child must not inherit a lock
        held by a thread that does not exist in it."""
        if self._warmer is not None:
            self._warmer.join(timeout)

    # ------------------------------------------------------------------ matching and answers

    def rank(self, request: MockRequest) -> Ranking:
        """The ranking of ``request`` against this engine's collection (``matching.rank``, with
        its winner): what ``handle`` serves, without the full explanation."""
        return rank(request, self.index, self.options)

    def explain(self, request: MockRequest) -> ExplainedRanking:
        """The full explanation for ``request``, sent or not: every example, best first, each with
        its reason, and the notes (``explaining.explain``; plus, when the winner's body is JSON
        with placeholders, how they are filled: spec 9.18). ``report.ranking_frame`` makes the
        ``Explanation`` DataFrame from it."""
        ranking = self.rank(request)
        winner = ranking.winner
        json_body = winner is not None and self._responses[id(winner.target)].body.json_modes is not None
        return explain_ranking(ranking, (JSON_BODY_NOTE,) if json_body else ())

    def handle(self, request: MockRequest, *, record: bool = True) -> Served:
        """Answer ``request``: rank, choose, render, and record the call in the journal.

        Before matching: a private mock refuses calls without the right ``x-api-key`` (401,
        spec 9.10), and an active server response answers every call (spec 9.7). An unmatched
        CORS pre-flight gets a permissive 204 (spec 9.8).
        """
        started = time.perf_counter()
        call_id = self.journal.next_id()
        ranking: Ranking | None = None
        winner: Candidate | None = None
        problems: tuple[str, ...] = ()
        error = ""
        authorized = self._authorized(request)
        if self._redact is not None:  # a private mock's key: never seen by templates, never logged
            request = self._redact.request(request)
        if not authorized:
            response, error = self._unauthorized(request), "unauthorizedError"
        elif self.server_response is not None:
            response, error = self.server_response, "serverResponse"
            if self.cors:
                response = replace(response, headers=tuple(with_cors(list(response.headers), request.header("origin"))))
        else:
            ranking = self.rank(request)
            winner = ranking.winner
            if winner is not None:
                compiled = self._responses[id(winner.target)]
                with self._fake_lock:
                    response, uncaptured = self._render(compiled, winner, request)
                if self.cors and self._is_preflight(request):
                    response = self._with_preflight_headers(response, request)
                problems = compiled.problems + tuple(uncaptured_note(name) for name in dict.fromkeys(uncaptured))
            elif self._is_preflight(request):
                response = self._preflight(request)
            else:
                response, error = self._not_found(request), NOT_FOUND["name"]
        delay = parse_delay(request.header("x-mock-response-delay")) or self.delay
        if record:
            self._record(call_id, request, response.status, winner, ranking, started, error, response.headers)
        return Served(response, ranking, winner, call_id, delay, problems)

    def _record(self, call_id: str, request: MockRequest, status: int, winner: Candidate | None,
                ranking: Ranking | None, started: float, error: str, headers: Pairs = ()) -> None:
        self.journal.record(Call(
            id=call_id,
            time=datetime.now(timezone.utc),
            request=request,
            status=status,
            example=winner.example.name if winner else "",
            example_id=winner.example.id if winner else "",
            example_position=winner.example.position if winner else -1,
            score=winner.score if winner else None,
            decided_by=ranking.decided_by if ranking else "none",
            duration_ms=(time.perf_counter() - started) * 1000,
            error=error,
            generation=self.generation,
            response_headers=headers,
        ))

    def record_failure(self, request: MockRequest, exc: BaseException, started: float) -> None:
        """Log a call the engine failed to answer (the server answers it with a 500)."""
        self._record(self.journal.next_id(), request, 500, None, None, started, f"{type(exc).__name__}: {exc}")

    def amend_call(self, call_id: str, status: int, error: str) -> None:
        """Correct a logged call with what the server really sent (a 503 past the delayed-answer
        caps, a 500 when the answer could not be written, nothing when the client left)."""
        self.journal.amend(call_id, status=status, error=error)

    def _authorized(self, request: MockRequest) -> bool:
        if self.api_key is None:
            return True
        given = request.header("x-api-key") or ""
        return hmac.compare_digest(given.encode("utf-8", "replace"), self.api_key.encode("utf-8", "replace"))

    def _unauthorized(self, request: MockRequest) -> MockResponse:
        body = error_body(
            "unauthorizedError",
            "This mock is private: send its key in the x-api-key header.",
        )
        return MockResponse(401, "Unauthorized", self._json_headers(request), body)

    @staticmethod
    def _is_preflight(request: MockRequest) -> bool:
        return request.method == "OPTIONS" and request.header("access-control-request-method") is not None

    def _preflight(self, request: MockRequest) -> MockResponse:
        """The automatic answer to an unmatched pre-flight (spec 9.8, with 9.9's origin rule)."""
        if not self.cors:
            return self._not_found(request)
        headers = [
            ("Access-Control-Allow-Methods", wire_value(request.header("access-control-request-method") or "")
             or "GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS"),
            ("Access-Control-Allow-Headers", wire_value(request.header("access-control-request-headers") or "") or "*"),
            ("Access-Control-Max-Age", "600"),
        ]
        return MockResponse(204, "No Content", tuple(with_cors(headers, request.header("origin"))), b"")

    def _with_preflight_headers(self, response: MockResponse, request: MockRequest) -> MockResponse:
        """An OPTIONS example answering a pre-flight, plus the CORS headers it lacks (spec 9.8)."""
        have = {k.lower() for k, _ in response.headers}
        extra = [(k, v) for k, v in self._preflight(request).headers if k.lower() not in have]
        if dict((k.lower(), v) for k, v in response.headers).get("access-control-allow-origin", "").strip() == "*":
            extra = [(k, v) for k, v in extra if k.lower() != "access-control-allow-credentials"]  # never with *
        return MockResponse(response.status, response.reason, (*response.headers, *extra), response.body)

    def _json_headers(self, request: MockRequest) -> tuple[tuple[str, str], ...]:
        headers = [("Content-Type", "application/json; charset=utf-8")]
        if self.cors:
            headers = with_cors(headers, request.header("origin"))
        return tuple(headers)

    # ------------------------------------------------------------------ server responses (C5)

    def set_server_response(
        self,
        status: int = 500,
        body: str | bytes | dict | list = "",
        headers: dict[str, str] | None = None,
        *,
        language: str | None = None,
    ) -> MockResponse:
        """Answer every call with this response until ``clear_server_response`` (spec C5)."""
        if not 500 <= int(status) <= 599:
            raise ValueError(f"a server response needs a 5xx status, not {status}")
        if isinstance(body, (dict, list)):
            body, language = json.dumps(body), language or "json"
        data = body.encode("utf-8", "replace") if isinstance(body, str) else bytes(body)
        pairs = [(clean_name(k), wire_value(str(v))) for k, v in (headers or {}).items() if clean_name(k)]
        if language and not any(k.lower() == "content-type" for k, _ in pairs):
            pairs.append(("Content-Type", PREVIEW_TYPES.get(language, "text/plain")))
        # CORS headers are added per call (they depend on the request's Origin: spec 9.9)
        self.server_response = MockResponse(int(status), _reason(int(status), ""), tuple(pairs), data)
        return self.server_response

    def clear_server_response(self) -> None:
        self.server_response = None

    def reseed(self, seed: int | None) -> None:
        """Restart fake data from ``seed`` (``None``: fresh entropy), as a new engine would."""
        with self._fake_lock:
            self.fake.reseed(seed)
            self.seed = seed

    def _render(self, compiled: CompiledResponse, winner: Candidate, request: MockRequest) -> tuple[MockResponse, list[str]]:
        """The example's response filled for ``request``, and the wildcards it could not fill."""
        ctx = RenderContext(request, winner.captures, self.fake)
        headers = [(name, to_wire(render_header(t, ctx))) for name, t in compiled.headers]
        if self.cors and not compiled.has_cors:
            headers = with_cors(headers, request.header("origin"))
        body = compiled.static_body
        if body is None:
            body = render(compiled.body, ctx).encode("utf-8", "replace")
        return MockResponse(compiled.status, compiled.reason, tuple(headers), body), ctx.uncaptured

    def _not_found(self, request: MockRequest) -> MockResponse:
        return MockResponse(404, "Not Found", self._json_headers(request), error_body(**NOT_FOUND))

    # --------------------------------------------------------------------------- inspection

    def problems(self) -> dict[str, tuple[str, ...]]:
        """Template problems per example (unresolved variables, unknown dynamic variables)."""
        return {
            t.example.json_path: self._responses[id(t)].problems
            for t in self.index.targets
            if self._responses[id(t)].problems
        }

    def problems_for(self, example: Example) -> tuple[str, ...]:
        """What rendering ``example``'s response leaves unresolved (empty when all is well)."""
        compiled = self._by_position.get(example.position)
        return compiled.problems if compiled is not None else ()

    def answered_by(self, call: Call) -> "MockEngine":
        """The engine generation that answered ``call`` (this one, or one before a reload).

        Raises ``LookupError`` when that generation is no longer kept (the journal keeps the last
        ``Journal.kept_generations``)."""
        if call.generation in (0, self.generation):
            return self
        engine = self.journal.generation(call.generation)
        if not isinstance(engine, MockEngine):
            raise LookupError(
                f"call {call.id} was answered by generation {call.generation} of this mock's collection, which "
                f"is gone: it has been reloaded since (now generation {self.generation}) and mockkit keeps the "
                f"last {self.journal.kept_generations}. Explain the request by method and path to rank it "
                f"against the current collection: explain('{call.request.method}', '{call.request.target}')")
        return engine

    def replay(self, call_id: str) -> ExplainedRanking | None:
        """Re-rank a recorded call with the full explanation, against the engine generation that
        answered it (ranking is deterministic; a reload may have changed the collection since).
        None when the call is no longer in the call log; ``LookupError`` when its generation is
        gone (``answered_by``).

        When the call log kept only a prefix of the request body (``Journal.max_body``), the
        re-ranking compares that prefix, and the explanation's notes say so (and whether the
        example it picks differs from the one that answered)."""
        call = self.journal.get(call_id)
        if call is None:
            return None
        engine = self.answered_by(call)
        explained = engine.explain(call.request)
        before, after = [], []
        if engine is not self:
            before.append(f"explained against the collection as it was when call {call.id} was answered "
                          f"(generation {call.generation}); it has been reloaded since (now generation "
                          f"{self.generation})")
        if call.body_truncated:
            after.append(
                f"the request body was {call.body_size:,} bytes; the call log keeps the first "
                f"{len(call.request.body):,} (sha256 {call.body_sha256[:16]}...), so this re-ranking compares "
                "only that prefix with the examples' bodies")
            winner = explained.winner
            if (winner.example.position if winner else -1) != call.example_position:
                after.append(
                    f"the call was answered by '{call.example or 'no example'}'; with the kept prefix the "
                    f"ranking picks '{winner.example.name if winner else 'no example'}'")
        return explained.with_notes(before, after)
