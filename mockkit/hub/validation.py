"""What the hub's management API accepts: request bodies and query parameters checked, each
refusal a 400 ``malformedRequestError`` whose message starts with the offending field
(``mock.collection is required``, ``serverResponse.headers[1].key must be a non-empty string``).

* **Unknown fields** in ``mock``, ``mock.config``, ``mock.config.delay`` and ``serverResponse``
  are refused (naming the field and the known ones): a typo such as ``matchbody`` would
  otherwise be silently ignored. ``description``, ``versionTag`` and ``config.matchHeader`` are
  accepted for compatibility and ignored (``config.headers`` alone decides header matching).
* **A mock's config** takes Postman's keys and mockkit's own (``MockOptions.from_postman_config``:
  ``distanceThreshold``, ``colonWildcards``, ``cors``, ``seed``); values are checked by
  ``MockOptions``, so a value refused here is refused by every door.
* **Numbers in query parameters** (``limit``, ``responseStatusCode``, the cursor's position) are
  read by ``strictnum.parse_int``: ASCII digits within a range, else a 400 naming the parameter
  (``limit=²`` or 5,000 digits are not numbers).
* **Call-log queries**: ``sort=servedAt&direction=asc|desc`` only together; ``limit`` above 100 is
  served as 100; the cursor is opaque and tied to the direction it was made for.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from .. import safejson
from ..answers import error_value
from ..errors import ConfigError
from ..options import CONFIG_KEYS, DELAY_PRESETS, MAX_DELAY_MS, POSTMAN_KEYS, MockOptions
from ..strictnum import parse_int
from .store import CallLogQuery

__all__ = ["ApiError", "malformed", "not_found", "Call", "json_object", "only_known", "boolean", "text", "mock_config",
           "server_response_fields", "call_log_query", "cursor", "MOCK_FIELDS", "INCLUDES"]

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
    """A 400 ``malformedRequestError``; ``message`` starts with the offending field."""
    return ApiError(400, "malformedRequestError", message)


def not_found(what: str) -> ApiError:
    return ApiError(404, "instanceNotFoundError", f"We could not find a {what} with that id on this hub.")


def json_object(value: object, name: str) -> dict[str, Any]:
    if value is None:
        raise malformed(f"{name} is required")
    if not isinstance(value, dict):
        raise malformed(f"{name} must be an object")
    return value


def only_known(obj: dict[str, Any], known: Iterable[str], name: str) -> None:
    unknown = sorted(set(obj) - set(known))
    if unknown:
        raise malformed(f"{name}.{unknown[0]} is not a known field (known: {', '.join(sorted(known))})")


def boolean(value: object, name: str) -> bool:
    if not isinstance(value, bool):
        raise malformed(f"{name} must be true or false")
    return value


def text(value: object, name: str, *, empty: bool = True) -> str:
    if not isinstance(value, str) or (not empty and not value.strip()):
        raise malformed(f"{name} must be a {'' if empty else 'non-empty '}string")
    return value


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _delay(value: object) -> dict[str, Any] | None:
    """``null`` or ``{type: "fixed", preset: "1"|"2"}`` or ``{type: "fixed", duration: ms}``."""
    if value is None:
        return None
    delay = json_object(value, "mock.config.delay")
    only_known(delay, ("type", "preset", "duration"), "mock.config.delay")
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
        entry = json_object(entry, f"{name}[{i}]")
        out.append({"key": text(entry.get("key"), f"{name}[{i}].key", empty=False).strip(),
                    "value": text(entry.get("value", ""), f"{name}[{i}].value")})
    return out


def _iso_ms(value: str, name: str) -> int:
    try:
        moment = datetime.fromisoformat(value.strip())
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=timezone.utc)
        return int(moment.timestamp() * 1000)
    except (ValueError, OverflowError):
        raise malformed(f"{name} must be an ISO 8601 date-time such as 2024-05-01T12:00:00Z") from None


def cursor(seq: int, ascending: bool) -> str:
    """An opaque call-log cursor: continue past row ``seq`` in the direction it was made for."""
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
class Call:
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


def mock_config(value: object, current: dict[str, Any]) -> dict[str, Any]:
    """``mock.config`` checked and merged over ``current``: Postman's keys (spec C3, C4) and
    mockkit's own (``distanceThreshold``, ``colonWildcards``, ``cors``, ``seed``: checked by
    ``MockOptions``, the one place option values are checked). ``serverResponseId`` is checked to
    be a non-empty string or null; whether the mock has it is the caller's to check."""
    config = json_object(value, "mock.config")
    only_known(config, CONFIG_FIELDS, "mock.config")
    out = dict(current)
    if "headers" in config:
        names = config["headers"]
        if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
            raise malformed("mock.config.headers must be a list of header names (strings)")
        out["headers"] = [n.strip() for n in names if n.strip()]
    for key in ("matchBody", "matchQueryParams", "matchWildcards", "matchHeader"):
        if key in config:
            out[key] = boolean(config[key], f"mock.config.{key}")
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
        out["serverResponseId"] = None if sid is None else text(sid, "mock.config.serverResponseId", empty=False)
    return out


def server_response_fields(value: object, creating: bool) -> dict[str, Any]:
    """A ``serverResponse`` body checked (spec C5): what to store (all fields when
    ``creating``; else those given)."""
    sr = json_object(value, "serverResponse")
    only_known(sr, SERVER_RESPONSE_FIELDS, "serverResponse")
    out: dict[str, Any] = {"headers": [], "language": None, "body": ""} if creating else {}
    if creating or "name" in sr:
        if sr.get("name") is None:
            raise malformed("serverResponse.name is required")
        out["name"] = text(sr["name"], "serverResponse.name", empty=False)
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
        out["body"] = text(sr["body"], "serverResponse.body")
    return out
