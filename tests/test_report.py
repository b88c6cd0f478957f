"""DataFrames: stable columns and dtypes, one selected row, useful reasons."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import mockkit
from builders import coll, ex
from mockkit.report import EXAMPLE_COLUMNS, RANKING_COLUMNS, checks_frame, style_ranking

DEMO = Path(mockkit.__file__).parent / "demo" / "demo.postman_collection.json"


def test_explain_columns_and_dtypes():
    frame = mockkit.explain(DEMO, "GET", "/users", params={"page": "2"})
    assert list(frame.columns) == list(RANKING_COLUMNS)
    for column, dtype in RANKING_COLUMNS.items():
        assert str(frame[column].dtype) == str(pd.Series([], dtype=dtype).dtype), column
    assert len(frame) == 14
    assert frame["selected"].sum() == 1
    top = frame.iloc[0]
    assert top["selected"] and top["example"] == "Users, page 2" and top["score"] == 110
    assert top["stage"] == "selected" and top["path_rule"] == "a"


def test_reasons_name_the_cause():
    frame = mockkit.explain(DEMO, "GET", "/users", params={"page": "3"}).set_index("example")
    assert "`page`" in frame.loc["All users", "reason"]
    assert "behind the winner" in frame.loc["All users", "reason"]
    assert frame.loc["User created", "stage"] == "method"
    assert "POST" in frame.loc["User created", "reason"]
    assert frame.loc["Healthy", "stage"] == "path"


def test_nothing_matches_means_no_selected_row():
    frame = mockkit.explain(DEMO, "GET", "/nowhere")
    assert frame["selected"].sum() == 0
    assert frame["score"].isna().all()
    assert (frame["reason"] != "").all()


def test_control_headers_show_in_the_table():
    frame = mockkit.explain(DEMO, "GET", "/users/7", headers={"x-mock-response-code": "404"})
    winner = frame[frame["selected"]].iloc[0]
    assert winner["example"] == "User not found" and winner["status"] == 404
    found = frame.set_index("example").loc["User found"]
    assert found["stage"] == "response-code" and "404" in found["reason"]


def test_examples_frame():
    frame = mockkit.examples(DEMO)
    assert list(frame.columns) == list(EXAMPLE_COLUMNS)
    assert len(frame) == 14
    assert set(frame["folder"]) == {"Users", "Orders", ""}


def test_checks_and_styles(capsys):
    engine = mockkit.MockEngine(DEMO)
    ranking = engine.explain(mockkit.MockRequest.from_target("GET", "/users/me"))
    checks = checks_frame(ranking)
    assert {"path", "query", "method"} <= set(checks["step"])
    html = style_ranking(mockkit.report.ranking_frame(ranking)).to_html()
    assert "mockkit-ranking" in html and "Current user" in html
    assert capsys.readouterr().out == ""  # nothing prints


def test_problems_column_and_near_misses():
    doc = coll(ex("/users/me", name="me", response_body='{"id": {{$randomint}}, "x": "{{missing}}"}'))
    frame = mockkit.explain(doc, "GET", "/users/me")
    problems = frame.iloc[0]["problems"]
    assert "did you mean {{$randomInt}}" in problems and "{{missing}}" in problems
    miss = mockkit.explain(doc, "GET", "/users/meeeeeee").iloc[0]
    assert miss["stage"] == "path"
    assert "`me` vs `meeeeeee`" in miss["reason"] and "step h needs ≤ 0.2" in miss["reason"]
    deeper = mockkit.explain(doc, "GET", "/users/me/posts").iloc[0]
    assert "they have 2 and 3 segments" in deeper["reason"]


def test_each_styled_table_gets_its_own_css_id():
    frame = mockkit.explain(DEMO, "GET", "/users")
    first, second = style_ranking(frame).to_html(), style_ranking(frame).to_html()
    ids = {line.split("#T_")[1].split("_")[0] for html in (first, second) for line in html.splitlines() if "#T_" in line}
    assert len(ids) == 2
    assert "#T_fixed" in style_ranking(frame, uuid="fixed").to_html()


def test_explain_json_and_detail():
    frame = mockkit.explain(DEMO, "POST", "/users", json={"name": ""})
    assert frame.iloc[0]["example"] == "Invalid user" and frame.iloc[0]["body_points"] == 5
    detail = mockkit.explain(DEMO, "GET", "/users", params={"page": "2"}, detail=True)
    assert list(detail.columns) == ["example", "step", "ok", "points", "detail"]
    assert ((detail["example"] == "Users, page 2") & (detail["step"] == "query")).any()


def test_check_frame_and_wildcard_samples():
    frame = mockkit.check(DEMO)
    assert list(frame.columns) == ["severity", "kind", "where", "example", "message"]
    assert set(frame["severity"]) == {"info"}
    doc = coll(ex("/todos/{{todoId}}", response_body='{"id": {{todoId}}}',
                  response_headers={"Content-Type": "application/json"}))
    assert "invalid-json" not in set(mockkit.check(doc)["kind"])  # {{todoId}} is filled with a sample id


COLON = {
    "info": {"name": "colon", "schema": "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"},
    "item": [{"name": "lead", "request": {"method": "GET", "url": {"raw": "{{base}}/leads/:id", "host": ["{{base}}"],
                                                                    "path": ["leads", ":id"]}},
              "response": [{"name": "Lead", "code": 200, "body": '{"id": "{{id}}"}', "originalRequest": {
                  "method": "GET", "url": {"raw": "{{base}}/leads/:id", "host": ["{{base}}"], "path": ["leads", ":id"]}}}]}],
}


def test_colon_segments_without_a_value_are_literal_unless_asked():
    frame = mockkit.explain(COLON, "GET", "/leads/lead-7")
    assert frame["selected"].sum() == 0
    assert "`:id` has no url.variable entry" in frame.iloc[0]["reason"]  # an empty entry is a wildcard (9.20)
    assert "path-variable" in set(mockkit.check(COLON)["kind"])
    engine = mockkit.MockEngine(COLON, options=mockkit.MatchOptions(colon_wildcards=True))
    served = engine.handle(mockkit.MockRequest.from_target("GET", "/leads/lead-7"))
    assert served.response.status == 200 and served.response.body == b'{"id": "lead-7"}'
