"""``mockkit check`` findings about path variables (spec W1, W4, 9.20): one finding per variable
name, whatever the number of paths, with a sentence that says what mockkit and Postman do."""

from __future__ import annotations

import pytest

from mockkit.checks import check
from mockkit.engine import MockEngine

from builders import coll, ex


def findings(collection, kind):
    return [f for f in check(MockEngine(collection)) if f.kind == kind]


PATH_VARIABLE_CASES = [
    # id, examples [(path, url.variable values or None)], collection variables,
    # kind, {variable name: number of examples named in its finding}
    ("no-entry-on-many-paths", [("/leads/:id", None), ("/leads/:id/notes", None), ("/deals/:id", None)], {},
     "path-variable", {"id": 3}),
    ("two-names", [("/a/:org/b/:team", None), ("/c/:org", None)], {}, "path-variable", {"org": 2, "team": 1}),
    ("empty-value", [("/shops/:shopId/items", {"shopId": ""}), ("/shops/:shopId", {"shopId": ""})], {},
     "empty-path-variable", {"shopId": 2}),
    ("resolves-to-empty", [("/v2/stores/:store/orders", {"store": "{{STORE}}"})], {"STORE": ""},
     "empty-path-variable", {"store": 1}),
    ("with-a-value-no-finding", [("/v2/stores/:store", {"store": "{{STORE}}"})], {"STORE": "9"},
     "empty-path-variable", {}),
    ("with-a-value-no-literal-finding", [("/v2/stores/:store", {"store": "9"})], {}, "path-variable", {}),
]


@pytest.mark.parametrize("examples, variables, kind, expected",
                         [pytest.param(*row[1:], id=row[0]) for row in PATH_VARIABLE_CASES])
def test_path_variable_findings_once_per_name(examples, variables, kind, expected):
    collection = coll(*(ex(p, name=f"e{i}", url_variables=v) for i, (p, v) in enumerate(examples)),
                      variables=variables)
    found = findings(collection, kind)
    assert len(found) == len(expected), [f.message for f in found]
    for name, count in expected.items():
        (f,) = [f for f in found if f"`:{name}`" in f.message]
        assert f"{count} example{'s' if count != 1 else ''} (" in f.message, f.message
        if kind == "path-variable":
            assert f.severity == "warning"
            assert "literal text" in f.message and "url.variable" in f.message and f"{{{{{name}}}}}" in f.message
        else:
            assert f.severity == "info"
            assert "spec 9.20" in f.message and "Postman" in f.message


def test_empty_colon_is_not_reported_as_an_undefined_wildcard():
    collection = coll(ex("/shops/:shopId", name="shop", url_variables={"shopId": ""}), ex("/u/{{uid}}", name="u"))
    wildcards = findings(collection, "wildcard")
    assert [("{{uid}}" in f.message) for f in wildcards] == [True]


@pytest.mark.parametrize("body, says", [
    ('{"n": ' + "7" * 5000 + "}", "digit"),          # a ValueError that is not a JSONDecodeError
    ('{"n": 1,}', "line 1 column"),                   # a JSONDecodeError: where it stops parsing
])
def test_a_body_labelled_json_that_does_not_parse_is_a_finding(body, says):
    collection = coll(ex("/n", name="labelled", response_headers={"Content-Type": "application/json"},
                         response_body=body))
    found = findings(collection, "invalid-json")
    assert [f.example for f in found] == ["labelled"] and says in found[0].message, found
