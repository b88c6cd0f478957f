"""Same answers before and after a matching change: winner, score, path rule, explanations.

    PYTHONHASHSEED=0 PYTHONPATH=/tmp/before python bench/proposals/diffcheck.py > before.jsonl
    PYTHONHASHSEED=0 PYTHONPATH=/tmp/after  python bench/proposals/diffcheck.py > after.jsonl
    cmp before.jsonl after.jsonl

``--colon-wildcards`` ranks with ``MockOptions(colon_wildcards=True)`` (more wildcard examples);
``--quick`` leaves out the 50,000-example collection (the old code took minutes on its misses).

(``/tmp/before/mockkit`` and ``/tmp/after/mockkit``: two copies of the package.) Sources: every
collection of ../shared/corpus (v2 files, the peer's fixtures and the v3 trees), and
``bench_rank.generate(n)`` for 10, 1,000, 10,000 and 50,000 examples. For every example of a
source (a sample of 150 for the two biggest) it ranks the example's own request and ~25
variants (trailing slash, upper case, other ids, extra segment, typos, query on/off, no body,
``x-mock-response-code``); then misses: typos of every segment, unknown words and id-like words
in each position, extra and missing segments (``misses``), and for the generated collections
``bench_rank.misses_for`` (fresh random words) and ``requests_for``. Every request is ranked with
the default options; a third of them also with ``match_wildcards=False``, and with
``distance_threshold`` 0.34 and 1.0 (step h's bounds). It prints one JSON line per ranking with
the winner's position, score and path rule and how it was decided; for every winner its check
sentences and reason; for every 25th ranking of collections up to 1,000 examples, the whole
explanation (every candidate's stage, score, reason and check sentences).
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

from bench_rank import generate, misses_for, requests_for  # noqa: E402
from mockkit import MockOptions  # noqa: E402
from mockkit.explaining import explain  # noqa: E402
from mockkit.matching import rank  # noqa: E402
from mockkit.model import MockRequest  # noqa: E402

LETTERS = "abcdefghijklmnopqrstuvwxyz"


def variants(t, rng: random.Random) -> list[MockRequest]:
    """The example's own request and variants of it: most still match, at some rung."""
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
    out.append(MockRequest(req.method, p, (), (("x-mock-response-code", str(t.code)),), b""))
    out.append(MockRequest(req.method, p, (), (("x-mock-response-code", "404"),), b""))
    return out


def typo(word: str, rng: random.Random) -> str:
    """``word`` with one character changed, dropped or added (often still within step h)."""
    i = rng.randrange(len(word) + 1)
    kind = rng.randrange(3) if word else 2
    c = rng.choice(LETTERS)
    if kind == 0 and i < len(word):
        return word[:i] + c + word[i + 1:]
    if kind == 1 and i < len(word):
        return word[:i] + word[i + 1:]
    return word[:i] + c + word[i:]


def misses(t, rng: random.Random) -> list[MockRequest]:
    """Requests near the example's path that mostly match nothing (and some that match at h)."""
    segs = [s for s in t.as_request(sample_wildcards=True).path.split("/")[1:]]
    out = []
    for i in range(len(segs)):
        for new in (typo(segs[i], rng), typo(typo(segs[i], rng), rng), "zz" + segs[i], "".join(
                rng.choice(LETTERS) for _ in range(rng.randrange(1, 12))), f"q{rng.randrange(10**8)}x"):
            out.append(MockRequest.from_target(t.method, "/" + "/".join([*segs[:i], new, *segs[i + 1:]])))
    out.append(MockRequest.from_target(t.method, "/" + "/".join([*segs, "extra"])))
    out.append(MockRequest.from_target(t.method, "/" + "/".join(segs[:-1])))
    out.append(MockRequest.from_target(t.method, "/" + "/".join(["v9", *segs])))
    return out


def sources(quick: bool) -> list[tuple[str, object, bool]]:
    """(name, what MockEngine loads, sampled?) for every source."""
    files = sorted(glob.glob(str(CORPUS / "collections" / "*.postman_collection.json")))
    files += sorted(glob.glob(str(CORPUS / "peer-fixtures" / "*" / "*.json")))
    out: list[tuple[str, object, bool]] = [(Path(f).name, f, False) for f in files]
    out += [(f"v3/{Path(d).name}", d, False) for d in sorted(glob.glob(str(CORPUS / "v3" / "*"))) if Path(d).is_dir()]
    out += [(f"gen{n}", generate(n), n > 1000) for n in (10, 1000, 10000) + (() if quick else (50000,))]
    return out


def main() -> None:
    base = {}
    if "--colon-wildcards" in sys.argv:  # empty :id segments as wildcards (mockkit's opt-in extension)
        base = {"colon_wildcards": True}
    option_sets = [("default", MockOptions(**base)), ("no-wildcards", MockOptions(match_wildcards=False, **base)),
                   ("h0.34", MockOptions(distance_threshold=0.34, **base)),
                   ("h1", MockOptions(distance_threshold=1.0, **base))]
    rng = random.Random(7)
    for name, src, sampled in sources("--quick" in sys.argv):
        try:
            engine = mockkit.MockEngine(src, options=option_sets[0][1])
        except Exception as exc:  # a collection this version refuses: say so, go on
            print(json.dumps({"src": name, "error": str(exc)[:80]}))
            continue
        targets = list(engine.index.targets)
        if sampled:
            targets = random.Random(3).sample(targets, 150)
        reqs = [v for t in targets for v in variants(t, rng)]
        reqs += [m for t in targets[:: 3 if sampled else 1] for m in misses(t, rng)]
        if name.startswith("gen"):
            resources = max(1, int(name[3:]) // 5)
            reqs += requests_for(resources, random.Random(1)) + misses_for(resources, random.Random(2), 300)
        full = len(engine.index) <= 1000
        for i, r in enumerate(reqs):
            for label, options in option_sets if i % 3 == 0 else option_sets[:1]:
                ranking = rank(r, engine.index, options)
                w = ranking.winner
                if i % 25 == 0 and full and label == "default":
                    rows = [(c.example.position, c.kept, c.stage, c.score, c.reason,
                             [(ch.step, ch.ok, ch.points, ch.sentence) for ch in c.checks])
                            for c in explain(ranking).candidates]
                    print(json.dumps({"explain": f"{r.method} {r.target}", "rows": rows}))
                if w is not None and (full or i % 50 == 0):
                    said = explain(ranking).winner
                    print(json.dumps({"winner_checks": [(ch.step, ch.ok, ch.points, ch.sentence) for ch in said.checks],
                                      "reason": said.reason}))
                print(json.dumps({"src": name, "opts": label, "req": f"{r.method} {r.target}", "q": list(r.query)[:3],
                                  "winner": (w.example.position, w.score, w.path_rule) if w else None,
                                  "decided": ranking.decided_by}))


if __name__ == "__main__":
    main()
