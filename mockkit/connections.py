"""Connections as mockkit reads them: accepted without spinning when the process runs out of file
descriptors, and answered in JSON when Tornado cannot parse a request.

``MockHTTPServer`` is Tornado's ``HTTPServer`` with both: ``AcceptLoop`` for each listening socket
and a ``MockStream`` for each connection (Tornado's bare ``400 Bad Request`` for an unparseable
message goes out as a JSON error in Postman's shape, 413 for a body over the limit), plus three
savings per answer (issue 17): ``TCP_NODELAY`` set once per connection, the header timeout kept
by one periodic sweep instead of a timer per request, and a plain HTTP/1.1 request without a body
read in one pass (``heads.plain_head``) and answered without Tornado's per-request coroutines:
by the application itself when it can (``PlainAnswerer.answer_plain``: no per-request
``HTTP1Connection``, exchange, ``HTTPHeaders`` or write ``Future``), else through Tornado's
exchange. Every other request is read by Tornado, from the same bytes.

Tornado's accept loop (``tornado.netutil.add_accept_handler``) lets an ``accept()`` error escape.
When the process is out of descriptors (``EMFILE``; ``ENFILE`` for the whole system) the
listening socket stays readable, so the loop calls the handler again at once: 100 % CPU and a
traceback per call (66 MB of them in 7 s with ``ulimit -n 1024`` and 1,100 idle connections).

``AcceptLoop`` accepts the same way, but on such an error it stops watching the socket and tries
again after a back-off (50 ms, doubling to 1 s). Connections already open keep being served, the
waiting ones stay in the kernel's backlog, and accepting resumes by itself once descriptors are
free. One warning goes to the ``mockkit.server`` logger per ``LOG_INTERVAL`` (with how many times
it happened since), and one when accepting works again; counts are in ``AcceptLoop.stats``.
"""

from __future__ import annotations

import asyncio
import errno
import logging
import socket
import time
from collections.abc import Callable, Iterable
from asyncio import Future
from typing import Any, NamedTuple, Protocol, cast

from tornado import httputil, iostream
from tornado.http1connection import HTTP1Connection, HTTP1ServerConnection, is_transfer_encoding_chunked
from tornado.httpserver import HTTPServer
from tornado.httpserver import _HTTPRequestContext as _HTTPServerRequestContext
from tornado.ioloop import IOLoop, PeriodicCallback

from .answers import raw_http_error
from .heads import Head, connection_options, header_value, plain_head, tornado_head
from .options import MAX_BODY_SIZE

__all__ = ["AcceptLoop", "MockStream", "MockHTTPServer", "LOG_INTERVAL", "Answered", "Proceed", "PlainAnswerer",
           "keeps_alive"]

LOG_INTERVAL = 10.0
"""Seconds between two warnings about the same shortage."""
BACKOFF_MIN, BACKOFF_MAX = 0.05, 1.0
_SHORTAGE = {errno.EMFILE, errno.ENFILE, errno.ENOBUFS, errno.ENOMEM}
_BATCH = 128  # connections accepted per readiness event (Tornado uses its listen backlog)

log = logging.getLogger("mockkit.server")


class AcceptLoop:
    """Accept connections on ``sock`` and pass each to ``callback(connection, address)``.

    ``stats`` counts ``accepted`` connections, ``paused`` (times accepting stopped for lack of
    descriptors or another ``accept()`` error) and ``warnings`` logged. ``remove()`` stops it.
    """

    def __init__(self, sock: socket.socket, callback: Callable[[socket.socket, Any], None]) -> None:
        self.sock = sock
        self.callback = callback
        self.io_loop = IOLoop.current()
        self.delay = BACKOFF_MIN
        self.stats = {"accepted": 0, "paused": 0, "warnings": 0}
        self._removed = False
        self._timer: object | None = None
        self._short_since: float | None = None
        self._last_warning = -LOG_INTERVAL
        self._unreported = 0
        self._recovery_timer: object | None = None
        self.io_loop.add_handler(sock, self._ready, IOLoop.READ)

    def _ready(self, fd: object, events: int) -> None:
        for _ in range(_BATCH):
            if self._removed:
                return
            try:
                connection, address = self.sock.accept()
            except BlockingIOError:
                return
            except ConnectionAbortedError:
                continue
            except OSError as exc:
                self._pause(exc)
                return
            if self._short_since is not None:
                self._recovered()
            self.stats["accepted"] += 1
            self.callback(connection, address)

    def _pause(self, exc: OSError) -> None:
        """Stop watching the socket for ``delay`` seconds; warn at most once per interval."""
        self.stats["paused"] += 1
        self.io_loop.remove_handler(self.sock)
        self._timer = self.io_loop.call_later(self.delay, self._resume)
        self.delay = min(self.delay * 2, BACKOFF_MAX)
        now = time.monotonic()
        if self._short_since is None:
            self._short_since = now
        self._unreported += 1
        if now - self._last_warning >= LOG_INTERVAL:
            what = ("out of file descriptors" if exc.errno in _SHORTAGE
                    else "accept() failed")
            log.warning("mockkit: %s (%s); not accepting new connections for now, retrying with "
                        "back-off (%d time(s) since the last warning); open connections are still served",
                        what, exc.strerror or exc, self._unreported)
            self.stats["warnings"] += 1
            self._last_warning, self._unreported = now, 0

    def _resume(self) -> None:
        self._timer = None
        if not self._removed:
            self.io_loop.add_handler(self.sock, self._ready, IOLoop.READ)

    def _recovered(self) -> None:
        """Accepting works again: say so, within the same one-line-per-interval budget."""
        self._short_since, self.delay = None, BACKOFF_MIN
        wait = self._last_warning + LOG_INTERVAL - time.monotonic()
        if self._recovery_timer is None:
            self._recovery_timer = self.io_loop.call_later(max(0.0, wait), self._report_recovery)

    def _report_recovery(self) -> None:
        self._recovery_timer = None
        if self._short_since is None and not self._removed:
            log.warning("mockkit: accepting connections again (%d pause(s) since the last warning)",
                        self._unreported)
            self.stats["warnings"] += 1
            self._last_warning, self._unreported = time.monotonic(), 0

    def remove(self) -> None:
        """Stop accepting (the socket itself is left open)."""
        self._removed = True
        if self._recovery_timer is not None:
            self.io_loop.remove_timeout(self._recovery_timer)
            self._recovery_timer = None
        if self._timer is not None:
            self.io_loop.remove_timeout(self._timer)
            self._timer = None
        else:
            self.io_loop.remove_handler(self.sock)


_BARE_400 = b"HTTP/1.1 400 Bad Request\r\n\r\n"


class MockStream(iostream.IOStream):
    """A connection's stream as mockkit uses it.

    * Tornado's bare ``400 Bad Request`` for a message it cannot parse goes out as a JSON error
      in Postman's shape (413 when the body was too large: ``too_large``).
    * ``TCP_NODELAY`` is set once, when the connection is accepted, and stays on: Tornado turns
      it on at the end of every answer and off again after it (two ``setsockopt`` calls per
      answer, ~8 % of a small answer's cost: issue 17). mockkit writes each answer with one
      write, so Nagle's algorithm could only delay it.
    """

    def __init__(self, sock: socket.socket, max_body_size: int, **kwargs: Any) -> None:
        """``sock``: the accepted connection; ``max_body_size`` (bytes): named in the 413."""
        super().__init__(sock, **kwargs)
        self.max_body_size = max_body_size
        self.too_large = False
        super().set_nodelay(True)

    def set_nodelay(self, value: bool) -> None:
        """Kept on for the connection's life (see the class docstring)."""

    def peer_closed(self) -> bool:
        """Whether the client has closed the connection, even when Tornado has not noticed: it
        watches for the end of the stream only while its read buffer is empty, so a client that
        pipelined a request and left looks connected until a write fails. Peeks at the socket
        (one ``recv`` with ``MSG_PEEK``, nothing consumed)."""
        if self.closed():
            return True
        try:
            return self.socket.recv(1, socket.MSG_PEEK | socket.MSG_DONTWAIT) == b""
        except (BlockingIOError, InterruptedError):
            return False  # nothing to read: still open
        except OSError:
            return True  # reset

    def unread(self, data: bytes) -> None:
        """Put ``data`` (just read) back at the front of the read buffer, for Tornado to read it
        again (a request head ``heads.plain_head`` leaves to Tornado)."""
        self._read_buffer[:0] = data
        self._read_buffer_size += len(data)

    def send_now(self, data: bytes) -> "Future[None] | None":
        """Write ``data`` straight to the socket when nothing is queued before it, without
        Tornado's per-write ``Future`` and callback (issue 17); what the socket does not take at
        once goes through ``write``. Returns the ``Future`` of a write still under way, or None
        when all of ``data`` was sent. An error other than "would block" is left to ``write``,
        which meets it again and closes the stream as Tornado does."""
        if self._write_buffer or self._connecting or self.closed():
            return self.write(data)
        try:
            sent = self.socket.send(data)
        except (BlockingIOError, InterruptedError):
            sent = 0
        except OSError:
            return self.write(data)
        if sent == len(data):
            return None
        return self.write(memoryview(data)[sent:])

    def write(self, data: bytes | memoryview) -> "Future[None]":
        """Write ``data``; Tornado's bare 400 is replaced by a JSON error first."""
        if data == _BARE_400:
            if self.too_large:
                data = raw_http_error(413, "payloadTooLargeError",
                                      f"The request body is larger than {self.max_body_size:,} bytes.")
            else:
                data = raw_http_error(400, "badRequestError", "The request is not valid HTTP/1.1.")
        return super().write(data)


class Answered(NamedTuple):
    """A request answered on the fast lane (``PlainAnswerer.answer_plain``): ``writing`` is the
    ``Future`` of a write still under way (None: all sent), ``close`` whether the connection
    closes after it."""

    writing: "Future[None] | None"
    close: bool


Proceed = Callable[[Any], None]
"""What the fast lane hands over when the engine has answered but Tornado's way must write it:
called with the exchange (the ``HTTPMessageDelegate`` of ``start_request``) once it has the
request's headers."""


class PlainAnswerer(Protocol):
    """An ``HTTPServerConnectionDelegate`` that answers plain requests itself (``server.MockApp``)."""

    def answer_plain(self, stream: iostream.IOStream, head: Head, keep_alive: bool) -> Answered | Proceed | None: ...


def keeps_alive(no_keep_alive: bool, version: str, connection: str | None, framed: bool) -> bool:
    """Whether a connection stays open after the answer to a request (Tornado's rule, with the
    ``Connection`` header read as the list of options it is: RFC 9110 §7.6.1, so ``close, te``
    closes too; Tornado compares the whole value).

    Args:
        no_keep_alive: the server closes every connection after one answer.
        version: the request's HTTP version (``HTTP/1.1`` or ``HTTP/1.0``).
        connection: the request's ``Connection`` header (its values joined), or None.
        framed: an HTTP/1.0 request whose answer's end is known without closing (a
            ``Content-Length`` or chunked body, or a HEAD or GET); HTTP/1.1 ignores it.
    """
    if no_keep_alive:
        return False
    options = connection_options(connection)
    if version == "HTTP/1.1":
        return "close" not in options
    return framed and "keep-alive" in options and "close" not in options


class _RequestConnection(HTTP1Connection):
    """Tornado's connection for one request/response exchange, deciding keep-alive by
    ``keeps_alive`` (as the fast lane does)."""

    def _can_keep_alive(self, start_line: httputil.RequestStartLine | httputil.ResponseStartLine,
                        headers: httputil.HTTPHeaders) -> bool:
        framed = "Content-Length" in headers or is_transfer_encoding_chunked(headers) \
            or getattr(start_line, "method", None) in ("HEAD", "GET")
        return keeps_alive(self.params.no_keep_alive, start_line.version, headers.get("Connection"), framed)


class _Connection(HTTP1ServerConnection):
    """Tornado's server connection, with JSON answers for requests it cannot parse, and the
    header timeout kept by its server's sweep (``MockHTTPServer``) rather than by a timeout
    wrapped around every read: ``waiting_since`` is the loop time the connection started waiting
    for a request's headers (None once they arrived: ``headers_arrived``)."""

    waiting_since: float | None = None

    def headers_arrived(self) -> None:
        """The request's headers are in: the header timeout no longer applies to it."""
        self.waiting_since = None

    async def _server_request_loop(self, delegate: httputil.HTTPServerConnectionDelegate) -> None:
        """Tornado's loop, one request after another. A plain HTTP/1.1 head without a body
        (``heads.plain_head``) is read in one pass; when the server's application answers such
        requests itself (``PlainAnswerer``, without a ``_ProxyAdapter`` in between) it writes the
        answer straight away, and Tornado's per-request connection and exchange are made only
        when an answer needs them (a delay, a forward, HEAD, a refusal). Anything else is read
        by Tornado's ``read_response`` from the same bytes."""
        loop = IOLoop.current()
        stream, params = self.stream, self.params
        fast = stream if isinstance(stream, MockStream) else None
        app = getattr(delegate, "request_callback", None)
        lane: PlainAnswerer | None = app if hasattr(app, "answer_plain") and not getattr(delegate, "xheaders",
                                                                                          True) else None
        try:
            while True:
                self.waiting_since = loop.time()
                waited = False
                try:
                    if fast is None:
                        conn = _RequestConnection(stream, False, params, self.context)
                        ret = await conn.read_response(delegate.start_request(self, conn))
                    else:
                        reading = cast("Future[bytes]", fast.read_until_regex(_HEAD_END,
                                                                              max_bytes=params.max_header_size))
                        waited = not reading.done()  # then the loop ran other clients meanwhile
                        head = await reading
                        self.waiting_since = None
                        plain = plain_head(head, params.decompress)
                        outcome = None if plain is None or lane is None else lane.answer_plain(
                            fast, plain, keeps_alive(params.no_keep_alive, "HTTP/1.1",
                                                     header_value(plain[2], "Connection"), True))
                        if isinstance(outcome, Answered):
                            if outcome.writing is not None:
                                await outcome.writing  # the client reads slowly: no next request before it has this
                            if outcome.close:
                                fast.close()
                            ret = not outcome.close
                        else:
                            conn = _RequestConnection(stream, False, params, self.context)
                            request_delegate = delegate.start_request(self, conn)
                            if plain is None:
                                fast.unread(head)
                                ret = await conn.read_response(request_delegate)
                            else:
                                ret = await _answer(conn, request_delegate, plain, outcome)
                except (iostream.StreamClosedError, iostream.UnsatisfiableReadError, asyncio.CancelledError):
                    return  # includes header blocks over HARD_HEADER_LIMIT: Tornado closes those
                except Exception:  # a bug: Tornado's loop logs it and closes the connection, so does this one
                    log.exception("mockkit: uncaught exception while serving a connection")
                    stream.close()
                    return
                finally:
                    self.waiting_since = None
                if not ret or stream.closed():  # closed: what the client pipelined behind is never run
                    return  # (Tornado's loop reads it from the closed stream's buffer: logged, never answered)
                if fast is None or not waited:
                    await asyncio.sleep(0)  # the next request waits its turn behind other clients
        finally:
            delegate.on_close(self)


_HEAD_END = b"\r?\n\r?\n"  # where Tornado ends a request's head


async def _answer(conn: HTTP1Connection, delegate: httputil.HTTPMessageDelegate, head: Head,
                  proceed: Proceed | None) -> bool:
    """What Tornado's ``_read_message_inner`` does for a server request without a body, once
    its head is parsed: the delegate gets the headers and ``finish`` (or, when the fast lane's
    engine has answered already, ``proceed``); an answer that comes later (a delay, a proxied
    call) is awaited, with the close callback set meanwhile. Returns whether the connection goes
    on to the next request."""
    start_line, headers = tornado_head(*head)
    conn._request_start_line = start_line
    conn._request_headers = headers
    conn._disconnect_on_finish = not conn._can_keep_alive(start_line, headers)
    try:
        delegate.headers_received(start_line, headers)
        conn._read_finished = True
        if not conn._write_finished:
            if proceed is None:
                delegate.finish()
            else:
                proceed(delegate)
        stream = conn.stream
        if not conn._finish_future.done() and stream is not None and not stream.closed():
            stream.set_close_callback(conn._on_connection_close)
            await conn._finish_future
        return conn.stream is not None
    except BaseException:
        delegate.on_connection_close()
        raise
    finally:
        conn._clear_callbacks()


class MockHTTPServer(HTTPServer):
    """Tornado's HTTP server with mockkit's streams (``MockStream``), connections and accept loop
    (``AcceptLoop``).

    Tornado bounds the wait for a request's headers (``idle_connection_timeout``: idle keep-alive
    connections and slow senders alike) by wrapping every header read in ``gen.with_timeout``: a
    timer and two futures per request, ~5 % of a small answer (issue 17). Here one periodic sweep
    (every ``header_timeout / 12`` s, at least every 5 s) closes the connections that have waited
    longer than ``header_timeout`` for headers: the same bound, give or take one sweep.
    """

    def initialize(self, *args: Any, **kwargs: Any) -> None:
        """Tornado's ``HTTPServer.initialize``; the header timeout moves to the sweep."""
        super().initialize(*args, **kwargs)
        self.header_timeout: float | None = self.conn_params.header_timeout
        self.conn_params.header_timeout = None
        self._sweeper: PeriodicCallback | None = None

    def add_sockets(self, sockets: Iterable[socket.socket]) -> None:
        self.accept_loops: list[AcceptLoop] = getattr(self, "accept_loops", [])
        for sock in sockets:
            loop = AcceptLoop(sock, self._handle_connection)
            self.accept_loops.append(loop)
            self._sockets[sock.fileno()] = sock
            self._handlers[sock.fileno()] = loop.remove
        if self._sweeper is None and self.header_timeout:
            self._sweeper = PeriodicCallback(self._sweep, 1000 * min(5.0, self.header_timeout / 12))
            self._sweeper.start()

    def _sweep(self) -> None:
        """Close the connections that have waited longer than ``header_timeout`` for headers."""
        now = IOLoop.current().time()
        limit = self.header_timeout or 0.0
        for conn in list(self._connections):
            since = getattr(conn, "waiting_since", None)
            if since is not None and now - since > limit:
                conn.stream.close()

    def stop(self) -> None:
        """Stop accepting (Tornado's ``stop``) and the header-timeout sweep."""
        if self._sweeper is not None:
            self._sweeper.stop()
            self._sweeper = None
        super().stop()

    def _handle_connection(self, connection: socket.socket, address: Any) -> None:
        """Tornado's, for plain TCP (mockkit serves no TLS): the stream is a ``MockStream``."""
        stream = MockStream(connection, self.conn_params.max_body_size or MAX_BODY_SIZE,
                            max_buffer_size=self.max_buffer_size, read_chunk_size=self.read_chunk_size)
        self.handle_stream(stream, address)

    def handle_stream(self, stream: iostream.IOStream, address: tuple[Any, ...]) -> None:
        """A ``_Connection`` for each accepted stream."""
        context = _HTTPServerRequestContext(stream, address, self.protocol, self.trusted_downstream)
        conn = _Connection(stream, self.conn_params, context)
        self._connections.add(conn)
        conn.start_serving(self)
