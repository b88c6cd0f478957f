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
    """Why each example won or lost, as a pandas DataFrame: what ``explain`` returns.

    One row per example of the collection, best first: the winner, the other scored examples by
    score, then the dropped ones in collection order. A notebook (JupyterLab, Notebook 7) or a
    terminal shows it as a readable table: the winner first and highlighted, what decided each
    example's fate, whole-number scores with bars, every reason in full. It is a DataFrame in
    every other way (pandas' documented subclassing): filtering, sorting, ``groupby`` and
    ``.plot`` work and keep the type; a frame without the view's columns shows as pandas shows
    it. ``attrs`` carries ``request``, ``decided_by`` and ``notes`` (sentences about the request
    as a whole).

    | column | dtype | meaning |
    | --- | --- | --- |
    | `example` | str | the example's name |
    | `request` | str | its request's name |
    | `folder` | str | its folder path (``A / B``) |
    | `method` | str | the saved request's method |
    | `path` | str | the saved path as the mock compares it: variables resolved, ``:name`` values filled in, a host variable's base path included (spec §1.2 step 1) |
    | `status` | int64 | the example's response code |
    | `id` | str | the example's id (``""`` when it has none) |
    | `stage` | str | how far it got: ``selected``, ``scored`` (kept, lost on points), ``response-name`` / ``response-id`` (picked or passed over by that header), or the step that dropped it: ``method``, ``response-code``, ``path``, ``headers``, ``body`` |
    | `kept` | bool | it passed every filter |
    | `path_rule` | str | the path rule (a–h, spec §1.2 step 4) that matched, ``""`` |
    | `path_points` | float64 | points of the path step (100 minus the rule's penalty); NaN when not reached |
    | `query_points` | float64 | points of the query step (spec §1.2 step 5); NaN when not reached |
    | `body_points` | float64 | points of the body step (+5 for equal bodies); NaN when not reached |
    | `score` | float64 | their sum; whole numbers except after partial query matches |
    | `selected` | bool | the example a mock serves for this request (at most one row) |
    | `query_match` | int64 | query parameters that match |
    | `query_partial` | int64 | query parameters whose values differ |
    | `query_missing` | int64 | query parameters on one side only |
    | `reason` | str | why it won, by how much it lost and where, or which step dropped it |
    | `reach` | str | for an example kept but beaten: the control header (``name: value``) that makes this same request get it; ``""`` otherwise (and past the first 20) |
    | `shadowed` | bool | the request is the example's own saved request and another example wins it |
    | `captures` | str | the values its ``{{wildcard}}`` segments took (``name=value; ...``) |
    | `problems` | str | what rendering its response leaves unresolved |
    | `position` | int64 | its place in the collection (0-based) |
    | `location` | str | where to open it: its JSON path in a v2.x file, its file in a v3 folder |

    Examples:
        ```python
        why = mockkit.explain("api.json", "GET", "/users/42")
        why                                       # the readable table
        why.winner["example"], why.winner["score"]
        why[why["stage"] == "path"][["example", "reason"]]
        why.view(rows=None)                       # every example, not the first 12
        ```
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
        """Every column, as a plain ``pandas.DataFrame`` (shown as pandas shows it)."""
        return pd.DataFrame(self)

    @property
    def winner(self) -> pd.Series | None:
        """The selected row (the example a mock serves) as a Series, or ``None`` when no example
        matches."""
        chosen = self[self["selected"]] if "selected" in self else self.iloc[0:0]
        return None if chosen.empty else pd.Series(chosen.iloc[0])

    @property
    def steps(self) -> pd.DataFrame:
        """The long form: one row per example of this frame and comparison made, in this
        frame's order.

        | column | dtype | meaning |
        | --- | --- | --- |
        | `example` | str | the example's name |
        | `step` | str | the comparison: ``method``, ``response-code``, ``path``, ``query``, ``headers``, ``body``... |
        | `ok` | bool | whether the example passed it |
        | `points` | float64 | points it gave (NaN for a filter) |
        | `detail` | str | the sentence: what was compared and how it came out |
        | `position` | int64 | the example's place in the collection |

        Raises:
            ValueError: a frame made by hand, without a ranking behind it.
        """
        if self._ranking is None:
            raise ValueError("this frame has no ranking behind it: make it with mockkit.explain or mock.explain")
        steps = checks_frame(self._ranking)
        if "position" in self.columns:
            order = {p: i for i, p in enumerate(self["position"])}
            steps = steps[steps["position"].isin(order)]
            steps = steps.iloc[steps["position"].map(order).argsort(kind="stable")]
        return steps.reset_index(drop=True)

    def view(self, rows: int | None = 12) -> "_View":
        """The readable view with another row limit.

        Args:
            rows: how many examples to show (the winner and the best first); ``None``: every one.

        Returns:
            An object a notebook shows as the readable table, and ``print`` as text.

        Examples:
            ```python
            mockkit.explain("api.json", "GET", "/users").view(rows=None)
            ```
        """
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
