"""Every sentence about a ranking: one per comparison (``Check``), why an example was dropped, how
far a path was from matching, which step of the tie rule decided, what a lookup found.

Matching records facts (``scoring.Check``: step, ok, points, and the detail a sentence needs);
this module turns them into the words users read in ``explain``, ``mockkit explain``, the
Explorer and the pytest plugin's messages. ``explaining`` assembles them into reasons and notes.
Nothing here is on the request path, and nothing here changes which example wins.
"""

from __future__ import annotations

from collections import Counter

from .index import Target
from .ladder import RULE
from .lookups import Lookup
from .scoring import Candidate, Check, PreparedRequest
from .urls import ID_MARK, levenshtein

__all__ = ["check_sentence", "drop_sentence", "near_miss", "tie_why", "lookup_miss", "signed", "fmt"]


def check_sentence(ch: Check, c: Candidate, req: PreparedRequest, threshold: float,
                   lookup: Lookup | None = None, winner: Candidate | None = None) -> str:
    """The sentence for one comparison ``ch`` made for ``c``. ``threshold``: the distance
    threshold in force (rule h); ``lookup`` and ``winner``: the ranking's, for lookup stages."""
    t, step = c.target, ch.step
    if step == "path":
        return _path_sentence(ch, c, req, threshold)
    if step == "query":
        if ch.detail == "off":
            return "query parameters are not compared (matchQueryParams is off)"
        return _query_sentence(req, t, ch.points)
    if step == "headers":
        return _header_sentence(req, t, ch.detail) if ch.ok else _header_mismatch(req, t, ch.detail)
    if step == "body":
        return ch.detail + (f" (equal-body bonus {signed(ch.points)})" if ch.points else "")
    if step == "method":
        return f"method is {t.method}, the request is {req.method}"
    if step == "response-code":
        if req.code is None:
            return f"x-mock-response-code '{req.code_text}' is not a number"
        return f"status {t.code} is not the {req.code} asked for by x-mock-response-code"
    if ch.detail == "tie" and winner is not None:
        return f"shares the name '{c.example.name}' but the tie rule picked another ({tie_why(winner, [c])})"
    return _not_named(lookup, t) if lookup is not None else f"not picked by x-mock-{step}"


def drop_sentence(c: Candidate, req: PreparedRequest, threshold: float, lookup: Lookup | None = None,
                  winner: Candidate | None = None) -> str:
    """Why ``c`` was dropped: the sentence of the check that dropped it (its last); "" when kept."""
    if c.kept or not c.checks:
        return ""
    return check_sentence(c.checks[-1], c, req, threshold, lookup, winner)


def _path_sentence(ch: Check, c: Candidate, req: PreparedRequest, threshold: float) -> str:
    t = c.target
    if not c.path_rule:
        return f"path {t.path} does not match {req.forms.exact} by any rule (a–h)"
    detail = ""
    if ch.detail == "wildcards":
        detail = _colon_note(t)
    elif ch.distance is not None:
        detail = (f" (each differing segment is a typo away: largest segment distance "
                  f"{ch.distance:.2f} ≤ {threshold:g})")
    return f"path rule {c.path_rule}: {RULE[c.path_rule].sentence}{detail} ({c.path_points})"


def _colon_note(t: Target) -> str:
    """Spec 9.20, said where it decides: an empty ``:name`` matched as a wildcard."""
    if not t.empty_colons:
        return ""
    names = ", ".join(f"`:{n}`" for n in t.empty_colons)
    return (f" ({names} has an empty value, so it stands for any one segment: mockkit's rule, spec 9.20; "
            "Postman's mock drops the empty segment instead)")


def _header_sentence(req: PreparedRequest, t: Target, name: str) -> str:
    raw = req.request.header(name)
    if name in t.padded_headers or (raw is not None and raw != req.headers.get(name)):
        return (f"header `{name}` matches once whitespace around the values is trimmed (mockkit's rule, "
                "spec 9.19: HTTP carries none; Postman compares the values exactly)")
    return f"header `{name}` matches"


def _header_mismatch(req: PreparedRequest, t: Target, name: str) -> str:
    mine, theirs = t.headers.get(name), req.headers.get(name)
    if mine is None:
        return f"header `{name}` is sent but the example's request has none"
    if theirs is None:
        return f"header `{name}` is missing from the request (the example expects '{mine}')"
    return f"header `{name}` is '{theirs}' in the request, '{mine}' in the example"


def _query_sentence(req: PreparedRequest, t: Target, points: float) -> str:
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
    return sentence + f" ({signed(points)}){detail}"


def _values(counter: Counter[str]) -> str:
    values = sorted(counter.elements())
    return f"'{values[0]}'" if len(values) == 1 else "[" + ", ".join(f"'{v}'" for v in values) + "]"


def near_miss(req: PreparedRequest, c: Candidate, threshold: float) -> str:
    """How far a dropped path was from matching, segment by segment, so the user sees what to
    change (and why step h, typo tolerance per segment, did not apply: spec 9.2)."""
    t = c.target
    mine, theirs = t.forms.segments, req.forms.segments
    if len(mine) != len(theirs):
        return f"; they have {len(mine)} and {len(theirs)} segments"
    gaps = []
    for i, (a, b, ia, ib) in enumerate(zip(theirs, mine, req.forms.id_segments, t.forms.id_segments)):
        if ia == ib or (t.wild is not None and t.wild[i] is not None):
            continue
        gaps.append(_segment_gap(a, b, ia, ib, threshold))
    detail = f"; segments differ: {', '.join(gaps[:3])}" + (", ..." if len(gaps) > 3 else "") if gaps else ""
    colons = [s for s in mine if s.startswith(":") and len(s) > 1]
    if colons:
        detail += (f"; `{colons[0]}` has no url.variable entry, so it is compared literally: give it a value, "
                   f"or write {{{{{colons[0][1:]}}}}}, or serve with colon_wildcards=True")
    return detail


def _segment_gap(request: str, example: str, req_form: str, ex_form: str, threshold: float) -> str:
    """One differing segment pair, and whether step h could accept it."""
    pair = f"`{example}` vs `{request}`"
    if threshold <= 0:
        return pair
    if req_form == ID_MARK or ex_form == ID_MARK:
        which = "the example's" if ex_form == ID_MARK else "the request's"
        return f"{pair} ({which} is an id and the other is not: an id only stands in for an id)"
    longest = max(len(req_form), len(ex_form))
    d = levenshtein(req_form, ex_form) / longest
    return f"{pair} (distance {d:.2f}; step h needs ≤ {threshold:g} per segment)"


def tie_why(winner: Candidate, others: list[Candidate]) -> str:
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


def _not_named(lookup: Lookup, t: Target) -> str:
    wanted = lookup.wanted.strip()
    if lookup.header == "x-mock-response-id":
        own = f"'{t.example.id}'" if t.example.id else "none"
        return f"x-mock-response-id asks for '{wanted}'; this example's id is {own} (the lookup ignores the path)"
    return (f"x-mock-response-name asks for '{wanted}'; this example is named '{t.example.name}' (the lookup is "
            "by name, collection-wide, and ignores the path)")


def lookup_miss(lookup: Lookup, req: PreparedRequest) -> str:
    """Why ``x-mock-response-id`` / ``-name`` found nothing, by the stage that stopped it (spec
    3.2/3.3): no such example, another method, or another status than ``x-mock-response-code``."""
    header, wanted = lookup.header, lookup.wanted.strip()
    by_id = header == "x-mock-response-id"
    what = f"with the id '{wanted}'" if by_id else f"named '{wanted}'"
    pool = lookup.pool
    if not pool:
        return f"{header}: no example has the id '{wanted}'" if by_id else f"{header}: no example is {what}"
    same = [t for t in pool if t.method == req.method]
    if not same:
        methods = ", ".join(sorted({t.method for t in pool}))
        one = len(pool) == 1
        return (f"{header}: the {'example' if one else 'examples'} {what} {'is' if one else 'are'} {methods}, "
                f"not {req.method} (the method is compared before the lookup)")
    codes = ", ".join(str(c) for c in sorted({t.code for t in same}))
    asked = f"'{req.code_text}', which is not a number" if req.code is None else str(req.code)
    one = len(same) == 1
    return (f"{header}: the {req.method} {'example' if one else 'examples'} {what} {'has' if one else 'have'} "
            f"status {codes}, not the {asked} asked for by x-mock-response-code")


def signed(value: float) -> str:
    """``+10``, ``−3``, ``+6.67``: points with their sign."""
    return ("+" if value >= 0 else "−") + fmt(abs(value))


def fmt(value: float | None) -> str:
    """A score or points in a sentence: whole numbers without decimals, others with two, ``—``."""
    if value is None:
        return "—"
    return f"{value:g}" if value == int(value) else f"{value:.2f}"
