"""The full explanation of a ranking: every example, best first, each with its reason, and notes.

``matching.rank`` scores only the examples that can still win and records facts;
``explain(ranking)`` scores the rest with the same steps (``matching.every_candidate``), writes
every sentence (``sentences``), each candidate's ``reason`` (why it won, by how many points it
lost and where, or which step dropped it) and the ranking's notes (what a lookup picked or why it
found nothing, a wildcard the response uses but the request did not fill), and returns an
``ExplainedRanking``. Nothing here changes which example wins, and nothing writes into the ranking.

``report.ranking_frame`` turns an ``ExplainedRanking`` into the ``Explanation`` DataFrame;
``MockEngine.explain`` adds the notes only the engine knows (a JSON body with placeholders).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace

from .index import Index
from .journal import Forwarded
from .matching import Candidate, Check, Ranking, every_candidate
from .model import MockRequest
from .options import MockOptions
from .sentences import check_sentence, fmt, lookup_miss, near_miss, signed, tie_why
from .templating import TOKEN
from .urls import levenshtein

__all__ = ["ExplainedRanking", "explain", "uncaptured", "lookup_miss_note", "forwarded_answer", "forwarded_notes",
           "forwarded_line", "passed_over", "proxy_answer", "REPLAY_ONLY_NOTE"]


@dataclass(frozen=True, slots=True)
class ExplainedRanking:
    """A ranking with every example explained (immutable).

    ``candidates``: every example of the collection, best first (the winner, the other scored
    examples by score, examples a lookup picked, then dropped ones in collection order), each
    with its ``reason`` and every ``Check.sentence`` written; ``winner``: the first of them when
    an example is served, else None; ``notes``: sentences about the request as a whole;
    ``answer``: what answered instead of the winner, when something else did (a forwarded call:
    ``forwarded_answer``), else ``""``. ``request``, ``options``, ``index`` and ``decided_by``
    are the ranking's.
    """

    ranking: Ranking
    candidates: tuple[Candidate, ...]
    winner: Candidate | None
    notes: tuple[str, ...] = ()
    answer: str = ""

    @property
    def request(self) -> MockRequest:
        return self.ranking.request

    @property
    def options(self) -> MockOptions:
        return self.ranking.options

    @property
    def index(self) -> Index:
        return self.ranking.index

    @property
    def decided_by(self) -> str:
        return self.ranking.decided_by

    def with_notes(self, before: Iterable[str] = (), after: Iterable[str] = ()) -> "ExplainedRanking":
        """The same explanation with more notes, ``before`` and ``after`` its own."""
        return replace(self, notes=(*before, *self.notes, *after))

    def with_answer(self, answer: str, passed_over: str = "") -> "ExplainedRanking":
        """The same ranking for a call that something else answered (``answer`` says what: a
        forwarded call): no example is the winner, and the example that would have answered
        gets ``passed_over`` before its reason (why it did not)."""
        winner = self.winner
        if winner is None:
            return replace(self, answer=answer)
        reason = winner.reason.removeprefix("chosen, ")
        moved = winner.with_words(winner.checks, f"{passed_over}: {reason}" if passed_over else reason)
        candidates = tuple(moved if c is winner else c for c in self.candidates)
        return replace(self, candidates=candidates, winner=None, answer=answer)

    def __iter__(self) -> Iterator[Candidate]:
        return iter(self.candidates)

    def __len__(self) -> int:
        return len(self.candidates)


def explain(ranking: Ranking, notes: Iterable[str] = ()) -> ExplainedRanking:
    """Every example of ``ranking``, best first, each with its reason; ``notes`` are added after
    the ranking's own. Built on demand (an explanation), never on the request path."""
    facts = every_candidate(ranking)
    winner = ranking.winner
    said = _ranking_notes(ranking)
    explained: dict[int, Candidate] = {}
    shared: dict[tuple[str, str], tuple[tuple[Check, ...], str]] = {}  # see _shared_key
    for c in facts:
        key = _shared_key(c)
        words = shared.get(key) if key is not None else None
        if words is None:
            words = _words(c, ranking, said, facts)
            if key is not None:
                shared[key] = words
        explained[id(c)] = c.with_words(*words)
    top = [c for c in facts if c.kept and c.score is not None]
    top.sort(key=lambda c: (-(c.score or 0), c is not winner, c.target.tie_key))
    forced = [c for c in facts if c.kept and c.score is None]
    dropped = [c for c in facts if not c.kept]
    ordered = top + forced + dropped
    if winner is not None and ordered[0] is not winner:
        ordered.remove(winner)
        ordered.insert(0, winner)
    return ExplainedRanking(ranking, tuple(explained[id(c)] for c in ordered),
                            explained[id(winner)] if winner is not None else None, (*said, *notes))


def _shared_key(c: Candidate) -> tuple[str, str] | None:
    """Examples dropped by the method filter (one check: their method) or at the path step (one
    check: their path) get the same words as every other example with that method or path."""
    if c.kept or len(c.checks) != 1:
        return None
    if c.stage == "method":
        return "method", c.target.method
    if c.stage == "path":
        return "path", c.target.path
    return None


def _words(c: Candidate, ranking: Ranking, notes: list[str],
           facts: Sequence[Candidate]) -> tuple[tuple[Check, ...], str]:
    """``c``'s checks with their sentences, and its reason (``notes`` receives the winner's;
    ``facts``: every example's candidate, see ``_reason``)."""
    req, threshold = ranking.prepared, ranking.options.distance_threshold
    checks = tuple([ch.said(check_sentence(ch, c, req, threshold, ranking.lookup, ranking.winner))
                    for ch in c.checks])
    if not c.kept:  # its reason is the sentence of the step that dropped it
        dropped = checks[-1].sentence
        return checks, (dropped + near_miss(req, c, threshold) if c.stage == "path" else dropped)
    if c is ranking.winner:
        notes.extend(_uncaptured_note(c))
    return checks, _reason(c, checks, ranking, notes, facts)


def _reason(c: Candidate, checks: tuple[Check, ...], ranking: Ranking, notes: list[str],
            facts: Sequence[Candidate]) -> str:
    """Why the kept candidate ``c`` won, or by how many points it lost and where (``facts``:
    every example's candidate, for the examples the winner tied with: ``rank`` scored only the
    first of each crowd of examples alike, ``crowds.py``)."""
    winner = ranking.winner
    gains = [ch.sentence for ch in checks if ch.step in ("path", "query") or ch.points > 0]
    if c is winner:
        if ranking.lookup is not None:
            reason = f"chosen by {ranking.lookup.header}, without comparing the path"
            return reason + "; " + notes[-1] if uncaptured(c) else reason
        rivals = [o for o in facts if o is not c and o.kept and o.score == c.score]
        reason = f"chosen, score {fmt(c.score)}: " + "; ".join(gains)
        if rivals:
            reason += f"; won a tie with {len(rivals)} other(s) by the tie rule ({tie_why(c, rivals)})"
        return reason
    if winner is None or c.score is None:
        return "; ".join(gains)
    behind = (winner.score or 0) - c.score
    if behind == 0:
        return f"tied with the winner at {fmt(c.score)} but lost the tie rule ({tie_why(winner, [c])})"
    losses = [ch.sentence for ch in checks if ch.step in ("path", "query") and not ch.ok]
    if winner.body_points and not c.body_points:
        losses.append(f"the winner's saved body equals the request body ({signed(winner.body_points)})")
    point = "point" if behind == 1 else "points"
    return f"{fmt(behind)} {point} behind the winner: " + "; ".join(dict.fromkeys(losses or gains))


def _ranking_notes(ranking: Ranking) -> list[str]:
    """Sentences about the request as a whole: no example for its method; what a lookup picked
    and how, or why it found nothing (with a close name or id: they are compared exactly)."""
    req, lookup, winner = ranking.prepared, ranking.lookup, ranking.winner
    if ranking.decided_by == "none":
        return [f"no example uses method {req.method}"]
    if lookup is None:
        return []
    if winner is None:
        return [lookup_miss_note(ranking, hint=True)]
    t = winner.target
    note = (f"{lookup.header} '{lookup.wanted.strip()}' picked '{t.example.name}' ({t.method} {t.path}, "
            f"status {t.code}) without comparing the path")
    twins = [c for c in ranking.scored if c is not winner]
    if twins:
        note += (f"; {len(twins) + 1} {t.method} examples share that name and the tie rule chose it "
                 f"({tie_why(winner, twins)})")
    return [note]


def lookup_miss_note(ranking: Ranking, hint: bool = False) -> str:
    """Why the ranking's ``x-mock-response-id`` / ``-name`` lookup found nothing ("" when it did,
    or when there was none). ``hint``: add the closest name or id when none matches exactly (a
    search over every name or id: an explanation's cost, not a log line's)."""
    lookup = ranking.lookup
    if lookup is None or ranking.winner is not None:
        return ""
    note = lookup_miss(lookup, ranking.prepared)
    if not hint or lookup.pool:
        return note  # found, but the method or status stopped it: the note says which
    by_id = lookup.header == "x-mock-response-id"
    wanted, index = lookup.wanted.strip(), ranking.index
    closest = _closest(wanted, list(index.by_id) if by_id else list(index.by_name))
    if closest is None:
        return note
    return f"{note} (did you mean '{closest}'? {'ids' if by_id else 'names'} are compared exactly, case included)"


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


def _uncaptured_note(c: Candidate) -> list[str]:
    missing = uncaptured(c)
    if not missing:
        return []
    return [f"the response's {', '.join(f'{{{{{n}}}}}' for n in missing)} stays as written: the request "
            "path did not fill that wildcard (spec 9.13)"]



# ------------------------------------------------------------------------- forwarded calls


def _upstream_result(f: Forwarded) -> str:
    if f.error:
        return f"no answer ({f.error}: {f.cause}), so the mock answered 502 after {f.ms:,.0f} ms"
    return f"the upstream answered {f.status} in {f.ms:,.0f} ms"


def forwarded_answer(f: Forwarded) -> str:
    """What answered a forwarded call, for an explanation's verdict line (issue 16).

    Args:
        f (Forwarded): the call's facts.

    Returns:
        str: e.g. "forwarded to http://127.0.0.1:8080/users/7: the upstream answered 200 in 12 ms;
        recorded as 'users / GET /users/7 / 200 OK'".

    Examples:
        ```python
        said = forwarded_answer(Forwarded(url="http://h/a", reason="unmatched", status=200, ms=12.0))
        assert said == "forwarded to http://h/a: the upstream answered 200 in 12 ms; not recorded"
        ```
    """
    said = f"forwarded to {f.url}: {_upstream_result(f)}"
    if f.recorded_as:
        return f"{said}; {'refreshed' if f.refreshed else 'recorded as'} '{f.recorded_as}'"
    return said + ("; not recorded" if not f.error else "")


def passed_over(f: Forwarded) -> str:
    """Why the example that matched best did not answer a forwarded call (the start of its reason).

    Args:
        f (Forwarded): the call's facts (its ``reason`` and ``mode``).

    Returns:
        str: the words put before that example's own reason.

    Examples:
        ```python
        said = passed_over(Forwarded(url="http://h/a", reason="all", mode="all"))
        assert said == "would answer, but record mode all forwards every request"
        ```
    """
    if f.reason == "all":
        return "would answer, but record mode all forwards every request"
    return f"the best match, but not this request's own example: record mode {f.mode} forwards such requests"


REPLAY_ONLY_NOTE = ("not forwarded: record mode once replays only, because the collection had examples when the "
                    "mock started (no match is a 404, as without a proxy)")
"""Said of a request no example matches, by a mock in record mode once that started with examples."""


def proxy_answer(url: str, mode: str, reason: str) -> tuple[str, str]:
    """For a request a proxying mock would forward, explained without being sent: what the mock does
    with it, and why the best example does not answer it (``ExplainedRanking.with_answer``'s
    arguments).

    Args:
        url (str): the upstream URL the request would go to.
        mode (str): the record mode.
        reason (str): one of ``recording.FORWARD_REASONS``.

    Returns:
        tuple[str, str]: the answer sentence and the passed-over words.

    Examples:
        ```python
        answer, _ = proxy_answer("http://h/orders", "none", "unmatched")
        assert answer == "no example matches it: this mock forwards it to http://h/orders"
        ```
    """
    records = " and records the answer" if mode != "none" else ""
    why = {"unmatched": "no example matches it", "not-own": "no example is its own (same path and query)",
           "all": "record mode all forwards every request"}[reason]
    return f"{why}: this mock forwards it to {url}{records}", passed_over(Forwarded(url=url, reason=reason, mode=mode))


def forwarded_notes(f: Forwarded, ranking: Ranking) -> list[str]:
    """Why a call was forwarded and what became of the exchange, as an explanation's notes.

    Args:
        f (Forwarded): the call's facts.
        ranking (Ranking): the call's ranking (names the example that matched best).

    Returns:
        list[str]: sentences: why it was forwarded, then what was recorded (or why not), then how
        many secret values were redacted.

    Examples:
        ```python
        forwarded_notes(call.forwarded, ranking)[0]
        # 'no example matched, so the mock forwarded the request to its upstream (proxy)'
        ```
    """
    winner = ranking.winner
    if f.reason == "unmatched":
        why = "no example matched, so the mock forwarded the request to its upstream (proxy)"
    elif f.reason == "not-own":
        w = f"'{winner.example.name}' (path rule {winner.path_rule}" if winner is not None else "an example ("
        why = (f"{w}, saved for {winner.target.path if winner else 'another request'}) matched, but no example is "
               f"this request's own (same path, every query parameter matching), so record mode {f.mode} "
               "forwarded it")
    else:
        why = "record mode all forwards every request" + (
            f"; without it, '{winner.example.name}' would have answered" if winner is not None else "")
    notes = [why]
    if f.recorded_as:
        verb = "refreshed the saved answer of" if f.refreshed else "recorded as"
        notes.append(f"{verb} example '{f.recorded_as}' at once: the next identical request gets it, offline; "
                     "mock.save() writes it to the collection's files")
    elif f.not_recorded:
        notes.append(f"not recorded: {f.not_recorded}")
    elif not f.error:
        notes.append(f"not recorded: record mode {f.mode} (record='new_episodes' or 'all' records)")
    if f.redacted:
        notes.append(f"{f.redacted} secret value(s) were replaced by [redacted] in the recording")
    return notes


def forwarded_line(f: Forwarded) -> str:
    """A short line for a call log (``mockkit serve``, the Explorer).

    Args:
        f (Forwarded): the call's facts.

    Returns:
        str: e.g. "forwarded, upstream 200 in 12 ms, recorded as 'users / GET /users/7 / 200 OK'".

    Examples:
        ```python
        said = forwarded_line(Forwarded(url="http://h/a", reason="unmatched", error="upstreamTimeoutError"))
        assert said == "forwarded, upstreamTimeoutError"
        ```
    """
    head = f"forwarded, upstream {f.status} in {f.ms:,.0f} ms" if not f.error else f"forwarded, {f.error}"
    if f.recorded_as:
        return f"{head}, {'refreshed' if f.refreshed else 'recorded as'} '{f.recorded_as}'"
    return head
