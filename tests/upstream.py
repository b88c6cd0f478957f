"""A small real API for the proxy and record tests (issue 16): a Tornado app on 127.0.0.1 in a
thread of the test process, started and stopped by the test (``Upstream.start`` / ``stop``).

Routes: ``/users/<id>`` (JSON, sets a cookie), ``/items?page=N``, ``/echo`` (any method: the
request it got, as JSON), ``/gzip`` (a gzip-compressed JSON answer), ``/slow?ms=N`` (answers
after N ms, without blocking its loop), ``/binary`` (PNG bytes), ``/big?bytes=N``,
``/status/<code>``, ``/secret`` (a token in a JSON body), ``/gate`` (answers once the test calls
``release()``: a slow upstream the test controls). ``hits`` counts requests per path.
"""

from __future__ import annotations

import asyncio
import gzip
import json
import ssl
import threading
from collections import Counter

from tornado.httpserver import HTTPServer
from tornado.netutil import bind_sockets
from tornado.web import Application, RequestHandler

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89\xff"


class _Base(RequestHandler):
    def prepare(self) -> None:
        self.application.settings["hits"][self.request.path] += 1

    def send_json(self, value: object, status: int = 200) -> None:
        self.set_status(status)
        self.set_header("Content-Type", "application/json")
        self.finish(json.dumps(value))


class Users(_Base):
    def get(self, user_id: str) -> None:
        self.set_header("Set-Cookie", f"session=s3cr3t-{user_id}; HttpOnly")
        if user_id == "0":
            self.send_json({"error": "no such user"}, 404)
            return
        self.send_json({"id": int(user_id), "name": f"User {user_id}"})


class Items(_Base):
    def get(self) -> None:
        page = int(self.get_query_argument("page", "1"))
        self.send_json({"page": page, "items": [f"item-{page}-{i}" for i in range(3)]})


class Echo(_Base):
    def _echo(self) -> None:
        self.send_json({"method": self.request.method, "uri": self.request.uri,
                        "headers": {k.lower(): v for k, v in self.request.headers.get_all()},
                        "body": self.request.body.decode("utf-8", "replace")})

    get = post = put = delete = patch = _echo  # type: ignore[assignment]


class Gzip(_Base):
    def get(self) -> None:
        self.set_header("Content-Type", "application/json")
        self.set_header("Content-Encoding", "gzip")
        self.finish(gzip.compress(json.dumps({"compressed": True, "text": "héllo " * 50}).encode()))


class Slow(_Base):
    async def get(self) -> None:
        await asyncio.sleep(int(self.get_query_argument("ms", "1000")) / 1000)
        self.send_json({"slow": True})


class Gate(_Base):
    async def get(self) -> None:
        await self.application.settings["gate"].wait()
        self.send_json({"released": True})


class Binary(_Base):
    def get(self) -> None:
        self.set_header("Content-Type", "image/png")
        self.finish(PNG)


class Big(_Base):
    def get(self) -> None:
        self.set_header("Content-Type", "text/plain")
        self.finish(b"x" * int(self.get_query_argument("bytes", "1000")))


class Status(_Base):
    def get(self, code: str) -> None:
        self.send_json({"status": int(code)}, int(code))


class Secret(_Base):
    def post(self) -> None:
        self.send_json({"access_token": "tok-123", "user": {"password": "pw", "name": "ann"}})


def app(hits: Counter[str], gate: asyncio.Event) -> Application:
    return Application([(r"/users/(\d+)", Users), (r"/items", Items), (r"/echo.*", Echo), (r"/gzip", Gzip),
                        (r"/slow", Slow), (r"/binary", Binary), (r"/big", Big), (r"/status/(\d+)", Status),
                        (r"/secret", Secret), (r"/gate", Gate)], hits=hits, gate=gate)


class Upstream:
    """The app on 127.0.0.1 (a free port, or ``port``) in a daemon thread with its own loop;
    over TLS with ``ssl_context`` (a server context, e.g. from ``trustme``)."""

    def __init__(self, port: int = 0, ssl_context: ssl.SSLContext | None = None) -> None:
        self.hits: Counter[str] = Counter()
        self.sockets = bind_sockets(port, "127.0.0.1")
        self.port = self.sockets[0].getsockname()[1]
        self.ssl_context = ssl_context
        self.url = f"{'https' if ssl_context else 'http'}://127.0.0.1:{self.port}"
        self._loop: asyncio.AbstractEventLoop | None = None
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True, name=f"upstream-{self.port}")

    def start(self) -> Upstream:
        self._thread.start()
        assert self._ready.wait(10), "the upstream did not start"
        return self

    def _run(self) -> None:
        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        self._loop = loop
        self.gate = asyncio.Event()
        server = HTTPServer(app(self.hits, self.gate), ssl_options=self.ssl_context)
        server.add_sockets(self.sockets)
        self._server = server
        self._ready.set()
        loop.run_forever()
        loop.close()

    def release(self) -> None:
        """Let every ``/gate`` request (waiting or to come) answer."""
        assert self._loop is not None
        self._loop.call_soon_threadsafe(self.gate.set)

    def stop(self) -> None:
        """Stop listening, close connections, end the loop and join the thread (bounded)."""
        loop = self._loop
        if loop is None or not self._thread.is_alive():
            return

        async def shutdown() -> None:
            self.gate.set()
            self._server.stop()
            await asyncio.wait_for(self._server.close_all_connections(), 5)
            loop.stop()

        loop.call_soon_threadsafe(lambda: loop.create_task(shutdown()))
        self._thread.join(10)
        assert not self._thread.is_alive(), "the upstream did not stop"

    def __enter__(self) -> Upstream:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
