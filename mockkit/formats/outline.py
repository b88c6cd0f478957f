"""The folder tree of a loaded collection, rebuilt from its flattened model (for the writers).

``Collection`` keeps requests and examples flat, in collection order, each with its folder path.
``outline`` turns that back into nested ``Folder``s whose walk gives the same order, so a
collection written out (``mockkit convert``) and read again ranks and ties exactly as before:
a folder name that comes back after another folder is a new folder (two folders may share a
name), never a merge that would reorder examples.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..model import Collection, Example, RequestItem

__all__ = ["Folder", "Request", "outline"]


@dataclass
class Request:
    """A request item and its examples, in order."""

    item: RequestItem
    examples: list[Example]


@dataclass
class Folder:
    """A folder (or the collection itself): requests and sub-folders, in order."""

    name: str
    children: list["Folder | Request"] = field(default_factory=list)


def _requests(collection: Collection) -> list[Request]:
    """Requests with their examples: from ``Collection.requests`` when it accounts for every
    example in order, else one request per run of examples with the same request and folder
    (collections built by hand may carry examples only)."""
    out: list[Request] = []
    examples = list(collection.examples)
    start = 0
    for item in collection.requests:
        chunk = examples[start : start + item.example_count]
        if any(e.request_name != item.name or e.folder != item.folder for e in chunk):
            break
        out.append(Request(item, chunk))
        start += item.example_count
    else:
        if start == len(examples):
            return out
    out, run = [], None
    for e in examples:
        if run is None or (e.request_name, e.folder) != (run.item.name, run.item.folder):
            run = Request(RequestItem(e.request_name, e.folder, e.request, "", 0, e.item_id), [])
            out.append(run)
        run.examples.append(e)
    return out


def outline(collection: Collection) -> Folder:
    """The collection as nested folders; walking it depth-first gives collection order."""
    root = Folder(collection.name)
    stack: list[Folder] = [root]
    for request in _requests(collection):
        path = request.item.folder
        keep = 0
        while keep < min(len(stack) - 1, len(path)) and stack[keep + 1].name == path[keep]:
            keep += 1
        del stack[keep + 1 :]
        for name in path[keep:]:
            folder = Folder(name)
            stack[-1].children.append(folder)
            stack.append(folder)
        stack[-1].children.append(request)
    return root
