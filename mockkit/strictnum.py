"""One strict parser for numbers that arrive as text (query parameters, headers, cursors).

``int()`` is too lenient for outside input: it accepts other scripts' digits (``'²'``, ``'٣'``),
underscores, signs and surrounding whitespace, and refuses (``ValueError``) strings longer than
Python's 4,300-digit limit; a value it does accept can still overflow SQLite's 64-bit integers.
``parse_int`` accepts ASCII digits only, at most ``len(str(hi))`` of them once leading zeros are
set aside, within ``lo..hi``; anything else is None, so the caller answers a 400 naming the field.
"""

from __future__ import annotations

__all__ = ["parse_int", "INT64_MAX"]

INT64_MAX = 2**63 - 1


def parse_int(text: str | None, lo: int = 0, hi: int = INT64_MAX, *, strip: bool = True) -> int | None:
    """The integer ``text`` spells in ASCII digits, when it is within ``lo..hi``; else None.

    ``strip`` allows spaces and tabs around the digits (as header values carry them).
    """
    if text is None:
        return None
    if strip:
        text = text.strip(" \t")
    if not text or not text.isascii() or not text.isdigit():
        return None
    digits = text.lstrip("0") or "0"
    if len(digits) > len(str(hi)):
        return None
    value = int(digits)
    return value if lo <= value <= hi else None
