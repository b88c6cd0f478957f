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
    """A client for a hub's management API (httpx; one method per endpoint; parsed JSON back).

    Non-2xx answers raise ``HubError`` with the status and Postman's error name.
    """

    def __init__(self, url: str, api_key: str, *, timeout: float = 30.0) -> None:
        self.url = url.rstrip("/")
        self._http = httpx.Client(base_url=self.url, headers={"x-api-key": api_key}, timeout=timeout,
                                  trust_env=False)

    def __repr__(self) -> str:  # never show the key
        return f"Hub({self.url!r})"

    def close(self) -> None:
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
        """``{"status": {"callLogs": {written, failed, dropped, queued, lastError}, ...}}``: the
        hub's health (a mockkit extension; Postman has no such endpoint)."""
        return self._call("GET", "/status")

    def create_collection(self, collection: Any) -> Any:
        return self._call("POST", "/collections", _export(collection, "collection"))

    def list_collections(self) -> Any:
        return self._call("GET", "/collections")

    def get_collection(self, uid: str) -> Any:
        return self._call("GET", f"/collections/{uid}")

    def update_collection(self, uid: str, collection: Any) -> Any:
        return self._call("PUT", f"/collections/{uid}", _export(collection, "collection"))

    def delete_collection(self, uid: str) -> Any:
        return self._call("DELETE", f"/collections/{uid}")

    def create_environment(self, environment: Any) -> Any:
        return self._call("POST", "/environments", _export(environment, "environment"))

    def list_environments(self) -> Any:
        return self._call("GET", "/environments")

    def get_environment(self, uid: str) -> Any:
        return self._call("GET", f"/environments/{uid}")

    def update_environment(self, uid: str, environment: Any) -> Any:
        return self._call("PUT", f"/environments/{uid}", _export(environment, "environment"))

    def delete_environment(self, uid: str) -> Any:
        return self._call("DELETE", f"/environments/{uid}")

    # mocks
    def create_mock(self, collection: str, environment: str | None = None, name: str | None = None,
                    private: bool = False, config: dict[str, Any] | None = None) -> Any:
        mock: dict[str, Any] = {"collection": collection, "private": private}
        for key, value in (("environment", environment), ("name", name), ("config", config)):
            if value is not None:
                mock[key] = value
        return self._call("POST", "/mocks", {"mock": mock})

    def list_mocks(self) -> Any:
        return self._call("GET", "/mocks")

    def get_mock(self, mock_id: str) -> Any:
        return self._call("GET", f"/mocks/{mock_id}")

    def update_mock(self, mock_id: str, **fields: Any) -> Any:
        """``update_mock(id, name=..., private=True, config={...})``: only the fields given change."""
        return self._call("PUT", f"/mocks/{mock_id}", {"mock": fields})

    def delete_mock(self, mock_id: str) -> Any:
        return self._call("DELETE", f"/mocks/{mock_id}")

    def publish_mock(self, mock_id: str) -> Any:
        return self._call("POST", f"/mocks/{mock_id}/publish")

    def unpublish_mock(self, mock_id: str) -> Any:
        return self._call("DELETE", f"/mocks/{mock_id}/unpublish")

    def call_logs(self, mock_id: str, **query: Any) -> Any:
        """Query parameters by Postman's names: ``limit``, ``cursor``, ``since``, ``until``
        (datetimes or ISO strings), ``responseStatusCode``, ``responseType``, ``requestMethod``,
        ``requestPath``, ``sort``, ``direction``, ``include`` (a list or a comma-separated string)."""
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
        sr: dict[str, Any] = {"name": name, "statusCode": status_code, "body": body, "language": language,
                              "headers": _header_list(headers or [])}
        return self._call("POST", f"/mocks/{mock_id}/server-responses", {"serverResponse": sr})

    def list_server_responses(self, mock_id: str) -> Any:
        return self._call("GET", f"/mocks/{mock_id}/server-responses")

    def get_server_response(self, mock_id: str, sid: str) -> Any:
        return self._call("GET", f"/mocks/{mock_id}/server-responses/{sid}")

    def update_server_response(self, mock_id: str, sid: str, **fields: Any) -> Any:
        """Fields by Postman's names: ``name``, ``statusCode``, ``headers``, ``language``, ``body``."""
        if "headers" in fields:
            fields["headers"] = _header_list(fields["headers"])
        return self._call("PUT", f"/mocks/{mock_id}/server-responses/{sid}", {"serverResponse": fields})

    def delete_server_response(self, mock_id: str, sid: str) -> Any:
        return self._call("DELETE", f"/mocks/{mock_id}/server-responses/{sid}")

    def activate_server_response(self, mock_id: str, sid: str | None) -> Any:
        """Make ``sid`` answer every call of the mock; ``None`` deactivates it."""
        return self._call("PUT", f"/mocks/{mock_id}", {"mock": {"config": {"serverResponseId": sid}}})


def _header_list(headers: Any) -> Any:
    if isinstance(headers, dict):
        return [{"key": k, "value": v} for k, v in headers.items()]
    return headers
