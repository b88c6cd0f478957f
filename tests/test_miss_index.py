"""The index's shortcuts keep every ranking identical to scoring every example (issue 17).

* Step h's ``DistanceIndex`` returns exactly the examples ``pathsteps.distance`` accepts (when it
  computes every column), and never fewer (when it stops early); its memo stays bounded.
* Crowds (many examples alike at one rung: id-like resource names, wildcard lists) pick the same
  winner, score and rule as scoring every example, with ``x-mock-response-code`` and with
  examples that differ in status, id, query and headers; the explanation still counts every
  example the winner tied with.

Each test compares with a reference written independently (every example through
``scoring.evaluate``, then the tie rule of spec 9.3): no timings.
"""

from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mockkit import MockOptions, MockRequest, load_collection
from mockkit import crowds, distance_index, index as index_module
from mockkit.explaining import explain
from mockkit.matching import Index, rank
from mockkit.pathsteps import distance
from mockkit.scoring import evaluate, prepare

from builders import coll, ex


def reference_winner(request: MockRequest, index: Index, options: MockOptions):
    """Every example scored, the best kept, ties by spec 9.3 (id ascending, 200, then 2xx); the
    request's ``x-mock-match-request-*`` headers applied to ``options`` as ``rank`` applies them."""
    req, options = prepare(request), options.for_request(request)
    kept = [c for c in (evaluate(req, t, options) for t in index.targets) if c.kept and c.score is not None]
    if not kept:
        return None
    top = max(c.score for c in kept)
    tied = sorted((c for c in kept if c.score == top),
                  key=lambda c: (c.example.id == "", c.example.id, c.example.position))
    return next((c for c in tied if c.example.response.code == 200),
                next((c for c in tied if 200 <= c.example.response.code <= 299), tied[0]))


def same_answer(request: MockRequest, index: Index, options: MockOptions) -> None:
    got, want = rank(request, index, options).winner, reference_winner(request, index, options)
    if want is None:
        assert got is None, (request.method, request.target, got and got.example.name)
        return
    assert got is not None, (request.method, request.target)
    assert (got.example.position, got.score, got.path_rule) == (want.example.position, want.score, want.path_rule), \
        (request.method, request.target)


# --- step h: the distance index ---------------------------------------------------------------

WORDS = ["items", "itemz", "item", "orders", "ordres", "notifications", "notifcations", "me", "a", "ab", "v1", "v2"]
IDS = ["1", "42", "98765432", "a1b2c3d4e5", "7c9e6679-7425-40de-944b-e07fc1f90ae7"]
SEGMENT = st.sampled_from(WORDS + IDS + ["{{id}}", "x-{{id}}"])
PATH = st.lists(SEGMENT, min_size=0, max_size=4).map(lambda segs: "/" + "/".join(segs))


@settings(max_examples=200, deadline=None)
@given(st.lists(PATH, min_size=1, max_size=12), PATH, st.sampled_from([0.1, 0.2, 0.25, 0.34, 0.5, 0.9, 1.0]),
       st.booleans(), st.booleans())
def test_distance_index_finds_exactly_what_the_rule_accepts(example_paths, request_path, threshold, wildcards,
                                                            every_column):
    small = distance_index.SMALL
    distance_index.SMALL = -1 if every_column else small  # -1: never stop early, every column is computed
    try:
        index = Index(load_collection(coll(*(ex(p, name=f"e{i}") for i, p in enumerate(example_paths)))))
        req = prepare(MockRequest.from_target("GET", request_path.replace("{{id}}", "5")))
        found = {id(t) for t in index.for_method("GET").level("h", req.forms, threshold, wildcards)}
    finally:
        distance_index.SMALL = small
    accepted = {id(t) for t in index.targets if distance(req.forms, t, wildcards, threshold) is not None}
    assert accepted <= found, (request_path, threshold)
    if every_column:
        assert found == accepted, (request_path, threshold)


def letters(i: int) -> str:
    """``i`` written in letters (no digit: never an id, spec 9.1)."""
    out = ""
    while True:
        i, r = divmod(i, 26)
        out += chr(97 + r)
        if not i:
            return out


def test_distance_index_memo_is_bounded():
    index = Index(load_collection(coll(*(ex(f"/v1/resource{letters(i)}", name=f"e{i}") for i in range(50)))))
    near = index.for_method("GET").near[2]
    for i in range(distance_index.MEMO_SIZE + 50):
        near.candidates(("v1", f"nothing{letters(i)}"), 0.2)
    assert all(len(column._memo) <= distance_index.MEMO_SIZE for column in near._columns)
    assert "/v1/resourceh" in [t.path for part in near.candidates(("v1", "resourcqh"), 0.2) for t in part]


def test_miss_and_typo_on_a_big_collection_rank_like_scoring_everything():
    # 600 examples: resources with list, query, {{id}} and literal-id examples; typos and misses
    rng = random.Random(17)
    examples = []
    for r in range(120):
        base = f"/api/{rng.choice(['users', 'orders', 'carts'])}{r}"
        examples += [ex(base, name=f"l{r}"), ex(base + "?page=2", name=f"p{r}"),
                     ex(base + "/{{id}}", name=f"i{r}"), ex(base + "/{{id}}", name=f"n{r}", code=404),
                     ex(base + "/7/notes", name=f"t{r}")]
    index = Index(load_collection(coll(*examples)))
    requests = ["/api/users3", "/api/userz3", "/api/usrs3/5", "/api/orders99x/5", "/apj/carts7",
                "/api/nothing", "/nothing/at/all", "/api/carts1/7/notez", "/api/cart1/8/notes", "/API/Users3/"]
    requests += [f"/api/{rng.choice(['user', 'orderz', 'cartss'])}{rng.randrange(150)}/{rng.randrange(99)}"
                 for _ in range(60)]
    for target in requests:
        for options in (MockOptions(), MockOptions(match_wildcards=False), MockOptions(distance_threshold=0.34)):
            same_answer(MockRequest.from_target("GET", target), index, options)


# --- crowds: many examples alike at one rung --------------------------------------------------


def crowded_collection(rng: random.Random, n: int) -> dict:
    """Id-like resource names (``invoices1042``: spec 9.1) so that one id-like request segment
    reaches them all at rung f, with statuses, ids, queries, headers and a few bodies that
    differ, literal and wildcard item paths, and a trailing slash here and there."""
    examples = []
    for i in range(n):
        name = f"{rng.choice(['invoices', 'shipments', 'payments'])}{rng.randrange(10**4)}"
        shape = rng.randrange(5)
        path = ["/v1/" + name, "/v1/" + name + "/{{id}}", "/v1/" + name + "/{{itemId}}", "/v1/" + name + "/",
                "/v1/" + name + "/{{id}}/"][shape]
        query = rng.choice(["", "", "page=2", "page=2&size=5"])
        code = rng.choice([200, 200, 201, 404, 500])
        headers = {"X-Tenant": rng.choice(["a", "b"])} if rng.random() < 0.2 else None
        body = {"mode": "raw", "raw": '{"k": 1}'} if rng.random() < 0.05 else None
        examples.append(ex(path + ("?" + query if query else ""), name=f"e{i}", code=code, headers=headers,
                           body=body, id=rng.choice([None, f"{rng.randrange(256):02x}"])))
    return coll(*examples)


@pytest.mark.parametrize("crowd_above", [2, crowds.CROWD_ABOVE])
def test_crowds_pick_the_winner_scoring_everything_picks(monkeypatch, crowd_above):
    monkeypatch.setattr(index_module, "CROWD_ABOVE", crowd_above)  # small crowds too: many groups
    rng = random.Random(crowd_above)
    index = Index(load_collection(crowded_collection(rng, 400)))
    assert index.for_method("GET").crowds  # the collection really has crowds
    requests = []
    for _ in range(80):
        resource = f"{rng.choice(['invoices', 'refunds', 'shipments'])}{rng.randrange(10**5)}"
        tail = rng.choice(["", "/", "/42", "/42/", "/abc", "/a1b2c3d4e5"])
        query = rng.choice(["", "?page=2", "?page=2&size=5", "?size=9"])
        headers = {}
        if rng.random() < 0.3:
            headers["x-mock-response-code"] = rng.choice(["200", "404", "500", "418"])
        if rng.random() < 0.3:
            headers["X-Tenant"] = rng.choice(["a", "b"])
        requests.append(MockRequest.from_target("GET", f"/v1/{resource}{tail}{query}", headers=headers))
    options = [MockOptions(), MockOptions(match_wildcards=False), MockOptions(match_headers=("x-tenant",)),
               MockOptions(match_query_params=False)]
    winners = 0
    for request in requests:
        for option in options:
            same_answer(request, index, option)
            winners += rank(request, index, option).winner is not None
    assert winners > 100


def test_explanation_counts_every_example_the_winner_tied_with():
    # 40 examples alike at rung f (id-like names): rank scores one, the explanation names all ties
    index = Index(load_collection(coll(*(ex(f"/v1/invoices{1000 + i}", name=f"e{i}") for i in range(40)))))
    ranking = rank(MockRequest.from_target("GET", "/v1/invoices99999"), index, MockOptions())
    assert ranking.winner is not None and ranking.winner.path_rule == "f"
    assert len(ranking.scored) < 40  # the crowd was scored once
    explained = explain(ranking)
    assert explained.winner.example.name == "e0"
    assert "won a tie with 39 other(s)" in explained.winner.reason


def test_many_examples_of_one_shape_close_by_distance():
    # /items/{n}/detail: one path shape for step h; a typo of "detail" reaches them all at rung h
    rng = random.Random(5)
    examples = [ex(f"/items/{i}/detail" + rng.choice(["", "?full=1"]), name=f"e{i}", code=rng.choice([200, 404, 201]),
                   id=rng.choice([None, f"{rng.randrange(99):02d}"])) for i in range(80)]
    index = Index(load_collection(coll(*examples)))
    for target in ("/items/7/detal", "/items/9999/detial", "/itemz/3/detail", "/items/abc/detail",
                   "/items/5/detail?full=1", "/items/5/detai?full=1"):
        for headers in ({}, {"x-mock-response-code": "404"}):
            for options in (MockOptions(), MockOptions(distance_threshold=0.5)):
                same_answer(MockRequest.from_target("GET", target, headers=headers), index, options)
    ranking = rank(MockRequest.from_target("GET", "/items/7/detal"), index, MockOptions())
    assert ranking.winner is not None and ranking.winner.path_rule == "h" and len(ranking.scored) < 20


UNICODE = st.sampled_from(["res7", "RES7", "ſes7", "res\u212a", "resk", "İtem", "item", "straße", "STRASSE", "é",
                           "abcdefg1\u212a", "abcdefg1k", "12345", "a1b2c3d4e5", "x"])


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(UNICODE, st.booleans()), min_size=1, max_size=3), st.lists(UNICODE, min_size=1, max_size=3))
def test_non_ascii_request_segments_find_the_same_wildcard_examples(saved, sent):
    # each example: one literal segment (maybe non-ASCII) then a wildcard, or a wildcard first
    examples = [ex(f"/{lit}/{{{{id}}}}" if first else f"/{{{{id}}}}/{lit}", name=f"e{i}")
                for i, (lit, first) in enumerate(saved)]
    index = Index(load_collection(coll(*examples)))
    for path in ("/" + "/".join(sent), f"/{sent[0]}/5", f"/5/{sent[0]}"):
        for options in (MockOptions(), MockOptions(distance_threshold=0.0)):
            same_answer(MockRequest.from_target("GET", path.replace("ß", "%C3%9F")), index, options)


# --- crowds of one path told apart by their saved query parameters (crowds.QueryClasses) ----------

NAMES = ["q", "page", "size", "sort"]
VALUES = ["1", "2", "a", ""]


def query_text(rng: random.Random) -> str:
    """A query string over a few names and values, repeated names included (multisets)."""
    return "&".join(f"{rng.choice(NAMES)}={rng.choice(VALUES)}" for _ in range(rng.choice([0, 1, 1, 2, 2, 3, 4])))


def one_path_collection(rng: random.Random, n: int, uniform: bool = False) -> dict:
    """``n`` examples on two paths that differ in saved query, status, id, a few headers and bodies
    (``uniform``: one path, status 200, ``q`` and ``page`` always: one class of groups)."""
    if uniform:
        return coll(*(ex(f"/search?q={rng.choice(VALUES)}&page={rng.choice(VALUES)}", name=f"e{i}",
                         id=rng.choice([None, f"{rng.randrange(64):02x}"])) for i in range(n)))
    examples = []
    for i in range(n):
        query = query_text(rng)
        path = rng.choice(["/search", "/search", "/Search/"])
        headers = {"X-Tenant": rng.choice(["a", "b"])} if rng.random() < 0.1 else None
        body = {"mode": "raw", "raw": '{"k": 1}'} if rng.random() < 0.05 else None
        examples.append(ex(path + ("?" + query if query else ""), name=f"e{i}", code=rng.choice([200, 200, 201, 404, 500]),
                           headers=headers, body=body, id=rng.choice([None, f"{rng.randrange(64):02x}"])))
    return coll(*examples)


@pytest.mark.parametrize("seed,uniform", [(0, False), (1, False), (2, False), (3, False), (4, True), (5, True)])
def test_query_crowds_pick_the_winner_scoring_everything_picks(seed, uniform):
    rng = random.Random(seed)
    index = Index(load_collection(one_path_collection(rng, 300, uniform)))
    assert any(c.queries is not None for c in index.for_method("GET").crowds.values())
    options = [MockOptions(), MockOptions(match_query_params=False), MockOptions(match_headers=("x-tenant",)),
               MockOptions(match_body=True)]
    fewer = 0
    for _ in range(150):
        query = query_text(rng)
        headers = {}
        if rng.random() < 0.25:
            headers["x-mock-response-code"] = rng.choice(["200", "404", "500", "418", "abc"])
        if rng.random() < 0.2:
            headers["X-Tenant"] = rng.choice(["a", "b"])
        if rng.random() < 0.1:
            headers[rng.choice(["x-mock-match-request-headers", "x-mock-match-request-body"])] = \
                rng.choice(["x-tenant", "true", "false"])
        body = '{"k": 1}' if rng.random() < 0.1 else None
        target = rng.choice(["/search", "/search/", "/SEARCH", "/Search/"]) + ("?" + query if query else "")
        request = MockRequest.from_target("POST" if body and rng.random() < 0.5 else "GET", target, headers=headers,
                                          body=body)
        for option in options:
            same_answer(request, index, option)
            fewer += len(rank(request, index, option).scored) < 50
    assert fewer > 100  # the classes were used: far fewer examples scored than the crowd holds


def test_a_query_crowd_of_thousands_scores_a_handful():
    examples = [ex(f"/search?q=w{i}&page={i % 7}", name=f"e{i}", code=200 if i % 3 else 404) for i in range(3000)]
    index = Index(load_collection(coll(*examples)))
    ranking = rank(MockRequest.from_target("GET", "/search?q=w2999&page=3"), index, MockOptions())
    assert ranking.winner is not None and ranking.winner.example.name == "e2999"
    assert len(ranking.scored) <= 4  # one per class of (parameter names, status code)
    ranking = rank(MockRequest.from_target("GET", "/search?page=3"), index, MockOptions())
    assert ranking.winner is not None and ranking.winner.example.name == "e10"  # page equal; e3 is a 404: 200 first
    assert len(ranking.scored) <= 4
