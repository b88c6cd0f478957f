"""The Explorer, driven headlessly: set values, click, assert on state and tables."""

from __future__ import annotations

import re
import time

import pytest

import mockkit
from builders import coll, colon_path, ex
from mockkit.demo import DEMO_COLLECTION
from mockkit.explanation import Explanation
from mockkit.widgets import Explorer


@pytest.fixture
def explorer():
    server = mockkit.MockServer(DEMO_COLLECTION, seed=1).start()
    ex = Explorer(server, debounce=0, poll=0)
    yield ex
    ex.close()
    server.stop()


def winner(frame):
    return frame[frame["selected"]].iloc[0]["example"] if frame["selected"].any() else None


def test_examples_pane_lists_and_filters(explorer):
    options = explorer.widgets["examples"].options
    assert len(options) == 14
    assert any(label.startswith("[GET] /users · 200 · All users") and "Users › List users" in label for label, _ in options)
    explorer.widgets["filter"].value = "orders"
    assert {label.split(" · ")[0] for label, _ in explorer.widgets["examples"].options} == {"[GET] /orders", "[GET] /orders/1001"}
    explorer.widgets["filter"].value = "404"
    assert [label.split(" · ")[2].split("  ")[0] for label, _ in explorer.widgets["examples"].options] == ["User not found"]


def test_select_and_use_an_example(explorer):
    pos = next(v for label, v in explorer.widgets["examples"].options if "Users, page 2" in label)
    explorer.widgets["examples"].value = pos
    detail = explorer.widgets["example_detail"].value
    assert "Users, page 2" in detail and "GET /users?page=2" in detail and "Grace Hopper" in detail
    explorer.widgets["use_example"].click()
    assert explorer.widgets["method"].value == "GET" and explorer.widgets["path"].value == "/users"
    assert explorer.query.items() == [("page", "2")]
    assert winner(explorer.live_frame) == "Users, page 2"
    assert "Users, page 2" in explorer.widgets["summary"].value


def test_live_table_follows_every_edit_without_sending(explorer):
    explorer.widgets["method"].value = "GET"
    explorer.widgets["path"].value = "/users/7"
    assert winner(explorer.live_frame) == "User found"
    explorer.widgets["response_code"].value = "404"
    assert winner(explorer.live_frame) == "User not found"
    explorer.widgets["response_code"].value = "(none)"
    explorer.headers.add("x-mock-response-name", "Healthy")
    assert winner(explorer.live_frame) == "Healthy"
    key, value, remove = explorer.headers.rows[0]
    remove.click()
    assert winner(explorer.live_frame) == "User found"
    explorer.widgets["path"].value = "/nowhere"
    assert winner(explorer.live_frame) is None and "no example matches" in explorer.widgets["summary"].value
    assert explorer.server.calls.empty  # nothing was sent


def test_send_shows_the_response_and_the_highlighted_winner(explorer):
    explorer.widgets["method"].value = "POST"
    explorer.widgets["path"].value = "/users"
    explorer.headers.add("content-type", "application/json")
    explorer.widgets["body"].value = '{"name": "Mary"}'
    explorer.widgets["send"].click()
    assert explorer.last_response is not None and explorer.last_response.status_code == 201
    result = explorer.widgets["result"].value
    assert "201 Created" in result and "Mary" in result
    assert winner(explorer.last_frame) == "User created"
    live = explorer.widgets["live"].value
    assert re.search(r"<tr class='mk-row mk-winner'[^>]*>.*?User created", live, re.S)  # highlighted, first
    assert "mk-bar-fill" in live
    assert isinstance(explorer.last_frame, Explanation) and isinstance(explorer.live_frame, Explanation)
    assert explorer.widgets["calls"].options and "POST /users" in explorer.widgets["calls"].options[0][0]


def test_call_log_shows_outside_calls_and_explains_them(explorer):
    import httpx

    with httpx.Client(base_url=explorer.server.url, trust_env=False) as outside:
        outside.get("/orders", params={"status": "shipped"})
    explorer.refresh_calls()
    label, call_id = explorer.widgets["calls"].options[0]
    assert "GET /orders?status=shipped" in label and "Shipped orders" in label
    explorer.widgets["calls"].value = call_id
    assert "Shipped orders" in explorer.widgets["call_detail"].value


def test_the_poller_picks_up_calls_by_itself():
    with mockkit.MockServer(DEMO_COLLECTION) as server:
        ex = Explorer(server, debounce=0, poll=0.05)
        try:
            server.get("/health")
            deadline = time.monotonic() + 5
            while time.monotonic() < deadline and not ex.widgets["calls"].options:
                time.sleep(0.05)
            assert ex.widgets["calls"].options
        finally:
            ex.close()


def test_debounced_updates_arrive():
    with mockkit.MockServer(DEMO_COLLECTION) as server:
        ex = Explorer(server, debounce=0.05, poll=0)
        try:
            ex.widgets["path"].value = "/users/me"
            deadline = time.monotonic() + 5
            while time.monotonic() < deadline and winner(ex.live_frame) != "Current user":
                time.sleep(0.02)
            assert winner(ex.live_frame) == "Current user"
        finally:
            ex.close()


def test_callback_errors_are_shown_not_lost(explorer):
    explorer.widgets["examples"].value = None
    explorer.widgets["use_example"].click()
    assert explorer.errors and "select an example first" in explorer.widgets["errors"].value
    explorer.server.stop()
    explorer.widgets["send"].click()
    assert "stopped" in explorer.errors[-1] and "stopped" in explorer.widgets["errors"].value


def test_widgets_carry_css_classes_and_display(explorer):
    assert "mk-send" in explorer.widgets["send"]._dom_classes
    assert "mk-explorer" in explorer.ui._dom_classes
    bundle = explorer._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle


def test_explore_from_the_server():
    with mockkit.MockServer(DEMO_COLLECTION) as server:
        ex = server.explore()
        try:
            assert isinstance(ex, Explorer) and ex.server is server
        finally:
            ex.close()


def _use(explorer, name):
    pos = next(v for label, v in explorer.widgets["examples"].options if f"· {name}   (" in label)
    explorer.widgets["examples"].value = pos
    explorer.widgets["use_example"].click()


def test_using_a_shadowed_example_fills_in_the_header_that_reaches_it(explorer):
    _use(explorer, "User not found")  # saved at the same path as "User found", which wins the tie
    assert explorer.widgets["response_code"].value == "404"
    assert winner(explorer.live_frame) == "User not found"
    assert "cannot be reached by its own saved request" in explorer.hint
    assert "x-mock-response-code: 404" in explorer.widgets["summary"].value
    _use(explorer, "User found")  # reachable: nothing added, the hint goes away
    assert explorer.widgets["response_code"].value == "(none)" and explorer.hint == ""
    assert winner(explorer.live_frame) == "User found"


SAME_REQUEST = coll(ex("/status", name="Open", id="s-1"), ex("/status", name="Busy", id="s-2"),
                    ex("/twins", name="Twin", id="t-1"), ex("/twins", name="Twin", id="t-2"))


@pytest.mark.parametrize("name, position, header", [
    ("Busy", 1, ("response_name", "Busy")),
    ("Twin", 3, ("x-mock-response-id", "t-2")),
])
def test_reaching_by_name_or_id(name, position, header):
    with mockkit.MockServer(SAME_REQUEST) as server:
        ex_ = Explorer(server, debounce=0, poll=0)
        try:
            ex_.widgets["examples"].value = position
            ex_.widgets["use_example"].click()
            if header[0] == "response_name":
                assert ex_.widgets["response_name"].value == header[1]
            else:
                assert (header[0], header[1]) in ex_.headers.items()
            chosen = ex_.live_frame[ex_.live_frame["selected"]].iloc[0]
            assert chosen["position"] == position
            assert ex_.send().status_code == 200 and ex_.last_frame.winner["position"] == position
        finally:
            ex_.close()


def test_the_table_shows_whole_scores_full_reasons_and_differing_bars(explorer):
    explorer.widgets["path"].value = "/users?page=2"
    live = explorer.widgets["live"].value
    scores = re.findall(r"<span class='mk-score'[^>]*>([^<]+)<", live)
    assert scores[:3] == ["110", "99", "98"] and not any("." in s for s in scores)
    widths = [float(w) for w in re.findall(r"mk-bar-fill' style='[^']*width:([\d.]+)%", live)]
    assert widths[0] - widths[1] >= 5
    for reason in explorer.live_frame["reason"].head(explorer.TABLE_ROWS):
        assert reason.split("`")[0].replace("'", "&#x27;") in live
    assert "max-height" not in live  # no inner scroll box: the rows are all there to see


SERVED = colon_path("First note", "https://notes.test/api/v1", "1")


def test_examples_and_requests_use_the_served_path():
    with mockkit.MockServer(SERVED) as server:
        ex_ = Explorer(server, debounce=0, poll=0)
        try:
            label, position = ex_.widgets["examples"].options[0]
            assert label.startswith("[GET] /api/v1/notes/1 · 200 · First note")
            ex_.widgets["examples"].value = position
            ex_.widgets["use_example"].click()
            assert ex_.widgets["path"].value == "/api/v1/notes/1" and ex_.hint == ""
            assert ex_.send().status_code == 200
        finally:
            ex_.close()


def test_the_header_says_when_the_server_stopped():
    server = mockkit.MockServer(DEMO_COLLECTION).start()
    ex_ = Explorer(server, debounce=0, poll=0.05)
    try:
        assert server.url in ex_.widgets["header"].value
        server.stop()
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and "server stopped" not in ex_.widgets["header"].value:
            time.sleep(0.05)
        assert "server stopped" in ex_.widgets["header"].value
    finally:
        ex_.close()
