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
  ``name``, else the folder name; folders nest to any depth (up to ``MAX_DEPTH``); folders whose
  name starts with ``.`` are not read (``.resources`` holds metadata);
* a request's examples are in the folder its ``examples`` field names, else in
  ``.resources/<file stem>.resources/examples/``;
* an example's request holds only what its file carries: a header, query or body it does not
  save is absent, never borrowed from the request (``check`` says when matching needs them);
* request kinds other than ``http-request`` (GraphQL, gRPC, WebSocket, ...), example kinds other
  than ``http-example``, and example folders whose request file is gone are listed in
  ``Collection.skipped`` and not served;
* values: see ``mockkit.formats.v3fields`` (both list and mapping forms; text kept as written). Every
  error is a ``CollectionError`` naming the file, the key path and the line and column.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import CollectionError
from ..model import Collection, Environment, Example, RequestItem, SkippedItem, Variable
from .repo import RESOURCES, collections_in, is_collection_folder
from .sources import MAX_DEPTH
from .v3fields import (
    ENVIRONMENT_SUFFIXES,
    EXAMPLE_SUFFIXES,
    REQUEST_SUFFIXES,
    kind_of,
    name_of,
    pairs,
    read_file,
    read_order,
    read_request,
    read_response,
    request_fields,
    stem_of,
    text_of,
    within,
)
from .yamlnodes import Value

__all__ = ["load_tree", "load_yaml_environment"]

DEFINITIONS = ("definition.yaml", "definition.yml")


@dataclass
class _Child:
    """A request file or a sub-folder (``doc`` None), or an example file, while sorting."""

    order: float | None
    stem: str
    path: str
    doc: dict[str, Value] | None = None
    name: str = ""

    def key(self) -> tuple[bool, float, str, str]:
        return (self.order is None, self.order or 0, self.stem.casefold(), self.stem)


def _definition(directory: str) -> tuple[str, dict[str, Value]] | None:
    """A folder's ``.resources/definition.yaml`` (path and fields), if it has one."""
    found = [os.path.join(directory, RESOURCES, n) for n in DEFINITIONS
             if os.path.isfile(os.path.join(directory, RESOURCES, n))]
    if len(found) > 1:
        raise CollectionError(found[0], "", f"both {DEFINITIONS[0]} and {DEFINITIONS[1]} exist; keep one")
    if not found:
        return None
    doc = read_file(found[0])
    kind = doc.get("$kind")
    if kind is not None and within(found[0], kind.text) != "collection":
        within(found[0], lambda: kind.fail("expected `$kind: collection` in a definition.yaml"))
    return found[0], doc


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
        """Read one folder's requests and sub-folders, in Postman's order."""
        if depth > MAX_DEPTH:
            raise CollectionError(directory, "", f"folders nested deeper than {MAX_DEPTH} levels")
        children: list[_Child] = []
        for entry in sorted(os.scandir(directory), key=lambda e: e.name):
            if entry.is_dir() and not entry.name.startswith("."):
                real = os.path.realpath(entry.path)
                if real in self.seen:
                    continue  # a symbolic link back into the tree
                self.seen.add(real)
                found = _definition(entry.path)
                order, name = None, entry.name
                if found is not None:
                    fields = found[1]
                    order = within(found[0], lambda: read_order(fields))
                    name = within(found[0], lambda: name_of(fields, entry.name))
                children.append(_Child(order, entry.name, entry.path, None, name))
            elif entry.is_file() and entry.name.lower().endswith(REQUEST_SUFFIXES):
                doc = read_file(entry.path)
                order = within(entry.path, lambda: read_order(doc))
                children.append(_Child(order, stem_of(entry.name, REQUEST_SUFFIXES), entry.path, doc))
        for child in sorted(children, key=_Child.key):
            if child.doc is None:
                self.folder(child.path, folder + (child.name,), depth + 1)
            else:
                within(child.path, lambda: self.request(child, child.doc or {}, folder))
        self.orphans(directory)

    def request(self, child: _Child, doc: dict[str, Value], folder: tuple[str, ...]) -> None:
        rel, kind = self.rel(child.path), kind_of(doc)
        name = name_of(doc, child.stem)
        if kind != "http-request":
            if kind.endswith("-example") or kind == "collection":
                doc["$kind"].fail("expected a request kind (http-request) in a .request.yaml file")
            self.skipped.append(SkippedItem(rel, kind, name, f"a {kind} is not an HTTP request; "
                                            "mockkit serves HTTP examples only"))
            return
        request, item_id = request_fields(doc), text_of(doc, "id")
        first = len(self.examples)
        for ex in self.example_files(child, doc):
            found = within(ex.path, lambda: self.example(ex, name, folder, item_id))
            if found is not None:
                self.examples.append(found)
        self.requests.append(RequestItem(name, folder, request, rel, len(self.examples) - first, item_id))

    def example_files(self, child: _Child, doc: dict[str, Value]) -> list[_Child]:
        """The request's example files (read), sorted by ``order`` then name."""
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
                ex = read_file(entry.path)
                order = within(entry.path, lambda: read_order(ex))
                found.append(_Child(order, stem_of(entry.name, EXAMPLE_SUFFIXES), entry.path, ex))
        return sorted(found, key=_Child.key)

    def example(self, child: _Child, request_name: str, folder: tuple[str, ...], item_id: str) -> Example | None:
        doc, rel = child.doc or {}, self.rel(child.path)
        kind = kind_of(doc)
        name = name_of(doc, child.stem)
        if kind != "http-example":
            if not kind.endswith("-example"):
                doc["$kind"].fail("expected an example kind (http-example) in a .example.yaml file")
            self.skipped.append(SkippedItem(rel, kind, name or child.stem, f"a {kind} is not an HTTP "
                                            "example; mockkit serves HTTP examples only"))
            return None
        return Example(
            id=text_of(doc, "id"),
            name=name or request_name,
            request_name=request_name,
            folder=folder,
            request=read_request(doc.get("request")),
            response=read_response(doc.get("response")),
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


def _not_a_folder(label: str) -> CollectionError:
    """The error for a file given where a v3 collection folder is expected."""
    if label.lower().endswith(ENVIRONMENT_SUFFIXES):
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


def _collection_root(label: str) -> str:
    """The folder to read: ``label``, or the one collection of a ``postman/collections`` folder."""
    here = Path(label).resolve()
    if here.name == "collections" and here.parent.name == "postman" and not (here / RESOURCES).is_dir():
        found = collections_in(label)
        if len(found) != 1:
            names = ", ".join(f"'{p.name}'" for p in found) or "none"
            raise CollectionError(label, "", f"this folder holds {len(found)} v3 collections ({names}): "
                                  "pass the folder of the one to load")
        return os.fspath(found[0])
    if not is_collection_folder(label):
        raise CollectionError(label, "", "is a directory without a Postman v3 collection in it (no "
                              ".resources/ folder, no *.request.yaml files): pass a collection file "
                              "(v2.x JSON) or a v3 collection folder")
    return label


def load_tree(source: str | os.PathLike[str]) -> Collection:
    """Read a v3 collection folder into a ``Collection`` (``schema`` ``"v3"``).

    Raises ``CollectionError`` (file, key path, line and column) for anything unreadable; a path
    to one of the tree's files, or to an environment, gets an error that says what to pass instead.
    """
    label = os.fspath(source)
    if not os.path.isdir(label):
        raise _not_a_folder(label)
    label = _collection_root(label)
    reader = _Reader(label)
    reader.seen.add(os.path.realpath(label))
    try:
        definition = _definition(label)
        reader.folder(label, (), 0)
    except OSError as exc:
        raise CollectionError(getattr(exc, "filename", None) or label, "",
                              f"cannot read the folder ({exc.strerror or exc})") from None
    def_path, doc = definition or (label, {})
    name, cid, description = within(def_path, lambda: tuple(text_of(doc, k) for k in ("name", "id", "description")))
    variables = within(def_path, lambda: pairs(doc.get("variables"), "variables", skip_empty=True))
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
    doc = read_file(label)

    def read() -> Environment:
        if "$kind" in doc:
            doc["$kind"].fail("expected a Postman environment (name, values), got a collection file",
                              got=False)
        if "values" not in doc:
            Value(None, "values").fail("expected a Postman environment: a mapping with `name` and a "
                                       "`values` list", got=False)
        values: dict[str, str] = {}
        for key, value in pairs(doc["values"], "the environment's values", skip_empty=True):
            values[key] = value  # a repeated key keeps its first position and takes the last value
        return Environment(
            name=text_of(doc, "name"),
            variables=tuple(Variable(k, v) for k, v in values.items()),
            id=text_of(doc, "id"),
            source=label,
        )

    return within(label, read)
