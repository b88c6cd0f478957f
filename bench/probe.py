"""One-shot measurements in a fresh Python process; prints one JSON line.

    python bench/probe.py demo          # import mockkit, then time mockkit.serve() for the demo
    python bench/probe.py load FILE     # time MockEngine(FILE) and report RSS once it is loaded
    python bench/probe.py misses FILE N # engine time of fresh misses and of hits, N examples (generate(N))
    python bench/probe.py onepath N     # N examples of one path that differ only in saved query: load,
                                        # engine time of hits, misses and a request without a query
"""

import json
import sys
import time


def rss_kib() -> dict[str, int]:
    out = {}
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(("VmRSS:", "VmHWM:")):
                out[line.split(":")[0]] = int(line.split()[1])
    return out


def main() -> None:
    mode = sys.argv[1]
    start = time.perf_counter()
    import mockkit

    imported = time.perf_counter()
    if mode == "demo":
        mock = mockkit.serve()
        served = time.perf_counter()
        ok = mock.get("/users").status_code == 200
        mock.stop()
        print(json.dumps({"import_s": imported - start, "serve_s": served - imported, "answered": ok}))
    elif mode == "load":
        before = rss_kib()
        cpu = time.process_time()
        engine = mockkit.MockEngine(sys.argv[2])
        loaded = time.perf_counter()
        cpu = time.process_time() - cpu  # CPU seconds of the load: steadier than load_s on a busy machine
        after = rss_kib()
        print(json.dumps({"import_s": imported - start, "load_s": loaded - imported, "load_cpu_s": cpu,
                          "examples": len(engine.index),
                          "rss_before_mib": before["VmRSS"] / 1024, "rss_mib": after["VmRSS"] / 1024,
                          "hwm_mib": after["VmHWM"] / 1024}))
    elif mode == "misses":
        print(json.dumps(misses(mockkit.MockEngine(sys.argv[2]), int(sys.argv[3]))))
    elif mode == "onepath":
        print(json.dumps(one_path(int(sys.argv[2]))))
    else:
        raise SystemExit(f"unknown mode {mode!r}")


def misses(engine, n: int, count: int = 2000) -> dict:
    """Engine time (``handle``, µs) of ``count`` fresh misses (none repeated: no memo helps) and of
    the hits bench_rank sends, on ``bench_rank.generate(n)``: median, p99, max."""
    import random
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from bench_rank import misses_for, requests_for

    def timed(requests: list) -> list[float]:
        out = []
        for request in requests:
            start = time.perf_counter_ns()
            engine.handle(request)
            out.append((time.perf_counter_ns() - start) / 1000)
        return sorted(out)

    timed(requests_for(n // 5, random.Random(9))[:50])  # warm
    miss = timed(misses_for(n // 5, random.Random(11), count))
    hit = timed(requests_for(n // 5, random.Random(1)) * 5)
    pick = lambda xs, q: xs[min(len(xs) - 1, int(len(xs) * q))]  # noqa: E731
    return {"misses": float(len(miss)), "miss_median_us": pick(miss, 0.5), "miss_p99_us": pick(miss, 0.99),
            "miss_max_us": miss[-1], "hit_median_us": pick(hit, 0.5), "hit_p99_us": pick(hit, 0.99),
            "hit_max_us": hit[-1]}


def one_path(n: int, count: int = 2000) -> dict:
    """Engine time (``handle``, µs) on ``n`` examples of ``GET /search`` saved with ``q=w<i>&page=<i % 7>``
    (a recorded session, a search endpoint): hits on random saved queries, misses (an unknown
    ``q``), and ``/search`` without a query; median, p99, max; and the load time (s)."""
    import random

    import mockkit

    schema = "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"

    def item(i: int) -> dict:
        query = [{"key": "q", "value": f"w{i}"}, {"key": "page", "value": str(i % 7)}]
        url = {"raw": f"{{{{baseUrl}}}}/search?q=w{i}&page={i % 7}", "host": ["{{baseUrl}}"], "path": ["search"],
               "query": query}
        request = {"method": "GET", "header": [], "url": url}
        return {"name": f"search {i}", "request": request,
                "response": [{"name": f"e{i}", "originalRequest": request, "code": 200, "header": [],
                              "body": f'{{"i": {i}}}'}]}

    collection = {"info": {"name": "one path", "schema": schema}, "item": [item(i) for i in range(n)]}
    started = time.perf_counter()
    engine = mockkit.MockEngine(collection)
    load_s = time.perf_counter() - started
    rng = random.Random(5)

    def timed(targets: list[str]) -> list[float]:
        out = []
        for target in targets:
            request = mockkit.MockRequest.from_target("GET", target)
            start = time.perf_counter_ns()
            engine.handle(request)
            out.append((time.perf_counter_ns() - start) / 1000)
        return sorted(out)

    picks = [rng.randrange(n) for _ in range(count)]
    hit = timed([f"/search?q=w{i}&page={i % 7}" for i in picks])
    miss = timed([f"/search?q=zz{k}&page={k % 7}" for k in range(count)])
    bare = timed(["/search"] * count)
    pick = lambda xs, q: xs[min(len(xs) - 1, int(len(xs) * q))]  # noqa: E731
    return {"examples": n, "load_s": load_s,
            **{f"{name}_{stat}_us": pick(xs, q) if q is not None else xs[-1]
               for name, xs in (("hit", hit), ("miss", miss), ("no_query", bare))
               for stat, q in (("median", 0.5), ("p99", 0.99), ("max", None))}}


if __name__ == "__main__":
    main()
