"""The head of a plain HTTP/1.1 request, parsed in one pass (issue 17).

Tornado reads a request's head with a coroutine pair per request and parses it line by line:
per header line a regular-expression search for the line end, two ``fullmatch`` checks (name and
value) and a normalised name; then the start line by one more regular expression. For the
requests a mock server mostly sees (a method, a target, ``HTTP/1.1``, a few headers, no body)
``plain_head`` does the same checks once over the whole head and gives the same method, target
and header lines (``tornado_head`` makes Tornado's ``RequestStartLine`` and ``HTTPHeaders`` of
them, for the requests the fast lane hands over).

It accepts exactly what Tornado accepts and builds what Tornado builds, or returns None and
leaves the head to Tornado: HTTP/1.0, leading blank lines, a line ended by a bare LF or holding a
bare CR, a header line beginning with whitespace (obs-fold, which Tornado refuses), a line without
a colon or with a name that is not a token, a control character in a value (Tornado's 400), and
every request that may carry a body or asks for something on the way (``Content-Length``,
``Transfer-Encoding``, ``Expect``, and ``Content-Encoding`` when the server decompresses).
"""

from __future__ import annotations

import re

from tornado.httputil import HTTPHeaders, RequestStartLine

from .wire import normalized

__all__ = ["plain_head", "tornado_head", "connection_options", "header_value", "Head", "TORNADO_NAMES"]

_TCHAR = r"[!#$%&'*+\-.^_`|~0-9A-Za-z]"
_REQUEST_LINE = re.compile(rf"({_TCHAR}+) ([\x21-\x7e\x80-\xff]+) HTTP/1\.1")
"""Tornado's ``_ABNF.request_line`` narrowed to version 1.1."""
_NOT_A_FIELD = re.compile(rf"^(?!{_TCHAR}+:)", re.MULTILINE)
"""A header line that does not begin with a token and a colon (obs-fold, no colon, bad name)."""
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
"""Characters Tornado's ``field_value`` refuses (CR and LF are checked as line ends)."""

TORNADO_NAMES = frozenset({"Content-Length", "Transfer-Encoding", "Expect"})
"""Header names whose requests Tornado reads itself (a body follows, or 100-continue)."""


Head = tuple[str, str, list[tuple[str, str]]]
"""A plain request head: ``(method, target, [(name, value), ...])``, names as Tornado normalises
them, several values of one name together at the place of its first (``HTTPHeaders.get_all``)."""


def plain_head(head: bytes, decompress: bool = False) -> Head | None:
    """The method, target and header lines of a plain HTTP/1.1 request head, as Tornado reads them.

    Args:
        head: The request's head as read from the connection, up to and including the blank line
            that ends it (``b"\\r\\n\\r\\n"``).
        decompress: Whether the server decodes ``Content-Encoding: gzip`` bodies (then a request
            naming a content encoding is left to Tornado too).

    Returns:
        ``(method, target, pairs)``: the start line's method and target (Latin-1 text, as Tornado
        hands them over) and the ``(name, value)`` pairs ``HTTPHeaders.get_all()`` would give
        after Tornado's ``_parse_headers`` (names normalised, values stripped of spaces and tabs,
        repeated names grouped at their first place); or None when the head is not a plain
        HTTP/1.1 head (see the module docstring): Tornado then reads it, and answers or refuses
        it as it always has.

    Examples:
        >>> plain_head(b"GET /users/1 HTTP/1.1\\r\\nhost: x\\r\\nX-A: 1 \\r\\nx-a: 2\\r\\n\\r\\n")
        ('GET', '/users/1', [('Host', 'x'), ('X-A', '1'), ('X-A', '2')])
        >>> plain_head(b"GET / HTTP/1.0\\r\\n\\r\\n") is None
        True
    """
    if not head.endswith(b"\r\n\r\n"):
        return None
    text = head[:-4].decode("latin-1")
    lf = text.count("\n")
    if text.count("\r") != lf or text.count("\r\n") != lf or _CONTROL.search(text) is not None:
        return None  # a bare CR or LF, or a control character: Tornado decides
    first, _, block = text.partition("\r\n")
    match = _REQUEST_LINE.fullmatch(first)
    if match is None:
        return None
    pairs: list[tuple[str, str]] = []
    if block:
        if _NOT_A_FIELD.search(block) is not None:
            return None
        seen: set[str] = set()
        repeated = False
        for line in block.split("\r\n"):
            name, _, value = line.partition(":")
            key = normalized(name)
            if key in seen:
                repeated = True
            else:
                seen.add(key)
            pairs.append((key, value.strip(" \t")))
        if not seen.isdisjoint(TORNADO_NAMES) or (decompress and "Content-Encoding" in seen):
            return None
        if repeated:  # HTTPHeaders keeps one list per name, at the place of its first line
            grouped: dict[str, list[tuple[str, str]]] = {}
            for pair in pairs:
                grouped.setdefault(pair[0], []).append(pair)
            pairs = [pair for group in grouped.values() for pair in group]
    return match.group(1), match.group(2), pairs


def tornado_head(method: str, target: str, pairs: list[tuple[str, str]]) -> tuple[RequestStartLine, HTTPHeaders]:
    """The ``RequestStartLine`` and ``HTTPHeaders`` Tornado builds for a plain head's parts."""
    headers = HTTPHeaders()
    for name, value in pairs:
        headers.add(name, value)
    return RequestStartLine(method, target, "HTTP/1.1"), headers


def connection_options(value: str | None) -> frozenset[str]:
    """The options a ``Connection`` header names, lower-cased (RFC 9110 §7.6.1: a comma-separated
    list of tokens, any case; ``close`` among them closes the connection after the answer).

    Examples:
        >>> sorted(connection_options("Close, TE"))
        ['close', 'te']
        >>> connection_options(None)
        frozenset()
    """
    if not value:
        return frozenset()
    return frozenset(token.strip().lower() for token in value.split(","))


def header_value(pairs: list[tuple[str, str]], name: str) -> str | None:
    """The values of header ``name`` (as ``plain_head`` normalises names) joined with commas, as
    ``HTTPHeaders.get`` gives them; None when there is none."""
    values = [value for key, value in pairs if key == name]
    return ",".join(values) if values else None
