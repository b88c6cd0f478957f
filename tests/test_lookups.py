"""x-mock-response-name / -id lookups explained by the stage that actually decided (spec 1.2
step 3): every row says why it was dropped (method, status, or its name/id), never the path the
lookup does not compare; the lookup's outcome is in the verdict (notes), with a close name when
none matched exactly; the CLI prints it."""

from __future__ import annotations

import json

import pytest

import mockkit
from mockkit.cli import main

from builders import coll, ex

SHOP = coll(
    ex("/orders", name="Order placed", id="o1", method="POST", code=201),
    ex("/orders", name="order rejected", id="o2", method="POST", code=422),
    ex("/orders/{{orderId}}", name="Order found", id="o3", code=200),
    ex("/orders/{{orderId}}", name="Order gone", id="o4", code=410),
    ex("/returns", name="Order placed", id="o5", method="PUT", code=200),
    ex("/refunds", name="Refund issued", id="r1", method="POST", code=201),
    ex("/refunds", name="Refund issued", id="r0", method="POST", code=500),
)

LOOKUPS = [
    # id, method, path, headers, winner, {example id: (stage, words in reason)}, words in the verdict
    ("name-found-path-ignored", "POST", "/nowhere/at/all", {"x-mock-response-name": "Order placed"}, "o1",
     {"o2": ("response-name", "asks for 'Order placed'; this example is named 'order rejected'"),
      "o3": ("method", "method is GET"), "o5": ("method", "method is PUT")},
     ["'Order placed' picked 'Order placed'", "without comparing the path"]),
    ("name-case-differs", "POST", "/orders", {"x-mock-response-name": "Order Rejected"}, None,
     {"o1": ("response-name", "asks for 'Order Rejected'; this example is named 'Order placed'"), "o3": ("method", "GET")},
     ["no example is named 'Order Rejected'", "did you mean 'order rejected'?", "compared exactly"]),
    ("name-typo", "GET", "/orders/5", {"x-mock-response-name": "Order fund"}, None,
     {"o3": ("response-name", "ignores the path"), "o4": ("response-name", "named 'Order gone'")},
     ["no example is named 'Order fund'", "did you mean 'Order found'?"]),
    ("name-far-from-all", "GET", "/orders/5", {"x-mock-response-name": "Invoice"}, None,
     {"o3": ("response-name", "asks for 'Invoice'")}, ["no example is named 'Invoice'"]),
    ("name-other-method", "PUT", "/orders/5", {"x-mock-response-name": "Order found"}, None,
     {"o3": ("method", "method is GET, the request is PUT"), "o5": ("response-name", "named 'Order placed'")},
     ["the example named 'Order found' is GET, not PUT"]),
    ("no-example-has-the-method", "DELETE", "/orders/5", {"x-mock-response-name": "Order found"}, None,
     {"o3": ("method", "method is GET, the request is DELETE")}, ["no example uses method DELETE"]),
    ("name-two-methods", "GET", "/orders", {"x-mock-response-name": "Order placed"}, None,
     {"o1": ("method", "POST"), "o5": ("method", "PUT")}, ["the examples named 'Order placed' are POST, PUT, not GET"]),
    ("name-other-status", "GET", "/orders/5", {"x-mock-response-name": "Order found", "x-mock-response-code": "404"},
     None, {"o3": ("response-code", "status 200 is not the 404"), "o4": ("response-code", "410")},
     ["the GET example named 'Order found' has status 200, not the 404"]),
    ("name-duplicates-tie-rule", "POST", "/x", {"x-mock-response-name": "Refund issued"}, "r1",
     {"r0": ("response-name", "tie rule")}, ["2 POST examples share that name", "a success (201) is preferred"]),
    ("id-found", "GET", "/somewhere", {"x-mock-response-id": "o4"}, "o4",
     {"o3": ("response-id", "asks for 'o4'; this example's id is 'o3'"), "o1": ("method", "POST")},
     ["x-mock-response-id 'o4' picked 'Order gone'"]),
    ("id-case-differs", "GET", "/orders/1", {"x-mock-response-id": "O3"}, None,
     {"o3": ("response-id", "asks for 'O3'; this example's id is 'o3'")}, ["no example has the id 'O3'", "did you mean 'o3'?"]),
]


@pytest.mark.parametrize("method, path, headers, winner, rows, verdict",
                         [pytest.param(*row[1:], id=row[0]) for row in LOOKUPS])
def test_lookup_rows_and_verdict(method, path, headers, winner, rows, verdict):
    frame = mockkit.explain(SHOP, method, path, headers=headers)
    chosen = frame[frame["selected"]]
    assert list(chosen["id"]) == ([winner] if winner else [])
    by_id = frame.set_index("id")
    for example_id, (stage, words) in rows.items():
        row = by_id.loc[example_id]
        assert row["stage"] == stage, row["reason"]
        assert words in row["reason"], row["reason"]
    assert "does not match" not in " ".join(frame["reason"])  # no row blames the path
    notes = " ".join(frame.attrs["notes"])
    for words in verdict:
        assert words in notes, notes


def test_lookup_verdict_over_http_matches_the_served_answer():
    with mockkit.MockServer(SHOP) as mock:
        r = mock.get("/orders/9", headers={"x-mock-response-name": "order found"})
        assert r.status_code == 404 and r.json()["error"]["name"] == "mockRequestNotFoundError"
        frame = mock.explain(r)
        assert "did you mean 'Order found'?" in " ".join(frame.attrs["notes"])


def test_cli_prints_the_lookup_verdict(tmp_path, capsys):
    path = tmp_path / "shop.json"
    path.write_text(json.dumps(SHOP))
    assert main(["explain", str(path), "GET", "/orders/1", "-H", "x-mock-response-name: order Found"]) == 0
    out = " ".join(capsys.readouterr().out.split())  # the terminal table wraps long lines
    assert "no example is named 'order Found'" in out and "did you mean 'Order found'?" in out
    assert "does not match" not in out
