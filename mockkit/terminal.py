"""User text made safe to print on a terminal.

Collection names, example names, paths, request targets, header values and error messages that
quote a file all come from someone else. Printed raw, an escape sequence in them can recolour or
clear the screen, move the cursor, retitle the window or write a fake line (``\\r`` and
``\\n``); a bidi override can make text read backwards. ``printable`` escapes every such
character as a visible ``\\xNN`` / ``\\uNNNN`` (``\\n``, ``\\r``, ``\\t`` as themselves):

* C0 controls U+0000-U+001F and DEL U+007F (ESC, BEL, BS, CR, LF, ...);
* C1 controls U+0080-U+009F (CSI U+009B, OSC U+009D, NEL U+0085, ...);
* line and paragraph separators U+2028, U+2029;
* bidi controls: U+061C, U+200E, U+200F, U+202A-U+202E, U+2066-U+2069;
* lone surrogates, which a UTF-8 terminal cannot even be sent.

Everything else, accents and emoji included, is printed as is.
"""

from __future__ import annotations

import re

__all__ = ["printable"]

_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escape(match: re.Match[str]) -> str:
    ch = match.group()
    if ch in _NAMED:
        return _NAMED[ch]
    code = ord(ch)
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def printable(text: object, limit: int | None = None) -> str:
    """``str(text)`` with terminal control characters escaped (see the module docstring), cut to
    ``limit`` characters (an ellipsis marks the cut) when a limit is given."""
    text = text if isinstance(text, str) else str(text)
    if _UNSAFE.search(text):
        text = _UNSAFE.sub(_escape, text)
    if limit is not None and len(text) > limit:
        text = text[: max(0, limit - 1)] + "…"
    return text
