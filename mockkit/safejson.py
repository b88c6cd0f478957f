"""One JSON parser for everything that comes from outside: bounded nesting, never RecursionError.

``json.loads`` recurses once per nested array or object, so a body of a thousand ``[`` raises
``RecursionError`` (or, parsed a little less deep, makes every later comparison, dump or
explanation of it recurse just as deep). Every parse of outside input (request bodies, saved
bodies, collection and environment files, hub uploads) goes through ``loads`` here instead:

* text whose brackets cannot reach ``MAX_DEPTH`` (counted with ``str.count``: the common case)
  goes straight to ``json.loads``;
* otherwise it is parsed, and the nesting of the result is measured without recursion; a
  ``RecursionError`` from the parser means "too deep" too;
* too deep raises ``TooDeep``, a ``json.JSONDecodeError`` (so a ``ValueError``): callers that
  treat invalid JSON as "not JSON" treat it the same way, and ``TooDeep.path`` names where
  (``item[0].request.body[0][0]...``) for error messages.

Big texts (over ``INTERRUPTIBLE_ABOVE`` characters), while other threads run in the process (a
server's event loop: ``mockkit.serve()`` in a notebook, a hub, a reload), are parsed by
``_parse_interruptible``, a
loop over tokens built from ``json``'s own pieces (``scanstring``, ``NUMBER_RE``) that produces
the same values as ``json.loads``. It is ~2.5 times slower, but ``json.loads`` holds the GIL for
its whole run (1.4 s for a 23 MB collection upload), which stalls the server's event loop thread
however the work is spread over threads; the loop lets other threads in between tokens. It also
never recurses, so too deep is found where it happens. With no other thread (``mockkit serve``
loading before it listens, a script), nothing can stall and ``json.loads`` parses (issue 17: the
load time of 50,000 examples). ``dumps`` is the same idea for writing
(``json``'s pure-Python ``iterencode``).
"""

from __future__ import annotations

import json
import json.decoder
import re
import threading
from collections.abc import Callable
from json.scanner import NUMBER_RE
from typing import Any, cast

from . import gcpause

__all__ = ["MAX_DEPTH", "TooDeep", "loads", "dumps", "nesting", "INTERRUPTIBLE_ABOVE"]

INTERRUPTIBLE_ABOVE = 1 << 20
"""Characters above which ``loads`` uses the interruptible parser (see the module docstring)."""

MAX_DEPTH = 256
"""Arrays and objects nested deeper than this are refused: well under Python's recursion limit
(1,000), well above real documents (a collection with Postman's deepest folder trees, 100 folders
in mockkit, needs about 210 levels)."""

_OPENERS = ("[", "{")
_CONTAINERS = (dict, list, tuple)
_TOKENS = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"?|[\[\]{}:,]', re.DOTALL)


class TooDeep(json.JSONDecodeError):
    """JSON nested deeper than ``max_depth``: ``path`` is the JSON path of the container that
    crossed the limit (shortened in the middle when long), ``pos`` its offset in the text."""

    def __init__(self, doc: str, pos: int, path: str, max_depth: int) -> None:
        self.reason = f"arrays and objects nested deeper than {max_depth} levels"
        super().__init__(self.reason + (f" at {path}" if path else ""), doc, pos)
        self.path = path
        self.max_depth = max_depth

    def __reduce__(self) -> tuple[type[TooDeep], tuple[str, int, str, int]]:  # picklable (the hub may hand errors across threads)
        return (TooDeep, (self.doc, self.pos, self.path, self.max_depth))


def loads(data: str | bytes | bytearray, *, max_depth: int = MAX_DEPTH) -> Any:
    """Parse JSON text (``str``, or bytes in any encoding ``json.loads`` detects).

    Raises ``json.JSONDecodeError`` for invalid JSON, ``TooDeep`` (a subclass) for nesting past
    ``max_depth`` levels, ``ValueError`` for the rest ``json.loads`` refuses (e.g. integers
    longer than Python's digit limit). Never ``RecursionError``.
    """
    text = data if isinstance(data, str) else bytes(data).decode(json.detect_encoding(data), "surrogatepass")
    if len(text) > INTERRUPTIBLE_ABOVE:
        with gcpause.paused(freeze=True):  # no collection scans the (long-lived) result later
            if threading.active_count() > 1:  # another thread (a server's event loop) may need the GIL
                return _parse_interruptible(text, max_depth)
            return _parse(text, max_depth)
    return _parse(text, max_depth)


def _parse(text: str, max_depth: int) -> Any:
    """``json.loads`` (C, holds the GIL) with the depth bound."""
    if text.count("[") + text.count("{") <= max_depth:
        return json.loads(text)
    try:
        value = json.loads(text)
    except RecursionError:
        raise _too_deep(text, max_depth) from None
    if nesting(value, max_depth) > max_depth:
        raise _too_deep(text, max_depth)
    return value


def nesting(value: Any, stop: int | None = None) -> int:
    """How deeply arrays and objects nest in a parsed value (a scalar is 0), without recursion;
    stops counting once past ``stop``. Level by level: each level's containers are gathered by
    one comprehension per container (a 50,000-example collection: ~0.25 s)."""
    level = [value] if isinstance(value, _CONTAINERS) else []
    depth = 0
    while level:
        depth += 1
        if stop is not None and depth > stop:
            return depth
        deeper: list[Any] = []
        add = deeper.extend
        for item in level:
            add([c for c in (item.values() if isinstance(item, dict) else item) if isinstance(c, _CONTAINERS)])
        level = deeper
    return depth


def _too_deep(text: str, max_depth: int) -> TooDeep:
    """Find the first container past ``max_depth`` and its JSON path (one linear scan)."""
    frames: list[list[Any]] = []  # per open container: [is_object, key or index, expecting a key]
    for m in _TOKENS.finditer(text):
        token = m.group()
        top = frames[-1] if frames else None
        if token in _OPENERS:
            if len(frames) >= max_depth:
                return TooDeep(text, m.start(), _path(frames), max_depth)
            frames.append([token == "{", "" if token == "{" else 0, token == "{"])
        elif token in ("]", "}"):
            if frames:
                frames.pop()
        elif token == ",":
            if top is not None:
                if top[0]:
                    top[2] = True
                else:
                    top[1] += 1
        elif token.startswith('"') and top is not None and top[0] and top[2]:
            try:
                top[1] = json.loads(token)
            except ValueError:
                top[1] = token.strip('"')
            top[2] = False
    return TooDeep(text, 0, "", max_depth)  # the parser recursed on something we did not see


def _path(frames: list[list[Any]], keep: int = 12) -> str:
    parts = [f".{key}" if is_object else f"[{key}]" for is_object, key, _ in frames]
    if len(parts) > keep:
        parts = [*parts[: keep - 2], f"...({len(parts) - keep + 1} more levels)...", parts[-1]]
    return "".join(parts).lstrip(".")


def dumps(value: Any, *, separators: tuple[str, str] | None = None) -> str:
    """``json.dumps(value)``, written piece by piece in Python (``JSONEncoder.iterencode``) so
    other threads run meanwhile: for big documents, at ~3 times json.dumps's cost."""
    return "".join(json.JSONEncoder(separators=separators).iterencode(value))


_WS = re.compile(r"[ \t\n\r]*")
_skip_ws = cast(Callable[[str, int], "re.Match[str]"], _WS.match)
"""``_WS.match``: never None, since the pattern matches the empty string."""
scanstring = cast(Callable[[str, int, bool], tuple[str, int]], getattr(json.decoder, "scanstring"))
"""``json``'s string scanner (C when available): the string starting after the quote at ``idx``,
and the index after its closing quote. Public in ``json.decoder``, missing from its type stubs."""
_CONSTANTS = (("null", None), ("true", True), ("false", False), ("NaN", float("nan")),
              ("Infinity", float("inf")), ("-Infinity", float("-inf")))


def _parse_interruptible(s: str, max_depth: int) -> Any:
    """``json.loads(s)`` as a loop over tokens, with an explicit stack (see the module docstring)."""
    ws, number, err = _skip_ws, NUMBER_RE.match, json.JSONDecodeError
    stack: list[list[Any]] = []  # [container, key (None in an array)]
    value: Any
    idx, end = ws(s, 0).end(), len(s)
    while True:
        ch = s[idx:idx + 1]
        if ch == '"':
            value, idx = scanstring(s, idx + 1, True)
        elif ch in ("{", "["):
            idx = ws(s, idx + 1).end()
            if s[idx:idx + 1] == ("}" if ch == "{" else "]"):
                value, idx = ({} if ch == "{" else []), idx + 1
            else:
                if len(stack) >= max_depth:
                    path = "".join(f".{k}" if k is not None else f"[{len(c)}]" for c, k in stack).lstrip(".")
                    raise TooDeep(s, idx - 1, path if len(stack) <= 12 else _path(
                        [[k is not None, k if k is not None else len(c), False] for c, k in stack]), max_depth)
                key = None
                if ch == "{":
                    key, idx = _key(s, idx)
                stack.append([{} if ch == "{" else [], key])
                continue
        else:
            m = number(s, idx)
            if m is not None:
                integer, frac, exp = m.groups()
                value = float(integer + (frac or "") + (exp or "")) if frac or exp else int(integer)
                idx = m.end()
            else:
                for word, value in _CONSTANTS:
                    if s.startswith(word, idx):
                        idx += len(word)
                        break
                else:
                    raise err("Expecting value", s, idx)
        while True:  # hand the value to its container; close the containers that end here
            if not stack:
                idx = ws(s, idx).end()
                if idx != end:
                    raise err("Extra data", s, idx)
                return value
            frame = stack[-1]
            container, key = frame
            if key is None:
                container.append(value)
            else:
                container[key] = value
            idx = ws(s, idx).end()
            ch = s[idx:idx + 1]
            if ch == ",":
                idx = ws(s, idx + 1).end()
                if key is not None:
                    frame[1], idx = _key(s, idx)
                break
            if ch != ("}" if key is not None else "]"):
                raise err("Expecting ',' delimiter", s, idx)
            stack.pop()
            value, idx = container, idx + 1


def _key(s: str, idx: int) -> tuple[str, int]:
    """An object key and its ':' at ``idx``; returns the key and where its value starts."""
    if s[idx:idx + 1] != '"':
        raise json.JSONDecodeError("Expecting property name enclosed in double quotes", s, idx)
    key, idx = scanstring(s, idx + 1, True)
    idx = _skip_ws(s, idx).end()
    if s[idx:idx + 1] != ":":
        raise json.JSONDecodeError("Expecting ':' delimiter", s, idx)
    return key, _skip_ws(s, idx + 1).end()
