"""Automatic CORS headers (spec 9.8, 9.9 revised): an ``Origin`` is echoed with credentials
allowed and ``Vary: Origin``; no ``Origin`` gets ``*``; an example's own
``Access-Control-Allow-Origin`` wins; ``cors=False`` removes every automatic CORS header, on
every answer, server-level errors included."""

from __future__ import annotations

import httpx
import pytest

import mockkit
from mockkit.engine import MockEngine
from mockkit.model import MockRequest

from builders import coll, ex
from rawhttp import exchange

APP = coll(
    ex("/profile", name="profile", response_body='{"me": 1}', preview="json"),
    ex("/cached", name="cached", response_body="c", response_headers={"Vary": "Accept-Encoding"}),
    ex("/own", name="own", response_body="o", response_headers={"Access-Control-Allow-Origin": "https://partner.example"}),
    ex("/star", name="star", response_body="s", response_headers={"access-control-allow-origin": "*"}),
    ex("/expose", name="expose", response_body="e", response_headers={"Access-Control-Expose-Headers": "x-total"}),
)

CORS_CASES = [
    # id, method, path, request headers, expected CORS headers (lower-cased name -> list of values)
    ("origin-echoed-with-credentials", "GET", "/profile", {"Origin": "http://localhost:5173"},
     {"access-control-allow-origin": ["http://localhost:5173"], "access-control-allow-credentials": ["true"],
      "vary": ["Origin"]}),
    ("null-origin-echoed", "GET", "/profile", {"Origin": "null"},
     {"access-control-allow-origin": ["null"], "access-control-allow-credentials": ["true"], "vary": ["Origin"]}),
    ("no-origin-star", "GET", "/profile", {},
     {"access-control-allow-origin": ["*"], "access-control-allow-credentials": [], "vary": []}),
    ("vary-joins-the-examples", "GET", "/cached", {"Origin": "https://app.test"},
     {"access-control-allow-origin": ["https://app.test"], "vary": ["Accept-Encoding, Origin"]}),
    ("examples-own-origin-wins", "GET", "/own", {"Origin": "https://app.test"},
     {"access-control-allow-origin": ["https://partner.example"], "access-control-allow-credentials": [], "vary": []}),
    ("examples-own-star-wins", "GET", "/star", {"Origin": "https://app.test"},
     {"access-control-allow-origin": ["*"], "access-control-allow-credentials": []}),
    ("other-cors-headers-do-not-stop-it", "GET", "/expose", {"Origin": "https://app.test"},
     {"access-control-allow-origin": ["https://app.test"], "access-control-expose-headers": ["x-total"]}),
    ("not-found-too", "GET", "/nothing", {"Origin": "https://app.test"},
     {"access-control-allow-origin": ["https://app.test"], "access-control-allow-credentials": ["true"]}),
    ("preflight", "OPTIONS", "/profile", {"Origin": "https://app.test", "Access-Control-Request-Method": "PUT",
                                          "Access-Control-Request-Headers": "content-type"},
     {"access-control-allow-origin": ["https://app.test"], "access-control-allow-credentials": ["true"],
      "access-control-allow-methods": ["PUT"], "access-control-allow-headers": ["content-type"], "vary": ["Origin"]}),
    ("preflight-without-origin", "OPTIONS", "/profile", {"Access-Control-Request-Method": "GET"},
     {"access-control-allow-origin": ["*"], "access-control-allow-credentials": []}),
    ("origin-cannot-inject-headers", "GET", "/profile", {"Origin": "https://a.test\r\nSet-Cookie: x=1"},
     {"access-control-allow-origin": ["https://a.testSet-Cookie: x=1"], "set-cookie": []}),
]


def values(response_headers, name):
    return [v for k, v in response_headers if k.lower() == name]


@pytest.mark.parametrize("method, path, headers, expected", [pytest.param(*row[1:], id=row[0]) for row in CORS_CASES])
def test_automatic_cors_headers(method, path, headers, expected):
    served = MockEngine(APP).handle(MockRequest.from_target(method, path, headers=headers))
    for name, want in expected.items():
        assert values(served.response.headers, name) == want, (name, served.response.headers)


@pytest.mark.parametrize("method, path, headers", [(row[1], row[2], row[3]) for row in CORS_CASES])
def test_cors_off_adds_none(method, path, headers):
    served = MockEngine(APP, cors=False).handle(MockRequest.from_target(method, path, headers=headers))
    added = {k.lower() for k, _ in served.response.headers} - {"access-control-allow-origin"} if path in ("/own", "/star") \
        else {k.lower() for k, _ in served.response.headers}
    assert not {h for h in added if h.startswith("access-control-allow-")}, served.response.headers
    assert "Origin" not in values(served.response.headers, "vary")


@pytest.mark.parametrize("origin", [None, "http://localhost:3000"])
def test_private_mock_and_server_response_follow_the_rule(origin):
    headers = {"Origin": origin} if origin else {}
    engine = MockEngine(APP, api_key="k")
    denied = engine.handle(MockRequest.from_target("GET", "/profile", headers=headers))
    assert denied.response.status == 401
    assert values(denied.response.headers, "access-control-allow-origin") == [origin or "*"]
    engine = MockEngine(APP)
    engine.set_server_response(503, {"down": True})
    down = engine.handle(MockRequest.from_target("GET", "/profile", headers=headers))
    assert down.response.status == 503
    assert values(down.response.headers, "access-control-allow-origin") == [origin or "*"]
    assert values(down.response.headers, "access-control-allow-credentials") == (["true"] if origin else [])
    off = MockEngine(APP, cors=False)
    off.set_server_response(503, {"down": True})
    assert not values(off.handle(MockRequest.from_target("GET", "/x", headers=headers)).response.headers,
                      "access-control-allow-origin")


def _raw(port, request: bytes) -> bytes:
    return exchange(port, request, until=b"\r\n\r\n")


@pytest.mark.parametrize("cors, origin, expected", [
    (True, None, b"access-control-allow-origin: *"),
    (True, b"http://localhost:8888", b"access-control-allow-origin: http://localhost:8888"),
    (False, None, None),
    (False, b"http://localhost:8888", None),
])
def test_server_level_errors_follow_the_cors_option(cors, origin, expected):
    with mockkit.MockServer(APP, cors=cors) as mock:
        extra = b"Origin: " + origin + b"\r\n" if origin else b""
        head = _raw(mock.port, b"GET /bad%ZZpath%C3 HTTP/1.1\r\nHost: x\r\n" + extra + b"\r\n").lower()
        assert head.startswith(b"http/1.1 400")
        if expected is None:
            assert b"access-control-" not in head
        else:
            assert expected in head
            assert (b"access-control-allow-credentials: true" in head) == (origin is not None)


def test_credentialed_browser_flow_over_http():
    with mockkit.MockServer(APP) as mock, httpx.Client(base_url=mock.url, trust_env=False) as client:
        pre = client.options("/profile", headers={"Origin": "http://app.localhost", "Access-Control-Request-Method": "GET"})
        real = client.get("/profile", headers={"Origin": "http://app.localhost", "Cookie": "session=1"})
        for r in (pre, real):
            assert r.headers["access-control-allow-origin"] == "http://app.localhost"
            assert r.headers["access-control-allow-credentials"] == "true"
            assert "Origin" in r.headers["vary"]
