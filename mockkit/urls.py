"""Paths and queries of saved requests, resolved the way a mock compares them (spec §1.4, F4).

* ``resolve_url`` turns a collection ``Url`` into the path and query the matching steps compare:
  ``:name`` segments take their ``url.variable`` values, ``{{variables}}`` are resolved
  (environment over collection), a host variable that carries a path (``{{baseUrl}}`` =
  ``https://x/api/v1`` or ``/``) contributes those segments, and the rest is percent-decoded.
  Variables still unresolved stay as ``{{name}}``: those segments are wildcards.
* ``PathForms`` holds the normal forms of one path that steps a–g compare (exact, no trailing
  slash, lower-case, ids set aside), so each step is one string comparison or one dict lookup.
  Which step compares which form is declared in ``ladder.PATH_RULES`` (``PathRule.form``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import unquote, unquote_plus

from rapidfuzz.distance import Levenshtein

from .ladder import PATH_RULES
from .model import Pairs, Url
from .quickinit import quick_init
from .templating import TOKEN, resolve_variables

__all__ = ["resolve_url", "PathForms", "request_forms", "is_id", "levenshtein", "split_query", "ID_MARK"]

ID_MARK = "\x00id"
"""What an id-like segment becomes in the id-stripped forms (spec 9.1)."""

_SLASHES = re.compile(r"/{2,}")
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*://")
_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", re.I)
_TOKENISH = re.compile(r"^(?=.*[0-9])(?=.*[A-Za-z])[A-Za-z0-9_\-]{8,}$")


def is_id(segment: str) -> bool:
    """Spec 9.1: all digits, a UUID, or 8+ chars of ``[A-Za-z0-9_-]`` with a digit and a letter."""
    if not segment:
        return False
    if segment.isascii() and segment.isdigit():
        return True
    if len(segment) < 8:  # too short for both patterns (a UUID is 36 characters, "$" may take a final "\n")
        return False
    return (len(segment) in (36, 37) and _UUID.match(segment) is not None) or _TOKENISH.match(segment) is not None


def split_query(query_string: str) -> Pairs:
    """Split a query string as written (no decoding): ``a=1&b`` -> (("a","1"), ("b",""))."""
    pairs = []
    for part in query_string.split("&"):
        if part:
            key, _, value = part.partition("=")
            pairs.append((key, value))
    return tuple(pairs)


def _host_path(host: str) -> str:
    """The path a resolved host value carries (``https://x/api/v1`` -> ``/api/v1``; ``/`` -> ``)."""
    rest = _SCHEME.sub("", host, count=1)
    if rest.startswith("/"):
        return rest.rstrip("/")
    _, slash, path = rest.partition("/")
    return ("/" + path).rstrip("/") if slash else ""


def _path_from_raw(raw: str) -> tuple[str, str]:
    """Split a resolved raw URL into (path, query string) as Postman's URL parser would."""
    raw = raw.strip().split("#", 1)[0]
    raw, _, query = raw.partition("?")
    rest = _SCHEME.sub("", raw, count=1)
    if rest.startswith("/"):
        # no host at all ("/users") or an empty one ("//users" from a baseUrl of "/")
        path = "/" + rest.lstrip("/")
    else:
        _, slash, path = rest.partition("/")
        path = "/" + path if slash else "/"
    return path, query


_COLON_MARK = re.compile("\x00([^\x00\x01]*)\x01")
_COLON_NAME = re.compile(r"[^{}/\x00\x01]+")


def _colon_values(segments: list[str], url_variables: Pairs, variables: Mapping[str, str],
                  colon_wildcards: bool = False, empty: list[str] | None = None) -> list[str]:
    """``:name`` segments take their ``url.variable`` value (spec W4).

    * a value that is empty, or resolves to empty (``{{SHOP_ID}}`` with SHOP_ID ""), makes the
      segment a wildcard (spec 9.20, our departure: Postman drops the segment); its name is added
      to ``empty``;
    * a ``:name`` with no ``url.variable`` entry stays literal, or becomes a wildcard with
      ``colon_wildcards`` (our opt-in extension).

    A wildcard is written as a marker that variable resolution cannot touch (a variable of the
    same name must not fill it); ``resolve_url`` turns the markers into ``{{name}}``."""
    values: dict[str, str] = {}
    for k, v in url_variables:
        if v != "" or k not in values:  # a duplicate with a value wins over an empty one
            values[k] = v
    out = []
    for s in segments:
        if s.startswith(":") and len(s) > 1:
            name = s[1:]
            value = values.get(name)
            wild = _COLON_NAME.fullmatch(name) is not None
            if value is not None and resolve_variables(value, variables).strip() == "" and wild:
                s = f"\x00{name}\x01"
                if empty is not None:
                    empty.append(name)
            elif value is not None:
                s = value
            elif colon_wildcards and wild:
                s = f"\x00{name}\x01"
        out.append(s)
    return out


def _decode_segment(segment: str) -> str:
    if "%" not in segment:
        return segment
    return unquote(segment, errors="replace")


def resolve_url(
    url: Url, variables: Mapping[str, str], problems: list[str] | None = None, *, colon_wildcards: bool = False,
    empty_colons: list[str] | None = None, hosts: dict[str, str] | None = None,
) -> tuple[str, Pairs]:
    """The decoded path (wildcards kept as ``{{name}}``) and decoded query of a saved URL.

    ``empty_colons`` (when given) receives the names of ``:name`` segments whose value is empty
    or resolves to empty: they are wildcards (spec 9.20). ``hosts`` (when given, with no
    ``problems``): the path each ``url.host`` carries, kept across the calls of one load with
    the same ``variables`` (a collection's examples share a few hosts)."""
    if url.path is not None:
        segments = _colon_values(list(url.path), url.variables, variables, colon_wildcards, empty_colons)
        joined = resolve_variables("/".join(segments), variables, problems=problems)
        prefix = hosts.get(url.host) if hosts is not None and problems is None else None
        if prefix is None:
            prefix = _host_path(resolve_variables(url.host, variables, problems=problems))
            if hosts is not None and problems is None:
                hosts[url.host] = prefix
        path = prefix + "/" + joined.lstrip("/") if joined else prefix + "/"
        query_string = None
    else:
        path, query_string = _path_from_raw(resolve_variables(url.raw, variables, problems=problems))
        segments = _colon_values(path.split("/"), url.variables, variables, colon_wildcards, empty_colons)
        path = resolve_variables("/".join(segments), variables, problems=problems)
    if "\x00" in path:
        path = _COLON_MARK.sub(lambda m: "{{" + m.group(1) + "}}", path)
    if "?" in path:  # a variable that expanded into a query string
        path, _, extra = path.partition("?")
        query_string = (query_string + "&" if query_string else "") + extra
    if "%" in path:
        path = "/".join(_decode_segment(s) for s in path.split("/"))
    path = path or "/"
    if url.query is not None:
        raw_pairs = url.query
    else:
        raw_pairs = split_query(query_string or "")
    query = tuple(
        (
            unquote_plus(resolve_variables(k, variables, problems=problems), errors="replace"),
            unquote_plus(resolve_variables(v, variables, problems=problems), errors="replace"),
        )
        for k, v in raw_pairs
    )
    return path if path.startswith("/") else "/" + path, query


@quick_init  # issue 17: built once per example at load
@dataclass(frozen=True, slots=True)
class PathForms:
    """The normal forms of one decoded path, one per comparison of steps a–g."""

    exact: str
    strip: str
    lower: str
    lower_strip: str
    ids: str
    ids_strip: str
    segments: tuple[str, ...]  # of ``strip``, case kept (step e, captures)
    id_segments: tuple[str, ...] = ()  # of ``ids_strip``: lower-cased, ids as ID_MARK (step h)

    @classmethod
    def of(cls, path: str) -> "PathForms":
        if "//" in path:  # "{{baseUrl}}/x" with baseUrl "https://h/" gives "//x" (spec G7)
            path = _SLASHES.sub("/", path)
        strip = path.rstrip("/")
        lower = path.lower()
        ids = "/".join([ID_MARK if is_id(s) else s for s in lower.split("/")])
        ids_strip = ids.rstrip("/")
        return cls(
            exact=path,
            strip=strip,
            lower=lower,
            lower_strip=strip.lower(),
            ids=ids,
            ids_strip=ids_strip,
            segments=tuple(strip.split("/")[1:]),
            id_segments=tuple(ids_strip.split("/")[1:]),
        )


_REQUEST_FORMS: dict[str, PathForms] = {}
_REQUEST_FORMS_KEPT = 4096
_REQUEST_FORMS_LONGEST = 1024


def request_forms(path: str) -> PathForms:
    """``PathForms.of(unquote(path, errors="replace"))`` for a request's raw ``path``, memoised
    (issue 17: a mock answers the same paths again and again). At most 4,096 paths of up to
    1,024 characters are kept, then forgotten at once; longer ones are worked out each time.
    ``PathForms`` is immutable, so one value serves every thread."""
    found = _REQUEST_FORMS.get(path)
    if found is None:
        found = PathForms.of(unquote(path, errors="replace"))
        if len(path) <= _REQUEST_FORMS_LONGEST:
            if len(_REQUEST_FORMS) >= _REQUEST_FORMS_KEPT:
                _REQUEST_FORMS.clear()
            _REQUEST_FORMS[path] = found
    return found


_UNKNOWN_FORMS = {r.form for r in PATH_RULES if r.form is not None} - set(PathForms.__dataclass_fields__)
if _UNKNOWN_FORMS:  # the ladder names a form this class does not compute
    raise ImportError(f"ladder.PATH_RULES compares PathForms fields that do not exist: {sorted(_UNKNOWN_FORMS)}")


def has_wildcard(segment: str) -> bool:
    return "{{" in segment and TOKEN.search(segment) is not None


def levenshtein(a: str, b: str, limit: int | None = None) -> int:
    """Edit distance (insertions, deletions, substitutions of one character each) between ``a``
    and ``b``. With ``limit``, a distance above it is reported as ``limit + 1`` (callers that only
    need to know whether it is exceeded stop early). rapidfuzz computes it (bit-parallel, in C++)."""
    return Levenshtein.distance(a, b, score_cutoff=limit)
