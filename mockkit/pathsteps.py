"""Path steps a–h (spec §1.2 step 4): the first rung of the ladder a request path reaches for one
example, and what the explanation needs to say about it.

The rungs, their order, what each compares and what it costs are declared in ``ladder.PATH_RULES``;
``match_path`` walks them: a rung with a ``form`` compares that ``urls.PathForms`` field of both
paths, a rung with ``wildcards`` tries the example's ``{{variable}}`` segments (``wildcards.py``,
linear in the segment's length), and the ``distance`` rung (h) compares segment by segment by edit
distance (spec 9.2). Pure functions of the request's forms, the example and the options.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType
from typing import TYPE_CHECKING

from .distance_index import allowed_edits
from .index import Target
from .ladder import PATH_RULES
from .urls import ID_MARK, PathForms, is_id, levenshtein

if TYPE_CHECKING:  # pragma: no cover
    from .options import MockOptions

__all__ = ["PathMatch", "PLAIN", "match_path", "wild_match", "distance"]

_FORM_RULES = tuple((rule.letter, rule.form, rule.wildcards, rule.slash, rule.distance) for rule in PATH_RULES)


@dataclass(frozen=True, slots=True)
class PathMatch:
    """The rung a path reached: its ``letter``, the values the example's wildcard segments took
    (``captures``), whether those wildcard segments made the match (``wildcards``), and for rung h
    the largest segment distance (``distance``, 0–1)."""

    letter: str
    captures: dict[str, str]
    wildcards: bool = False
    distance: float | None = None


PLAIN = MappingProxyType({rule.letter: PathMatch(rule.letter, {}) for rule in PATH_RULES})
"""What ``match_path`` returns for a path matched by a rung's path form (no wildcards, no distance)."""


def match_path(r: PathForms, t: Target, opts: "MockOptions") -> PathMatch | None:
    """The first rung of the ladder at which the request path ``r`` matches ``t``'s path, or
    None when no rung does (the example is dropped at the path step)."""
    e = t.forms
    wild = opts.match_wildcards and t.wild is not None
    for letter, form, wildcards, slash, by_distance in _FORM_RULES:
        if form is not None and getattr(r, form) == getattr(e, form):
            return PLAIN[letter]
        if wildcards is not None and wild and (not slash or r.exact.endswith("/") == e.exact.endswith("/")):
            captures = wild_match(r.segments, t, ids=wildcards == "ids")
            if captures is not None:
                return PathMatch(letter, captures, wildcards=True)
        if by_distance and opts.distance_threshold > 0:
            d = distance(r, t, opts.match_wildcards, opts.distance_threshold)
            if d is not None:
                return PathMatch(letter, {}, distance=d)
    return None


def wild_match(segments: tuple[str, ...], t: Target, ids: bool) -> dict[str, str] | None:
    """Captures when the request segments fit the example's, wildcards taking one segment each
    (with ``ids``, an id-like segment also fits an id-like literal segment: spec 9.1)."""
    if t.wild is None or len(segments) != len(t.wild):
        return None
    captures: dict[str, str] = {}
    for seg, wild, own in zip(segments, t.wild, t.forms.segments):
        if wild is not None:
            found = wild.match(seg)  # linear in len(seg) (mockkit.wildcards)
            if found is None:
                return None
            captures.update(zip(wild.names, found))
        elif own.lower() != seg.lower() and not (ids and is_id(own) and is_id(seg)):
            return None
    return captures


def distance(req: PathForms, t: Target, wildcards: bool, threshold: float) -> float | None:
    """Spec 9.2 (typo tolerance, not word swaps): the paths have as many segments, and every
    segment that differs is itself close: its edit distance over the longer segment's length is
    at most ``threshold``; an id (9.1) only stands in for an id (two ids count as equal, an id
    and a word never). Returns the largest segment distance, or None when the step fails.
    Segments are compared lower-cased; the example's wildcard segments fit anything."""
    mine, theirs = req.id_segments, t.forms.id_segments
    if len(mine) != len(theirs):
        return None
    worst = 0.0
    for i, (a, b) in enumerate(zip(mine, theirs)):
        if a == b or (wildcards and t.wild is not None and t.wild[i] is not None):
            continue
        if a == ID_MARK or b == ID_MARK:  # they differ, so one is an id and the other is not
            return None
        longest = max(len(a), len(b))
        allowed = allowed_edits(threshold, a, b)
        if abs(len(a) - len(b)) > allowed:
            return None
        d = levenshtein(a, b, limit=allowed)
        if d > allowed:
            return None
        worst = max(worst, d / longest)
    return worst
