"""What mockkit prints on a terminal: the explanation table and ``mockkit serve``'s call lines.

* ``explanation_text`` / ``print_explanation``: an ``Explanation`` as a table that fits the
  terminal's width (rich wraps the reason column, left-aligned), whole scores as integers, and
  a first line that says what a mock answers (``404 mockRequestNotFoundError`` when nothing
  matches).
* ``call_line``: one line per answered call; a call that matched nothing names the nearest
  example and why it lost, found with bounded work (``NEAREST_LOOKS`` examples at most).

Everything taken from a collection or a request is made safe first (``terminal.printable``):
control characters, and the bidirectional controls that reorder a line, are printed as escapes,
so neither can move the cursor, recolour the terminal or disguise text.
"""

from __future__ import annotations

import bisect
import io
import re
import shutil
from typing import TYPE_CHECKING, Any

import pandas as pd
from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from .answers import is_preflight
from .explaining import forwarded_line, lookup_miss_note
from .scoring import evaluate
from .sentences import drop_sentence
from .terminal import printable
from .urls import is_id, levenshtein
from .views import STAGE_LABELS, number, reach_text, verdict, view_rows

if TYPE_CHECKING:  # pragma: no cover
    from .engine import Served
    from .index import Target
    from .matching import Ranking
    from .model import MockRequest

__all__ = ["explanation_text", "print_explanation", "call_line", "nearest_miss", "NEAREST_LOOKS"]

NEAREST_LOOKS = 64
"""At most this many examples are compared to find the nearest one for an unmatched call."""


SHORT_STEPS = {"method": "method", "response-code": "code", "response-name": "name", "response-id": "id",
               "path": "path", "headers": "headers", "body": "body"}
"""Terminal tags for the step that decided (the notebook view spells them out)."""


def _step_tag(row: pd.Series) -> str:
    stage, rule = str(row["stage"]), str(row["path_rule"] or "")
    kept = bool(row.get("kept", stage in ("selected", "scored")))
    if kept:
        return f"by {SHORT_STEPS.get(stage, stage)}" if stage in ("response-name", "response-id") else f"rule {rule}"
    return "✗ " + SHORT_STEPS.get(stage, stage)


def _table(frame: pd.DataFrame, rows: int | None, marker: str, width: int) -> tuple[Table, pd.DataFrame]:
    shown, rest = view_rows(frame, rows)
    longest = max([len(printable(n)) for n in shown["example"]]
                  + [len(printable(f"{m} {p}")) for m, p in zip(shown["method"], shown["path"])] + [7])
    name_width = min(longest, max(12, (width - 34) // 3))
    table = Table(box=box.SIMPLE_HEAD, expand=False, pad_edge=False, show_edge=False, header_style="bold")
    table.add_column("", width=1, no_wrap=True)
    table.add_column("example", width=name_width, overflow="fold")
    table.add_column("status", width=6, no_wrap=True, justify="right")
    table.add_column("score", width=5, no_wrap=True, justify="right")
    table.add_column("step", width=9, overflow="fold")
    table.add_column("reason", ratio=1, overflow="fold")
    for _, row in shown.iterrows():
        won = bool(row["selected"])
        reason = printable(row["reason"])
        if row.get("reach") or row.get("shadowed"):
            reason += f" · {printable(reach_text(row))}"
        if row.get("problems"):
            reason += f" · response problems: {printable(row['problems'])}"
        example = Text(printable(row["example"]))
        example.append(f"\n{printable(row['method'])}\u00a0{printable(row['path'])}", style="dim")
        table.add_row(marker if won else "", example, str(row["status"]), number(row["score"]),
                      Text(_step_tag(row)), Text(reason), style="bold" if won else None)
    return table, rest


_TRAILING = re.compile(r" +((?:\x1b\[[0-9;]*m)*)$", re.M)


def print_explanation(frame: pd.DataFrame, console: Console, rows: int | None = 12) -> None:
    """Write the verdict line, the table, and what was left out, to ``console`` (its width,
    colours when it is a terminal; no trailing spaces). A closed pipe raises BrokenPipeError."""
    marker = "✓" if (console.encoding or "").lower().replace("-", "").startswith("utf") else "*"
    table, rest = _table(frame, rows, marker, console.width)
    with console.capture() as captured:
        console.print(Text(printable(verdict(frame))))
        console.print(table)
        if len(rest):
            counts = ", ".join(f"{STAGE_LABELS.get(str(s), s)} {n}" for s, n in rest["stage"].value_counts().items())
            console.print(Text(f"+ {len(rest):,} more examples, dropped at: {printable(counts)} (--all shows every one)"))
    console.file.write(_TRAILING.sub(r"\1", captured.get()))
    console.file.flush()


def explanation_text(frame: pd.DataFrame, width: int | None = None, rows: int | None = 12) -> str:
    """The explanation as plain text, ``width`` columns wide (default: the terminal's)."""
    buffer = io.StringIO()
    width = width or shutil.get_terminal_size((100, 24)).columns
    console = Console(file=buffer, width=width, color_system=None, highlight=False, emoji=False,
                      force_terminal=False, legacy_windows=False)
    print_explanation(frame, console, rows)
    return buffer.getvalue().rstrip("\n")


# --------------------------------------------------------------------------- serve's call log


def call_line(request: "MockRequest", served: "Served | None", ms: float) -> str:
    """One line for ``mockkit serve``'s log: the call, the status, and which example answered,
    or, for a call nothing matched, the nearest example and why it lost."""
    head = f"{printable(request.method)} {printable(request.target)}"
    if served is None:
        return f"{head} -> 500 (engine error) ({ms:.1f} ms)"
    if served.forwarded is not None:  # issue 16
        return f"{head} -> {served.response.status} {printable(forwarded_line(served.forwarded))} ({ms:.1f} ms)"
    w = served.winner
    if w is not None:
        return f"{head} -> {served.response.status} '{printable(w.example.name)}' score {number(w.score)} ({ms:.1f} ms)"
    if served.response.status == 204 and is_preflight(request):
        return f"{head} -> 204 CORS pre-flight, answered by mockkit (no example for it: spec 9.8) ({ms:.1f} ms)"
    why = ""
    if served.ranking is not None and served.response.status == 404:
        why = "; " + nearest_miss(served.ranking)
    return f"{head} -> {served.response.status} no match{why} ({ms:.1f} ms)"


def nearest_miss(ranking: "Ranking") -> str:
    """For a ranking without a winner: the nearest example and why it lost (bounded work).

    Name/id lookups that found nothing say so. Otherwise the examples looked at are those with
    the request's method and segment count (or the nearest count), at most ``NEAREST_LOOKS``
    of them around the request path's length, compared by edit distance per segment; with no
    example for the method, those saved at the same path with another method.
    """
    miss = lookup_miss_note(ranking)
    if miss:
        return printable(miss)
    req = ranking.prepared
    index = ranking.index
    segments, path = req.forms.segments, req.forms.lower_strip
    found = _near_same_method(index.for_method(req.method), segments, path)
    if found is None:
        others = [_near_same_method(index.for_method(m), segments, path) for m in index.methods()]
        elsewhere = min((f for f in others if f is not None), key=lambda f: f[1], default=None)
        if elsewhere is None:
            return "the collection has no examples"
        t = elsewhere[0]
        return (f"no example uses {printable(req.method)}; nearest: '{printable(t.example.name)}' is saved for "
                f"{printable(t.method)} {printable(t.path)}")
    near = found[0]
    c = evaluate(req, near, ranking.options)
    reason = drop_sentence(c, req, ranking.options.distance_threshold) or "it matches, but another step dropped it"
    mine, theirs = near.forms.segments, segments
    if c.stage == "path" and len(mine) == len(theirs):
        differ = [f"`{printable(a)}` vs `{printable(b)}`" for a, b in zip(theirs, mine) if a.lower() != b.lower()]
        reason += f" (segments differ: {', '.join(differ[:3])})" if differ else ""
    elif c.stage == "path":
        reason += f" (it has {_segments(len(mine))}, the request {_segments(len(theirs))})"
    return f"nearest: '{printable(near.example.name)}' ({printable(near.method)} {printable(near.path)}): {printable(reason)}"


def _segments(n: int) -> str:
    return f"{n} segment" if n == 1 else f"{n} segments"


def _near_same_method(by_method: Any, segments: tuple[str, ...], path: str) -> "tuple[Target, int] | None":
    """The closest example (and its cost) among at most ``NEAREST_LOOKS`` with one method and
    this segment count (or the closest count), chosen around the request path's length.
    Cost: edit distance per segment; wildcard segments and pairs of ids (spec 9.1) cost 0."""
    if by_method is None or not by_method.by_count:
        return None
    count = min(by_method.by_count, key=lambda n: (abs(n - len(segments)), n))
    bucket = by_method.by_count[count]  # kept sorted by path length
    at = bisect.bisect_left(bucket, len(path), key=lambda t: len(t.forms.lower_strip))
    half = NEAREST_LOOKS // 2
    best: tuple[Target, int] | None = None
    for t in bucket[max(0, at - half): at + half]:
        theirs = t.forms.segments
        cost = 100 * abs(len(theirs) - len(segments))
        for i, (a, b) in enumerate(zip(segments, theirs)):
            if (t.wild is not None and t.wild[i] is not None) or (is_id(a) and is_id(b)):
                continue
            cost += levenshtein(a.lower(), b.lower())
        if best is None or cost < best[1]:
            best = (t, cost)
    return best
