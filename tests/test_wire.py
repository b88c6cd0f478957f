"""The leaner HTTP/1.1 path (issue 17) sends what Tornado's own path sent, and keeps its limits.

* ``wire.response_head`` + one write sends byte for byte what ``write_headers`` sent (the
  ``Date`` value aside), for answers with duplicate and mixed-case headers, saved ``Server``,
  ``Date`` and ``Content-Length`` headers, a client that asks to close, misses and errors; the
  rarer cases (HEAD, 204, HTTP/1.0) still go through Tornado.
* The header timeout kept by one sweep closes a connection that never finishes its headers
  and an idle keep-alive connection, while a busy client keeps being served.
* ``TCP_NODELAY`` is on for the connection's life.
"""

from __future__ import annotations

import asyncio
import re
import socket
import time

import pytest

import mockkit
from mockkit import server as server_module
from mockkit import wire as wire_module
from mockkit.connections import MockStream
from mockkit.wire import response_head

from builders import coll, ex
from rawhttp import exchange

DATE = re.compile(rb"\r\nDate: [^\r]*")


def collection() -> dict:
    return coll(
        ex("/plain", name="plain", response_body='{"a": 1}', response_headers=[
            {"key": "content-type", "value": "application/json"}, {"key": "X-Many", "value": "1"},
            {"key": "x-other", "value": "o"}, {"key": "x-many", "value": "2"}]),
        ex("/saved", name="saved", code=201, response_body="made", response_headers=[
            {"key": "Server", "value": "nginx"}, {"key": "date", "value": "Mon, 01 Jan 2024 00:00:00 GMT"},
            {"key": "Content-Length", "value": "999"}, {"key": "X-After", "value": "a"}]),
        ex("/empty", name="empty", code=204),
        ex("/gone", name="gone", code=500, response_body='{"e": "x"}'),
        ex("/utf", name="utf", response_body="é", response_headers=[{"key": "X-Text", "value": "café"}]),
    )


REQUESTS = [
    b"GET /plain HTTP/1.1\r\nHost: x\r\n\r\n",
    b"GET /plain HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    b"GET /saved HTTP/1.1\r\nHost: x\r\nOrigin: http://o.test\r\n\r\n",
    b"GET /nothing/here HTTP/1.1\r\nHost: x\r\n\r\n",
    b"GET /gone HTTP/1.1\r\nHost: x\r\n\r\n",
    b"GET /utf HTTP/1.1\r\nHost: x\r\n\r\n",
    b"HEAD /plain HTTP/1.1\r\nHost: x\r\n\r\n",
    b"GET /empty HTTP/1.1\r\nHost: x\r\n\r\n",
    b"GET /plain HTTP/1.0\r\nHost: x\r\nConnection: keep-alive\r\n\r\n",
    b"GET /plain HTTP/1.0\r\nHost: x\r\n\r\n",
    b"OPTIONS /plain HTTP/1.1\r\nHost: x\r\nOrigin: http://o.test\r\nAccess-Control-Request-Method: GET\r\n\r\n",
]


CLOSING = b"GET /plain HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"


def answers(port: int) -> list[bytes]:
    """Each request, followed on the same connection by one that closes it (when the server
    keeps it open), as raw bytes with the call id and the date blanked."""
    out = []
    for request in REQUESTS:
        keeps_open = b"close" not in request and (b"HTTP/1.1" in request or b"keep-alive" in request)
        data = exchange(port, request + (CLOSING if keeps_open else b""))
        out.append(DATE.sub(b"\r\nDate: -", re.sub(rb"X-Mockkit-Call: [^\r]*", b"X-Mockkit-Call: -", data)))
    return out


def test_the_lean_path_sends_what_tornado_sent(monkeypatch):
    with mockkit.MockServer(collection()) as server:
        lean = answers(server.port)
        monkeypatch.setattr(server_module._Exchange, "_send", server_module._Exchange._send_by_tornado)
        tornado = answers(server.port)
    assert lean == tornado
    assert lean[0].startswith(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nX-Many: 1\r\nX-Many: 2\r\n")
    assert b"Server: mockkit" in lean[2] and b"nginx" not in lean[2] and b"Content-Length: 4\r\n" in lean[2]


def test_keep_alive_answers_follow_each_other_on_one_connection():
    with mockkit.MockServer(collection()) as server:
        with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
            data = b""
            for _ in range(3):
                sock.sendall(b"GET /plain HTTP/1.1\r\nHost: x\r\n\r\n")
                while data.count(b'{"a": 1}') < _ + 1:
                    chunk = sock.recv(65536)
                    assert chunk, "the connection closed"
                    data += chunk
            assert data.count(b"HTTP/1.1 200 OK") == 3


def test_tcp_nodelay_stays_on_for_the_connection():
    async def accepted() -> tuple[int, int]:
        with socket.create_server(("127.0.0.1", 0)) as listener, \
                socket.create_connection(listener.getsockname(), timeout=5) as client:
            conn, _ = listener.accept()
            stream = MockStream(conn, 1024)
            first = conn.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)
            stream.set_nodelay(False)  # what Tornado calls after every answer
            after = conn.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)
            stream.close()
            return first, after

    first, after = asyncio.run(accepted())
    assert first and after


def test_response_head_leaves_line_breaks_to_tornado():
    assert response_head(200, "OK", [("a", "1")], [("Server", "mockkit")]) == \
        b"HTTP/1.1 200 OK\r\nA: 1\r\nServer: mockkit\r\n\r\n"
    for bad in ([("x-a", "1\r\nInjected: yes")], [("x-a\n", "1")]):
        assert response_head(200, "OK", bad, []) is None
    assert response_head(200, "OK\r\nX: y", [], [("Server", "mockkit")]) is None


def test_a_line_break_that_reaches_the_writer_is_a_500_not_an_injected_header(monkeypatch):
    clean = server_module.safe_headers

    def evil(headers):  # /plain's answer gets a line break past the cleaning, wherever it is cleaned
        plain = any(name.lower() == "x-many" for name, _ in headers)
        return (*clean(headers), ("X-Evil", "a\r\nInjected: yes")) if plain else clean(headers)

    monkeypatch.setattr(server_module, "safe_headers", evil)
    monkeypatch.setattr(wire_module, "safe_headers", evil)
    monkeypatch.setattr(wire_module, "_PREFIXES", {})
    with mockkit.MockServer(collection()) as server:
        data = exchange(server.port, b"GET /plain HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    assert data.startswith(b"HTTP/1.1 500 ") and b"Injected: yes" not in data.split(b"\r\n\r\n")[0]


def test_the_header_timeout_sweep_closes_slow_and_idle_connections(monkeypatch):
    monkeypatch.setattr(server_module, "IDLE_TIMEOUT", 0.6)  # the sweep runs every 0.05 s
    with mockkit.MockServer(collection()) as server:
        slow = socket.create_connection(("127.0.0.1", server.port), timeout=10)
        idle = socket.create_connection(("127.0.0.1", server.port), timeout=10)
        try:
            slow.sendall(b"GET /plain HTTP/1.1\r\nHost: x\r\n")  # headers never finished
            idle.sendall(b"GET /plain HTTP/1.1\r\nHost: x\r\n\r\n")
            assert idle.recv(65536).startswith(b"HTTP/1.1 200 OK")
            deadline = time.monotonic() + 1.5
            while time.monotonic() < deadline:  # a busy client is served all along
                assert server.get("/plain").status_code == 200
                time.sleep(0.05)
            assert slow.recv(65536) == b""  # closed by the sweep
            assert idle.recv(65536) == b""
        finally:
            slow.close()
            idle.close()


@pytest.mark.parametrize("kind", ["asyncio", "uvloop"])
def test_servers_run_on_the_loop_chosen(monkeypatch, kind):
    """The standard loop by default, uvloop with ``MOCKKIT_LOOP=uvloop`` (when installed): the
    same answers either way."""
    from mockkit import hosting

    if kind == "uvloop":
        pytest.importorskip("uvloop")
        monkeypatch.setenv(hosting.LOOP_ENV, "uvloop")
    else:
        monkeypatch.delenv(hosting.LOOP_ENV, raising=False)
    assert hosting.loop_kind() == kind
    with mockkit.MockServer(collection()) as server:
        assert server.get("/plain").json() == {"a": 1}
        assert server.get("/nothing").status_code == 404
        assert type(server._thread._loop).__module__.split(".")[0] == kind


def test_the_memoised_answer_head_is_what_response_head_writes():
    from mockkit.headerclean import safe_headers
    from mockkit.model import MockResponse

    cases = [(), (("content-type", "a"),), (("X-A", "1"), ("x-b", "2"), ("x-a", "3")), (("server", "n"),),
             (("Date", "d"), ("X", "y")), (("x-a", "caf\u00e9"),), (("x-a", "\u20ac"),), (("x a", "1"),),
             (("x-a", "1\r\n2"),), (("Connection", "keep-alive"),), (("X-Mockkit-Call", "mine"),)]
    for _ in range(2):  # computed, then memoised
        for headers in cases:
            for call_id in (None, "c-1", "c\r\nX: 1"):
                for close in (False, True):
                    ours = [("Server", "mockkit"), ("Date", server_module._http_date()), ("Content-Length", "4")]
                    ours[:0] = [("x-mockkit-call", call_id)] if call_id is not None else []
                    ours += [("Connection", "close")] if close else []
                    want = response_head(201, "Created", safe_headers(headers), ours)
                    got = server_module._answer_head(MockResponse(201, "Created", headers, b"body"), call_id, close)
                    assert got == want, (headers, call_id, close)
