"""The matching algorithm, table by table, with expected values taken from the spec
(/work/shared/spec/postman-mock-spec.md §1.2–1.7 and decisions §9.1–9.5), not from the code.

Each table row is one request against a small collection built with ``tests/builders.py``.
"""

from __future__ import annotations

import json
import random

import httpx
import pytest

import mockkit
from mockkit import MockOptions, MockRequest, load_collection, load_environment
from mockkit.explaining import explain
from mockkit.matching import Index, choose, rank

from builders import coll, env, ex, formdata, graphql, raw_json, raw_text, urlencoded

STYLES = ["path", "raw"]  # url written with path/query arrays, or as `raw` only


# --- helpers -----------------------------------------------------------------------------------


def ranking_for(collection, method, target, *, headers=None, body=None, options=None, environment=None):
    index = Index(load_collection(collection),
                  load_environment(environment) if environment is not None else None)
    request = MockRequest.from_target(method, target, headers=headers, body=body)
    return explain(rank(request, index, options or MockOptions()))


def candidate(ranking, name):
    found = [c for c in ranking.candidates if c.example.name == name]
    assert len(found) == 1, f"expected one candidate named {name!r}, got {len(found)}"
    return found[0]


def winner_name(ranking):
    chosen = ranking.winner
    return None if chosen is None else chosen.example.name


def spec_tie_pick(candidates):
    """Spec 9.3, written independently: id ascending (no id after, collection order), first 200,
    else first 2xx, else first."""
    ordered = sorted(candidates, key=lambda c: (c.example.id == "", c.example.id, c.example.position))
    return next((c for c in ordered if c.example.response.code == 200),
                next((c for c in ordered if c.example.response.code // 100 == 2), ordered[0]))


# --- 1. path steps a–h (spec §1.2 step 4, §9.1, §9.2) -----------------------------------------

PATH_MATCHES = [
    # id, request path, example path, rule, path points
    ("a-exact", "/users/1", "/users/1", "a", 100),
    ("a-root", "/", "/", "a", 100),
    ("b-request-trailing-slash", "/users/1/", "/users/1", "b", 95),
    ("b-example-trailing-slash", "/users/1", "/users/1/", "b", 95),
    ("c-case", "/Users/1", "/users/1", "c", 90),
    ("d-trailing-slash-and-case", "/USERS/1/", "/users/1", "d", 85),
    ("e-wildcard", "/users/carol", "/users/{{id}}", "e", 80),
    ("e-wildcard-middle", "/users/carol/posts", "/users/{{id}}/posts", "e", 80),
    ("f-digits", "/users/42", "/users/1", "f", 79),
    ("f-ids-compared-case-insensitively", "/Users/42", "/users/1", "f", 79),
    ("f-uuid-upper-vs-lower", "/items/3F2504E0-4F89-11D3-9A0C-0305E82C3301",
     "/items/7c9e6679-7425-40de-944b-e07fc1f90ae7", "f", 79),
    ("f-uuid-vs-digits", "/items/7C9E6679-7425-40DE-944B-E07FC1F90AE7", "/items/15", "f", 79),
    ("f-token-8-chars-digit-and-letter", "/keys/a1b2c3d4", "/keys/99", "f", 79),
    ("f-token-with-underscore-and-dash", "/keys/ab_cd-12", "/keys/ZZ99YY88", "f", 79),
    ("f-token-upper-case", "/keys/ABCDEFG1", "/keys/5", "f", 79),
    ("f-two-id-segments", "/users/42/posts/a1b2c3d4", "/users/1/posts/2", "f", 79),
    ("g-trailing-slash-and-ids", "/users/42/", "/users/1", "g", 75),
    # step h (spec 9.2): per segment, each differing segment a typo away (≤ 0.2 of the longer one)
    ("h-distance", "/users/jonathon", "/users/jonathan", "h", 70),  # 1 edit / 8 chars
    ("h-distance-at-threshold", "/abcde", "/abcdf", "h", 70),  # 1 edit / 5 chars = 0.2 ≤ 0.2
    ("h-distance-ignores-case", "/Users/JONATHON", "/users/jonathan", "h", 70),
    ("h-typo-next-to-an-id", "/customers/42/adress", "/customers/7/address", "h", 70),  # ids stand in for ids
    ("h-typos-in-two-segments", "/acounts/9/invoyces", "/accounts/9/invoices", "h", 70),
    ("h-uuid-for-digits-and-a-typo", "/carts/7C9E6679-7425-40DE-944B-E07FC1F90AE7/itemss", "/carts/15/items", "h", 70),
    ("h-inserted-letter-long-word", "/organisations/3/memberships", "/organisations/3/membershipss", "h", 70),
]

PATH_MISSES = [
    # id, request path, example path — the example must be dropped at the path step
    ("test-vs-about", "/test", "/about"),
    ("abc-is-not-an-id", "/users/abc", "/users/123"),
    ("abcdefgh-is-not-an-id", "/users/abcdefgh", "/users/12345678"),
    ("7-char-token-is-not-an-id", "/users/a1b2c3d", "/users/12345678"),
    ("me-is-not-an-id", "/users/me", "/users/1"),  # and 2 edits / 9 chars = 0.22 > 0.2
    ("wildcard-is-one-segment", "/users/a/b", "/users/{{id}}"),
    ("wildcard-needs-a-segment", "/users", "/users/{{id}}"),
    ("extra-segment", "/users/1/posts", "/users/1"),
    # step h is typo tolerance, not word swaps (spec 9.2, issue 12 item 1)
    ("word-in-place-of-an-id", "/accounts/me/orders", "/accounts/7/orders"),
    ("id-in-place-of-a-word", "/teams/12345/members", "/teams/all/members"),
    ("me-vs-10", "/users/me", "/users/10"),
    ("other-word-same-prefix", "/settings/billing-plan", "/settings/billing-info"),
    ("permissions-vs-notifications", "/settings/permissions", "/settings/notifications"),
    ("daily-vs-weekly-in-a-long-path", "/api/v1/reports/daily/summary", "/api/v1/reports/weekly/summary"),
    ("one-close-one-far", "/shop/itemz/red", "/shop/items/blue"),
    ("short-word-two-edits", "/users/jonh", "/users/john"),  # 2 edits / 4 chars
    ("alpha-vs-beta", "/projects/alpha/tasks", "/projects/beta/tasks"),
]


@pytest.mark.parametrize("style", STYLES)
@pytest.mark.parametrize("request_path, example_path, rule, points",
                         [pytest.param(*row[1:], id=row[0]) for row in PATH_MATCHES])
def test_path_step(style, request_path, example_path, rule, points):
    ranking = ranking_for(coll(ex(example_path, name="E", url_style=style)), "GET", request_path)
    c = candidate(ranking, "E")
    assert c.kept, c.reason
    assert (c.path_rule, c.path_points) == (rule, points)
    assert c.score == points + 10  # no query on either side: +10 (spec 9.4)
    assert winner_name(ranking) == "E"


@pytest.mark.parametrize("style", STYLES)
@pytest.mark.parametrize("request_path, example_path",
                         [pytest.param(*row[1:], id=row[0]) for row in PATH_MISSES])
def test_path_non_match_is_dropped(style, request_path, example_path):
    ranking = ranking_for(coll(ex(example_path, name="E", url_style=style)), "GET", request_path)
    c = candidate(ranking, "E")
    assert not c.kept
    assert c.stage == "path"
    assert c.reason
    assert ranking.winner is None


def test_id_digits_are_ascii_digits():
    # 9.1: "a segment that is all digits"; "²" (U+00B2) is not a digit, so no step f; and at step h
    # an id only stands in for an id (9.2), so "1" and "²" never match.
    ranking = ranking_for(coll(ex("/users/1", name="E")), "GET", "/users/%C2%B2")
    c = candidate(ranking, "E")
    assert (c.kept, c.stage) == (False, "path")
    assert "an id only stands in for an id" in c.reason, c.reason


@pytest.mark.parametrize("threshold, target, matches", [
    (0.2, "/users/jonathon", True),  # 1/8 = 0.125
    (0.1, "/users/jonathon", False),
    (0, "/users/jonathon", False),  # 0 turns step h off
    (0.5, "/users/jonh", True),  # 2/4 = 0.5
    (0.5, "/users/me", False),  # still no word for an id, whatever the threshold
    (1, "/users/zzzzzzzz", True),
])
def test_distance_threshold_is_configurable_and_shown(threshold, target, matches):
    collection = coll(ex("/users/jonathan", name="E"), ex("/users/1", name="id"))
    ranking = ranking_for(collection, "GET", target, options=MockOptions(distance_threshold=threshold))
    c = candidate(ranking, "E")
    assert c.kept == matches, c.reason
    if matches:
        assert c.path_rule == "h" and f"≤ {threshold:g}" in c.reason, c.reason
    elif threshold:
        assert f"≤ {threshold:g}" in c.reason, c.reason  # the near miss names the threshold it missed
    assert not candidate(ranking, "id").kept


@pytest.mark.parametrize("threshold", [-0.1, 1.5, float("nan")])
def test_distance_threshold_out_of_range_is_refused(threshold):
    with pytest.raises(ValueError, match="distance_threshold"):
        MockOptions(distance_threshold=threshold)


@pytest.mark.parametrize("target, words", [
    ("/accounts/me/orders", ["`7` vs `me`", "an id only stands in for an id"]),
    ("/settings/billing-plan", ["`billing-info` vs `billing-plan`", "distance 0.33; step h needs ≤ 0.2"]),
])
def test_near_miss_names_each_differing_segment(target, words):
    collection = coll(ex("/accounts/7/orders", name="acc"), ex("/settings/billing-info", name="set"))
    ranking = ranking_for(collection, "GET", target)
    c = next(c for c in ranking.candidates if c.target.forms.segments[0] == target.split("/")[1])
    assert (c.kept, c.stage) == (False, "path")
    for word in words:
        assert word in c.reason, c.reason


def test_match_wildcards_off_skips_step_e():
    collection = coll(ex("/users/{{id}}", name="E"))
    ranking = ranking_for(collection, "GET", "/users/carol", options=MockOptions(match_wildcards=False))
    c = candidate(ranking, "E")
    assert c.path_rule != "e"


# --- 2. the worked examples of §1.3 -------------------------------------------------------------

WORKED_USERS = coll(
    ex("/users/{{userId}}", name="A", id="a"),
    ex("/users/1", name="B", id="b"),
    ex("/users/me", name="C", id="c"),
)


@pytest.mark.parametrize("target, expected, winner", [
    ("/users/1", {"A": ("e", 80), "B": ("a", 100)}, "B"),
    ("/users/42", {"A": ("e", 80), "B": ("f", 79)}, "A"),
    ("/users/1/", {"B": ("b", 95)}, "B"),
])
def test_worked_example_wildcard_vs_ids(target, expected, winner):
    ranking = ranking_for(WORKED_USERS, "GET", target)
    for name, (rule, points) in expected.items():
        c = candidate(ranking, name)
        assert (c.path_rule, c.path_points) == (rule, points), (name, c.reason)
    c = candidate(ranking, "C")  # "C dropped (or ≤70 if step h accepts it)"
    assert not c.kept or c.path_points <= 70
    a = candidate(ranking, "A")
    assert not a.kept or a.path_points <= 80
    assert winner_name(ranking) == winner


@pytest.mark.parametrize("style", STYLES)
def test_worked_example_query_scores(style):
    collection = coll(*(ex(t, name=n, id=n.lower(), url_style=style) for t, n in [
        ("/search?q=cat&page=2", "X"), ("/search?q=cat", "Y"), ("/search?q=dog&page=2", "Z"),
        ("/search?q=dog", "W")]))
    ranking = ranking_for(collection, "GET", "/search?q=cat&page=2")
    scores = {name: candidate(ranking, name).score for name in "XYZW"}
    assert scores == {"X": 110, "Y": 105, "Z": 105, "W": 99}
    assert {n: candidate(ranking, n).query_counts for n in "XYZW"} == {
        "X": (2, 0, 0), "Y": (1, 0, 1), "Z": (1, 1, 0), "W": (0, 1, 1)}
    assert winner_name(ranking) == "X"


def test_worked_example_issue_10318():
    collection = coll(ex("/tree?node=root", name="root", id="1"),
                      ex("/tree?node=child_items", name="child", id="2"))
    ranking = ranking_for(collection, "GET", "/tree?randomID=987&node=child_items")
    assert candidate(ranking, "child").score == 105
    assert candidate(ranking, "root").score == 99
    assert winner_name(ranking) == "child"


def test_worked_example_body_bonus():
    collection = coll(
        ex("/login", name="wrong password", method="POST", id="a",
           headers={"Content-Type": "application/json"}, body=raw_json({"user": "ann", "password": "x"})),
        ex("/login", name="right password", method="POST", id="b",
           headers={"Content-Type": "application/json"}, body=raw_json({"user": "ann", "password": "s3cret"})),
    )
    ranking = ranking_for(collection, "POST", "/login", headers={"Content-Type": "application/json"},
                          body='{"password": "s3cret", "user": "ann"}')
    right, wrong = candidate(ranking, "right password"), candidate(ranking, "wrong password")
    assert right.path_points == wrong.path_points == 100
    assert (right.body_points, wrong.body_points) == (5, 0)
    assert right.score == wrong.score + 5
    assert winner_name(ranking) == "right password"


# --- 3. query outcomes (step 5, §9.4) -----------------------------------------------------------

MANY = "&".join(f"k{i}=v" for i in range(12))

QUERY_CASES = [
    # id, request target, example target, query points, (match, partial, missing)
    ("all-match", "/s?a=1&b=2", "/s?b=2&a=1", 10, (2, 0, 0)),
    ("some-match-with-missing", "/s?a=1&b=2&c=3", "/s?a=1", 10 / 3, (1, 0, 2)),
    ("some-match-with-partial", "/s?a=1&b=2", "/s?a=1&b=3", 5, (1, 1, 0)),
    ("some-match-example-has-more", "/s?a=1", "/s?a=1&b=2&c=3&d=4", 2.5, (1, 0, 3)),
    ("none-match-missing", "/s?a=1", "/s?b=2", -2, (0, 0, 2)),
    ("none-match-request-only", "/s?a=1", "/s", -1, (0, 0, 1)),
    ("none-match-example-only", "/s", "/s?a=1", -1, (0, 0, 1)),
    ("none-match-partial-only", "/s?a=1", "/s?a=2", 0, (0, 1, 0)),
    ("none-match-capped-at-minus-10", "/s?" + MANY, "/s?other=1", -10, (0, 0, 13)),
    ("none-match-exactly-10-missing", "/s?" + "&".join(f"k{i}=v" for i in range(9)), "/s?x=1", -10, (0, 0, 10)),
    ("no-params-either-side", "/s", "/s", 10, (0, 0, 0)),
    ("values-case-sensitive", "/s?a=Cat", "/s?a=cat", 0, (0, 1, 0)),
    ("repeated-keys-as-multiset", "/s?t=a&t=b", "/s?t=b&t=a", 10, (1, 0, 0)),
    ("repeated-keys-count-differs", "/s?t=a", "/s?t=a&t=a", 0, (0, 1, 0)),
    ("repeated-keys-values-differ", "/s?t=a&t=b&x=1", "/s?t=a&t=c&x=1", 5, (1, 1, 0)),
    ("percent-decoded-both-sides", "/s?q=hello%20world", "/s?q=hello%20world", 10, (1, 0, 0)),
    ("percent-decoded-request", "/s?q=caf%C3%A9", "/s?q=café", 10, (1, 0, 0)),
    ("percent-decoded-example", "/s?q=café", "/s?q=caf%C3%A9", 10, (1, 0, 0)),
    ("percent-decoded-key", "/s?first%20name=ann", "/s?first name=ann", 10, (1, 0, 0)),
    ("blank-value", "/s?flag", "/s?flag=", 10, (1, 0, 0)),
]


@pytest.mark.parametrize("style", STYLES)
@pytest.mark.parametrize("request_target, example_target, points, counts",
                         [pytest.param(*row[1:], id=row[0]) for row in QUERY_CASES])
def test_query_outcome(style, request_target, example_target, points, counts):
    ranking = ranking_for(coll(ex(example_target, name="E", url_style=style)), "GET", request_target)
    c = candidate(ranking, "E")
    assert c.kept, c.reason
    assert c.query_counts == counts
    assert c.query_points == pytest.approx(points)
    assert c.score == pytest.approx(100 + points)


def test_query_disabled_example_params_are_ignored():
    query = [{"key": "a", "value": "1"}, {"key": "debug", "value": "1", "disabled": True}]
    ranking = ranking_for(coll(ex("/s", name="E", query=query)), "GET", "/s?a=1")
    c = candidate(ranking, "E")
    assert (c.query_counts, c.query_points) == ((1, 0, 0), 10)


def test_query_percent_encoded_value_in_query_array():
    query = [{"key": "q", "value": "a%26b"}]  # the value "a&b", written encoded
    ranking = ranking_for(coll(ex("/s", name="E", query=query)), "GET", "/s?q=a%26b")
    assert candidate(ranking, "E").query_points == 10


def test_match_query_params_off():
    collection = coll(ex("/search?q=cat", name="cat", id="b"), ex("/search?q=dog", name="dog", id="a"))
    on = ranking_for(collection, "GET", "/search?q=cat")
    assert winner_name(on) == "cat"
    off = ranking_for(collection, "GET", "/search?q=cat", options=MockOptions(match_query_params=False))
    assert candidate(off, "cat").score == candidate(off, "dog").score == 100
    assert winner_name(off) == "dog"  # a tie: id "a" sorts first (spec 9.3)


# --- 4. variables and wildcards (step 1, §1.4, F4) ----------------------------------------------


@pytest.mark.parametrize("style", STYLES)
def test_collection_variable_resolved_before_matching(style):
    collection = coll(ex("/{{resource}}/list?limit={{limit}}", name="E", url_style=style),
                      variables={"resource": "orders", "limit": "10"})
    c = candidate(ranking_for(collection, "GET", "/orders/list?limit=10"), "E")
    assert (c.path_rule, c.query_points) == ("a", 10)


@pytest.mark.parametrize("style", STYLES)
def test_environment_wins_over_collection(style):
    collection = coll(ex("/{{version}}/items", name="E", url_style=style), variables={"version": "legacy"})
    environment = env({"version": "current"})
    assert candidate(ranking_for(collection, "GET", "/current/items", environment=environment), "E").path_rule == "a"
    legacy = candidate(ranking_for(collection, "GET", "/legacy/items", environment=environment), "E")
    assert legacy.path_rule != "a"
    # without the environment the collection value applies
    assert candidate(ranking_for(collection, "GET", "/legacy/items"), "E").path_rule == "a"


def test_variables_expand_repeatedly_and_numbers_are_text():
    collection = coll(ex("/{{prefix}}/items?limit={{limit}}", name="E"),
                      variables={"prefix": "{{api}}/{{version}}", "api": "api", "limit": 10})
    ranking = ranking_for(collection, "GET", "/api/v2/items?limit=10", environment=env({"version": "v2"}))
    c = candidate(ranking, "E")
    assert (c.path_rule, c.query_points) == ("a", 10)


def test_disabled_collection_variable_leaves_a_wildcard():
    collection = coll(ex("/users/{{id}}", name="E"), variables={"id": {"value": "7", "disabled": True}})
    c = candidate(ranking_for(collection, "GET", "/users/carol"), "E")
    assert (c.path_rule, c.path_points) == ("e", 80)


@pytest.mark.parametrize("style", STYLES)
@pytest.mark.parametrize("target, rule", [
    ("/users/carol", "e"),
    ("/users/1", "e"),
    ("/users/a/b", None),
    ("/users", None),
])
def test_unresolved_variable_is_a_one_segment_wildcard(style, target, rule):
    c = candidate(ranking_for(coll(ex("/users/{{id}}", name="E", url_style=style)), "GET", target), "E")
    if rule is None:
        assert not c.kept and c.stage == "path"
    else:
        assert (c.kept, c.path_rule) == (True, rule)


def test_wildcard_capture_is_recorded():
    c = ranking_for(coll(ex("/users/{{id}}/posts/{{post}}", name="E")), "GET", "/users/carol/posts/9").winner
    assert c.captures == {"id": "carol", "post": "9"}


@pytest.mark.parametrize("style", STYLES)
@pytest.mark.parametrize("target, rule", [("/users/7", "a"), ("/users/8", "f"), ("/users/:id", None)])
def test_colon_variable_takes_url_variable_value(style, target, rule):
    collection = coll(ex("/users/:id", name="E", url_style=style, url_variables={"id": "7"}))
    c = candidate(ranking_for(collection, "GET", target), "E")
    if rule is None:
        assert c.path_rule != "a"
    else:
        assert c.path_rule == rule


EMPTY_COLON_CASES = [
    # id, example path, url.variable values (None: no entry), collection variables, request, rule
    ("empty-value", "/users/:id", {"id": ""}, {}, "/users/5", "e"),
    ("empty-value-any-segment", "/users/:id", {"id": ""}, {}, "/users/carol", "e"),
    ("empty-value-one-segment-only", "/users/:id", {"id": ""}, {}, "/users/5/6", None),
    ("resolves-to-empty", "/v1/shops/:shopId/items", {"shopId": "{{SHOP_ID}}"}, {"SHOP_ID": ""}, "/v1/shops/81/items", "e"),
    ("resolves-to-empty-no-collapse", "/v1/shops/:shopId/items", {"shopId": "{{SHOP_ID}}"}, {"SHOP_ID": ""},
     "/v1/shops/items", None),
    ("resolves-to-blank-through-two", "/orgs/:org/teams", {"org": "{{A}}{{B}}"}, {"A": "", "B": " "}, "/orgs/acme/teams", "e"),
    ("same-named-variable-cannot-fill-it", "/pets/:petId", {"petId": ""}, {"petId": ""}, "/pets/9", "e"),
    ("undefined-variable-is-a-wildcard-by-w1", "/pets/:petId", {"petId": "{{nothing}}"}, {}, "/pets/9", "e-W1"),
    ("value-is-kept", "/pets/:petId", {"petId": "{{PET}}"}, {"PET": "7"}, "/pets/7", "a"),
    ("value-then-id-step", "/pets/:petId", {"petId": "{{PET}}"}, {"PET": "7"}, "/pets/8", "f"),
    ("no-entry-stays-literal", "/users/:id", None, {}, "/users/5", None),
    ("no-entry-literal-request", "/users/:id", None, {}, "/users/:id", "a"),
    ("empty-entry-literal-request-is-a-wildcard-too", "/users/:id", {"id": ""}, {}, "/users/:id", "e"),
]


@pytest.mark.parametrize("style", STYLES)
@pytest.mark.parametrize("path, url_variables, variables, target, rule",
                         [pytest.param(*row[1:], id=row[0]) for row in EMPTY_COLON_CASES])
def test_empty_colon_variable_is_a_wildcard(style, path, url_variables, variables, target, rule):
    collection = coll(ex(path, name="E", url_style=style, url_variables=url_variables), variables=variables)
    c = candidate(ranking_for(collection, "GET", target), "E")
    assert c.kept == (rule is not None), c.reason
    if rule is not None:
        assert c.path_rule == rule[0], c.reason
    if rule == "e":
        assert "spec 9.20" in c.reason and "Postman" in c.reason, c.reason  # the departure is said


def test_empty_colon_variable_no_longer_steals_another_endpoint():
    # before 9.20 "/v1/shops//items" collapsed to "/v1/shops/items", so that request got this example
    collection = coll(ex("/v1/shops/:shopId/items", name="shop items", url_variables={"shopId": "{{SHOP_ID}}"}),
                      ex("/v1/shops/{{any}}", name="one shop"), variables={"SHOP_ID": ""})
    assert winner_name(ranking_for(collection, "GET", "/v1/shops/items")) == "one shop"
    assert winner_name(ranking_for(collection, "GET", "/v1/shops/42/items")) == "shop items"


@pytest.mark.parametrize("order", ["colon-first", "braces-first"])
def test_the_9_20_note_belongs_to_the_example_with_the_empty_colon(order):
    # both resolve to /users/{{id}} and both match by rule e; only the `:id` one departs from Postman
    examples = [ex("/users/:id", name="colon", id="a", url_variables={"id": ""}),
                ex("/users/{{id}}", name="braces", id="b")]
    ranking = ranking_for(coll(*(examples if order == "colon-first" else examples[::-1])), "GET", "/users/7")
    path = {n: next(ch.sentence for ch in candidate(ranking, n).checks if ch.step == "path")
            for n in ("colon", "braces")}
    assert "spec 9.20" in path["colon"] and "spec 9.20" not in path["braces"], path


def test_empty_colon_wildcard_captures_its_segment():
    collection = coll(ex("/v1/shops/:shopId/items", name="E", url_variables={"shopId": ""}))
    assert ranking_for(collection, "GET", "/v1/shops/s-81/items").winner.captures == {"shopId": "s-81"}


@pytest.mark.parametrize("style", STYLES)
@pytest.mark.parametrize("base, target, matches", [
    ("/", "/accounts", True),
    ("https://x/api/v1", "/api/v1/accounts", True),
    ("https://x/api/v1", "/accounts", False),
    ("https://api.example.com", "/accounts", True),
    ("https://x/", "/accounts", True),  # a base URL ending in "/" carries the path "/", like "/"
    ("https://x/api/v1/", "/api/v1/accounts", True),
])
def test_base_url_host_variable(style, base, target, matches):
    collection = coll(ex("/accounts", name="E", url_style=style), variables={"baseUrl": base})
    c = candidate(ranking_for(collection, "GET", target), "E")
    if matches:
        assert (c.path_rule, c.path_points) == ("a", 100), c.reason
    else:
        assert c.path_rule != "a"


@pytest.mark.parametrize("style", STYLES)
@pytest.mark.parametrize("host", ["api.example.com", "https://api.example.com:8443", "http://localhost:3000", ""])
def test_literal_host_is_not_compared(style, host):
    c = candidate(ranking_for(coll(ex("/accounts", name="E", url_style=style, host=host)), "GET", "/accounts"), "E")
    assert (c.path_rule, c.path_points) == ("a", 100)


def test_base_url_from_environment_counts_its_path():
    collection = coll(ex("/accounts", name="E"), variables={"baseUrl": "https://x"})
    environment = env({"baseUrl": "https://x/api/v1"})
    c = candidate(ranking_for(collection, "GET", "/api/v1/accounts", environment=environment), "E")
    assert c.path_rule == "a"


# --- 5. method filter and control headers (steps 2, 3) -----------------------------------------


def test_method_filter_keeps_only_same_method():
    collection = coll(ex("/cache", name="get", method="GET", id="a"),
                      ex("/cache", name="purge", method="PURGE", id="b"))
    ranking = ranking_for(collection, "PURGE", "/cache")
    assert winner_name(ranking) == "purge"
    assert candidate(ranking, "get").stage == "method"
    assert winner_name(ranking_for(collection, "GET", "/cache")) == "get"
    assert winner_name(ranking_for(collection, "purge", "/cache")) == "purge"  # compared upper-cased


def test_method_filter_lower_case_example_method():
    collection = coll(ex("/cache", name="purge", method="purge"))
    assert winner_name(ranking_for(collection, "PURGE", "/cache")) == "purge"


def test_no_example_for_method():
    ranking = ranking_for(coll(ex("/users/1", name="E")), "DELETE", "/users/1")
    assert ranking.winner is None
    assert candidate(ranking, "E").stage == "method"


CONTROL = coll(
    ex("/users/1", name="ok", id="r-ok", code=200),
    ex("/users/1", name="missing", id="r-404", code=404),
    ex("/other/path", name="elsewhere", id="r-else", code=200),
    ex("/dups/1", name="dup", id="d3", code=200),
    ex("/dups/2", name="dup", id="d1", code=201),
    ex("/dups/3", name="dup", id="d2", code=200),
    ex("/errs/1", name="err", id="e2", code=404),
    ex("/errs/2", name="err", id="e1", code=500),
    ex("/posts", name="post only", id="p1", method="POST"),
    ex("/mixed/1", name="mixed", id="m1", code=500),
    ex("/mixed/2", name="mixed", id="m2", code=401),
    ex("/mixed/3", name="mixed", id="m3", code=202),
)


@pytest.mark.parametrize("target, headers, winner", [
    ("/users/1", {}, "ok"),
    ("/users/1", {"x-mock-response-code": "404"}, "missing"),
    ("/users/1", {"X-Mock-Response-Code": "200"}, "ok"),
    ("/users/1", {"x-mock-response-code": "500"}, None),
    # x-mock-response-id: bare id or <owner>-<id> UID; the path is not compared
    ("/nowhere", {"x-mock-response-id": "r-else"}, "elsewhere"),
    ("/users/1", {"x-mock-response-id": "r-404"}, "missing"),
    ("/users/1", {"x-mock-response-id": "12345678-r-404"}, "missing"),
    ("/users/1", {"x-mock-response-id": "no-such-id"}, None),
    ("/users/1", {"x-mock-response-id": "12345678-no-such-id"}, None),
    # x-mock-response-name: collection-wide, path ignored; duplicates: by id, first 200, else first
    ("/nowhere", {"x-mock-response-name": "elsewhere"}, "elsewhere"),
    ("/users/1", {"x-mock-response-name": "no such name"}, None),
    # x-mock-response-code applies before id / name
    ("/users/1", {"x-mock-response-code": "404", "x-mock-response-id": "r-ok"}, None),
    ("/users/1", {"x-mock-response-code": "200", "x-mock-response-id": "r-ok"}, "ok"),
    ("/users/1", {"x-mock-response-code": "404", "x-mock-response-name": "ok"}, None),
    # the method filter applies before the control headers
    ("/users/1", {"x-mock-response-id": "p1"}, None),
    ("/posts", {"x-mock-response-name": "post only"}, None),
    # x-mock-response-id comes before x-mock-response-name, and an unknown id stops there
    ("/users/1", {"x-mock-response-id": "r-else", "x-mock-response-name": "ok"}, "elsewhere"),
    ("/users/1", {"x-mock-response-id": "unknown", "x-mock-response-name": "ok"}, None),
])
def test_control_headers(target, headers, winner):
    assert winner_name(ranking_for(CONTROL, "GET", target, headers=headers)) == winner


@pytest.mark.parametrize("headers, expected_id", [
    ({"x-mock-response-name": "dup"}, "d2"),  # sorted d1(201), d2(200), d3(200): first 200 is d2
    ({"x-mock-response-name": "dup", "x-mock-response-code": "201"}, "d1"),
    ({"x-mock-response-name": "err"}, "e1"),  # no 200: the first by id
    ({"x-mock-response-name": "err", "x-mock-response-code": "404"}, "e2"),
    ({"x-mock-response-name": "mixed"}, "m3"),  # no 200: the 2xx (m3) over the lower-id 401 and 500
    ({"x-mock-response-name": "mixed", "x-mock-response-code": "500"}, "m1"),
])
def test_response_name_duplicates(headers, expected_id):
    chosen = ranking_for(CONTROL, "GET", "/anything/else", headers=headers).winner
    assert chosen is not None and chosen.example.id == expected_id


def test_response_id_matches_uid_field():
    collection = coll(ex("/a", name="A", id="7c9e6679-7425-40de-944b-e07fc1f90ae7",
                         uid="1234-7c9e6679-7425-40de-944b-e07fc1f90ae7"), ex("/b", name="B", id="x"))
    for value in ("7c9e6679-7425-40de-944b-e07fc1f90ae7", "1234-7c9e6679-7425-40de-944b-e07fc1f90ae7",
                  "99999-7c9e6679-7425-40de-944b-e07fc1f90ae7"):
        ranking = ranking_for(collection, "GET", "/b", headers={"x-mock-response-id": value})
        assert winner_name(ranking) == "A", value


# --- 6. header and body matching (step 6, §1.5, §9.5) ------------------------------------------

HEADER_CASES = [
    # id, example headers, request headers, expected kept
    ("same-value", {"X-Api-Key": "k1"}, {"x-api-key": "k1"}, True),
    ("name-case-insensitive", {"x-api-key": "k1"}, {"X-API-KEY": "k1"}, True),
    ("different-value", {"X-Api-Key": "k1"}, {"x-api-key": "k2"}, False),
    ("value-case-sensitive", {"X-Api-Key": "k1"}, {"x-api-key": "K1"}, False),
    ("request-lacks-header", {"X-Api-Key": "k1"}, {}, False),
    ("example-lacks-header", {}, {"x-api-key": "k1"}, False),
    ("neither-side", {}, {}, True),
    ("other-headers-ignored", {"X-Api-Key": "k1", "Accept": "text/xml"}, {"x-api-key": "k1"}, True),
]


def _header_via(how, request_headers):
    """Turn header matching on for `X-Api-Key`: by option (two spellings) or by control header."""
    if how == "option-lower":
        return MockOptions(match_headers=("x-api-key",)), dict(request_headers)
    if how == "option-mixed-case":
        return MockOptions(match_headers=("X-Api-Key",)), dict(request_headers)
    return MockOptions(), {**request_headers, "x-mock-match-request-headers": "X-Api-Key"}


@pytest.mark.parametrize("how", ["option-lower", "option-mixed-case", "control-header"])
@pytest.mark.parametrize("example_headers, request_headers, kept",
                         [pytest.param(*row[1:], id=row[0]) for row in HEADER_CASES])
def test_header_matching(how, example_headers, request_headers, kept):
    options, headers = _header_via(how, request_headers)
    collection = coll(ex("/secure", name="E", headers=example_headers))
    c = candidate(ranking_for(collection, "GET", "/secure", headers=headers, options=options), "E")
    assert c.kept == kept, c.reason
    if not kept:
        assert c.stage == "headers"
        assert "x-api-key" in c.reason.lower()


def test_header_matching_on_several_names():
    collection = coll(ex("/j", name="E", headers={"A": "1", "B": "2"}))
    names = {"x-mock-match-request-headers": "A, b"}
    assert candidate(ranking_for(collection, "GET", "/j", headers={"a": "1", "b": "2", **names}), "E").kept
    c = candidate(ranking_for(collection, "GET", "/j", headers={"a": "1", "b": "3", **names}), "E")
    assert (c.kept, c.stage) == (False, "headers")


def test_header_matching_off_by_default():
    collection = coll(ex("/secure", name="E", headers={"X-Api-Key": "k1"}))
    assert candidate(ranking_for(collection, "GET", "/secure", headers={"x-api-key": "k2"}), "E").kept


def test_header_matching_resolves_variables_in_example():
    collection = coll(ex("/secure", name="E", headers={"X-Api-Key": "{{key}}"}), variables={"key": "k1"})
    ranking = ranking_for(collection, "GET", "/secure", environment=env({"key": "k2"}),
                          headers={"x-api-key": "k2", "x-mock-match-request-headers": "x-api-key"})
    assert candidate(ranking, "E").kept


def test_header_matching_picks_the_right_example():
    collection = coll(ex("/me", name="ann", id="a", headers={"Authorization": "Bearer ann"}),
                      ex("/me", name="bob", id="b", headers={"Authorization": "Bearer bob"}))
    ranking = ranking_for(collection, "GET", "/me", headers={
        "authorization": "Bearer bob", "x-mock-match-request-headers": "authorization"})
    assert winner_name(ranking) == "bob"


def _multipart_httpx(title):
    request = httpx.Request("POST", "http://mock/upload", data={"title": title},
                            files={"photo": ("cat.png", b"\x89PNG\r\n\x1a\n", "image/png")})
    return request.read(), request.headers["content-type"]


def _multipart_by_hand(title):
    b = "----mockkit-boundary-7MA4YWxk"
    body = (f"--{b}\r\nContent-Disposition: form-data; name=\"title\"\r\n\r\n{title}\r\n"
            f"--{b}\r\nContent-Disposition: form-data; name=\"photo\"; filename=\"cat.png\"\r\n"
            f"Content-Type: image/png\r\n\r\nPNGDATA\r\n--{b}--\r\n").encode()
    return body, f"multipart/form-data; boundary={b}"


JSON = "application/json"
FORM = "application/x-www-form-urlencoded"
GQL_QUERY = "query Hero {\n  hero {\n    id\n  }\n}"
BODY_CASES = [
    # id, example body, example Content-Type, request body, request Content-Type, equal
    ("json-key-order-and-whitespace", raw_json({"a": 1, "b": [1, 2]}), JSON, '{"b": [1, 2],\n "a": 1}', JSON, True),
    ("json-value-differs", raw_json({"a": 1}), JSON, '{"a": 2}', JSON, False),
    ("json-extra-key", raw_json({"a": 1}), JSON, '{"a": 1, "b": 2}', JSON, False),
    ("json-array-order-matters", raw_json([1, 2]), JSON, "[2, 1]", JSON, False),
    ("json-charset", raw_json({"a": 1}), JSON + "; charset=utf-8", '{ "a" : 1 }', JSON + "; charset=utf-8", True),
    ("json-by-example-content-type", raw_text('{"a": 1, "b": 2}'), JSON, '{"b":2,"a":1}', JSON, True),
    ("urlencoded-order-irrelevant", urlencoded(("a", "1"), ("b", "2")), FORM, "b=2&a=1", FORM, True),
    ("urlencoded-missing-field", urlencoded(("a", "1"), ("b", "2")), FORM, "a=1", FORM, False),
    ("urlencoded-value-differs", urlencoded(("a", "1")), FORM, "a=2", FORM, False),
    ("urlencoded-disabled-field-ignored", urlencoded(("a", "1"), ("b", "2", "disabled")), FORM, "a=1", FORM, True),
    ("urlencoded-percent-encoded", urlencoded(("q", "a b&c")), FORM, "q=a%20b%26c", FORM, True),
    ("formdata-httpx-text-fields", formdata(("title", "cat"), ("photo", "@file", "/tmp/cat.png")), None,
     *_multipart_httpx("cat"), True),
    ("formdata-httpx-text-differs", formdata(("title", "cat"), ("photo", "@file", "/tmp/cat.png")), None,
     *_multipart_httpx("dog"), False),
    ("formdata-by-hand", formdata(("title", "cat"), ("photo", "@file", "/tmp/cat.png")), None,
     *_multipart_by_hand("cat"), True),
    ("formdata-by-hand-differs", formdata(("title", "cat")), None, *_multipart_by_hand("dog"), False),
    ("graphql-equal", graphql(GQL_QUERY, {"a": 1}), JSON,
     json.dumps({"query": GQL_QUERY, "variables": {"a": 1}}), JSON, True),
    ("graphql-variables-differ", graphql(GQL_QUERY, {"a": 1}), JSON,
     json.dumps({"query": GQL_QUERY, "variables": {"a": 2}}), JSON, False),
    ("graphql-query-differs", graphql(GQL_QUERY, {"a": 1}), JSON,
     json.dumps({"query": "query Hero { hero { name } }", "variables": {"a": 1}}), JSON, False),
    ("graphql-operation-name-fails", graphql(GQL_QUERY, {"a": 1}), JSON,
     json.dumps({"query": GQL_QUERY, "variables": {"a": 1}, "operationName": "Hero"}), JSON, False),
    ("raw-text-exact", raw_text("hello world"), "text/plain", "hello world", "text/plain", True),
    ("raw-text-whitespace-differs", raw_text("hello world"), "text/plain", "hello  world", "text/plain", False),
    ("raw-text-case-differs", raw_text("hello world"), "text/plain", "Hello world", "text/plain", False),
    ("raw-xml-exact", raw_text("<a><b>1</b></a>", "xml"), "application/xml", "<a><b>1</b></a>", "application/xml", True),
    # spec 9.21: XML compared as XML (whitespace between elements, attribute order, prefixes ignored)
    ("raw-xml-whitespace-between-elements", raw_text("<a><b>1</b></a>", "xml"), "application/xml",
     "<a> <b>1</b></a>", "application/xml", True),
    ("raw-xml-differs", raw_text("<a><b>1</b></a>", "xml"), "application/xml", "<a><b>2</b></a>", "application/xml", False),
]


def _body_collection(example_body, example_ctype):
    headers = {"Content-Type": example_ctype} if example_ctype else {}
    return coll(ex("/things", name="E", method="POST", headers=headers, body=example_body))


BODY_MODES = {
    # how body matching is switched: (options, extra request headers, is it on?)
    "option-on": (MockOptions(match_body=True), {}, True),
    "header-true": (MockOptions(), {"x-mock-match-request-body": "true"}, True),
    "header-true-overrides-option-off": (MockOptions(match_body=False), {"x-mock-match-request-body": "true"}, True),
    "header-false-overrides-option-on": (MockOptions(match_body=True), {"x-mock-match-request-body": "false"}, False),
    "off": (MockOptions(), {}, False),
}


@pytest.mark.parametrize("mode", list(BODY_MODES))
@pytest.mark.parametrize("example_body, example_ctype, request_body, request_ctype, equal",
                         [pytest.param(*row[1:], id=row[0]) for row in BODY_CASES])
def test_body_matching(mode, example_body, example_ctype, request_body, request_ctype, equal):
    options, extra, on = BODY_MODES[mode]
    ranking = ranking_for(_body_collection(example_body, example_ctype), "POST", "/things",
                          headers={"Content-Type": request_ctype, **extra}, body=request_body, options=options)
    c = candidate(ranking, "E")
    if on:
        assert c.kept == equal, c.reason
        if not equal:
            assert c.stage == "body" and c.reason
    else:
        assert c.kept, c.reason
        assert c.body_points == (5 if equal else 0)  # step 6.4: the equal-body bonus


def test_body_matching_on_without_bodies_keeps_the_example():
    ranking = ranking_for(coll(ex("/j", name="E")), "GET", "/j", options=MockOptions(match_body=True))
    assert candidate(ranking, "E").kept


def test_body_matching_resolves_variables_in_example():
    collection = coll(ex("/login", name="E", method="POST", headers={"Content-Type": JSON},
                         body={"mode": "raw", "raw": '{"user": "{{user}}"}', "options": {"raw": {"language": "json"}}}),
                      variables={"user": "bob"})
    ranking = ranking_for(collection, "POST", "/login", headers={"Content-Type": JSON}, body='{"user":"bob"}',
                          options=MockOptions(match_body=True))
    assert candidate(ranking, "E").kept


def test_body_matching_picks_the_example_with_the_same_body():
    collection = coll(
        ex("/login", name="bob", method="POST", id="a", headers={"Content-Type": JSON}, body=raw_json({"u": "bob"})),
        ex("/login", name="ann", method="POST", id="b", headers={"Content-Type": JSON}, body=raw_json({"u": "ann"})),
    )
    ranking = ranking_for(collection, "POST", "/login", body='{"u": "ann"}',
                          headers={"Content-Type": JSON, "x-mock-match-request-body": "true"})
    assert winner_name(ranking) == "ann"
    assert candidate(ranking, "bob").stage == "body"


# --- 7. the tie rule (step 7, §9.3) -------------------------------------------------------------

TIE_CASES = [
    # id, [(name, example id or None, code)], expected winner
    ("id-ascending", [("n1", "b", 200), ("n2", "a", 200)], "n2"),
    ("201-is-not-200", [("n1", "a", 201), ("n2", "b", 200)], "n2"),
    ("2xx-is-not-200", [("n1", "a", 204), ("n2", "c", 500), ("n3", "b", 200)], "n3"),
    ("no-200-first-by-id", [("n1", "b", 404), ("n2", "a", 500)], "n2"),
    ("ids-compared-as-strings", [("n1", "9", 200), ("n2", "10", 200)], "n2"),
    ("no-id-after-ids", [("n1", None, 200), ("n2", "z", 200)], "n2"),
    ("no-id-200-beats-id-non-200", [("n1", "b", 500), ("n2", None, 200)], "n2"),
    ("no-ids-collection-order", [("n1", None, 200), ("n2", None, 200)], "n1"),
    ("no-ids-first-200-in-order", [("n1", None, 404), ("n2", None, 200), ("n3", None, 200)], "n2"),
    ("no-ids-no-200", [("n1", None, 404), ("n2", None, 500)], "n1"),
    # revised 9.3: no 200 tied -> the first other 2xx beats an error with a lower id
    ("201-over-500-with-lower-id", [("n1", "b", 201), ("n2", "a", 500)], "n1"),
    ("204-over-401", [("n1", "z9", 401), ("n2", "z8", 401), ("n3", "zz", 204)], "n3"),
    ("2xx-by-id", [("n1", "m", 202), ("n2", "k", 204), ("n3", "a", 503)], "n2"),
    ("299-is-2xx-300-is-not", [("n1", "b", 299), ("n2", "a", 300)], "n1"),
    ("200-still-first", [("n1", "a", 201), ("n2", "c", 200), ("n3", "b", 500)], "n2"),
    ("no-id-2xx-after-id-error", [("n1", "a", 500), ("n2", None, 206)], "n2"),
    ("no-2xx-first-by-id", [("n1", "b", 302), ("n2", "a", 404)], "n2"),
]


@pytest.mark.parametrize("examples, expected", [pytest.param(*row[1:], id=row[0]) for row in TIE_CASES])
def test_tie_rule(examples, expected):
    collection = coll(*(ex("/tie", name=n, id=i, code=code) for n, i, code in examples))
    ranking = ranking_for(collection, "GET", "/tie")
    assert len({c.score for c in ranking.candidates}) == 1  # really a tie
    assert winner_name(ranking) == expected


@pytest.mark.parametrize("examples, words", [
    ([("ok", "b", 200), ("err", "a", 500)], "status 200 is preferred"),
    ([("made", "b", 201), ("err", "a", 500)], "a success (201) is preferred over an error"),
    ([("made", "b", 201), ("gone", "c", 204)], "lowest example id first"),
    ([("e1", "a", 404), ("e2", "b", 500)], "lowest example id first"),
    ([("e1", None, 404), ("e2", None, 500)], "earliest in the collection"),
])
def test_tie_sentence_names_the_rule_that_decided(examples, words):
    collection = coll(*(ex("/tie", name=n, id=i, code=code) for n, i, code in examples))
    ranking = ranking_for(collection, "GET", "/tie")
    winner = ranking.candidates[0]
    assert winner is ranking.winner
    assert words in winner.reason, winner.reason
    for c in ranking.candidates:
        if c is not winner:
            assert "lost the tie rule" in c.reason and words in c.reason, c.reason
    if "success" in words:
        assert "Postman" in winner.reason  # the departure from Postman is said where it applies


def test_tie_rule_only_among_top_score():
    # the 200 example scores lower; the 404 with the top score wins
    collection = coll(ex("/tie", name="exact-404", id="b", code=404), ex("/Tie", name="case-200", id="a", code=200))
    assert winner_name(ranking_for(collection, "GET", "/tie")) == "exact-404"


# --- where examples come from (§1.1 R3) --------------------------------------------------------


def test_examples_in_nested_folders_and_original_request():
    child = ex("/child", name="own request", method="GET")
    orphan = ex("/ignored", name="no originalRequest")
    del orphan["originalRequest"]
    collection = {
        "info": {"name": "tree", "schema": coll()["info"]["schema"]},
        "item": [{"name": "f1", "item": [{"name": "f2", "item": [
            {"name": "parent", "request": {"method": "POST", "url": {"raw": "{{baseUrl}}/parent"}},
             "response": [child]},
            {"name": "fallback", "request": {"method": "PUT", "url": {"raw": "{{baseUrl}}/fallback"}},
             "response": [orphan]},
        ]}]}],
    }
    assert winner_name(ranking_for(collection, "GET", "/child")) == "own request"
    assert winner_name(ranking_for(collection, "POST", "/parent")) is None
    assert winner_name(ranking_for(collection, "PUT", "/fallback")) == "no originalRequest"


# --- 8. the full ranking -------------------------------------------------------------------------

RANKED = coll(
    ex("/search?q=cat&page=2", name="full", id="1"),
    ex("/search?q=cat", name="no page", id="2"),
    ex("/search", name="post", id="3", method="POST"),
    ex("/elsewhere", name="other path", id="4"),
    ex("/search?q=cat&page=2", name="keyed", id="5", headers={"X-Api-Key": "k"}),
    ex("/search?q=cat&page=2", name="teapot", id="6", code=418),
)


def test_full_ranking_has_every_example_and_one_winner():
    ranking = ranking_for(RANKED, "GET", "/search?q=cat&page=2",
                          headers={"x-mock-match-request-headers": "x-api-key"})
    names = sorted(c.example.name for c in ranking.candidates)
    assert names == sorted(e["name"] for item in RANKED["item"] for e in item["response"])
    chosen = ranking.winner
    assert chosen is not None and chosen.example.name == "full"
    assert sum(c is chosen for c in ranking.candidates) == 1
    for c in ranking.candidates:
        assert c.stage
        if not c.kept:
            assert c.reason, c.example.name


@pytest.mark.parametrize("name, headers, stage, words", [
    ("post", {}, "method", ["POST", "GET"]),
    ("other path", {}, "path", ["/elsewhere"]),
    ("keyed", {"x-mock-match-request-headers": "x-api-key"}, "headers", ["x-api-key"]),
    ("full", {"x-mock-response-code": "418"}, "response-code", ["418"]),
])
def test_dropped_candidates_say_why(name, headers, stage, words):
    c = candidate(ranking_for(RANKED, "GET", "/search?q=cat&page=2", headers=headers), name)
    assert not c.kept
    assert c.stage == stage
    for word in words:
        assert word.lower() in c.reason.lower(), c.reason


def test_dropped_by_body_says_why():
    collection = coll(ex("/login", name="E", method="POST", headers={"Content-Type": JSON},
                         body=raw_json({"password": "x"})))
    ranking = ranking_for(collection, "POST", "/login", body='{"password": "y"}',
                          headers={"Content-Type": JSON, "x-mock-match-request-body": "true"})
    c = candidate(ranking, "E")
    assert (c.kept, c.stage) == (False, "body")
    assert "password" in c.reason


@pytest.mark.parametrize("target, loser", [("/search?q=cat&page=2", "no page"), ("/search?q=cat", "full")])
def test_losing_candidate_names_the_missing_query_parameter(target, loser):
    ranking = ranking_for(RANKED, "GET", target)
    c = candidate(ranking, loser)
    assert c.kept and c is not ranking.winner
    assert "page" in c.reason, c.reason


def test_explain_dataframe():
    frame = mockkit.explain(RANKED, "GET", "/search", params={"q": "cat", "page": "2"})
    for column in ("example", "request", "folder", "method", "path", "status", "stage", "path_rule",
                   "path_points", "query_points", "body_points", "score", "selected", "reason"):
        assert column in frame.columns
    assert len(frame) == 6
    assert frame["selected"].sum() == 1
    top = frame[frame["selected"]].iloc[0]
    assert (top["example"], top["path_rule"], top["score"]) == ("full", "a", 110)
    dropped = frame[frame["score"].isna()]
    assert set(dropped["example"]) == {"post", "other path"}
    assert all(dropped["reason"].str.len() > 0)
    assert frame.set_index("example").loc["no page", "score"] == 105


BODY_1, BODY_2 = raw_json({"k": 1}), raw_json({"k": 2})
ELEVEN = "&".join(f"x{i}=1" for i in range(11))
LATER_STEP_WINS = [
    # id, method, request, request body, [(name, example target, body)], winner, {name: score}
    ("b-beats-a-on-query", "GET", "/users/1?q=1&page=2&sort=1", None,
     [("A", "/users/1?q=1", None), ("B", "/users/1/?q=1&page=2&sort=1", None)], "B", {"A": 100 + 10 / 3, "B": 105}),
    ("b-beats-a-on-query-and-body", "POST", "/users/1?q=1&page=2", '{"k": 1}',
     [("A", "/users/1?q=1&page=9", BODY_2), ("B", "/users/1/?q=1&page=2", BODY_1)], "B", {"A": 105, "B": 110}),
    ("e-beats-a-on-body", "POST", "/users/carol", '{"k": 1}',
     [("A", "/users/carol?" + ELEVEN, BODY_2), ("B", "/users/{{id}}", BODY_1)], "B", {"A": 90, "B": 95}),
    ("h-beats-g-on-query", "GET", "/users/42/posts/?q=1",
     None, [("A", "/users/1/posts?x=1", None), ("B", "/users/7/postz/?q=1", None)], "B", {"A": 73, "B": 80}),
]


@pytest.mark.parametrize("method, target, body, examples, winner, scores",
                         [pytest.param(*row[1:], id=row[0]) for row in LATER_STEP_WINS])
def test_a_later_path_step_can_still_win(method, target, body, examples, winner, scores):
    collection = coll(*(ex(t, name=n, id=n.lower(), method=method, body=b,
                           headers={"Content-Type": JSON} if b else None) for n, t, b in examples))
    ranking = ranking_for(collection, method, target, body=body, headers={"Content-Type": JSON})
    assert {n: candidate(ranking, n).score for n in scores} == pytest.approx(scores)
    assert winner_name(ranking) == winner


WORDS = ["users", "items"]
IDS = ["1", "42", "7c9e6679-7425-40de-944b-e07fc1f90ae7", "me", "jonh", "john"]


def _random_path(rng):
    """An example path: 0–3 segments of words, ids and wildcards; sometimes a trailing slash.
    The vocabulary is small so that many examples share a path, up to case and slashes."""
    segments = []
    for _ in range(rng.choice([0, 1, 2, 2, 2, 3])):
        r = rng.random()
        if r < 0.15:
            segments.append("{{" + rng.choice(["id", "name"]) + "}}")
        elif r < 0.55:
            segments.append(rng.choice(WORDS))
        else:
            segments.append(rng.choice(IDS))
    return "/" + "/".join(segments) + ("/" if segments and rng.random() < 0.2 else "")


def _near(rng, path):
    """A request path near an example's: wildcards filled in, then case, slash and id changes, so
    the same request meets examples at several path steps."""
    segments = [rng.choice(IDS + ["carol"]) if s.startswith("{{") else s for s in path.split("/")]
    out = []
    for s in segments:
        r = rng.random()
        if r < 0.15:
            s = s.upper()
        elif r < 0.3 and s in IDS:
            s = rng.choice(IDS)
        out.append(s)
    path = "/".join(out) or "/"
    if rng.random() < 0.25:
        path = path.rstrip("/") + "/" if not path.endswith("/") else (path.rstrip("/") or "/")
    return path


def _random_query(rng):
    pairs = [(k, rng.choice(["1", "2"])) for k in ("q", "page", "sort", "q") if rng.random() < 0.4]
    return "&".join(f"{k}={v}" for k, v in pairs)


def _with_query(path, query):
    return path + ("?" + query if query else "")


def _random_collection(rng, n):
    examples = []
    for i in range(n):
        method = rng.choice(["GET", "GET", "GET", "POST"])
        body = raw_json({"k": rng.choice([1, 2])}) if method == "POST" and rng.random() < 0.7 else None
        examples.append(ex(
            _with_query(_random_path(rng), _random_query(rng)), name=f"e{i}", method=method,
            code=rng.choice([200, 200, 201, 404]),
            id=rng.choice([None, f"{rng.randrange(16 ** 2):02x}", f"{rng.randrange(16 ** 2):02x}"]),
            headers={"Content-Type": JSON} if body else None, body=body,
            url_style=rng.choice(STYLES),
        ))
    return coll(*examples)


def test_pruned_ranking_picks_the_same_winner_as_scoring_everything():
    rng = random.Random(20240611)
    collection = _random_collection(rng, 300)
    paths = [e["originalRequest"]["url"]["raw"].removeprefix("{{baseUrl}}").partition("?")[0]
             for item in collection["item"] for e in item["response"]]
    index = Index(load_collection(collection))
    options = [MockOptions(), MockOptions(match_query_params=False), MockOptions(match_wildcards=False),
               MockOptions(distance_threshold=0.5), MockOptions(match_body=True)]
    winners, rules = 0, set()
    for _ in range(200):
        method = rng.choice(["GET", "GET", "POST"])
        target = _with_query(_near(rng, rng.choice(paths)), _random_query(rng))
        body = json.dumps({"k": rng.choice([1, 2])}) if method == "POST" and rng.random() < 0.7 else None
        request = MockRequest.from_target(method, target, headers={"Content-Type": JSON}, body=body)
        pruned = rank(request, index, rng.choice(options))
        chosen = pruned.winner
        assert chosen is choose(pruned.scored)  # the ranking carries what the pure tie rule picks
        ranking = explain(pruned)  # the full table: every example scored
        assert len(ranking.candidates) == len(index)
        kept = [c for c in ranking.candidates if c.kept and c.score is not None]
        rules.update(c.path_rule for c in kept)
        if not kept:
            assert chosen is None, target
            continue
        top = max(c.score for c in kept)
        expected = spec_tie_pick([c for c in kept if c.score == top])
        assert chosen is not None, target
        assert chosen.score == top, (method, target)
        assert chosen.example.json_path == expected.example.json_path, (method, target)
        assert sum(c is ranking.winner for c in ranking.candidates) == 1 and ranking.winner.example is chosen.example
        winners += 1
    assert winners > 100  # the random requests really exercise the ranking
    assert rules == set("abcdefgh")  # ... at every path step
