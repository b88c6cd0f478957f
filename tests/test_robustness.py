"""Issue 11: what a request can send, held as a kind (journal memory, delayed answers, control
characters in echoed headers, raw bytes in the path, descriptor exhaustion).

Real servers on 127.0.0.1 and raw sockets; subprocesses are stopped by PID; every wait is bounded.
Memory is read as the RSS of a subprocess, CPU as its user+system time: never wall-clock timings.
"""

from __future__ import annotations

import json
import os
import resource
import signal
import socket
import subprocess
import sys
import time

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import mockkit
import rawhttp
from builders import coll, ex
from processes import cpu_seconds, rss_mib, stop, wait_for
from mockkit.headerclean import clean_value, safe_headers
from mockkit.journal import Call, Journal
from mockkit.model import MockRequest

UPLOAD = coll(ex("/upload", method="POST", name="upload", response_body="stored"),
              ex("/ping", name="ping", response_body="pong"))


SERVE = r"""
import json, sys, mockkit
server = mockkit.serve(json.loads(sys.argv[1]), **json.loads(sys.argv[2]))
print(server.port, flush=True)
sys.stdin.read()
"""


class Served:
    """``mockkit.serve`` in a subprocess (so its RSS is its own); stopped by PID."""

    def __init__(self, collection: dict, **options: object) -> None:
        self.proc = subprocess.Popen([sys.executable, "-c", SERVE, json.dumps(collection), json.dumps(options)],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        self.port = int(self.proc.stdout.readline())
        self.url = f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> "Served":
        return self

    def __exit__(self, *exc: object) -> None:
        self.proc.stdin.close()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            os.kill(self.proc.pid, signal.SIGKILL)
            self.proc.wait(10)


# ------------------------------------------------------------------- kind 2: call-log memory


@settings(max_examples=60, deadline=None)
@given(sizes=st.lists(st.integers(0, 300_000), max_size=60), maxlen=st.integers(1, 40),
       max_bytes=st.integers(2_000, 1_000_000), max_body=st.integers(0, 100_000))
def test_the_journal_stays_within_its_count_and_byte_bounds(sizes, maxlen, max_bytes, max_body):
    journal = Journal(maxlen, max_bytes=max_bytes, max_body=max_body)
    for size in sizes:
        body = os.urandom(16) * (size // 16)
        call = journal.record(Call(journal.next_id(), None, MockRequest("POST", "/x", body=body),  # type: ignore[arg-type]
                                   200, "", "", -1, None, "score", 0.0))
        assert len(call.request.body) <= journal.max_body
        if len(body) > journal.max_body:
            import hashlib

            assert call.body_truncated and call.body_size == len(body)
            assert call.body_sha256 == hashlib.sha256(body).hexdigest()
        assert len(journal) <= maxlen
        assert journal.bytes <= max_bytes or len(journal) == 1
        assert journal.snapshot()[-1].id == call.id  # the newest call is always kept


def test_the_journals_byte_count_follows_amended_calls():
    """``amend`` (e.g. the error actually sent) changes what a call holds: the byte count must
    follow it, or the bound drifts (and ``clear``/forgetting leaves a non-zero count)."""
    journal = Journal(2, max_bytes=1_000_000)
    first = journal.record(Call(journal.next_id(), None, MockRequest("GET", "/x"),  # type: ignore[arg-type]
                                200, "", "", -1, None, "score", 0.0))
    before = journal.bytes
    journal.amend(first.id, error="e" * 5000)
    assert journal.bytes == before + 5000
    for _ in range(2):  # push the amended call out
        journal.record(Call(journal.next_id(), None, MockRequest("GET", "/y"),  # type: ignore[arg-type]
                            200, "", "", -1, None, "score", 0.0))
    assert journal.bytes == 2 * before - len("/x") + len("/y")


def test_big_posts_leave_the_call_log_bounded_in_memory():
    """80 posts of 5 MB each to a subprocess server: RSS grows by the journal's byte budget at
    most (the old journal grew by the whole 400 MB)."""
    with Served(UPLOAD, journal_bytes=16 * 1024 * 1024) as server, \
            httpx.Client(base_url=server.url, trust_env=False, timeout=60) as client:
        client.post("/upload", content=b"warm")
        before = rss_mib(server.proc.pid)
        body = os.urandom(5_000_000)
        for _ in range(80):
            assert client.post("/upload", content=body).status_code == 200
        grown = rss_mib(server.proc.pid) - before
        assert grown < 16 + 48, f"RSS grew by {grown:.0f} MiB"


def test_explaining_a_call_whose_body_was_trimmed_says_so():
    collection = coll(ex("/upload", method="POST", name="other", response_body="other"),
                      ex("/upload", method="POST", name="big", response_body="big",
                         body={"mode": "raw", "raw": "A" * 3000}))  # wins by the equal-body bonus
    with mockkit.MockServer(collection, journal_body_bytes=1000) as server:
        r = server.post("/upload", content=b"A" * 3000)
        assert r.text == "big"
        call = server.engine.journal.get(r.headers["x-mockkit-call"])
        assert call.body_truncated and call.body_size == 3000 and len(call.request.body) == 1000
        explanation = server.explain(r)
        notes = " ".join(explanation.attrs["notes"])
        assert "3,000 bytes" in notes and "first 1,000" in notes
        assert "answered by 'big'" in notes  # the re-ranking on the prefix no longer picks it
        assert "first 1,000" in explanation._repr_html_()  # the notes are shown, not only kept


# ------------------------------------------------------------------- kind 3: delayed answers


def test_delayed_answers_are_dropped_when_their_clients_leave():
    """300 posts of 1 MB with a 60 s delay, clients gone at once: the pending answers are
    dropped (the budget empties, RSS returns near where it was) and the server keeps serving."""
    with Served(UPLOAD, journal_bytes=4 * 1024 * 1024) as server:
        probe = httpx.Client(base_url=server.url, trust_env=False, timeout=30)
        probe.get("/ping")
        before = rss_mib(server.proc.pid)
        body = os.urandom(1_000_000)
        head = (f"POST /upload HTTP/1.1\r\nHost: x\r\nx-mock-response-delay: 60000\r\n"
                f"Content-Length: {len(body)}\r\n\r\n").encode()
        socks = []
        for _ in range(300):
            s = socket.create_connection(("127.0.0.1", server.port), timeout=30)
            s.sendall(head + body)
            socks.append(s)
        assert wait_for(lambda: probe.get("/ping").text == "pong")
        peak = rss_mib(server.proc.pid)
        for s in socks:
            s.close()
        assert wait_for(lambda: rss_mib(server.proc.pid) < before + 40, timeout=30), \
            f"RSS {before:.0f} -> {peak:.0f} -> {rss_mib(server.proc.pid):.0f} MiB"
        assert probe.get("/ping").text == "pong"
        probe.close()


def test_pending_delayed_work_is_capped_with_a_503():
    with mockkit.MockServer(UPLOAD, max_pending_delays=3, max_pending_delay_bytes=2_000_000) as server:
        socks = []
        for _ in range(3):
            s = socket.create_connection(("127.0.0.1", server.port), timeout=30)
            s.sendall(b"GET /ping HTTP/1.1\r\nHost: x\r\nx-mock-response-delay: 30000\r\n\r\n")
            socks.append(s)
        budget = server._app.delays
        assert wait_for(lambda: budget.count == 3)
        r = server.get("/ping", headers={"x-mock-response-delay": "10"})
        assert r.status_code == 503 and r.json()["error"]["name"] == "serviceUnavailableError"
        assert r.headers["retry-after"] == "1" and r.headers["content-type"].startswith("application/json")
        call = server.engine.journal.get(r.headers["x-mockkit-call"])
        assert call.status == 503  # the log says what was sent
        assert server.get("/ping").text == "pong"  # undelayed calls are not affected
        for s in socks:
            s.close()
        assert wait_for(lambda: budget.count == 0 and budget.bytes == 0)
        assert budget.dropped == 3
        gone = [c for c in server.engine.journal.snapshot() if "closed the connection" in c.error]
        assert len(gone) == 3
        big = os.urandom(1_200_000)
        first = socket.create_connection(("127.0.0.1", server.port), timeout=30)
        first.sendall(f"POST /upload HTTP/1.1\r\nHost: x\r\nx-mock-response-delay: 30000\r\n"
                      f"Content-Length: {len(big)}\r\n\r\n".encode() + big)
        assert wait_for(lambda: budget.count == 1)
        r = server.post("/upload", content=big, headers={"x-mock-response-delay": "10"})
        assert r.status_code == 503 and "bytes" in r.json()["error"]["message"]
        first.close()
        delayed = server.get("/ping", headers={"x-mock-response-delay": "50"})
        assert delayed.status_code == 200 and delayed.text == "pong"


# --------------------------------------------------------- kind 6: control characters


CONTROL_TEXT = st.text(alphabet=st.characters(min_codepoint=0, max_codepoint=0x3000, blacklist_categories=("Cs",))
                       | st.sampled_from("\x00\x01\x08\t\n\r\x0b\x0c\x1b\x7f\x85\u2028\u202e "), max_size=40)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(value=CONTROL_TEXT)
def test_any_echoed_text_becomes_a_header_value_http_allows(value):
    """Whatever the request carries, every header the engine answers with is one Tornado (and
    RFC 9110) accepts, and the journal records those same headers."""
    from tornado.httputil import HTTPHeaders

    engine = mockkit.MockEngine(coll(ex("/e", method="POST", name="echo", response_body="ok",
                                        response_headers={"X-Echo": "{{$queryParams 'v'}}",
                                                          "X-Body": "{{$body 'v'}}"})))
    request = MockRequest("POST", "/e", (("v", value),), (("content-type", "application/json"),),
                          json.dumps({"v": value}).encode())
    served = engine.handle(request)
    assert served.response.status == 200
    headers = HTTPHeaders()
    for name, sent in served.response.headers:
        headers.add(name, sent)  # raises for anything HTTP forbids
    assert safe_headers(served.response.headers) is served.response.headers  # nothing left to clean
    assert engine.journal.get(served.call_id).response_headers == served.response.headers


def test_control_characters_from_query_body_and_headers_over_http():
    collection = coll(ex("/e", method="POST", name="echo", response_body="ok", response_headers={
        "X-Q": "{{$queryParams 'q'}}", "X-B": "{{$body 'b'}}", "X-H": "{{$headers 'x-in'}}"}))
    with mockkit.MockServer(collection) as server:
        r = server.post("/e?q=%00a%1Fb%7Fc%0D%0A", json={"b": "\u0007bell\u001b[31m"},
                        headers={"x-in": "tab\tinside"})
        assert r.status_code == 200 and r.text == "ok"
        assert (r.headers["x-q"], r.headers["x-b"], r.headers["x-h"]) == ("abc", "bell[31m", "tab\tinside")
        call = server.engine.journal.get(r.headers["x-mockkit-call"])
        assert call.status == 200 and ("X-Q", "abc") in call.response_headers
    server_response = mockkit.MockEngine(UPLOAD)
    sent = server_response.set_server_response(503, "down", {"X-Why\x01": "\x00over\x7fload\n"})
    assert ("X-Why", "overload") in sent.headers
    assert clean_value(" \t\x00 v \x1f") == "v"


# ------------------------------------------------------------- kind 13: raw bytes in the path


raw_request = rawhttp.get


@pytest.mark.parametrize("raw, encoded", [
    (b"/stra\xc3\x9fe/m\xc3\xbcnchen", b"/stra%C3%9Fe/m%C3%BCnchen"),  # valid UTF-8: the same example
    (b"/bad/\xe2\x82", b"/bad/%E2%82"),  # a truncated sequence: the same 400
    (b"/bad/\xc0\xaf", b"/bad/%C0%AF"),  # an overlong '/': the same 400
    (b"/bad/\xed\xa0\x80", b"/bad/%ED%A0%80"),  # a UTF-16 surrogate: the same 400
])
def test_raw_bytes_in_the_path_follow_the_percent_encoded_rule(raw, encoded):
    collection = coll(ex("/straße/münchen?stadt=köln", name="city", response_body="{{$queryParams 'stadt'}}"))
    with mockkit.MockServer(collection) as server:
        raw_answer, encoded_answer = raw_request(server.port, raw), raw_request(server.port, encoded)
        assert raw_answer == encoded_answer
        if raw.startswith(b"/bad"):
            assert raw_answer[0] == 400 and json.loads(raw_answer[1])["error"]["name"] == "badRequestError"
        else:
            assert raw_answer[0] == 200
            status, body = raw_request(server.port, raw + b"?stadt=k\xc3\xb6ln")
            assert (status, body.decode()) == (200, "köln")  # raw query bytes are UTF-8 too
        assert raw_request(server.port, b"/ping")[0] == 404  # and the server keeps serving


# ---------------------------------------------------- kind 4: out of file descriptors


def test_out_of_file_descriptors_the_server_backs_off_and_recovers(tmp_path):
    """``mockkit serve`` limited to 64 descriptors, 90 idle connections opened: it neither spins
    (CPU time stays low) nor floods stderr, keeps answering a connection it has, and accepts
    again once descriptors are free."""

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_NOFILE, (64, 64))

    collection, log = tmp_path / "api.json", tmp_path / "stderr.txt"
    collection.write_text(json.dumps(UPLOAD))
    with open(log, "w") as err_file:  # a file, not a pipe: a full pipe would block a spinning server
        proc = subprocess.Popen([sys.executable, "-m", "mockkit", "serve", str(collection), "--port", "0", "--quiet"],
                                stdout=subprocess.PIPE, stderr=err_file, preexec_fn=limit, text=True)
    try:
        banner = proc.stdout.readline()
        port = int(banner.split("http://127.0.0.1:")[1].split()[0])
        keeper = socket.create_connection(("127.0.0.1", port), timeout=10)
        idle = [socket.create_connection(("127.0.0.1", port), timeout=10) for _ in range(90)]
        time.sleep(0.5)
        cpu_before = cpu_seconds(proc.pid)
        time.sleep(3)
        spent = cpu_seconds(proc.pid) - cpu_before
        assert spent < 0.5, f"{spent:.2f} s of CPU in 3 s while out of descriptors"
        keeper.sendall(b"GET /ping HTTP/1.1\r\nHost: x\r\n\r\n")
        assert keeper.recv(65536).startswith(b"HTTP/1.1 200 ")
        for s in idle:
            s.close()
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", trust_env=False, timeout=20) as client:
            assert client.get("/ping").text == "pong"
        keeper.close()
    finally:
        stop(proc, 20)
    err = log.read_text()
    assert "out of file descriptors" in err and "Traceback" not in err
    assert len(err) < 4000, err[:2000]


# ------------------------------------------ kind 10: big requests are handled off the loop


def test_big_bodies_are_handled_off_the_loop():
    """Ordering, not timing: the engine is made to hold a big request until a ping has been
    answered. Handled on the loop, the big request would hold the ping back (and the ping would
    time out); handled off it, the ping is answered first, then the big request."""
    import threading

    with mockkit.MockServer(UPLOAD) as server:
        engine, entered, release = server.engine, threading.Event(), threading.Event()

        class Gate:
            def __getattr__(self, name: str) -> object:
                return getattr(engine, name)

            def handle(self, request: MockRequest) -> object:
                if len(request.body) >= 1_000_000:
                    entered.set()
                    release.wait(20)
                return engine.handle(request)

        server._app.engine = Gate()
        outcome: list[object] = []

        def big() -> None:
            with httpx.Client(base_url=server.url, trust_env=False, timeout=60) as c:
                outcome.append(c.post("/upload", content=b"x" * 5_000_000).status_code)

        poster = threading.Thread(target=big)
        poster.start()
        assert entered.wait(20)
        with httpx.Client(base_url=server.url, trust_env=False, timeout=10) as c:
            ping = c.get("/ping").text  # the big request is still held by the gate
        held = not outcome
        release.set()
        poster.join(60)
        assert ping == "pong" and held and outcome == [200]
