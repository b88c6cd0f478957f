"""Tests of mockkit.collection: our fixtures, the real corpus, and fuzzing of both."""

from __future__ import annotations

import codecs
import json
import random
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import CORPUS_DIR, FIXTURES_DIR, corpus_files, fixture_files
from mockkit.collection import load_collection, load_environment
from mockkit.formats.sources import MAX_DEPTH, read_json
from mockkit.errors import CollectionError
from mockkit.model import Body, Collection, Environment, SavedRequest, Url

V1_HINT = "Postman Collection v1"


def fixture(name: str) -> Path:
    return FIXTURES_DIR / name


def read(path: Path) -> Any:
    return read_json(path)[0]


def walk_items(items: list) -> list[dict]:
    """The request items of a raw item list, in collection order."""
    out = []
    for item in items:
        out.extend(walk_items(item["item"]) if "item" in item else [item])
    return out


# --- our fixtures -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def nested() -> Collection:
    return load_collection(fixture("nested-v21.postman_collection.json"))


def test_nested_folders_flatten_in_collection_order(nested: Collection) -> None:
    assert nested.schema == "v2.1.0"
    assert nested.name == "Nested v2.1"
    assert nested.description == "Folders three deep."
    assert nested.source.endswith("nested-v21.postman_collection.json")
    assert [e.position for e in nested.examples] == list(range(len(nested.examples)))
    assert [e.json_path for e in nested.examples] == [
        "item[0].item[0].item[0].item[0].response[0]",
        "item[0].item[0].item[0].item[0].response[1]",
        "item[0].item[1].response[0]",
        "item[1].response[0]",
        "item[2].response[0]",
        "item[2].response[1]",
    ]
    first = nested.examples[0]
    assert first.folder == ("Users", "Admin", "Deep") and first.folder_path == "Users / Admin / Deep"
    assert (first.id, first.item_id, first.request_name) == ("ex-1", "req-deep", "List admins")
    assert [(r.name, r.example_count, r.json_path) for r in nested.requests] == [
        ("List admins", 2, "item[0].item[0].item[0].item[0]"),
        ("Get user", 1, "item[0].item[1]"),
        ("No url", 1, "item[1]"),
        ("String request", 2, "item[2]"),
    ]


def test_url_object_and_headers(nested: Collection) -> None:
    request = nested.requests[0].request
    assert request.method == "GET"
    assert request.headers == (("Accept", "application/json"), ("X-Num", "7"))
    assert request.url == Url(
        raw="{{baseUrl}}/users/:group/admins?page=2&off=1&blank",
        host="{{baseUrl}}",
        path=("users", ":group", "admins"),
        query=(("page", "2"), ("blank", "")),
        variables=(("group", "staff"), ("n", "5"), ("none", "")),
    )
    purge = nested.requests[1].request
    assert purge.method == "PURGE" and purge.headers == ()
    assert purge.url == Url(raw="{{baseUrl}}/users/42", host="api.example.com", path=("users", "42"))


def test_examples_leniency(nested: Collection) -> None:
    by_name = {e.name: e for e in nested.examples}
    unnamed = nested.examples[1]  # name "" -> the request's name
    assert unnamed.name == "List admins"
    assert unnamed.request == SavedRequest(url=Url(raw="{{baseUrl}}/users/staff/admins?page=99"))
    assert (unnamed.response.code, unnamed.response.status) == (404, "Not Found")
    assert unnamed.response.headers == (("Content-Type", "text/plain"), ("X-Trace", "abc"))
    single = by_name["single example object"]
    assert single.response.body == '{"queued": true}' and single.response.headers == ()
    assert single.request == nested.requests[1].request  # no originalRequest -> the item's request
    no_code = by_name["no code"]
    assert (no_code.response.code, no_code.response.status, no_code.response.body) == (200, "OK", "")
    assert no_code.request == SavedRequest(method="GET", url=Url())
    assert (by_name["odd code"].response.code, by_name["odd code"].response.status) == (299, "")
    assert by_name["given status"].response.status == "201 Created"
    assert nested.examples[0].response.preview_language == "json"


def test_collection_variables(nested: Collection) -> None:
    assert [(v.key, v.value) for v in nested.variables] == [
        ("baseUrl", "http://localhost:3000"),
        ("retries", "3"),
        ("debug", "true"),
        ("empty", ""),
        ("byId", "from-id"),
        ("obj", '{"a": 1}'),
    ]


def test_v20_string_urls_and_auth() -> None:
    c = load_collection(fixture("v20-string-urls.postman_collection.json"))
    assert c.schema == "v2.0.0" and c.description == "Plain string description"
    assert [(v.key, v.value) for v in c.variables] == [("host", "https://legacy.example.com")]
    login = c.examples[0]
    assert login.request.url == Url(raw="{{host}}/login?next=/home")
    assert login.request.body == Body("raw", raw='{"user": "u"}')
    assert login.response.headers == (("Set-Cookie", "sid=1"),)
    assert [(e.request.method, e.response.code) for e in c.examples] == [("POST", 200), ("DELETE", 204)]


def test_api_wrapped_collection() -> None:
    c = load_collection(fixture("api-wrapped.postman_collection.json"))
    assert c.name == "From the Postman API" and c.id == "0f1e2d3c-0000-4000-8000-000000000003"
    ex = c.examples[0]
    assert (ex.id, ex.uid, ex.item_id, ex.json_path) == ("resp-ping", "123-resp-ping", "item-ping",
                                                         "collection.item[0].response[0]")
    assert ex.request.url.host == "api.example.com"


def test_every_body_mode() -> None:
    c = load_collection(fixture("body-modes.postman_collection.json"))
    bodies = {r.name: r.request.body for r in c.requests}
    assert bodies == {
        "raw": Body("raw", raw="<a/>", language="xml"),
        "urlencoded": Body("urlencoded", fields=(("a", "1"), ("c", ""))),
        "formdata": Body("formdata", fields=(("title", "cat"),)),
        "file": Body("file", file_src="/does/not/exist.bin"),
        "graphql": Body("graphql", raw="{ hero { id } }", graphql_variables='{"a": 1}'),
        "graphql dict vars": Body("graphql", raw="{ hero { id } }", graphql_variables='{"a": 1}'),
        "disabled": None,
        "null": None,
        "empty": None,
    }


def test_environment_disabled_and_duplicates() -> None:
    env = load_environment(fixture("dev.postman_environment.json"))
    assert env.name == "dev" and env.id.startswith("0f1e2d3c")
    assert [(v.key, v.value) for v in env.variables] == [
        ("baseUrl", "http://localhost:2"), ("port", "8080"), ("flag", "false")]


def test_environment_api_wrapper_and_passthrough() -> None:
    env = load_environment({"environment": {"name": "w", "values": [{"key": "a", "value": "1"}]}})
    assert env.variables[0].value == "1" and env.source == "<dict>"
    assert load_environment(env) is env
    c = load_collection(fixture("api-wrapped.postman_collection.json"))
    assert load_collection(c) is c
    with pytest.raises(CollectionError, match="environment="):
        load_collection(env)
    with pytest.raises(CollectionError, match="not as environment="):
        load_environment(c)


def test_wrong_kind_of_file() -> None:
    with pytest.raises(CollectionError, match="dev.postman_environment.json.*environment=") as info:
        load_collection(fixture("dev.postman_environment.json"))
    assert "Postman environment" in str(info.value)
    with pytest.raises(CollectionError, match="got a Postman collection"):
        load_environment(fixture("nested-v21.postman_collection.json"))
    with pytest.raises(CollectionError, match=V1_HINT) as info:
        load_collection(fixture("v1-tiny.postman_collection.json"))
    message = str(info.value)
    assert "v1-tiny.postman_collection.json" in message and "Export" in message
    assert "postman-collection-transformer" in message and "v2.1" in message
    with pytest.raises(CollectionError, match="'info' and an 'item' list"):
        load_collection({"name": "nothing here"})


# --- sources and encodings --------------------------------------------------------------------


def test_sources_and_labels(tmp_path: Path) -> None:
    doc = {"info": {"name": "n", "schema": "v2.1.0"}, "item": []}
    text = json.dumps(doc)
    path = tmp_path / "c.json"
    path.write_text(text, encoding="utf-8")
    assert load_collection(str(path)).source == str(path)
    assert load_collection(path).source == str(path)
    assert load_collection("  \n" + text).source == "<string>"
    assert load_collection(text.encode()).source == "<bytes>"
    assert load_collection(doc).source == "<dict>"
    assert read_json(path) == (doc, str(path))
    with pytest.raises(CollectionError, match="expected a file path"):
        load_collection(42)  # type: ignore[arg-type]
    with pytest.raises(CollectionError, match="^<string>: empty"):
        load_collection("  ")
    with pytest.raises(CollectionError, match="^<list>: expected a Postman collection"):
        load_collection([])  # type: ignore[arg-type]


@pytest.mark.parametrize("codec,bom", [
    ("utf-8", codecs.BOM_UTF8), ("utf-16-le", codecs.BOM_UTF16_LE), ("utf-16-be", codecs.BOM_UTF16_BE),
])
def test_encodings_with_bom(tmp_path: Path, codec: str, bom: bytes) -> None:
    doc = {"info": {"name": "Ünïcode ✓", "schema": "v2.1.0"}, "item": [{"name": "é", "request": "/x"}]}
    path = tmp_path / f"{codec}.json"
    path.write_bytes(bom + json.dumps(doc, ensure_ascii=False, indent=2).replace("\n", "\r\n").encode(codec))
    c = load_collection(path)
    assert c.name == "Ünïcode ✓" and c.requests[0].name == "é"


def test_plain_utf8_without_bom(tmp_path: Path) -> None:
    path = tmp_path / "plain.json"
    path.write_text('{"item": [], "info": {"name": "ça"}}', encoding="utf-8")
    assert load_collection(path).name == "ça"


@pytest.mark.parametrize("data,detail", [
    ('{"info": {"name": "café"}, "item": []}'.encode("latin-1"), "not valid utf-8"),
    ('{"item": []}'.encode("utf-16-le"), "without a byte-order mark"),
    (codecs.BOM_UTF32_LE + '{"item": []}'.encode("utf-32-le"), "UTF-32"),
    (codecs.BOM_UTF16_LE + b"\x00\xd8{\x00", "not valid utf-16-le"),
])
def test_bad_encodings_name_the_file(tmp_path: Path, data: bytes, detail: str) -> None:
    path = tmp_path / "weird-encoding.json"
    path.write_bytes(data)
    with pytest.raises(CollectionError) as info:
        load_collection(path)
    message = str(info.value)
    assert "weird-encoding.json" in message and "re-save it as UTF-8" in message and detail in message


def test_invalid_json_gives_line_and_column(tmp_path: Path) -> None:
    path = tmp_path / "broken.json"
    path.write_text('{\n  "info": {"name": "x"},\n  "item": [,]\n}')
    with pytest.raises(CollectionError, match=r"broken\.json: invalid JSON at line 3, column 12"):
        load_collection(path)
    with pytest.raises(CollectionError, match="empty"):
        load_collection(b"   ")
    with pytest.raises(CollectionError, match="nested deeper than 256 levels"):
        load_collection("[" * 200_000)


def test_missing_file_and_directory(tmp_path: Path) -> None:
    with pytest.raises(CollectionError, match="nope.json: no such file"):
        load_collection(tmp_path / "nope.json")
    with pytest.raises(CollectionError, match="no such file"):
        load_environment("missing-env.json")
    with pytest.raises(CollectionError, match="is a directory"):
        load_collection(tmp_path)


# --- strictness and error messages ------------------------------------------------------------


def base_doc() -> dict:
    return {
        "info": {"name": "t", "schema": "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"},
        "item": [{"name": "r", "request": {"method": "GET", "url": "/a", "header": []},
                  "response": [{"name": "ok", "code": 200, "header": [], "body": "{}"}]}],
    }


@pytest.mark.parametrize("where,value,json_path,expected", [
    (("item", 0, "response", 0, "code"), "abc", "item[0].response[0].code", "integer 100–599"),
    (("item", 0, "response", 0, "code"), 99, "item[0].response[0].code", "integer 100–599"),
    (("item", 0, "response", 0, "code"), 600, "item[0].response[0].code", "integer 100–599"),
    (("item", 0, "response", 0, "code"), True, "item[0].response[0].code", "integer 100–599"),
    (("item",), 5, "item", "an object with an 'item' list is a folder"),
    (("item", 0, "request", "header"), 3, "item[0].request.header", "list of headers"),
    (("item", 0, "request", "url"), 3, "item[0].request.url", "URL string or a URL object"),
    (("item", 0, "response", 0, "originalRequest"), {"url": 1},
     "item[0].response[0].originalRequest.url", "URL string"),
    (("item", 0, "request", "method"), 1, "item[0].request.method", "HTTP method"),
    (("item", 0), "folder?", "item[0]", "a request {name, request} or a folder {name, item}"),
    (("item", 0, "response"), "nope", "item[0].response", "list of saved examples"),
])
def test_type_errors_name_the_path(where: tuple, value: object, json_path: str, expected: str) -> None:
    doc = base_doc()
    target = doc
    for key in where[:-1]:
        target = target[key]
    target[where[-1]] = value
    with pytest.raises(CollectionError) as info:
        load_collection(json.dumps(doc))
    err = info.value
    assert (err.source, err.path) == ("<string>", json_path)
    assert expected in err.expected and f"<string>: {json_path}: " in str(err)


def test_numeric_string_code_and_float_code() -> None:
    doc = base_doc()
    doc["item"][0]["response"][0]["code"] = " 201 "
    assert load_collection(doc).examples[0].response.code == 201
    doc["item"][0]["response"][0]["code"] = 418.0
    assert load_collection(doc).examples[0].response.status == "I'm a Teapot"


def test_deep_folders_hit_the_depth_limit() -> None:
    doc = base_doc()
    node: dict = {"name": "leaf", "request": "/x"}
    for _ in range(MAX_DEPTH + 50):
        node = {"name": "f", "item": [node]}
    doc["item"] = [node]
    with pytest.raises(CollectionError, match=f"nested deeper than {MAX_DEPTH} levels"):
        load_collection(doc)
    node = {"name": "leaf", "request": "/x", "response": [{"code": 200}]}
    for _ in range(MAX_DEPTH - 2):
        node = {"name": "f", "item": [node]}
    assert len(load_collection({"item": [node]}).examples[0].folder) == MAX_DEPTH - 2


def test_unforeseen_values_become_collection_errors() -> None:
    deep: list = []
    for _ in range(100_000):
        deep = [deep]
    doc = base_doc()
    doc["item"][0]["response"][0]["body"] = deep  # json.dumps -> RecursionError
    with pytest.raises(CollectionError) as info:
        load_collection(doc)
    assert info.value.path.startswith("item[0].response[0]")
    doc = base_doc()
    doc["item"][0]["request"]["header"] = [{"key": object()}]  # not JSON at all
    with pytest.raises(CollectionError, match=r"item\[0\]"):
        load_collection(doc)


# --- the corpus -------------------------------------------------------------------------------


@pytest.mark.corpus
@pytest.mark.parametrize("path", corpus_files("collections", "*.postman_collection.json"))
def test_corpus_collections_load(path: Path, corpus_dir: Path) -> None:
    c = load_collection(path)
    assert c.source == str(path) and c.schema in ("v2.0.0", "v2.1.0")
    assert [e.position for e in c.examples] == list(range(len(c.examples)))
    assert sum(r.example_count for r in c.requests) == len(c.examples)


@pytest.mark.corpus
@pytest.mark.parametrize("path", corpus_files("peer-fixtures", "**/*.json"))
def test_corpus_peer_fixtures_load(path: Path, corpus_dir: Path) -> None:
    assert isinstance(load_collection(path), Collection)


@pytest.mark.corpus
@pytest.mark.parametrize("path", corpus_files("bad-input"))
def test_corpus_bad_input_loads_or_names_the_file(path: Path, corpus_dir: Path) -> None:
    loader: Callable[[Path], object] = load_environment if "environment" in path.name else load_collection
    try:
        assert isinstance(loader(path), (Collection, Environment))
    except CollectionError as exc:
        assert path.name in str(exc)
        if path.name.startswith("v1-"):
            assert V1_HINT in str(exc) and "Export" in str(exc)


@pytest.mark.corpus
def test_corpus_counts_match_the_manifest(corpus_dir: Path) -> None:
    counts = {"apideck-crm": (40, 280), "fastly": (406, 406), "postman-api": (48, 82),
              "gotomeeting-v200": (53, 7), "graphql-no-examples": (5, 0), "twitter-api-v2": (13, 61)}
    for name, expected in counts.items():
        c = load_collection(corpus_dir / "collections" / f"{name}.postman_collection.json")
        assert (len(c.requests), len(c.examples)) == expected, name


@pytest.mark.corpus
def test_corpus_odd_shapes(corpus_dir: Path) -> None:
    bad = corpus_dir / "bad-input"
    legacy = load_collection(bad / "legacy-request-structure.postman_collection.json")
    assert legacy.schema == "v2.1.0"
    url = legacy.requests[0].request.url
    assert (url.host, url.path, url.variables) == ("postman-echo.com", ("alpha", "{{beta}}", ":gamma"),
                                                   (("gamma", "radiation"),))
    assert legacy.examples[1].request.url.raw == "https://sync.getpostman.com/api/collectionrun"
    assert legacy.examples[0].request.body is not None  # the legacy "data" key
    null_body = load_collection(bad / "response-body-null.postman_collection.json")
    ex = null_body.examples[0]
    assert (ex.response.body, ex.response.status, ex.request.body) == ("", "200 OK", None)
    assert ex.request.method == "POST"  # no originalRequest -> the item's request
    custom = load_collection(bad / "custom-method-and-get-body.postman_collection.json")
    assert "POSTMAN" in {r.request.method for r in custom.requests}
    assert load_collection(bad / "utf8-bom.postman_collection.json").schema == "v2.0.0"
    empty_header = load_collection(bad / "empty-header-object.postman_collection.json")
    assert all(k for k, _ in empty_header.examples[0].response.headers)
    peer = corpus_dir / "peer-fixtures" / "postman-local-mock-server"
    assert len(load_collection(peer / "all-request-types.postman_collection.json").examples) == 9
    folder_tests = load_collection(peer / "folder-tests.postman_collection.json")
    assert any(r.request.url == Url() for r in folder_tests.requests)
    echo = load_collection(corpus_dir / "collections" / "postman-echo.postman_collection.json")
    assert any(e.request.method == "GET" and e.request.url.raw == "" for e in echo.examples)
    api = load_collection(corpus_dir / "collections" / "postman-api.postman_collection.json")
    raw_examples = [ex for item in walk_items(read(Path(api.source))["item"]) for ex in item.get("response", [])]
    assert sum("code" not in ex for ex in raw_examples) == 4  # MANIFEST: 4 examples without a code
    codes = [e.response.code for e, raw in zip(api.examples, raw_examples) if "code" not in raw]
    assert codes == [200] * 4


@pytest.mark.corpus
def test_corpus_environments(corpus_dir: Path) -> None:
    utf16 = load_environment(corpus_dir / "bad-input" / "utf16le.postman_environment.json")
    assert [v.key for v in utf16.variables] == ["serviceHostName", "servicePortNumber", "expectedDataXML",
                                                "serviceDatabaseConnection"]
    assert utf16.variables[0].value == "localhost"
    dup = load_environment(corpus_dir / "bad-input" / "disabled-and-duplicate-vars.postman_environment.json")
    assert [(v.key, v.value) for v in dup.variables] == [("oneDisabled", "1"), ("duplicate", "2")]
    crm = load_environment(corpus_dir / "collections" / "apideck-crm.postman_environment.json")
    assert dict((v.key, v.value) for v in crm.variables)["baseUrl"] == "http://localhost:3050"


@pytest.mark.corpus
def test_corpus_v1_files_are_refused(corpus_dir: Path) -> None:
    for path in sorted((corpus_dir / "bad-input").glob("v1-*.json")):
        with pytest.raises(CollectionError, match=V1_HINT) as info:
            load_collection(path)
        assert path.name in str(info.value) and "npx postman-collection-transformer" in str(info.value)


def bad_code_message(source: Path, tmp_path: Path) -> str:
    """Set ``item[0].response[0].code`` (in the first request item) to "abc"; return the error."""
    doc = read(source)
    items = doc["item"]
    while "item" in items[0]:
        items = items[0]["item"]
    items[0]["response"][0]["code"] = "abc"
    copy = tmp_path / source.name
    copy.write_text(json.dumps(doc), encoding="utf-8")
    with pytest.raises(CollectionError) as info:
        load_collection(copy)
    return str(info.value)


def test_message_for_a_bad_code_in_a_fixture(tmp_path: Path) -> None:
    message = bad_code_message(fixture("v20-string-urls.postman_collection.json"), tmp_path)
    assert message.startswith(str(tmp_path / "v20-string-urls.postman_collection.json") + ": ")
    assert "item[0].response[0].code: expected an HTTP status code (integer 100–599); got 'abc'" in message


@pytest.mark.corpus
def test_message_for_a_bad_code_in_the_corpus(corpus_dir: Path, tmp_path: Path) -> None:
    message = bad_code_message(corpus_dir / "collections" / "todo-live.postman_collection.json", tmp_path)
    assert "todo-live.postman_collection.json" in message
    assert "item[0].response[0].code" in message and "integer 100–599" in message


# --- fuzzing ----------------------------------------------------------------------------------

HUGE = "x" * 1_000_000
FUZZ_CASES = 3000


def shrink(value: Any, keep: int = 4) -> Any:
    """A copy with every list cut to ``keep`` entries, so each fuzz case loads in about 1 ms."""
    if isinstance(value, dict):
        return {k: shrink(v, keep) for k, v in value.items()}
    if isinstance(value, list):
        return [shrink(v, keep) for v in value[:keep]]
    return value


def fuzz_documents() -> list[tuple[str, Any]]:
    paths = fixture_files("*.postman_collection.json")
    if CORPUS_DIR.is_dir():
        paths += sorted(CORPUS_DIR.glob("**/*.json"))
    return [(p.name, shrink(read(p))) for p in paths]


def deep_nest(value: Any, rng: random.Random) -> Any:
    if rng.random() < 0.5:
        for _ in range(rng.choice([50, 500, 5000])):
            value = {"name": "f", "item": [value]}
        return value
    for _ in range(rng.choice([100, 3000])):
        value = [value]
    return value


def replacement(rng: random.Random, old: Any, doc: Any) -> tuple[str, Any]:
    choices: list[tuple[str, Callable[[], Any]]] = [
        ("null", lambda: None),
        ("number", lambda: rng.choice([0, -1, 42, 200, 99999, 1.5, 10**30, float("nan")])),
        ("string", lambda: rng.choice(["", "abc", "200", "{{x}}", "Key: v\nK2", "/a/b", "\x00\ud800"])),
        ("list", lambda: rng.choice([[], [None], [1, "a"], [{}]])),
        ("dict", lambda: rng.choice([{}, {"key": None}, {"item": 1}, {"mode": "raw", "raw": 5}])),
        ("true", lambda: True),
        ("wrap-in-list", lambda: [old]),
        ("deep-nest", lambda: deep_nest(old, rng)),
        ("huge-string", lambda: HUGE),
        ("graft", lambda: random_node(doc, rng)[2]),
    ]
    name, make = rng.choice(choices)
    return name, make()


def random_node(doc: Any, rng: random.Random) -> tuple[Any, Any, Any, str]:
    """Walk down from the root to a random node: (parent, key, value, json path)."""
    parent, key, value, path = None, None, doc, ""
    while isinstance(value, (dict, list)) and value and (parent is None or rng.random() > 0.15):
        keys = list(value.keys()) if isinstance(value, dict) else list(range(len(value)))
        parent, key = value, rng.choice(keys)
        path += f"[{key}]" if isinstance(key, int) else f".{key}"
        value = parent[key]
    return parent, key, value, path


def mutate(doc: Any, rng: random.Random) -> tuple[list[str], list[Callable[[], None]]]:
    """Apply 1-3 mutations in place; return their descriptions and the undo steps."""
    described, undo = [], []
    for _ in range(rng.choice([1, 1, 2, 3])):
        parent, key, old, path = random_node(doc, rng)
        if parent is None:
            continue
        if rng.random() < 0.2:
            if isinstance(parent, dict):
                del parent[key]
                undo.append(lambda p=parent, k=key, o=old: p.__setitem__(k, o))
            else:
                parent.pop(key)
                undo.append(lambda p=parent, k=key, o=old: p.insert(k, o))
            described.append(f"drop {path}")
            continue
        name, new = replacement(rng, old, doc)
        parent[key] = new
        undo.append(lambda p=parent, k=key, o=old: p.__setitem__(k, o))
        described.append(f"{name} at {path}")
    return described, undo


def test_fuzz_mutations_raise_only_collection_errors() -> None:
    documents = fuzz_documents()
    for seed in range(FUZZ_CASES):
        rng = random.Random(seed)
        name, doc = rng.choice(documents)
        described, undo = mutate(doc, rng)
        try:
            result = load_collection(doc)
            assert isinstance(result, Collection)
        except CollectionError as exc:
            assert exc.source == "<dict>"
        except Exception as exc:  # noqa: BLE001
            pytest.fail(f"seed {seed}, {name}, {described}: {type(exc).__name__}: {exc}")
        finally:
            for step in reversed(undo):
                step()


def test_fuzz_text_input_raises_only_collection_errors() -> None:
    documents = [(n, json.dumps(d)) for n, d in fuzz_documents() if len(json.dumps(d)) < 20_000]
    for seed in range(300):
        rng = random.Random(seed)
        name, text = rng.choice(documents)
        pos = rng.randrange(len(text))
        insert = rng.choice(["", "}", '"', "\\", "\ufeff", "null,"])
        broken = text[:pos] + insert + text[pos + rng.randrange(3):]
        data = broken.encode(rng.choice(["utf-8", "utf-16", "latin-1", "utf-8-sig"]), errors="replace")
        for source in (broken, data):
            try:
                load_collection(source)
            except CollectionError:
                pass
            except Exception as exc:  # noqa: BLE001
                pytest.fail(f"seed {seed}, {name}, cut at {pos}: {type(exc).__name__}: {exc}")


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(st.sampled_from(["item", "request", "response", "url", "header", "body", "code",
                                       "name", "info", "variable", "values", "mode", "raw", "path", "query",
                                       "originalRequest", "collection", "key", "value", "disabled"])
                      | st.text(max_size=8), children, max_size=5),
    max_leaves=30,
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(json_values)
def test_hypothesis_any_json_value(value: Any) -> None:
    for loader in (load_collection, load_environment):
        try:
            loader(value if isinstance(value, dict) else json.dumps(value))
        except CollectionError:
            pass
