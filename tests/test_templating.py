"""Templating: variables, nesting, cycles, helpers (spec §2.1, §2.3, 9.6, 9.13, 9.14)."""

from __future__ import annotations

import json
from datetime import datetime, timezone

import pytest

from mockkit import fakes
from mockkit.model import MockRequest
from mockkit.templating import (
    MAX_EXPANSION,
    MAX_PASSES,
    RenderContext,
    compile_template,
    object_path,
    render,
    render_header,
    resolve_variables,
)

CLOCK = lambda: datetime(2026, 1, 2, 3, 4, 5, 678000, tzinfo=timezone.utc)  # noqa: E731


def ctx(target="/product/12345/details?k=v&k=w&empty=", body=b"", headers=None, captures=None, seed=1):
    request = MockRequest.from_target("POST", target, headers=headers or {}, body=body)
    return RenderContext(request, captures or {}, fakes.FakeContext(seed, CLOCK))


def fill(text, variables=None, **kw):
    captures = (kw.pop("captures", None) or {})
    template = compile_template(text, variables or {}, captures)
    return render(template, ctx(captures=captures, **kw)), template


@pytest.mark.parametrize(
    "text, variables, expected",
    [
        ("{{a}}", {"a": "1"}, "1"),
        ("x{{ a }}y", {"a": "1"}, "x1y"),
        ("{{a}}", {"a": "{{b}}", "b": "2"}, "2"),  # nested variables
        ("{{unknown}}", {}, "{{unknown}}"),  # unknown left as is (D2)
        ("{{a}}{{b}}", {"a": "{", "b": "}"}, "{}"),
        ("no braces", {"a": "1"}, "no braces"),
    ],
)
def test_resolve_variables(text, variables, expected):
    assert resolve_variables(text, variables) == expected


def test_nesting_stops_after_19_passes_and_reports_a_cycle():
    chain = {f"v{i}": f"{{{{v{i + 1}}}}}" for i in range(30)}
    problems: list[str] = []
    out = resolve_variables("{{v0}}", chain, problems=problems)
    assert out == f"{{{{v{MAX_PASSES}}}}}"
    assert problems and "19 passes" in problems[0]

    problems = []
    assert resolve_variables("{{a}}", {"a": "{{a}}"}, problems=problems) == "{{a}}"  # a fixpoint: no loop
    problems = []
    out = resolve_variables("{{a}}", {"a": "<{{b}}>", "b": "[{{a}}]"}, problems=problems)
    assert problems and "cycle" in problems[0]


def test_exponential_variables_are_capped():
    problems: list[str] = []
    out = resolve_variables("{{a}}", {"a": "{{a}}{{a}}x"}, problems=problems)
    assert len(out) <= MAX_EXPANSION
    assert problems and "expand past" in problems[0]


def test_static_text_is_compiled_once_to_a_plain_string():
    template = compile_template('{"id": 1}', {})
    assert template.is_static and template.static == '{"id": 1}'
    template = compile_template('{"host": "{{h}}"}', {"h": "x"})
    assert template.is_static and template.static == '{"host": "x"}'


BODY = json.dumps({"user": {"name": "s-morgenstern", "tags": ["a", "b"], "a.b": "dotted"}, "n": 5}).encode()


@pytest.mark.parametrize(
    "text, expected",
    [
        ("{{$body}}", BODY.decode()),
        ('"username": {{$body \'user.name\'}}', '"username": s-morgenstern'),  # verbatim, unquoted (T2)
        ("{{$body 'user.tags.1'}}", "b"),
        ("{{$body 'user.tags'}}", '["a", "b"]'),  # arrays as JSON (T5)
        ("{{$body 'user.a\\.b'}}", "dotted"),  # escaped dot (T1)
        ("{{$body 'n'}}", "5"),
        ("{{$body 'user.nope' 'fallback'}}", "fallback"),
        ("{{$body 'user.nope'}}", ""),  # unresolved without default -> empty (T5)
        ("{{$queryParams 'k'}}", "v"),  # repeated -> first (T5)
        ("{{$queryParams 'empty'}}", ""),
        ("{{$queryParams 'nope' 'd'}}", "d"),
        ("{{$pathSegments '0'}}", "product"),
        ("{{$pathSegments '1'}}", "12345"),  # zero-based
        ("{{$pathSegments '9' 'none'}}", "none"),
        ("{{$headers 'X-Key'}}", "secret"),  # case-insensitive names
        ("{{$headers 'x-nope' 'none'}}", "none"),
    ],
)
def test_helpers(text, expected):
    out, template = fill(text, body=BODY, headers={"x-key": "secret", "content-type": "application/json"})
    assert out == expected
    assert not template.problems


def test_form_body_is_readable_by_path():
    out, _ = fill("{{$body 'name'}}", body=b"name=Ada&x=1",
                  headers={"content-type": "application/x-www-form-urlencoded"})
    assert out == "Ada"


def test_captures_are_filled_and_request_data_is_never_rescanned():
    out, _ = fill("{{id}}/{{$body}}", captures={"id": "{{$guid}}"}, body=b"{{$randomInt}}{{$body}}")
    assert out == "{{$guid}}/{{$randomInt}}{{$body}}"


def test_dynamic_variables_are_fresh_per_occurrence_and_seedable():
    out1, _ = fill("{{$guid}} {{$guid}}", seed=7)
    out2, _ = fill("{{$guid}} {{$guid}}", seed=7)
    a, b = out1.split()
    assert a != b and out1 == out2
    out3, _ = fill("{{$isoTimestamp}}")
    assert out3 == "2026-01-02T03:04:05.678Z"


def test_unknown_names_are_kept_and_reported_with_a_suggestion():
    out, template = fill("{{$randomint}} {{nope}} {{$randomInt}}")
    first, second, third = out.split()
    assert first == "{{$randomint}}" and second == "{{nope}}" and third.isdigit()
    joined = " | ".join(template.problems)
    assert "did you mean {{$randomInt}}" in joined
    assert "unresolved variable {{nope}}" in joined


def test_header_values_never_carry_crlf():
    template = compile_template("v={{$headers 'x-in'}}", {})
    request_value = "a\r\nSet-Cookie: evil=1"
    out = render_header(template, ctx(headers={"x-in": request_value}))
    assert "\r" not in out and "\n" not in out
    assert out.startswith("v=a")


@pytest.mark.parametrize(
    "data, path, expected",
    [
        ({"a": [{"b": 1}]}, "a.0.b", 1),
        ({"a": {"b.c": 2}}, "a.b\\.c", 2),
        ([1, 2], "1", 2),
        ({"a": 1}, "a.b", object_path(None, "x")),  # missing sentinel
    ],
)
def test_object_path(data, path, expected):
    assert object_path(data, path) == expected
