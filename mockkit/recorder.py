"""The one writer that turns forwarded exchanges into examples (issue 16).

``Recorder.record`` runs under one lock (one writer): it decides (``recording``'s record modes),
applies the change to the collection (``base`` as loaded, plus every change not saved yet) and
builds the next engine generation before the answer is sent, so the next identical request is
answered from the recording at once, and recordings of concurrent calls never lose one another.
A reload of the files (``watch``) re-applies the changes not saved yet on top of what was read;
``saving.save`` writes them and holds the same lock meanwhile.
"""

from __future__ import annotations

import itertools
import threading
import uuid
from collections import OrderedDict
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import replace
from typing import TYPE_CHECKING

from .hygiene import Redaction
from .model import Collection, Example, MockRequest
from .recorded import Placement, Recording, new_example, placement, recording_of
from .recording import Change, Outcome, is_own, layered, same_example

if TYPE_CHECKING:  # pragma: no cover
    from .engine import MockEngine
    from .proxy import Exchange

__all__ = ["Recorder", "KEPT_HISTORY"]

KEPT_HISTORY = 1000
"""Generations whose collection a recorder can rebuild for ``explain`` (the call log's default size)."""


def _own_with_status(engine: MockEngine, request: MockRequest, status: int) -> Example | None:
    """The request's own example with ``status`` in ``engine``'s collection, if any."""
    headers = tuple((k, v) for k, v in request.headers if not k.lower().startswith("x-mock-response-"))
    ranking = engine.rank(replace(request, headers=(*headers, ("x-mock-response-code", str(status)))))
    return ranking.winner.example if is_own(ranking) and ranking.winner is not None else None


def _label(e: Example) -> str:
    return " / ".join((*e.folder, e.request_name, e.name))


class Recorder:
    """The recordings of one mock, shared by its engine generations: ``base`` (the collection as
    loaded or last saved), ``changes`` not saved yet, and the ``engine`` now answering. One
    writer: recording, reloading and saving hold its lock.

    Args:
        mode (str): the record mode (``RECORD_MODES``, not ``none``).
        base (Collection): the collection loaded from ``source`` (or ``new_collection``'s).
        source (object): what the mock was given (a path, or the object itself): ``save``
            writes back to it when it is a file or folder.
        redact (tuple[str, ...]): the ``redact`` option.

    Examples:
        ```python
        mock = mockkit.serve("api.json", proxy="http://127.0.0.1:8080", record="new_episodes")
        mock.get("/users/7")            # forwarded, recorded as 'users / GET /users/7 / 200 OK'
        mock.engine.recorder.pending    # 1 example not saved yet
        mock.save()                     # written into api.json (api.json.bak keeps the old file)
        ```
    """

    def __init__(self, mode: str, base: Collection, source: object, redact: tuple[str, ...] = ()) -> None:
        """Start recording on top of ``base``, with nothing recorded yet (see the class)."""
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
        """The changes (examples added or refreshed) not saved yet.

        Returns:
            int: their number.

        Examples:
            ```python
            mock.engine.recorder.pending     # 2
            ```
        """
        return len(self.changes)

    def live(self) -> Collection:
        """The collection the mock answers from.

        Returns:
            Collection: ``base`` with the changes not saved yet (``layered``).

        Examples:
            ```python
            len(mock.engine.recorder.live().examples)
            ```
        """
        return layered(self.base, self.changes)

    # ---------------------------------------------------------------------- generations

    def subscribe(self, listener: Callable[[MockEngine], None]) -> None:
        """Call ``listener`` with every new engine generation (a door that holds the engine swaps it:
        ``MockServer``, the CLI, the transport).

        Args:
            listener (Callable[[MockEngine], None]): called on the recording thread, outside the lock.

        Examples:
            ```python
            recorder.subscribe(lambda engine: setattr(server, "engine", engine))
            ```
        """
        with self._lock:
            self._listeners.append(listener)

    def adopt(self, engine: MockEngine) -> None:
        """``engine`` is the newest generation: remember what it answers from (for ``collection_at``,
        the last ``KEPT_HISTORY`` generations) and tell the listeners.

        Args:
            engine (MockEngine): the new generation.

        Examples:
            ```python
            recorder.adopt(engine._successor(recorder.live(), recorded=True))   # what _successor does
            ```
        """
        with self._lock:
            self.engine = engine
            self._history[engine.generation] = (self.base, tuple(self.changes))
            while len(self._history) > KEPT_HISTORY:
                self._history.popitem(last=False)
            listeners = list(self._listeners)
        for listener in listeners:
            listener(engine)

    def collection_at(self, generation: int) -> Collection | None:
        """The collection generation ``generation`` answered from, for explaining its calls once the
        call log no longer keeps that engine.

        Args:
            generation (int): an engine generation (``MockEngine.generation``).

        Returns:
            Collection | None: that collection, or None when it is older than the last
            ``KEPT_HISTORY`` generations.

        Examples:
            ```python
            recorder.collection_at(call.generation)
            ```
        """
        with self._lock:
            held = self._history.get(generation)
        return layered(*held) if held is not None else None

    def rebase(self, loaded: Collection) -> Collection:
        """A reload read ``loaded`` from the files: it becomes the base, and the changes not saved yet
        apply on top of it.

        Args:
            loaded (Collection): the collection just read.

        Returns:
            Collection: ``loaded`` with the changes not saved yet.

        Examples:
            ```python
            engine._successor(recorder.rebase(load_collection("api.json")))   # what a reload does
            ```
        """
        with self._lock:
            self.base = loaded
            return self.live()

    # -------------------------------------------------------------------------- record

    def record(self, request: MockRequest, exchange: Exchange) -> Outcome:
        """Keep ``exchange`` (the upstream's answer to ``request``) as the record mode says, and make
        the next engine generation answer from it before the answer is sent. Called on a worker
        thread (it builds an engine); one recording at a time.

        Args:
            request (MockRequest): the request forwarded.
            exchange (Exchange): the upstream's answer.

        Returns:
            Outcome: the example made or refreshed, or why nothing was recorded (a body that is not
            text; an own example with that status already, in a mode that only adds).

        Examples:
            ```python
            recorder.record(request, exchange)   # Outcome(recorded_as='users / GET /users/7 / 200 OK', ...)
            ```
        """
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
        self.changes = [c for c in self.changes if not (c.replaces is not None and same_example(c.replaces, own))]
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
        """The writer's lock, held by ``saving.save`` and reloads (nothing is recorded meanwhile).

        Returns:
            AbstractContextManager[bool]: the lock (re-entrant).

        Examples:
            ```python
            with recorder.writing():
                ...
            ```
        """
        return self._lock

    def saved(self, base: Collection) -> None:
        """``save`` wrote every change: ``base`` (read back from the files) holds them now.

        Args:
            base (Collection): the collection read back from what was written.

        Examples:
            ```python
            recorder.saved(load_collection("api.json"))     # recorder.pending == 0
            ```
        """
        with self._lock:
            self.base = base
            self.changes = []
