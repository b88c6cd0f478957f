"""Talking to the upstream (issue 16): one exchange, asynchronous or not, bounded, named failures.

``Upstream(options)`` forwards a ``MockRequest`` to the ``proxy`` URL: method, path (after the
URL's own path, a prefix), query, headers (``hygiene.upstream_headers``: no hop-by-hop ones) and
body. It returns an ``Exchange`` (status, headers without hop-by-hop and length headers, the body
*decoded*, the time the upstream took in ms) or an ``UpstreamFailure`` naming the cause, which
``failure_answer`` turns into Postman's error shape with status 502:

=========================  ==========================================================
``upstreamConnectionError``  nothing listens (connection refused), unknown host, unreachable
``upstreamTimeoutError``     no connection within ``proxy_connect_timeout`` s, or no whole
                             answer within ``proxy_timeout`` s
``upstreamTLSError``         the TLS handshake failed (certificate not trusted, wrong host...)
``upstreamTooLargeError``    the answer's body, decoded, is over ``proxy_max_size`` bytes
``upstreamProtocolError``    the upstream closed the connection or sent something not HTTP
=========================  ==========================================================

``exchange`` is a coroutine (asyncio or trio, through anyio): the server runs it on its own loop,
so a slow upstream holds up no other client. Under asyncio one ``httpx.AsyncClient`` per loop is
kept (connections are reused; ``aclose`` closes the current loop's); under trio each exchange
has its own. ``exchange_sync`` is the same over one ``httpx.Client`` (the sync httpx transport).
Redirects are passed on, not followed. Environment proxy settings (``HTTPS_PROXY``...) apply to
upstreams that are not on this machine.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
import ssl
import threading
import time
import weakref
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import anyio
import httpx

from . import answers
from .errors import ConfigError
from .hygiene import answer_headers, upstream_headers
from .model import MockRequest, MockResponse, Pairs
from .proxyconfig import forward_url

if TYPE_CHECKING:  # pragma: no cover
    from .options import MockOptions

__all__ = ["Exchange", "UpstreamFailure", "Upstream", "failure_answer", "forwarded_answer", "UPSTREAM_ERRORS",
           "MAX_CONNECTIONS"]

UPSTREAM_ERRORS = tuple(name for name in answers.ERROR_NAMES if name.startswith("upstream"))
"""The error names a proxying mock answers with (status 502; ``answers.ERROR_NAMES`` says when)."""
MAX_CONNECTIONS = 32
"""Upstream connections open at once per event loop (and for the sync client): with
``proxy_max_size`` this bounds the memory forwarded answers hold (32 x 10 MiB by default); more
calls wait for a connection, within ``proxy_timeout``."""


@dataclass(frozen=True, slots=True)
class Exchange:
    """What the upstream answered to one forwarded request.

    Attributes:
        url (str): the URL called.
        status (int): the upstream's status code.
        reason (str): its reason phrase (``http.HTTPStatus``'s when it sent none).
        headers (Pairs): its headers as passed on (``hygiene.answer_headers``: no hop-by-hop,
            length or encoding headers).
        body (bytes): the body, decoded (never compressed).
        ms (float): milliseconds from sending to the body's last byte.

    Examples:
        ```python
        got = Upstream(MockOptions(proxy="http://127.0.0.1:8080")).exchange_sync(request)
        (got.status, got.body, round(got.ms))        # (200, b'{"id": 7}', 3)
        ```
    """

    url: str
    status: int
    reason: str
    headers: Pairs
    body: bytes
    ms: float


@dataclass(frozen=True, slots=True)
class UpstreamFailure:
    """Why a forwarded request got no answer.

    Attributes:
        url (str): the URL called.
        name (str): one of ``UPSTREAM_ERRORS`` (the error name of the 502 answer).
        cause (str): a sentence: ``"connection refused by 127.0.0.1:9 (nothing listens there?)"``.
        ms (float): milliseconds until it failed.

    Examples:
        ```python
        got = Upstream(MockOptions(proxy="http://127.0.0.1:9")).exchange_sync(request)
        got.name       # 'upstreamConnectionError'
        ```
    """

    url: str
    name: str
    cause: str
    ms: float


def _chain(exc: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


def _connect_failure(exc: BaseException, where: str) -> tuple[str, str]:
    """(name, cause) for a failed connection: TLS, refused, unknown host, or what the OS said."""
    for inner in _chain(exc):
        if isinstance(inner, ssl.SSLCertVerificationError):
            return "upstreamTLSError", f"the TLS certificate of {where} is not trusted ({inner.verify_message})"
        if isinstance(inner, ssl.SSLError):
            return "upstreamTLSError", f"the TLS handshake with {where} failed ({inner.reason or inner})"
        if isinstance(inner, ConnectionRefusedError):
            return "upstreamConnectionError", f"connection refused by {where} (nothing listens there?)"
        if isinstance(inner, socket.gaierror):
            return "upstreamConnectionError", f"cannot resolve the host of {where} ({inner.strerror or inner})"
    text = str(exc) or type(exc).__name__
    if "SSL" in text or "certificate" in text.lower():
        return "upstreamTLSError", f"the TLS handshake with {where} failed ({text})"
    if "refused" in text.lower():
        return "upstreamConnectionError", f"connection refused by {where} (nothing listens there?)"
    return "upstreamConnectionError", f"cannot connect to {where} ({text})"


def _loopback(host: str) -> bool:
    host = host.strip("[]")
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class Upstream:
    """The upstream of a proxying mock: its URL, timeouts, size limit and TLS verification
    (``MockOptions.proxy``, ``proxy_timeout``, ``proxy_connect_timeout``, ``proxy_max_size``,
    ``proxy_verify``), and the httpx clients that talk to it (at most ``MAX_CONNECTIONS`` at once
    per event loop). No connection is made until the first exchange.

    Args:
        options (MockOptions): the mock's options, with ``proxy`` set.

    Raises:
        ConfigError: (a ``ValueError``) when ``options.proxy`` is None (nothing to forward to).

    Examples:
        ```python
        upstream = Upstream(MockOptions(proxy="http://127.0.0.1:8080"))
        got = await upstream.exchange(MockRequest.from_target("GET", "/users?page=2"))
        got.status if isinstance(got, Exchange) else got.name   # 200, or 'upstreamConnectionError'
        ```
    """

    def __init__(self, options: MockOptions) -> None:
        """Take the upstream's settings from ``options`` (see the class)."""
        if options.proxy is None:
            raise ConfigError("proxy", "is needed to forward: give the upstream's URL")
        self.base = options.proxy
        parts = urlsplit(self.base)
        self.where = parts.netloc
        self.timeout_s = options.proxy_timeout
        self.connect_s = options.proxy_connect_timeout
        self.max_size = options.proxy_max_size
        self.verify = options.proxy_verify
        self.private = options.api_key is not None
        self._trust_env = not _loopback(parts.hostname or "")
        self._clients: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, httpx.AsyncClient] = \
            weakref.WeakKeyDictionary()
        self._sync: httpx.Client | None = None
        self._lock = threading.Lock()

    # ------------------------------------------------------------------------ the request

    def url_for(self, request: MockRequest, target: str | None = None) -> str:
        """The upstream URL for ``request`` (``proxyconfig.forward_url`` with this base URL).

        Args:
            request (MockRequest): the request received.
            target (str | None): the request target as received (``/a?b=1``), to send the query
                exactly as the client did; None encodes it from ``request.query``.

        Returns:
            str: the URL to call.

        Examples:
            ```python
            Upstream(MockOptions(proxy="http://127.0.0.1:8080/v1")).url_for(
                MockRequest.from_target("GET", "/users?page=2"))     # 'http://127.0.0.1:8080/v1/users?page=2'
            ```
        """
        return forward_url(self.base, request, target)

    def _outgoing(self, request: MockRequest, target: str | None) -> tuple[str, Pairs]:
        return self.url_for(request, target), upstream_headers(request.headers, private_key=self.private)

    def _timeout(self) -> httpx.Timeout:
        return httpx.Timeout(self.timeout_s, connect=self.connect_s)

    def _failure(self, exc: BaseException, url: str, started: float) -> UpstreamFailure:
        ms = (time.perf_counter() - started) * 1000
        if isinstance(exc, httpx.ConnectTimeout):
            name, cause = "upstreamTimeoutError", f"could not connect to {self.where} within {self.connect_s:g} s"
        elif isinstance(exc, (httpx.TimeoutException, TimeoutError)):
            name, cause = "upstreamTimeoutError", f"{self.where} sent no whole answer within {self.timeout_s:g} s"
        elif isinstance(exc, httpx.ConnectError):
            name, cause = _connect_failure(exc, self.where)
        elif isinstance(exc, httpx.DecodingError):
            name, cause = "upstreamProtocolError", f"the answer of {self.where} could not be decoded ({exc})"
        elif isinstance(exc, (httpx.RemoteProtocolError, httpx.ReadError, httpx.WriteError)):
            name, cause = "upstreamProtocolError", (f"{self.where} closed the connection or did not answer in "
                                                    f"HTTP ({exc or type(exc).__name__})")
        else:
            name, cause = _connect_failure(exc, self.where)
        return UpstreamFailure(url, name, cause, ms)

    def _too_large(self, url: str, started: float) -> UpstreamFailure:
        return UpstreamFailure(url, "upstreamTooLargeError",
                               f"the answer of {self.where} is larger than {self.max_size:,} bytes",
                               (time.perf_counter() - started) * 1000)

    def _client_options(self) -> dict[str, object]:
        return {"timeout": self._timeout(), "verify": self.verify, "trust_env": self._trust_env,
                "follow_redirects": False, "limits": httpx.Limits(max_connections=MAX_CONNECTIONS,
                                                                  max_keepalive_connections=MAX_CONNECTIONS // 2)}

    # ------------------------------------------------------------------------- async

    def _async_client(self) -> tuple[httpx.AsyncClient, bool]:
        """The current asyncio loop's pooled client (False: keep it), or a new one (True: close
        it after the exchange) under another event loop library."""
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return httpx.AsyncClient(**self._client_options()), True  # type: ignore[arg-type]
        with self._lock:
            client = self._clients.get(loop)
            if client is None or client.is_closed:
                client = httpx.AsyncClient(**self._client_options())  # type: ignore[arg-type]
                self._clients[loop] = client
        return client, False

    async def exchange(self, request: MockRequest, target: str | None = None) -> Exchange | UpstreamFailure:
        """Forward ``request`` on the running event loop (asyncio or trio, through anyio) and read the
        whole answer, within ``proxy_timeout`` seconds and ``proxy_max_size`` bytes (decoded).

        Args:
            request (MockRequest): the request to forward (method, path, query, headers without
                hop-by-hop ones: ``hygiene.upstream_headers``, body).
            target (str | None): the request target as received (see ``url_for``).

        Returns:
            Exchange | UpstreamFailure: the answer, or why there is none. An upstream's fault never
            raises.

        Examples:
            ```python
            got = await Upstream(MockOptions(proxy="http://127.0.0.1:8080")).exchange(request, "/users/7")
            ```
        """
        url, headers = self._outgoing(request, target)
        started = time.perf_counter()
        client, own = self._async_client()
        try:
            with anyio.fail_after(self.timeout_s):
                async with client.stream(request.method, url, headers=headers, content=request.body or None) as got:
                    body = bytearray()
                    async for chunk in got.aiter_bytes():
                        body += chunk
                        if len(body) > self.max_size:
                            return self._too_large(url, started)  # leaving the block closes the stream
            return self._exchange(url, got, bytes(body), started)
        except (httpx.HTTPError, OSError, TimeoutError, ssl.SSLError) as exc:
            return self._failure(exc, url, started)
        finally:
            if own:
                await client.aclose()

    async def aclose(self) -> None:
        """Close the current asyncio loop's pooled client (a server that stops calls it on its loop).

        Examples:
            ```python
            await upstream.aclose()
            ```
        """
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return
        with self._lock:
            client = self._clients.pop(loop, None)
        if client is not None:
            await client.aclose()

    # -------------------------------------------------------------------------- sync

    def exchange_sync(self, request: MockRequest, target: str | None = None) -> Exchange | UpstreamFailure:
        """``exchange`` for a caller without an event loop (the sync httpx transport), over one
        pooled ``httpx.Client``; ``proxy_timeout`` bounds the whole answer here too (checked
        between chunks).

        Args:
            request (MockRequest): as ``exchange``.
            target (str | None): as ``exchange``.

        Returns:
            Exchange | UpstreamFailure: as ``exchange``.

        Examples:
            ```python
            got = Upstream(MockOptions(proxy="http://127.0.0.1:8080")).exchange_sync(request)
            ```
        """
        url, headers = self._outgoing(request, target)
        started = time.perf_counter()
        with self._lock:
            if self._sync is None:
                self._sync = httpx.Client(**self._client_options())  # type: ignore[arg-type]
            client = self._sync
        deadline = started + self.timeout_s
        try:
            with client.stream(request.method, url, headers=headers, content=request.body or None) as got:
                body = bytearray()
                for chunk in got.iter_bytes():
                    body += chunk
                    if len(body) > self.max_size:
                        return self._too_large(url, started)
                    if time.perf_counter() > deadline:
                        raise TimeoutError()
            return self._exchange(url, got, bytes(body), started)
        except (httpx.HTTPError, OSError, TimeoutError, ssl.SSLError) as exc:
            return self._failure(exc, url, started)

    def close(self) -> None:
        """Close the sync client (a transport that is done); the next ``exchange_sync`` opens another.

        Examples:
            ```python
            upstream.close()
            ```
        """
        with self._lock:
            client, self._sync = self._sync, None
        if client is not None:
            client.close()

    def _exchange(self, url: str, got: httpx.Response, body: bytes, started: float) -> Exchange:
        ms = (time.perf_counter() - started) * 1000
        headers = tuple((k.decode("latin-1"), v.decode("latin-1")) for k, v in got.headers.raw)
        return Exchange(url, got.status_code, got.reason_phrase or answers.reason_phrase(got.status_code),
                        answer_headers(headers), body, ms)


def forwarded_answer(exchange: Exchange, origin: str | None, *, cors: bool) -> MockResponse:
    """The answer a client gets for a forwarded call: the upstream's status, headers (without
    hop-by-hop and length headers: the server computes its own) and decoded body, plus the
    automatic CORS headers when the mock's ``cors`` option is on and the upstream set none (as for
    a saved example: spec 9.9).

    Args:
        exchange (Exchange): what the upstream answered.
        origin (str | None): the request's ``Origin`` header.
        cors (bool): the mock's ``cors`` option.

    Returns:
        MockResponse: the answer to send.

    Examples:
        ```python
        forwarded_answer(got, "http://front.test", cors=True).status     # the upstream's status
        # its headers, plus the automatic CORS headers echoing http://front.test (answers.py)
        ```
    """
    response = MockResponse(exchange.status, exchange.reason, exchange.headers, exchange.body)
    return answers.answer_with_cors(response, origin, cors=cors)


def failure_answer(failure: UpstreamFailure, origin: str | None, *, cors: bool) -> MockResponse:
    """The 502 answer for ``failure``, in Postman's error shape (``{"error": {"name", "message"}}``,
    as Postman's mock servers answer their own errors: spec §1.7), with CORS as for any answer.

    Args:
        failure (UpstreamFailure): why the upstream gave no answer.
        origin (str | None): the request's ``Origin`` header.
        cors (bool): the mock's ``cors`` option.

    Returns:
        MockResponse: status 502, a JSON body naming ``failure.name`` and its cause.

    Examples:
        ```python
        failure_answer(UpstreamFailure("http://127.0.0.1:9/a", "upstreamConnectionError",
                                       "connection refused by 127.0.0.1:9", 1.2), None, cors=False).body
        # b'{"error": {"name": "upstreamConnectionError", "message": "mockkit could not forward ...'
        ```
    """
    message = f"mockkit could not forward this request to {failure.url}: {failure.cause}."
    return answers.error_answer(502, failure.name, message, cors=cors, origin=origin)
