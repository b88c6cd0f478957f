"""The fast lane (issue 17): a plain HTTP/1.1 request without a body is answered by
``MockApp.answer_plain`` straight onto the socket, and Tornado's per-request connection and
exchange are made only when an answer needs them. Whatever the lane does, a client gets the same
bytes and the call log the same calls as through Tornado's exchange:

* a pipelined run of requests of every kind the lane meets (a plain answer, a 404, HEAD, a 204,
  a CORS pre-flight, saved headers the server sets itself, a delay, a body too big for one
  ``send``, a target that is not UTF-8, a closing request) gives byte-identical answers and call
  logs with the lane and without it;
* a client that reads a big answer slowly gets all of it before the answer to its next
  (pipelined) request, while other clients are answered meanwhile;
* a client that leaves before reading its answer costs nothing else; an engine that fails is asked
  once.

What the lane hands over to Tornado's exchange (found by trying the lane, and older than it):
nothing pipelined behind a request that closes the connection is run, logged or forwarded
(Tornado's loop read it from the closed stream's buffer); a client that leaves during a delay is
seen leaving even with a request pipelined behind (Tornado watches for the end of the stream only
with an empty read buffer); an example with an interim (1xx) status gets a JSON 500 that says why,
not an answer a client waits behind forever.
"""

from __future__ import annotations

import re
import threading
import socket
import time

import pytest

import mockkit
from mockkit.connections import MockStream
from mockkit.server import MockApp

from builders import coll, ex
from rawhttp import blanked, exchange

BIG = 1024 * 1024  # bytes: more than one recv gives
HUGE = 16 * 1024 * 1024  # bytes: more than a loopback socket's send buffer takes at once


def lane_collection(big: int = BIG) -> dict:
    return coll(
        ex("/plain", name="plain", response_body='{"a": 1}', response_headers={"Content-Type": "application/json"}),
        ex("/empty", name="empty", code=204),
        ex("/own-server", name="own server", response_body="x",
           response_headers={"Server": "nginx", "Content-Length": "1", "X-Kept": "yes"}),
        ex("/big", name="big", response_body="b" * big),
    )


REQUESTS = [
    b"GET /plain HTTP/1.1\r\nHost: x\r\n\r\n",
    b"GET /nothing HTTP/1.1\r\nHost: x\r\n\r\n",
    b"HEAD /plain HTTP/1.1\r\nHost: x\r\n\r\n",
    b"GET /empty HTTP/1.1\r\nHost: x\r\n\r\n",
    b"OPTIONS /plain HTTP/1.1\r\nOrigin: http://a.test\r\nAccess-Control-Request-Method: GET\r\n\r\n",
    b"GET /own-server HTTP/1.1\r\nHost: x\r\n\r\n",
    b"GET /plain?wait=1 HTTP/1.1\r\nx-mock-response-delay: 30\r\n\r\n",
    b"GET /big HTTP/1.1\r\nHost: x\r\n\r\n",
    b"GET /%ff HTTP/1.1\r\nHost: x\r\n\r\n",
    b"GET /plain?last=1 HTTP/1.1\r\nX-Many: 1\r\nx-many: 2\r\nConnection: close\r\n\r\n",
]


def logged(server: mockkit.MockServer) -> list[tuple]:
    calls = server.calls
    return list(calls[["method", "path", "query", "status", "example", "decided_by", "error"]]
                .itertuples(index=False, name=None))


def test_the_lane_answers_and_logs_as_tornado_s_exchange_does(monkeypatch):
    taken: list[str] = []
    original = MockApp.answer_plain

    def counted(self, stream, head, keep_alive):
        outcome = original(self, stream, head, keep_alive)
        taken.append(type(outcome).__name__)
        return outcome

    monkeypatch.setattr(MockApp, "answer_plain", counted)
    with mockkit.MockServer(lane_collection()) as server:
        fast = blanked(exchange(server.port, b"".join(REQUESTS)))
        fast_calls = logged(server)
    assert "Answered" in taken and "function" in taken and "NoneType" in taken  # every way out was taken

    monkeypatch.setattr(MockApp, "answer_plain", lambda self, stream, head, keep_alive: None)
    with mockkit.MockServer(lane_collection()) as server:
        slow = blanked(exchange(server.port, b"".join(REQUESTS)))
        slow_calls = logged(server)

    assert fast == slow
    assert fast_calls == slow_calls
    assert fast.count(b"HTTP/1.1 ") == len(REQUESTS)
    assert b"b" * BIG in fast and b"Server: nginx" not in fast and b"X-Kept: yes" in fast
    assert fast.index(b"badRequestError") > fast.index(b"b" * BIG)  # in order, after the big body
    assert [c[3] for c in fast_calls] == [200, 404, 404, 204, 204, 200, 200, 200, 200]  # the 400 is not a call


class Reader:
    """Answers with a Content-Length read one by one from a socket (what follows one answer is
    kept for the next)."""

    def __init__(self, sock: socket.socket) -> None:
        self.sock, self.data = sock, bytearray()

    def _more(self) -> None:
        chunk = self.sock.recv(1 << 20)
        assert chunk, "the server closed the connection"
        self.data += chunk

    def answer(self) -> tuple[bytes, bytes]:
        while b"\r\n\r\n" not in self.data:
            self._more()
        end = self.data.index(b"\r\n\r\n")
        head = bytes(self.data[:end])
        length = int(re.search(rb"Content-Length: (\d+)", head).group(1))
        del self.data[:end + 4]
        while len(self.data) < length:
            self._more()
        body = bytes(self.data[:length])
        del self.data[:length]
        return head, body


def test_a_slow_reader_gets_the_big_answer_whole_then_the_next_while_others_are_served(monkeypatch):
    pending: list[bool] = []
    original = MockStream.send_now

    def watched(self, data):
        writing = original(self, data)
        pending.append(writing is not None)
        return writing

    monkeypatch.setattr(MockStream, "send_now", watched)
    with mockkit.MockServer(lane_collection(HUGE)) as server:
        with socket.socket() as slow:
            slow.settimeout(10)
            slow.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)  # before connecting: a small window
            slow.connect(("127.0.0.1", server.port))
            slow.sendall(b"GET /big HTTP/1.1\r\nHost: x\r\n\r\nGET /plain HTTP/1.1\r\nHost: x\r\n\r\n")
            time.sleep(0.2)  # the server has written what the socket takes and waits for the reader
            started = time.monotonic()
            other = exchange(server.port, b"GET /plain HTTP/1.1\r\nConnection: close\r\n\r\n")
            assert other.startswith(b"HTTP/1.1 200 OK") and time.monotonic() - started < 2
            reader = Reader(slow)
            first = reader.answer()
            second = reader.answer()
        assert first[1] == b"b" * HUGE
        assert second[0].startswith(b"HTTP/1.1 200 OK") and second[1] == b'{"a": 1}'
        assert list(server.calls["path"]) == ["/big", "/plain", "/plain"]
    assert pending[0] and not any(pending[1:])  # the big answer was still being written when the others went


def test_clients_that_leave_before_reading_cost_nothing_else():
    with mockkit.MockServer(lane_collection()) as server:
        for _ in range(20):
            with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
                sock.sendall(b"GET /big HTTP/1.1\r\nHost: x\r\n\r\n")
        answer = exchange(server.port, b"GET /plain HTTP/1.1\r\nConnection: close\r\n\r\n")
        assert answer.startswith(b"HTTP/1.1 200 OK")
        assert server.calls["path"].iloc[-1] == "/plain"


def test_an_engine_that_fails_is_asked_once_and_the_client_gets_a_json_500():
    with mockkit.MockServer(lane_collection()) as server:
        engine = server.engine
        asked: list[str] = []
        failures: list[str] = []

        class Failing:
            def __getattr__(self, name: str) -> object:
                return getattr(engine, name)

            def handle(self, request):
                asked.append(request.path)
                if request.path == "/boom":
                    raise RuntimeError("a bug")
                return engine.handle(request)

            def record_failure(self, request, exc, started):
                failures.append(request.path)
                engine.record_failure(request, exc, started)

        server._app.engine = Failing()
        data = exchange(server.port, b"GET /boom HTTP/1.1\r\nHost: x\r\n\r\nGET /plain HTTP/1.1\r\nConnection: close\r\n\r\n")
    assert data.startswith(b"HTTP/1.1 500 ") and b'"serverError"' in data
    assert data.count(b"HTTP/1.1 200 OK") == 1  # the connection goes on serving
    assert asked == ["/boom", "/plain"] and failures == ["/boom"]


# --- what the lane hands over: closing, leaving during a delay, interim statuses -----------------

GHOST = b"GET /plain?ghost=1 HTTP/1.1\r\nHost: x\r\n\r\n"
SENTINEL = b"GET /plain?sentinel=1 HTTP/1.1\r\nConnection: close\r\n\r\n"


@pytest.mark.parametrize("closing", [
    b"GET /plain HTTP/1.1\r\nConnection: close\r\n\r\n",  # the lane
    b"HEAD /plain HTTP/1.1\r\nConnection: close\r\n\r\n",  # the exchange
    b"GET /empty HTTP/1.1\r\nConnection: close\r\n\r\n",  # a 204
    b"GET /plain HTTP/1.1\r\nx-mock-response-delay: 20\r\nConnection: close\r\n\r\n",  # a delay
    b"POST /plain HTTP/1.1\r\nContent-Length: 2\r\nConnection: close\r\n\r\nab",  # Tornado reads it
    b"GET /plain HTTP/1.1\r\nConnection: TE, Close\r\n\r\n",  # a list of options (RFC 9110 7.6.1)
    b"HEAD /plain HTTP/1.1\r\nConnection: close, te\r\n\r\n",
    b"POST /plain HTTP/1.1\r\nContent-Length: 2\r\nConnection: x-a,close\r\n\r\nab",
    b"GET /plain HTTP/1.0\r\nConnection: keep-alive, close\r\n\r\n",
], ids=["lane", "head", "204", "delay", "body", "lane-list", "head-list", "body-list", "http10-list"])
def test_nothing_pipelined_behind_a_closing_request_is_run(closing):
    with mockkit.MockServer(lane_collection()) as server:
        data = exchange(server.port, closing + GHOST)
        exchange(server.port, SENTINEL)  # by its answer, a ghost would have run: it needs no accept
        calls = server.calls
    assert data.count(b"HTTP/1.1 ") == 1
    assert [q for q in calls["query"] if q] == ["sentinel=1"]  # the ghost was neither run nor logged


def test_nothing_pipelined_behind_a_closing_request_reaches_the_upstream():
    from upstream import Upstream

    with Upstream() as up, mockkit.MockServer(lane_collection(), proxy=up.url) as server:
        data = exchange(server.port, b"GET /users/1 HTTP/1.1\r\nConnection: close\r\n\r\n"
                                     b"DELETE /users/2 HTTP/1.1\r\nHost: x\r\n\r\n")
        exchange(server.port, b"GET /users/3 HTTP/1.1\r\nConnection: close\r\n\r\n")  # forwarded after a ghost
        assert data.count(b"HTTP/1.1 ") == 1
        assert up.hits == {"/users/1": 1, "/users/3": 1}  # the DELETE never went upstream


def test_a_client_leaving_during_a_delay_is_seen_leaving_with_a_request_pipelined_behind():
    with mockkit.MockServer(lane_collection()) as server:
        with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
            sock.sendall(b"GET /plain HTTP/1.1\r\nx-mock-response-delay: 300\r\n\r\n" + GHOST)
            time.sleep(0.1)
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and not server.calls["error"].iloc[0]:
            time.sleep(0.05)  # the delay ends after 0.3 s
        calls = server.calls
    assert list(calls["error"]) == ["the client closed the connection during the delay; nothing was sent"]


def test_an_example_with_an_interim_status_gets_a_json_500_not_a_hang():
    with mockkit.MockServer(coll(ex("/hints", name="hints", code=103, response_body="early"))) as server:
        answer = server.get("/hints", timeout=5)
        calls = server.calls
    assert answer.status_code == 500 and answer.json()["error"]["name"] == "serverError"
    assert "informational (1xx)" in answer.json()["error"]["message"]
    assert list(calls["status"]) == [500] and "103" in calls["error"].iloc[0]


def test_http_1_0_keeps_the_connection_when_keep_alive_is_among_the_options():
    with mockkit.MockServer(lane_collection()) as server:
        data = exchange(server.port, b"GET /plain HTTP/1.0\r\nConnection: TE, Keep-Alive\r\n\r\n" + SENTINEL)
    assert data.count(b"HTTP/1.1 200 OK") == 2 and b"Connection: Keep-Alive" in data


def test_a_client_gone_before_its_delay_begins_leaves_no_connection_behind():
    """The engine works on a big body on a worker thread while the client, which pipelined another
    request, leaves: when the delay would begin, the exchange sees the client gone (Tornado does
    not: its read buffer is not empty) and ends with it; the pipelined request is not run."""
    collection = coll(ex("/upload", method="POST", name="upload", response_body="ok"))
    with mockkit.MockServer(collection) as server:
        connections = server._thread._server._connections
        engine, release = server.engine, threading.Event()

        class Slow:
            def __getattr__(self, name: str) -> object:
                return getattr(engine, name)

            def handle(self, request):
                release.wait(10)  # on the worker thread (a big body): the client leaves meanwhile
                return engine.handle(request)

        server._app.engine = Slow()
        body = b"x" * 200_000
        with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
            sock.sendall(b"POST /upload HTTP/1.1\r\nx-mock-response-delay: 60000\r\n"
                         b"Content-Length: %d\r\n\r\n" % len(body) + body + GHOST)  # Tornado sees no end behind it
            deadline = time.monotonic() + 5
            while time.monotonic() < deadline and not connections:
                time.sleep(0.01)
        release.set()
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and (connections or not server.calls["error"].iloc[0]):
            time.sleep(0.02)
        assert not connections  # the exchange ended: nothing holds the request and its body
        assert "closed the connection" in server.calls["error"].iloc[0] and len(server.calls) == 1
