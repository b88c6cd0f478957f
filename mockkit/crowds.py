"""Many examples that reach the same rung of the path ladder alike: scored once per kind.

A request can match thousands of examples at one rung: with id-like resource names
(``/v1/invoices1042``, spec 9.1), any id-like request segment matches every one of them at rung f.
Scoring each (query, headers, body: spec §1.2 steps 5-6) made such a request cost as much as the
collection is large, on the server's event loop (issue 17).

Yet the score of an example that reaches a rung through that rung's path form depends on the
example only through its status code (the ``x-mock-response-code`` filter), its saved query
parameters, its saved headers and its body. ``Crowd`` splits a long list of the index (the
examples that share one path form) into groups alike in all of these (examples with a saved body
are never grouped: each is its own group), each group sorted by the tie rule's order (spec 9.3:
example id ascending, then collection order). Members of a group get the same score, the same
fate and the same status, so of each group only its first member (by that order) not already
looked at can win: ``matching.rank`` scores that one and skips the rest. Lists of wildcard
examples filed by their literal segments are grouped the same way, also by their wildcard
segments' text and trailing slash: when the first of a group matches at the rung, so does every
other with the same score; when it does not, ``rank`` looks at each member on its own. The winner
is the one scoring every example would pick; ``explaining.explain`` still scores every example.

A plain crowd can still hold thousands of groups: one path saved with thousands of different
query strings (a recorded session, a search endpoint). ``QueryClasses`` sorts its groups by the
parameter names they saved and their status code, and indexes each saved parameter, so that
``matching.rank`` scores only the best group of each class (``QueryClasses.best``) when nothing
but status and query can tell the groups apart.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from collections import Counter
from dataclasses import dataclass
from operator import attrgetter
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from .index import Target

__all__ = ["CROWD_ABOVE", "Crowd", "QueryClasses", "score_key", "exact_pair"]

CROWD_ABOVE = 32
"""Lists of the index at least this long are grouped (shorter ones are scored one by one)."""


def score_key(t: Target) -> Hashable:
    """What ``t``'s score and fate at a rung reached by its path form depend on: status code,
    saved query parameters (as multisets) and saved headers; an example with a saved body is
    keyed by itself (bodies are compared one by one)."""
    if t.body.kind != "none":
        return ("own", id(t))
    query = tuple(sorted((key, tuple(sorted(values.items()))) for key, values in t.query.items())) if t.query else ()
    return (t.code, query, tuple(sorted(t.headers.items())) if t.headers else ())


def _wild_key(t: Target) -> Hashable:
    """What decides, beyond ``score_key``, whether a wildcard example matches at a rung when its
    literal segments already fit the request's: its wildcard segments' text (their pattern and
    capture names) and whether its path ends with ``/`` (the rungs that keep it)."""
    wild = t.wild or ()
    return tuple(s for s, w in zip(t.forms.segments, wild) if w is not None), t.forms.exact.endswith("/")


@dataclass(frozen=True, slots=True)
class Crowd:
    """A long list of the index split into groups of examples alike.

    ``plain``: the list holds examples by one path form (``index._MethodIndex.forms``): each
    example in it not reached by an earlier rung matches at the rung that compares that form.
    Otherwise it holds wildcard examples by their literal segments (``_MethodIndex.wild_shapes``):
    the members of a group match at a rung or fail there together (``_wild_key``).
    ``members``: the ``id()`` of every example in the list; ``groups``: tuples of examples, each
    sorted by the tie rule's order (``Target.tie_key``), in the order the list first names them."""

    plain: bool
    members: frozenset[int]
    groups: tuple[tuple[Target, ...], ...]
    queries: QueryClasses | None = None  # a plain crowd's groups by saved query parameters (None: wildcards)

    @classmethod
    def of(cls, targets: Sequence[Target], plain: bool, keys: dict[int, Hashable] | None = None,
           members: frozenset[int] | None = None) -> Crowd:
        """Group ``targets`` (a list the index keeps unchanged after it is built); ``keys``
        memoises ``score_key`` by ``id()`` across the crowds of one index; ``members``: the ids of
        ``targets`` when the caller has them (one object for crowds of the same examples lets
        ``matching.rank`` see by identity that a crowd was looked at already)."""
        memo: dict[int, Hashable] = {} if keys is None else keys
        groups: dict[Hashable, list[Target]] = {}
        for t in targets:
            key = memo.get(id(t))
            if key is None:
                key = memo[id(t)] = score_key(t)
            if not plain:
                wild = memo.get(-id(t))  # ids are positive: -id keys the wildcard part
                if wild is None:
                    wild = memo[-id(t)] = _wild_key(t)
                key = (key, wild)
            groups.setdefault(key, []).append(t)
        sorted_groups = tuple(tuple(sorted(group, key=_TIE_KEY)) for group in groups.values())
        return cls(plain, members if members is not None else frozenset(id(t) for t in targets), sorted_groups,
                   QueryClasses.of(sorted_groups) if plain else None)


_TIE_KEY = attrgetter("tie_key")


def exact_pair(key: str, values: Counter[str]) -> tuple[str, frozenset[tuple[str, int]]]:
    """A query parameter as step 5 compares it: its name and the multiset of its values."""
    return key, frozenset(values.items())


@dataclass(frozen=True, slots=True)
class QueryClasses:
    """A plain crowd's groups (``Crowd.groups``, by index) as step 5 tells them apart, so that a
    request's best groups are found without scoring each (issue 17: thousands of examples of
    one path that differ only in their saved query parameters).

    When headers and bodies decide nothing (no ``match_headers``, no ``match_body``, a request
    without a body), a group's score at a rung depends on its status code and on step 5 alone:
    on ``match`` (its parameters equal to the request's, as multisets), ``partial`` (named on both
    sides, other values) and ``missing`` (named on one side only). Within a class of groups that
    name the same parameters and share a status code, ``partial + match`` and ``missing`` are the
    same for every group, and the points grow with ``match`` (spec §1.2 step 5: a share of the
    full points when some match, at most zero when none does). So the best of a class are its
    groups with the most parameters equal to the request's, found through ``exact`` (a request
    parameter -> the groups that saved exactly it), or, when none of the class has one, every
    group of the class alike; of those the tie rule picks the one with the smallest first
    ``tie_key`` (they share a status code: spec 9.3).

    ``classes``: (parameter names, status code) -> group indices sorted by their first member's
    ``tie_key``; ``names``: each group's parameter names; ``exact``: (name, value multiset) ->
    indices of the groups that saved exactly that parameter; ``first_key``: each group's first
    ``tie_key``.
    """

    classes: Mapping[tuple[frozenset[str], int], tuple[int, ...]]
    class_of: tuple[tuple[frozenset[str], int], ...]
    exact: Mapping[tuple[str, frozenset[tuple[str, int]]], tuple[int, ...]]
    first_key: tuple[tuple[int, str, int], ...]

    @classmethod
    def of(cls, groups: Sequence[Sequence[Target]]) -> QueryClasses:
        """Index ``groups`` (a plain crowd's, each sorted by ``tie_key``)."""
        classes: dict[tuple[frozenset[str], int], list[int]] = {}
        exact: dict[tuple[str, frozenset[tuple[str, int]]], list[int]] = {}
        class_of: list[tuple[frozenset[str], int]] = []
        for i, group in enumerate(groups):
            first = group[0]
            key = (frozenset(first.query), first.code)
            class_of.append(key)
            classes.setdefault(key, []).append(i)
            for name, values in first.query.items():
                exact.setdefault(exact_pair(name, values), []).append(i)
        first_key = tuple(group[0].tie_key for group in groups)
        return cls({k: tuple(sorted(v, key=first_key.__getitem__)) for k, v in classes.items()}, tuple(class_of),
                   {k: tuple(v) for k, v in exact.items()}, first_key)

    def best(self, query: Mapping[str, Counter[str]], code: int | None, compare_query: bool) -> list[int]:
        """Of each class (of status ``code`` only, when not None), the group the tie rule would
        serve among the class's best-scoring groups for a request with ``query`` (step 5 off,
        ``compare_query`` False: every group of a class scores alike). The work grows with the
        number of classes and of groups that saved one of the request's parameters exactly,
        not with the crowd."""
        matches: Counter[int] = Counter()
        if compare_query:
            for name, values in query.items():
                matches.update(self.exact.get(exact_pair(name, values), ()))
        eligible = sum(1 for key in self.classes if code is None or key[1] == code)
        top: dict[tuple[frozenset[str], int], tuple[int, int]] = {}  # class -> (equal parameters, group)
        for level in sorted(set(matches.values()), reverse=True):  # most equal parameters first
            if len(top) == eligible:
                break  # every class has its best already
            at_level = [i for i, count in matches.items() if count == level]
            if len(self.classes) == 1:  # one class (the usual crowd): the first at the top level, in tie order
                best = min(at_level, key=self.first_key.__getitem__)
                if code is None or self.class_of[best][1] == code:
                    top[self.class_of[best]] = (level, best)
                break
            for i in at_level:
                key = self.class_of[i]
                if code is not None and key[1] != code:
                    continue
                found = top.get(key)
                if found is None or (found[0] == level and self.first_key[i] < self.first_key[found[1]]):
                    top[key] = (level, i)  # then the tie order
        out: list[int] = []
        for key, order in self.classes.items():
            if code is not None and key[1] != code:
                continue
            found = top.get(key)
            out.append(order[0] if found is None else found[1])  # no parameter equal: the class scores alike
        return out
