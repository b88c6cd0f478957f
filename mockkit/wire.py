"""The head of an HTTP/1.1 answer as bytes, written the way Tornado's ``write_headers`` writes it,
in one pass (issue 17: ``write_headers`` was ~11 % of a small answer's cost).

Tornado builds an ``HTTPHeaders`` object (a dict of lists plus a dict), normalises each name
(``content-type`` -> ``Content-Type``), checks every line for CR or LF with a regular expression
and encodes line by line. ``response_head`` produces the same bytes: the status line (UTF-8), then
the answer's headers with names normalised the same way, several values of one name together at
the place of its first value, and ``ours`` (the headers the server sets: ``X-Mockkit-Call``,
``Server``, ``Date``, ``Content-Length``, ``Connection``) replacing any the answer had of that name
where it had it (``HTTPHeaders.__setitem__``), else after them. A CR or LF anywhere gives None:
the server then writes the answer through Tornado, whose ``ValueError`` becomes a 500 (the values
reaching here are cleaned already: ``headerclean``); a character beyond Latin-1 raises
``UnicodeEncodeError``, as Tornado's encoding does.
"""

from __future__ import annotations

from collections.abc import Iterable

from .engine import CALL_HEADER
from .headerclean import safe_headers
from .model import Pairs

__all__ = ["response_head", "normalized", "head_prefix", "SERVER_NAMES", "CALL_NAME"]

_NAMES: dict[str, str] = {}
_NAMES_KEPT = 4096


def normalized(name: str) -> str:
    """``name`` as Tornado's ``HTTPHeaders`` writes it: each ``-``-separated word capitalised
    (memoised, bounded: names come from collections and are few)."""
    found = _NAMES.get(name)
    if found is None:
        found = "-".join([word.capitalize() for word in name.split("-")])
        if len(_NAMES) < _NAMES_KEPT:
            _NAMES[name] = found
    return found


def response_head(status: int, reason: str, headers: Iterable[tuple[str, str]],
                  ours: Iterable[tuple[str, str]]) -> bytes | None:
    """``HTTP/1.1 <status> <reason>``, the header lines and the blank line that ends the head.

    ``headers``: the answer's (name, value) pairs, in order; ``ours``: (name, value) pairs that
    replace the answer's values of that name. None when a line holds a CR or LF."""
    grouped: dict[str, list[str]] = {}
    for name, value in headers:
        key = normalized(name)
        values = grouped.get(key)
        if values is None:
            grouped[key] = [value]
        else:
            values.append(value)
    for name, value in ours:
        grouped[normalized(name)] = [value]
    lines = [f"{key}: {value}" for key, values in grouped.items() for value in values]
    text = "\r\n".join(lines)
    start = f"HTTP/1.1 {status} {reason}"
    if not lines:
        return start.encode("utf-8") + b"\r\n\r\n"
    if "\r" in start or "\n" in start or text.count("\r") != len(lines) - 1 or text.count("\n") != len(lines) - 1:
        return None  # a line holds CR or LF: the caller lets Tornado's write_headers refuse it
    return start.encode("utf-8") + b"\r\n" + text.encode("latin-1") + b"\r\n\r\n"


CALL_NAME = normalized(CALL_HEADER)
"""``X-Mockkit-Call``: the call id header (``engine.CALL_HEADER``) as written on the wire."""
SERVER_NAMES = frozenset({CALL_NAME, "Server", "Date", "Content-Length", "Connection"})
"""The headers the server writes itself, after the answer's own (normalised names)."""
_PREFIXES: dict[tuple[int, str, Pairs], bytes | None] = {}
_PREFIXES_KEPT = 1024


def head_prefix(status: int, reason: str, headers: Pairs) -> bytes | None:
    """The status line and the answer's own header lines, each ended by CRLF, for an answer that
    has none of ``SERVER_NAMES``: ``response_head(status, reason, safe_headers(headers), ours)``
    is this prefix, then the ``ours`` lines, then CRLF. Memoised (an example's answer repeats;
    at most 1,024 kept, then forgotten at once).

    Args:
        status: The status code.
        reason: The reason phrase.
        headers: The answer's ``(name, value)`` pairs as the engine made them (before
            ``headerclean.safe_headers``), a tuple.

    Returns:
        The prefix as bytes, or None when the caller must build the head with
        ``response_head`` (the answer has a header the server sets, or a line holds a CR or LF).

    Raises:
        UnicodeEncodeError: A header holds a character beyond Latin-1 (as ``response_head``).

    Examples:
        >>> head_prefix(200, "OK", (("content-type", "text/plain"),))
        b'HTTP/1.1 200 OK\\r\\nContent-Type: text/plain\\r\\n'
        >>> head_prefix(200, "OK", (("server", "nginx"),)) is None
        True
    """
    key = (status, reason, headers)
    try:
        return _PREFIXES[key]
    except KeyError:
        pass
    except TypeError:  # not hashable: not memoised
        return _prefix(status, reason, headers)
    prefix = _prefix(status, reason, headers)
    if len(_PREFIXES) >= _PREFIXES_KEPT:
        _PREFIXES.clear()
    _PREFIXES[key] = prefix
    return prefix


def _prefix(status: int, reason: str, headers: Pairs) -> bytes | None:
    cleaned = safe_headers(headers)
    if any(normalized(name) in SERVER_NAMES for name, _ in cleaned):
        return None
    head = response_head(status, reason, cleaned, ())
    return None if head is None else head[:-2]
