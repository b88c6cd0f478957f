"""Hygiene of what crosses the proxy and lands in a recording (issue 16): the rules the
``hygiene``, ``recorded`` and ``proxyconfig`` modules state, and the examples their docstrings
show (run here, so an example in the API reference cannot drift from the code)."""

from __future__ import annotations

import ast
import importlib
import inspect
import json
import re
import textwrap

import pytest

from mockkit.hygiene import REDACTED, Redaction, answer_headers, upstream_headers
from mockkit.recorded import example_name, folder_for

DOC_EXAMPLES = ["mockkit.hygiene", "mockkit.recorded", "mockkit.proxyconfig", "mockkit.explaining"]
CODE_BLOCK = re.compile(r"```python\n(.*?)```", re.S)


def checking_examples(module: str) -> list[tuple[str, str]]:
    """(name, code) of every ``Examples:`` block in ``module`` that asserts what it shows."""
    tree = ast.parse(inspect.getsource(importlib.import_module(module)))
    return [(node.name, textwrap.dedent(block)) for node in ast.walk(tree)
            if isinstance(node, (ast.FunctionDef, ast.ClassDef))
            for block in CODE_BLOCK.findall(ast.get_docstring(node) or "") if "assert " in block]


@pytest.mark.parametrize("module", DOC_EXAMPLES)
def test_the_docstring_examples_hold(module):
    """The examples that assert their result run here, so none can drift from the code."""
    examples = checking_examples(module)
    assert len(examples) >= 3, module
    for name, code in examples:
        namespace = dict(vars(importlib.import_module(module)))
        try:
            exec(compile(code, f"<{module}.{name} example>", "exec"), namespace)
        except AssertionError:
            pytest.fail(f"the example of {module}.{name} does not hold:\n{code}")


def test_headers_a_connection_header_names_are_hop_by_hop_both_ways():
    sent = (("Connection", "close, X-Trace , x-other"), ("X-Trace", "1"), ("X-OTHER", "2"), ("X-Kept", "3"),
            ("x-mockkit-call", "c-1"), ("X-Mock-Match-Request-Body", "true"), ("x-api-key", "k"))
    assert upstream_headers(sent) == (("X-Kept", "3"), ("x-api-key", "k"))
    assert upstream_headers(sent, private_key=True) == (("X-Kept", "3"),)
    answered = (("Connection", "x-hop"), ("X-Hop", "a"), ("Content-Length", "9"), ("Trailer", "x"),
                ("Set-Cookie", "s=1"), ("x-mockkit-call", "up-7"))
    assert answer_headers(answered) == (("Set-Cookie", "s=1"),)


def test_redaction_keeps_every_name_and_replaces_only_values():
    r = Redaction(("*secret*", "pin"))
    headers = r.headers((("AUTHORIZATION", "Basic eA=="), ("Set-Cookie", "a=1"), ("X-My-Secret-2", "v"),
                         ("Authorization", ""), ("Accept", "*/*")))
    assert headers == (("AUTHORIZATION", REDACTED), ("Set-Cookie", REDACTED), ("X-My-Secret-2", REDACTED),
                       ("Authorization", ""), ("Accept", "*/*"))  # an empty value stays empty
    body = json.loads(r.json_text('{"a": [{"PIN": 1, "x": {"top_secret": {"deep": 2}}}], "pin": null}'))
    assert body == {"a": [{"PIN": REDACTED, "x": {"top_secret": REDACTED}}], "pin": None}
    assert r.body("pin=1&n=2", "application/x-www-form-urlencoded") == "pin=%5Bredacted%5D&n=2"
    assert r.body("pin=1", "text/plain") == "pin=1"  # plain text is not parsed
    assert r.json_text("not json {") == "not json {" and r.redacted == 6


def test_redaction_walks_the_deepest_json_a_body_may_hold():
    deep = '{"k": ' * 250 + '{"token": "t"}' + "}" * 250
    cleaned = Redaction(("token",)).json_text(deep)
    assert "[redacted]" in cleaned and '"t"' not in cleaned


@pytest.mark.parametrize("path, folder", [
    ("/v1.2/orders/7/items", "orders"), ("/REST/V3/Users", "Users"), ("/api/v1", "api"),
    ("/%C3%A9t%C3%A9/1", "été"), ("/550e8400-e29b-41d4-a716-446655440000/notes", "notes"), ("//x", "x"),
])
def test_folders_are_named_by_the_first_meaningful_segment(path, folder):
    assert folder_for(path) == folder


def test_example_names_stay_unique_within_their_request():
    taken: list[str] = []
    for query in [(), (("page", "2"),), (), (("page", "2"),)]:
        taken.append(example_name(200, "OK", query, taken))
    assert taken == ["200 OK", "200 OK ?page=2", "200 OK 2", "200 OK 3"]
    assert example_name(599, "", (), []) == "599"
