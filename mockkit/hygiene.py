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
    """The request headers to send upstream, in order: without hop-by-hop headers, ``Host``,
    ``Content-Length``, ``Accept-Encoding`` and the mock's own (``x-mock-*``, ``x-mockkit-*``);
    ``private_key`` drops ``x-api-key`` too (it is the private mock's key, not the upstream's).

    Example: ``upstream_headers((("Host", "m"), ("Accept", "*/*")))`` -> ``(("Accept", "*/*"),)``."""
    drop = HOP_BY_HOP | _NOT_UPSTREAM | _connection_named(headers) | ({"x-api-key"} if private_key else set())
    return tuple((k, v) for k, v in headers
                 if k.lower() not in drop and not k.lower().startswith(("x-mock-", "x-mockkit-")))


def answer_headers(headers: Pairs) -> Pairs:
    """An upstream answer's headers as passed on and saved: without hop-by-hop headers,
    ``Content-Length`` and ``Content-Encoding`` (the body is decoded; spec 9.12), nor a
    ``x-mockkit-call`` of an upstream that is itself a mockkit."""
    drop = HOP_BY_HOP | _NOT_DOWNSTREAM | _connection_named(headers) | {"x-mockkit-call"}
    return tuple((k, v) for k, v in headers if k.lower() not in drop)


def content_type(headers: Iterable[tuple[str, str]]) -> str:
    """The ``Content-Type`` among ``headers`` (the first), lower-cased; ``""`` when none."""
    return next((v.strip().lower() for k, v in headers if k.lower() == "content-type"), "")


def preview_language(ctype: str) -> str:
    """Postman's ``_postman_previewlanguage`` for a content type: ``json`` (also ``+json``),
    ``xml`` (also ``+xml``), ``html``, ``javascript``, else ``text`` (``""`` for no type)."""
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
    """``body`` as text when it is UTF-8 (a byte-order mark kept as written), else None: a
    Postman example's body is text, so a binary body is not saved."""
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        return None


class Redaction:
    """Which names are secrets in a recording: ``ALWAYS_REDACTED`` headers, and every header,
    query parameter, JSON field or form field whose name matches one of ``names`` (compared
    case-insensitively; ``*`` matches any characters, ``fnmatch`` style).

    Example::

        r = Redaction(("session*",))
        r.headers((("Cookie", "a=1"), ("Accept", "*/*")))   # (("Cookie", "[redacted]"), ("Accept", "*/*"))
        r.json_text('{"session_id": "x", "n": 1}')           # '{"session_id": "[redacted]", "n": 1}'
    """

    def __init__(self, names: Iterable[str] = ()) -> None:
        """``names``: the ``redact`` option (lower-case names or patterns)."""
        self.names = tuple(n.lower() for n in names)
        self.redacted = 0  # values replaced so far (what the call log says)

    def matches(self, name: str, *, header: bool = False) -> bool:
        """Whether the value of ``name`` is a secret (``header``: the always-redacted headers too)."""
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
        """``headers`` with secret values replaced (the headers kept, in order)."""
        return self._pairs(headers, header=True)

    def query(self, query: Pairs) -> Pairs:
        """Query parameters with the values of matching names replaced."""
        return self._pairs(query, header=False) if self.names else query

    def json_text(self, text: str) -> str:
        """A JSON body with the values of matching field names replaced, at any depth; the text
        as it was when nothing matches or it is not JSON (layout: 2-space indent when changed)."""
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
        """An ``application/x-www-form-urlencoded`` body with matching fields' values replaced."""
        if not self.names or "=" not in text:
            return text
        pairs = tuple(parse_qsl(text, keep_blank_values=True))
        cleaned = self.query(pairs)
        return text if cleaned == pairs else urlencode(cleaned)

    def body(self, text: str, ctype: str) -> str:
        """A text body of content type ``ctype`` with its secret fields replaced (JSON or form)."""
        language = preview_language(ctype)
        if language == "json" or (not ctype and text.lstrip()[:1] in ("{", "[")):
            return self.json_text(text)
        if ctype.startswith("application/x-www-form-urlencoded"):
            return self.form_text(text)
        return text
