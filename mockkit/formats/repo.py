"""Where Postman keeps collections and environments in a Git repository, and how a watcher
notices a change to a folder tree.

Postman's Git-native layout (Postman's ``collection-schema-v3`` reference)::

    <repository>/postman/collections/<Collection name>/      one folder per v3 collection
    <repository>/postman/environments/<Name>.environment.yaml

``mockkit serve`` with no file looks for ``postman/collections`` in the current folder and its
parents (stopping at the repository root, the folder with ``.git``), serves the one collection
there, and finds ``--env NAME`` in ``postman/environments``.
"""

from __future__ import annotations

import os
from pathlib import Path

from ..errors import MockkitError

__all__ = ["RESOURCES", "is_collection_folder", "collections_in", "find_postman_dir", "pick_collection",
           "find_environment", "tree_stamp", "file_stamps", "MAX_STAMP_ENTRIES"]

RESOURCES = ".resources"
_REQUEST_SUFFIXES = (".request.yaml", ".request.yml")
_ENVIRONMENT_SUFFIXES = (".environment.yaml", ".environment.yml", ".environment.json")
MAX_STAMP_ENTRIES = 200_000
"""A watched tree is compared on at most this many files and folders."""
MAX_WALK = 10_000
"""Folders looked at before deciding a folder holds no request file."""


def is_collection_folder(path: str | os.PathLike[str]) -> bool:
    """A folder that holds a v3 collection: a ``.resources`` folder at its top, or request files
    in it or below (Postman's own test)."""
    if os.path.isdir(os.path.join(path, RESOURCES)):
        return True
    for seen, (_, dirs, files) in enumerate(os.walk(path)):
        if any(f.lower().endswith(_REQUEST_SUFFIXES) for f in files):
            return True
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        if seen > MAX_WALK:
            break
    return False


def collections_in(folder: str | os.PathLike[str]) -> list[Path]:
    """The v3 collections in a ``postman/collections`` folder, sorted by name."""
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name.casefold())
    except OSError:
        return []
    return [Path(e.path) for e in entries if e.is_dir() and not e.name.startswith(".")
            and is_collection_folder(e.path)]


def find_postman_dir(start: str | os.PathLike[str] | None = None) -> Path | None:
    """The ``postman`` folder (one with ``collections/`` in it) in ``start`` (default: the
    current folder) or its parents, up to the repository root; None when there is none."""
    here = Path(start or os.getcwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / "postman" / "collections").is_dir():
            return folder / "postman"
        if (folder / ".git").exists():
            return None
    return None


def pick_collection(postman_dir: Path) -> Path:
    """The one collection in ``postman_dir/collections``; with none or several, a
    ``MockkitError`` that lists them and says how to pick one."""
    root = postman_dir / "collections"
    found = collections_in(root)
    if len(found) == 1:
        return found[0]
    if not found:
        raise MockkitError(f"{root} holds no v3 collection (a folder with .resources/ or *.request.yaml "
                           "files): pass a collection file or folder, e.g. mockkit serve api.json")
    names = "\n".join(f"  mockkit serve '{_shown(p)}'" for p in found)
    raise MockkitError(f"{root} holds {len(found)} collections; pick one:\n{names}")


def _shown(path: Path) -> str:
    try:
        return os.path.relpath(path)
    except ValueError:  # another drive (Windows)
        return str(path)


def find_environment(name: str, postman_dir: Path | None) -> str:
    """``--env NAME``: an existing file as given, else ``postman/environments/NAME.environment.yaml``
    (``.yml``/``.json`` too; the name compared case-insensitively). Raises ``MockkitError`` listing
    the environments there when none matches."""
    if os.path.exists(name) or postman_dir is None:
        return name
    folder = postman_dir / "environments"
    available: dict[str, Path] = {}
    if folder.is_dir():
        for entry in sorted(folder.iterdir()):
            lower = entry.name.lower()
            suffix = next((s for s in _ENVIRONMENT_SUFFIXES if lower.endswith(s)), None)
            if suffix and entry.is_file():
                available.setdefault(entry.name[: -len(suffix)].casefold(), entry)
    wanted = name
    for suffix in _ENVIRONMENT_SUFFIXES:
        if wanted.lower().endswith(suffix):
            wanted = wanted[: -len(suffix)]
    if wanted.casefold() in available:
        return str(available[wanted.casefold()])
    names = ", ".join(p.name for p in available.values()) or "none"
    raise MockkitError(f"--env {name}: no such file, and no {wanted}.environment.yaml in {folder} "
                       f"(there: {names})")


def tree_stamp(root: str | os.PathLike[str]) -> tuple[tuple[str, int, int], ...]:
    """(relative path, mtime in ns, size) of every file under ``root``, sorted: equal stamps mean
    no file was added, removed, renamed or edited. Stops at ``MAX_STAMP_ENTRIES`` files (one
    ``stat`` per file: about 14 ms for a 1,600-file tree)."""
    out: list[tuple[str, int, int]] = []
    stack = [("", os.fspath(root))]
    linked: set[str] = set()  # folders reached through symbolic links, each followed once
    while stack and len(out) < MAX_STAMP_ENTRIES:
        rel, folder = stack.pop()
        try:
            entries = os.scandir(folder)
        except OSError:
            continue
        with entries:
            for entry in entries:
                try:
                    if entry.is_dir():
                        real = os.path.realpath(entry.path) if entry.is_symlink() else None
                        if real is None or real not in linked:
                            linked.add(real or "")
                            stack.append((f"{rel}{entry.name}/", entry.path))
                        continue
                    st = entry.stat()
                except OSError:
                    continue
                out.append((rel + entry.name, st.st_mtime_ns, st.st_size))
    return tuple(sorted(out))


Stamp = tuple[int, int] | tuple[tuple[str, int, int], ...] | None


def file_stamps(paths: list[str | os.PathLike[str]]) -> tuple[Stamp, ...]:
    """What watchers compare to notice an edit: for each file its (mtime in ns, size); for a
    folder (a v3 collection) the sorted (relative path, mtime in ns, size) of everything under it,
    so new, deleted and renamed files count; None for a path that cannot be read."""
    out: list[Stamp] = []
    for path in paths:
        try:
            st = os.stat(path)
        except OSError:
            out.append(None)
            continue
        if os.path.isdir(path):
            out.append(tree_stamp(path))
        else:
            out.append((st.st_mtime_ns, st.st_size))
    return tuple(out)
