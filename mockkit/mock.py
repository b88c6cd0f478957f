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
from .errors import MockLookupError, RequestError, ServerError
from .hosting import FileWatcher, Registry, ServerThread, url_for, watched_files
from .model import Collection, MockRequest
from .options import MockOptions, OptionFields, resolve
from .server import MockApp
from .testing.verify import CallAssertions, note_mock, settle_seed

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


class MockServer(CallAssertions):
    """A mock server for one collection, running in a daemon thread of this process.

    Besides calling and explaining, it has the call assertions of ``mockkit.testing.verify``
    (``assert_called``, ``assert_not_called``, ``calls_to``, ``assert_all_matched``, ``reset``).
    Without ``seed`` it picks one (the running pytest test's, or a fresh one): ``mock.seed``.
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
        """``collection`` and ``environment`` as ``serve``; ``host``/``port`` where to listen
        (port 0: a free one); ``watch`` reloads when the files change; ``on_call(request, served,
        ms)`` is called after each answer (the server thread). ``options`` and the keyword
        ``overrides`` are ``MockOptions`` (``match_body=True``, ``delay="3G"``, ``cors=False``...).
        Raises ``CollectionError`` for an unusable file, ``ConfigError`` for a bad option."""
        self.host = host
        options = resolve(options, overrides)
        self._options = options = replace(options, seed=settle_seed(options.seed))  # self.options: HTTP OPTIONS
        self._source = collection
        self._environment = environment
        self.engine = MockEngine(collection, environment, options=options)
        self._app = MockApp(self.engine, on_call, options=options)
        self._app.on_call = self._observing(on_call)  # the strict checks see every answer
        note_mock(f"mock server for '{self.engine.collection.name}'", options.seed)
        self._thread = ServerThread(self._app, host, port)
        self._client: httpx.Client | None = None
        self._watcher = FileWatcher(watched_files(collection, environment), self.reload) if watch else None

    @property
    def reload_errors(self) -> list[str]:
        """Why reloads failed (``watch=True``), newest last; the previous version kept serving."""
        return self._watcher.errors if self._watcher is not None else []

    # ----------------------------------------------------------------------------- lifecycle

    def start(self) -> "MockServer":
        """Start serving (again, after ``stop``); returns once the socket listens."""
        if self.running:
            return self
        self._thread.start()
        if self._watcher is not None:
            self._watcher.start()
        return self

    def stop(self) -> None:
        """Stop serving: close the socket and open connections, join the thread."""
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
        return self._thread.running

    @property
    def port(self) -> int | None:
        return self._thread.port

    @property
    def url(self) -> str:
        return url_for(self.host, self.port)

    @property
    def collection(self) -> Collection:
        return self.engine.collection

    def reload(self) -> None:
        """Load the collection (and environment) again; calls in flight finish on the old one.

        The new engine is built aside and swapped in with one assignment, so every request is
        served wholly by the old collection or wholly by the new one. The call log and an active
        server response carry over. A broken file raises ``CollectionError`` and changes nothing.
        """
        engine = self.engine.rebuilt(self._source, self._environment)
        self.engine = engine
        self._app.engine = engine

    # ------------------------------------------------------------------------------ calling

    def request(self, method: str, path: str, **kwargs: Any) -> "httpx.Response":
        """Send a request to this server with httpx (``kwargs`` as ``httpx.Client.request``)."""
        if not self.running:
            raise ServerError("this mock server is stopped: start it again with .start() (or mockkit.serve(...))")
        if self._client is None:
            from .client import bound_client

            self._client = bound_client(self.url)
        return self._client.request(method, path, **kwargs)

    def get(self, path: str, **kwargs: Any) -> "httpx.Response":
        return self.request("GET", path, **kwargs)

    def post(self, path: str, **kwargs: Any) -> "httpx.Response":
        return self.request("POST", path, **kwargs)

    def put(self, path: str, **kwargs: Any) -> "httpx.Response":
        return self.request("PUT", path, **kwargs)

    def patch(self, path: str, **kwargs: Any) -> "httpx.Response":
        return self.request("PATCH", path, **kwargs)

    def delete(self, path: str, **kwargs: Any) -> "httpx.Response":
        return self.request("DELETE", path, **kwargs)

    def head(self, path: str, **kwargs: Any) -> "httpx.Response":
        return self.request("HEAD", path, **kwargs)

    def options(self, path: str, **kwargs: Any) -> "httpx.Response":
        return self.request("OPTIONS", path, **kwargs)

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

        Returns an ``Explanation``: a DataFrame (columns ``report.RANKING_COLUMNS``, one row per
        example, winner first) that a notebook shows as a readable table; ``.steps`` has every
        comparison made. Raises ``RequestError`` (a ``ValueError``) for a response without
        mockkit's call header or a path that is not percent-encoded UTF-8, and ``MockLookupError``
        (a ``LookupError``) for a call no longer in the call log.
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
        """The call log (the last ``journal_size`` calls), oldest first."""
        from .report import calls_frame

        return calls_frame(self.engine.journal.snapshot())

    @property
    def examples(self) -> "pd.DataFrame":
        """Every example this mock serves, with the path and query it answers (``path``,
        ``query``) and the URL as saved (``url``); columns: ``report.EXAMPLE_COLUMNS``."""
        from .report import examples_frame

        return examples_frame(self.engine.index)

    def reset(self, *, seed: int | None = None) -> None:
        super().reset(seed=seed)
        self._options = replace(self._options, seed=self.engine.seed)  # a reload keeps it

    reset.__doc__ = CallAssertions.reset.__doc__

    def _where(self) -> str:
        return f"the mock server at {self.url}"

    def set_server_response(self, status: int = 500, body: Any = "", headers: dict[str, str] | None = None,
                            *, language: str | None = None) -> None:
        """Answer every call with this 5xx response until ``clear_server_response()``."""
        self.engine.set_server_response(status, body, headers, language=language)

    def clear_server_response(self) -> None:
        self.engine.clear_server_response()

    def explore(self) -> Any:
        """The ipywidgets Explorer for this server."""
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
            f"<table><thead><tr><th style='text-align:left'>method</th><th style='text-align:left'>path</th>"
            f"<th>examples</th></tr></thead>"
            f"<tbody>{rows}</tbody></table></div>"
        )

    def endpoints(self) -> list[tuple[str, str, int]]:
        """(method, path, number of examples) for every distinct endpoint, in collection order."""
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

    ``collection``: a path (a v2.x JSON file or a v3 collection folder), JSON text, a dict or a
    loaded ``Collection`` (default: the bundled demo). ``watch``: reload on file change (a v3
    folder is watched whole: new, deleted, renamed files). ``options`` and the keyword
    ``overrides`` are ``MockOptions``, each with its default and help in ``mockkit.options``:
    matching (``match_body``, ``match_headers``, ``match_query_params``, ``match_wildcards``,
    ``distance_threshold``, ``colon_wildcards``), answers (``cors``, ``delay`` in ms or
    "2G"/"3G", ``seed``, ``api_key`` for a private mock) and limits (``max_body_size``,
    ``journal_size``, ``journal_bytes``, ``journal_body_bytes``, ``max_pending_delays``,
    ``max_pending_delay_bytes``). Raises ``CollectionError``, ``ConfigError`` (a bad option) or
    ``ServerError`` (the port is taken).
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
    """Stop every server started by ``serve`` in this process."""
    _servers.stop_all()


atexit.register(stop_all)
