"""httpx on top of mockkit: a client bound to a running server, and a transport with no socket.

    transport = mockkit.transport("api.json")
    with httpx.Client(transport=transport, base_url="http://mock") as client:
        client.get("/users/42")                       # answered by the engine, in process

The transport works for ``httpx.Client`` and ``httpx.AsyncClient`` alike and answers exactly as
the server would (same engine, same journal, same call-id header).
"""

from __future__ import annotations

import asyncio
import time
from typing import Any
from urllib.parse import parse_qsl

import httpx

from .engine import CALL_HEADER, MockEngine, Served
from .model import HTTP_WHITESPACE, MockRequest, header_text

__all__ = ["EngineTransport", "transport", "bound_client", "CALL_HEADER"]




def _mock_request(request: httpx.Request, body: bytes) -> MockRequest:
    target = request.url.raw_path.decode("ascii", errors="replace")
    path, _, query_string = target.partition("?")
    query = tuple(parse_qsl(query_string, keep_blank_values=True)) if query_string else ()
    headers = tuple((header_text(k), header_text(v).strip(HTTP_WHITESPACE)) for k, v in request.headers.raw)
    return MockRequest(request.method.upper(), path or "/", query, headers, body)


def _response(served: Served, request: httpx.Request) -> httpx.Response:
    answer = served.response
    headers = [(k.encode("latin-1", "replace"), v.encode("latin-1", "replace"))
               for k, v in (*answer.headers, (CALL_HEADER, served.call_id))]
    content = b"" if request.method == "HEAD" else answer.body
    return httpx.Response(
        answer.status,
        headers=headers,
        content=content,
        request=request,
        extensions={"reason_phrase": answer.reason.encode("ascii", "replace")},
    )


class EngineTransport(httpx.BaseTransport, httpx.AsyncBaseTransport):
    """An httpx transport answered by a ``MockEngine`` (sync and async)."""

    def __init__(self, engine: MockEngine, *, delays: bool = True) -> None:
        self.engine = engine
        self.delays = delays

    @property
    def calls(self) -> Any:
        """The call log of this transport's engine, as a DataFrame (like ``MockServer.calls``)."""
        from .report import calls_frame

        return calls_frame(self.engine.journal.snapshot())

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        served = self.engine.handle(_mock_request(request, request.read()))
        if self.delays and served.delay_ms:
            time.sleep(served.delay_ms / 1000)
        return _response(served, request)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        served = self.engine.handle(_mock_request(request, await request.aread()))
        if self.delays and served.delay_ms:
            await asyncio.sleep(served.delay_ms / 1000)
        return _response(served, request)


def transport(collection: Any, environment: Any = None, *, delays: bool = True, **engine_options: Any) -> EngineTransport:
    """An httpx transport over a new engine for ``collection`` (engine options as ``MockEngine``)."""
    engine = collection if isinstance(collection, MockEngine) else MockEngine(collection, environment, **engine_options)
    return EngineTransport(engine, delays=delays)


def bound_client(base_url: str, timeout: float = 30.0) -> httpx.Client:
    """A client for a running server (no proxies from the environment: loopback only)."""
    return httpx.Client(base_url=base_url, timeout=timeout, trust_env=False)
