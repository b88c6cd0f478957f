"""Step h's lookups: which examples can be close to a request path, without comparing them all.

Path rule h (spec 9.2) accepts an example when its path has as many segments as the request's and
every segment pair is equal, or a wildcard (with ``match_wildcards``), or two non-ids within edit
distance ``int(threshold * longer length)``. A request that matches nothing reaches this rung, so
comparing it with every example of the same segment count made a miss cost as much as the
collection is large (7-24 ms at 10,000 examples, issue 17).

``DistanceIndex`` holds the examples of one method and one segment count by column (segment
position): each column maps a segment value (``PathForms.id_segments``: lower-cased, ids as
``ID_MARK``) to its examples, keeps the distinct non-id values sorted by length, and lists the
examples whose segment there is a wildcard. ``candidates`` finds, column by column, the values
that pass the per-segment rule (a length window by bisection, then rapidfuzz's edit distance with
a cutoff over that window, then the exact rule per value), starting with the columns that hold
the fewest values and stopping at the first column nothing passes. The examples that pass every
column computed are exactly those ``pathsteps.distance`` accepts (or a superset, when it stops
early because a column left only ``SMALL`` examples): ``pathsteps.match_path`` still decides each
one, so rankings are unchanged. Per column, the values accepted for a request segment are
memoised (bounded), so a client repeating a miss costs a dict lookup per segment.
"""

from __future__ import annotations

import math
from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from typing import TYPE_CHECKING

from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from .urls import ID_MARK

if TYPE_CHECKING:  # pragma: no cover
    from .index import Target

__all__ = ["DistanceIndex", "SMALL", "MEMO_SIZE", "allowed_edits"]

SMALL = 16
"""Once one column leaves at most this many examples, the other columns are not computed:
``match_path`` checks so few examples faster than the index would."""

MEMO_SIZE = 2048
"""Request segments whose accepted values a column keeps (then it forgets them all and starts
again): bounded memory whatever clients send."""

_SLACK = 1e-6  # the length window is widened by this much: a superset, the exact rule decides


def allowed_edits(threshold: float, a: str, b: str) -> int:
    """The edits spec 9.2 allows between segments ``a`` and ``b``: ``threshold`` (0-1) times the
    longer one's length, rounded down (the rule ``pathsteps.distance`` applies)."""
    return int(threshold * max(len(a), len(b)) + 1e-9)


class _Column:
    """One segment position of a ``DistanceIndex``: examples by segment value, the distinct
    non-id values sorted by length, and the examples with a wildcard there."""

    __slots__ = ("by_value", "wild", "values", "lengths", "_memo")

    def __init__(self) -> None:
        self.by_value: dict[str, list[Target]] = {}
        self.wild: list[Target] = []
        self.values: tuple[str, ...] = ()
        self.lengths: tuple[int, ...] = ()
        self._memo: dict[tuple[str, float], tuple[str, ...]] = {}

    def add(self, value: str, target: Target, wildcard: bool) -> None:
        """File ``target`` under its segment ``value`` (and among the wildcards)."""
        self.by_value.setdefault(value, []).append(target)
        if wildcard:
            self.wild.append(target)

    def finish(self) -> None:
        """Sort the distinct non-id values by length (after the last ``add``)."""
        ordered = sorted((v for v in self.by_value if v != ID_MARK), key=len)
        self.values = tuple(ordered)
        self.lengths = tuple(len(v) for v in ordered)
        self._memo = {}

    def window(self, segment: str, threshold: float) -> tuple[int, int]:
        """The slice of ``values`` whose lengths can pass the rule against ``segment``: a value
        ``b`` shorter than ``a`` needs ``len(b) >= len(a) * (1 - t)``, a longer one
        ``len(b) <= len(a) / (1 - t)`` (both from ``|len a - len b| <= t * max``)."""
        if segment == ID_MARK:
            return 0, 0  # an id only stands in for an id: equality, looked up directly
        if threshold >= 1:
            return 0, len(self.values)
        n = len(segment)
        low = bisect_left(self.lengths, math.ceil(n * (1 - threshold) - _SLACK))
        high = bisect_right(self.lengths, math.floor(n / (1 - threshold) + _SLACK))
        return low, high

    def accepted(self, segment: str, threshold: float) -> tuple[str, ...]:
        """The column's values that pass spec 9.2's per-segment rule against ``segment`` (exactly:
        equal, or both non-ids within ``allowed_edits``); wildcards are not included."""
        key = (segment, threshold)
        found = self._memo.get(key)
        if found is None:
            found = self._accept(segment, threshold)
            if len(self._memo) >= MEMO_SIZE:
                self._memo = {}
            self._memo[key] = found
        return found

    def _accept(self, segment: str, threshold: float) -> tuple[str, ...]:
        out = [segment] if segment in self.by_value else []
        low, high = self.window(segment, threshold)
        if high <= low:
            return tuple(out)
        cutoff = int(threshold * max(len(segment), self.lengths[high - 1]) + 1e-9)
        if cutoff == 0:  # only equal values pass, and equality was looked up
            return tuple(out)
        window: Sequence[str] = self.values[low:high]
        for value, edits, _ in process.extract(segment, window, scorer=Levenshtein.distance, processor=None,
                                                score_cutoff=cutoff, limit=None):
            allowed = allowed_edits(threshold, segment, value)
            if value != segment and edits <= allowed and abs(len(value) - len(segment)) <= allowed:
                out.append(value)
        return tuple(out)


class DistanceIndex:
    """The examples of one method with ``count`` path segments, by column, for step h."""

    __slots__ = ("count", "targets", "_columns")

    def __init__(self, count: int) -> None:
        """An empty index for paths of ``count`` segments (``PathForms.id_segments``)."""
        self.count = count
        self.targets: list[Target] = []
        self._columns = tuple(_Column() for _ in range(count))

    def add(self, target: Target) -> None:
        """File ``target`` (its ``forms.id_segments`` must have ``count`` segments)."""
        self.targets.append(target)
        wild = target.wild
        for i, (column, value) in enumerate(zip(self._columns, target.forms.id_segments)):
            column.add(value, target, wild is not None and wild[i] is not None)

    def finish(self) -> None:
        """Prepare the lookups (after the last ``add``)."""
        for column in self._columns:
            column.finish()

    def candidates(self, segments: Sequence[str], threshold: float, wildcards: bool = True) -> list[Target]:
        """A superset of the examples that ``pathsteps.distance(request, t, wildcards, threshold)``
        accepts, for a request whose ``id_segments`` are ``segments`` (``count`` of them): with
        ``wildcards``, an example's wildcard segment fits any request segment."""
        columns = self._columns
        if not columns:
            return list(self.targets)  # "/" against "/": no segment can differ
        order = sorted(range(len(columns)), key=lambda i: _width(columns[i], segments[i], threshold))
        passing: dict[int, tuple[str, ...]] = {}
        driver, smallest = -1, 0
        for i in order:
            column = columns[i]
            values = passing[i] = column.accepted(segments[i], threshold)
            size = sum(len(column.by_value[v]) for v in values) + (len(column.wild) if wildcards else 0)
            if size == 0:
                return []
            if driver < 0 or size < smallest:
                driver, smallest = i, size
            if smallest <= SMALL:
                break
        column = columns[driver]
        found = [t for v in passing[driver] for t in column.by_value[v]]
        if wildcards:
            found.extend(column.wild)
        checks = [(j, frozenset(values)) for j, values in passing.items() if j != driver]
        if checks:
            found = [t for t in found if _fits(t, checks, wildcards)]
        return list({id(t): t for t in found}.values())  # once each (a wildcard's text may pass too)


def _width(column: _Column, segment: str, threshold: float) -> int:
    """How many values the column would compare with ``segment`` (cheapest columns first)."""
    low, high = column.window(segment, threshold)
    return high - low


def _fits(t: Target, checks: list[tuple[int, frozenset[str]]], wildcards: bool) -> bool:
    """Whether every checked segment of ``t`` is among the passing values (or a wildcard)."""
    segments, wild = t.forms.id_segments, t.wild
    for j, values in checks:
        if segments[j] not in values and not (wildcards and wild is not None and wild[j] is not None):
            return False
    return True
