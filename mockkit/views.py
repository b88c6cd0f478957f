"""How an explanation reads, wherever it is shown: the notebook view (``explanation_html``), the
terminal (``console``) and the Explorer share these pieces.

* ``verdict``: one sentence, the request and what a mock answers it with;
* ``step_text`` / ``reach_text``: what decided an example's fate, and how to reach a loser;
* ``view_rows``: which rows a view shows (kept examples in rank order, then dropped ones, those
  that got furthest first) and which it leaves out;
* ``number``, ``bar_scale``: scores for people, and the range of the score bars (from the
  ladder's lowest kept score to the best shown);
* ``theme``: colours.

Colours come from JupyterLab's CSS variables (``--jp-brand-color1``, ``--jp-border-color2``,
...), so the view follows the Light and Dark themes; where those variables do not exist
(Voilà's classic template, VS Code, nbconvert HTML) the fallbacks are translucent tints over
whatever background the page has, and text keeps the page's own colour.
"""

from __future__ import annotations

import html
import math
import re
from typing import Any

import pandas as pd

from .ladder import LOWEST_SCORE, RULE, TOP_SCORE

__all__ = ["explanation_html", "verdict", "step_text", "reach_text", "number", "bar_scale", "theme", "view_rows",
           "VIEW_COLUMNS", "STAGE_LABELS"]

VIEW_COLUMNS = ("example", "method", "path", "status", "stage", "path_rule", "score", "selected", "reason")
"""The columns the readable view needs; a frame without them displays as a plain DataFrame."""

STAGE_LABELS = {
    "method": "method",
    "response-code": "x-mock-response-code",
    "response-name": "x-mock-response-name",
    "response-id": "x-mock-response-id",
    "path": "path",
    "headers": "headers",
    "body": "body",
}
_DEPTH = {"body": 0, "headers": 0, "path": 1, "response-name": 2, "response-id": 2, "response-code": 2, "method": 3}


def theme() -> dict[str, str]:
    """CSS colour expressions: JupyterLab's variables first, theme-neutral fallbacks second."""
    brand = "var(--jp-brand-color1, #1976d2)"
    return {
        "highlight": f"color-mix(in srgb, {brand} 18%, transparent)",
        "bar": brand,
        "bar_other": "var(--jp-brand-color2, #64b5f6)",
        "track": "color-mix(in srgb, currentColor 12%, transparent)",
        "border": "var(--jp-border-color2, color-mix(in srgb, currentColor 25%, transparent))",
        "code": "var(--jp-layout-color2, color-mix(in srgb, currentColor 10%, transparent))",
        "warn": "var(--jp-warn-color1, #f57c00)",
    }


def number(value: Any) -> str:
    """A score or points for people: whole numbers without decimals, others with two, NaN as —."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    value = float(value)
    return f"{value:.0f}" if value == int(value) else f"{value:.2f}".rstrip("0")


def bar_scale(best: float) -> tuple[float, float]:
    """(low, high) for score bars: from just under the lowest possible kept score to the best
    score shown, so 110 and 99 (or 80 and 79) get visibly different bars (the winner's is full)."""
    high = float(best) if best == best else float(TOP_SCORE)
    low = min(LOWEST_SCORE - 5, high - 10)
    return low, high


def step_text(row: pd.Series | dict[str, Any]) -> str:
    """What decided this example's fate: the path rule that matched, the header that picked it,
    or the step that dropped it."""
    stage, rule = str(row["stage"]), str(row["path_rule"] or "")
    if bool(row.get("kept", row["stage"] in ("selected", "scored"))):
        if stage in ("response-name", "response-id"):
            return f"x-mock-{stage}"
        return f"path {rule} · {RULE[rule].name}" if rule in RULE else stage
    return "✗ " + STAGE_LABELS.get(stage, stage)


def reach_text(row: pd.Series | dict[str, Any]) -> str:
    """How to get a losing example: the header that reaches it; said plainly when this request
    is its own saved request (it cannot win without a control header)."""
    reach = str(row.get("reach") or "")
    if bool(row.get("shadowed")):
        own = "this is its own saved request, and another example wins it: "
        return own + (f"reach it with {reach}" if reach else "no control header reaches it either")
    return f"reach it with {reach}" if reach else ""


def verdict(frame: pd.DataFrame) -> str:
    """One sentence: the request, and what a mock answers it with (plain text), followed by the
    ranking's notes when it has any (a name/id lookup's outcome, a reloaded collection, a request
    body the call log kept only in part)."""
    request = frame.attrs.get("request", "the request")
    chosen = frame[frame["selected"]] if "selected" in frame else frame.iloc[0:0]
    notes = "; ".join(frame.attrs.get("notes", []))
    if frame.attrs.get("answered"):  # a forwarded call (issue 16)
        return f"{request} → {frame.attrs['answered']}" + (f". Note: {notes}" if notes else "")
    if len(chosen):
        row = chosen.iloc[0]
        how = step_text(row)
        score = "" if row["score"] != row["score"] else f", score {number(row['score'])}"
        return f"{request} → {row['status']} '{row['example']}' ({how}{score})" + (f". Note: {notes}" if notes else "")
    return (f"{request} → no example matches: a mock answers 404 mockRequestNotFoundError"
            + (f" ({notes})" if notes else ""))


def view_rows(frame: pd.DataFrame, rows: int | None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(rows shown, rows left out): kept examples in rank order, then dropped ones, those that
    got furthest first (body/headers, then path, then the control headers, then method)."""
    mask = frame["stage"].isin(["selected", "scored"]) | frame.get("kept", False)
    kept, dropped = frame[mask], frame[~mask]
    depth = dropped["stage"].map(lambda s: _DEPTH.get(str(s), 1))
    dropped = dropped.assign(_depth=depth.values).sort_values("_depth", kind="stable").drop(columns="_depth")
    ordered = pd.concat([kept, dropped])
    if rows is None or len(ordered) <= rows:
        return ordered, ordered.iloc[0:0]
    shown = max(rows, min(len(kept), 30))
    return ordered.iloc[:shown], ordered.iloc[shown:]


_CODE = re.compile(r"`([^`]+)`")


def _text(value: Any, code_bg: str) -> str:
    escaped = html.escape(str(value))
    return _CODE.sub(lambda m: f"<code style='background:{code_bg};color:inherit;padding:0 3px;"
                               f"border-radius:3px;font-size:0.95em'>{m.group(1)}</code>", escaped)


def _bar(score: float, low: float, high: float, colour: str, track: str) -> str:
    share = 0.0 if score != score else max(0.03, min(1.0, (score - low) / ((high - low) or 1)))
    return (f"<span class='mk-bar' style='display:inline-block;width:5em;height:0.6em;background:{track};"
            f"vertical-align:middle;margin-left:6px;border-radius:2px'><span class='mk-bar-fill' "
            f"style='display:block;height:100%;width:{share * 100:.1f}%;background:{colour};"
            f"border-radius:2px'></span></span>")


def explanation_html(frame: pd.DataFrame, rows: int | None = 12, *, with_verdict: bool = True) -> str:
    """The readable view as HTML (what a notebook shows for an ``Explanation``): the verdict
    line (unless ``with_verdict`` is False), then at most ``rows`` rows (``None``: all)."""
    c = theme()
    shown, rest = view_rows(frame, rows)
    scores = frame.loc[frame["score"].notna(), "score"]
    low, high = bar_scale(scores.max() if len(scores) else float("nan"))
    cell = "padding:4px 8px;text-align:left;vertical-align:top;border-bottom:1px solid " + c["border"]
    longest = max((len(str(m)) + 1 + len(str(p)) for m, p in zip(shown["method"], shown["path"])), default=0)
    example_width = min(max(12.0, longest * 0.62), 24.0)  # em: room for "METHOD /path" in code font
    heads = [("example", f"min-width:{example_width:.1f}em"), ("status", ""), ("decided by", ""),
             ("score", "white-space:nowrap"), ("chosen", "white-space:nowrap"), ("reason", "min-width:18em;width:55%")]
    head = "".join(f"<th style='{cell};font-weight:600;{extra}'>{name}</th>" for name, extra in heads)
    body = []
    for _, row in shown.iterrows():
        won = bool(row["selected"])
        style = f" style='background:{c['highlight']}'" if won else ""
        name = f"<b>{html.escape(str(row['example']))}</b>" if won else html.escape(str(row["example"]))
        where = html.escape(f"{row['method']}\u00a0{row['path']}").replace("/", "/<wbr>")  # breaks after a /
        reason = _text(row["reason"], c["code"])
        if row.get("reach") or row.get("shadowed"):
            reason += f"<div class='mk-reach'>{html.escape(reach_text(row))}</div>"
        if row.get("problems"):
            reason += (f"<div class='mk-problems' style='border-left:3px solid {c['warn']};padding-left:4px'>"
                       f"response problems: {_text(row['problems'], c['code'])}</div>")
        score = number(row["score"])
        bar = _bar(float(row["score"]), low, high, c["bar"] if won else c["bar_other"], c["track"]) if score != "—" else ""
        body.append(
            f"<tr class='mk-row{' mk-winner' if won else ''}'{style}>"
            f"<td style='{cell};overflow-wrap:anywhere'>{name}"
            f"<div style='font-weight:normal;font-size:0.9em;overflow-wrap:anywhere'><code style='background:none;"
            f"color:inherit;padding:0'>{where}</code></div></td>"
            f"<td style='{cell}'>{row['status']}</td>"
            f"<td style='{cell};white-space:nowrap'>{html.escape(step_text(row))}</td>"
            f"<td style='{cell};white-space:nowrap'><span class='mk-score' style='display:inline-block;min-width:2.2em;"
            f"text-align:right;font-variant-numeric:tabular-nums'>{score}</span>{bar}</td>"
            f"<td style='{cell};white-space:nowrap'>{'<b>✓ chosen</b>' if won else ''}</td>"
            f"<td class='mk-reason' style='{cell};white-space:normal;overflow-wrap:anywhere'>{reason}</td></tr>"
        )
    foot = ""
    if len(rest):
        stages = rest["stage"].value_counts()
        counts = ", ".join(f"{STAGE_LABELS.get(str(s), s)} {n}" for s, n in stages.items())
        foot = (f"<div class='mk-more' style='padding:4px 8px'>+ {len(rest):,} more examples, dropped at: "
                f"{html.escape(counts)}. <code>.view(rows=None)</code> shows them all.</div>")
    return (
        "<div class='mk-explanation' style='max-width:100%;overflow-x:auto;line-height:1.4'>"
        + (f"<div class='mk-verdict' style='padding:4px 8px'>{html.escape(verdict(frame))}</div>" if with_verdict else "")
        + f"<table style='width:100%;border-collapse:collapse;table-layout:auto;margin:0;font-size:inherit'>"
        f"<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>{foot}</div>"
    )
