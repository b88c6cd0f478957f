"""The call log: every request a mock answered, newest last; bounded, lock-guarded, append-only.

It is the only mutable state shared between the server thread and the caller's thread. Entries
keep what a call log shows (time, request, status, chosen example, score, duration) and the
request itself, so ``explain`` can re-rank it later instead of explaining every call up front.
"""

from __future__ import annotations

import itertools
import threading
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from .model import MockRequest

__all__ = ["Call", "Journal"]


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


class Journal:
    """A thread-safe ring of the last ``maxlen`` calls, with ids unique for the journal's life."""

    def __init__(self, maxlen: int = 1000) -> None:
        if maxlen < 1:
            raise ValueError("a journal keeps at least one call")
        self._calls: deque[Call] = deque(maxlen=maxlen)
        self._by_id: dict[str, Call] = {}
        self._lock = threading.Lock()
        self._counter = itertools.count(1)
        self.maxlen = maxlen

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
