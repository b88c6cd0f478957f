"""MockEngine: a collection compiled once, answering ``MockRequest``s with ``MockResponse``s.

    engine.handle(request) -> rank (matching) -> choose -> render (templating) -> journal

No sockets here: the Tornado server, the httpx transport, the CLI and the widgets all call
``handle`` (to answer) or ``explain`` (to see every candidate). Everything that can be done once
is done in ``__init__``: variables resolved, paths indexed, response templates compiled (a body
without ``{{`` is stored as ready bytes).
"""

from __future__ import annotations

import hmac
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from typing import Any, Unpack

from . import answers, fakes, gcpause
from .collection import load_collection, load_environment
from .explaining import ExplainedRanking, explain as explain_ranking
from .errors import ConfigError, MockLookupError
from .journal import Call, Journal
from .matching import Candidate, Index, Ranking, rank
from .model import Collection, Environment, Example, MockRequest, MockResponse, Pairs
from .options import MockOptions, OptionFields, parse_delay, resolve
from .redact import Redactor
from .responses import compile_response, has_dynamic, render_response, server_response, uncaptured_note
from .templating import TOKEN

__all__ = ["CALL_HEADER", "MockEngine", "Served", "engine_for"]

CALL_HEADER = "x-mockkit-call"
"""Every answer carries its journal id in this header, so ``explain(response)`` can find it."""

@dataclass(frozen=True, slots=True)
class Served:
    """What ``handle`` returns: the response, the ranking behind it, and the call's journal id."""

    response: MockResponse
    ranking: Ranking | None
    winner: Candidate | None
    call_id: str | None  # None: not a mock call (a hub's management answer), so no call header
    delay_ms: int | None
    problems: tuple[str, ...] = ()


JSON_BODY_NOTE = ("the response body is JSON with placeholders: values are JSON-escaped inside strings and "
                  "written as JSON values elsewhere, so it stays valid JSON (mockkit's rule, spec 9.18; Postman "
                  "inserts them verbatim)")


class MockEngine:
    """A loaded collection, ready to answer requests and to explain each answer."""

    @gcpause.building(lambda engine: len(engine.index))  # no stop-the-world collections while building
    def __init__(
        self,
        collection: Collection | str | os.PathLike[str] | bytes | dict[str, Any],
        environment: Environment | str | os.PathLike[str] | bytes | dict[str, Any] | None = None,
        *,
        options: MockOptions | None = None,
        clock: Callable[[], datetime] | None = None,
        journal: Journal | None = None,
        **overrides: Unpack[OptionFields],
    ) -> None:
        """``collection``: a path (v2.x JSON file or v3 folder), JSON text, a dict or a loaded
        ``Collection``; ``environment`` likewise. ``options`` and the keyword ``overrides`` (the
        fields of ``MockOptions``: ``match_body=True``, ``seed=1``...) say how it answers;
        ``clock`` fixes the time dynamic variables see; ``journal`` shares a call log (a reload).
        Raises ``CollectionError`` for an unusable file and ``ConfigError`` for a bad option."""
        self.options = options = resolve(options, overrides)
        self.collection = load_collection(collection)
        self.environment = load_environment(environment) if environment is not None else None
        self.cors = options.cors
        self.api_key = options.api_key
        self._redact = Redactor(self.api_key) if self.api_key else None
        self.delay = options.delay
        self.seed = options.seed
        self.fake = fakes.FakeContext(self.seed, clock)
        self._fake_lock = threading.Lock()
        self.journal = journal if journal is not None else Journal(
            options.journal_size, max_bytes=options.journal_bytes, max_body=options.journal_body_bytes)
        self.generation = self.journal.register(self)  # a reload makes a new generation in the same journal
        self.server_response: MockResponse | None = None
        self.index = Index(self.collection, self.environment, colon_wildcards=options.colon_wildcards)
        self._responses = {
            id(t): compile_response(
                t.example,
                self.index.variables,
                [m.group(1).strip() for m in TOKEN.finditer(t.path)],
            )
            for t in self.index.targets
        }
        self._by_position = {t.example.position: self._responses[id(t)] for t in self.index.targets}
        self._warmer: threading.Thread | None = None
        if any(has_dynamic(r) for r in self._responses.values()):
            # Faker takes ~0.2 s to start; do it now, off the caller's thread, not on the first call.
            # (Its seed was fixed when the context was made, so seeded output does not change.)
            self._warmer = threading.Thread(target=self._warm_fakes, name="mockkit-faker", daemon=True)
            self._warmer.start()

    def rebuilt(self, collection: Collection | str | os.PathLike[str] | bytes | dict[str, Any],
                environment: Environment | str | bytes | dict[str, Any] | None = None) -> MockEngine:
        """A new engine for ``collection`` (a reload of the files) with this one's options, its
        current seed, its call log (a new generation in it) and its active server response.
        Raises ``CollectionError`` (and changes nothing) for a broken file."""
        engine = MockEngine(collection, environment, options=replace(self.options, seed=self.seed),
                            journal=self.journal)
        engine.server_response = self.server_response
        return engine

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
        spec 9.10) but a CORS pre-flight (browsers send those without custom headers), and an
        active server response answers every call (spec 9.7). An unmatched CORS pre-flight gets a
        permissive 204 (spec 9.8). Error bodies and CORS headers: ``answers``.
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
        origin = request.header("origin")
        if not authorized and self.cors and answers.is_preflight(request):
            response = answers.preflight(request)  # browsers send pre-flights without the key
        elif not authorized:
            response, error = answers.named_answer(answers.UNAUTHORIZED, cors=self.cors, origin=origin), \
                answers.UNAUTHORIZED.name
        elif self.server_response is not None:
            response, error = self.server_response, "serverResponse"
            response = answers.answer_with_cors(response, origin, cors=self.cors)
        else:
            ranking = self.rank(request)
            winner = ranking.winner
            if winner is not None:
                compiled = self._responses[id(winner.target)]
                with self._fake_lock:
                    response, uncaptured = render_response(compiled, winner.captures, request, self.fake, cors=self.cors)
                if answers.is_preflight(request):
                    response = answers.with_preflight_headers(response, request, cors=self.cors)
                problems = compiled.problems + tuple(uncaptured_note(name) for name in dict.fromkeys(uncaptured))
            elif self.cors and answers.is_preflight(request):
                response = answers.preflight(request)
            else:
                response = answers.named_answer(answers.NOT_FOUND, cors=self.cors, origin=origin)
                error = answers.NOT_FOUND.name
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

    # ------------------------------------------------------------------ server responses (C5)

    def set_server_response(
        self,
        status: int = 500,
        body: str | bytes | dict[str, Any] | list[Any] = "",
        headers: dict[str, str] | None = None,
        *,
        language: str | None = None,
    ) -> MockResponse:
        """Answer every call with this response until ``clear_server_response`` (spec C5); raises
        ``ConfigError`` for a status that is not 5xx."""
        if not 500 <= int(status) <= 599:
            raise ConfigError("status", f"of a server response must be 5xx (500 to 599), not {status}")
        # CORS headers are added per call (they depend on the request's Origin: spec 9.9)
        self.server_response = server_response(int(status), body, headers, language)
        return self.server_response

    def clear_server_response(self) -> None:
        self.server_response = None

    def reseed(self, seed: int | None) -> None:
        """Restart fake data from ``seed`` (``None``: fresh entropy), as a new engine would."""
        with self._fake_lock:
            self.fake.reseed(seed)
            self.seed = seed

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

        Raises ``MockLookupError`` (a ``LookupError``) when that generation is no longer kept (the
        journal keeps the last ``Journal.kept_generations``)."""
        if call.generation in (0, self.generation):
            return self
        engine = self.journal.generation(call.generation)
        if not isinstance(engine, MockEngine):
            raise MockLookupError(
                f"call {call.id} was answered by generation {call.generation} of this mock's collection, which "
                f"is gone: it has been reloaded since (now generation {self.generation}) and mockkit keeps the "
                f"last {self.journal.kept_generations}. Explain the request by method and path to rank it "
                f"against the current collection: explain('{call.request.method}', '{call.request.target}')")
        return engine

    def replay(self, call_id: str) -> ExplainedRanking | None:
        """Re-rank a recorded call with the full explanation, against the engine generation that
        answered it (ranking is deterministic; a reload may have changed the collection since).
        None when the call is no longer in the call log; ``MockLookupError`` (a ``LookupError``)
        when its generation is gone (``answered_by``).

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


def engine_for(collection: MockEngine | Collection | str | os.PathLike[str] | bytes | dict[str, Any],
               environment: Environment | str | os.PathLike[str] | bytes | dict[str, Any] | None = None,
               options: MockOptions | None = None, overrides: OptionFields | None = None) -> MockEngine:
    """The engine a door works with: ``collection`` itself when it is a ``MockEngine`` (which has
    its options already: giving options too raises ``TypeError``), else a new engine with
    ``options`` and ``overrides``."""
    if isinstance(collection, MockEngine):
        if options is not None or overrides or environment is not None:
            raise TypeError("this MockEngine has its own collection, environment and options: give the collection "
                            "(a path, dict or Collection) to choose options, or use the engine as it is")
        return collection
    return MockEngine(collection, environment, options=resolve(options, overrides))
