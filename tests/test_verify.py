"""Call assertions and strict checks on the transport and the server (no pytest plugin involved:
``tests/test_pytest_plugin.py`` runs whole pytest sessions)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timezone

import httpx
import pytest

import mockkit
from mockkit.testing.callmatch import CallPattern, json_difference
from mockkit.journal import Call
from mockkit.model import MockRequest
from mockkit.testing.strictness import failure_kind, select_examples

from builders import coll, env, ex, raw_json

LIBRARY = coll(
    ex("/books", name="All books", response_body='[{"id": 1}]'),
    ex("/books?genre=poetry", name="Poetry"),
    ex("/books/{{bookId}}", name="Book found", id="b-1",
       response_body='{"id": "{{bookId}}", "reader": "{{$randomFirstName}}"}'),
    ex("/books/{{bookId}}", name="Book missing", code=404, id="b-2"),
    ex("/books", name="Book added", method="POST", code=201, body=raw_json({"title": "Dune"})),
    ex("/{{tenant}}/loans", name="Loans"),
    name="Library",
    variables={"tenant": "acme"},
)


def client(t: httpx.BaseTransport) -> httpx.Client:
    return httpx.Client(transport=t, base_url="http://library.test")


# ------------------------------------------------------------------------------ CallPattern


def call(method: str, target: str, *, headers=None, body: bytes = b"", **extra) -> Call:
    request = MockRequest.from_target(method, target, headers=headers, body=body)
    return Call("c1", datetime.now(timezone.utc), request, 200, "x", "", 0, 100, "score", 1.0, **extra)


@pytest.mark.parametrize("pattern, target, fits", [
    ("/books/{{id}}", "/books/7", True),
    ("/books/:id", "/books/7", True),
    ("/books/*", "/books/7", True),
    ("/books/*", "/books/7/pages", False),
    ("/books/b-{{n}}", "/books/b-12", True),
    ("/books", "/books/", False),                  # the trailing slash counts
    ("/Books", "/books", False),                   # paths are case-sensitive
    ("/books/a b", "/books/a%20b", True),          # compared decoded
    ("http://h.test/books?x=1", "/books?x=1&y=2", True),
    ("/books?x=1", "/books?x=2", False),
])
def test_pattern_paths(pattern, target, fits):
    assert CallPattern.of("GET", pattern).verdict(call("GET", target)).matches is fits


def test_pattern_method_params_headers_reasons():
    p = CallPattern.of("post", "/books", params={"n": [1, 2], "flag": True}, headers={"X-Key": "k"})
    good = call("POST", "/books?n=2&n=1&flag=true&other=9", headers={"x-key": "k"})
    assert p.verdict(good).matches is True
    bad = p.verdict(call("GET", "/books?n=1&flag=false", headers={"x-key": "j"}))
    assert bad.matches is False
    assert bad.reasons == (
        "method is GET, not POST",
        "query parameter `n` is '1', expected ['1', '2']",
        "query parameter `flag` is 'false', expected 'true'",
        "header `x-key` is 'j', expected 'k'",
    )
    assert "has no header `x-key`" in p.verdict(call("POST", "/books?n=1&n=2&flag=true")).reasons[0]
    assert "with query n=1&n=2&flag=true, header x-key: k" in p.describe()


def test_pattern_json_bodies():
    p = CallPattern.of("POST", "/books", json={"title": "Dune", "tags": [1, 2.0], "ok": True})
    sent = json.dumps({"tags": [1.0, 2], "ok": True, "title": "Dune"}).encode()
    assert p.verdict(call("POST", "/books", body=sent)).matches is True
    assert p.verdict(call("POST", "/books", body=b'{"title": "Dune", "tags": [1, 2], "ok": 1}')).reasons == (
        "JSON body differs: $.ok is 1, expected true",)
    assert "not JSON" in p.verdict(call("POST", "/books", body=b"title=Dune")).reasons[0]
    assert "has no body" in p.verdict(call("POST", "/books")).reasons[0]
    with pytest.raises(TypeError, match="JSON-serialisable"):
        CallPattern.of("POST", "/books", json={"when": datetime.now()})


def test_json_difference_names_the_place():
    assert json_difference({"a": [1, {"b": 2}]}, {"a": [1, {"b": 3}]}) == "$.a[1].b is 2, expected 3"
    assert json_difference({"a": 1, "z": 0}, {"a": 1}) == "$ has an unexpected key 'z'"
    assert json_difference([1], [1, 2]) == "$ has 1 items, expected 2"
    assert json_difference(None, {}) == "$ is null, expected {}"


@dataclass
class _TrimmedCall:
    """A call as the bounded call log keeps a long body: a prefix plus its size and SHA-256."""

    id: str
    request: MockRequest
    body_size: int
    body_sha256: str


def test_pattern_says_when_the_log_kept_too_little_of_a_body():
    request = MockRequest.from_target("POST", "/books", body=b'{"title": "Du')
    trimmed = _TrimmedCall("c9", request, 300_000, "ab" * 32)
    verdict = CallPattern.of("POST", "/books", json={"title": "Dune"}).verdict(trimmed)  # type: ignore[arg-type]
    assert verdict.matches is None
    assert "300,000 bytes" in verdict.reasons[0] and "journal_body_bytes" in verdict.reasons[0]
    # another criterion that fails settles it
    assert CallPattern.of("PUT", "/books", json={}).verdict(trimmed).matches is False  # type: ignore[arg-type]


# ------------------------------------------------------------------------- kinds and names


def test_failure_kinds():
    base = call("GET", "/x")
    from dataclasses import replace

    assert failure_kind(base) is None
    assert failure_kind(replace(base, error="mockRequestNotFoundError", example="", example_position=-1)) == "unmatched"
    assert failure_kind(replace(base, error="unauthorizedError", status=401)) == "refused"
    assert failure_kind(replace(base, error="serverResponse", status=503)) is None
    assert failure_kind(replace(base, error="KeyError: 'x'", status=500)) == "error"
    assert failure_kind(replace(base, example="", example_position=-1, status=204)) is None  # a pre-flight


def test_select_examples_by_id_name_and_request():
    examples = mockkit.load_collection(LIBRARY).examples
    picked = select_examples(examples, ["b-2", "Book found", "request 0 / All books"])
    assert [[e.name for e in found] for found in picked.values()] == [["Book missing"], ["Book found"], ["All books"]]
    with pytest.raises(LookupError, match="did you mean 'Book found'"):
        select_examples(examples, ["Book fund"])


# ------------------------------------------------------------------- assertions on the transport


def test_assert_called_counts_and_explains_the_closest_calls():
    t = mockkit.transport(LIBRARY)
    with client(t) as c:
        c.get("/books/1")
        c.get("/books/2", params={"lang": "en"})
        c.post("/books", json={"title": "Dune"})
    assert len(t.assert_called("GET", "/books/{{id}}", times=2)) == 2
    assert t.assert_called_once("POST", "/books", json={"title": "Dune"}).status == 201
    assert [c.request.path for c in t.calls_to("GET", "/books/:id", params={"lang": "en"})] == ["/books/2"]
    t.assert_not_called("DELETE", "/books/*")
    with pytest.raises(AssertionError) as failed:
        t.assert_called("GET", "/books/{{id}}", times=3)
    text = str(failed.value)
    assert text.startswith("expected GET /books/{{id}} to be called 3 times; it was called 2 times.")
    assert "c1 GET /books/1 → 200 'Book found'" in text
    assert "c3 POST /books → 201 'Book added': method is POST, not GET" in text
    with pytest.raises(AssertionError, match="expected POST /books not to be called; it was called once"):
        t.assert_not_called("POST", "/books")
    with pytest.raises(AssertionError, match=r"JSON body differs: \$.title is \"Dune\", expected \"Emma\""):
        t.assert_called("POST", "/books", json={"title": "Emma"})
    with pytest.raises(ValueError, match="whole number"):
        t.assert_called("GET", "/books", times=-1)


def test_assert_called_on_an_empty_log_says_so():
    t = mockkit.transport(LIBRARY)
    with pytest.raises(AssertionError, match="the call log is empty"):
        t.assert_called("GET", "/books")


def test_strict_transport_fails_when_its_client_closes_and_lists_the_nearest_examples():
    t = mockkit.transport(LIBRARY, strict=True, seed=42)
    c = client(t)
    assert c.get("/book/1").status_code == 200   # step h: close enough to /books/{{bookId}}
    assert c.get("/magazines/1").status_code == 404
    with pytest.raises(AssertionError) as failed:
        c.close()
    text = str(failed.value)
    assert "1 request to the httpx transport got no example of collection 'Library'" in text
    assert "GET /magazines/1 → 404 mockRequestNotFoundError" in text
    nearest = text.split("nearest examples (of 6):")[1]
    assert nearest.index("'Book found', 'Book missing' (GET /books/{{bookId}} → 200, 404), dropped at path") \
        < nearest.index("'All books'")
    assert "Fake data seed: 42" in text
    c.close()  # reported once: closing again does not repeat it
    with pytest.raises(AssertionError):
        t.assert_all_matched()  # the explicit assertion always looks


def test_close_does_not_hide_an_error_already_raised():
    t = mockkit.transport(LIBRARY, strict=True)
    with pytest.raises(KeyError):
        with client(t) as c:
            c.get("/nothing")
            raise KeyError("the test's own failure")


def test_refused_and_server_responses():
    t = mockkit.transport(LIBRARY, api_key="secret", strict=False)
    with client(t) as c:
        assert c.get("/books/1", headers={"x-api-key": "secret"}).status_code == 200
        t.engine.set_server_response(503, {"down": True})
        assert c.get("/anything", headers={"x-api-key": "secret"}).status_code == 503   # deliberate: fine
        t.engine.clear_server_response()
        assert c.get("/books/1").status_code == 401
        with pytest.raises(AssertionError) as failed:
            t.assert_all_matched()
    text = str(failed.value)
    assert "GET /books/1 → 401 unauthorizedError" in text and "/anything" not in text
    assert "with the key it would have been answered by 'Book found'" in text
    t.reset()


def test_unknown_response_name_is_unmatched_with_the_note():
    t = mockkit.transport(LIBRARY, strict=False)
    with client(t) as c:
        c.get("/books/1", headers={"x-mock-response-name": "Book lost"})
    [unmatched] = t.unmatched_calls()
    assert unmatched.request.path == "/books/1"
    with pytest.raises(AssertionError) as failed:
        t.assert_all_matched()
    note = str(failed.value).splitlines()[3]  # the ranking's note comes first (its wording: explaining.py)
    assert "'Book lost'" in note and "dropped at response-name" in str(failed.value)


def test_cleared_log_still_fails_strict_and_reset_forgets():
    t = mockkit.transport(LIBRARY, strict=False)
    with client(t) as c:
        c.get("/nothing")
        t.clear_calls()
        assert len(t.engine.journal) == 0
        assert [x.request.path for x in t.unmatched_calls()] == ["/nothing"]
        t.reset()
        assert t.unmatched_calls() == []


def test_expected_examples_and_assert_all_used():
    t = mockkit.transport(LIBRARY, expect=["Book found", "b-2"])
    with client(t) as c:
        c.get("/books/1")
        with pytest.raises(AssertionError) as failed:
            t.verify()
    text = str(failed.value)
    assert "1 expected example was never served" in text and "b-2: GET /books/{{bookId}} → 404" in text
    assert "GET /books/1 → 'Book found'" in text
    with pytest.raises(LookupError, match="did you mean"):
        mockkit.transport(LIBRARY, expect=["Book fond"])
    with pytest.raises(AssertionError, match="5 expected examples were never served"):
        t.assert_all_used()  # every example of the collection


def test_reset_restarts_fake_data_and_clears_server_response():
    t = mockkit.transport(LIBRARY, seed=7)
    with client(t) as c:
        first = c.get("/books/1").json()["reader"]
        t.engine.set_server_response(500)
        t.reset()
        assert c.get("/books/1").json()["reader"] == first
        t.reset(seed=8)
        assert t.seed == 8 and len(t.engine.journal) == 0


def test_a_transport_without_seed_picks_one_that_replays():
    t = mockkit.transport(LIBRARY)
    assert isinstance(t.seed, int)
    with client(t) as c:
        reader = c.get("/books/1").json()["reader"]
    with client(mockkit.transport(LIBRARY, seed=t.seed)) as c:
        assert c.get("/books/1").json()["reader"] == reader


def test_outside_pytest_defaults_nothing_is_strict(monkeypatch):
    from mockkit.testing import session

    monkeypatch.setattr(session, "_defaults", [])
    with client(mockkit.transport(LIBRARY)) as c:
        assert c.get("/nothing").status_code == 404  # no AssertionError on close


# ---------------------------------------------------------------------------- on the server


def test_server_assertions_environment_and_reset():
    with mockkit.MockServer(LIBRARY, environment=env({"tenant": "globex"})) as mock:
        mock.set_checks(strict=True)
        mock.get("/globex/loans")
        mock.get("/acme/loans")
        mock.assert_called("GET", "/{{tenant}}/loans", times=2)
        mock.assert_called_once("GET", "/globex/loans", headers={"user-agent": httpx.Client().headers["user-agent"]})
        with pytest.raises(AssertionError) as failed:
            mock.verify()
        text = str(failed.value)
        assert f"to the mock server at {mock.url}" in text and "GET /acme/loans → 404" in text
        assert "mock.explain('GET', '/acme/loans')" in text
        mock.set_server_response(503)
        mock.reset()
        assert mock.engine.server_response is None and mock.unmatched_calls() == []
        assert mock.get("/globex/loans").status_code == 200


def test_many_failed_requests_are_grouped_and_capped():
    t = mockkit.transport(LIBRARY, strict=False)
    with client(t) as c:
        for _ in range(3):
            c.get("/nothing")
        for i in range(12):
            c.get(f"/shelf{i}/x")
    with pytest.raises(AssertionError) as failed:
        t.assert_all_matched()
    text = str(failed.value)
    assert text.startswith("mockkit: 15 requests to the httpx transport")
    assert "1. GET /nothing → 404 mockRequestNotFoundError (3 calls: c1, c2, c3)" in text
    assert "10. GET /shelf8/x" in text and "11. " not in text
    assert "... and 3 more: GET /shelf9/x, GET /shelf10/x, GET /shelf11/x" in text


def test_examples_of_one_request_that_lost_alike_share_a_line():
    statuses = [ex("/orders", name=name, code=code) for name, code in
                [("Orders", 200), ("Bad request", 400), ("Unauthorized", 401), ("Broken", 500)]]
    doc = coll(statuses[0])
    doc["item"][0]["name"] = "List orders"
    doc["item"][0]["response"] = statuses
    t = mockkit.transport(doc, strict=False)
    with client(t) as c:
        c.get("/order-lines")
    with pytest.raises(AssertionError) as failed:
        t.assert_all_matched()
    text = " ".join(str(failed.value).split())  # lines are wrapped at 100 columns
    assert "- 'Orders' and 3 more of request 'List orders' (GET /orders → 200, 400, 401, 500), dropped at path" in text
