"""Every example of a collection compiled for matching, with lookups that keep ranking cheap.

``Index(collection, environment)`` resolves variables (environment over collection), computes each
example's path normal forms, query multisets, headers and body form once, and files the examples
by method and by path form, so ``matching.rank`` finds the examples that match at step a with one
dict lookup, and so on down the steps (``level``: the tables ``ladder.PathRule.tables`` names for
each rung). Step h (document distance, per segment) asks a ``distance_index.DistanceIndex`` per
segment count, which compares the request's segments with the distinct segment values of each
position rather than with every example.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass
from operator import attrgetter
from typing import cast
from urllib.parse import quote

from .bodies import BodyForm, body_form, encode
from .crowds import CROWD_ABOVE, Crowd
from .distance_index import DistanceIndex
from .ladder import PATH_RULES, RULE
from .model import HTTP_WHITESPACE, Collection, Environment, Example, MockRequest, Pairs
from .quickinit import quick_init
from .templating import TOKEN, resolve_variables
from .urls import ID_MARK, PathForms, has_wildcard, is_id, resolve_url
from .wildcards import WildSegment

__all__ = ["Target", "Index", "compile_target", "variables_of", "tie_order"]


@quick_init  # issue 17: built once per example at load
@dataclass(frozen=True, slots=True)
class Target:
    """An example compiled for matching (everything ``rank`` compares, computed once)."""

    example: Example
    method: str
    path: str
    forms: PathForms
    wild: tuple[WildSegment | None, ...] | None  # per segment of forms.segments
    query: Mapping[str, Counter[str]]
    query_pairs: Pairs
    headers: Mapping[str, str]
    body: BodyForm
    code: int
    tie_key: tuple[int, str, int]
    empty_colons: tuple[str, ...] = ()  # ``:name`` segments with an empty value: wildcards (9.20)
    padded_headers: frozenset[str] = frozenset()  # saved header values that had whitespace trimmed (9.19)

    def as_request(self, headers: Mapping[str, str] | None = None, *, sample_wildcards: bool = False) -> MockRequest:
        """The request this example was saved from (variables resolved). Wildcard segments stay
        as written, or become ``1`` with ``sample_wildcards`` (a value a real client would send)."""
        data, content_type = encode(self.body)
        sent = dict(self.headers)
        if content_type and not any(k == "content-type" for k in sent) and not sent.get("content-type"):
            sent["content-type"] = content_type
        sent.update({k.lower(): v for k, v in (headers or {}).items()})
        path = TOKEN.sub("1", self.path) if sample_wildcards else self.path
        target = "/".join(quote(s, safe="{}:@!$&'()*+,;=") for s in path.split("/"))
        return MockRequest(self.method, target, self.query_pairs, tuple(sent.items()), data)


def variables_of(collection: Collection, environment: Environment | None) -> dict[str, str]:
    """Collection variables overridden by environment values (spec §1.2 step 1.2)."""
    values = {v.key: v.value for v in collection.variables}
    if environment is not None:
        values.update((v.key, v.value) for v in environment.variables)
    return values


def compile_target(example: Example, variables: Mapping[str, str], *, colon_wildcards: bool = False,
                   hosts: dict[str, str] | None = None) -> Target:
    """``example`` compiled for matching with ``variables`` (environment over collection);
    ``hosts``: ``resolve_url``'s memo, shared by the examples of one index."""
    request = example.request
    empty: list[str] = []
    path, query = resolve_url(request.url, variables, colon_wildcards=colon_wildcards, empty_colons=empty,
                              hosts=hosts)
    forms = PathForms.of(path)
    wild: tuple[WildSegment | None, ...] | None = None
    if "{{" in path:  # a segment without "{{" has no wildcard (``has_wildcard``)
        wild = tuple(WildSegment.compile(s) if has_wildcard(s) else None for s in forms.segments)
        if all(p is None for p in wild):
            wild = None
    counts: dict[str, Counter[str]] = {}
    for key, value in query:
        counts.setdefault(key, Counter())[value] += 1
    headers: dict[str, str] = {}
    padded: frozenset[str] = frozenset()
    if request.headers:
        for key, value in request.headers:
            headers.setdefault(key.lower(), value)
        resolved = {k: resolve_variables(v, variables) for k, v in headers.items()}
        headers = {k: v.strip(HTTP_WHITESPACE) for k, v in resolved.items()}  # spec 9.19
        padded = frozenset(k for k, v in resolved.items() if v != headers[k])
    return Target(
        example=example,
        method=request.method.upper(),
        path=path,
        forms=forms,
        wild=wild,
        query=counts,
        query_pairs=query,
        headers=headers,
        body=body_form(request.body, request.headers, variables),
        code=example.response.code,
        tie_key=tie_order(example),
        empty_colons=tuple(empty),
        padded_headers=padded,
    )


def tie_order(example: Example) -> tuple[int, str, int]:
    """Spec 9.3: by id ascending; examples without an id after, in collection order."""
    return (0 if example.id else 1, example.id, example.position)


class Index:
    """Every example of a collection compiled once, with lookups by method and path form."""

    def __init__(self, collection: Collection, environment: Environment | None = None, *,
                 colon_wildcards: bool = False) -> None:
        self.collection = collection
        self.environment = environment
        self.variables = variables_of(collection, environment)
        hosts: dict[str, str] = {}
        self.targets: tuple[Target, ...] = tuple(
            compile_target(e, self.variables, colon_wildcards=colon_wildcards, hosts=hosts)
            for e in collection.examples
        )
        self._by_method: dict[str, _MethodIndex] = {}
        self.by_name: dict[str, list[Target]] = {}
        self.by_id: dict[str, Target] = {}
        for t in self.targets:
            self._by_method.setdefault(t.method, _MethodIndex()).add(t)
            self.by_name.setdefault(t.example.name, []).append(t)
            for key in (t.example.id, t.example.uid):
                if key:
                    self.by_id.setdefault(key, t)
        for by_method in self._by_method.values():
            by_method.finish()

    def __len__(self) -> int:
        return len(self.targets)

    def methods(self) -> list[str]:
        return sorted(self._by_method)

    def for_method(self, method: str) -> "_MethodIndex | None":
        return self._by_method.get(method)

    def find_id(self, value: str) -> Target | None:
        """An example by response id, by UID, or by ``<owner>-<id>`` (spec step 3.2)."""
        value = value.strip()
        found = self.by_id.get(value)
        if found is None:
            owner, dash, rest = value.partition("-")
            if dash and owner.isdigit():
                found = self.by_id.get(rest)
        return found


_ByKey = dict[tuple[str, ...], list[Target]]

FORMS = tuple(dict.fromkeys(rule.form for rule in PATH_RULES if rule.form is not None))
"""The path forms the ladder compares for equality: one lookup table each."""

if len(FORMS) < 2:  # attrgetter of one name returns the value, not a tuple
    raise ImportError(f"index: expected several path forms in ladder.PATH_RULES, got {FORMS}")
_form_values = cast(Callable[[PathForms], tuple[str, ...]], attrgetter(*FORMS))
"""A ``PathForms``' value of each of ``FORMS``, in that order (one C call)."""


class _MethodIndex:
    """Lookups for one method: one dict per path form (``FORMS``), buckets by segment count."""

    def __init__(self) -> None:
        self.forms: dict[str, dict[str, list[Target]]] = {name: {} for name in FORMS}
        # wildcard targets by segment count -> literal positions -> key of those segments
        # (lower-cased; for the id steps, id-like segments as ID_MARK) -> targets
        self.wild_shapes: dict[int, dict[tuple[int, ...], tuple[_ByKey, _ByKey]]] = {}
        self.wild_odd: dict[int, list[Target]] = {}  # non-ASCII literal segments: always looked at
        self.by_count: dict[int, list[Target]] = {}  # sorted by ids_strip length by ``finish``
        self.near: dict[int, DistanceIndex] = {}  # step h, by number of id_segments
        self.crowds: dict[int, Crowd] = {}  # by id() of a long list of ``forms``, made by ``finish``

    def add(self, t: Target) -> None:
        forms = t.forms
        for table, key in zip(self.forms.values(), _form_values(forms)):
            same = table.get(key)
            if same is None:
                table[key] = [t]
            else:
                same.append(t)
        count = len(forms.segments)
        if t.wild is not None:
            shape = tuple(i for i, p in enumerate(t.wild) if p is None)
            plain, ids = self.wild_shapes.setdefault(count, {}).setdefault(shape, ({}, {}))
            literal = [t.forms.segments[i] for i in shape]
            if not all(x.isascii() for x in literal):
                self.wild_odd.setdefault(count, []).append(t)
                literal = []
                plain, ids = {}, {}
            plain.setdefault(tuple(x.lower() for x in literal), []).append(t)
            ids.setdefault(tuple(ID_MARK if is_id(x) else x.lower() for x in literal), []).append(t)
        self.by_count.setdefault(count, []).append(t)
        near = len(forms.id_segments)
        distances = self.near.get(near)
        if distances is None:  # made once per segment count (not one per ``add``)
            distances = self.near[near] = DistanceIndex(near)
        distances.add(t)

    def finish(self) -> None:
        """Sort, group and prepare what ``add`` filed (after the last ``add``): ``by_count`` by
        id-stripped length (stable), the step-h lookups, and a ``Crowd`` for each list of
        ``forms`` of ``CROWD_ABOVE`` examples or more."""
        for bucket in self.by_count.values():
            bucket.sort(key=lambda t: len(t.forms.ids_strip))
        for near in self.near.values():
            near.finish()
        keys: dict[int, Hashable] = {}
        made: dict[tuple[bool, frozenset[int]], Crowd] = {}  # one path's examples fill a list of every form
        sets: dict[frozenset[int], frozenset[int]] = {}  # one object per set of examples

        def crowd_of(found: list[Target], plain: bool) -> Crowd:
            ids = frozenset(id(t) for t in found)
            members = sets.setdefault(ids, ids)
            crowd = made.get((plain, members))
            if crowd is None:
                crowd = made[plain, members] = Crowd.of(found, plain, keys, members)
            return crowd

        self.crowds = {id(same): crowd_of(same, True) for table in self.forms.values()
                       for same in table.values() if len(same) >= CROWD_ABOVE}
        for shapes in self.wild_shapes.values():
            for tables in shapes.values():
                for table in tables:
                    self.crowds.update((id(found), crowd_of(found, False)) for found in table.values()
                                       if len(found) >= CROWD_ABOVE)
        for near in self.near.values():  # step h: the examples of one path shape pass or fail together
            self.crowds.update((id(found), crowd_of(found, False)) for found in near.shapes.values()
                               if len(found) >= CROWD_ABOVE)

    def crowd(self, part: Sequence[Target]) -> Crowd | None:
        """The ``Crowd`` of ``part``, a list ``parts`` returned (None when the index does not
        keep it or it is short)."""
        return self.crowds.get(id(part)) if len(part) >= CROWD_ABOVE else None

    def _wild_fit(self, req: PathForms, ids: bool) -> list[Sequence[Target]]:
        """The wildcard targets whose literal segments equal the request's (ignoring case; with
        ``ids``, id-like segments also equal each other): a superset of what steps e-g match, as
        the lists that hold them (lists of ``wild_shapes`` are kept by the index: see ``crowd``)."""
        count = len(req.segments)
        shapes = self.wild_shapes.get(count)
        odd = self.wild_odd.get(count, [])
        if not shapes:
            return [odd]
        # Non-ASCII request segments need no special case: a literal filed here is ASCII, and
        # ``pathsteps.wild_match`` accepts a segment only if its lower case equals the literal's
        # (the key compared here) or both are ids (an id is ASCII, spec 9.1: its key is ID_MARK).
        segs = [s.lower() for s in req.segments]
        if ids:
            segs = [ID_MARK if is_id(s) else s for s in segs]
        out: list[Sequence[Target]] = [odd]
        for shape, tables in shapes.items():
            found = tables[ids].get(tuple(segs[i] for i in shape))
            if found:
                out.append(found)
        return out

    def level(self, letter: str, req: PathForms, threshold: float = 0.0, wildcards: bool = True) -> list[Target]:
        """A superset of the targets whose first matching path step is ``letter``, from the
        tables the ladder names for it (``ladder.PathRule.tables``): every part of ``parts``."""
        return [t for part in self.parts(letter, req, threshold, wildcards) for t in part]

    def parts(self, letter: str, req: PathForms, threshold: float = 0.0,
              wildcards: bool = True) -> list[Sequence[Target]]:
        """``level``'s targets as the lists that hold them: first the examples whose path form
        for rung ``letter`` equals the request's, then wildcard examples by their literal
        segments, or step h's candidates. Lists the index keeps may have a ``crowd``.
        ``threshold`` and ``wildcards``: step h's options (``MockOptions.distance_threshold``,
        ``match_wildcards``)."""
        rule = RULE[letter]
        if "segments" in rule.tables:
            near = self.near.get(len(req.id_segments))
            return list(near.candidates(req.id_segments, threshold, wildcards)) if near is not None else []
        out: list[Sequence[Target]] = []
        if rule.form is not None:
            same = self.forms[rule.form].get(getattr(req, rule.form))
            if same:
                out.append(same)
        if rule.wildcards is not None:
            out.extend(self._wild_fit(req, rule.wildcards == "ids"))
        return out
