"""mockkit's errors: one tree, so callers can catch as broadly or as narrowly as they need.

    MockkitError                 anything mockkit raises on purpose (all exported from ``mockkit``)
    ├── CollectionError          a collection or environment file that cannot be used
    │   (ValueError)             (names the file, the JSON path and what was expected)
    ├── ConfigError              an option or setting with a value it cannot take
    │   (ValueError)             (names the option and what is allowed: ``MockOptions``)
    ├── RequestError             a request mockkit cannot interpret: a path that is not
    │   (ValueError)             percent-encoded UTF-8 (the server answers it 400), or a response
    │                            given to ``explain`` that no mock of this process sent
    ├── MockLookupError          a call, engine generation or example asked for that mockkit does
    │   (LookupError)            not have (a call the call log no longer keeps, an unknown name)
    ├── ServerError              a mock server or hub that cannot start or stop (port taken)
    │   (RuntimeError)
    ├── HubError                 a hub management call that failed (status, Postman's error name)
    └── MockAssertionError       a call assertion or end-of-test check that failed: a request
        (AssertionError)         that got no example, a call made too often or never, an
                                 ``expect=`` example never served (``mockkit.testing.verify``)

Each also derives from the built-in exception in brackets, so ``except ValueError`` keeps
working, and pytest reports a ``MockAssertionError`` as a failed assertion (``E
mockkit.errors.MockAssertionError: expected GET /books/{{id}} to be called 3 times...``), like
any failed ``assert``. One kind of error is Python's own on purpose: calling a function with the
wrong kinds of arguments (an unknown keyword, a missing method) raises ``TypeError``, as
everywhere in Python. A request sent to a running mock never raises: the server answers it
(``answers.ERROR_NAMES``).
"""

from __future__ import annotations

__all__ = ["MockkitError", "CollectionError", "ConfigError", "RequestError", "MockLookupError", "ServerError",
           "HubError", "MockAssertionError"]


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


class ConfigError(MockkitError, ValueError):
    """An option with a value it cannot take: ``option`` names it (a ``MockOptions`` field such
    as ``distance_threshold``, or another setting), ``problem`` says what is allowed; the message
    is ``"<option> <problem>"``. The CLI names the flag (``--distance-threshold``), the hub the
    config key (``mock.config.distanceThreshold``)."""

    def __init__(self, option: str, problem: str) -> None:
        self.option = option
        self.problem = problem
        super().__init__(f"{option} {problem}")


class RequestError(MockkitError, ValueError):
    """A request mockkit cannot interpret. A running mock answers such a request with a JSON
    error (``status``, Postman's error ``name``); ``explain`` raises it, since it has no one to
    answer."""

    def __init__(self, message: str, *, status: int = 400, name: str = "badRequestError") -> None:
        self.status = status
        self.name = name
        super().__init__(message)


class MockLookupError(MockkitError, LookupError):
    """Something asked for by id or name that mockkit does not have: a call the call log no
    longer keeps, the engine generation that answered a call (reloaded since), an example named
    in ``expect=``."""


class ServerError(MockkitError, RuntimeError):
    """A mock server or hub that could not start (port taken, bad host, data folder in use) or stop."""


class HubError(MockkitError):
    """A hub management call that failed: ``status`` and Postman's error ``name`` and
    ``message`` (``mockkit.Hub`` raises it for every answer that is not 2xx)."""

    def __init__(self, status: int, name: str, message: str) -> None:
        self.status, self.name, self.message = status, name, message
        super().__init__(f"{status} {name}: {message}")


class MockAssertionError(MockkitError, AssertionError):
    """A call assertion or end-of-test check that failed; the message says what was expected,
    what happened and, for each call that came closest, why it did not count.

    Raised by ``assert_called``, ``assert_called_once``, ``assert_not_called``,
    ``assert_all_matched``, ``assert_all_used`` and ``verify`` (``mockkit.testing.verify``) of a
    ``MockServer`` or an httpx transport; the pytest fixtures report the end-of-test checks as the
    test's failure. It is an ``AssertionError``, so pytest shows it as a failed assertion and
    ``except AssertionError`` catches it."""
