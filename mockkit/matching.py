"""Postman's example-matching algorithm as a pure function (spec §1, with §9's decisions).

``Index(collection, environment)`` compiles every example once: variables resolved, path normal
forms, query multisets, headers, bodies. ``rank(request, index, options)`` runs the pipeline
(method → x-mock-response-code → x-mock-response-id → x-mock-response-name → path steps a–h →
query → headers → body) and ``choose(ranking)`` applies the tie rule.

Cost. ``rank`` scores only the examples that can still win: it asks the index for the examples
matching at step a (one dict lookup), then b, c, ... and stops as soon as the best score found is
above the highest score any later step can reach (``ladder.max_score``). The result is the same
as scoring everything. The full table (every example, dropped ones included, each with a
reason) is built only when someone reads ``Ranking.candidates``.

Every number lives in ``ladder.POINTS`` and ``ladder.PATH_RULES``; nowhere else.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from functools import cached_property

from .bodies import RequestBody, compare
from .index import Index, Target, compile_target, tie_order, variables_of
from .ladder import PATH_RULES, POINTS, RULE, PathRule, max_score
from .model import HTTP_WHITESPACE, Example, MockRequest
from .templating import TOKEN
from .urls import ID_MARK, PathForms, is_id, levenshtein

__all__ = [
    "POINTS",
    "PATH_RULES",
    "PathRule",
    "MatchOptions",
    "Check",
    "Candidate",
    "Ranking",
    "Target",
    "Index",
    "variables_of",
    "rank",
    "choose",
    "tie_pick",
    "tie_order",
    "compile_target",
    "max_score",
]


@dataclass(frozen=True, slots=True)
class MatchOptions:
    """Mock-level matching options (Postman's mock ``config``); request headers override them."""

    match_body: bool = False
    match_headers: tuple[str, ...] = ()
    match_query_params: bool = True
    match_wildcards: bool = True
    distance_threshold: float = 0.2  # step h, per segment (spec 9.2); 0 turns the step off
    colon_wildcards: bool = False  # ":id" segments without a value match any segment (extension to W4)

    def __post_init__(self) -> None:
        if not 0 <= self.distance_threshold <= 1:  # also refuses NaN
            raise ValueError(f"distance_threshold must be between 0 (step h off) and 1, not {self.distance_threshold!r}")
        names = (self.match_headers,) if isinstance(self.match_headers, str) else self.match_headers
        object.__setattr__(self, "match_headers", tuple(n.strip().lower() for n in names if n.strip()))

    def for_request(self, request: MockRequest) -> "MatchOptions":
        """Apply ``x-mock-match-request-body`` / ``x-mock-match-request-headers`` (spec step 6.1)."""
        body = request.header("x-mock-match-request-body")
        headers = request.header("x-mock-match-request-headers")
        if body is None and headers is None:
            return self
        changes: dict[str, object] = {}
        if body is not None and body.strip().lower() in ("true", "false"):
            changes["match_body"] = body.strip().lower() == "true"
        if headers is not None:
            names = (h.strip().lower() for h in headers.split(","))
            changes["match_headers"] = tuple(n for n in names if n and not n.startswith("x-mock-"))
        return replace(self, **changes)


class Check:
    """One comparison made for one example: what was compared, the points, and a sentence.

    The sentence may be given as a function: it is then written only when someone reads it
    (an explanation), not on the request path."""

    __slots__ = ("step", "ok", "points", "_sentence")

    def __init__(self, step: str, ok: bool, points: float, sentence: "str | Callable[[], str]") -> None:
        self.step, self.ok, self.points, self._sentence = step, ok, points, sentence

    @property
    def sentence(self) -> str:
        s = self._sentence
        if not isinstance(s, str):
            s = self._sentence = s()
        return s

    def _key(self) -> tuple:
        return (self.step, self.ok, self.points, self.sentence)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Check) and self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __repr__(self) -> str:
        return f"Check(step={self.step!r}, ok={self.ok!r}, points={self.points!r}, sentence={self.sentence!r})"


@dataclass(slots=True)
class Candidate:
    """One example's fate for one request."""

    example: Example
    target: "Target"
    kept: bool = True
    stage: str = "scored"
    path_rule: str = ""
    path_points: float | None = None
    query_points: float | None = None
    body_points: float | None = None
    query_counts: tuple[int, int, int] = (0, 0, 0)  # match, partial, missing
    checks: list[Check] = field(default_factory=list)
    captures: dict[str, str] = field(default_factory=dict)
    reason: str = ""

    @property
    def score(self) -> float | None:
        if not self.kept or self.path_points is None:
            return None
        return self.path_points + (self.query_points or 0) + (self.body_points or 0)

    def drop(self, stage: str, sentence: str) -> "Candidate":
        self.kept = False
        self.stage = stage
        self.checks.append(Check(stage, False, 0, sentence))
        self.reason = sentence
        return self


# ------------------------------------------------------------------------------ scoring steps


@dataclass(slots=True)
class _Prepared:
    """The request in the forms the steps compare, computed once per request."""

    request: MockRequest
    method: str
    forms: PathForms
    query: dict[str, Counter[str]]
    headers: dict[str, str]
    body: RequestBody
    code: int | None
    code_text: str | None


def _prepare(request: MockRequest) -> _Prepared:
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
    return _Prepared(
        request=request,
        method=request.method.upper(),
        forms=PathForms.of(request.decoded_path_lenient),
        query=query,
        headers=headers,
        body=RequestBody(request.body, headers.get("content-type", "")),
        code=code,
        code_text=code_text,
    )


def _wild_match(segments: tuple[str, ...], t: Target, ids: bool) -> dict[str, str] | None:
    """Captures when the request segments fit the example's, wildcards taking one segment each."""
    if t.wild is None or len(segments) != len(t.wild):
        return None
    captures: dict[str, str] = {}
    for seg, wild, own in zip(segments, t.wild, t.forms.segments):
        if wild is not None:
            found = wild.match(seg)  # linear in len(seg) (mockkit.wildcards)
            if found is None:
                return None
            captures.update(zip(wild.names, found))
        elif own.lower() != seg.lower() and not (ids and _both_ids(own, seg)):
            return None
    return captures


def _both_ids(a: str, b: str) -> bool:
    return is_id(a) and is_id(b)


def _distance(req: PathForms, t: Target, wildcards: bool, threshold: float) -> float | None:
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
        allowed = int(threshold * longest + 1e-9)
        if abs(len(a) - len(b)) > allowed:
            return None
        d = levenshtein(a, b, limit=allowed)
        if d > allowed:
            return None
        worst = max(worst, d / longest)
    return worst


def _colon_note(t: Target) -> str:
    """Spec 9.20, said where it decides: an empty ``:name`` matched as a wildcard."""
    if not t.empty_colons:
        return ""
    names = ", ".join(f"`:{n}`" for n in t.empty_colons)
    return (f" ({names} has an empty value, so it stands for any one segment: mockkit's rule, spec 9.20; "
            "Postman's mock drops the empty segment instead)")


def _match_path(req: _Prepared, t: Target, opts: MatchOptions) -> tuple[str, dict[str, str], str]:
    """The first path step that matches, its captures, and a detail for the sentence."""
    r, e = req.forms, t.forms
    if r.exact == e.exact:
        return "a", {}, ""
    if r.strip == e.strip:
        return "b", {}, ""
    if r.lower == e.lower:
        return "c", {}, ""
    if r.lower_strip == e.lower_strip:
        return "d", {}, ""
    if opts.match_wildcards and t.wild is not None:
        captures = _wild_match(r.segments, t, ids=False)
        if captures is not None:
            return "e", captures, _colon_note(t)
    if r.ids == e.ids:
        return "f", {}, ""
    if opts.match_wildcards and t.wild is not None and r.exact.endswith("/") == e.exact.endswith("/"):
        captures = _wild_match(r.segments, t, ids=True)
        if captures is not None:
            return "f", captures, _colon_note(t)
    if r.ids_strip == e.ids_strip:
        return "g", {}, ""
    if opts.match_wildcards and t.wild is not None:
        captures = _wild_match(r.segments, t, ids=True)
        if captures is not None:
            return "g", captures, _colon_note(t)
    if opts.distance_threshold > 0:
        d = _distance(r, t, opts.match_wildcards, opts.distance_threshold)
        if d is not None:
            return "h", {}, (f" (each differing segment is a typo away: largest segment distance "
                             f"{d:.2f} ≤ {opts.distance_threshold:g})")
    return "", {}, ""


def _header_match(req: _Prepared, t: Target, name: str) -> str:
    raw = req.request.header(name)
    if name in t.padded_headers or (raw is not None and raw != req.headers.get(name)):
        return (f"header `{name}` matches once whitespace around the values is trimmed (mockkit's rule, "
                "spec 9.19: HTTP carries none; Postman compares the values exactly)")
    return f"header `{name}` matches"


def _score_query(req: _Prepared, t: Target, c: Candidate) -> None:
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
    c.query_points = points
    c.query_counts = (match, partial, missing)
    c.checks.append(Check("query", match == total, points, lambda: _query_sentence(req, t, points)))


def _query_sentence(req: _Prepared, t: Target, points: float) -> str:
    match = partial = 0
    notes: list[str] = []
    missing_keys: list[str] = []
    for key in req.query.keys() | t.query.keys():
        mine, theirs = t.query.get(key), req.query.get(key)
        if mine is None or theirs is None:
            missing_keys.append(key)
            side = "the request" if theirs is None else "the example"
            notes.append(f"query parameter `{key}` is missing from {side}")
        elif mine == theirs:
            match += 1
        else:
            partial += 1
            notes.append(
                f"query parameter `{key}` is {_values(theirs)} in the request, {_values(mine)} in the example"
            )
    missing = len(missing_keys)
    total = match + partial + missing
    detail = ": " + "; ".join(sorted(notes)[:3]) + ("; ..." if len(notes) > 3 else "") if notes else ""
    if total == 0 or match == total:
        sentence = "no query parameters on either side" if total == 0 else f"all {total} query parameters match"
    elif match:
        sentence = f"{match} of {total} query parameters match"
    else:
        sentence = "no query parameter matches"
    return sentence + f" ({_signed(points)}){detail}"


def _values(counter: Counter[str]) -> str:
    values = sorted(counter.elements())
    return f"'{values[0]}'" if len(values) == 1 else "[" + ", ".join(f"'{v}'" for v in values) + "]"


def _filtered(req: _Prepared, t: Target, c: Candidate, check_method: bool = True) -> bool:
    """Steps 2 and 3.1 (method, x-mock-response-code): True when they drop ``c`` (said in ``c``)."""
    if check_method and t.method != req.method:
        c.drop("method", f"method is {t.method}, the request is {req.method}")
        return True
    if req.code_text is not None and t.code != req.code:
        if req.code is None:
            c.drop("response-code", f"x-mock-response-code '{req.code_text}' is not a number")
        else:
            c.drop("response-code", f"status {t.code} is not the {req.code} asked for by x-mock-response-code")
        return True
    return False


def _evaluate(req: _Prepared, t: Target, opts: MatchOptions, *, check_method: bool = True,
              paths: dict | None = None) -> Candidate:
    """Run one example through every step; the candidate says where it stopped, and why.
    ``paths`` memoises the path step by example path within one ranking (examples that share a
    path, e.g. several status codes of one request, are path-matched once)."""
    c = Candidate(t.example, t)
    if _filtered(req, t, c, check_method):
        return c
    if paths is None:
        letter, captures, detail = _match_path(req, t, opts)
    else:
        found = paths.get(t.path)
        if found is None:
            found = paths[t.path] = _match_path(req, t, opts)
        letter, captures, detail = found
        captures = dict(captures) if captures else {}
    if not letter:
        return c.drop("path", f"path {t.path} does not match {req.forms.exact} by any rule (a–h)")
    rule = RULE[letter]
    c.path_rule, c.captures = letter, captures
    c.path_points = POINTS["start"] + rule.points
    path_points = c.path_points
    c.checks.append(Check("path", letter == "a", rule.points,
                          lambda: f"path rule {letter}: {rule.sentence}{detail} ({path_points})"))
    if opts.match_query_params:
        _score_query(req, t, c)
    else:
        c.query_points = 0
        c.checks.append(Check("query", True, 0, "query parameters are not compared (matchQueryParams is off)"))
    for name in opts.match_headers:
        mine, theirs = t.headers.get(name), req.headers.get(name)
        if mine != theirs:
            if mine is None:
                sentence = f"header `{name}` is sent but the example's request has none"
            elif theirs is None:
                sentence = f"header `{name}` is missing from the request (the example expects '{mine}')"
            else:
                sentence = f"header `{name}` is '{theirs}' in the request, '{mine}' in the example"
            return c.drop("headers", sentence)
        c.checks.append(Check("headers", True, 0, lambda name=name: _header_match(req, t, name)))
    equal, how = compare(t.body, req.body)
    if opts.match_body:
        if not equal:
            return c.drop("body", how)
        c.body_points = 0
        c.checks.append(Check("body", True, 0, how))
    else:
        bonus = POINTS["body_bonus"] if equal and req.body.data.strip() else 0
        c.body_points = bonus
        if bonus:
            c.checks.append(Check("body", True, bonus, how + f" (equal-body bonus {_signed(bonus)})"))
    return c


# --------------------------------------------------------------------------------- the ranking


@dataclass
class Ranking:
    """The outcome of matching one request against a collection.

    ``scored`` holds the candidates ``rank`` had to look at to be sure of the winner;
    ``candidates`` (computed on first access) every example, best first, dropped ones last.
    """

    request: MockRequest
    options: MatchOptions
    index: Index
    scored: list[Candidate]
    decided_by: str = "score"  # "score", "response-id", "response-name" or "none"
    notes: list[str] = field(default_factory=list)
    _winner: Candidate | None = None
    _chosen: bool = False

    @property
    def winner(self) -> Candidate | None:
        return choose(self)

    @cached_property
    def candidates(self) -> list[Candidate]:
        from .explaining import full_ranking

        return full_ranking(self)

    def __iter__(self) -> Iterator[Candidate]:
        return iter(self.candidates)

    def __len__(self) -> int:
        return len(self.index)


def rank(request: MockRequest, index: Index, options: MatchOptions | None = None) -> Ranking:
    """Match ``request`` against every example of ``index`` (pure; no I/O)."""
    opts = (options or MatchOptions()).for_request(request)
    req = _prepare(request)
    ranking = Ranking(request, opts, index, [])
    by_method = index.for_method(req.method)
    if by_method is None:
        ranking.decided_by = "none"
        ranking.notes.append(f"no example uses method {req.method}")
        return ranking
    forced = _control_pick(req, index, opts, ranking)
    if forced is not None or ranking.decided_by != "score":
        return ranking
    seen: set[int] = set()
    paths: dict[str, tuple[str, dict[str, str], str]] = {}
    best: float | None = None
    bonus = bool(req.body.data.strip())
    for rule in PATH_RULES:
        if rule.letter == "h" and opts.distance_threshold <= 0:
            break
        if best is not None and best > max_score(rule.letter, bonus):
            break
        for t in by_method.level(rule.letter, req.forms, opts.distance_threshold):
            if id(t) in seen:
                continue
            seen.add(id(t))
            c = _evaluate(req, t, opts, check_method=False, paths=paths)
            if c.kept:
                ranking.scored.append(c)
                score = c.score
                if score is not None and (best is None or score > best):
                    best = score
    return ranking


def _control_pick(req: _Prepared, index: Index, opts: MatchOptions, ranking: Ranking) -> Candidate | None:
    """x-mock-response-id / -name (spec step 3.2, 3.3): pick now, or fail now."""
    wanted_id = req.headers.get("x-mock-response-id")
    wanted_name = req.headers.get("x-mock-response-name")
    if wanted_id is not None:
        ranking.decided_by = "response-id"
        t = index.find_id(wanted_id)
        pool = [t] if t is not None else []
    elif wanted_name is not None:
        ranking.decided_by = "response-name"
        pool = index.by_name.get(wanted_name.strip(), [])
    else:
        return None
    picked: list[Candidate] = []
    for t in pool:
        if t.method != req.method:
            continue
        if req.code_text is not None and t.code != req.code:
            continue
        c = _evaluate(req, t, replace(opts, match_body=False, match_headers=()), check_method=False)
        c.kept, c.stage = True, ranking.decided_by
        picked.append(c)
    if not picked:
        ranking.notes.append(_lookup_miss(req, pool, wanted_id, wanted_name))
        return None
    chosen = tie_pick(picked)
    for other in picked:
        if other is not chosen:
            other.drop(ranking.decided_by, f"shares the name '{other.example.name}' but the tie rule "
                       f"picked another ({_tie_why(chosen, [other])})")
    ranking.scored = picked
    ranking._winner, ranking._chosen = chosen, True
    return chosen


def _lookup_miss(req: _Prepared, pool: list[Target], wanted_id: str | None, wanted_name: str | None) -> str:
    """Why x-mock-response-id / -name found nothing, by the stage that stopped it (spec 3.2/3.3)."""
    if wanted_id is not None:
        header, what, plural = "x-mock-response-id", f"with the id '{wanted_id.strip()}'", "examples"
    else:
        header, what, plural = "x-mock-response-name", f"named '{(wanted_name or '').strip()}'", "examples"
    if not pool:
        return f"{header}: no example is {what}" if wanted_id is None else f"{header}: no example has the id '{wanted_id.strip()}'"
    same = [t for t in pool if t.method == req.method]
    if not same:
        methods = ", ".join(sorted({t.method for t in pool}))
        one = len(pool) == 1
        return (f"{header}: the {'example' if one else plural} {what} {'is' if one else 'are'} {methods}, "
                f"not {req.method} (the method is compared before the lookup)")
    codes = ", ".join(str(c) for c in sorted({t.code for t in same}))
    asked = f"'{req.code_text}', which is not a number" if req.code is None else str(req.code)
    one = len(same) == 1
    return (f"{header}: the {req.method} {'example' if one else plural} {what} {'has' if one else 'have'} "
            f"status {codes}, not the {asked} asked for by x-mock-response-code")


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


def choose(ranking: Ranking) -> Candidate | None:
    """The winner: highest score; ties by id ascending, preferring status 200, then any other
    2xx (spec 9.3, ``tie_pick``)."""
    if ranking._chosen:
        return ranking._winner
    kept = [c for c in ranking.scored if c.kept and c.score is not None]
    winner = None
    if kept:
        top = max(c.score for c in kept)  # type: ignore[type-var]
        winner = tie_pick([c for c in kept if c.score == top])
    ranking._winner, ranking._chosen = winner, True
    return winner


def _tie_why(winner: Candidate, others: list[Candidate]) -> str:
    """Which step of the tie rule (spec 9.3) put ``winner`` before ``others``."""
    code = winner.target.code
    if code == 200 and any(o.target.code != 200 for o in others):
        return "status 200 is preferred"
    if 200 <= code <= 299 and any(not 200 <= o.target.code <= 299 for o in others):
        return (f"no tied example has status 200, and a success ({code}) is preferred over an error "
                "(mockkit's rule, spec 9.3; Postman's docs name only 200)")
    order = "lowest example id first" if winner.example.id else "earliest in the collection"
    if 200 <= code <= 299 and code != 200 and all(o.target.code != 200 for o in others):
        return f"no tied example has status 200, so the first 2xx by id: {order}"
    return order


def _signed(value: float) -> str:
    return ("+" if value >= 0 else "−") + _fmt(abs(value))


def _fmt(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value:g}" if value == int(value) else f"{value:.2f}"
