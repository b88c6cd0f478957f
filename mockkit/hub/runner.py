"""Running a hub: in a background thread (``HubServer``, ``serve_hub``) or in the foreground
(``run_hub``, ``mockkit hub``). The decisions are in the package docstring (``mockkit.hub``)."""

from __future__ import annotations

import atexit
import os
import sys
import warnings
from pathlib import Path
from typing import TextIO

from ..errors import ConfigError
from ..hosting import Registry, ServerThread, bind, run_until_signal, url_for
from ..options import HUB_MAX_BODY_SIZE, MockOptions
from ..proxyconfig import refuse_for_hub
from ..server import MockApp
from ..terminal import printable
from .app import HubApp
from .client import Hub
from .folder import KEY_FILE, default_data_dir, load_api_key
from .store import HubStore

__all__ = ["HubServer", "serve_hub", "run_hub", "HUB_MAX_BODY"]

LOOPBACK = ("127.0.0.1", "localhost", "::1")
HUB_MAX_BODY = HUB_MAX_BODY_SIZE
"""Bytes a hub request body may have (``options.HUB_MAX_BODY_SIZE``); larger ones get a 413.
``serve_hub(max_body_size=)``, ``mockkit hub --max-body``."""
# ------------------------------------------------------------------------------- running it


class HubServer:
    """A hub: many mocks behind a management API shaped like Postman's mock API, served from a
    daemon thread of this process (what ``serve_hub`` returns; ``mockkit hub`` runs one in the
    foreground).

    Its state (collections, environments, mocks, call logs, server responses) lives in SQLite in
    ``data_dir`` and survives restarts; only one hub may hold a folder at a time. Mocks answer
    at ``<url>/m/<mockId>/...``; management calls need ``x-api-key``.

    Args:
        data_dir: the data folder; ``None``: ``mockkit/hub`` in the user data folder
            (platformdirs). Created private (0700) when missing.
        host: the address to listen on (a warning when it is not loopback: anyone who can reach
            it can call public mocks).
        port: the TCP port; 0 picks a free one.
        api_key: the management key; ``None``: the key stored in ``data_dir`` (generated and
            stored, mode 0600, on first start: ``key_created``).
        call_log_size: calls kept per mock in the call log.
        call_log_timeout: seconds a call-log write waits for the database lock before the row is
            counted as dropped.
        max_body_size: bytes a request body may have (413 above); collection uploads are big.
        options: every mock's defaults (``MockOptions``), which a mock's ``config`` overrides.

    Examples:
        ```python
        with mockkit.HubServer("./hub-data").start() as hub:
            hub.client.list_mocks()
        ```
    """

    def __init__(self, data_dir: str | os.PathLike[str] | None = None, host: str = "127.0.0.1", port: int = 0,
                 api_key: str | None = None, *, call_log_size: int = 1000, call_log_timeout: float = 5.0,
                 max_body_size: int = HUB_MAX_BODY, options: MockOptions | None = None) -> None:
        self.data_dir = Path(data_dir) if data_dir is not None else default_data_dir()
        self.host = host
        self._port = port
        self._given_key = api_key
        self._call_log_size = call_log_size
        self._call_log_timeout = call_log_timeout  # s a call-log write waits for the database lock
        self._max_body_size = max_body_size
        refuse_for_hub(options)  # issue 16: a hub's mocks do not proxy
        self.options = options or MockOptions()  # every mock's defaults; a mock's config overrides them
        self.api_key = ""
        self.key_created = False
        self.store: HubStore | None = None
        self._thread: ServerThread | None = None
        self._app: HubApp | None = None
        self._client: Hub | None = None

    def start(self) -> "HubServer":
        """Open the data folder and listen; returns once the socket listens.

        Returns:
            This hub (``.url``, ``.api_key``, ``.client``).

        Raises:
            ServerError: the address is in use, another hub holds the data folder, the folder or
                its database cannot be opened, or the database was written by a newer mockkit.
            ConfigError: an empty ``api_key``.

        Examples:
            ```python
            hub = mockkit.HubServer("./hub-data", port=3100).start()
            print(hub.url, hub.api_key)
            ```
        """
        if self.host not in LOOPBACK and self.host.strip("[]") not in LOOPBACK:
            warnings.warn(f"the hub listens on {self.host}: anyone who can reach it can call public mocks",
                          stacklevel=3)
        store = HubStore(self.data_dir)
        try:
            self.api_key, self.key_created = load_api_key(self.data_dir, self._given_key)
            app = self._app = HubApp(store, self.api_key, call_log_size=self._call_log_size,
                                     call_log_timeout=self._call_log_timeout, defaults=self.options)
            limits = MockOptions(max_body_size=self._max_body_size)
            self._thread = ServerThread(MockApp(app, options=limits), self.host, self._port)
            self._thread.start()
        except BaseException:
            if self._app is not None:
                self._app.close()
                self._app = None
            store.close()
            raise
        self.store = store
        if self.host not in ("0.0.0.0", "::", ""):
            app.public_url = self.url
        return self

    @property
    def running(self) -> bool:
        """Whether the hub is listening."""
        return self._thread is not None and self._thread.running

    @property
    def port(self) -> int | None:
        """The TCP port it listens on; ``None`` when stopped."""
        return self._thread.port if self._thread is not None else None

    @property
    def url(self) -> str:
        """Its base URL, ``http://host:port``; mocks answer at ``<url>/m/<mockId>``."""
        return url_for(self.host, self.port)

    @property
    def client(self) -> "Hub":
        """A ``Hub`` client bound to this hub and its key."""
        if self._client is None:
            self._client = Hub(self.url, self.api_key)
        return self._client

    def stop(self) -> None:
        """Stop serving, write the queued call logs, close the database (releasing the data
        folder) and the client. Stopping a stopped hub does nothing.

        Examples:
            ```python
            hub = mockkit.serve_hub("./hub-data")
            hub.stop()
            ```
        """
        if self._thread is not None:
            self._thread.stop()
            self._thread = None
        if self._app is not None:
            self._app.close()
            self._app = None
        if self.store is not None:
            self.store.close()
            self.store = None
        if self._client is not None:
            self._client.close()
            self._client = None
        _hubs.forget(self)

    def __enter__(self) -> "HubServer":
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def __repr__(self) -> str:
        state = f"running at {self.url}" if self.running else "stopped"
        return f"<HubServer {state}, data {self.data_dir}>"


_hubs: Registry[HubServer] = Registry()
atexit.register(_hubs.stop_all)  # call logs still queued are written


def serve_hub(data_dir: str | os.PathLike[str] | None = None, host: str = "127.0.0.1", port: int = 0,
              api_key: str | None = None, *, call_log_size: int = 1000, call_log_timeout: float = 5.0,
              max_body_size: int = HUB_MAX_BODY, options: MockOptions | None = None) -> HubServer:
    """Start a hub (many mocks behind Postman's mock API) in a background thread; returns once
    it listens.

    Like ``serve``, re-running the notebook cell replaces the hub this process already runs on the
    same folder (only one hub may hold a folder) and, when no port is asked for, keeps its port.

    Args:
        data_dir: the data folder (SQLite); ``None``: ``mockkit/hub`` in the user data folder.
        host: the address to listen on (loopback by default).
        port: the TCP port; 0 picks a free one.
        api_key: the management key; ``None``: the key stored in ``data_dir`` (generated on
            first start and stored with mode 0600).
        call_log_size: calls kept per mock.
        call_log_timeout: seconds a call-log write waits for the database lock.
        max_body_size: bytes a request body may have (413 above; default 64 MiB, since
            collection uploads are big).
        options: every mock's defaults (``MockOptions``), which a mock's ``config`` overrides
            (``matchBody``, ``distanceThreshold``...: ``MockOptions.from_postman_config``).

    Returns:
        The running ``HubServer`` (``.url``, ``.api_key``, ``.client``, ``.stop()``; a context
        manager).

    Raises:
        ServerError: the address is in use, another hub holds the folder, or its database cannot
            be opened.
        ConfigError: an empty ``api_key``.

    Examples:
        ```python
        hub = mockkit.serve_hub("./hub-data")
        uid = hub.client.create_collection("api.postman_collection.json")["collection"]["uid"]
        mock = hub.client.create_mock(uid, name="staging")["mock"]
        httpx.get(mock["mockUrl"] + "/users/42")
        hub.stop()
        ```
    """
    folder = (Path(data_dir) if data_dir is not None else default_data_dir()).resolve()

    def start(at: int) -> HubServer:
        return HubServer(folder, host, at, api_key, call_log_size=call_log_size, call_log_timeout=call_log_timeout,
                         max_body_size=max_body_size, options=options).start()

    return _hubs.replace(folder, host, port, start)


def run_hub(data_dir: str | None, host: str, port: int, api_key: str | None,
            out: TextIO = sys.stdout, err: TextIO = sys.stderr, *, max_body_size: int = HUB_MAX_BODY,
            options: MockOptions | None = None) -> int:
    """``mockkit hub``: serve in the foreground until SIGINT/SIGTERM."""
    refuse_for_hub(options)
    if api_key is not None and not api_key.strip():
        raise ConfigError("api_key", "must not be empty")
    directory = Path(data_dir) if data_dir else default_data_dir()
    store = HubStore(directory)
    try:
        if host not in LOOPBACK:
            err.write(f"mockkit: warning: the hub listens on {printable(host)}: anyone who can reach this address can "
                      "call its public mocks (admin calls still need the key)\n")
        sockets = bind(host, port)
        key, created = load_api_key(directory, api_key)  # after binding: a new key is always shown
        url = url_for(host, sockets[0].getsockname()[1])
        app = HubApp(store, key, public_url=None if host in ("0.0.0.0", "::") else url, defaults=options)
        out.write(printable(f"mockkit hub at {url} (data: {directory})") + "\n")
        if created:
            out.write(printable(f"API key (shown once; stored in {directory / KEY_FILE}): {key}") + "\n")
        else:
            out.write(printable("API key: " + ("from --api-key" if api_key else f"stored in {directory / KEY_FILE}")) + "\n")
        out.write(printable(f"Mocks answer at {url}/m/<mockId>/...") + " Ctrl-C stops the hub.\n")
        out.flush()

        try:
            run_until_signal(MockApp(app, options=MockOptions(max_body_size=max_body_size)), sockets)
        finally:
            app.close()
    finally:
        store.close()
    out.write("mockkit hub stopped.\n")
    return 0
