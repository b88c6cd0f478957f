"""What mockkit answers besides an example's own content, written once for every door.

* **Postman's error bodies**: ``{"error": {"name", "message"[, "header"]}}`` (spec §1.7, 9.10), the
  named errors a mock sends (``NOT_FOUND``, ``UNAUTHORIZED``, and the names in ``ERROR_NAMES``),
  and ``error_answer`` / ``json_answer`` to build a JSON answer from them.
* **Reason phrases** from ``http.HTTPStatus`` (``reason_phrase``), also for a saved example's
  status text.
* **CORS** (spec 9.8, 9.9; C7): the automatic headers of a mock's answer (``with_cors``), the one
  automatic pre-flight answer (``preflight``) and what an ``OPTIONS`` example answering a
  pre-flight gets added (``with_preflight_headers``).

Every function that can add CORS headers takes the mock's ``cors`` option as a required keyword,
and no other module writes an ``Access-Control-*`` header: ``cors=False`` (spec 9.9: every
automatic CORS header off, server-level errors included) holds everywhere by construction. The
hub's management API answers with ``cors=False`` always: it is not for browsers.

Header values that echo the request (an ``Origin``, the requested method and headers) go through
``headerclean.wire_value``, the one rule for header values (no CR/LF: spec 9.6).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any

from .headerclean import wire_value
from .model import MockRequest, MockResponse, Pairs

__all__ = ["JSON_TYPE", "NamedError", "NOT_FOUND", "UNAUTHORIZED", "ERROR_NAMES", "error_value", "error_body", "error_answer",
           "json_answer", "named_answer", "failure_message", "reason_phrase", "raw_http_error", "cors_headers", "with_cors",
           "answer_with_cors", "is_preflight",
           "preflight", "with_preflight_headers"]

JSON_TYPE = "application/json; charset=utf-8"


@dataclass(frozen=True, slots=True)
class NamedError:
    """One of Postman's named errors with its status and default message (``header`` is the
    short line Postman adds to ``mockRequestNotFoundError``)."""

    status: int
    name: str
    message: str
    header: str | None = None


NOT_FOUND = NamedError(404, "mockRequestNotFoundError", "Double check your method and the request path and try again.",
                       "No matching requests")
"""No example matched (spec §1.7)."""
UNAUTHORIZED = NamedError(401, "unauthorizedError", "This mock is private: send its key in the x-api-key header.")
"""A private mock called without its key (spec 9.10)."""

ERROR_NAMES: dict[str, str] = {
    "mockRequestNotFoundError": "no example matched the request (404)",
    "unauthorizedError": "a private mock called without its key (401)",
    "badRequestError": "a request the server cannot interpret: not HTTP/1.1, a path that is not UTF-8 (400)",
    "payloadTooLargeError": "a request body over max_body_size (413)",
    "requestHeaderFieldsTooLargeError": "request headers over 64 KiB (431)",
    "serviceUnavailableError": "too many delayed answers waiting, or a busy hub (503)",
    "serverError": "mockkit failed to answer or to write the answer (500)",
    "mockNotFoundError": "hub: no mock with this id (404)",
    "inactiveMockError": "hub: the mock's collection or environment was deleted (400)",
    "AuthenticationError": "hub: a management call without the hub's key (401)",
    "malformedRequestError": "hub: a management call with a bad body or query parameter (400)",
    "instanceNotFoundError": "hub: no collection, environment, mock or server response with this id (404)",
    "notFound": "hub: no such management route (404)",
    "methodNotAllowedError": "hub: a management route called with another method (405)",
    "upstreamConnectionError": "proxy: the upstream could not be reached: connection refused, unknown host (502)",
    "upstreamTimeoutError": "proxy: the upstream did not connect or answer within the proxy timeouts (502)",
    "upstreamTLSError": "proxy: the TLS handshake with the upstream failed (502)",
    "upstreamTooLargeError": "proxy: the upstream's answer is larger than proxy_max_size (502)",
    "upstreamProtocolError": "proxy: the upstream closed the connection or did not answer in HTTP (502)",
}
"""Every error name mockkit sends, and when (Postman's names where Postman has one)."""


def error_value(name: str, message: str, header: str | None = None) -> dict[str, dict[str, str]]:
    """Postman's error shape: ``{"error": {"name", "message"[, "header"]}}``."""
    error = {"name": name, "message": message}
    if header is not None:
        error["header"] = header
    return {"error": error}


def error_body(name: str, message: str, header: str | None = None) -> bytes:
    """``error_value`` as compact JSON bytes."""
    return json.dumps(error_value(name, message, header), separators=(",", ":")).encode()


def reason_phrase(status: int, saved: str = "") -> str:
    """The reason phrase for ``status``: the saved status text of an example when it has one
    (control characters and a leading copy of the code removed: ``"404 Not Found"`` -> ``"Not
    Found"``), else ``http.HTTPStatus``'s phrase, else ``"Unknown"`` (a non-standard code, spec
    9.11)."""
    text = "".join(ch for ch in saved if 32 <= ord(ch) < 127).strip()
    if text.startswith(str(status)):
        text = text[len(str(status)):].strip()
    if text:
        return text
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Unknown"


def json_answer(status: int, value: Any, *, cors: bool, origin: str | None = None, extra: Pairs = ()) -> MockResponse:
    """A JSON answer: ``value`` (bytes already encoded, or anything ``json.dumps`` takes) with
    ``Content-Type: application/json; charset=utf-8``, the automatic CORS headers when ``cors``
    (``origin``: the request's ``Origin`` header, spec 9.9) and ``extra`` headers last."""
    body = value if isinstance(value, bytes) else json.dumps(value, separators=(",", ":")).encode()
    headers: list[tuple[str, str]] = [("Content-Type", JSON_TYPE)]
    if cors:
        headers = with_cors(headers, origin)
    return MockResponse(status, reason_phrase(status), (*headers, *extra), body)


def error_answer(status: int, name: str, message: str, *, cors: bool, origin: str | None = None,
                 header: str | None = None, extra: Pairs = ()) -> MockResponse:
    """A JSON answer in Postman's error shape (``error_body``); CORS as ``json_answer``."""
    return json_answer(status, error_body(name, message, header), cors=cors, origin=origin, extra=extra)


def named_answer(error: NamedError, *, cors: bool, origin: str | None = None) -> MockResponse:
    """``error_answer`` for one of the ``NamedError`` constants."""
    return error_answer(error.status, error.name, error.message, cors=cors, origin=origin, header=error.header)


def failure_message(exc: BaseException) -> str:
    """The message of the 500 ``serverError`` sent when the engine raised ``exc``."""
    return f"mockkit failed to answer this request: {type(exc).__name__}: {exc}"


def raw_http_error(status: int, name: str, message: str) -> bytes:
    """A whole HTTP/1.1 answer (head and body) in Postman's error shape, for a connection whose
    request could not be parsed (no request, so no ``Origin`` and no CORS); it closes the
    connection."""
    body = error_body(name, message)
    head = (f"HTTP/1.1 {status} {reason_phrase(status)}\r\nContent-Type: {JSON_TYPE}\r\n"
            f"Content-Length: {len(body)}\r\nConnection: close\r\nServer: mockkit\r\n\r\n")
    return head.encode("latin-1") + body


# ------------------------------------------------------------------------------------- CORS


def cors_headers(origin: str | None) -> list[tuple[str, str]]:
    """The automatic CORS headers of an answer (spec 9.9): a request with an ``Origin`` gets it
    echoed, with ``Access-Control-Allow-Credentials: true`` and ``Vary: Origin``, so credentialed
    browser calls (``credentials: 'include'``) work; a request without one gets ``*``."""
    origin = wire_value(origin) if origin else ""
    if origin:
        return [("Access-Control-Allow-Origin", origin), ("Access-Control-Allow-Credentials", "true"),
                ("Vary", "Origin")]
    return [("Access-Control-Allow-Origin", "*")]


def with_cors(headers: Sequence[tuple[str, str]], origin: str | None) -> list[tuple[str, str]]:
    """``headers`` plus the automatic CORS headers, unless they already say which origin may read
    the answer (an ``Access-Control-Allow-Origin`` of their own). ``Vary: Origin`` joins an
    existing ``Vary`` header rather than adding a second one."""
    out = list(headers)
    if any(k.lower() == "access-control-allow-origin" for k, _ in out):
        return out
    for key, value in cors_headers(origin):
        if key == "Vary":
            at = next((i for i, (k, _) in enumerate(out) if k.lower() == "vary"), None)
            if at is not None:
                old = out[at][1]
                if "origin" not in old.lower() and old.strip() != "*":
                    out[at] = (out[at][0], f"{old}, Origin" if old.strip() else "Origin")
                continue
        out.append((key, value))
    return out


def answer_with_cors(response: MockResponse, origin: str | None, *, cors: bool) -> MockResponse:
    """``response`` with the automatic CORS headers (``with_cors``) when ``cors`` is on."""
    if not cors:
        return response
    headers = with_cors(response.headers, origin)
    if headers == list(response.headers):
        return response
    return MockResponse(response.status, response.reason, tuple(headers), response.body)


def is_preflight(request: MockRequest) -> bool:
    """A CORS pre-flight: ``OPTIONS`` with ``Access-Control-Request-Method``."""
    return request.method == "OPTIONS" and request.header("access-control-request-method") is not None


def _preflight_headers(request: MockRequest) -> list[tuple[str, str]]:
    method = wire_value(request.header("access-control-request-method") or "")
    allow = wire_value(request.header("access-control-request-headers") or "")
    headers = [("Access-Control-Allow-Methods", method or "GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS"),
               ("Access-Control-Allow-Headers", allow or "*"), ("Access-Control-Max-Age", "600")]
    return with_cors(headers, request.header("origin"))


def preflight(request: MockRequest) -> MockResponse:
    """The automatic answer to a pre-flight no example answers (spec 9.8, with 9.9's origin
    rule): 204 echoing the requested method and headers. Only called when CORS is on; it is also
    what a private mock answers a pre-flight sent without its key (browsers send none)."""
    return MockResponse(204, "No Content", tuple(_preflight_headers(request)), b"")


def with_preflight_headers(response: MockResponse, request: MockRequest, *, cors: bool) -> MockResponse:
    """An ``OPTIONS`` example answering a pre-flight, plus the CORS headers it lacks (spec 9.8);
    ``response`` unchanged when ``cors`` is off."""
    if not cors:
        return response
    have = {k.lower() for k, _ in response.headers}
    extra = [(k, v) for k, v in _preflight_headers(request) if k.lower() not in have]
    if dict((k.lower(), v) for k, v in response.headers).get("access-control-allow-origin", "").strip() == "*":
        extra = [(k, v) for k, v in extra if k.lower() != "access-control-allow-credentials"]  # never with *
    return MockResponse(response.status, response.reason, (*response.headers, *extra), response.body)
