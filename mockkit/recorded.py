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
    """One exchange, ready to be an example: everything already cleaned and redacted (``hygiene``).

    Attributes:
        method (str): the request method.
        path (str): the request path as the mock compares it (percent-encoded, as received).
        query (Pairs): its query parameters, decoded, secret values redacted.
        request_headers (Pairs): the headers sent upstream, secret values redacted.
        request_body (str): the request body as text (``""``: none).
        status (int): the answer's status code.
        reason (str): its reason phrase.
        response_headers (Pairs): the answer's headers (no hop-by-hop or length headers).
        response_body (str): the answer's decoded body as text.
        origin (str): the upstream's ``scheme://host[:port]`` (the saved request's URL starts so).
        redacted (int): how many values were replaced by ``[redacted]``.

    Examples:
        ```python
        made = recording_of(MockRequest.from_target("GET", "/users/7"), 200, "OK", (), b"{}",
                            "http://127.0.0.1:8080", Redaction())
        (made.path, made.status, made.response_body)        # ('/users/7', 200, '{}')
        ```
    """

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
        """The identity of the example a recording is: two recordings with the same key are the same
        example (a HAR import keeps the last).

        Returns:
            tuple[str, str, tuple[tuple[str, str], ...], int]: (method, path, sorted query, status).

        Examples:
            ```python
            made.key       # ('GET', '/users/7', (), 200)
            ```
        """
        return self.method, self.path, tuple(sorted(self.query)), self.status


@dataclass(frozen=True, slots=True)
class Placement:
    """Where a recording goes in the collection (``placement``'s naming rule: issue 16).

    Attributes:
        folder (str): the top-level folder's name; ``""``: the collection's root.
        request (str): the request's name (``GET /users/42``).
        example (str): the example's name (``200 OK``).

    Examples:
        ```python
        where = Placement("users", "GET /users/42", "200 OK")
        assert (where.folder, where.request, where.example) == ("users", "GET /users/42", "200 OK")
        ```
    """

    folder: str
    request: str
    example: str


def _cut(text: str) -> str:
    return text if len(text) <= MAX_NAME else text[: MAX_NAME - 1] + "…"


def recording_of(request: MockRequest, status: int, reason: str, headers: Pairs, body: bytes, origin: str,
                 redaction: Redaction) -> Recording | str:
    """The recording of one exchange, or why it cannot be saved.

    Args:
        request (MockRequest): the request the mock received (its headers are cleaned as
            forwarded: ``hygiene.upstream_headers``).
        status (int): the answer's status code.
        reason (str): its reason phrase.
        headers (Pairs): its headers, already without hop-by-hop ones (``hygiene.answer_headers``).
        body (bytes): its body, decoded.
        origin (str): the upstream's ``scheme://host[:port]``.
        redaction (Redaction): what is secret; its count grows by the values replaced.

    Returns:
        Recording | str: the recording, or a sentence saying why there is none (a body that is not
        UTF-8 text: a Postman example's body is text).

    Examples:
        ```python
        recording_of(MockRequest.from_target("GET", "/logo"), 200, "OK",
                     (("Content-Type", "image/png"),), PNG, "http://h", Redaction())
        # "the answer's body is not text (1,234 bytes, image/png): a Postman example holds text"
        ```
    """
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
    """The top-level folder of a recorded path (issue 16: "folder by path"): its first segment,
    decoded, passing over an ``api``, ``rest`` or version (``v2``, ``v1.1``) prefix and id segments
    (spec 9.1's ids).

    Args:
        path (str): the request path, percent-encoded.

    Returns:
        str: the folder's name (at most ``MAX_NAME`` characters), or ``""`` (the collection's root)
        for ``/`` or a path of ids only. A path of prefixes only keeps its first (``/api`` ->
        ``api``).

    Examples:
        ```python
        paths = ("/users/42", "/api/v2/users/42", "/api", "/42", "/")
        assert [folder_for(p) for p in paths] == ["users", "users", "api", "", ""]
        ```
    """
    segments = [unquote(s, errors="replace") for s in path.split("/") if s]
    named = [s for s in segments if not is_id(s)]
    meaningful = [s for s in named if not _PREFIX.match(s)]
    found = meaningful[0] if meaningful else (named[0] if named else "")
    return _cut(found)


def request_name(method: str, path: str) -> str:
    """A recorded request's name: method and decoded path.

    Args:
        method (str): the request method.
        path (str): the request path, percent-encoded.

    Returns:
        str: ``"<METHOD> <path>"``, cut to ``MAX_NAME`` characters with ``…``.

    Examples:
        ```python
        assert request_name("GET", "/caf%C3%A9/42") == "GET /café/42"
        ```
    """
    return _cut(f"{method} {unquote(path, errors='replace')}")


def example_name(status: int, reason: str, query: Pairs, taken: Iterable[str]) -> str:
    """An example name from the status, unique among the names its request has already (compared
    without case).

    Args:
        status (int): the answer's status code.
        reason (str): its reason phrase.
        query (Pairs): the request's query parameters (they tell two answers of one path apart).
        taken (Iterable[str]): the names the request's examples have already.

    Returns:
        str: ``200 OK``; else ``200 OK ?page=2`` when the query tells it apart; else ``200 OK 2``,
        ``200 OK 3``...

    Examples:
        ```python
        assert example_name(200, "OK", (("page", "2"),), ["200 OK"]) == "200 OK ?page=2"
        assert example_name(200, "OK", (), ["200 ok"]) == "200 OK 2"
        ```
    """
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
    """Where ``recording`` goes: folder by path (``folder_for``), request by method and path
    (``request_name``), example by status (``example_name``).

    Args:
        recording (Recording): the recording to place.
        taken (Iterable[str]): the example names its request has already.

    Returns:
        Placement: folder, request and example names.

    Examples:
        ```python
        placement(made, ["200 OK"])   # Placement(folder='users', request='GET /users/7', example='200 OK 2')
        ```
    """
    return Placement(folder_for(recording.path), request_name(recording.method, recording.path),
                     example_name(recording.status, recording.reason, recording.query, taken))


def _language(headers: Pairs) -> str:
    return preview_language(content_type(headers))


def saved_request(recording: Recording) -> SavedRequest:
    """A recording's saved request (the example's ``originalRequest``).

    Args:
        recording (Recording): the recording.

    Returns:
        SavedRequest: the method, the URL as one string (the upstream's origin, the path and the
        query), the headers, and the body (``raw``, its language from the ``Content-Type``), or
        no body.

    Examples:
        ```python
        saved_request(made).url.raw      # 'http://127.0.0.1:8080/users/7'
        ```
    """
    query = urlencode(recording.query, quote_via=quote)
    raw = recording.origin + recording.path + (f"?{query}" if query else "")
    language = _language(recording.request_headers)
    body = Body("raw", recording.request_body, language if language in ("json", "xml", "html", "javascript")
                else "text") if recording.request_body else None
    return SavedRequest(recording.method, Url(raw=raw), recording.request_headers, body)


def saved_response(recording: Recording) -> SavedResponse:
    """A recording's saved response.

    Args:
        recording (Recording): the recording.

    Returns:
        SavedResponse: status, reason, headers, the decoded body, and the preview language from
        the ``Content-Type`` (``hygiene.preview_language``).

    Examples:
        ```python
        saved_response(made).preview_language     # 'json'
        ```
    """
    return SavedResponse(recording.status, recording.reason, recording.response_headers, recording.response_body,
                         _language(recording.response_headers))


def new_example(recording: Recording, where: Placement, position: int, item_id: str, serial: int) -> Example:
    """A recorded example, not saved yet.

    It gets a fresh id (a UUID), so ties break the same way before and after saving (spec 9.3);
    its ``location`` is ``NOT_SAVED`` and its ``json_path`` (``recorded[<serial>]``) is unique
    until ``save`` writes it.

    Args:
        recording (Recording): what was recorded.
        where (Placement): its folder, request and example names.
        position (int): its place among the collection's examples (0-based).
        item_id (str): the id of the request item it belongs to.
        serial (int): a number unique within the recorder (its ``json_path``).

    Returns:
        Example: the example, ready for ``Recorder`` or a HAR import.

    Examples:
        ```python
        e = new_example(made, placement(made, ()), 3, "item-1", 1)
        (e.name, e.location, e.json_path)        # ('200 OK', 'recorded, not saved yet', 'recorded[1]')
        ```
    """
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
