"""The neutral values everything else passes around: frozen dataclasses, tuples, no I/O.

A loaded collection is a tree flattened into ``Collection.examples`` (every saved example, in
collection order) plus ``Collection.requests`` (every request item, with or without examples).
Strings are kept *as written* (``{{vars}}`` and ``:params`` unresolved): variables depend on the
environment chosen when a mock is started, so resolution happens when an engine is built.

An incoming call is a ``MockRequest`` and an answer a ``MockResponse``; neither knows Tornado or
httpx, so the same engine serves a socket, an in-process transport and a notebook explanation.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, unquote, urlsplit

from .errors import RequestError
from .quickinit import quick_init

__all__ = [
    "Pairs",
    "Variable",
    "Body",
    "Url",
    "SavedRequest",
    "SavedResponse",
    "Example",
    "RequestItem",
    "SkippedItem",
    "Collection",
    "Environment",
    "MockRequest",
    "MockResponse",
    "HTTP_WHITESPACE",
    "header_text",
    "wire_headers",
]

_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*://")

HTTP_WHITESPACE = " \t\r\n"
"""What is trimmed from both ends of a header value before it is compared (spec 9.19)."""


def header_text(raw: bytes | str) -> str:
    """A request header value (or name) as text: its bytes read as UTF-8 when they are valid
    UTF-8, as Latin-1 otherwise (spec 9.19). ``raw`` is the bytes, or a ``str`` that a server
    already decoded as Latin-1 (Tornado does), which is re-read the same way."""
    if isinstance(raw, str):
        if raw.isascii():
            return raw
        try:
            data = raw.encode("latin-1")
        except UnicodeEncodeError:  # not a Latin-1 decoding of bytes: already text
            return raw
    else:
        data = raw
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("latin-1")

Pairs = tuple[tuple[str, str], ...]
"""Ordered (key, value) pairs: headers, query parameters, form fields. Keys may repeat."""


def wire_headers(raw: Iterable[tuple[bytes | str, bytes | str]]) -> Pairs:
    """Request headers as a server or client library hands them over (bytes, or text Tornado
    decoded as Latin-1), read by ``header_text`` and trimmed (spec 9.19)."""
    return tuple((header_text(k), header_text(v).strip(HTTP_WHITESPACE)) for k, v in raw)


@dataclass(frozen=True, slots=True)
class Variable:
    """A collection or environment variable (disabled ones are never loaded)."""

    key: str
    value: str


@quick_init  # issue 17: built once per example at load
@dataclass(frozen=True, slots=True)
class Body:
    """A saved request body, by Postman body mode.

    ``mode`` is ``raw``, ``urlencoded``, ``formdata``, ``file``, ``graphql`` or ``""`` (none).
    ``raw`` holds raw text (for ``graphql``: the query); ``fields`` the enabled text fields of
    ``urlencoded``/``formdata`` (file parts are left out); ``file_src`` names a ``file`` body's
    source, which mockkit never reads.
    """

    mode: str = ""
    raw: str = ""
    language: str = ""
    fields: Pairs = ()
    graphql_variables: str = ""
    file_src: str = ""


@quick_init  # issue 17: built once per example at load
@dataclass(frozen=True, slots=True)
class Url:
    """A request URL as written in the collection.

    ``path`` and ``query`` are ``None`` when the collection gives only ``raw`` (they are then
    parsed from ``raw`` after variables are resolved). ``variables`` holds ``url.variable[]``:
    the values of ``:name`` path segments.
    """

    raw: str = ""
    host: str = ""
    path: tuple[str, ...] | None = None
    query: Pairs | None = None
    variables: Pairs = ()


@quick_init  # issue 17: built once per example at load
@dataclass(frozen=True, slots=True)
class SavedRequest:
    """A request as saved in a collection (an item's request or an example's originalRequest)."""

    method: str = "GET"
    url: Url = field(default_factory=Url)
    headers: Pairs = ()
    body: Body | None = None


@quick_init  # issue 17: built once per example at load
@dataclass(frozen=True, slots=True)
class SavedResponse:
    """A saved example response: what the mock serves once the example is chosen."""

    code: int = 200
    status: str = "OK"
    headers: Pairs = ()
    body: str = ""
    preview_language: str = ""


@quick_init  # issue 17: built once per example at load
@dataclass(frozen=True, slots=True)
class Example:
    """One saved example (``item.response[n]``), the unit the matching algorithm ranks.

    ``request`` is the example's ``originalRequest`` or, when it has none, its item's request
    (v2.x; a v3 example's request holds only what its file carries). ``position`` is the
    example's index in collection order; ``json_path`` identifies it in its collection (v2.x:
    where it sits in the file, ``item[2].item[0].response[1]``; v3: its file). ``location`` is
    where a user opens it: the JSON path (v2.x) or the example's file relative to the collection
    folder (v3, ``.resources/List books.resources/examples/200 OK.example.yaml``).
    """

    id: str
    name: str
    request_name: str
    folder: tuple[str, ...]
    request: SavedRequest
    response: SavedResponse
    position: int
    json_path: str
    uid: str = ""
    item_id: str = ""
    location: str = ""

    @property
    def folder_path(self) -> str:
        return " / ".join(self.folder)


@quick_init  # issue 17: built once per example at load
@dataclass(frozen=True, slots=True)
class RequestItem:
    """A request item of the collection, with the number of examples saved under it."""

    name: str
    folder: tuple[str, ...]
    request: SavedRequest
    json_path: str
    example_count: int
    id: str = ""


@dataclass(frozen=True, slots=True)
class SkippedItem:
    """Something a collection holds that mockkit does not serve, listed by ``check``: a v3
    request of another protocol (``graphql-request``, ``grpc-request``, ...) or examples whose
    request file is missing. ``location`` is its file relative to the collection folder."""

    location: str
    kind: str
    name: str
    reason: str


@dataclass(frozen=True, slots=True)
class Collection:
    """A loaded Postman collection (``load_collection`` makes one): v2.0/v2.1 JSON or a v3 folder
    tree. Nothing but ``schema`` and ``source`` differs between the formats: matching, rendering
    and explanations see the same model. Frozen; strings are kept as written.

    Attributes:
        name: the collection's name (``info.name``).
        examples: every saved example (``item.response[n]``), in collection order: the unit the
            matching algorithm ranks (``Example``: ``name``, ``request``, ``response``, ``id``,
            ``json_path``, ``location``...).
        requests: every request item, with or without examples (``RequestItem``).
        variables: the collection's variables (``Variable``: ``key``, ``value``), disabled ones left out.
        id: ``info._postman_id`` (``""`` when absent).
        schema: the format read: ``"v2.0.0"``, ``"v2.1.0"`` or ``"v3"``.
        description: the collection's description, as written.
        source: the file or folder it was read from (``"<dict>"``/``"<string>"`` otherwise).
        skipped: what was read but is not served (``SkippedItem``: a v3 request of another
            protocol, examples whose request file is missing); ``check`` lists them.

    Examples:
        ```python
        api = mockkit.load_collection("api.postman_collection.json")
        [(e.request_name, e.name, e.response.code) for e in api.examples[:3]]
        ```
    """

    name: str
    examples: tuple[Example, ...]
    requests: tuple[RequestItem, ...] = ()
    variables: tuple[Variable, ...] = ()
    id: str = ""
    schema: str = "v2.1.0"
    description: str = ""
    source: str = "<dict>"
    skipped: tuple[SkippedItem, ...] = ()

    def __repr__(self) -> str:  # a short repr: collections can hold thousands of examples
        return (
            f"Collection(name={self.name!r}, examples={len(self.examples)}, "
            f"requests={len(self.requests)}, variables={len(self.variables)}, source={self.source!r})"
        )


@dataclass(frozen=True, slots=True)
class Environment:
    """A loaded Postman environment (``load_environment`` makes one). Frozen.

    Attributes:
        name: the environment's name.
        variables: its enabled values (``Variable``: ``key``, ``value``), in file order; of
            duplicated keys only the last is kept.
        id: its id (``""`` when absent).
        source: the file it was read from (``"<dict>"``/``"<string>"`` otherwise).

    Examples:
        ```python
        env = mockkit.load_environment("dev.postman_environment.json")
        env.name, len(env.variables)
        ```
    """

    name: str
    variables: tuple[Variable, ...]
    id: str = ""
    source: str = "<dict>"


@quick_init  # issue 17: built once per call
@dataclass(frozen=True, slots=True)
class MockRequest:
    """An incoming call, independent of the server that received it: what the engine ranks and
    answers. Frozen; ``from_target`` reads one from a method and a request target.

    Attributes:
        method: the method, upper-case.
        path: the path as received: still percent-encoded, no query string, starting with ``/``.
        query: the decoded query parameters, ``((name, value), ...)`` in order; names may repeat.
        headers: the headers as received, ``((name, value), ...)`` in order (any case; values
            trimmed and read as UTF-8, else Latin-1: spec 9.19).
        body: the body, bytes.

    Examples:
        ```python
        request = mockkit.MockRequest("GET", "/users/42", query=(("expand", "orders"),))
        request.header("Accept", "*/*")
        ```
    """

    method: str
    path: str
    query: Pairs = ()
    headers: Pairs = ()
    body: bytes = b""

    @classmethod
    def from_target(
        cls,
        method: str,
        target: str,
        headers: Pairs | dict[str, str] | None = None,
        body: bytes | str | None = None,
        params: Pairs | dict[str, str] | None = None,
    ) -> "MockRequest":
        """Build a request from a request target such as ``/users/42?page=2``: the one reading of
        a target, for the server (the request line), the httpx transport (the URL), ``explain``,
        the CLI and the Explorer.

        A full URL (absolute form, ``http://localhost:3000/users?page=2``) gives its path and
        query: the host is never compared (spec §1.1 R2); ``*`` (``OPTIONS *``) is ``/``; a
        fragment (``#...``) is dropped; a missing leading ``/`` is added.

        Args:
            method: the HTTP method (any case; stored upper-case).
            target: a path with an optional query string, or a full URL.
            headers: ``{name: value}`` or ``((name, value), ...)``, taken as given
                (``wire_headers`` reads a server's raw headers).
            body: the body: text (encoded as UTF-8) or bytes.
            params: query parameters, ``{name: value}`` or pairs, appended to the target's query.

        Returns:
            The ``MockRequest``.

        Raises:
            RequestError: the path's percent-encoding is not UTF-8 (``badRequestError``, 400): a
                server answers such a request 400, so nothing can explain a winner for it.

        Examples:
            ```python
            r = mockkit.MockRequest.from_target("get", "http://localhost:3000/users?page=2#top",
                                                headers={"accept": "application/json"})
            r.method, r.path, r.query                   # ('GET', '/users', (('page', '2'),))
            ```
        """
        target = target.split("#", 1)[0]
        if _SCHEME.match(target):
            parts = urlsplit(target)
            target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        elif target == "*":
            target = "/"
        path, _, query_string = target.partition("?")
        path = path or "/"
        if not path.startswith("/"):
            path = "/" + path
        try:
            unquote(path, errors="strict")
        except UnicodeDecodeError:
            raise RequestError("The request path is not valid percent-encoded UTF-8.") from None
        query = tuple(parse_qsl(query_string, keep_blank_values=True)) if query_string else ()
        if params:
            items = params.items() if isinstance(params, dict) else params
            query += tuple((str(k), str(v)) for k, v in items)
        if isinstance(headers, dict):
            headers = tuple((str(k), str(v)) for k, v in headers.items())
        if isinstance(body, str):
            body = body.encode("utf-8")
        return cls(method.upper(), path, query, tuple(headers or ()), body or b"")

    def header(self, name: str, default: str | None = None) -> str | None:
        """The first value of a header.

        Args:
            name: the header's name (any case).
            default: what to return when the request has no such header.

        Returns:
            The value (trimmed), or ``default``.

        Examples:
            ```python
            request.header("X-Mock-Response-Code")      # '404' or None
            ```
        """
        lname = name.lower()
        for key, value in self.headers:
            if key.lower() == lname:
                return value
        return default

    @property
    def decoded_path(self) -> str:
        """The path percent-decoded; raises ``UnicodeDecodeError`` for bytes that are not UTF-8
        (``from_target`` refuses such paths, so requests it builds never do)."""
        return unquote(self.path, errors="strict")

    @property
    def decoded_path_lenient(self) -> str:
        """The path percent-decoded, undecodable bytes replaced (for matching and templates)."""
        return unquote(self.path, errors="replace")

    @property
    def target(self) -> str:
        """Path plus query string, for logs and explanations."""
        if not self.query:
            return self.path
        from urllib.parse import urlencode

        return f"{self.path}?{urlencode(self.query)}"


@quick_init  # issue 17: built once per call
@dataclass(frozen=True, slots=True)
class MockResponse:
    """An answer ready to be written by any server or transport (what ``MockEngine.handle``
    returns in ``Served.response``). Frozen.

    Attributes:
        status: the status code.
        reason: the reason phrase (the example's, else ``http.HTTPStatus``'s).
        headers: the headers to send, ``((name, value), ...)`` in order, cleaned of characters a
            header cannot hold (no header injection).
        body: the body, bytes (rendered: variables, fake data and templates filled in).

    Examples:
        ```python
        answer = engine.handle(mockkit.MockRequest.from_target("GET", "/users/42")).response
        answer.status, dict(answer.headers).get("Content-Type"), answer.body[:80]
        ```
    """

    status: int
    reason: str
    headers: Pairs
    body: bytes
