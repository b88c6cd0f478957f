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
from datetime import datetime
from typing import TYPE_CHECKING, Any, Unpack

from . import answers, fakes, gcpause
from .collection import load_collection, load_environment
from .explaining import ExplainedRanking, explain as explain_ranking
from .errors import ConfigError, MockLookupError
from .journal import Call, Forwarded, Journal
from .matching import Candidate, Index, Ranking, rank
from .model import Collection, Environment, Example, MockRequest, MockResponse, Pairs
from .options import MockOptions, OptionFields, parse_delay, resolve
from .redact import Redactor
from .responses import CompiledResponses, render_response, server_response, uncaptured_note
from .quickinit import quick_init

if TYPE_CHECKING:  # pragma: no cover
    from .recorder import Recorder
    from .recording import ForwardPlan

__all__ = ["CALL_HEADER", "MockEngine", "Served", "engine_for"]

CALL_HEADER = "x-mockkit-call"
"""Every answer carries its journal id in this header, so ``explain(response)`` can find it."""

@quick_init  # issue 17: built once per call
@dataclass(frozen=True, slots=True)
class Served:
    """What ``handle`` returns: the response, the ranking behind it, and the call's journal id."""

    response: MockResponse
    ranking: Ranking | None
    winner: Candidate | None
    call_id: str | None  # None: not a mock call (a hub's management answer), so no call header
    delay_ms: int | None
    problems: tuple[str, ...] = ()
    forward: ForwardPlan | None = None  # a call to forward upstream: the door runs it (issue 16)
    forwarded: Forwarded | None = None  # the call was forwarded: what happened


FORWARD_PENDING = answers.error_answer(500, "serverError", "mockkit planned to forward this call, but it was not run",
                                       cors=False)
"""The response of a ``Served`` whose ``forward`` is set: the door runs the forward and sends its
answer instead, so a client sees this only if a door forgets to (issue 16)."""

JSON_BODY_NOTE = ("the response body is JSON with placeholders: values are JSON-escaped inside strings and "
                  "written as JSON values elsewhere, so it stays valid JSON (mockkit's rule, spec 9.18; Postman "
                  "inserts them verbatim)")


class MockEngine:
    """A loaded collection, ready to answer requests and to explain each answer: no sockets.

    The Tornado server, the httpx transport, ``explain``, the CLI and the Explorer all use one;
    use it directly to answer requests from your own server or framework. Everything that can be
    done once is done when it is made: variables resolved, paths indexed, response templates
    compiled. ``handle`` is safe to call from several threads.

    Args:
        collection: the Postman collection: a path (a v2.x JSON file or a v3 folder), JSON text,
            bytes, a dict, or a loaded ``Collection``.
        environment: a Postman environment (path, JSON text, bytes, dict, ``Environment``).
        options: how it matches and answers (``MockOptions``).
        clock: what dynamic variables such as ``{{$timestamp}}`` and ``{{$isoTimestamp}}`` take
            as the time (a function returning an aware ``datetime``); default: the real time.
        journal: a call log to share (a reload adds a new generation to the old one's).
        **overrides: fields of ``MockOptions`` as keywords, applied over ``options``.

    Raises:
        CollectionError: the collection or environment cannot be loaded.
        ConfigError: an option has a value it cannot take.
        TypeError: a keyword that is not an option.

    Examples:
        ```python
        engine = mockkit.MockEngine("api.json", seed=1, match_body=True)
        served = engine.handle(mockkit.MockRequest.from_target("GET", "/users/42"))
        served.response.status, served.response.body
        ```
    """

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
        self.options = options = resolve(options, overrides)
        self.collection = _recording_into(collection, options.record) or load_collection(collection)
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
        self._responses = CompiledResponses(self.index.targets, self.index.variables)
        self.recorder: Recorder | None = None
        if options.record != "none":  # issue 16: the doors forward (forwarding.Forwarder), the recorder keeps
            from .recorder import Recorder

            self.recorder = Recorder(options.record, self.collection, collection, options.redact)
            self.recorder.adopt(self)
        self._warmer: threading.Thread | None = None
        if self._responses.any_dynamic():
            # Faker takes ~0.2 s to start; do it now, off the caller's thread, not on the first call.
            # (Its seed was fixed when the context was made, so seeded output does not change.)
            self._warmer = threading.Thread(target=self._warm_fakes, name="mockkit-faker", daemon=True)
            self._warmer.start()

    def rebuilt(self, collection: Collection | str | os.PathLike[str] | bytes | dict[str, Any],
                environment: Environment | str | bytes | dict[str, Any] | None = None) -> MockEngine:
        """A new engine for ``collection`` (a reload of the files) with this one's options, its
        current seed, its call log (a new generation in it) and its active server response.
        A recording mock applies its recordings not saved yet to what it read (``Recorder.rebase``).

        Args:
            collection: the collection to load (usually the same path again).
            environment: the environment to load, or ``None``.

        Returns:
            The new engine; this one is unchanged and keeps answering until it is swapped out.

        Raises:
            CollectionError: the file is broken; nothing changes.

        Examples:
            ```python
            engine = engine.rebuilt("api.json")
            ```
        """
        loaded = load_collection(collection)
        if self.recorder is None:
            return self._successor(loaded, environment)
        with self.recorder.writing():  # no recording slips in between reading and swapping
            return self._successor(self.recorder.rebase(loaded), environment)

    def _successor(self, collection: Collection, environment: Any = None, *, recorded: bool = False) -> MockEngine:
        """The next generation for ``collection``, sharing what a reload keeps; ``recorded``: the
        same environment and fake-data sequence (a recording, not a reload)."""
        engine = MockEngine(collection, self.environment if recorded else environment,
                            options=replace(self.options, seed=self.seed), journal=self.journal)
        engine.server_response = self.server_response
        if recorded:
            engine.fake, engine._fake_lock = self.fake, self._fake_lock
        if self.recorder is not None:
            engine.recorder = self.recorder
            self.recorder.adopt(engine)
        return engine

    def _warm_fakes(self) -> None:
        with self._fake_lock:
            self.fake.faker  # noqa: B018 - creates it

    def wait_ready(self, timeout: float = 30.0) -> None:
        """Wait for the background warm-up (Faker takes about 0.2 s to start). Call it before
        ``os.fork``: a child must not inherit a lock held by a thread that does not exist in it.

        Args:
            timeout: seconds to wait at most.

        Examples:
            ```python
            engine.wait_ready(timeout=5)
            ```
        """
        if self._warmer is not None:
            self._warmer.join(timeout)

    # ------------------------------------------------------------------ matching and answers

    def rank(self, request: MockRequest) -> Ranking:
        """Rank ``request`` against this engine's collection: what ``handle`` serves, without
        the sentences of ``explain`` (Postman's algorithm, spec §1.2; pure, no call logged).

        Args:
            request: the request to rank.

        Returns:
            An immutable ``matching.Ranking``: ``winner`` (the ``Candidate`` a mock serves, or
            ``None``), ``decided_by`` (``score``, ``response-id``, ``response-name`` or
            ``none``), and the candidates it scored.

        Examples:
            ```python
            ranking = engine.rank(mockkit.MockRequest.from_target("GET", "/users/42"))
            ranking.winner.example.name if ranking.winner else None
            ```
        """
        return rank(request, self.index, self.options)

    def explain(self, request: MockRequest) -> ExplainedRanking:
        """The full explanation for ``request``, sent or not: every example, best first, each with
        its reason, and the notes (plus, when the winner's body is JSON with placeholders, how
        they are filled: spec 9.18). No call is logged.

        Args:
            request: the request to explain.

        Returns:
            An ``explaining.ExplainedRanking`` (``candidates`` best first, each with its
            ``reason``; ``notes``); ``report.ranking_frame`` makes the ``Explanation`` DataFrame
            from it, and ``mockkit.explain`` does both.

        Examples:
            ```python
            explained = engine.explain(mockkit.MockRequest.from_target("GET", "/users?page=2"))
            [c.reason for c in explained.candidates[:3]]
            ```
        """
        ranking = self.rank(request)
        winner = ranking.winner
        json_body = winner is not None and self._responses.of(winner.target).body.json_modes is not None
        explained = explain_ranking(ranking, (JSON_BODY_NOTE,) if json_body else ())
        if self.options.proxy is None:
            return explained
        from .explaining import REPLAY_ONLY_NOTE, proxy_answer  # issue 16: what a proxying mock does with it
        from .proxyconfig import forward_url

        reason = self._forward_reason(request, ranking)
        if reason is not None:
            url = forward_url(self.options.proxy, request)
            return explained.with_answer(*proxy_answer(url, self.options.record, reason))
        replay_only = self.recorder is not None and not self.recorder.empty_at_start and self.options.record == "once"
        return explained.with_notes(after=(REPLAY_ONLY_NOTE,)) if replay_only and winner is None else explained

    def handle(self, request: MockRequest, *, record: bool = True) -> Served:
        """Answer ``request``: rank, choose, render, and record the call in the call log.

        Before matching: a private mock refuses calls without the right ``x-api-key`` (401,
        spec 9.10) but a CORS pre-flight (browsers send those without custom headers), and an
        active server response answers every call (spec 9.7). An unmatched CORS pre-flight gets a
        permissive 204 (spec 9.8); a request no example matches gets Postman's 404
        ``mockRequestNotFoundError`` body. It never raises for what a request sends.

        Args:
            request: the request to answer.
            record: log the call (``False``: answer without a trace, as the Explorer's preview does).

        Returns:
            A ``Served``: ``response`` (a ``MockResponse``), ``ranking`` and ``winner`` (``None``
            when the answer came before matching), ``call_id`` (its id in the call log, sent as
            the ``x-mockkit-call`` header), ``delay_ms`` (the delay to wait before answering, ms,
            or ``None``) and ``problems`` (what rendering left unresolved).

        Examples:
            ```python
            served = engine.handle(mockkit.MockRequest.from_target(
                "GET", "/users/42", headers={"x-mock-response-code": "404"}))
            served.response.status, served.winner.example.name
            ```
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
            forward = self._forwarding(request, ranking, call_id, started)
            if forward is not None:  # issue 16: the door runs it and sends the upstream's answer
                return Served(FORWARD_PENDING, ranking, None, call_id, forward.delay_ms, forward=forward)
            if winner is not None:
                compiled = self._responses.of(winner.target)
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
        delay = self._delay(request)
        if record:
            self._record(call_id, request, response.status, winner, ranking, started, error, response.headers)
        return Served(response, ranking, winner, call_id, delay, problems)

    def _delay(self, request: MockRequest) -> int | None:
        """The call's delay in ms: its ``x-mock-response-delay`` header, else the mock's own."""
        return parse_delay(request.header("x-mock-response-delay")) or self.delay

    def _forwarding(self, request: MockRequest, ranking: Ranking, call_id: str, started: float) -> ForwardPlan | None:
        """The plan to forward this call upstream (issue 16: ``recording.forward_reason``), or
        None when the mock answers it (no proxy, a CORS pre-flight, the record mode says so)."""
        reason = self._forward_reason(request, ranking)
        if reason is None:
            return None
        from .recording import ForwardPlan

        return ForwardPlan(self, request, ranking, call_id, started, self._delay(request), reason)

    def _forward_reason(self, request: MockRequest, ranking: Ranking) -> str | None:
        """Why this mock forwards ``request`` (``recording.FORWARD_REASONS``), or None."""
        if self.options.proxy is None or (self.cors and answers.is_preflight(request)):
            return None
        from .recording import forward_reason

        recorder = self.recorder
        return forward_reason(self.options.record, ranking,
                              empty_at_start=recorder.empty_at_start if recorder is not None else True)

    def log_forwarded(self, call_id: str, request: MockRequest, ranking: Ranking, started: float, status: int,
                      error: str, headers: Pairs, forwarded: Forwarded) -> None:
        """Log a forwarded call in the call log, with what happened upstream (issue 16; called by
        ``forwarding.finish`` once the upstream answered or failed).

        Args:
            call_id (str): the call's id (``x-mockkit-call``), from its ``ForwardPlan``.
            request (MockRequest): the request.
            ranking (Ranking): its ranking against this engine's collection.
            started (float): when the call started (``time.perf_counter()``, seconds).
            status (int): the status sent to the client (the upstream's, or 502).
            error (str): the error name sent (``""`` for the upstream's own answer).
            headers (Pairs): the answer's headers, secret values redacted.
            forwarded (Forwarded): the facts: where it went, the upstream's status and time, the
                example it became.

        Examples:
            ```python
            engine.log_forwarded(plan.call_id, plan.request, plan.ranking, plan.started, 200, "",
                                 (("Content-Type", "application/json"),), facts)
            engine.journal.snapshot()[-1].forwarded.recorded_as
            ```
        """
        self._record(call_id, request, status, None, ranking, started, error, headers, forwarded)

    def _record(self, call_id: str, request: MockRequest, status: int, winner: Candidate | None,
                ranking: Ranking | None, started: float, error: str, headers: Pairs = (),
                forwarded: Forwarded | None = None) -> None:
        self.journal.record(Call(
            id=call_id,
            at=time.time(),
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
            forwarded=forwarded,
        ))

    def record_failure(self, request: MockRequest, exc: BaseException, started: float) -> None:
        """Log a call the engine failed to answer (a bug: the server answers it with a 500 and
        logs the traceback), so the call log and the strict checks see it.

        Args:
            request: the request it failed on.
            exc: the exception raised.
            started: when the call started, a ``time.perf_counter()`` value (s).

        Examples:
            ```python
            started = time.perf_counter()
            try:
                engine.handle(request)
            except Exception as exc:
                engine.record_failure(request, exc, started)
            ```
        """
        self._record(self.journal.next_id(), request, 500, None, None, started, f"{type(exc).__name__}: {exc}")

    def amend_call(self, call_id: str, status: int, error: str) -> None:
        """Correct a logged call with what the server really sent (a 503 past the delayed-answer
        caps, a 500 when the answer could not be written, nothing when the client left).

        Args:
            call_id: the call's id (``Served.call_id``).
            status: the status really sent (0: none, the client left).
            error: why, as Postman's error name or a short text.

        Examples:
            ```python
            engine.amend_call(served.call_id, 503, "serviceUnavailableError")
            ```
        """
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
        """Answer every call with this response until ``clear_server_response`` (Postman's
        server responses, spec C5).

        Args:
            status: the status code, 500 to 599.
            body: the body: text, bytes, or a dict/list sent as JSON.
            headers: response headers, ``{name: value}`` (cleaned of characters a header cannot hold).
            language: Postman's body language (``json``, ``text``, ``html``, ``xml``,
                ``javascript``); sets the Content-Type when ``headers`` has none.

        Returns:
            The ``MockResponse`` that will answer (CORS headers are added per call).

        Raises:
            ConfigError: a status outside 500..599.

        Examples:
            ```python
            engine.set_server_response(503, {"error": "maintenance"})
            ```
        """
        if not 500 <= int(status) <= 599:
            raise ConfigError("status", f"of a server response must be 5xx (500 to 599), not {status}")
        # CORS headers are added per call (they depend on the request's Origin: spec 9.9)
        self.server_response = server_response(int(status), body, headers, language)
        return self.server_response

    def clear_server_response(self) -> None:
        """Stop answering with the server response: examples answer again.

        Examples:
            ```python
            engine.clear_server_response()
            ```
        """
        self.server_response = None

    def reseed(self, seed: int | None) -> None:
        """Restart fake data from ``seed``, as a new engine with that seed would.

        Args:
            seed: the seed; ``None``: fresh entropy (answers cannot be replayed).

        Examples:
            ```python
            engine.reseed(7)
            ```
        """
        with self._fake_lock:
            self.fake.reseed(seed)
            self.seed = seed

    # --------------------------------------------------------------------------- inspection

    def problems(self) -> dict[str, tuple[str, ...]]:
        """Template problems per example: variables that do not resolve, unknown dynamic
        variables (``{{$randomNme}}``), helpers used wrongly.

        Returns:
            ``{example JSON path: (problem, ...)}`` for the examples that have any.

        Examples:
            ```python
            for where, problems in engine.problems().items():
                print(where, "; ".join(problems))
            ```
        """
        return {
            t.example.json_path: self._responses.of(t).problems
            for t in self.index.targets
            if self._responses.of(t).problems
        }

    def problems_for(self, example: Example) -> tuple[str, ...]:
        """What rendering ``example``'s response leaves unresolved.

        Args:
            example: one of this engine's examples (``collection.examples``).

        Returns:
            The problems, as sentences; empty when all is well (or the example is not this
            engine's).

        Examples:
            ```python
            engine.problems_for(engine.collection.examples[0])
            ```
        """
        compiled = self._responses.at(example.position)
        return compiled.problems if compiled is not None else ()

    def answered_by(self, call: Call) -> "MockEngine":
        """The engine generation that answered ``call``: this one, or one before a reload.

        Args:
            call: a call of this engine's call log.

        Returns:
            The engine that answered it.

        Raises:
            MockLookupError: that generation is no longer kept (the call log keeps the last
                ``Journal.kept_generations``).

        Examples:
            ```python
            call = engine.journal.snapshot()[-1]
            engine.answered_by(call).collection.name
            ```
        """
        if call.generation in (0, self.generation):
            return self
        engine = self.journal.generation(call.generation)
        recorded = self.recorder.collection_at(call.generation) if self.recorder is not None and engine is None else None
        if recorded is not None:  # a generation made by recording: rebuilt for the explanation (issue 16)
            engine = MockEngine(recorded, self.environment, options=self.options)
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

        When the call log kept only a prefix of the request body (``journal_body_bytes``), the
        re-ranking compares that prefix, and the explanation's notes say so (and whether the
        example it picks differs from the one that answered).

        Args:
            call_id: the call's id (the ``x-mockkit-call`` header of its response).

        Returns:
            The ``explaining.ExplainedRanking``, or ``None`` when the call is no longer in the
            call log.

        Raises:
            MockLookupError: the generation that answered it is gone (``answered_by``).

        Examples:
            ```python
            explained = engine.replay(response.headers["x-mockkit-call"])
            ```
        """
        call = self.journal.get(call_id)
        if call is None:
            return None
        engine = self.answered_by(call)
        explained = engine.explain(call.request)
        before, after = [], []
        if engine is not self:
            since = "examples were recorded" if self.recorder is not None else "it has been reloaded"
            before.append(f"explained against the collection as it was when call {call.id} was answered "
                          f"(generation {call.generation}); {since} since (now generation "
                          f"{self.generation})")
        if call.forwarded is not None:  # issue 16: what happened upstream, in explaining's words
            from .explaining import forwarded_answer, forwarded_notes, passed_over

            after.extend(forwarded_notes(call.forwarded, explained.ranking))
            explained = explained.with_answer(forwarded_answer(call.forwarded), passed_over(call.forwarded))
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


def _recording_into(source: object, mode: str) -> Collection | None:
    """An empty collection when a recording mock names a file that does not exist yet (issue 16)."""
    if mode == "none":
        return None
    from .recording import new_collection

    return new_collection(source, mode)


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
