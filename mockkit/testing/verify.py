"""Call assertions and strict checks, shared by ``MockServer`` and the httpx transport.

    mock.assert_called("GET", "/users/{{id}}", times=2)       # the calls, or MockAssertionError
    mock.assert_not_called("DELETE", "/users/*")
    mock.calls_to("POST", "/users")                            # [journal.Call, ...]
    mock.assert_all_matched()                                  # every request got an example
    mock.reset()                                               # as if just started

Which calls a pattern means: ``callmatch``. Which calls failed and how that reads: ``strictness``.

The checks a test wants at its end (``set_checks``: strict, expected examples) run in
``verify()``: the pytest fixtures call it when the test's body has run, the transport when its
client closes. Failed calls are remembered apart from the call log (``CallWatch``), so clearing
the log or a log that drops old calls does not hide them; ``reset()`` forgets everything.

What a pytest session asks of mocks made without explicit settings (strictness, the running
test's seed) is ``session``'s.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from ..errors import ConfigError, MockAssertionError
from ..journal import Call
from ..model import Example
from ..terminal import printable
from .callmatch import CallPattern, Verdict
from .session import default_strict
from .strictness import call_number, failure_kind, failures_message, select_examples, unused_message

if TYPE_CHECKING:  # pragma: no cover
    from ..engine import MockEngine, Served

__all__ = ["CallAssertions", "CallWatch"]

MAX_REMEMBERED = 100
"""Failed calls a ``CallWatch`` keeps (all are counted)."""


class CallWatch:
    """What the end-of-test checks remember apart from the call log, since the last reset:
    failed calls (the first ``MAX_REMEMBERED``), the examples served, what was already reported,
    and the checks asked for. Thread-safe (the server thread adds, the test's thread reads)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.strict = False
        self.expected: dict[str, list[Example]] = {}
        self.all_used = False
        self.reset()

    def reset(self) -> None:
        with self._lock:
            self.failed: dict[str, Call] = {}
            self.failed_count = 0
            self.used: set[int] = set()
            self.reported: set[str] = set()
            self.unused_reported = False

    def add_failed(self, call: Call) -> None:
        with self._lock:
            self.failed_count += 1
            if len(self.failed) < MAX_REMEMBERED:
                self.failed[call.id] = call


class CallAssertions:
    """Assertions over the call log, and the strict end-of-test checks, of a ``MockServer`` or
    an httpx transport (``EngineTransport``): anything with an ``engine`` (a ``MockEngine``).

    A call *pattern* is a method and a path: ``{{name}}``, ``:name`` and ``*`` segments match
    any one segment, a query string in the path must be sent as written, and ``params``,
    ``headers`` and ``json`` must match what was sent (other parameters and headers are not
    compared; rules: ``mockkit.testing.callmatch``). A failed assertion raises
    ``MockAssertionError``, which pytest shows as a failed ``assert``; its message lists the
    calls that came closest and why each did not count.

    Examples:
        ```python
        mock.assert_called("GET", "/users/{{id}}", times=2)
        mock.assert_called_once("POST", "/users", json={"name": "Ada"})
        mock.assert_not_called("DELETE", "/users/*")
        mock.assert_all_matched()                       # every request got an example
        mock.reset()                                    # as if just started
        ```
    """

    engine: "MockEngine"
    _explain_hint = "mock.explain("

    @property
    def watch(self) -> CallWatch:
        """What the end-of-test checks remember since the last reset (a ``CallWatch``: examples
        served, failed calls, the checks chosen); created on first use."""
        watch = self.__dict__.get("_call_watch")
        if watch is None:
            watch = self.__dict__["_call_watch"] = CallWatch()
        return watch

    @property
    def seed(self) -> int | None:
        """The seed of this mock's fake data (``{{$random...}}``, Faker): the same seed and the same
        calls in the same order give the same answers (the clock aside)."""
        return self.engine.seed

    def _where(self) -> str:
        return "the mock"

    def _observe(self, served: "Served | None") -> None:
        """Called by the doors after each answer: remember served examples and failed calls."""
        if served is None:
            return
        if served.winner is not None:
            self.watch.used.add(served.winner.example.position)
            return
        call = self.engine.journal.get(served.call_id) if served.call_id is not None else None
        if call is not None and failure_kind(call):
            self.watch.add_failed(call)

    def _observing(self, on_call: Callable[..., None] | None) -> Callable[..., None]:
        """An ``on_call`` for the server that observes each answer, then calls ``on_call``."""
        def observe(request: Any, served: "Served | None", ms: float) -> None:
            self._observe(served)
            if on_call is not None:
                on_call(request, served, ms)
        return observe

    # --------------------------------------------------------------------------- call queries

    def calls_to(self, method: str, path: str, *, params: Mapping[str, Any] | None = None,
                 headers: Mapping[str, Any] | None = None, json: Any = None) -> list[Call]:
        """The logged calls that fit the pattern, without asserting anything.

        Args:
            method: the HTTP method (any case).
            path: the path; ``{{name}}``, ``:name`` or ``*`` segments match any one segment, and
                a query string (``/users?page=2``) must be sent as written.
            params: query parameters that must be sent with these values (others may be sent too).
            headers: headers that must be sent with these values (names in any case).
            json: a value the parsed JSON body must equal. A call whose body the log kept only in
                part (over ``journal_body_bytes``) is left out (``assert_called`` says so).

        Returns:
            The calls (``Call`` records of the call log: ``request``, ``status``, ``example``,
            ``time``...), oldest first; empty when none fits.

        Examples:
            ```python
            [c.request.target for c in mock.calls_to("GET", "/users/{{id}}")]
            len(mock.calls_to("POST", "/users", headers={"x-tenant": "acme"}))
            ```
        """
        pattern = CallPattern.of(method, path, params=params, headers=headers, json=json)
        return [c for c in self.engine.journal.snapshot() if pattern.verdict(c).matches]

    def assert_called(self, method: str, path: str, *, times: int | None = None,
                      params: Mapping[str, Any] | None = None, headers: Mapping[str, Any] | None = None,
                      json: Any = None) -> list[Call]:
        """Assert that calls fitting the pattern were made: at least once, or exactly ``times``.

        Args:
            method: the HTTP method (any case).
            path: the path pattern (as ``calls_to``).
            times: how many calls must fit exactly (0 or more); ``None``: at least one.
            params: query parameters that must be sent with these values.
            headers: headers that must be sent with these values.
            json: a value the parsed JSON body must equal.

        Returns:
            The calls that fit (``Call`` records), oldest first.

        Raises:
            MockAssertionError: the count is not what was asked; the message lists the calls that
                fit, those the log cannot tell about (a body kept in part), and the calls that
                came closest with why each did not count.
            ConfigError: ``times`` is not a whole number of at least 0.

        Examples:
            ```python
            calls = mock.assert_called("GET", "/users/{{id}}", times=2)
            mock.assert_called("GET", "/search?q=ada", headers={"accept": "application/json"})
            ```
        """
        __tracebackhide__ = True
        if times is not None and (isinstance(times, bool) or not isinstance(times, int) or times < 0):
            raise ConfigError("times", f"must be a whole number ≥ 0, not {times!r}")
        pattern = CallPattern.of(method, path, params=params, headers=headers, json=json)
        verdicts = [pattern.verdict(c) for c in self.engine.journal.snapshot()]
        matched = [v.call for v in verdicts if v.matches]
        unknown = [v for v in verdicts if v.matches is None]
        if (times is None and matched) or (times is not None and len(matched) == times and not unknown):
            return matched
        raise MockAssertionError(self._called_message(pattern, times, verdicts))

    def assert_called_once(self, method: str, path: str, *, params: Mapping[str, Any] | None = None,
                           headers: Mapping[str, Any] | None = None, json: Any = None) -> Call:
        """Assert that exactly one call fits the pattern (as ``assert_called(..., times=1)``).

        Args:
            method: the HTTP method (any case).
            path: the path pattern (as ``calls_to``).
            params: query parameters that must be sent with these values.
            headers: headers that must be sent with these values.
            json: a value the parsed JSON body must equal.

        Returns:
            The one call that fits (a ``Call`` record).

        Raises:
            MockAssertionError: no call or more than one fits (the message says which came closest).

        Examples:
            ```python
            call = mock.assert_called_once("POST", "/users", json={"name": "Ada"})
            call.status                                      # 201
            ```
        """
        __tracebackhide__ = True
        return self.assert_called(method, path, times=1, params=params, headers=headers, json=json)[0]

    def assert_not_called(self, method: str, path: str, *, params: Mapping[str, Any] | None = None,
                          headers: Mapping[str, Any] | None = None, json: Any = None) -> None:
        """Assert that no call fits the pattern.

        Args:
            method: the HTTP method (any case).
            path: the path pattern (as ``calls_to``).
            params: query parameters that must be sent with these values.
            headers: headers that must be sent with these values.
            json: a value the parsed JSON body must equal.

        Raises:
            MockAssertionError: some calls fit (the message lists them).

        Examples:
            ```python
            mock.assert_not_called("DELETE", "/users/*")
            ```
        """
        __tracebackhide__ = True
        self.assert_called(method, path, times=0, params=params, headers=headers, json=json)

    def _called_message(self, pattern: CallPattern, times: int | None, verdicts: list[Verdict]) -> str:
        matched = [v for v in verdicts if v.matches]
        unknown = [v for v in verdicts if v.matches is None]
        others = sorted((v for v in verdicts if v.matches is False), key=lambda v: v.distance)
        want = "not to be called" if times == 0 else "to be called " + ("at least once" if times is None else _times(times))
        called = f"called {_times(len(matched))}" if matched else "never called"
        lines = [f"expected {pattern.describe()} {want}; it was {called}"
                 + (f" (and {len(unknown)} call(s) cannot be told)" if unknown else "") + "."]
        if matched:
            lines.append("calls that count:")
            lines += [f"  - {_call_line(v.call)}" for v in matched[:10]]
            if len(matched) > 10:
                lines.append(f"    (and {len(matched) - 10} more)")
        if unknown:
            lines.append("calls the call log cannot tell about:")
            lines += [f"  - {_call_line(v.call)}: {v.reasons[0]}" for v in unknown[:5]]
        if others and (times is None or len(matched) < times):
            lines.append(f"calls that came closest (of {len(verdicts)} in the call log):")
            lines += [f"  - {_call_line(v.call)}: {'; '.join(v.reasons)}" for v in others[:3]]
        if not verdicts:
            lines.append("the call log is empty: no request reached this mock" + (
                " since it was last reset or cleared" if self.watch.failed or self.watch.used else ""))
        journal = self.engine.journal
        if len(journal) >= journal.maxlen:
            lines.append(f"note: the call log keeps the last {journal.maxlen:,} calls; older calls are not counted")
        return "\n".join(lines)

    # ---------------------------------------------------------------------------- strictness

    def unmatched_calls(self) -> list[Call]:
        """The calls answered without an example since the last ``reset``: no example matched
        (404 ``mockRequestNotFoundError``), or the request was refused before matching (a bad
        path, a body over ``max_body_size``, a private mock's missing key). Kinds:
        ``mockkit.testing.strictness``.

        Returns:
            The ``Call`` records, oldest first, including ones since cleared from the call log
            (``clear_calls``) or dropped from it (``journal_size``): up to ``MAX_REMEMBERED`` (100) of those are kept.

        Examples:
            ```python
            for call in mock.unmatched_calls():
                print(call.request.method, call.request.target, call.status, call.error)
            ```
        """
        found = dict(self.watch.failed)
        for call in self.engine.journal.snapshot():
            if failure_kind(call):
                found[call.id] = call
        return sorted(found.values(), key=call_number)

    def assert_all_matched(self) -> None:
        """Assert that every request since the last ``reset`` got an example (what a strict
        pytest fixture checks at the end of each test).

        Raises:
            MockAssertionError: some did not; the message lists each with the nearest examples
                and why they lost, and this mock's seed.

        Examples:
            ```python
            mock.get("/users/42")
            mock.assert_all_matched()
            ```
        """
        __tracebackhide__ = True
        failed = self.unmatched_calls()
        if failed:
            raise MockAssertionError(self._failures_message(failed))

    def _failures_message(self, failed: Sequence[Call]) -> str:
        message = failures_message(self.engine, failed, seed=self.seed, where=self._where(),
                                   explain=self._explain_hint)
        hidden = self.watch.failed_count - len(self.watch.failed)
        return message + (f"\n({hidden} more failed calls were not kept)" if hidden > 0 else "")

    def assert_all_used(self, examples: Iterable[str] | None = None) -> None:
        """Assert that the examples named were each served at least once since the last reset.

        Args:
            examples: each an example's id, uid, name, or ``"Request / Example"`` (a name can
                mean several examples: any of them counts); ``None``: every example.

        Raises:
            MockLookupError: a name that no example has (the message suggests the closest).
            MockAssertionError: some were never served (the message lists them and the calls made).

        Examples:
            ```python
            mock.assert_all_used(["User found", "Users / Users, page 2"])
            ```
        """
        __tracebackhide__ = True
        message = self._unused(self._select(examples))
        if message:
            raise MockAssertionError(message)

    def _select(self, examples: Iterable[str] | None) -> dict[str, list[Example]]:
        every = self.engine.collection.examples
        if examples is not None:
            return select_examples(every, examples)
        selected: dict[str, list[Example]] = {}
        for e in every:
            label = f"{e.request_name} / {e.name}"
            selected[label if label not in selected else f"{label} (#{e.position})"] = [e]
        return selected

    def _unused(self, selected: dict[str, list[Example]]) -> str:
        calls = self.engine.journal.snapshot()
        used = self.watch.used | {c.example_position for c in calls if c.example_position >= 0}
        unused = {s: found for s, found in selected.items() if not any(e.position in used for e in found)}
        if not unused:
            return ""
        return unused_message(unused, calls, collection=self.engine.collection.name)

    def set_checks(self, *, strict: bool | None = None, expect: Sequence[str] = (),
                   assert_all_used: bool | None = None) -> None:
        """Choose what ``verify()`` checks (the pytest fixtures and ``transport(...)`` call this
        with their ``strict``/``expect``/``assert_all_used`` arguments).

        Args:
            strict: fail on requests that got no example. ``None``: on in a pytest session
                unless its ini says ``mockkit_strict = false``, off elsewhere.
            expect: examples the test means to use (as ``assert_all_used``); one name or several.
            assert_all_used: fail when an expected example was never served. ``None``: on when
                ``expect`` names any; ``True`` without ``expect``: every example.

        Raises:
            MockLookupError: an ``expect`` name that no example has (raised at once, not at
                ``verify``).

        Examples:
            ```python
            mock.set_checks(strict=True, expect=["User found"])
            # ... the test ...
            mock.verify()
            ```
        """
        if isinstance(expect, str):
            expect = (expect,)
        watch = self.watch
        watch.strict = default_strict() if strict is None else bool(strict)
        watch.expected = select_examples(self.engine.collection.examples, expect) if expect else {}
        watch.all_used = bool(expect) if assert_all_used is None else bool(assert_all_used)

    def verify(self) -> None:
        """Run the checks chosen with ``set_checks``; each failed call or unused example is
        reported once (a later ``verify`` does not repeat it).

        Raises:
            MockAssertionError: a check failed; the message has every failure.

        Examples:
            ```python
            mock.set_checks(strict=True)
            mock.get("/no/such/path")
            mock.verify()                    # MockAssertionError: 1 request got no example ...
            ```
        """
        __tracebackhide__ = True
        watch = self.watch
        problems = []
        if watch.strict:
            new = [c for c in self.unmatched_calls() if c.id not in watch.reported]
            if new:
                watch.reported.update(c.id for c in new)
                problems.append(self._failures_message(new))
        if watch.all_used and not watch.unused_reported:
            message = self._unused(watch.expected or self._select(None))
            if message:
                watch.unused_reported = True
                problems.append(message)
        if problems:
            raise MockAssertionError("\n\n".join(problems))

    # ------------------------------------------------------------------------------- resetting

    def clear_calls(self) -> None:
        """Empty the call log. Failed calls stay remembered for the strict check (``reset``
        forgets them).

        Examples:
            ```python
            mock.clear_calls()
            len(mock.calls)                  # 0
            ```
        """
        self.engine.journal.clear()

    def reset(self, *, seed: int | None = None) -> None:
        """Back to a just-started mock: empty call log, no server response, nothing remembered
        by the checks (their settings stay), fake data restarted. What a session-scoped pytest
        fixture does between tests.

        Args:
            seed: restart fake data from this seed; ``None``: from this mock's seed, so the same
                calls give the same answers again.

        Examples:
            ```python
            mock.reset()
            mock.reset(seed=42)              # other fake data from now on
            ```
        """
        self.engine.journal.clear()
        self.engine.clear_server_response()
        self.watch.reset()
        self.engine.reseed(self.seed if seed is None else seed)


def _times(n: int) -> str:
    return "once" if n == 1 else f"{n} times"


def _call_line(call: Call) -> str:
    answer = f"{call.status} '{printable(call.example, 80)}'" if call.example else f"{call.status} {call.error}".strip()
    return f"{call.id} {call.request.method} {printable(call.request.target, 200)} → {answer}"
