"""``Finding``: one problem ``mockkit check`` reports about a collection (``checks`` finds those
of matching and templates, ``gaps`` those of the file: skipped v3 items, request fields examples
lack)."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Finding"]


@dataclass(frozen=True, slots=True)
class Finding:
    """One problem: ``severity`` (``error`` and ``warning`` make ``mockkit check`` exit 1,
    ``info`` does not), ``kind`` (``shadowed``, ``duplicate-name``, ``wildcard``, ``template``,
    ...), ``where`` (the example's JSON path, or its file in a v3 folder), ``example`` (its name)
    and ``message`` (what to do)."""

    severity: str  # "error", "warning" or "info"
    kind: str
    where: str  # JSON path of the example
    example: str
    message: str
