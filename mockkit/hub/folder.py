"""The hub's data folder: where it is, and what keeps it private and to one hub at a time.

* **Where**: ``--data DIR`` / ``serve_hub(data_dir)``, else the user data folder of this system
  (``platformdirs``: ``$XDG_DATA_HOME/mockkit/hub`` or ``~/.local/share/mockkit/hub`` on Linux,
  ``~/Library/Application Support/mockkit/hub`` on macOS, ``%LOCALAPPDATA%\\mockkit\\hub`` on
  Windows).
* **Private files**: every file the hub writes there is created 0600 (and corrected when found
  otherwise); ``hub.store`` makes the folder 0700.
* **One hub per folder**: an advisory ``flock`` on ``DIR/hub.lock``; the kernel drops it when the
  process dies, so a killed hub restarts cleanly.
* **The key file** ``DIR/api-key`` (mode 0600, written once with ``O_EXCL``) holds the hub's
  generated key, so a restart keeps it; ``--api-key`` overrides it without touching the file.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import IO

import platformdirs

from ..errors import ConfigError, ServerError

__all__ = ["default_data_dir", "private_file", "lock_folder", "load_api_key", "KEY_FILE"]

KEY_FILE = "api-key"


def default_data_dir() -> Path:
    """The hub's data folder when none is given: ``mockkit/hub`` in the user data folder."""
    return platformdirs.user_data_path("mockkit", appauthor=False) / "hub"


def private_file(path: Path) -> None:
    """Create ``path`` with mode 0600, or make an existing one 0600."""
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    os.close(fd)
    os.chmod(path, 0o600)


def load_api_key(data_dir: Path, given: str | None) -> tuple[str, bool]:
    """The hub's key and whether it was just generated (then it is stored with mode 0600)."""
    if given is not None:
        if not given.strip():
            raise ConfigError("api_key", "must not be empty")
        return given, False
    path = data_dir / KEY_FILE
    try:
        key = path.read_text(encoding="utf-8").strip()
        if key:
            path.chmod(0o600)
            return key, False
        path.unlink()
    except FileNotFoundError:
        pass
    key = secrets.token_urlsafe(32)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(key + "\n")
        handle.flush()
        os.fsync(handle.fileno())
    return key, True


def lock_folder(folder: Path) -> IO[str] | None:
    """Hold an exclusive advisory lock on ``folder/hub.lock`` (POSIX); refuse a second hub."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows: no advisory lock
        return None
    private_file(folder / "hub.lock")
    handle = open(folder / "hub.lock", "a+")  # noqa: SIM115 - held open for the store's life
    try:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        handle.close()
        raise ServerError(f"another mockkit hub is using {folder}: stop it first, or pass another --data folder") from None
    return handle
