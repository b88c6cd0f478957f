"""Step h's lookups: which examples can be close to a request path, without comparing them all.

Path rule h (spec 9.2) accepts an example when its path has as many segments as the request's and
every segment pair is equal, or a wildcard (with ``match_wildcards``), or two non-ids within edit
distance ``int(threshold * longer length)``. A request that matches nothing reaches this rung, so
comparing it with every example of the same segment count made a miss cost as much as the
collection is large (7-24 ms at 10,000 examples, issue 17).

``DistanceIndex`` holds the examples of one method and one segment count by *shape* (their
``PathForms.id_segments``, lower-cased with ids as ``ID_MARK``, and which segments are wildcards:
all step h reads of an example; ``/items/7/detail`` and ``/items/8/detail`` share one) and by
column (segment position): each column maps a segment value to its shapes, keeps the distinct
non-id values sorted by length, and lists the shapes whose segment there is a wildcard. ``candidates`` finds, column by column, the values
that pass the per-segment rule (a length window by bisection, then rapidfuzz's edit distance with
a cutoff over that window, then the exact rule per value), starting with the columns that hold
the fewest values and stopping at the first column nothing passes. The examples that pass every
column computed are exactly those ``pathsteps.distance`` accepts (or a superset, when it stops
early because a column left only ``SMALL`` examples): ``pathsteps.match_path`` still decides each
one, so rankings are unchanged. The shapes' lists of examples are kept unchanged, so the index
groups a long one into a ``crowds.Crowd`` once: 50,000 examples of one shape close to a request
are scored once per group, not once each. Per column, the values accepted for a request
segment are memoised (bounded), so a client repeating a miss costs a dict lookup per segment.
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

__all__ = ["DistanceIndex", "ShapeKey", "SMALL", "MEMO_SIZE", "allowed_edits"]

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


ShapeKey = tuple[tuple[str, ...], tuple[int, ...]]
"""A path shape: ``PathForms.id_segments`` and the positions of its wildcard segments. Step h
treats every example of one shape alike (``pathsteps.distance`` reads nothing else of it)."""


class _Column:
    """One segment position of a ``DistanceIndex``: shapes by segment value (with how many
    examples each value stands for), the distinct non-id values sorted by length, and the shapes
    with a wildcard there."""

    __slots__ = ("by_value", "weight", "wild", "wild_weight", "values", "lengths", "_memo")

    def __init__(self) -> None:
        self.by_value: dict[str, list[ShapeKey]] = {}
        self.weight: dict[str, int] = {}
        self.wild: list[ShapeKey] = []
        self.wild_weight = 0
        self.values: tuple[str, ...] = ()
        self.lengths: tuple[int, ...] = ()
        self._memo: dict[tuple[str, float], tuple[str, ...]] = {}

    def add(self, value: str, shape: ShapeKey, wildcard: bool) -> None:
        """File ``shape`` under its segment ``value`` here (and among the wildcards)."""
        self.by_value.setdefault(value, []).append(shape)
        if wildcard:
            self.wild.append(shape)

    def finish(self, shapes: dict[ShapeKey, list[Target]]) -> None:
        """Sort the distinct non-id values by length and count the examples behind each value
        (after the last ``add``)."""
        ordered = sorted((v for v in self.by_value if v != ID_MARK), key=len)
        self.values = tuple(ordered)
        self.lengths = tuple(len(v) for v in ordered)
        self.weight = {v: sum(len(shapes[k]) for k in keys) for v, keys in self.by_value.items()}
        self.wild_weight = sum(len(shapes[k]) for k in self.wild)
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
        cutoff = allowed_edits(threshold, segment, self.values[high - 1])
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
    """The examples of one method with ``count`` path segments, by shape and column, for step h."""

    __slots__ = ("count", "targets", "shapes", "_columns")

    def __init__(self, count: int) -> None:
        """An empty index for paths of ``count`` segments (``PathForms.id_segments``)."""
        self.count = count
        self.targets: list[Target] = []
        self.shapes: dict[ShapeKey, list[Target]] = {}  # lists kept unchanged after ``finish``
        self._columns = tuple(_Column() for _ in range(count))

    def add(self, target: Target) -> None:
        """File ``target`` (its ``forms.id_segments`` must have ``count`` segments)."""
        self.targets.append(target)
        wild = target.wild
        key: ShapeKey = (target.forms.id_segments,
                         tuple(i for i, w in enumerate(wild) if w is not None) if wild is not None else ())
        members = self.shapes.get(key)
        if members is None:
            members = self.shapes[key] = []
            for i, (column, value) in enumerate(zip(self._columns, key[0])):
                column.add(value, key, i in key[1])
        members.append(target)

    def finish(self) -> None:
        """Prepare the lookups (after the last ``add``)."""
        for column in self._columns:
            column.finish(self.shapes)

    def candidates(self, segments: Sequence[str], threshold: float, wildcards: bool = True) -> list[list[Target]]:
        """The examples that ``pathsteps.distance(request, t, wildcards, threshold)`` may accept,
        for a request whose ``id_segments`` are ``segments`` (``count`` of them), as the lists of
        ``shapes`` that hold them: exactly the accepted ones when every column was computed, a
        superset of at most ``SMALL`` examples otherwise. With ``wildcards``, an example's
        wildcard segment fits any request segment."""
        columns = self._columns
        if not columns:
            return list(self.shapes.values())  # "/" against "/": no segment can differ
        order = sorted(range(len(columns)), key=lambda i: _width(columns[i], segments[i], threshold))
        passing: dict[int, tuple[str, ...]] = {}
        driver, smallest = -1, 0
        for i in order:
            column = columns[i]
            values = passing[i] = column.accepted(segments[i], threshold)
            size = sum(column.weight[v] for v in values) + (column.wild_weight if wildcards else 0)
            if size == 0:
                return []
            if driver < 0 or size < smallest:
                driver, smallest = i, size
            if smallest <= SMALL:
                break
        column = columns[driver]
        keys = [k for v in passing[driver] for k in column.by_value[v]]
        if wildcards:
            keys.extend(column.wild)
        checks = [(j, frozenset(values)) for j, values in passing.items() if j != driver]
        return [self.shapes[k] for k in dict.fromkeys(keys) if not checks or _fits(k, checks, wildcards)]


def _width(column: _Column, segment: str, threshold: float) -> int:
    """How many values the column would compare with ``segment`` (cheapest columns first)."""
    low, high = column.window(segment, threshold)
    return high - low


def _fits(shape: ShapeKey, checks: list[tuple[int, frozenset[str]]], wildcards: bool) -> bool:
    """Whether every checked segment of ``shape`` is among the passing values (or a wildcard)."""
    segments, wild = shape
    for j, values in checks:
        if segments[j] not in values and not (wildcards and j in wild):
            return False
    return True
