"""The path ladder and the score scale, declared once (spec §1.2 steps 4–6, decisions 9.1–9.3).

Postman compares a request's path with each example's path by a ladder of rules, from exact to
close by edit distance, and stops at the first rule that matches (spec §1.2 step 4). Each rung
here says what it compares and what it costs:

* ``letter``, ``name``, ``points`` (the penalty added to ``POINTS["start"]``) and ``sentence`` (the
  rule as an explanation states it);
* ``form``: the ``urls.PathForms`` field compared for equality (``None``: no plain comparison);
* ``wildcards``: how the example's ``{{variable}}`` segments are tried at this rung: ``"plain"``
  (literal segments equal ignoring case), ``"ids"`` (id-like segments also equal each other, spec
  9.1), or ``None`` (not tried);
* ``slash``: whether the rung keeps a trailing ``/`` (a wildcard match at such a rung needs both
  paths to agree on it);
* ``distance``: the rung compares ``PathForms.id_segments`` segment by segment by edit distance
  (step h: typo tolerance within ``MockOptions.distance_threshold``, spec 9.2);
* ``tables``: the ``index._MethodIndex`` lookups that serve the rung: ``"forms"`` (one dict per
  ``form``), ``"wild"`` (wildcard examples by their literal segments), ``"segments"`` (examples by
  segment count and by the value at each segment position, with the wildcard examples of each
  position: ``distance_index.DistanceIndex``, step h's lookups, spec 9.2).

``urls``, ``index``, ``matching`` and the explanations read this table; the score bounds
(``max_score``, ``TOP_SCORE``, ``LOWEST_SCORE``) are computed from it and from ``POINTS``, so no
other module writes a score as a number.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType

__all__ = ["POINTS", "PathRule", "PATH_RULES", "RULE", "LETTERS", "max_score", "TOP_SCORE", "LOWEST_SCORE"]

POINTS = MappingProxyType(
    {
        "start": 100,  # every example that reaches the path step starts here (spec §1.2 step 4)
        "query_all_match": 10,  # every query parameter matches (also: none on either side; step 5)
        "query_missing_cap": 10,  # no parameter matches: minus one per missing key, at most this
        "body_bonus": 5,  # body matching off, yet the bodies are equal (step 6.4)
    }
)
"""The points of the score scale that are not path penalties (spec §1.2 steps 4–6)."""


@dataclass(frozen=True, slots=True)
class PathRule:
    """One rung of the path ladder (see the module docstring for each field)."""

    letter: str
    name: str
    points: int
    sentence: str
    form: str | None = None
    wildcards: str | None = None
    slash: bool = False
    distance: bool = False
    tables: tuple[str, ...] = ()


_FORMS = ("forms",)
PATH_RULES: tuple[PathRule, ...] = (
    PathRule("a", "exact", 0, "the paths are identical",
             form="exact", slash=True, tables=_FORMS),
    PathRule("b", "trailing slash", -5, "the paths match once a trailing `/` is removed",
             form="strip", tables=_FORMS),
    PathRule("c", "case", -10, "the paths match ignoring case",
             form="lower", slash=True, tables=_FORMS),
    PathRule("d", "trailing slash + case", -15, "the paths match ignoring case and a trailing `/`",
             form="lower_strip", tables=_FORMS),
    PathRule("e", "wildcards", -20, "the paths match with the example's `{{variable}}` segments as wildcards",
             wildcards="plain", tables=("wild",)),
    PathRule("f", "ids", -21, "the paths match once id-like segments (numbers, UUIDs, tokens) are set aside",
             form="ids", wildcards="ids", slash=True, tables=("forms", "wild")),
    PathRule("g", "trailing slash + ids", -25, "the paths match once id-like segments and a trailing `/` are set aside",
             form="ids_strip", wildcards="ids", tables=("forms", "wild")),
    PathRule("h", "distance", -30, "the paths are close by document distance, segment by segment",
             distance=True, tables=("segments",)),
)
"""The ladder, in the order Postman tries it (spec §1.2 step 4; ids: 9.1; distance: 9.2)."""

RULE = MappingProxyType({rule.letter: rule for rule in PATH_RULES})
"""The rungs by letter."""

LETTERS = tuple(rule.letter for rule in PATH_RULES)
"""``("a", ..., "h")``."""


def max_score(letter: str = "a", body_bonus: bool = True) -> float:
    """The highest score an example matched at path rule ``letter`` can reach: the start, the
    rule's penalty, every query parameter matching, and the equal-body bonus (left out with
    ``body_bonus=False``: the bonus needs a non-blank request body, spec §1.2 step 6.4).
    ``matching.rank`` stops descending the ladder once its best score is above this bound."""
    bonus = POINTS["body_bonus"] if body_bonus else 0
    return POINTS["start"] + RULE[letter].points + POINTS["query_all_match"] + bonus


TOP_SCORE = max_score("a")
"""The best score any example can have (exact path, every query parameter, equal body)."""

LOWEST_SCORE = POINTS["start"] + min(rule.points for rule in PATH_RULES) - POINTS["query_missing_cap"]
"""The lowest score an example that passed the path step can have (a step-h path, no query match)."""
