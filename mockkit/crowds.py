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
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from operator import attrgetter
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from .index import Target

__all__ = ["CROWD_ABOVE", "Crowd", "score_key"]

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
        return cls(plain, members if members is not None else frozenset(id(t) for t in targets),
                   tuple(tuple(sorted(group, key=_TIE_KEY)) for group in groups.values()))


_TIE_KEY = attrgetter("tie_key")
