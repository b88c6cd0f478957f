"""DataFrames and the explanation view: stable columns and dtypes, one selected row, reasons a
person can read (winner first, integer scores, reasons in full, theme colours), served paths."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

import mockkit
from builders import coll, colon_path, env, ex
from mockkit.explanation import Explanation, bar_scale
from mockkit.matching import max_score
from mockkit.report import CHECK_COLUMNS, EXAMPLE_COLUMNS, RANKING_COLUMNS, checks_frame, style_ranking
from mockkit.console import explanation_text

DEMO = Path(mockkit.__file__).parent / "demo" / "demo.postman_collection.json"


def dtype(name: str) -> str:
    return str(pd.Series([], dtype=name).dtype)


def test_explain_columns_and_dtypes():
    frame = mockkit.explain(DEMO, "GET", "/users", params={"page": "2"})
    assert isinstance(frame, Explanation) and isinstance(frame, pd.DataFrame)
    assert list(frame.columns) == list(RANKING_COLUMNS)
    for column, name in RANKING_COLUMNS.items():
        assert str(frame[column].dtype) == dtype(name), column
    assert len(frame) == 14
    assert frame["selected"].sum() == 1
    top = frame.iloc[0]
    assert top["selected"] and top["example"] == "Users, page 2" and top["score"] == 110
    assert top["stage"] == "selected" and top["path_rule"] == "a"


def test_an_explanation_stays_a_dataframe():
    frame = mockkit.explain(DEMO, "GET", "/users", params={"page": "3"})
    kept = frame[frame["kept"]].sort_values("score")
    assert isinstance(kept, Explanation) and kept["score"].is_monotonic_increasing
    assert kept.attrs["request"] == "GET /users?page=3"
    assert frame.groupby("stage").size()["method"] == 3
    plain = frame.table
    assert type(plain) is pd.DataFrame and list(plain.columns) == list(RANKING_COLUMNS)
    assert frame.winner["example"] == "Users, page 2"
    assert mockkit.explain(DEMO, "GET", "/nowhere").winner is None
    # a subset of the columns displays as pandas does, with whole numbers shown whole
    subset = frame[["example", "score"]]
    html = subset._repr_html_()
    assert "<table" in html and "mk-explanation" not in html
    assert ">100<" in html and ">99<" in html and "100.0" not in html and "99.0" not in html


def test_steps_are_the_long_form_for_the_rows_in_the_frame():
    frame = mockkit.explain(DEMO, "GET", "/users", params={"page": "2"})
    steps = frame.steps
    assert list(steps.columns) == list(CHECK_COLUMNS)
    for column, name in CHECK_COLUMNS.items():
        assert str(steps[column].dtype) == dtype(name), column
    assert steps["position"].iloc[0] == frame["position"].iloc[0]  # best example first
    only = frame[frame["selected"]].steps
    assert set(only["example"]) == {"Users, page 2"} and set(only["step"]) == {"path", "query"}
    detail = mockkit.explain(DEMO, "GET", "/users", params={"page": "2"}, detail=True)
    assert list(detail.columns) == list(CHECK_COLUMNS)


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
    assert "no example matches" in frame._repr_html_() and "404 mockRequestNotFoundError" in repr(frame)


def test_control_headers_show_in_the_table():
    frame = mockkit.explain(DEMO, "GET", "/users/7", headers={"x-mock-response-code": "404"})
    winner = frame[frame["selected"]].iloc[0]
    assert winner["example"] == "User not found" and winner["status"] == 404
    found = frame.set_index("example").loc["User found"]
    assert found["stage"] == "response-code" and "404" in found["reason"]


# ------------------------------------------------------------------------------ readable view

NOTES = coll(
    ex("/notes/{{noteId}}", name="A note, any id", response_body="{}"),
    ex("/notes/17", name="Note seventeen with a long name that wraps", response_body="{}"),
    ex("/notes", name="Notes, first page", query=[{"key": "page", "value": "1"}]),
    ex("/notes", name="Newest notes", query=[{"key": "page", "value": "1"}, {"key": "sort", "value": "new"}]),
    ex("/notes", name="All notes"),
    ex("/notes", name="Notes in trouble", code=500),
    ex("/tags", name="Tags"),
    ex("/notes", name="New note", method="POST", code=201),
    variables={"baseUrl": "http://api.test"},
)


def rows_of(html: str) -> list[str]:
    return re.findall(r"<tr class='mk-row[^']*'.*?</tr>", html, flags=re.S)


def bar_widths(html: str) -> list[float]:
    return [float(w) for w in re.findall(r"class='mk-bar-fill' style='[^']*width:([\d.]+)%", html)]


def test_the_view_puts_the_winner_first_highlighted_with_whole_reasons():
    frame = mockkit.explain(NOTES, "GET", "/notes?page=1")
    html = frame._repr_html_()
    rows = rows_of(html)
    assert "mk-winner" in rows[0] and all("mk-winner" not in r for r in rows[1:])
    assert "Notes, first page" in rows[0]
    for reason in frame["reason"]:  # every reason in full (escaped)
        assert reason.replace("`", "") in re.sub(r"</?code[^>]*>", "", html).replace("&#x27;", "'")
    assert re.search(r"<td class='mk-reason' style='[^']*text-align:left", html)
    # scores are whole numbers, and the bars of different scores differ
    assert re.findall(r"<span class='mk-score'[^>]*>([^<]+)<", html)[:4] == ["110", "105", "99", "99"]
    widths = bar_widths(html)
    assert widths[0] == 100 and widths[2] == widths[3]
    assert widths[0] - widths[1] >= 5 and widths[1] - widths[2] >= 5  # visibly different, not 1 %
    assert "✓ chosen" in rows[0]


def test_the_view_uses_theme_variables_not_fixed_light_colours():
    html = mockkit.explain(NOTES, "GET", "/notes")._repr_html_() + style_ranking(mockkit.explain(NOTES, "GET", "/notes")).to_html()
    found = re.findall(r"(?<![-\w])(?:background|background-color|color|border|border-bottom|border-left)"
                       r"\s*:\s*([^;'\"]+)", html)
    assert len(found) > 10
    for colour in found:
        if colour.strip() in ("none", "inherit"):
            continue
        assert "var(--jp-" in colour or "currentColor" in colour or "linear-gradient" in colour, colour
    assert "#e6f4ea" not in html and "#9aa0a6" not in html


def test_bars_are_scaled_from_the_rules_not_a_literal():
    low, high = bar_scale(110)
    assert high == 110 and low < 100 - 30 - 10  # below the lowest score a kept example can have
    assert bar_scale(float("nan"))[1] == max_score("a")


def test_long_collections_show_the_kept_rows_and_count_the_rest():
    many = coll(*[ex(f"/things/{i}/parts", name=f"part {i}") for i in range(60)], ex("/things", name="things"))
    frame = mockkit.explain(many, "GET", "/things")
    html = frame._repr_html_()
    assert len(rows_of(html)) == 12 and "+ 49 more examples" in html
    assert len(rows_of(frame.view(rows=None)._repr_html_())) == 61


@pytest.mark.parametrize("width", [80, 120])
def test_the_text_view_fits_the_width_with_whole_scores(width):
    frame = mockkit.explain(NOTES, "GET", "/notes?page=1")
    text = explanation_text(frame, width=width)
    lines = text.splitlines()
    assert max(len(line) for line in lines) <= width
    assert lines[0].startswith("GET /notes?page=1 → 200 'Notes, first page'")
    assert "110" in text and "110.0" not in text and "105.0" not in text
    assert all(line == line.rstrip() for line in lines)


def test_the_text_view_escapes_control_characters():
    nasty = coll(ex("/x", name="evil\x1b[2J\u202ename"))
    text = explanation_text(mockkit.explain(nasty, "GET", "/x\x1b]0;title\x07"), width=200)
    assert "\x1b" not in text and "\u202e" not in text and "\x07" not in text
    assert "\\x1b[2J" in text and "\\u202e" in text


# ------------------------------------------------------------------------------- reaching

SHADOWS = coll(
    ex("/orders/{{orderId}}", name="Order", id="o-1"),
    ex("/orders/{{orderId}}", name="Order missing", code=404, id="o-2"),
    ex("/queue", name="Queue empty", id="q-1"),
    ex("/queue", name="Queue full", id="q-2"),
    ex("/dup", name="Same name", id="d-1"),
    ex("/dup", name="Same name", id="d-2"),
)


def test_reach_says_which_header_gets_a_losing_example():
    frame = mockkit.explain(SHADOWS, "GET", "/orders/9").set_index("example")
    assert frame.loc["Order", "reach"] == ""  # the winner needs nothing
    assert frame.loc["Order missing", "reach"] == "x-mock-response-code: 404"
    queue = mockkit.explain(SHADOWS, "GET", "/queue").set_index("example")
    assert queue.loc["Queue full", "reach"] == "x-mock-response-name: Queue full"
    assert queue.loc["Queue full", "shadowed"] and not queue.loc["Queue empty", "shadowed"]
    assert "this is its own saved request" in mockkit.explain(SHADOWS, "GET", "/queue")._repr_html_()
    assert not mockkit.explain(SHADOWS, "GET", "/orders/9")["shadowed"].any()  # not their own request
    dup = mockkit.explain(SHADOWS, "GET", "/dup")
    loser = dup[~dup["selected"] & dup["kept"]].iloc[0]
    assert loser["reach"] == "x-mock-response-id: d-2"
    assert "reach it with" in dup._repr_html_() and "x-mock-response-id: d-2" in repr(dup)
    # the header it names does reach it
    again = mockkit.explain(SHADOWS, "GET", "/dup", headers={"x-mock-response-id": "d-2"})
    assert again.winner["id"] == "d-2"


def test_check_uses_the_same_reaching_rule():
    kinds = mockkit.check(SHADOWS).set_index("example")
    assert "x-mock-response-code: 404" in kinds.loc["Order missing", "message"]
    assert kinds.loc["Queue full", "severity"] == "warning"


# --------------------------------------------------------------------------- served paths

SERVED = colon_path("Note 1", "https://host.test/api/v1", "1", query="full=yes")


def test_examples_show_the_path_the_mock_answers_and_the_saved_url():
    frame = mockkit.examples(SERVED)
    assert list(frame.columns) == list(EXAMPLE_COLUMNS)
    for column, name in EXAMPLE_COLUMNS.items():
        assert str(frame[column].dtype) == dtype(name), column
    row = frame.iloc[0]
    assert row["path"] == "/api/v1/notes/1" and row["query"] == "full=yes"
    assert row["url"] == "{{baseUrl}}/notes/:id?full=yes"
    assert mockkit.explain(SERVED, "GET", "/api/v1/notes/1?full=yes").winner["example"] == "Note 1"
    staging = mockkit.examples(SERVED, env({"baseUrl": "http://127.0.0.1/v2"}))
    assert staging.iloc[0]["path"] == "/v2/notes/1"
    with mockkit.serve(SERVED) as mock:
        assert mock.examples.iloc[0]["path"] == "/api/v1/notes/1"
        assert mock.get("/api/v1/notes/1", params={"full": "yes"}).status_code == 200


def test_examples_frame_of_the_demo():
    frame = mockkit.examples(DEMO)
    assert len(frame) == 14
    assert set(frame["folder"]) == {"Users", "Orders", ""}
    assert (frame["path"].str.startswith("/")).all()


# ----------------------------------------------------------------------------- the rest


def test_checks_and_styles(capsys):
    engine = mockkit.MockEngine(DEMO)
    ranking = engine.explain(mockkit.MockRequest.from_target("GET", "/users/me"))
    checks = checks_frame(ranking)
    assert {"path", "query", "method"} <= set(checks["step"])
    html = style_ranking(mockkit.report.ranking_frame(ranking)).to_html()
    assert "mockkit-ranking" in html and "Current user" in html
    assert ">110<" in html and "110.000000" not in html
    assert capsys.readouterr().out == ""  # nothing prints


def test_problems_column_and_near_misses():
    doc = coll(ex("/users/me", name="me", response_body='{"id": {{$randomint}}, "x": "{{missing}}"}'))
    frame = mockkit.explain(doc, "GET", "/users/me")
    problems = frame.iloc[0]["problems"]
    assert "did you mean {{$randomInt}}" in problems and "{{missing}}" in problems
    assert "response problems" in frame._repr_html_()
    miss = mockkit.explain(doc, "GET", "/users/meeeeeee").iloc[0]
    assert miss["stage"] == "path"
    assert "`me` vs `meeeeeee`" in miss["reason"]
    deeper = mockkit.explain(doc, "GET", "/users/me/posts").iloc[0]
    assert "they have 2 and 3 segments" in deeper["reason"]


def test_captures_column():
    frame = mockkit.explain(NOTES, "GET", "/notes/42").set_index("example")
    assert frame.loc["A note, any id", "captures"] == "noteId=42"
    assert frame.loc["Tags", "captures"] == ""


def test_each_styled_table_gets_its_own_css_id():
    frame = mockkit.explain(DEMO, "GET", "/users")
    first, second = style_ranking(frame).to_html(), style_ranking(frame).to_html()
    ids = {line.split("#T_")[1].split("_")[0] for html in (first, second) for line in html.splitlines() if "#T_" in line}
    assert len(ids) == 2
    assert "#T_fixed" in style_ranking(frame, uuid="fixed").to_html()


def test_explain_json_body():
    frame = mockkit.explain(DEMO, "POST", "/users", json={"name": ""})
    assert frame.iloc[0]["example"] == "Invalid user" and frame.iloc[0]["body_points"] == 5


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


def test_colon_segments_without_an_entry_are_literal_unless_asked():
    frame = mockkit.explain(COLON, "GET", "/leads/lead-7")
    assert frame["selected"].sum() == 0
    assert "`:id` has no url.variable entry" in frame.iloc[0]["reason"]  # an empty entry is a wildcard (9.20)
    assert "path-variable" in set(mockkit.check(COLON)["kind"])
    engine = mockkit.MockEngine(COLON, options=mockkit.MockOptions(colon_wildcards=True))
    served = engine.handle(mockkit.MockRequest.from_target("GET", "/leads/lead-7"))
    assert served.response.status == 200 and served.response.body == b'{"id": "lead-7"}'
