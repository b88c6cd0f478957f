"""Same answers before and after a matching change: winner, score, path rule, explanations.

    PYTHONHASHSEED=0 PYTHONPATH=/tmp/before python bench/proposals/diffcheck.py > before.jsonl
    PYTHONHASHSEED=0 PYTHONPATH=/tmp/after  python bench/proposals/diffcheck.py > after.jsonl
    cmp before.jsonl after.jsonl

``--colon-wildcards`` ranks with ``MockOptions(colon_wildcards=True)`` (more wildcard examples).

(``/tmp/before/mockkit`` and ``/tmp/after/mockkit``: two copies of the package.) For every
collection of ../shared/corpus (and bench_rank.generate(10) and (1000)) it ranks, for every
example, the example's own request and ~25 variants (trailing slash, upper case, other ids,
extra segment, query on/off, no body), and prints one JSON line per request with the winner's
position, score and path rule; for every 25th request of collections up to 400 examples, the
whole explanation (every candidate's stage, score, reason and check sentences); for every
winner, its check sentences.
"""

import glob
import json
import random
import sys
from pathlib import Path

import mockkit  # first: bench_rank puts the repo root on sys.path, PYTHONPATH must win

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
CORPUS = HERE.parents[2] / "shared" / "corpus"

from bench_rank import generate, requests_for  # noqa: E402
from mockkit.explaining import explain  # noqa: E402
from mockkit.matching import rank  # noqa: E402
from mockkit.model import MockRequest  # noqa: E402


def variants(t, rng: random.Random) -> list[MockRequest]:
    req = t.as_request()
    p = req.path.replace("{{", "").replace("}}", "")
    out = [req]
    for q in dict.fromkeys([p, p + "/", p.upper(), p.rstrip("/") + "/x", p.replace("1", "7"), p + "abc",
                            p[:-1] if len(p) > 2 else p]):
        out.append(MockRequest(req.method, q, req.query, req.headers, req.body))
        out.append(MockRequest(req.method, q, (), (), b""))
        out.append(MockRequest(req.method, q, (("page", "2"),), (), b""))
    segs = p.split("/")
    if len(segs) > 2:
        segs[-1] = str(rng.randrange(10**6))
        out.append(MockRequest(req.method, "/".join(segs), req.query, req.headers, req.body))
        segs[-1] = "a1b2c3d4e5"
        out.append(MockRequest(req.method, "/".join(segs), (), (), b""))
    return out


def main() -> None:
    options = None
    if "--colon-wildcards" in sys.argv:  # empty :id segments as wildcards (mockkit's opt-in extension)
        from mockkit import MockOptions

        options = MockOptions(colon_wildcards=True)
    rng = random.Random(7)
    files = sorted(glob.glob(str(CORPUS / "collections" / "*.postman_collection.json")))
    files += sorted(glob.glob(str(CORPUS / "peer-fixtures" / "*" / "*.json")))
    sources = [(Path(f).name, f) for f in files] + [(f"gen{n}", generate(n)) for n in (10, 1000)]
    for name, src in sources:
        try:
            engine = mockkit.MockEngine(src, options=options)
        except Exception as exc:  # a collection this version refuses: say so, go on
            print(json.dumps({"src": name, "error": str(exc)[:80]}))
            continue
        reqs = [v for t in engine.index.targets for v in variants(t, rng)]
        if name.startswith("gen"):
            reqs.extend(requests_for(max(1, int(name[3:]) // 5), random.Random(1)))
        for i, r in enumerate(reqs):
            ranking = rank(r, engine.index, engine.options)
            w = ranking.winner
            if i % 25 == 0 and len(engine.index) <= 400:
                rows = [(c.example.position, c.kept, c.stage, c.score, c.reason,
                         [(ch.step, ch.ok, ch.points, ch.sentence) for ch in c.checks]) for c in explain(ranking).candidates]
                print(json.dumps({"explain": f"{r.method} {r.target}", "rows": rows}))
            if w is not None:
                print(json.dumps({"winner_checks": [(ch.step, ch.ok, ch.points, ch.sentence) for ch in explain(ranking).winner.checks]}))
            print(json.dumps({"src": name, "req": f"{r.method} {r.target}", "q": list(r.query)[:3],
                              "winner": (w.example.position, w.score, w.path_rule) if w else None,
                              "decided": ranking.decided_by}))


if __name__ == "__main__":
    main()
