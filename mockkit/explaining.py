"""The full explanation of a ranking: every example, best first, each with a sentence.

``matching.rank`` scores only the examples that can still win; reading ``Ranking.candidates``
calls ``full_ranking`` here, which scores the rest with the same steps and writes each
candidate's ``reason``: why it won, by how many points it lost and where, or which step
dropped it. Nothing here changes which example wins.
"""

from __future__ import annotations

from .index import Target
from .matching import (
    Candidate,
    Ranking,
    _evaluate,
    _filtered,
    _fmt,
    _prepare,
    _Prepared,
    _signed,
    _tie_why,
    choose,
)
from .templating import TOKEN
from .urls import ID_MARK, levenshtein

__all__ = ["full_ranking"]


def full_ranking(ranking: Ranking) -> list[Candidate]:
    """Every example, best first, each with its reason (built on demand, not on the hot path)."""
    winner = choose(ranking)
    req = _prepare(ranking.request)
    opts = ranking.options
    decided = {id(c.target): c for c in ranking.scored}
    out: list[Candidate] = []
    lookup = ranking.decided_by in ("response-id", "response-name")
    for t in ranking.index.targets:
        c = decided.get(id(t))
        if c is None:
            if lookup:  # the lookup compares method, status and name/id: never the path
                c = Candidate(t.example, t)
                if not _filtered(req, t, c):
                    c.drop(ranking.decided_by, _not_named(ranking, req, t))
            else:
                c = _evaluate(req, t, opts)
        out.append(c)
    if lookup:
        _lookup_verdict(ranking, req, winner)
    for c in out:
        if c.stage == "path":
            c.reason += _near_miss(req, c, opts.distance_threshold)
        _explain(c, winner, ranking)
    top = [c for c in out if c.kept and c.score is not None]
    top.sort(key=lambda c: (-(c.score or 0), c is not winner, c.target.tie_key))
    forced = [c for c in out if c.kept and c.score is None]
    dropped = [c for c in out if not c.kept]
    ordered = top + forced + dropped
    if winner is not None and ordered[0] is not winner:
        ordered.remove(winner)
        ordered.insert(0, winner)
    return ordered


def _near_miss(req: _Prepared, c: Candidate, threshold: float) -> str:
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


def _not_named(ranking: Ranking, req: _Prepared, t: Target) -> str:
    if ranking.decided_by == "response-id":
        wanted = (req.headers.get("x-mock-response-id") or "").strip()
        own = f"'{t.example.id}'" if t.example.id else "none"
        return f"x-mock-response-id asks for '{wanted}'; this example's id is {own} (the lookup ignores the path)"
    wanted = (req.headers.get("x-mock-response-name") or "").strip()
    return (f"x-mock-response-name asks for '{wanted}'; this example is named '{t.example.name}' (the lookup is "
            "by name, collection-wide, and ignores the path)")


def _lookup_verdict(ranking: Ranking, req: _Prepared, winner: Candidate | None) -> None:
    """The lookup's outcome in ``ranking.notes``: what it picked and how, or a close name/id when
    it found none (names and ids are compared exactly)."""
    by_id = ranking.decided_by == "response-id"
    header = "x-mock-response-id" if by_id else "x-mock-response-name"
    wanted = (req.headers.get(header) or "").strip()
    if winner is not None:
        t = winner.target
        note = (f"{header} '{wanted}' picked '{t.example.name}' ({t.method} {t.path}, status {t.code}) "
                "without comparing the path")
        twins = [c for c in ranking.scored if c is not winner]
        if twins:
            note += (f"; {len(twins) + 1} {t.method} examples share that name and the tie rule chose it "
                     f"({_tie_why(winner, twins)})")
        ranking.notes.append(note)
        return
    index = ranking.index
    if (index.find_id(wanted) if by_id else index.by_name.get(wanted)):
        return  # found, but the method or status stopped it: _lookup_miss already said which
    known = [k for k in index.by_id] if by_id else list(index.by_name)
    hint = _closest(wanted, known)
    if hint is not None:
        for i, note in enumerate(ranking.notes):
            if note.startswith(header):
                ranking.notes[i] = (f"{note} (did you mean '{hint}'? {'ids' if by_id else 'names'} are compared "
                                    "exactly, case included)")


def _closest(wanted: str, known: list[str]) -> str | None:
    """The known name closest to ``wanted``: equal ignoring case and spaces, else at most a third
    of its characters away."""
    folded = " ".join(wanted.split()).casefold()
    for k in known:
        if " ".join(k.split()).casefold() == folded:
            return k
    best, best_d = None, max(1, len(wanted) // 3) + 1
    for k in known:
        d = levenshtein(folded, k.casefold(), limit=best_d - 1)
        if d < best_d:
            best, best_d = k, d
    return best


def uncaptured(c: Candidate) -> list[str]:
    """Wildcards of ``c``'s path that its response uses but the request did not fill (spec 9.13:
    they are served as written)."""
    names = [m.group(1).strip() for m in TOKEN.finditer(c.target.path)]
    missing = [n for n in dict.fromkeys(names) if n not in c.captures]
    if not missing:
        return []
    response = c.example.response
    used = {m.group(1).strip() for text in (response.body, *(v for _, v in response.headers))
            for m in TOKEN.finditer(text)}
    return [n for n in missing if n in used]


def _explain(c: Candidate, winner: Candidate | None, ranking: Ranking) -> None:
    if c is winner:
        missing = uncaptured(c)
        if missing:
            note = (f"the response's {', '.join(f'{{{{{n}}}}}' for n in missing)} stays as written: the request "
                    "path did not fill that wildcard (spec 9.13)")
            ranking.notes.append(note)
    if not c.kept:
        return  # its reason is the sentence of the step that dropped it
    gains = [ch.sentence for ch in c.checks if ch.step in ("path", "query") or ch.points > 0]
    if c is winner:
        if ranking.decided_by != "score":
            header = "x-mock-response-id" if ranking.decided_by == "response-id" else "x-mock-response-name"
            c.reason = f"chosen by {header}, without comparing the path"
            if uncaptured(c):
                c.reason += "; " + ranking.notes[-1]
            return
        rivals = [o for o in ranking.scored if o is not c and o.kept and o.score == c.score]
        c.reason = f"chosen, score {_fmt(c.score)}: " + "; ".join(gains)
        if rivals:
            c.reason += f"; won a tie with {len(rivals)} other(s) by the tie rule ({_tie_why(c, rivals)})"
        return
    if winner is None or c.score is None:
        c.reason = "; ".join(gains)
        return
    behind = (winner.score or 0) - c.score
    if behind == 0:
        c.reason = f"tied with the winner at {_fmt(c.score)} but lost the tie rule ({_tie_why(winner, [c])})"
        return
    losses = [ch.sentence for ch in c.checks if ch.step in ("path", "query") and not ch.ok]
    if winner.body_points and not c.body_points:
        losses.append(f"the winner's saved body equals the request body ({_signed(winner.body_points)})")
    point = "point" if behind == 1 else "points"
    c.reason = f"{_fmt(behind)} {point} behind the winner: " + "; ".join(dict.fromkeys(losses or gains))
