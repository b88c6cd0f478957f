"""Proxy fallback (issue 16): a request no example matches goes to a real upstream (a Tornado app
on 127.0.0.1, ``tests/upstream.py``) and its answer comes back; what is forwarded, what is not,
the 502s that name why there is no answer, and that a slow upstream holds up no other client."""

from __future__ import annotations

import json
import ssl
import threading
import time
from collections.abc import Iterator

import anyio
import httpx
import pytest

import mockkit
from mockkit.proxy import UPSTREAM_ERRORS

from builders import coll, ex
from upstream import Upstream

LOCAL = coll(ex("/health", name="healthy", response_body='{"ok": true}'),
             ex("/accounts/1", name="local account", response_body='{"id": 1, "name": "saved"}'))


@pytest.fixture
def upstream() -> Iterator[Upstream]:
    with Upstream() as up:
        yield up


def dead_url() -> str:
    """The URL of a port nothing listens on (an upstream started, then stopped)."""
    up = Upstream().start()
    up.stop()
    return up.url


def test_unmatched_requests_are_forwarded_and_matched_ones_are_not(upstream):
    with mockkit.MockServer(LOCAL, proxy=upstream.url) as mock:
        assert mock.get("/health").json() == {"ok": True}
        assert mock.get("/accounts/1").json()["name"] == "saved"
        assert mock.get("/accounts/2").json()["name"] == "saved"  # Postman matching: rule f (ids)
        forwarded = mock.get("/users/7")
        assert forwarded.status_code == 200 and forwarded.json() == {"id": 7, "name": "User 7"}
        assert forwarded.headers["x-mockkit-call"]  # explain(response) works for it
        assert mock.get("/status/418").status_code == 418  # the upstream's status, whatever it is
    assert upstream.hits == {"/users/7": 1, "/status/418": 1}


def test_method_path_query_headers_and_body_go_upstream_without_hop_by_hop_headers(upstream):
    with mockkit.MockServer(LOCAL, proxy=upstream.url + "/echo/prefix/") as mock:
        got = mock.post("/orders/9?b=2&a=1&a=3&flag&enc=%2F%20x", content=b'{"n": 1}', headers={
            "Content-Type": "application/json", "X-Custom": "kept", "Connection": "keep-alive, x-hop",
            "X-Hop": "named by Connection", "Keep-Alive": "timeout=5", "TE": "trailers",
            "Proxy-Authorization": "Basic eA==", "x-mock-response-code": "200", "Upgrade": "h2c"}).json()
    assert got["method"] == "POST" and got["body"] == '{"n": 1}'
    assert got["uri"] == "/echo/prefix/orders/9?b=2&a=1&a=3&flag&enc=%2F%20x"  # the query as sent, under the prefix
    headers = got["headers"]
    assert headers["x-custom"] == "kept" and headers["content-type"] == "application/json"
    assert headers["host"] == f"127.0.0.1:{upstream.port}"
    for gone in ("x-hop", "keep-alive", "te", "proxy-authorization", "x-mock-response-code", "upgrade"):
        assert gone not in headers, gone
    assert headers.get("connection", "keep-alive") == "keep-alive"  # httpx's own, not the client's list


def test_the_answer_comes_back_decoded_without_hop_by_hop_or_length_headers(upstream):
    with mockkit.MockServer(LOCAL, proxy=upstream.url) as mock:
        got = mock.get("/gzip", headers={"Accept-Encoding": "identity"})
    assert got.json()["compressed"] is True and got.json()["text"].startswith("héllo")
    assert "content-encoding" not in got.headers
    assert int(got.headers["content-length"]) == len(got.content)  # the server's own length


@pytest.fixture
def tls_upstream() -> Iterator[Upstream]:
    """The upstream over TLS, with a certificate from a test CA no one trusts (``trustme``)."""
    trustme = pytest.importorskip("trustme")
    ca = trustme.CA()
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1").configure_cert(context)
    with Upstream(ssl_context=context) as up:
        yield up


def test_a_tls_upstream_is_verified_unless_told_not_to(tls_upstream):
    with mockkit.MockServer(LOCAL, proxy=tls_upstream.url, proxy_verify=False) as mock:
        assert mock.get("/users/3").json()["id"] == 3
    with mockkit.MockServer(LOCAL, proxy=tls_upstream.url) as mock:
        error = mock.get("/users/3").json()["error"]
    assert error["name"] == "upstreamTLSError" and "certificate" in error["message"]
    assert tls_upstream.hits == {"/users/3": 1}


@pytest.mark.parametrize("how", ["refused", "timeout", "tls", "too large"])
def test_upstream_failures_answer_502_naming_the_cause(upstream, tls_upstream, how):
    options = {"refused": {"proxy": dead_url()},
               "timeout": {"proxy": upstream.url, "proxy_timeout": 0.3},
               "tls": {"proxy": tls_upstream.url},
               "too large": {"proxy": upstream.url, "proxy_max_size": 100}}[how]
    path = {"timeout": "/gate", "too large": "/big?bytes=5000"}.get(how, "/users/7")
    name, says = {"refused": ("upstreamConnectionError", "connection refused"),
                  "timeout": ("upstreamTimeoutError", "no whole answer within 0.3 s"),
                  "tls": ("upstreamTLSError", "certificate of 127.0.0.1"),
                  "too large": ("upstreamTooLargeError", "larger than 100 bytes")}[how]
    with mockkit.MockServer(LOCAL, **options) as mock:
        got = mock.get(path, headers={"Origin": "http://front.test"})
        assert got.status_code == 502 and got.headers["content-type"].startswith("application/json")
        error = got.json()["error"]
        assert error["name"] == name and name in UPSTREAM_ERRORS
        assert says in error["message"] and path.split("?")[0] in error["message"], error["message"]
        assert got.headers["access-control-allow-origin"] == "http://front.test"  # CORS as for any answer
        assert mock.get("/health").status_code == 200  # and it keeps serving
        call = mock.calls.iloc[0]
        assert (call["status"], call["error"]) == (502, name) and call["forwarded"].endswith(path)
        why = mock.explain(got)
        assert f"no answer ({name}" in why.attrs["answered"] and "502" in why.attrs["answered"]
        assert mock.engine.journal.snapshot()[0].forwarded.cause in error["message"]


def test_a_slow_upstream_holds_up_no_other_client(upstream):
    """Progress, not wall-clock: while one forwarded call waits on the upstream (which answers
    only when the test says so), other clients get answers, local and forwarded alike."""
    with mockkit.MockServer(LOCAL, proxy=upstream.url, proxy_timeout=60) as mock:
        waiting: list[httpx.Response] = []
        slow = threading.Thread(target=lambda: waiting.append(httpx.get(mock.url + "/gate", timeout=60)))
        slow.start()
        deadline = time.monotonic() + 10
        while upstream.hits["/gate"] == 0 and time.monotonic() < deadline:
            time.sleep(0.01)
        assert upstream.hits["/gate"] == 1, "the slow call never reached the upstream"
        with httpx.Client(base_url=mock.url, timeout=10) as other:
            for i in range(10):
                assert other.get("/health").status_code == 200
                assert other.get(f"/users/{i + 2}").json()["id"] == i + 2
        assert slow.is_alive() and not waiting, "the slow call should still be waiting"
        upstream.release()
        slow.join(10)
        assert waiting and waiting[0].json() == {"released": True}


def test_a_private_mock_keeps_its_key_and_does_not_forward_refusals(upstream):
    with mockkit.MockServer(LOCAL, proxy=upstream.url + "/echo", api_key="mock-key") as mock:
        assert mock.get("/x").status_code == 401  # refused before anything is forwarded
        got = mock.get("/x", headers={"x-api-key": "mock-key", "Authorization": "Bearer up"}).json()
    assert "x-api-key" not in got["headers"] and got["headers"]["authorization"] == "Bearer up"
    assert upstream.hits == {"/echo/x": 1}


def test_cors_preflights_are_answered_by_the_mock(upstream):
    with mockkit.MockServer(LOCAL, proxy=upstream.url, record="all") as mock:
        got = mock.options("/users/7", headers={"Origin": "http://front.test", "Access-Control-Request-Method": "PUT"})
    assert got.status_code == 204 and got.headers["access-control-allow-methods"] == "PUT"
    assert not upstream.hits


def test_the_transport_forwards_with_a_sync_client(upstream):
    transport = mockkit.transport(LOCAL, proxy=upstream.url, strict=True)
    with httpx.Client(transport=transport, base_url="http://mock") as client:
        assert client.get("/users/5?x=1").json()["id"] == 5
        assert client.get("/health").status_code == 200
        assert client.get("/status/503").status_code == 503  # the upstream's answer, not a failed call
    assert upstream.hits == {"/users/5": 1, "/status/503": 1}


@pytest.mark.parametrize("backend", ["asyncio", "trio"])
def test_the_transport_forwards_on_the_callers_event_loop(upstream, backend):
    async def main() -> list[int]:
        transport = mockkit.transport(LOCAL, proxy=upstream.url, strict=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://mock") as client:
            slow = client.get("/gate")
            async with anyio.create_task_group() as tasks:
                got: list[int] = []

                async def waiting() -> None:
                    got.append((await slow).status_code)

                tasks.start_soon(waiting)
                while upstream.hits["/gate"] == 0:
                    await anyio.sleep(0.01)
                got.append((await client.get("/users/3")).json()["id"])  # while /gate waits
                upstream.release()
            return got

    assert anyio.run(main, backend=backend) == [3, 200]


def test_a_hub_refuses_proxy_options(tmp_path):
    for options in (mockkit.MockOptions(proxy="http://127.0.0.1:9"),
                    mockkit.MockOptions(proxy="http://127.0.0.1:9", record="all")):
        with pytest.raises(mockkit.ConfigError, match="not hub options"):
            mockkit.serve_hub(tmp_path / "hub", options=options)


def test_forwarded_calls_are_not_failures_for_strict_checks(upstream):
    transport = mockkit.transport(LOCAL, proxy=upstream.url, strict=True)
    with httpx.Client(transport=transport, base_url="http://mock") as client:
        assert client.get("/status/404").status_code == 404
    transport_dead = mockkit.transport(LOCAL, proxy=dead_url(), strict=True)
    client = httpx.Client(transport=transport_dead, base_url="http://mock")
    assert client.get("/users/2").status_code == 502
    with pytest.raises(AssertionError, match="upstreamConnectionError"):
        client.close()


def test_the_call_log_names_where_each_call_went(upstream):
    with mockkit.MockServer(LOCAL, proxy=upstream.url) as mock:
        mock.get("/health")
        mock.get("/users/4", headers={"Cookie": "a=1"})
        calls = mock.calls
        logged = mock.engine.journal.snapshot()[1]
    assert list(calls["forwarded"]) == ["", f"{upstream.url}/users/4"]
    assert calls["upstream_ms"].isna().tolist() == [True, False] and calls["upstream_ms"][1] > 0
    assert list(calls["recorded_as"]) == ["", ""]
    assert dict(logged.response_headers)["Set-Cookie"] == "[redacted]"  # the call log keeps no cookie
