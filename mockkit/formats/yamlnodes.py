"""YAML read safely and typed, with the key path, line and column of every value.

The v3 collection reader and the ``.environment.yaml`` reader stand on this. A file is *composed*
(parsed into nodes; no Python objects are built, no tags are run) by PyYAML's safe loader, libyaml's
when it is installed. Values are then read by what the caller expects, from the text as written:

* text stays the text written: a plain ``007``, ``1.10``, ``yes``, ``on`` or ``2024-01-01`` is that
  string, not a number, a boolean or a date (YAML 1.1 would turn ``yes`` into true, YAML 1.2 ``007``
  into 7; Postman values are strings, so the writer's intent is the text);
* ``null``, ``~`` and an empty plain value read as "no value" (YAML 1.2 core schema, what Postman's
  own js-yaml reads); quoted ``"null"`` is the text ``null``;
* booleans are ``true``/``false`` only, numbers are YAML 1.2 core numbers.

Every failure is a ``YamlInvalid(path, expected, line, column)``: ``path`` is the key path
(``response.headers[2].value``, ``headers.Content-Type``), line and column are 1-based. Mappings
with a repeated key are refused (js-yaml, and so Postman, refuses them too).
"""

from __future__ import annotations

import json
import re
from typing import NoReturn

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from ..errors import CollectionError

__all__ = ["YamlInvalid", "Value", "parse_yaml", "key_path"]

_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_NULLS = frozenset({"", "~", "null", "Null", "NULL"})
_TRUE = frozenset({"true", "True", "TRUE"})
_FALSE = frozenset({"false", "False", "FALSE"})
_INT = re.compile(r"[-+]?[0-9]+\Z")
_FLOAT = re.compile(r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?\Z")
_IMPLICIT_TAGS = frozenset(f"tag:yaml.org,2002:{t}" for t in ("null", "bool", "int", "float", "str",
                                                                "timestamp", "value", "merge"))
_IDENT = re.compile(r"[A-Za-z_$][A-Za-z0-9_$-]*\Z")


def _plain(node: ScalarNode) -> bool:
    """Written without quotes or a block indicator (libyaml says "", PyYAML None), and with no
    explicit tag (``!!str null`` is text)."""
    return not node.style and node.tag in _IMPLICIT_TAGS


class YamlInvalid(Exception):
    """A value that cannot be used; becomes ``CollectionError`` once the file is known."""

    def __init__(self, path: str, expected: str, line: int | None = None, column: int | None = None) -> None:
        super().__init__(path, expected)
        self.path = path
        self.expected = expected
        self.line = line
        self.column = column

    def error(self, source: str) -> CollectionError:
        return CollectionError(source, self.path, self.expected, line=self.line, column=self.column)


def key_path(path: str, key: str | int) -> str:
    """``headers`` + 2 -> ``headers[2]``; + ``Content-Type`` -> ``headers.Content-Type``;
    a key that is not a plain name is quoted: ``headers["x y"]``."""
    if isinstance(key, int):
        return f"{path}[{key}]"
    if not _IDENT.match(key):
        return f"{path}[{json.dumps(key, ensure_ascii=False)}]"
    return f"{path}.{key}" if path else key


def parse_yaml(text: str, source: str) -> Node | None:
    """Compose one YAML document (None for an empty file); a syntax error is a ``CollectionError``
    naming ``source`` with the line and column libyaml reports."""
    try:
        return yaml.compose(text, Loader=_LOADER)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        what = " ".join(str(p) for p in (exc.context, exc.problem) if p) or "invalid YAML"
        line, column = (mark.line + 1, mark.column + 1) if mark is not None else (None, None)
        raise CollectionError(source, "", f"invalid YAML: {what}", line=line, column=column) from None
    except yaml.YAMLError as exc:
        raise CollectionError(source, "", f"invalid YAML: {exc}") from None
    except RecursionError:
        raise CollectionError(source, "", "invalid YAML: nested too deeply to read") from None


class Value:
    """One YAML node and its key path, read by type; a wrong type raises ``YamlInvalid``."""

    __slots__ = ("node", "path")

    def __init__(self, node: Node | None, path: str = "") -> None:
        self.node = node
        self.path = path

    # --- what it is ------------------------------------------------------------------------

    @property
    def is_null(self) -> bool:
        n = self.node
        return n is None or (isinstance(n, ScalarNode) and _plain(n) and n.value in _NULLS
                             and n.tag == "tag:yaml.org,2002:null")

    @property
    def is_mapping(self) -> bool:
        return isinstance(self.node, MappingNode)

    @property
    def is_sequence(self) -> bool:
        return isinstance(self.node, SequenceNode)

    @property
    def is_scalar(self) -> bool:
        return isinstance(self.node, ScalarNode)

    def describe(self) -> str:
        """How the value reads in an error message: ``a list``, ``a mapping``, ``'abc'``."""
        if self.is_null:
            return "no value"
        if self.is_mapping:
            return "a mapping"
        if self.is_sequence:
            return "a list"
        text = repr(self.node.value)  # type: ignore[union-attr]
        return text if len(text) <= 40 else text[:40] + "...'"

    def fail(self, expected: str, *, got: bool = True) -> NoReturn:
        mark = getattr(self.node, "start_mark", None)
        line, column = (mark.line + 1, mark.column + 1) if mark is not None else (None, None)
        raise YamlInvalid(self.path, f"{expected}; got {self.describe()}" if got else expected, line, column)

    # --- scalars ---------------------------------------------------------------------------

    def text(self, what: str = "text") -> str:
        """The value as written ("" for no value); a list or mapping is an error."""
        if self.is_null:
            return ""
        if not isinstance(self.node, ScalarNode):
            self.fail(f"expected {what}")
        return str(self.node.value)

    def flag(self) -> bool:
        """``true`` or ``false`` (no value -> false)."""
        if self.is_null:
            return False
        if isinstance(self.node, ScalarNode) and _plain(self.node):
            if self.node.value in _TRUE:
                return True
            if self.node.value in _FALSE:
                return False
        self.fail("expected true or false")

    def number(self, what: str = "a number") -> float | None:
        """A bare YAML number (no value -> None); quoted digits are refused, as Postman does."""
        if self.is_null:
            return None
        if isinstance(self.node, ScalarNode) and _plain(self.node):
            text = self.node.value
            if _INT.match(text):
                return int(text)
            if _FLOAT.match(text):
                return float(text)
        self.fail(f"expected {what}")

    def integer_text(self) -> str | None:
        """Digits, bare or quoted (for status codes); None for no value."""
        if self.is_null:
            return None
        text = self.text("a number").strip()
        return text if _INT.match(text) else None

    # --- collections -----------------------------------------------------------------------

    def mapping(self, what: str = "a mapping") -> dict[str, "Value"]:
        """The entries of a mapping by key text ({} for no value); repeated keys are refused."""
        if self.is_null:
            return {}
        if not self.is_mapping:
            self.fail(f"expected {what}")
        out: dict[str, Value] = {}
        for key_node, value_node in self.node.value:  # type: ignore[union-attr]
            key = Value(key_node, self.path)
            if not key.is_scalar:
                key.fail("expected a plain key (text), not a list or mapping", got=False)
            name = key.text()
            if name in out:
                Value(key_node, key_path(self.path, name)).fail(f"the key {name!r} appears twice here; keep one (a list of "
                         "{key, value} entries can repeat a name)", got=False)
            out[name] = Value(value_node, key_path(self.path, name))
        return out

    def items(self, what: str = "a list") -> list["Value"]:
        """The entries of a list ([] for no value)."""
        if self.is_null:
            return []
        if not self.is_sequence:
            self.fail(f"expected {what}")
        return [Value(n, key_path(self.path, i)) for i, n in enumerate(self.node.value)]  # type: ignore[union-attr]
