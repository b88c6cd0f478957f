"""Which logged calls a test means, and why the others do not count.

    pattern = CallPattern.of("GET", "/users/{{id}}", params={"page": 2})
    verdict = pattern.verdict(call)         # .matches: True, False, or None (cannot tell)
    verdict.reasons                         # ["query parameter `page` is '3', expected '2'"]

The rules (the assertions of ``MockServer`` and the httpx transport use them):

* ``method``: case-insensitive; ``"*"`` matches any method.
* ``path``: the call's percent-decoded path, compared case-sensitively and whole (a trailing
  ``/`` counts). A segment written ``{{name}}``, ``:name`` or ``*`` matches any one segment (the
  Postman forms), and ``{{name}}`` inside a segment matches any text there. A query string in
  ``path`` (``/users?page=2``) adds to ``params``; a full URL's scheme and host are ignored.
* ``params``: each parameter given must have exactly these values (a list for a repeated key);
  parameters not given are not compared. Values compare as text as httpx sends them
  (``True`` -> ``"true"``, ``None`` -> ``""``).
* ``headers``: each header given (name case-insensitive) must be sent with this value; others
  are not compared.
* ``json``: the request body, parsed as JSON, must equal this value (``1`` equals ``1.0``,
  ``True`` does not equal ``1``). When the call log kept only a prefix of a long body (its
  ``journal_body_bytes`` limit), the call can be neither counted nor ruled out: its verdict is
  ``None`` and its reason says so.
"""

from __future__ import annotations

import json as jsonlib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

from .. import safejson
from ..errors import ConfigError
from ..journal import Call
from ..terminal import printable
from ..urls import levenshtein

__all__ = ["ANY_METHOD", "CallPattern", "Verdict"]

ANY_METHOD = "*"
_NOT_COMPARED: Any = object()
_TOKEN = re.compile(r"\{\{[^{}]*\}\}")


def _short(text: str, limit: int = 200) -> str:
    """``text`` safe for a terminal, cut to ``limit`` characters (``terminal.printable``)."""
    return printable(text, limit)


def _text(value: Any) -> str:
    """A query value as httpx writes it."""
    if value is True:
        return "true"
    if value is False:
        return "false"
    return "" if value is None else str(value)


def _params(given: Mapping[str, Any] | Sequence[tuple[str, Any]] | None) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    items = given.items() if isinstance(given, Mapping) else (given or ())
    for key, value in items:
        values = value if isinstance(value, (list, tuple)) else [value]
        out.setdefault(str(key), []).extend(_text(v) for v in values)
    return out


def _segment_pattern(segment: str) -> str:
    if segment == "*" or (segment.startswith(":") and len(segment) > 1):
        return "[^/]+"
    parts, pos = [], 0
    for m in _TOKEN.finditer(segment):
        parts.append(re.escape(segment[pos : m.start()]))
        parts.append("[^/]+" if m.start() == 0 and m.end() == len(segment) else "[^/]*")
        pos = m.end()
    parts.append(re.escape(segment[pos:]))
    return "".join(parts)


@dataclass(frozen=True)
class Verdict:
    """How one call compares with a pattern: ``matches`` is True, False, or None when the call
    log kept too little of the call to tell; ``reasons`` say why it does not count (empty when it
    does); ``distance`` orders calls by closeness (0 for a match)."""

    call: Call
    matches: bool | None
    reasons: tuple[str, ...]
    distance: float


@dataclass(frozen=True)
class CallPattern:
    """The calls an assertion means (see the module docstring for the rules).

    Build one with ``CallPattern.of``; ``verdict(call)`` compares one logged call,
    ``describe()`` says the pattern in words for failure messages.
    """

    method: str
    path: str
    params: dict[str, list[str]] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)
    json: Any = _NOT_COMPARED
    _regex: re.Pattern[str] = field(default=re.compile(""), repr=False, compare=False)

    @classmethod
    def of(
        cls,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | Sequence[tuple[str, Any]] | None = None,
        headers: Mapping[str, Any] | None = None,
        json: Any = None,
    ) -> "CallPattern":
        """A pattern from an assertion's arguments; raises ``TypeError`` when ``json`` is not
        JSON-serialisable and ``ConfigError`` (a ``ValueError``) for an empty method or path."""
        if not str(method).strip() or not str(path).strip():
            raise ConfigError("pattern", "needs a method (or '*') and a path, e.g. ('GET', '/users/{{id}}')")
        if path.startswith(("http://", "https://")):
            parts = urlsplit(path)
            path = parts.path + (f"?{parts.query}" if parts.query else "")
        path, _, query = path.partition("?")
        path = "/" + path.lstrip("/") if not path.startswith("/") else path
        wanted = _params(parse_qsl(query, keep_blank_values=True))
        for key, values in _params(params).items():
            wanted[key] = values
        expected = _NOT_COMPARED
        if json is not None:
            try:
                expected = jsonlib.loads(jsonlib.dumps(json))
            except (TypeError, ValueError) as exc:
                raise TypeError(f"json= must be JSON-serialisable (dicts, lists, str, numbers, bools, None): {exc}") from None
        regex = re.compile("/".join(_segment_pattern(s) for s in path.split("/")))
        return cls(
            method=str(method).strip().upper(),
            path=path,
            params=wanted,
            headers={str(k).lower(): _text(v) for k, v in (headers or {}).items()},
            json=expected,
            _regex=regex,
        )

    # ---------------------------------------------------------------------------- describing

    def describe(self) -> str:
        """The pattern in words: ``GET /users/{{id}} with query page=2 and header accept: ...``."""
        extras = []
        if self.params:
            extras.append("query " + "&".join(f"{k}={v}" for k, vs in self.params.items() for v in vs))
        extras.extend(f"header {k}: {v}" for k, v in self.headers.items())
        if self.json is not _NOT_COMPARED:
            extras.append("JSON body " + _short(jsonlib.dumps(self.json, ensure_ascii=False), 120))
        method = "any method" if self.method == ANY_METHOD else self.method
        return _short(f"{method} {self.path}", 300) + (" with " + ", ".join(extras) if extras else "")

    # ---------------------------------------------------------------------------- comparing

    def verdict(self, call: Call) -> Verdict:
        """Compare one logged call with this pattern."""
        request = call.request
        reasons: list[str] = []
        distance = 0.0
        if self.method != ANY_METHOD and request.method != self.method:
            reasons.append(f"method is {request.method}, not {self.method}")
            distance += 1
        path = unquote(request.path, errors="replace")
        if not self._regex.fullmatch(path):
            reasons.append(f"path is {_short(path)}, not {_short(self.path)}")
            longest = max(len(path), len(self.path)) or 1
            distance += 1 + levenshtein(path, self.path) / longest
        others = [*self._query_reasons(request.query), *self._header_reasons(request.headers)]
        reasons.extend(others)
        distance += 0.5 * len(others)
        if self.json is not _NOT_COMPARED:
            why, unknown = self._json_reason(call)
            if unknown and not reasons:  # everything else fits: the call may or may not count
                return Verdict(call, None, (why,), distance + 0.25)
            if why and not unknown:
                reasons.append(why)
                distance += 0.5
        return Verdict(call, not reasons, tuple(reasons), distance)

    def _query_reasons(self, query: tuple[tuple[str, str], ...]) -> list[str]:
        sent = _params(query)
        out = []
        for key, values in self.params.items():
            have = sent.get(key)
            want = values[0] if len(values) == 1 else values
            if have is None:
                out.append(f"has no query parameter `{_short(key)}` (expected {want!r})")
            elif sorted(have) != sorted(values):
                got = have[0] if len(have) == 1 else have
                out.append(f"query parameter `{_short(key)}` is {_short(repr(got))}, expected {_short(repr(want))}")
        return out

    def _header_reasons(self, headers: tuple[tuple[str, str], ...]) -> list[str]:
        out = []
        for name, value in self.headers.items():
            sent = [v for k, v in headers if k.lower() == name]
            if not sent:
                out.append(f"has no header `{_short(name)}` (expected {_short(repr(value))})")
            elif not any(_same_header(v, value) for v in [*sent, ", ".join(sent)]):
                out.append(f"header `{_short(name)}` is {_short(repr(sent[0]))}, expected {_short(repr(value))}")
        return out

    def _json_reason(self, call: Call) -> tuple[str, bool]:
        """(why the body does not count, whether the call log kept too little to tell)."""
        body = call.request.body
        size = getattr(call, "body_size", -1)
        if size > len(body):  # the call log kept a prefix only (Journal.max_body)
            digest = getattr(call, "body_sha256", "")
            return (f"its body was {size:,} bytes and the call log kept only the first {len(body):,}"
                    f"{f' (sha256 {digest[:12]}…)' if digest else ''}, so its JSON cannot be compared: "
                    "raise the mock's journal_body_bytes to compare bodies this long"), True
        if not body.strip():
            return "has no body (expected a JSON body)", False
        try:
            sent = safejson.loads(body)
        except (ValueError, RecursionError):
            return f"its body is not JSON ({len(body):,} bytes: {_short(repr(body[:40]))})", False
        diff = json_difference(sent, self.json)
        return (f"JSON body differs: {diff}" if diff else ""), False


def _same_header(sent: str, expected: str) -> bool:
    if sent == expected:
        return True
    try:  # a value sent as UTF-8 bytes arrives as Latin-1 text
        return sent.encode("latin-1").decode("utf-8") == expected
    except UnicodeError:
        return False


def json_difference(sent: Any, expected: Any, where: str = "$") -> str:
    """The first place where two JSON values differ, in words (empty when they are equal)."""
    if isinstance(expected, dict) and isinstance(sent, dict):
        for key in expected:
            if key not in sent:
                return f"{where} has no key {key!r} (expected {_json_short(expected[key])})"
            diff = json_difference(sent[key], expected[key], f"{where}.{key}")
            if diff:
                return diff
        extra = [k for k in sent if k not in expected]
        return f"{where} has an unexpected key {extra[0]!r}" if extra else ""
    if isinstance(expected, list) and isinstance(sent, list):
        for i, (a, b) in enumerate(zip(sent, expected, strict=False)):
            diff = json_difference(a, b, f"{where}[{i}]")
            if diff:
                return diff
        if len(sent) != len(expected):
            return f"{where} has {len(sent)} items, expected {len(expected)}"
        return ""
    same_kind = isinstance(sent, bool) == isinstance(expected, bool)
    if same_kind and type(sent) in (int, float) and type(expected) in (int, float):
        return "" if sent == expected else f"{where} is {_json_short(sent)}, expected {_json_short(expected)}"
    if same_kind and type(sent) is type(expected) and sent == expected:
        return ""
    return f"{where} is {_json_short(sent)}, expected {_json_short(expected)}"


def _json_short(value: Any) -> str:
    return _short(jsonlib.dumps(value, ensure_ascii=False), 60)
