"""Issue 11, kind 5: deep JSON from outside never raises RecursionError.

One bounded parser (``mockkit.safejson``): too deep is "not JSON" for matching and templates,
a ``CollectionError`` naming the JSON path at load time, a 400 at the hub's upload.
"""

from __future__ import annotations

import json
import threading
import subprocess
import sys

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import mockkit
from builders import coll, ex
from mockkit import safejson
from mockkit.model import MockRequest


def nested(depth: int, kinds: str) -> str:
    """JSON nested ``depth`` levels, cycling through ``kinds`` ('a' array, 'o' object, 's' an
    object whose key holds brackets, so counting brackets alone would be wrong)."""
    opens, closes = [], []
    for i in range(depth):
        kind = kinds[i % len(kinds)]
        if kind == "a":
            opens.append("[1,")
            closes.append("]")
        elif kind == "o":
            opens.append('{"k":')
            closes.append("}")
        else:
            opens.append('{"[{": "}]", "v":')
            closes.append("}")
    return "".join(opens) + "0" + "".join(reversed(closes))


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(depth=st.integers(0, 4000), kinds=st.text(alphabet="aos", min_size=1, max_size=4),
       padding=st.text(alphabet='[]{}"\\ ', max_size=40))
def test_bounded_parser_over_depths_and_shapes(depth, kinds, padding):
    text = nested(depth, kinds)
    try:
        value = safejson.loads(text)
    except safejson.TooDeep as exc:
        assert depth > safejson.MAX_DEPTH
        assert exc.pos > 0 and exc.path and exc.lineno == 1
    else:
        assert depth <= safejson.MAX_DEPTH
        assert value == json.loads(text) and safejson.nesting(value) == depth
    # brackets inside strings never count
    quoted = json.dumps(padding * 20)
    assert safejson.loads(quoted) == padding * 20
    assert safejson.loads(f'{{"a": {quoted}}}') == {"a": padding * 20}


def test_too_deep_names_the_path_and_invalid_json_stays_invalid():
    text = '{"items": [{"name": "x", "tree": ' + nested(400, "o") + "}]}"
    with pytest.raises(safejson.TooDeep) as caught:
        safejson.loads(text)
    assert caught.value.path.startswith("items[0].tree.k.k")
    with pytest.raises(json.JSONDecodeError) as bad:
        safejson.loads("[" * 300 + "x")
    assert not isinstance(bad.value, safejson.TooDeep)
    assert safejson.loads(("[" * 200 + "]" * 200).encode("utf-16")) is not None  # bytes, any encoding


def test_deep_request_bodies_are_not_json_for_templates_and_matching():
    """Objects 3,000 deep in a request body: ``{{$body 'k'}}`` falls back to its default, body
    matching says "not JSON", the server answers and keeps serving."""
    collection = coll(
        ex("/echo", method="PUT", name="echo", response_body="got {{$body 'k' 'nothing'}}"),
        ex("/strict", method="PUT", name="strict", body={"mode": "raw", "raw": '{"k": 1}',
                                                         "options": {"raw": {"language": "json"}}}),
    )
    deep = nested(3000, "o").encode()
    strict_headers = {"content-type": "application/json", "x-mock-match-request-body": "true"}
    with mockkit.MockServer(collection) as server:
        r = server.put("/echo", content=deep, headers={"content-type": "application/json"})
        assert r.status_code == 200 and r.text == "got nothing"
        strict = server.put("/strict", content=deep, headers=strict_headers)
        assert strict.status_code == 404
        assert server.put("/strict", content=b'{"k": 1}', headers=strict_headers).status_code == 200
        frame = server.explain(strict)
        assert "not valid JSON" in " ".join(frame["reason"])
    engine = mockkit.MockEngine(collection)
    shallow = nested(200, "a").encode()
    assert engine.handle(MockRequest.from_target("PUT", "/echo", body=shallow)).response.status == 200


def test_a_deep_json_response_template_is_served_verbatim_and_whole_values_stay_bounded():
    """A JSON-labelled response body nested past the bound is not treated as a JSON template
    (spec 9.18 applies to bodies that are JSON): it loads, and is served as written; a request
    value 2,000 levels deep inserted as a whole JSON value is written as a JSON string."""
    deep_template = "[" * 2000 + '"{{$randomInt}}"' + "]" * 2000
    collection = coll(
        ex("/deep", name="deep", response_body=deep_template, response_headers={"Content-Type": "application/json"}),
        ex("/whole", method="POST", name="whole", response_body='{"got": {{$body}}}',
           response_headers={"Content-Type": "application/json"}),
    )
    engine = mockkit.MockEngine(collection)
    deep = engine.handle(MockRequest.from_target("GET", "/deep"))
    assert deep.response.status == 200 and deep.response.body.startswith(b"[[[")
    value = nested(2000, "a")
    whole = engine.handle(MockRequest.from_target("POST", "/whole", body=value))
    assert whole.response.status == 200
    assert json.loads(whole.response.body)["got"] == value  # written as a string, still valid JSON


def test_a_deep_saved_body_is_a_collection_error_naming_its_path(tmp_path):
    graph = coll(ex("/graph", method="POST", body={"mode": "graphql", "graphql": {
        "query": "{ a }", "variables": nested(600, "ao")}}))
    with pytest.raises(mockkit.CollectionError) as caught:
        mockkit.load_collection(graph)
    assert caught.value.path == "item[0].request.body.graphql.variables"
    labelled = coll(ex("/raw", method="POST", headers={"Content-Type": "application/vnd.api+json"},
                       body={"mode": "raw", "raw": nested(300, "s")}))
    with pytest.raises(mockkit.CollectionError, match=r"body\.raw: JSON nested deeper than 256"):
        mockkit.load_collection(labelled)
    text_body = coll(ex("/raw", method="POST", body={"mode": "raw", "raw": "[" * 500}))
    assert mockkit.load_collection(text_body)  # plain text with brackets is not JSON: fine
    path = tmp_path / "deep.json"
    path.write_text(json.dumps(labelled))
    for command in (["check", str(path)], ["serve", str(path), "--port", "0"],
                    ["explain", str(path), "GET", "/raw"]):
        done = subprocess.run([sys.executable, "-m", "mockkit", *command], capture_output=True, text=True,
                              timeout=120)
        assert done.returncode == 2, done
        assert "Traceback" not in done.stderr and "item[0].request.body.raw" in done.stderr


def test_a_deep_file_or_environment_names_where_it_is_too_deep(tmp_path):
    doc = coll(ex("/a", response_body="x"))
    doc["item"][0]["response"][0]["body"] = json.loads(nested(250, "a"))  # within the bound: fine
    assert mockkit.load_collection(json.dumps(doc))
    text = json.dumps(doc).replace('"body": [1,', '"body": ' + nested(300, "a") + ', "x": [', 1)
    with pytest.raises(mockkit.CollectionError) as caught:
        mockkit.load_collection(text)
    assert caught.value.path.startswith("item[0].response[0].body[1][1]")
    env = tmp_path / "env.json"
    env.write_text('{"name": "e", "values": [{"key": "a", "value": ' + nested(700, "o") + "}]}")
    with pytest.raises(mockkit.CollectionError) as caught:
        mockkit.load_environment(env)
    assert caught.value.path.startswith("values[0].value.k")


def test_the_hub_refuses_a_deep_upload_and_keeps_answering(tmp_path):
    with mockkit.serve_hub(tmp_path / "data", api_key="k") as hub:
        client = httpx.Client(base_url=hub.url, headers={"x-api-key": "k"}, trust_env=False, timeout=30)
        with client:
            good = client.post("/collections", json={"collection": coll(ex("/ok", response_body="fine"))})
            mock = client.post("/mocks", json={"mock": {"collection": good.json()["collection"]["uid"]}})
            mock_url = mock.json()["mock"]["mockUrl"]
            wrapped = '{"collection": {"info": {"name": "d"}, "item": [], "x": ' + nested(2000, "ao") + "}}"
            r = client.post("/collections", content=wrapped.encode())
            assert r.status_code == 400 and r.json()["error"]["name"] == "malformedRequestError"
            assert "nested deeper than 256" in r.json()["error"]["message"]
            saved = coll(ex("/deep", method="POST", body={"mode": "raw", "raw": nested(400, "a"),
                                                          "options": {"raw": {"language": "json"}}}))
            r = client.post("/collections", json={"collection": saved})
            assert r.status_code == 400 and "item[0].request.body.raw" in r.json()["error"]["message"]
            assert httpx.get(mock_url + "/ok", trust_env=False).text == "fine"
            assert len(client.get("/collections").json()["collections"]) == 1


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=5), children, max_size=4),
    max_leaves=30)


@settings(max_examples=300, deadline=None)
@given(value=JSON_VALUES, indent=st.sampled_from([None, 0, 2]), mangle=st.integers(0, 50))
def test_the_interruptible_parser_reads_what_json_loads_reads(value, indent, mangle):
    """Big texts are parsed token by token (other threads run meanwhile): same values, and the
    same refusals, as json.loads."""
    text = json.dumps(value, indent=indent)
    assert safejson._parse_interruptible(text, 10_000) == json.loads(text)
    broken = text[:mangle] + text[mangle + 1:] if mangle < len(text) else text + ","
    try:
        expected: object = json.loads(broken)
    except ValueError:
        expected = ValueError
    try:
        got: object = safejson._parse_interruptible(broken, 10_000)
    except ValueError:
        got = ValueError
    assert got == expected or (expected is not ValueError and got != got)  # NaN-free values compare


@pytest.mark.parametrize("other_thread", [False, True])
def test_big_texts_go_through_the_interruptible_parser_with_the_depth_bound(monkeypatch, other_thread):
    """With another thread alive (a server's loop could be waiting for the GIL) big texts are
    parsed token by token; alone in the process, by json.loads (issue 17): the same values and
    the same refusals either way."""
    if not other_thread:  # earlier tests may leave daemon threads behind: count this one alone
        monkeypatch.setattr(safejson.threading, "active_count", lambda: 1)
    used = []
    interruptible = safejson._parse_interruptible
    monkeypatch.setattr(safejson, "_parse_interruptible", lambda *a: used.append(1) or interruptible(*a))
    stop = threading.Event()
    waiting = threading.Thread(target=stop.wait, daemon=True)
    if other_thread:
        waiting.start()
    try:
        wide = json.dumps([{"id": i, "tags": ["a", "b"]} for i in range(60_000)])
        assert len(wide) > safejson.INTERRUPTIBLE_ABOVE
        assert safejson.loads(wide) == json.loads(wide)
        deep = '{"pad": "' + "x" * safejson.INTERRUPTIBLE_ABOVE + '", "tree": ' + nested(5000, "ao") + "}"
        with pytest.raises(safejson.TooDeep) as caught:
            safejson.loads(deep)
        assert caught.value.path.startswith("tree[1].k")
    finally:
        stop.set()
        if other_thread:
            waiting.join(5)
    assert bool(used) == other_thread
    assert safejson.dumps({"a": [1, 2]}, separators=(",", ":")) == '{"a":[1,2]}'
