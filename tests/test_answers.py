"""One place for answers (issue 13): error bodies, JSON answers, reason phrases and CORS come from
``mockkit.answers`` for the engine, the server, the transport and the hub alike, so a private
mock's pre-flight, a mock error's CORS headers and ``cors=False`` mean the same at every door."""

from __future__ import annotations

import re
from http import HTTPStatus
from pathlib import Path

import httpx
import pytest

import mockkit
from mockkit import answers
from mockkit.model import MockRequest

from builders import coll, ex
from rawhttp import exchange

APP = coll(ex("/items", name="items", response_body="[]", preview="json"))
PREFLIGHT = {"Origin": "http://front.test", "Access-Control-Request-Method": "DELETE",
             "Access-Control-Request-Headers": "x-api-key, content-type"}
CORS_NAMES = ("access-control-allow-origin", "access-control-allow-credentials", "access-control-allow-methods",
              "access-control-allow-headers", "access-control-max-age", "vary")


def cors_of(headers) -> dict[str, str]:
    items = headers.items() if hasattr(headers, "items") else headers
    return {k.lower(): v for k, v in items if k.lower() in CORS_NAMES}


def test_no_other_module_writes_a_cors_header():
    """``cors=False`` holds by construction: only answers.py spells a CORS header to write."""
    package = Path(mockkit.__file__).parent
    writers = [p.relative_to(package).as_posix() for p in package.rglob("*.py")
               if re.search(r"Access-Control-(Allow|Max|Expose)", p.read_text(encoding="utf-8"))]
    assert writers == ["answers.py"]


@pytest.mark.parametrize("status, saved, phrase", [
    (404, "", "Not Found"), (404, "404 Not Found", "Not Found"), (201, "Made it\r\n", "Made it"),
    (431, "", "Request Header Fields Too Large"), (299, "", "Unknown"), (418, "", "I'm a Teapot"),
])
def test_reason_phrases_come_from_http_status(status, saved, phrase):
    assert answers.reason_phrase(status, saved) == phrase


def test_json_answer_and_error_shape():
    made = answers.error_answer(413, "payloadTooLargeError", "too big", cors=False)
    assert (made.status, made.reason) == (413, HTTPStatus(413).phrase)
    assert made.body == b'{"error":{"name":"payloadTooLargeError","message":"too big"}}'
    assert dict(made.headers) == {"Content-Type": "application/json; charset=utf-8"}
    echoed = answers.json_answer(200, {"a": 1}, cors=True, origin="http://x.test\r\nSet-Cookie: a=1")
    assert cors_of(echoed.headers)["access-control-allow-origin"] == "http://x.testSet-Cookie: a=1"
    assert "set-cookie" not in {k.lower() for k, _ in echoed.headers}


def test_a_private_mock_answers_a_preflight_the_same_at_every_door(tmp_path):
    """Browsers send pre-flights without custom headers: a private mock answers them with the one
    automatic pre-flight, whether it is an engine, a server, a transport or a hub mock."""
    engine = mockkit.MockEngine(APP, api_key="secret")
    direct = engine.handle(MockRequest.from_target("OPTIONS", "/items", headers=PREFLIGHT)).response
    assert direct.status == 204
    want = cors_of(direct.headers)
    assert want["access-control-allow-origin"] == "http://front.test"
    assert want["access-control-allow-methods"] == "DELETE"
    assert want["access-control-allow-headers"] == "x-api-key, content-type"
    with httpx.Client(transport=mockkit.transport(APP, api_key="secret", strict=False), base_url="http://mock") as c:
        via_transport = c.options("/items", headers=PREFLIGHT)
    with mockkit.MockServer(APP, api_key="secret") as server:
        via_server = server.options("/items", headers=PREFLIGHT)
        assert server.get("/items").status_code == 401
    with mockkit.serve_hub(tmp_path / "hub", api_key="hubkey") as hub:
        uid = hub.client.create_collection(APP)["collection"]["uid"]
        mock = hub.client.create_mock(uid, private=True)["mock"]
        via_hub = httpx.options(mock["mockUrl"] + "/items", headers=PREFLIGHT, trust_env=False)
        refused = httpx.get(mock["mockUrl"] + "/items", headers={"Origin": "http://front.test"}, trust_env=False)
        admin = httpx.get(hub.url + "/mocks", headers={"Origin": "http://front.test", "x-api-key": "hubkey"},
                          trust_env=False)
    for answer in (via_transport, via_server, via_hub):
        assert answer.status_code == 204
        assert cors_of(answer.headers) == want
    # a mock's error follows the mock's CORS rule (spec 9.9); the management API has none
    assert refused.status_code == 401 and refused.json()["error"]["name"] == "unauthorizedError"
    assert cors_of(refused.headers)["access-control-allow-origin"] == "http://front.test"
    assert cors_of(refused.headers)["access-control-allow-credentials"] == "true"
    assert admin.status_code == 200 and cors_of(admin.headers) == {}


def test_cors_off_private_mock_refuses_a_preflight_without_cors_headers():
    engine = mockkit.MockEngine(APP, api_key="secret", cors=False)
    answer = engine.handle(MockRequest.from_target("OPTIONS", "/items", headers=PREFLIGHT)).response
    assert answer.status == 401 and cors_of(answer.headers) == {}


def test_server_level_errors_use_the_same_answers():
    """A 431 (headers too large) from the server: Postman's shape, HTTPStatus's phrase, CORS per
    the mock's option."""
    for cors in (True, False):
        with mockkit.MockServer(APP, cors=cors) as server:
            data = exchange(server.port, b"GET /items HTTP/1.1\r\nHost: x\r\nOrigin: http://o.test\r\nX-Big: "
                            + b"a" * 70_000 + b"\r\n\r\n", until=b"}}")
        head = data.split(b"\r\n\r\n")[0].lower()
        assert head.startswith(b"http/1.1 431 request header fields too large")
        assert data.endswith(b'"name":"requestHeaderFieldsTooLargeError","message":"The request headers are larger '
                             b'than 65,536 bytes."}}')
        assert (b"access-control-allow-origin: http://o.test" in head) == cors


def test_a_hub_mock_with_cors_off_sends_no_cors_header_even_when_refusing(tmp_path):
    """A mock's ``cors`` option (config ``cors: false``) holds for the hub's own refusals too: the
    private mock's 401 and its pre-flight (then refused like any call without the key)."""
    with mockkit.serve_hub(tmp_path / "hub", api_key="hk") as hub:
        uid = hub.client.create_collection(APP)["collection"]["uid"]
        mock = hub.client.create_mock(uid, private=True, config={"cors": False})["mock"]
        refused = httpx.get(mock["mockUrl"] + "/items", headers={"Origin": "http://front.test"}, trust_env=False)
        preflight = httpx.options(mock["mockUrl"] + "/items", headers=PREFLIGHT, trust_env=False)
        keyed = httpx.get(mock["mockUrl"] + "/items", headers={"Origin": "http://front.test", "x-api-key": "hk"},
                          trust_env=False)
    assert refused.status_code == 401 and cors_of(refused.headers) == {}
    assert preflight.status_code == 401 and cors_of(preflight.headers) == {}
    assert keyed.status_code == 200 and cors_of(keyed.headers) == {}
