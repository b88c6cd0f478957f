"""Keeping an API key out of everything mockkit records.

A client may send a key as ``x-api-key: K``, ``Authorization: Bearer K``, ``Authorization: Basic
base64(user:K)``, ``?x-api-key=K``, ``?apikey=K``, ``?api_key=K``, in a cookie, or somewhere in a
body. Whatever the form, wherever it appears as a token (not inside a longer word: a short key
such as ``k`` does not blank every ``k`` of a log), it is replaced by ``REDACTED`` in what is
recorded: call logs (the hub's and the journal's), request and response headers, query, path and
bodies. ``redact_request`` also gives the mock a request without the key, so a template cannot
echo it into an answer.
"""

from __future__ import annotations

import base64
import binascii
import re
from urllib.parse import quote

from .model import MockRequest, Pairs

__all__ = ["REDACTED", "Redactor"]

REDACTED = "[redacted]"
_TOKEN_CHARS = r"A-Za-z0-9_\-.~"


class Redactor:
    """Replaces ``key`` (and its percent-encoded form) wherever it stands as a token."""

    def __init__(self, key: str) -> None:
        self.key = key
        forms = {key, quote(key, safe=""), quote(key, safe="").lower()} - {""}
        alternatives = "|".join(re.escape(f) for f in sorted(forms, key=len, reverse=True))
        self._pattern = re.compile(rf"(?<![{_TOKEN_CHARS}])(?:{alternatives})(?![{_TOKEN_CHARS}])") if forms else None

    def text(self, value: str) -> str:
        """``value`` with the key replaced (Basic credentials that hold it are replaced whole)."""
        if self._pattern is None or not value:
            return value
        value = self._pattern.sub(REDACTED, value)
        if value[:6].lower() == "basic ":
            try:
                decoded = base64.b64decode(value[6:].strip(), validate=True).decode("utf-8", "replace")
            except (binascii.Error, ValueError):
                return value
            if self._pattern.search(decoded) or decoded.endswith(":" + self.key):
                return "Basic " + REDACTED
        return value

    def pairs(self, pairs: Pairs) -> Pairs:
        return tuple((k, self.text(v)) for k, v in pairs)

    def body(self, data: bytes) -> bytes:
        """A body with the key replaced, when the body is text that holds it."""
        if self._pattern is None or self.key.encode("utf-8", "replace") not in data \
                and quote(self.key, safe="").encode() not in data:
            return data
        return self.text(data.decode("utf-8", "replace")).encode("utf-8")

    def request(self, request: MockRequest) -> MockRequest:
        """The request with the key gone from its path, query, headers and body."""
        return MockRequest(request.method, self.text(request.path), self.pairs(request.query),
                           self.pairs(request.headers), self.body(request.body))
