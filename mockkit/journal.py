"""The call log: every request a mock answered, newest last; bounded, lock-guarded, append-only.

It is the only mutable state shared between the server thread and the caller's thread. Entries
keep what a call log shows (time, request, status, chosen example, score, duration, the response
headers sent), the request itself and the engine generation that answered, so ``explain`` can
re-rank it later, against the collection that answered it, instead of explaining every call up
front. Engines that share a journal (one per reload of a collection) register with it and get a
generation number; the journal keeps the last ``KEPT_GENERATIONS`` of them (and any older one
still alive elsewhere, by weak reference), so memory stays bounded.

Bounds (each an option of ``Journal``, ``MockEngine``, ``MockServer`` and ``serve``):

* ``maxlen`` calls (default 1,000; ``journal_size``);
* ``max_bytes`` in all (default 32 MiB; ``journal_bytes``): request bodies, headers, paths and
  response headers counted; the oldest calls leave first;
* ``max_body`` bytes of each request body (default 256 KiB, as the hub's call logs;
  ``journal_body_bytes``). A longer body is kept as its first ``max_body`` bytes plus its size
  and SHA-256 (``Call.body_size``, ``Call.body_sha256``): re-ranking such a call compares only
  that prefix, and ``explain`` says so.
"""

from __future__ import annotations

import hashlib
import itertools
import threading
import weakref
from collections import OrderedDict, deque
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import datetime, timezone

from .errors import ConfigError
from .model import MockRequest, Pairs
from .options import JOURNAL_BODY_BYTES, JOURNAL_BYTES, JOURNAL_SIZE  # the limits' one table
from .quickinit import quick_init

__all__ = ["Call", "Forwarded", "Journal", "JOURNAL_SIZE", "JOURNAL_BYTES", "JOURNAL_BODY_BYTES", "KEPT_GENERATIONS"]

_ENTRY_OVERHEAD = 400  # bytes per entry besides its strings (objects, dict slot): an estimate
KEPT_GENERATIONS = 3
"""How many engine generations (the current one and the ones before it) a journal keeps, so a
call answered before a reload can still be explained against the collection that answered it."""


@dataclass(frozen=True, slots=True)
class Forwarded:
    """What happened to a call a proxying mock forwarded (issue 16): the facts; ``explaining``
    writes the sentences.

    Attributes:
        url (str): where it was forwarded.
        reason (str): why (``recording.FORWARD_REASONS``): ``unmatched`` (no example matched),
            ``not-own`` (an example matched but none is the request's own, and the record mode
            records it), ``all`` (record mode ``all`` forwards every call).
        mode (str): the record mode.
        status (int): the upstream's status (0: it did not answer).
        ms (float): the time the upstream took (ms).
        error (str): the failure's name (``proxy.UPSTREAM_ERRORS``; ``""``: it answered).
        cause (str): the failure's sentence.
        recorded_as (str): the example it became (``folder / request / example``).
        example_id (str): that example's id.
        refreshed (bool): an existing example's answer was replaced (record mode ``all``).
        not_recorded (str): why it did not become an example.
        redacted (int): secret values replaced in the recording.

    Examples:
        ```python
        mock.engine.journal.snapshot()[-1].forwarded.recorded_as    # 'users / GET /users/7 / 200 OK'
        ```
    """

    url: str
    reason: str
    mode: str = "none"
    status: int = 0
    ms: float = 0.0
    error: str = ""
    cause: str = ""
    recorded_as: str = ""
    example_id: str = ""
    refreshed: bool = False
    not_recorded: str = ""
    redacted: int = 0


@quick_init  # issue 17: built once per call
@dataclass(frozen=True, slots=True)
class Call:
    """One answered call.

    ``request.body`` may be a prefix of what was sent: ``body_size`` (bytes) and ``body_sha256``
    (hex) describe the whole body, and ``body_truncated`` says whether the prefix is all of it.
    ``response_headers`` are the headers the mock answered with (after cleaning: what was sent).
    """

    id: str
    at: float  # when it was answered: seconds since the epoch (time.time()); ``time`` is the datetime
    request: MockRequest
    status: int
    example: str  # name of the example served, "" when none
    example_id: str
    example_position: int  # -1 when none
    score: float | None
    decided_by: str
    duration_ms: float
    error: str = ""  # set when the call ended in an error answer (no match, bad request, ...)
    response_headers: Pairs = ()
    body_size: int = -1  # bytes of the whole request body; -1: the same as len(request.body)
    body_sha256: str = ""
    generation: int = 0  # the engine generation that answered (Journal.register); 0: unknown
    forwarded: Forwarded | None = None  # set when the call was forwarded upstream (issue 16)

    @property
    def time(self) -> datetime:
        """When the call was answered (UTC), made from ``at`` when asked for: the call log
        records a float per call, cheaper than a datetime (issue 17)."""
        return datetime.fromtimestamp(self.at, timezone.utc)

    @property
    def body_truncated(self) -> bool:
        return self.body_size > len(self.request.body)


def _size(call: Call) -> int:
    r = call.request
    strings = [r.path, *(x for pair in r.query for x in pair), *(x for pair in r.headers for x in pair),
               *(x for pair in call.response_headers for x in pair), call.error]
    return len(r.body) + sum(map(len, strings)) + _ENTRY_OVERHEAD


class Journal:
    """A thread-safe ring of the last calls, bounded in count and bytes, with ids unique for the
    journal's life. ``maxlen`` calls, ``max_bytes`` bytes in all, ``max_body`` bytes per request
    body (see the module docstring), the last ``generations`` engine generations; raises
    ``ConfigError`` for a bound below 1."""

    def __init__(self, maxlen: int = JOURNAL_SIZE, *, max_bytes: int = JOURNAL_BYTES,
                 max_body: int = JOURNAL_BODY_BYTES, generations: int = KEPT_GENERATIONS) -> None:
        if maxlen < 1:
            raise ConfigError("journal_size", "must be at least 1 (a journal keeps at least one call)")
        if max_bytes < 1 or max_body < 0:
            raise ConfigError("journal_bytes", "and journal_body_bytes must be positive")
        if generations < 1:
            raise ConfigError("generations", "must be at least 1 (a journal keeps the current engine generation)")
        self._calls: deque[Call] = deque()
        self._by_id: dict[str, Call] = {}
        self._sizes: dict[str, int] = {}
        self._lock = threading.Lock()
        self._counter = itertools.count(1)
        self.maxlen = maxlen
        self.max_bytes = max_bytes
        self.max_body = min(max_body, max_bytes)
        self.bytes = 0  # what the kept calls hold, by the estimate above
        self.kept_generations = generations
        self._generation_counter = itertools.count(1)
        self._recent: OrderedDict[int, object] = OrderedDict()
        self._alive: weakref.WeakValueDictionary[int, object] = weakref.WeakValueDictionary()

    def register(self, engine: object) -> int:
        """Record a new engine generation answering into this journal; returns its number."""
        with self._lock:
            number = next(self._generation_counter)
            self._recent[number] = engine
            self._alive[number] = engine
            while len(self._recent) > self.kept_generations:
                self._recent.popitem(last=False)
            return number

    def release(self, number: int) -> None:
        """Stop holding generation ``number``'s engine (it stays reachable while alive elsewhere):
        an engine that answers no calls (one kept for ``mockkit.explain(path)``) then forms no
        reference cycle with its journal, so dropping it frees it even when ``gc.freeze`` moved
        it out of the collector's reach (``gcpause``)."""
        with self._lock:
            self._recent.pop(number, None)

    def generation(self, number: int) -> object | None:
        """The engine of generation ``number``, or None when it is gone."""
        with self._lock:
            engine = self._recent.get(number)
            return engine if engine is not None else self._alive.get(number)

    def next_id(self) -> str:
        return f"c{next(self._counter)}"

    def _trimmed(self, call: Call) -> Call:
        body = call.request.body
        if len(body) <= self.max_body:
            return call
        return replace(call, request=replace(call.request, body=body[: self.max_body]),
                       body_size=len(body), body_sha256=hashlib.sha256(body).hexdigest())

    def record(self, call: Call) -> Call:
        """Keep ``call`` (its body trimmed to ``max_body``), dropping the oldest calls beyond the
        bounds; returns the call as kept."""
        call = self._trimmed(call)
        size = _size(call)
        with self._lock:
            self._calls.append(call)
            self._by_id[call.id] = call
            self._sizes[call.id] = size
            self.bytes += size
            while len(self._calls) > self.maxlen or (self.bytes > self.max_bytes and len(self._calls) > 1):
                self._forget(self._calls.popleft())
        return call

    def _forget(self, call: Call) -> None:
        self._by_id.pop(call.id, None)
        self.bytes -= self._sizes.pop(call.id, 0)

    def amend(self, call_id: str, **changes: object) -> Call | None:
        """Correct a kept call (e.g. the status actually sent); None when it is gone."""
        with self._lock:
            old = self._by_id.get(call_id)
            if old is None:
                return None
            new = replace(old, **changes)  # type: ignore[arg-type]
            for i in range(len(self._calls) - 1, -1, -1):  # recent calls are at the end
                if self._calls[i] is old:
                    self._calls[i] = new
                    break
            self._by_id[call_id] = new
            size = _size(new)  # an amended error or header changes what the call holds
            self.bytes += size - self._sizes.get(call_id, 0)
            self._sizes[call_id] = size
            return new

    def get(self, call_id: str) -> Call | None:
        with self._lock:
            return self._by_id.get(call_id)

    def clear(self) -> None:
        with self._lock:
            self._calls.clear()
            self._by_id.clear()
            self._sizes.clear()
            self.bytes = 0

    def snapshot(self) -> list[Call]:
        with self._lock:
            return list(self._calls)

    def __len__(self) -> int:
        return len(self._calls)

    def __iter__(self) -> Iterator[Call]:
        return iter(self.snapshot())
