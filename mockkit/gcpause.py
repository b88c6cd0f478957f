"""Building big things without stop-the-world garbage collections.

Loading a 50,000-example collection allocates millions of objects, and CPython's cyclic garbage
collector answers with full collections that each scan every object, holding the GIL: measured
11 s of collections during one hub upload and engine build, single pauses of 0.5-1.1 s in which
no other thread (the server's event loop included) ran. And once built, every later full
collection scans the engine again.

``paused(freeze=...)`` turns the collector off while any build runs (builds on several threads
share one switch) and turns it back on after the last one. Turning it off alone only postpones
the work: what was allocated meanwhile sits in the youngest generation, and the next collection
scans it all (0.45 s measured after a 23 MB upload). So a big build (``freeze=True``: a text over
1 MiB, ``FREEZE_ABOVE`` examples or more) ends by moving everything alive into the permanent
generation (``gc.freeze``): later collections skip it, and reference counting still frees it
when it is dropped. Small builds do not freeze: in a long notebook session, frozen objects that
later become cyclic garbage are never collected, a cost only worth paying for big builds.
"""

from __future__ import annotations

import gc
import threading
import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

__all__ = ["paused", "building", "FREEZE_ABOVE"]

FREEZE_ABOVE = 2000
"""Examples from which a finished build is frozen out of later collections."""

_lock = threading.Lock()
_active = 0
_was_enabled = True
_freeze = False


class _Pause:
    def __init__(self) -> None:
        self.freeze = False


@contextmanager
def paused(freeze: bool = False) -> Iterator[_Pause]:
    """Collector off while the block runs (set ``.freeze`` on the yielded object to decide late)."""
    global _active, _was_enabled, _freeze
    pause = _Pause()
    pause.freeze = freeze
    with _lock:
        if _active == 0:
            _was_enabled, _freeze = gc.isenabled(), False
            gc.disable()
        _active += 1
    try:
        yield pause
    finally:
        with _lock:
            _active -= 1
            _freeze = _freeze or pause.freeze
            if _active == 0:
                if _freeze:
                    gc.freeze()
                if _was_enabled:
                    gc.enable()


F = TypeVar("F", bound=Callable[..., Any])


def building(size: Callable[[Any], int]) -> Callable[[F], F]:
    """Decorate a constructor: it runs ``paused``, and freezes what it built when
    ``size(self)`` (a number of examples) is at least ``FREEZE_ABOVE``."""

    def wrap(init: F) -> F:
        @functools.wraps(init)
        def run(self: Any, *args: Any, **kwargs: Any) -> Any:
            with paused() as pause:
                out = init(self, *args, **kwargs)
                pause.freeze = size(self) >= FREEZE_ABOVE
            return out

        return run  # type: ignore[return-value]

    return wrap
