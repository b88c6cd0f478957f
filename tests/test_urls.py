"""Edit distance and step h's candidate window (spec 9.2), checked against plain references.

* ``urls.levenshtein`` (rapidfuzz) equals a textbook dynamic-programming edit distance, and with
  ``limit`` reports any distance above the limit as ``limit + 1``.
* ``Index.level("h")`` (the distance index that spares comparing every path) always holds every
  example that the per-segment rule accepts: the pruned ranking never misses a step-h match.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from mockkit import MockOptions, MockRequest, load_collection
from mockkit.matching import Index
from mockkit.pathsteps import distance
from mockkit.scoring import prepare
from mockkit.urls import levenshtein

from builders import coll, ex


def reference_levenshtein(a: str, b: str) -> int:
    """Wagner–Fischer, one row at a time."""
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        row = [i]
        for j, cb in enumerate(b, 1):
            row.append(min(previous[j] + 1, row[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = row
    return previous[-1]


TEXT = st.text(alphabet=st.sampled_from("abcdeé-_0123456789ÄΩ"), max_size=14)


@settings(max_examples=300, deadline=None)
@given(TEXT, TEXT, st.none() | st.integers(min_value=0, max_value=6))
def test_levenshtein_equals_the_reference(a, b, limit):
    exact = reference_levenshtein(a, b)
    got = levenshtein(a, b, limit=limit)
    if limit is None or exact <= limit:
        assert got == exact
    else:
        assert got == limit + 1


# Segments for step-h paths: words, typos of them, and ids of very different lengths.
WORDS = ["items", "itemz", "item", "orders", "ordres", "notifications", "notifcations", "me", "a", "ab"]
IDS = ["1", "42", "98765432", "a1b2c3d4e5", "7c9e6679-7425-40de-944b-e07fc1f90ae7"]
SEGMENT = st.sampled_from(WORDS + IDS + ["{{id}}"])
PATH = st.lists(SEGMENT, min_size=1, max_size=4).map(lambda segs: "/" + "/".join(segs))


@settings(max_examples=200, deadline=None)
@given(st.lists(PATH, min_size=1, max_size=8), PATH,
       st.sampled_from([0.1, 0.2, 0.25, 0.34, 0.5, 0.9]), st.booleans())
def test_step_h_window_holds_every_match(example_paths, request_path, threshold, wildcards):
    index = Index(load_collection(coll(*(ex(p, name=f"e{i}") for i, p in enumerate(example_paths)))))
    req = prepare(MockRequest.from_target("GET", request_path.replace("{{id}}", "5")))
    window = {id(t) for t in index.for_method("GET").level("h", req.forms, threshold)}
    for t in index.targets:
        if distance(req.forms, t, wildcards, threshold) is not None:
            assert id(t) in window, (request_path, t.path, threshold)


def test_step_h_through_rank_uses_the_window():
    # a long uuid standing in for a short id changes the path length a lot, yet step h finds it
    collection = coll(ex("/carts/15/itemz", name="E"))
    index = Index(load_collection(collection))
    request = MockRequest.from_target("GET", "/carts/7c9e6679-7425-40de-944b-e07fc1f90ae7/items")
    from mockkit.matching import rank

    chosen = rank(request, index, MockOptions()).winner
    assert chosen is not None and chosen.path_rule == "h"
