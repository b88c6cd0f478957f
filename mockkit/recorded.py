"""A recorded exchange as a Postman example: cleaned, redacted, named and placed (issue 16).

The same rules for a call forwarded by a recording mock (``recording``) and for an entry of a
browser's HAR export (``har``):

* **What is saved** (``Recording``): the request's method, URL (the upstream's origin and the
  path and query as the mock received them, so the next identical request matches it at path
  rule a), headers and text body, and the answer's status, headers and *decoded* text body, after
  ``hygiene``: no hop-by-hop or length headers, secrets replaced by ``[redacted]``. An answer
  whose body is not UTF-8 text is not recorded (a Postman example's body is text).
* **Where it goes** (``placement``): a top-level folder named after the path's first segment
  (``/users/42`` -> ``users``; an ``api`` or version prefix passed over: ``/api/v1/users`` ->
  ``users``; none for ``/`` or an id such as ``/42``), a request named by method
  and path (``GET /users/42``), and an example named by status (``200 OK``), unique within its
  request (``200 OK ?page=2`` when the query tells them apart, else ``200 OK 2``, ``200 OK 3``).
  A folder or request of that name that exists already is used.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import quote, unquote, urlencode

from .hygiene import Redaction, body_text, content_type, preview_language, upstream_headers
from .model import Body, Example, MockRequest, Pairs, SavedRequest, SavedResponse, Url
from .urls import is_id

__all__ = ["Recording", "Placement", "recording_of", "placement", "folder_for", "request_name", "example_name",
           "new_example", "NOT_SAVED", "MAX_NAME"]

NOT_SAVED = "recorded, not saved yet"
"""The ``location`` of a recorded example until ``save`` writes it (then: its JSON path or file)."""
_PREFIX = re.compile(r"(?i)(api|rest|v\d+(\.\d+)*)\Z")
MAX_NAME = 120
"""Characters a generated request or example name keeps (a long path is cut, with ``…``)."""


@dataclass(frozen=True, slots=True)
class Recording:
    """One exchange, ready to be an example: everything already cleaned and redacted.

    ``path``: the request path as the mock compares it (percent-encoded, as received);
    ``query``: its parameters; ``origin``: the upstream's ``scheme://host[:port]``; bodies are
    text (``""`` when none); ``redacted``: how many values were replaced."""

    method: str
    path: str
    query: Pairs
    request_headers: Pairs
    request_body: str
    status: int
    reason: str
    response_headers: Pairs
    response_body: str
    origin: str
    redacted: int = 0

    @property
    def key(self) -> tuple[str, str, tuple[tuple[str, str], ...], int]:
        """(method, path, sorted query, status): two recordings with the same key are the same
        example (a HAR import keeps the last)."""
        return self.method, self.path, tuple(sorted(self.query)), self.status


@dataclass(frozen=True, slots=True)
class Placement:
    """Where a recording goes: ``folder`` (top-level folder name, ``""``: the collection's
    root), ``request`` (the request's name) and ``example`` (the example's name)."""

    folder: str
    request: str
    example: str


def _cut(text: str) -> str:
    return text if len(text) <= MAX_NAME else text[: MAX_NAME - 1] + "…"


def recording_of(request: MockRequest, status: int, reason: str, headers: Pairs, body: bytes, origin: str,
                 redaction: Redaction) -> Recording | str:
    """The recording of an exchange (``headers`` already without hop-by-hop ones, ``body``
    decoded), or a sentence saying why it cannot be saved (a body that is not text).

    Example: ``recording_of(MockRequest.from_target("GET", "/a"), 200, "OK", (), b"{}", "http://h",
    Redaction())`` -> ``Recording(method="GET", path="/a", ..., response_body="{}")``."""
    answer = body_text(body)
    if answer is None:
        kind = content_type(headers).split(";")[0] or "no Content-Type"
        return f"the answer's body is not text ({len(body):,} bytes, {kind}): a Postman example holds text"
    before = redaction.redacted
    sent = body_text(request.body) or ""
    request_headers = redaction.headers(upstream_headers(request.headers))
    return Recording(
        method=request.method,
        path=request.path,
        query=redaction.query(request.query),
        request_headers=request_headers,
        request_body=redaction.body(sent, content_type(request.headers)),
        status=status,
        reason=reason,
        response_headers=redaction.headers(headers),
        response_body=redaction.body(answer, content_type(headers)),
        origin=origin,
        redacted=redaction.redacted - before,
    )


def folder_for(path: str) -> str:
    """The folder of a recorded path: its first segment, decoded, passing over an ``api`` or
    version prefix (``/users/42`` and ``/api/v2/users/42`` -> ``users``; ``/api`` -> ``api``);
    ``""`` (the collection's root) for ``/`` or a path of ids only (spec 9.1)."""
    segments = [unquote(s, errors="replace") for s in path.split("/") if s]
    named = [s for s in segments if not is_id(s)]
    meaningful = [s for s in named if not _PREFIX.match(s)]
    found = meaningful[0] if meaningful else (named[0] if named else "")
    return _cut(found)


def request_name(method: str, path: str) -> str:
    """A recorded request's name: method and decoded path (``GET /users/42``)."""
    return _cut(f"{method} {unquote(path, errors='replace')}")


def example_name(status: int, reason: str, query: Pairs, taken: Iterable[str]) -> str:
    """An example name from the status (``200 OK``), unique among ``taken`` (compared without
    case): ``200 OK ?page=2`` when the query tells it apart, else ``200 OK 2``, ``200 OK 3``..."""
    used = {name.casefold() for name in taken}
    base = f"{status} {reason}".strip()
    candidates = [base] + ([_cut(f"{base} ?{urlencode(query)}")] if query else [])
    for name in candidates:
        if name.casefold() not in used:
            return name
    n = 2
    while f"{base} {n}".casefold() in used:
        n += 1
    return f"{base} {n}"


def placement(recording: Recording, taken: Iterable[str]) -> Placement:
    """Where ``recording`` goes; ``taken``: the example names its request has already."""
    return Placement(folder_for(recording.path), request_name(recording.method, recording.path),
                     example_name(recording.status, recording.reason, recording.query, taken))


def _language(headers: Pairs) -> str:
    return preview_language(content_type(headers))


def saved_request(recording: Recording) -> SavedRequest:
    """The example's saved request: the URL as one string (origin, path, query), headers, body."""
    query = urlencode(recording.query, quote_via=quote)
    raw = recording.origin + recording.path + (f"?{query}" if query else "")
    language = _language(recording.request_headers)
    body = Body("raw", recording.request_body, language if language in ("json", "xml", "html", "javascript")
                else "text") if recording.request_body else None
    return SavedRequest(recording.method, Url(raw=raw), recording.request_headers, body)


def saved_response(recording: Recording) -> SavedResponse:
    """The example's saved response: status, headers, decoded body, preview language."""
    return SavedResponse(recording.status, recording.reason, recording.response_headers, recording.response_body,
                         _language(recording.response_headers))


def new_example(recording: Recording, where: Placement, position: int, item_id: str, serial: int) -> Example:
    """A recorded example (a fresh id, so ties break the same way before and after saving: spec
    9.3); its ``location`` says it is not saved yet, and its ``json_path`` (``recorded[n]``) is
    unique until it is."""
    return Example(
        id=str(uuid.uuid4()),
        name=where.example,
        request_name=where.request,
        folder=(where.folder,) if where.folder else (),
        request=saved_request(recording),
        response=saved_response(recording),
        position=position,
        json_path=f"recorded[{serial}]",
        item_id=item_id,
        location=NOT_SAVED,
    )
