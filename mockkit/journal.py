"""The call log: every request a mock answered, newest last; bounded, lock-guarded, append-only.

It is the only mutable state shared between the server thread and the caller's thread. Entries
keep what a call log shows (time, request, status, chosen example, score, duration), the request
itself and the engine generation that answered, so ``explain`` can re-rank it later, against the
collection that answered it, instead of explaining every call up front.
"""

from __future__ import annotations

import itertools
import threading
import weakref
from collections import OrderedDict, deque
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from .model import MockRequest

__all__ = ["Call", "Journal", "KEPT_GENERATIONS"]


@dataclass(frozen=True, slots=True)
class Call:
    """One answered call."""

    id: str
    time: datetime
    request: MockRequest
    status: int
    example: str  # name of the example served, "" when none
    example_id: str
    example_position: int  # -1 when none
    score: float | None
    decided_by: str
    duration_ms: float
    error: str = ""  # set when the call ended in an error answer (no match, bad request, ...)
    generation: int = 0  # the engine generation that answered (Journal.register); 0: unknown


KEPT_GENERATIONS = 3
"""How many engine generations (the current one and the ones before it) a journal keeps, so a
call answered before a reload can still be explained against the collection that answered it."""


class Journal:
    """A thread-safe ring of the last ``maxlen`` calls, with ids unique for the journal's life.

    Engines that share a journal (one per reload of a collection) register with it and get a
    generation number; the journal keeps the last ``generations`` of them (and any older one
    still alive elsewhere, by weak reference), so memory stays bounded."""

    def __init__(self, maxlen: int = 1000, *, generations: int = KEPT_GENERATIONS) -> None:
        if maxlen < 1:
            raise ValueError("a journal keeps at least one call")
        if generations < 1:
            raise ValueError("a journal keeps at least the current engine generation")
        self._calls: deque[Call] = deque(maxlen=maxlen)
        self._by_id: dict[str, Call] = {}
        self._lock = threading.Lock()
        self._counter = itertools.count(1)
        self.maxlen = maxlen
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

    def generation(self, number: int) -> object | None:
        """The engine of generation ``number``, or None when it is gone."""
        with self._lock:
            engine = self._recent.get(number)
            return engine if engine is not None else self._alive.get(number)

    def next_id(self) -> str:
        return f"c{next(self._counter)}"

    def record(self, call: Call) -> Call:
        with self._lock:
            if len(self._calls) == self._calls.maxlen:
                evicted = self._calls[0]
                self._by_id.pop(evicted.id, None)
            self._calls.append(call)
            self._by_id[call.id] = call
        return call

    def get(self, call_id: str) -> Call | None:
        with self._lock:
            return self._by_id.get(call_id)

    def clear(self) -> None:
        with self._lock:
            self._calls.clear()
            self._by_id.clear()

    def snapshot(self) -> list[Call]:
        with self._lock:
            return list(self._calls)

    def __len__(self) -> int:
        return len(self._calls)

    def __iter__(self) -> Iterator[Call]:
        return iter(self.snapshot())
