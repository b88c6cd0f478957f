"""Writing a file so that no reader ever sees half of it (issue 16: ``mock.save()``, ``mockkit
import-har``): a temporary file in the same folder, flushed and ``fsync``-ed, renamed over the
file (``os.replace``, atomic on POSIX and Windows), the previous version kept as a backup.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

__all__ = ["atomic_write", "BACKUP_SUFFIX"]

BACKUP_SUFFIX = ".bak"
"""The previous version of a saved file is kept as ``<file>.bak`` (one backup, replaced on each save)."""


def atomic_write(path: Path, data: bytes, *, backup: bool = True) -> Path | None:
    """Replace ``path`` with ``data`` atomically: a temporary file in the same folder, flushed and
    ``fsync``-ed, then renamed over ``path`` (``os.replace``), so a reader never sees half a file.

    Args:
        path (Path): the file to write (its folder must exist).
        data (bytes): the whole new content.
        backup (bool): keep the previous file as ``<path>.bak`` first (replacing an older backup).

    Returns:
        Path | None: the backup's path, or None when there was no previous file (or no backup was
        asked for).

    Raises:
        OSError: when writing fails; ``path`` is then as it was and no temporary file is left.

    Examples:
        ```python
        atomic_write(Path("api.json"), b"{...}")      # PosixPath('api.json.bak')
        ```
    """
    folder = path.parent
    fd, temp = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        kept = None
        if not path.exists():  # a new file gets the usual permissions, not mkstemp's 0600
            os.chmod(temp, 0o666 & ~_umask())
        else:
            shutil.copymode(path, temp)
            if backup:
                kept = path.with_name(path.name + BACKUP_SUFFIX)
                shutil.copy2(path, temp + BACKUP_SUFFIX)
                os.replace(temp + BACKUP_SUFFIX, kept)
        os.replace(temp, path)
    except BaseException:
        for leftover in (temp, temp + BACKUP_SUFFIX):
            if os.path.exists(leftover):
                os.unlink(leftover)
        raise
    try:  # the rename itself reaches the disk (best effort: not every system can open a folder)
        dir_fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
    except OSError:
        pass
    return kept


def _umask() -> int:
    """The process's file-creation mask: from ``/proc/self/status`` where there is one (Linux;
    reading it changes nothing), else by setting and restoring it (``os.umask`` can only be read
    that way)."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask
