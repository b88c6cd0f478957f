"""pytest plugin (entry point ``pytest11``): mocks that fail a test for the right reason.

    @pytest.mark.mockkit("tests/api.postman_collection.json", env="tests/dev.postman_environment.json")
    def test_client(mockkit_server):
        mock = mockkit_server()                       # a running MockServer on 127.0.0.1
        assert my_client(base_url=mock.url).get_user(42).name
        mock.assert_called_once("GET", "/users/{{id}}")

Fixtures (both factories; call them with a collection, or let a ``mockkit`` marker name it):

* ``mockkit_server(collection=None, *, env=None, seed=None, strict=None, expect=(),
  assert_all_used=None, scope=None, **serve_options) -> MockServer``: a real server;
* ``mockkit_transport(...same...) -> EngineTransport``: an httpx transport, no socket.

Strict by default: when the test's body has run, a request that got no example (see
``mockkit.testing.strictness``) fails the test with the nearest examples and why they lost; the same
check runs on a failing test and adds its findings as a report section. ``expect=[...]`` names
examples the test must use. ``scope="session"`` shares one mock per collection and options across
the session, ``reset()`` at the start of each test that asks for it.

Settings, strongest first: the factory's arguments; the nearest ``@pytest.mark.mockkit(...)``
(test, class, module); the ini options ``mockkit_strict`` (default true) and ``mockkit_scope``
(default function). Every test has a fake-data seed (``--mockkit-seed N``, else the marker's
``seed``, else a fresh one) that its mocks use unless given their own; a failed test's report
says it, with the command that reruns the test with the same data.
"""

from __future__ import annotations

import hashlib
import json
import os
import shlex
from collections.abc import Callable, Generator, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from ..errors import ConfigError
from .session import TestDefaults, note_mock, pick_seed, pop_defaults, push_defaults
from .verify import CallAssertions

if TYPE_CHECKING:  # pragma: no cover
    from ..client import EngineTransport
    from ..mock import MockServer

MARKER_HELP = (
    "mockkit(collection=None, *, env=None, seed=None, strict=None, expect=(), assert_all_used=None, "
    "scope=None, **serve_options): configure the mockkit_server and mockkit_transport fixtures for this "
    "test, class or module"
)
SCOPES = ("function", "session")
SERVER_ONLY = ("host", "port", "watch", "on_call")

_DEFAULTS = pytest.StashKey[TestDefaults]()
_CHECKED = pytest.StashKey[list[CallAssertions]]()
_ACQUIRED = pytest.StashKey[dict[tuple[str, ...], Any]]()
_SEED = pytest.StashKey[int]()
_SAID = pytest.StashKey[bool]()  # the failure message already says the seed
_BASE = pytest.StashKey[int]()  # the session's random base for test seeds


# ------------------------------------------------------------------------------------- hooks


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("mockkit", "mockkit mock servers")
    group.addoption("--mockkit-seed", type=int, default=None, metavar="N", dest="mockkit_seed",
                    help="fake-data seed for every mock of every test that does not set its own "
                         "(a failed test's report prints the seed it used)")
    parser.addini("mockkit_strict", type="bool", default=True,
                  help="mockkit: fail a test when a request to its mock gets no example (default: true)")
    parser.addini("mockkit_scope", default="function",
                  help="mockkit: default scope of the mockkit_server / mockkit_transport mocks: "
                       "function (one per test) or session (shared, reset between tests)")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", MARKER_HELP)
    defaults = TestDefaults(strict=bool(config.getini("mockkit_strict")))
    config.stash[_DEFAULTS] = defaults
    config.stash[_BASE] = pick_seed()
    push_defaults(defaults)


def pytest_unconfigure(config: pytest.Config) -> None:
    defaults = config.stash.get(_DEFAULTS, None)
    if defaults is not None:
        pop_defaults(defaults)


def pytest_report_header(config: pytest.Config) -> str | None:
    seed = config.getoption("mockkit_seed", None)
    return f"mockkit: fake data seed {seed} (--mockkit-seed)" if seed is not None else None


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> Iterator[None]:
    defaults = item.config.stash[_DEFAULTS]
    marked = _marker_settings(item).seed
    given = item.config.getoption("mockkit_seed", None)
    seed = given if given is not None else marked if marked is not None else _test_seed(item)
    item.stash[_SEED] = seed
    item.stash[_CHECKED] = []
    item.stash[_ACQUIRED] = {}
    defaults.seed, defaults.mocks = seed, []
    return (yield)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Iterator[None]:
    try:
        result = yield
    except BaseException:
        found = _verify_all(item)
        if found:
            item.add_report_section("call", "mockkit", found)
        raise
    found = _verify_all(item)
    if found:
        item.stash[_SAID] = True
        pytest.fail(found + "\n" + _rerun_line(item), pytrace=False)
    return result


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]
                              ) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report: pytest.TestReport = yield
    defaults = item.config.stash.get(_DEFAULTS, None)
    if defaults is None or _SEED not in item.stash or not defaults.mocks:
        return report
    if report.when == "call":
        report.user_properties.append(("mockkit_seed", item.stash[_SEED]))
    if report.failed and not item.stash.get(_SAID, False):
        report.sections.append(("mockkit", _seed_report(item, defaults)))
    return report


@pytest.hookimpl(wrapper=True, trylast=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None) -> Iterator[None]:
    try:
        return (yield)
    finally:
        defaults = item.config.stash.get(_DEFAULTS, None)
        if defaults is not None:
            defaults.seed = None


def _test_seed(item: pytest.Item) -> int:
    """A seed for this test, new each session but the same for every run of the test within it
    (so plugins that rerun a failed test rerun it with the same data)."""
    digest = hashlib.sha256(f"{item.config.stash[_BASE]}:{item.nodeid}".encode()).digest()
    return int.from_bytes(digest[:8], "big") % 90_000_000 + 10_000_000


def _verify_all(item: pytest.Item) -> str:
    messages = []
    for mock in item.stash.get(_CHECKED, []):
        try:
            mock.verify()
        except AssertionError as exc:
            messages.append(str(exc))
    return "\n\n".join(messages)


def _rerun_line(item: pytest.Item) -> str:
    seed = item.stash[_SEED]
    defaults = item.config.stash[_DEFAULTS]
    if defaults.mocks and all(s != seed for _, s in defaults.mocks):  # each mock has its own seed
        return f"Rerun this test with the same fake data: pytest {shlex.quote(item.nodeid)}"
    return f"Rerun this test with the same fake data: pytest {shlex.quote(item.nodeid)} --mockkit-seed={seed}"


def _seed_report(item: pytest.Item, defaults: TestDefaults) -> str:
    seed = item.stash[_SEED]
    lines = [f"fake data seed of this test: {seed}"]
    own = sorted({(what, s) for what, s in defaults.mocks if s != seed})
    lines += [f"{what}: seed {s} (its own)" for what, s in own]
    return "\n".join([*lines, _rerun_line(item)])


# ---------------------------------------------------------------------------------- settings


@dataclass
class Settings:
    """One mock's settings: marker(s) first, then the factory's arguments over them."""

    collection: Any = None
    environment: Any = None
    seed: int | None = None
    strict: bool | None = None
    expect: tuple[str, ...] = ()
    assert_all_used: bool | None = None
    scope: str | None = None
    options: dict[str, Any] = field(default_factory=dict)

    def over(self, args: tuple[Any, ...], kwargs: Mapping[str, Any], where: str) -> "Settings":
        """These settings with a marker's or a call's arguments on top (``None`` leaves a value)."""
        if len(args) > 1:
            raise TypeError(f"{where}: give one collection (a path, a dict or JSON text), not {len(args)} arguments")
        kwargs = dict(kwargs)
        if "env" in kwargs and "environment" in kwargs:
            raise TypeError(f"{where}: give env= or environment=, not both")
        if "env" in kwargs:
            kwargs["environment"] = kwargs.pop("env")
        if args:
            kwargs["collection"] = args[0]
        known = {f.name for f in fields(self)} - {"options"}
        changes = {k: v for k, v in kwargs.items() if k in known and v is not None}
        if isinstance(changes.get("expect"), str):
            changes["expect"] = (changes["expect"],)
        elif "expect" in changes:
            changes["expect"] = tuple(changes["expect"])
        options = {**self.options, **{k: v for k, v in kwargs.items() if k not in known}}
        return replace(self, **changes, options=options)


def _marker_settings(item: pytest.Item) -> Settings:
    settings = Settings()
    for mark in reversed(list(item.iter_markers("mockkit"))):  # farthest first, nearest wins
        settings = settings.over(mark.args, mark.kwargs, "@pytest.mark.mockkit")
    return settings


def _local_path(value: Any, item: pytest.Item) -> Any:
    """A relative path that does not exist from the working folder but does beside the test file."""
    if not isinstance(value, (str, os.PathLike)) or str(value).lstrip().startswith(("{", "[")):
        return value
    path = Path(value)
    if path.is_absolute() or path.exists():
        return value
    beside = Path(str(item.path)).parent / path
    return beside if beside.exists() else value


def _source_key(value: Any) -> str:
    if value is None:
        return "demo"
    if isinstance(value, (str, os.PathLike)) and not str(value).lstrip().startswith(("{", "[")):
        return "file:" + str(Path(value).resolve())
    if isinstance(value, (str, bytes, dict, list)):
        text = value if isinstance(value, (str, bytes)) else json.dumps(value, sort_keys=True, default=repr)
        data = text.encode("utf-8", "surrogatepass") if isinstance(text, str) else text
        return "sha256:" + hashlib.sha256(data).hexdigest()
    return f"object:{id(value)}"


def _pool_key(kind: str, settings: Settings) -> tuple[str, str, str, str]:
    options = json.dumps(settings.options, sort_keys=True, default=repr)
    return (kind, _source_key(settings.collection), _source_key(settings.environment), options)


class MockPool:
    """Session-scoped mocks, one per (kind, collection, environment, options); stopped at the end."""

    def __init__(self) -> None:
        self.mocks: dict[tuple[str, ...], Any] = {}

    def stop_all(self) -> None:
        for mock in self.mocks.values():
            stop = getattr(mock, "stop", None)
            if stop is not None:
                stop()
        self.mocks.clear()


@pytest.fixture(scope="session")
def mockkit_session_pool() -> Iterator[MockPool]:
    """The session's shared mocks (``scope="session"``); every server is stopped at session end."""
    pool = MockPool()
    yield pool
    pool.stop_all()


# ---------------------------------------------------------------------------------- fixtures


class _Factory:
    """What both fixtures share: settings, scopes, checks."""

    def __init__(self, request: pytest.FixtureRequest, pool: MockPool, kind: str) -> None:
        self.request, self.pool, self.kind = request, pool, kind
        self.owned: list[Any] = []

    def settings(self, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Settings:
        item = self.request.node
        settings = _marker_settings(item).over(args, kwargs, f"{self.kind}(...)")
        settings.collection = _local_path(settings.collection, item)
        settings.environment = _local_path(settings.environment, item)
        scope = settings.scope or str(item.config.getini("mockkit_scope")).strip() or "function"
        if scope not in SCOPES:
            raise ConfigError("scope", f"must be one of {', '.join(SCOPES)}, not {scope!r} "
                             "(marker, fixture argument or the mockkit_scope ini option)")
        return replace(settings, scope=scope)

    def get(self, args: tuple[Any, ...], kwargs: dict[str, Any], make: Callable[[Settings, int], Any]) -> Any:
        item = self.request.node
        settings = self.settings(args, kwargs)
        seed = settings.seed if settings.seed is not None else item.stash[_SEED]
        if settings.scope == "function":
            mock = make(settings, seed)
            self.owned.append(mock)
        else:
            key = _pool_key(self.kind, settings)
            acquired = item.stash[_ACQUIRED]
            mock = acquired.get(key)
            if mock is None:
                mock = self.pool.mocks.get(key)
                if mock is None or not getattr(mock, "running", True):
                    mock = self.pool.mocks[key] = make(settings, seed)
                mock.reset(seed=seed)
                acquired[key] = mock
                note_mock(f"shared {self.kind} for '{mock.engine.collection.name}'", seed)
        mock.set_checks(strict=settings.strict, expect=settings.expect, assert_all_used=settings.assert_all_used)
        checked = item.stash[_CHECKED]
        if mock not in checked:
            checked.append(mock)
        return mock


def _demo_or(collection: Any) -> Any:
    if collection is None:
        from ..demo import DEMO_COLLECTION

        return DEMO_COLLECTION
    return collection


@pytest.fixture
def mockkit_server(request: pytest.FixtureRequest, mockkit_session_pool: MockPool) -> Iterator[Callable[..., "MockServer"]]:
    """A factory: ``mockkit_server(collection=None, *, env=None, seed=None, strict=None,
    expect=(), assert_all_used=None, scope=None, **serve_options) -> MockServer`` (running).

    ``collection``: a path (relative to the working folder, else to the test file), a dict or
    JSON text; default: the marker's, else the bundled demo. ``serve_options``: those of
    ``mockkit.serve`` (``api_key``, ``delay``, ``match_body``...). ``strict``, ``expect``,
    ``assert_all_used``: ``CallAssertions.set_checks``, run when the test's body has run.
    ``scope="session"``: a server shared by every test asking for the same collection and
    options, reset (call log, server response, checks, seed) for each. Function-scoped servers
    stop when the test ends; shared ones when the session does."""
    from ..mock import MockServer

    factory = _Factory(request, mockkit_session_pool, "mockkit_server")

    def make(settings: Settings, seed: int) -> MockServer:
        server = MockServer(_demo_or(settings.collection), environment=settings.environment, seed=seed,
                            **settings.options)
        return server.start()

    def start(*args: Any, **kwargs: Any) -> MockServer:
        __tracebackhide__ = True
        server: MockServer = factory.get(args, kwargs, make)
        return server

    yield start
    for server in factory.owned:
        server.stop()


@pytest.fixture
def mockkit_transport(request: pytest.FixtureRequest, mockkit_session_pool: MockPool) -> Callable[..., "EngineTransport"]:
    """A factory: ``mockkit_transport(collection=None, *, env=None, seed=None, strict=None,
    expect=(), assert_all_used=None, scope=None, delays=True, **options)`` -> an httpx
    transport (``httpx.Client(transport=..., base_url="http://mock")``, or ``AsyncClient``);
    ``options``: the fields of ``MockOptions``, as for ``mockkit_server``.

    Settings as ``mockkit_server`` (server-only options such as ``port`` are refused); the checks
    run when the test's body has run, and also when a client using it closes."""
    from ..client import transport
    from ..engine import MockEngine

    factory = _Factory(request, mockkit_session_pool, "mockkit_transport")

    def make(settings: Settings, seed: int) -> EngineTransport:
        options = dict(settings.options)
        refused = [k for k in SERVER_ONLY if k in options]
        if refused:
            raise TypeError(f"{', '.join(refused)}: options of a server, not of an httpx transport "
                            "(use mockkit_server, or leave them out)")
        delays = options.pop("delays", True)
        collection = _demo_or(settings.collection)
        if not isinstance(collection, MockEngine):  # an engine has its own seed
            options["seed"] = seed
        return transport(collection, settings.environment, delays=delays,
                         strict=settings.strict, expect=settings.expect,
                         assert_all_used=settings.assert_all_used, **options)

    def build(*args: Any, **kwargs: Any) -> EngineTransport:
        __tracebackhide__ = True
        made: EngineTransport = factory.get(args, kwargs, make)
        return made

    return build


__all__: Sequence[str] = ["mockkit_server", "mockkit_transport", "mockkit_session_pool", "MockPool", "Settings"]
