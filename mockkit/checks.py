"""``mockkit check``: the problems users hit with a collection, found before a mock serves it.

Each ``Finding`` has a severity (``error`` and ``warning`` make ``mockkit check`` exit 1; ``info``
does not), the example's place in the file, and a sentence that says what to do.

* shadowed examples: the example's own request picks another example; reachable with
  ``x-mock-response-code`` (info) or only by id/name (warning);
* duplicate example names: ``x-mock-response-name`` is collection-wide (warning);
* path variables that nothing defines: they act as wildcards (info);
* template problems: unknown ``{{$dynamic}}`` names, unresolved variables, cycles (warning);
* JSON-labelled bodies that do not parse after rendering (warning).
"""

from __future__ import annotations

from dataclasses import dataclass

from . import safejson
from .engine import MockEngine
from .matching import choose
from .model import MockRequest
from .templating import TOKEN

__all__ = ["Finding", "check"]


@dataclass(frozen=True, slots=True)
class Finding:
    severity: str  # "error", "warning" or "info"
    kind: str
    where: str  # JSON path of the example
    example: str
    message: str


def check(engine: MockEngine) -> list[Finding]:
    """Every finding for the engine's collection, in collection order within each kind."""
    findings: list[Finding] = []
    targets = engine.index.targets
    for t in targets:
        e = t.example
        own = t.as_request()
        winner = choose(engine.rank(own))
        if winner is not None and winner.example is not e:
            by_code = MockRequest(own.method, own.path, own.query, own.headers + (("x-mock-response-code", str(e.response.code)),), own.body)
            coded = choose(engine.rank(by_code))
            if coded is not None and coded.example is e:
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
    seen: set[str] = set()
    for t in targets:
        for m in TOKEN.finditer(t.path):
            name = m.group(1).strip()
            if name not in seen:
                seen.add(name)
                findings.append(Finding("info", "wildcard", t.example.json_path, t.example.name,
                    f"`{{{{{name}}}}}` in {t.path} is not defined by the collection or environment, "
                    "so it matches any one path segment (a wildcard)"))
    colon_seen: set[str] = set()
    for t in targets:
        for segment in t.forms.segments:
            if segment.startswith(":") and len(segment) > 1 and t.path not in colon_seen:
                colon_seen.add(t.path)
                findings.append(Finding("warning", "path-variable", t.example.json_path, t.example.name,
                    f"`{segment}` in {t.path} has no value in the example, so only a request for the literal "
                    f"path matches it (Postman's rule). Give the path variable a value, write "
                    f"{{{{{segment[1:]}}}}} instead, or serve with colon_wildcards=True / --colon-wildcards"))
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
                except ValueError as exc:
                    findings.append(Finding("warning", "invalid-json", e.json_path, e.name,
                        f"the body is labelled JSON but does not parse after rendering ({exc.msg} at "
                        f"line {exc.lineno} column {exc.colno}); it is served verbatim"))
    order = {"error": 0, "warning": 1, "info": 2}
    return sorted(findings, key=lambda f: order[f.severity])
