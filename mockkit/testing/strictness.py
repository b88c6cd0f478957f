"""What a strict mock calls a failed request, and the messages that say why, readable in pytest.

A logged call **failed** (the test's request was not what the collection describes) when the mock
answered it without an example:

* ``unmatched``: no example matched (404 ``mockRequestNotFoundError``), including an
  ``x-mock-response-id`` / ``x-mock-response-name`` naming no example of that method (and
  status); with CORS answers off, an unmatched pre-flight too;
* ``refused``: a private mock (``api_key``) answered 401 because ``x-api-key`` was missing or
  wrong: the request the test sent is at fault;
* ``error``: mockkit could not answer (a 500 from an engine failure, or any other error answer
  the call log records).

Not failures: an answer from an example; an active *server response* (``set_server_response``:
the test asked for it); an automatic CORS pre-flight answer (spec 9.8).

The message for each failed call gives its method and target, what the mock answered, and the
nearest examples with their stage and reason (the candidates of ``MockEngine.explain``); nearest
means: the examples that got furthest through the matching steps, then those whose path is
closest to the request's, segment by segment. Examples of one request that lost for the same reason are shown
on one line.
"""

from __future__ import annotations

import textwrap
from collections.abc import Iterable, Sequence
from difflib import get_close_matches
from typing import TYPE_CHECKING

from ..errors import MockLookupError
from ..journal import Call
from ..matching import Candidate
from ..model import Example
from ..terminal import printable
from ..urls import PathForms, has_wildcard, levenshtein

if TYPE_CHECKING:  # pragma: no cover
    from ..engine import MockEngine

__all__ = ["failure_kind", "nearest_candidates", "failures_message", "unused_message", "select_examples",
           "call_number", "CANDIDATES_SHOWN"]

CANDIDATES_SHOWN = 3
CALLS_SHOWN = 10  # failed requests described in full; the rest are named
_STAGE_NEARNESS = {"body": 0.0, "headers": 0.0, "response-id": 0.0, "response-name": 0.0, "scored": 0.0,
                   "path": 0.5, "response-code": 0.75, "method": 1.0}
_WIDTH = 100


def call_number(call: Call) -> int:
    """The sequence number in a call id (``c12`` -> 12), for ordering calls."""
    digits = call.id.lstrip("c")
    return int(digits) if digits.isdigit() else 0


def failure_kind(call: Call) -> str | None:
    """``"unmatched"``, ``"refused"``, ``"error"``, or None when the call was answered as meant."""
    if call.error == "serverResponse":
        return None
    if call.forwarded is not None:  # the upstream answered it (issue 16); its failures are errors
        return "error" if call.error else None
    if call.error == "unauthorizedError":
        return "refused"
    if call.error == "mockRequestNotFoundError":
        return "unmatched"
    if call.error:
        return "error"
    if call.example_position < 0 and call.status == 404:  # a pre-flight with CORS answers off
        return "unmatched"
    return None


def _path_distance(example: tuple[str, ...], request: tuple[str, ...]) -> float:
    """0 (same) to 1 (nothing alike), segment by segment; ``{{wildcard}}`` and ``:name``
    segments fit any."""
    longest = max(len(example), len(request)) or 1
    cost = float(abs(len(example) - len(request)))
    for mine, theirs in zip(example, request, strict=False):
        if mine.lower() != theirs.lower() and not has_wildcard(mine) and not mine.startswith(":"):
            cost += levenshtein(mine.lower(), theirs.lower()) / (max(len(mine), len(theirs)) or 1)
    return cost / longest


def _closeness(c: Candidate, request: PathForms) -> tuple[float, int]:
    """Smaller is nearer: how far through the matching steps it got, then how close its path is."""
    stage = 0.0 if c.kept else _STAGE_NEARNESS.get(c.stage, 1.0)
    return (stage + _path_distance(c.target.forms.segments, request.segments), c.example.position)


def _answering_engine(engine: "MockEngine", call: Call) -> "MockEngine":
    """The engine generation that answered ``call`` when the journal still keeps it (a reloaded
    collection), else ``engine``."""
    find = getattr(engine.journal, "generation", None)
    number = getattr(call, "generation", 0)
    older = find(number) if find is not None and number else None
    return older if older is not None else engine


def nearest_candidates(engine: "MockEngine", call: Call, count: int = CANDIDATES_SHOWN) -> tuple[list[list[Candidate]], list[str]]:
    """The examples nearest to a logged request (re-ranked now), in at most ``count`` groups
    (examples of one request that lost for the same reason share a group), and the notes."""
    ranking = _answering_engine(engine, call).explain(call.request)
    forms = PathForms.of(call.request.decoded_path_lenient)
    groups: dict[tuple[object, ...], list[Candidate]] = {}
    for c in sorted(ranking.candidates, key=lambda c: _closeness(c, forms)):
        key = (c.target.method, c.target.path, c.kept, c.score, c.stage, c.reason)
        if key in groups or len(groups) < count:
            groups.setdefault(key, []).append(c)
    return list(groups.values()), list(ranking.notes)


def _group_line(group: list[Candidate]) -> str:
    c = group[0]
    names = ", ".join(f"'{printable(o.example.name, 80)}'" for o in group)
    if len(group) > 3:  # e.g. one success and every error status of one request
        names = f"'{printable(c.example.name, 80)}' and {len(group) - 1} more"
        if len({o.example.request_name for o in group}) == 1:
            names += f" of request '{printable(c.example.request_name, 80)}'"
    codes = ", ".join(dict.fromkeys(str(o.example.response.code) for o in group))
    where = f"{c.target.method} {printable(c.target.path, 120)} → {codes}"
    verdict = f"score {c.score:g}" if c.kept and c.score is not None else f"dropped at {c.stage}"
    return f"{names} ({where}), {verdict}: {printable(c.reason, 600)}"


def _wrap(text: str, indent: str) -> list[str]:
    return textwrap.wrap(text, _WIDTH, initial_indent=indent, subsequent_indent=indent + "    ",
                         break_long_words=False, break_on_hyphens=False) or [indent]


def _call_block(engine: "MockEngine", calls: list[Call], number: int) -> list[str]:
    call = calls[0]
    kind = failure_kind(call)
    target = printable(f"{call.request.method} {call.request.target}", 300)
    answered = f"{call.status} {call.error}".strip()
    ids = call.id if len(calls) == 1 else f"{len(calls)} calls: {', '.join(c.id for c in calls[:5])}" + (
        ", ..." if len(calls) > 5 else "")
    lines = [f"{number}. {target} → {answered} ({'call ' if len(calls) == 1 else ''}{ids})"]
    if kind == "error":
        return lines + _wrap(f"mockkit could not answer it: {printable(call.error, 400)}", "   ")
    groups, notes = nearest_candidates(engine, call)
    size = getattr(call, "body_size", -1)  # a bounded call log keeps a prefix of long bodies
    if size > len(call.request.body):
        notes.append(f"the call log kept the first {len(call.request.body):,} of its {size:,} body bytes "
                     "(journal_body_bytes): the examples were compared with that prefix")
    if kind == "refused":
        lines += _wrap("refused: this mock is private and the request's x-api-key header is missing or wrong "
                       "(send the key the mock was started with: api_key=...)", "   ")
        winner = next((g[0] for g in groups if g[0].kept), None)
        if winner is not None:
            lines += _wrap(f"with the key it would have been answered by '{printable(winner.example.name, 80)}'", "   ")
        return lines
    for note in notes:
        lines += _wrap(printable(note, 400), "   ")
    if not groups:
        return lines + ["   the collection has no examples"]
    lines.append(f"   nearest examples (of {len(engine.index)}):")
    for group in groups:
        lines += _wrap("- " + _group_line(group), "     ")
    return lines


def failures_message(engine: "MockEngine", calls: Sequence[Call], *, seed: int | None, where: str,
                     explain: str = "mock.explain(") -> str:
    """The message listing failed calls (``calls`` already filtered by ``failure_kind``).

    ``where`` names the mock ("the mock server at http://127.0.0.1:5012"); ``explain`` is how the
    reader explains a request there (``"mock.explain("``)."""
    count = len(calls)
    noun = "request" if count == 1 else "requests"
    name = printable(engine.collection.name, 80)
    lines = [f"mockkit: {count} {noun} to {where} got no example of collection '{name}':", ""]
    alike: dict[tuple[object, ...], list[Call]] = {}  # the same request sent again is one entry
    for call in calls:
        alike.setdefault((call.request.method, call.request.target, call.status, call.error), []).append(call)
    groups = list(alike.values())
    for number, group in enumerate(groups[:CALLS_SHOWN], 1):
        lines += _call_block(engine, group, number)
        lines.append("")
    if len(groups) > CALLS_SHOWN:
        rest = groups[CALLS_SHOWN:]
        lines += _wrap(f"... and {sum(map(len, rest))} more: " + ", ".join(
            printable(f"{g[0].request.method} {g[0].request.target}", 100) + (f" ×{len(g)}" if len(g) > 1 else "")
            for g in rest[:20]) + (", ..." if len(rest) > 20 else ""), "")
        lines.append("")
    first = calls[0].request
    lines += _wrap(f"Every example's points for one of them: "
                   f"{explain}{first.method!r}, {printable(first.target, 200)!r})", "")
    lines += _wrap("Unmatched requests are allowed with strict=False (per mock or in @pytest.mark.mockkit), "
                   "or for a whole project with `mockkit_strict = false` in the pytest ini file.", "")
    if seed is not None:
        lines.append(f"Fake data seed: {seed} (seed={seed} gives the same data again).")
    return "\n".join(lines)


def select_examples(examples: Sequence[Example], selectors: Iterable[str]) -> dict[str, list[Example]]:
    """The examples each selector names: an example id, uid or name, or ``Request / Example``.

    Raises ``LookupError`` naming a selector that matches nothing, with the closest names."""
    out: dict[str, list[Example]] = {}
    for selector in selectors:
        wanted = str(selector).strip()
        found = [e for e in examples
                 if wanted and (wanted in (e.id, e.uid, e.name) or wanted == f"{e.request_name} / {e.name}")]
        if not found:
            names = sorted({e.name for e in examples} | {f"{e.request_name} / {e.name}" for e in examples})
            close = get_close_matches(wanted, names, n=3, cutoff=0.5)
            hint = f"; did you mean {', '.join(repr(n) for n in close)}?" if close else ""
            raise MockLookupError(f"no example is named {printable(wanted)!r} (an example's id, uid, name, "
                              f"or 'Request / Example'){hint}")
        out[wanted] = found
    return out


def unused_message(unused: dict[str, list[Example]], served: Sequence[Call], *, collection: str) -> str:
    """The message for expected examples that were never served."""
    noun = "example was" if len(unused) == 1 else "examples were"
    lines = [f"mockkit: {len(unused)} expected {noun} never served by collection '{printable(collection, 80)}':"]
    for selector, found in unused.items():
        e = found[0]
        more = f" (or any of {len(found)} examples with that name)" if len(found) > 1 else ""
        url = e.request.url
        path = "/" + "/".join(url.path) if url.path is not None else url.raw
        lines += _wrap(f"- {printable(selector, 120)}: {e.request.method} {printable(path, 120)} → "
                       f"{e.response.code}{more}", "  ")
    if served:
        lines.append("calls made:")
        for call in served[-10:]:
            answer = f"'{printable(call.example, 80)}'" if call.example else f"{call.status} {call.error}".strip()
            lines += _wrap(f"- {call.request.method} {printable(call.request.target, 200)} → {answer}", "  ")
        if len(served) > 10:
            lines.append(f"  (and {len(served) - 10} earlier)")
    else:
        lines.append("no calls were made")
    return "\n".join(lines)
