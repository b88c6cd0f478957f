"""The hub's management API, shaped like Postman's (spec §4), with no HTTP server in it.

    AdminAPI(store, invalidate).handle(method, path, query, body, base_url) -> (status, JSON value)

``hub.py`` puts it behind Tornado (after checking ``x-api-key``); this module only routes,
validates and shapes JSON, so every rule here is testable without a socket.

Decisions where Postman is silent or where a local hub differs:

* **Error names.** Bad bodies and query parameters: 400 ``malformedRequestError`` whose message
  starts with the offending field (``mock.collection is required``,
  ``serverResponse.headers[1].key must be a non-empty string``). Unknown ids: 404
  ``instanceNotFoundError``. Unknown routes: 404 ``notFound``; a known route with another
  method: 405 ``methodNotAllowedError``. (401 ``AuthenticationError`` lives in ``hub.py``.)
* **References in bodies** (``mock.collection``, ``mock.environment``,
  ``mock.config.serverResponseId``) that name nothing are 400s naming the field: the URL's
  resource exists, the body is wrong. Ids in URLs and bodies may be given as ids or uids.
* **Unknown fields** in ``mock``, ``mock.config``, ``mock.config.delay`` and ``serverResponse``
  are refused (400, naming the field and the known ones): a typo such as ``matchbody`` would
  otherwise be silently ignored. ``description``, ``versionTag`` and ``config.matchHeader`` are
  accepted for compatibility and ignored (``config.headers`` alone decides header matching).
* **New mocks are public** unless ``private: true`` (spec C2). Deleting a collection or
  environment deactivates its mocks; a ``PUT`` pointing a mock at existing documents reactivates it.
* **Numbers in query parameters** (``limit``, ``responseStatusCode``, the cursor's position) are
  read by ``strictnum.parse_int``: ASCII digits within a range, else a 400
  ``malformedRequestError`` naming the parameter (``limit=²`` or 5,000 digits are not numbers).
* **``GET /status``** (a mockkit extension): the hub's health, call-log writing included.
* **Call logs**: newest first unless ``sort=servedAt&direction=asc`` (the two only together);
  ``servedAt`` order is insertion order; ``limit`` above 100 is served as 100; ``nextCursor`` is
  ``null`` on the last page; the cursor is opaque and tied to the direction it was made for.
  ``response.type`` is ``success`` (an example was served), ``serverResponse`` (an active server
  response answered) or ``error`` (no example matched, or another mock error).
"""

from __future__ import annotations

import base64
import binascii
import re
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from . import gcpause, safejson
from .answers import error_value
from .collection import load_collection, load_environment
from .errors import CollectionError, ConfigError
from .hubstore import CallLogQuery, HubStore
from .options import CONFIG_KEYS, DELAY_PRESETS, MAX_DELAY_MS, POSTMAN_KEYS, MockOptions
from .strictnum import parse_int

__all__ = ["AdminAPI", "ApiError", "DEFAULT_CONFIG"]

DEFAULT_CONFIG: dict[str, Any] = {**MockOptions().postman_config(), "serverResponseId": None}
MOCK_FIELDS = {"collection", "environment", "name", "private", "config", "description", "versionTag"}
CONFIG_FIELDS = {*CONFIG_KEYS, "serverResponseId", "matchHeader"}
SERVER_RESPONSE_FIELDS = {"name", "statusCode", "headers", "language", "body"}
LANGUAGES = ("text", "javascript", "json", "html", "xml")
INCLUDES = ("request.headers", "request.body", "response.headers", "response.body")


class ApiError(Exception):
    """An answer in Postman's error shape: ``{"error": {"name", "message"}}`` with ``status``."""

    def __init__(self, status: int, name: str, message: str) -> None:
        super().__init__(message)
        self.status, self.name, self.message = status, name, message

    def body(self) -> dict[str, Any]:
        return error_value(self.name, self.message)


def malformed(message: str) -> ApiError:
    return ApiError(400, "malformedRequestError", message)


def _not_found(what: str) -> ApiError:
    return ApiError(404, "instanceNotFoundError", f"We could not find a {what} with that id on this hub.")


def _object(value: object, name: str) -> dict[str, Any]:
    if value is None:
        raise malformed(f"{name} is required")
    if not isinstance(value, dict):
        raise malformed(f"{name} must be an object")
    return value


def _known(obj: dict[str, Any], known: Iterable[str], name: str) -> None:
    unknown = sorted(set(obj) - set(known))
    if unknown:
        raise malformed(f"{name}.{unknown[0]} is not a known field (known: {', '.join(sorted(known))})")


def _bool(value: object, name: str) -> bool:
    if not isinstance(value, bool):
        raise malformed(f"{name} must be true or false")
    return value


def _string(value: object, name: str, *, empty: bool = True) -> str:
    if not isinstance(value, str) or (not empty and not value.strip()):
        raise malformed(f"{name} must be a {'' if empty else 'non-empty '}string")
    return value


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _delay(value: object) -> dict[str, Any] | None:
    """``null`` or ``{type: "fixed", preset: "1"|"2"}`` or ``{type: "fixed", duration: ms}``."""
    if value is None:
        return None
    delay = _object(value, "mock.config.delay")
    _known(delay, ("type", "preset", "duration"), "mock.config.delay")
    if delay.get("type", "fixed") != "fixed":
        raise malformed('mock.config.delay.type must be "fixed"')
    if delay.get("preset") is not None:
        preset = str(delay["preset"]) if _is_int(delay["preset"]) else delay["preset"]
        if preset not in ("1", "2"):
            raise malformed('mock.config.delay.preset must be "1" (2G, 300 ms) or "2" (3G, 100 ms)')
        return {"type": "fixed", "preset": preset, "duration": DELAY_PRESETS[preset]}
    duration = delay.get("duration")
    if not _is_int(duration) or not 1 <= duration <= MAX_DELAY_MS:  # type: ignore[operator]
        raise malformed(f"mock.config.delay.duration must be an integer from 1 to {MAX_DELAY_MS} (milliseconds)")
    return {"type": "fixed", "duration": duration}


def _headers(value: object, name: str) -> list[dict[str, str]]:
    if not isinstance(value, list):
        raise malformed(f"{name} must be a list of {{key, value}} objects")
    out = []
    for i, entry in enumerate(value):
        entry = _object(entry, f"{name}[{i}]")
        out.append({"key": _string(entry.get("key"), f"{name}[{i}].key", empty=False).strip(),
                    "value": _string(entry.get("value", ""), f"{name}[{i}].value")})
    return out


def _iso_ms(value: str, name: str) -> int:
    try:
        moment = datetime.fromisoformat(value.strip())
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=timezone.utc)
        return int(moment.timestamp() * 1000)
    except (ValueError, OverflowError):
        raise malformed(f"{name} must be an ISO 8601 date-time such as 2024-05-01T12:00:00Z") from None


def _cursor(seq: int, ascending: bool) -> str:
    return base64.urlsafe_b64encode(f"{'a' if ascending else 'd'}{seq}".encode()).decode().rstrip("=")


def _parse_cursor(value: str, ascending: bool) -> int:
    try:
        raw = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)).decode("ascii")
    except (binascii.Error, ValueError):
        raw = ""
    seq = parse_int(raw[1:], strip=False)
    if len(raw) < 2 or raw[0] not in "ad" or seq is None:
        raise malformed("cursor is not a cursor this hub returned (use meta.nextCursor as is)")
    if (raw[0] == "a") != ascending:
        raise malformed("cursor was made for the other sort direction: repeat the query's sort and direction")
    return seq


def call_log_query(q: dict[str, str]) -> CallLogQuery:
    """Validate the call-log query parameters (spec §4) into a ``CallLogQuery``."""
    limit = 100
    if "limit" in q:
        asked = parse_int(q["limit"], 1)
        if asked is None:
            raise malformed("limit must be a whole number from 1 to 100 (larger ones are served as 100)")
        limit = min(asked, 100)
    sort, direction = q.get("sort"), q.get("direction")
    if (sort is None) != (direction is None):
        raise malformed("sort and direction must be given together (sort=servedAt&direction=asc|desc)")
    if sort is not None and sort != "servedAt":
        raise malformed("sort must be servedAt")
    if direction not in (None, "asc", "desc"):
        raise malformed("direction must be asc or desc")
    ascending = direction == "asc"
    status_text = q.get("responseStatusCode")
    status = parse_int(status_text, 100, 599)
    if status_text is not None and status is None:
        raise malformed("responseStatusCode must be an HTTP status code from 100 to 599, such as 200")
    include = frozenset(part.strip() for part in q.get("include", "").split(",") if part.strip())
    unknown = sorted(include - set(INCLUDES))
    if unknown:
        raise malformed(f"include: {unknown[0]!r} is not one of {', '.join(INCLUDES)}")
    return CallLogQuery(
        limit=limit,
        after_seq=_parse_cursor(q["cursor"], ascending) if q.get("cursor") else None,
        ascending=ascending,
        since_ms=_iso_ms(q["since"], "since") if q.get("since") else None,
        until_ms=_iso_ms(q["until"], "until") if q.get("until") else None,
        status=status,
        type=q.get("responseType") or None,
        method=q.get("requestMethod") or None,
        path=q.get("requestPath") or None,
        include=include,
    )


@dataclass(frozen=True, slots=True)
class _Call:
    """One admin request: its query (last value wins), raw body and the mocks' base URL."""

    query: dict[str, str]
    body: bytes
    base_url: str

    def json(self) -> dict[str, Any]:
        if not self.body.strip():
            raise malformed("the request body is empty: expected a JSON object")
        try:
            value = safejson.loads(self.body)
        except safejson.TooDeep as exc:
            where = f" (at {exc.path})" if exc.path else ""
            raise malformed(f"the request body has {exc.reason}{where}") from None
        except ValueError as exc:
            raise malformed(f"the request body is not valid JSON: {exc}") from None
        if not isinstance(value, dict):
            raise malformed("the request body must be a JSON object")
        return value


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
                return getattr(self, methods[method])(_Call(query, body, base_url), *match.groups())
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
            raise _not_found("mock")
        return row

    def _ref(self, mock: dict[str, Any], key: str, *, required: bool) -> str | None:
        value = mock.get(key)
        if value is None or value == "":
            if required:
                raise malformed(f"mock.{key} is required")
            return None
        kind = "collections" if key == "collection" else "environments"
        doc_id = self._local(_string(value, f"mock.{key}"))
        if self.store.get_document(kind, doc_id) is None:
            raise malformed(f"mock.{key}: there is no {key} with that uid on this hub (GET /{kind} lists them)")
        return doc_id

    def _config(self, value: object, current: dict[str, Any], mock_id: str | None) -> dict[str, Any]:
        config = _object(value, "mock.config")
        _known(config, CONFIG_FIELDS, "mock.config")
        out = dict(current)
        if "headers" in config:
            names = config["headers"]
            if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
                raise malformed("mock.config.headers must be a list of header names (strings)")
            out["headers"] = [n.strip() for n in names if n.strip()]
        for key in ("matchBody", "matchQueryParams", "matchWildcards", "matchHeader"):
            if key in config:
                out[key] = _bool(config[key], f"mock.config.{key}")
        out.pop("matchHeader", None)  # accepted, not stored: `headers` decides header matching
        if "delay" in config:
            out["delay"] = _delay(config["delay"])
        for key in set(config) & set(CONFIG_KEYS) - set(POSTMAN_KEYS):  # mockkit's own keys
            try:
                MockOptions.from_postman_config({key: config[key]})
            except ConfigError as exc:
                raise malformed(f"mock.config.{key} {exc.problem}") from None
            out[key] = config[key]
        if "serverResponseId" in config:
            sid = config["serverResponseId"]
            if sid is not None:
                sid = _string(sid, "mock.config.serverResponseId", empty=False)
                if mock_id is None or self.store.get_server_response(mock_id, sid) is None:
                    raise malformed("mock.config.serverResponseId: this mock has no server response with that id")
            out["serverResponseId"] = sid
        return out

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

    def hub_status(self, call: _Call) -> tuple[int, Any]:
        return 200, {"status": self._status() if self._status is not None else {}}

    # -------------------------------------------------------------------------------- mocks

    def list_mocks(self, call: _Call) -> tuple[int, Any]:
        return 200, {"mocks": [self.mock_object(r, call.base_url) for r in self.store.list_mocks()]}

    def create_mock(self, call: _Call) -> tuple[int, Any]:
        mock = _object(call.json().get("mock"), "mock")
        _known(mock, MOCK_FIELDS, "mock")
        collection = self._ref(mock, "collection", required=True)
        environment = self._ref(mock, "environment", required=False)
        name = mock.get("name")
        if name is None:
            name = self.store.get_document("collections", collection)["name"]  # type: ignore[arg-type,index]
        for key in ("description", "versionTag"):
            if mock.get(key) is not None:
                _string(mock[key], f"mock.{key}")
        row = self.store.add_mock({
            "id": str(uuid.uuid4()), "name": _string(name, "mock.name"), "collection": collection,
            "environment": environment, "is_public": not _bool(mock.get("private", False), "mock.private"),
            "deactivated": False,
            "config": self._config(mock["config"], self.default_config, None) if "config" in mock
            else dict(self.default_config),
        })
        return 200, {"mock": self.mock_object(row, call.base_url)}

    def get_mock(self, call: _Call, mock_id: str) -> tuple[int, Any]:
        return 200, {"mock": self.mock_object(self._mock_row(mock_id), call.base_url)}

    def update_mock(self, call: _Call, mock_id: str) -> tuple[int, Any]:
        row = self._mock_row(mock_id)
        mock = _object(call.json().get("mock"), "mock")
        _known(mock, MOCK_FIELDS, "mock")
        changes: dict[str, Any] = {}
        if "name" in mock:
            changes["name"] = _string(mock["name"], "mock.name")
        if "collection" in mock:
            changes["collection"] = self._ref(mock, "collection", required=True)
        if "environment" in mock:
            changes["environment"] = self._ref(mock, "environment", required=False)
        if "private" in mock:
            changes["is_public"] = not _bool(mock["private"], "mock.private")
        if "config" in mock:
            changes["config"] = self._config(mock["config"], row["config"], row["id"])
        if "collection" in changes or "environment" in changes:
            env = changes.get("environment", row["environment"])
            changes["deactivated"] = (
                self.store.get_document("collections", changes.get("collection", row["collection"])) is None
                or (env is not None and self.store.get_document("environments", env) is None))
        updated = self.store.update_mock(row["id"], changes)
        if updated is None:
            raise _not_found("mock")
        self.invalidate([row["id"]])
        return 200, {"mock": self.mock_object(updated, call.base_url)}

    def delete_mock(self, call: _Call, mock_id: str) -> tuple[int, Any]:
        row = self._mock_row(mock_id)
        if not self.store.delete_mock(row["id"]):
            raise _not_found("mock")
        self.invalidate([row["id"]])
        return 200, {"mock": {"id": row["id"], "uid": self._uid(row["id"])}}

    def publish_mock(self, call: _Call, mock_id: str) -> tuple[int, Any]:
        return self._visibility(mock_id, True)

    def unpublish_mock(self, call: _Call, mock_id: str) -> tuple[int, Any]:
        return self._visibility(mock_id, False)

    def _visibility(self, mock_id: str, public: bool) -> tuple[int, Any]:
        row = self._mock_row(mock_id)
        if self.store.update_mock(row["id"], {"is_public": public}) is None:
            raise _not_found("mock")
        self.invalidate([row["id"]])
        return 200, {"mock": {"id": row["id"]}}

    def call_logs(self, call: _Call, mock_id: str) -> tuple[int, Any]:
        row = self._mock_row(mock_id)
        query = call_log_query(call.query)
        if self._before_reading_calls is not None:
            self._before_reading_calls()  # calls answered before this request are in the log
        rows, next_seq = self.store.call_logs(row["id"], query)
        cursor = _cursor(next_seq, query.ascending) if next_seq is not None else None
        return 200, {"call-logs": [_call_log(r, query.include) for r in rows], "meta": {"nextCursor": cursor}}

    # --------------------------------------------------------------------- server responses

    def _server_response_fields(self, call: _Call, creating: bool) -> dict[str, Any]:
        sr = _object(call.json().get("serverResponse"), "serverResponse")
        _known(sr, SERVER_RESPONSE_FIELDS, "serverResponse")
        out: dict[str, Any] = {"headers": [], "language": None, "body": ""} if creating else {}
        if creating or "name" in sr:
            if sr.get("name") is None:
                raise malformed("serverResponse.name is required")
            out["name"] = _string(sr["name"], "serverResponse.name", empty=False)
        if creating or "statusCode" in sr:
            code = sr.get("statusCode")
            if code is None:
                raise malformed("serverResponse.statusCode is required")
            if not _is_int(code) or not 500 <= code <= 599:
                raise malformed("serverResponse.statusCode must be a 5xx status code (500 to 599)")
            out["status_code"] = code
        if "headers" in sr:
            out["headers"] = _headers(sr["headers"], "serverResponse.headers")
        if "language" in sr:
            if sr["language"] is not None and sr["language"] not in LANGUAGES:
                raise malformed(f"serverResponse.language must be null or one of {', '.join(LANGUAGES)}")
            out["language"] = sr["language"]
        if "body" in sr:
            out["body"] = _string(sr["body"], "serverResponse.body")
        return out

    def list_server_responses(self, call: _Call, mock_id: str) -> tuple[int, Any]:
        row = self._mock_row(mock_id)
        return 200, [self._server_response(r, full=False) for r in self.store.list_server_responses(row["id"])]

    def create_server_response(self, call: _Call, mock_id: str) -> tuple[int, Any]:
        row = self._mock_row(mock_id)
        fields = self._server_response_fields(call, creating=True)
        created = self.store.add_server_response(row["id"], {"id": str(uuid.uuid4()), **fields})
        return 200, self._server_response(created)

    def get_server_response(self, call: _Call, mock_id: str, sr_id: str) -> tuple[int, Any]:
        row = self.store.get_server_response(self._mock_row(mock_id)["id"], sr_id)
        if row is None:
            raise _not_found("server response")
        return 200, self._server_response(row)

    def update_server_response(self, call: _Call, mock_id: str, sr_id: str) -> tuple[int, Any]:
        mock = self._mock_row(mock_id)
        if self.store.get_server_response(mock["id"], sr_id) is None:
            raise _not_found("server response")
        row = self.store.update_server_response(mock["id"], sr_id, self._server_response_fields(call, creating=False))
        if row is None:
            raise _not_found("server response")
        self.invalidate([mock["id"]])
        return 200, self._server_response(row)

    def delete_server_response(self, call: _Call, mock_id: str, sr_id: str) -> tuple[int, Any]:
        mock = self._mock_row(mock_id)
        row = self.store.delete_server_response(mock["id"], sr_id)
        if row is None:
            raise _not_found("server response")
        self.invalidate([mock["id"]])
        return 200, self._server_response(row)

    # ------------------------------------------------------------ collections, environments

    def _document(self, call: _Call, kind: str) -> tuple[str, dict[str, Any]]:
        """The uploaded export, checked by the same loader the engine uses; returns (name, doc)."""
        singular = kind[:-1]
        doc = _object(call.json().get(singular), singular)
        load = load_collection if kind == "collections" else load_environment
        try:
            with gcpause.paused() as pause:
                loaded = load({singular: doc})
                pause.freeze = len(getattr(loaded, "examples", ())) >= gcpause.FREEZE_ABOVE
        except CollectionError as exc:
            raise malformed(f"{exc.path}: {exc.expected}" if exc.path else f"{singular}: {exc.expected}") from None
        return loaded.name, doc

    def list_documents(self, call: _Call, kind: str) -> tuple[int, Any]:
        rows = self.store.list_documents(kind)
        return 200, {kind: [{"id": r["id"], "name": r["name"], "owner": self.owner, "uid": self._uid(r["id"]),
                             "createdAt": r["created_at"], "updatedAt": r["updated_at"], "isPublic": False}
                            for r in rows]}

    def create_document(self, call: _Call, kind: str) -> tuple[int, Any]:
        name, doc = self._document(call, kind)
        doc_id = str(uuid.uuid4())
        self.store.add_document(kind, doc_id, name, doc)
        return 200, {kind[:-1]: {"id": doc_id, "name": name, "uid": self._uid(doc_id)}}

    def get_document(self, call: _Call, kind: str, uid: str) -> tuple[int, Any]:
        row = self.store.get_document(kind, self._local(uid))
        if row is None:
            raise _not_found(kind[:-1])
        doc, meta = row["document"], {"createdAt": row["created_at"], "updatedAt": row["updated_at"]}
        if kind == "collections":
            info = {**(doc.get("info") or {}), "_postman_id": row["id"], "uid": self._uid(row["id"]), **meta}
            return 200, {"collection": {**doc, "info": info}}
        return 200, {"environment": {"id": row["id"], "name": row["name"], "owner": self.owner, **meta,
                                     "values": doc.get("values") or [], "isPublic": False}}

    def update_document(self, call: _Call, kind: str, uid: str) -> tuple[int, Any]:
        doc_id = self._local(uid)
        if self.store.get_document(kind, doc_id) is None:
            raise _not_found(kind[:-1])
        name, doc = self._document(call, kind)
        if self.store.replace_document(kind, doc_id, name, doc) is None:
            raise _not_found(kind[:-1])
        self.invalidate(self.store.mocks_using(kind, doc_id))
        return 200, {kind[:-1]: {"id": doc_id, "name": name, "uid": self._uid(doc_id)}}

    def delete_document(self, call: _Call, kind: str, uid: str) -> tuple[int, Any]:
        doc_id = self._local(uid)
        deactivated = self.store.delete_document(kind, doc_id)
        if deactivated is None:
            raise _not_found(kind[:-1])
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
