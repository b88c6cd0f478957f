"""Postman's example-matching algorithm as a pure function (spec §1, with §9's decisions).

``Index(collection, environment)`` compiles every example once: variables resolved, path normal
forms, query multisets, headers, bodies. ``rank(request, index, options)`` runs the pipeline
(method → x-mock-response-code → x-mock-response-id → x-mock-response-name → path steps a–h →
query → headers → body) and returns a frozen ``Ranking`` that carries its winner (``choose``:
highest score, then the tie rule of spec 9.3).

Cost. ``rank`` scores only the examples that can still win: it asks the index for the examples
matching at path rule a (one dict lookup), then b, c, ... and stops as soon as the best score
found is above the highest score any later rule can reach (``ladder.max_score``). The result is
the same as scoring everything (``every_candidate`` does, for explanations).

The module graph runs one way: ``ladder`` (rules and points) ← ``pathsteps`` (the path ladder) ←
``scoring`` (one example through every step: facts) ← ``lookups`` (id/name) ← ``matching`` (the
ranking) ← ``explaining`` (every sentence). Matching records facts (step, ok, points, and what a
sentence needs); it writes no sentence.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from . import lookups
from .crowds import Crowd
from .index import Index, Target, compile_target, tie_order, variables_of
from .ladder import PATH_RULES, POINTS, PathRule, max_score
from .lookups import Lookup
from .model import MockRequest
from .options import MockOptions
from .pathsteps import PLAIN
from .scoring import Candidate, Check, PathMemo, PreparedRequest, evaluate, path_step, prepare, score_after_path
from .quickinit import quick_init

__all__ = [
    "POINTS",
    "PATH_RULES",
    "PathRule",
    "Check",
    "Candidate",
    "Ranking",
    "Lookup",
    "PreparedRequest",
    "Target",
    "Index",
    "variables_of",
    "rank",
    "choose",
    "tie_pick",
    "tie_order",
    "compile_target",
    "every_candidate",
    "max_score",
]


@quick_init  # issue 17: built once per call
@dataclass(frozen=True, slots=True)
class Ranking:
    """The outcome of matching one request against a collection (immutable).

    ``options``: the mock's options with the request's ``x-mock-match-*`` headers applied;
    ``prepared``: the request in the forms the steps compare; ``scored``: the candidates ``rank``
    had to look at to be sure of the winner (for a lookup, the examples it picked); ``decided_by``:
    ``score``, ``response-id``, ``response-name``, or ``none`` (no example uses the method);
    ``winner``: the example a mock serves, or None; ``lookup``: what an ``x-mock-response-id`` /
    ``-name`` header asked for and found (None without one).

    The full table (every example, each with its reason) is ``explaining.explain(ranking)``.
    """

    request: MockRequest
    options: MockOptions
    index: Index
    prepared: PreparedRequest
    scored: tuple[Candidate, ...]
    decided_by: str
    winner: Candidate | None
    lookup: Lookup | None = None


def rank(request: MockRequest, index: Index, options: MockOptions | None = None) -> Ranking:
    """Match ``request`` against every example of ``index`` (pure; no I/O).

    ``options`` default to ``MockOptions()``; the request's ``x-mock-match-request-*`` headers
    override them (spec step 6.1). Never raises for any request."""
    opts = (options or MockOptions()).for_request(request)
    req = prepare(request)
    by_method = index.for_method(req.method)
    if by_method is None:
        return Ranking(request, opts, index, req, (), "none", None)
    lookup = lookups.find(req, index)
    if lookup is not None:
        picked = lookups.picks(req, lookup, opts)
        if not picked:
            return Ranking(request, opts, index, req, (), lookup.stage, None, lookup)
        chosen = tie_pick(picked)
        twins = tuple(c if c is chosen else c.dropped(lookup.stage, "tie") for c in picked)
        return Ranking(request, opts, index, req, twins, lookup.stage, chosen, lookup)
    scored: list[Candidate] = []
    tied: list[Candidate] = []  # the candidates with the best score so far
    seen: set[int] = set()
    crowds: list[frozenset[int]] = []  # the members of every crowd scored so far (spec: crowds.py)
    paths: PathMemo = {}
    best: float | None = None
    bonus = bool(req.body.data.strip())

    def consider(c: Candidate) -> None:
        nonlocal best, tied
        if c.kept:
            scored.append(c)
            score = c.score
            if best is None or score > best:  # type: ignore[operator]  # kept: it has a score
                best, tied = score, [c]
            elif score == best:
                tied.append(c)

    for rule in PATH_RULES:
        if rule.distance and opts.distance_threshold <= 0:
            break
        if best is not None and best > max_score(rule.letter, bonus):
            break
        for part in by_method.parts(rule.letter, req.forms, opts.distance_threshold, opts.match_wildcards):
            crowd = by_method.crowd(part)
            if crowd is not None:  # many examples alike: of each group, the first that can win
                if not any(crowd.members is members for members in crowds):  # f and g share wildcard lists
                    for c in _crowd_firsts(req, crowd, rule.letter, opts, seen, crowds, paths):
                        consider(c)
                    crowds.append(crowd.members)
                continue
            for t in part:
                key = id(t)
                if key in seen or (crowds and any(key in members for members in crowds)):
                    continue
                seen.add(key)
                if req.code_text is not None and t.code != req.code:
                    continue  # step 3.1 (the method is the index's)
                found = path_step(req, t, opts, paths)
                if found is not None:
                    consider(score_after_path(req, t, opts, found))
    winner = (tied[0] if len(tied) == 1 else tie_pick(tied)) if tied else None  # choose(scored), cheaper
    return Ranking(request, opts, index, req, tuple(scored), "score", winner)


def _crowd_firsts(req: PreparedRequest, crowd: Crowd, letter: str, opts: MockOptions, seen: set[int],
                  crowds: list[frozenset[int]], paths: PathMemo) -> Iterator[Candidate]:
    """The candidates of ``crowd`` that can win at rung ``letter`` (``crowds.py``): of each group
    that passes the ``x-mock-response-code`` filter, the first example not looked at before
    (the others would score the same and lose the tie rule to it). When the first of a group of
    wildcard examples does not match at this rung, every member is looked at on its own.

    When only status codes and query parameters can tell the groups of a plain crowd apart (no
    ``match_headers``, no ``match_body``, a request without a body) and none of its examples was
    looked at before, only the best group of each class of ``crowds.QueryClasses`` is scored:
    the others would score less, or the same and lose the tie rule to it."""
    if crowd.queries is not None and not opts.match_headers and not opts.match_body and not req.body.data.strip() \
            and seen.isdisjoint(crowd.members) and all(members.isdisjoint(crowd.members) for members in crowds):
        if req.code_text is not None and req.code is None:
            return  # no status code equals a code that is not a number
        rung = PLAIN[letter]
        for i in crowd.queries.best(req.query, req.code if req.code_text is not None else None,
                                    opts.match_query_params):
            yield score_after_path(req, crowd.groups[i][0], opts, rung)
        return
    for group in crowd.groups:
        if req.code_text is not None and group[0].code != req.code:
            continue  # the members of a group share their status code
        fresh = (t for t in group if id(t) not in seen and not any(id(t) in members for members in crowds))
        first = next(fresh, None)
        if first is None:
            continue
        found = PLAIN[letter] if crowd.plain else path_step(req, first, opts, paths)
        if found is not None and found.letter == letter:
            yield score_after_path(req, first, opts, found)
            continue
        for t in (first, *fresh):  # the group fails at this rung: each member's own first rung, as rank finds it
            found = path_step(req, t, opts, paths)
            if found is not None:
                yield score_after_path(req, t, opts, found)


def tie_pick(tied: list[Candidate]) -> Candidate:
    """Spec 9.3: sort by example id ascending (examples without an id after, in collection order);
    take the first whose status is 200, else the first other 2xx, else the first.

    Postman's docs name only the 200 preference; the 2xx step is mockkit's (revised 9.3), so a
    tied 201 or 204 is served rather than a tied 401 or 500."""
    ordered = sorted(tied, key=lambda c: c.target.tie_key)
    for c in ordered:
        if c.target.code == 200:
            return c
    for c in ordered:
        if 200 <= c.target.code <= 299:
            return c
    return ordered[0]


def choose(candidates: Iterable[Candidate]) -> Candidate | None:
    """The winner among ``candidates`` (pure): the highest score among those kept; ties by id
    ascending, preferring status 200, then any other 2xx (spec 9.3, ``tie_pick``). None when
    none is kept with a score. ``rank`` uses it; ``Ranking.winner`` holds its answer."""
    kept = [c for c in candidates if c.kept and c.score is not None]
    if not kept:
        return None
    top = max(c.score for c in kept)  # type: ignore[type-var]
    return tie_pick([c for c in kept if c.score == top])


def every_candidate(ranking: Ranking) -> list[Candidate]:
    """Every example of the ranking's index, in collection order, with its fate: the candidates
    ``rank`` scored, and the rest scored now with the same steps (for a lookup: dropped by the
    method or status filter, or passed over). Facts only; ``explaining`` writes the sentences.
    Nothing here changes which example wins."""
    decided = {id(c.target): c for c in ranking.scored}
    req, opts, lookup = ranking.prepared, ranking.options, ranking.lookup
    paths: PathMemo = {}
    out: list[Candidate] = []
    for t in ranking.index.targets:
        c = decided.get(id(t))
        if c is None:
            if lookup is not None:  # the lookup compares method, status and name/id: never the path
                c = lookups.passed_over(req, t, lookup)
            else:
                c = evaluate(req, t, opts, paths=paths)
        out.append(c)
    return out
