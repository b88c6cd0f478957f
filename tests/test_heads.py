"""The one-pass request head (issue 17): ``heads.plain_head`` gives what Tornado's parser gives,
or leaves the head to Tornado; a server reading heads that way answers every kind of request as
Tornado's own reading did, byte for byte.

* For heads of every kind (generated, and hand-written odd ones: obs-fold, bare LF, bare CR,
  control characters, HTTP/1.0, bodies, ``Expect``, names that are not tokens, duplicates,
  empty values, spaces and tabs around values, Latin-1 bytes) ``plain_head`` returns either None
  or exactly Tornado's start line and headers (names, values, order); it never accepts a head
  Tornado refuses.
* Raw exchanges (pipelined requests, a body, a chunked body, 100-continue, a folded header, a
  bare-LF head, HTTP/1.0, HEAD, a closing request) get the same bytes with the one-pass reading
  as with Tornado's reading (call ids and dates blanked).
"""

from __future__ import annotations


import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tornado import httputil

import mockkit
from mockkit import connections
from mockkit.heads import plain_head, tornado_head

from builders import coll, ex
from rawhttp import blanked, exchange


def tornado_parse(head: bytes) -> tuple[httputil.RequestStartLine, httputil.HTTPHeaders] | None:
    """What Tornado's ``HTTP1Connection`` makes of ``head`` (None: it refuses it)."""
    text = head.decode("latin-1").lstrip("\r\n")
    eol = text.find("\n")
    try:
        line = httputil.parse_request_start_line(text[:eol].rstrip("\r"))
        headers = httputil.HTTPHeaders.parse(text[eol:])
    except httputil.HTTPInputError:
        return None
    return line, headers


def check(head: bytes) -> bool:
    """Whether ``plain_head`` took ``head`` (and then, made into Tornado's objects by
    ``tornado_head``, agreed with Tornado exactly)."""
    plain = plain_head(head)
    ours = None if plain is None else tornado_head(*plain)
    if ours is None:
        return False
    theirs = tornado_parse(head)
    assert theirs is not None, f"Tornado refuses {head!r}, plain_head accepted it"
    assert (ours[0], list(ours[1].get_all())) == (theirs[0], list(theirs[1].get_all())), head
    assert dict(ours[1]) == dict(theirs[1])  # combined values too
    return True


ODD = [
    b"GET /a HTTP/1.1\r\nHost: x\r\n folded: yes\r\n\r\n",
    b"GET /a HTTP/1.1\r\nHost: x\r\n\tfolded\r\n\r\n",
    b"GET /a HTTP/1.1\nHost: x\n\n",
    b"GET /a HTTP/1.1\r\nHost: x\n\r\n",
    b"GET /a HTTP/1.1\r\nHost: x\ry\r\n\r\n",
    b"GET /a HTTP/1.1\r\nX-A: a\x00b\r\n\r\n",
    b"GET /a HTTP/1.1\r\nX-A: a\x7fb\r\n\r\n",
    b"GET /a HTTP/1.1\r\nX-A: a\x0bb\r\n\r\n",
    b"GET /a HTTP/1.0\r\nHost: x\r\n\r\n",
    b"GET /a HTTP/2.0\r\nHost: x\r\n\r\n",
    b"\r\nGET /a HTTP/1.1\r\nHost: x\r\n\r\n",
    b"GET  /a HTTP/1.1\r\n\r\n",
    b"GET /a b HTTP/1.1\r\n\r\n",
    b"G(T /a HTTP/1.1\r\n\r\n",
    b"GET /a HTTP/1.1\r\nHost : x\r\n\r\n",
    b"GET /a HTTP/1.1\r\nNo colon here\r\n\r\n",
    b"GET /a HTTP/1.1\r\n: empty name\r\n\r\n",
    b"GET /a HTTP/1.1\r\nX(A): 1\r\n\r\n",
    b"POST /a HTTP/1.1\r\nContent-Length: 2\r\n\r\n",
    b"POST /a HTTP/1.1\r\ncontent-length: 2\r\n\r\n",
    b"POST /a HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n",
    b"PUT /a HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 1\r\n\r\n",
]
PLAIN = [
    b"GET /a HTTP/1.1\r\n\r\n",
    b"GET /users/1?x=1&y=%20 HTTP/1.1\r\nHost: 127.0.0.1:8\r\n\r\n",
    b"DELETE /a HTTP/1.1\r\nhost: x\r\nX-MANY: 1\r\nx-many: 2\r\nX-Many:3\r\n\r\n",
    b"PURGE /caf\xc3\xa9 HTTP/1.1\r\nX-Latin: caf\xe9 \t\r\nX-Empty:\r\nX-Spaces:   \t  \r\n\r\n",
    b"GET http://example.test/a HTTP/1.1\r\nX-Tab: a\tb\r\nConnection: close\r\n\r\n",
]


def test_odd_heads_are_left_to_tornado_and_plain_ones_parse_as_tornado_parses_them():
    assert not any(check(head) for head in ODD)
    assert all(check(head) for head in PLAIN)
    assert plain_head(b"GET /a HTTP/1.1\r\nContent-Encoding: gzip\r\n\r\n") is not None
    assert plain_head(b"GET /a HTTP/1.1\r\nContent-Encoding: gzip\r\n\r\n", decompress=True) is None


_NAMES = st.sampled_from(["Host", "host", "X-A", "x-a", "ACCEPT", "Content-Length", "Expect", "a_b", "X(Y)",
                          "Connection", "Transfer-Encoding", "", "X A", "x-mock-response-code"])
_VALUES = st.text(alphabet=st.sampled_from(list("ab1 \t:,\x00\x7f\r\n\xe9\x0c")), max_size=8)
_LINES = st.lists(st.tuples(_NAMES, _VALUES, st.sampled_from([":", ": ", " :", ":\t"])), max_size=5)


@settings(max_examples=400, deadline=None)
@given(method=st.sampled_from(["GET", "HEAD", "POST", "G T", "M-SEARCH", ""]),
       target=st.sampled_from(["/a", "/a?b=c", "*", "/\xe9", "", "/a b"]),
       version=st.sampled_from(["HTTP/1.1", "HTTP/1.0", "HTTP/1.2", "http/1.1"]),
       lines=_LINES, eol=st.sampled_from(["\r\n", "\n"]))
def test_any_head_is_parsed_as_tornado_parses_it_or_left_to_tornado(method, target, version, lines, eol):
    text = f"{method} {target} {version}\r\n" + "".join(f"{n}{sep}{v}{eol}" for n, v, sep in lines) + "\r\n"
    check(text.encode("latin-1"))


def served_collection() -> dict:
    return coll(ex("/plain", name="plain", response_body='{"a": 1}'),
                ex("/made", method="POST", name="made", code=201, response_body="made"))


RAW = [
    b"GET /plain HTTP/1.1\r\nHost: x\r\n\r\nGET /nothing HTTP/1.1\r\nHost: x\r\n\r\n"
    b"HEAD /plain HTTP/1.1\r\nHost: x\r\n\r\nGET /plain HTTP/1.1\r\nConnection: close\r\n\r\n",
    b"POST /made HTTP/1.1\r\nContent-Length: 3\r\n\r\nabcGET /plain HTTP/1.1\r\nConnection: close\r\n\r\n",
    b"POST /made HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n"
    b"GET /plain HTTP/1.1\r\nConnection: close\r\n\r\n",
    b"POST /made HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 1\r\nConnection: close\r\n\r\nx",
    b"GET /plain HTTP/1.1\r\nHost: x\r\n folded: yes\r\n\r\n",
    b"GET /plain HTTP/1.1\nHost: x\n\nGET /plain HTTP/1.1\r\nConnection: close\r\n\r\n",
    b"GET /plain HTTP/1.0\r\nHost: x\r\n\r\n",
    b"GET /plain HTTP/1.1\r\nX-A: a\x01b\r\n\r\n",
    b"GET /plain HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab",
]


def test_every_kind_of_request_gets_what_tornado_s_reading_gave(monkeypatch):
    taken = []

    def counted(head: bytes, decompress: bool = False) -> object:
        parsed = plain_head(head, decompress)
        taken.append(parsed is not None)
        return parsed

    with mockkit.MockServer(served_collection()) as server:
        monkeypatch.setattr(connections, "plain_head", counted)
        fast = [blanked(exchange(server.port, raw)) for raw in RAW]
        assert sum(taken) >= 7 and not all(taken)  # both ways were exercised
        monkeypatch.setattr(connections, "plain_head", lambda head, decompress=False: None)
        slow = [blanked(exchange(server.port, raw)) for raw in RAW]
    assert fast == slow
    assert fast[0].count(b"HTTP/1.1 200 OK") == 2 and fast[0].count(b"HTTP/1.1 404") == 2  # HEAD: no example
    assert b"HTTP/1.1 400" in fast[4] and b"badRequestError" in fast[4]
    assert fast[5].count(b"HTTP/1.1 200 OK") == 2


@pytest.mark.parametrize("pipelined", [1, 50])
def test_pipelined_requests_are_answered_in_order(pipelined):
    with mockkit.MockServer(served_collection()) as server:
        raw = b"GET /plain?n=%d HTTP/1.1\r\nHost: x\r\n\r\n"
        data = exchange(server.port, b"".join(raw % n for n in range(pipelined))
                        + b"GET /nothing HTTP/1.1\r\nConnection: close\r\n\r\n")
        calls = server.calls
    assert data.count(b"HTTP/1.1 200 OK") == pipelined and data.rstrip().endswith(b"}")
    assert data.index(b"HTTP/1.1 404") > data.rindex(b"HTTP/1.1 200 OK")
    assert list(calls["query"][:-1]) == [f"n={n}" for n in range(pipelined)]  # the call log, in order
    assert list(calls["status"]) == [200] * pipelined + [404]
