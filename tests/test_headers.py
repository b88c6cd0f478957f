"""Request header values (spec 9.19): trimmed before comparing, and read as UTF-8 when their
bytes are valid UTF-8 (Latin-1 otherwise), the same through both doors (a real server on
127.0.0.1 and the in-process httpx transport), in matching, templates, name lookup and the call
log."""

from __future__ import annotations

import json

import httpx
import pytest

import mockkit
from mockkit import MockOptions, MockRequest, load_collection
from mockkit.explaining import explain
from mockkit.matching import Index, rank
from mockkit.model import header_text

from builders import coll, ex

# --- trimming ------------------------------------------------------------------------------------

TRIM_CASES = [
    # id, example header value, request header value, kept
    ("example-trailing-space", "Bearer abc ", "Bearer abc", True),
    ("example-leading-and-trailing", "  tenant-9\t", "tenant-9", True),
    ("request-padded", "v2", " v2 ", True),
    ("both-padded-differently", "\tx-1 ", "  x-1", True),
    ("inner-whitespace-still-counts", "Bearer  abc", "Bearer abc", False),
    ("padding-does-not-hide-a-difference", "Bearer abc ", "Bearer abd", False),
    ("blank-example-value-vs-blank-request", " ", "", True),
]


@pytest.mark.parametrize("saved, sent, kept", [pytest.param(*row[1:], id=row[0]) for row in TRIM_CASES])
def test_header_values_are_trimmed_on_both_sides(saved, sent, kept):
    index = Index(load_collection(coll(ex("/me", name="E", headers={"X-Token": saved}))))
    request = MockRequest.from_target("GET", "/me", headers={"x-token": sent})
    ranking = explain(rank(request, index, MockOptions(match_headers=("x-token",))))
    c = ranking.candidates[0]
    assert c.kept == kept, c.reason


# --- decoding --------------------------------------------------------------------------------------


@pytest.mark.parametrize("raw, text", [
    (b"plain", "plain"),
    ("Göteborg".encode(), "Göteborg"),  # valid UTF-8
    ("Zürich".encode("latin-1"), "Zürich"),  # not UTF-8: Latin-1
    ("北京".encode(), "北京"),
    (b"\xc3", "Ã"),  # a cut UTF-8 sequence is not UTF-8
    ("Göteborg".encode().decode("latin-1"), "Göteborg"),  # as Tornado hands it over
    ("already text: Ω", "already text: Ω"),  # not a Latin-1 decoding: left alone
])
def test_header_text(raw, text):
    assert header_text(raw) == text


CITY_APP = coll(
    ex("/weather", name="Göteborg", id="a", headers={"X-City": "Göteborg"},
       response_body='{"city": "{{$headers \'x-city\'}}", "from": "Göteborg"}', preview="json"),
    ex("/weather", name="Zürich", id="b", headers={"X-City": "Zürich"},
       response_body='{"city": "{{$headers \'x-city\'}}", "from": "Zürich"}', preview="json"),
    ex("/dessert", name="Crème brûlée", id="c", code=200, response_body='{"dessert": "crème"}', preview="json"),
    ex("/dessert", name="Crumble", id="d", code=200, response_body='{"dessert": "crumble"}', preview="json"),
)
SENT = [
    # id, header bytes as sent, the text they mean
    ("utf-8", "Göteborg".encode(), "Göteborg"),
    ("utf-8-other-city", "Zürich".encode(), "Zürich"),
    ("latin-1", "Zürich".encode("latin-1"), "Zürich"),
]


@pytest.fixture(scope="module")
def server():
    with mockkit.MockServer(CITY_APP) as mock:
        yield mock


@pytest.fixture(params=["server", "transport"])
def door(request, server):
    """(client, engine) for a real server on 127.0.0.1, or the in-process transport."""
    if request.param == "server":
        with httpx.Client(base_url=server.url, trust_env=False) as client:
            yield client, server.engine
    else:
        transport = mockkit.transport(CITY_APP)
        with httpx.Client(transport=transport, base_url="http://mock") as client:
            yield client, transport.engine


@pytest.mark.parametrize("raw, text", [pytest.param(*row[1:], id=row[0]) for row in SENT])
def test_non_ascii_header_in_matching_templates_and_call_log(door, raw, text):
    client, engine = door
    r = client.get("/weather", headers={"x-city": raw, "x-mock-match-request-headers": "x-city"})
    assert r.status_code == 200, r.text
    assert r.json() == {"city": text, "from": text}  # matched by the header and echoed intact
    call = engine.journal.get(r.headers["x-mockkit-call"])
    assert call.request.header("x-city") == text
    assert call.example == text


@pytest.mark.parametrize("name", ["Crème brûlée", "Crumble"])
@pytest.mark.parametrize("encoding", ["utf-8", "latin-1"])
def test_response_name_lookup_with_non_ascii_names(door, name, encoding):
    client, _ = door
    r = client.get("/anywhere", headers={"x-mock-response-name": name.encode(encoding)})
    assert r.status_code == 200
    assert r.json()["dessert"] == name.split()[0].lower()


def test_response_name_with_padding_and_utf8():
    collection = coll(ex("/d", name="Crème brûlée", id="c"), ex("/d", name="other", id="d"))
    index = Index(load_collection(collection))
    request = MockRequest.from_target("GET", "/x", headers={"x-mock-response-name": " Crème brûlée "})
    assert rank(request, index).winner.example.name == "Crème brûlée"


def test_echoed_non_ascii_header_goes_out_as_utf8(server):
    with httpx.Client(base_url=server.url, trust_env=False) as client:
        r = client.get("/weather", headers={"x-city": "Göteborg".encode()})
        body = json.loads(r.content.decode("utf-8"))
        assert body["city"] == "Göteborg"


@pytest.mark.parametrize("saved, sent, trimmed", [
    ("Bearer abc ", "Bearer abc", True),
    ("Bearer abc", " Bearer abc", True),
    ("Bearer abc", "Bearer abc", False),
])
def test_a_match_made_by_trimming_says_so(saved, sent, trimmed):
    index = Index(load_collection(coll(ex("/me", name="E", headers={"Authorization": saved}))))
    request = MockRequest.from_target("GET", "/me", headers={"authorization": sent})
    c = explain(rank(request, index, MockOptions(match_headers=("authorization",)))).candidates[0]
    sentence = next(ch.sentence for ch in c.checks if ch.step == "headers")
    assert ("spec 9.19" in sentence and "Postman" in sentence) == trimmed, sentence


def test_hub_mock_calls_read_utf8_headers_too(tmp_path):
    from mockkit.hub import serve_hub

    with serve_hub(tmp_path / "data", api_key="k" * 32) as hub:
        uid = hub.client.create_collection(CITY_APP)["collection"]["uid"]
        mock = hub.client.create_mock(uid, name="cities")["mock"]
        with httpx.Client(base_url=mock["mockUrl"], headers={"x-api-key": "k" * 32}, trust_env=False) as calls:
            r = calls.get("/x", headers={"x-mock-response-name": "Crème brûlée".encode(), "x-city": "Göteborg".encode()})
            assert r.status_code == 200 and r.json() == {"dessert": "crème"}
        (entry,) = hub.client.call_logs(mock["id"], include="request.headers")["call-logs"]
        sent = {h["key"].lower(): h["value"] for h in entry["request"]["headers"]}
        assert sent["x-city"] == "Göteborg" and entry["responseName"] == "Crème brûlée"
