"""The hub's management API, shaped like Postman's (spec §4), with no HTTP server in it.

    AdminAPI(store, invalidate).handle(method, path, query, body, base_url) -> (status, JSON value)

``hub.app`` puts it behind Tornado (after checking ``x-api-key``); this module routes and shapes
JSON, ``hub.validation`` checks what comes in, so every rule is testable without a socket.

Decisions where Postman is silent or where a local hub differs:

* **Error names.** Bad bodies and query parameters: 400 ``malformedRequestError`` naming the
  field (``hub.validation``). Unknown ids: 404 ``instanceNotFoundError``. Unknown routes: 404
  ``notFound``; a known route with another method: 405 ``methodNotAllowedError``. (401
  ``AuthenticationError`` lives in ``hub.app``.)
* **References in bodies** (``mock.collection``, ``mock.environment``,
  ``mock.config.serverResponseId``) that name nothing are 400s naming the field: the URL's
  resource exists, the body is wrong. Ids in URLs and bodies may be given as ids or uids.
* **New mocks are public** unless ``private: true`` (spec C2), and take the hub's defaults for
  the config keys they leave out (``mockkit hub --match-body``...: ``AdminAPI(defaults=)``).
  Deleting a collection or environment deactivates its mocks; a ``PUT`` pointing a mock at
  existing documents reactivates it.
* **``GET /status``** (a mockkit extension): the hub's health, call-log writing and failed
  requests included.
* **Call logs**: newest first unless ``sort=servedAt&direction=asc`` (the two only together);
  ``servedAt`` order is insertion order; ``limit`` above 100 is served as 100; ``nextCursor`` is
  ``null`` on the last page; the cursor is opaque and tied to the direction it was made for.
  ``response.type`` is ``success`` (an example was served), ``serverResponse`` (an active server
  response answered) or ``error`` (no example matched, or another mock error).
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Iterable
from typing import Any

from .. import gcpause
from ..collection import load_collection, load_environment
from ..errors import CollectionError
from ..options import MockOptions
from .store import HubStore
from .validation import (
    MOCK_FIELDS,
    ApiError,
    Call,
    boolean,
    call_log_query,
    cursor,
    json_object,
    malformed,
    mock_config,
    not_found,
    only_known,
    server_response_fields,
    text,
)

__all__ = ["AdminAPI", "ROUTES"]

_ID = r"([^/]+)"
_SR = r"(?:server-responses|serverResponses)"
_DOCS = r"(collections|environments)"
ROUTES: list[tuple[re.Pattern[str], dict[str, str]]] = [
    (re.compile(r"/status"), {"GET": "hub_status"}),
    (re.compile(r"/mocks"), {"GET": "list_mocks", "POST": "create_mock"}),
    (re.compile(rf"/mocks/{_ID}"), {"GET": "get_mock", "PUT": "update_mock", "DELETE": "delete_mock"}),
    (re.compile(rf"/mocks/{_ID}/publish"), {"POST": "publish_mock"}),
    (re.compile(rf"/mocks/{_ID}/unpublish"), {"DELETE": "unpublish_mock"}),
    (re.compile(rf"/mocks/{_ID}/call-logs"), {"GET": "call_logs"}),
    (re.compile(rf"/mocks/{_ID}/{_SR}"), {"GET": "list_server_responses", "POST": "create_server_response"}),
    (re.compile(rf"/mocks/{_ID}/{_SR}/{_ID}"),
     {"GET": "get_server_response", "PUT": "update_server_response", "DELETE": "delete_server_response"}),
    (re.compile(rf"/{_DOCS}"), {"GET": "list_documents", "POST": "create_document"}),
    (re.compile(rf"/{_DOCS}/{_ID}"), {"GET": "get_document", "PUT": "update_document", "DELETE": "delete_document"}),
]


class AdminAPI:
    """Routes, validates and answers management calls against a ``HubStore``.

    ``invalidate(mock_ids)`` is called after every write that changes how those mocks answer,
    so the hub rebuilds their engines on the next call (no restart).
    """

    def __init__(self, store: HubStore, invalidate: Callable[[Iterable[str]], None], *,
                 status: Callable[[], dict[str, Any]] | None = None,
                 before_reading_calls: Callable[[], object] | None = None,
                 defaults: MockOptions | None = None) -> None:
        self.store = store
        self.default_config = {**(defaults or MockOptions()).postman_config(), "serverResponseId": None}
        self.owner = store.owner
        self.invalidate = invalidate
        self._status = status
        self._before_reading_calls = before_reading_calls

    def handle(self, method: str, path: str, query: dict[str, str], body: bytes, base_url: str) -> tuple[int, Any]:
        path = path.rstrip("/") or "/"
        for pattern, methods in ROUTES:
            match = pattern.fullmatch(path)
            if match is None:
                continue
            if method not in methods:
                error = ApiError(405, "methodNotAllowedError", f"{method} is not allowed here; use {', '.join(methods)}")
                return error.status, error.body()
            try:
                answer: tuple[int, Any] = getattr(self, methods[method])(Call(query, body, base_url), *match.groups())
                return answer
            except ApiError as exc:
                return exc.status, exc.body()
            except RecursionError:
                return 400, malformed("the request body is nested too deeply").body()
        return 404, ApiError(404, "notFound", "Requested resource not found").body()

    # ------------------------------------------------------------------------------ helpers

    def _local(self, uid: str) -> str:
        """An id from an id or a ``<owner>-<id>`` uid."""
        prefix = f"{self.owner}-"
        return uid[len(prefix):] if uid.startswith(prefix) else uid

    def _uid(self, local_id: str | None) -> str | None:
        return None if local_id is None else f"{self.owner}-{local_id}"

    def _mock_row(self, mock_id: str) -> dict[str, Any]:
        row = self.store.get_mock(self._local(mock_id))
        if row is None:
            raise not_found("mock")
        return row

    def _ref(self, mock: dict[str, Any], key: str, *, required: bool) -> str | None:
        value = mock.get(key)
        if value is None or value == "":
            if required:
                raise malformed(f"mock.{key} is required")
            return None
        kind = "collections" if key == "collection" else "environments"
        doc_id = self._local(text(value, f"mock.{key}"))
        if self.store.get_document(kind, doc_id) is None:
            raise malformed(f"mock.{key}: there is no {key} with that uid on this hub (GET /{kind} lists them)")
        return doc_id

    def _config(self, value: object, current: dict[str, Any], mock_id: str | None) -> dict[str, Any]:
        config = mock_config(value, current)
        sid = config["serverResponseId"] if isinstance(value, dict) and "serverResponseId" in value else None
        if sid is not None and (mock_id is None or self.store.get_server_response(mock_id, sid) is None):
            raise malformed("mock.config.serverResponseId: this mock has no server response with that id")
        return config

    def mock_object(self, row: dict[str, Any], base_url: str) -> dict[str, Any]:
        """A mock in Postman's shape; ``mockUrl`` is ``<hub>/m/<id>``."""
        return {
            "id": row["id"], "owner": self.owner, "uid": self._uid(row["id"]),
            "collection": self._uid(row["collection"]), "environment": self._uid(row["environment"]),
            "mockUrl": f"{base_url}/m/{row['id']}", "name": row["name"], "config": row["config"],
            "createdAt": row["created_at"], "updatedAt": row["updated_at"],
            "isPublic": bool(row["is_public"]), "deactivated": bool(row["deactivated"]),
        }

    def _server_response(self, row: dict[str, Any], full: bool = True) -> dict[str, Any]:
        out = {"id": row["id"], "name": row["name"], "statusCode": row["status_code"],
               "createdAt": row["created_at"], "updatedAt": row["updated_at"],
               "createdBy": self.owner, "updatedBy": self.owner}
        if full:
            out.update(headers=row["headers"], language=row["language"], body=row["body"], mock=row["mock"])
        return out

    def hub_status(self, call: Call) -> tuple[int, Any]:
        return 200, {"status": self._status() if self._status is not None else {}}

    # -------------------------------------------------------------------------------- mocks

    def list_mocks(self, call: Call) -> tuple[int, Any]:
        return 200, {"mocks": [self.mock_object(r, call.base_url) for r in self.store.list_mocks()]}

    def create_mock(self, call: Call) -> tuple[int, Any]:
        mock = json_object(call.json().get("mock"), "mock")
        only_known(mock, MOCK_FIELDS, "mock")
        collection = self._ref(mock, "collection", required=True)
        environment = self._ref(mock, "environment", required=False)
        name = mock.get("name")
        if name is None:
            name = self.store.get_document("collections", collection)["name"]  # type: ignore[arg-type,index]
        for key in ("description", "versionTag"):
            if mock.get(key) is not None:
                text(mock[key], f"mock.{key}")
        row = self.store.add_mock({
            "id": str(uuid.uuid4()), "name": text(name, "mock.name"), "collection": collection,
            "environment": environment, "is_public": not boolean(mock.get("private", False), "mock.private"),
            "deactivated": False,
            "config": self._config(mock["config"], self.default_config, None) if "config" in mock
            else dict(self.default_config),
        })
        return 200, {"mock": self.mock_object(row, call.base_url)}

    def get_mock(self, call: Call, mock_id: str) -> tuple[int, Any]:
        return 200, {"mock": self.mock_object(self._mock_row(mock_id), call.base_url)}

    def update_mock(self, call: Call, mock_id: str) -> tuple[int, Any]:
        row = self._mock_row(mock_id)
        mock = json_object(call.json().get("mock"), "mock")
        only_known(mock, MOCK_FIELDS, "mock")
        changes: dict[str, Any] = {}
        if "name" in mock:
            changes["name"] = text(mock["name"], "mock.name")
        if "collection" in mock:
            changes["collection"] = self._ref(mock, "collection", required=True)
        if "environment" in mock:
            changes["environment"] = self._ref(mock, "environment", required=False)
        if "private" in mock:
            changes["is_public"] = not boolean(mock["private"], "mock.private")
        if "config" in mock:
            changes["config"] = self._config(mock["config"], row["config"], row["id"])
        if "collection" in changes or "environment" in changes:
            env = changes.get("environment", row["environment"])
            changes["deactivated"] = (
                self.store.get_document("collections", changes.get("collection", row["collection"])) is None
                or (env is not None and self.store.get_document("environments", env) is None))
        updated = self.store.update_mock(row["id"], changes)
        if updated is None:
            raise not_found("mock")
        self.invalidate([row["id"]])
        return 200, {"mock": self.mock_object(updated, call.base_url)}

    def delete_mock(self, call: Call, mock_id: str) -> tuple[int, Any]:
        row = self._mock_row(mock_id)
        if not self.store.delete_mock(row["id"]):
            raise not_found("mock")
        self.invalidate([row["id"]])
        return 200, {"mock": {"id": row["id"], "uid": self._uid(row["id"])}}

    def publish_mock(self, call: Call, mock_id: str) -> tuple[int, Any]:
        return self._visibility(mock_id, True)

    def unpublish_mock(self, call: Call, mock_id: str) -> tuple[int, Any]:
        return self._visibility(mock_id, False)

    def _visibility(self, mock_id: str, public: bool) -> tuple[int, Any]:
        row = self._mock_row(mock_id)
        if self.store.update_mock(row["id"], {"is_public": public}) is None:
            raise not_found("mock")
        self.invalidate([row["id"]])
        return 200, {"mock": {"id": row["id"]}}

    def call_logs(self, call: Call, mock_id: str) -> tuple[int, Any]:
        row = self._mock_row(mock_id)
        query = call_log_query(call.query)
        if self._before_reading_calls is not None:
            self._before_reading_calls()  # calls answered before this request are in the log
        rows, next_seq = self.store.call_logs(row["id"], query)
        after = cursor(next_seq, query.ascending) if next_seq is not None else None
        return 200, {"call-logs": [_call_log(r, query.include) for r in rows], "meta": {"nextCursor": after}}

    # --------------------------------------------------------------------- server responses

    def list_server_responses(self, call: Call, mock_id: str) -> tuple[int, Any]:
        row = self._mock_row(mock_id)
        return 200, [self._server_response(r, full=False) for r in self.store.list_server_responses(row["id"])]

    def create_server_response(self, call: Call, mock_id: str) -> tuple[int, Any]:
        row = self._mock_row(mock_id)
        fields = server_response_fields(call.json().get("serverResponse"), creating=True)
        created = self.store.add_server_response(row["id"], {"id": str(uuid.uuid4()), **fields})
        return 200, self._server_response(created)

    def get_server_response(self, call: Call, mock_id: str, sr_id: str) -> tuple[int, Any]:
        row = self.store.get_server_response(self._mock_row(mock_id)["id"], sr_id)
        if row is None:
            raise not_found("server response")
        return 200, self._server_response(row)

    def update_server_response(self, call: Call, mock_id: str, sr_id: str) -> tuple[int, Any]:
        mock = self._mock_row(mock_id)
        if self.store.get_server_response(mock["id"], sr_id) is None:
            raise not_found("server response")
        row = self.store.update_server_response(mock["id"], sr_id, server_response_fields(call.json().get("serverResponse"), creating=False))
        if row is None:
            raise not_found("server response")
        self.invalidate([mock["id"]])
        return 200, self._server_response(row)

    def delete_server_response(self, call: Call, mock_id: str, sr_id: str) -> tuple[int, Any]:
        mock = self._mock_row(mock_id)
        row = self.store.delete_server_response(mock["id"], sr_id)
        if row is None:
            raise not_found("server response")
        self.invalidate([mock["id"]])
        return 200, self._server_response(row)

    # ------------------------------------------------------------ collections, environments

    def _document(self, call: Call, kind: str) -> tuple[str, dict[str, Any]]:
        """The uploaded export, checked by the same loader the engine uses; returns (name, doc)."""
        singular = kind[:-1]
        doc = json_object(call.json().get(singular), singular)
        load = load_collection if kind == "collections" else load_environment
        try:
            with gcpause.paused() as pause:
                loaded = load({singular: doc})
                pause.freeze = len(getattr(loaded, "examples", ())) >= gcpause.FREEZE_ABOVE
        except CollectionError as exc:
            raise malformed(f"{exc.path}: {exc.expected}" if exc.path else f"{singular}: {exc.expected}") from None
        return loaded.name, doc

    def list_documents(self, call: Call, kind: str) -> tuple[int, Any]:
        rows = self.store.list_documents(kind)
        return 200, {kind: [{"id": r["id"], "name": r["name"], "owner": self.owner, "uid": self._uid(r["id"]),
                             "createdAt": r["created_at"], "updatedAt": r["updated_at"], "isPublic": False}
                            for r in rows]}

    def create_document(self, call: Call, kind: str) -> tuple[int, Any]:
        name, doc = self._document(call, kind)
        doc_id = str(uuid.uuid4())
        self.store.add_document(kind, doc_id, name, doc)
        return 200, {kind[:-1]: {"id": doc_id, "name": name, "uid": self._uid(doc_id)}}

    def get_document(self, call: Call, kind: str, uid: str) -> tuple[int, Any]:
        row = self.store.get_document(kind, self._local(uid))
        if row is None:
            raise not_found(kind[:-1])
        doc, meta = row["document"], {"createdAt": row["created_at"], "updatedAt": row["updated_at"]}
        if kind == "collections":
            info = {**(doc.get("info") or {}), "_postman_id": row["id"], "uid": self._uid(row["id"]), **meta}
            return 200, {"collection": {**doc, "info": info}}
        return 200, {"environment": {"id": row["id"], "name": row["name"], "owner": self.owner, **meta,
                                     "values": doc.get("values") or [], "isPublic": False}}

    def update_document(self, call: Call, kind: str, uid: str) -> tuple[int, Any]:
        doc_id = self._local(uid)
        if self.store.get_document(kind, doc_id) is None:
            raise not_found(kind[:-1])
        name, doc = self._document(call, kind)
        if self.store.replace_document(kind, doc_id, name, doc) is None:
            raise not_found(kind[:-1])
        self.invalidate(self.store.mocks_using(kind, doc_id))
        return 200, {kind[:-1]: {"id": doc_id, "name": name, "uid": self._uid(doc_id)}}

    def delete_document(self, call: Call, kind: str, uid: str) -> tuple[int, Any]:
        doc_id = self._local(uid)
        deactivated = self.store.delete_document(kind, doc_id)
        if deactivated is None:
            raise not_found(kind[:-1])
        self.invalidate(deactivated)
        return 200, {kind[:-1]: {"id": doc_id, "uid": self._uid(doc_id)}}


def _call_log(row: dict[str, Any], include: frozenset[str]) -> dict[str, Any]:
    """One call-log row in Postman's CallLog shape; headers and bodies only when included."""
    request: dict[str, Any] = {"method": row["method"], "path": row["path"]}
    response: dict[str, Any] = {"type": row["type"], "statusCode": row["status"]}
    if "request.headers" in include:
        request["headers"] = row["request_headers"]
    if "request.body" in include:
        request["body"] = {"mode": "raw", "data": row["request_body"]}
    if "response.headers" in include:
        response["headers"] = [{**h, "description": {"content": "", "type": "text/plain"}}
                               for h in row["response_headers"]]
    if "response.body" in include:
        response["body"] = {"data": row["response_body"]}
    return {"id": row["id"], "responseName": row["response_name"], "servedAt": row["served_at"],
            "request": request, "response": response}
