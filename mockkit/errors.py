"""mockkit's errors: one tree, so callers can catch as broadly or as narrowly as they need.

    MockkitError                 anything mockkit raises on purpose
    ├── CollectionError          a collection or environment file that cannot be used
    │                            (names the file, the JSON path and what was expected)
    ├── RequestError             an incoming request the server cannot interpret
    │                            (bad percent-encoding, a body that is not JSON while body matching is on)
    └── ServerError              a mock server that cannot start or stop (e.g. the port is taken)
"""

from __future__ import annotations

__all__ = ["MockkitError", "CollectionError", "RequestError", "ServerError"]


class MockkitError(Exception):
    """Base class of every error mockkit raises on purpose."""


class CollectionError(MockkitError, ValueError):
    """A collection or environment that cannot be loaded.

    ``source`` names the file (or ``<string>``/``<dict>``), ``path`` the JSON path of the
    offending value (``item[3].response[0].code``; empty for the whole document) and
    ``expected`` says what would have been acceptable there. YAML files (v3 collections,
    ``.environment.yaml``) also give the 1-based ``line`` and ``column`` of the value, written
    ``file:line:column`` as compilers do, so editors and terminals can jump there.
    """

    def __init__(self, source: str, path: str, expected: str, *, line: int | None = None,
                 column: int | None = None) -> None:
        self.source = source
        self.path = path
        self.expected = expected
        self.line = line
        self.column = column
        where = source if line is None else f"{source}:{line}:{column or 1}"
        where = f"{where}: {path}" if path else where
        super().__init__(f"{where}: {expected}")


class RequestError(MockkitError, ValueError):
    """A request the mock cannot interpret; answered with a JSON error, never a crash."""

    def __init__(self, message: str, *, status: int = 400, name: str = "badRequestError") -> None:
        self.status = status
        self.name = name
        super().__init__(message)


class ServerError(MockkitError, RuntimeError):
    """A mock server that could not start (port taken, bad host) or stop."""
