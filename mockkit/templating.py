"""``{{...}}`` rendering: collection/environment variables, path captures, template helpers and
dynamic variables, in that order (spec §2).

Two phases keep the request path cheap and safe:

* **compile** (once, when an engine is built): collection and environment variables are
  substituted, repeatedly, at most ``MAX_PASSES`` times (Postman's limit) so a variable may expand
  into another; a cycle stops there and is reported. What is left is split into literal text and
  tokens: path captures (``{{id}}`` of a wildcard segment), helpers (``{{$body 'a.b'}}``,
  ``{{$queryParams 'k'}}``, ``{{$pathSegments '0'}}``, ``{{$headers 'x'}}``) and dynamic variables
  (``{{$randomInt}}``). A text without tokens becomes plain bytes.
* **render** (per request): tokens are replaced in one pass. Values that come from the request
  (captures, helpers) and fresh fake values are inserted verbatim and never scanned again, so a
  request cannot smuggle templates into a response or make it grow. In a body labelled JSON that
  is JSON once filled, they are JSON-escaped or written as JSON values instead (spec 9.18,
  ``jsontemplate``), so it stays valid JSON.

Unknown ``{{name}}`` and ``{{$name}}`` tokens stay as written (Postman's rule) and are listed in
``Template.problems`` so the explanation can show them, with a "did you mean" for ``$`` names. A
wildcard ``{{name}}`` for which the request captured nothing (an example picked by name whose
path does not fit) also stays as written (spec 9.13), and is listed in ``RenderContext.uncaptured``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

from . import fakes, safejson
from .headerclean import clean_value
from .jsontemplate import as_json_value, escape_in_string, json_modes
from .model import HTTP_WHITESPACE, MockRequest

__all__ = [
    "MAX_PASSES",
    "MAX_EXPANSION",
    "MAX_RENDERED",
    "TOKEN",
    "HELPERS",
    "Token",
    "Template",
    "RenderContext",
    "resolve_variables",
    "compile_template",
    "render",
    "render_header",
    "object_path",
]

MAX_PASSES = 19
"""Postman resolves nested variables at most 19 times; so do we."""

MAX_EXPANSION = 1 << 20
"""Stop expanding variables once a text grows past this many characters (1 MiB): a guard against
variables that expand into several copies of themselves."""

MAX_RENDERED = 8 << 20
"""Once a rendered response passes 8 MiB, remaining tokens are left as written: a template
full of ``{{$body}}`` or lorem paragraphs cannot make an answer grow without bound."""

MAX_PROBLEMS = 20
"""At most this many distinct problems are kept per template (the rest are counted)."""

TOKEN = re.compile(r"\{\{([^{}]*?)\}\}")
HELPERS = ("$body", "$queryParams", "$pathSegments", "$headers")
_ARG = re.compile(r"'((?:[^'\\]|\\.)*)'")


def resolve_variables(
    text: str, variables: Mapping[str, str], *, problems: list[str] | None = None
) -> str:
    """Substitute ``{{name}}`` from ``variables`` until nothing changes (at most 19 passes).

    Names that are not in ``variables`` are left as written. A cycle or runaway growth is
    reported into ``problems`` (when given) and stops the expansion.
    """
    if "{{" not in text or not variables:
        return text

    def lookup(match: re.Match[str]) -> str:
        value = variables.get(match.group(1).strip())
        return match.group(0) if value is None else value

    for _ in range(MAX_PASSES):
        new = TOKEN.sub(lookup, text)
        if new == text:
            return text
        if len(new) > MAX_EXPANSION:
            if problems is not None:
                problems.append(
                    f"variables expand past {MAX_EXPANSION:,} characters; expansion stopped"
                )
            return text
        text = new
    if problems is not None and TOKEN.sub(lookup, text) != text:
        names = sorted({m.group(1).strip() for m in TOKEN.finditer(text) if m.group(1).strip() in variables})
        problems.append(
            f"variables still expand after {MAX_PASSES} passes (a cycle?): {', '.join(names)}"
        )
    return text


@dataclass(frozen=True, slots=True)
class Token:
    """One ``{{...}}`` left after variables: ``kind`` is capture, helper or dynamic."""

    kind: str
    name: str
    args: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Template:
    """A compiled text: literal strings and tokens, or plain ``static`` text."""

    parts: tuple[str | Token, ...]
    problems: tuple[str, ...] = ()
    static: str | None = None
    json_modes: tuple[str | None, ...] | None = None  # per part, for a JSON body (spec 9.18)

    @property
    def is_static(self) -> bool:
        return self.static is not None


@dataclass(slots=True)
class RenderContext:
    """What one render may read: the request, the path captures and the fake-data source."""

    request: MockRequest
    captures: Mapping[str, str]
    fake: fakes.FakeContext
    _json: Any = field(default=None, init=False)
    _json_done: bool = field(default=False, init=False)
    uncaptured: list[str] = field(default_factory=list, init=False)  # wildcards left as written (9.13)

    def body_text(self) -> str:
        return self.request.body.decode("utf-8", errors="replace")

    def body_data(self) -> Any:
        """The request body parsed once: JSON, or form fields as an object; None otherwise."""
        if not self._json_done:
            self._json_done = True
            text = self.body_text()
            ctype = (self.request.header("content-type") or "").lower()
            try:
                self._json = safejson.loads(text) if text.strip() else None  # too deep: not JSON
            except ValueError:
                if "x-www-form-urlencoded" in ctype or ("=" in text and "{" not in text):
                    self._json = dict(parse_qsl(text, keep_blank_values=True))
        return self._json


def compile_template(
    text: str,
    variables: Mapping[str, str],
    captures: Iterable[str] = (),
    *,
    json_body: bool = False,
) -> Template:
    """Compile ``text``: substitute variables now, keep request-time tokens for ``render``.

    ``json_body`` (a response body labelled JSON): when the text is JSON once its placeholders
    are filled, each placeholder is marked to be JSON-escaped inside a string or written as a
    whole JSON value (spec 9.18, ``jsontemplate``); otherwise placeholders are filled verbatim."""
    problems: list[str] = []
    text = resolve_variables(text, variables, problems=problems)
    if "{{" not in text:
        return Template((text,), tuple(problems), static=text)
    capture_names = frozenset(captures)
    parts: list[str | Token] = []
    pos = 0
    notes = _Notes(problems)
    for match in TOKEN.finditer(text):
        token = _classify(match.group(1).strip(), capture_names, notes)
        if token is None:
            continue  # stays in the literal text, as written
        parts.append(text[pos : match.start()])
        parts.append(token)
        pos = match.end()
    parts.append(text[pos:])
    merged = tuple(p for p in parts if p != "")
    if not any(isinstance(p, Token) for p in merged):
        return Template((text,), notes.done(), static=text)
    return Template(merged, notes.done(), json_modes=json_modes(merged) if json_body else None)


class _Notes:
    """Problems without repeats, at most ``MAX_PROBLEMS`` of them (then a count)."""

    def __init__(self, initial: list[str]) -> None:
        self.items = list(dict.fromkeys(initial))
        self.seen = set(self.items)
        self.dropped = 0

    def add(self, note: str) -> None:
        if note in self.seen:
            return
        self.seen.add(note)
        if len(self.items) < MAX_PROBLEMS:
            self.items.append(note)
        else:
            self.dropped += 1

    def has_room(self) -> bool:
        return len(self.items) < MAX_PROBLEMS

    def done(self) -> tuple[str, ...]:
        extra = (f"... and {self.dropped} more problems",) if self.dropped else ()
        return (*self.items, *extra)


def _classify(inner: str, captures: frozenset[str], notes: _Notes) -> Token | None:
    if inner in captures:
        return Token("capture", inner)
    if not inner.startswith("$"):
        if inner:
            notes.add(f"unresolved variable {{{{{inner}}}}} left as written")
        return None
    name, _, rest = inner.partition(" ")
    if name in HELPERS:
        return Token("helper", name, tuple(a.replace("\\'", "'") for a in _ARG.findall(rest)))
    if name in fakes.DYNAMIC and not rest.strip():
        return Token("dynamic", name)
    note = f"unknown dynamic variable {{{{{inner}}}}} left as written"
    if note not in notes.seen:
        # a "did you mean" costs a fuzzy search: only for the notes that are kept
        hint = fakes.suggest(name) if notes.has_room() else None
        notes.add(note + (f" (did you mean {{{{{hint}}}}}?)" if hint else ""))
        notes.seen.add(note)
    return None


def render(template: Template, ctx: RenderContext) -> str:
    """Fill a compiled template for one request, in one pass. In a JSON template (spec 9.18)
    each value is JSON-escaped inside a string, or written as a whole JSON value."""
    if template.static is not None:
        return template.static
    out: list[str] = []
    size = 0
    modes = template.json_modes
    for i, part in enumerate(template.parts):
        if isinstance(part, str):
            out.append(part)
            size += len(part)
            continue
        text = _as_written(part) if size > MAX_RENDERED else _fill(part, ctx)  # over the cap: as written
        if modes is not None:
            text = escape_in_string(text) if modes[i] == "s" else as_json_value(text)
        out.append(text)
        size += len(text)
    return "".join(out)


def _as_written(token: Token) -> str:
    return "{{" + " ".join((token.name, *token.args)) + "}}"


def _fill(token: Token, ctx: RenderContext) -> str:
    if token.kind == "capture":
        value = ctx.captures.get(token.name)
        if value is None:  # spec 9.13: nothing captured (e.g. picked by name): left as written
            ctx.uncaptured.append(token.name)
            return "{{" + token.name + "}}"
        return value
    if token.kind == "dynamic":
        return fakes.generate(token.name, ctx.fake) or ""
    return _helper(token, ctx)


def render_header(template: Template, ctx: RenderContext) -> str:
    """Render a header value, cleaned by ``headerclean.clean_value``: no control character
    (CR and LF among them: spec 9.6) reaches the wire."""
    return clean_value(render(template, ctx))


def _helper(token: Token, ctx: RenderContext) -> str:
    args = token.args
    default = args[1] if len(args) > 1 else ""
    if token.name == "$body":
        if not args:
            return ctx.body_text()
        return _text(object_path(ctx.body_data(), args[0]), default)
    if token.name == "$queryParams":
        if not args:
            return json.dumps(dict(ctx.request.query), ensure_ascii=False)
        for key, value in ctx.request.query:
            if key == args[0]:
                return value
        return default
    if token.name == "$pathSegments":
        segments = [s for s in ctx.request.decoded_path_lenient.split("/") if s != ""]
        if not args:
            return json.dumps(segments, ensure_ascii=False)
        try:
            return segments[int(args[0])]
        except (ValueError, IndexError):
            return default
    # $headers
    if not args:
        return json.dumps(dict(ctx.request.headers), ensure_ascii=False)
    sent = ctx.request.header(args[0])
    return default if sent is None else sent.strip(HTTP_WHITESPACE)


_MISSING = object()


def object_path(data: Any, path: str) -> Any:
    """Follow a Postman object-path (``a.b.0.c``; ``\\.`` escapes a dot) into parsed data."""
    if data is None:
        return _MISSING
    keys = [k.replace("\x00", ".") for k in path.replace("\\.", "\x00").split(".")]
    current = data
    for key in keys:
        if isinstance(current, dict):
            if key not in current:
                return _MISSING
            current = current[key]
        elif isinstance(current, list):
            try:
                current = current[int(key)]
            except (ValueError, IndexError):
                return _MISSING
        else:
            return _MISSING
    return current


def _text(value: Any, default: str) -> str:
    """Helper output is inserted verbatim (spec T2): strings as they are, the rest as JSON."""
    if value is _MISSING:
        return default
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)

