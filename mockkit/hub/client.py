"""``mockkit.Hub``: a Python client for a hub's management API (one method per endpoint).

    hub = mockkit.Hub("http://127.0.0.1:3100", api_key)
    collection = hub.create_collection("api.postman_collection.json")
    mock = hub.create_mock(collection["collection"]["uid"], name="staging")
    httpx.get(mock["mock"]["mockUrl"] + "/users/42")

Methods return the parsed JSON the hub sent (Postman's shapes); a non-2xx answer raises
``HubError`` with the status and Postman's error name.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import httpx

from ..errors import HubError
from ..formats.sources import is_v3_source, read_json
from ..model import Collection

__all__ = ["Hub", "HubError"]


def _hub_error(response: httpx.Response) -> HubError:
    """The ``HubError`` for an answer that is not 2xx (Postman's error shape, else the text)."""
    try:
        error = response.json()["error"]
        return HubError(response.status_code, str(error["name"]), str(error["message"]))
    except (ValueError, KeyError, TypeError):
        return HubError(response.status_code, "httpError", response.text[:200] or response.reason_phrase)


def _export(source: Any, key: str) -> dict[str, Any]:
    """``{key: export}`` from a dict, JSON text or a file path (already-wrapped dicts pass).
    Files are read by ``formats.sources.read_json`` (UTF-8/16, BOMs, clear errors); a v3 collection
    folder or a ``.environment.yaml`` file is loaded and sent as its v2.1 export (issue 14)."""
    if is_v3_source(source):
        from ..formats.convert import load_any
        from ..formats.v21write import collection_json, environment_json

        item = load_any(source)
        source = collection_json(item) if isinstance(item, Collection) else environment_json(item)
    source, _ = read_json(source)
    if isinstance(source, dict) and isinstance(source.get(key), dict) and not {"info", "item", "values"} & set(source):
        return source
    return {key: source}


class Hub:
    """A client for a hub's management API: one method per endpoint, the parsed JSON back.

    The endpoints and their JSON shapes are Postman's mock API (``/mocks``, ``/collections``,
    ``/environments``, call logs, server responses), so code written for it needs only another
    base URL and key. A hub's answer that is not 2xx raises ``HubError`` with the status and
    Postman's error name; connection failures raise httpx's errors (``httpx.ConnectError``...).

    Args:
        url: the hub's base URL (``HubServer.url``, or what ``mockkit hub`` printed).
        api_key: the hub's key, sent as ``x-api-key`` on every call (never shown by ``repr``).
        timeout: seconds to wait for each answer.

    Examples:
        ```python
        with mockkit.Hub("http://127.0.0.1:3100", api_key) as hub:
            uid = hub.create_collection("api.postman_collection.json")["collection"]["uid"]
            mock = hub.create_mock(uid, name="staging")["mock"]
            httpx.get(mock["mockUrl"] + "/users/42")
        ```
    """

    def __init__(self, url: str, api_key: str, *, timeout: float = 30.0) -> None:
        self.url = url.rstrip("/")
        self._http = httpx.Client(base_url=self.url, headers={"x-api-key": api_key}, timeout=timeout,
                                  trust_env=False)

    def __repr__(self) -> str:  # never show the key
        return f"Hub({self.url!r})"

    def close(self) -> None:
        """Close the HTTP connections (a ``with`` block does it on exit).

        Examples:
            ```python
            hub = mockkit.Hub(url, api_key)
            hub.close()
            ```
        """
        self._http.close()

    def __enter__(self) -> "Hub":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _call(self, method: str, path: str, body: Any = None, params: dict[str, Any] | None = None) -> Any:
        response = self._http.request(method, path, json=body, params=params)
        if not 200 <= response.status_code < 300:
            raise _hub_error(response)
        return response.json()

    # collections and environments
    def status(self) -> Any:
        """The hub's health: ``GET /status`` (a mockkit extension; Postman has no such endpoint).

        Returns:
            ``{"status": {"callLogs": {"written", "failed", "dropped", "queued", "lastError"}, ...}}``:
            call-log rows written, failed and dropped (counts), waiting to be written, and the
            last write error (``""`` when none).

        Raises:
            HubError: the hub refused the call (``401 AuthenticationError`` for a wrong key).

        Examples:
            ```python
            hub.status()["status"]["callLogs"]["dropped"]
            ```
        """
        return self._call("GET", "/status")

    def create_collection(self, collection: Any) -> Any:
        """Upload a collection: ``POST /collections``.

        Args:
            collection: a v2.0/v2.1 export (a path, JSON text or a dict, wrapped in
                ``{"collection": ...}`` or not) or a v3 collection folder (sent as its v2.1
                export).

        Returns:
            ``{"collection": {"id", "name", "uid"}}``; the ``uid`` is what ``create_mock`` takes.

        Raises:
            HubError: the hub refused it (``400 malformedRequestError`` naming the JSON path of a
                collection it cannot load).
            CollectionError: a file that cannot be read, or a v3 folder that cannot be loaded.

        Examples:
            ```python
            uid = hub.create_collection("api.postman_collection.json")["collection"]["uid"]
            ```
        """
        return self._call("POST", "/collections", _export(collection, "collection"))

    def list_collections(self) -> Any:
        """Every collection on the hub: ``GET /collections``.

        Returns:
            ``{"collections": [{"id", "name", "uid", "createdAt", "updatedAt", ...}, ...]}``.

        Raises:
            HubError: the hub refused the call.

        Examples:
            ```python
            [c["name"] for c in hub.list_collections()["collections"]]
            ```
        """
        return self._call("GET", "/collections")

    def get_collection(self, uid: str) -> Any:
        """One collection as uploaded: ``GET /collections/{uid}``.

        Args:
            uid: the collection's uid (``create_collection``'s answer).

        Returns:
            ``{"collection": {"info": ..., "item": [...], ...}}``: the v2.1 export.

        Raises:
            HubError: no such collection (``404 instanceNotFoundError``), or another refusal.

        Examples:
            ```python
            hub.get_collection(uid)["collection"]["info"]["name"]
            ```
        """
        return self._call("GET", f"/collections/{uid}")

    def update_collection(self, uid: str, collection: Any) -> Any:
        """Replace a collection: ``PUT /collections/{uid}``; the mocks serving it reload.

        Args:
            uid: the collection's uid.
            collection: the new version, as ``create_collection`` takes it.

        Returns:
            ``{"collection": {"id", "name", "uid"}}``.

        Raises:
            HubError: no such collection, or the new version cannot be loaded.
            CollectionError: a file that cannot be read.

        Examples:
            ```python
            hub.update_collection(uid, "api.postman_collection.json")
            ```
        """
        return self._call("PUT", f"/collections/{uid}", _export(collection, "collection"))

    def delete_collection(self, uid: str) -> Any:
        """Delete a collection: ``DELETE /collections/{uid}``; its mocks are deactivated.

        Args:
            uid: the collection's uid.

        Returns:
            ``{"collection": {"id", "uid"}}``.

        Raises:
            HubError: no such collection (404), or another refusal.

        Examples:
            ```python
            hub.delete_collection(uid)
            ```
        """
        return self._call("DELETE", f"/collections/{uid}")

    def create_environment(self, environment: Any) -> Any:
        """Upload an environment: ``POST /environments``.

        Args:
            environment: an environment export (a path, JSON text or a dict, wrapped in
                ``{"environment": ...}`` or not) or a ``*.environment.yaml`` file.

        Returns:
            ``{"environment": {"id", "name", "uid"}}``.

        Raises:
            HubError: the hub refused it (400 naming what it cannot load).
            CollectionError: a file that cannot be read.

        Examples:
            ```python
            env = hub.create_environment("dev.postman_environment.json")["environment"]["uid"]
            ```
        """
        return self._call("POST", "/environments", _export(environment, "environment"))

    def list_environments(self) -> Any:
        """Every environment on the hub: ``GET /environments``.

        Returns:
            ``{"environments": [{"id", "name", "uid", ...}, ...]}``.

        Raises:
            HubError: the hub refused the call.

        Examples:
            ```python
            hub.list_environments()["environments"]
            ```
        """
        return self._call("GET", "/environments")

    def get_environment(self, uid: str) -> Any:
        """One environment as uploaded: ``GET /environments/{uid}``.

        Args:
            uid: the environment's uid.

        Returns:
            ``{"environment": {"name", "values": [{"key", "value", "enabled"}, ...], ...}}``.

        Raises:
            HubError: no such environment (404), or another refusal.

        Examples:
            ```python
            hub.get_environment(env)["environment"]["values"]
            ```
        """
        return self._call("GET", f"/environments/{uid}")

    def update_environment(self, uid: str, environment: Any) -> Any:
        """Replace an environment: ``PUT /environments/{uid}``; the mocks using it reload.

        Args:
            uid: the environment's uid.
            environment: the new version, as ``create_environment`` takes it.

        Returns:
            ``{"environment": {"id", "name", "uid"}}``.

        Raises:
            HubError: no such environment, or the new version cannot be loaded.
            CollectionError: a file that cannot be read.

        Examples:
            ```python
            hub.update_environment(env, {"name": "dev", "values": [{"key": "host", "value": "x"}]})
            ```
        """
        return self._call("PUT", f"/environments/{uid}", _export(environment, "environment"))

    def delete_environment(self, uid: str) -> Any:
        """Delete an environment: ``DELETE /environments/{uid}``; mocks using it are deactivated.

        Args:
            uid: the environment's uid.

        Returns:
            ``{"environment": {"id", "uid"}}``.

        Raises:
            HubError: no such environment (404), or another refusal.

        Examples:
            ```python
            hub.delete_environment(env)
            ```
        """
        return self._call("DELETE", f"/environments/{uid}")

    # mocks
    def create_mock(self, collection: str, environment: str | None = None, name: str | None = None,
                    private: bool = False, config: dict[str, Any] | None = None) -> Any:
        """Create a mock server for an uploaded collection: ``POST /mocks``.

        Args:
            collection: the collection's uid (``create_collection``'s answer).
            environment: an environment's uid, or ``None``.
            name: the mock's name (default: the collection's).
            private: answer only calls that carry the hub's key in ``x-api-key`` (401 otherwise).
            config: Postman's mock config (``matchBody``, ``headers``, ``matchQueryParams``,
                ``matchWildcards``, ``delay``: spec C3/C4) and mockkit's keys
                (``distanceThreshold``, ``colonWildcards``, ``cors``, ``seed``), over the hub's
                defaults (``MockOptions.from_postman_config``).

        Returns:
            ``{"mock": {"id", "uid", "mockUrl", "name", "collection", "environment", "config",
            "isPublic", "deactivated", "createdAt", "updatedAt", "owner"}}``; calls to
            ``mockUrl + path`` are answered by the mock.

        Raises:
            HubError: no such collection or environment, or a bad config (``400
                malformedRequestError`` naming the key: ``mock.config.distanceThreshold``...).

        Examples:
            ```python
            mock = hub.create_mock(uid, name="staging", config={"matchBody": True, "delay":
                                   {"type": "fixed", "duration": 250}})["mock"]
            httpx.post(mock["mockUrl"] + "/users", json={"name": "Ada"})
            ```
        """
        mock: dict[str, Any] = {"collection": collection, "private": private}
        for key, value in (("environment", environment), ("name", name), ("config", config)):
            if value is not None:
                mock[key] = value
        return self._call("POST", "/mocks", {"mock": mock})

    def list_mocks(self) -> Any:
        """Every mock on the hub: ``GET /mocks``.

        Returns:
            ``{"mocks": [{"id", "mockUrl", "name", "config", ...}, ...]}`` (shapes as ``create_mock``).

        Raises:
            HubError: the hub refused the call.

        Examples:
            ```python
            {m["name"]: m["mockUrl"] for m in hub.list_mocks()["mocks"]}
            ```
        """
        return self._call("GET", "/mocks")

    def get_mock(self, mock_id: str) -> Any:
        """One mock: ``GET /mocks/{id}``.

        Args:
            mock_id: the mock's id (or uid).

        Returns:
            ``{"mock": {...}}`` (the shape of ``create_mock``'s answer).

        Raises:
            HubError: no such mock (404), or another refusal.

        Examples:
            ```python
            hub.get_mock(mock["id"])["mock"]["config"]
            ```
        """
        return self._call("GET", f"/mocks/{mock_id}")

    def update_mock(self, mock_id: str, **fields: Any) -> Any:
        """Change a mock: ``PUT /mocks/{id}``; only the fields given change, and the mock reloads.

        Args:
            mock_id: the mock's id (or uid).
            **fields: Postman's mock fields: ``name``, ``private``, ``environment`` (a uid),
                ``collection`` (a uid), ``config`` (as ``create_mock``'s).

        Returns:
            ``{"mock": {...}}``: the mock as it is now.

        Raises:
            HubError: no such mock, or a field it cannot take (400 naming it).

        Examples:
            ```python
            hub.update_mock(mock["id"], private=True, config={"matchBody": True})
            ```
        """
        return self._call("PUT", f"/mocks/{mock_id}", {"mock": fields})

    def delete_mock(self, mock_id: str) -> Any:
        """Delete a mock and its call logs and server responses: ``DELETE /mocks/{id}``.

        Args:
            mock_id: the mock's id (or uid).

        Returns:
            ``{"mock": {"id", "uid"}}``.

        Raises:
            HubError: no such mock (404), or another refusal.

        Examples:
            ```python
            hub.delete_mock(mock["id"])
            ```
        """
        return self._call("DELETE", f"/mocks/{mock_id}")

    def publish_mock(self, mock_id: str) -> Any:
        """Make a mock public: ``POST /mocks/{id}/publish`` (calls need no key).

        Args:
            mock_id: the mock's id (or uid).

        Returns:
            ``{"mock": {"id"}}``.

        Raises:
            HubError: no such mock (404), or another refusal.

        Examples:
            ```python
            hub.publish_mock(mock["id"])
            ```
        """
        return self._call("POST", f"/mocks/{mock_id}/publish")

    def unpublish_mock(self, mock_id: str) -> Any:
        """Make a mock private: ``DELETE /mocks/{id}/unpublish`` (calls need ``x-api-key``).

        Args:
            mock_id: the mock's id (or uid).

        Returns:
            ``{"mock": {"id"}}``.

        Raises:
            HubError: no such mock (404), or another refusal.

        Examples:
            ```python
            hub.unpublish_mock(mock["id"])
            ```
        """
        return self._call("DELETE", f"/mocks/{mock_id}/unpublish")

    def call_logs(self, mock_id: str, **query: Any) -> Any:
        """A mock's call logs, newest first by default: ``GET /mocks/{id}/call-logs``, with
        Postman's filters and cursor paging.

        Args:
            mock_id: the mock's id (or uid).
            **query: Postman's query parameters: ``limit`` (1 to 100), ``cursor`` (the
                ``meta.nextCursor`` of the previous page), ``since`` / ``until`` (datetimes or
                ISO 8601 strings), ``responseStatusCode``, ``responseType``, ``requestMethod``,
                ``requestPath``, ``sort`` (``servedAt``), ``direction`` (``asc``/``desc``),
                ``include`` (a list, or a comma-separated string, of ``request.headers``,
                ``request.body``, ``response.headers``, ``response.body``). ``None`` values are
                left out.

        Returns:
            ``{"call-logs": [{"id", "responseName", "servedAt", "request": {"method", "path",
            ...}, "response": {"type", "statusCode", ...}}, ...], "meta": {"nextCursor"}}``.

        Raises:
            HubError: no such mock, or a filter it cannot take (400 naming it).

        Examples:
            ```python
            page = hub.call_logs(mock["id"], limit=10, requestMethod="POST", include=["request.body"])
            more = hub.call_logs(mock["id"], limit=10, cursor=page["meta"]["nextCursor"])
            ```
        """
        params: dict[str, Any] = {}
        for key, value in query.items():
            if value is None:
                continue
            if isinstance(value, (list, tuple, set, frozenset)):
                value = ",".join(value)
            elif isinstance(value, datetime):
                value = value.isoformat()
            params[key] = value
        return self._call("GET", f"/mocks/{mock_id}/call-logs", params=params)

    # server responses
    def create_server_response(self, mock_id: str, name: str, status_code: int = 500, *, body: str = "",
                               headers: list[dict[str, str]] | dict[str, str] | None = None,
                               language: str | None = None) -> Any:
        """Save a server response for a mock (spec C5): ``POST /mocks/{id}/server-responses``.
        It answers nothing until ``activate_server_response`` makes it answer every call.

        Args:
            mock_id: the mock's id (or uid).
            name: its name.
            status_code: the status, 500 to 599.
            body: the body text.
            headers: ``{name: value}`` or Postman's ``[{"key", "value"}, ...]``.
            language: Postman's body language (``json``, ``text``, ``html``, ``xml``,
                ``javascript``); sets the Content-Type when ``headers`` has none.

        Returns:
            The server response: ``{"id", "name", "statusCode", "headers", "language", "body",
            "mock", "createdAt", "updatedAt", "createdBy", "updatedBy"}``.

        Raises:
            HubError: no such mock, or a field it cannot take (a status that is not 5xx: 400).

        Examples:
            ```python
            sid = hub.create_server_response(mock["id"], "outage", 503, body='{"error": "down"}',
                                             language="json")["id"]
            ```
        """
        sr: dict[str, Any] = {"name": name, "statusCode": status_code, "body": body, "language": language,
                              "headers": _header_list(headers or [])}
        return self._call("POST", f"/mocks/{mock_id}/server-responses", {"serverResponse": sr})

    def list_server_responses(self, mock_id: str) -> Any:
        """A mock's server responses: ``GET /mocks/{id}/server-responses``.

        Args:
            mock_id: the mock's id (or uid).

        Returns:
            A list of ``{"id", "name", "statusCode", "createdAt", "updatedAt", "createdBy",
            "updatedBy"}`` (Postman's shape: a bare list).

        Raises:
            HubError: no such mock (404), or another refusal.

        Examples:
            ```python
            [sr["name"] for sr in hub.list_server_responses(mock["id"])]
            ```
        """
        return self._call("GET", f"/mocks/{mock_id}/server-responses")

    def get_server_response(self, mock_id: str, sid: str) -> Any:
        """One server response: ``GET /mocks/{id}/server-responses/{sid}``.

        Args:
            mock_id: the mock's id (or uid).
            sid: the server response's id.

        Returns:
            The server response (the shape of ``create_server_response``'s answer).

        Raises:
            HubError: no such mock or server response (404).

        Examples:
            ```python
            hub.get_server_response(mock["id"], sid)["statusCode"]
            ```
        """
        return self._call("GET", f"/mocks/{mock_id}/server-responses/{sid}")

    def update_server_response(self, mock_id: str, sid: str, **fields: Any) -> Any:
        """Change a server response: ``PUT /mocks/{id}/server-responses/{sid}``; only the fields
        given change.

        Args:
            mock_id: the mock's id (or uid).
            sid: the server response's id.
            **fields: by Postman's names: ``name``, ``statusCode`` (500 to 599), ``headers``
                (``{name: value}`` or ``[{"key", "value"}]``), ``language``, ``body``.

        Returns:
            The server response as it is now.

        Raises:
            HubError: no such mock or server response, or a field it cannot take (400).

        Examples:
            ```python
            hub.update_server_response(mock["id"], sid, statusCode=502, body="bad gateway")
            ```
        """
        if "headers" in fields:
            fields["headers"] = _header_list(fields["headers"])
        return self._call("PUT", f"/mocks/{mock_id}/server-responses/{sid}", {"serverResponse": fields})

    def delete_server_response(self, mock_id: str, sid: str) -> Any:
        """Delete a server response: ``DELETE /mocks/{id}/server-responses/{sid}``.

        Args:
            mock_id: the mock's id (or uid).
            sid: the server response's id.

        Returns:
            The deleted server response.

        Raises:
            HubError: no such mock or server response (404).

        Examples:
            ```python
            hub.delete_server_response(mock["id"], sid)
            ```
        """
        return self._call("DELETE", f"/mocks/{mock_id}/server-responses/{sid}")

    def activate_server_response(self, mock_id: str, sid: str | None) -> Any:
        """Make a server response answer every call of the mock, or stop it (Postman does this
        through the mock's ``config.serverResponseId``, spec C5).

        Args:
            mock_id: the mock's id (or uid).
            sid: the server response's id; ``None`` deactivates it (examples answer again).

        Returns:
            ``{"mock": {...}}``: the mock as it is now.

        Raises:
            HubError: no such mock, or the mock has no server response ``sid`` (400).

        Examples:
            ```python
            hub.activate_server_response(mock["id"], sid)       # every call: the 503
            hub.activate_server_response(mock["id"], None)
            ```
        """
        return self._call("PUT", f"/mocks/{mock_id}", {"mock": {"config": {"serverResponseId": sid}}})


def _header_list(headers: Any) -> Any:
    if isinstance(headers, dict):
        return [{"key": k, "value": v} for k, v in headers.items()]
    return headers
