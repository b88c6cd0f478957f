"""JSON bodies stay JSON (spec 9.18) and uncaptured wildcards stay as written (spec 9.13).

A response body labelled JSON that is JSON once its placeholders are filled renders valid JSON for
every request and every fake value: a placeholder inside a string is JSON-escaped, one standing
for a whole value goes in as a JSON value (as is when its text already is one, else as a string).
Other bodies are filled verbatim, as Postman fills them.
"""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mockkit import fakes
from mockkit.engine import MockEngine
from mockkit.jsontemplate import json_modes
from mockkit.model import MockRequest
from mockkit.templating import RenderContext, compile_template, render

from builders import coll, ex


def fill(template_text, *, body=b"", target="/p/seg?q=v", headers=None, captures=None, json_body=True, seed=3):
    captures = captures or {}
    template = compile_template(template_text, {}, captures, json_body=json_body)
    request = MockRequest.from_target("POST", target, headers=headers or {}, body=body)
    return render(template, RenderContext(request, captures, fakes.FakeContext(seed))), template


CASES = [
    # id, template, request body, expected document (parsed), or a str: the exact text (verbatim)
    ("quote-in-request-value", '{"name": "{{$body \'name\'}}"}', b'{"name": "a \\"b\\""}', {"name": 'a "b"'}),
    ("backslash-and-newline", '{"path": "{{$body \'p\'}}"}', b'{"p": "C:\\\\x\\ny"}', {"path": "C:\\x\ny"}),
    ("text-around-placeholder", '{"greeting": "Hi {{$body \'n\'}}!"}', b'{"n": "<\\"Ann\\">"}',
     {"greeting": 'Hi <"Ann">!'}),
    ("key-is-a-placeholder", '{"{{$body \'k\'}}": 1}', b'{"k": "we\\"ird"}', {'we"ird': 1}),
    ("whole-number", '{"n": {{$body \'n\'}}}', b'{"n": 42}', {"n": 42}),
    ("whole-object", '{"copy": {{$body \'o\'}}}', b'{"o": {"a": [1, true, null]}}', {"copy": {"a": [1, True, None]}}),
    ("whole-array-in-array", "[{{$body 'xs'}}, 1]", b'{"xs": ["a"]}', [["a"], 1]),
    ("whole-bool", '{"b": {{$body \'b\'}}}', b'{"b": false}', {"b": False}),
    ("whole-null", '{"z": {{$body \'z\'}}}', b'{"z": null}', {"z": None}),
    ("whole-text-becomes-string", '{"who": {{$body \'w\'}}}', b'{"w": "Ann \\"A\\""}', {"who": 'Ann "A"'}),
    ("whole-numeric-text-is-a-number", '{"page": {{$queryParams \'page\'}}}', b"", {"page": 3}),
    ("whole-missing-default", '{"x": {{$body \'nope\' \'n/a\'}}}', b"{}", {"x": "n/a"}),
    ("nan-is-not-json", '{"x": {{$body \'v\'}}}', b'{"v": "NaN"}', {"x": "NaN"}),
    ("unicode-digits-are-not-a-number", '{"x": {{$body \'v\'}}}', "{\"v\": \"\u0663\"}".encode(), {"x": "\u0663"}),
    ("whole-document", "{{$body}}", b'{"echo": [1, 2]}', {"echo": [1, 2]}),
    ("whole-document-not-json", "{{$body}}", b"plain text", "plain text"),
    ("header-in-string", '{"ua": "{{$headers \'x-ua\'}}"}', b"", {"ua": 'Agent "7"\\'}),
    ("unknown-variable-in-string-stays", '{"a": "{{nobody}}", "b": "{{$body \'n\'}}"}', b'{"n": "\\""}',
     {"a": "{{nobody}}", "b": '"'}),
]


@pytest.mark.parametrize("text, body, expected", [pytest.param(*row[1:], id=row[0]) for row in CASES])
def test_json_template_renders_json(text, body, expected):
    out, template = fill(text, body=body, target="/p/seg?q=v&page=3", headers={"x-ua": 'Agent "7"\\'})
    assert template.json_modes is not None
    assert json.loads(out) == expected


VERBATIM = [
    # id, template: not JSON once filled (or glued placeholders), so filled verbatim like Postman
    ("not-json", "Hello {{$body 'n'}}"),
    ("glued-to-a-number", '{"n": 1{{$body \'n\'}}}'),
    ("two-in-a-row", '{"n": {{$body \'n\'}}{{$body \'n\'}}}'),
    ("placeholder-as-key-outside-string", '{ {{$body \'n\'}}: 1}'),
    ("after-a-backslash", '{"n": "\\{{$body \'n\'}}"}'),
    ("broken-json-around", '{"n": "{{$body \'n\'}}",}'),
    ("unresolved-variable-as-value", '{"n": {{nobody}}, "m": "{{$body \'n\'}}"}'),
]


@pytest.mark.parametrize("text", [pytest.param(row[1], id=row[0]) for row in VERBATIM])
def test_other_templates_are_filled_verbatim(text):
    out, template = fill(text, body=b'{"n": "a\\"b"}')
    assert template.json_modes is None
    assert out == text.replace("{{$body 'n'}}", 'a"b')


def test_not_labelled_json_is_verbatim():
    out, template = fill('{"n": "{{$body \'n\'}}"}', body=b'{"n": "a\\"b"}', json_body=False)
    assert template.json_modes is None and out == '{"n": "a"b"}'


@pytest.mark.parametrize("headers, preview, json_mode", [
    ({"Content-Type": "application/json"}, None, True),
    ({"Content-Type": "application/vnd.api+json; charset=utf-8"}, None, True),
    ({}, "json", True),
    ({"Content-Type": "text/plain"}, "json", False),  # the Content-Type header decides
    ({}, "text", False),
])
def test_engine_labels_json_bodies(headers, preview, json_mode):
    doc = coll(ex("/bio", name="E", response_body='{"bio": "{{$randomLoremParagraphs}}"}',
                  response_headers=headers, preview=preview))
    body = MockEngine(doc, seed=7).handle(MockRequest.from_target("GET", "/bio")).response.body
    if json_mode:
        assert "\n" in json.loads(body)["bio"]  # paragraphs keep their line breaks, escaped
    else:
        with pytest.raises(ValueError):
            json.loads(body)  # Postman's verbatim fill: a raw line break inside a string


# --- the property: valid JSON template -> valid JSON, for every request and fake value ---------

DYNAMIC = sorted(fakes.DYNAMIC)
PLACEHOLDERS = st.one_of(
    st.sampled_from(DYNAMIC).map(lambda name: "{{" + name + "}}"),
    st.sampled_from(["{{$body}}", "{{$body 'a'}}", "{{$body 'a.b'}}", "{{$body 'list.0'}}", "{{$body 'x' 'dflt'}}",
                     "{{$queryParams}}", "{{$queryParams 'q'}}", "{{$headers}}", "{{$headers 'x-v'}}",
                     "{{$pathSegments}}", "{{$pathSegments '1'}}", "{{id}}", "{{gone}}"]),
)
LEAVES = st.one_of(st.integers(), st.booleans(), st.none(), st.floats(allow_nan=False, allow_infinity=False),
                   st.text(max_size=8))


@st.composite
def templates(draw):
    """A JSON document written as text, with placeholders inside strings and as whole values."""

    def node(depth):
        kind = draw(st.integers(0, 5 if depth < 3 else 2))
        if kind == 0:
            return json.dumps(draw(LEAVES), ensure_ascii=draw(st.booleans()))
        if kind == 1:
            return draw(PLACEHOLDERS)
        if kind == 2:
            pieces = draw(st.lists(st.one_of(PLACEHOLDERS, st.text(max_size=5).map(lambda t: json.dumps(t)[1:-1])),
                                   min_size=1, max_size=3))
            return '"' + "".join(pieces) + '"'
        if kind == 3:
            return "[" + ", ".join(node(depth + 1) for _ in range(draw(st.integers(0, 3)))) + "]"
        keys = draw(st.lists(st.one_of(st.text(max_size=4).map(lambda t: json.dumps(t)),
                                       PLACEHOLDERS.map(lambda p: '"' + p + '"')), max_size=3))
        return "{" + ", ".join(f"{k}: {node(depth + 1)}" for k in keys) + "}"

    space = draw(st.sampled_from(["", " ", "\n  "]))
    return space + node(0) + space


NASTY = st.text(st.characters(blacklist_categories=("Cs",)), max_size=12) | st.sampled_from(
    ['"', "\\", "\n", "\u2028", "a\"b\\c\n", "}", "]", "1e999", "NaN", "-0", "true", "{\"x\": 1}", "[1,", "\x00"])
BODIES = st.one_of(
    st.recursive(st.none() | st.booleans() | st.integers() | NASTY,
                 lambda kids: st.lists(kids, max_size=3) | st.dictionaries(NASTY, kids, max_size=3),
                 max_leaves=8).map(lambda v: json.dumps({"a": v, "list": [v], "x": v}).encode()),
    NASTY.map(lambda t: t.encode("utf-8", "surrogatepass")),
    st.binary(max_size=16),
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(templates(), BODIES, NASTY, NASTY, st.sampled_from([None, "seg", 'a"b\\']), st.integers(0, 2**16))
def test_valid_json_template_always_renders_valid_json(text, body, query, header, capture, seed):
    json.loads(_filled_sample(text))  # the premise: the template is JSON once its placeholders are filled
    captures = {} if capture is None else {"id": capture}
    template = compile_template(text, {}, ["id", "gone"], json_body=True)  # {{gone}} never captures (9.13)
    if template.static is None:
        assert template.json_modes is not None, text
    request = MockRequest(
        "POST", "/p/" + "x%22y", (("q", query),), (("x-v", header), ("content-type", "application/json")), body)
    out = render(template, RenderContext(request, captures, fakes.FakeContext(seed)))
    json.loads(out.encode("utf-8", "replace"))


def _filled_sample(text):
    """The template with every placeholder replaced by a neutral value: the premise of the property."""
    import re

    inside = re.sub(r'("(?:[^"\\]|\\.)*")', lambda m: re.sub(r"\{\{[^{}]*\}\}", "", m.group(1)), text)
    return re.sub(r"\{\{[^{}]*\}\}", "0", inside)


# --- spec 9.13: a wildcard with nothing captured ---------------------------------------------------

WILD = coll(
    ex("/users/{{userId}}", name="user", id="u", response_body='{"id": "{{userId}}", "n": {{userId}}}', preview="json"),
    ex("/teams", name="teams", id="t", response_body="[]", preview="json"),
)


@pytest.mark.parametrize("headers, target, expected", [
    ({"x-mock-response-name": "user"}, "/teams", {"id": "{{userId}}", "n": "{{userId}}"}),  # nothing captured
    ({"x-mock-response-id": "u"}, "/elsewhere/x/y", {"id": "{{userId}}", "n": "{{userId}}"}),
    ({"x-mock-response-name": "user"}, "/users/41", {"id": "41", "n": 41}),  # the path fits: captured
    ({}, "/users/abc", {"id": "abc", "n": "abc"}),
])
def test_uncaptured_wildcard_is_left_as_written_and_explained(headers, target, expected):
    engine = MockEngine(WILD)
    request = MockRequest.from_target("GET", target, headers=headers)
    served = engine.handle(request)
    assert json.loads(served.response.body) == expected
    ranking = engine.explain(request)
    notes = " ".join(ranking.notes)
    if "{{userId}}" in json.dumps(expected):
        assert any("{{userId}}" in p and "left as written" in p for p in served.problems), served.problems
        assert "{{userId}}" in notes and "spec 9.13" in notes
        assert "spec 9.13" in ranking.candidates[0].reason
    else:
        assert "spec 9.13" not in notes


@pytest.mark.parametrize("body, noted", [('{"n": "{{$randomInt}}"}', True), ("n={{$randomInt}}", False), ('{"n": 1}', False)])
def test_json_rule_is_said_in_the_explanation(body, noted):
    engine = MockEngine(coll(ex("/n", name="E", response_body=body, preview="json")))
    notes = " ".join(engine.explain(MockRequest.from_target("GET", "/n")).notes)
    assert ("spec 9.18" in notes and "Postman" in notes) == noted
