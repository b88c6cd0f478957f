"""A loaded collection written as a Postman v3 folder tree (``mockkit convert --to v3``), and an
environment as a ``.environment.yaml`` file.

The tree has the layout and file names Postman's migrator (``postman collection migrate``)
writes, and ``postman collection lint`` accepts it:

* file and folder names are the item names with each run of ``/ \\ : * ? " < > |`` and control
  characters replaced by ``-``, trimmed, and made unique case-insensitively per folder by
  `` 1``, `` 2``... (Postman's rule); ``name:`` is written only when it differs from the file name.
  Two departures, both to keep the tree readable by every tool: a leading ``.`` becomes ``-``
  (Postman's migrator writes ``.hidden.request.yaml``, which its own folder reader then skips,
  and a folder named ``.resources`` lands inside the metadata folder), and names are cut to
  100 characters (Postman fails with ENAMETOOLONG);
* ``headers``, ``queryParams``, ``pathVariables`` and form fields are mappings when their keys are
  unique (what the migrator writes), lists of ``{key, value}`` otherwise;
* ``order`` is 1000, 2000, ... per folder, requests and sub-folders together, so the tree reads
  back in the same order (and ties break the same way).

Lossless for everything mockkit reads (``mockkit.formats.v3read`` gives back the same answers); auth,
scripts and descriptions of requests are not in mockkit's model and are not written. Where v3 has
no spelling for a v2.x value: a raw body without a language is ``type: text`` (compared the same
way); a GraphQL body is ``type: json`` holding the JSON a GraphQL POST sends, with the query and
variables as written under ``x-mockkit-graphql``; a saved response whose ``_postman_previewlanguage`` is none of v3's
response types (empty, ``plain``, ``raw``) is ``type: text``, as Postman's migrator writes it, and,
when it saves no ``Content-Type`` (so that a mock would add ``text/plain``), its language is kept
under ``x-mockkit-preview-language`` (a key Postman's linter accepts and drops).
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

import yaml

from ..errors import MockkitError
from ..model import Body, Collection, Environment, Example, Pairs, SavedRequest, SavedResponse, Url
from .outline import Folder, Request, outline
from .v3fields import GRAPHQL_KEY, LANGUAGE_KEY, RESPONSE_TYPES

__all__ = ["tree_files", "write_tree", "environment_yaml", "file_stem", "dump_yaml", "url_text", "request_fields",
           "response_fields", "example_doc"]

_UNSAFE = re.compile(r'[/\\:*?"<>|\x00-\x1f\x7f]+')
MAX_STEM = 100
_REQUEST_TYPES = ("json", "text", "xml", "html", "javascript")
# YAML 1.2 core scalars that PyYAML (YAML 1.1) would leave unquoted: js-yaml would read them as
# numbers, booleans or null, so they are quoted.
_TYPED = re.compile(
    r"[-+]?(?:[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+|(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
    r"|\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))\Z|(?:true|True|TRUE|false|False|FALSE|null|Null|NULL|~|)\Z"
)


_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


class _Dumper(getattr(yaml, "CSafeDumper", yaml.SafeDumper)):  # type: ignore[misc]
    """Block style, keys in the order given, multi-line text as ``|-`` blocks when YAML allows
    (libyaml's emitter when installed: the same text, six times faster)."""


def _represent_str(dumper: yaml.representer.SafeRepresenter, value: str) -> yaml.ScalarNode:
    value = _LONE_SURROGATE.sub("\ufffd", value)  # not text: no YAML or UTF-8 file can hold one
    style = "|" if "\n" in value else ('"' if _TYPED.match(value) else None)
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _represent_str)


def dump_yaml(data: dict[str, Any]) -> str:
    """One YAML document as Postman writes them (no line folding, UTF-8 text kept as is)."""
    return yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=1_000_000,
                     default_flow_style=False)


# --- names --------------------------------------------------------------------------------------


def file_stem(name: str, default: str) -> str:
    """The file or folder name Postman gives an item called ``name`` (``default`` if empty)."""
    stem = _UNSAFE.sub("-", name).strip()
    if stem.startswith("."):
        stem = "-" + stem[1:]
    if len(stem) > MAX_STEM or len(stem.encode("utf-8")) > 2 * MAX_STEM:
        stem = stem[:MAX_STEM]
        while len(stem.encode("utf-8")) > 2 * MAX_STEM:
            stem = stem[:-1]
        stem = stem.rstrip()
    return stem or default


class UniqueNames:
    """Unique names in one folder, compared case-insensitively: ``x``, ``x 1``, ``x 2``...

    Args:
        taken: names already used in the folder (case-folded, without their suffixes).
    """

    def __init__(self, taken: set[str] | None = None) -> None:
        self.taken: set[str] = set() if taken is None else taken

    def claim(self, name: str, default: str) -> str:
        stem = file_stem(name, default)
        candidate, n = stem, 0
        while candidate.casefold() in self.taken:
            n += 1
            candidate = f"{stem} {n}"
        self.taken.add(candidate.casefold())
        return candidate


# --- values -------------------------------------------------------------------------------------


def _pairs(pairs: Pairs) -> dict[str, str] | list[dict[str, str]]:
    keys = [k for k, _ in pairs]
    if all(keys) and len(set(keys)) == len(keys):
        return dict(pairs)
    return [{"key": k, "value": v} for k, v in pairs]


def url_text(url: Url) -> str:
    """The URL as one string, as a v3 file writes it: ``raw``, or host, path and query joined
    (what mockkit resolves either way: same path, same query)."""
    if url.path is None:
        return url.raw
    path = "/".join(url.path).lstrip("/").replace("#", "%23")
    text = f"{url.host}/{path}"
    if url.query:
        text += "?" + "&".join(f"{k}={v}" for k, v in url.query)
    return text


def _body(body: Body | None) -> dict[str, Any] | None:
    if body is None or not body.mode:
        return None
    if body.mode == "raw":
        return {"type": body.language if body.language in _REQUEST_TYPES else "text", "content": body.raw}
    if body.mode == "urlencoded":
        return {"type": "urlencoded", "content": _pairs(body.fields)}
    if body.mode == "formdata":
        return {"type": "formdata", "content": [{"key": k, "type": "text", "value": v} for k, v in body.fields]}
    if body.mode == "file":
        return {"type": "file", "content": {"src": body.file_src}}
    # GraphQL: v3 HTTP bodies have no such type; Postman sees the JSON a GraphQL POST sends, mockkit
    # reads its own key (which linters accept and drop) to compare it as GraphQL again
    variables: Any = body.graphql_variables
    try:
        variables = json.loads(variables) if variables.strip() else {}
    except ValueError:
        pass
    return {"type": "json", "content": json.dumps({"query": body.raw, "variables": variables}, indent=2),
            GRAPHQL_KEY: {"query": body.raw, "variables": body.graphql_variables}}


def request_fields(request: SavedRequest) -> dict[str, Any]:
    """``url``, ``method`` and whatever else the request carries, in Postman's key order."""
    out: dict[str, Any] = {"url": url_text(request.url), "method": request.method}
    if request.headers:
        out["headers"] = _pairs(request.headers)
    if request.url.query is not None:
        out["queryParams"] = _pairs(request.url.query)
    if request.url.variables:
        out["pathVariables"] = _pairs(request.url.variables)
    body = _body(request.body)
    if body is not None:
        out["body"] = body
    return out


def response_fields(response: SavedResponse) -> dict[str, Any]:
    """A saved response as a v3 example's ``response`` mapping (Postman's Git-native v3 YAML).

    Args:
        response (SavedResponse): the saved response.

    Returns:
        dict[str, Any]: statusCode, statusText, headers and body.

    Examples:
        ```python
        response_fields(example.response)["statusCode"]      # 200
        ```
    """
    return _response(response)


def example_doc(e: Example, stem: str, order: int) -> dict[str, Any]:
    """An example's ``.example.yaml`` document (Postman's Git-native v3 YAML).

    Args:
        e (Example): the example.
        stem (str): its file name without ``.example.yaml`` (the name is written only when it
            differs).
        order (int): its place among its request's examples (the ``order`` key).

    Returns:
        dict[str, Any]: ``$kind: http-example``, name, id, request, response and order.

    Examples:
        ```python
        example_doc(example, "200 OK", 1000)["$kind"]      # 'http-example'
        ```
    """
    ex: dict[str, Any] = {"$kind": "http-example"}
    if e.name != stem:
        ex["name"] = e.name
    if e.id:
        ex["id"] = e.id
    ex["request"] = request_fields(e.request)
    ex["response"] = _response(e.response)
    ex["order"] = order
    return ex


def _response(response: SavedResponse) -> dict[str, Any]:
    out: dict[str, Any] = {"statusCode": response.code, "statusText": response.status}
    if response.headers:
        out["headers"] = _pairs(response.headers)
    language = response.preview_language
    body: dict[str, Any] = {"type": language if language in RESPONSE_TYPES else "text", "content": response.body}
    if language not in RESPONSE_TYPES and not any(k.lower() == "content-type" for k, _ in response.headers):
        body[LANGUAGE_KEY] = language  # mockkit's own key (linters drop it): no Content-Type is added
    out["body"] = body
    return out


# --- the tree -----------------------------------------------------------------------------------


def _request_files(request: Request, stem: str, order: int, base: str, files: dict[str, str]) -> None:
    item = request.item
    doc: dict[str, Any] = {"$kind": "http-request"}
    if item.name != stem:
        doc["name"] = item.name
    if item.id:
        doc["id"] = item.id
    doc.update(request_fields(item.request))
    if request.examples:
        doc["examples"] = f"./.resources/{stem}.resources/examples"
    doc["order"] = order
    files[f"{base}{stem}.request.yaml"] = dump_yaml(doc)
    names = UniqueNames()
    for i, e in enumerate(request.examples, 1):
        ex_stem = names.claim(e.name, "example")
        files[f"{base}.resources/{stem}.resources/examples/{ex_stem}.example.yaml"] = dump_yaml(
            example_doc(e, ex_stem, i * 1000))


def _folder_files(folder: Folder, base: str, files: dict[str, str]) -> None:
    requests, folders = UniqueNames(), UniqueNames()
    for i, child in enumerate(folder.children, 1):
        if isinstance(child, Folder):
            stem = folders.claim(child.name, "collection")
            definition: dict[str, Any] = {"$kind": "collection"}
            if child.name != stem:
                definition["name"] = child.name
            definition["order"] = i * 1000
            files[f"{base}{stem}/.resources/definition.yaml"] = dump_yaml(definition)
            _folder_files(child, f"{base}{stem}/", files)
        else:
            _request_files(child, requests.claim(child.item.name, "http-request"), i * 1000, base, files)


def tree_files(collection: Collection) -> dict[str, str]:
    """Every file of the v3 tree: relative POSIX path -> YAML text (nothing is written)."""
    definition: dict[str, Any] = {"$kind": "collection"}
    if collection.id:
        definition["id"] = collection.id
    definition["name"] = collection.name
    if collection.description:
        definition["description"] = collection.description
    if collection.variables:
        definition["variables"] = _pairs(tuple((v.key, v.value) for v in collection.variables))
    files = {".resources/definition.yaml": dump_yaml(definition)}
    _folder_files(outline(collection), "", files)
    return files


def write_tree(collection: Collection, dest: str | os.PathLike[str]) -> list[Path]:
    """Write ``collection`` as a v3 tree in folder ``dest`` (created; it must be absent or
    empty). Returns the files written. Raises ``MockkitError`` for a non-empty ``dest``."""
    root = Path(dest)
    if root.exists() and (not root.is_dir() or any(root.iterdir())):
        raise MockkitError(f"{root}: already exists and is not an empty folder; choose a new folder")
    written = []
    for rel, text in tree_files(collection).items():
        path = root.joinpath(*rel.split("/"))
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8", newline="\n")
        written.append(path)
    return written


def environment_yaml(environment: Environment) -> str:
    """An environment as a ``.environment.yaml`` file (``name``, ``values: [{key, value,
    enabled, type}]``, Postman's layout)."""
    doc: dict[str, Any] = {"name": environment.name}
    if environment.id:
        doc["id"] = environment.id
    doc["values"] = [{"key": v.key, "value": v.value, "enabled": True, "type": "default"}
                     for v in environment.variables]
    return dump_yaml(doc)
