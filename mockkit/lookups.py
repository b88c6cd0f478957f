"""``x-mock-response-id`` and ``x-mock-response-name``: pick an example without comparing the path
(spec §1.2 steps 3.2 and 3.3).

The lookup is collection-wide, after the method filter and ``x-mock-response-code`` (step 3.1):
``find`` says what was asked for and which examples carry that id or name (``Lookup``), ``picks``
which of them pass the method and status filters, each evaluated with body and header matching
off (they are not compared for a lookup). ``matching.rank`` applies the tie rule among the picks
(spec 9.3); ``passed_over`` gives, for a full explanation, the fate of every other example.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from .index import Index, Target
from .scoring import Candidate, Check, PreparedRequest, evaluate, screen

if TYPE_CHECKING:  # pragma: no cover
    from .options import MockOptions

__all__ = ["Lookup", "find", "picks", "passed_over"]


@dataclass(frozen=True, slots=True)
class Lookup:
    """What a lookup asked for and found.

    ``header``: ``x-mock-response-id`` (it wins when both are sent) or ``x-mock-response-name``;
    ``wanted``: the header's value as sent (HTTP whitespace trimmed); ``pool``: the examples with
    that id (response id, UID, or ``<owner>-<id>``) or that name, whatever their method or status.
    """

    header: str
    wanted: str
    pool: tuple[Target, ...]

    @property
    def stage(self) -> str:
        """``response-id`` or ``response-name``: the stage of the candidates it decides."""
        return self.header.removeprefix("x-mock-")


def find(req: PreparedRequest, index: Index) -> Lookup | None:
    """The lookup the request asks for, or None when it sends neither header."""
    wanted_id = req.headers.get("x-mock-response-id")
    if wanted_id is not None:
        t = index.find_id(wanted_id)
        return Lookup("x-mock-response-id", wanted_id, (t,) if t is not None else ())
    wanted_name = req.headers.get("x-mock-response-name")
    if wanted_name is not None:
        return Lookup("x-mock-response-name", wanted_name, tuple(index.by_name.get(wanted_name.strip(), ())))
    return None


def picks(req: PreparedRequest, lookup: Lookup, opts: "MockOptions") -> list[Candidate]:
    """The pool's examples that pass the method and status filters, kept at the lookup's stage
    (scored on path and query for the explanation; bodies and headers are not compared)."""
    plain = replace(opts, match_body=False, match_headers=())
    out = []
    for t in lookup.pool:
        if t.method != req.method or (req.code_text is not None and t.code != req.code):
            continue
        out.append(evaluate(req, t, plain, check_method=False)._replace(kept=True, stage=lookup.stage))
    return out


def passed_over(req: PreparedRequest, t: Target, lookup: Lookup) -> Candidate:
    """An example the lookup did not pick and that is not in its pool: dropped by the method or
    status filter, else at the lookup (its id or name is not the one asked for)."""
    dropped = screen(req, t)
    if dropped is not None:
        return dropped
    return Candidate(t.example, t, kept=False, stage=lookup.stage, checks=(Check(lookup.stage, False, 0),))
