"""The hub: many mocks in one process, managed through a Postman-shaped API, kept in SQLite.

    hub = mockkit.serve_hub()                           # background thread; port 0 -> a free port
    uid = hub.client.create_collection("api.json")["collection"]["uid"]
    mock = hub.client.create_mock(uid)["mock"]
    httpx.get(mock["mockUrl"] + "/users/42")            # answered by that mock
    hub.client.call_logs(mock["id"], include="response.body")
    hub.stop()

Or from a shell: ``mockkit hub [--host 127.0.0.1] [--port 3100] [--data DIR] [--api-key KEY]``.

Decisions:

* **mockUrl = ``http://<host>:<port>/m/<mockId>``.** One port serves every mock and the admin
  API; everything after the base is the mock's request path, matched untouched
  (``/m/<id>/users/42?x=1`` is matched as ``/users/42?x=1``). A path prefix needs no DNS or
  Host-header tricks (spec C9) and works with any HTTP client. ``/m/...`` never collides with
  the admin routes (``/mocks``, ``/collections``, ``/environments``).
* **Keys.** Admin calls need the hub's key in the ``x-api-key`` header, compared with
  ``hmac.compare_digest``; otherwise 401 ``AuthenticationError`` (the name Postman's API uses).
  Private (unpublished) mocks need the same key, header only; otherwise 401 ``unauthorizedError``
  (spec 9.10), except a CORS pre-flight, which browsers send without custom headers: it gets a
  permissive 204 without reaching the examples. The key is never echoed: it is dropped from the request a mock sees (so a
  template cannot render it) and from the call log. It comes from ``--api-key``/``api_key=``, or
  is generated once (``secrets.token_urlsafe``) and stored in ``DIR/api-key`` with mode 0600.
* **Mock call errors** use spec §1.7: unknown mock 404 ``mockNotFoundError``; a mock whose
  collection or environment was deleted 400 ``inactiveMockError``.
* **Engines are cached per mock** and dropped whenever the admin API changes what a mock answers
  (collection, environment, config, server responses), so the next call sees the change without a
  restart. A generation counter keeps an engine built from old state from being cached.
* **Threads.** The hub serves from one Tornado loop thread (``server.ServerThread`` and
  ``server.MockApp``, reused: ``HubApp`` stands in for the engine), and nothing slow runs there:
  admin calls run on one worker thread (SQLite writes, one at a time, each durable), loading a
  mock (reads and the engine build) on two others, and call logs are written after the answer by
  ``hublog.CallLogWriter``'s thread; a failed call-log write is counted, warned about once per
  interval and shown by ``GET /status``, never turned into a failed mock call. The ``Hub`` client
  talks HTTP, so any thread may use it.
* **The key stays secret**: it is redacted (``redact.Redactor``) from what a mock sees and from
  every call-log row, whatever form it was sent in (header, Bearer or Basic credentials, query,
  body). Files are 0600 in a 0700 folder (``hubstore``).
"""

from __future__ import annotations

import asyncio
import hmac
import os
import signal
import sqlite3
import sys
import threading
import uuid
import warnings
from collections.abc import Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, TextIO

from . import safejson
from .admin import AdminAPI
from .engine import MockEngine, Served, error_body
from .errors import MockkitError, ServerError
from .hubclient import Hub, HubError
from .headerclean import wire_value
from .terminal import printable
from .hublog import CallLogWriter
from .hubstore import KEY_FILE, HubStore, default_data_dir, load_api_key, now_iso
from .journal import Journal
from .matching import MatchOptions
from .model import MockRequest, MockResponse
from .redact import Redactor

__all__ = ["Hub", "HubError", "HubApp", "HubServer", "serve_hub", "run_hub", "default_data_dir"]

LOOPBACK = ("127.0.0.1", "localhost", "::1")
HUB_MAX_BODY = 64 * 1024 * 1024
"""Bytes a hub request body may have (collection uploads are big: 50,000 examples are ~23 MB);
larger ones get a 413. ``serve_hub(max_body_size=)``, ``mockkit hub --max-body``."""
_JSON = (("Content-Type", "application/json; charset=utf-8"),)
_REASONS = {200: "OK", 400: "Bad Request", 401: "Unauthorized", 404: "Not Found", 405: "Method Not Allowed"}


def _answer(status: int, body: bytes, *, cors: bool = True) -> MockResponse:
    """A JSON answer; mock-call errors carry CORS (spec C7), admin answers do not (not for browsers)."""
    headers = (*_JSON, ("Access-Control-Allow-Origin", "*")) if cors else _JSON
    return MockResponse(status, _REASONS.get(status, "Error"), headers, body)


def _preflight(request: MockRequest) -> MockResponse:
    """A permissive 204 for a CORS pre-flight, which browsers send without ``x-api-key``."""
    allow = wire_value(request.header("access-control-request-headers", "") or "")
    headers = (("Access-Control-Allow-Origin", "*"), ("Access-Control-Allow-Methods", "*"),
               ("Access-Control-Allow-Headers", allow or "*"), ("Access-Control-Max-Age", "600"))
    return MockResponse(204, "No Content", headers, b"")


def _served(response: MockResponse) -> Served:
    # No journal id: admin answers and refusals are not mock calls (no x-mockkit-call header).
    return Served(response, None, None, None, None)  # type: ignore[arg-type]


@dataclass(frozen=True, slots=True)
class _Mock:
    """What a mock's calls need, loaded once (off the loop) and kept until the admin API changes
    it: its row, its engine (None when deactivated) and its active server response's name."""

    row: dict[str, Any]
    engine: MockEngine | None
    server_response: str | None


class HubApp:
    """What ``server.MockApp`` calls: ``/m/<id>/...`` goes to that mock, the rest to ``AdminAPI``.

    Nothing slow runs on the event loop: a call to a mock already loaded is answered there (the
    engine ranks in memory); loading a mock (SQLite reads, the engine build) and every admin call
    run on worker threads (``handle`` returns a ``Future``; at most ``max_pending`` wait, then
    503); call logs are written by ``hublog.CallLogWriter``'s thread after the answer.
    """

    def __init__(self, store: HubStore, api_key: str, *, call_log_size: int = 1000,
                 public_url: str | None = None, max_pending: int = 256, call_log_timeout: float = 5.0) -> None:
        self.store = store
        self._key = api_key.encode("utf-8")
        self.call_log_size = call_log_size
        self.public_url = public_url
        self.max_pending = max_pending
        self.journal = Journal(100)  # MockApp records engine failures here
        self.calls = CallLogWriter(store, call_log_size, key=api_key, timeout=call_log_timeout)
        self.redact = Redactor(api_key)
        self.api = AdminAPI(store, self.invalidate, status=self.status, before_reading_calls=self.calls.flush)
        self._mocks: dict[str, _Mock] = {}
        self._generation = 0
        self._pending = 0
        self._lock = threading.Lock()
        self._admin = ThreadPoolExecutor(1, thread_name_prefix="mockkit-hub-admin")  # SQLite writes: one at a time
        self._loads = ThreadPoolExecutor(2, thread_name_prefix="mockkit-hub-load")

    def _is_key(self, given: str | None) -> bool:
        return given is not None and hmac.compare_digest(given.encode("utf-8", "replace"), self._key)

    def invalidate(self, mock_ids: Iterable[str]) -> None:
        with self._lock:
            self._generation += 1
            for mock_id in mock_ids:
                self._mocks.pop(mock_id, None)

    def status(self) -> dict[str, Any]:
        """The hub's health: call-log writing (written, failed, dropped, queued, last error),
        mocks loaded, work waiting for a thread."""
        return {"callLogs": self.calls.status(), "mocksLoaded": len(self._mocks), "pendingWork": self._pending}

    def amend_call(self, call_id: str, status: int, error: str) -> None:
        """``MockApp`` sent another status than the one logged (see ``server.MockApp.amend``)."""
        self.calls.amend(call_id, status)

    def close(self) -> None:
        """Stop the worker threads and write the queued call logs."""
        self._admin.shutdown(wait=False, cancel_futures=True)
        self._loads.shutdown(wait=False, cancel_futures=True)
        self.calls.close()

    def handle(self, request: MockRequest) -> "Served | Future[Served]":
        if request.path == "/m" or request.path.startswith("/m/"):
            mock_id, _, tail = request.path[3:].partition("/")
            mock = self._mocks.get(mock_id)
            if mock is not None:
                return self._mock_call(mock_id, mock, tail, request)
            return self._submit(self._loads, self._load_and_call, mock_id, tail, request)
        if not self._is_key(request.header("x-api-key")):
            body = error_body("AuthenticationError", "Invalid API Key. Every request requires a valid API Key "
                                                     "to be sent in the x-api-key header.")
            return _served(_answer(401, body, cors=False))
        return self._submit(self._admin, self._admin_call, request)

    def _submit(self, pool: ThreadPoolExecutor, fn: Any, *args: Any) -> "Served | Future[Served]":
        with self._lock:
            if self._pending >= self.max_pending:
                return _served(_answer(503, error_body("serviceUnavailableError", (
                    f"{self._pending} requests are waiting for this hub's worker threads; retry shortly."))))
            self._pending += 1
        future = pool.submit(fn, *args)
        future.add_done_callback(self._release)
        return future

    def _release(self, _: object) -> None:
        with self._lock:
            self._pending -= 1

    def _admin_call(self, request: MockRequest) -> Served:
        """One management call (worker thread)."""
        base = self.public_url or f"http://{request.header('host') or '127.0.0.1'}"
        try:
            status, value = self.api.handle(request.method, request.decoded_path_lenient, dict(request.query),
                                            request.body, base)
        except sqlite3.OperationalError as exc:  # locked by another process past the timeout, disk full...
            status, value = 503, {"error": {"name": "serviceUnavailableError",
                                            "message": f"the hub's database cannot be written now ({exc}); retry"}}
        return _served(_answer(status, safejson.dumps(value, separators=(",", ":")).encode(), cors=False))

    # ----------------------------------------------------------------------------- mock calls

    def _load_and_call(self, mock_id: str, tail: str, request: MockRequest) -> Served:
        """A call to a mock not loaded yet (worker thread): load it, keep it, answer."""
        with self._lock:
            generation = self._generation
        row = self.store.get_mock(mock_id) if mock_id else None
        if row is None:
            return _served(_answer(404, error_body("mockNotFoundError", "There is no mock with this id on this hub "
                                                                        "(GET /mocks lists them).")))
        engine, name = self._build(row) if not row["deactivated"] else (None, None)
        mock = _Mock(row, engine, name)
        with self._lock:
            if self._generation == generation:
                self._mocks[mock_id] = mock
        return self._mock_call(mock_id, mock, tail, request)

    def _mock_call(self, mock_id: str, mock: _Mock, tail: str, request: MockRequest) -> Served:
        has_key = self._is_key(request.header("x-api-key"))
        if not mock.row["is_public"] and not has_key:
            if request.method == "OPTIONS" and request.header("access-control-request-method") is not None:
                return _served(_preflight(request))  # the browser's real call will carry the key
            return _served(_answer(401, error_body(
                "unauthorizedError", "This mock is private: send the hub's API key in the x-api-key header.")))
        if mock.engine is None:
            return _served(_answer(400, error_body(
                "inactiveMockError", "The environment or collection associated with this mock has been deleted.")))
        # the mock never sees the hub key, in any form, so no template can echo it
        headers = self.redact.pairs(tuple(h for h in request.headers if not (has_key and h[0].lower() == "x-api-key")))
        inner = MockRequest(request.method, "/" + tail, self.redact.pairs(request.query), headers, request.body)
        served = mock.engine.handle(inner, record=False)
        return replace(served, call_id=self._record(mock_id, inner, served, mock.server_response))

    def _build(self, mock: dict[str, Any]) -> tuple[MockEngine, str | None]:
        mock_id = mock["id"]
        collection = self.store.get_document("collections", mock["collection"])
        environment = self.store.get_document("environments", mock["environment"]) if mock["environment"] else None
        if collection is None or (mock["environment"] and environment is None):
            raise ServerError(f"mock {mock_id} refers to a deleted collection or environment")
        config = mock["config"]
        options = MatchOptions(match_body=config["matchBody"], match_headers=tuple(config["headers"]),
                               match_query_params=config["matchQueryParams"], match_wildcards=config["matchWildcards"])
        delay = config["delay"]["duration"] if config["delay"] else None
        engine = MockEngine(collection["document"], environment["document"] if environment else None,
                            options=options, delay=delay, journal_size=1)
        sid = config.get("serverResponseId")
        sr = self.store.get_server_response(mock_id, sid) if sid else None
        if sr is not None:
            engine.set_server_response(sr["status_code"], sr["body"], {h["key"]: h["value"] for h in sr["headers"]},
                                       language=sr["language"])
        return engine, sr["name"] if sr is not None else None

    def _record(self, mock_id: str, request: MockRequest, served: Served, server_response: str | None) -> str:
        """Queue the call for the mock's call log (written by ``self.calls``' thread)."""
        now = datetime.now(timezone.utc)
        response = served.response
        if served.winner is not None:
            kind, name = "success", served.winner.example.name
        elif server_response is not None and served.ranking is None and response.status >= 500:
            kind, name = "serverResponse", server_response
        else:
            kind, name = ("success" if response.status < 400 else "error"), None
        call_id = str(uuid.uuid4())
        self.calls.add(mock_id, {
            "id": call_id, "served_at": now_iso(now), "served_ms": int(now.timestamp() * 1000),
            "method": request.method, "path": request.target, "path_only": request.path,
            "status": response.status, "type": kind, "response_name": name,
            "request_headers": [{"key": k, "value": v} for k, v in request.headers],
            "request_body": request.body,  # bytes: decoded (and trimmed) by the writer thread
            "response_headers": [{"key": k, "value": v} for k, v in response.headers],
            "response_body": response.body,
        })
        return call_id


# ------------------------------------------------------------------------------- running it


def _url(host: str, port: int) -> str:
    return f"http://{f'[{host}]' if ':' in host else host}:{port}"


class HubServer:
    """A hub running in a daemon thread of this process (what ``serve_hub`` returns)."""

    def __init__(self, data_dir: str | os.PathLike[str] | None = None, host: str = "127.0.0.1", port: int = 0,
                 api_key: str | None = None, *, call_log_size: int = 1000, call_log_timeout: float = 5.0,
                 max_body_size: int = HUB_MAX_BODY) -> None:
        self.data_dir = Path(data_dir) if data_dir is not None else default_data_dir()
        self.host = host
        self._port = port
        self._given_key = api_key
        self._call_log_size = call_log_size
        self._call_log_timeout = call_log_timeout  # s a call-log write waits for the database lock
        self._max_body_size = max_body_size
        self.api_key = ""
        self.key_created = False
        self.store: HubStore | None = None
        self._thread: Any = None
        self._app: HubApp | None = None
        self._client: Hub | None = None

    def start(self) -> "HubServer":
        from .server import MockApp, ServerThread

        if self.host not in LOOPBACK and self.host.strip("[]") not in LOOPBACK:
            warnings.warn(f"the hub listens on {self.host}: anyone who can reach it can call public mocks",
                          stacklevel=3)
        store = HubStore(self.data_dir)
        try:
            self.api_key, self.key_created = load_api_key(self.data_dir, self._given_key)
            app = self._app = HubApp(store, self.api_key, call_log_size=self._call_log_size,
                                     call_log_timeout=self._call_log_timeout)
            self._thread = ServerThread(MockApp(app, max_body_size=self._max_body_size),  # type: ignore[arg-type]
                                        self.host, self._port)
            self._thread.start()
        except BaseException:
            if self._app is not None:
                self._app.close()
                self._app = None
            store.close()
            raise
        self.store = store
        if self.host not in ("0.0.0.0", "::", ""):
            app.public_url = self.url
        return self

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.running

    @property
    def port(self) -> int | None:
        return self._thread.port if self._thread is not None else None

    @property
    def url(self) -> str:
        return _url(self.host, self.port or 0)

    @property
    def client(self) -> "Hub":
        """A ``Hub`` client bound to this hub and its key."""
        if self._client is None:
            self._client = Hub(self.url, self.api_key)
        return self._client

    def stop(self) -> None:
        """Stop serving, write the queued call logs, close the database (releasing the data
        folder) and the client."""
        if self._thread is not None:
            self._thread.stop()
            self._thread = None
        if self._app is not None:
            self._app.close()
            self._app = None
        if self.store is not None:
            self.store.close()
            self.store = None
        if self._client is not None:
            self._client.close()
            self._client = None
        with _hubs_lock:
            for folder, hub in list(_hubs.items()):
                if hub is self:
                    del _hubs[folder]

    def __enter__(self) -> "HubServer":
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def __repr__(self) -> str:
        state = f"running at {self.url}" if self.running else "stopped"
        return f"<HubServer {state}, data {self.data_dir}>"


_hubs: dict[Path, HubServer] = {}
_hubs_lock = threading.Lock()


def serve_hub(data_dir: str | os.PathLike[str] | None = None, host: str = "127.0.0.1", port: int = 0,
              api_key: str | None = None, **options: Any) -> HubServer:
    """Start a hub in a background thread; returns once it listens (``.url``, ``.api_key``,
    ``.client``, ``.stop()``; usable as a context manager). ``data_dir`` defaults to the user data
    folder; ``api_key`` to the key stored there (generated on first start).

    Like ``serve``, re-running the notebook cell replaces the hub this process already runs on the
    same folder (only one hub may hold a folder) and, when no port is asked for, keeps its port.
    """
    folder = (Path(data_dir) if data_dir is not None else default_data_dir()).resolve()
    with _hubs_lock:
        old = _hubs.pop(folder, None)
    reuse = 0
    if old is not None:
        reuse = (old.port or 0) if port == 0 and old.host == host else 0
        old.stop()
    try:
        hub = HubServer(folder, host, reuse or port, api_key, **options).start()
    except ServerError:
        if not reuse:
            raise
        hub = HubServer(folder, host, port, api_key, **options).start()
    with _hubs_lock:
        _hubs[folder] = hub
    return hub


def run_hub(data_dir: str | None, host: str, port: int, api_key: str | None,
            out: TextIO = sys.stdout, err: TextIO = sys.stderr, *, max_body_size: int = HUB_MAX_BODY) -> int:
    """``mockkit hub``: serve in the foreground until SIGINT/SIGTERM."""
    from tornado.netutil import bind_sockets

    from .server import MockApp, make_http_server

    if api_key is not None and not api_key.strip():
        raise MockkitError("--api-key must not be empty")
    directory = Path(data_dir) if data_dir else default_data_dir()
    store = HubStore(directory)
    try:
        if host not in LOOPBACK:
            err.write(f"mockkit: warning: the hub listens on {printable(host)}: anyone who can reach this address can "
                      "call its public mocks (admin calls still need the key)\n")
        try:
            sockets = bind_sockets(port, host)
        except OSError as exc:
            raise ServerError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from exc
        key, created = load_api_key(directory, api_key)  # after binding: a new key is always shown
        url = _url(host, sockets[0].getsockname()[1])
        app = HubApp(store, key, public_url=None if host in ("0.0.0.0", "::") else url)
        out.write(printable(f"mockkit hub at {url} (data: {directory})") + "\n")
        if created:
            out.write(printable(f"API key (shown once; stored in {directory / KEY_FILE}): {key}") + "\n")
        else:
            out.write(printable("API key: " + ("from --api-key" if api_key else f"stored in {directory / KEY_FILE}")) + "\n")
        out.write(printable(f"Mocks answer at {url}/m/<mockId>/...") + " Ctrl-C stops the hub.\n")
        out.flush()

        async def serve() -> None:
            stop = asyncio.Event()
            loop = asyncio.get_running_loop()
            for sig in (signal.SIGINT, signal.SIGTERM):
                loop.add_signal_handler(sig, stop.set)
            server = make_http_server(MockApp(app, max_body_size=max_body_size))  # type: ignore[arg-type]
            server.add_sockets(sockets)
            await stop.wait()
            server.stop()
            try:
                await asyncio.wait_for(server.close_all_connections(), 5)
            except asyncio.TimeoutError:
                pass

        try:
            asyncio.run(serve())
        finally:
            app.close()
    finally:
        store.close()
    out.write("mockkit hub stopped.\n")
    return 0
