"""One example through every matching step for one request: the facts, not the words.

``prepare(request)`` puts the request in the forms the steps compare (once per request);
``evaluate(prepared, target, options)`` runs one example through the method filter, the
``x-mock-response-code`` filter, the path ladder (``pathsteps``), the query score, header matching
and body matching (spec §1.2 steps 2–6) and returns a ``Candidate``: where it stopped, the points
of each step, and one ``Check`` per comparison with the data a sentence about it needs. The
sentences themselves are written by ``explaining`` when someone asks for an explanation, never
on the request path.

Prepared requests, checks and candidates are immutable records (``typing.NamedTuple``: a
frozen dataclass takes about four times as long to build, and ``rank`` builds several per
request), so a ranking made of them cannot change after ``rank`` returns.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING, NamedTuple

from .bodies import RequestBody, compare
from .index import Target
from .ladder import PATH_RULES, POINTS, RULE
from .model import HTTP_WHITESPACE, Example, MockRequest
from .pathsteps import PathMatch, match_path
from .urls import PathForms, request_forms

if TYPE_CHECKING:  # pragma: no cover
    from .options import MockOptions

__all__ = ["PreparedRequest", "prepare", "Check", "Candidate", "NO_CAPTURES", "PathMemo", "screen", "path_step",
           "evaluate", "score_after_path"]

NO_CAPTURES: Mapping[str, str] = MappingProxyType({})
"""The captures of a candidate whose path matched without wildcard segments."""

PathMemo = dict[str, "PathMatch | None"]
"""Path-step results by example path within one ranking (several examples often share a path)."""


class PreparedRequest(NamedTuple):
    """A request in the forms the matching steps compare, computed once per request.

    ``query``: values by key, as multisets; ``headers``: by lower-cased name, the first value,
    trimmed of HTTP whitespace (spec 9.19); ``code``: the ``x-mock-response-code`` asked for
    (``None`` when absent or not a number; ``code_text`` holds what was sent)."""

    request: MockRequest
    method: str
    forms: PathForms
    query: dict[str, Counter[str]]
    headers: dict[str, str]
    body: RequestBody
    code: int | None
    code_text: str | None


def prepare(request: MockRequest) -> PreparedRequest:
    """``request`` in the forms the matching steps compare."""
    query: dict[str, Counter[str]] = {}
    for key, value in request.query:
        query.setdefault(key, Counter())[value] += 1
    headers: dict[str, str] = {}
    for key, value in request.headers:
        headers.setdefault(key.lower(), value.strip(HTTP_WHITESPACE))  # spec 9.19
    code_text = headers.get("x-mock-response-code")
    code = None
    if code_text is not None:
        try:
            code = int(code_text.strip())
        except ValueError:
            code = None
    return PreparedRequest(request, request.method.upper(), request_forms(request.path), query,
                           headers, RequestBody(request.body, headers.get("content-type", "")), code, code_text)


class Check(NamedTuple):
    """One comparison made for one example: the step, whether it matched, its points, and the
    fact the sentence about it needs beyond the example and the request.

    ``step``: ``method``, ``response-code``, ``response-id``, ``response-name``, ``path``,
    ``query``, ``headers`` or ``body``. ``detail``: for ``headers`` the header name; for ``body``
    how ``bodies.compare`` found the bodies; for ``path`` ``"wildcards"`` when the example's
    ``{{variable}}`` segments made the match; for ``query`` ``"off"`` when query parameters are
    not compared; for a lookup stage, ``"tie"`` when the tie rule passed the example over for
    another of the same name. ``distance``: for path rule h, the largest segment distance (0–1).
    ``sentence``: empty in a ``rank`` result; ``explaining.explain`` writes it.
    """

    step: str
    ok: bool
    points: float
    detail: str = ""
    distance: float | None = None
    sentence: str = ""

    def said(self, sentence: str) -> "Check":
        """This check with its sentence written (``explaining``)."""
        return Check._make((*self[:5], sentence))  # facts: the first five fields (tested)


class Candidate(NamedTuple):
    """One example's fate for one request: how far it got (``kept``, ``stage``: ``scored``, a
    lookup's ``response-id``/``response-name``, or the step that dropped it), the path rule and
    the points of each step (``None``: step not reached), the query counts (match, partial,
    missing), the comparisons made (``checks``) and the values its wildcard segments took.
    ``reason``: empty in a ``rank`` result; ``explaining.explain`` writes it into a copy
    (``with_words``). Candidates compare by identity (two examples' fates are never "equal")."""

    example: Example
    target: Target
    kept: bool = True
    stage: str = "scored"
    path_rule: str = ""
    path_points: float | None = None
    query_points: float | None = None
    body_points: float | None = None
    query_counts: tuple[int, int, int] = (0, 0, 0)
    checks: tuple[Check, ...] = ()
    captures: Mapping[str, str] = NO_CAPTURES
    reason: str = ""

    def __eq__(self, other: object) -> bool:
        return self is other

    def __ne__(self, other: object) -> bool:
        return self is not other

    def __hash__(self) -> int:
        return id(self)

    @property
    def score(self) -> float | None:
        """The sum of the step points; ``None`` for a dropped example or one a lookup picked
        without a path match."""
        if not self.kept or self.path_points is None:
            return None
        return self.path_points + (self.query_points or 0) + (self.body_points or 0)

    def with_words(self, checks: tuple[Check, ...], reason: str) -> "Candidate":
        """This candidate with its sentences written (``explaining``): the same facts."""
        return Candidate._make((*self[:9], checks, self.captures, reason))  # facts: the first nine fields (tested)

    def dropped(self, stage: str, detail: str = "") -> "Candidate":
        """This candidate dropped at ``stage`` (one more, failed, check)."""
        return self._replace(kept=False, stage=stage, checks=(*self.checks, Check(stage, False, 0, detail)))


def screen(req: PreparedRequest, t: Target, check_method: bool = True) -> Candidate | None:
    """Steps 2 and 3.1 (method, ``x-mock-response-code``): the dropped candidate when they drop
    ``t``'s example, else None."""
    if check_method and t.method != req.method:
        return Candidate(t.example, t, kept=False, stage="method", checks=(_METHOD_MISS,))
    if req.code_text is not None and t.code != req.code:
        return Candidate(t.example, t, kept=False, stage="response-code", checks=(_CODE_MISS,))
    return None


_UNSEEN = PathMatch("", {})


def path_step(req: PreparedRequest, t: Target, opts: "MockOptions", paths: PathMemo | None = None) -> PathMatch | None:
    """Step 4 for ``t``: the rung of the ladder its path reaches (``pathsteps.match_path``), or
    None. ``paths`` memoises it by example path within one ranking (examples that share a path,
    e.g. several status codes of one request, are path-matched once)."""
    if paths is None:
        return match_path(req.forms, t, opts)
    found = paths.get(t.path, _UNSEEN)
    if found is _UNSEEN:
        found = paths[t.path] = match_path(req.forms, t, opts)
    return found


def evaluate(req: PreparedRequest, t: Target, opts: "MockOptions", *, check_method: bool = True,
             paths: PathMemo | None = None) -> Candidate:
    """Run one example through every step; the candidate says where it stopped (``paths``: see
    ``path_step``)."""
    dropped = screen(req, t, check_method)
    if dropped is not None:
        return dropped
    found = path_step(req, t, opts, paths)
    if found is None:
        return Candidate(t.example, t, kept=False, stage="path", checks=(_PATH_MISS,))
    return score_after_path(req, t, opts, found)


def score_after_path(req: PreparedRequest, t: Target, opts: "MockOptions", found: PathMatch) -> Candidate:
    """Steps 5 and 6 for an example whose path reached rung ``found``: query points, header and
    body matching (spec §1.2)."""
    penalty = RULE[found.letter].points
    path_points = POINTS["start"] + penalty
    if found.wildcards or found.distance is not None:
        checks = [Check("path", False, penalty, "wildcards" if found.wildcards else "", found.distance)]
    else:
        checks = [_PATH_CHECKS[found.letter]]
    if opts.match_query_params:
        query_points, counts = _score_query(req, t)
        checks.append(_query_check(counts[0] == sum(counts), query_points))
    else:
        query_points, counts = 0, (0, 0, 0)
        checks.append(_QUERY_OFF)
    stage, kept, body_points = "scored", True, None
    for name in opts.match_headers:
        if t.headers.get(name) != req.headers.get(name):
            stage, kept = "headers", False
            checks.append(Check("headers", False, 0, name))
            break
        checks.append(Check("headers", True, 0, name))
    if kept:
        equal, how = compare(t.body, req.body)
        if opts.match_body:
            if equal:
                body_points = 0
            else:
                stage, kept = "body", False
            checks.append(Check("body", equal, 0, how))
        else:
            body_points = POINTS["body_bonus"] if equal and req.body.data.strip() else 0
            if body_points:
                checks.append(Check("body", True, body_points, how))
    return Candidate(t.example, t, kept, stage, found.letter, path_points, query_points, body_points, counts,
                     tuple(checks), dict(found.captures) if found.captures else NO_CAPTURES)


# Checks are immutable: the common ones are made once.
_METHOD_MISS = Check("method", False, 0)
_CODE_MISS = Check("response-code", False, 0)
_PATH_MISS = Check("path", False, 0)
_PATH_CHECKS = {rule.letter: Check("path", rule.letter == "a", rule.points) for rule in PATH_RULES}
_QUERY_OFF = Check("query", True, 0, "off")
_QUERY_CHECKS: dict[tuple[bool, float], Check] = {}


def _query_check(ok: bool, points: float) -> Check:
    check = _QUERY_CHECKS.get((ok, points))
    if check is None:
        check = Check("query", ok, points)
        if len(_QUERY_CHECKS) < 1024:  # partial matches give fractions: keep the cache bounded
            _QUERY_CHECKS[(ok, points)] = check
    return check


def _score_query(req: PreparedRequest, t: Target) -> tuple[float, tuple[int, int, int]]:
    """Spec §1.2 step 5: the query points and the (match, partial, missing) counts."""
    match = partial = missing = 0
    rq, tq = req.query, t.query
    for key in rq.keys() | tq.keys() if tq else rq:
        mine, theirs = tq.get(key), rq.get(key)
        if mine is None or theirs is None:
            missing += 1
        elif dict.__eq__(mine, theirs):  # Counters of positive counts: dict equality is multiset equality
            match += 1
        else:
            partial += 1
    total = match + partial + missing
    if total == 0 or match == total:
        points: float = POINTS["query_all_match"]
    elif match:
        points = POINTS["query_all_match"] * match / total
    else:
        points = -min(missing, POINTS["query_missing_cap"])
    return points, (match, partial, missing)
