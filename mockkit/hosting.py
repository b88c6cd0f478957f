"""Running what answers HTTP (a ``server.MockApp`` around an engine or a hub): one way each.

* ``url_for(host, port)``: the URL of an address (an IPv6 address in brackets, RFC 3986 §3.2.2);
  ``MockServer.url``, the hub and the CLI banners.
* ``bind(host, port)``: the listening sockets, or a ``ServerError`` naming the address.
* ``ServerThread``: a Tornado server on its own asyncio loop in a daemon thread (the notebook
  case; ``MockServer``, ``HubServer``). ``start`` returns only once the socket listens, or
  re-raises the bind error in the caller; ``stop`` closes the socket and the connections and
  joins the thread. The thread never prints.
* ``run_until_signal(app, sockets)``: the foreground loop of ``mockkit serve`` (each worker of
  ``--workers``) and ``mockkit hub``, until SIGINT or SIGTERM.
* ``FileWatcher``: reloads when the collection or environment files change (``MockServer(watch=
  True)``, ``mockkit serve --watch``). A failed reload keeps the previous version serving; the
  error is recorded on the watcher (``MockServer.reload_errors``) and handed to ``on_reload``,
  which the CLI prints.
* ``Registry``: the servers this process started, by key, so running a notebook cell again
  replaces the server it started before (``serve``, ``serve_hub``) and keeps its port.
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import threading
from collections.abc import Callable, Hashable, Sequence
from pathlib import Path
from typing import Generic, Protocol, TypeVar

from tornado.httpserver import HTTPServer
from tornado.netutil import bind_sockets

from .errors import MockkitError, ServerError
from .formats.repo import file_stamps
from .server import MockApp, make_http_server

__all__ = ["url_for", "bind", "ServerThread", "run_until_signal", "FileWatcher", "watched_files", "Registry",
           "new_loop", "loop_kind"]

LOOP_ENV = "MOCKKIT_LOOP"
"""``uvloop`` in this environment variable runs servers on uvloop (when it is installed)."""


def loop_kind() -> str:
    """The event loop servers run on: asyncio's own, or ``uvloop`` when ``MOCKKIT_LOOP=uvloop``
    and uvloop is installed. Opt-in: measured with wrk on w1 (bench/run, issue 17), Tornado on
    uvloop answered +4 % requests per second at 16 connections but 3-5 % fewer at 256 (Tornado's
    streams use readiness callbacks, which uvloop barely speeds up), so it is not the default."""
    if os.environ.get(LOOP_ENV, "").strip().lower() != "uvloop" or os.name == "nt":
        return "asyncio"
    try:
        import uvloop  # type: ignore[import-not-found,unused-ignore]  # noqa: F401  (optional)
    except ImportError:
        return "asyncio"
    return "uvloop"


def new_loop() -> asyncio.AbstractEventLoop:
    """A new event loop of ``loop_kind()`` (Tornado runs on any asyncio loop)."""
    if loop_kind() == "uvloop":
        import uvloop

        loop: asyncio.AbstractEventLoop = uvloop.new_event_loop()
        return loop
    return asyncio.new_event_loop() if os.name != "nt" else asyncio.SelectorEventLoop()


def url_for(host: str, port: int | None) -> str:
    """``http://host:port``; an IPv6 address goes in brackets (``http://[::1]:3000``)."""
    if ":" in host and not host.startswith("["):
        host = f"[{host}]"
    return f"http://{host}:{port or 0}"


def bind(host: str, port: int, *, reuse_port: bool = False) -> list[socket.socket]:
    """Listening sockets for ``host``:``port`` (port 0: a free one, the same for every address
    ``host`` resolves to); ``reuse_port`` for prefork workers (``SO_REUSEPORT``). Raises
    ``ServerError`` naming the address when it cannot be had (in use, not this machine's)."""
    try:
        return bind_sockets(port, host, reuse_port=reuse_port)
    except OSError as exc:
        raise ServerError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from exc


class ServerThread:
    """A Tornado HTTP server for ``app`` on its own asyncio loop in a daemon thread."""

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
        """Listen and serve; returns once the socket listens. Raises ``ServerError`` when the
        address cannot be had or the loop does not start within ``timeout`` seconds."""
        self._ready.clear()
        self._error = None
        sockets = bind(self.host, self.requested_port)
        self.port = sockets[0].getsockname()[1]
        self._thread = threading.Thread(target=self._run, args=(sockets,), name=f"mockkit-{self.port}", daemon=True)
        self._thread.start()
        if not self._ready.wait(timeout):
            raise ServerError(f"the server thread did not start within {timeout} s")
        if self._error is not None:
            raise ServerError(f"the server failed to start: {self._error}") from self._error

    def _run(self, sockets: list[socket.socket]) -> None:
        loop = new_loop()
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
        """Stop accepting, close the open connections (up to half of ``timeout``), end the loop
        and join the thread (up to ``timeout`` seconds)."""
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
            await self.app.aclose()
            loop.stop()

        if not loop.is_closed():
            try:
                loop.call_soon_threadsafe(lambda: loop.create_task(shutdown()))
            except RuntimeError:  # loop already closed
                pass
        thread.join(timeout)
        self._thread = None
        self.port = None if not thread.is_alive() else self.port


def run_until_signal(app: MockApp, sockets: Sequence[socket.socket], *, grace: float = 5.0) -> None:
    """Serve ``app`` on ``sockets`` in this thread until SIGINT or SIGTERM, then stop accepting
    and close the open connections (waiting up to ``grace`` seconds for answers in flight)."""

    async def run() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        server = make_http_server(app)
        server.add_sockets(sockets)
        await stop.wait()
        server.stop()
        try:
            await asyncio.wait_for(server.close_all_connections(), grace)
        except asyncio.TimeoutError:
            pass
        await app.aclose()

    with asyncio.Runner(loop_factory=new_loop) as runner:
        runner.run(run())


def watched_files(*sources: object) -> list[Path]:
    """The files among ``sources`` (paths to a collection file, a v3 folder, an environment;
    JSON text, dicts and loaded collections are not files), those that exist."""
    out = []
    for source in sources:
        if isinstance(source, (str, os.PathLike)) and not str(source).lstrip().startswith(("{", "[")):
            if Path(source).exists():
                out.append(Path(source))
    return out


class FileWatcher:
    """Calls ``reload()`` when ``files`` change (polled every ``interval`` seconds on a daemon
    thread; a v3 folder counts as all its files: new, deleted and renamed ones too).

    A reload that raises keeps the previous version serving: ``errors`` keeps its message (the
    last 50), and ``on_reload(error)`` is called with it (``on_reload(None)`` after a good one).
    """

    MAX_ERRORS = 50

    def __init__(self, files: Sequence[Path], reload: Callable[[], object], *,
                 on_reload: Callable[[str | None], None] | None = None, interval: float = 0.25) -> None:
        self.files: list[str | os.PathLike[str]] = list(files)
        self.reload = reload
        self.on_reload = on_reload
        self.interval = interval
        self.errors: list[str] = []
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> FileWatcher:
        """Start watching (nothing to do when there are no files)."""
        if self.files and self._thread is None:
            self._stop.clear()
            last = file_stamps(self.files)  # now: an edit made once start() returns is noticed
            self._thread = threading.Thread(target=self._watch, args=(last,), name="mockkit-watch", daemon=True)
            self._thread.start()
        return self

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    def _watch(self, last: tuple[object, ...]) -> None:
        while not self._stop.wait(self.interval):
            now = file_stamps(self.files)
            if now == last:
                continue
            last = now
            error: str | None = None
            try:
                self.reload()
            except Exception as exc:  # keep serving the previous version; say why
                error = str(exc) if isinstance(exc, MockkitError) else f"{type(exc).__name__}: {exc}"
                self.errors.append(error)
                del self.errors[:-self.MAX_ERRORS]
            if self.on_reload is not None:
                try:
                    self.on_reload(error)
                except Exception:
                    pass


class Hosted(Protocol):
    """What a ``Registry`` holds: a running server with an address that can be stopped."""

    host: str

    @property
    def port(self) -> int | None: ...

    def stop(self) -> None: ...


H = TypeVar("H", bound=Hosted)


class Registry(Generic[H]):
    """The servers this process started, by key (a collection and its address; a hub's data
    folder), so starting one again replaces the old one (a notebook cell run twice)."""

    def __init__(self) -> None:
        self._items: dict[Hashable, H] = {}
        self._lock = threading.Lock()

    def replace(self, key: Hashable, host: str, port: int, start: Callable[[int], H]) -> H:
        """Stop the server held under ``key`` (if any), then ``start(port)`` a new one and hold
        it. When no port is asked for (0) and the old one listened on the same host, its port is
        taken again, so URLs printed earlier stay valid; if that port cannot be had (a
        ``ServerError``), a free one."""
        with self._lock:
            old = self._items.pop(key, None)
        reuse = (old.port or 0) if old is not None and port == 0 and old.host == host else 0
        if old is not None:
            old.stop()
        try:
            server = start(reuse or port)
        except ServerError:
            if not reuse:
                raise
            server = start(port)
        with self._lock:
            self._items[key] = server
        return server

    def forget(self, server: H) -> None:
        """Drop ``server`` (it stopped)."""
        with self._lock:
            for key in [k for k, held in self._items.items() if held is server]:
                del self._items[key]

    def held(self) -> list[H]:
        with self._lock:
            return list(self._items.values())

    def stop_all(self) -> None:
        """Stop every server held."""
        with self._lock:
            servers = list(self._items.values())
            self._items.clear()
        for server in servers:
            server.stop()
