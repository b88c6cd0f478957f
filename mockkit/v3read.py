"""Postman's Git-native v3 collections (a folder tree of YAML files) and ``*.environment.yaml``
files, read into the same ``Collection`` and ``Environment`` as the v2.x JSON reader.

A v3 collection is a folder (Postman's ``collection-schema-v3`` reference, postmanlabs/postman-plugin,
and the trees ``postman collection migrate`` writes)::

    Bookstore API/
      .resources/definition.yaml                        $kind: collection (name, variables, ...)
      List books.request.yaml                           $kind: http-request
      .resources/List books.resources/examples/200 OK.example.yaml     $kind: http-example
      admin/.resources/definition.yaml                  a folder (name, order)
      admin/Ban user.request.yaml

Rules (each one what Postman's own tools do, or mockkit's decision where they are silent):

* children of a folder, requests and sub-folders together, sort by ``order`` (a bare number;
  missing -> last) then by file or folder name, case-insensitively; examples likewise;
* a request's name is its ``name``, else its file stem; an example's ``name``, else its file stem
  (an empty ``name`` -> the request's name, as in v2.x); a folder's name is its definition's
  ``name``, else the folder name; folders nest to any depth (up to ``MAX_DEPTH``);
* ``headers``, ``queryParams``, ``pathVariables``, ``variables`` and form bodies are read in both
  forms: the list ``[{key, value, disabled?}]`` of the reference and the mapping
  ``{Name: value}`` Postman's migrator writes; disabled entries are skipped;
* an example's request holds only what its file carries: a header, query or body it does not
  save is absent, never borrowed from the request (``check`` says when matching needs them);
* request kinds other than ``http-request`` (GraphQL, gRPC, WebSocket, ...), and example folders
  whose request file is gone, are skipped and listed in ``Collection.skipped``;
* text is kept as written (``007`` stays ``007``; see ``mockkit.yamlnodes``); every error is a
  ``CollectionError`` naming the file, the key path and the line and column.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from http import HTTPStatus
from pathlib import Path
from typing import TypeVar

from .collection import MAX_DEPTH, _decode, _read_bytes
from .errors import CollectionError
from .model import (
    Body,
    Collection,
    Environment,
    Example,
    Pairs,
    RequestItem,
    SavedRequest,
    SavedResponse,
    SkippedItem,
    Url,
    Variable,
)
from .yamlnodes import Value, YamlInvalid, parse_yaml

__all__ = ["load_tree", "load_yaml_environment", "tree_stamp", "is_collection_folder", "pairs",
           "REQUEST_SUFFIXES", "EXAMPLE_SUFFIXES", "ENVIRONMENT_SUFFIXES", "RAW_TYPES", "RESPONSE_TYPES",
           "LANGUAGE_KEY"]

REQUEST_SUFFIXES = (".request.yaml", ".request.yml")
EXAMPLE_SUFFIXES = (".example.yaml", ".example.yml")
ENVIRONMENT_SUFFIXES = (".environment.yaml", ".environment.yml")
DEFINITIONS = ("definition.yaml", "definition.yml")
RESOURCES = ".resources"
RAW_TYPES = ("json", "text", "xml", "html", "javascript", "yaml")
"""Body types whose ``content`` is text (``yaml`` only on responses, in Postman's reference)."""
RESPONSE_TYPES = RAW_TYPES
"""The response ``body.type`` values ``postman collection lint`` accepts."""
LANGUAGE_KEY = "x-mockkit-preview-language"
"""mockkit's own key in a response ``body``: the v2.x preview language when v3 has no spelling for it
(written by ``mockkit convert`` only for responses without a Content-Type; Postman drops it)."""
BODY_TYPES = (*RAW_TYPES, "urlencoded", "formdata", "file", "graphql", "none")
MAX_STAMP_ENTRIES = 200_000
T = TypeVar("T")


# --- files ------------------------------------------------------------------------------------


def _doc(path: str) -> Value:
    """One YAML file as a ``Value`` (a ``CollectionError`` names the file if it cannot be read)."""
    return Value(parse_yaml(_decode(_read_bytes(path), path), path))


def _in_file(path: str, read: Callable[[Value], T]) -> T:
    """Read one file with ``read``; every failure becomes a ``CollectionError`` naming the file."""
    doc = _doc(path)
    try:
        if not doc.is_mapping:
            doc.fail("expected a YAML mapping of Postman fields ($kind, name, ...)")
        return read(doc)
    except YamlInvalid as exc:
        raise exc.error(path) from None
    except CollectionError:
        raise
    except Exception as exc:  # noqa: BLE001 - the loader's promise: only CollectionError escapes
        raise CollectionError(path, "", f"could not read this file ({type(exc).__name__}: {exc})") from exc


def _stem(filename: str, suffixes: tuple[str, ...]) -> str:
    lower = filename.lower()
    for suffix in suffixes:
        if lower.endswith(suffix):
            return filename[: -len(suffix)]
    return filename


def _kind(doc: dict[str, Value], doc_value: Value) -> str:
    kind = doc.get("$kind")
    if kind is None or kind.is_null:
        doc_value.fail("expected a `$kind` field (http-request, http-example, collection)", got=False)
    return kind.text("the kind as text")


# --- values -----------------------------------------------------------------------------------


def _off(entry: dict[str, Value]) -> bool:
    disabled, enabled = entry.get("disabled"), entry.get("enabled")
    return (disabled is not None and disabled.flag()) or (enabled is not None and not enabled.is_null
                                                          and not enabled.flag())


def pairs(value: Value | None, what: str, *, skip_empty: bool = False, skip_files: bool = False) -> Pairs:
    """Enabled (key, value) pairs from either form: ``{Name: value}`` or ``[{key, value, disabled?}]``."""
    if value is None or value.is_null:
        return ()
    if value.is_mapping:
        out = [(k, v.text("a value (text)")) for k, v in value.mapping().items()]
    elif value.is_sequence:
        out = []
        for entry in value.items():
            if entry.is_null:
                continue
            fields = entry.mapping("an entry {key, value, disabled?}")
            if _off(fields) or (skip_files and fields.get("type") is not None
                                and fields["type"].text() == "file"):
                continue
            key = fields["key"].text("the key as text") if "key" in fields else ""
            out.append((key, fields["value"].text("the value as text") if "value" in fields else ""))
    else:
        value.fail(f"expected {what}: a mapping (Name: value) or a list of {{key, value}} entries")
    return tuple((k, v) for k, v in out if k or not skip_empty)


def _method(value: Value | None) -> str:
    if value is None or value.is_null:
        return "GET"
    return value.text("an HTTP method such as GET").strip().upper() or "GET"


def _body(value: Value | None) -> Body | None:
    """``{type, content}``; ``graphql`` (``content: {query, variables}``) is mockkit's extension
    for v2.x GraphQL bodies saved in HTTP examples."""
    if value is None or value.is_null:
        return None
    body = value.mapping("a body {type, content}")
    kind = body["type"].text("the body type") if "type" in body else ""
    content = body.get("content") or Value(None, value.path + ".content")
    if kind in RAW_TYPES or (not kind and content.is_scalar):
        return Body("raw", raw=content.text("the body as text (a `|-` block keeps it as written)"),
                    language=kind)
    if kind in ("urlencoded", "formdata"):
        return Body(kind, fields=pairs(content, "the form fields", skip_files=kind == "formdata"))
    if kind == "file":
        src = content.mapping("the file as {src: path}").get("src") if not content.is_scalar else content
        return Body("file", file_src=src.text("the file path") if src is not None else "")
    if kind == "graphql":
        gql = content.mapping("a GraphQL body {query, variables}")
        text = {k: gql[k].text() if k in gql else "" for k in ("query", "variables")}
        return Body("graphql", raw=text["query"], graphql_variables=text["variables"])
    if kind in ("none", ""):
        return None
    body["type"].fail(f"expected a body type: one of {', '.join(BODY_TYPES)}")


def _request(value: Value | None) -> SavedRequest:
    """An example's ``request`` (none -> no URL, GET: nothing is borrowed from the request file)."""
    if value is None or value.is_null:
        return SavedRequest()
    return _request_fields(value.mapping("a request {url, method, headers, queryParams, pathVariables, body}"))


def _request_fields(fields: dict[str, Value]) -> SavedRequest:
    """A request as its file writes it (an http-request file, or an example's ``request``)."""
    url = fields.get("url")
    query = fields.get("queryParams")
    return SavedRequest(
        method=_method(fields.get("method")),
        url=Url(
            raw=url.text("the URL as text") if url is not None else "",
            query=None if query is None else pairs(query, "query parameters"),
            variables=pairs(fields.get("pathVariables"), "path variables", skip_empty=True),
        ),
        headers=pairs(fields.get("headers"), "headers", skip_empty=True),
        body=_body(fields.get("body")),
    )


def _status(fields: dict[str, Value], path: str) -> tuple[int, str]:
    """``statusCode`` (none -> 200 OK, spec 9.11) and ``statusText`` (none -> the HTTP phrase)."""
    code_value = fields.get("statusCode") or Value(None, path + ".statusCode")
    digits = code_value.integer_text()
    if code_value.is_null:
        code = 200
    elif digits is None or not 100 <= int(digits) <= 599:
        code_value.fail("expected an HTTP status code (a number 100–599)")
    else:
        code = int(digits)
    text = fields["statusText"].text() if "statusText" in fields else ""
    if not text:
        try:
            text = HTTPStatus(code).phrase
        except ValueError:
            text = ""
    return code, text


def _response(value: Value | None, doc: Value) -> SavedResponse:
    if value is None or value.is_null:
        doc.fail("expected a `response` {statusCode, statusText, headers, body}", got=False)
    fields = value.mapping("a response {statusCode, statusText, headers, body}")
    code, status = _status(fields, value.path)
    body = fields.get("body")
    parts = body.mapping("a body {type, content}") if body is not None else {}
    content = parts.get("content")
    return SavedResponse(
        code=code,
        status=status,
        headers=pairs(fields.get("headers"), "headers", skip_empty=True),
        body=content.text("the body as text (a `|-` block keeps it as written)") if content else "",
        preview_language=parts[key].text("the body type") if (key := _language_key(parts)) else "",
    )


def _language_key(parts: dict[str, Value]) -> str:
    return LANGUAGE_KEY if LANGUAGE_KEY in parts else "type" if "type" in parts else ""


def _order(doc: dict[str, Value]) -> float | None:
    value = doc.get("order")
    return None if value is None else value.number("a bare number (order: 1000)")


# --- the tree ---------------------------------------------------------------------------------


@dataclass
class _Child:
    order: float | None
    stem: str
    path: str
    doc: dict[str, Value] | None = None  # a request file's fields; None for a folder
    name: str = ""

    def key(self) -> tuple[bool, float, str, str]:
        return (self.order is None, self.order or 0, self.stem.casefold(), self.stem)


@dataclass
class _Reader:
    root: str
    examples: list[Example] = field(default_factory=list)
    requests: list[RequestItem] = field(default_factory=list)
    skipped: list[SkippedItem] = field(default_factory=list)
    claimed: set[str] = field(default_factory=set)
    seen: set[str] = field(default_factory=set)

    def rel(self, path: str) -> str:
        return Path(os.path.relpath(path, self.root)).as_posix()

    def folder(self, directory: str, folder: tuple[str, ...], depth: int) -> None:
        if depth > MAX_DEPTH:
            raise CollectionError(directory, "", f"folders nested deeper than {MAX_DEPTH} levels")
        children: list[_Child] = []
        for entry in sorted(os.scandir(directory), key=lambda e: e.name):
            if entry.is_dir() and not entry.name.startswith("."):
                real = os.path.realpath(entry.path)
                if real in self.seen:
                    continue  # a symbolic link back into the tree
                self.seen.add(real)
                definition = _definition(entry.path)
                name = definition["name"].text() if definition and "name" in definition else ""
                children.append(_Child(_in_definition(entry.path, _order, definition), entry.name,
                                       entry.path, None, name or entry.name))
            elif entry.is_file() and entry.name.lower().endswith(REQUEST_SUFFIXES):
                doc = _in_file(entry.path, lambda d: d.mapping())
                order = _in_file_value(entry.path, lambda: _order(doc))
                children.append(_Child(order, _stem(entry.name, REQUEST_SUFFIXES), entry.path, doc))
        for child in sorted(children, key=_Child.key):
            if child.doc is None:
                self.folder(child.path, folder + (child.name,), depth + 1)
            else:
                _in_file_value(child.path, lambda: self.request(child, folder))
        self.orphans(directory)

    def request(self, child: _Child, folder: tuple[str, ...]) -> None:
        doc, rel = child.doc or {}, self.rel(child.path)
        whole = Value(None, "")
        kind = _kind(doc, whole)
        name = doc["name"].text() if "name" in doc else ""
        name = name or child.stem
        if kind != "http-request":
            if kind.endswith("-example") or kind == "collection":
                doc["$kind"].fail("expected a request kind (http-request) in a .request.yaml file")
            self.skipped.append(SkippedItem(rel, kind, name, f"a {kind} is not an HTTP request; "
                                            "mockkit serves HTTP examples only"))
            return
        request = _request_fields(doc)
        item_id = doc["id"].text() if "id" in doc else ""
        examples = self.example_files(child, doc)
        first = len(self.examples)
        for path, stem in examples:
            found = _in_file(path, lambda d: self.example(d, stem, path, name, folder, first, item_id))
            if found is not None:
                self.examples.append(found)
        self.requests.append(RequestItem(name, folder, request, rel, len(self.examples) - first, item_id))

    def example_files(self, child: _Child, doc: dict[str, Value]) -> list[tuple[str, str]]:
        """The request's example files, sorted by ``order`` then name."""
        base = os.path.dirname(child.path)
        places = [os.path.join(base, RESOURCES, child.stem + ".resources", "examples")]
        if "examples" in doc and not doc["examples"].is_null:
            given = os.path.normpath(os.path.join(base, doc["examples"].text("a relative path")))
            if os.path.relpath(given, self.root).startswith(".."):
                doc["examples"].fail("expected a path inside the collection folder")
            places.insert(0, given)
        directory = next((p for p in places if os.path.isdir(p)), None)
        if directory is None:
            return []
        self.claimed.add(os.path.realpath(directory))
        found = []
        for entry in os.scandir(directory):
            if entry.is_file() and entry.name.lower().endswith(EXAMPLE_SUFFIXES):
                stem = _stem(entry.name, EXAMPLE_SUFFIXES)
                order = _in_file(entry.path, lambda d: _order(d.mapping()))
                found.append(_Child(order, stem, entry.path))
        return [(c.path, c.stem) for c in sorted(found, key=_Child.key)]

    def example(self, value: Value, stem: str, path: str, request_name: str, folder: tuple[str, ...],
                first: int, item_id: str) -> Example | None:
        doc = value.mapping()
        kind = _kind(doc, value)
        rel = self.rel(path)
        name = doc["name"].text() if "name" in doc else stem
        if kind != "http-example":
            if not kind.endswith("-example"):
                doc["$kind"].fail("expected an example kind (http-example) in a .example.yaml file")
            self.skipped.append(SkippedItem(rel, kind, name or stem, f"a {kind} is not an HTTP example; "
                                            "mockkit serves HTTP examples only"))
            return None
        return Example(
            id=doc["id"].text() if "id" in doc else "",
            name=name or request_name,
            request_name=request_name,
            folder=folder,
            request=_request(doc.get("request")),
            response=_response(doc.get("response"), value),
            position=len(self.examples),
            json_path=rel,
            item_id=item_id,
            location=rel,
        )

    def orphans(self, directory: str) -> None:
        """Example folders under ``.resources`` that no request file claims (a renamed request)."""
        resources = os.path.join(directory, RESOURCES)
        if not os.path.isdir(resources):
            return
        for entry in sorted(os.scandir(resources), key=lambda e: e.name):
            examples = os.path.join(entry.path, "examples")
            if (entry.name.endswith(".resources") and os.path.isdir(examples)
                    and os.path.realpath(examples) not in self.claimed):
                stem = entry.name[: -len(".resources")]
                files = [f for f in os.listdir(examples) if f.lower().endswith(EXAMPLE_SUFFIXES)]
                if files:
                    self.skipped.append(SkippedItem(
                        self.rel(examples), "http-example", stem,
                        f"{len(files)} example file(s) whose request file '{stem}.request.yaml' is missing "
                        "(renamed or deleted?): they are not served"))


def _in_file_value(path: str, read: Callable[[], T]) -> T:
    try:
        return read()
    except YamlInvalid as exc:
        raise exc.error(path) from None


def _definition_path(directory: str) -> str | None:
    found = [os.path.join(directory, RESOURCES, n) for n in DEFINITIONS
             if os.path.isfile(os.path.join(directory, RESOURCES, n))]
    if len(found) > 1:
        raise CollectionError(found[0], "", f"both {DEFINITIONS[0]} and {DEFINITIONS[1]} exist; keep one")
    return found[0] if found else None


def _definition(directory: str) -> dict[str, Value] | None:
    path = _definition_path(directory)
    if path is None:
        return None

    def read(doc: Value) -> dict[str, Value]:
        fields = doc.mapping()
        kind = fields.get("$kind")
        if kind is not None and kind.text() != "collection":
            kind.fail("expected `$kind: collection` in a folder's definition.yaml")
        return fields

    return _in_file(path, read)


def _in_definition(directory: str, read: Callable[[dict[str, Value]], T], definition: dict[str, Value] | None
                   ) -> T | None:
    if definition is None:
        return None
    return _in_file_value(_definition_path(directory) or directory, lambda: read(definition))


# --- public -----------------------------------------------------------------------------------


def is_collection_folder(path: str | os.PathLike[str]) -> bool:
    """A folder that holds a v3 collection: a ``.resources`` folder at its top, or request files
    in it or below (Postman's own test)."""
    if os.path.isdir(os.path.join(path, RESOURCES)):
        return True
    for depth, (directory, dirs, files) in enumerate(os.walk(path)):
        if any(f.lower().endswith(REQUEST_SUFFIXES) for f in files):
            return True
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        if depth > 10_000:
            break
    return False


def collections_in(folder: str | os.PathLike[str]) -> list[Path]:
    """The v3 collections in a ``postman/collections`` folder, by name."""
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name.casefold())
    except OSError:
        return []
    return [Path(e.path) for e in entries if e.is_dir() and not e.name.startswith(".")
            and is_collection_folder(e.path)]


def _not_a_folder(label: str) -> CollectionError:
    lower = label.lower()
    if lower.endswith(ENVIRONMENT_SUFFIXES):
        return CollectionError(label, "", "expected a Postman collection, got a Postman environment "
                               "(.environment.yaml): pass it as environment=, not as the collection")
    if os.path.isfile(label):
        root = Path(label).resolve().parent
        while root != root.parent and not (root / RESOURCES / DEFINITIONS[0]).is_file():
            root = root.parent
        hint = f" ('{root}'?)" if (root / RESOURCES).is_dir() and root.name != RESOURCES else ""
        return CollectionError(label, "", "a v3 collection is a folder, not one of its files: pass the "
                               f"collection's folder{hint}")
    return CollectionError(label, "", "no such folder (a v3 collection is a folder of .yaml files)")


def load_tree(source: str | os.PathLike[str]) -> Collection:
    """Read a v3 collection folder into a ``Collection`` (``schema`` ``"v3"``).

    Raises ``CollectionError`` (file, key path, line and column) for anything unreadable; a path
    to one of the tree's files, or to an environment, gets an error that says what to pass instead.
    """
    label = os.fspath(source)
    if not os.path.isdir(label):
        raise _not_a_folder(label)
    here = Path(label).resolve()
    if here.name == "collections" and here.parent.name == "postman" and not (here / RESOURCES).is_dir():
        found = collections_in(label)
        if len(found) != 1:
            names = ", ".join(f"'{p.name}'" for p in found) or "none"
            raise CollectionError(label, "", f"this folder holds {len(found)} v3 collections ({names}): "
                                  "pass the folder of the one to load")
        label = os.fspath(found[0])
    elif not is_collection_folder(label):
        raise CollectionError(label, "", "is a directory without a Postman v3 collection in it (no "
                              ".resources/ folder, no *.request.yaml files): pass a collection file "
                              "(v2.x JSON) or a v3 collection folder")
    definition = _definition(label) or {}
    reader = _Reader(label)
    reader.seen.add(os.path.realpath(label))
    try:
        reader.folder(label, (), 0)
    except OSError as exc:
        raise CollectionError(getattr(exc, "filename", None) or label, "",
                              f"cannot read the folder ({exc.strerror or exc})") from None
    def_path = _definition_path(label) or label

    def meta() -> tuple[str, str, str, Pairs]:
        text = {k: definition[k].text() if k in definition else "" for k in ("name", "id", "description")}
        variables = pairs(definition.get("variables"), "variables", skip_empty=True)
        return text["name"], text["id"], text["description"], variables

    name, cid, description, variables = _in_file_value(def_path, meta)
    return Collection(
        name=name or Path(label).resolve().name,
        examples=tuple(reader.examples),
        requests=tuple(reader.requests),
        variables=tuple(Variable(k, v) for k, v in variables),
        id=cid,
        schema="v3",
        description=description,
        source=label,
        skipped=tuple(reader.skipped),
    )


def load_yaml_environment(source: str | os.PathLike[str]) -> Environment:
    """Read a ``*.environment.yaml`` file: ``name``, ``values`` as ``[{key, value, enabled,
    type}]`` (or a ``{key: value}`` mapping); disabled values are left out, the last of repeated
    keys wins. Raises ``CollectionError`` with the file, key path, line and column."""
    label = os.fspath(source)
    if os.path.isdir(label):
        raise CollectionError(label, "", "expected a Postman environment file (*.environment.yaml), "
                              "got a folder (a v3 collection?): pass it as the collection")

    def read(doc: Value) -> Environment:
        fields = doc.mapping()
        if "$kind" in fields:
            fields["$kind"].fail("expected a Postman environment (name, values), got a collection file",
                                 got=False)
        if "values" not in fields:
            doc.fail("expected a Postman environment: a mapping with `name` and a `values` list", got=False)
        values: dict[str, str] = {}
        for key, value in pairs(fields["values"], "the environment's values", skip_empty=True):
            values[key] = value
        return Environment(
            name=fields["name"].text() if "name" in fields else "",
            variables=tuple(Variable(k, v) for k, v in values.items()),
            id=fields["id"].text() if "id" in fields else "",
            source=label,
        )

    return _in_file(label, read)


def tree_stamp(root: str | os.PathLike[str]) -> tuple[tuple[str, int, int], ...]:
    """(relative path, mtime in ns, size) of every file and folder under ``root``, sorted: equal
    stamps mean nothing was added, removed, renamed or edited. Stops at ``MAX_STAMP_ENTRIES``."""
    out: list[tuple[str, int, int]] = []
    for directory, dirs, files in os.walk(root):
        for name in dirs + files:
            path = os.path.join(directory, name)
            try:
                st = os.stat(path)
            except OSError:
                continue
            out.append((os.path.relpath(path, root), st.st_mtime_ns, st.st_size))
            if len(out) >= MAX_STAMP_ENTRIES:
                return tuple(sorted(out))
    return tuple(sorted(out))
