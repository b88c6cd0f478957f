"""``mockkit check``: the problems users hit with a collection, found before a mock serves it.

Each ``Finding`` has a severity (``error`` and ``warning`` make ``mockkit check`` exit 1; ``info``
does not), the example's place in the file, and a sentence that says what to do.

* shadowed examples: the example's own request picks another example; reachable with
  ``x-mock-response-code`` (info) or only by id/name (warning);
* duplicate example names: ``x-mock-response-name`` is collection-wide (warning);
* path variables that nothing defines: they act as wildcards (info, one per name);
* ``:name`` path variables with an empty value: wildcards, unlike Postman (info, spec 9.20), and
  ``:name`` segments with no ``url.variable`` entry: compared literally (warning, one per name);
* template problems: unknown ``{{$dynamic}}`` names, unresolved variables, cycles (warning);
* JSON-labelled bodies that do not parse after rendering (warning).
"""

from __future__ import annotations

import json

from . import safejson
from .engine import MockEngine
from .findings import Finding
from .gaps import file_findings
from .index import Index, Target
from .matching import rank
from .model import MockRequest
from .options import MockOptions
from .templating import TOKEN

__all__ = ["Finding", "check", "reaching_header", "PICK_HEADERS"]

PICK_HEADERS = ("x-mock-response-code", "x-mock-response-name", "x-mock-response-id")
"""The control headers that choose an example (spec §1.2 step 3), in the order tried."""


def _examples_phrase(targets: list[Target]) -> str:
    paths = list(dict.fromkeys(f"{t.method} {t.path}" for t in targets))
    shown = ", ".join(paths[:3]) + (f" and {len(paths) - 3} more" if len(paths) > 3 else "")
    count = len(targets)
    return f"{count} example{'s' if count != 1 else ''} ({shown})"


def _wildcards(targets: tuple[Target, ...]) -> list[Finding]:
    """``{{name}}`` path segments that nothing defines: wildcards (spec W1), one finding per name."""
    by_name: dict[str, list[Target]] = {}
    for t in targets:
        for m in TOKEN.finditer(t.path):
            name = m.group(1).strip()
            if name not in t.empty_colons:
                by_name.setdefault(name, []).append(t)
    return [Finding("info", "wildcard", ts[0].example.json_path, ts[0].example.name,
                    f"`{{{{{name}}}}}` is not defined by the collection or environment, so in "
                    f"{_examples_phrase(ts)} it matches any one path segment (a wildcard)")
            for name, ts in by_name.items()]


def _path_variables(targets: tuple[Target, ...]) -> list[Finding]:
    """``:name`` segments, one finding per variable name: those with an empty value (wildcards,
    spec 9.20) and those with no ``url.variable`` entry (compared literally, spec W4)."""
    empty: dict[str, list[Target]] = {}
    literal: dict[str, list[Target]] = {}
    for t in targets:
        for name in dict.fromkeys(t.empty_colons):
            empty.setdefault(name, []).append(t)
        for segment in dict.fromkeys(t.forms.segments):
            if segment.startswith(":") and len(segment) > 1:
                literal.setdefault(segment[1:], []).append(t)
    out = [Finding("info", "empty-path-variable", ts[0].example.json_path, ts[0].example.name,
                   f"`:{name}` has an empty value (its url.variable value is empty or resolves to empty) in "
                   f"{_examples_phrase(ts)}: mockkit lets it stand for any one segment (spec 9.20), while "
                   f"Postman's mock drops the segment, so there a request with a real {name} does not reach "
                   f"these examples. Give it a value if only that value should match")
           for name, ts in empty.items()]
    out += [Finding("warning", "path-variable", ts[0].example.json_path, ts[0].example.name,
                    f"`:{name}` has no url.variable entry in {_examples_phrase(ts)}, so the segment is compared as "
                    f"the literal text `:{name}` (Postman's rule, spec W4): a request with a real value there, "
                    f"such as 42, does not reach them. Add the path variable with a value, write {{{{{name}}}}} "
                    f"instead, or serve with colon_wildcards=True / --colon-wildcards")
            for name, ts in literal.items()]
    return out
def reaching_header(request: MockRequest, target: Target, index: Index, options: MockOptions | None = None,
                    cache: dict[tuple[str, str], object] | None = None) -> tuple[str, str] | None:
    """The one control header that makes ``request`` get ``target``'s example, or ``None``.

    Tried in this order (spec §1.2 step 3): ``x-mock-response-code: <its status>`` when the
    status filter alone lets it win; else ``x-mock-response-name: <its name>`` when the name
    lookup picks it (names are collection-wide; duplicates go by the tie rule, spec 9.3); else
    ``x-mock-response-id: <its id>`` when it has one. Pick headers the request already carries
    are replaced, not added to. Costs at most one ranking plus two lookups by name/id; pass the
    same ``cache`` dict for several examples of one request and each status is ranked once.
    """
    e = target.example
    base = tuple((k, v) for k, v in request.headers if k.lower() not in PICK_HEADERS)
    for name, value in zip(PICK_HEADERS, (str(e.response.code), e.name, e.id)):
        if not value.strip():
            continue
        key = (name, value)
        if cache is not None and key in cache:
            winner = cache[key]
        else:
            tried = MockRequest(request.method, request.path, request.query, base + (key,), request.body)
            chosen = rank(tried, index, options).winner
            winner = chosen.example if chosen is not None else None
            if cache is not None:
                cache[key] = winner
        if winner is e:
            return key
    return None


def check(engine: MockEngine) -> list[Finding]:
    """Every finding for the engine's collection, in collection order within each kind."""
    findings: list[Finding] = []
    targets = engine.index.targets
    for t in targets:
        e = t.example
        own = t.as_request()
        winner = engine.rank(own).winner
        if winner is not None and winner.example is not e:
            header = reaching_header(own, t, engine.index, engine.options)
            if header is not None and header[0] == "x-mock-response-code":
                findings.append(Finding("info", "shadowed", e.json_path, e.name,
                    f"its own request is answered by '{winner.example.name}'; send "
                    f"x-mock-response-code: {e.response.code} to get it"))
            else:
                findings.append(Finding("warning", "shadowed", e.json_path, e.name,
                    f"its own request is answered by '{winner.example.name}', even with "
                    f"x-mock-response-code; only x-mock-response-id: {e.id or '(it has no id)'} or "
                    "x-mock-response-name reach it. Give it a distinct request (query, header or body)"))
    names: dict[str, list[str]] = {}
    for t in targets:
        names.setdefault(t.example.name, []).append(t.example.json_path)
    for name, places in names.items():
        if len(places) > 1:
            findings.append(Finding("warning", "duplicate-name", places[0], name,
                f"{len(places)} examples are named '{name}' ({', '.join(places[:4])}); "
                "x-mock-response-name picks one of them by id: give each a unique name"))
    findings.extend(_wildcards(targets))
    findings.extend(_path_variables(targets))
    problems = engine.problems()
    for t in targets:
        e = t.example
        for problem in problems.get(e.json_path, ()):
            findings.append(Finding("warning", "template", e.json_path, e.name, problem))
        ctype = next((v for k, v in e.response.headers if k.lower() == "content-type"), "")
        if "json" in ctype.lower() or e.response.preview_language == "json":
            sample = t.as_request({"x-mock-response-id": e.id} if e.id else None, sample_wildcards=True)
            rendered = engine.handle(sample, record=False)
            body = rendered.response.body if rendered.winner is not None and rendered.winner.example is e else None
            if body is not None and body.strip():
                try:
                    safejson.loads(body)
                except ValueError as exc:  # JSONDecodeError, or e.g. an integer past Python's digit limit
                    why = (f"{exc.msg} at line {exc.lineno} column {exc.colno}"
                           if isinstance(exc, json.JSONDecodeError) else str(exc))
                    findings.append(Finding("warning", "invalid-json", e.json_path, e.name,
                        f"the body is labelled JSON but does not parse after rendering ({why}); it is served verbatim"))
    findings.extend(file_findings(engine))  # issue 14: skipped v3 kinds, request fields examples lack
    order = {"error": 0, "warning": 1, "info": 2}
    return sorted(findings, key=lambda f: order[f.severity])
