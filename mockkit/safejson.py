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
"""

from __future__ import annotations

import json
import re
from typing import Any

__all__ = ["MAX_DEPTH", "TooDeep", "loads", "nesting"]

MAX_DEPTH = 256
"""Arrays and objects nested deeper than this are refused: well under Python's recursion limit
(1,000), well above real documents (a collection with Postman's deepest folder trees, 100 folders
in mockkit, needs about 210 levels)."""

_OPENERS = ("[", "{")
_TOKENS = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"?|[\[\]{}:,]', re.DOTALL)


class TooDeep(json.JSONDecodeError):
    """JSON nested deeper than ``max_depth``: ``path`` is the JSON path of the container that
    crossed the limit (shortened in the middle when long), ``pos`` its offset in the text."""

    def __init__(self, doc: str, pos: int, path: str, max_depth: int) -> None:
        self.reason = f"arrays and objects nested deeper than {max_depth} levels"
        super().__init__(self.reason + (f" at {path}" if path else ""), doc, pos)
        self.path = path
        self.max_depth = max_depth

    def __reduce__(self) -> tuple:  # picklable (the hub may hand errors across threads)
        return (TooDeep, (self.doc, self.pos, self.path, self.max_depth))


def loads(data: str | bytes | bytearray, *, max_depth: int = MAX_DEPTH) -> Any:
    """Parse JSON text (``str``, or bytes in any encoding ``json.loads`` detects).

    Raises ``json.JSONDecodeError`` for invalid JSON, ``TooDeep`` (a subclass) for nesting past
    ``max_depth`` levels, ``ValueError`` for the rest ``json.loads`` refuses (e.g. integers
    longer than Python's digit limit). Never ``RecursionError``.
    """
    text = data if isinstance(data, str) else bytes(data).decode(json.detect_encoding(data), "surrogatepass")
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
    stops counting once past ``stop``."""
    deepest = 0
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            item = item.values()
        elif not isinstance(item, (list, tuple)):
            continue
        if depth > deepest:
            deepest = depth
            if stop is not None and depth > stop:
                return depth
        stack.extend((child, depth + 1) for child in item if isinstance(child, (dict, list, tuple)))
    return deepest


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
