"""Collections loaded once for the notebook calls that take a path, while the files are unchanged.

``mockkit.explain(path, ...)``, ``mockkit.examples(path)`` and ``mockkit.check(path)`` each need
the whole collection loaded and indexed: 0.85 s per call at 10,000 examples when every call read
the file again (issue 17). ``engine(collection, environment, options, overrides)`` keeps the
``MockEngine`` it built for a collection *file or v3 folder* (and an environment file, or none)
and hands it out again while nothing changed:

* the key is each source's resolved path (``os.path.realpath``) with its stamp
  (``formats.repo.file_stamps``: mtime in ns and size of a file; for a v3 folder, the relative path,
  mtime and size of every file under it), plus the ``MockOptions``;
* the stamps are taken before the load and again after it: an engine whose files changed
  meanwhile, or changed less than ``SETTLE_NS`` before the load, is returned but not kept (a
  file system may keep one mtime for writes close together: a second edit of the same size in
  that window would not change the stamp), nor is one for a v3 folder larger than the stamp
  covers (``repo.MAX_STAMP_ENTRIES``);
* at most ``MAX_ENGINES`` engines and ``MAX_EXAMPLES`` examples are kept, least recently used
  dropped first; an engine for files that have changed since is dropped as soon as the new one
  is kept (it could never be handed out again).

JSON text, dicts, loaded ``Collection`` objects and ``MockEngine`` objects are never kept (they
have no file to watch). A kept engine is only read (ranked, explained, checked): it never answers
calls, so its call log stays empty, and its journal does not hold it (``Journal.release``), so
an engine dropped from here is freed even though ``gcpause`` froze it.
"""

from __future__ import annotations

import os
import threading
import time
from collections import OrderedDict
from typing import Any

from .formats.repo import MAX_STAMP_ENTRIES, Stamp, file_stamps
from .engine import MockEngine, engine_for
from .options import MockOptions, OptionFields, resolve

__all__ = ["engine", "clear", "MAX_ENGINES", "MAX_EXAMPLES", "SETTLE_NS"]

MAX_ENGINES = 4
"""Engines kept at most."""

MAX_EXAMPLES = 100_000
"""Examples kept at most, over all kept engines (an engine of 50,000 examples is ~250 MiB, so a
notebook keeps at most about 500 MiB here; one larger collection is still kept alone)."""

SETTLE_NS = 2_000_000_000
"""A file changed less than this long (ns) before it was loaded is loaded but not kept."""

_Key = tuple[tuple[str, str | None], tuple[Stamp, ...], MockOptions]
"""Resolved paths (collection, environment or None), their stamps, the options."""

_lock = threading.Lock()
_kept: OrderedDict[_Key, MockEngine] = OrderedDict()


def engine(collection: Any, environment: Any = None, options: MockOptions | None = None,
           overrides: OptionFields | None = None) -> MockEngine:
    """The engine for ``collection`` (and ``environment``) with ``options`` and ``overrides``
    (``MockOptions`` fields), as ``engine.engine_for`` makes it, reused while its files are
    unchanged (see the module docstring). Raises what ``engine_for`` raises: ``CollectionError``
    for an unusable file, ``ConfigError`` for a bad option, ``TypeError`` for a ``MockEngine``
    given with options."""
    paths = _paths(collection, environment)
    if paths is None:
        return engine_for(collection, environment, options, overrides)
    opts = resolve(options, overrides)
    before = _key(paths, opts)
    if before is not None:
        with _lock:
            found = _kept.get(before)
            if found is not None:
                _kept.move_to_end(before)
                return found
    built = engine_for(collection, environment, opts)
    if before is not None and _key(paths, opts) == before and _settled(before, time.time_ns()):
        built.journal.release(built.generation)
        _keep(before, built)
    return built


def clear() -> None:
    """Forget every kept engine (the next call loads its files again)."""
    with _lock:
        _kept.clear()


def _paths(collection: Any, environment: Any) -> tuple[str, str | None] | None:
    """The resolved paths of the collection and the environment when both are files or folders
    on disk (the environment may be absent), else None."""
    sources = [collection] if environment is None else [collection, environment]
    out: list[str] = []
    for source in sources:
        if not isinstance(source, (str, os.PathLike)) or isinstance(source, MockEngine):
            return None
        text = os.fsdecode(os.fspath(source))
        if text.lstrip(" \t\r\n\ufeff")[:1] in ("{", "[") or not os.path.exists(text):
            return None  # JSON text, or a path that does not exist (the loader says why)
        out.append(os.path.realpath(text))
    return out[0], out[1] if len(out) > 1 else None


def _key(paths: tuple[str, str | None], options: MockOptions) -> _Key | None:
    """What a kept engine is found by: paths, their stamps now, and the options (None when a
    source cannot be stamped completely, or the options are not hashable)."""
    files: list[str | os.PathLike[str]] = [p for p in paths if p is not None]
    stamps = file_stamps(files)
    for stamp in stamps:
        if stamp is None or (stamp and isinstance(stamp[0], tuple) and len(stamp) >= MAX_STAMP_ENTRIES):
            return None
    key: _Key = (paths, stamps, options)
    try:
        hash(key)
    except TypeError:
        return None
    return key


def _settled(key: _Key, now_ns: int) -> bool:
    """Whether every file of ``key`` was last changed at least ``SETTLE_NS`` before ``now_ns``."""
    return all(now_ns - changed >= SETTLE_NS for stamp in key[1] for changed in _times(stamp))


def _times(stamp: Stamp) -> list[int]:
    """The mtimes (ns) a stamp holds: one for a file, one per file for a folder."""
    if not stamp:
        return []
    if isinstance(stamp[0], int):
        return [stamp[0]]
    return [entry[1] for entry in stamp if isinstance(entry, tuple)]


def _keep(key: _Key, built: MockEngine) -> None:
    """Keep ``built`` under ``key``; drop the least recently used beyond the bounds."""
    with _lock:
        for stale in [k for k in _kept if k[0] == key[0] and k[1] != key[1]]:
            del _kept[stale]  # the same files, as they were before an edit
        _kept[key] = built
        _kept.move_to_end(key)
        while len(_kept) > MAX_ENGINES or (
                len(_kept) > 1 and sum(len(e.index) for e in _kept.values()) > MAX_EXAMPLES):
            _kept.popitem(last=False)
