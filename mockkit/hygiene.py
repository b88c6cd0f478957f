"""What leaves mockkit towards an upstream, and what lands in a recorded example (issue 16).

Three rules, one place:

* **Hop-by-hop headers** (RFC 9110 §7.6.1: ``Connection`` and the headers it names,
  ``Keep-Alive``, ``Proxy-Connection``, ``Proxy-Authenticate``, ``Proxy-Authorization``, ``TE``,
  ``Trailer``, ``Transfer-Encoding``, ``Upgrade``) never cross the proxy, either way
  (``upstream_headers``, ``answer_headers``). Towards the upstream, ``Host`` (the upstream's own),
  ``Content-Length`` (recomputed), ``Accept-Encoding`` (httpx asks for what it can decode) and the
  mock's own headers (``x-mock-*``, ``x-mockkit-*``) are dropped too; from the upstream,
  ``Content-Length`` and ``Content-Encoding`` go with the hop-by-hop ones: bodies are passed on and
  saved decoded, and the server computes its own length (spec 9.12, the rule for serving saved
  examples).
* **Secrets never land in a saved example** (``Redaction``): the values of ``Authorization``,
  ``Proxy-Authorization``, ``Cookie``, ``Set-Cookie`` and ``x-api-key`` (``ALWAYS_REDACTED``), and
  of every header, query parameter, JSON field or form field whose name matches one of the
  ``redact`` option's names (``*`` matches any characters), are replaced by ``[redacted]``; the
  header, parameter or field itself is kept, so the example still shows it was sent.
* **Bodies are saved as text**: a body that is not UTF-8 (an image, a zip) cannot be a Postman
  example's body, and is not recorded (``body_text`` says None); ``preview_language`` labels the
  text by its ``Content-Type`` as Postman's ``_postman_previewlanguage`` does.
"""

from __future__ import annotations

import fnmatch
import json
from collections.abc import Iterable
from typing import Any
from urllib.parse import parse_qsl, urlencode

from . import safejson
from .model import Pairs
from .redact import REDACTED

__all__ = ["HOP_BY_HOP", "ALWAYS_REDACTED", "REDACTED", "Redaction", "upstream_headers", "answer_headers",
           "body_text", "preview_language", "content_type"]

HOP_BY_HOP = frozenset({"connection", "keep-alive", "proxy-connection", "proxy-authenticate", "proxy-authorization",
                        "te", "trailer", "transfer-encoding", "upgrade"})
"""Headers that concern one connection only (RFC 9110 §7.6.1), never forwarded either way."""
_NOT_UPSTREAM = frozenset({"host", "content-length", "accept-encoding"})
_NOT_DOWNSTREAM = frozenset({"content-length", "content-encoding"})
ALWAYS_REDACTED = ("authorization", "proxy-authorization", "cookie", "set-cookie", "x-api-key")
"""Header names whose values are always replaced by ``[redacted]`` in a recording."""


def _connection_named(headers: Pairs) -> set[str]:
    """The hop-by-hop headers a ``Connection`` header names (``Connection: close, X-Trace``)."""
    named: set[str] = set()
    for key, value in headers:
        if key.lower() == "connection":
            named.update(token.strip().lower() for token in value.split(",") if token.strip())
    return named


def upstream_headers(headers: Pairs, *, private_key: bool = False) -> Pairs:
    """The request headers to send upstream, in their order (the hop-by-hop rule: RFC 9110 §7.6.1).

    Dropped: hop-by-hop headers (``HOP_BY_HOP`` and those a ``Connection`` header names),
    ``Host`` (the upstream's own), ``Content-Length`` (recomputed), ``Accept-Encoding`` (httpx
    asks for what it can decode) and the mock's own headers (``x-mock-*``, ``x-mockkit-*``).

    Args:
        headers (Pairs): the request's headers, ``((name, value), ...)`` as received.
        private_key (bool): the mock is private (its ``api_key`` option), so ``x-api-key`` is its
            key, not the upstream's, and is dropped too.

    Returns:
        Pairs: the headers to forward, names and values as received.

    Examples:
        ```python
        sent = (("Host", "mock"), ("Accept", "*/*"), ("x-mock-response-code", "404"))
        assert upstream_headers(sent) == (("Accept", "*/*"),)
        ```
    """
    drop = HOP_BY_HOP | _NOT_UPSTREAM | _connection_named(headers) | ({"x-api-key"} if private_key else set())
    return tuple((k, v) for k, v in headers
                 if k.lower() not in drop and not k.lower().startswith(("x-mock-", "x-mockkit-")))


def answer_headers(headers: Pairs) -> Pairs:
    """An upstream answer's headers as passed on to the client and saved in a recording.

    Dropped: hop-by-hop headers (RFC 9110 §7.6.1), ``Content-Length`` and ``Content-Encoding``
    (the body is passed on and saved decoded, and the server computes its own length: spec 9.12),
    and the ``x-mockkit-call`` of an upstream that is itself a mockkit.

    Args:
        headers (Pairs): the upstream's answer headers, ``((name, value), ...)``.

    Returns:
        Pairs: the headers kept, in order.

    Examples:
        ```python
        got = (("Content-Type", "application/json"), ("Content-Encoding", "gzip"), ("Transfer-Encoding", "chunked"))
        assert answer_headers(got) == (("Content-Type", "application/json"),)
        ```
    """
    drop = HOP_BY_HOP | _NOT_DOWNSTREAM | _connection_named(headers) | {"x-mockkit-call"}
    return tuple((k, v) for k, v in headers if k.lower() not in drop)


def content_type(headers: Iterable[tuple[str, str]]) -> str:
    """The first ``Content-Type`` among ``headers``, lower-cased and trimmed.

    Args:
        headers (Iterable[tuple[str, str]]): header pairs; names compared without case.

    Returns:
        str: the content type with its parameters (``"application/json; charset=utf-8"``), or
        ``""`` when there is none.

    Examples:
        ```python
        assert content_type((("X-A", "1"), ("content-type", "Text/HTML; charset=UTF-8"))) == "text/html; charset=utf-8"
        ```
    """
    return next((v.strip().lower() for k, v in headers if k.lower() == "content-type"), "")


def preview_language(ctype: str) -> str:
    """Postman's ``_postman_previewlanguage`` for a content type (as the Postman app labels a saved
    example's body).

    Args:
        ctype (str): a ``Content-Type`` value, parameters allowed.

    Returns:
        str: ``json`` (also ``+json`` types), ``xml`` (also ``+xml``), ``html``, ``javascript``,
        ``text`` for any other type, ``""`` for no type.

    Examples:
        ```python
        kinds = ("application/problem+json", "text/html", "image/png", "")
        assert [preview_language(t) for t in kinds] == ["json", "html", "text", ""]
        ```
    """
    kind = ctype.split(";", 1)[0].strip().lower()
    if not kind:
        return ""
    if kind.endswith(("/json", "+json")):
        return "json"
    if kind.endswith(("/xml", "+xml")):
        return "xml"
    if kind == "text/html":
        return "html"
    if kind.endswith("javascript"):
        return "javascript"
    return "text"


def body_text(body: bytes) -> str | None:
    """``body`` as text when it is UTF-8, else None (a Postman example's body is text, so a
    binary body is not saved).

    Args:
        body (bytes): a decoded (not compressed) body.

    Returns:
        str | None: the text (a byte-order mark kept as written), or None for bytes that are not
        UTF-8.

    Examples:
        ```python
        assert body_text("héllo".encode()) == "héllo"
        assert body_text(bytes([0x89, 0x50, 0xFF])) is None
        ```
    """
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        return None


class Redaction:
    """Which names are secrets in a recording, and the count of values replaced so far.

    The values of ``ALWAYS_REDACTED`` headers (``Authorization``, ``Proxy-Authorization``,
    ``Cookie``, ``Set-Cookie``, ``x-api-key``), and of every header, query parameter, JSON field
    (at any depth) or form field whose name matches one of ``names``, are replaced by
    ``[redacted]``; the header, parameter or field itself is kept, so the example still shows it
    was sent (issue 16's hygiene rule). Names are compared without case; ``*`` matches any
    characters (``fnmatch``).

    Args:
        names (Iterable[str]): the ``redact`` option: names or ``*`` patterns (lower-cased here).

    Examples:
        ```python
        r = Redaction(("session*",))
        assert r.headers((("Cookie", "a=1"), ("Accept", "*/*"))) == (("Cookie", "[redacted]"), ("Accept", "*/*"))
        assert json.loads(r.json_text('{"session_id": "x", "n": 1}')) == {"session_id": "[redacted]", "n": 1}
        assert r.redacted == 2
        ```
    """

    def __init__(self, names: Iterable[str] = ()) -> None:
        """Start a redaction with no value replaced yet (see the class)."""
        self.names = tuple(n.lower() for n in names)
        self.redacted = 0  # values replaced so far (what the call log says)

    def matches(self, name: str, *, header: bool = False) -> bool:
        """Whether the value of ``name`` is a secret.

        Args:
            name (str): a header, query parameter or field name (compared without case).
            header (bool): ``name`` is a header's, so ``ALWAYS_REDACTED`` applies too.

        Returns:
            bool: True when the value must be replaced.

        Examples:
            ```python
            assert Redaction(("x-*",)).matches("X-Token")
            assert Redaction().matches("cookie", header=True) and not Redaction().matches("cookie")
            ```
        """
        lname = name.strip().lower()
        if header and lname in ALWAYS_REDACTED:
            return True
        return any(fnmatch.fnmatchcase(lname, pattern) for pattern in self.names)

    def _pairs(self, pairs: Pairs, *, header: bool) -> Pairs:
        out = []
        for key, value in pairs:
            if value and self.matches(key, header=header):
                value = REDACTED
                self.redacted += 1
            out.append((key, value))
        return tuple(out)

    def headers(self, headers: Pairs) -> Pairs:
        """``headers`` with the values of secret headers replaced (every header kept, in order).

        Args:
            headers (Pairs): header pairs.

        Returns:
            Pairs: the same headers, secret values replaced by ``[redacted]`` (empty values left as
            they are).

        Examples:
            ```python
            cleaned = Redaction().headers((("Authorization", "Bearer t"), ("Accept", "*/*")))
            assert cleaned == (("Authorization", "[redacted]"), ("Accept", "*/*"))
            ```
        """
        return self._pairs(headers, header=True)

    def query(self, query: Pairs) -> Pairs:
        """Query parameters with the values of matching names replaced (``ALWAYS_REDACTED`` are header
        names, so they do not apply here).

        Args:
            query (Pairs): ``((name, value), ...)`` decoded.

        Returns:
            Pairs: the same parameters, matching values replaced by ``[redacted]``.

        Examples:
            ```python
            assert Redaction(("sig",)).query((("sig", "abc"), ("page", "2"))) == (("sig", "[redacted]"), ("page", "2"))
            ```
        """
        return self._pairs(query, header=False) if self.names else query

    def json_text(self, text: str) -> str:
        """A JSON body with the values of matching field names replaced, at any depth (without
        recursion: bodies may nest up to ``safejson.MAX_DEPTH``).

        Args:
            text (str): the body's text.

        Returns:
            str: the text as it was when nothing matched or it is not JSON; else the redacted value
            as JSON with a 2-space indent.

        Examples:
            ```python
            redacted = Redaction(("token",)).json_text('[{"token": "t", "id": 1}]')
            assert json.loads(redacted) == [{"token": "[redacted]", "id": 1}]
            ```
        """
        if not self.names or not text.strip():
            return text
        try:
            value = safejson.loads(text)
        except ValueError:
            return text
        before = self.redacted
        cleaned = self._walk(value)
        return text if self.redacted == before else json.dumps(cleaned, indent=2, ensure_ascii=False)

    def _walk(self, root: Any) -> Any:
        """Replace matching fields without recursion (bodies may nest up to ``safejson.MAX_DEPTH``)."""
        holder: list[Any] = [root]
        stack: list[tuple[Any, Any]] = [(holder, 0)]
        while stack:
            parent, key = stack.pop()
            value = parent[key]
            if isinstance(value, dict):
                for k in value:
                    if self.matches(str(k)) and value[k] not in (None, ""):
                        value[k] = REDACTED
                        self.redacted += 1
                    else:
                        stack.append((value, k))
            elif isinstance(value, list):
                stack.extend((value, i) for i in range(len(value)))
        return holder[0]

    def form_text(self, text: str) -> str:
        """An ``application/x-www-form-urlencoded`` body with the values of matching fields replaced.

        Args:
            text (str): the body's text.

        Returns:
            str: the text as it was when nothing matched; else the fields encoded again.

        Examples:
            ```python
            assert Redaction(("pass*",)).form_text("user=ann&password=hunter2") == "user=ann&password=%5Bredacted%5D"
            ```
        """
        if not self.names or "=" not in text:
            return text
        pairs = tuple(parse_qsl(text, keep_blank_values=True))
        cleaned = self.query(pairs)
        return text if cleaned == pairs else urlencode(cleaned)

    def body(self, text: str, ctype: str) -> str:
        """A text body with its secret fields replaced, by its content type: JSON (or no type and text
        that starts like JSON) or a form; any other text is kept as it is.

        Args:
            text (str): the body's text.
            ctype (str): its ``Content-Type`` (lower-cased, as ``content_type`` returns it).

        Returns:
            str: the body to save.

        Examples:
            ```python
            assert json.loads(Redaction(("pin",)).body('{"pin": 1234}', "application/json")) == {"pin": "[redacted]"}
            ```
        """
        language = preview_language(ctype)
        if language == "json" or (not ctype and text.lstrip()[:1] in ("{", "[")):
            return self.json_text(text)
        if ctype.startswith("application/x-www-form-urlencoded"):
            return self.form_text(text)
        return text
