"""What a server holds at once, bounded, and what it gives back.

* ``DelayBudget``: answers waiting out an ``x-mock-response-delay`` (count and bytes); past it a
  call gets a 503 at once, and an answer whose client left is dropped (see ``server._Exchange``).
* ``offload``: requests with big bodies are handled on a worker thread, so parsing a 10 MiB body
  does not hold up the loop's other clients.
* ``Trimmer``: after a burst of big bodies, freed memory goes back to the OS. Python frees it at
  once, but glibc's allocator keeps the heap: after 300 one-megabyte posts whose clients left, RSS
  stayed at ~200 MiB with ~5 MiB in use (tracemalloc); ``malloc_trim(0)`` returns it. It runs at
  most once per ``TRIM_INTERVAL`` seconds, only after ``TRIM_THRESHOLD`` bytes of big bodies, and
  does nothing where glibc is absent (macOS, musl, Windows).
"""

from __future__ import annotations

import ctypes
import ctypes.util
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from tornado.ioloop import IOLoop

__all__ = ["DelayBudget", "OFFLOAD_BODY_BYTES", "offload", "Trimmer"]


class DelayBudget:
    """What delayed answers hold right now (used on the server's loop thread only): at most
    ``max_count`` answers and ``max_bytes`` bytes (response body + request body) at once; past
    either a call gets a 503 ``serviceUnavailableError`` at once. The caps are options
    (``MockOptions.max_pending_delays``, ``max_pending_delay_bytes``), checked there."""

    def __init__(self, max_count: int, max_bytes: int) -> None:
        self.max_count, self.max_bytes = max_count, max_bytes
        self.count = self.bytes = 0
        self.refused = 0  # calls answered 503 because the caps were reached
        self.dropped = 0  # delayed answers dropped because their client went away

    def reserve(self, size: int) -> bool:
        if self.count + 1 > self.max_count or self.bytes + size > self.max_bytes:
            self.refused += 1
            return False
        self.count += 1
        self.bytes += size
        return True

    def release(self, size: int) -> None:
        self.count -= 1
        self.bytes -= size


OFFLOAD_BODY_BYTES = 64 * 1024
"""Requests with a body at least this large are handled on a worker thread (parsing a 10 MiB
JSON body for body matching takes ~100 ms), so the loop keeps serving other clients meanwhile."""
MAX_OFFLOADED = 64
_pool: ThreadPoolExecutor | None = None
_offloaded = 0


def offload(engine: Any, request: Any) -> "Any | Future[Any]":
    """``engine.handle(request)``: on a worker thread for big bodies (up to ``MAX_OFFLOADED`` at
    once, then inline), else here. An engine may itself return a ``Future`` (the hub does)."""
    global _pool, _offloaded
    if len(request.body) < OFFLOAD_BODY_BYTES or _offloaded >= MAX_OFFLOADED:
        return engine.handle(request)
    if _pool is None:
        _pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="mockkit-handle")
    _offloaded += 1
    future = _pool.submit(engine.handle, request)

    def release(_: object) -> None:
        global _offloaded
        _offloaded -= 1

    IOLoop.current().add_future(future, release)
    return future


TRIM_THRESHOLD = 16 * 1024 * 1024
TRIM_INTERVAL = 2.0
LARGE = 256 * 1024  # smaller allocations live in Python's own arenas or are reused at once


def _malloc_trim() -> Any:
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        return libc.malloc_trim
    except (OSError, AttributeError):
        return None


_TRIM = _malloc_trim()


class Trimmer:
    """Counts large buffers a server has let go of; trims the heap after a burst (loop thread)."""

    def __init__(self) -> None:
        self.pending = 0
        self.trims = 0
        self._scheduled = False

    def freed(self, size: int) -> None:
        """``size`` bytes of request or response data are no longer needed."""
        if _TRIM is None or size < LARGE:
            return
        self.pending += size
        if self.pending >= TRIM_THRESHOLD and not self._scheduled:
            self._scheduled = True
            IOLoop.current().call_later(TRIM_INTERVAL, self._trim)

    def _trim(self) -> None:
        self._scheduled = False
        self.pending = 0
        self.trims += 1
        _TRIM(0)
