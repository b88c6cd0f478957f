"""Loading a collection or environment from any format mockkit reads: the entry to ``formats/``.

``load_collection`` accepts Collection v2.0/v2.1 exports (also the Postman API's
``{"collection": {...}}`` wrapper; ``formats.v2read`` reads them, ``formats.v2fields`` their
parts) and v3 folder trees (``formats.v3read``), flattened into ``Collection.examples`` and
``Collection.requests``; ``load_environment`` reads environment exports (JSON or
``.environment.yaml``). Files are read by ``formats.sources`` (the one file reader). Strings are kept as written: ``{{variables}}``
are resolved later, by the engine. Whatever the input, the only exception that leaves this
module is ``CollectionError(source, json_path, expected)``.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any, TypeVar

from .errors import CollectionError
from .formats.sources import is_v3_source, read_json
from .formats.v2fields import Invalid, guard
from .formats.v2read import COLLECTION_AS_ENV, ENV_AS_COLLECTION, parse_collection, parse_environment
from .model import Collection, Environment

__all__ = ["load_collection", "load_environment", "Source"]


Source = str | os.PathLike[str] | bytes | dict[str, Any]
T = TypeVar("T")


# --- public loaders -------------------------------------------------------------------------


def load_collection(source: Source | Collection) -> Collection:
    """Load a Postman collection into a ``Collection``, the model every door uses.

    Reads Collection v2.0/v2.1 JSON (Postman's export, or the Postman API's
    ``{"collection": {...}}`` wrapper) and Postman's Git-native v3 YAML collection folders. Files
    may be UTF-8 or UTF-16, with or without a BOM. Strings are kept as written: ``{{variables}}``
    and ``:name`` segments are resolved when an engine is built, with an environment.

    Args:
        source: a path to a v2.x ``.json`` file or a v3 collection folder (or a file in it), JSON
            text, UTF-8 bytes, a parsed dict, or a ``Collection`` (returned as it is).

    Returns:
        The ``Collection``: every saved example in collection order (``examples``), every request
        item (``requests``), the collection's variables, and what was read but is not served
        (``skipped``).

    Raises:
        CollectionError: the source is not a usable collection; the message names the file, the
            JSON path (``item[3].response[0].code``) or ``file:line:column`` in a YAML file, and
            what was expected there (an environment given as a collection says so).

    Examples:
        ```python
        api = mockkit.load_collection("api.postman_collection.json")
        len(api.examples), api.schema                    # (42, 'v2.1.0')
        mockkit.load_collection("postman/collections/Shop")          # a v3 folder
        ```
    """
    if isinstance(source, Collection):
        return source
    if isinstance(source, Environment):
        raise CollectionError(source.source, "", ENV_AS_COLLECTION)
    if is_v3_source(source):  # issue 14: v3 folder trees
        from .formats.v3read import load_tree

        return load_tree(source)  # type: ignore[arg-type]
    data, label = read_json(source)
    return _convert(parse_collection, data, label)


def load_environment(source: Source | Environment) -> Environment:
    """Load a Postman environment: enabled values only; of duplicated keys the last wins.

    Args:
        source: a path to an environment export (``.postman_environment.json``) or a
            ``*.environment.yaml`` file, JSON text, UTF-8 bytes, a parsed dict (also the Postman
            API's ``{"environment": {...}}`` wrapper), or an ``Environment`` (returned as it is).

    Returns:
        The ``Environment``: its name and its variables, in file order.

    Raises:
        CollectionError: the source is not a usable environment (the message names the file,
            the JSON path or ``file:line:column``, and what was expected; a collection given as
            an environment says so).

    Examples:
        ```python
        env = mockkit.load_environment("dev.postman_environment.json")
        {v.key: v.value for v in env.variables}
        mock = mockkit.serve("api.json", environment=env)
        ```
    """
    if isinstance(source, Environment):
        return source
    if isinstance(source, Collection):
        raise CollectionError(source.source, "", COLLECTION_AS_ENV)
    if is_v3_source(source):  # issue 14
        from .formats.v3read import load_yaml_environment

        return load_yaml_environment(source)  # type: ignore[arg-type]
    data, label = read_json(source)
    return _convert(parse_environment, data, label)


def _convert(build: Callable[[object, str], T], data: object, label: str) -> T:
    try:
        return guard("", build, data, label)
    except Invalid as exc:
        raise CollectionError(label, exc.path, exc.expected) from None
