"""Record modes (issue 16) against a real upstream on 127.0.0.1: what each mode forwards and
keeps, recordings answered at once and offline, names and places, secrets redacted, concurrent
recordings, and the explanations of forwarded and recorded calls."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator

import httpx
import pytest

import mockkit

from builders import coll, ex
from upstream import Upstream

USER_SAVED = coll(ex("/users/1", name="saved user", id="u1", response_body='{"id": 1, "name": "old"}'),
                  ex("/health", name="healthy", response_body="ok"))


@pytest.fixture
def upstream() -> Iterator[Upstream]:
    with Upstream() as up:
        yield up


def examples(mock: mockkit.MockServer) -> dict[str, str]:
    """``folder / request / name`` -> location, for every example the mock answers from."""
    frame = mock.examples
    return {" / ".join(p for p in (f, r, n) if p): loc
            for f, r, n, loc in zip(frame["folder"], frame["request"], frame["name"], frame["location"])}


# ------------------------------------------------------------------------------- the modes


def test_none_forwards_what_matches_nothing_and_records_nothing(upstream):
    with mockkit.MockServer(USER_SAVED, proxy=upstream.url) as mock:
        for _ in range(2):
            assert mock.get("/items?page=2").json()["page"] == 2
        assert len(mock.examples) == 2 and mock.engine.recorder is None
        assert "not recorded: record mode none" in " ".join(mock.explain(mock.get("/items")).attrs["notes"])
        with pytest.raises(mockkit.MockkitError, match="does not record"):
            mock.save()
    assert upstream.hits["/items"] == 3


def test_new_episodes_records_each_new_request_and_answers_it_from_then_on(upstream):
    with mockkit.MockServer(USER_SAVED, proxy=upstream.url, record="new_episodes") as mock:
        first = mock.get("/items?page=1")
        again = mock.get("/items?page=1")
        second_page = mock.get("/items?page=2")  # an example matches (query partly), but none is its own
        mock.get("/users/1")  # its own example: answered, not forwarded
        other_user = mock.get("/users/9")  # /users/1 matches by rule f: not its own
        assert again.json() == first.json() and second_page.json()["page"] == 2
        assert upstream.hits == {"/items": 2, "/users/9": 1}
        assert mock.explain(again)["example"].iloc[0] == "200 OK"  # answered by the recording, path rule a
        assert examples(mock) == {
            "request 0 / saved user": "item[0].response[0]", "request 1 / healthy": "item[1].response[0]",
            "items / GET /items / 200 OK": "recorded, not saved yet",
            "items / GET /items / 200 OK ?page=2": "recorded, not saved yet",
            "users / GET /users/9 / 200 OK": "recorded, not saved yet"}
        frame = mock.explain(other_user)
        why = frame.attrs
        assert "'saved user' (path rule f" in " ".join(why["notes"]) and "record mode new_episodes" in " ".join(why["notes"])
        assert why["answered"].endswith("recorded as 'users / GET /users/9 / 200 OK'")
        assert not frame["selected"].any() and frame.winner is None  # no example answered it
        assert frame["reason"].iloc[0].startswith("the best match, but not this request's own example: record "
                                                  "mode new_episodes forwards such requests: score 89")
        assert not frame["shadowed"].any() and not frame["reach"].any()


def test_new_episodes_keeps_an_existing_example_of_the_same_status(upstream):
    with mockkit.MockServer(USER_SAVED, proxy=upstream.url, record="new_episodes") as mock:
        got = mock.get("/users/1", headers={"x-mock-response-code": "500"})  # no 500 example: forwarded
        assert got.json() == {"id": 1, "name": "User 1"}
        assert "'saved user' is this request's own example with status 200 already" in \
            " ".join(mock.explain(got).attrs["notes"])
        assert mock.get("/users/1").json()["name"] == "old" and len(mock.examples) == 2


def test_all_forwards_everything_and_refreshes_the_examples_it_touches(upstream):
    with mockkit.MockServer(USER_SAVED, proxy=upstream.url, record="all") as mock:
        refreshed = mock.get("/users/1")
        assert refreshed.json() == {"id": 1, "name": "User 1"}
        assert mock.get("/users/1").json() == {"id": 1, "name": "User 1"}  # forwarded again: all
        mock.get("/users/0")  # a 404 this request has no example for: a new one
        assert upstream.hits == {"/users/1": 2, "/users/0": 1}
        rows = examples(mock)
        assert rows["request 0 / saved user"] == "item[0].response[0]" and len(rows) == 3
        assert rows["users / GET /users/0 / 404 Not Found"] == "recorded, not saved yet"
        assert "refreshed 'request 0 / saved user'" in mock.explain(refreshed).attrs["answered"]
        assert mock.engine.recorder.pending == 2
    with mockkit.MockServer(mock.engine.collection) as offline:  # what it answers now, without the upstream
        assert offline.get("/users/1").json() == {"id": 1, "name": "User 1"}
        assert offline.get("/users/0").status_code == 404


def test_once_records_into_an_empty_collection_only(upstream):
    with mockkit.MockServer(coll(), proxy=upstream.url, record="once") as mock:
        mock.get("/users/3")
        mock.get("/users/3")
        assert len(mock.examples) == 1 and upstream.hits == {"/users/3": 1}
        mock.get("/users/4")  # the collection is not empty now, but it was when the mock started
        assert len(mock.examples) == 2
    with mockkit.MockServer(USER_SAVED, proxy=upstream.url, record="once") as mock:
        missing = mock.get("/orders/1")
        assert missing.status_code == 404 and missing.json()["error"]["name"] == "mockRequestNotFoundError"
        assert len(mock.examples) == 2
    assert upstream.hits == {"/users/3": 1, "/users/4": 1}


# ----------------------------------------------------------------------- replay, hygiene


def test_recordings_are_answered_with_the_upstream_stopped(tmp_path):
    requests = [("GET", "/users/5", None), ("GET", "/items?page=3", None), ("GET", "/gzip", None),
                ("POST", "/echo/orders", '{"qty": 2}'), ("GET", "/status/404", None)]

    def replay(server: mockkit.MockServer, live: list[httpx.Response]) -> None:
        for (method, path, body), first in zip(requests, live):
            again = server.request(method, path, content=body,
                                   headers={"Content-Type": "application/json"} if body else None)
            assert (again.status_code, again.content) == (first.status_code, first.content), path
            assert again.headers["content-type"] == first.headers["content-type"]
            assert "content-encoding" not in again.headers

    source = tmp_path / "recorded.postman_collection.json"
    up = Upstream().start()
    try:
        with mockkit.MockServer(str(source), proxy=up.url, record="new_episodes") as mock:
            live = [mock.request(m, p, content=b, headers={"Content-Type": "application/json"} if b else None)
                    for m, p, b in requests]
            hits = dict(up.hits)
            up.stop()
            replay(mock, live)  # the same recording mock, its upstream gone: every answer from a recording
            assert mock.get("/users/6").json()["error"]["name"] == "upstreamConnectionError"  # not recorded: 502
            mock.save()
    finally:
        up.stop()
    assert dict(up.hits) == hits and set(hits) == {p.split("?")[0] for _, p, _ in requests}
    with mockkit.MockServer(mock.engine.collection) as offline:  # no proxy at all
        replay(offline, live)
    with mockkit.MockServer(str(source)) as reread:  # what save() wrote, read back
        replay(reread, live)
    gzip_example = next(e for e in mock.engine.collection.examples if e.request_name == "GET /gzip")
    assert json.loads(gzip_example.response.body)["compressed"] is True  # saved decoded
    assert {k.lower() for k, _ in gzip_example.response.headers}.isdisjoint({"content-encoding", "content-length"})


def test_secrets_never_land_in_a_recording(upstream):
    with mockkit.MockServer(coll(), proxy=upstream.url, record="new_episodes",
                            redact="x-token, access_token, pass*, sig") as mock:
        got = mock.post("/secret?sig=abc&page=1", headers={
            "Authorization": "Bearer tok-1", "Cookie": "session=c00k1e", "X-Api-Key": "k-123",
            "X-Token": "t-456", "Content-Type": "application/json"}, content='{"password": "hunter2", "name": "ann"}')
        assert got.json()["access_token"] == "tok-123"  # the client gets the real answer
        user = mock.get("/users/7")
        assert user.headers["set-cookie"].startswith("session=s3cr3t-7")
        notes = " ".join(mock.explain(got).attrs["notes"])
    saved = json.dumps([[e.request.url.raw, e.request.headers, e.request.body.raw if e.request.body else "",
                         e.response.headers, e.response.body] for e in mock.engine.collection.examples])
    for secret in ("tok-1", "c00k1e", "k-123", "t-456", "hunter2", "tok-123", '"pw"', "s3cr3t", "abc"):
        assert secret not in saved, secret
    example = next(e for e in mock.engine.collection.examples if e.request_name == "POST /secret")
    assert dict(example.request.headers)["Authorization"] == "[redacted]"
    assert dict(example.request.headers)["X-Token"] == "[redacted]"  # the user's list, any case
    assert dict(example.request.headers)["Cookie"] == "[redacted]"  # the value replaced, the header kept
    assert dict(example.request.headers)["X-Api-Key"] == "[redacted]"
    assert json.loads(example.response.body) == {"access_token": "[redacted]",
                                                 "user": {"password": "[redacted]", "name": "ann"}}
    assert "sig=%5Bredacted%5D&page=1" in example.request.url.raw
    assert "secret value(s) were replaced by [redacted]" in notes
    cookie = next(e for e in mock.engine.collection.examples if e.request_name == "GET /users/7")
    assert dict(cookie.response.headers)["Set-Cookie"] == "[redacted]"


def test_a_binary_answer_is_passed_on_but_not_recorded(upstream):
    with mockkit.MockServer(coll(), proxy=upstream.url, record="new_episodes") as mock:
        got = mock.get("/binary")
        assert got.content.startswith(b"\x89PNG") and len(mock.examples) == 0
        assert "not recorded: the answer's body is not text" in " ".join(mock.explain(got).attrs["notes"])
        assert mock.calls["recorded_as"].tolist() == [""]


def test_concurrent_recordings_lose_none(upstream):
    with mockkit.MockServer(coll(), proxy=upstream.url, record="new_episodes") as mock:
        def call(n: int) -> None:
            with httpx.Client(base_url=mock.url, timeout=30) as client:
                assert client.get(f"/users/{n}").status_code == 200

        threads = [threading.Thread(target=call, args=(n,)) for n in range(2, 26)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        assert len(mock.examples) == 24 and mock.engine.recorder.pending == 24
        recorded = set(mock.calls["recorded_as"])
        assert recorded == {f"users / GET /users/{n} / 200 OK" for n in range(2, 26)}
    upstream.stop()
    with mockkit.MockServer(mock.engine.collection) as offline:
        assert [offline.get(f"/users/{n}").json()["id"] for n in range(2, 26)] == list(range(2, 26))


# --------------------------------------------------------------------------- explanations


def test_every_forwarded_call_can_be_explained_after_many_recordings(upstream):
    with mockkit.MockServer(coll(), proxy=upstream.url, record="new_episodes") as mock:
        first = mock.get("/users/2")
        for n in range(3, 10):  # more generations than the call log keeps engines for
            mock.get(f"/users/{n}")
        again = mock.get("/users/2")
        why_first, why_again = mock.explain(first), mock.explain(again)
    assert why_first.attrs["answered"].startswith(f"forwarded to {upstream.url}/users/2: the upstream answered 200 in ")
    assert "recorded as 'users / GET /users/2 / 200 OK'" in why_first.attrs["answered"]
    assert len(why_first) == 0  # the collection it was ranked against was empty then
    assert "examples were recorded since" in why_first.attrs["notes"][0]
    assert why_again["selected"].iloc[0] and why_again["example"].iloc[0] == "200 OK"
    assert why_again["location"].iloc[0] == "recorded, not saved yet"


def test_the_terminal_call_line_and_the_explorer_mark_forwarded_calls(upstream):
    from mockkit.console import call_line

    lines: list[str] = []
    with mockkit.MockServer(USER_SAVED, proxy=upstream.url, record="new_episodes",
                            on_call=lambda r, s, ms: lines.append(call_line(r, s, ms))) as mock:
        mock.get("/users/8")
        mock.get("/binary")
        mock.get("/health")
        from mockkit.widgets import Explorer

        explorer = Explorer(mock, poll=0)
        try:
            explorer.refresh_calls()
            labels = [label for label, _ in explorer.widgets["calls"].options]
            explorer.widgets["calls"].value = explorer.widgets["calls"].options[2][1]  # c1, forwarded and recorded
            detail = explorer.widgets["call_detail"].value
        finally:
            explorer.close()
    assert "-> 200 forwarded, upstream 200 in" in lines[0] and "recorded as 'users / GET /users/8 / 200 OK'" in lines[0]
    assert "-> 200 forwarded, upstream 200 in" in lines[1] and "recorded" not in lines[1]
    assert "'healthy'" in lines[2]
    assert labels[0].startswith("c3") and labels[1].startswith("⇢ c2") and labels[2].startswith("● c1")
    assert labels[1].endswith("GET /binary → 200, forwarded")
    assert labels[2].endswith("GET /users/8 → 200, forwarded, recorded as 'users / GET /users/8 / 200 OK'")
    assert f"forwarded to {upstream.url}/users/8: the upstream answered 200" in detail  # the verdict says so
    assert "recorded as &#x27;users / GET /users/8 / 200 OK&#x27;" in detail


def test_a_reload_keeps_the_recordings_not_saved_yet(upstream, tmp_path):
    source = tmp_path / "api.postman_collection.json"
    source.write_text(json.dumps(USER_SAVED))
    with mockkit.MockServer(str(source), proxy=upstream.url, record="new_episodes") as mock:
        mock.get("/users/5")
        edited = json.loads(source.read_text())
        edited["item"][1]["response"][0]["body"] = "edited"
        source.write_text(json.dumps(edited))
        mock.reload()
        assert mock.get("/health").text == "edited"
        assert mock.get("/users/5").json()["id"] == 5 and upstream.hits == {"/users/5": 1}
        assert mock.engine.recorder.pending == 1


def test_explaining_a_request_not_sent_says_what_a_proxying_mock_does_with_it(upstream):
    with mockkit.MockServer(USER_SAVED, proxy=upstream.url, record="new_episodes") as mock:
        other = mock.explain("GET", "/users/9")
        own = mock.explain("GET", "/users/1")
        unmatched = mock.explain("GET", "/orders")
        mock.get("/users/9")
        summary = mock._repr_html_()
    assert other.attrs["answered"] == (f"no example is its own (same path and query): this mock forwards it to "
                                       f"{upstream.url}/users/9 and records the answer")
    assert other.winner is None and "record mode new_episodes forwards such requests" in other["reason"].iloc[0]
    assert own.winner["example"] == "saved user" and "answered" not in own.attrs
    assert unmatched.attrs["answered"].startswith("no example matches it: this mock forwards it")
    assert f"forwards to <code>{upstream.url}</code> · records (mode new_episodes; 1 not saved)" in summary
    with mockkit.MockServer(USER_SAVED, proxy=upstream.url) as plain:
        assert plain.explain("GET", "/orders").attrs["answered"] == f"no example matches it: this mock forwards it to {upstream.url}/orders"
    with mockkit.MockServer(USER_SAVED, proxy=upstream.url, record="once") as once:
        replay_only = once.explain("GET", "/orders")
    assert "answered" not in replay_only.attrs and "record mode once replays only" in replay_only.attrs["notes"][-1]
    assert upstream.hits == {"/users/9": 1}  # explaining sends nothing
