"""The HTTP face of an engine: Tornado, on its own event loop, in a daemon thread.

``MockApp`` is a bare ``HTTPServerConnectionDelegate``: no routing, no ``RequestHandler``, any
method (PURGE too). Each request becomes a neutral ``MockRequest``; ``engine.handle`` answers it;
the answer is written as is, after an asynchronous delay when one is asked for (a slow response
never holds up others). A request the server cannot interpret gets a JSON error in Postman's
shape and the connection keeps serving; an exception inside the engine becomes a 500 JSON error
and a journal entry, never a dead server.

``MockServer`` runs a ``MockApp`` in a background thread (the notebook case): ``start`` returns
only once the socket listens (or re-raises the bind error in the caller), ``stop`` closes the
socket and connections and joins the thread. The server thread never prints.
"""

from __future__ import annotations

import asyncio
import email.utils
import os
import socket
import threading
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qsl

from tornado import httputil, iostream
from tornado.http1connection import HTTP1Connection, HTTP1ServerConnection
from tornado.httpserver import HTTPServer
from tornado.httpserver import _HTTPRequestContext as _HTTPServerRequestContext
from tornado.ioloop import IOLoop
from tornado.netutil import bind_sockets

from .engine import CALL_HEADER, MockEngine, Served, error_body, with_cors
from .errors import ServerError
from .model import MockRequest, MockResponse, header_text

__all__ = ["MockApp", "ServerThread", "CALL_HEADER", "MAX_BODY_SIZE", "request_from"]


MAX_BODY_SIZE = 10 * 1024 * 1024
MAX_HEADER_SIZE = 64 * 1024
"""Headers above this get a JSON 431; above HARD_HEADER_LIMIT Tornado just closes the connection."""
HARD_HEADER_LIMIT = 1024 * 1024


def request_from(start_line: httputil.RequestStartLine, headers: httputil.HTTPHeaders, body: bytes) -> MockRequest:
    """A neutral request from Tornado's parsed start line and headers (values as UTF-8 text when
    their bytes are valid UTF-8, Latin-1 otherwise: spec 9.19)."""
    path, _, query_string = start_line.path.partition("?")
    query = tuple(parse_qsl(query_string, keep_blank_values=True)) if query_string else ()
    if not path.startswith("/"):  # absolute-form targets ("http://host/path") and "*"
        rest = path.split("://", 1)[-1]
        path = "/" + rest.partition("/")[2] if "/" in rest else "/"
    pairs = tuple((header_text(k), header_text(v)) for k, v in headers.get_all())  # Tornado reads Latin-1
    return MockRequest(start_line.method.upper(), path, query, pairs, body)


class MockApp(httputil.HTTPServerConnectionDelegate):
    """Answers every request on a connection with ``engine.handle``.

    ``engine`` is read once per request, so swapping it (reload) is atomic for each call.
    ``on_call`` (the CLI's logger) is called after each answer with the ``Served`` and the
    duration in ms.
    """

    def __init__(self, engine: MockEngine, on_call: Callable[[MockRequest, Served | None, float], None] | None = None,
                 *, max_body_size: int = MAX_BODY_SIZE):
        self.engine = engine
        self.on_call = on_call
        self.max_body_size = max_body_size

    def start_request(self, server_conn: object, request_conn: httputil.HTTPConnection) -> httputil.HTTPMessageDelegate:
        return _Exchange(self, request_conn)


class _Exchange(httputil.HTTPMessageDelegate):
    """One request/response exchange on a connection."""

    __slots__ = ("app", "connection", "start_line", "headers", "chunks", "closed", "refusal")

    def __init__(self, app: MockApp, connection: httputil.HTTPConnection) -> None:
        self.app = app
        self.connection = connection
        self.chunks: list[bytes] = []
        self.closed = False
        self.refusal: MockResponse | None = None

    def headers_received(self, start_line: httputil.RequestStartLine | httputil.ResponseStartLine,
                         headers: httputil.HTTPHeaders) -> None:
        assert isinstance(start_line, httputil.RequestStartLine)
        self.start_line = start_line
        self.headers = headers
        size = len(start_line.path) + sum(len(k) + len(v) + 4 for k, v in headers.get_all())
        if size > MAX_HEADER_SIZE:
            self.refusal = self._error(431, "requestHeaderFieldsTooLargeError",
                                  f"The request headers are larger than {MAX_HEADER_SIZE:,} bytes.")
        length = headers.get("Content-Length", "")
        if length.isdigit() and int(length) > self.app.max_body_size and isinstance(self.connection, HTTP1Connection):
            stream = self.connection.stream
            if isinstance(stream, _ErrorsAsJSON):
                stream.too_large = True  # Tornado refuses the body next; answer 413, not 400

    def data_received(self, chunk: bytes) -> None:
        if self.refusal is None:
            self.chunks.append(chunk)

    def on_connection_close(self) -> None:
        self.closed = True

    def finish(self) -> None:
        if self.refusal is not None:
            self._write(self.refusal, None)
            return
        started = time.perf_counter()
        engine = self.app.engine
        served: Served | None = None
        try:
            request = request_from(self.start_line, self.headers, b"".join(self.chunks))
            try:
                request.decoded_path  # noqa: B018 - strict decoding, to answer 400 when it fails
            except UnicodeDecodeError:
                self._write(self._error(400, "badRequestError", "The request path is not valid percent-encoded UTF-8."), None)
                return
            served = engine.handle(request)
            response = served.response
        except Exception as exc:  # the engine failed: answer 500, record it, keep serving
            response = self._error(500, "serverError", f"mockkit failed to answer this request: {type(exc).__name__}: {exc}")
            served = None
            failed = MockRequest(self.start_line.method, self.start_line.path.partition("?")[0])
            try:
                engine.record_failure(failed, exc, started)
            except Exception:
                pass
        if self.app.on_call is not None:
            try:
                self.app.on_call(request, served, (time.perf_counter() - started) * 1000)  # type: ignore[possibly-undefined]
            except Exception:
                pass
        delay = served.delay_ms if served is not None else None
        call_id = served.call_id if served is not None else None
        if delay:
            IOLoop.current().call_later(delay / 1000, self._write, response, call_id)
        else:
            self._write(response, call_id)

    def _write(self, response: MockResponse, call_id: str | None) -> None:
        if self.closed:
            return
        try:
            self._send(response, call_id)
        except iostream.StreamClosedError:  # the client went away mid-write
            self.closed = True
        except Exception as exc:  # an answer that cannot be written: say so, never hang the client
            try:
                self._send(self._error(500, "serverError", f"mockkit could not write this answer: {type(exc).__name__}"), call_id)
            except Exception:
                self.closed = True
                self.connection.close()  # type: ignore[attr-defined]

    def _error(self, status: int, name: str, message: str) -> MockResponse:
        """A server-level JSON error, with CORS headers only when the engine adds them (spec 9.9:
        ``cors=False`` turns every automatic CORS header off; the hub adds none)."""
        origin = self.headers.get("Origin") if getattr(self, "headers", None) is not None else None
        return _error(status, name, message, cors=bool(getattr(self.app.engine, "cors", False)), origin=origin)

    def _send(self, response: MockResponse, call_id: str | None) -> None:
        headers = httputil.HTTPHeaders()
        for key, value in response.headers:
            headers.add(key, value)
        if call_id is not None:
            headers[CALL_HEADER] = call_id
        headers["Server"] = "mockkit"
        headers["Date"] = _http_date()
        body = response.body
        no_body = self.start_line.method == "HEAD" or response.status in (204, 304) or response.status < 200
        if response.status not in (204, 304) and response.status >= 200:
            headers["Content-Length"] = str(len(body))
        start = httputil.ResponseStartLine("HTTP/1.1", response.status, response.reason)
        self.connection.write_headers(start, headers, None if no_body else body)
        self.connection.finish()


_DATE: tuple[int, str] = (0, "")


def _http_date() -> str:
    """The Date header, formatted once per second (formatdate costs ~5% of a small answer)."""
    global _DATE
    now = int(time.time())
    if _DATE[0] != now:
        _DATE = (now, email.utils.formatdate(now, usegmt=True))
    return _DATE[1]


def _error(status: int, name: str, message: str, *, cors: bool = False, origin: str | None = None) -> MockResponse:
    headers = [("Content-Type", "application/json; charset=utf-8")]
    if cors:
        headers = with_cors(headers, header_text(origin) if origin else None)
    return MockResponse(status, httputil.responses.get(status, "Error"), tuple(headers), error_body(name, message))


def _raw_error(status: int, name: str, message: str) -> bytes:
    body = error_body(name, message)
    reason = httputil.responses.get(status, "Error")
    head = (
        f"HTTP/1.1 {status} {reason}\r\nContent-Type: application/json; charset=utf-8\r\n"
        f"Content-Length: {len(body)}\r\nConnection: close\r\nServer: mockkit\r\n\r\n"
    )
    return head.encode("latin-1") + body


_BARE_400 = b"HTTP/1.1 400 Bad Request\r\n\r\n"


class _ErrorsAsJSON:
    """The connection's stream, except that Tornado's bare ``400 Bad Request`` for a message it
    cannot parse goes out as a JSON error in Postman's shape (413 when the body was too large)."""

    def __init__(self, stream: iostream.IOStream, max_body_size: int) -> None:
        self._stream = stream
        self.max_body_size = max_body_size
        self.too_large = False

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)

    def write(self, data: bytes | memoryview, *args: Any, **kwargs: Any) -> Any:
        if data == _BARE_400:
            if self.too_large:
                data = _raw_error(413, "payloadTooLargeError",
                                  f"The request body is larger than {self.max_body_size:,} bytes.")
            else:
                data = _raw_error(400, "badRequestError", "The request is not valid HTTP/1.1.")
        return self._stream.write(data, *args, **kwargs)


class _Connection(HTTP1ServerConnection):
    """Tornado's server connection, with JSON answers for requests it cannot parse."""

    async def _server_request_loop(self, delegate: httputil.HTTPServerConnectionDelegate) -> None:
        app = getattr(delegate, "request_callback", None)
        stream = _ErrorsAsJSON(self.stream, getattr(app, "max_body_size", MAX_BODY_SIZE))
        try:
            while True:
                conn = HTTP1Connection(stream, False, self.params, self.context)  # type: ignore[arg-type]
                request_delegate = delegate.start_request(self, conn)
                try:
                    ret = await conn.read_response(request_delegate)
                except (iostream.StreamClosedError, iostream.UnsatisfiableReadError, asyncio.CancelledError):
                    return  # includes header blocks over HARD_HEADER_LIMIT: Tornado closes those
                except Exception:
                    conn.close()
                    return
                if not ret:
                    return
                await asyncio.sleep(0)
        finally:
            delegate.on_close(self)


class _HTTPServer(HTTPServer):
    def handle_stream(self, stream: iostream.IOStream, address: tuple) -> None:
        context = _HTTPServerRequestContext(stream, address, self.protocol, self.trusted_downstream)
        conn = _Connection(stream, self.conn_params, context)
        self._connections.add(conn)
        conn.start_serving(self)


def make_http_server(app: MockApp) -> HTTPServer:
    return _HTTPServer(
        app,
        max_body_size=app.max_body_size,
        max_header_size=HARD_HEADER_LIMIT,
        idle_connection_timeout=60,
        body_timeout=30,
        xheaders=False,
    )


class ServerThread:
    """A Tornado HTTP server on its own asyncio loop in a daemon thread."""

    def __init__(self, app: MockApp, host: str = "127.0.0.1", port: int = 0) -> None:
        self.app = app
        self.host = host
        self.requested_port = port
        self.port: int | None = None
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._server: HTTPServer | None = None
        self._ready = threading.Event()
        self._error: BaseException | None = None

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive() and self.port is not None

    def start(self, timeout: float = 10.0) -> None:
        self._ready.clear()
        self._error = None
        try:
            sockets = bind_sockets(self.requested_port, self.host, family=_family(self.host), reuse_port=False)
        except OSError as exc:
            raise ServerError(f"cannot listen on {self.host}:{self.requested_port}: {exc.strerror or exc}") from exc
        self.port = sockets[0].getsockname()[1]
        self._thread = threading.Thread(target=self._run, args=(sockets,), name=f"mockkit-{self.port}", daemon=True)
        self._thread.start()
        if not self._ready.wait(timeout):
            raise ServerError(f"the server thread did not start within {timeout} s")
        if self._error is not None:
            raise ServerError(f"the server failed to start: {self._error}") from self._error

    def _run(self, sockets: list[socket.socket]) -> None:
        loop = asyncio.new_event_loop() if os.name != "nt" else asyncio.SelectorEventLoop()
        asyncio.set_event_loop(loop)
        self._loop = loop
        try:
            self._server = make_http_server(self.app)
            self._server.add_sockets(sockets)
        except BaseException as exc:  # reported to the caller of start()
            self._error = exc
            for s in sockets:
                s.close()
            self._ready.set()
            loop.close()
            return
        self._ready.set()
        try:
            loop.run_forever()
        finally:
            try:
                loop.run_until_complete(loop.shutdown_asyncgens())
            finally:
                asyncio.set_event_loop(None)
                loop.close()

    def stop(self, timeout: float = 10.0) -> None:
        thread, loop = self._thread, self._loop
        if thread is None or loop is None:
            return

        async def shutdown() -> None:
            if self._server is not None:
                self._server.stop()
                try:
                    await asyncio.wait_for(self._server.close_all_connections(), timeout=timeout / 2)
                except (asyncio.TimeoutError, Exception):
                    pass
            loop.stop()

        if not loop.is_closed():
            try:
                loop.call_soon_threadsafe(lambda: loop.create_task(shutdown()))
            except RuntimeError:  # loop already closed
                pass
        thread.join(timeout)
        self._thread = None
        self.port = None if not thread.is_alive() else self.port


def _family(host: str) -> socket.AddressFamily:
    return socket.AF_INET6 if ":" in host else socket.AF_INET
