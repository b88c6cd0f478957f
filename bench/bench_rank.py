"""Matching cost as collections grow: median ``rank`` time for 10, 1,000 and 10,000 examples.

    python bench/bench_rank.py            # prints a table and the 10,000:10 ratio

The generated collections look like real APIs: resources with list, item (wildcard ``{{id}}``),
literal-id and query-variant examples, several status codes per request. The same kinds of
request are sent at every size (exact paths, wildcard ids, query variants, trailing slashes,
misses), so only the collection size changes. ``rank`` is the hot path (what the server runs);
``explain`` builds the full table of every example (what a notebook asks for).
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from mockkit.explaining import explain  # noqa: E402
from mockkit.matching import Index, rank  # noqa: E402
from mockkit.model import MockRequest  # noqa: E402
from mockkit.collection import load_collection  # noqa: E402

SCHEMA = "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"
WORDS = "users orders items invoices carts products reviews payments shipments accounts".split()


def example(i: int, method: str, path: str, query: list[tuple[str, str]], code: int) -> dict:
    raw = "{{baseUrl}}/" + path + ("?" + "&".join(f"{k}={v}" for k, v in query) if query else "")
    url = {"raw": raw, "host": ["{{baseUrl}}"], "path": path.split("/"),
           "query": [{"key": k, "value": v} for k, v in query]}
    return {"id": f"ex-{i:06d}", "name": f"example {i}", "code": code, "body": f'{{"n": {i}}}',
            "originalRequest": {"method": method, "url": url, "header": []}}


def generate(n: int) -> dict:
    """A collection with exactly ``n`` examples, 5 per resource."""
    items, i, r = [], 0, 0
    while i < n:
        base = f"v1/{WORDS[r % len(WORDS)]}{r}"
        shapes = [
            ("GET", base, [], 200),
            ("GET", base, [("page", "2")], 200),
            ("GET", f"{base}/{{{{id}}}}", [], 200),
            ("GET", f"{base}/{{{{id}}}}", [], 404),
            ("POST", base, [], 201),
        ]
        for method, path, query, code in shapes:
            if i == n:
                break
            items.append({"name": f"{method} {path}", "request": {"method": method, "url": "{{baseUrl}}/" + path},
                          "response": [example(i, method, path, query, code)]})
            i += 1
        r += 1
    return {"info": {"name": f"generated {n}", "schema": SCHEMA}, "item": items,
            "variable": [{"key": "baseUrl", "value": "https://api.example.test"}]}


def requests_for(resources: int, rng: random.Random) -> list[MockRequest]:
    out = []
    for _ in range(200):
        r = rng.randrange(resources)
        base = f"/v1/{WORDS[r % len(WORDS)]}{r}"
        kind = rng.randrange(5)
        target = [base, f"{base}?page=2", f"{base}/{rng.randrange(10**6)}", f"{base}/", f"{base}?page=9&x=1"][kind]
        out.append(MockRequest.from_target("GET", target))
    return out


def misses_for(resources: int, rng: random.Random, count: int = 200) -> list[MockRequest]:
    """Requests that match no example of ``generate(5 * resources)`` (404), with fresh random
    segments so no memo helps: unknown words where resource names are, typos beyond the distance
    threshold, an unknown version, extra segments, unknown top-level paths."""
    letters = "bcdfghjklmnpqrstvwxz"

    def word(k: int) -> str:
        return "".join(rng.choice(letters) for _ in range(k))

    out = []
    for i in range(count):
        r = rng.randrange(resources)
        name = f"{WORDS[r % len(WORDS)]}{r}"
        typo = f"{WORDS[r % len(WORDS)]}{word(3)}"  # letters only: not id-like (spec 9.1), beyond step h
        target = [f"/v1/{word(rng.randrange(4, 9))}", f"/v1/{typo}/{rng.randrange(10**6)}",
                  f"/v2/{name}", f"/v1/{name}/{rng.randrange(10**6)}/{word(5)}", f"/{word(7)}/{word(4)}",
                  f"/v1/{word(5)}/{rng.randrange(10**6)}"][i % 6]
        out.append(MockRequest.from_target("GET", target))
    return out


def median_us(fn, requests: list[MockRequest], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        for request in requests:
            start = time.perf_counter_ns()
            fn(request)
            times.append(time.perf_counter_ns() - start)
    return statistics.median(times) / 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10,1000,10000")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    print(f"{'examples':>9} {'load ms':>9} {'rank µs (median)':>17} {'explain µs (median)':>20} {'miss µs (median)':>17}")
    results = {}
    for n in sizes:
        doc = generate(n)
        start = time.perf_counter()
        index = Index(load_collection(doc))
        load_ms = (time.perf_counter() - start) * 1000
        reqs = requests_for(max(1, min(n // 5, 10**9)) if n >= 5 else 1, random.Random(1))
        hot = median_us(lambda q: rank(q, index).winner, reqs, args.repeat)
        full = median_us(lambda q: explain(rank(q, index)).candidates, reqs[:20], 1)
        miss = median_us(lambda q: rank(q, index).winner, misses_for(max(1, n // 5), random.Random(2)), 1)
        results[n] = hot
        print(f"{n:>9,} {load_ms:>9.1f} {hot:>17.1f} {full:>20.1f} {miss:>17.1f}")
    if len(sizes) >= 2:
        print(f"ratio rank {sizes[-1]:,}:{sizes[0]:,} = {results[sizes[-1]] / results[sizes[0]]:.2f}x (goal < 3x)")


if __name__ == "__main__":
    main()
