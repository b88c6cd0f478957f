"""Typed DataFrames that read well: ``ReadableFrame`` and ``readable`` (text wrapped and
left-aligned, whole numbers without decimals), ``typed_frame`` (rows with pinned columns and
dtypes), and the long form of an explanation, ``checks_frame`` (``CHECK_COLUMNS``).

``report`` builds the other frames on these and re-exports them; ``Explanation.steps`` is
``checks_frame``.
"""

from __future__ import annotations

import itertools
from collections.abc import Hashable
from typing import TYPE_CHECKING

import pandas as pd

from .explaining import ExplainedRanking, explain
from .matching import Ranking
from .views import number

if TYPE_CHECKING:  # pragma: no cover
    from pandas.io.formats.style import Styler

__all__ = ["ReadableFrame", "typed_frame", "readable", "CHECK_COLUMNS", "checks_frame", "style_id"]

CHECK_COLUMNS = {"example": "str", "step": "str", "ok": "bool", "points": "float64", "detail": "str",
                 "position": "int64"}
"""The long form of an explanation: one row per example and comparison made (``Check``)."""

_styles = itertools.count(1)


def style_id(prefix: str) -> str:
    """A CSS id of its own for each styled table (several tables on one page keep their styles)."""
    return f"{prefix}-{next(_styles)}"


class ReadableFrame(pd.DataFrame):
    """A DataFrame that a notebook shows with ``readable``: text left-aligned and wrapped (long
    words such as URLs too), whole numbers without decimals, no index; past
    ``display.max_rows`` rows, the first ``display.min_rows`` and a count. In every other way a
    plain DataFrame (pandas' documented subclassing); what ``examples``, ``calls``, ``check``
    and ``Explanation.steps`` return."""

    @property
    def _constructor(self) -> type["ReadableFrame"]:
        return ReadableFrame

    def _repr_html_(self) -> str:
        limit = pd.get_option("display.max_rows") or len(self)
        shown = self if len(self) <= limit else self.head(pd.get_option("display.min_rows") or 10)
        html = readable(shown).to_html()
        if len(shown) < len(self):
            html += f"<div>… {len(self) - len(shown):,} more rows ({len(self):,} in all)</div>"
        return html


def typed_frame(rows: list[dict[str, object]], columns: dict[str, str]) -> ReadableFrame:
    """A ``ReadableFrame`` of ``rows`` with exactly ``columns`` (name -> dtype), in that order."""
    frame = ReadableFrame(rows, columns=list(columns))
    return frame.astype(columns)


def readable(frame: pd.DataFrame, uuid: str | None = None) -> Styler:
    """Any DataFrame shown the way mockkit shows explanations: text left-aligned and wrapped
    (long text at least 20em wide), whole numbers without decimals, no index column. Use it for
    tables with sentences in them (``Explanation.steps``, ``mockkit.check``, ``mock.calls``)."""
    frame = pd.DataFrame(frame).reset_index(drop=True)  # the index is hidden; it need not be unique
    text: list[Hashable] = [c for c in frame.columns
                            if frame[c].dtype.kind == "O" or isinstance(frame[c].dtype, pd.StringDtype)]
    long: list[Hashable] = [c for c in text if len(frame) and frame[c].astype(str).str.len().max() > 60]
    floats: list[Hashable] = [c for c in frame.columns if frame[c].dtype.kind == "f"]
    styler = frame.style.hide(axis="index").format(number, subset=floats, na_rep="—")
    styler = styler.set_properties(subset=text, **{"text-align": "left", "white-space": "normal",
                                                   "overflow-wrap": "anywhere"})
    styler = styler.set_properties(subset=long, **{"min-width": "20em"})
    styler = styler.set_table_styles([{"selector": "th", "props": "text-align: left; vertical-align: bottom"},
                                      {"selector": "td", "props": "vertical-align: top"}], overwrite=False)
    return styler.set_uuid(uuid or style_id("mockkit-table"))


def checks_frame(ranking: ExplainedRanking | Ranking) -> pd.DataFrame:
    """Every comparison made, one row per (example, step): the long form of the explanation
    (``CHECK_COLUMNS``; a bare ``matching.Ranking`` is explained first)."""
    if isinstance(ranking, Ranking):
        ranking = explain(ranking)
    rows = [
        {"example": c.example.name, "step": ch.step, "ok": ch.ok, "points": ch.points, "detail": ch.sentence,
         "position": c.example.position}
        for c in ranking.candidates
        for ch in c.checks
    ]
    return typed_frame(rows, CHECK_COLUMNS)
