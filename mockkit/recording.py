"""Record modes: what a proxying mock forwards and keeps, and the changes it records (issue 16).

A mock with a ``proxy`` forwards what it cannot answer; its ``record`` mode (named as vcrpy's)
says what else is forwarded and what is kept (``forward_reason``, ``recorder.Recorder.record``):

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

The recordings themselves (``Change``, applied by ``layered``) are kept by one writer,
``recorder.Recorder``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from .matching import Ranking
from .model import Collection, Example, MockRequest, RequestItem
from .recorded import Placement

if TYPE_CHECKING:  # pragma: no cover
    from .engine import MockEngine

__all__ = ["ForwardPlan", "Change", "Outcome", "is_own", "forward_reason", "layered", "same_example", "new_collection",
           "FORWARD_REASONS"]

FORWARD_REASONS = ("unmatched", "not-own", "all")
"""Why a call is forwarded (``journal.Forwarded.reason``); ``explaining`` says each in words."""


def is_own(ranking: Ranking) -> bool:
    """Whether ``ranking``'s winner is the request's own example: the same path (rule a), every
    query parameter matching (none differs or is missing on either side), chosen by score (not by
    an ``x-mock-response-name``/``-id`` lookup). Record modes ``new_episodes`` and ``once``
    forward a request without one (see the module's table).

    Args:
        ranking (Ranking): the request's ranking (``MockEngine.rank``).

    Returns:
        bool: True when the winner is the request's own example.

    Examples:
        ```python
        is_own(engine.rank(MockRequest.from_target("GET", "/users/1")))   # True: saved for /users/1
        is_own(engine.rank(MockRequest.from_target("GET", "/users/9")))   # False: matched by rule f
        ```
    """
    w = ranking.winner
    return w is not None and ranking.decided_by == "score" and w.path_rule == "a" and w.query_counts[1:] == (0, 0)


def forward_reason(mode: str, ranking: Ranking, *, empty_at_start: bool) -> str | None:
    """Why a request is forwarded in record mode ``mode`` (the module's table), or None when the
    mock answers it.

    Args:
        mode (str): the record mode (``RECORD_MODES``).
        ranking (Ranking): the request's ranking.
        empty_at_start (bool): the collection had no examples when the mock started (record mode
            ``once`` records only then).

    Returns:
        str | None: ``"unmatched"`` (no example matches), ``"not-own"`` (no example is its own:
        ``is_own``), ``"all"`` (record mode ``all``), or None.

    Examples:
        ```python
        forward_reason("new_episodes", engine.rank(request), empty_at_start=False)   # 'not-own'
        ```
    """
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
    """An empty collection to record into, when ``source`` names a file (or folder) that does not
    exist yet, in a folder that does; ``save`` then creates it.

    Args:
        source (object): what the mock was given as its collection (a path, JSON text, a dict...).
        mode (str): the record mode; ``none`` never makes one.

    Returns:
        Collection | None: the empty collection (named after the file, its ``source`` the path), or
        None when the collection is loaded as usual.

    Examples:
        ```python
        new_collection("shop.postman_collection.json", "once")
        # Collection(name='shop', examples=(), source='shop.postman_collection.json', ...)
        ```
    """
    if mode == "none" or not isinstance(source, (str, os.PathLike)) or str(source).lstrip()[:1] in ("{", "["):
        return None
    path = Path(source)
    if path.exists() or not path.parent.is_dir() or path.suffix.lower() not in (".json", ""):
        return None
    name = path.name.removesuffix(".json").removesuffix(".postman_collection")
    return Collection(name=name or "Recorded", examples=(), source=str(path))


@dataclass(frozen=True, slots=True, eq=False)
class ForwardPlan:
    """A call to forward: what ``MockEngine.handle`` returns in ``Served.forward`` when the
    record mode says so (``forward_reason``). The door that received the call runs it with its
    ``forwarding.Forwarder`` (the upstream's answer, or a 502) and sends that instead.

    Attributes:
        engine (MockEngine): the engine generation that decided.
        request (MockRequest): the request.
        ranking (Ranking): its ranking (explained later as a forwarded call).
        call_id (str): its call-log id (``x-mockkit-call``).
        started (float): when it started (``time.perf_counter()``, seconds).
        delay_ms (int | None): the delay to apply after the upstream answered (ms).
        reason (str): why it is forwarded (``FORWARD_REASONS``).

    Examples:
        ```python
        served = engine.handle(request)                     # what a door does
        if served.forward is not None:
            served = await forwarder.run(served.forward, target="/users/7?page=2")
        ```
    """

    engine: MockEngine
    request: MockRequest
    ranking: Ranking
    call_id: str
    started: float
    delay_ms: int | None
    reason: str


@dataclass(frozen=True, slots=True)
class Change:
    """One recorded change, not saved yet.

    Attributes:
        example (Example): the example added, or (``replaces`` set) the one whose response
            replaces ``replaces``'s (record mode ``all``).
        where (Placement | None): where an added example goes (None for a refresh).
        replaces (Example | None): the existing example a refresh replaces.

    Examples:
        ```python
        [c.example.name for c in mock.engine.recorder.changes]     # ['200 OK', '404 Not Found']
        ```
    """

    example: Example
    where: Placement | None = None
    replaces: Example | None = None

    @property
    def placement(self) -> Placement:
        """Where the example goes: ``where``, else its own folder (the top one), request and name."""
        e = self.example
        return self.where or Placement(e.folder[0] if e.folder else "", e.request_name, e.name)


@dataclass(frozen=True, slots=True)
class Outcome:
    """What ``Recorder.record`` did with one exchange (the call log's ``Forwarded`` facts).

    Attributes:
        recorded_as (str): ``folder / request / example`` of the example made or refreshed.
        example_id (str): its id.
        refreshed (bool): an existing example's response was replaced (record mode ``all``).
        not_recorded (str): why nothing was recorded (``""`` when something was).
        redacted (int): values replaced by ``[redacted]``.

    Examples:
        ```python
        recorder.record(request, exchange).recorded_as     # 'users / GET /users/7 / 200 OK'
        ```
    """

    recorded_as: str = ""
    example_id: str = ""
    refreshed: bool = False
    not_recorded: str = ""
    redacted: int = 0


def same_example(a: Example, b: Example) -> bool:
    """Whether ``a`` and ``b`` are the same example of a collection (JSON path, name and id agree),
    across generations that rebuilt the ``Example`` objects.

    Args:
        a (Example): an example.
        b (Example): another.

    Returns:
        bool: True when they name the same saved example.

    Examples:
        ```python
        same_example(change.replaces, engine.collection.examples[0])
        ```
    """
    return a.json_path == b.json_path and a.name == b.name and a.id == b.id


def _find(examples: list[Example], target: Example) -> int | None:
    """Where ``target`` (an example of an earlier base) is in ``examples``: at its position, else
    by id, else by JSON path and name; None when it is gone."""
    if target.position < len(examples) and same_example(examples[target.position], target):
        return target.position
    for i, e in enumerate(examples):
        if (target.id and e.id == target.id) or same_example(e, target):
            return i
    return None


def layered(base: Collection, changes: list[Change] | tuple[Change, ...]) -> Collection:
    """``base`` with ``changes`` applied: refreshed responses in place, added examples after every
    example of ``base`` (so the examples already compiled keep their positions; ``save`` writes
    each in its folder and request).

    Args:
        base (Collection): the collection as loaded or last saved.
        changes (list[Change] | tuple[Change, ...]): the changes, in the order recorded.

    Returns:
        Collection: the collection the mock answers from.

    Examples:
        ```python
        layered(recorder.base, recorder.changes) == recorder.live()     # True
        ```
    """
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
