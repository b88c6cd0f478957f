"""The hub's request handling: which mock a call goes to, and the admin API, off the event loop.

``HubApp`` is what ``server.MockApp`` calls for a hub (``hub.runner`` runs it): ``/m/<id>/...`` goes
to that mock, the rest to ``routes.AdminAPI``. The decisions it carries out are listed in
the package docstring (``mockkit.hub``: threads, keys, errors, engine cache).
"""

from __future__ import annotations

import hmac
import sqlite3
import threading
import uuid
from collections.abc import Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, replace
from functools import partial
from datetime import datetime, timezone
from typing import Any

from .. import answers, safejson
from .routes import AdminAPI
from ..engine import MockEngine, Served
from ..errors import ServerError
from .calllog import CallLogWriter
from .store import HubStore, now_iso
from ..options import MockOptions
from ..model import MockRequest, MockResponse
from ..redact import Redactor

__all__ = ["HubApp"]

def _mock_error(request: MockRequest, status: int, name: str, message: str, *, cors: bool) -> "Served":
    """A mock call's error: CORS as the mock's answers (its ``cors`` option: spec 9.9, C7)."""
    return _served(answers.error_answer(status, name, message, cors=cors, origin=request.header("origin")))


def _served(response: MockResponse) -> Served:
    # No journal id: admin answers and refusals are not mock calls (no x-mockkit-call header).
    return Served(response, None, None, None, None)


@dataclass(frozen=True, slots=True)
class _Mock:
    """What a mock's calls need, loaded once (off the loop) and kept until the admin API changes
    it: its row, its engine (None when deactivated), its active server response's name and whether
    its answers carry CORS headers."""

    row: dict[str, Any]
    engine: MockEngine | None
    server_response: str | None
    cors: bool


class HubApp:
    """What ``server.MockApp`` calls (a ``server.Handler``, as ``MockEngine``): ``/m/<id>/...``
    goes to that mock, the rest to ``AdminAPI``.

    Nothing slow runs on the event loop: a call to a mock already loaded is answered there (the
    engine ranks in memory); loading a mock (SQLite reads, the engine build) and every admin call
    run on worker threads (``handle`` returns a ``Future``; at most ``max_pending`` wait, then
    503); call logs are written by ``calllog.CallLogWriter``'s thread after the answer.

    Server-level errors (a bad path, a body over the limit) carry no CORS headers (``cors``):
    the hub has no one CORS setting, and its management API is not for browsers.
    """

    cors = False

    def __init__(self, store: HubStore, api_key: str, *, call_log_size: int = 1000,
                 public_url: str | None = None, max_pending: int = 256, call_log_timeout: float = 5.0,
                 defaults: MockOptions | None = None) -> None:
        self.store = store
        self.defaults = replace(defaults or MockOptions(), api_key=None, journal_size=1)  # the hub keeps call logs
        self._key = api_key.encode("utf-8")
        self.call_log_size = call_log_size
        self.public_url = public_url
        self.max_pending = max_pending
        self.failures = 0  # requests the hub failed to answer (a 500); the last one: last_failure
        self.last_failure: str | None = None
        self.calls = CallLogWriter(store, call_log_size, key=api_key, timeout=call_log_timeout)
        self.redact = Redactor(api_key)
        self.api = AdminAPI(store, self.invalidate, status=self.status, before_reading_calls=self.calls.flush,
                            defaults=self.defaults)
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
        return {"callLogs": self.calls.status(), "mocksLoaded": len(self._mocks), "pendingWork": self._pending,
                "failures": {"count": self.failures, "last": self.last_failure}}

    def record_failure(self, request: MockRequest, exc: BaseException, started: float) -> None:
        """A request the hub failed to answer (``MockApp`` sends a 500): counted in ``GET
        /status`` and, for a mock call, written to that mock's call log like any other call."""
        message = answers.failure_message(exc)
        self.failures += 1
        self.last_failure = f"{request.method} {request.target}: {message}"
        if request.path.startswith("/m/"):
            mock_id, _, tail = request.path[3:].partition("/")
            inner = MockRequest(request.method, "/" + tail, self.redact.pairs(request.query),
                                self.redact.pairs(request.headers), request.body)
            answer = answers.error_answer(500, "serverError", message, cors=False)
            self._record(mock_id, inner, Served(answer, None, None, None, None), None)

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
            return self._submit(self._loads, self._load_and_call, request, mock_id, tail)
        if not self._is_key(request.header("x-api-key")):
            return _served(answers.error_answer(401, "AuthenticationError", "Invalid API Key. Every request "
                                                "requires a valid API Key to be sent in the x-api-key header.",
                                                cors=False))  # the management API is not for browsers
        return self._submit(self._admin, self._admin_call, request)

    def _submit(self, pool: ThreadPoolExecutor, fn: Any, request: MockRequest, *args: Any) -> "Served | Future[Served]":
        with self._lock:
            if self._pending >= self.max_pending:
                message = f"{self._pending} requests are waiting for this hub's worker threads; retry shortly."
                cors = self.defaults.cors if pool is self._loads else False  # a mock call, or the management API
                return _served(answers.error_answer(503, "serviceUnavailableError", message, cors=cors,
                                                    origin=request.header("origin")))
            self._pending += 1
        future = pool.submit(partial(fn, *args, request))
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
            status, value = 503, answers.error_value("serviceUnavailableError",
                                                     f"the hub's database cannot be written now ({exc}); retry")
        return _served(answers.json_answer(status, safejson.dumps(value, separators=(",", ":")).encode(), cors=False))

    # ----------------------------------------------------------------------------- mock calls

    def _load_and_call(self, mock_id: str, tail: str, request: MockRequest) -> Served:
        """A call to a mock not loaded yet (worker thread): load it, keep it, answer."""
        with self._lock:
            generation = self._generation
        row = self.store.get_mock(mock_id) if mock_id else None
        if row is None:
            return _mock_error(request, 404, "mockNotFoundError",
                               "There is no mock with this id on this hub (GET /mocks lists them).",
                               cors=self.defaults.cors)
        options = MockOptions.from_postman_config(row["config"], base=self.defaults)
        engine, name = self._build(row, options) if not row["deactivated"] else (None, None)
        mock = _Mock(row, engine, name, options.cors)
        with self._lock:
            if self._generation == generation:
                self._mocks[mock_id] = mock
        return self._mock_call(mock_id, mock, tail, request)

    def _mock_call(self, mock_id: str, mock: _Mock, tail: str, request: MockRequest) -> Served:
        has_key = self._is_key(request.header("x-api-key"))
        if not mock.row["is_public"] and not has_key:
            if mock.cors and answers.is_preflight(request):
                return _served(answers.preflight(request))  # the browser's real call will carry the key
            return _mock_error(request, 401, answers.UNAUTHORIZED.name,
                               "This mock is private: send the hub's API key in the x-api-key header.", cors=mock.cors)
        if mock.engine is None:
            return _mock_error(request, 400, "inactiveMockError",
                               "The environment or collection associated with this mock has been deleted.",
                               cors=mock.cors)
        # the mock never sees the hub key, in any form, so no template can echo it
        headers = self.redact.pairs(tuple(h for h in request.headers if not (has_key and h[0].lower() == "x-api-key")))
        inner = MockRequest(request.method, "/" + tail, self.redact.pairs(request.query), headers, request.body)
        served = mock.engine.handle(inner, record=False)
        return replace(served, call_id=self._record(mock_id, inner, served, mock.server_response))

    def _build(self, mock: dict[str, Any], options: MockOptions) -> tuple[MockEngine, str | None]:
        mock_id = mock["id"]
        collection = self.store.get_document("collections", mock["collection"])
        environment = self.store.get_document("environments", mock["environment"]) if mock["environment"] else None
        if collection is None or (mock["environment"] and environment is None):
            raise ServerError(f"mock {mock_id} refers to a deleted collection or environment")
        engine = MockEngine(collection["document"], environment["document"] if environment else None, options=options)
        sid = mock["config"].get("serverResponseId")
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
