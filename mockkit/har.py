"""A browser's HAR export turned into a collection with saved examples (issue 16).

    collection = mockkit.from_har("capture.har", hosts=["api.example.com"])
    mockkit import-har capture.har --to api.postman_collection.json      # the same, from a shell

HAR 1.2 (``log.entries[]``: each a ``request`` {method, url, headers, postData} and a
``response`` {status, statusText, headers, content {text, encoding, mimeType}}) is what every
browser's developer tools export. Each entry becomes a ``recorded.Recording`` with the rules of
a recording mock: hop-by-hop and length headers dropped (and HTTP/2 pseudo-headers such as
``:authority``), bodies saved decoded (HAR keeps them decoded; ``encoding: base64`` is decoded),
secrets replaced by ``[redacted]`` (``hygiene.Redaction``), and placed and named by
``recorded.placement``. The same request (method, path, query) with the same status seen again
replaces the earlier one: the collection holds the last answer of each. Entries without an answer
(status 0: blocked or cancelled), with a body that is not text, or not ``http``/``https`` are
left out, and the collection's description counts them.
"""

from __future__ import annotations

import base64
import binascii
import os
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from .collection import load_collection
from .formats.sources import read_json
from .errors import CollectionError, MockkitError
from .hygiene import Redaction, answer_headers
from .model import Collection, MockRequest, Pairs
from .proxyconfig import redact_names
from .recorded import Recording, new_example, placement, recording_of
from .recording import Change

__all__ = ["from_har", "write_har_collection", "har_recordings"]


def _fail(label: str, where: str, expected: str) -> CollectionError:
    return CollectionError(label, where, expected)


def _pairs(value: object, label: str, where: str) -> Pairs:
    """HAR ``[{name, value}]`` headers as pairs (HTTP/2 pseudo-headers such as ``:path`` left out)."""
    if value is None:
        return ()
    if not isinstance(value, list):
        raise _fail(label, where, "expected a list of {name, value} objects")
    out = []
    for i, pair in enumerate(value):
        if not isinstance(pair, dict) or not isinstance(pair.get("name"), str):
            raise _fail(label, f"{where}[{i}]", "expected an object with a string 'name' and 'value'")
        if not pair["name"].startswith(":"):
            out.append((pair["name"], str(pair.get("value", ""))))
    return tuple(out)


def _body(content: object, label: str, where: str) -> bytes | None:
    """A response's ``content`` as bytes (None: the HAR kept no body text)."""
    if not isinstance(content, dict):
        raise _fail(label, where, "expected the response's content object {mimeType, text}")
    text = content.get("text")
    if text is None:
        return None
    if not isinstance(text, str):
        raise _fail(label, f"{where}.text", "expected text")
    if str(content.get("encoding", "")).lower() == "base64":
        try:
            return base64.b64decode("".join(text.split()), validate=True)
        except (binascii.Error, ValueError):
            raise _fail(label, f"{where}.text", "expected base64 text (encoding is base64)") from None
    return text.encode("utf-8", "surrogatepass")


def _entries(har: object, label: str) -> list[Any]:
    log = har.get("log") if isinstance(har, dict) else None
    entries = log.get("entries") if isinstance(log, dict) else None
    if not isinstance(entries, list):
        raise _fail(label, "log.entries", "expected a HAR file: an object {log: {entries: [...]}} (export it from "
                                          "the browser's developer tools: Network, Export HAR)")
    return entries


def har_recordings(har: object, label: str, *, hosts: Iterable[str] = (), redact: Iterable[str] = ()
                   ) -> tuple[list[Recording], dict[str, int]]:
    """The recordings of a parsed HAR 1.2 document (the last answer of each request and status),
    with the rules of a recording mock (see the module docstring).

    Args:
        har (object): the parsed document (``{"log": {"entries": [...]}}``).
        label (str): the file's name, for errors.
        hosts (Iterable[str]): keep only entries for these host names (none: every host).
        redact (Iterable[str]): more names to redact (``redact_names``'s output).

    Returns:
        tuple[list[Recording], dict[str, int]]: the recordings in the order of their last call,
        and the entries left out by reason (``no answer``, ``not text``, ``other host``,
        ``not http``).

    Raises:
        CollectionError: naming ``label`` and the key path (``log.entries[3].request``) for a
            malformed entry, and what was expected there.

    Examples:
        ```python
        recordings, left = har_recordings(json.loads(Path("capture.har").read_text()), "capture.har")
        left      # {'not text': 1, 'no answer': 1}
        ```
    """
    wanted = {h.strip().lower() for h in hosts if h.strip()}
    redaction = Redaction(redact)
    kept: dict[tuple[Any, ...], Recording] = {}
    left: dict[str, int] = {}
    for i, entry in enumerate(_entries(har, label)):
        where = f"log.entries[{i}]"
        request, response = (entry.get(k) if isinstance(entry, dict) else None for k in ("request", "response"))
        if not isinstance(request, dict) or not isinstance(response, dict):
            raise _fail(label, where, "expected an entry with a request and a response object")
        url = request.get("url")
        if not isinstance(url, str) or not isinstance(request.get("method"), str):
            raise _fail(label, f"{where}.request", "expected a request with a string method and url")
        parts = urlsplit(url)
        status = response.get("status")
        reason = ("not http" if parts.scheme not in ("http", "https") else
                  "other host" if wanted and (parts.hostname or "") not in wanted else
                  "no answer" if not isinstance(status, int) or not 100 <= status <= 599 else "")
        body = _body(response.get("content", {}), label, f"{where}.response.content") if not reason else None
        if reason:
            left[reason] = left.get(reason, 0) + 1
            continue
        assert isinstance(status, int)
        post = request.get("postData")
        sent = post.get("text") if isinstance(post, dict) and isinstance(post.get("text"), str) else ""
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        mock_request = MockRequest.from_target(request["method"], target,
                                               _pairs(request.get("headers"), label, f"{where}.request.headers"), sent)
        headers = answer_headers(_pairs(response.get("headers"), label, f"{where}.response.headers"))
        made = recording_of(mock_request, status, str(response.get("statusText") or ""), headers, body or b"",
                            f"{parts.scheme}://{parts.netloc}", redaction)
        if isinstance(made, str):
            left["not text"] = left.get("not text", 0) + 1
            continue
        kept.pop(made.key, None)  # the last answer wins, in the place of its last call
        kept[made.key] = made
    return list(kept.values()), left


def from_har(har: str | os.PathLike[str] | bytes | dict[str, Any], *, hosts: Sequence[str] = (),
             redact: Sequence[str] | str = (), name: str | None = None) -> Collection:
    """A collection with saved examples from a browser's HAR export (see the module docstring):
    named and placed as recordings are (folder by path, request by method and path, example by
    status) and redacted the same way.

    Args:
        har (str | os.PathLike[str] | bytes | dict[str, Any]): a path, JSON text or bytes, or the
            parsed document.
        hosts (Sequence[str]): keep only calls to these host names (default: every host).
        redact (Sequence[str] | str): more names whose values are replaced by ``[redacted]`` (as the
            ``redact`` option; ``Authorization``, ``Cookie``, ``Set-Cookie`` and ``x-api-key`` always
            are).
        name (str | None): the collection's name (default: the file's name without ``.har``).

    Returns:
        Collection: the collection; its description counts the examples and the entries left out.

    Raises:
        CollectionError: for a file that is not HAR (naming the file, the key path and what was
            expected), or that cannot be read.
        ConfigError: for a bad ``redact`` name.

    Examples:
        ```python
        shop = mockkit.from_har("capture.har", hosts=["api.shop.test"], redact="token")
        mockkit.serve(shop).get("/v1/products/7").json()
        ```
    """
    data, label = read_json(har)
    recordings, left = har_recordings(data, label, hosts=hosts, redact=redact_names(redact))
    title = name or (Path(label).name.removesuffix(".har") if label and not label.startswith("<") else "HAR import")
    left_out = "; left out: " + ", ".join(f"{n} {why}" for why, n in left.items()) if left else ""
    doc: dict[str, Any] = {"info": {"name": title, "description": f"Imported from {Path(label).name}: "
                                    f"{len(recordings)} example(s){left_out}.",
                                    "schema": "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"},
                           "item": []}
    from .saving import apply_to_document

    taken: dict[tuple[str, str], list[str]] = {}
    changes = []
    items: dict[tuple[str, str], str] = {}
    for n, made in enumerate(recordings):
        first = placement(made, ())
        names = taken.setdefault((first.folder, first.request), [])
        where = placement(made, names)
        names.append(where.example)
        item_id = items.setdefault((where.folder, where.request), f"har-{len(items) + 1}")
        changes.append(Change(new_example(made, where, n, item_id, n), where))
    apply_to_document(doc, changes)
    return load_collection(doc)


def write_har_collection(har: str | os.PathLike[str], dest: str | os.PathLike[str], *, hosts: Sequence[str] = (),
                         redact: Sequence[str] | str = (), name: str | None = None,
                         force: bool = False) -> tuple[Collection, list[Path]]:
    """``mockkit import-har``: ``from_har`` written to ``dest``.

    Args:
        har (str | os.PathLike[str]): the HAR file.
        dest (str | os.PathLike[str]): a ``.json`` file (a v2.1 collection, written atomically) or
            a folder that is absent or empty (a v3 tree).
        hosts (Sequence[str]): as ``from_har``.
        redact (Sequence[str] | str): as ``from_har``.
        name (str | None): as ``from_har``.
        force (bool): replace an existing ``.json`` file.

    Returns:
        tuple[Collection, list[Path]]: the collection and the files written.

    Raises:
        MockkitError: for a ``.json`` destination that exists (without ``force``) or is a folder,
            or a v3 folder that is not empty.
        CollectionError: as ``from_har``.
        ConfigError: as ``from_har``.

    Examples:
        ```python
        write_har_collection("capture.har", "shop.postman_collection.json", hosts=["api.shop.test"])
        ```
    """
    collection = from_har(har, hosts=hosts, redact=redact, name=name)
    out = Path(dest)
    if out.suffix.lower() == ".json":
        if out.exists() and (out.is_dir() or not force):
            raise MockkitError(f"{out}: already exists; choose another file name (or --force to replace it)")
        from .atomicfile import atomic_write
        from .formats.v21write import collection_json, dumps

        out.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(out, dumps(collection_json(collection)), backup=False)
        return collection, [out]
    from .formats.v3write import write_tree

    return collection, write_tree(collection, out)
