"""The HTTP face of an engine: Tornado, on its own event loop, in a daemon thread.

``MockApp`` is a bare ``HTTPServerConnectionDelegate``: no routing, no ``RequestHandler``, any
method (PURGE too). Each request becomes a neutral ``MockRequest``; ``engine.handle`` answers it;
a plain request without a body whose answer is ready at once is written straight onto the socket
(``MockApp.answer_plain``, the fast lane: issue 17), any other through an ``_Exchange``;
the answer is written as is, after an asynchronous delay when one is asked for (a slow response
never holds up others). A request the server cannot interpret gets a JSON error in Postman's
shape and the connection keeps serving; an exception inside the engine becomes a 500 JSON error
and a journal entry, never a dead server.

``MockApp`` calls a ``Handler``: a ``MockEngine``, or the hub's ``HubApp`` (the protocol is
declared here, once). ``hosting`` runs a ``MockApp`` in a background thread or in the foreground.
"""

from __future__ import annotations

import asyncio
import email.utils
import time
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import replace
from typing import TYPE_CHECKING, Protocol, cast
from urllib.parse import quote_from_bytes

from tornado import httputil, iostream
from tornado.http1connection import HTTP1Connection
from tornado.httpserver import HTTPServer
from tornado.ioloop import IOLoop

from .connections import Answered, MockHTTPServer, MockStream, Proceed
from .answers import error_answer, failure_message
from .engine import CALL_HEADER, Served
from .headerclean import safe_headers
from .heads import Head
from .wire import CALL_NAME, head_prefix, response_head
from .limits import DelayBudget, Trimmer, offload
from .errors import RequestError
from .model import MockRequest, MockResponse, header_text, wire_headers
from .options import MockOptions

if TYPE_CHECKING:  # pragma: no cover
    from .forwarding import Forwarder

__all__ = ["Handler", "MockApp", "CALL_HEADER", "request_from", "make_http_server"]


MAX_HEADER_SIZE = 64 * 1024
"""Headers above this get a JSON 431; above HARD_HEADER_LIMIT Tornado just closes the connection."""
HARD_HEADER_LIMIT = 1024 * 1024
IDLE_TIMEOUT = 60.0
"""Seconds a connection may wait for a request's headers (idle keep-alive, slow senders)."""
BODY_TIMEOUT = 30.0
"""Seconds a request's body may take to arrive."""


_ASCII = "".join(map(chr, range(128)))


def _raw_bytes_escaped(target: str) -> str:
    """Tornado hands the request target over as Latin-1 text, so raw bytes beyond ASCII arrive as
    one character each. They are percent-encoded here, so a raw byte and its ``%XX`` form follow
    one rule: the path is UTF-8 (else the 400 ``badRequestError``) and matches the same examples."""
    if target.isascii():
        return target
    try:
        raw = target.encode("latin-1")
    except UnicodeEncodeError:  # not from a socket: text beyond Latin-1 stands for itself
        raw = target.encode("utf-8", "surrogatepass")
    return quote_from_bytes(raw, safe=_ASCII)


def request_from(start_line: httputil.RequestStartLine, headers: httputil.HTTPHeaders, body: bytes) -> MockRequest:
    """A neutral request from Tornado's parsed start line and headers (``MockRequest.from_target``
    reads the target; header values as UTF-8 text when their bytes are valid UTF-8, Latin-1
    otherwise: spec 9.19). Raises ``RequestError`` for a path that is not UTF-8."""
    return MockRequest.from_target(start_line.method, _raw_bytes_escaped(start_line.path),
                                   wire_headers(headers.get_all()), body)


class Handler(Protocol):
    """What answers the requests a ``MockApp`` reads: ``MockEngine`` and ``hub.HubApp``.

    ``handle`` answers (a ``Future`` when the answer is worked out on another thread);
    ``record_failure`` logs a request it failed to answer (the server sends a 500);
    ``amend_call`` corrects a logged call with what was really sent; ``cors`` says whether
    server-level errors (400, 413, 431, 500, 503) carry the automatic CORS headers (spec 9.9).
    """

    @property
    def cors(self) -> bool: ...

    def handle(self, request: MockRequest) -> Served | Future[Served]: ...

    def record_failure(self, request: MockRequest, exc: BaseException, started: float) -> None: ...

    def amend_call(self, call_id: str, status: int, error: str) -> None: ...


class MockApp(httputil.HTTPServerConnectionDelegate):
    """Answers every request on a connection with ``engine.handle``.

    ``engine`` is read once per request, so swapping it (reload) is atomic for each call.
    ``on_call`` (the CLI's logger) is called once each answer is written, with the ``Served``
    (its response is what was sent) and the time the engine took in ms.
    The limits come from ``options`` (``MockOptions``: ``max_body_size``; ``max_pending_delays``
    and ``max_pending_delay_bytes`` cap the answers waiting out a delay, ``DelayBudget``); an
    engine may offer ``amend_call(call_id, status, error)`` to correct its call log when the
    answer sent differs from the one it recorded.
    """

    def __init__(self, engine: Handler, on_call: Callable[[MockRequest, Served | None, float], None] | None = None,
                 *, options: MockOptions | None = None):
        options = options or MockOptions()
        self.engine = engine
        self.on_call = on_call
        self.max_body_size = options.max_body_size
        self.delays = DelayBudget(options.max_pending_delays, options.max_pending_delay_bytes)
        self.trimmer = Trimmer()  # returns the heap to the OS after bursts of big bodies
        self._forwarder: Forwarder | None = None  # issue 16: made on the first call a proxying engine forwards

    def start_request(self, server_conn: object, request_conn: httputil.HTTPConnection) -> httputil.HTTPMessageDelegate:
        return _Exchange(self, request_conn, getattr(server_conn, "headers_arrived", None))

    def forwarder(self) -> Forwarder:
        """This server's link to a proxying engine's upstream (issue 16), made on first use and
        kept for every engine generation (its pooled connections live on this server's loop)."""
        if self._forwarder is None:
            from .forwarding import Forwarder  # httpx is imported only by a proxying mock

            self._forwarder = Forwarder()
        return self._forwarder

    async def aclose(self) -> None:
        """Close the upstream connections this server opened on its loop (a proxy's pool)."""
        if self._forwarder is not None:
            try:
                await self._forwarder.aclose()
            except Exception:  # stopping: a connection that fails to close is gone anyway
                pass

    def answer_plain(self, stream: iostream.IOStream, head: Head, keep_alive: bool) -> "Answered | Proceed | None":
        """Answer a plain HTTP/1.1 request without a body (``heads.plain_head``) straight onto
        ``stream``, without Tornado's per-request objects, when the answer is the common kind:
        ready at once (no delay, no forward, not worked out on another thread), with a body
        (not HEAD, 1xx, 204, 304) and a head that needs no Tornado framing (issue 17).

        Args:
            stream: the connection's stream (``connections.MockStream``).
            head: ``(method, target, [(name, value), ...])`` from ``heads.plain_head``.
            keep_alive: whether the connection stays open after this answer
                (``connections.keeps_alive``: the server's setting and the ``Connection`` header).

        Returns:
            ``Answered`` when the answer is written (or being written); a ``Proceed`` when the
            engine has answered but the answer takes Tornado's way: the caller makes the
            exchange (``start_request``) and hands it over; None when nothing was done yet (a
            head over ``MAX_HEADER_SIZE``, a target that is not UTF-8, a closed stream): the
            exchange reads the request as any other. The call is logged exactly once either way.
        """
        method, target, pairs = head
        if stream.closed() or len(target) + sum(len(k) + len(v) + 4 for k, v in pairs) > MAX_HEADER_SIZE:
            return None
        started = time.perf_counter()
        try:
            request = MockRequest.from_target(method, _raw_bytes_escaped(target), wire_headers(pairs), b"")
        except Exception:  # a RequestError (400), or worse: the exchange reads it again and answers it
            return None
        try:
            result = offload(self.engine, request)
        except Exception as exc:  # the engine failed: the exchange answers 500 and logs it (once)
            failure = exc  # ``exc`` is unbound once this block ends; the exchange calls back later
            return lambda exchange: exchange._failed(request, failure, started)
        if not isinstance(result, Served) or result.forward is not None or result.delay_ms:
            return lambda exchange: exchange._later_or_now(request, result, started)
        ms = (time.perf_counter() - started) * 1000
        response = result.response
        status = response.status
        close = not keep_alive
        answer = None if method == "HEAD" or status < 200 or status in (204, 304) \
            else _answer_head(response, result.call_id, close)
        if answer is None:  # Tornado's framing rules, or a line it refuses: the exchange writes it
            return lambda exchange: exchange._answer(request, result, response, ms)
        try:
            writing = cast(MockStream, stream).send_now(answer + response.body)
        except iostream.StreamClosedError:  # gone meanwhile: logged as answered, as the exchange does
            writing, close = None, True
        self.trimmer.freed(len(response.body))
        if self.on_call is not None:
            try:
                self.on_call(request, result, ms)
            except Exception:
                pass
        return Answered(writing, close)

    def amend(self, call_id: str | None, status: int, error: str) -> None:
        """Tell the engine's call log what was really sent (never raises)."""
        if call_id is not None:
            try:
                self.engine.amend_call(call_id, status, error)
            except Exception:
                pass


class _Exchange(httputil.HTTPMessageDelegate):
    """One request/response exchange on a connection."""

    __slots__ = ("app", "connection", "arrived", "start_line", "headers", "chunks", "closed", "refusal", "pending",
                 "timer")

    def __init__(self, app: MockApp, connection: httputil.HTTPConnection,
                 arrived: Callable[[], None] | None = None) -> None:
        self.app = app
        self.connection = cast(HTTP1Connection, connection)  # what an HTTP/1 server connection hands over
        self.arrived = arrived  # tells the connection its header timeout is over (connections.py)
        self.chunks: list[bytes] = []
        self.closed = False
        self.refusal: MockResponse | None = None
        self.pending: tuple[MockRequest, Served, float, int] | None = None  # a delayed answer: (request, served, ms, size)
        self.timer: object | None = None

    def headers_received(self, start_line: httputil.RequestStartLine | httputil.ResponseStartLine,
                         headers: httputil.HTTPHeaders) -> None:
        assert isinstance(start_line, httputil.RequestStartLine)
        if self.arrived is not None:
            self.arrived()
        self.start_line = start_line
        self.headers = headers
        size = len(start_line.path) + sum(len(k) + len(v) + 4 for k, v in headers.get_all())
        if size > MAX_HEADER_SIZE:
            self.refusal = self._error(431, "requestHeaderFieldsTooLargeError",
                                  f"The request headers are larger than {MAX_HEADER_SIZE:,} bytes.")
        length = headers.get("Content-Length", "")
        if length.isdigit() and int(length) > self.app.max_body_size and isinstance(self.connection, HTTP1Connection):
            stream = self.connection.stream
            if isinstance(stream, MockStream):
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
        request: MockRequest | None = None
        try:
            try:
                request = request_from(self.start_line, self.headers, b"".join(self.chunks))
            except RequestError as exc:  # not interpretable: Postman's error shape, not a call
                self._write(self._error(exc.status, exc.name, str(exc)), None)
                return
            self.chunks = []  # the request holds the body now
            result = offload(self.app.engine, request)
        except Exception as exc:  # the engine failed: answer 500, record it, keep serving
            if request is None:  # request_from itself failed: log what the start line says
                request = MockRequest(self.start_line.method, self.start_line.path.partition("?")[0])
            self._failed(request, exc, started)
            return
        self._later_or_now(request, result, started)

    def _later_or_now(self, request: MockRequest, result: "Served | Future[Served] | asyncio.Future[Served]",
                      started: float) -> None:
        if isinstance(result, Served) and result.forward is not None:  # issue 16: the upstream answers, on this loop
            result = asyncio.ensure_future(self.app.forwarder().run(result.forward, self.start_line.path))
        if isinstance(result, (Future, asyncio.Future)):  # the loop serves others meanwhile
            IOLoop.current().add_future(result, lambda done: self._done(request, done, started))
            return
        self._served(request, result, started)

    def _done(self, request: MockRequest, done: Future[Served] | asyncio.Future[Served], started: float) -> None:
        try:
            result = done.result()
        except Exception as exc:
            self._failed(request, exc, started)
            return
        self._later_or_now(request, result, started)

    def _failed(self, request: MockRequest, exc: Exception, started: float) -> None:
        response = self._error(500, "serverError", failure_message(exc))
        try:
            self.app.engine.record_failure(request, exc, started)
        except Exception:
            pass
        self._answer(request, None, response, (time.perf_counter() - started) * 1000)

    def _served(self, request: MockRequest, served: Served, started: float) -> None:
        ms = (time.perf_counter() - started) * 1000
        if served.delay_ms:
            size = len(served.response.body) + len(request.body) + 512
            if self._client_left():  # it left while the engine worked: nothing to wait for
                self.closed = True
                self.app.amend(served.call_id, served.response.status,
                               "the client closed the connection before the delay began; nothing was sent")
                self.connection.close()  # Tornado may not have noticed yet (peer_closed): end the exchange too
                self.app.trimmer.freed(size)  # the request's body goes now: count it towards handing memory back
                return
            if self.app.delays.reserve(size):
                self.pending = (request, served, ms, size)
                self.timer = IOLoop.current().call_later(served.delay_ms / 1000, self._delay_over)
                self.connection.set_close_callback(self._client_gone)
                return
            budget = self.app.delays
            message = (f"{budget.count:,} delayed answers ({budget.bytes:,} bytes) are waiting already, the most "
                       f"this server holds ({budget.max_count:,} answers, {budget.max_bytes:,} bytes): retry "
                       "later, or ask for a shorter x-mock-response-delay.")
            busy = self._error(503, "serviceUnavailableError", message, (("Retry-After", "1"),))
            self.app.amend(served.call_id, 503, "serviceUnavailableError: too many delayed answers pending")
            served = replace(served, response=busy, delay_ms=None)
        self._answer(request, served, served.response, ms)

    def _client_left(self) -> bool:
        """Whether the client's connection is closed already (a close that happened before a
        close callback was set fires no callback later; a client that pipelined a request
        before leaving is seen by ``MockStream.peer_closed``)."""
        stream = getattr(self.connection, "stream", None)
        if self.closed or stream is None:
            return self.closed
        return stream.peer_closed() if isinstance(stream, MockStream) else stream.closed()

    def _delay_over(self) -> None:
        self.timer = None
        if self.pending is None:
            return
        if self._client_left():  # gone unnoticed (a request pipelined behind): drop the answer, as on a close
            self._client_gone()
            self.connection.close()
            return
        pending, self.pending = self.pending, None
        assert pending is not None
        request, served, ms, size = pending
        self.app.delays.release(size)
        self.connection.set_close_callback(None)
        self._answer(request, served, served.response, ms)

    def _client_gone(self) -> None:
        """The client closed the connection during the delay: drop the answer now."""
        pending, self.pending = self.pending, None
        self.closed = True
        if self.timer is not None:
            IOLoop.current().remove_timeout(self.timer)
            self.timer = None
        if pending is not None:
            request, served, ms, size = pending
            self.app.delays.release(size)
            self.app.delays.dropped += 1
            self.app.trimmer.freed(size)
            self.app.amend(served.call_id, served.response.status,
                           "the client closed the connection during the delay; nothing was sent")

    def _answer(self, request: MockRequest, served: Served | None, response: MockResponse, ms: float) -> None:
        """Write the answer, then log what was actually sent."""
        sent = self._write(response, served.call_id if served is not None else None)
        self.app.trimmer.freed(len(request.body) + len(response.body))
        if self.app.on_call is not None:
            if served is not None and sent is not response:
                served = replace(served, response=sent) if sent is not None else served
            try:
                self.app.on_call(request, served, ms)
            except Exception:
                pass

    def _write(self, response: MockResponse, call_id: str | None) -> MockResponse | None:
        """Send ``response``; returns what was sent (a 500 when it could not be), None if nothing."""
        if self.closed:
            return None
        if response.status < 200:  # an interim status: a client would wait for the final answer forever
            message = (f"The example's status {response.status} is an informational (1xx) status: HTTP/1.1 sends "
                       "one only before a final answer, so it cannot be the answer. Save the example with a final "
                       "status (200-599).")
            self.app.amend(call_id, 500, f"serverError: the example's status {response.status} cannot be sent as "
                                         "an answer; a 500 was sent instead")
            response = self._error(500, "serverError", message)
        try:
            self._send(response, call_id)
            return response
        except iostream.StreamClosedError:  # the client went away mid-write
            self.closed = True
            return None
        except Exception as exc:  # an answer that cannot be written: say so, never hang the client
            failed = self._error(500, "serverError", f"mockkit could not write this answer: {type(exc).__name__}")
            self.app.amend(call_id, 500, f"the answer could not be written ({type(exc).__name__}: {exc}); "
                                         "a 500 was sent instead")
            try:
                self._send(failed, call_id)
                return failed
            except Exception:
                self.closed = True
                self.connection.close()
                return None

    def _error(self, status: int, name: str, message: str, extra: tuple[tuple[str, str], ...] = ()) -> MockResponse:
        """A server-level JSON error, with CORS headers only when the engine adds them (spec 9.9:
        ``cors=False`` turns every automatic CORS header off; the hub adds none)."""
        origin = self.headers.get("Origin") if getattr(self, "headers", None) is not None else None
        return error_answer(status, name, message, cors=self.app.engine.cors,
                            origin=header_text(origin) if origin else None, extra=extra)

    def _send(self, response: MockResponse, call_id: str | None) -> None:
        status = response.status
        version = self.start_line.version
        if version != "HTTP/1.1" or self.start_line.method == "HEAD" or status < 200 or status in (204, 304) \
                or not isinstance(self.connection, HTTP1Connection):
            self._send_by_tornado(response, call_id)  # the rarer cases: Tornado's framing rules
            return
        close = self.connection._disconnect_on_finish  # set by the reader, Tornado's or ours (no_keep_alive too)
        head = _answer_head(response, call_id, close)
        if head is None:  # a CR or LF in a line: Tornado refuses it as it always has (a 500)
            self._send_by_tornado(response, call_id)
            return
        connection = self.connection
        stream = connection.stream
        if stream.closed():
            connection.write(head + response.body)  # Tornado's way: a failed write, no exception
        else:  # Tornado's write without its per-call Future: finish() waits for this write
            connection._pending_write = stream.write(head + response.body)
        connection.finish()

    def _send_by_tornado(self, response: MockResponse, call_id: str | None) -> None:
        """Write ``response`` through Tornado's ``write_headers`` (HEAD, 1xx/204/304, HTTP/1.0)."""
        headers = httputil.HTTPHeaders()
        for key, value in safe_headers(response.headers):
            headers.add(key, value)
        if call_id is not None:
            headers[CALL_HEADER] = call_id
        headers["Server"] = "mockkit"
        headers["Date"] = _http_date()
        if self.start_line.version == "HTTP/1.0" and not self.connection._disconnect_on_finish:
            headers["Connection"] = "Keep-Alive"  # the option was among others: Tornado adds it only when alone
        body = response.body
        no_body = self.start_line.method == "HEAD" or response.status in (204, 304) or response.status < 200
        if response.status not in (204, 304) and response.status >= 200:
            headers["Content-Length"] = str(len(body))
        start = httputil.ResponseStartLine("HTTP/1.1", response.status, response.reason)
        self.connection.write_headers(start, headers, None if no_body else body)
        self.connection.finish()


def _answer_head(response: MockResponse, call_id: str | None, close: bool) -> bytes | None:
    """The head of an HTTP/1.1 answer with a body: the answer's headers, then the server's
    (``X-Mockkit-Call``, ``Server``, ``Date``, ``Content-Length``, ``Connection: close``); the
    answer's part memoised (``wire.head_prefix``). None when a line holds a CR or LF."""
    date, length = _http_date(), len(response.body)
    prefix = head_prefix(response.status, response.reason, response.headers)
    if prefix is not None and (call_id is None or call_id.isprintable()):
        tail = f"Server: mockkit\r\nDate: {date}\r\nContent-Length: {length}\r\n"
        if call_id is not None:
            tail = f"{CALL_NAME}: {call_id}\r\n{tail}"
        return prefix + tail.encode("latin-1") + (b"Connection: close\r\n\r\n" if close else b"\r\n")
    ours = [("Server", "mockkit"), ("Date", date), ("Content-Length", str(length))]
    if call_id is not None:
        ours.insert(0, (CALL_HEADER, call_id))
    if close:
        ours.append(("Connection", "close"))
    return response_head(response.status, response.reason, safe_headers(response.headers), ours)


_DATE: tuple[int, str] = (0, "")


def _http_date() -> str:
    """The Date header, formatted once per second (formatdate costs ~5% of a small answer)."""
    global _DATE
    now = int(time.time())
    if _DATE[0] != now:
        _DATE = (now, email.utils.formatdate(now, usegmt=True))
    return _DATE[1]


def make_http_server(app: MockApp) -> HTTPServer:
    return MockHTTPServer(
        app,
        max_body_size=app.max_body_size,
        max_header_size=HARD_HEADER_LIMIT,
        idle_connection_timeout=IDLE_TIMEOUT,
        body_timeout=BODY_TIMEOUT,
        xheaders=False,
    )
