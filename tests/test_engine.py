"""MockEngine.handle: what a matched (or unmatched) request is answered with.

Expected values from the spec (/work/shared/spec/postman-mock-spec.md): §1.7 (errors), §1.4 W3
(captures), §2 (dynamic variables, template helpers) and decisions 9.6, 9.9, 9.11, 9.12.
"""

from __future__ import annotations

import json

import pytest

from mockkit.engine import MockEngine
from mockkit.model import MockRequest

from builders import coll, ex

NOT_FOUND = {
    "error": {
        "name": "mockRequestNotFoundError",
        "message": "Double check your method and the request path and try again.",
        "header": "No matching requests",
    }
}


def serve(collection, method="GET", target="/", *, headers=None, body=None, seed=None):
    engine = collection if isinstance(collection, MockEngine) else MockEngine(collection, seed=seed)
    return engine.handle(MockRequest.from_target(method, target, headers=headers, body=body))


def header_values(response, name):
    return [v for k, v in response.headers if k.lower() == name.lower()]


# --- §1.7: the not-found error ------------------------------------------------------------------

USERS = coll(ex("/users/1", name="one", id="u1", response_body='{"id": 1}', preview="json"))


@pytest.mark.parametrize("method, target, headers", [
    ("GET", "/nothing/here", {}),
    ("DELETE", "/users/1", {}),  # method filter
    ("GET", "/users/1", {"x-mock-response-code": "500"}),
    ("GET", "/users/1", {"x-mock-response-id": "unknown"}),  # [infer: same error]
    ("GET", "/users/1", {"x-mock-response-name": "unknown"}),
])
def test_not_found_is_postmans_error(method, target, headers):
    served = serve(USERS, method, target, headers=headers)
    assert served.winner is None
    assert served.response.status == 404
    assert json.loads(served.response.body) == NOT_FOUND
    assert list(json.loads(served.response.body)["error"]) == ["name", "message", "header"]
    assert any("json" in v for v in header_values(served.response, "content-type"))


def test_matched_example_is_served():
    served = serve(USERS, "GET", "/users/1")
    assert served.winner is not None and served.winner.example.name == "one"
    assert (served.response.status, served.response.body) == (200, b'{"id": 1}')


# --- 9.11: status codes --------------------------------------------------------------------------


@pytest.mark.parametrize("code, status, reason", [
    (None, 200, "OK"),  # no code: 200 OK
    (449, 449, None),  # non-standard: sent as is
    (201, 201, "Created"),
    (418, 418, None),
])
def test_status_code(code, status, reason):
    served = serve(coll(ex("/s", name="E", code=code, response_body="x")), "GET", "/s")
    assert served.response.status == status
    if reason is not None:
        assert served.response.reason == reason


# --- 9.12: headers copied from the example -------------------------------------------------------

STALE = {
    "Content-Length": "9999",
    "transfer-encoding": "chunked",
    "Content-Encoding": "gzip",
    "Connection": "keep-alive",
    "X-Kept": "yes",
}


def test_hop_by_hop_and_stale_headers_are_not_copied():
    served = serve(coll(ex("/s", name="E", response_body="{}", response_headers=STALE, preview="json")), "GET", "/s")
    names = {k.lower() for k, _ in served.response.headers}
    assert not names & {"content-length", "transfer-encoding", "content-encoding", "connection"}
    assert header_values(served.response, "X-Kept") == ["yes"]


@pytest.mark.parametrize("preview, content_type", [
    ("json", "application/json"),
    ("xml", "application/xml"),
    ("html", "text/html"),
    ("text", "text/plain"),
])
def test_content_type_from_preview_language(preview, content_type):
    served = serve(coll(ex("/s", name="E", response_body="x", preview=preview)), "GET", "/s")
    assert header_values(served.response, "Content-Type") == [content_type]


def test_content_type_from_the_example_wins():
    served = serve(coll(ex("/s", name="E", response_body="x", preview="json",
                           response_headers={"content-type": "application/vnd.api+json"})), "GET", "/s")
    assert header_values(served.response, "Content-Type") == ["application/vnd.api+json"]


# --- 9.9: CORS -----------------------------------------------------------------------------------


def test_cors_header_added():
    served = serve(coll(ex("/s", name="E", response_body="x")), "GET", "/s")
    assert header_values(served.response, "Access-Control-Allow-Origin") == ["*"]


def test_cors_header_of_the_example_kept():
    served = serve(coll(ex("/s", name="E", response_body="x",
                           response_headers={"Access-Control-Allow-Origin": "https://app.example"})), "GET", "/s")
    assert header_values(served.response, "Access-Control-Allow-Origin") == ["https://app.example"]


# --- §2: dynamic variables, captures and helpers ------------------------------------------------

RANDOM = coll(ex("/r", name="E", response_body='{{$randomInt}}-{{$randomInt}}-{{$randomInt}}'))


def test_random_int_differs_across_calls():
    engine = MockEngine(RANDOM, seed=11)
    bodies = [serve(engine, "GET", "/r").response.body for _ in range(5)]
    assert len(set(bodies)) > 1
    for body in bodies:
        numbers = [int(n) for n in body.decode().split("-")]
        assert all(0 <= n <= 1000 for n in numbers)


def test_same_seed_same_values():
    one, two = MockEngine(RANDOM, seed=42), MockEngine(RANDOM, seed=42)
    assert [serve(one, "GET", "/r").response.body for _ in range(3)] == \
           [serve(two, "GET", "/r").response.body for _ in range(3)]
    assert serve(MockEngine(RANDOM, seed=42), "GET", "/r").response.body != \
           serve(MockEngine(RANDOM, seed=43), "GET", "/r").response.body


def test_wildcard_capture_substituted_into_body():
    collection = coll(ex("/users/{{id}}", name="E", response_body='{"id": "{{id}}"}', preview="json"))
    served = serve(collection, "GET", "/users/carol")
    assert json.loads(served.response.body) == {"id": "carol"}
    assert json.loads(serve(collection, "GET", "/users/42").response.body) == {"id": "42"}


HELPERS = coll(ex("/h/{{name}}", name="E", method="POST", response_body=(
    "body={{$body 'a.b'}}|query={{$queryParams 'k'}}|seg0={{$pathSegments '0'}}"
    "|seg1={{$pathSegments '1'}}|header={{$headers 'x-key'}}")))


def test_template_helpers():
    served = serve(HELPERS, "POST", "/h/carol?k=v1", headers={"Content-Type": "application/json", "X-Key": "hv"},
                   body='{"a": {"b": "deep"}}')
    assert served.response.body.decode() == "body=deep|query=v1|seg0=h|seg1=carol|header=hv"


REQUEST_BODY = '{"a": {"b": "deep", "c": [1, {"d": 2}]}, "x.y": "dot", "n": 5}'


@pytest.mark.parametrize("template, output", [
    ("{{$body 'a.c.1.d'}}", "2"),  # numeric parts index arrays (T1)
    ("{{$body 'x\\.y'}}", "dot"),  # \. escapes a dot
    ("{{$body 'nope' 'fallback'}}", "fallback"),
    ("[{{$body 'nope'}}]", "[]"),  # unresolved, no default: empty (T5)
    ("{{$body 'a.c'}}", '[1, {"d": 2}]'),  # objects and arrays as JSON (T5)
    ("{{$body 'n'}}", "5"),  # verbatim, not quoted (T2)
    ("{{$body}}", REQUEST_BODY),
    ("{{$queryParams 'k'}}", "v1"),  # repeated parameter: the first value (T5)
    ("{{$pathSegments '0'}}", "h"),
    ("{{$headers 'X-KEY'}}", "hv"),  # header names case-insensitive (T5)
])
def test_template_helper_details(template, output):
    collection = coll(ex("/h/{{name}}", name="E", method="POST", response_body=template))
    served = serve(collection, "POST", "/h/carol?k=v1&k=v2", headers={"Content-Type": "application/json", "X-Key": "hv"},
                   body=REQUEST_BODY)
    assert served.response.body.decode() == output


def test_request_values_are_not_rendered_again():
    collection = coll(ex("/h", name="E", method="POST", response_body="{{$body 'a'}}"))
    served = serve(collection, "POST", "/h", headers={"Content-Type": "application/json"},
                   body='{"a": "{{$randomInt}} {{$guid}}"}')
    assert served.response.body.decode() == "{{$randomInt}} {{$guid}}"


def test_templates_in_response_headers():
    collection = coll(ex("/u/{{id}}", name="E", response_body="ok",
                         response_headers={"X-Id": "{{id}}", "X-Rand": "{{$randomInt}}", "X-Q": "{{$queryParams 'k'}}"}))
    served = serve(collection, "GET", "/u/carol?k=v")
    assert header_values(served.response, "X-Id") == ["carol"]
    assert header_values(served.response, "X-Q") == ["v"]
    assert 0 <= int(header_values(served.response, "X-Rand")[0]) <= 1000


@pytest.mark.parametrize("evil", ["a\r\nSet-Cookie: x=1", "a\nSet-Cookie: x=1", "a\rb", "\r\n"])
def test_echoed_header_never_contains_cr_or_lf(evil):
    collection = coll(ex("/e", name="E", response_body="ok", response_headers={"X-Echo": "{{$headers 'x-key'}}"}))
    served = serve(collection, "GET", "/e", headers={"x-key": evil})
    for name, value in served.response.headers:
        assert "\r" not in value and "\n" not in value, (name, value)
        assert "\r" not in name and "\n" not in name
    assert not header_values(served.response, "Set-Cookie")


def test_captured_segment_with_encoded_crlf_never_reaches_a_header():
    collection = coll(ex("/u/{{id}}", name="E", response_body="ok", response_headers={"X-Id": "{{id}}"}))
    served = serve(collection, "GET", "/u/a%0D%0ASet-Cookie:%20x=1")
    assert served.winner is not None
    for _, value in served.response.headers:
        assert "\r" not in value and "\n" not in value


def test_an_options_example_answers_a_preflight_with_the_cors_headers_it_lacks():
    from mockkit.engine import MockEngine
    from mockkit.model import MockRequest

    doc = {
        "info": {"name": "o", "schema": "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"},
        "item": [{"name": "o", "request": {"method": "OPTIONS", "url": "http://h/items"}, "response": [
            {"name": "options", "code": 200, "body": "", "header": [{"key": "Allow", "value": "GET, POST"},
                                                                    {"key": "Access-Control-Allow-Methods", "value": "GET"}],
             "originalRequest": {"method": "OPTIONS", "url": "http://h/items"}}]}],
    }
    served = MockEngine(doc).handle(MockRequest.from_target(
        "OPTIONS", "/items", headers={"Origin": "http://app", "Access-Control-Request-Method": "POST",
                                      "Access-Control-Request-Headers": "x-a"}))
    headers = dict(served.response.headers)
    assert served.winner.example.name == "options" and served.response.status == 200
    assert headers["Allow"] == "GET, POST" and headers["Access-Control-Allow-Methods"] == "GET"  # its own wins
    assert headers["Access-Control-Allow-Headers"] == "x-a"
    assert headers["Access-Control-Allow-Origin"] == "http://app"  # the origin echoed (spec 9.9 revised)
    assert headers["Access-Control-Allow-Credentials"] == "true"
