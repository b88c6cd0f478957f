"""Response header fields made safe to write, by one rule, wherever they come from.

A header value can come from a saved example, a template that echoes the request (query, body,
headers, path captures), a server response set through the API, or the hub's own answers. HTTP
(RFC 9110 §5.5) allows visible characters, obs-text bytes and inner spaces/tabs in a field value
and nothing else; Tornado refuses anything more, and a refused header used to turn a ready answer
into a 500 while the call log said 200. So every value is cleaned the same way before anyone
writes or records it:

* control characters are removed: C0 except horizontal tab (CR and LF among them, so an echoed
  value cannot inject a header: spec 9.6) and DEL;
* spaces and tabs at either end are trimmed (a field value cannot start or end with them);
* text beyond ASCII goes out as its UTF-8 bytes (what browsers send and expect): ``to_wire``.

Names keep only RFC 9110 token characters.
"""

from __future__ import annotations

import re

from .model import Pairs

__all__ = ["clean_value", "clean_name", "to_wire", "wire_value", "safe_headers"]

_CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]+")
_UNSAFE = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]|^[ \t]|[ \t]$")
_NOT_TOKEN = re.compile(r"[^!#$%&'*+\-.^_`|~0-9A-Za-z]+")


def clean_value(text: str) -> str:
    """``text`` without control characters (C0 but tab, and DEL) and without spaces or tabs at
    either end. Characters beyond ASCII are kept (``to_wire`` encodes them)."""
    if not _UNSAFE.search(text):
        return text
    return _CONTROL.sub("", text).strip(" \t")


def clean_name(text: str) -> str:
    """A header name of RFC 9110 token characters only ("" when none is left)."""
    return _NOT_TOKEN.sub("", text)


def to_wire(value: str) -> str:
    """A header value as HTTP carries it: text beyond ASCII as its UTF-8 bytes, one Latin-1
    character per byte (lone surrogates become ``?``), so any server writes it byte for byte."""
    if value.isascii():
        return value
    return value.encode("utf-8", "replace").decode("latin-1")


def wire_value(text: str) -> str:
    """``to_wire(clean_value(text))``: what a response header value is, once rendered."""
    return to_wire(clean_value(text))


def safe_headers(headers: Pairs) -> Pairs:
    """The last guard before the socket: names and values cleaned, characters beyond Latin-1
    (which ``to_wire`` has not already turned into bytes) encoded; headers left without a name
    dropped. Returns ``headers`` itself when nothing needed cleaning (the usual case)."""
    out = []
    changed = False
    for name, value in headers:
        clean = (clean_name(name), clean_value(value))
        if clean[1] and max(clean[1]) > "\xff":
            clean = (clean[0], to_wire(clean[1]))
        changed = changed or clean != (name, value)
        if clean[0]:
            out.append(clean)
    return tuple(out) if changed else headers
