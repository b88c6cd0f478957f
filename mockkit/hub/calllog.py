"""The hub's call logs, written off the event loop by one thread, answers first.

``HubApp`` answers a mock call, then hands the call-log row to ``CallLogWriter.add``, which only
puts it on a bounded queue (``capacity`` rows). One thread, with its own SQLite connection, takes
rows off the queue in batches (one transaction per batch, oldest rows pruned per mock) after
redacting the hub key from them (``redact.Redactor``). So a full disk, or another process
holding the database's write lock, never fails or delays an answer:

* a batch that cannot be written is dropped and counted (``failed``), and so is a row that
  finds the queue full (``dropped``);
* one warning per ``LOG_INTERVAL`` seconds goes to the ``mockkit.hub`` logger with the counts
  and the last error;
* ``status()`` (the hub's ``GET /status``) shows the counts, the queue and the last error.

``flush`` waits until everything queued before it is written (the admin API calls it before
reading call logs, so a client that just made a call sees it).
"""

from __future__ import annotations

import json
import logging
import queue
import sqlite3
import threading
import time
from typing import Any

from .store import MAX_LOGGED_BODY, HubStore, now_iso
from ..redact import Redactor

__all__ = ["CallLogWriter", "insert_calls", "amend_call", "LOG_INTERVAL"]

LOG_INTERVAL = 10.0
BATCH = 200
log = logging.getLogger("mockkit.hub")
_STOP = object()


def insert_calls(conn: sqlite3.Connection, calls: list[tuple[str, dict[str, Any]]], keep: int) -> None:
    """Append call-log rows ``(mock_id, row)`` in one transaction (rows of deleted mocks are
    skipped), then prune each mock's oldest rows beyond ``keep``."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        mocks = set()
        for mock_id, call in calls:
            row = {**call, "mock": mock_id}
            for key in ("request_headers", "response_headers"):
                row[key] = json.dumps(row[key])
            for key in ("request_body", "response_body"):
                row[key] = row[key][:MAX_LOGGED_BODY]
            columns = ", ".join(row)
            try:
                conn.execute(f"INSERT INTO call_logs ({columns}) VALUES ({', '.join('?' * len(row))})",
                             tuple(row.values()))
            except sqlite3.IntegrityError:  # the mock was deleted while this call was answered
                continue
            mocks.add(mock_id)
        for mock_id in mocks:
            conn.execute("DELETE FROM call_logs WHERE mock = ? AND seq <= (SELECT seq FROM call_logs WHERE mock = ? "
                         "ORDER BY seq DESC LIMIT 1 OFFSET ?)", (mock_id, mock_id, keep))
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise


def amend_call(conn: sqlite3.Connection, call_id: str, status: int) -> None:
    """Correct a logged call's status with the one actually sent (an error type from 400)."""
    conn.execute("UPDATE call_logs SET status = ?, type = CASE WHEN ? >= 400 THEN 'error' ELSE type END "
                 "WHERE id = ?", (status, status, call_id))


class CallLogWriter:
    """One thread writing call-log rows for a ``HubStore`` (see the module docstring).

    ``keep``: rows kept per mock; ``capacity``: rows waiting at most; ``key``: the hub key,
    redacted from every row; ``timeout``: seconds a batch waits for the database's write lock.
    """

    def __init__(self, store: HubStore, keep: int, *, key: str = "", capacity: int = 10_000,
                 timeout: float = 5.0) -> None:
        self.keep = keep
        self.redact = Redactor(key)
        self._queue: queue.Queue[Any] = queue.Queue(capacity)
        self._conn = store.connect(timeout=timeout)
        self._lock = threading.Lock()
        self.counts = {"written": 0, "failed": 0, "dropped": 0}
        self.last_error: tuple[str, str] | None = None  # (when, what)
        self._last_warning = -LOG_INTERVAL
        self._unreported = 0
        self._thread = threading.Thread(target=self._run, name="mockkit-hub-call-log", daemon=True)
        self._thread.start()

    # ------------------------------------------------------------------ the answering side

    def add(self, mock_id: str, row: dict[str, Any]) -> None:
        """Queue a row (never blocks; a full queue drops and counts it)."""
        try:
            self._queue.put_nowait(("add", mock_id, row))
        except queue.Full:
            self._problem("dropped", 1, "the call-log queue is full (writes are slower than calls)")

    def amend(self, call_id: str, status: int) -> None:
        """Correct a row's status with what was actually sent (after it is written)."""
        try:
            self._queue.put_nowait(("amend", call_id, status))
        except queue.Full:
            pass

    def flush(self, timeout: float = 10.0) -> bool:
        """Wait until every row queued so far is written or given up; False on timeout."""
        done = threading.Event()
        try:
            self._queue.put(("flush", done), timeout=timeout)
        except queue.Full:
            return False
        return done.wait(timeout)

    def status(self) -> dict[str, Any]:
        with self._lock:
            return {**self.counts, "queued": self._queue.qsize(),
                    "lastError": None if self.last_error is None else
                    {"at": self.last_error[0], "message": self.last_error[1]}}

    def close(self, timeout: float = 10.0) -> None:
        """Write what is queued (within ``timeout``), then stop the thread and its connection."""
        try:
            self._queue.put(_STOP, timeout=timeout)
        except queue.Full:
            pass
        self._thread.join(timeout)
        if not self._thread.is_alive():
            self._conn.close()

    # ---------------------------------------------------------------------- the thread

    def _run(self) -> None:
        while True:
            items = [self._queue.get()]
            while len(items) < BATCH:
                try:
                    items.append(self._queue.get_nowait())
                except queue.Empty:
                    break
            rows = [(item[1], self._prepared(item[2])) for item in items if item is not _STOP and item[0] == "add"]
            self._write(rows)
            for item in items:
                if item is _STOP:
                    return
                if item[0] == "amend":
                    self._amend(item[1], item[2])
                elif item[0] == "flush":
                    item[1].set()

    def _prepared(self, row: dict[str, Any]) -> dict[str, Any]:
        """Bodies decoded and trimmed to ``MAX_LOGGED_BODY`` characters, the hub key redacted."""
        out = dict(row)
        for key in ("request_body", "response_body"):
            value = out[key]
            if isinstance(value, (bytes, bytearray)):
                value = bytes(value[: MAX_LOGGED_BODY * 4]).decode("utf-8", "replace")
            out[key] = value[:MAX_LOGGED_BODY]
        r = self.redact
        if not r.key:
            return out
        for key in ("path", "path_only", "request_body", "response_body"):
            out[key] = r.text(out[key])
        for key in ("request_headers", "response_headers"):
            out[key] = [{"key": h["key"], "value": r.text(h["value"])} for h in out[key]]
        return out

    def _write(self, rows: list[tuple[str, dict[str, Any]]]) -> None:
        if not rows:
            return
        try:
            insert_calls(self._conn, rows, self.keep)
        except (sqlite3.Error, OSError, ValueError) as exc:
            self._problem("failed", len(rows), f"{type(exc).__name__}: {exc}")
        else:
            with self._lock:
                self.counts["written"] += len(rows)

    def _amend(self, call_id: str, status: int) -> None:
        try:
            amend_call(self._conn, call_id, status)
        except (sqlite3.Error, OSError) as exc:
            self._problem("failed", 0, f"{type(exc).__name__}: {exc}")

    def _problem(self, kind: str, rows: int, message: str) -> None:
        """Count it; warn once per ``LOG_INTERVAL`` (with what happened since the last warning)."""
        now = time.monotonic()
        with self._lock:
            self.counts[kind] += rows
            self.last_error = (now_iso(), message)
            self._unreported += rows
            if now - self._last_warning < LOG_INTERVAL:
                return
            self._last_warning, unreported, self._unreported = now, self._unreported, 0
        log.warning("mockkit hub: %d call-log row(s) not written since the last warning (%s); mocks keep "
                    "answering; GET /status shows the counts", unreported, message)
