"""The path ladder declared once (``mockkit/ladder.py``), read everywhere else; matching and
explaining one way; rankings immutable.

* the ladder's rungs are spec §1.2 step 4's, and what each compares exists (``PathForms``);
* the score bounds it computes are reached by real rankings;
* no module but ``ladder.py`` writes a score of the scale as a number (the detector is tested on
  code that does);
* (the core's imports running one way, no cycle, no pandas in the engine: ``test_imports.py``);
* ``rank`` returns a frozen ranking with its winner, and explaining it writes nothing into it.
"""

from __future__ import annotations

import ast
import dataclasses
import io
import re
import tokenize
from pathlib import Path

import pytest

from mockkit import MockOptions, MockEngine, MockRequest, load_collection
from mockkit.explaining import explain
from mockkit.index import Index
from mockkit.ladder import LETTERS, LOWEST_SCORE, PATH_RULES, POINTS, RULE, TOP_SCORE, max_score
from mockkit.matching import Candidate, Check, Ranking, choose, rank
from mockkit.urls import PathForms

from builders import coll, ex, raw_json

PACKAGE = Path(__file__).resolve().parents[1] / "mockkit"


# --- the ladder itself ---------------------------------------------------------------------------

SPEC_STEP_4 = [("a", 0), ("b", -5), ("c", -10), ("d", -15), ("e", -20), ("f", -21), ("g", -25), ("h", -30)]


def test_the_ladder_is_spec_step_4():
    assert [(r.letter, r.points) for r in PATH_RULES] == SPEC_STEP_4
    assert LETTERS == tuple("abcdefgh") and set(RULE) == set(LETTERS)
    assert POINTS["start"] == 100 and POINTS["query_all_match"] == 10 and POINTS["body_bonus"] == 5


def test_every_rung_compares_something_that_exists():
    fields = {f.name for f in dataclasses.fields(PathForms)}
    for rule in PATH_RULES:
        assert rule.form is not None or rule.wildcards is not None or rule.distance, rule
        assert rule.form is None or rule.form in fields, rule
        assert rule.wildcards in (None, "plain", "ids"), rule
        assert set(rule.tables) <= {"forms", "wild", "segments"} and rule.tables, rule
        assert ("forms" in rule.tables) == (rule.form is not None), rule
        assert ("wild" in rule.tables) == (rule.wildcards is not None), rule


def test_score_bounds_follow_from_the_table():
    assert TOP_SCORE == max_score("a") == POINTS["start"] + POINTS["query_all_match"] + POINTS["body_bonus"]
    assert [max_score(letter) for letter in LETTERS] == sorted((max_score(x) for x in LETTERS), reverse=True)
    assert max_score("a", body_bonus=False) == TOP_SCORE - POINTS["body_bonus"]
    assert LOWEST_SCORE == POINTS["start"] + RULE["h"].points - POINTS["query_missing_cap"]


def test_the_top_score_is_reached_and_the_lowest_is_the_floor():
    collection = coll(
        ex("/orders?state=open", name="top", method="POST", headers={"Content-Type": "application/json"},
           body=raw_json({"n": 1})),
        ex("/orderz/other?a=1&b=2&c=3&d=4&e=5&f=6&g=7&h=8&i=9&j=10&k=11", name="low"),
    )
    index = Index(load_collection(collection))
    top = rank(MockRequest.from_target("POST", "/orders?state=open", headers={"content-type": "application/json"},
                                       body='{"n": 1}'), index)
    assert top.winner is not None and top.winner.score == TOP_SCORE
    low = rank(MockRequest.from_target("GET", "/orders/othr"), index, MockOptions(distance_threshold=0.3))
    assert low.winner is not None and low.winner.path_rule == "h" and low.winner.score == LOWEST_SCORE


# --- no score written as a number outside ladder.py ----------------------------------------------

SCORES = {TOP_SCORE, LOWEST_SCORE, *(max_score(x, b) for x in LETTERS for b in (True, False)),
          *(POINTS["start"] + r.points for r in PATH_RULES)}
SCOREISH = re.compile(r"score|points|\btop\b|\bbest\b|\bhigh\b|\blow\b|vmax|vmin", re.I)


def score_literals(source: str) -> list[str]:
    """Places in ``source`` that write a score of the scale as a number: a number compared with,
    added to or assigned to something named like a score (or passed as ``vmax``/``vmin``/...), and
    the top score anywhere, prose included."""
    found = []
    tree = ast.parse(source)
    for node in ast.walk(tree):
        operands: list[ast.AST] = []
        if isinstance(node, ast.Compare):
            operands = [node.left, *node.comparators]
        elif isinstance(node, ast.BinOp):
            operands = [node.left, node.right]
        elif isinstance(node, ast.keyword) and node.arg and SCOREISH.search(node.arg):
            operands = [node.value, ast.Name(id=node.arg)]
        elif isinstance(node, (ast.Assign, ast.AnnAssign)) and node.value is not None:
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if any(SCOREISH.search(ast.unparse(t)) for t in targets):  # any number in what a score is set to
                operands = [*targets, *ast.walk(node.value)]
        numbers = [o for o in operands if isinstance(o, ast.Constant) and type(o.value) in (int, float)
                   and o.value in SCORES]
        others = [ast.unparse(o) for o in operands if o not in numbers and not isinstance(o, ast.Constant)]
        if numbers and any(SCOREISH.search(text) for text in others):
            found.append(f"line {node.lineno}: {ast.unparse(node)[:80]}")
    top = rf"\b{TOP_SCORE}\b"
    for tok in tokenize.generate_tokens(io.StringIO(source).readline):
        if tok.type in (tokenize.STRING, tokenize.COMMENT, tokenize.NUMBER) and re.search(top, tok.string):
            found.append(f"line {tok.start[0]}: the top score {TOP_SCORE} in {tok.string[:60]!r}")
    return found


@pytest.mark.parametrize("source", [
    "if c.score >= 115:\n    pass\n",
    "high = 110\n",
    "styler.bar(subset=['score'], vmax=115)\n",
    "best = max(scores) if scores else 100 + 10\n",
    "width = c.path_points - 95\n",
    "# scores reach 115 at most\nx = 1\n",
])
def test_the_detector_finds_scores_written_as_numbers(source):
    assert score_literals(source), source


@pytest.mark.parametrize("source", [
    "width = 100\n", "if not 100 <= code <= 599:\n    pass\n", "styler.bar(subset=['score'], width=100)\n",
    "high = float(TOP_SCORE)\n",
])
def test_the_detector_leaves_other_numbers_alone(source):
    assert not score_literals(source), score_literals(source)


def test_no_module_but_the_ladder_writes_a_score_as_a_number():
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        if path.name != "ladder.py":
            places = score_literals(path.read_text(encoding="utf-8"))
            if places:
                found[str(path.relative_to(PACKAGE))] = places
    assert not found, f"scores written as numbers outside mockkit/ladder.py (read them from the ladder): {found}"


# --- rankings are values -------------------------------------------------------------------------

TWINS = coll(ex("/notes/{{id}}", name="note", id="b", code=404),
             ex("/notes/{{id}}", name="note", id="a", code=200),
             ex("/notes?page=2", name="page two"),
             ex("/users/me", name="me"))


@pytest.mark.parametrize("headers", [None, {"x-mock-response-name": "note"}, {"x-mock-response-name": "nope"}])
def test_rank_returns_a_frozen_ranking_with_its_winner(headers):
    index = Index(load_collection(TWINS))
    ranking = rank(MockRequest.from_target("GET", "/notes/7", headers=headers), index)
    assert isinstance(ranking, Ranking) and isinstance(ranking.scored, tuple)
    with pytest.raises(dataclasses.FrozenInstanceError):
        ranking.winner = None  # type: ignore[misc]
    assert not hasattr(ranking, "notes")  # notes are the explanation's (explaining.explain)
    if ranking.decided_by == "score":
        assert ranking.winner is choose(ranking.scored)
    for c in ranking.scored:
        with pytest.raises(AttributeError):
            c.reason = "changed"  # type: ignore[misc]
        assert c.reason == "" and all(ch.sentence == "" for ch in c.checks)  # facts, no words


@pytest.mark.parametrize("headers", [None, {"x-mock-response-name": "note"}, {"x-mock-response-name": "Note"}])
def test_explaining_writes_nothing_into_the_ranking(headers):
    index = Index(load_collection(TWINS))
    ranking = rank(MockRequest.from_target("GET", "/notes/7", headers=headers), index)
    before = (ranking.scored, ranking.winner, [tuple(c) for c in ranking.scored])
    first, second = explain(ranking), explain(ranking)
    assert (ranking.scored, ranking.winner, [tuple(c) for c in ranking.scored]) == before
    assert first.notes == second.notes and [c.reason for c in first] == [c.reason for c in second]
    assert all(c.reason for c in first) and len(first) == len(index)
    assert (first.winner is None) == (ranking.winner is None)
    if first.winner is not None:
        assert first.candidates[0] is first.winner and first.winner.example is ranking.winner.example


def test_replay_notes_do_not_pile_up(tmp_path):
    engine = MockEngine(TWINS)
    served = engine.handle(MockRequest.from_target("GET", "/notes/7"))
    notes = [engine.replay(served.call_id).notes for _ in range(3)]
    assert notes[0] == notes[1] == notes[2]
    assert engine.explain(MockRequest.from_target("GET", "/notes/7")).notes == engine.explain(
        MockRequest.from_target("GET", "/notes/7")).notes


def test_explained_copies_keep_every_fact():
    """``Candidate.with_words`` / ``Check.said`` copy the facts by position: the words come last."""
    assert Candidate._fields[9:] == ("checks", "captures", "reason")
    assert Check._fields[5:] == ("sentence",)
    index = Index(load_collection(TWINS))
    ranking = rank(MockRequest.from_target("GET", "/notes/7?page=1"), index)
    for fact in ranking.scored:
        words = explain(ranking).winner if fact is ranking.winner else None
        if words is not None:
            assert tuple(words)[:9] == tuple(fact)[:9] and words.captures == fact.captures
            assert [tuple(ch)[:5] for ch in words.checks] == [tuple(ch)[:5] for ch in fact.checks]
