"""Engine cost per request, no HTTP: ``MockEngine.handle`` on each workload's request rotation.

    python bench/bench_handle.py                       # the mockkit that `import mockkit` finds
    PYTHONPATH=/tmp/mk-exp python bench/bench_handle.py  # a scratch copy, for before/after figures

CPU time (``time.process_time``), so other processes on a busy machine disturb it less than wall
time: median µs per ``handle`` over the rotation, and the load time of each collection. The
requests are the ones ``bench/run`` sends with wrk (bench/workloads.py).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import mockkit  # noqa: E402  (first: bench_rank puts the repo root on sys.path, PYTHONPATH must win)
import workloads  # noqa: E402


def cpu_us_per_call(fn, calls: int) -> float:
    start = time.process_time()
    for _ in range(calls):
        fn()
    return (time.process_time() - start) / calls * 1e6


def measure(engine, requests: list, args: argparse.Namespace, record: bool) -> tuple[float, list[float]]:
    """Median CPU µs per ``handle`` over ``args.rounds`` rounds of the request rotation."""
    state = {"i": 0}

    def one() -> None:
        i = state["i"]
        engine.handle(requests[i % len(requests)], record=record)
        state["i"] = i + 1

    one()  # warm
    calls = max(len(requests), 8)
    while cpu_us_per_call(one, calls) * calls / 1e6 < args.min_seconds / 4 and calls < 10**6:
        calls *= 2
    calls = max(calls * 4, len(requests))
    calls -= calls % len(requests)
    rounds = [cpu_us_per_call(one, calls) for _ in range(args.rounds)]
    return statistics.median(rounds), rounds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--min-seconds", type=float, default=0.3, help="per round and workload")
    parser.add_argument("--only", default="")
    parser.add_argument("--json", help="also write the figures to this file")
    args = parser.parse_args()

    from mockkit.model import MockRequest

    print(f"mockkit from {Path(mockkit.__file__).parent}")
    out = {}
    with tempfile.TemporaryDirectory() as tmp:
        loads = workloads.build(Path(tmp))
        print(f"{'workload':<22} {'examples':>8} {'load ms':>9} {'handle µs/request (median of rounds)':>38}  rounds")
        for name, w in loads.items():
            if args.only and args.only not in name:
                continue
            start = time.process_time()
            engine = mockkit.MockEngine(str(w.collection))
            load_ms = (time.process_time() - start) * 1000
            requests = [MockRequest.from_target(r.method, r.path, headers=tuple(r.headers.items()))
                        for r in w.requests]
            for record in (True, False) if name == "w1" else (True,):
                label = name if record else f"{name} (call log off)"
                med, rounds = measure(engine, requests, args, record)
                out[label] = {"examples": len(engine.index), "load_ms": load_ms, "handle_us": med, "rounds": rounds}
                print(f"{label:<22} {len(engine.index):>8,} {load_ms:>9.1f} {med:>38.1f}  "
                      + " ".join(f"{r:.0f}" for r in rounds))
    if "gen10" in out and "gen10000" in out:
        print(f"handle gen10000 / gen10 = {out['gen10000']['handle_us'] / out['gen10']['handle_us']:.2f}x "
              f"(req/s ratio ~ the inverse)")
    if args.json:
        Path(args.json).write_text(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
