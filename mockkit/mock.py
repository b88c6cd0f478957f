"""``mockkit.serve(...)`` and ``MockServer``: a running mock you can call, explain and stop.

    mock = mockkit.serve("api.json")          # listening when it returns (port 0 -> a free port)
    r = mock.get("/users/42")                 # an httpx.Response
    mock.explain(r)                           # why that example, as a DataFrame
    mock.stop()

Re-running the cell that calls ``serve`` for the same collection replaces the old server and,
when no port was asked for, keeps its port, so URLs printed earlier stay valid. ``stop_all()``
(also run at interpreter exit) stops every server this process started.
"""

from __future__ import annotations

import atexit
import html
import os
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Unpack

from .engine import CALL_HEADER, MockEngine
from .calling import HttpCalls
from .errors import MockLookupError, RequestError, ServerError
from .hosting import FileWatcher, Registry, ServerThread, url_for, watched_files
from .model import Collection, MockRequest
from .options import MockOptions, OptionFields, resolve
from .server import MockApp
from .testing.session import note_mock, settle_seed
from .testing.verify import CallAssertions

if TYPE_CHECKING:  # pragma: no cover
    import httpx
    import pandas as pd

    from .explanation import Explanation

__all__ = ["MockServer", "serve", "stop_all", "running_servers"]


def _source_key(collection: Any) -> str:
    if isinstance(collection, (str, os.PathLike)) and not str(collection).lstrip().startswith(("{", "[")):
        return str(Path(collection).resolve())
    if isinstance(collection, Collection):
        return f"collection:{collection.source}:{collection.name}"
    if isinstance(collection, dict):
        info = collection.get("collection", collection).get("info", {}) if isinstance(collection.get("collection", collection), dict) else {}
        return f"dict:{info.get('_postman_id') or info.get('name')}"
    return f"object:{id(collection)}"


class MockServer(HttpCalls, CallAssertions):
    """A mock server for one collection: a Tornado server on its own event loop, in a daemon
    thread of this process (a Jupyter kernel, a script, a test).

    ``serve`` makes one and starts it (and replaces it when a notebook cell runs again); make
    one yourself to start it later or to hold several for one collection. Besides calling and
    explaining, it has the call assertions (``assert_called``, ``assert_not_called``,
    ``calls_to``, ``assert_all_matched``, ``reset``...: ``CallAssertions``). Without ``seed`` it
    picks one (the running pytest test's, or a fresh one), so its fake data can be replayed:
    ``mock.seed``.

    Args:
        collection: the Postman collection: a path (a v2.0/v2.1 JSON export or a v3 collection
            folder), JSON text, bytes, a dict, or a loaded ``Collection``.
        environment: a Postman environment (a JSON export or ``*.environment.yaml`` path, JSON
            text, a dict, an ``Environment``); its values fill ``{{variables}}``.
        host: the address to listen on (loopback by default; ``"::1"`` for IPv6).
        port: the TCP port; 0 picks a free one (``mock.port`` says which).
        watch: reload when the collection or environment files change (a v3 folder is watched
            whole); a broken edit keeps the previous version serving (``reload_errors``).
        on_call: called after each answer as ``on_call(request, served, ms)`` with the
            ``MockRequest``, the engine's ``Served`` (``None`` for a request refused before the
            engine) and the time taken in ms; it runs on the server thread, so keep it short.
        options: how it matches and answers (``MockOptions``).
        **overrides: fields of ``MockOptions`` as keywords (``match_body=True``, ``delay="3G"``,
            ``cors=False``...), applied over ``options``.

    Raises:
        CollectionError: the collection or environment cannot be loaded (the message names the
            file, the JSON path or ``file:line:column``, and what was expected there).
        ConfigError: an option has a value it cannot take.
        TypeError: a keyword that is not an option (the message names the nearest one).

    Examples:
        ```python
        mock = mockkit.MockServer("api.postman_collection.json", port=3000, match_body=True)
        with mock:                                   # starts it; stops it at the end
            mock.post("/users", json={"name": "Ada"}).status_code
        ```
    """

    def __init__(
        self,
        collection: Any,
        *,
        environment: Any = None,
        host: str = "127.0.0.1",
        port: int = 0,
        watch: bool = False,
        on_call: Callable[..., None] | None = None,
        options: MockOptions | None = None,
        **overrides: Unpack[OptionFields],
    ) -> None:
        self.host = host
        options = resolve(options, overrides)
        self._options = options = replace(options, seed=settle_seed(options.seed))  # self.options: HTTP OPTIONS
        self._source = collection
        self._environment = environment
        self.engine = MockEngine(collection, environment, options=options)
        self._app = MockApp(self.engine, on_call, options=options)
        if self.engine.recorder is not None:  # issue 16: each recording is a new engine generation
            self.engine.recorder.subscribe(self._use)
        self._app.on_call = self._observing(on_call)  # the strict checks see every answer
        note_mock(f"mock server for '{self.engine.collection.name}'", options.seed)
        self._thread = ServerThread(self._app, host, port)
        self._client: httpx.Client | None = None
        self._watcher = FileWatcher(watched_files(collection, environment), self.reload) if watch else None

    @property
    def reload_errors(self) -> list[str]:
        """Why reloads failed (``watch=True``), newest last: each message names the file and the
        problem; the previous version kept serving. Empty without ``watch``."""
        return self._watcher.errors if self._watcher is not None else []

    # ----------------------------------------------------------------------------- lifecycle

    def start(self) -> "MockServer":
        """Start serving (again, after ``stop``) on ``host``/``port``; returns once the socket
        listens. Starting a running server does nothing.

        Returns:
            This server, so ``MockServer(...).start()`` reads as one step.

        Raises:
            ServerError: the address cannot be bound (the port is taken, the host is not an
                address of this machine) or the server thread did not start within 10 s.

        Examples:
            ```python
            mock = mockkit.MockServer("api.json").start()
            mock.url                                      # 'http://127.0.0.1:53517'
            ```
        """
        if self.running:
            return self
        self._thread.start()
        if self._watcher is not None:
            self._watcher.start()
        return self

    def stop(self) -> None:
        """Stop serving: close the listening socket and open connections, stop the file watcher,
        join the thread. The call log stays readable; ``start()`` serves again. Stopping a
        stopped server does nothing.

        Examples:
            ```python
            mock = mockkit.serve("api.json")
            mock.stop()
            mock.running                                  # False
            ```
        """
        if self._watcher is not None:
            self._watcher.stop()
        self._thread.stop()
        if self._client is not None:
            self._client.close()
            self._client = None
        _servers.forget(self)

    def __enter__(self) -> "MockServer":
        if not self.running:
            self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def running(self) -> bool:
        """Whether the server is listening."""
        return self._thread.running

    @property
    def port(self) -> int | None:
        """The TCP port it listens on (the free one chosen for port 0); ``None`` before the
        first start."""
        return self._thread.port

    @property
    def url(self) -> str:
        """Its base URL, ``http://host:port`` (an IPv6 host in brackets: ``http://[::1]:3000``)."""
        return url_for(self.host, self.port)

    @property
    def collection(self) -> Collection:
        """The ``Collection`` it serves (after a reload, the new one)."""
        return self.engine.collection

    def reload(self) -> None:
        """Load the collection (and environment) again; calls in flight finish on the old one.

        The new engine is built aside and swapped in with one assignment, so every request is
        served wholly by the old collection or wholly by the new one. The call log, the seed and
        an active server response carry over; ``explain(response)`` of an earlier call still
        ranks it against the version that answered it. ``watch=True`` calls this on each change.

        Raises:
            CollectionError: the file is broken now; nothing changes, the old version serves on.

        Examples:
            ```python
            mock = mockkit.serve("api.json")
            # ... edit api.json in Postman, export it again ...
            mock.reload()
            ```
        """
        self._use(self.engine.rebuilt(self._source, self._environment))

    def _use(self, engine: MockEngine) -> None:
        """Answer with ``engine`` from now on (a reload, or a recording: issue 16)."""
        self.engine = engine
        self._app.engine = engine

    def save(self, dest: str | os.PathLike[str] | None = None) -> list[Path]:
        """Write the examples recorded so far to the collection's files (issue 16).

        Into a v2.x JSON file atomically (a temporary file renamed over it; the previous file
        kept as ``<file>.bak``; everything else in the file kept), or as new ``*.example.yaml``
        files in a v3 folder. Afterwards the mock answers from the collection read back from
        those files (``load_collection``).

        Args:
            dest (str | os.PathLike[str] | None): another place: a ``.json`` file (a v2.1
                export) or a folder that is absent or empty (a v3 tree), e.g. for a collection
                that was not read from a file; None: the collection's own file or folder.

        Returns:
            list[Path]: the files written (a v2.x file's backup last); empty when nothing was
            recorded since the last save.

        Raises:
            MockkitError: when the mock does not record, or has no file to write to.
            OSError: when a file cannot be written.
            CollectionError: when what was written cannot be read back (the ``.bak`` then holds
                the previous file).

        Examples:
            ```python
            mock = mockkit.serve("api.json", proxy="http://127.0.0.1:8080", record="new_episodes")
            mock.get("/users/7")      # forwarded and recorded
            mock.save()               # [PosixPath('api.json'), PosixPath('api.json.bak')]
            ```
        """
        from .saving import save

        written = save(self.engine, dest)
        if self.engine.recorder is not None:  # a reload reads what was saved
            self._source = self.engine.recorder.source
        return written

    def _http(self) -> "httpx.Client":
        """The httpx client bound to this server (made on first use; ``HttpCalls`` sends with it)."""
        if not self.running:
            raise ServerError("this mock server is stopped: start it again with .start() (or mockkit.serve(...))")
        if self._client is None:
            from .client import bound_client

            self._client = bound_client(self.url)
        return self._client

    # ------------------------------------------------------------------------- explanations

    def explain(
        self,
        response_or_method: Any,
        path: str | None = None,
        *,
        headers: dict[str, str] | None = None,
        params: dict[str, str] | None = None,
        body: bytes | str | None = None,
        json: Any = None,
    ) -> "Explanation":
        """Why each example won or lost: for a response this server sent, or for a request
        described by method and path (nothing is sent).

        A response is explained against the collection as it was when it answered (after a
        reload too, while the call log keeps the call); a method and path are ranked against the
        collection now. The rules are Postman's matching algorithm (spec §1.2) with mockkit's
        decisions where Postman is silent (§9); each reason says which applied.

        Args:
            response_or_method: an ``httpx.Response`` this server sent (it carries the call id in
                its ``x-mockkit-call`` header), or an HTTP method (``"GET"``) with ``path``.
            path: the request target for a method: a path with an optional query string
                (``"/users?page=2"``) or a full URL (its host is not compared).
            headers: request headers, ``{name: value}``, including Postman's ``x-mock-*``
                control headers (``x-mock-response-code``, ``x-mock-response-name``...).
            params: query parameters, appended to the query of ``path``.
            body: the request body, text (sent as UTF-8) or bytes.
            json: a JSON-serialisable value sent as the body, with ``Content-Type:
                application/json`` (unless ``headers`` has one).

        Returns:
            An ``Explanation``: a pandas DataFrame, one row per example, the winner first, whose
            columns and dtypes ``Explanation`` lists; a notebook or terminal shows it as a
            readable table, and ``.steps`` has every comparison made.

        Raises:
            RequestError: a response that carries no ``x-mockkit-call`` header, or a path whose
                percent-encoding is not UTF-8 (a server answers that 400).
            MockLookupError: the response's call is no longer in the call log (it keeps the last
                ``journal_size`` calls), or the collection version that answered it is gone.
            TypeError: a method without a path (the message shows the call meant).

        Examples:
            ```python
            r = mock.get("/users/42", headers={"x-mock-response-code": "404"})
            mock.explain(r)                                  # why that example answered
            mock.explain("GET", "/users?page=2")             # a request never sent
            why = mock.explain("POST", "/users", json={"name": "Ada"})
            why[why["kept"]][["example", "score", "reason"]]
            ```
        """
        from .report import explain_request, ranking_frame

        if path is None and isinstance(response_or_method, str):
            given = response_or_method.strip()
            hint = f"mock.explain('GET', {given!r})" if given.startswith("/") or "://" in given else \
                f"mock.explain({given!r}, '/users/42')"
            raise TypeError(f"explain needs a method and a path ({hint}), or a response this mock server sent")
        if path is None:
            call_id = _call_id_of(response_or_method)
            engine = self.engine
            call = engine.journal.get(call_id)
            ranking = engine.replay(call_id) if call is not None else None
            if call is None or ranking is None:
                raise MockLookupError(
                    f"call {call_id} is no longer in the call log (it keeps the last "
                    f"{engine.journal.maxlen} calls); explain it by method and path instead"
                )
            frame = ranking_frame(ranking, engine.answered_by(call).problems_for)
            frame.attrs["generation"] = call.generation
            return frame
        if json is not None:
            import json as _json

            body = _json.dumps(json)
            headers = {"content-type": "application/json", **(headers or {})}
        request = MockRequest.from_target(str(response_or_method), path, headers=headers, body=body, params=params)
        return explain_request(self.engine, request)

    @property
    def calls(self) -> "pd.DataFrame":
        """The call log as a DataFrame: the last ``journal_size`` calls, oldest first, one row each.

        | column | dtype | meaning |
        | --- | --- | --- |
        | `call` | str | the call's id (the ``x-mockkit-call`` header of its response) |
        | `time` | datetime64[us, UTC] | when it arrived |
        | `method` | str | the request method |
        | `path` | str | the path as received (percent-encoded, no query) |
        | `query` | str | the query string, re-encoded |
        | `status` | int64 | the status answered |
        | `example` | str | the example served (``""`` when none) |
        | `score` | float64 | the winner's score (NaN without a winner or a score) |
        | `decided_by` | str | ``score``, ``response-id``, ``response-name`` or ``none`` |
        | `duration_ms` | float64 | time to match and render, in ms (not the delay, not the network) |
        | `error` | str | Postman's error name for an error answer (``mockRequestNotFoundError``...), ``""`` |
        | `forwarded` | str | the upstream URL a proxying mock forwarded the call to, ``""`` when an example or the mock answered |
        | `upstream_ms` | float64 | the time the upstream took, in ms (NaN when not forwarded or it did not answer) |
        | `recorded_as` | str | the example the exchange became (``folder / request / example``), ``""`` when not recorded |
        """
        from .report import calls_frame

        return calls_frame(self.engine.journal.snapshot())

    @property
    def examples(self) -> "pd.DataFrame":
        """Every example this mock serves, one row each, with the path and query it answers and
        the URL as saved: the same columns as ``mockkit.examples``."""
        from .report import examples_frame

        return examples_frame(self.engine.index)

    def reset(self, *, seed: int | None = None) -> None:
        super().reset(seed=seed)
        self._options = replace(self._options, seed=self.engine.seed)  # a reload keeps it

    reset.__doc__ = CallAssertions.reset.__doc__  # documented once, for the server and the transport

    def _where(self) -> str:
        return f"the mock server at {self.url}"

    def set_server_response(self, status: int = 500, body: Any = "", headers: dict[str, str] | None = None,
                            *, language: str | None = None) -> None:
        """Answer every call with this 5xx response until ``clear_server_response()``: Postman's
        server responses (spec C5), to see how a client copes with an outage. Private mocks still
        refuse calls without the key first (401); CORS headers are added per call.

        Args:
            status: the status code, 500 to 599.
            body: the body: text, bytes, or a dict/list sent as JSON.
            headers: response headers, ``{name: value}``.
            language: Postman's body language (``"json"``, ``"text"``, ``"html"``, ``"xml"``, ``"javascript"``);
                sets the Content-Type when ``headers`` has none (a dict/list body: JSON).

        Raises:
            ConfigError: a status outside 500..599.

        Examples:
            ```python
            mock.set_server_response(503, {"error": "maintenance"}, {"retry-after": "120"})
            mock.get("/users/42").status_code                # 503, whatever the path
            mock.clear_server_response()
            ```
        """
        self.engine.set_server_response(status, body, headers, language=language)

    def clear_server_response(self) -> None:
        """Stop answering with the server response: examples answer again.

        Examples:
            ```python
            mock.clear_server_response()
            ```
        """
        self.engine.clear_server_response()

    def explore(self) -> Any:
        """The Explorer for this server: ipywidgets to browse the examples, build a request, watch
        every example's score change as you edit it, send it, and read the call log (calls from
        outside the notebook included). Its colours follow JupyterLab's light and dark themes.

        Returns:
            A ``mockkit.widgets.Explorer``; a notebook cell that ends with it shows it.

        Examples:
            ```python
            mock = mockkit.serve("api.json")
            mock.explore()
            ```
        """
        from .widgets import Explorer

        return Explorer(self)

    # ------------------------------------------------------------------------------ display

    def __repr__(self) -> str:
        state = f"running at {self.url}" if self.running else "stopped"
        return f"<MockServer {self.engine.collection.name!r} {state}, {len(self.engine.index)} examples>"

    def _repr_html_(self) -> str:
        e = html.escape
        state = f'<a href="{e(self.url)}" target="_blank">{e(self.url)}</a>' if self.running else "stopped"
        rows = "".join(
            f"<tr><td style='text-align:left'><code>{e(method)}</code></td>"
            f"<td style='text-align:left'><code>{e(path)}</code></td><td>{count}</td></tr>"
            for method, path, count in self.endpoints()
        )
        return (
            f"<div class='mockkit-server'><b>mockkit</b> · {e(self.engine.collection.name)} · {state}<br>"
            f"{len(self.engine.index)} examples · {len(self.engine.journal)} calls logged"
            f"{' · <b>private</b>' if self.engine.api_key else ''}"
            f"{' · <b>server response active</b>' if self.engine.server_response else ''}"
            f"{self._proxy_html()}"
            f"<table><thead><tr><th style='text-align:left'>method</th><th style='text-align:left'>path</th>"
            f"<th>examples</th></tr></thead>"
            f"<tbody>{rows}</tbody></table></div>"
        )

    def _proxy_html(self) -> str:
        """Where a proxying mock forwards, and what it has recorded (issue 16)."""
        proxy = self.engine.options.proxy
        if proxy is None:
            return ""
        recorder = self.engine.recorder
        said = f"<br>forwards to <code>{html.escape(proxy)}</code>"
        if recorder is not None:
            said += f" · records (mode {recorder.mode}; {recorder.pending} not saved)"
        return said

    def endpoints(self) -> list[tuple[str, str, int]]:
        """Every distinct endpoint the collection's examples are saved for, in collection order.

        Returns:
            ``(method, path, examples)`` tuples: the method, the path as the mock compares it
            (variables resolved), and how many examples are saved for it.

        Examples:
            ```python
            for method, path, count in mock.endpoints():
                print(f"{method:6} {path}  ({count} examples)")
            ```
        """
        counts: dict[tuple[str, str], int] = {}
        for t in self.engine.index.targets:
            counts[(t.method, t.path)] = counts.get((t.method, t.path), 0) + 1
        return [(m, p, n) for (m, p), n in counts.items()]


def _call_id_of(response: Any) -> str:
    headers = getattr(response, "headers", None)
    call_id: str | None = headers.get(CALL_HEADER) if headers is not None else None
    if not call_id:
        raise RequestError(
            f"this response has no {CALL_HEADER} header: pass a response this mock server sent, "
            "or explain a request by method and path: mock.explain('GET', '/users/42')"
        )
    return call_id


def serve(collection: Any = None, *, environment: Any = None, host: str = "127.0.0.1", port: int = 0,
          watch: bool = False, on_call: Callable[..., None] | None = None, options: MockOptions | None = None,
          **overrides: Unpack[OptionFields]) -> MockServer:
    """Start a mock server for ``collection`` in a background thread; returns once it listens.

    The server chooses an example per request as Postman's cloud mock servers do (spec §1.2,
    Postman's "Matching algorithm" page) and fills responses with fake data and request data.
    Running the same cell again (the same collection, host and port) stops the old server and
    starts the new one on the old port when none is asked for, so URLs printed earlier stay
    valid. ``stop_all()``, also run at interpreter exit, stops every server started here.

    Args:
        collection: the Postman collection: a path (a v2.0/v2.1 JSON export or a v3 collection
            folder), JSON text, bytes, a dict, or a loaded ``Collection``; ``None``: the bundled
            demo (``mockkit.demo.DEMO_COLLECTION``).
        environment: a Postman environment (a JSON export or ``*.environment.yaml`` path, JSON
            text, a dict, an ``Environment``); its values fill ``{{variables}}``.
        host: the address to listen on (loopback by default).
        port: the TCP port; 0 picks a free one (``mock.port`` says which).
        watch: reload when the files change (a v3 folder is watched whole: new, deleted and
            renamed files); a broken edit keeps the previous version serving.
        on_call: called after each answer as ``on_call(request, served, ms)``, on the server
            thread (see ``MockServer``).
        options: how it matches and answers (``MockOptions``): matching (``match_body``,
            ``match_headers``, ``match_query_params``, ``match_wildcards``,
            ``distance_threshold``, ``colon_wildcards``), answers (``cors``, ``delay`` in ms or
            ``"2G"``/``"3G"``, ``seed``, ``api_key`` for a private mock) and limits (bytes and
            counts: ``max_body_size``, ``journal_size``...).
        **overrides: fields of ``MockOptions`` as keywords, applied over ``options``.

    Returns:
        The running ``MockServer`` (``.url``, ``.get(...)``, ``.explain(...)``, ``.calls``).

    Raises:
        CollectionError: the collection or environment cannot be loaded (the message names the
            file, the JSON path or ``file:line:column``, and what was expected there).
        ConfigError: an option has a value it cannot take.
        ServerError: the port is taken or the host cannot be bound.
        TypeError: a keyword that is not an option (the message names the nearest one).

    Examples:
        ```python
        mock = mockkit.serve("api.postman_collection.json", environment="dev.postman_environment.json")
        r = mock.get("/users/42", headers={"x-mock-response-code": "404"})
        mock.explain(r)
        mock.stop()

        with mockkit.serve(port=3000, delay="3G", seed=7) as demo:   # the demo, 100 ms per answer
            demo.get("/users/me").json()
        ```
    """
    if collection is None:
        from .demo import DEMO_COLLECTION

        collection = DEMO_COLLECTION
    def start(at: int) -> MockServer:
        return MockServer(collection, environment=environment, host=host, port=at, watch=watch, on_call=on_call,
                          options=options, **overrides).start()

    return _servers.replace((_source_key(collection), host, port), host, port, start)


_servers: Registry[MockServer] = Registry()


def running_servers() -> list[MockServer]:
    """The servers ``serve`` started in this process that are running."""
    return [s for s in _servers.held() if s.running]


def stop_all() -> None:
    """Stop every server started by ``serve`` in this process (also run at interpreter exit).

    Examples:
        ```python
        mockkit.stop_all()          # e.g. at the end of a notebook, to free the ports
        ```
    """
    _servers.stop_all()


atexit.register(stop_all)
