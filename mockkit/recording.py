"""Record modes, and the one writer that turns forwarded exchanges into examples (issue 16).

A mock with a ``proxy`` forwards what it cannot answer; its ``record`` mode (named as vcrpy's)
says what else is forwarded and what is kept (``forward_reason``, ``Recorder.record``):

========================  ============================================  ==========================
mode                      forwarded to the upstream                     recorded
========================  ============================================  ==========================
``none`` (the default)    requests no example matches                   nothing
``new_episodes``          requests without an example of their own      each new exchange, as a new
                          (no example matches, or the one that does     example (an own example with
                          was saved for another path or query)          that status: kept as it is)
``all``                   every request                                 each exchange: it refreshes
                                                                        the request's own example
                                                                        with that status, or is new
``once``                  as ``new_episodes`` if the collection had     as ``new_episodes``; nothing
                          no examples when the mock started, else       when it had examples
                          nothing (replay only: no match is a 404)
========================  ============================================  ==========================

An example is the request's **own** when it matches at path rule a (the same path), every query
parameter matches (none differs or is missing on either side), and it was chosen by score (not by
an ``x-mock-response-name``/``-id`` lookup). CORS pre-flights, a private mock's refusals and an
active server response are answered by the mock in every mode.

``Recorder.record`` runs under one lock (one writer): it decides, applies the change to the
collection (``base`` as loaded, plus every change not saved yet) and builds the next engine
generation before the answer is sent, so the next identical request is answered from the
recording at once, and recordings of concurrent calls never lose one another. A reload of the
files (``watch``) re-applies the changes not saved yet on top of what was read.
"""

from __future__ import annotations

import itertools
import os
import threading
import uuid
from collections import OrderedDict
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from .hygiene import Redaction
from .matching import Ranking
from .model import Collection, Example, MockRequest, RequestItem
from .recorded import Placement, Recording, new_example, placement, recording_of

if TYPE_CHECKING:  # pragma: no cover
    from .engine import MockEngine
    from .proxy import Exchange

__all__ = ["Recorder", "Change", "Outcome", "is_own", "forward_reason", "layered", "new_collection", "FORWARD_REASONS"]

FORWARD_REASONS = ("unmatched", "not-own", "all")
"""Why a call is forwarded (``journal.Forwarded.reason``); ``explaining`` says each in words."""
KEPT_HISTORY = 1000
"""Generations whose collection a recorder can rebuild for ``explain`` (the call log's default size)."""


def is_own(ranking: Ranking) -> bool:
    """Whether the ranking's winner is the request's own example: same path (rule a), every
    query parameter matching, chosen by score."""
    w = ranking.winner
    return w is not None and ranking.decided_by == "score" and w.path_rule == "a" and w.query_counts[1:] == (0, 0)


def forward_reason(mode: str, ranking: Ranking, *, empty_at_start: bool) -> str | None:
    """Why ``ranking``'s request is forwarded in record mode ``mode`` (one of
    ``FORWARD_REASONS``), or None when the mock answers it (see the module's table)."""
    if mode == "all":
        return "all"
    if mode == "once" and not empty_at_start:
        return None
    if ranking.winner is None:
        return "unmatched"
    if mode in ("new_episodes", "once") and not is_own(ranking):
        return "not-own"
    return None


def new_collection(source: object, mode: str) -> Collection | None:
    """An empty collection to record into, when ``mode`` records and ``source`` names a ``.json``
    file (or a folder, for a v3 tree) that does not exist yet in a folder that does: ``save``
    creates it. None otherwise (the collection is loaded as usual).

    Example: ``new_collection("shop.postman_collection.json", "once")`` -> ``Collection(name='shop', examples=0, ...)``."""
    if mode == "none" or not isinstance(source, (str, os.PathLike)) or str(source).lstrip()[:1] in ("{", "["):
        return None
    path = Path(source)
    if path.exists() or not path.parent.is_dir() or path.suffix.lower() not in (".json", ""):
        return None
    name = path.name.removesuffix(".json").removesuffix(".postman_collection")
    return Collection(name=name or "Recorded", examples=(), source=str(path))


@dataclass(frozen=True, slots=True)
class Change:
    """One recorded change: an ``example`` added at ``where``, or (``replaces`` set) an existing
    example whose response is replaced by ``example``'s (record mode ``all``)."""

    example: Example
    where: Placement | None = None
    replaces: Example | None = None


@dataclass(frozen=True, slots=True)
class Outcome:
    """What ``Recorder.record`` did: the example (``recorded_as`` ``folder / request / example``,
    its id, whether an existing one was ``refreshed``), or why nothing (``not_recorded``)."""

    recorded_as: str = ""
    example_id: str = ""
    refreshed: bool = False
    not_recorded: str = ""
    redacted: int = 0


def _same(a: Example, b: Example) -> bool:
    return a.json_path == b.json_path and a.name == b.name and a.id == b.id


def _find(examples: list[Example], target: Example) -> int | None:
    """Where ``target`` (an example of an earlier base) is in ``examples``: at its position, else
    by id, else by JSON path and name; None when it is gone."""
    if target.position < len(examples) and _same(examples[target.position], target):
        return target.position
    for i, e in enumerate(examples):
        if (target.id and e.id == target.id) or _same(e, target):
            return i
    return None


def layered(base: Collection, changes: list[Change] | tuple[Change, ...]) -> Collection:
    """``base`` with ``changes`` applied: refreshed responses in place, added examples after
    every example of ``base`` (so the examples already compiled keep their positions; ``save``
    writes each in its folder and request)."""
    examples, requests = list(base.examples), list(base.requests)
    for change in changes:
        if change.replaces is not None:
            at = _find(examples, change.replaces)
            if at is not None:
                examples[at] = replace(examples[at], response=change.example.response)
                continue
        e = replace(change.example, position=len(examples))
        examples.append(e)
        last = requests[-1] if requests else None
        if last is not None and last.json_path == "recorded" and (last.name, last.folder) == (e.request_name, e.folder):
            requests[-1] = replace(last, example_count=last.example_count + 1)
        else:
            requests.append(RequestItem(e.request_name, e.folder, e.request, "recorded", 1, e.item_id))
    return replace(base, examples=tuple(examples), requests=tuple(requests))


def _own_with_status(engine: MockEngine, request: MockRequest, status: int) -> Example | None:
    """The request's own example with ``status`` in ``engine``'s collection, if any."""
    headers = tuple((k, v) for k, v in request.headers if not k.lower().startswith("x-mock-response-"))
    ranking = engine.rank(replace(request, headers=(*headers, ("x-mock-response-code", str(status)))))
    return ranking.winner.example if is_own(ranking) and ranking.winner is not None else None


def _label(e: Example) -> str:
    return " / ".join((*e.folder, e.request_name, e.name))


class Recorder:
    """The recordings of one mock (its engine generations share it): ``base`` (the collection
    as loaded or last saved), ``changes`` not saved yet, the ``engine`` now answering.

    Example::

        mock = mockkit.serve("api.json", proxy="http://127.0.0.1:8080", record="new_episodes")
        mock.get("/users/7")            # forwarded, recorded as 'users / GET /users/7 / 200 OK'
        mock.engine.recorder.pending    # 1 example not saved yet
        mock.save()                     # written into api.json (api.json.bak keeps the old file)
    """

    def __init__(self, mode: str, base: Collection, source: object, redact: tuple[str, ...] = ()) -> None:
        """``mode``: a record mode; ``base``: the collection loaded from ``source`` (a path or
        the object given); ``redact``: the ``redact`` option."""
        self.mode = mode
        self.base = base
        self.source = source
        self.redact = redact
        self.empty_at_start = not base.examples
        self.changes: list[Change] = []
        self.engine: MockEngine | None = None
        self._lock = threading.RLock()
        self._listeners: list[Callable[[MockEngine], None]] = []
        self._history: OrderedDict[int, tuple[Collection, tuple[Change, ...]]] = OrderedDict()
        self._serial = itertools.count(1)

    @property
    def pending(self) -> int:
        """Changes (examples added or refreshed) not saved yet."""
        return len(self.changes)

    def live(self) -> Collection:
        """The collection the mock answers from: ``base`` with the changes not saved yet."""
        return layered(self.base, self.changes)

    # ---------------------------------------------------------------------- generations

    def subscribe(self, listener: Callable[[MockEngine], None]) -> None:
        """Call ``listener(engine)`` with every new engine generation (a door that holds the
        engine swaps it: ``MockServer``, the CLI, the transport)."""
        with self._lock:
            self._listeners.append(listener)

    def adopt(self, engine: MockEngine) -> None:
        """``engine`` is the newest generation: remember what it serves, tell the listeners."""
        with self._lock:
            self.engine = engine
            self._history[engine.generation] = (self.base, tuple(self.changes))
            while len(self._history) > KEPT_HISTORY:
                self._history.popitem(last=False)
            listeners = list(self._listeners)
        for listener in listeners:
            listener(engine)

    def collection_at(self, generation: int) -> Collection | None:
        """The collection generation ``generation`` answered from (for explaining its calls once
        the call log no longer keeps that engine), or None when unknown."""
        with self._lock:
            held = self._history.get(generation)
        return layered(*held) if held is not None else None

    def rebase(self, loaded: Collection) -> Collection:
        """A reload read ``loaded`` from the files: it is the new base; returns it with the
        changes not saved yet applied again."""
        with self._lock:
            self.base = loaded
            return self.live()

    # -------------------------------------------------------------------------- record

    def record(self, request: MockRequest, exchange: Exchange) -> Outcome:
        """Keep ``exchange`` (the upstream's answer to ``request``) as the record mode says, and
        make the next engine generation answer from it. Called on a worker thread (it builds an
        engine); one recording at a time."""
        with self._lock:
            origin = exchange.url.split("/", 3)
            made = recording_of(request, exchange.status, exchange.reason, exchange.headers, exchange.body,
                                "/".join(origin[:3]), Redaction(self.redact))
            if isinstance(made, str):
                return Outcome(not_recorded=made)
            engine = self.engine
            if engine is None:
                return Outcome(not_recorded="the mock has no engine to record into")
            own = _own_with_status(engine, request, made.status)
            if own is not None and self.mode != "all":
                return Outcome(not_recorded=f"'{own.name}' is this request's own example with status {made.status} "
                                            f"already; record mode {self.mode} adds examples, never replaces them "
                                            "(record mode all refreshes them)")
            change = self._refresh(own, made) if own is not None else self._add(made)
            engine._successor(self.live(), recorded=True)  # adopts it: the listeners swap it in
            return Outcome(_label(change.example), change.example.id, own is not None, redacted=made.redacted)

    def _refresh(self, own: Example, made: Recording) -> Change:
        """Record mode ``all``: ``own``'s response becomes the recorded one."""
        fresh = new_example(made, Placement("", own.request_name, own.name), own.position, own.item_id, 0)
        refreshed = replace(own, response=fresh.response)
        for i, change in enumerate(self.changes):
            if own.id and change.example.id == own.id and change.replaces is None:  # recorded in this session
                self.changes[i] = replace(change, example=replace(change.example, response=fresh.response))
                return self.changes[i]
        change = Change(refreshed, replaces=own)
        self.changes = [c for c in self.changes if not (c.replaces is not None and _same(c.replaces, own))]
        self.changes.append(change)
        return change

    def _add(self, made: Recording) -> Change:
        live = self.live()
        where = placement(made, ())
        folder = (where.folder,) if where.folder else ()
        mates = [e for e in live.examples if e.request_name == where.request and e.folder == folder]
        where = placement(made, [e.name for e in mates])
        item_id = mates[0].item_id if mates and mates[0].item_id else str(uuid.uuid4())
        change = Change(new_example(made, where, len(live.examples), item_id, next(self._serial)), where)
        self.changes.append(change)
        return change

    def writing(self) -> AbstractContextManager[bool]:
        """The writer's lock, for ``saving.save`` (nothing is recorded while files are written)."""
        return self._lock

    def saved(self, base: Collection) -> None:
        """``save`` wrote every change: ``base`` (read back from the files) holds them now."""
        with self._lock:
            self.base = base
            self.changes = []
