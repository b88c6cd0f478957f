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
    """Base class of every error mockkit raises on purpose: catch it to handle them all.

    Examples:
        ```python
        try:
            mock = mockkit.serve("api.json", port=3000)
        except mockkit.MockkitError as exc:
            print(f"cannot start the mock: {exc}")
        ```
    """


class CollectionError(MockkitError, ValueError):
    """A collection or environment that cannot be loaded (also a ``ValueError``).

    The message is ``<source>: <path>: <expected>``; YAML files (v3 collections,
    ``.environment.yaml``) give ``file:line:column`` as compilers do, so editors and terminals
    can jump there.

    Args:
        source: the file (or ``<string>``, ``<bytes>``, ``<dict>``).
        path: the JSON path of the offending value (``item[3].response[0].code``; ``""`` for the
            whole document).
        expected: what would have been acceptable there, and how to fix it.
        line: the 1-based line of the value in a YAML file, else ``None``.
        column: the 1-based column of the value in a YAML file, else ``None``.

    Examples:
        ```python
        try:
            mockkit.load_collection("api.json")
        except mockkit.CollectionError as exc:
            print(exc.source, exc.path, exc.expected, sep=" | ")
        ```
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
    """An option with a value it cannot take (also a ``ValueError``); the message is
    ``"<option> <problem>"``. The CLI names the flag (``--distance-threshold``), the hub the
    config key (``mock.config.distanceThreshold``).

    Args:
        option: the option: a ``MockOptions`` field such as ``distance_threshold``, or another
            setting (``times``, ``api_key``, ``status``).
        problem: what is allowed, and what was given.

    Examples:
        ```python
        try:
            mockkit.MockOptions(distance_threshold=2)
        except mockkit.ConfigError as exc:
            exc.option                   # 'distance_threshold'
        ```
    """

    def __init__(self, option: str, problem: str) -> None:
        self.option = option
        self.problem = problem
        super().__init__(f"{option} {problem}")


class RequestError(MockkitError, ValueError):
    """A request mockkit cannot interpret (also a ``ValueError``): a path whose
    percent-encoding is not UTF-8, or a response given to ``explain`` that carries no call id.
    A running mock answers such a request with a JSON error instead (``status``, Postman's
    error ``name``); ``explain`` raises it, since it has no one to answer.

    Args:
        message: what is wrong.
        status: the HTTP status a server answers with (400, or 413 for a body too large).
        name: Postman's error name for the JSON body (``badRequestError``, ``payloadTooLargeError``).

    Examples:
        ```python
        try:
            mockkit.explain("api.json", "GET", "/users/%ff")
        except mockkit.RequestError as exc:
            exc.status, exc.name         # (400, 'badRequestError')
        ```
    """

    def __init__(self, message: str, *, status: int = 400, name: str = "badRequestError") -> None:
        self.status = status
        self.name = name
        super().__init__(message)


class MockLookupError(MockkitError, LookupError):
    """Something asked for by id or name that mockkit does not have (also a ``LookupError``): a
    call the call log no longer keeps, the engine generation that answered a call (reloaded
    since), an example named in ``expect=`` or ``assert_all_used``.

    Examples:
        ```python
        try:
            mock.assert_all_used(["No such example"])
        except mockkit.MockLookupError as exc:
            print(exc)                   # no example is named 'No such example' ...; did you mean ...?
        ```
    """


class ServerError(MockkitError, RuntimeError):
    """A mock server or hub that could not start (port taken, bad host, data folder in use), or
    a stopped server asked to send a request (also a ``RuntimeError``).

    Examples:
        ```python
        try:
            mockkit.serve("api.json", port=80)
        except mockkit.ServerError as exc:
            print(exc)                   # cannot listen on 127.0.0.1:80: Permission denied
        ```
    """


class HubError(MockkitError):
    """A hub management call that failed: ``mockkit.Hub`` raises it for every answer that is not
    2xx; the message is ``"<status> <name>: <message>"``.

    Args:
        status: the HTTP status of the answer.
        name: Postman's error name (``instanceNotFoundError``, ``malformedRequestError``,
            ``AuthenticationError``...), or ``httpError`` for an answer not in Postman's shape.
        message: the hub's message.

    Examples:
        ```python
        try:
            hub.get_mock("no-such-id")
        except mockkit.HubError as exc:
            exc.status, exc.name         # (404, 'instanceNotFoundError')
        ```
    """

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
    ``except AssertionError`` catches it.

    Examples:
        ```python
        try:
            mock.assert_called("GET", "/users/{{id}}", times=3)
        except mockkit.MockAssertionError as exc:
            print(exc)                   # expected GET /users/{{id}} to be called 3 times; ...
        ```
    """
