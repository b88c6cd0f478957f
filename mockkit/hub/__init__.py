"""The hub: many mocks in one process, managed through a Postman-shaped API, kept in SQLite.

    hub = mockkit.serve_hub()                           # background thread; port 0 -> a free port
    uid = hub.client.create_collection("api.json")["collection"]["uid"]
    mock = hub.client.create_mock(uid)["mock"]
    httpx.get(mock["mockUrl"] + "/users/42")            # answered by that mock
    hub.client.call_logs(mock["id"], include="response.body")
    hub.stop()

Or from a shell: ``mockkit hub [--host 127.0.0.1] [--port 3100] [--data DIR] [--api-key KEY]
[--max-body BYTES] [mock options: --match-body, --colon-wildcards...]``.

The package: ``runner`` runs hubs (``HubServer``, ``serve_hub``, ``run_hub``); ``app`` answers
their requests (``HubApp``, a ``server.Handler`` like ``MockEngine``); ``routes`` is the
management API and ``validation`` what it accepts; ``store`` the SQLite state, ``folder`` the
data folder, ``calllog`` the call-log writer; ``client`` the Python client (``Hub``).

Decisions:

* **mockUrl = ``http://<host>:<port>/m/<mockId>``.** One port serves every mock and the admin
  API; everything after the base is the mock's request path, matched untouched
  (``/m/<id>/users/42?x=1`` is matched as ``/users/42?x=1``). A path prefix needs no DNS or
  Host-header tricks (spec C9) and works with any HTTP client. ``/m/...`` never collides with
  the admin routes (``/mocks``, ``/collections``, ``/environments``).
* **Keys.** Admin calls need the hub's key in the ``x-api-key`` header, compared with
  ``hmac.compare_digest``; otherwise 401 ``AuthenticationError`` (the name Postman's API uses).
  Private (unpublished) mocks need the same key, header only; otherwise 401 ``unauthorizedError``
  (spec 9.10), except a CORS pre-flight, which browsers send without custom headers: it gets a
  permissive 204 without reaching the examples. The key comes from ``--api-key``/``api_key=``,
  or is generated once (``secrets.token_urlsafe``) and stored in ``DIR/api-key`` with mode 0600.
* **Mock call errors** use spec §1.7: unknown mock 404 ``mockNotFoundError``; a mock whose
  collection or environment was deleted 400 ``inactiveMockError``.
* **Options.** A mock's ``config`` (Postman's keys and mockkit's own) over the hub's defaults
  (``serve_hub(options=)``, ``mockkit hub --match-body``...) gives the mock's ``MockOptions``.
* **Mocks are cached** (row and engine, ``app.HubApp``) and dropped whenever the admin API
  changes what a mock answers (collection, environment, config, server responses), so the next
  call sees the change without a restart. A generation counter keeps an engine built from old
  state from being cached.
* **Threads.** The hub serves from one Tornado loop thread (``hosting.ServerThread`` and
  ``server.MockApp``, as a mock server does), and nothing slow runs there:
  admin calls run on one worker thread (SQLite writes, one at a time, each durable), loading a
  mock (reads and the engine build) on two others, and call logs are written after the answer by
  ``calllog.CallLogWriter``'s thread; a failed call-log write is counted, warned about once per
  interval and shown by ``GET /status``, never turned into a failed mock call. The ``Hub`` client
  talks HTTP, so any thread may use it.
* **The key stays secret**: it is redacted (``redact.Redactor``) from what a mock sees and from
  every call-log row, whatever form it was sent in (header, Bearer or Basic credentials, query,
  body). Files are 0600 in a 0700 folder (``folder``).
* **Failures are logged**: a request the hub fails to answer gets a 500 in Postman's shape, a
  row in that mock's call log and a count in ``GET /status`` (``HubApp.record_failure``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..errors import HubError

if TYPE_CHECKING:  # pragma: no cover
    from .app import HubApp
    from .client import Hub
    from .folder import default_data_dir
    from .runner import HubServer, run_hub, serve_hub

__all__ = ["Hub", "HubError", "HubApp", "HubServer", "serve_hub", "run_hub", "default_data_dir"]

_LAZY = {"Hub": "client", "HubApp": "app", "HubServer": "runner", "serve_hub": "runner", "run_hub": "runner",
         "default_data_dir": "folder"}


def __getattr__(name: str) -> Any:
    """``mockkit.Hub`` needs httpx only; running a hub loads Tornado (PEP 562)."""
    if name in _LAZY:
        from importlib import import_module

        value = getattr(import_module(f".{_LAZY[name]}", __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
