"""HAR import (issue 16): ``mockkit.from_har`` and ``mockkit import-har`` turn a browser's export
(``tests/fixtures/capture.har``, written for these tests) into a collection with saved examples,
named, placed and redacted as recordings are, that a mock then serves."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import mockkit
from mockkit.cli import main

HAR = Path(__file__).parent / "fixtures" / "capture.har"
SECRETS = ("eyJhbGciOi.secret", "abc123", "live-key-42", "cart-secret")


def by_label(collection: mockkit.Collection) -> dict[str, mockkit.Collection]:
    return {" / ".join((*e.folder, e.request_name, e.name)): e for e in collection.examples}  # type: ignore[misc]


def test_a_har_export_becomes_named_and_placed_examples():
    collection = mockkit.from_har(HAR, redact="token", hosts=["api.shop.test"])
    assert collection.name == "capture"
    assert list(by_label(collection)) == [
        "products / GET /v1/products / 200 OK",
        "products / GET /v1/products / 200 OK ?category=tea&page=2",
        "products / GET /v1/products/7 / 200 OK",
        "products / GET /v1/products/404 / 404 Not Found",
        "cart / POST /v1/cart/items / 201 Created",
    ]
    description = collection.description
    assert "5 example(s)" in description and "1 not text" in description and "1 no answer" in description
    assert "1 not http" in description and "1 other host" in description
    everything = by_label(mockkit.from_har(HAR))
    assert everything["collect / GET /collect / 204 No Content"].response.body == ""


def test_har_bodies_headers_and_secrets_follow_the_recording_rules():
    examples = by_label(mockkit.from_har(HAR, redact=["token"]))
    first = examples["products / GET /v1/products / 200 OK"]
    headers = dict(first.response.headers)
    assert "content-encoding" not in headers and "content-length" not in headers  # saved decoded (spec 9.12)
    assert headers["set-cookie"] == "[redacted]" and headers["x-request-id"] == "r-1"
    request_headers = dict(first.request.headers)
    assert request_headers["authorization"] == "[redacted]" and request_headers["cookie"] == "[redacted]"
    assert not any(k.startswith(":") for k in request_headers)  # HTTP/2 pseudo-headers left out
    assert first.response.preview_language == "json"
    cart = examples["cart / POST /v1/cart/items / 201 Created"]
    assert json.loads(cart.response.body)["token"] == "[redacted]"
    assert json.loads(cart.request.body.raw) == {"productId": 7, "qty": 1}
    assert dict(cart.request.headers)["x-api-key"] == "[redacted]"
    assert {k.lower() for k, _ in cart.response.headers} == {"content-type"}  # hop-by-hop dropped
    product = examples["products / GET /v1/products/7 / 200 OK"]
    assert json.loads(product.response.body)["price"] == 5.0  # the last answer of a request wins


def test_import_har_writes_a_collection_a_mock_serves(tmp_path, capsys):
    out = tmp_path / "shop.postman_collection.json"
    assert main(["import-har", str(HAR), "--to", str(out), "--host", "api.shop.test", "--redact", "token"]) == 0
    assert "wrote collection 'capture' (5 examples from" in capsys.readouterr().out
    text = out.read_text()
    for secret in SECRETS:
        assert secret not in text, secret
    with mockkit.MockServer(str(out)) as mock:
        assert mock.get("/v1/products?category=tea&page=2").json() == {"items": [], "page": 2}
        assert mock.get("/v1/products?category=tea&page=1").json()["page"] == 1
        assert mock.post("/v1/cart/items", json={"productId": 7, "qty": 1}).status_code == 201
        assert mock.get("/v1/products/404").status_code == 404
        assert mock.get("/v1/products/7").json()["price"] == 5.0
    assert main(["import-har", str(HAR), "--to", str(out)]) == 2  # an existing file is kept
    assert "already exists" in capsys.readouterr().err
    tree = tmp_path / "tree"
    assert main(["import-har", str(HAR), "--to", str(tree), "--name", "Shop"]) == 0
    assert mockkit.load_collection(str(tree)).name == "Shop" and len(mockkit.load_collection(str(tree)).examples) == 6


def test_the_host_filter_keeps_only_those_hosts():
    assert len(mockkit.from_har(HAR, hosts=["analytics.other.test"]).examples) == 1
    assert "8 other host, 1 not http" in mockkit.from_har(HAR, hosts=["analytics.other.test"]).description


@pytest.mark.parametrize("document, where", [
    ({"entries": []}, "log.entries"),
    ({"log": {"entries": [{"request": {"method": "GET"}, "response": {}}]}}, "log.entries[0].request"),
    ({"log": {"entries": [{"request": {"method": "GET", "url": "http://h/a", "headers": {"a": "b"}},
                           "response": {"status": 200, "content": {"text": "x"}}}]}}, "log.entries[0].request.headers"),
    ({"log": {"entries": [{"request": {"method": "GET", "url": "http://h/a"},
                           "response": {"status": 200, "content": {"text": "@@", "encoding": "base64"}}}]}},
     "log.entries[0].response.content.text"),
])
def test_a_file_that_is_not_har_names_the_place_and_the_fix(tmp_path, document, where):
    bad = tmp_path / "bad.har"
    bad.write_text(json.dumps(document))
    with pytest.raises(mockkit.CollectionError) as raised:
        mockkit.from_har(bad)
    assert raised.value.path == where and str(bad) in str(raised.value)
