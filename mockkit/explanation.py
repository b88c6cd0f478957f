"""``Explanation``: the DataFrame ``explain`` returns, readable where people look at it.

    why = mock.explain(r)          # a cell shows the readable view: winner first, reasons in full
    why[why["score"] > 90]         # still a pandas DataFrame: filter, sort, group, plot
    why.steps                      # one row per example and comparison made (the long form)
    why.table                      # every column, as a plain DataFrame

The readable view (``_repr_html_`` in notebooks, ``__repr__`` in terminals) shows six things per
example: its name (and the method and path it was saved for), status, the step that decided
(path rule or the step that dropped it), the score as a whole number with a bar, whether it was
chosen, and the full reason, wrapped and left-aligned. It fits the width it is given: no
column forces horizontal scrolling. A frame that lost some of those columns (``why[["example",
"score"]]``) displays as an ordinary DataFrame, with whole numbers shown without decimals.

The pieces of the view (verdict, rows, bars, colours) are ``views``'s, shared with the terminal
(``console``) and the Explorer; the long form is ``frames.checks_frame``.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from .console import explanation_text
from .frames import checks_frame
from .views import (
    VIEW_COLUMNS,
    bar_scale,
    explanation_html,
    number,
    reach_text,
    step_text,
    theme,
    verdict,
)

__all__ = ["Explanation", "explanation_html", "verdict", "step_text", "reach_text", "number", "bar_scale",
           "theme", "VIEW_COLUMNS"]


class Explanation(pd.DataFrame):
    """A ranking as a pandas DataFrame (columns: ``report.RANKING_COLUMNS``, one row per
    example, best first) that displays as a readable table (see the module docstring).

    It is a DataFrame in every other way (pandas' documented subclassing: ``_metadata``,
    ``_constructor``): filtering, sorting, ``groupby`` and ``.plot`` work and keep the type.

    Attributes:
        steps: the long form, one row per example and comparison made (``report.CHECK_COLUMNS``:
            example str, step str, ok bool, points float64, detail str, position int64), for
            the examples in this frame.
        table: every column, as a plain ``pandas.DataFrame`` (shown as pandas shows it).
        winner: the selected row as a Series, or ``None`` when nothing matches.

    ``attrs`` carries ``request``, ``decided_by`` and ``notes`` (``report.ranking_frame``).
    """

    _metadata = ["_ranking"]
    _ranking: Any = None

    @property
    def _constructor(self) -> type["Explanation"]:
        return Explanation

    def _readable(self) -> bool:
        return all(column in self.columns for column in VIEW_COLUMNS) and "reach" in self.columns

    @property
    def table(self) -> pd.DataFrame:
        return pd.DataFrame(self)

    @property
    def winner(self) -> pd.Series | None:
        chosen = self[self["selected"]] if "selected" in self else self.iloc[0:0]
        return None if chosen.empty else pd.Series(chosen.iloc[0])

    @property
    def steps(self) -> pd.DataFrame:
        if self._ranking is None:
            raise ValueError("this frame has no ranking behind it: make it with mockkit.explain or mock.explain")
        steps = checks_frame(self._ranking)
        if "position" in self.columns:
            order = {p: i for i, p in enumerate(self["position"])}
            steps = steps[steps["position"].isin(order)]
            steps = steps.iloc[steps["position"].map(order).argsort(kind="stable")]
        return steps.reset_index(drop=True)

    def view(self, rows: int | None = 12) -> "_View":
        """The readable view with another row limit (``None``: every example)."""
        return _View(self, rows)

    def _repr_html_(self) -> str | None:
        if not self._readable():
            with pd.option_context("display.float_format", number):
                html: str | None = getattr(pd.DataFrame(self), "_repr_html_")()  # not in pandas-stubs
                return html
        return explanation_html(self)

    def __repr__(self) -> str:
        if not self._readable():
            with pd.option_context("display.float_format", number):
                return repr(pd.DataFrame(self))
        return explanation_text(self)


class _View:
    """``Explanation.view(rows=...)``: displays the readable view with that many rows."""

    def __init__(self, frame: Explanation, rows: int | None) -> None:
        self.frame, self.rows = frame, rows

    def _repr_html_(self) -> str:
        return explanation_html(self.frame, self.rows)

    def __repr__(self) -> str:
        return explanation_text(self.frame, rows=self.rows)
