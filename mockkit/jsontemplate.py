"""JSON bodies stay JSON (spec 9.18): where each placeholder of a JSON template sits, and how its
value is written there.

Postman fills placeholders verbatim, so ``{"bio": "{{$randomLoremParagraphs}}"}`` (line breaks)
or ``{"name": "{{$body 'name'}}"}`` (a request value with a quote) come out as invalid JSON
(Postman issue #9182). mockkit departs on purpose: when a template labelled JSON is JSON once its
placeholders are filled, ``json_modes`` (once, at compile time) marks each placeholder

* ``"s"``: inside a JSON string: its value is JSON-escaped (``escape_in_string``);
* ``"v"``: standing for a whole value: a value that is already a JSON number, ``true``,
  ``false``, ``null``, object, array or string goes in as is (what Postman would insert), any
  other text as a JSON string (``as_json_value``).

Any other template (not JSON, or a placeholder glued to other characters outside a string) gets
``None`` and is filled verbatim, as Postman does.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence

from . import safejson

__all__ = ["json_modes", "escape_in_string", "as_json_value"]

_IN_STRING_STOP = re.compile(r'["\\]')
_NUMBER = re.compile(r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?")
_BEFORE_VALUE = ("", "[", ",", ":")  # what may precede a whole value (outside strings)
_AFTER_VALUE = "]},"  # what may follow one
_WHITESPACE = " \t\r\n"


class _Scan:
    """Where a left-to-right scan of the template's literal text stands."""

    def __init__(self) -> None:
        self.in_string = False
        self.escaped = False  # the string's last character was an unfinished backslash escape
        self.last = ""  # last significant character outside strings ("" at the start)
        self.after_value = False  # a whole-value placeholder was the last significant thing

    def literal(self, text: str) -> bool:
        """Advance over literal text; False when it cannot hold the placeholders as JSON."""
        i, n = 0, len(text)
        while i < n:
            if self.in_string:
                if self.escaped:
                    self.escaped, i = False, i + 1
                    continue
                m = _IN_STRING_STOP.search(text, i)
                if m is None:
                    return True
                if m.group() == "\\":
                    self.escaped, i = True, m.end()
                else:
                    self.in_string, self.last, i = False, '"', m.end()
                continue
            quote = text.find('"', i)
            chunk = text[i:] if quote < 0 else text[i:quote]
            significant = chunk.strip(_WHITESPACE)
            if significant:
                if self.after_value and significant[0] not in _AFTER_VALUE:
                    return False
                self.after_value, self.last = False, significant[-1]
            if quote < 0:
                return True
            if self.after_value:
                return False  # a string straight after a whole-value placeholder
            self.in_string, i = True, quote + 1
        return True

    def placeholder(self) -> str | None:
        """The mode of a placeholder at this point, or None when it cannot be filled as JSON."""
        if self.in_string:
            return None if self.escaped else "s"
        if self.after_value or self.last not in _BEFORE_VALUE:
            return None
        self.after_value, self.last = True, "0"
        return "v"


def json_modes(parts: Sequence[object]) -> tuple[str | None, ...] | None:
    """For compiled template ``parts`` (literal ``str`` and placeholder tokens), one mode per part
    (None for literals, "s" or "v" for placeholders), or None when the template is not JSON once
    its placeholders are filled (then it is filled verbatim)."""
    scan = _Scan()
    modes: list[str | None] = []
    sample: list[str] = []
    for part in parts:
        if isinstance(part, str):
            if not scan.literal(part):
                return None
            modes.append(None)
            sample.append(part)
            continue
        mode = scan.placeholder()
        if mode is None:
            return None
        modes.append(mode)
        sample.append("" if mode == "s" else "0")
    try:  # any JSON value can stand where "0" stands, any escaped text where "" stands
        _strict_loads("".join(sample))
    except ValueError:
        return None
    return tuple(modes)


def _strict_loads(text: str) -> None:
    """Raise ``ValueError`` unless ``text`` is strict JSON: bounded depth (``safejson``), and no
    ``NaN``/``Infinity``, which Python's parser accepts but JSON does not."""
    safejson.loads(text)  # depth checked first: the strict parse below cannot recurse too far
    json.loads(text, parse_constant=_refuse)


def _refuse(name: str) -> object:
    raise ValueError(f"{name} is not JSON")


def escape_in_string(text: str) -> str:
    """``text`` written inside a JSON string: quotes, backslashes and control characters escaped."""
    if text.isalnum():
        return text
    return json.dumps(text, ensure_ascii=False)[1:-1]


def as_json_value(text: str) -> str:
    """``text`` written as a whole JSON value: as is when it already is one, else as a string."""
    value = text.strip(_WHITESPACE)
    if value in ("true", "false", "null") or _NUMBER.fullmatch(value):
        return value
    if value[:1] in ("{", "[", '"'):
        try:
            _strict_loads(value)
            return value
        except ValueError:
            pass
    return json.dumps(text, ensure_ascii=False)
