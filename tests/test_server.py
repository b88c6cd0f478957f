"""A real server on 127.0.0.1, real httpx clients: every HTTP behaviour of issue 3."""

from __future__ import annotations

import json
import os
import re
import socket
import threading
import time
from pathlib import Path

import httpx
import pytest

import mockkit
import processes
from builders import coll, ex
from mockkit.demo import DEMO_COLLECTION
from mockkit.errors import ServerError

NOT_FOUND = {
    "error": {
        "name": "mockRequestNotFoundError",
        "message": "Double check your method and the request path and try again.",
        "header": "No matching requests",
    }
}


@pytest.fixture
def mock():
    server = mockkit.MockServer(DEMO_COLLECTION, seed=1).start()
    yield server
    server.stop()


def wait_for(predicate, timeout=10.0, step=0.05):
    """Poll ``predicate`` until true or the (bounded) timeout passes."""
    return processes.wait_for(predicate, timeout, step)


def test_serve_returns_a_listening_server(mock):
    assert mock.running and mock.port and mock.url == f"http://127.0.0.1:{mock.port}"
    with socket.create_connection(("127.0.0.1", mock.port), timeout=2):
        pass
    r = mock.get("/users/42")
    assert r.status_code == 200 and r.json()["id"] == "42"
    assert r.headers["access-control-allow-origin"] == "*"
    assert r.headers["x-mockkit-call"]


def test_no_match_is_postmans_404(mock):
    r = mock.get("/nowhere/at/all")
    assert r.status_code == 404 and r.json() == NOT_FOUND
    assert r.headers["content-type"].startswith("application/json")


def test_any_method_and_head(mock):
    assert mock.request("PURGE", "/users").json() == NOT_FOUND
    head = mock.head("/users")  # the method filter is strict: HEAD matches only HEAD examples
    assert head.status_code == 404 and head.content == b""
    assert int(head.headers["content-length"]) == len(mock.get("/nowhere").content)
    deleted = mock.delete("/users/7")
    assert deleted.status_code == 204 and deleted.content == b""


def test_control_headers_over_http(mock):
    assert mock.get("/users/7", headers={"x-mock-response-code": "404"}).status_code == 404
    assert mock.get("/anything", headers={"x-mock-response-name": "Healthy"}).json()["status"] == "ok"
    r = mock.get("/users", headers={"x-mock-response-id": "demo-001"})
    assert r.json()["page"] == 1
    assert mock.get("/users", headers={"x-mock-response-id": "nope"}).status_code == 404


def test_templates_over_http(mock):
    r = mock.post("/users", json={"name": "Bob", "email": "bob@example.com"})
    assert r.status_code == 201 and r.json()["name"] == "Bob" and r.json()["email"] == "bob@example.com"
    assert r.headers["location"].startswith("/users/")
    assert mock.get("/users", params={"q": "zed"}).json()["query"] == "zed"


def test_explain_a_served_response_and_a_request(mock):
    r = mock.get("/users", params={"page": "2"})
    frame = mock.explain(r)
    assert frame.iloc[0]["example"] == "Users, page 2" and bool(frame.iloc[0]["selected"])
    unsent = mock.explain("GET", "/users/me")
    assert unsent.iloc[0]["example"] == "Current user"
    with pytest.raises(ValueError, match="x-mockkit-call"):
        mock.explain(httpx.Response(200))


def test_calls_log(mock):
    mock.get("/users")
    mock.get("/nowhere")
    calls = mock.calls
    assert list(calls["status"]) == [200, 404]
    assert list(calls["example"]) == ["All users", ""]
    assert calls["call"].is_unique and (calls["duration_ms"] >= 0).all()
    mock.clear_calls()
    assert mock.calls.empty


def test_journal_is_bounded():
    with mockkit.MockServer(DEMO_COLLECTION, journal_size=3) as server:
        first = server.get("/users")
        for _ in range(5):
            server.get("/users")
        assert len(server.calls) == 3
        with pytest.raises(LookupError, match="no longer in the call log"):
            server.explain(first)


def test_delays_are_concurrent(mock):
    """A delayed answer does not hold up others: the plain call finishes first."""
    finished: list[str] = []

    def slow():
        r = mock.request("GET", "/health", headers={"x-mock-response-delay": "600"})
        assert r.status_code == 200
        finished.append("slow")

    worker = threading.Thread(target=slow)
    started = time.monotonic()
    worker.start()
    time.sleep(0.1)
    with httpx.Client(base_url=mock.url, trust_env=False) as other:
        assert other.get("/health").status_code == 200
    finished.append("fast")
    worker.join(10)
    assert finished == ["fast", "slow"]
    assert time.monotonic() - started >= 0.6


def test_delay_option_and_presets():
    with mockkit.MockServer(DEMO_COLLECTION, delay="3G") as server:
        started = time.monotonic()
        server.get("/health")
        assert time.monotonic() - started >= 0.1
    with pytest.raises(ValueError, match="delay"):
        mockkit.MockServer(DEMO_COLLECTION, delay="5G")


def test_cors(mock):
    pre = mock.options(
        "/users",
        headers={"Origin": "http://app.local", "Access-Control-Request-Method": "POST",
                 "Access-Control-Request-Headers": "x-mock-response-code, content-type"},
    )
    assert pre.status_code == 204
    assert pre.headers["access-control-allow-origin"] == "http://app.local"
    assert pre.headers["access-control-allow-methods"] == "POST"
    assert pre.headers["access-control-allow-headers"] == "x-mock-response-code, content-type"
    with mockkit.MockServer(DEMO_COLLECTION, cors=False) as plain:
        assert "access-control-allow-origin" not in plain.get("/users").headers


def test_example_cors_header_wins():
    doc = coll(ex("/x", response_body="ok", response_headers={"Access-Control-Allow-Origin": "https://only.me"}))
    with mockkit.MockServer(doc) as server:
        assert server.get("/x").headers.get_list("access-control-allow-origin") == ["https://only.me"]


def test_private_mock():
    with mockkit.MockServer(DEMO_COLLECTION, api_key="s3cret") as server:
        denied = server.get("/users")
        assert denied.status_code == 401 and denied.json()["error"]["name"] == "unauthorizedError"
        assert server.get("/users", params={"apikey": "s3cret"}).status_code == 401  # header only
        assert server.get("/users", headers={"x-api-key": "s3cret"}).status_code == 200


def test_server_response_answers_every_call(mock):
    mock.set_server_response(503, {"error": "maintenance"}, {"Retry-After": "60"})
    for path in ("/users", "/nowhere"):
        r = mock.get(path, headers={"x-mock-response-name": "Healthy"})
        assert r.status_code == 503 and r.json() == {"error": "maintenance"} and r.headers["retry-after"] == "60"
    mock.clear_server_response()
    assert mock.get("/users").status_code == 200
    with pytest.raises(ValueError, match="5xx"):
        mock.set_server_response(200)


def test_bad_percent_encoding_gets_a_json_400_and_serving_goes_on(mock):
    r = mock.get("/users/%ff%fe")
    assert r.status_code == 400 and r.json()["error"]["name"] == "badRequestError"
    assert mock.get("/users").status_code == 200


def _raw(port: int, payload: bytes) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        try:
            sock.sendall(payload)
        except OSError:
            pass
        chunks = []
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            try:
                chunk = sock.recv(65536)
            except OSError:
                break
            if not chunk:
                break
            chunks.append(chunk)
            head, sep, body = b"".join(chunks).partition(b"\r\n\r\n")
            length = re.search(rb"(?i)content-length: *(\d+)", head)
            if sep and length and len(body) >= int(length.group(1)):
                break  # a whole response: the connection may stay open (keep-alive)
        return b"".join(chunks)


@pytest.mark.parametrize("payload, status, name", [
    (b"GET /users HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 200_000 + b"\r\n\r\n", 431, "requestHeaderFieldsTooLargeError"),
    (b"NOT A REQUEST\r\n\r\n", 400, "badRequestError"),
    (b"GET /users HTTP/1.1\r\nHost: x\r\nContent-Length: nope\r\n\r\n", 400, "badRequestError"),
    (b"POST /users HTTP/1.1\r\nHost: x\r\nContent-Length: 999999999\r\n\r\n", 413, "payloadTooLargeError"),
])
def test_unparseable_requests_get_json_errors(mock, payload, status, name):
    answer = _raw(mock.port, payload)
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(f"HTTP/1.1 {status} ".encode()), answer[:200]
    assert json.loads(body)["error"]["name"] == name
    assert mock.get("/users").status_code == 200


def test_huge_headers_and_garbage_do_not_stop_the_server(mock):
    for payload in (
        b"GET /users HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 200_000 + b"\r\n\r\n",
        b"NOT A REQUEST\r\n\r\n",
        b"GET /users HTTP/1.1\r\nContent-Length: nope\r\n\r\n",
    ):
        with socket.create_connection(("127.0.0.1", mock.port), timeout=5) as sock:
            try:
                sock.sendall(payload)
                sock.settimeout(5)
                sock.recv(65536)
            except OSError:
                pass
    assert mock.get("/users").status_code == 200


def test_engine_failure_is_a_500_and_a_journal_entry(mock, monkeypatch):
    def boom(request):
        raise RuntimeError("kaboom")

    monkeypatch.setattr(mock.engine, "rank", boom)
    r = mock.get("/users")
    assert r.status_code == 500 and "kaboom" in r.json()["error"]["message"]
    assert mock.calls.iloc[-1]["status"] == 500
    monkeypatch.undo()
    assert mock.get("/users").status_code == 200


def test_header_injection_is_impossible():
    doc = coll(ex("/echo", response_body="{{$queryParams 'v'}}", response_headers={"X-Echo": "{{$queryParams 'v'}}"}))
    with mockkit.MockServer(doc) as server:
        r = server.get("/echo", params={"v": "a\r\nSet-Cookie: evil=1"})
        assert r.status_code == 200
        assert "set-cookie" not in r.headers
        assert "\n" not in r.headers["x-echo"] and "\r" not in r.headers["x-echo"]


def test_bind_error_is_raised_in_the_caller():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        port = sock.getsockname()[1]
        with pytest.raises(ServerError, match=str(port)):
            mockkit.MockServer(DEMO_COLLECTION, port=port).start()


def test_restart_on_the_same_port():
    first = mockkit.MockServer(DEMO_COLLECTION).start()
    port = first.port
    first.get("/users")
    first.stop()
    assert not first.running
    with mockkit.MockServer(DEMO_COLLECTION, port=port) as second:
        assert second.port == port and second.get("/users").status_code == 200


def test_rerunning_serve_replaces_the_old_server_and_keeps_its_port():
    try:
        first = mockkit.serve(DEMO_COLLECTION)
        port = first.port
        second = mockkit.serve(DEMO_COLLECTION)
        assert not first.running and second.running and second.port == port
        assert mockkit.mock.running_servers() == [second]
    finally:
        mockkit.stop_all()
    assert mockkit.mock.running_servers() == []


def _fds() -> int:
    return len(os.listdir(f"/proc/{os.getpid()}/fd")) if os.path.isdir("/proc") else 0


def test_fifty_start_stop_cycles_leave_nothing_behind():
    def settle():
        time.sleep(0.05)
        return threading.active_count(), _fds()

    threads, fds = settle()
    for _ in range(50):
        with mockkit.MockServer(DEMO_COLLECTION) as server:
            assert server.get("/health").status_code == 200
    assert wait_for(lambda: threading.active_count() <= threads, 5)
    assert _fds() <= fds + 2  # allow the interpreter's own lazily opened files


def test_watch_reloads_and_survives_a_broken_edit(tmp_path: Path):
    path = tmp_path / "api.json"
    doc = json.loads(DEMO_COLLECTION.read_text())
    path.write_text(json.dumps(doc))
    with mockkit.MockServer(path, watch=True) as server:
        assert server.get("/health").status_code == 200
        health = doc["item"][2]["response"][0]
        health["body"] = '{"status": "reloaded"}'
        path.write_text(json.dumps(doc))
        assert wait_for(lambda: server.get("/health").json().get("status") == "reloaded")
        calls_before = len(server.calls)
        path.write_text("{ broken")
        assert wait_for(lambda: bool(server.reload_errors))
        assert "api.json" in server.reload_errors[-1]
        assert server.get("/health").json()["status"] == "reloaded"
        assert len(server.calls) == calls_before + 1  # the call log survives reloads


def test_reload_by_hand(tmp_path: Path):
    path = tmp_path / "api.json"
    doc = json.loads(DEMO_COLLECTION.read_text())
    path.write_text(json.dumps(doc))
    with mockkit.MockServer(path) as server:
        doc["item"][2]["response"][0]["code"] = 299
        path.write_text(json.dumps(doc))
        assert server.get("/health").status_code == 200
        server.reload()
        assert server.get("/health").status_code == 299


def test_repr_html(mock):
    page = mock._repr_html_()
    assert mock.url in page and "/users/{{userId}}" in page and "14 examples" in page
    mock.stop()
    assert "stopped" in mock._repr_html_() and "stopped" in repr(mock)


def test_a_stopped_server_says_so_and_can_start_again():
    server = mockkit.MockServer(DEMO_COLLECTION).start()
    server.stop()
    with pytest.raises(ServerError, match="stopped"):
        server.get("/users")
    server.start()
    try:
        assert server.get("/users").status_code == 200
    finally:
        server.stop()


def test_body_limit_is_configurable():
    with mockkit.MockServer(DEMO_COLLECTION, max_body_size=1000) as server:
        big = server.post("/users", content=b"x" * 2000)
        assert big.status_code == 413 and big.json()["error"]["name"] == "payloadTooLargeError"
        assert "1,000 bytes" in big.json()["error"]["message"]
        assert server.post("/users", json={"name": "ok"}).status_code == 201


def test_non_latin1_and_surrogate_text_in_answers():
    doc = coll(ex("/u", response_body="héllo ✓ {{bad}} {{$queryParams 'q'}}",
                  response_headers={"X-Greeting": "grüße ✓ {{bad}}"}), variables={"bad": "\ud800"})
    with mockkit.MockServer(doc) as server:
        r = server.get("/u", params={"q": "✓"})
        assert r.status_code == 200 and r.content.decode("utf-8").startswith("héllo ✓ ? ✓")
        raw = {k.lower(): v for k, v in r.headers.raw}[b"x-greeting"]
        assert raw.startswith("grüße ✓".encode())  # UTF-8 bytes on the wire
    with httpx.Client(transport=mockkit.transport(doc), base_url="http://m") as client:
        r = client.get("/u")
        assert r.status_code == 200 and {k.lower(): v for k, v in r.headers.raw}[b"x-greeting"].startswith("grüße ✓".encode())
