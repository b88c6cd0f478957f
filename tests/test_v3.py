"""Postman v3 collection folders and ``.environment.yaml`` files (issue 14), on our own trees.

``tests/fixtures/v3/Bookstore API`` is written by hand with YAML's traps: ``{{variables}}``,
colons, ``|-``/``|+``/``>-`` blocks, values that must stay text (``007``, ``1.10``, ``yes``,
``on``), both the list and the mapping form of headers and parameters, disabled entries, nested
folders ordered by ``order``, and a GraphQL request that is skipped.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import mockkit
from mockkit import CollectionError, MockEngine, MockOptions
from mockkit.formats.convert import convert
from mockkit.model import Collection, Example, RequestItem, SavedRequest, SavedResponse, Url
from mockkit.formats.v21write import collection_json
from mockkit.formats.v3write import file_stem, tree_files, write_tree

FIXTURES = Path(__file__).parent / "fixtures" / "v3"
BOOKS = FIXTURES / "Bookstore API"
STAGING = FIXTURES / "Staging.environment.yaml"


@pytest.fixture
def books(tmp_path: Path) -> Path:
    """A copy of the hand-written tree, free to edit."""
    return Path(shutil.copytree(BOOKS, tmp_path / "Bookstore API"))


# --- reading ------------------------------------------------------------------------------------


def test_tree_reads_names_order_folders_and_text_as_written():
    c = mockkit.load_collection(BOOKS)
    assert (c.name, c.schema, c.source) == ("Bookstore API: v2", "v3", str(BOOKS))
    assert c.description == "Books, authors and an admin area.\nTwo lines."
    assert [(v.key, v.value) for v in c.variables] == [
        ("baseUrl", "https://books.example.com/api"), ("shelf", "007"), ("version", "1.10"), ("flag", "yes"),
        ("greeting", "hello: {{shelf}}")]  # the disabled one is left out; 007 and yes stay text
    # order then name, folders and requests together; the admin folder's `audit` (order 500) first
    assert [(e.folder, e.request_name, e.name) for e in c.examples] == [
        ((), "Get book: by id", "Found"),
        ((), "Get book: by id", "Not found: 404"),
        ((), "List books", "200 OK"),
        ((), "List books", "Page 2: the rest"),
        (("Admin/area", "audit", "deep"), "Audit log", "Log"),
        (("Admin/area",), "Ban user", "Banned"),
        (("Admin/area",), "Ban user", "Banned without body"),
    ]
    assert [e.position for e in c.examples] == list(range(7))
    found, missing, first, second, log, banned, bodiless = c.examples
    assert found.location == found.json_path == ".resources/Get book.resources/examples/Found.example.yaml"
    assert found.request.url == Url(raw="{{baseUrl}}/books/:id", variables=(("id", "007"),))
    assert found.request.method == "GET"
    assert found.response.body == "Book 007\n  indented line\ntrailing newline kept\n\n"  # |+ keeps it all
    assert (missing.response.code, missing.response.status) == (404, "Not Found")  # "404" quoted
    assert missing.response.body == '{"error": "no such book", "id": "{{$randomUUID}}"}'  # >- folded
    assert first.request.url.query == (("page", "1"),)
    assert first.request.headers == (("Accept", "application/json"),)  # not X-Shelf: nothing borrowed
    assert first.response.headers == (("Content-Type", "application/json"), ("X-Version", "1.10"),
                                      ("X-Feature", "on"), ("X-Empty", ""), ("X-Quoted-Null", "null"))
    assert '"title": "Colons: a history # not a comment"' in first.response.body
    assert second.request.url.query == (("page", "2"),)
    assert second.response.headers == (("Content-Type", "application/json"), ("Set-Cookie", "a=1"),
                                       ("Set-Cookie", "b=2"))  # a list repeats a name; disabled left out
    assert (second.response.status, log.response.preview_language) == ("OK", "text")
    assert banned.request.body.fields == (("reason", "spam"), ("days", "007"))
    assert bodiless.request.body is None and bodiless.request.headers == ()
    assert [(s.location, s.kind) for s in c.skipped] == [("graphql/Books query.request.yaml", "graphql-request")]
    assert [(r.name, r.example_count) for r in c.requests] == [
        ("Get book: by id", 2), ("List books", 2), ("Audit log", 1), ("Ban user", 2)]
    assert c.requests[1].request.headers == (("Accept", "application/json"), ("X-Shelf", "{{shelf}}"))


def test_environment_yaml_values_enabled_and_last_duplicate_wins(tmp_path: Path):
    env = mockkit.load_environment(STAGING)
    assert env.name == "Staging" and env.source == str(STAGING)
    assert [(v.key, v.value) for v in env.variables] == [
        ("baseUrl", "https://staging.example.com/v1"), ("userId", "42"), ("shelf", "0043")]
    mapping = tmp_path / "m.environment.yml"
    mapping.write_text("name: M\nvalues:\n  on: yes\n  n: 007\n")
    assert [(v.key, v.value) for v in mockkit.load_environment(mapping).variables] == [("on", "yes"), ("n", "007")]


def test_serving_a_tree_with_an_environment_answers_and_explains():
    engine = MockEngine(BOOKS, STAGING, seed=3)
    served = engine.handle(mockkit.MockRequest.from_target("GET", "/v1/books?page=2"), record=False)
    assert served.response.status == 200 and served.winner.example.name == "Page 2: the rest"
    served = engine.handle(mockkit.MockRequest.from_target("GET", "/v1/books/0042"), record=False)
    assert served.winner.example.name == "Found"  # :id is 007 in the example: the id rule matches
    banned = engine.handle(mockkit.MockRequest.from_target("POST", "/v1/admin/users/42/ban"), record=False)
    assert banned.response.body == b'{"banned": true, "user": "42"}'
    frame = mockkit.explain(engine, "GET", "/v1/books", params={"page": "1"})
    top = frame.iloc[0]
    assert top["example"] == "200 OK" and top["location"] == ".resources/List books.resources/examples/200 OK.example.yaml"
    assert set(mockkit.examples(engine)["location"]) == {e.location for e in engine.collection.examples}


@pytest.mark.parametrize("target,headers,body", [
    ("/v1/books?page=1", {}, None), ("/v1/books?page=2", {}, None), ("/v1/books/7", {}, None),
    ("/v1/books/999", {"x-mock-response-code": "404"}, None), ("/v1/admin/users/42/ban", {}, "reason=spam&days=007"),
    ("/v1/admin/audit", {}, None), ("/v1/nope", {}, None), ("/v1/books", {"x-mock-response-name": "Not found: 404"}, None),
])
def test_a_v3_tree_and_its_v21_export_cannot_be_told_apart(target, headers, body):
    """Same model behind both formats: every column of the explanation but `location` is equal."""
    v3 = MockEngine(BOOKS, STAGING, seed=5)
    v21 = MockEngine(collection_json(v3.collection), STAGING, seed=5)
    method = "POST" if "ban" in target else "GET"
    a = mockkit.explain(v3, method, target, headers=headers, body=body).drop(columns="location")
    b = mockkit.explain(v21, method, target, headers=headers, body=body).drop(columns="location")
    pd.testing.assert_frame_equal(a, b)
    request = mockkit.MockRequest.from_target(method, target, headers=headers, body=body)
    ra, rb = v3.handle(request, record=False).response, v21.handle(request, record=False).response
    assert (ra.status, ra.body) == (rb.status, rb.body)
    assert [h for h in ra.headers if h[0] != "x-mock-call"] == [h for h in rb.headers if h[0] != "x-mock-call"]


# --- errors -------------------------------------------------------------------------------------

EX = ".resources/List books.resources/examples/200 OK.example.yaml"


@pytest.mark.parametrize("rel,old,new,path,line,expected", [
    (EX, "  statusCode: 200", "  statusCode: twohundred", "response.statusCode", 11, "HTTP status code"),
    (EX, "    X-Version: 1.10", "    X-Version: [1, 10]", "response.headers.X-Version", 15, "expected a value (text)"),
    (EX, "  queryParams:\n    page: \"1\"", "  queryParams: 5", "request.queryParams", 8, "a mapping (Name: value) or a list"),
    (EX, "    type: json", "    type: jsonn", "response.body.type", None, None),
    (EX, "order: 1000", "order: '1000'", "order", 27, "a bare number"),
    ("List books.request.yaml", "    disabled: true", "    disabled: yes", "queryParams[1].disabled", 12, "true or false"),
    ("List books.request.yaml", "  Accept: application/json\n", "  Accept: application/json\n  Accept: text/html\n",
     "headers.Accept", 6, "appears twice"),
    ("List books.request.yaml", "method: GET", "method: [GET]", "method", 3, "HTTP method"),
    ("List books.request.yaml", "examples: ./.resources", "examples: ../../.resources", "examples", 13, "inside the collection"),
    ("List books.request.yaml", "$kind: http-request", "$kind: http-example", "$kind", 1, "request kind"),
    ("Get book.request.yaml", "$kind: http-request\n", "", "$kind", 1, "`$kind`"),
    ("admin/Ban user.request.yaml", "    days: 007", "    days: {n: 7}", "body.content.days", 13, "expected a value (text)"),
    ("admin/Ban user.request.yaml", "  type: urlencoded", "  type: multipart", "body.type", 10, "one of json"),
    ("admin/.resources/definition.yaml", "$kind: collection", "$kind: http-request", "$kind", 1, "collection"),
    (".resources/definition.yaml", "  - key: flag", "  - key: [flag]", "variables[3].key", 14, "the key as text"),
    ("Get book.request.yaml", "url: '{{baseUrl}}/books/:id'", "url: '{{baseUrl}}/books/:id", "", 7, "invalid YAML"),
    ("Get book.request.yaml", "url: '{{baseUrl}}/books/:id'", "url: {{baseUrl}}/books/:id", "", 3, "invalid YAML"),
])
def test_errors_name_the_file_key_path_line_and_column(books, rel, old, new, path, line, expected):
    file = books / rel
    text = file.read_text()
    assert old in text
    file.write_text(text.replace(old, new))
    if expected is None:  # an unknown response body type is read as the preview language, not refused
        mockkit.load_collection(books)
        return
    with pytest.raises(CollectionError) as info:
        mockkit.load_collection(books)
    err = info.value
    assert Path(err.source) == file, err
    assert err.path == path, err
    assert err.line == line, err
    assert expected in err.expected, err
    assert str(err).startswith(f"{file}:{line}:"), err


def test_missing_response_and_wrong_inputs(books, tmp_path):
    (books / EX).write_text("$kind: http-example\nrequest:\n  url: /x\n")
    with pytest.raises(CollectionError, match=r"200 OK\.example\.yaml:1:1: response: expected a `response`"):
        mockkit.load_collection(books)
    with pytest.raises(CollectionError, match="is a folder, not one of its files: pass the collection's folder"):
        mockkit.load_collection(BOOKS / "Get book.request.yaml")
    with pytest.raises(CollectionError, match="got a Postman environment"):
        mockkit.load_collection(STAGING)
    with pytest.raises(CollectionError, match="got a folder"):
        mockkit.load_environment(BOOKS)
    with pytest.raises(CollectionError, match="a directory without a Postman v3 collection"):
        mockkit.load_collection(_empty(tmp_path))
    bad_env = tmp_path / "x.environment.yaml"
    bad_env.write_text("name: X\nvalues:\n  - key: a\n    value: 1\n    enabled: maybe\n")
    with pytest.raises(CollectionError, match=r"x\.environment\.yaml:5:14: values\[0\]\.enabled: expected true or false"):
        mockkit.load_environment(bad_env)
    bad_env.write_text("$kind: collection\nname: X\n")
    with pytest.raises(CollectionError, match="got a collection file"):
        mockkit.load_environment(bad_env)


def _empty(tmp_path: Path) -> Path:
    folder = tmp_path / "empty"
    folder.mkdir()
    (folder / "notes.txt").write_text("not a collection")
    return folder


# --- check --------------------------------------------------------------------------------------


def test_check_lists_skipped_kinds_orphans_and_fields_examples_lack(books):
    orphan = books / ".resources" / "Old name.resources" / "examples"
    orphan.mkdir(parents=True)
    (orphan / "Gone.example.yaml").write_text((books / EX).read_text())
    frame = mockkit.check(books, STAGING)
    rows = {(r.kind, r.where): r for r in frame.itertuples()}
    skipped = rows[("skipped", "graphql/Books query.request.yaml")]
    assert skipped.severity == "info" and "graphql-request" in skipped.message
    gone = rows[("skipped", ".resources/Old name.resources/examples")]
    assert gone.severity == "warning" and "'Old name.request.yaml' is missing" in gone.message
    assert "missing-body" in set(frame["kind"]) and "missing-header" in set(frame["kind"])
    strict = mockkit.check(books, STAGING, MockOptions(match_body=True, match_headers=("x-shelf",)))
    notes = strict[strict["kind"].isin(["missing-body", "missing-header"])]
    assert set(notes["example"]) >= {"Banned without body", "200 OK", "Page 2: the rest"}
    assert any("X-Shelf" in m for m in notes["message"])
    (books / EX).write_text((books / EX).read_text().replace("  url: '{{baseUrl}}/books?page=1'\n", ""))
    no_url = mockkit.check(books, STAGING)
    assert ("no-url", EX) in {(r.kind, r.where) for r in no_url.itertuples()}


# --- writing: names and text --------------------------------------------------------------------


@pytest.mark.parametrize("name,stem", [
    ("/todos/:id", "-todos-id"), ('a:b*c?d"e<f>g|h\\i/j', "a-b-c-d-e-f-g-h-i-j"), ("Success: Import", "Success- Import"),
    ('<a href="/api/config#x">x</a>', "-a href=-api-config#x-x-a-"), ("tab\there\nnl", "tab-here-nl"),
    ("   trail. ", "trail."), ("", "http-request"), (".hidden", "-hidden"), ("x" * 300, "x" * 100),
])
def test_file_names_are_sanitised_as_postman_does(name, stem):
    assert file_stem(name, "http-request") == stem


def _example(name: str, request: str, folder: tuple[str, ...] = (), **response) -> Example:
    return Example(id="", name=name, request_name=request, folder=folder,
                   request=SavedRequest(url=Url(raw="/x")), response=SavedResponse(**response), position=0,
                   json_path="")


def test_names_unique_case_insensitively_per_folder_and_name_kept_when_it_differs(tmp_path):
    examples = (_example("OK", "Users"), _example("ok", "Users"), _example("a/b", "users"),
                _example("x", "Users", ("F",)), _example("y", "Other", ("f",)), _example("z", "Users", ("F",)))
    c = Collection("n", tuple(e.__class__(**{**_fields(e), "position": i}) for i, e in enumerate(examples)))
    files = tree_files(c)
    assert set(files) >= {"Users.request.yaml", "users 1.request.yaml", ".resources/Users.resources/examples/OK.example.yaml",
                          ".resources/Users.resources/examples/ok 1.example.yaml", "F/Users.request.yaml",
                          "f 1/.resources/definition.yaml", "F 2/Users.request.yaml"}
    assert "name: users" in files["users 1.request.yaml"] and "name:" not in files["Users.request.yaml"]
    assert "name: f\n" in files["f 1/.resources/definition.yaml"]
    write_tree(c, tmp_path / "t")
    back = mockkit.load_collection(tmp_path / "t")
    assert [(e.folder, e.request_name, e.name) for e in back.examples] == [(e.folder, e.request_name, e.name) for e in examples]


def _fields(e: Example) -> dict:
    return {f: getattr(e, f) for f in e.__slots__}


TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=30)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=TEXT.filter(bool), value=TEXT, body=TEXT, url=TEXT, key=TEXT.filter(bool), status=TEXT.filter(bool))
def test_any_text_survives_a_v3_round_trip(tmp_path_factory, name, value, body, url, key, status):
    request = SavedRequest(method="POST", url=Url(raw=url, query=((key, value),), variables=((key, value),)),
                           headers=((key, value),), body=None)
    example = Example(id=value, name=name, request_name=name, folder=(name,), request=request,
                      response=SavedResponse(201, status, ((key, value),), body, "json"), position=0, json_path="")
    c = Collection(name, (example,), (RequestItem(name, (name,), request, "", 1),),
                   variables=(mockkit.model.Variable(key, value),))
    root = tmp_path_factory.mktemp("rt") / "c"
    write_tree(c, root)
    back = mockkit.load_collection(root)
    e = back.examples[0]
    assert (e.name, e.request_name, e.folder, e.id) == (name, name, (name,), value)
    assert (e.request, e.response) == (request, example.response)
    assert [(v.key, v.value) for v in back.variables] == [(key, value)] and back.name == name


# --- convert ------------------------------------------------------------------------------------


def test_convert_cli_both_directions_and_environments(tmp_path):
    from mockkit.cli import main

    assert main(["convert", str(BOOKS), "--to", "v2.1", str(tmp_path / "books.json")]) == 0
    doc = json.loads((tmp_path / "books.json").read_text())
    assert doc["info"]["name"] == "Bookstore API: v2" and doc["item"][0]["name"] == "Get book: by id"
    assert main(["convert", str(tmp_path / "books.json"), "--to", "v3", str(tmp_path / "again")]) == 0
    again = mockkit.load_collection(tmp_path / "again")
    original = mockkit.load_collection(BOOKS)
    assert [(e.name, e.response) for e in again.examples] == [(e.name, e.response) for e in original.examples]
    assert main(["convert", str(BOOKS), "--to", "v3", str(tmp_path / "again")]) == 2  # not empty: refused
    assert main(["convert", str(BOOKS), "--to", "v4", str(tmp_path / "x")]) == 2
    assert main(["convert", str(STAGING), "--to", "v2.1", str(tmp_path / "staging.json")]) == 0
    assert json.loads((tmp_path / "staging.json").read_text())["values"][2] == {
        "key": "shelf", "value": "0043", "type": "default", "enabled": True}
    written = convert(tmp_path / "staging.json", "v3", tmp_path / "envs")
    assert written == [tmp_path / "envs" / "Staging.environment.yaml"]
    assert mockkit.load_environment(written[0]).variables == mockkit.load_environment(STAGING).variables


# --- robustness ---------------------------------------------------------------------------------

KEYS = ["$kind", "name", "url", "method", "headers", "queryParams", "pathVariables", "body", "type", "content",
        "request", "response", "statusCode", "statusText", "key", "value", "disabled", "enabled", "order",
        "examples", "variables", "values", "id", "src", "query", "x-mockkit-preview-language"]
SCALARS = st.one_of(st.none(), st.booleans(), st.integers(-2, 700), st.floats(allow_nan=False),
                    st.sampled_from(["http-request", "http-example", "collection", "graphql-request", "json",
                                     "urlencoded", "formdata", "file", "none", "007", "yes", "../..", "", "{{x}}"]),
                    TEXT)
DOCS = st.recursive(SCALARS, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(st.sampled_from(KEYS) | TEXT, inner, max_size=5)), max_leaves=25)
FILES = [EX, "List books.request.yaml", ".resources/definition.yaml", "admin/.resources/definition.yaml",
         "admin/Ban user.request.yaml", ".resources/Get book.resources/examples/Found.example.yaml"]


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(doc=DOCS, rel=st.sampled_from(FILES), raw=st.booleans(), junk=st.binary(max_size=40))
def test_any_file_content_loads_or_fails_with_a_collection_error(tmp_path_factory, doc, rel, raw, junk):
    import yaml

    tree = Path(shutil.copytree(BOOKS, tmp_path_factory.mktemp("fuzz") / "t"))
    (tree / rel).write_bytes(junk if raw else yaml.safe_dump(doc, allow_unicode=True).encode())
    try:
        engine = MockEngine(tree, STAGING, seed=1)
    except CollectionError as exc:
        assert exc.source.endswith(rel.split("/")[-1]) or exc.source.endswith(str(tree)), exc
        return
    engine.handle(mockkit.MockRequest.from_target("GET", "/v1/books?page=1"), record=False)
    mockkit.check(engine)


GRAPHQL = {"info": {"name": "g", "schema": "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"},
           "item": [{"name": "hero", "request": {"method": "POST", "url": "{{api}}/graphql"}, "response": [{
               "name": "R2", "code": 200, "body": '{"data": {"hero": "R2-D2"}}', "originalRequest": {
                   "method": "POST", "url": "{{api}}/graphql", "body": {"mode": "graphql", "graphql": {
                       "query": "query Hero($ep: Episode) {\n  hero(episode: $ep) { name }\n}",
                       "variables": '{"ep": "JEDI"}'}}}}]}]}


def test_graphql_bodies_are_json_for_postman_and_graphql_for_mockkit(tmp_path):
    """v3 HTTP bodies have no GraphQL type: the file carries the JSON a GraphQL POST sends (what
    Postman sees and lints) and the query and variables as written (what mockkit compares)."""
    original = mockkit.load_collection(GRAPHQL)
    write_tree(original, tmp_path / "g")
    text = (tmp_path / "g" / ".resources" / "hero.resources" / "examples" / "R2.example.yaml").read_text()
    assert "type: json" in text and "x-mockkit-graphql:" in text
    back = mockkit.load_collection(tmp_path / "g")
    assert back.examples[0].request == original.examples[0].request
    engine = MockEngine(back)
    sent = json.dumps({"query": "query Hero($ep: Episode) { hero(episode: $ep) { name } }", "variables": {"ep": "JEDI"}})
    served = engine.handle(mockkit.MockRequest.from_target(
        "POST", "/graphql", headers={"x-mock-match-request-body": "true", "content-type": "application/json"},
        body=sent), record=False)
    assert served.winner is not None and served.winner.example.name == "R2"
