"""pandas views of mockkit's results: examples, rankings (explanations), checks and calls.

Column names and dtypes are part of the public API: tests pin them. Nothing here prints.
``ranking_frame`` returns an ``Explanation`` (``explanation.py``): a DataFrame with these
columns that displays as a readable table in notebooks and terminals.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import TYPE_CHECKING

import pandas as pd

from .explaining import ExplainedRanking, explain
from .explanation import Explanation
from .frames import CHECK_COLUMNS, ReadableFrame, checks_frame, readable, style_id, typed_frame
from .index import Index
from .journal import Call
from .matching import Candidate, Ranking
from .model import Collection, Example, MockRequest
from .views import bar_scale, number, theme

if TYPE_CHECKING:  # pragma: no cover
    from pandas.io.formats.style import Styler

    from .engine import MockEngine
    from .findings import Finding

__all__ = [
    "RANKING_COLUMNS",
    "EXAMPLE_COLUMNS",
    "CALL_COLUMNS",
    "CHECK_COLUMNS",
    "ranking_frame",
    "explain_request",
    "checks_frame",
    "examples_frame",
    "calls_frame",
    "style_ranking",
    "readable",
    "ReadableFrame",
    "findings_frame",
    "Explanation",
    "REACH_LIMIT",
]

RANKING_COLUMNS = {
    "example": "str",
    "request": "str",
    "folder": "str",
    "method": "str",
    "path": "str",
    "status": "int64",
    "id": "str",
    "stage": "str",
    "kept": "bool",
    "path_rule": "str",
    "path_points": "float64",
    "query_points": "float64",
    "body_points": "float64",
    "score": "float64",
    "selected": "bool",
    "query_match": "int64",
    "query_partial": "int64",
    "query_missing": "int64",
    "reason": "str",
    "reach": "str",
    "shadowed": "bool",
    "captures": "str",
    "problems": "str",
    "position": "int64",
    "location": "str",
}
"""The columns of ``ranking_frame`` / ``explain`` and their dtypes (one row per example, best
first: the winner, the other scored examples by score, then dropped ones in collection order).

example, request, folder: the example's name, its request's name, its folder path (``A / B``).
method, path: the saved request's method, and its path *as the mock compares it* (variables
resolved, ``:name`` values filled in, a host variable's base path included; spec §1.2 step 1).
status, id: the example's response code and id (``""`` when it has none).
stage: how far it got: ``selected`` (the winner by score), ``scored`` (kept, lost on points),
``response-name`` / ``response-id`` (picked, or passed over, by that header), or the step that
dropped it: ``method``, ``response-code``, ``path``, ``headers``, ``body``.
kept: it passed every filter. path_rule: the letter (a–h) of the path rule that matched, ``""``.
path_points, query_points, body_points, score: points per step and their sum (NaN when the
step was not reached; scores are whole numbers except after partial query matches).
selected: the example a mock serves for this request (at most one row is True).
query_match, query_partial, query_missing: query parameters that match, differ, or are on one
side only (spec §1.2 step 5).
reason: why it won, by how much it lost and where, or which step dropped it.
reach: for an example that was kept but lost, the control header (``name: value``) that makes
this same request get it (``checks.reaching_header``); ``""`` otherwise, and past the first
``REACH_LIMIT`` such examples.
shadowed: the request is the example's own saved request (identical path, every query
parameter matching) and another example wins it: only a control header (``reach``) gets it.
captures: the values its ``{{wildcard}}`` segments took (``name=value; ...``).
problems: what rendering its response leaves unresolved (unknown variables, misspelt names).
position: its place in the collection (0-based; unique, stable for a file).
location: where to open it: the example's JSON path in a v2.x file, or its file relative to a v3
collection folder.
"""
REACH_LIMIT = 20
EXAMPLE_COLUMNS = {
    "folder": "str",
    "request": "str",
    "name": "str",
    "method": "str",
    "path": "str",
    "query": "str",
    "status": "int64",
    "id": "str",
    "url": "str",
    "position": "int64",
    "location": "str",
}
"""``examples_frame`` / ``mockkit.examples`` / ``mock.examples``: ``path`` and ``query`` are what
the mock compares (the path it answers: variables resolved, ``:name`` values filled in, the base
path of a host variable included; ``{{name}}`` segments left are wildcards), ``url`` the saved
URL exactly as written in the collection, ``location`` where to open the example (JSON path in a
v2.x file, or its file in a v3 folder)."""
CALL_COLUMNS = {
    "call": "str",
    "time": "datetime64[us, UTC]",
    "method": "str",
    "path": "str",
    "query": "str",
    "status": "int64",
    "example": "str",
    "score": "float64",
    "decided_by": "str",
    "duration_ms": "float64",
    "error": "str",
    "forwarded": "str",
    "upstream_ms": "float64",
    "recorded_as": "str",
}
"""``calls_frame`` / ``mock.calls``: one row per call, oldest first. ``forwarded``: the upstream
URL a proxying mock forwarded the call to (``""`` when an example or the mock answered);
``upstream_ms``: the time the upstream took (NaN when not forwarded or it did not answer);
``recorded_as``: the example the exchange became (``folder / request / example``), ``""`` when
none (issue 16)."""


def _nan(value: float | None) -> float:
    return float("nan") if value is None else float(value)


Problems = Callable[[Example], tuple[str, ...]]


def _row(c: Candidate, winner: Candidate | None, problems: Problems | None) -> dict[str, object]:
    e = c.example
    return {
        "example": e.name,
        "request": e.request_name,
        "folder": e.folder_path,
        "method": c.target.method,
        "path": c.target.path,
        "status": e.response.code,
        "id": e.id,
        "stage": c.stage if not (c.kept and c is winner and c.stage == "scored") else "selected",
        "kept": c.kept,
        "path_rule": c.path_rule,
        "path_points": _nan(c.path_points),
        "query_points": _nan(c.query_points),
        "body_points": _nan(c.body_points),
        "score": _nan(c.score),
        "selected": c is winner,
        "query_match": c.query_counts[0],
        "query_partial": c.query_counts[1],
        "query_missing": c.query_counts[2],
        "reason": c.reason,
        "reach": "",
        "shadowed": c.kept and c is not winner and c.path_rule == "a" and c.query_counts[1:] == (0, 0),
        "captures": "; ".join(f"{k}={v}" for k, v in c.captures.items()),
        "problems": "; ".join(problems(e)) if problems else "",
        "position": e.position,
        "location": e.location or e.json_path,
    }


def ranking_frame(ranking: ExplainedRanking | Ranking, problems: Problems | None = None) -> Explanation:
    """One row per example, best first: each step's points, the score, and why (``RANKING_COLUMNS``).

    ``ranking``: an explanation (``MockEngine.explain``, ``explaining.explain``), or a bare
    ``matching.Ranking``, explained here. ``problems`` (``MockEngine.problems_for``) fills the
    ``problems`` column: what rendering the example's response would leave unresolved (unknown
    variables, misspelt dynamic variables). ``attrs`` carries ``request`` (``"GET /path?q"``),
    ``decided_by`` (``score``, ``response-id``, ``response-name`` or ``none``) and ``notes``
    (sentences about the request).
    """
    if isinstance(ranking, Ranking):
        ranking = explain(ranking)
    winner = ranking.winner
    rows = [_row(c, winner, problems) for c in ranking.candidates]
    if ranking.answer:  # a forwarded call (issue 16): no example answered, none was out-ranked
        for row in rows:
            row["shadowed"] = False
    else:
        _fill_reach(ranking, rows)
    frame = Explanation(typed_frame(rows, RANKING_COLUMNS))
    frame._ranking = ranking
    frame.attrs["request"] = f"{ranking.request.method} {ranking.request.target}"
    frame.attrs["decided_by"] = ranking.decided_by
    frame.attrs["notes"] = list(ranking.notes)
    if ranking.answer:  # a forwarded call (issue 16): what answered it
        frame.attrs["answered"] = ranking.answer
    return frame


def explain_request(engine: "MockEngine", request: MockRequest) -> Explanation:
    """``engine``'s explanation of ``request`` (sent or not) as the ``Explanation`` DataFrame,
    with the ``problems`` column filled: what ``mockkit.explain``, ``MockServer.explain``, the
    Explorer and ``mockkit explain`` show."""
    return ranking_frame(engine.explain(request), engine.problems_for)


def _fill_reach(ranking: ExplainedRanking, rows: list[dict[str, object]]) -> None:
    """``reach`` for the first ``REACH_LIMIT`` examples that were kept but lost."""
    from .checks import reaching_header

    losers = [(c, row) for c, row in zip(ranking.candidates, rows) if c.kept and not row["selected"]]
    request: MockRequest = ranking.request
    cache: dict[tuple[str, str], object] = {}  # one ranking per status, however many losers share it
    for c, row in losers[:REACH_LIMIT]:
        header = reaching_header(request, c.target, ranking.index, ranking.options, cache)
        row["reach"] = f"{header[0]}: {header[1]}" if header else ""


def examples_frame(source: Index | Collection) -> pd.DataFrame:
    """Every example, in collection order (``EXAMPLE_COLUMNS``): where it lives, the path and
    query the mock answers, its status and id, the saved URL as written, and ``location``: where
    to open it (the JSON path in a v2.x file, or the example's file relative to a v3 folder).

    ``source``: an ``Index`` (variables of the collection and environment resolved, as a mock
    serves them) or a ``Collection`` (compiled here, without an environment).
    """
    from urllib.parse import urlencode

    index = source if isinstance(source, Index) else Index(source)
    rows = []
    for t in index.targets:
        e = t.example
        rows.append(
            {
                "folder": e.folder_path,
                "request": e.request_name,
                "name": e.name,
                "method": t.method,
                "path": t.path,
                "query": urlencode(t.query_pairs),
                "status": e.response.code,
                "id": e.id,
                "url": _saved_url(e),
                "position": e.position,
                "location": e.location or e.json_path,
            }
        )
    return typed_frame(rows, EXAMPLE_COLUMNS)


def _saved_url(e: Example) -> str:
    url = e.request.url
    if url.raw or url.path is None:
        return url.raw
    query = "&".join(f"{k}={v}" for k, v in url.query or ())
    return url.host + "/" + "/".join(url.path) + (f"?{query}" if query else "")


def calls_frame(calls: list[Call]) -> pd.DataFrame:
    """The call log, oldest first."""
    from urllib.parse import urlencode

    rows = [
        {
            "call": c.id,
            "time": c.time,
            "method": c.request.method,
            "path": c.request.path,
            "query": urlencode(c.request.query),
            "status": c.status,
            "example": c.example,
            "score": _nan(c.score),
            "decided_by": c.decided_by,
            "duration_ms": c.duration_ms,
            "error": c.error,
            "forwarded": c.forwarded.url if c.forwarded else "",
            "upstream_ms": c.forwarded.ms if c.forwarded and not c.forwarded.error else float("nan"),
            "recorded_as": c.forwarded.recorded_as if c.forwarded else "",
        }
        for c in calls
    ]
    return typed_frame(rows, CALL_COLUMNS)


def style_ranking(frame: pd.DataFrame, uuid: str | None = None) -> Styler:  # jinja2 loads lazily
    """A pandas ``Styler`` of a ranking (any subset of its columns): winner highlighted, score
    bars scaled to the best score shown, whole numbers without decimals, reasons left-aligned.

    Colours come from JupyterLab's CSS variables with fallbacks for other renderers (see
    ``explanation.theme``). Each call gets its own CSS id (several tables on one page keep
    their own styles); pass ``uuid`` for stable HTML in snapshot tests. ``Explanation``'s own
    display (``explain(...)`` shown in a cell) needs no Styler; use this one to restyle.
    """
    shown = frame.drop(columns=["position", "kept", "query_match", "query_partial", "query_missing"], errors="ignore")
    colours = theme()

    def row_style(row: pd.Series) -> list[str]:
        if bool(row.get("selected")):
            return [f"background-color: {colours['highlight']}; font-weight: 600"] * len(row)
        return [""] * len(row)

    styler = shown.style.apply(row_style, axis=1)
    if "score" in shown:
        scores = shown["score"].dropna()
        if len(scores):
            low, high = bar_scale(scores.max())
            styler = styler.bar(subset=["score"], color=colours["bar"], vmin=low, vmax=high, width=100)
    left: list[Hashable] = [c for c in ("reason", "example", "reach", "problems") if c in shown]
    styler = styler.set_properties(subset=left, **{"text-align": "left"})
    if "reason" in shown:
        styler = styler.set_properties(subset=["reason"], **{"min-width": "24em", "white-space": "normal"})
    floats: list[Hashable] = [c for c in shown.columns if shown[c].dtype.kind == "f"]
    return styler.format(number, subset=floats, na_rep="—").set_uuid(uuid or style_id("mockkit-ranking"))


FINDING_COLUMNS = {"severity": "str", "kind": "str", "where": "str", "example": "str", "message": "str"}


def findings_frame(findings: list[Finding]) -> pd.DataFrame:
    """``checks.check`` findings as a table: severity, kind, where (JSON path), example, message."""
    rows = [{k: getattr(f, k) for k in FINDING_COLUMNS} for f in findings]
    return typed_frame(rows, FINDING_COLUMNS)
