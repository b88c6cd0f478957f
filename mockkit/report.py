"""pandas views of mockkit's results: examples, rankings (explanations), checks and calls.

Column names and dtypes are part of the public API: tests pin them. Nothing here prints.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable

import pandas as pd

from .journal import Call
from .matching import Candidate, Ranking
from .model import Collection, Example

__all__ = [
    "RANKING_COLUMNS",
    "EXAMPLE_COLUMNS",
    "CALL_COLUMNS",
    "CHECK_COLUMNS",
    "ranking_frame",
    "checks_frame",
    "examples_frame",
    "calls_frame",
    "style_ranking",
    "findings_frame",
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
    "problems": "str",
    "position": "int64",
    "location": "str",  # issue 14: the example's JSON path (v2.x) or file (v3)
}
EXAMPLE_COLUMNS = {
    "folder": "str",
    "request": "str",
    "name": "str",
    "method": "str",
    "path": "str",
    "status": "int64",
    "id": "str",
    "position": "int64",
    "location": "str",  # issue 14: the example's JSON path (v2.x) or file (v3)
}
CHECK_COLUMNS = {"example": "str", "step": "str", "ok": "bool", "points": "float64", "detail": "str"}
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
}


def _frame(rows: list[dict[str, object]], columns: dict[str, str]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=list(columns))
    return frame.astype(columns)


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
        "problems": "; ".join(problems(e)) if problems else "",
        "position": e.position,
        "location": e.location or e.json_path,
    }


def ranking_frame(ranking: Ranking, problems: Problems | None = None) -> pd.DataFrame:
    """One row per example, best first: each step's points, the score, and why.

    ``problems`` (``MockEngine.problems_for``) fills the ``problems`` column: what rendering the
    example's response would leave unresolved (unknown variables, misspelt dynamic variables).
    """
    winner = ranking.winner
    frame = _frame([_row(c, winner, problems) for c in ranking.candidates], RANKING_COLUMNS)
    frame.attrs["request"] = f"{ranking.request.method} {ranking.request.target}"
    frame.attrs["decided_by"] = ranking.decided_by
    frame.attrs["notes"] = list(ranking.notes)
    return frame


def checks_frame(ranking: Ranking) -> pd.DataFrame:
    """Every comparison made, one row per (example, step): the long form of the explanation."""
    rows = [
        {"example": c.example.name, "step": ch.step, "ok": ch.ok, "points": ch.points, "detail": ch.sentence}
        for c in ranking.candidates
        for ch in c.checks
    ]
    return _frame(rows, CHECK_COLUMNS)


def examples_frame(collection: Collection) -> pd.DataFrame:
    """Every example of a collection: folder, request, name, method, path as written, status, id,
    position, and ``location``: where to open it (the JSON path in a v2.x file, or the example's
    file relative to a v3 collection folder)."""
    rows = []
    for e in collection.examples:
        url = e.request.url
        path = "/" + "/".join(url.path) if url.path is not None else url.raw
        rows.append(
            {
                "folder": e.folder_path,
                "request": e.request_name,
                "name": e.name,
                "method": e.request.method,
                "path": path,
                "status": e.response.code,
                "id": e.id,
                "position": e.position,
                "location": e.location or e.json_path,
            }
        )
    return _frame(rows, EXAMPLE_COLUMNS)


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
        }
        for c in calls
    ]
    return _frame(rows, CALL_COLUMNS)


_styles = itertools.count(1)


def style_ranking(frame: pd.DataFrame, uuid: str | None = None):  # -> pandas Styler (jinja2 lazily)
    """A notebook view of a ranking: winner highlighted, score bars, dropped rows greyed.

    Each call gets its own CSS id (several tables on one page keep their own styles); pass
    ``uuid`` for stable HTML in snapshot tests.
    """
    shown = frame.drop(columns=["position", "kept", "query_match", "query_partial", "query_missing"], errors="ignore")

    def row_style(row: pd.Series) -> list[str]:
        if bool(row.get("selected")):
            return ["background-color: #e6f4ea; font-weight: 600"] * len(row)
        if pd.isna(row.get("score")):
            return ["color: #9aa0a6"] * len(row)
        return [""] * len(row)

    styler = shown.style.apply(row_style, axis=1)
    scores = shown["score"].dropna()
    if len(scores):
        styler = styler.bar(subset=["score"], color="#8ab4f8", vmin=min(0.0, scores.min()), vmax=max(115.0, scores.max()))
    styler = styler.set_properties(subset=["reason"], **{"text-align": "left", "min-width": "24em"}) if "reason" in shown else styler
    return styler.format(precision=2, na_rep="—").set_uuid(uuid or f"mockkit-ranking-{next(_styles)}")


FINDING_COLUMNS = {"severity": "str", "kind": "str", "where": "str", "example": "str", "message": "str"}


def findings_frame(findings: list) -> pd.DataFrame:
    """``checks.check`` findings as a table: severity, kind, where (JSON path), example, message."""
    rows = [{k: getattr(f, k) for k in FINDING_COLUMNS} for f in findings]
    return _frame(rows, FINDING_COLUMNS)
