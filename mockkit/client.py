"""httpx on top of mockkit: a client bound to a running server, and a transport with no socket.

    transport = mockkit.transport("api.json")
    with httpx.Client(transport=transport, base_url="http://mock") as client:
        client.get("/users/42")                       # answered by the engine, in process

The transport works for ``httpx.Client`` and ``httpx.AsyncClient`` alike and answers exactly as
the server would (same engine, same journal, same call-id header). It has the call assertions
of ``MockServer`` (``assert_called``, ``assert_all_matched``, ``reset``...: ``mockkit.testing.verify``);
in a pytest session it is strict by default: closing its client (``with`` block or ``close``)
raises ``MockAssertionError`` when a request got no example. The async side never blocks the event
loop: delays are awaited (asyncio or trio, through anyio) and the first request waits for
Faker's warm-up in a worker thread.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import replace
from types import TracebackType
from typing import Any, Unpack

import anyio
import anyio.to_thread
import httpx

from . import answers
from .engine import CALL_HEADER, MockEngine, Served, engine_for
from .errors import RequestError
from .model import MockRequest, wire_headers
from .options import MockOptions, OptionFields, resolve
from .testing.verify import CallAssertions, note_mock, settle_seed

__all__ = ["EngineTransport", "transport", "bound_client", "CALL_HEADER"]




def _mock_request(request: httpx.Request, body: bytes) -> MockRequest:
    """The request as the server would read it (``MockRequest.from_target``; raises
    ``RequestError`` for a path that is not UTF-8)."""
    target = request.url.raw_path.decode("ascii", errors="replace")
    return MockRequest.from_target(request.method, target, wire_headers(request.headers.raw), body)


def _response(served: Served, request: httpx.Request) -> httpx.Response:
    answer = served.response
    call = ((CALL_HEADER, served.call_id),) if served.call_id is not None else ()
    headers = [(k.encode("latin-1", "replace"), v.encode("latin-1", "replace")) for k, v in (*answer.headers, *call)]
    content = b"" if request.method == "HEAD" else answer.body
    return httpx.Response(
        answer.status,
        headers=headers,
        content=content,
        request=request,
        extensions={"reason_phrase": answer.reason.encode("ascii", "replace")},
    )


class EngineTransport(CallAssertions, httpx.BaseTransport, httpx.AsyncBaseTransport):
    """An httpx transport answered by a ``MockEngine`` (sync and async), with the call
    assertions of ``mockkit.testing.verify.CallAssertions``. Closing it (its client's ``close`` or the
    end of a ``with`` block that raised nothing) runs ``verify()``: the checks chosen with
    ``set_checks`` (``transport(strict=..., expect=...)``)."""

    _explain_hint = "mockkit.explain(transport.engine, "

    def __init__(self, engine: MockEngine, *, delays: bool = True) -> None:
        self.engine = engine
        self.delays = delays
        self._warm = False

    def _where(self) -> str:
        return "the httpx transport"

    @property
    def calls(self) -> Any:
        """The call log of this transport's engine, as a DataFrame (like ``MockServer.calls``)."""
        from .report import calls_frame

        return calls_frame(self.engine.journal.snapshot())

    def _refusal(self, request: httpx.Request, body: bytes) -> httpx.Response | MockRequest:
        """What the server refuses before the engine sees it, refused the same way: a body over
        ``max_body_size`` (413), a path that is not UTF-8 (400). Else the request to answer."""
        limit = self.engine.options.max_body_size
        try:
            if len(body) > limit:
                raise RequestError(f"The request body is larger than {limit:,} bytes.", status=413,
                                   name="payloadTooLargeError")
            return _mock_request(request, body)
        except RequestError as exc:
            answer = answers.error_answer(exc.status, exc.name, str(exc), cors=self.engine.cors,
                                          origin=request.headers.get("origin"))
            return _response(Served(answer, None, None, None, None), request)

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        mock_request = self._refusal(request, request.read())
        if isinstance(mock_request, httpx.Response):
            return mock_request
        served = self.engine.handle(mock_request)
        self._observe(served)
        if self.delays and served.delay_ms:
            time.sleep(served.delay_ms / 1000)
        return _response(served, request)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        mock_request = self._refusal(request, await request.aread())
        if isinstance(mock_request, httpx.Response):
            return mock_request
        if not self._warm:  # Faker may still be starting in a thread: wait for it off the loop
            await anyio.to_thread.run_sync(self.engine.wait_ready)
            self._warm = True
        served = self.engine.handle(mock_request)
        self._observe(served)
        if self.delays and served.delay_ms:
            await anyio.sleep(served.delay_ms / 1000)
        return _response(served, request)

    def close(self) -> None:
        """Run ``verify()`` (raises ``MockAssertionError`` when a check fails)."""
        __tracebackhide__ = True
        self.verify()

    async def aclose(self) -> None:
        __tracebackhide__ = True
        self.verify()

    def __exit__(self, exc_type: type[BaseException] | None = None, exc: BaseException | None = None,
                 tb: TracebackType | None = None) -> None:
        __tracebackhide__ = True
        if exc_type is None:  # never hide the error that is already on its way
            self.verify()

    async def __aexit__(self, exc_type: type[BaseException] | None = None, exc: BaseException | None = None,
                        tb: TracebackType | None = None) -> None:
        __tracebackhide__ = True
        if exc_type is None:
            self.verify()


def transport(
    collection: Any,
    environment: Any = None,
    *,
    delays: bool = True,
    strict: bool | None = None,
    expect: Sequence[str] = (),
    assert_all_used: bool | None = None,
    options: MockOptions | None = None,
    **overrides: Unpack[OptionFields],
) -> EngineTransport:
    """An httpx transport over a new engine for ``collection`` (or over a ``MockEngine``).

    ``options`` and the keyword ``overrides`` are ``MockOptions``, as for ``serve`` (a request
    body over ``max_body_size`` gets the server's 413). Without ``seed`` the running pytest
    test's seed is used, or a fresh one: ``transport.seed`` says which. ``delays=False`` answers
    at once whatever delay is asked for. ``strict`` (default: on in a pytest session unless the
    ini says ``mockkit_strict = false``; off elsewhere) makes closing the client raise
    ``MockAssertionError`` when a request got no example; ``expect`` / ``assert_all_used`` as
    ``CallAssertions.set_checks``. Raises ``CollectionError`` for a collection that cannot be
    loaded, ``ConfigError`` for a bad option and ``MockLookupError`` for an ``expect`` name no
    example has.
    """
    if isinstance(collection, MockEngine):
        engine = engine_for(collection, environment, options, overrides)
    else:
        resolved = resolve(options, overrides)
        engine = MockEngine(collection, environment, options=replace(resolved, seed=settle_seed(resolved.seed)))
    note_mock(f"transport for '{engine.collection.name}'", engine.seed)
    made = EngineTransport(engine, delays=delays)
    made.set_checks(strict=strict, expect=expect, assert_all_used=assert_all_used)
    return made


def bound_client(base_url: str, timeout: float = 30.0) -> httpx.Client:
    """A client for a running server (no proxies from the environment: loopback only)."""
    return httpx.Client(base_url=base_url, timeout=timeout, trust_env=False)
