"""The hub's state in SQLite: collections, environments, mocks, server responses, call logs.

Decisions, each for a reason:

* **stdlib ``sqlite3``, one file** (``DIR/hub.sqlite3``): nothing to install, and a single file
  a user can copy or delete.
* **WAL journal, ``synchronous=FULL``, one transaction per write** (``BEGIN IMMEDIATE`` ...
  ``COMMIT``): a write acknowledged to a client has been fsynced, and a crash (even SIGKILL
  mid-write) leaves the last committed state readable; a half-done write is rolled back by
  SQLite on the next open.
* **A writing connection and a reading one, each behind a lock.** The store is used from the
  hub's worker threads (and tests, an embedding program): a ``threading.RLock`` serialises the
  writes on one connection, and reads use another, so in WAL mode a read never waits behind a
  write that is itself waiting for another process's lock (``check_same_thread=False``).
* **One process per data folder.** An advisory ``flock`` on ``DIR/hub.lock`` refuses a second
  hub on the same folder (the hub caches engines per mock, which only one writer can keep in
  step). The kernel drops the lock when the process dies, so a killed hub restarts cleanly.
* **Versioned schema** (``PRAGMA user_version``): version 0 means a new file and creates the
  tables; a newer version than this code knows is refused with a clear message; future versions
  add a step to ``MIGRATIONS``.
* **Call logs bounded per mock**: each batch of inserts prunes the oldest rows beyond ``keep`` in
  the same transaction; bodies are kept up to ``MAX_LOGGED_BODY`` characters. The hub writes
  them from one thread with its own connection (``connect``, ``insert_calls``; see ``calllog``), so
  a slow or failing write never holds up an answer.
* **Private files**: the folder is made 0700 (also when it already exists) and every file in it
  (database, WAL, shared memory, lock, key) 0600, created so and corrected when found otherwise.

* **The data folder** itself (where it is, its lock, its private files, the key file):
  ``hub.folder``.

Rows come back as plain dicts with JSON columns decoded; shaping them into Postman's objects is
``routes``' job.
"""

from __future__ import annotations

import json
import os
import secrets
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from .. import safejson
from ..errors import ServerError
from .folder import lock_folder, private_file

__all__ = ["HubStore", "CallLogQuery", "now_iso", "SCHEMA_VERSION",
           "MAX_LOGGED_BODY"]

SCHEMA_VERSION = 1
MAX_LOGGED_BODY = 256 * 1024
DOC_KINDS = ("collections", "environments")

_SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE collections (id TEXT PRIMARY KEY, name TEXT NOT NULL, document TEXT NOT NULL,
    created_at TEXT NOT NULL, updated_at TEXT NOT NULL);
CREATE TABLE environments (id TEXT PRIMARY KEY, name TEXT NOT NULL, document TEXT NOT NULL,
    created_at TEXT NOT NULL, updated_at TEXT NOT NULL);
CREATE TABLE mocks (id TEXT PRIMARY KEY, name TEXT NOT NULL, collection TEXT NOT NULL,
    environment TEXT, is_public INTEGER NOT NULL, deactivated INTEGER NOT NULL,
    config TEXT NOT NULL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL);
CREATE TABLE server_responses (id TEXT PRIMARY KEY,
    mock TEXT NOT NULL REFERENCES mocks(id) ON DELETE CASCADE, name TEXT NOT NULL,
    status_code INTEGER NOT NULL, headers TEXT NOT NULL, language TEXT, body TEXT NOT NULL,
    created_at TEXT NOT NULL, updated_at TEXT NOT NULL);
CREATE INDEX server_responses_by_mock ON server_responses(mock);
CREATE TABLE call_logs (seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL,
    mock TEXT NOT NULL REFERENCES mocks(id) ON DELETE CASCADE, served_at TEXT NOT NULL,
    served_ms INTEGER NOT NULL, method TEXT NOT NULL, path TEXT NOT NULL, path_only TEXT NOT NULL,
    status INTEGER NOT NULL, type TEXT NOT NULL, response_name TEXT,
    request_headers TEXT NOT NULL, request_body TEXT NOT NULL,
    response_headers TEXT NOT NULL, response_body TEXT NOT NULL);
CREATE INDEX call_logs_by_mock ON call_logs(mock, seq);
"""
MIGRATIONS: dict[int, str] = {}
"""``{from_version: script}``: the step from ``from_version`` to ``from_version + 1``."""

_JSON_COLUMNS = ("document", "config", "headers", "request_headers", "response_headers")


def now_iso(moment: datetime | None = None) -> str:
    """ISO 8601 in UTC with milliseconds and ``Z``, as Postman writes timestamps."""
    moment = (moment or datetime.now(timezone.utc)).astimezone(timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


@dataclass(frozen=True, slots=True)
class CallLogQuery:
    """Filters and paging for ``HubStore.call_logs`` (already validated by the admin layer)."""

    limit: int = 100
    after_seq: int | None = None  # the cursor: continue past this row in the chosen direction
    ascending: bool = False
    since_ms: int | None = None
    until_ms: int | None = None
    status: int | None = None
    type: str | None = None
    method: str | None = None
    path: str | None = None
    include: frozenset[str] = field(default_factory=frozenset)


def _row(row: sqlite3.Row | None) -> dict[str, Any] | None:
    if row is None:
        return None
    out = dict(row)
    for key in _JSON_COLUMNS:
        if key in out and isinstance(out[key], str):
            out[key] = safejson.loads(out[key])  # documents can be big: parsed without holding the GIL
    return out


class HubStore:
    """The hub's SQLite database in ``data_dir`` (created with mode 0700 when missing)."""

    def __init__(self, data_dir: str | os.PathLike[str]) -> None:
        self.data_dir = Path(data_dir)
        try:
            self.data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
            self.data_dir.chmod(0o700)  # mkdir's mode only applies to a new folder
        except OSError as exc:
            raise ServerError(f"cannot create a private (0700) data folder {self.data_dir}: "
                              f"{exc.strerror or exc}") from exc
        self._lock_file = lock_folder(self.data_dir)
        self.path = self.data_dir / "hub.sqlite3"
        self._lock = threading.RLock()
        try:
            private_file(self.path)  # SQLite gives its -wal and -shm files the database's mode
            self._conn = self.connect(timeout=30)
            self._migrate()
            self._reader = self.connect(timeout=30)  # reads never wait behind a write (WAL)
            self._read_lock = threading.Lock()
            for suffix in ("-wal", "-shm"):
                if self.path.with_name(self.path.name + suffix).exists():
                    self.path.with_name(self.path.name + suffix).chmod(0o600)
            self.owner = str(self._conn.execute("SELECT value FROM meta WHERE key='owner'").fetchone()[0])
        except sqlite3.DatabaseError as exc:
            self.close()
            raise ServerError(f"cannot open the hub database {self.path}: {exc}") from exc

    def connect(self, timeout: float = 30) -> sqlite3.Connection:
        """A new connection to the database with the store's settings (WAL, FULL sync, foreign
        keys, rows as ``sqlite3.Row``); ``timeout`` (s) is how long a write waits for the lock."""
        conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False, timeout=timeout)
        conn.row_factory = sqlite3.Row
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=FULL")
        conn.execute("PRAGMA foreign_keys=ON")
        return conn

    def _migrate(self) -> None:
        version = self._conn.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise ServerError(f"{self.path} was written by a newer mockkit (schema {version}); "
                              f"this mockkit reads schema {SCHEMA_VERSION}: upgrade mockkit")
        if version == 0:
            owner = 10_000_000 + secrets.randbelow(90_000_000)  # Postman-like numeric user id
            self._conn.executescript(
                f"BEGIN IMMEDIATE;{_SCHEMA}INSERT INTO meta VALUES ('owner', '{owner}');"
                f"PRAGMA user_version={SCHEMA_VERSION};COMMIT;"
            )
            return
        while version < SCHEMA_VERSION:  # pragma: no cover - no migration exists yet
            self._conn.executescript(f"BEGIN IMMEDIATE;{MIGRATIONS[version]}PRAGMA user_version={version + 1};COMMIT;")
            version += 1

    def close(self) -> None:
        """Close the connections (checkpointing the WAL) and release the folder lock."""
        reader = getattr(self, "_reader", None)
        if reader is not None:
            with self._read_lock:
                reader.close()
                self._reader = None  # type: ignore[assignment]
        with self._lock:
            conn = getattr(self, "_conn", None)
            if conn is not None:
                conn.close()
                self._conn = None  # type: ignore[assignment]
        if self._lock_file is not None:
            self._lock_file.close()
            self._lock_file = None

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """One write transaction: committed (and fsynced) as a whole, or rolled back."""
        with self._lock:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield self._conn
                self._conn.execute("COMMIT")
            except BaseException:
                if self._conn.in_transaction:
                    self._conn.execute("ROLLBACK")
                raise

    def _one(self, sql: str, args: tuple[object, ...] = ()) -> dict[str, Any] | None:
        with self._read_lock:
            return _row(self._reader.execute(sql, args).fetchone())

    def _all(self, sql: str, args: tuple[object, ...] = ()) -> list[dict[str, Any]]:
        with self._read_lock:
            return [_row(r) for r in self._reader.execute(sql, args).fetchall()]  # type: ignore[misc]

    # ------------------------------------------------------------- collections and environments

    def add_document(self, kind: str, doc_id: str, name: str, document: dict[str, Any]) -> dict[str, Any]:
        assert kind in DOC_KINDS
        now = now_iso()
        with self._write() as db:
            db.execute(f"INSERT INTO {kind} VALUES (?, ?, ?, ?, ?)", (doc_id, name, safejson.dumps(document), now, now))
        return {"id": doc_id, "name": name, "document": document, "created_at": now, "updated_at": now}

    def get_document(self, kind: str, doc_id: str) -> dict[str, Any] | None:
        assert kind in DOC_KINDS
        return self._one(f"SELECT * FROM {kind} WHERE id = ?", (doc_id,))

    def list_documents(self, kind: str) -> list[dict[str, Any]]:
        assert kind in DOC_KINDS
        return self._all(f"SELECT id, name, created_at, updated_at FROM {kind} ORDER BY rowid")

    def replace_document(self, kind: str, doc_id: str, name: str, document: dict[str, Any]) -> dict[str, Any] | None:
        assert kind in DOC_KINDS
        with self._write() as db:
            cur = db.execute(f"UPDATE {kind} SET name = ?, document = ?, updated_at = ? WHERE id = ?",
                             (name, safejson.dumps(document), now_iso(), doc_id))
            if cur.rowcount == 0:
                return None
        return self.get_document(kind, doc_id)

    def delete_document(self, kind: str, doc_id: str) -> list[str] | None:
        """Delete a collection/environment and deactivate the mocks using it (one transaction).

        Returns the ids of the deactivated mocks, or None when there was no such document.
        """
        assert kind in DOC_KINDS
        column = "collection" if kind == "collections" else "environment"
        with self._write() as db:
            if db.execute(f"DELETE FROM {kind} WHERE id = ?", (doc_id,)).rowcount == 0:
                return None
            users = [r[0] for r in db.execute(f"SELECT id FROM mocks WHERE {column} = ?", (doc_id,))]
            db.execute(f"UPDATE mocks SET deactivated = 1, updated_at = ? WHERE {column} = ?", (now_iso(), doc_id))
        return users

    def mocks_using(self, kind: str, doc_id: str) -> list[str]:
        column = "collection" if kind == "collections" else "environment"
        return [m["id"] for m in self._all(f"SELECT id FROM mocks WHERE {column} = ?", (doc_id,))]

    # ------------------------------------------------------------------------------- mocks

    def add_mock(self, mock: dict[str, Any]) -> dict[str, Any]:
        now = now_iso()
        with self._write() as db:
            db.execute(
                "INSERT INTO mocks VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (mock["id"], mock["name"], mock["collection"], mock["environment"], int(mock["is_public"]),
                 int(mock["deactivated"]), json.dumps(mock["config"]), now, now),
            )
        return self.get_mock(mock["id"])  # type: ignore[return-value]

    def get_mock(self, mock_id: str) -> dict[str, Any] | None:
        return self._one("SELECT * FROM mocks WHERE id = ?", (mock_id,))

    def list_mocks(self) -> list[dict[str, Any]]:
        return self._all("SELECT * FROM mocks ORDER BY rowid")

    def update_mock(self, mock_id: str, changes: dict[str, Any]) -> dict[str, Any] | None:
        """Set the given columns (name, collection, environment, is_public, deactivated, config)."""
        allowed = {"name", "collection", "environment", "is_public", "deactivated", "config"}
        assert set(changes) <= allowed, set(changes) - allowed
        values = {k: json.dumps(v) if k == "config" else int(v) if isinstance(v, bool) else v
                  for k, v in changes.items()}
        values["updated_at"] = now_iso()
        with self._write() as db:
            sql = ", ".join(f"{k} = ?" for k in values)
            if db.execute(f"UPDATE mocks SET {sql} WHERE id = ?", (*values.values(), mock_id)).rowcount == 0:
                return None
        return self.get_mock(mock_id)

    def delete_mock(self, mock_id: str) -> bool:
        """Delete a mock with its server responses and call logs (cascade), in one transaction."""
        with self._write() as db:
            return db.execute("DELETE FROM mocks WHERE id = ?", (mock_id,)).rowcount > 0

    # --------------------------------------------------------------------- server responses

    def add_server_response(self, mock_id: str, sr: dict[str, Any]) -> dict[str, Any]:
        now = now_iso()
        with self._write() as db:
            db.execute(
                "INSERT INTO server_responses VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (sr["id"], mock_id, sr["name"], sr["status_code"], json.dumps(sr["headers"]), sr["language"],
                 sr["body"], now, now),
            )
        return self.get_server_response(mock_id, sr["id"])  # type: ignore[return-value]

    def get_server_response(self, mock_id: str, sr_id: str) -> dict[str, Any] | None:
        return self._one("SELECT * FROM server_responses WHERE mock = ? AND id = ?", (mock_id, sr_id))

    def list_server_responses(self, mock_id: str) -> list[dict[str, Any]]:
        return self._all("SELECT * FROM server_responses WHERE mock = ? ORDER BY rowid", (mock_id,))

    def update_server_response(self, mock_id: str, sr_id: str, changes: dict[str, Any]) -> dict[str, Any] | None:
        allowed = {"name", "status_code", "headers", "language", "body"}
        assert set(changes) <= allowed, set(changes) - allowed
        values = {k: json.dumps(v) if k == "headers" else v for k, v in changes.items()}
        values["updated_at"] = now_iso()
        with self._write() as db:
            sql = ", ".join(f"{k} = ?" for k in values)
            cur = db.execute(f"UPDATE server_responses SET {sql} WHERE mock = ? AND id = ?",
                             (*values.values(), mock_id, sr_id))
            if cur.rowcount == 0:
                return None
        return self.get_server_response(mock_id, sr_id)

    def delete_server_response(self, mock_id: str, sr_id: str) -> dict[str, Any] | None:
        """Delete a server response; when it was the active one, deactivate it (same transaction)."""
        with self._lock:
            row = self.get_server_response(mock_id, sr_id)
            if row is None:
                return None
            with self._write() as db:
                db.execute("DELETE FROM server_responses WHERE mock = ? AND id = ?", (mock_id, sr_id))
                mock = _row(db.execute("SELECT config FROM mocks WHERE id = ?", (mock_id,)).fetchone())
                if mock is not None and mock["config"].get("serverResponseId") == sr_id:
                    config = {**mock["config"], "serverResponseId": None}
                    db.execute("UPDATE mocks SET config = ?, updated_at = ? WHERE id = ?",
                               (json.dumps(config), now_iso(), mock_id))
            return row

    # ---------------------------------------------------------------------------- call logs

    def call_logs(self, mock_id: str, query: CallLogQuery) -> tuple[list[dict[str, Any]], int | None]:
        """One page of a mock's call logs, and the ``seq`` to continue from (None: last page).

        ``servedAt`` order is insertion order (``seq``), so sorting and the cursor use ``seq``.
        """
        where = ["mock = ?"]
        args: list[object] = [mock_id]
        if query.after_seq is not None:
            where.append("seq > ?" if query.ascending else "seq < ?")
            args.append(query.after_seq)
        for column, op, value in (("served_ms", ">=", query.since_ms), ("served_ms", "<=", query.until_ms),
                                  ("status", "=", query.status)):
            if value is not None:
                where.append(f"{column} {op} ?")
                args.append(value)
        for column, wanted in (("type", query.type), ("method", query.method)):
            if wanted is not None:
                where.append(f"{column} = ? COLLATE NOCASE")
                args.append(wanted)
        if query.path is not None:
            where.append("(path = ? COLLATE NOCASE OR path_only = ? COLLATE NOCASE)")
            args += [query.path, query.path]
        order = "ASC" if query.ascending else "DESC"
        rows = self._all(f"SELECT * FROM call_logs WHERE {' AND '.join(where)} ORDER BY seq {order} LIMIT ?",
                         (*args, query.limit + 1))
        if len(rows) > query.limit:
            rows = rows[: query.limit]
            return rows, rows[-1]["seq"]
        return rows, None
