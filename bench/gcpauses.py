"""`mockkit serve` in this process, with every pause of Python's garbage collector recorded.

    python bench/gcpauses.py OUT.json FILE --port P [more `mockkit serve` options]

Runs the CLI's ``serve`` (``mockkit.cli.main``) unchanged; ``gc.callbacks`` time every
collection (start to stop, ms, with its generation). When the server stops (SIGTERM or SIGINT:
``run_until_signal`` returns), OUT.json gets the pauses seen while the collection loaded and
while it served, and the load time (process start to the first request). bench/suite.py runs it
under wrk load for the "GC pauses" figures.
"""

from __future__ import annotations

import gc
import json
import sys
import time
from pathlib import Path

STARTED = time.perf_counter()
_pauses: list[tuple[float, float, int]] = []  # (when, ms, generation)
_began = [0.0]
_first_request = [0.0]


def _timed(phase: str, info: dict) -> None:
    now = time.perf_counter()
    if phase == "start":
        _began[0] = now
    else:
        _pauses.append((_began[0] - STARTED, (now - _began[0]) * 1000, int(info.get("generation", -1))))


def _summary(pauses: list[tuple[float, float, int]]) -> dict:
    ms = sorted(p[1] for p in pauses)
    return {"count": len(ms), "max_ms": ms[-1] if ms else 0.0, "total_ms": sum(ms),
            "p99_ms": ms[min(len(ms) - 1, int(len(ms) * 0.99))] if ms else 0.0,
            "by_generation": {g: sum(1 for p in pauses if p[2] == g) for g in (0, 1, 2)},
            "over_5ms": sum(1 for x in ms if x > 5)}


def main() -> int:
    out, argv = Path(sys.argv[1]), sys.argv[2:]
    gc.callbacks.append(_timed)
    from mockkit import cli
    from mockkit.engine import MockEngine

    handle = MockEngine.handle

    def first(self: MockEngine, *args: object, **kwargs: object) -> object:  # marks the end of loading
        if not _first_request[0]:
            _first_request[0] = time.perf_counter() - STARTED
        return handle(self, *args, **kwargs)  # type: ignore[arg-type]

    MockEngine.handle = first  # type: ignore[method-assign]
    try:
        return cli.main(["serve", *argv])
    finally:
        ready = _first_request[0] or (time.perf_counter() - STARTED)
        loading = [p for p in _pauses if p[0] < ready]
        serving = [p for p in _pauses if p[0] >= ready]
        out.write_text(json.dumps({"argv": argv, "first_request_s": ready, "frozen": gc.get_freeze_count(),
                                   "loading": _summary(loading), "serving": _summary(serving)}, indent=1))


if __name__ == "__main__":
    sys.exit(main())
