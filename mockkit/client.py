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

With ``proxy=`` (issue 16) a call the mock does not answer goes to the upstream over a real
socket: an ``httpx.Client`` for a sync client, an ``httpx.AsyncClient`` awaited on the caller's
loop for an async one (nothing blocks it); recording and ``transport.save()`` work as for a
server. The transport itself is the mock, so nothing local needs a port.
"""

from __future__ import annotations

import os
import time
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, Unpack

import anyio
import anyio.to_thread
import httpx

from . import answers
from .engine import CALL_HEADER, MockEngine, Served, engine_for
from .errors import RequestError
from .model import MockRequest, wire_headers
from .options import MockOptions, OptionFields, resolve
from .testing.session import note_mock, settle_seed
from .testing.verify import CallAssertions

if TYPE_CHECKING:  # pragma: no cover
    from .forwarding import Forwarder

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
    """An httpx transport answered in process by a ``MockEngine``, for ``httpx.Client`` and
    ``httpx.AsyncClient`` alike: what ``mockkit.transport`` returns.

    It answers exactly as a server would (the same engine, call log, ``x-mockkit-call`` header,
    413 for a body over ``max_body_size``, 400 for a path that is not UTF-8), and has the call
    assertions of ``CallAssertions``. Closing it (its client's ``close`` or the end of a
    ``with`` block that raised nothing) runs ``verify()``: the checks chosen with ``set_checks``
    (``transport(strict=..., expect=...)``). The async side never blocks the event loop.

    Args:
        engine: the engine that answers.
        delays: wait out the delays asked for (``delay``, ``x-mock-response-delay``); False
            answers at once.

    Examples:
        ```python
        engine = mockkit.MockEngine("api.json", seed=1)
        client = httpx.Client(transport=EngineTransport(engine, delays=False), base_url="http://mock")
        ```
    """

    _explain_hint = "mockkit.explain(transport.engine, "

    def __init__(self, engine: MockEngine, *, delays: bool = True) -> None:
        self.engine = engine
        self.delays = delays
        self._warm = False
        self._forwarding: Forwarder | None = None  # issue 16: made on the first call the engine forwards
        if engine.recorder is not None:  # recordings make new engine generations (issue 16)
            engine.recorder.subscribe(self._use)

    def _use(self, engine: MockEngine) -> None:
        self.engine = engine

    def _forwarder(self) -> Forwarder:
        """This transport's link to the upstream (issue 16), kept for every engine generation."""
        if self._forwarding is None:
            from .forwarding import Forwarder

            self._forwarding = Forwarder()
        return self._forwarding

    def save(self, dest: str | os.PathLike[str] | None = None) -> list[Path]:
        """Write the examples this transport recorded to the collection's files (issue 16), as
        ``MockServer.save`` does.

        Args:
            dest (str | os.PathLike[str] | None): another place: a ``.json`` file (a v2.1
                export) or a folder that is absent or empty (a v3 tree); None: the collection's
                own file or folder.

        Returns:
            list[Path]: the files written (a v2.x file's ``.bak`` backup last).

        Raises:
            MockkitError: when the transport does not record, or has no file to write to.
            OSError: when a file cannot be written.

        Examples:
            ```python
            t = mockkit.transport("api.json", proxy="http://127.0.0.1:8080", record="new_episodes")
            httpx.Client(transport=t, base_url="http://mock").get("/users/7")
            t.save()          # [PosixPath('api.json'), PosixPath('api.json.bak')]
            ```
        """
        from .saving import save

        return save(self.engine, dest)

    def _where(self) -> str:
        return "the httpx transport"

    @property
    def calls(self) -> Any:
        """The call log of this transport's engine as a DataFrame, oldest first: the columns of
        ``MockServer.calls``."""
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
        """Answer one request of an ``httpx.Client`` (httpx calls this; you do not).

        Args:
            request: the request httpx built.

        Returns:
            The engine's answer as an ``httpx.Response``, after the delay asked for (``time.sleep``).

        Examples:
            ```python
            httpx.Client(transport=mockkit.transport("api.json")).get("http://mock/users/42")
            ```
        """
        mock_request = self._refusal(request, request.read())
        if isinstance(mock_request, httpx.Response):
            return mock_request
        served = self.engine.handle(mock_request)
        if served.forward is not None:  # issue 16: the upstream answers
            served = self._forwarder().run_sync(served.forward, request.url.raw_path.decode("ascii", "replace"))
        self._observe(served)
        if self.delays and served.delay_ms:
            time.sleep(served.delay_ms / 1000)
        return _response(served, request)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Answer one request of an ``httpx.AsyncClient`` (httpx calls this; you do not). Delays
        are awaited (asyncio or trio, through anyio); the first call waits for Faker's warm-up in
        a worker thread, never on the event loop.

        Args:
            request: the request httpx built.

        Returns:
            The engine's answer as an ``httpx.Response``.

        Examples:
            ```python
            async with httpx.AsyncClient(transport=mockkit.transport("api.json")) as client:
                await client.get("http://mock/users/42")
            ```
        """
        mock_request = self._refusal(request, await request.aread())
        if isinstance(mock_request, httpx.Response):
            return mock_request
        if not self._warm:  # Faker may still be starting in a thread: wait for it off the loop
            await anyio.to_thread.run_sync(self.engine.wait_ready)
            self._warm = True
        served = self.engine.handle(mock_request)
        if served.forward is not None:  # issue 16: the upstream answers, awaited on this loop
            served = await self._forwarder().run(served.forward, request.url.raw_path.decode("ascii", "replace"))
        self._observe(served)
        if self.delays and served.delay_ms:
            await anyio.sleep(served.delay_ms / 1000)
        return _response(served, request)

    def close(self) -> None:
        """Run ``verify()``: httpx calls this when its ``Client`` closes; a proxying transport
        closes its upstream connections first.

        Raises:
            MockAssertionError: a check chosen with ``set_checks`` failed (strict: a request got
                no example; ``expect``: an example was never served).

        Examples:
            ```python
            t = mockkit.transport("api.json", strict=True)
            with httpx.Client(transport=t, base_url="http://mock") as client:
                client.get("/users/42")
            # leaving the block closed the client, which ran t.close()
            ```
        """
        __tracebackhide__ = True
        if self._forwarding is not None:
            self._forwarding.close()
        self.verify()

    async def aclose(self) -> None:
        """Run ``verify()``: httpx calls this when its ``AsyncClient`` closes.

        Raises:
            MockAssertionError: a check chosen with ``set_checks`` failed.

        Examples:
            ```python
            async with httpx.AsyncClient(transport=mockkit.transport("api.json")) as client:
                await client.get("http://mock/users/42")
            ```
        """
        __tracebackhide__ = True
        if self._forwarding is not None:
            await self._forwarding.aclose()
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
    """An httpx transport that answers from ``collection`` in process: no socket, no thread.

    It answers exactly as ``serve`` would (the same engine, call log and answers; a body over
    ``max_body_size`` gets the server's 413) and has the call assertions (``assert_called``...).
    Without ``seed`` the running pytest test's seed is used, or a fresh one: ``transport.seed``
    says which.

    Args:
        collection: the Postman collection (a path, JSON text, bytes, a dict, a ``Collection``),
            or a ``MockEngine`` to share, used as it is (giving options or an environment too
            raises ``TypeError``).
        environment: a Postman environment, as for ``serve``.
        delays: wait out the delays asked for; False answers at once whatever delay is asked for.
        strict: make closing the client raise ``MockAssertionError`` when a request got no
            example. ``None``: on in a pytest session unless its ini says
            ``mockkit_strict = false``, off elsewhere.
        expect: examples the test means to use (ids, names or ``"Request / Example"``).
        assert_all_used: fail on close when an expected example was never served (``None``: on
            when ``expect`` names any; ``True`` alone: every example).
        options: how it matches and answers (``MockOptions``).
        **overrides: fields of ``MockOptions`` as keywords, applied over ``options``.

    Returns:
        An ``EngineTransport``: pass it as ``httpx.Client(transport=...)`` or
        ``httpx.AsyncClient(transport=...)``.

    Raises:
        CollectionError: the collection or environment cannot be loaded.
        ConfigError: an option has a value it cannot take.
        MockLookupError: an ``expect`` name that no example has.
        TypeError: a keyword that is not an option, or options given with a ``MockEngine``.

    Examples:
        ```python
        t = mockkit.transport("api.json", match_body=True)
        with httpx.Client(transport=t, base_url="http://mock") as client:
            client.post("/users", json={"name": "Ada"})
        t.assert_called_once("POST", "/users")

        async with httpx.AsyncClient(transport=mockkit.transport("api.json"), base_url="http://mock") as ac:
            await ac.get("/users/42")
        ```
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
