"""Request bodies compared the way a mock compares them, by the example's body mode (spec §1.5).

The example side is normalised once, when the engine is built (``BodyForm``); the request side is
parsed lazily, once per request and form (``RequestBody``). ``compare`` returns whether they are
equal and a sentence saying how they were compared or where they differ.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from email.parser import BytesParser
from email.policy import HTTP
from typing import Any
from urllib.parse import parse_qsl
from xml.etree.ElementTree import C14NWriterTarget

from defusedxml.ElementTree import DefusedXMLParser

from . import safejson
from .model import Body, Pairs
from .templating import resolve_variables

__all__ = ["BodyForm", "RequestBody", "compare", "body_form"]

_WS = re.compile(r"\s+")


@dataclass(frozen=True, slots=True)
class BodyForm:
    """An example's saved body, ready to compare: ``kind`` is none, json, xml, form, multipart,
    graphql, text or file; ``value`` the comparable value (parsed JSON, canonical XML, a Counter
    of fields...)."""

    kind: str
    value: Any = None
    text: str = ""


NO_BODY = BodyForm("none")
"""The form of every example saved without a body (one object: built per example at load)."""


def _is_json(content_type: str, language: str) -> bool:
    ctype = content_type.lower()
    return language.lower() == "json" or "json" in ctype


def _is_xml(content_type: str, language: str) -> bool:
    return language.lower() == "xml" or "xml" in content_type.lower()


MAX_XML = 4 << 20
"""XML bodies longer than this (characters) are compared as text, not parsed (spec 9.21)."""

XML_RULE = ("compared as XML: whitespace between elements, attribute order, namespace prefixes and comments "
            "ignored; mockkit's rule, spec 9.21, where Postman compares the text exactly")


MAX_XML_DEPTH = 256
"""Deeper XML is compared as text: canonicalising costs time in proportion to depth squared."""


class _Bounded:
    """A parser target that refuses documents nested deeper than ``MAX_XML_DEPTH``."""

    def __init__(self, inner: C14NWriterTarget) -> None:
        self.inner, self.depth = inner, 0

    def start(self, tag: str, attrs: dict[str, str]) -> None:
        self.depth += 1
        if self.depth > MAX_XML_DEPTH:
            raise ValueError("XML nested too deep")
        self.inner.start(tag, attrs)

    def end(self, tag: str) -> None:
        self.depth -= 1
        self.inner.end(tag)

    def __getattr__(self, name: str) -> Any:  # data, start_ns, comment, pi, close
        return getattr(self.inner, name)


def xml_canonical(text: str) -> str | None:
    """Canonical XML (C14N 2.0, text trimmed, namespace prefixes renamed in order of use) of
    ``text``, or None when it is not well-formed XML, declares entities or a DTD, is longer
    than ``MAX_XML`` or nested deeper than ``MAX_XML_DEPTH``. Parsed by defusedxml (no entity expansion, no external resources), as a
    stream: no recursion, however deep the document (spec 9.21)."""
    if len(text) > MAX_XML or "<" not in text:
        return None
    out: list[str] = []
    try:
        target = _Bounded(C14NWriterTarget(out.append, strip_text=True, rewrite_prefixes=True))
        parser = DefusedXMLParser(target=target, forbid_dtd=True)
        parser.feed(text)
        parser.close()
    except Exception:  # ParseError, DTD/entities forbidden, anything odd: not XML for us
        return None
    return "".join(out)


def _graphql_value(query: str, variables: Any) -> dict[str, Any]:
    return {"query": _WS.sub(" ", query).strip(), "variables": variables or {}}


def body_form(body: Body | None, headers: Pairs, variables: Mapping[str, str]) -> BodyForm:
    """Normalise a saved request body (variables resolved) for comparison."""
    if body is None or not body.mode:
        return NO_BODY
    content_type = next((v for k, v in headers if k.lower() == "content-type"), "")
    if body.mode == "urlencoded":
        fields = [(resolve_variables(k, variables), resolve_variables(v, variables)) for k, v in body.fields]
        return BodyForm("form", Counter(fields), "&".join(f"{k}={v}" for k, v in fields))
    if body.mode == "formdata":
        fields = [(resolve_variables(k, variables), resolve_variables(v, variables)) for k, v in body.fields]
        return BodyForm("multipart", Counter(fields), ", ".join(f"{k}={v}" for k, v in fields))
    if body.mode == "file":
        return BodyForm("file", None, body.file_src)
    raw = resolve_variables(body.raw, variables)
    if body.mode == "graphql":
        try:
            gvars = safejson.loads(resolve_variables(body.graphql_variables, variables) or "{}")
        except ValueError:
            gvars = body.graphql_variables
        return BodyForm("graphql", _graphql_value(raw, gvars), raw)
    if not raw:
        return NO_BODY
    if _is_json(content_type, body.language):
        try:
            return BodyForm("json", safejson.loads(raw), raw)
        except ValueError:
            pass
    if _is_xml(content_type, body.language):
        canonical = xml_canonical(raw)
        if canonical is not None:
            return BodyForm("xml", canonical, raw)
    return BodyForm("text", raw, raw)


@dataclass(slots=True)
class RequestBody:
    """An incoming body, parsed on demand and at most once per form."""

    data: bytes
    content_type: str = ""
    _cache: dict[str, Any] = field(default_factory=dict)

    @property
    def text(self) -> str:
        if "text" not in self._cache:
            self._cache["text"] = self.data.decode("utf-8", errors="replace")
        text: str = self._cache["text"]
        return text

    def json(self) -> tuple[bool, Any]:
        if "json" not in self._cache:
            try:
                self._cache["json"] = (True, safejson.loads(self.text))  # too deep: not JSON
            except ValueError:
                self._cache["json"] = (False, None)
        parsed: tuple[bool, Any] = self._cache["json"]
        return parsed

    def xml(self) -> str | None:
        """The body as canonical XML, or None when it is not XML (``xml_canonical``)."""
        if "xml" not in self._cache:
            self._cache["xml"] = xml_canonical(self.text)
        canonical: str | None = self._cache["xml"]
        return canonical

    def form(self) -> Counter[tuple[str, str]]:
        if "form" not in self._cache:
            self._cache["form"] = Counter(parse_qsl(self.text, keep_blank_values=True))
        fields: Counter[tuple[str, str]] = self._cache["form"]
        return fields

    def multipart(self) -> Counter[tuple[str, str]]:
        if "multipart" not in self._cache:
            self._cache["multipart"] = _multipart_fields(self.data, self.content_type)
        fields: Counter[tuple[str, str]] = self._cache["multipart"]
        return fields


def _multipart_fields(data: bytes, content_type: str) -> Counter[tuple[str, str]]:
    """Text fields of a multipart/form-data body (file parts left out, as Postman does)."""
    if "multipart/" not in content_type.lower():
        return Counter(parse_qsl(data.decode("utf-8", "replace"), keep_blank_values=True))
    try:
        message = BytesParser(policy=HTTP).parsebytes(
            b"Content-Type: " + content_type.encode("latin-1", "replace") + b"\r\n\r\n" + data
        )
        fields: Counter[tuple[str, str]] = Counter()
        for part in message.iter_parts():
            if part.get_filename() is not None:
                continue
            name = part.get_param("name", header="content-disposition")
            payload = part.get_payload(decode=True)  # bytes, or None for a nested multipart
            if name is not None:
                text = payload.decode("utf-8", "replace") if isinstance(payload, bytes) else ""
                fields[(str(name), text)] += 1
        return fields
    except Exception:  # a malformed multipart body compares unequal, never crashes
        return Counter()


def compare(form: BodyForm, request: RequestBody) -> tuple[bool, str]:
    """Whether the request body equals the example's, and a sentence saying why (not)."""
    kind = form.kind
    if kind == "none":
        if not request.data.strip():
            return True, "neither the example nor the request has a body"
        return False, "the example saved no body but the request sends one"
    if kind == "json":
        ok, value = request.json()
        if not ok:
            return False, "the request body is not valid JSON (the example's is)"
        if value == form.value:
            return True, "the JSON bodies are equal (compared parsed)"
        return False, "the JSON bodies differ: " + _json_difference(form.value, value)
    if kind == "form":
        return _fields(form.value, request.form(), "form fields")
    if kind == "multipart":
        return _fields(form.value, request.multipart(), "form-data text fields")
    if kind == "graphql":
        ok, value = request.json()
        if not ok or not isinstance(value, dict):
            return False, "the request body is not a GraphQL JSON object {query, variables}"
        other = dict(value)
        if other.get("operationName") is None:
            other.pop("operationName", None)
        got = _graphql_value(str(other.pop("query", "")), other.pop("variables", None))
        if other:
            return False, f"the request sends extra GraphQL fields: {', '.join(sorted(other))}"
        if got == form.value:
            return True, "the GraphQL query and variables are equal"
        part = "query" if got["query"] != form.value["query"] else "variables"
        return False, f"the GraphQL {part} differ"
    if kind == "file":
        return False, "the example's body is a file, which mockkit never reads, so it cannot match"
    if kind == "xml":
        return _compare_xml(form, request)
    if request.text == form.value:
        return True, "the bodies are identical"
    return False, "the bodies differ (compared as exact text)"


def _compare_xml(form: BodyForm, request: RequestBody) -> tuple[bool, str]:
    """Spec 9.21: XML as XML; as text when the request's body is not well-formed XML."""
    got = request.xml()
    if got is None:
        if request.text == form.text:
            return True, "the bodies are identical (the request's is not well-formed XML, so compared as text)"
        return False, "the request body is not well-formed XML (the example's is), and as text they differ"
    if got == form.value:
        return True, f"the XML bodies are equal ({XML_RULE})"
    return False, f"the XML bodies differ ({XML_RULE}): {_xml_difference(form.value, got)}"


_PREFIXES = re.compile(r"(</?)n\d+:")
_XMLNS = re.compile(r' xmlns:n\d+=""')


def _xml_difference(expected: str, got: str) -> str:
    """Where two canonical XML texts first differ, shown from the start of that tag."""
    at = next((i for i, (a, b) in enumerate(zip(expected, got)) if a != b), min(len(expected), len(got)))
    start = max(expected.rfind("<", 0, at + 1), 0)

    def excerpt(text: str) -> str:
        piece = _PREFIXES.sub(r"\1", _XMLNS.sub("", text[start:start + 64]))  # n0:, xmlns:n0="" are ours
        return (piece[:48] + "…") if len(piece) > 48 or len(text) > start + 64 else piece or "(nothing)"

    return f"the request has `{excerpt(got)}` where the example has `{excerpt(expected)}`"


def _fields(expected: Counter[tuple[str, str]], got: Counter[tuple[str, str]], what: str) -> tuple[bool, str]:
    """Compare two multisets of (key, value) fields; a key on both sides with other values is
    named once, with both values (not as both missing and added)."""
    if expected == got:
        return True, f"the {what} are equal"
    mine: dict[str, list[str]] = {}
    theirs: dict[str, list[str]] = {}
    for (k, v), n in expected.items():
        mine.setdefault(k, []).extend([v] * n)
    for (k, v), n in got.items():
        theirs.setdefault(k, []).extend([v] * n)
    missing = sorted(k for k in mine if k not in theirs)
    extra = sorted(k for k in theirs if k not in mine)
    changed = sorted(k for k in mine if k in theirs and sorted(mine[k]) != sorted(theirs[k]))
    bits = [f"`{k}` is {_shown(theirs[k])} in the request, {_shown(mine[k])} in the example" for k in changed[:3]]
    if missing:
        bits.append("the request lacks " + ", ".join(f"`{k}`" for k in missing[:3]))
    if extra:
        bits.append("the request adds " + ", ".join(f"`{k}`" for k in extra[:3]))
    return False, f"the {what} differ: " + "; ".join(bits)


def _shown(values: list[str]) -> str:
    values = sorted(values)
    cut = [v if len(v) <= 40 else v[:37] + "..." for v in values]
    return f"'{cut[0]}'" if len(cut) == 1 else "[" + ", ".join(f"'{v}'" for v in cut) + "]"


def _json_difference(expected: Any, got: Any, where: str = "$") -> str:
    """The first place two JSON values differ, as a short sentence."""
    if isinstance(expected, dict) and isinstance(got, dict):
        for key in expected:
            if key not in got:
                return f"`{where}.{key}` is missing from the request"
            if expected[key] != got[key]:
                return _json_difference(expected[key], got[key], f"{where}.{key}")
        extra = next(k for k in got if k not in expected)
        return f"the request adds `{where}.{extra}`"
    if isinstance(expected, list) and isinstance(got, list) and len(expected) == len(got):
        for i, (a, b) in enumerate(zip(expected, got)):
            if a != b:
                return _json_difference(a, b, f"{where}[{i}]")
    shown = json.dumps(got, ensure_ascii=False)
    shown = shown if len(shown) <= 40 else shown[:37] + "..."
    want = json.dumps(expected, ensure_ascii=False)
    want = want if len(want) <= 40 else want[:37] + "..."
    return f"`{where}` is {shown} in the request, {want} in the example"


def encode(form: BodyForm) -> tuple[bytes, str | None]:
    """The bytes (and Content-Type) a client would send for a saved body: used to replay an
    example's own request (the Explorer's "use as request", the corpus self-tests)."""
    from urllib.parse import urlencode

    if form.kind in ("none", "file"):
        return b"", None
    if form.kind == "json":
        return form.text.encode("utf-8"), "application/json"
    if form.kind == "form":
        return urlencode(list(form.value.elements())).encode(), "application/x-www-form-urlencoded"
    if form.kind == "multipart":
        boundary = "mockkit-boundary-7d1f"
        parts = [
            f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'
            for k, v in form.value.elements()
        ]
        data = "".join(parts) + f"--{boundary}--\r\n"
        return data.encode("utf-8"), f"multipart/form-data; boundary={boundary}"
    if form.kind == "graphql":
        return json.dumps(form.value).encode("utf-8"), "application/json"
    return form.text.encode("utf-8"), None
